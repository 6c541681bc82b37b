//! `deskhand bench --parts model-replay` end to end on one bundled task: the task is driven
//! through the Anthropic provider against the bench's local Messages API server, on a real
//! virtual display, then replayed without it. Only that it works is checked, never its speed.
//! And `deskhand bench --parts ocr`: what it reports of memory, and that OCR stays within its
//! memory goal (memory, unlike speed, does not depend on the machine's load).

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

#[test]
fn the_ocr_part_stays_within_its_memory_goal_and_says_where_it_goes() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bench.json");
    let images = Path::new(env!("CARGO_MANIFEST_DIR")).join("vision/tests/fixtures");
    // Ours only: the Python pipeline is left out (its Python does not exist).
    let o = deskhand()
        .args(["bench", "--parts", "ocr", "--runs", "2", "--ocr-images"])
        .arg(&images)
        .arg("--python")
        .arg(dir.path().join("no-python"))
        .arg("--json-out")
        .arg(&json)
        .output()
        .unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{out}");
    let doc: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let ocr = &doc["ocr"];
    let mib = |v: &Value| {
        v.as_f64()
            .unwrap_or_else(|| panic!("not a number: {v}\n{out}"))
    };
    let (before, rss, peak) = (
        mib(&ocr["rss_before_mib"]),
        mib(&ocr["rss_mib"]),
        mib(&ocr["peak_rss_mib"]),
    );
    assert!(before > 0.0 && rss > before && peak >= rss, "{ocr}");
    // Loading the engine and reading 1280x800 and 1920x1080 frames adds ~125 MiB (the
    // detector reads tiles); reading the frames whole added ~350.
    assert!(peak - before <= 150.0, "{ocr}");
    // ONNX Runtime's arena: the weights stay between passes, the tensors of a pass come and go.
    let arena = &ocr["arena"];
    let (reserved, max_in_use, in_use) = (
        mib(&arena["reserved_mib"]),
        mib(&arena["max_in_use_mib"]),
        mib(&arena["in_use_mib"]),
    );
    assert!(
        reserved >= max_in_use && max_in_use > in_use && in_use > 0.0,
        "{arena}"
    );
    assert!(out.contains("ONNX Runtime arena:"), "{out}");
    assert_eq!(ocr["ours"].as_object().map(|m| m.len()), Some(2), "{ocr}");
    assert!(mib(&ocr["reread"]["median_ms"]) > 0.0, "{ocr}");
}
