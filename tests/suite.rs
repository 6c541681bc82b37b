//! The bundled suite (tasks/suite): every task's solution scores 1.0, and the untouched start
//! state scores 0.0, so no evaluator is vacuous. Each task runs on its own virtual display with
//! real apps (xterm, mousepad, LibreOffice, Chromium).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::deskhand;

fn suite() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tasks/suite")
}

fn eval(policy: &str) -> Value {
    eval_with(policy, &[]).0
}

/// The results, and the output folder.
fn eval_with(policy: &str, extra: &[&str]) -> (Value, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let o = deskhand()
        .arg("eval")
        .arg(suite())
        .args(["--policy", policy, "-j", "2", "--out"])
        .arg(out.path())
        .args(extra)
        .current_dir(out.path())
        .output()
        .unwrap();
    let text = std::fs::read_to_string(out.path().join("results.json"))
        .unwrap_or_else(|e| panic!("no results ({e}): {}", String::from_utf8_lossy(&o.stderr)));
    (serde_json::from_str(&text).unwrap(), out)
}

fn scores(results: &Value) -> Vec<(String, String, f64, String)> {
    results["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_owned(),
                t["status"].as_str().unwrap().to_owned(),
                t["score"].as_f64().unwrap(),
                t["error"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_suite_spans_the_apps() {
    let mut apps = BTreeSet::new();
    let mut n = 0;
    for entry in std::fs::read_dir(suite()).unwrap() {
        let dir = entry.unwrap().path();
        let task: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("task.json")).unwrap()).unwrap();
        assert!(dir.join("solution.json").is_file(), "{}", dir.display());
        assert!(
            dir.join("demo/trajectory.jsonl").is_file(),
            "{} ships no demo",
            dir.display()
        );
        apps.extend(
            task["related_apps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned()),
        );
        n += 1;
    }
    assert!(n >= 12, "{n} tasks");
    for app in [
        "terminal",
        "mousepad",
        "libreoffice_calc",
        "libreoffice_writer",
        "chrome",
    ] {
        assert!(apps.contains(app), "no {app} task in {apps:?}");
    }
}

#[test]
fn every_solution_scores_one() {
    let r = eval("script");
    let bad: Vec<_> = scores(&r)
        .into_iter()
        .filter(|(_, status, score, _)| status != "scored" || *score != 1.0)
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn every_untouched_start_state_scores_zero() {
    let r = eval("none");
    let bad: Vec<_> = scores(&r)
        .into_iter()
        .filter(|(_, status, score, _)| status != "scored" || *score != 0.0)
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn every_demo_replays_to_one_and_the_report_shows_every_task() {
    let (r, out) = eval_with("replay", &["--html", "report.html"]);
    let bad: Vec<_> = scores(&r)
        .into_iter()
        .filter(|(_, status, score, _)| status != "scored" || *score != 1.0)
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    for (id, ..) in scores(&r) {
        assert!(
            html.contains(&format!("<details id=\"{id}\"")),
            "{id} missing"
        );
    }
    assert!(
        !html.contains("src=\"http"),
        "the report refers outside itself"
    );
    assert!(html.matches("data:image/jpeg;base64,").count() >= 15);
}
