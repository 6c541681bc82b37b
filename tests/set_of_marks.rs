//! Set-of-marks end to end (`-c context.set_of_marks=true`): a real xmessage dialog with three
//! buttons (Apple, Banana, Cherry; its exit status says which one was clicked), real OCR, and a
//! local model server that reads the mark list it is sent, checks the screenshot's size and that
//! a mark's label is legible (read back by OCR), and answers with a click on a mark: by
//! number for openai-compat (`click(mark=N)`, after an unknown mark that must come back as an
//! error), by the listed coordinates for anthropic and openai. The dialog's exit status proves where the
//! real click landed. Without the OCR model, the option fails before any request, saying how
//! to get it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine as _;
use deskhand_actions::{DEFAULT_LONG_EDGE, ModelSpace, Size, anthropic_target, fit_long_edge};
use deskhand_vision::ocr::{Ocr, OcrPaths};
use deskhand_vision::{Frame, Rect};
use serde_json::{Value, json};
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::http_server::{MockServer, Received, Reply};
use support::{display, model_run, wait_until};

const SCREEN: Size = Size::new(1280, 800);

/// A dialog whose exit status is 11, 12 or 13 for the button clicked.
fn fruit_dialog(d: &deskhand::display::Display) -> Child {
    let (child, _) = d
        .launch(
            "exec xmessage -center -xrm '*font: -*-helvetica-medium-r-normal--24-*-*-*-*-*-*-*' \
             -buttons Apple:11,Banana:12,Cherry:13 'Pick a fruit'",
            Duration::from_secs(20),
        )
        .expect("xmessage shows a window");
    child
}

/// Waits for the dialog to exit and returns its status code.
fn exit_code(child: &mut Child) -> Option<i32> {
    wait_until(Duration::from_secs(10), || child.try_wait().ok().flatten()).and_then(|s| s.code())
}

/// One listed mark: number, text, coordinates.
#[derive(Debug, Clone, PartialEq)]
struct Listed {
    number: u32,
    text: String,
    at: (f64, f64),
}

/// Parses the `[N] "TEXT" at (X, Y)` lines of a mark list.
fn parse_listing(text: &str) -> Vec<Listed> {
    text.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix('[')?;
            let (n, rest) = rest.split_once("] ")?;
            let (quoted, at) = rest.rsplit_once(" at (")?;
            let (x, y) = at.strip_suffix(')')?.split_once(", ")?;
            Some(Listed {
                number: n.parse().ok()?,
                text: serde_json::from_str(quoted).ok()?,
                at: (x.parse().ok()?, y.parse().ok()?),
            })
        })
        .collect()
}

/// The mark of `word`, by prefix (OCR may read a button's edge as ")").
fn mark_of<'a>(marks: &'a [Listed], word: &str) -> Option<&'a Listed> {
    marks.iter().find(|m| m.text.starts_with(word))
}

fn png_of(data_url_or_base64: &str) -> Option<Frame> {
    let data = data_url_or_base64
        .strip_prefix("data:image/png;base64,")
        .unwrap_or(data_url_or_base64);
    let png = base64::engine::general_purpose::STANDARD
        .decode(data)
        .ok()?;
    Frame::from_png(&png).ok()
}

/// Checks that the label of mark `number`, drawn next to its box, is read back as its number
/// by OCR on the image the model was sent. `box_in_image` is the mark's box in the image.
fn check_label(
    ocr: &Ocr,
    image: &Frame,
    number: u32,
    box_in_image: Rect,
    problems: &mut Vec<String>,
) {
    // The label: a rectangle of the mark's colour (its corners are never digits) within a
    // label's size of the box.
    let digits = number.to_string().len() as u32;
    let (w, h) = (digits * 12 + 2, 18);
    let colour = deskhand_vision::mark_colour(number);
    let is = |x: u32, y: u32| image.pixel(x, y).is_some_and(|p| p[..3] == colour);
    let b = box_in_image;
    let label = (b.y.saturating_sub(h)..b.y + b.height + h)
        .flat_map(|y| (b.x.saturating_sub(w)..b.x + b.width + w).map(move |x| (x, y)))
        .find(|&(x, y)| {
            is(x, y) && is(x + w - 1, y) && is(x, y + h - 1) && is(x + w - 1, y + h - 1)
        })
        .map(|(x, y)| Rect::new(x, y, w, h));
    let Some(label) = label else {
        problems.push(format!("no label of mark {number} near {b:?}"));
        return;
    };
    // The label with some of the screen around it, at twice its size: OCR reads a lone digit
    // better with the neighbouring text in view than cut out on its own.
    let margin = 48;
    let x0 = label.x.saturating_sub(margin);
    let y0 = label.y.saturating_sub(margin);
    let around = Rect::new(
        x0,
        y0,
        (label.x + label.width + margin).min(image.width()) - x0,
        (label.y + label.height + margin).min(image.height()) - y0,
    );
    let crop = image.crop(around).unwrap();
    let big = deskhand_vision::resize(
        &crop,
        deskhand_vision::Size::new(crop.width() * 2, crop.height() * 2),
    )
    .unwrap();
    let read = ocr.read(&big).unwrap();
    let on_label = read.iter().any(|e| {
        let (cx, cy) = e.click_point();
        let (cx, cy) = (x0 as i32 + cx / 2, y0 as i32 + cy / 2);
        e.text.trim() == number.to_string()
            && (label.x as i32..(label.x + label.width) as i32).contains(&cx)
            && (label.y as i32..(label.y + label.height) as i32).contains(&cy)
    });
    if !on_label {
        let texts: Vec<(String, Rect)> = read.iter().map(|e| (e.text.clone(), e.rect)).collect();
        problems.push(format!(
            "label of mark {number} at {label:?} not read back; read {texts:?} in {around:?} at 2x"
        ));
    }
}

