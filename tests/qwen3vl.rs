//! The `openai-compat` policy with the Qwen3-VL grammar, end to end against a local
//! `/v1/chat/completions` server that answers like Qwen3-VL served by vLLM: every request is
//! checked (path, bearer key, the system prompt's `<tools>` block with the `computer_use`
//! function, the screenshot's size, the pairing of screenshots and answers) and scripted
//! `<tool_call>` replies drive a real xterm or the clickpad on a real Xvfb display. Also: the
//! grammar set by `-c openai_compat.grammar=qwen3vl`, `message.tool_calls` replies, a malformed
//! reply that is told back and never performed, the key kept out of everything the run
//! writes, replay and resume of a Qwen3-VL run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine as _;
use deskhand_actions::{DEFAULT_LONG_EDGE, Size, fit_long_edge};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use support::http_server::{MockServer, Received, Reply};
use support::{Clickpad, deskhand, display, model_run, wait_file};

const MODEL: &str = "Qwen3-VL-8B-Instruct";

fn completion(text: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1500, "completion_tokens": 40, "total_tokens": 1540}
    })
}

/// A reply in OSWorld's format: an `Action:` sentence and one `<tool_call>`.
fn call(sentence: &str, args: Value) -> Value {
    completion(&format!(
        "Action: {sentence}\n<tool_call>\n{}\n</tool_call>",
        json!({"name": "computer_use", "arguments": args})
    ))
}

/// The grid value OSWorld's model would give for a screen pixel, and the pixel OSWorld's
/// `adjust_coordinates` (`v * size / 999`) makes of it.
fn grid(p: u32, len: u32) -> (i64, i64) {
    let v = (f64::from(p) * 999.0 / f64::from(len)).round();
    (v as i64, (v * f64::from(len) / 999.0).round() as i64)
}

