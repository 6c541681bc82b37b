//! Steering during a live run: `deskhand steer` delivers a message that is recorded as a
//! `user_message` event, and `deskhand stop` ends the run cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use support::{deskhand, display, held};

#[test]
fn steer_and_stop_a_live_run() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let script = dir.path().join("slow.json");
    std::fs::write(
        &script,
        r#"[{"type":"mouse_down"},{"type":"wait","ms":60000},{"type":"done"}]"#,
    )
    .unwrap();
    let mut child = deskhand()
        .args(["run", "--display", display.name(), "--json", "--script"])
        .arg(&script)
        .arg("--out")
        .arg(&run)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = |pred: &dyn Fn(&serde_json::Value) -> bool| -> serde_json::Value {
        for line in lines.by_ref() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            if pred(&v) {
                return v;
            }
        }
        panic!("deskhand ended before the expected event");
    };
    next(&|v| v["type"] == "action" && v["action"]["type"] == "wait");

    let steer = deskhand()
        .arg("steer")
        .arg(&run)
        .arg("Grüße: use the second column")
        .output()
        .unwrap();
    assert!(
        steer.status.success(),
        "{}",
        String::from_utf8_lossy(&steer.stderr)
    );
    let msg = next(&|v| v["type"] == "user_message");
    assert_eq!(msg["text"], "Grüße: use the second column");
    // Sent while step 2's wait runs, it joins step 3's turn, and is recorded so.
    assert_eq!(msg["step"], 3);

    let stop = deskhand().arg("stop").arg(&run).output().unwrap();
    assert!(
        stop.status.success(),
        "{}",
        String::from_utf8_lossy(&stop.stderr)
    );
    let end = next(&|v| v["type"] == "session_end");
    assert_eq!(end["status"], "stopped");
    assert_eq!(end["message"], "stopped by deskhand stop");
    assert_eq!(child.wait().unwrap().code(), Some(3));
    assert!(held(&display).is_clear());

    // The run is over: its control file is gone, and steering says so in one sentence.
    assert!(!run.join("control").exists());
    let late = deskhand()
        .arg("steer")
        .arg(&run)
        .arg("hello?")
        .output()
        .unwrap();
    assert!(!late.status.success());
    let err = String::from_utf8_lossy(&late.stderr);
    assert!(err.contains("no running agent"), "{err}");
}