fn ocr() -> Arc<Ocr> {
    Arc::new(Ocr::load(OcrPaths::from_env()).expect("the OCR model (run scripts/setup)"))
}

fn completion(text: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "ui-tars",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 30, "total_tokens": 1230}
    })
}

/// The text parts of the last user turn of a chat request, and its image.
fn last_turn(req: &Received) -> (Vec<String>, Option<Frame>) {
    let msgs = req.body["messages"].as_array().cloned().unwrap_or_default();
    let last = msgs.last().cloned().unwrap_or_default();
    let parts = last["content"].as_array().cloned().unwrap_or_default();
    let texts = parts
        .iter()
        .filter(|p| p["type"] == "text")
        .filter_map(|p| p["text"].as_str().map(str::to_owned))
        .collect();
    let image = parts
        .iter()
        .find(|p| p["type"] == "image_url")
        .and_then(|p| p["image_url"]["url"].as_str())
        .and_then(png_of);
    (texts, image)
}

#[test]
fn openai_compat_clicks_a_mark_by_its_number() {
    let d = display(SCREEN.width, SCREEN.height);
    let mut dialog = fruit_dialog(&d);
    let dir = tempfile::tempdir().unwrap();
    let space =
        ModelSpace::UI_TARS_1_5.with_max_pixels(fit_long_edge(SCREEN, DEFAULT_LONG_EDGE).pixels());
    let image_size = space.image_size(SCREEN);
    let ocr = ocr();
    let banana: Arc<Mutex<Option<Listed>>> = Arc::default();
    let seen = banana.clone();
    let server = MockServer::start(Box::new(move |req, i, problems| {
        match i {
            0 => {
                let prompt = req.body["messages"][0]["content"].as_str().unwrap_or("");
                if !prompt.contains("click(mark=N)") {
                    problems.push(format!("the prompt does not offer click(mark=N): {prompt}"));
                }
                let (texts, image) = last_turn(req);
                let marks: Vec<Listed> = texts.iter().flat_map(|t| parse_listing(t)).collect();
                let Some(b) = mark_of(&marks, "Banana").cloned() else {
                    problems.push(format!("no Banana mark in {texts:?}"));
                    return Reply::json(&completion("Action: finished(content='no banana')"));
                };
                for word in ["Pick a fruit", "Apple", "Cherry"] {
                    if mark_of(&marks, word).is_none() {
                        problems.push(format!("no mark for {word:?} in {texts:?}"));
                    }
                }
                match image {
                    Some(f) if f.width() == image_size.width && f.height() == image_size.height => {
                        // The mark's box in the image: its centre is the listed point, and
                        // its top-left corner is found from the outline's colour.
                        let (cx, cy) = (b.at.0 as u32, b.at.1 as u32);
                        let colour = deskhand_vision::mark_colour(b.number);
                        let top = (0..cy)
                            .rev()
                            .find(|&y| f.pixel(cx, y).is_some_and(|p| p[..3] == colour));
                        let left = (0..cx)
                            .rev()
                            .find(|&x| f.pixel(x, cy).is_some_and(|p| p[..3] == colour));
                        match (top, left) {
                            (Some(top), Some(left)) => {
                                let top = top.saturating_sub(1);
                                let left = left.saturating_sub(1);
                                check_label(
                                    &ocr,
                                    &f,
                                    b.number,
                                    Rect::new(left, top, (cx - left) * 2, (cy - top) * 2),
                                    problems,
                                );
                            }
                            _ => problems.push(format!("no outline around mark {}", b.number)),
                        }
                    }
                    Some(f) => problems.push(format!(
                        "image {}x{}, expected {image_size:?}",
                        f.width(),
                        f.height()
                    )),
                    None => problems.push("no PNG image in the last turn".into()),
                }
                *seen.lock().unwrap() = Some(b);
                Reply::json(&completion("Thought: mark 999.\nAction: click(mark=999)"))
            }
            1 => {
                let (texts, _) = last_turn(req);
                let told = texts
                    .iter()
                    .any(|t| t.contains("could not be used") && t.contains("mark 999"));
                if !told {
                    problems.push(format!("the unknown mark was not reported: {texts:?}"));
                }
                let n = seen.lock().unwrap().as_ref().map_or(0, |b| b.number);
                Reply::json(&completion(&format!(
                    "Thought: Banana is mark {n}.\nAction: click(mark={n})"
                )))
            }
            _ => {
                let msgs = req.body["messages"].as_array().cloned().unwrap_or_default();
                let all = serde_json::to_string(&msgs).unwrap_or_default();
                if !all.contains("(the marks of an older screenshot, removed)") {
                    problems.push("the first screenshot's list was not replaced".into());
                }
                Reply::json(&completion("Action: finished(content='picked')"))
            }
        }
    }));
    let out_dir = dir.path().join("run");
    let out = model_run(
        &[
            "pick the banana",
            "--policy",
            "openai-compat",
            "--model",
            "UI-TARS-1.5-7B",
        ],
        &format!("{}/v1", server.url),
        d.name(),
        &out_dir,
    )
    .args(["-c", "context.set_of_marks=true"])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(
        exit_code(&mut dialog),
        Some(12),
        "the click did not press Banana"
    );
    // Only the click on the real mark (and finished) became actions: mark 999 never ran.
    let events = support::json_events(&out.stdout);
    let actions: Vec<&Value> = events.iter().filter(|e| e["type"] == "action").collect();
    assert_eq!(actions.len(), 2, "{actions:#?}");
    let trajectory = std::fs::read_to_string(out_dir.join("trajectory.jsonl")).unwrap();
    let meta: Value = serde_json::from_str(trajectory.lines().next().unwrap()).unwrap();
    assert_eq!(meta["policy"]["set_of_marks"], json!(true), "{meta}");
}

