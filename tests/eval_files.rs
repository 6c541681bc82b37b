//! `deskhand eval` with task files named by `http(s)` URLs, from a loopback server (never the
//! internet): fetched into the file cache and recorded in the run directory (`files.jsonl`, URL
//! → sha256); offline, the cached file is used and nothing is sent; a mirror serves its prefix
//! from a folder; an uncached URL offline is an error naming it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::deskhand;
use support::http_server::{MockServer, Reply};

/// A suite of one task whose setup downloads `url` to ~/got.txt and whose evaluator checks the
/// file holds "hello from the server".
fn suite(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    add_task(dir.path(), "fetch-file", url);
    dir
}

/// Adds such a task, named `name`, to the suite folder `suite`.
fn add_task(suite: &Path, name: &str, url: &str) {
    let task = suite.join(name);
    std::fs::create_dir_all(&task).unwrap();
    let config = json!({
        "id": name, "instruction": "Nothing: the file is the setup's.",
        "snapshot": "x", "source": "deskhand tests", "related_apps": [],
        "config": [{"type": "download", "parameters": {"files": [
            {"url": url, "path": "/home/user/got.txt"}]}}],
        "evaluator": {"func": "exact_match",
            "result": {"type": "vm_command_line", "command": ["cat", "/home/user/got.txt"]},
            "expected": {"type": "rule", "rules": {"expected": "hello from the server\n"}}}
    });
    std::fs::write(task.join("task.json"), config.to_string()).unwrap();
}

