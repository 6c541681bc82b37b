//! Chromium's profile on disk read by the profile getters, through `deskhand eval` of small
//! OSWorld-format tasks on real virtual displays:
//! - a real Chromium (started by the task's `launch` of `google-chrome`) visits a page served on
//!   loopback that sets a cookie, the script bookmarks it with ctrl+d (Chromium 156 files it
//!   under "Other bookmarks"; Chromium writes no Bookmarks file before a first bookmark), and the postconfig's
//!   `pkill chrome` closes it so it writes its files; `update_browse_history` put a visit of
//!   its own in `History` before. The getters then read what Chromium wrote: the bookmarks,
//!   both visits, the cookie, the profile's name and other preferences;
//! - preferences, extensions and a desktop shortcut written by the task, each getter's value;
//! - a profile with no files at all, each getter's fallback (OSWorld's, quirks included).
//!
//! Each task scores 1 only when every getter gave the expected value (`conj: and`), or, for
//! the "visited" task, 0 only when each visit and the cookie were found (`conj: or` of
//! "deleted" checks), so a getter that reads nothing fails the test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Instant;
use support::deskhand;
use support::static_server::StaticServer;

const PAGE: &str = "http://cookie.deskhand.test/index.html";

/// The loopback site: one page that sets a persistent cookie, then says so in its title.
fn site(dir: &Path) -> PathBuf {
    let root = dir.join("www");
    std::fs::create_dir_all(root.join("cookie")).unwrap();
    std::fs::write(
        root.join("cookie/index.html"),
        "<!DOCTYPE html><html><head><title>Cookie page</title><script>\
         document.cookie = 'flavour=oat; max-age=86400; path=/'; document.title = 'Cookie set';\
         </script></head><body><p>A cookie was set.</p></body></html>",
    )
    .unwrap();
    root
}

fn task(suite: &Path, id: &str, config: Value, evaluator: Value, solution: Option<Value>) {
    let dir = suite.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let t = json!({
        "id": id, "snapshot": "chrome", "source": "deskhand tests",
        "instruction": "Bookmark the page.", "related_apps": ["chrome"],
        "config": config, "evaluator": evaluator
    });
    std::fs::write(dir.join("task.json"), t.to_string()).unwrap();
    if let Some(s) = solution {
        std::fs::write(dir.join("solution.json"), s.to_string()).unwrap();
    }
}

fn rule(rules: Value) -> Value {
    json!({"type": "rule", "rules": rules})
}

fn exact(getter: Value, expected: Value) -> (Value, Value, Value) {
    (
        json!("exact_match"),
        getter,
        rule(json!({"expected": expected})),
    )
}

fn evaluator(checks: Vec<(Value, Value, Value)>, conj: &str, postconfig: Value) -> Value {
    let (mut func, mut result, mut expected) = (vec![], vec![], vec![]);
    for (f, r, e) in checks {
        func.push(f);
        result.push(r);
        expected.push(e);
    }
    json!({"postconfig": postconfig, "func": func, "conj": conj, "result": result, "expected": expected})
}