fn tool_use(id: &str, input: Value) -> Value {
    json!({
        "id": format!("msg_{id}"), "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [{"type": "tool_use", "id": id, "name": "computer", "input": input}],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 1500, "output_tokens": 40}
    })
}

#[test]
fn anthropic_clicks_a_mark_at_its_listed_coordinates() {
    let d = display(SCREEN.width, SCREEN.height);
    let mut dialog = fruit_dialog(&d);
    let dir = tempfile::tempdir().unwrap();
    let scaled = fit_long_edge(anthropic_target(SCREEN), DEFAULT_LONG_EDGE);
    let server = MockServer::start(Box::new(move |req, i, problems| {
        let system = req.body["system"][0]["text"].as_str().unwrap_or("");
        if !system.contains("numbered boxes") {
            problems.push(format!(
                "the system prompt does not explain marks: {system}"
            ));
        }
        let msgs = req.body["messages"].as_array().cloned().unwrap_or_default();
        let last = msgs.last().cloned().unwrap_or_default();
        let blocks = last["content"].as_array().cloned().unwrap_or_default();
        let texts: Vec<String> = blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str().map(str::to_owned))
            .collect();
        if blocks.iter().any(|b| b.get("deskhand_older").is_some()) {
            problems.push("a stand-in key was sent".into());
        }
        let marks: Vec<Listed> = texts.iter().flat_map(|t| parse_listing(t)).collect();
        if i == 0 {
            let image = blocks
                .iter()
                .find(|b| b["type"] == "image")
                .and_then(|b| b["source"]["data"].as_str())
                .and_then(png_of);
            match image {
                Some(f) if f.width() == scaled.width && f.height() == scaled.height => {}
                other => problems.push(format!(
                    "image {:?}, expected {scaled:?}",
                    other.map(|f| (f.width(), f.height()))
                )),
            }
            let Some(cherry) = mark_of(&marks, "Cherry") else {
                problems.push(format!("no Cherry mark in {texts:?}"));
                return Reply::json(&tool_use("toolu_1", json!({"action": "screenshot"})));
            };
            let (x, y) = (cherry.at.0 as i64, cherry.at.1 as i64);
            Reply::json(&tool_use(
                "toolu_1",
                json!({"action": "left_click", "coordinate": [x, y]}),
            ))
        } else {
            // The answer to the click, with the new screenshot and its own (shorter) list.
            // The dialog is gone: the new list may be empty, but it is there.
            let listed = texts
                .iter()
                .any(|t| t.starts_with("Marks on the screenshot") || t.contains("no marks"));
            if !blocks.iter().any(|b| b["type"] == "tool_result") || !listed {
                problems.push(format!("no tool_result and new mark list: {texts:?}"));
            }
            Reply::json(&json!({
                "id": "msg_end", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                "content": [{"type": "text", "text": "Picked the cherry."}],
                "stop_reason": "end_turn", "stop_sequence": null,
                "usage": {"input_tokens": 1600, "output_tokens": 12}
            }))
        }
    }));
    let out = model_run(
        &[
            "pick the cherry",
            "--policy",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
        ],
        &server.url,
        d.name(),
        &dir.path().join("run"),
    )
    .env("ANTHROPIC_API_KEY", "sk-ant-test")
    .args(["-c", "context.set_of_marks=true"])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(
        exit_code(&mut dialog),
        Some(13),
        "the click did not press Cherry"
    );
}

