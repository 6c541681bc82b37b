//! The `anthropic` policy end to end: a local server speaking the Messages API checks every
//! request (headers, tool definition, image parts, tool_use/tool_result pairing) and answers
//! with scripted turns that click into a real xterm, type a command and finish. The test checks
//! the file the command wrote, at three screen sizes: a click the model aims at the terminal,
//! in its scaled screenshot's pixels, lands in the terminal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine as _;
use deskhand_actions::{DEFAULT_LONG_EDGE, Size, anthropic_target, fit_long_edge};
use serde_json::{Value, json};
use std::time::Duration;
use support::http_server::{MockServer, Received, Reply};
use support::{deskhand, display, model_run, wait_file};

const KEY: &str = "sk-ant-test-0123456789";

fn tool_use(id: &str, input: Value) -> Value {
    json!({
        "id": format!("msg_{id}"), "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [
            {"type": "text", "text": format!("Step {id}.")},
            {"type": "tool_use", "id": id, "name": "computer", "input": input}
        ],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 1500, "output_tokens": 40, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 0}
    })
}

fn end_turn(text: &str) -> Value {
    json!({
        "id": "msg_end", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 1600, "output_tokens": 12}
    })
}

/// Checks what every Messages API request must carry; returns the user turn's blocks.
fn check_request(
    req: &Received,
    scaled: Size,
    older: Size,
    problems: &mut Vec<String>,
) -> Vec<Value> {
    let mut expect = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    expect(
        req.method == "POST" && req.path == "/v1/messages",
        format!("{} {}", req.method, req.path),
    );
    expect(
        req.headers.get("x-api-key").map(String::as_str) == Some(KEY),
        "x-api-key".into(),
    );
    expect(
        req.headers.get("anthropic-version").map(String::as_str) == Some("2023-06-01"),
        "anthropic-version".into(),
    );
    expect(
        req.headers.get("anthropic-beta").map(String::as_str) == Some("computer-use-2025-01-24"),
        format!("anthropic-beta {:?}", req.headers.get("anthropic-beta")),
    );
    let b = &req.body;
    expect(
        b["model"] == "claude-sonnet-4-5",
        format!("model {}", b["model"]),
    );
    expect(b["max_tokens"].as_u64().is_some(), "max_tokens".into());
    let tool = &b["tools"][0];
    expect(
        tool["type"] == "computer_20250124"
            && tool["name"] == "computer"
            && tool["display_width_px"] == scaled.width
            && tool["display_height_px"] == scaled.height,
        format!("tool definition {tool}"),
    );
    let msgs = b["messages"].as_array().cloned().unwrap_or_default();
    let last = msgs.last().cloned().unwrap_or(Value::Null);
    expect(
        last["role"] == "user",
        "the last message is not the user's".into(),
    );
    // Roles alternate, starting with the user.
    for (i, m) in msgs.iter().enumerate() {
        let want = if i % 2 == 0 { "user" } else { "assistant" };
        expect(
            m["role"] == want,
            format!("message {i} has role {}", m["role"]),
        );
    }
    // Every image is a base64 PNG: the newest of the scaled size, older ones at half of it.
    let mut images = Vec::new();
    for m in &msgs {
        for block in m["content"].as_array().into_iter().flatten() {
            let inner: Vec<&Value> = if block["type"] == "tool_result" {
                block["content"].as_array().into_iter().flatten().collect()
            } else {
                vec![block]
            };
            images.extend(inner.into_iter().filter(|b| b["type"] == "image"));
        }
    }
    for (i, img) in images.iter().enumerate() {
        let keys: Vec<&String> = img
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        expect(
            keys.iter()
                .all(|k| *k == "type" || *k == "source" || *k == "cache_control"),
            format!("image block keys {keys:?}"),
        );
        let want = if i + 1 == images.len() { scaled } else { older };
        let data = img["source"]["data"].as_str().unwrap_or("");
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap_or_default();
        match deskhand_vision::Frame::from_png(&png) {
            Ok(f) => expect(
                f.width() == want.width && f.height() == want.height,
                format!(
                    "image {i} of {}x{}, expected {want:?}",
                    f.width(),
                    f.height()
                ),
            ),
            Err(e) => expect(false, format!("image is not a PNG: {e}")),
        }
    }
    last["content"].as_array().cloned().unwrap_or_default()
}

