//! The `anthropic` policy with the computer toolset (`computer_toolset_20260801`) end to end:
//! a local server speaking the Messages API checks every request (no beta header, the bare
//! toolset entry, one `tool_result` per `tool_use` with `toolset_name`, images within the
//! toolset's limits, thinking blocks sent back as they came) and answers with scripted batches
//! that drive a real xterm or the clickpad on a real display.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine as _;
use deskhand_actions::formats::anthropic_toolset::{
    NOT_EXECUTED, TOOLSET_MAX_EDGE, TOOLSET_MAX_TOKENS, toolset_target, visual_tokens,
};
use deskhand_actions::{DEFAULT_LONG_EDGE, Size, fit_long_edge};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use support::http_server::{MockServer, Received, Reply};
use support::{Clickpad, deskhand, display, model_run, wait_file};

const KEY: &str = "sk-ant-toolset-secret-0123456789";
const MODEL: &str = "claude-opus-5-5";

/// A thinking block as Opus 5.5 sends it: empty, with a signature.
fn thinking(n: usize) -> Value {
    json!({"type": "thinking", "thinking": "", "signature": format!("sig-{n}-EuYBCkQYAiJA")})
}

/// A response holding a thinking block and one toolset `tool_use` per `(id, member, input)`.
fn batch(n: usize, calls: &[(&str, &str, Value)]) -> Value {
    let mut content = vec![thinking(n)];
    for (id, name, input) in calls {
        content.push(json!({"type": "tool_use", "id": id, "name": name,
                            "toolset_name": "computer", "input": input}));
    }
    json!({"id": format!("msg_{n}"), "type": "message", "role": "assistant", "model": MODEL,
           "content": content, "stop_reason": "tool_use",
           "usage": {"input_tokens": 3000, "output_tokens": 60}})
}

fn end_turn(text: &str) -> Value {
    json!({"id": "msg_end", "type": "message", "role": "assistant", "model": MODEL,
           "content": [thinking(99), {"type": "text", "text": text}],
           "stop_reason": "end_turn", "usage": {"input_tokens": 3000, "output_tokens": 10}})
}

fn decode(img: &Value) -> Option<deskhand_vision::Frame> {
    let data = img["source"]["data"].as_str()?;
    let png = base64::engine::general_purpose::STANDARD
        .decode(data)
        .ok()?;
    deskhand_vision::Frame::from_png(&png).ok()
}

/// The image blocks of `msgs`, oldest first, tool results' included.
fn images(msgs: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for m in msgs {
        for block in m["content"].as_array().into_iter().flatten() {
            if block["type"] == "tool_result" {
                out.extend(
                    block["content"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|b| b["type"] == "image")
                        .cloned(),
                );
            } else if block["type"] == "image" {
                out.push(block.clone());
            }
        }
    }
    out
}

/// What every toolset request must carry; returns the last user turn's blocks.
fn check_request(req: &Received, problems: &mut Vec<String>) -> Vec<Value> {
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
        !req.headers.contains_key("anthropic-beta"),
        format!("a beta header {:?}", req.headers.get("anthropic-beta")),
    );
    let b = &req.body;
    expect(b["model"] == MODEL, format!("model {}", b["model"]));
    expect(
        b["tools"] == json!([{"type": "computer_toolset_20260801"}]),
        format!("tools {}", b["tools"]),
    );
    let msgs = b["messages"].as_array().cloned().unwrap_or_default();
    for (i, m) in msgs.iter().enumerate() {
        let want = if i % 2 == 0 { "user" } else { "assistant" };
        expect(
            m["role"] == want,
            format!("message {i} has role {}", m["role"]),
        );
    }
    for (i, img) in images(&msgs).iter().enumerate() {
        match decode(img) {
            Some(f) => {
                let size = Size::new(f.width(), f.height());
                expect(
                    size.width.max(size.height) <= TOOLSET_MAX_EDGE
                        && visual_tokens(size) <= TOOLSET_MAX_TOKENS,
                    format!("image {i} of {size:?} is over the toolset's limits"),
                );
            }
            None => expect(false, format!("image {i} is not a PNG")),
        }
    }
    msgs.last()
        .and_then(|m| m["content"].as_array().cloned())
        .unwrap_or_default()
}

