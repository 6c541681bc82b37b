//! A real Thunderbird on a deskhand virtual display, through `deskhand eval` of a small
//! OSWorld-format task: its setup unpacks a profile made here (as OSWorld's tasks unpack
//! theirs: an `[Install…]` section for another machine's installation and `Default=1` on a
//! profile that is not there), the script's keys change a setting through Thunderbird's
//! menus, and `check_thunderbird_prefs` scores the `prefs.js` Thunderbird itself wrote, once
//! OSWorld's own postconfig has closed it by its class (`Mail.thunderbird`, strict).
//! The untouched start state scores 0, so the metric is not vacuous, and neither run may
//! stop at a first-run dialog (the profile would then never be written).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::Instant;
use support::deskhand;

const PROFILE: &str = "t5q2a5hp.default-release";

/// A profile archive as OSWorld's Thunderbird tasks ship one: `.thunderbird/profiles.ini`,
/// `installs.ini` and the profile's `prefs.js` with a POP account and Local Folders.
fn profile_archive(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("profile-src/.thunderbird");
    std::fs::create_dir_all(root.join(PROFILE)).unwrap();
    std::fs::write(
        root.join("profiles.ini"),
        format!(
            "[Profile1]\nName=default\nIsRelative=1\nPath=gone0000.default\nDefault=1\n\n\
             [Profile0]\nName=default-release\nIsRelative=1\nPath={PROFILE}\n\n\
             [General]\nStartWithLastProfile=1\nVersion=2\n\n\
             [Install0123456789ABCDEF]\nDefault={PROFILE}\nLocked=1\n"
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("installs.ini"),
        format!("[0123456789ABCDEF]\nDefault={PROFILE}\nLocked=1\n"),
    )
    .unwrap();
    let prefs = [
        ("mail.account.account1.server", "\"server1\""),
        ("mail.account.account2.identities", "\"id1\""),
        ("mail.account.account2.server", "\"server2\""),
        ("mail.accountmanager.accounts", "\"account2,account1\""),
        ("mail.accountmanager.defaultaccount", "\"account2\""),
        ("mail.accountmanager.localfoldersserver", "\"server1\""),
        ("mail.identity.id1.fullName", "\"Robin\""),
        ("mail.identity.id1.useremail", "\"robin@deskhand.test\""),
        (
            "mail.server.server1.directory-rel",
            "\"[ProfD]Mail/Local Folders\"",
        ),
        ("mail.server.server1.hostname", "\"Local Folders\""),
        ("mail.server.server1.name", "\"Local Folders\""),
        ("mail.server.server1.type", "\"none\""),
        ("mail.server.server1.userName", "\"nobody\""),
        (
            "mail.server.server2.directory-rel",
            "\"[ProfD]Mail/pop.deskhand.test\"",
        ),
        ("mail.server.server2.hostname", "\"pop.deskhand.test\""),
        ("mail.server.server2.name", "\"robin@deskhand.test\""),
        ("mail.server.server2.type", "\"pop3\""),
        ("mail.server.server2.userName", "\"robin\""),
        ("mail.server.server2.login_at_startup", "false"),
        ("mail.server.server2.check_new_mail", "false"),
    ];
    let text: String = prefs
        .iter()
        .map(|(k, v)| format!("user_pref(\"{k}\", {v});\n"))
        .collect();
    std::fs::write(root.join(PROFILE).join("prefs.js"), text).unwrap();
    let archive = dir.join("thunderbird-profile.tar.gz");
    let ok = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.join("profile-src"))
        .arg(".thunderbird")
        .status()
        .unwrap();
    assert!(ok.success());
    archive
}

