//! `deskhand bench --parts model-replay` end to end on one bundled task: the task is driven
//! through the Anthropic provider against the bench's local Messages API server, on a real
//! virtual display, then replayed without it. Only that it works is checked, never its speed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::deskhand;

fn task(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tasks/suite")
        .join(id)
}

fn bench(suite: &Path, extra: &[&str]) -> (Option<Value>, String) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bench.json");
    let o = deskhand()
        .args(["bench", "--parts", "model-replay", "--suite"])
        .arg(suite)
        .arg("--json-out")
        .arg(&json)
        .args(extra)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let doc = std::fs::read(&json)
        .ok()
        .map(|b| serde_json::from_slice(&b).unwrap());
    (doc, text)
}

fn solution_len(id: &str) -> u64 {
    let text = std::fs::read_to_string(task(id).join("solution.json")).unwrap();
    serde_json::from_str::<Vec<Value>>(&text).unwrap().len() as u64
}

#[test]
fn a_task_driven_through_the_local_messages_server_is_replayed_and_timed() {
    let id = "mousepad-replace-word";
    let (doc, out) = bench(&task(id).join("task.json"), &["--model-latency-ms", "50"]);
    let doc = doc.unwrap_or_else(|| panic!("no JSON written:\n{out}"));
    let runs = doc["model_replay"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{out}");
    let run = &runs[0];
    assert_eq!(run["id"], id);
    assert_eq!(run["passed"], true, "{out}");
    // One model turn per solution action, the last being the end of the turn (done).
    assert_eq!(run["turns"].as_u64(), Some(solution_len(id)), "{out}");
    // Every answer was held 50 ms by the server, and the provider's latency records it.
    let turns = run["turns"].as_f64().unwrap();
    assert!(run["decide_s"].as_f64().unwrap() >= 0.05 * turns, "{run}");
    assert!(run["recorded_s"].as_f64().unwrap() > run["decide_s"].as_f64().unwrap());
    assert!(run["replay_s"].as_f64().unwrap() > 0.0, "{run}");
    assert!(out.contains("break-even"), "{out}");
}

#[test]
fn a_given_run_is_replayed_against_its_task_and_a_stray_one_is_refused() {
    let id = "shell-sort-unique";
    let demo = task(id).join("demo");
    let demo_arg = demo.to_str().unwrap();
    let (doc, out) = bench(&task(id).join("task.json"), &["--model-run", demo_arg]);
    let doc = doc.unwrap_or_else(|| panic!("no JSON written:\n{out}"));
    let run = &doc["model_replay"][0];
    assert_eq!(run["id"], id, "{out}");
    assert_eq!(run["passed"], true, "{out}");
    assert!(out.contains("recorded elsewhere"), "{out}");

    // The same run against a suite that lacks its task: named, and nothing is written.
    let other = task("shell-fix-permissions").join("task.json");
    let (doc, out) = bench(&other, &["--model-run", demo_arg]);
    assert!(doc.is_none(), "{out}");
    assert!(
        out.contains("ran task \"shell-sort-unique\", which the suite does not hold"),
        "{out}"
    );
}