/// The assistant turns of a request are the responses' contents, unmodified.
fn check_assistant_turns(req: &Received, sent: &[Value], problems: &mut Vec<String>) {
    let msgs = req.body["messages"].as_array().cloned().unwrap_or_default();
    let turns: Vec<&Value> = msgs.iter().filter(|m| m["role"] == "assistant").collect();
    for (i, t) in turns.iter().enumerate() {
        if t["content"] != sent[i]["content"] {
            problems.push(format!(
                "assistant turn {i} was changed: {} instead of {}",
                t["content"], sent[i]["content"]
            ));
        }
    }
}

/// The tool results at the start of `content`, checked for pairing with `ids` and
/// `toolset_name`; returns them.
fn results(content: &[Value], ids: &[&str], problems: &mut Vec<String>) -> Vec<Value> {
    let got: Vec<Value> = content
        .iter()
        .take_while(|b| b["type"] == "tool_result")
        .cloned()
        .collect();
    let got_ids: Vec<&str> = got
        .iter()
        .map(|r| r["tool_use_id"].as_str().unwrap_or(""))
        .collect();
    if got_ids != ids {
        problems.push(format!("tool results for {got_ids:?}, expected {ids:?}"));
    }
    for r in &got {
        if r["toolset_name"] != "computer" {
            problems.push(format!("a result without toolset_name: {r}"));
        }
        if r["content"].as_array().is_none_or(Vec::is_empty) {
            problems.push(format!("a result without content: {r}"));
        }
    }
    got
}