/// A suite of one task: show messages as plain text (View › Message Body As › Plain Text).
fn suite(dir: &Path) -> std::path::PathBuf {
    let archive = profile_archive(dir);
    let suite = dir.join("suite");
    let task = suite.join("thunderbird-plain-text");
    std::fs::create_dir_all(&task).unwrap();
    let lock = format!("/home/user/.thunderbird/{PROFILE}/lock");
    let config = json!({
        "id": "thunderbird-plain-text", "snapshot": "thunderbird", "source": "deskhand tests",
        "instruction": "Make Thunderbird show message bodies as plain text.",
        "related_apps": ["thunderbird"],
        "config": [
            {"type": "execute", "parameters": {"command": [
                "tar", "-xzv", "--recursive-unlink", "-f", archive, "-C", "/home/user/"]}},
            {"type": "launch", "parameters": {"command": ["/usr/bin/thunderbird"]}}
        ],
        "evaluator": {
            "postconfig": [
                {"type": "close_window", "parameters": {
                    "window_name": "Mail.thunderbird", "strict": true, "by_class": true}},
                {"type": "execute", "parameters": {
                    "command": ["sh", "-c", format!(
                        "pid=$(readlink {lock}); state=$(cut -d' ' -f3 /proc/${{pid##*+}}/stat 2>/dev/null); [ \"${{state:-Z}}\" = Z ] && echo closed")],
                    "until": {"stdout": "closed"}}}
            ],
            "func": "check_thunderbird_prefs",
            "result": {"type": "vm_file",
                "path": format!("/home/user/.thunderbird/{PROFILE}/prefs.js"), "dest": "prefs.js"},
            "expected": {"type": "rule", "rules": {
                "expect": {
                    "mailnews.display.prefer_plaintext": {"method": "eq", "ref": true},
                    "mailnews.display.html_as": {"method": "eq", "ref": 1},
                    "mail.identity.id1.useremail": {"method": "re", "ref": "^robin@"}
                },
                "unexpect": {"mail.server.server2.check_new_mail": {"method": "eq", "ref": true}}
            }}
        }
    });
    std::fs::write(task.join("task.json"), config.to_string()).unwrap();
    let solution = json!([
        {"type": "key", "keys": "alt+v"},
        {"type": "key", "keys": "b"},
        {"type": "key", "keys": "p"},
        {"type": "done", "message": "message bodies as plain text"}
    ]);
    std::fs::write(task.join("solution.json"), solution.to_string()).unwrap();
    suite
}

/// `deskhand eval SUITE --policy POLICY`: the task's result and the run folder.
fn eval(suite: &Path, out: &Path, policy: &str) -> (Value, std::path::PathBuf) {
    let t = Instant::now();
    let o = deskhand()
        .arg("eval")
        .arg(suite)
        .args(["--policy", policy, "--out"])
        .arg(out)
        .output()
        .unwrap();
    eprintln!(
        "thunderbird task, --policy {policy}: {:.1} s",
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
    let run = find(out, "setup.log")
        .and_then(|log| log.parent().map(Path::to_owned))
        .unwrap_or_else(|| panic!("no setup.log under {}", out.display()));
    (results["tasks"][0].clone(), run)
}

#[test]
fn a_setting_changed_in_thunderbirds_menus_is_scored_from_its_prefs_js() {
    let dir = tempfile::tempdir().unwrap();
    let suite = suite(dir.path());

    let (task, run) = eval(&suite, &dir.path().join("solved"), "script");
    let setup = std::fs::read_to_string(run.join("setup.log")).unwrap_or_default();
    assert_eq!(task["status"], "scored", "{task:#}\n{setup}");
    assert_eq!(task["score"], 1.0, "{task:#}\n{setup}");
    // The task's own profile was used (made the default over the missing one), quietly.
    assert!(
        setup.contains(&format!(
            "thunderbird profile: {PROFILE} quiet, made the default"
        )),
        "{setup}"
    );
    // What was scored is the file Thunderbird wrote: its own header and the menu's settings.
    let copied = find(&run, "prefs.js").expect("the getter's copy of prefs.js in the run");
    let prefs = std::fs::read_to_string(copied).unwrap();
    assert!(prefs.contains("DO NOT EDIT THIS FILE"), "{prefs}");
    assert!(prefs.contains("user_pref(\"mailnews.display.prefer_plaintext\", true);"));
    assert!(prefs.contains("user_pref(\"mailnews.display.html_as\", 1);"));

    let (task, run) = eval(&suite, &dir.path().join("untouched"), "none");
    let setup = std::fs::read_to_string(run.join("setup.log")).unwrap_or_default();
    assert_eq!(task["status"], "scored", "{task:#}\n{setup}");
    assert_eq!(task["score"], 0.0, "{task:#}\n{setup}");
}

fn find(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find(&path, name) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}
