//! One vocabulary across commands: the display flags mean the same everywhere, `WxH` and
//! `K/N` are refused in one sentence, and `--json` is JSON lines on stdout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::Path;
use support::deskhand;

fn stderr_of(args: &[&str]) -> String {
    let out = deskhand().args(args).output().unwrap();
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_sizes_and_shards_are_one_sentence() {
    for cmd in [
        &["run", "--screen", "1280"][..],
        &["record", "--out", "x", "--screen", "99999x800"][..],
        &["replay", "x", "--screen", "axb"][..],
        &["eval", "suite", "--screen", "10x10"][..],
    ] {
        let err = stderr_of(cmd);
        assert!(err.contains("expected WxH like 1280x800"), "{cmd:?}: {err}");
        assert_eq!(
            err.trim().lines().filter(|l| l.contains("WxH")).count(),
            1,
            "{err}"
        );
    }
    for shard in ["0/4", "5/4", "two"] {
        let err = stderr_of(&["eval", "suite", "--shard", shard]);
        assert!(err.contains("expected K/N with 1 ≤ K ≤ N"), "{err}");
    }
}

#[test]
fn display_flags_that_do_not_apply_are_refused() {
    let err = stderr_of(&["eval", "tasks/suite", "--display", ":0"]);
    assert!(err.contains("--display cannot be used"), "{err}");
    let err = stderr_of(&["resume", "runs/none", "--virtual"]);
    assert!(
        err.contains("--virtual and --screen cannot be used"),
        "{err}"
    );
    let err = stderr_of(&["run", "--display", ":0", "--virtual"]);
    assert!(err.contains("cannot be used with"), "{err}");
}

/// Every line of stdout is a JSON value.
fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn eval_json_is_a_line_per_task_then_a_summary() {
    let suite =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/shell-echo/task.json");
    let dir = tempfile::tempdir().unwrap();
    let out = deskhand()
        .arg("eval")
        .arg(&suite)
        .args(["--policy", "none", "-j", "1", "--json", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["type"], "task");
    assert_eq!(lines[0]["score"], 0.0, "nobody acted: {}", lines[0]);
    assert_eq!(lines[1]["type"], "summary");
    assert_eq!(lines[1]["policy"], "none");
}

#[test]
fn tasks_check_json_is_json_lines() {
    let out = deskhand()
        .args(["tasks", "check", "--json"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tasks/suite"))
        .output()
        .unwrap();
    assert!(json_lines(&out.stdout).len() >= 10);
}

#[test]
fn a_launched_program_that_dies_leaves_its_output_in_apps_log() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let script = dir.path().join("s.json");
    std::fs::write(&script, r#"[{"type":"done"}]"#).unwrap();
    let o = deskhand()
        .args(["run", "--virtual", "--script"])
        .arg(&script)
        .arg("--out")
        .arg(&out)
        .args(["--launch", "echo the-app-says-why >&2; exit 3"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("apps.log"), "{err}");
    let log = std::fs::read_to_string(out.join("apps.log")).unwrap();
    assert!(log.contains("stderr: the-app-says-why"), "{log}");
    assert!(log.contains("exited:"), "{log}");
}
