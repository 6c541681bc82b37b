//! `deskhand eval` end to end on real virtual displays: a task's setup, solution and evaluator;
//! the untouched start state scoring 0; an infeasible task; and a broken file, an unsupported
//! step, a hung setup step, a worker that dies and an app that crashes, each recorded as that
//! task's own result while the rest of the suite goes on. Also `--resume`, `--shard` and `eval merge`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::deskhand;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval")
}

/// A suite folder holding only the named fixture tasks.
fn suite(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for n in names {
        std::os::unix::fs::symlink(fixtures().join(n), dir.path().join(n)).unwrap();
    }
    dir
}

fn results(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

fn task<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {results}"))
}

fn eval(suite: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    deskhand()
        .arg("eval")
        .arg(suite)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn solutions_score_one_and_the_start_state_zero() {
    let s = suite(&["shell-echo", "infeasible"]);
    let out = tempfile::tempdir().unwrap();
    let solved = out.path().join("solved");
    let o = eval(s.path(), &solved, &["-j", "2"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    let r = results(&solved);
    for id in ["shell-echo", "infeasible"] {
        let t = task(&r, id);
        assert_eq!(t["status"], "scored", "{t}");
        assert_eq!(t["score"], 1.0, "{t}");
    }
    let t = task(&r, "shell-echo");
    assert!(t["steps"].as_u64().unwrap() >= 2, "{t}");
    assert!(solved.join("suite/shell-echo/trajectory.jsonl").is_file());
    assert_eq!(
        std::fs::read_to_string(solved.join("suite/shell-echo/cache/note.txt")).unwrap(),
        "deskhand was here\n"
    );
    assert_eq!(r["summary"]["passed"], 2);
    // The progress shows each task's verdict.
    assert!(stderr.contains("PASS shell-echo"), "{stderr}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("2 tasks: 2 passed"), "{stdout}");

    let untouched = out.path().join("untouched");
    let o = eval(s.path(), &untouched, &["--policy", "none"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = results(&untouched);
    for id in ["shell-echo", "infeasible"] {
        let t = task(&r, id);
        assert_eq!(t["status"], "scored", "{t}");
        assert_eq!(t["score"], 0.0, "{t}");
    }
}

#[test]
fn broken_unsupported_hung_and_crashed_tasks_are_their_own_errors() {
    let s = suite(&[
        "broken",
        "unsupported",
        "hung",
        "crash",
        "crashed-app",
        "network",
        "infeasible",
    ]);
    let out = tempfile::tempdir().unwrap();
    // Offline: the network task's URL is not in the file cache.
    let o = eval(
        s.path(),
        out.path(),
        &["-j", "2", "--task-timeout", "8", "--offline"],
    );
    assert_eq!(o.status.code(), Some(1), "errors make the exit status 1");
    let r = results(out.path());
    assert_eq!(r["tasks"].as_array().unwrap().len(), 7);
    let err = |id: &str| task(&r, id)["error"].as_str().unwrap_or("").to_owned();
    assert_eq!(task(&r, "broken")["status"], "error");
    assert!(err("broken").contains("task.json"), "{}", err("broken"));
    assert_eq!(task(&r, "unsupported")["status"], "unsupported");
    assert!(
        err("unsupported").contains("unsupported: setup step googledrive"),
        "{}",
        err("unsupported")
    );
    assert_eq!(task(&r, "hung")["status"], "error");
    assert!(err("hung").contains("timed out"), "{}", err("hung"));
    assert_eq!(task(&r, "crash")["status"], "error");
    assert!(err("crash").contains("died"), "{}", err("crash"));
    assert_eq!(task(&r, "crashed-app")["status"], "error");
    assert!(
        err("crashed-app").contains("xterm") && err("crashed-app").contains("crashed (signal 11)"),
        "{}",
        err("crashed-app")
    );
    assert_eq!(task(&r, "network")["status"], "error");
    assert!(
        err("network").contains("https://example.com/data.xlsx is not in the file cache"),
        "{}",
        err("network")
    );
    // The suite went on.
    assert_eq!(task(&r, "infeasible")["score"], 1.0);
    // No display or app of a killed worker is left behind.
    let leftover = std::process::Command::new("pgrep")
        .args(["-f", "sleep 1000"])
        .output()
        .unwrap();
    assert!(
        leftover.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&leftover.stdout)
    );
}

#[test]
fn resume_skips_finished_tasks_and_shards_merge_back() {
    let s = suite(&["broken", "infeasible", "unsupported"]);
    let out = tempfile::tempdir().unwrap();
    let all = out.path().join("all");
    eval(s.path(), &all, &[]);
    let first = results(&all);
    let infeasible_seconds = task(&first, "infeasible")["seconds"].clone();
    // Without --resume an existing output folder is refused.
    let o = eval(s.path(), &all, &[]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--resume"));
    let o = eval(s.path(), &all, &["--resume"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("1 to run, 2 already done"), "{stderr}");
    let again = results(&all);
    assert_eq!(task(&again, "infeasible")["seconds"], infeasible_seconds);

    let mut dirs = Vec::new();
    for k in 1..=2 {
        let d = out.path().join(format!("shard{k}"));
        eval(s.path(), &d, &["--shard", &format!("{k}/2")]);
        dirs.push(d);
    }
    let n: usize = dirs
        .iter()
        .map(|d| results(d)["tasks"].as_array().unwrap().len())
        .sum();
    assert_eq!(n, 3, "the shards split the suite");
    let merged = out.path().join("merged");
    let o = deskhand()
        .args(["eval", "merge"])
        .args(&dirs)
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = results(&merged);
    assert_eq!(m["summary"]["tasks"], 3);
    assert_eq!(m["summary"]["unsupported"], 1);
    assert_eq!(task(&m, "infeasible")["score"], 1.0);
}

#[test]
fn tasks_check_reports_support_per_task() {
    let o = deskhand()
        .args(["tasks", "check", "--json"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tasks/osworld"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 369);
    assert!(lines.iter().any(|l| l["supported"] == true));
    let drive = lines
        .iter()
        .find(|l| l["problems"].to_string().contains("googledrive"))
        .unwrap();
    assert_eq!(drive["supported"], false);
    let kinds = [
        "unsupported: ",
        "needs a Google account: ",
        "needs app ",
        "needs the network: ",
        "error: ",
    ];
    let problems = |lines: &[Value]| -> Vec<String> {
        lines
            .iter()
            .flat_map(|l| l["problems"].as_array().unwrap().clone())
            .map(|p| p.as_str().unwrap().to_owned())
            .collect()
    };
    let all = problems(&lines);
    assert!(
        all.iter().all(|p| kinds.iter().any(|k| p.starts_with(k))),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|p| p == "needs a Google account: googledrive")
    );
    // Online, files from URLs are fetched: no task needs the network.
    assert!(!all.iter().any(|p| p.starts_with("needs the network")));
    // Offline, with an empty cache, the tasks with URLs need it, naming their first one.
    let cache = tempfile::tempdir().unwrap();
    let o = deskhand()
        .env("DESKHAND_CACHE", cache.path())
        .args(["tasks", "check", "--json", "--offline"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tasks/osworld"))
        .output()
        .unwrap();
    let offline: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let net: Vec<String> = problems(&offline)
        .into_iter()
        .filter(|p| p.starts_with("needs the network: "))
        .collect();
    assert!(net.len() > 200, "{}", net.len());
    assert!(
        net.iter()
            .all(|p| p.contains("not in the cache (first: http")),
        "{net:?}"
    );
    // The text output ends with a table per domain.
    let o = deskhand()
        .args(["tasks", "check"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tasks/osworld"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    let table = text.rsplit_once("\ndomain ").unwrap().1;
    assert!(table.starts_with(' ') && table.contains("supported unsupported"));
    for domain in ["chrome", "libreoffice_calc", "multi_apps", "os", "vs_code"] {
        assert!(table.lines().any(|l| l.starts_with(domain)), "{table}");
    }
}

/// Runs the infeasible fixture with a provider whose local server ends its first turn with
/// `text`; returns the score and the first request's body.
fn infeasible_through(policy: &str, text: &str) -> (f64, Value) {
    use support::http_server::{MockServer, Reply};
    let text = text.to_owned();
    let is_anthropic = policy == "anthropic";
    let server = MockServer::start(Box::new(move |_, _, _| {
        Reply::json(&if is_anthropic {
            serde_json::json!({"id": "msg_1", "type": "message", "role": "assistant",
                "model": "m", "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn", "usage": {"input_tokens": 10, "output_tokens": 5}})
        } else {
            serde_json::json!({"id": "resp_1", "object": "response", "status": "completed",
                "output": [{"type": "message", "role": "assistant",
                            "content": [{"type": "output_text", "text": text}]}],
                "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}})
        })
    }));
    let dir = suite(&["infeasible"]);
    let out = tempfile::tempdir().unwrap();
    let o = deskhand()
        .arg("eval")
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .args([
            "--policy",
            policy,
            "--model",
            "m",
            "--base-url",
            &server.url,
        ])
        .env("ANTHROPIC_API_KEY", "test-key")
        .env("OPENAI_API_KEY", "test-key")
        .output()
        .unwrap();
    let r = results(out.path());
    let t = task(&r, "infeasible");
    assert_eq!(
        t["status"],
        "scored",
        "{t}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let first = server.requests.lock().unwrap()[0].body.clone();
    (t["score"].as_f64().unwrap(), first)
}

#[test]
fn a_provider_saying_infeasible_scores_an_infeasible_task() {
    for policy in ["anthropic", "openai"] {
        let (score, request) = infeasible_through(policy, "[INFEASIBLE] There is no printer.");
        assert_eq!(score, 1.0, "{policy}");
        // The prompt told the model how to say so.
        assert!(request.to_string().contains("[INFEASIBLE]"), "{policy}");
        // A plain end of turn is `done`, which an infeasible task scores 0.
        let (score, _) = infeasible_through(policy, "All done.");
        assert_eq!(score, 0.0, "{policy}");
    }
}