fn last_text(req: &Received) -> String {
    let last = req.body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .cloned()
        .unwrap_or_default();
    last["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Checks one request; `answered` is how many earlier answers it must carry (None: not
/// checked, for runs with re-asks). Returns the newest image's PNG bytes.
fn check(
    req: &Received,
    model: &str,
    key: &str,
    image: Size,
    answered: Option<usize>,
    problems: &mut Vec<String>,
) -> usize {
    if req.path != "/v1/chat/completions" {
        problems.push(format!("path {}", req.path));
    }
    if req.headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {key}")) {
        problems.push("the bearer key is missing or wrong".into());
    }
    if req.body["model"] != model {
        problems.push(format!("model {}", req.body["model"]));
    }
    let msgs = req.body["messages"].as_array().cloned().unwrap_or_default();
    // The system prompt: Hermes tools block with the computer_use function on the grid.
    let system = msgs
        .first()
        .filter(|m| m["role"] == "system")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default();
    for part in [
        "# Tools",
        "You are provided with function signatures within <tools></tools> XML tags:",
        "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>",
        "Action:",
        "terminate",
    ] {
        if !system.contains(part) {
            problems.push(format!("the system prompt lacks {part:?}"));
        }
    }
    let tools: Option<Value> = system
        .split_once("<tools>\n")
        .and_then(|(_, r)| r.split_once("\n</tools>"))
        .and_then(|(t, _)| serde_json::from_str(t).ok());
    match tools {
        Some(t)
            if t["function"]["name"] == "computer_use"
                && t["function"]["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("The screen's resolution is 1000x1000."))
                && t["function"]["parameters"]["properties"]["action"]["enum"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|a| a == "left_click_drag")) => {}
        _ => problems.push("no computer_use function in <tools>".into()),
    }
    if !msgs.get(1).is_some_and(|m| {
        m["role"] == "user"
            && m["content"]
                .as_str()
                .is_some_and(|c| c.contains("Instruction:"))
    }) {
        problems.push("the instruction is not the first user message".into());
    }
    // History: (user turn with a screenshot, assistant answer) pairs, then the newest shot.
    let rest = &msgs[2.min(msgs.len())..];
    if let Some(n) = answered {
        if rest.len() != 2 * n + 1 {
            problems.push(format!(
                "{} history messages, not {}",
                rest.len(),
                2 * n + 1
            ));
        }
        for (i, m) in rest.iter().enumerate() {
            let want = if i % 2 == 0 { "user" } else { "assistant" };
            if m["role"] != want {
                problems.push(format!("history message {i} is {}, not {want}", m["role"]));
            }
            let shot = m["content"].as_array().is_some_and(|p| {
                p.iter()
                    .any(|p| p["type"] == "image_url" || p["text"] == "(older screenshot removed)")
            });
            if i % 2 == 0 && !shot {
                problems.push(format!("history user message {i} has no screenshot"));
            }
        }
    }
    // The newest screenshot (a re-ask follows it with the error text).
    let newest = msgs
        .iter()
        .rev()
        .filter_map(|m| m["content"].as_array())
        .find_map(|p| p.iter().rev().find(|p| p["type"] == "image_url"))
        .and_then(|p| p["image_url"]["url"].as_str())
        .unwrap_or_default();
    let Some(data) = newest.strip_prefix("data:image/png;base64,") else {
        problems.push("no user turn has a PNG image_url".into());
        return 0;
    };
    let png = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap_or_default();
    match deskhand_vision::Frame::from_png(&png) {
        Ok(f) if f.width() == image.width && f.height() == image.height => {}
        Ok(f) => problems.push(format!(
            "image {}x{}, expected {}x{}",
            f.width(),
            f.height(),
            image.width,
            image.height
        )),
        Err(e) => problems.push(format!("not a PNG: {e}")),
    }
    png.len()
}

/// Asserts that `key` appears nowhere in the run folder (model_calls.jsonl included), stdout
/// or stderr.
fn key_nowhere(key: &str, run: &Path, out: &std::process::Output) {
    assert!(run.join("model_calls.jsonl").is_file());
    support::assert_secret_nowhere(key, run, &[&out.stdout, &out.stderr]);
}

fn events(stdout: &[u8]) -> Vec<Value> {
    support::json_events(stdout)
}

#[test]
fn a_qwen3vl_episode_types_a_command_terminates_and_replays() {
    let (w, h) = (1280, 800);
    let display = display(w, h);
    let (mut xterm, _) = display
        .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
        .expect("xterm shows a window");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("from-qwen.txt");
    let key = "sk-qwen-unique-7f3a9c1e";
    let image = fit_long_edge(Size::new(w, h), DEFAULT_LONG_EDGE);
    let (gx, _) = grid(300, w);
    let (gy, _) = grid(200, h);
    let turns = [
        call(
            "Click into the terminal.",
            json!({"action": "left_click", "coordinate": [gx, gy]}),
        ),
        call(
            "Type the command.",
            json!({"action": "type", "text": format!("echo run >> {}\n", target.display())}),
        ),
        call(
            "The file is written.",
            json!({"action": "terminate", "status": "success"}),
        ),
    ];
    let server = MockServer::start(Box::new(move |req, i, problems| {
        check(req, MODEL, key, image, Some(i), problems);
        Reply::json(&turns[i.min(2)])
    }));
    let first = dir.path().join("run");
    let out = model_run(
        &[
            "write the file",
            "--policy",
            "openai-compat",
            "--model",
            MODEL,
        ],
        &format!("{}/v1", server.url),
        display.name(),
        &first,
    )
    .env("OPENAI_API_KEY", key)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), 3);
    wait_file(&target, Duration::from_secs(10), |b| b == b"run\n").expect("the command ran");
    let evs = events(&out.stdout);
    let end = evs.last().unwrap();
    assert_eq!(end["status"], "done", "{end}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Click into the terminal."));
    key_nowhere(key, &first, &out);
    let meta: Value = serde_json::from_str(
        std::fs::read_to_string(first.join("trajectory.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let settings = meta["policy"].to_string();
    assert!(settings.contains("\"grammar\":\"qwen3vl\""), "{settings}");
    assert!(settings.contains("\"grid_1000\":true"), "{settings}");
    // What one step sends: the newest screenshot's PNG bytes and the request's size.
    for (i, r) in server.requests.lock().unwrap().iter().enumerate() {
        let mut p = Vec::new();
        let png = check(r, MODEL, key, image, None, &mut p);
        eprintln!(
            "request {i}: image {}x{} png {png} bytes, body {} bytes",
            image.width,
            image.height,
            r.body.to_string().len()
        );
    }
    let _ = xterm.kill();
    let _ = xterm.wait();

    // The replay: no server, no key, a fresh display, the same end state.
    drop(server);
    let display = support::display(w, h);
    let (mut xterm, _) = display
        .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
        .unwrap();
    let second = dir.path().join("replayed");
    let out = deskhand()
        .env_remove("OPENAI_API_KEY")
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
    wait_file(&target, Duration::from_secs(10), |b| b == b"run\nrun\n")
        .expect("the replay ran the command again");
    let _ = xterm.kill();
    let _ = xterm.wait();
}

/// Clicks on the clickpad at three grid points and terminates; each press lands on
/// `v * size / 999`.
fn clicks_land(
    w: u32,
    h: u32,
    model: &str,
    extra: &[&str],
) -> (tempfile::TempDir, Vec<(String, i64, i64)>) {
    let display = display(w, h);
    let pad = Clickpad::start(&display, w, h);
    let dir = tempfile::tempdir().unwrap();
    let image = fit_long_edge(Size::new(w, h), DEFAULT_LONG_EDGE);
    let targets = [(10, 10), (w / 2 + 7, h / 3 + 5), (w - 12, h - 9)];
    let mut want = Vec::new();
    let mut turns = Vec::new();
    for (x, y) in targets {
        let (vx, px) = grid(x, w);
        let (vy, py) = grid(y, h);
        assert!((px - i64::from(x)).abs() <= 1 && (py - i64::from(y)).abs() <= 1);
        want.push(("left".to_owned(), px, py));
        turns.push(call(
            "Click the spot.",
            json!({"action": "left_click", "coordinate": [vx, vy]}),
        ));
    }
    turns.push(call(
        "Done.",
        json!({"action": "answer", "text": "clicked"}),
    ));
    let model_name = model.to_owned();
    let server = MockServer::start(Box::new(move |req, i, problems| {
        check(req, &model_name, "k-clicks", image, Some(i), problems);
        Reply::json(&turns[i.min(3)])
    }));
    let out = model_run(
        &[
            "click the spots",
            "--policy",
            "openai-compat",
            "--model",
            model,
        ],
        &format!("{}/v1", server.url),
        display.name(),
        &dir.path().join("run"),
    )
    .env("OPENAI_API_KEY", "k-clicks")
    .args(extra)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(pad.presses(3, Duration::from_secs(10)), want);
    let end = events(&out.stdout).last().cloned().unwrap();
    assert_eq!(end["status"], "done", "{end}");
    assert!(end.to_string().contains("clicked"), "{end}");
    (dir, want)
}

#[test]
fn clicks_land_on_the_grid_at_1280x800() {
    let _ = clicks_land(1280, 800, MODEL, &[]);
}

#[test]
fn clicks_land_on_the_grid_at_1366x768() {
    let _ = clicks_land(1366, 768, "Qwen/Qwen3-VL-235B-A22B", &[]);
}

#[test]
fn clicks_land_on_the_grid_at_1920x1080() {
    let _ = clicks_land(1920, 1080, MODEL, &[]);
}

#[test]
fn the_grammar_setting_works_with_another_model_name() {
    let (dir, want) = clicks_land(
        1280,
        800,
        "my-served-model",
        &["-c", "openai_compat.grammar=qwen3vl"],
    );
    // The replay reads the recorded grammar: the same clicks on a fresh clickpad.
    let display = display(1280, 800);
    let pad = Clickpad::start(&display, 1280, 800);
    let out = deskhand()
        .env_remove("OPENAI_API_KEY")
        .args(["run", "--policy", "replay", "--replay-from"])
        .arg(dir.path().join("run"))
        .args(["--display", display.name(), "--json", "--out"])
        .arg(dir.path().join("replayed"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(pad.presses(3, Duration::from_secs(10)), want);
}

#[test]
fn a_malformed_reply_is_told_back_and_never_performed() {
    let (w, h) = (1280, 800);
    let display = display(w, h);
    let pad = Clickpad::start(&display, w, h);
    let dir = tempfile::tempdir().unwrap();
    let image = fit_long_edge(Size::new(w, h), DEFAULT_LONG_EDGE);
    let (bx, _) = grid(100, w);
    let (by, _) = grid(100, h);
    let (gx, px) = grid(640, w);
    let (gy, py) = grid(400, h);
    let turns = [
        // Bad JSON (a click at 100,100 inside).
        completion(&format!(
            "Action: click\n<tool_call>\n{{\"name\": \"computer_use\", \"arguments\": {{\"action\": \"left_click\", \"coordinate\": [{bx}, {by}]}}\n</tool_call>"
        )),
        // Another function name.
        completion(&format!(
            "<tool_call>\n{{\"name\": \"browser\", \"arguments\": {{\"action\": \"left_click\", \"coordinate\": [{bx}, {by}]}}}}\n</tool_call>"
        )),
        // The right click, in the step's last try.
        call(
            "Click the middle.",
            json!({"action": "left_click", "coordinate": [gx, gy]}),
        ),
        // UI-TARS text is not this grammar.
        completion("Thought: done\nAction: finished(content='x')"),
        call("Done.", json!({"action": "terminate", "status": "success"})),
    ];
    let server = MockServer::start(Box::new(move |req, i, problems| {
        check(req, MODEL, "k-bad", image, None, problems);
        let told = last_text(req);
        if matches!(i, 1 | 2 | 4) && !told.contains("could not be used") {
            problems.push(format!("request {i}: the model was not told: {told}"));
        }
        if i == 2 && !told.contains("computer_use") {
            problems.push(format!("request 2 does not name the function: {told}"));
        }
        Reply::json(&turns[i.min(4)])
    }));
    let out = model_run(
        &[
            "click the middle",
            "--policy",
            "openai-compat",
            "--model",
            MODEL,
        ],
        &format!("{}/v1", server.url),
        display.name(),
        &dir.path().join("run"),
    )
    .env("OPENAI_API_KEY", "k-bad")
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), 5);
    // The first press is the good click: neither bad reply was performed.
    assert_eq!(
        pad.presses(1, Duration::from_secs(10)),
        vec![("left".to_owned(), px, py)]
    );
    let actions = events(&out.stdout)
        .into_iter()
        .filter(|e| e["type"] == "action")
        .count();
    assert_eq!(actions, 2, "only the click and terminate became actions");
}

#[test]
fn tool_calls_from_vllm_are_read_and_answered_per_id() {
    let (w, h) = (1280, 800);
    let display = display(w, h);
    let pad = Clickpad::start(&display, w, h);
    let dir = tempfile::tempdir().unwrap();
    let image = fit_long_edge(Size::new(w, h), DEFAULT_LONG_EDGE);
    let (gx, px) = grid(333, w);
    let (gy, py) = grid(222, h);
    let tool = |id: &str, args: Value| {
        json!({
            "id": "chatcmpl-2", "object": "chat.completion", "created": 1, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": "Action: go.",
                "tool_calls": [{"id": id, "type": "function", "function": {
                    "name": "computer_use", "arguments": args.to_string()}}]}}],
            "usage": {"prompt_tokens": 1500, "completion_tokens": 40}
        })
    };
    let turns = [
        tool(
            "call_one",
            json!({"action": "left_click", "coordinate": [gx, gy]}),
        ),
        tool(
            "call_two",
            json!({"action": "terminate", "status": "success"}),
        ),
    ];
    let server = MockServer::start(Box::new(move |req, i, problems| {
        check(req, MODEL, "k-tools", image, None, problems);
        if i == 1 {
            let msgs = req.body["messages"].as_array().cloned().unwrap_or_default();
            let at = msgs.iter().position(|m| m["role"] == "tool");
            match at {
                Some(t)
                    if msgs[t]["tool_call_id"] == "call_one"
                        && msgs[t - 1]["role"] == "assistant"
                        && msgs[t - 1]["tool_calls"][0]["id"] == "call_one"
                        && msgs[t + 1]["role"] == "user" => {}
                _ => problems.push(format!("no tool answer for call_one: {}", req.body)),
            }
        }
        Reply::json(&turns[i.min(1)])
    }));
    let out = model_run(
        &["click it", "--policy", "openai-compat", "--model", MODEL],
        &format!("{}/v1", server.url),
        display.name(),
        &dir.path().join("run"),
    )
    .env("OPENAI_API_KEY", "k-tools")
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(
        pad.presses(1, Duration::from_secs(10)),
        vec![("left".to_owned(), px, py)]
    );
}