/// The user turn answers the previous tool_use with a tool_result carrying a screenshot.
fn check_answers(content: &[Value], id: &str, problems: &mut Vec<String>) {
    let first = content.first().cloned().unwrap_or(Value::Null);
    if first["type"] != "tool_result" || first["tool_use_id"] != id {
        problems.push(format!(
            "expected a tool_result for {id} first, got {first}"
        ));
    }
    if first.get("is_error").is_some() {
        problems.push(format!("tool_result for {id} is an error: {first}"));
    }
    let has_image = first["content"]
        .as_array()
        .is_some_and(|c| c.iter().any(|b| b["type"] == "image"));
    if !has_image {
        problems.push(format!("tool_result for {id} has no screenshot"));
    }
}

/// `native`: with `-c` settings that send every screenshot at the demo's target size.
fn xterm_task(width: u32, height: u32, native: bool) {
    let display = display(width, height);
    let (mut xterm, _) = display
        .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
        .expect("xterm shows a window");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("from-claude.txt");
    let screen = Size::new(width, height);
    let (scaled, older) = if native {
        (anthropic_target(screen), anthropic_target(screen))
    } else {
        let s = fit_long_edge(anthropic_target(screen), DEFAULT_LONG_EDGE);
        (s, Size::new(s.width / 2, s.height / 2))
    };
    // Aim at screen pixel (300, 200), inside the terminal, in the screenshot's own pixels.
    let mx = (300.0 * f64::from(scaled.width) / f64::from(width)).round() as i64;
    let my = (200.0 * f64::from(scaled.height) / f64::from(height)).round() as i64;
    let command = format!(
        "printf 'clicked at %sx%s\\n' {width} {height} > {}\n",
        target.display()
    );
    let turns = [
        tool_use(
            "toolu_01",
            json!({"action": "left_click", "coordinate": [mx, my]}),
        ),
        tool_use("toolu_02", json!({"action": "type", "text": command})),
        end_turn("The file is written."),
    ];
    let server = MockServer::start(Box::new(move |req, i, problems| {
        let content = check_request(req, scaled, older, problems);
        match i {
            0 => {
                let text = content
                    .iter()
                    .any(|b| b["type"] == "text" && b["text"] == "write the file");
                let image = content.iter().any(|b| b["type"] == "image");
                if !text || !image {
                    problems.push("the first turn lacks the instruction or the screenshot".into());
                }
            }
            1 => check_answers(&content, "toolu_01", problems),
            2 => check_answers(&content, "toolu_02", problems),
            _ => problems.push("more requests than turns".into()),
        }
        Reply::json(turns.get(i).unwrap_or(&end_turn("extra")))
    }));

    let out = model_run(
        &[
            "write the file",
            "--policy",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
        ],
        &server.url,
        display.name(),
        &dir.path().join("run"),
    )
    .env("ANTHROPIC_API_KEY", KEY)
    .env_remove("ANTHROPIC_BASE_URL")
    .args(if native {
        &[
            "-c",
            "context.screenshot_long_edge=0",
            "-c",
            "context.older_screenshots_half=false",
        ][..]
    } else {
        &[]
    })
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), 3);
    let bytes = wait_file(&target, Duration::from_secs(10), |b| b.ends_with(b"\n"))
        .expect("the command ran");
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        format!("clicked at {width}x{height}\n")
    );

    // The key never reaches the run directory (model_calls.jsonl included) or the output;
    // usage and narration do.
    assert!(dir.path().join("run/model_calls.jsonl").is_file());
    support::assert_secret_nowhere(KEY, &dir.path().join("run"), &[&out.stdout, &out.stderr]);
    let trajectory = std::fs::read_to_string(dir.path().join("run/trajectory.jsonl")).unwrap();
    let turn: Value = trajectory
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["type"] == "model_turn")
        .unwrap();
    assert_eq!(turn["narration"], "Step toolu_01.");
    let narrated = trajectory
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .any(|v| v["type"] == "narration" && v["text"] == "Step toolu_01." && v["step"] == 1);
    assert!(narrated, "no narration event");
    assert_eq!(turn["usage"]["output_tokens"], 40);
    assert!(turn["usage"]["cost_usd"].as_f64().unwrap() > 0.0);
    let _ = xterm.kill();
    let _ = xterm.wait();
}

