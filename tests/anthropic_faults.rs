//! Provider faults against the local Messages API server: 429 with retry-after, 500, a
//! truncated body and a malformed body are retried and the run still finishes; a garbage
//! action is never executed (the model is told and asked again); a provider that keeps failing
//! ends the run as a clear error with the trajectory intact.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::http_server::{MockServer, Reply};
use support::{deskhand, display, model_run};

fn message(content: Value, stop: &str) -> Value {
    json!({"id": "msg", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
           "content": content, "stop_reason": stop, "usage": {"input_tokens": 10, "output_tokens": 5}})
}

fn run(
    server: &MockServer,
    dir: &std::path::Path,
    display_name: &str,
) -> (std::process::Output, Vec<Value>) {
    let out = model_run(
        &[
            "do it",
            "--policy",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
        ],
        &server.url,
        display_name,
        &dir.join("run"),
    )
    .env("ANTHROPIC_API_KEY", "sk-ant-faults")
    .output()
    .unwrap();
    let events = std::fs::read_to_string(dir.join("run/trajectory.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out, events)
}

#[test]
fn transient_failures_are_retried() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let done = message(json!([{"type": "text", "text": "All done."}]), "end_turn");
    let server = MockServer::start(Box::new(move |_, i, _| match i {
        0 => {
            let mut r = Reply::error(
                429,
                &json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}),
            );
            r.headers.push(("retry-after".into(), "0".into()));
            r
        }
        1 => Reply::error(
            500,
            &json!({"type": "error", "error": {"type": "api_error", "message": "boom"}}),
        ),
        2 => {
            let mut r = Reply::json(&done);
            r.cut_at = Some(25);
            r
        }
        3 => Reply {
            status: 200,
            headers: vec![],
            body: "{not json".into(),
            cut_at: None,
        },
        _ => Reply::json(&done),
    }));
    let (out, events) = run(&server, dir.path(), display.name());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.count(), 5);
    let end = events.last().unwrap();
    assert_eq!(end["type"], "session_end");
    assert_eq!(end["status"], "done");
    assert_eq!(end["message"], "All done.");
}

#[test]
fn a_garbage_action_is_never_executed_and_the_model_is_told() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let bad = message(
        json!([{"type": "tool_use", "id": "toolu_bad", "name": "computer",
                "input": {"action": "left_click", "coordinate": "nowhere"}}]),
        "tool_use",
    );
    let done = message(json!([{"type": "text", "text": "Fixed."}]), "end_turn");
    let server = MockServer::start(Box::new(move |req, i, problems| {
        if i == 1 {
            let last = req.body["messages"]
                .as_array()
                .and_then(|m| m.last())
                .cloned()
                .unwrap_or_default();
            let result = &last["content"][0];
            if result["type"] != "tool_result"
                || result["tool_use_id"] != "toolu_bad"
                || result["is_error"] != true
            {
                problems.push(format!(
                    "expected an error tool_result for toolu_bad, got {result}"
                ));
            }
            let text = result["content"][0]["text"].as_str().unwrap_or("");
            if !text.contains("coordinate") {
                problems.push(format!("the error does not say what was wrong: {text}"));
            }
        }
        Reply::json(if i == 0 { &bad } else { &done })
    }));
    let (out, events) = run(&server, dir.path(), display.name());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), 2);
    let performed: Vec<&Value> = events.iter().filter(|e| e["type"] == "action").collect();
    assert_eq!(performed.len(), 1, "only the final done: {performed:?}");
    assert_eq!(performed[0]["action"]["type"], "done");
}

#[test]
fn a_provider_that_keeps_failing_ends_the_run_clearly() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(|_, _, _| {
        let mut r = Reply::error(
            529,
            &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        );
        r.headers.push(("retry-after".into(), "0".into()));
        r
    }));
    let (out, events) = run(&server, dir.path(), display.name());
    assert!(!out.status.success());
    assert_eq!(server.count(), 5);
    assert_eq!(events.first().unwrap()["type"], "session_meta");
    let end = events.last().unwrap();
    assert_eq!(end["status"], "error");
    let msg = end["message"].as_str().unwrap();
    assert!(
        msg.contains("after 5 attempts") && msg.contains("Overloaded"),
        "{msg}"
    );
    assert!(
        !std::fs::read_to_string(dir.path().join("run/trajectory.jsonl"))
            .unwrap()
            .contains("sk-ant-faults")
    );
}