fn text_of(result: &Value) -> String {
    result["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["text"].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn has_image(result: &Value) -> bool {
    result["content"]
        .as_array()
        .is_some_and(|c| c.iter().any(|b| b["type"] == "image"))
}

/// The key is in no file under `dir` and none of `also`.
fn assert_no_key(dir: &Path, also: &[&[u8]]) {
    support::assert_secret_nowhere(KEY, dir, also);
}

fn events(run: &Path) -> Vec<Value> {
    std::fs::read_to_string(run.join("trajectory.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Screen pixel `(x, y)` in the pixels of a screenshot of `scaled` size.
fn model_xy(x: u32, y: u32, screen: Size, scaled: Size) -> [i64; 2] {
    [
        (f64::from(x) * f64::from(scaled.width) / f64::from(screen.width)).round() as i64,
        (f64::from(y) * f64::from(scaled.height) / f64::from(screen.height)).round() as i64,
    ]
}

#[test]
fn a_toolset_episode_runs_batches_in_order_and_stops_at_the_first_failure() {
    let (w, h) = (1280, 800);
    let screen = Size::new(w, h);
    let scaled = fit_long_edge(toolset_target(screen), DEFAULT_LONG_EDGE);
    let display = display(w, h);
    let (mut xterm, _) = display
        .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
        .expect("xterm shows a window");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.txt");
    let f = file.display().to_string();
    let turns = vec![
        // A batch: a click with a held modifier into the terminal, typing, a key.
        batch(
            0,
            &[
                (
                    "toolu_a1",
                    "left_click",
                    json!({"coordinate": model_xy(300, 200, screen, scaled), "text": "shift"}),
                ),
                (
                    "toolu_a2",
                    "type",
                    json!({"text": format!("echo one >> {f}")}),
                ),
                ("toolu_a3", "key", json!({"text": "Return"})),
                ("toolu_a4", "cursor_position", json!({})),
            ],
        ),
        // A zoom on the top-left quarter.
        batch(
            1,
            &[(
                "toolu_b1",
                "zoom",
                json!({"region": [0, 0, scaled.width / 2, scaled.height / 2]}),
            )],
        ),
        // A batch whose middle action fails: the last one must not run.
        batch(
            2,
            &[
                (
                    "toolu_c1",
                    "type",
                    json!({"text": format!("echo two >> {f}\n")}),
                ),
                (
                    "toolu_c2",
                    "scroll",
                    json!({"scroll_direction": "sideways", "scroll_amount": 3}),
                ),
                (
                    "toolu_c3",
                    "type",
                    json!({"text": format!("echo three >> {f}\n")}),
                ),
            ],
        ),
        end_turn("Two lines written; the scroll was refused."),
    ];
    let sent = turns.clone();
    let server = MockServer::start(Box::new(move |req, i, problems| {
        let content = check_request(req, problems);
        check_assistant_turns(req, &sent, problems);
        let msgs = req.body["messages"].as_array().cloned().unwrap_or_default();
        if let Some(newest) = images(&msgs).last().and_then(decode) {
            let size = Size::new(newest.width(), newest.height());
            let png = images(&msgs)
                .last()
                .and_then(|b| b["source"]["data"].as_str().map(str::len))
                .unwrap_or(0);
            eprintln!(
                "request {i}: newest image {size:?}, {} base64 bytes (~{} PNG bytes), {} images, ~{} image tokens",
                png,
                png * 3 / 4,
                images(&msgs).len(),
                images(&msgs)
                    .iter()
                    .filter_map(decode)
                    .map(|f| visual_tokens(Size::new(f.width(), f.height())))
                    .sum::<u64>()
            );
        }
        match i {
            0 => {
                if !content.iter().any(|b| b["type"] == "image") {
                    problems.push("the first turn has no screenshot".into());
                }
                let first = images(&msgs).last().and_then(decode);
                if first.map(|f| (f.width(), f.height())) != Some((scaled.width, scaled.height)) {
                    problems.push(format!("the first screenshot is not {scaled:?}"));
                }
            }
            1 => {
                let r = results(
                    &content,
                    &["toolu_a1", "toolu_a2", "toolu_a3", "toolu_a4"],
                    problems,
                );
                // The pointer is where the click put it, in the screenshot's pixels.
                let [cx, cy] = model_xy(300, 200, screen, scaled);
                let want = format!("X={cx}, Y={cy}");
                if r.get(3).map(text_of) != Some(want.clone()) {
                    problems.push(format!(
                        "cursor_position answered {:?}, not {want}",
                        r.get(3)
                    ));
                }
                if r.iter().any(|r| r.get("is_error").is_some()) {
                    problems.push(format!("an error in the first batch: {r:?}"));
                }
                if !r.last().is_some_and(has_image)
                    || r[..r.len().saturating_sub(1)].iter().any(has_image)
                {
                    problems.push("the screenshot is not (only) on the last result".into());
                }
            }
            2 => {
                let r = results(&content, &["toolu_b1"], problems);
                let zoom = r
                    .first()
                    .and_then(|r| {
                        r["content"]
                            .as_array()
                            .and_then(|c| c.iter().find(|b| b["type"] == "image"))
                            .cloned()
                    })
                    .and_then(|b| decode(&b));
                match zoom {
                    // The region is a quarter of the screen: 640x400 pixels, sent at full detail.
                    Some(z) if z.width() == w / 2 && z.height() == h / 2 => {}
                    Some(z) => problems.push(format!("zoom image {}x{}", z.width(), z.height())),
                    None => problems.push("no zoom image".into()),
                }
            }
            3 => {
                let r = results(&content, &["toolu_c1", "toolu_c2", "toolu_c3"], problems);
                if r.len() == 3 {
                    if r[0].get("is_error").is_some() {
                        problems.push(format!("the first action failed: {}", r[0]));
                    }
                    let reason = text_of(&r[1]);
                    if r[1]["is_error"] != true || reason.is_empty() || reason == NOT_EXECUTED {
                        problems.push(format!("the failed action's result: {}", r[1]));
                    }
                    if r[2]["is_error"] != true || text_of(&r[2]) != NOT_EXECUTED {
                        problems.push(format!("the skipped action's result: {}", r[2]));
                    }
                    if !has_image(&r[2]) {
                        problems.push("no screenshot on the last result".into());
                    }
                }
            }
            _ => problems.push("more requests than turns".into()),
        }
        Reply::json(&turns[i.min(3)])
    }));
    let run = dir.path().join("run");
    let out = model_run(
        &["write two lines", "--policy", "anthropic", "--model", MODEL],
        &server.url,
        display.name(),
        &run,
    )
    .env("ANTHROPIC_API_KEY", KEY)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), 4);
    let got = wait_file(&file, Duration::from_secs(10), |b| b == b"one\ntwo\n");
    assert!(
        got.is_some(),
        "the file holds {:?}",
        std::fs::read_to_string(&file).unwrap_or_default()
    );
    // The click went out with its modifier held.
    let evs = events(&run);
    let click = evs
        .iter()
        .find(|e| e["type"] == "action" && e["action"]["type"] == "click")
        .expect("a click action");
    assert_eq!(click["action"]["modifiers"], json!(["shift"]), "{click}");
    assert_eq!(evs[0]["policy"]["tool"], "computer_toolset_20260801");
    assert_no_key(&run, &[&out.stdout, &out.stderr]);
    let _ = xterm.kill();
    let _ = xterm.wait();
}

/// A modified click aimed, in the screenshot's pixels, at a screen pixel lands on it.
fn clicks_land(w: u32, h: u32) {
    let screen = Size::new(w, h);
    let scaled = fit_long_edge(toolset_target(screen), DEFAULT_LONG_EDGE);
    let display = display(w, h);
    let pad = Clickpad::start(&display, w, h);
    let targets = [(w / 4, h / 3), (w - 40, h - 30)];
    let turns = [
        batch(
            0,
            &[
                (
                    "toolu_1",
                    "left_click",
                    json!({"coordinate": model_xy(targets[0].0, targets[0].1, screen, scaled), "text": "ctrl"}),
                ),
                (
                    "toolu_2",
                    "right_click",
                    json!({"coordinate": model_xy(targets[1].0, targets[1].1, screen, scaled)}),
                ),
            ],
        ),
        end_turn("Clicked."),
    ];
    let server = MockServer::start(Box::new(move |req, i, problems| {
        let content = check_request(req, problems);
        if i == 1 {
            results(&content, &["toolu_1", "toolu_2"], problems);
        }
        Reply::json(&turns[i.min(1)])
    }));
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let out = model_run(
        &["click twice", "--policy", "anthropic", "--model", MODEL],
        &server.url,
        display.name(),
        &run,
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
    let presses = pad.presses(2, Duration::from_secs(10));
    assert_eq!(presses.len(), 2, "{presses:?}");
    // One screenshot pixel covers up to 1.25 screen pixels at these sizes.
    let slack = (f64::from(w) / f64::from(scaled.width)).ceil() as i64;
    for ((button, x, y), (want, (tx, ty))) in presses
        .iter()
        .zip([("left", targets[0]), ("right", targets[1])])
    {
        assert_eq!(button, want);
        assert!(
            (x - i64::from(tx)).abs() <= slack && (y - i64::from(ty)).abs() <= slack,
            "{button} press at {x},{y}, aimed at {tx},{ty} (screenshot {scaled:?})"
        );
    }
    assert_no_key(&run, &[&out.stdout, &out.stderr]);
}

#[test]
fn toolset_clicks_land_at_1280x800() {
    clicks_land(1280, 800);
}

#[test]
fn toolset_clicks_land_at_1366x768() {
    clicks_land(1366, 768);
}

#[test]
fn toolset_clicks_land_at_1920x1080() {
    clicks_land(1920, 1080);
}

#[test]
fn an_old_tool_sent_to_a_toolset_model_names_the_setting_to_use() {
    let display = display(1024, 768);
    let server = MockServer::start(Box::new(move |req, _, problems| {
        // -c anthropic.tool=computer_20251124 sends the old tool, with its beta header.
        let tool = &req.body["tools"][0];
        if tool["type"] != "computer_20251124" || tool["name"] != "computer" {
            problems.push(format!("tool {tool}"));
        }
        if req.headers.get("anthropic-beta").map(String::as_str) != Some("computer-use-2025-11-24")
        {
            problems.push(format!("beta {:?}", req.headers.get("anthropic-beta")));
        }
        Reply::error(
            400,
            &json!({"type": "error", "error": {"type": "invalid_request_error",
                "message": "'claude-opus-5-5' does not support tool types: computer_20251124. Did you mean one of bash_20250124, computer_toolset_20260801, text_editor_20250728?"},
                "request_id": "req_011"}),
        )
    }));
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let out = model_run(
        &[
            "x",
            "--policy",
            "anthropic",
            "--model",
            MODEL,
            "-c",
            "anthropic.tool=computer_20251124",
        ],
        &server.url,
        display.name(),
        &run,
    )
    .env("ANTHROPIC_API_KEY", KEY)
    .output()
    .unwrap();
    assert!(!out.status.success());
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), 1, "a refused request is not retried");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("this model takes the computer toolset: run with -c anthropic.tool=toolset"),
        "{all}"
    );
    assert!(all.contains("does not support tool types"), "{all}");
    if run.exists() {
        assert_no_key(&run, &[&out.stdout, &out.stderr]);
    } else {
        assert_no_key(dir.path(), &[&out.stdout, &out.stderr]);
    }
}