#[test]
fn anthropic_drives_xterm_at_1280x800() {
    xterm_task(1280, 800, false);
}

#[test]
fn anthropic_drives_xterm_at_1366x768() {
    xterm_task(1366, 768, false);
}

#[test]
fn anthropic_drives_xterm_at_1920x1080() {
    xterm_task(1920, 1080, false);
}

#[test]
fn full_size_screenshots_when_configured_at_1920x1080() {
    xterm_task(1920, 1080, true);
}

#[test]
fn a_missing_key_names_the_variable() {
    let out = deskhand()
        .env_remove("ANTHROPIC_API_KEY")
        .args([
            "run",
            "x",
            "--policy",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
            "--display",
            ":0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ANTHROPIC_API_KEY is not set"), "{err}");
}

#[test]
fn computer_20251124_zoom_returns_the_region_in_detail() {
    let display = display(1920, 1080);
    let dir = tempfile::tempdir().unwrap();
    let turns = [
        json!({"id": "m1", "type": "message", "role": "assistant", "model": "claude-opus-4-5",
               "content": [{"type": "tool_use", "id": "toolu_z", "name": "computer",
                            "input": {"action": "zoom", "region": [0, 0, 512, 288]}}],
               "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 5}}),
        end_turn("Seen."),
    ];
    let server = MockServer::start(Box::new(move |req, i, problems| {
        let beta = req
            .headers
            .get("anthropic-beta")
            .cloned()
            .unwrap_or_default();
        let tool = &req.body["tools"][0];
        if beta != "computer-use-2025-11-24"
            || tool["type"] != "computer_20251124"
            || tool["enable_zoom"] != true
        {
            problems.push(format!("zoom tool not declared: beta {beta}, tool {tool}"));
        }
        if i == 1 {
            let last = req.body["messages"]
                .as_array()
                .and_then(|m| m.last())
                .cloned()
                .unwrap_or_default();
            let result = &last["content"][0];
            let img = result["content"]
                .as_array()
                .and_then(|c| c.iter().find(|b| b["type"] == "image"))
                .and_then(|b| b["source"]["data"].as_str())
                .map(|d| {
                    base64::engine::general_purpose::STANDARD
                        .decode(d)
                        .unwrap_or_default()
                })
                .and_then(|png| deskhand_vision::Frame::from_png(&png).ok());
            match img {
                Some(f) if f.width().abs_diff(960) <= 2 && f.height().abs_diff(540) <= 2 => {}
                Some(f) => problems.push(format!(
                    "zoom image {}x{}, expected about 960x540",
                    f.width(),
                    f.height()
                )),
                None => problems.push(format!("no zoom image in {result}")),
            }
        }
        Reply::json(&turns[i.min(1)])
    }));
    let out = model_run(
        &[
            "look closely",
            "--policy",
            "anthropic",
            "--model",
            "claude-opus-4-5",
        ],
        &server.url,
        display.name(),
        &dir.path().join("run"),
    )
    .env("ANTHROPIC_API_KEY", KEY)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), 2);
}