/// `deskhand eval SUITE --policy none --out OUT` with its own file cache.
fn eval(suite: &Path, out: &Path, cache: &Path, extra: &[&str]) -> (std::process::Output, Value) {
    let o = deskhand()
        .env("DESKHAND_CACHE", cache)
        .arg("eval")
        .arg(suite)
        .args(["--policy", "none", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    let results = std::fs::read_to_string(out.join("results.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(Value::Null);
    (o, results["tasks"][0].clone())
}

/// The `files.jsonl` lines of the (one) task's run directory under `out`.
fn recorded(out: &Path) -> Vec<Value> {
    let dir = out.to_owned();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        let f = d.join("files.jsonl");
        if f.is_file() {
            return std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
        }
        stack.extend(
            std::fs::read_dir(&d)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir()),
        );
    }
    panic!("no files.jsonl under {}", out.display());
}

#[test]
fn a_url_is_fetched_once_recorded_and_then_served_offline() {
    let server = MockServer::start(Box::new(|req, _, problems| {
        if req.path != "/data/got.txt" {
            problems.push(format!("path {}", req.path));
        }
        Reply {
            status: 200,
            headers: vec![],
            body: "hello from the server\n".into(),
            cut_at: None,
        }
    }));
    let url = format!("{}/data/got.txt", server.url);
    let s = suite(&url);
    let cache = tempfile::tempdir().unwrap();
    let runs = tempfile::tempdir().unwrap();

    let online = runs.path().join("online");
    let (o, t) = eval(s.path(), &online, cache.path(), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // `--policy none` scores the start state: the setup's file is what is checked.
    assert_eq!(
        (&t["status"], &t["score"]),
        (&json!("scored"), &json!(1.0)),
        "{t}"
    );
    assert_eq!(server.count(), 1);
    let rec = recorded(&online);
    assert_eq!(rec.len(), 1, "{rec:?}");
    assert_eq!(rec[0]["url"], url);
    assert_eq!(rec[0]["source"], "network");
    // sha256 of "hello from the server\n".
    let sha = rec[0]["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);

    let offline = runs.path().join("offline");
    let (o, t) = eval(s.path(), &offline, cache.path(), &["--offline"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(t["score"], 1.0, "{t}");
    assert_eq!(server.count(), 1, "offline reached the server");
    let rec = recorded(&offline);
    assert_eq!(
        (&rec[0]["source"], &rec[0]["sha256"]),
        (&json!("cache"), &json!(sha))
    );
    assert_eq!(server.problems(), Vec::<String>::new());
}

#[test]
fn offline_a_mirror_serves_its_prefix_and_other_urls_are_named() {
    let mirror = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(mirror.path().join("data")).unwrap();
    std::fs::write(
        mirror.path().join("data/got.txt"),
        "hello from the server\n",
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let runs = tempfile::tempdir().unwrap();
    // Nothing listens on port 9 of the loopback: the mirror alone can serve this.
    let prefix = "http://127.0.0.1:9/files";
    let s = suite(&format!("{prefix}/data/got.txt"));
    let setting = format!("files.mirror={prefix}={}", mirror.path().display());
    let (o, t) = eval(
        s.path(),
        &runs.path().join("mirrored"),
        cache.path(),
        &["--offline", "-c", &setting],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(t["score"], 1.0, "{t}");
    assert_eq!(
        recorded(&runs.path().join("mirrored"))[0]["source"],
        "mirror"
    );

    let missing = "http://127.0.0.1:9/elsewhere/got.txt";
    let s = suite(missing);
    let (o, t) = eval(
        s.path(),
        &runs.path().join("missing"),
        cache.path(),
        &["--offline", "-c", &setting],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(t["status"], "error", "{t}");
    let err = t["error"].as_str().unwrap();
    assert!(
        err.contains(&format!("{missing} is not in the file cache")),
        "{err}"
    );
}

#[test]
fn tasks_fetch_fills_the_cache_for_an_offline_eval_and_reports_what_failed() {
    let server = MockServer::start(Box::new(|req, _, _| Reply {
        status: if req.path == "/data/got.txt" {
            200
        } else {
            404
        },
        headers: vec![],
        body: "hello from the server\n".into(),
        cut_at: None,
    }));
    let good = format!("{}/data/got.txt", server.url);
    let gone = format!("{}/data/gone.txt", server.url);
    let s = suite(&good);
    add_task(s.path(), "gone-file", &gone);
    let cache = tempfile::tempdir().unwrap();
    let o = deskhand()
        .env("DESKHAND_CACHE", cache.path())
        .args(["tasks", "fetch", "--json"])
        .arg(s.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "a failed URL makes the status 1");
    let lines = support::json_events(&o.stdout);
    let by_url = |u: &str| lines.iter().find(|l| l["url"] == u).cloned().unwrap();
    assert_eq!(by_url(&good)["status"], "fetched", "{lines:?}");
    assert_eq!(by_url(&good)["bytes"], 22);
    let failed = by_url(&gone);
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["error"].as_str().unwrap().contains("HTTP 404"),
        "{failed}"
    );
    let asked = server.count();

    // Offline, the fetched task runs from the cache; the other names its URL.
    let runs = tempfile::tempdir().unwrap();
    let out = runs.path().join("offline");
    let o = deskhand()
        .env("DESKHAND_CACHE", cache.path())
        .arg("eval")
        .arg(s.path())
        .args(["--policy", "none", "--offline", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let task = |id: &str| {
        r["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(task("fetch-file")["score"], 1.0);
    assert!(
        task("gone-file")["error"]
            .as_str()
            .unwrap()
            .contains(&format!("{gone} is not in the file cache"))
    );
    assert_eq!(server.count(), asked, "the offline eval reached the server");
}

#[test]
fn an_open_of_a_url_saves_the_file_into_downloads_and_opens_it() {
    let mirror = tempfile::tempdir().unwrap();
    std::fs::write(mirror.path().join("notes.txt"), "hello from the mirror\n").unwrap();
    let suite = tempfile::tempdir().unwrap();
    let task = suite.path().join("open-url");
    std::fs::create_dir_all(&task).unwrap();
    let prefix = "https://files.example.test/";
    let config = json!({
        "id": "open-url", "instruction": "Nothing: the file is the setup's.",
        "snapshot": "x", "source": "deskhand tests", "related_apps": ["mousepad"],
        "config": [{"type": "open", "parameters": {"path": format!("{prefix}notes.txt")}}],
        "evaluator": {"func": ["exact_match", "exact_match"], "conj": "and",
            "result": [
                {"type": "vm_command_line", "command": ["cat", "/home/user/Downloads/notes.txt"]},
                {"type": "vm_command_line",
                 "command": "xdotool search --name 'notes.txt' >/dev/null && echo shown", "shell": true}],
            "expected": [
                {"type": "rule", "rules": {"expected": "hello from the mirror\n"}},
                {"type": "rule", "rules": {"expected": "shown\n"}}]}
    });
    std::fs::write(task.join("task.json"), config.to_string()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let runs = tempfile::tempdir().unwrap();
    let setting = format!("files.mirror={prefix}={}", mirror.path().display());
    let (o, t) = eval(
        suite.path(),
        runs.path(),
        cache.path(),
        &["--offline", "-c", &setting],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(t["score"], 1.0, "{t}");
    assert_eq!(recorded(runs.path())[0]["source"], "mirror");
}
