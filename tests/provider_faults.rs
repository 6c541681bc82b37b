//! The same fault bar for the providers `tests/anthropic_faults.rs` does not cover: OpenAI's
//! Responses API and an OpenAI-compatible UI-TARS server. Against a local server on a real
//! display: a 429 with `retry-after`, a 500, a body cut off mid-way and a timeout are retried and
//! the run finishes; a provider that keeps failing ends the run as a clear error; the API key
//! appears nowhere in what the run writes or prints.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Output, Stdio};
use support::http_server::{MockServer, Reply};
use support::{display, model_run};

/// A provider under test: how to run it and what its answers look like.
struct Provider {
    policy: &'static str,
    model: &'static str,
    /// Appended to the server's URL for `--base-url`.
    url_suffix: &'static str,
    key: &'static str,
    /// A final answer that ends the run with "All done.".
    done: fn() -> Value,
    /// An error body in the provider's envelope.
    error: fn(&str) -> Value,
}

const OPENAI: Provider = Provider {
    policy: "openai",
    model: "computer-use-preview",
    url_suffix: "/v1",
    key: "sk-openai-faults-5c1f",
    done: || {
        json!({"id": "resp_1", "object": "response", "status": "completed",
               "output": [{"type": "message", "role": "assistant",
                           "content": [{"type": "output_text", "text": "All done."}]}],
               "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}})
    },
    error: |m| json!({"error": {"message": m, "type": "server_error", "code": null}}),
};

const UITARS: Provider = Provider {
    policy: "openai-compat",
    model: "UI-TARS-1.5-7B",
    url_suffix: "/v1",
    key: "sk-compat-faults-9e2d",
    done: || {
        json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "ui-tars",
               "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant",
                  "content": "Thought: finished.\nAction: finished(content='All done.')"}}],
               "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
    },
    error: |m| json!({"error": {"message": m, "type": "server_error"}}),
};

fn run(p: &Provider, server: &MockServer, display: &str, out: &Path, extra: &[&str]) -> Output {
    let mut head = vec!["do it", "--policy", p.policy, "--model", p.model];
    head.extend_from_slice(extra);
    model_run(
        &head,
        &format!("{}{}", server.url, p.url_suffix),
        display,
        out,
    )
    .env("OPENAI_API_KEY", p.key)
    .stdin(Stdio::null())
    .output()
    .unwrap()
}

/// Every file under `dir`, and the output, are free of the key.
fn assert_no_key(key: &str, dir: &Path, out: &Output) {
    support::assert_secret_nowhere(key, dir, &[&out.stdout, &out.stderr]);
}

fn transient_faults_are_retried(p: &'static Provider) {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(move |req, i, problems| {
        let auth = req
            .headers
            .get("authorization")
            .cloned()
            .unwrap_or_default();
        if auth != format!("Bearer {}", p.key) {
            problems.push(format!("authorization header {auth:?}"));
        }
        match i {
            0 => {
                let mut r = Reply::error(429, &(p.error)("slow down"));
                r.headers.push(("retry-after".into(), "0".into()));
                r
            }
            1 => Reply::error(500, &(p.error)("boom")),
            2 => {
                let mut r = Reply::json(&(p.done)());
                r.cut_at = Some(25);
                r
            }
            _ => Reply::json(&(p.done)()),
        }
    }));
    let run_dir = dir.path().join("run");
    let out = run(p, &server, display.name(), &run_dir, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), 4);
    let end = support::json_events(&out.stdout).pop().unwrap();
    assert_eq!(
        (&end["status"], &end["message"]),
        (&json!("done"), &json!("All done."))
    );
    assert_no_key(p.key, &run_dir, &out);
}

fn a_timeout_is_retried(p: &'static Provider) {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(move |_, i, _| {
        if i == 0 {
            // A provider that does not answer in time (the client gives up after 300 ms).
            std::thread::sleep(std::time::Duration::from_millis(1500));
        }
        Reply::json(&(p.done)())
    }));
    let settings = ["-c", "http.timeout_ms=300", "-c", "http.attempts=4"];
    let out = run(
        p,
        &server,
        display.name(),
        &dir.path().join("run"),
        &settings,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(server.count() >= 2);
}

fn a_provider_that_keeps_failing_ends_the_run_clearly(p: &'static Provider) {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(move |_, _, _| {
        Reply::error(503, &(p.error)("overloaded"))
    }));
    let run_dir = dir.path().join("run");
    let out = run(
        p,
        &server,
        display.name(),
        &run_dir,
        &["-c", "http.attempts=2"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(server.count(), 2);
    let end = support::json_events(&out.stdout).pop().unwrap();
    assert_eq!(end["status"], "error");
    let msg = end["message"].as_str().unwrap();
    assert!(msg.contains("503"), "{msg}");
    // The trajectory is whole: it starts with session_meta and ends with the same end.
    let lines = std::fs::read_to_string(run_dir.join("trajectory.jsonl")).unwrap();
    let last: Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "session_end");
    assert_no_key(p.key, &run_dir, &out);
}

#[test]
fn openai_transient_faults_are_retried() {
    transient_faults_are_retried(&OPENAI);
}

#[test]
fn openai_compat_transient_faults_are_retried() {
    transient_faults_are_retried(&UITARS);
}

#[test]
fn openai_timeout_is_retried() {
    a_timeout_is_retried(&OPENAI);
}

#[test]
fn openai_compat_timeout_is_retried() {
    a_timeout_is_retried(&UITARS);
}

#[test]
fn openai_that_keeps_failing_ends_the_run_clearly() {
    a_provider_that_keeps_failing_ends_the_run_clearly(&OPENAI);
}

#[test]
fn openai_compat_that_keeps_failing_ends_the_run_clearly() {
    a_provider_that_keeps_failing_ends_the_run_clearly(&UITARS);
}
