//! The `openai` policy end to end against a local server speaking the Responses API: it checks
//! the bearer key, the tool definition (preview and GA), the `previous_response_id` chain and
//! every `computer_call_output` (call id, screenshot), and scripts calls that click into a real
//! xterm and type a command. Pending safety checks are refused when nobody can confirm them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use deskhand_actions::{DEFAULT_LONG_EDGE, Size, anthropic_target, fit_long_edge};
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::Duration;
use support::http_server::{MockServer, Received, Reply};
use support::{display, model_run, wait_file};

const KEY: &str = "sk-openai-test-42";

fn response(n: usize, output: Value) -> Value {
    json!({"id": format!("resp_{n}"), "object": "response", "status": "completed", "output": output,
           "usage": {"input_tokens": 900, "output_tokens": 25, "total_tokens": 925}})
}

fn check(
    req: &Received,
    i: usize,
    preview: bool,
    scaled: Size,
    prev_call: Option<&str>,
    problems: &mut Vec<String>,
) {
    let mut expect = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    expect(req.path == "/v1/responses", format!("path {}", req.path));
    expect(
        req.headers.get("authorization").map(String::as_str) == Some(&format!("Bearer {KEY}")),
        "authorization".into(),
    );
    let b = &req.body;
    let tool = &b["tools"][0];
    if preview {
        expect(
            tool["type"] == "computer_use_preview"
                && tool["display_width"] == scaled.width
                && tool["display_height"] == scaled.height
                && tool["environment"] == "linux",
            format!("tool {tool}"),
        );
        expect(b["truncation"] == "auto", "truncation".into());
    } else {
        expect(tool["type"] == "computer", format!("tool {tool}"));
    }
    if i == 0 {
        expect(
            b.get("previous_response_id").is_none(),
            "previous_response_id on the first turn".into(),
        );
        let content = &b["input"][0]["content"];
        expect(
            content[0]["type"] == "input_text" && content[1]["type"] == "input_image",
            format!("first input {content}"),
        );
    } else {
        expect(
            b["previous_response_id"] == format!("resp_{}", i - 1),
            format!("previous_response_id {}", b["previous_response_id"]),
        );
        let out = &b["input"][0];
        expect(
            out["type"] == "computer_call_output"
                && Some(out["call_id"].as_str().unwrap_or("")) == prev_call,
            format!("computer_call_output {out}"),
        );
        expect(
            out["output"]["type"] == "computer_screenshot",
            "output type".into(),
        );
        expect(
            out["output"]["image_url"]
                .as_str()
                .unwrap_or("")
                .starts_with("data:image/png;base64,"),
            "image".into(),
        );
    }
}

fn run(
    server: &MockServer,
    model: &str,
    display_name: &str,
    out_dir: &std::path::Path,
) -> std::process::Output {
    model_run(
        &["write the file", "--policy", "openai", "--model", model],
        &format!("{}/v1", server.url),
        display_name,
        out_dir,
    )
    .env("OPENAI_API_KEY", KEY)
    .env_remove("OPENAI_BASE_URL")
    .stdin(Stdio::null())
    .output()
    .unwrap()
}

fn xterm_task(width: u32, height: u32, preview: bool) {
    let display = display(width, height);
    let (mut xterm, _) = display
        .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
        .expect("xterm shows a window");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("from-openai.txt");
    let scaled = fit_long_edge(
        anthropic_target(Size::new(width, height)),
        DEFAULT_LONG_EDGE,
    );
    let x = (300.0 * f64::from(scaled.width) / f64::from(width)).round() as i64;
    let y = (200.0 * f64::from(scaled.height) / f64::from(height)).round() as i64;
    let command = format!("printf 'openai %s\\n' {width} > {}\n", target.display());
    let click = json!({"type": "click", "button": "left", "x": x, "y": y});
    let typing = json!({"type": "type", "text": command});
    let reasoning = json!({"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Click the terminal, then type."}]});
    let done = json!({"type": "message", "id": "msg_1", "role": "assistant", "content": [{"type": "output_text", "text": "Written."}]});
    let turns: Vec<Value> = if preview {
        vec![
            response(
                0,
                json!([reasoning, {"type": "computer_call", "id": "cu_1", "call_id": "call_1", "action": click, "pending_safety_checks": [], "status": "completed"}]),
            ),
            response(
                1,
                json!([{"type": "computer_call", "id": "cu_2", "call_id": "call_2", "action": typing, "pending_safety_checks": [], "status": "completed"}]),
            ),
            response(2, json!([done])),
        ]
    } else {
        vec![
            response(
                0,
                json!([reasoning, {"type": "computer_call", "id": "cu_1", "call_id": "call_1", "actions": [click, typing], "pending_safety_checks": [], "status": "completed"}]),
            ),
            response(1, json!([done])),
        ]
    };
    let calls = ["call_1", "call_2"];
    let expected = turns.len();
    let server = MockServer::start(Box::new(move |req, i, problems| {
        let prev = if i == 0 {
            None
        } else {
            calls.get(i - 1).copied()
        };
        check(req, i, preview, scaled, prev, problems);
        Reply::json(turns.get(i).unwrap_or(&response(9, json!([]))))
    }));
    let model = if preview {
        "computer-use-preview"
    } else {
        "gpt-5-computer"
    };
    let out = run(&server, model, display.name(), &dir.path().join("run"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), expected);
    let bytes = wait_file(&target, Duration::from_secs(10), |b| b.ends_with(b"\n"))
        .expect("the command ran");
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        format!("openai {width}\n")
    );
    assert!(stdout.contains("Click the terminal, then type.") && !stdout.contains(KEY));
    let _ = xterm.kill();
    let _ = xterm.wait();
}

#[test]
fn preview_tool_at_1280x800() {
    xterm_task(1280, 800, true);
}

#[test]
fn preview_tool_at_1366x768() {
    xterm_task(1366, 768, true);
}

#[test]
fn ga_tool_with_batched_actions_at_1920x1080() {
    xterm_task(1920, 1080, false);
}

#[test]
fn pending_safety_checks_are_refused_without_a_person() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(|_, _, _| {
        Reply::json(&response(
            0,
            json!([{"type": "computer_call", "id": "cu_1", "call_id": "call_1",
            "action": {"type": "click", "button": "left", "x": 10, "y": 10},
            "pending_safety_checks": [{"id": "cu_sc_1", "code": "malicious_instructions", "message": "The page asks to wire money."}],
            "status": "completed"}]),
        ))
    }));
    let out = run(
        &server,
        "computer-use-preview",
        display.name(),
        &dir.path().join("run"),
    );
    // Stopped, not failed: the run did nothing wrong, nobody was there to say yes.
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        events.iter().all(|e| e["type"] != "action"),
        "an action was performed"
    );
    let end = events.last().unwrap();
    assert_eq!(end["status"], "stopped");
    let msg = end["message"].as_str().unwrap();
    assert!(
        msg.contains("malicious_instructions") && msg.contains("nobody confirmed"),
        "{msg}"
    );
}