#[test]
fn a_toolset_run_replays_offline() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("replayed.txt");
    let line = format!("echo run >> {}\n", file.display());
    let turns = [
        batch(
            0,
            &[
                ("toolu_1", "left_click", json!({"coordinate": [240, 160]})),
                ("toolu_2", "type", json!({"text": line})),
            ],
        ),
        end_turn("Done."),
    ];
    let server = MockServer::start(Box::new(move |req, i, problems| {
        check_request(req, problems);
        Reply::json(&turns[i.min(1)])
    }));
    let first = dir.path().join("first");
    {
        let display = display(1280, 800);
        let (mut xterm, _) = display
            .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
            .unwrap();
        let out = model_run(
            &[
                "append to the file",
                "--policy",
                "anthropic",
                "--model",
                MODEL,
            ],
            &server.url,
            display.name(),
            &first,
        )
        .env("ANTHROPIC_API_KEY", KEY)
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        wait_file(&file, Duration::from_secs(10), |b| b == b"run\n").expect("first run");
        assert_no_key(&first, &[&out.stdout, &out.stderr]);
        let _ = xterm.kill();
        let _ = xterm.wait();
    }
    assert_eq!(server.problems(), Vec::<String>::new());
    drop(server);
    let second = dir.path().join("second");
    let display = display(1280, 800);
    let (mut xterm, _) = display
        .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
        .unwrap();
    let out = deskhand()
        .env_remove("ANTHROPIC_API_KEY")
        .args(["run", "--policy", "replay", "--replay-from"])
        .arg(&first)
        .args(["--display", display.name(), "--json", "--out"])
        .arg(&second)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_file(&file, Duration::from_secs(10), |b| b == b"run\nrun\n").expect("the replay ran");
    assert_eq!(events(&second)[0]["policy"]["provider"], "anthropic");
    let _ = xterm.kill();
    let _ = xterm.wait();
}