#[test]
fn a_refused_request_is_not_retried() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(|_, _, _| {
        Reply::error(
            401,
            &json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
        )
    }));
    let (out, events) = run(&server, dir.path(), display.name());
    assert!(!out.status.success());
    assert_eq!(server.count(), 1);
    let msg = events.last().unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        msg.contains("HTTP 401") && msg.contains("invalid x-api-key"),
        "{msg}"
    );
}

#[test]
fn the_cost_cap_stops_before_the_next_call() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(|_, _, _| {
        Reply::json(
            &json!({"id": "m", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "computer", "input": {"action": "mouse_move", "coordinate": [10, 10]}}],
            "stop_reason": "tool_use", "usage": {"input_tokens": 10000, "output_tokens": 100}}),
        )
    }));
    let out = model_run(
        &[
            "loop",
            "--policy",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
            "--max-cost",
            "0.01",
        ],
        &server.url,
        display.name(),
        &dir.path().join("run"),
    )
    .env("ANTHROPIC_API_KEY", "sk-ant-cost")
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(server.count(), 1);
    let last: Value = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap();
    assert_eq!(last["status"], "stopped");
    assert!(
        last["message"].as_str().unwrap().contains("cost cap"),
        "{last}"
    );
}

#[test]
fn a_timeout_is_retried_with_settings_from_dash_c() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let done = message(json!([{"type": "text", "text": "Finally."}]), "end_turn");
    let server = MockServer::start(Box::new(move |_, i, _| {
        if i == 0 {
            // A provider that does not answer in time (the client gives up after 300 ms).
            std::thread::sleep(std::time::Duration::from_millis(1500));
        }
        Reply::json(&done)
    }));
    let out = model_run(
        &[
            "do it",
            "--policy",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
            "-c",
            "http.timeout_ms=300",
            "-c",
            "http.attempts=3",
        ],
        &server.url,
        display.name(),
        &dir.path().join("run"),
    )
    .env("ANTHROPIC_API_KEY", "sk-ant-timeout")
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The first attempt timed out; the server answers one connection at a time, so a retry
    // made while it still slept may time out too. Either way the run went on and finished.
    assert!(server.count() >= 2);
    let last: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(last["message"], "Finally.");
}

#[test]
fn a_bad_config_key_is_one_sentence() {
    let out = deskhand()
        .args([
            "run",
            "x",
            "--policy",
            "anthropic",
            "--model",
            "m",
            "-c",
            "htp.timeout_ms=1",
            "--display",
            ":0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("htp") && err.trim().lines().count() == 1,
        "{err}"
    );
}

/// `retry-after` values no duration can hold (`1e20`), negative, `NaN` or a date never panic
/// the agent: the run goes on (or ends with a `session_end`), its trajectory whole.
#[test]
fn out_of_range_retry_after_values_never_panic_the_agent() {
    let display = display(1280, 800);
    for value in ["1e20", "-1", "NaN", "Mon, 07 Dec 2026 12:00:00 GMT"] {
        let dir = tempfile::tempdir().unwrap();
        let value_owned = value.to_owned();
        let server = MockServer::start(Box::new(move |_, _, _| {
            let mut r = Reply::error(
                429,
                &json!({"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}}),
            );
            r.headers.push(("retry-after".into(), value_owned.clone()));
            r
        }));
        let out = model_run(
            &[
                "do it",
                "--policy",
                "anthropic",
                "--model",
                "claude-sonnet-4-5",
                "-c",
                "http.attempts=1",
            ],
            &server.url,
            display.name(),
            &dir.path().join("run"),
        )
        .env("ANTHROPIC_API_KEY", "sk-ant-retry-after")
        .output()
        .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{value}: {stderr}");
        let events: Vec<Value> = std::fs::read_to_string(dir.path().join("run/trajectory.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let end = events.last().unwrap();
        assert_eq!(end["type"], "session_end", "{value}: {events:?}");
        assert_eq!(end["status"], "error", "{value}");
        assert!(
            end["message"].as_str().unwrap().contains("Slow down"),
            "{value}: {end}"
        );
    }
}