/// The two tasks on a real Chromium (same setup and solution, different checks).
fn browser_suite(dir: &Path) -> PathBuf {
    let suite = dir.join("browser");
    let config = json!([
        {"type": "update_browse_history", "parameters": {"history": [
            {"url": "http://old.deskhand.test/seen-in-setup.html", "title": "Seen before",
             "visit_time_from_now_in_seconds": 600}
        ]}},
        {"type": "launch", "parameters": {"command": ["google-chrome", "--remote-debugging-port=1337"]}},
        {"type": "chrome_open_tabs", "parameters": {"urls_to_open": [PAGE]}},
        {"type": "activate_window", "parameters": {"window_name": "Cookie set", "strict": false}}
    ]);
    let solution = json!([
        {"type": "key", "keys": "ctrl+d"},
        {"type": "wait", "ms": 1000},
        {"type": "key", "keys": "Escape"},
        {"type": "done", "message": "bookmarked"}
    ]);
    let close = json!([{"type": "launch", "parameters": {"command": ["pkill", "chrome"]}}]);
    let read = vec![
        // The bar as Chromium writes it (no Bookmarks file before the first bookmark).
        (
            json!("is_expected_bookmarks"),
            json!({"type": "bookmarks"}),
            rule(json!({"type": "bookmark_bar_websites_urls", "urls": []})),
        ),
        // Lists were read (a failed read is None, on which the metric fails).
        (
            json!("check_history_deleted"),
            json!({"type": "history", "dest": "history.sqlite"}),
            rule(json!({"type": "keywords", "keywords": ["never-visited"]})),
        ),
        (
            json!("is_cookie_deleted"),
            json!({"type": "cookie_data", "dest": "Cookies"}),
            rule(json!({"type": "domains", "domains": ["never.test"]})),
        ),
        exact(json!({"type": "profile_name"}), json!("Your Chromium")),
        exact(json!({"type": "default_search_engine"}), json!("Google")),
        exact(json!({"type": "enable_do_not_track"}), json!("false")),
    ];
    task(
        &suite,
        "chrome-profile-read",
        config.clone(),
        evaluator(read, "and", close.clone()),
        Some(solution.clone()),
    );
    let found = vec![
        (
            json!("check_history_deleted"),
            json!({"type": "history", "dest": "history.sqlite"}),
            rule(json!({"type": "keywords", "keywords": ["seen-in-setup"]})),
        ),
        (
            json!("check_history_deleted"),
            json!({"type": "history", "dest": "history2.sqlite"}),
            rule(json!({"type": "keywords", "keywords": ["cookie.deskhand.test/index.html"]})),
        ),
        (
            json!("is_cookie_deleted"),
            json!({"type": "cookie_data", "dest": "Cookies"}),
            rule(json!({"type": "domains", "domains": ["cookie.deskhand.test"]})),
        ),
    ];
    task(
        &suite,
        "chrome-profile-visited",
        config,
        evaluator(found, "or", close),
        Some(solution),
    );
    suite
}

/// Preferences, extensions and a shortcut the task writes itself; and an empty profile.
fn files_suite(dir: &Path) -> PathBuf {
    let suite = dir.join("files");
    let prefs = json!({
        "profile": {"name": "Robin", "default_content_setting_values": {"cookies": 1}},
        "default_search_provider_data": {"template_url_data": {"short_name": "Bing"}},
        "webkit": {"webprefs": {"default_font_size": 20, "minimum_font_size": 6}},
        "enable_do_not_track": true,
        "safebrowsing": {"enabled": false, "enhanced": true},
        "session": {"restore_on_startup": 5},
        "browser": {"theme": {"color_scheme2": 2}},
        "extensions": {"settings": {
            "aaa": {"path": "/opt/ext/one", "manifest": {"name": "One"}},
            "bbb": {"path": "bbbb/1.0", "manifest": {"name": "Two"}}
        }}
    });
    let write = format!(
        "mkdir -p /home/user/.config/google-chrome/Default /home/user/Desktop && \
         printf '%s' '{prefs}' > /home/user/.config/google-chrome/Default/Preferences && \
         printf '[Desktop Entry]\\nName=Play 2048\\nExec=chromium --app=https://play2048.co/\\n' > /home/user/Desktop/game.desktop && \
         printf 'Name=Not a shortcut\\n' > /home/user/Desktop/notes.txt"
    );
    let checks = vec![
        exact(json!({"type": "profile_name"}), json!("Robin")),
        exact(json!({"type": "default_search_engine"}), json!("Bing")),
        exact(
            json!({"type": "chrome_font_size"}),
            json!({"default_font_size": 20, "minimum_font_size": 6}),
        ),
        exact(json!({"type": "enable_do_not_track"}), json!("true")),
        exact(json!({"type": "enable_safe_browsing"}), json!("true")),
        exact(json!({"type": "new_startup_page"}), json!("true")),
        exact(json!({"type": "data_delete_automacally"}), json!("true")),
        exact(
            json!({"type": "find_unpacked_extension_path"}),
            json!(["/opt/ext/one", "bbbb/1.0"]),
        ),
        exact(
            json!({"type": "find_installed_extension_name"}),
            json!(["One", "Two"]),
        ),
        exact(json!({"type": "chrome_appearance_mode_ui"}), json!("dark")),
        (
            json!("is_shortcut_on_desktop"),
            json!({"type": "shortcuts_on_desktop"}),
            rule(json!({"type": "name", "name": "Play 2048"})),
        ),
        exact(
            json!({"type": "shortcuts_on_desktop"}),
            json!({"game.desktop": "[Desktop Entry]\nName=Play 2048\nExec=chromium --app=https://play2048.co/\n"}),
        ),
    ];
    task(
        &suite,
        "chrome-profile-prefs",
        json!([{"type": "execute", "parameters": {"command": write, "shell": true}}]),
        evaluator(checks, "and", json!([])),
        None,
    );
    let fallbacks = vec![
        exact(json!({"type": "bookmarks"}), json!([])),
        exact(json!({"type": "profile_name"}), Value::Null),
        exact(json!({"type": "default_search_engine"}), json!("Google")),
        exact(
            json!({"type": "chrome_font_size"}),
            json!({"default_fixed_font_size": 13, "default_font_size": 16}),
        ),
        exact(json!({"type": "enable_do_not_track"}), json!("false")),
        exact(json!({"type": "enable_safe_browsing"}), json!("false")),
        // OSWorld's quirk: these fall back to "Google".
        exact(json!({"type": "new_startup_page"}), json!("Google")),
        exact(json!({"type": "data_delete_automacally"}), json!("Google")),
        exact(
            json!({"type": "find_unpacked_extension_path"}),
            json!("Google"),
        ),
        exact(
            json!({"type": "find_installed_extension_name"}),
            json!("Google"),
        ),
        exact(
            json!({"type": "chrome_appearance_mode_ui"}),
            json!("system"),
        ),
        exact(json!({"type": "history", "dest": "h.sqlite"}), Value::Null),
        exact(
            json!({"type": "cookie_data", "dest": "c.sqlite"}),
            Value::Null,
        ),
    ];
    task(
        &suite,
        "chrome-profile-empty",
        json!([{"type": "execute", "parameters": {"command": "mkdir -p /home/user/Desktop", "shell": true}}]),
        evaluator(fallbacks, "and", json!([])),
        None,
    );
    suite
}