#[test]
fn a_killed_toolset_run_resumes_with_its_conversation() {
    let d = display(1024, 700);
    let (mut xterm, _) = d
        .launch("xterm -geometry 100x30+0+0", Duration::from_secs(20))
        .unwrap();
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("out.txt");
    let mut turns: Vec<Value> = ["a", "b", "c"]
        .iter()
        .enumerate()
        .map(|(i, w)| {
            batch(
                i,
                &[(
                    &format!("toolu_{i}"),
                    "type",
                    json!({"text": format!("echo {w} >> {}\n", file.display())}),
                )],
            )
        })
        .collect();
    turns.push(end_turn("Done."));
    let sent = turns.clone();
    let server = MockServer::start(Box::new(move |req, i, problems| {
        check_request(req, problems);
        check_assistant_turns(req, &sent, problems);
        let n = req.body["messages"].as_array().map_or(0, Vec::len);
        if n != 1 + 2 * i {
            problems.push(format!("request {i} has {n} messages, not {}", 1 + 2 * i));
        }
        Reply::json(&turns[i.min(3)])
    }));
    let run = root.path().join("run");
    let mut child = model_run(
        &[
            "append three lines",
            "--policy",
            "anthropic",
            "--model",
            MODEL,
        ],
        &server.url,
        d.name(),
        &run,
    )
    .env("ANTHROPIC_API_KEY", KEY)
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let killed = support::wait_until(Duration::from_secs(30), || {
        std::fs::read_to_string(run.join("trajectory.jsonl"))
            .ok()?
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .any(|e| e["type"] == "input_sent" && e["step"] == 2)
            .then_some(())
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(killed.is_some(), "the run never reached step 2");
    let out = support::resume(&run, d.name(), &[("ANTHROPIC_API_KEY", KEY)]);
    support::assert_file_becomes(&file, b"a\nb\nc\n");
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(events(&run).last().unwrap()["status"], "done");
    assert_no_key(&run, &[&out.stdout, &out.stderr]);
    let _ = xterm.kill();
    let _ = xterm.wait();
}
