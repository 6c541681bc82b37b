//! The `openai-compat` policy end to end against a local `/v1/chat/completions` server that
//! answers like a UI-TARS 1.5 model served by vLLM: it checks each request (path, bearer key,
//! model, image parts of the smart-resized size) and scripts text turns that click into a real
//! xterm, type a command and finish. Also: UI-TARS 1.0's 0–1000 coordinates, and a garbled
//! answer that is never executed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine as _;
use deskhand_actions::{DEFAULT_LONG_EDGE, ModelSpace, Size, fit_long_edge};
use serde_json::{Value, json};
use std::time::Duration;
use support::http_server::{MockServer, Received, Reply};
use support::{display, model_run, wait_file};

fn completion(text: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "ui-tars",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 30, "total_tokens": 1230}
    })
}

fn check(req: &Received, model: &str, image: Size, problems: &mut Vec<String>) {
    if req.path != "/v1/chat/completions" {
        problems.push(format!("path {}", req.path));
    }
    if req.headers.get("authorization").map(String::as_str) != Some("Bearer local-key") {
        problems.push(format!(
            "authorization {:?}",
            req.headers.get("authorization")
        ));
    }
    if req.body["model"] != model {
        problems.push(format!("model {}", req.body["model"]));
    }
    let msgs = req.body["messages"].as_array().cloned().unwrap_or_default();
    let parts: Vec<&Value> = msgs
        .iter()
        .flat_map(|m| m["content"].as_array().into_iter().flatten())
        .collect();
    if parts
        .iter()
        .any(|p| p.as_object().is_some_and(|o| o.len() != 2))
    {
        problems.push("a content part has keys beyond type and its payload".into());
    }
    let urls: Vec<&str> = parts
        .iter()
        .filter(|p| p["type"] == "image_url")
        .filter_map(|p| p["image_url"]["url"].as_str())
        .collect();
    let last_has_image = msgs
        .last()
        .and_then(|m| m["content"].as_array())
        .is_some_and(|p| p.iter().any(|p| p["type"] == "image_url"));
    if !last_has_image {
        problems.push("the last user turn has no image part".into());
    }
    // The newest screenshot at the model's size; older ones at half of it.
    for (i, url) in urls.iter().enumerate() {
        let want = if i + 1 == urls.len() {
            image
        } else {
            Size::new(image.width / 2, image.height / 2)
        };
        let Some(data) = url.strip_prefix("data:image/png;base64,") else {
            problems.push("an image part is not a PNG data URL".into());
            continue;
        };
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap_or_default();
        match deskhand_vision::Frame::from_png(&png) {
            Ok(f) if f.width() == want.width && f.height() == want.height => {}
            Ok(f) => problems.push(format!(
                "image {i} {}x{}, expected {}x{}",
                f.width(),
                f.height(),
                want.width,
                want.height
            )),
            Err(e) => problems.push(format!("not a PNG: {e}")),
        }
    }
}

fn run_task(width: u32, height: u32, model: &str, space: ModelSpace, extra: &[&str]) {
    let display = display(width, height);
    let (mut xterm, _) = display
        .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
        .expect("xterm shows a window");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("from-uitars.txt");
    let screen = Size::new(width, height);
    // The newest screenshot's long edge is 1024 at most: smart-resize within that many pixels,
    // and relative coordinates on the scaled image.
    let fit = fit_long_edge(screen, DEFAULT_LONG_EDGE);
    let space = space.with_max_pixels(fit.pixels());
    let image = match space {
        ModelSpace::Relative1000 => fit,
        _ => space.image_size(screen),
    };
    let (mx, my) = space.from_screen(deskhand_actions::Point::new(300, 200), screen);
    let command = format!("printf 'ok %s\\\\n' {width} > {}\\n", target.display());
    let turns = [
        completion(&format!(
            "Thought: The terminal is open; I click into it first.\nAction: click(start_box='<|box_start|>({},{})<|box_end|>')",
            mx.round(),
            my.round()
        )),
        completion(&format!(
            "Thought: Now I type the command.\nAction: type(content='{command}')"
        )),
        completion("Thought: The file is written.\nAction: finished(content='wrote the file')"),
    ];
    let model_name = model.to_owned();
    let server = MockServer::start(Box::new(move |req, i, problems| {
        check(req, &model_name, image, problems);
        Reply::json(
            turns
                .get(i)
                .unwrap_or(&completion("Action: finished(content='extra')")),
        )
    }));
    let out = model_run(
        &[
            "write the file",
            "--policy",
            "openai-compat",
            "--model",
            model,
        ],
        &format!("{}/v1", server.url),
        display.name(),
        &dir.path().join("run"),
    )
    .env("OPENAI_API_KEY", "local-key")
    .args(extra)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    let bytes = wait_file(&target, Duration::from_secs(10), |b| b.ends_with(b"\n"))
        .expect("the command ran");
    assert_eq!(String::from_utf8(bytes).unwrap(), format!("ok {width}\n"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("I click into it first") && !stdout.contains("local-key"));
    let _ = xterm.kill();
    let _ = xterm.wait();
}

#[test]
fn ui_tars_1_5_smart_resize_at_1280x800() {
    run_task(1280, 800, "UI-TARS-1.5-7B", ModelSpace::UI_TARS_1_5, &[]);
}

#[test]
fn ui_tars_1_5_smart_resize_at_1366x768() {
    run_task(1366, 768, "UI-TARS-1.5-7B", ModelSpace::UI_TARS_1_5, &[]);
}

#[test]
fn ui_tars_1_5_smart_resize_at_1920x1080() {
    run_task(1920, 1080, "UI-TARS-1.5-7B", ModelSpace::UI_TARS_1_5, &[]);
}

#[test]
fn relative_1000_coordinates_at_1920x1080() {
    run_task(
        1920,
        1080,
        "qwen-custom",
        ModelSpace::Relative1000,
        &["--coords", "relative1000"],
    );
}

#[test]
fn a_garbled_answer_is_never_executed() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(|req, i, problems| {
        if i == 1 {
            let last = req.body["messages"]
                .as_array()
                .and_then(|m| m.last())
                .cloned()
                .unwrap_or_default();
            let text = last["content"][0]["text"].as_str().unwrap_or("");
            if !text.contains("could not be used") {
                problems.push(format!("the model was not told: {last}"));
            }
        }
        Reply::json(&if i == 0 {
            completion("Thought: hmm\nAction: teleport(start_box='(1,2)')")
        } else {
            completion("Action: finished(content='fine')")
        })
    }));
    let out = model_run(
        &[
            "x",
            "--policy",
            "openai-compat",
            "--model",
            "UI-TARS-1.5-7B",
        ],
        &format!("{}/v1", server.url),
        display.name(),
        &dir.path().join("run"),
    )
    .env_remove("OPENAI_API_KEY")
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    let events = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["type"] == "action")
        .count();
    assert_eq!(events, 1, "only finished() became an action");
}