fn lines(run: &Path) -> Vec<Value> {
    std::fs::read_to_string(run.join("trajectory.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn a_killed_qwen3vl_run_resumes_without_paying_a_call_twice() {
    let (w, h) = (1024, 700);
    let d = display(w, h);
    let (mut xterm, _) = d
        .launch("xterm -geometry 100x30+0+0", Duration::from_secs(30))
        .expect("xterm shows a window");
    let root = tempfile::tempdir().unwrap();
    support::shell_ready(&d, root.path());

    let file = root.path().join("out.txt");
    let image = fit_long_edge(Size::new(w, h), DEFAULT_LONG_EDGE);
    let mut turns: Vec<Value> = ["a", "b", "c", "d"]
        .iter()
        .map(|x| {
            call(
                "Append a line.",
                json!({"action": "type", "text": format!("echo {x} >> {}\n", file.display())}),
            )
        })
        .collect();
    turns.push(call(
        "Done.",
        json!({"action": "terminate", "status": "success"}),
    ));
    let server = MockServer::start(Box::new(move |req, i, problems| {
        check(req, MODEL, "k-resume", image, Some(i), problems);
        Reply::json(&turns[i.min(4)])
    }));
    let run = root.path().join("run");
    let mut child = model_run(
        &[
            "append four lines",
            "--policy",
            "openai-compat",
            "--model",
            MODEL,
        ],
        &format!("{}/v1", server.url),
        d.name(),
        &run,
    )
    .env("OPENAI_API_KEY", "k-resume")
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let killed = support::wait_until(Duration::from_secs(30), || {
        lines(&run)
            .iter()
            .any(|e| e["type"] == "input_sent" && e["step"] == 2)
            .then_some(())
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(killed.is_some(), "the run never reached step 2");
    let calls_before = server.count();

    support::resume(&run, d.name(), &[("OPENAI_API_KEY", "k-resume")]);
    support::assert_file_becomes(&file, b"a\nb\nc\nd\n");
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(calls_before, 2);
    assert_eq!(server.count(), 5);
    let end = lines(&run).last().cloned().unwrap();
    assert_eq!(end["status"], "done", "{end}");
    let _ = xterm.kill();
    let _ = xterm.wait();
}
