//! The OSWorld-format end-to-end suite (tasks/e2e): tasks written in OSWorld's own format for
//! Chromium, Chromium's profile, Thunderbird, the system and multi-app flows, each on its own
//! virtual display with real apps. Their files come through a mirror (`--offline`, so nothing
//! is fetched), their web pages from a loopback server that Chromium reaches through
//! `-c chrome.args=--host-resolver-rules=…` under the names the task files give them.
//!
//! Every solution (`--policy script`) scores 1.0 and every untouched start state
//! (`--policy none`) scores 0.0, so no evaluator is vacuous; `tasks check` finds nothing
//! unsupported. The wall time of each run is printed (`--nocapture` shows it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use support::deskhand;
use support::static_server::StaticServer;

/// Where the suite's files are mirrored from: `https://files.deskhand.test/<task-id>/<name>` is
/// `tasks/e2e/<task-id>/<name>`.
const FILES_PREFIX: &str = "https://files.deskhand.test/";

fn e2e() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tasks/e2e")
}

/// The task folders, by name.
fn tasks() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(e2e())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("task.json").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// Runs the suite under `policy`; the results and how long it took.
fn eval(policy: &str) -> (Value, f64) {
    let server = StaticServer::start(&e2e().join("www"));
    let out = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let o = deskhand()
        .arg("eval")
        .arg(e2e())
        .args(["--policy", policy, "-j", "2", "--offline", "--out"])
        .arg(out.path())
        .arg("-c")
        .arg(format!("files.mirror={FILES_PREFIX}={}", e2e().display()))
        .arg("-c")
        .arg(format!(
            "chrome.args=--host-resolver-rules={}",
            server.host_rules()
        ))
        .output()
        .unwrap();
    let took = t.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(out.path().join("results.json")).unwrap_or_else(|e| {
        panic!(
            "no results ({e}): {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    eprintln!(
        "e2e suite, --policy {policy}: {} tasks in {took:.1} s ({} page requests)",
        tasks().len(),
        server.hits().len()
    );
    (serde_json::from_str(&text).unwrap(), took)
}

/// Tasks whose status or score is not what it should be, with their errors.
fn wrong(results: &Value, want: f64) -> Vec<(String, String, f64, String)> {
    results["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap_or_default().to_owned(),
                t["status"].as_str().unwrap_or_default().to_owned(),
                t["score"].as_f64().unwrap_or(-1.0),
                t["error"].as_str().unwrap_or("").to_owned(),
            )
        })
        .filter(|(_, status, score, _)| status != "scored" || *score != want)
        .collect()
}

#[test]
fn the_e2e_suite_spans_the_domains_and_is_all_supported() {
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for name in tasks() {
        let dir = e2e().join(&name);
        assert!(
            dir.join("solution.json").is_file(),
            "{name} has no solution"
        );
        let kind = ["chrome", "thunderbird", "os", "multi"]
            .into_iter()
            .find(|k| name.starts_with(&format!("{k}-")))
            .unwrap_or_else(|| panic!("{name}: not named for its domain"));
        *by_kind.entry(kind).or_default() += 1;
        let task: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("task.json")).unwrap()).unwrap();
        assert_eq!(task["id"].as_str(), Some(name.as_str()), "{name}: its id");
    }
    for (kind, least) in [("chrome", 6), ("thunderbird", 2), ("os", 3), ("multi", 2)] {
        let n = by_kind.get(kind).copied().unwrap_or(0);
        assert!(n >= least, "{n} {kind} tasks, want {least}: {by_kind:?}");
    }
    let o = deskhand()
        .args(["tasks", "check", "--json"])
        .arg(e2e())
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(
        lines.len(),
        tasks().len(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let refused: Vec<&Value> = lines
        .iter()
        .filter(|l| l["supported"] != Value::Bool(true))
        .collect();
    assert!(refused.is_empty(), "{refused:#?}");
}

#[test]
fn every_e2e_solution_scores_one() {
    let (r, _) = eval("script");
    let bad = wrong(&r, 1.0);
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn every_e2e_untouched_start_state_scores_zero() {
    let (r, _) = eval("none");
    let bad = wrong(&r, 0.0);
    assert!(bad.is_empty(), "{bad:#?}");
}