fn response(n: usize, output: Value) -> Value {
    json!({"id": format!("resp_{n}"), "object": "response", "status": "completed", "output": output,
           "usage": {"input_tokens": 900, "output_tokens": 25, "total_tokens": 925}})
}

#[test]
fn openai_clicks_a_mark_at_its_listed_coordinates() {
    let d = display(SCREEN.width, SCREEN.height);
    let mut dialog = fruit_dialog(&d);
    let dir = tempfile::tempdir().unwrap();
    let scaled = fit_long_edge(anthropic_target(SCREEN), DEFAULT_LONG_EDGE);
    let server = MockServer::start(Box::new(move |req, i, problems| {
        // The list is the last input_text of the last user message.
        let inputs = req.body["input"].as_array().cloned().unwrap_or_default();
        let texts: Vec<String> = inputs
            .iter()
            .filter(|m| m["role"] == "user")
            .flat_map(|m| m["content"].as_array().cloned().unwrap_or_default())
            .filter(|c| c["type"] == "input_text")
            .filter_map(|c| c["text"].as_str().map(str::to_owned))
            .collect();
        let marks: Vec<Listed> = texts.iter().flat_map(|t| parse_listing(t)).collect();
        if i > 0 {
            return Reply::json(&response(
                i,
                json!([{"type": "message", "id": "msg_1", "role": "assistant", "content": [{"type": "output_text", "text": "Picked."}]}]),
            ));
        }
        if !texts.iter().any(|t| t.contains("numbered boxes")) {
            problems.push(format!("marks are not explained: {texts:?}"));
        }
        let image = inputs[0]["content"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["type"] == "input_image"))
            .and_then(|c| c["image_url"].as_str())
            .and_then(png_of);
        match image {
            Some(f) if f.width() == scaled.width && f.height() == scaled.height => {}
            other => problems.push(format!(
                "image {:?}, expected {scaled:?}",
                other.map(|f| (f.width(), f.height()))
            )),
        }
        let Some(apple) = mark_of(&marks, "Apple") else {
            problems.push(format!("no Apple mark in {texts:?}"));
            return Reply::json(&response(0, json!([])));
        };
        let click = json!({"type": "click", "button": "left", "x": apple.at.0 as i64, "y": apple.at.1 as i64});
        Reply::json(&response(
            0,
            json!([{"type": "computer_call", "id": "cu_1", "call_id": "call_1", "action": click, "pending_safety_checks": [], "status": "completed"}]),
        ))
    }));
    let out = model_run(
        &[
            "pick the apple",
            "--policy",
            "openai",
            "--model",
            "computer-use-preview",
        ],
        &format!("{}/v1", server.url),
        d.name(),
        &dir.path().join("run"),
    )
    .env("OPENAI_API_KEY", "sk-openai-test")
    .args(["-c", "context.set_of_marks=true"])
    .stdin(std::process::Stdio::null())
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(
        exit_code(&mut dialog),
        Some(11),
        "the click did not press Apple"
    );
}

#[test]
fn without_the_ocr_model_set_of_marks_says_how_to_get_it() {
    let d = display(640, 480);
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(Box::new(|_, _, problems| {
        problems.push("a request was made".into());
        Reply::json(&completion("Action: finished()"))
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
        d.name(),
        &dir.path().join("run"),
    )
    .env("DESKHAND_CACHE", dir.path().join("empty-cache"))
    .env_remove("ORT_DYLIB_PATH")
    .args(["-c", "context.set_of_marks=true"])
    .output()
    .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("set_of_marks") && err.contains("run scripts/setup"),
        "{err}"
    );
    assert_eq!(server.count(), 0);
}