/// `deskhand eval SUITE --policy POLICY`: the results by task id.
fn eval(suite: &Path, out: &Path, policy: &str, extra: &[String]) -> Vec<Value> {
    let t = Instant::now();
    let o = deskhand()
        .arg("eval")
        .arg(suite)
        .args(["--policy", policy, "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    eprintln!(
        "{}, --policy {policy}: {:.1} s",
        suite.display(),
        t.elapsed().as_secs_f64()
    );
    let results: Value = std::fs::read_to_string(out.join("results.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or_else(|e| {
            panic!(
                "no results ({e}): {}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        });
    results["tasks"].as_array().unwrap().clone()
}

fn by_id<'a>(tasks: &'a [Value], id: &str) -> &'a Value {
    tasks
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn logs(out: &Path, id: &str) -> String {
    let run = out.join("browser").join(id);
    ["setup.log", "apps.log"]
        .iter()
        .map(|f| std::fs::read_to_string(run.join(f)).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_getters_read_what_a_real_chromium_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let server = StaticServer::start(&site(dir.path()));
    let suite = browser_suite(dir.path());
    let args = vec![
        "-c".to_owned(),
        format!("chrome.args=--host-resolver-rules={}", server.host_rules()),
    ];

    let out = dir.path().join("solved");
    let tasks = eval(&suite, &out, "script", &args);
    let read = by_id(&tasks, "chrome-profile-read");
    assert_eq!(
        read["status"],
        "scored",
        "{read:#}\n{}",
        logs(&out, "chrome-profile-read")
    );
    assert_eq!(
        read["score"],
        1.0,
        "{read:#}\n{}",
        logs(&out, "chrome-profile-read")
    );
    let visited = by_id(&tasks, "chrome-profile-visited");
    assert_eq!(visited["status"], "scored", "{visited:#}");
    assert_eq!(
        visited["score"],
        0.0,
        "{visited:#}\n{}",
        logs(&out, "chrome-profile-visited")
    );
    assert!(
        server
            .hits()
            .iter()
            .any(|h| h.host == "cookie.deskhand.test"),
        "{:?}",
        server.hits()
    );

    // Untouched, nothing was bookmarked: Chromium wrote no Bookmarks file and the getter's
    // fallback ([]) fails the bookmark check.
    let out = dir.path().join("untouched");
    let tasks = eval(&suite, &out, "none", &args);
    let read = by_id(&tasks, "chrome-profile-read");
    assert_eq!(read["status"], "scored", "{read:#}");
    assert_eq!(read["score"], 0.0, "{read:#}");
}

#[test]
fn the_getters_read_preferences_and_fall_back_as_osworld() {
    let dir = tempfile::tempdir().unwrap();
    let suite = files_suite(dir.path());
    let out = dir.path().join("out");
    let tasks = eval(&suite, &out, "none", &[]);
    for id in ["chrome-profile-prefs", "chrome-profile-empty"] {
        let t = by_id(&tasks, id);
        assert_eq!(t["status"], "scored", "{t:#}");
        assert_eq!(t["score"], 1.0, "{id}: {t:#}");
    }
}
