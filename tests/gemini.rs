//! The `gemini` policy end to end against a local server speaking `generateContent`: it checks
//! every request (the path with the model, the `x-goog-api-key` header and no key in the URL, the
//! `computerUse` tool, one `functionResponse` per call of the previous turn with its name and
//! id and a PNG screenshot of the expected size inside, model turns echoed verbatim with their
//! `thoughtSignature`) and scripts function calls that click into a real xterm and type a
//! command. Clicks on Gemini's 0–999 grid land on the intended pixel of a real display at three
//! sizes; a safety decision nobody confirms stops the run with nothing performed; a 429 with
//! `retryDelay` is retried after that delay; a malformed call goes back to the model as an
//! error; the key is never written anywhere; a recorded run replays offline and resumes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine as _;
use deskhand_actions::{DEFAULT_LONG_EDGE, Size, fit_long_edge};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::http_server::{MockServer, Received, Reply};
use support::{Clickpad, deskhand, display, json_events, model_run, wait_file};

const MODEL: &str = "gemini-3.5-flash";

/// A key unique to each test, so that finding it anywhere means this run leaked it.
fn key(test: &str) -> String {
    format!("AIza-test-{test}-{}", std::process::id())
}

/// A model turn: text, then function calls `(id, name, args)`; the first call carries a
/// thought signature, as Gemini 3 sends them.
fn turn(n: usize, text: Option<&str>, calls: &[(&str, &str, Value)]) -> Value {
    let mut parts = Vec::new();
    if let Some(t) = text {
        parts.push(json!({"text": t}));
    }
    for (i, (id, name, args)) in calls.iter().enumerate() {
        let mut p = json!({"functionCall": {"id": id, "name": name, "args": args}});
        if i == 0 {
            p["thoughtSignature"] = json!(format!("c2lnbmF0dXJl-{n}"));
        }
        parts.push(p);
    }
    json!({
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 1800, "candidatesTokenCount": 30, "thoughtsTokenCount": 60, "totalTokenCount": 1890},
        "modelVersion": MODEL
    })
}

/// The grid value that lands on `pixel` of a side `len` long (`⌊v · len / 1000⌋ == pixel`).
fn grid(pixel: u32, len: u32) -> u32 {
    (pixel * 1000).div_ceil(len)
}

/// Checks what every request must carry. `turns` are the model turns answered so far.
fn check(req: &Received, i: usize, turns: &[Value], key: &str, shot: Size, p: &mut Vec<String>) {
    let mut expect = |ok: bool, what: String| {
        if !ok {
            p.push(what);
        }
    };
    expect(
        req.method == "POST" && req.path == format!("/v1beta/models/{MODEL}:generateContent"),
        format!("{} {}", req.method, req.path),
    );
    expect(!req.path.contains("key="), "a key in the URL".into());
    expect(
        req.headers.get("x-goog-api-key").map(String::as_str) == Some(key),
        "x-goog-api-key".into(),
    );
    let b = &req.body;
    expect(
        b["tools"] == json!([{"computerUse": {"environment": "ENVIRONMENT_DESKTOP"}}]),
        format!("tools {}", b["tools"]),
    );
    let contents = b["contents"].as_array().cloned().unwrap_or_default();
    expect(
        contents.len() == 1 + 2 * i,
        format!("{} contents, not {}", contents.len(), 1 + 2 * i),
    );
    let png_ok = |v: &Value| {
        let data = v["inlineData"]["data"].as_str().unwrap_or("");
        v["inlineData"]["mimeType"] == "image/png"
            && base64::engine::general_purpose::STANDARD
                .decode(data)
                .ok()
                .and_then(|b| deskhand_vision::Frame::from_png(&b).ok())
                .is_some_and(|f| f.width() == shot.width && f.height() == shot.height)
    };
    // Screenshots only in the last three user turns (the default `keep_screenshots`).
    let with_images = contents
        .iter()
        .filter(|c| c["role"] == "user" && c.to_string().contains("inlineData"))
        .count();
    expect(
        with_images == (i + 1).min(3),
        format!("{with_images} user turns with screenshots"),
    );
    let first = &contents[0]["parts"];
    if i == 0 {
        expect(
            contents[0]["role"] == "user" && first[0]["text"].is_string() && png_ok(&first[1]),
            "first user content: the task and a PNG of the expected size".into(),
        );
        return;
    }
    for (k, t) in turns.iter().take(i).enumerate() {
        expect(
            contents.get(1 + 2 * k) == Some(&t["candidates"][0]["content"]),
            format!("model turn {k} not echoed verbatim"),
        );
    }
    let Some(prev) = turns.get(i - 1) else { return };
    let calls: Vec<&Value> = prev["candidates"][0]["content"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.get("functionCall"))
        .collect();
    let last = &contents[2 * i];
    let responses: Vec<&Value> = last["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.get("functionResponse"))
        .collect();
    expect(
        last["role"] == "user" && responses.len() == calls.len(),
        format!("{} responses to {} calls", responses.len(), calls.len()),
    );
    for (c, r) in calls.iter().zip(&responses) {
        expect(
            r["name"] == c["name"] && r["id"] == c["id"],
            format!("response {r} to call {c}"),
        );
        expect(
            r["response"]["url"] == "",
            format!("url in {}", r["response"]),
        );
        expect(
            r["parts"]
                .as_array()
                .is_some_and(|ps| ps.len() == 1 && png_ok(&ps[0])),
            format!("screenshot in the response to {}", c["name"]),
        );
    }
}

fn server(turns: Vec<Value>, key: String, shot: Size) -> MockServer {
    MockServer::start(Box::new(move |req, i, problems| {
        check(req, i, &turns, &key, shot, problems);
        Reply::json(
            turns
                .get(i)
                .unwrap_or(&turn(99, Some("Nothing more."), &[])),
        )
    }))
}

fn run(server: &MockServer, key: &str, display: &str, out: &Path, extra: &[&str]) -> Command {
    let mut head = vec!["write the file", "--policy", "gemini", "--model", MODEL];
    head.extend_from_slice(extra);
    let mut cmd = model_run(&head, &server.url, display, out);
    cmd.env("GEMINI_API_KEY", key)
        .env_remove("GEMINI_BASE_URL")
        .env_remove("GOOGLE_API_KEY")
        .stdin(Stdio::null());
    cmd
}

/// Asserts that `key` is nowhere under `dir` nor in the outputs.
fn key_nowhere(key: &str, dir: &Path, out: &std::process::Output) {
    support::assert_secret_nowhere(key, dir, &[&out.stdout, &out.stderr]);
}

/// The scripted episode on a real xterm: click it, then (two parallel calls) type a command
/// and press Enter, then finish.
fn xterm_episode(
    display: &deskhand::display::Display,
    target: &Path,
    run_dir: &Path,
    key: &str,
) -> (MockServer, std::process::Output) {
    let screen = Size::new(1280, 800);
    let shot = fit_long_edge(screen, DEFAULT_LONG_EDGE);
    let command = format!("printf 'gemini %s\\n' ok > {}", target.display());
    let turns = vec![
        turn(
            0,
            Some("Click the terminal."),
            &[(
                "c1",
                "click",
                json!({"x": grid(300, 1280), "y": grid(200, 800), "intent": "focus"}),
            )],
        ),
        turn(
            1,
            None,
            &[
                ("c2", "type", json!({"text": command})),
                ("c3", "press_key", json!({"key": "ENTER"})),
            ],
        ),
        turn(2, Some("Written."), &[]),
    ];
    let server = server(turns, key.to_owned(), shot);
    let out = run(&server, key, display.name(), run_dir, &[])
        .output()
        .unwrap();
    (server, out)
}

#[test]
fn an_episode_on_a_real_xterm_completes_and_never_writes_the_key() {
    let display = display(1280, 800);
    let (mut xterm, _) = display
        .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
        .expect("xterm shows a window");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("from-gemini.txt");
    let key = key("episode");
    let run_dir = dir.path().join("run");
    let (server, out) = xterm_episode(&display, &target, &run_dir, &key);
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
    assert_eq!(String::from_utf8(bytes).unwrap(), "gemini ok\n");
    let events = json_events(&out.stdout);
    let end = events.last().unwrap();
    assert_eq!(end["status"], "done", "{end}");
    assert!(stdout.contains("Click the terminal."));
    key_nowhere(&key, &run_dir, &out);
    let calls = std::fs::read_to_string(run_dir.join("model_calls.jsonl")).unwrap();
    assert_eq!(calls.lines().count(), 3);
    assert!(calls.contains("<image sha256:") && !calls.contains("iVBOR"));
    let _ = xterm.kill();
    let _ = xterm.wait();
}

fn clicks_land(width: u32, height: u32) {
    let display = display(width, height);
    let pad = Clickpad::start(&display, width, height);
    let targets = [
        (300, 200),
        (width / 2, height / 2),
        (width - 3, height - 2),
        (683 % width, 384 % height),
    ];
    let calls: Vec<(String, Value)> = targets
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| {
            (
                format!("k{i}"),
                json!({"x": grid(x, width), "y": grid(y, height)}),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str, Value)> = calls
        .iter()
        .map(|(id, a)| (id.as_str(), "click", a.clone()))
        .collect();
    let turns = vec![turn(0, None, &borrowed), turn(1, Some("Clicked."), &[])];
    let shot = fit_long_edge(Size::new(width, height), DEFAULT_LONG_EDGE);
    let key = key(&format!("clicks{width}"));
    let server = server(turns, key.clone(), shot);
    let dir = tempfile::tempdir().unwrap();
    let out = run(&server, &key, display.name(), &dir.path().join("run"), &[])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    let got = pad.presses(targets.len(), Duration::from_secs(10));
    // The pixel a grid value names: ⌊v · len / 1000⌋ (at 1920 wide one grid step is 1.92
    // pixels, so not every pixel has a grid value: the nearest one at or after it is aimed at).
    let at = |v: u32, len: u32| i64::from(v * len / 1000);
    let want: Vec<(String, i64, i64)> = targets
        .iter()
        .map(|&(x, y)| {
            let (px, py) = (at(grid(x, width), width), at(grid(y, height), height));
            assert!(px - i64::from(x) < 2 && py - i64::from(y) < 2);
            ("left".to_owned(), px, py)
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn clicks_land_on_the_pixel_at_1280x800() {
    clicks_land(1280, 800);
}

#[test]
fn clicks_land_on_the_pixel_at_1366x768() {
    clicks_land(1366, 768);
}

#[test]
fn clicks_land_on_the_pixel_at_1920x1080() {
    clicks_land(1920, 1080);
}

#[test]
fn a_safety_decision_without_a_person_stops_the_run_with_nothing_performed() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let key = key("safety");
    let turns = vec![turn(
        0,
        Some("Buying."),
        &[(
            "s1",
            "click",
            json!({"x": 500, "y": 500, "safety_decision": {"decision": "require_confirmation", "explanation": "This completes a purchase."}}),
        )],
    )];
    let server = server(
        turns,
        key.clone(),
        fit_long_edge(Size::new(1280, 800), DEFAULT_LONG_EDGE),
    );
    let run_dir = dir.path().join("run");
    let out = run(&server, &key, display.name(), &run_dir, &[])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let events = json_events(&out.stdout);
    assert!(
        events.iter().all(|e| e["type"] != "action"),
        "an action was performed"
    );
    let end = events.last().unwrap();
    assert_eq!(end["status"], "stopped");
    let msg = end["message"].as_str().unwrap();
    assert!(
        msg.contains("This completes a purchase.") && msg.contains("nobody confirmed"),
        "{msg}"
    );
    assert_eq!(server.count(), 1);
    key_nowhere(&key, &run_dir, &out);
}

#[test]
fn a_429_with_retry_delay_is_retried_after_that_delay() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let key = key("ratelimit");
    let shot = fit_long_edge(Size::new(1280, 800), DEFAULT_LONG_EDGE);
    let times = Arc::new(Mutex::new(Vec::new()));
    let seen = times.clone();
    let k = key.clone();
    let server = MockServer::start(Box::new(move |req, i, problems| {
        seen.lock().unwrap().push(Instant::now());
        check(req, 0, &[], &k, shot, problems);
        if i == 0 {
            Reply::error(
                429,
                &json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                    "message": "You exceeded your current quota.",
                    "details": [
                        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests", "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
                        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}]}}),
            )
        } else {
            Reply::json(&turn(0, Some("Nothing to do."), &[]))
        }
    }));
    let run_dir = dir.path().join("run");
    let out = run(&server, &key, display.name(), &run_dir, &[])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    let t = times.lock().unwrap().clone();
    assert_eq!(t.len(), 2);
    assert!(
        t[1] - t[0] >= Duration::from_millis(1500),
        "{:?}",
        t[1] - t[0]
    );

    // A per-day quota is not retried: it will not clear by waiting.
    let day = MockServer::start(Box::new(|_, _, _| {
        Reply::error(
            429,
            &json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Quota exceeded for the day.",
                "details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]},
                            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}]}}),
        )
    }));
    let out = run(&day, &key, display.name(), &dir.path().join("day"), &[])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(day.count(), 1);
    let end = json_events(&out.stdout).pop().unwrap();
    assert!(
        end["message"]
            .as_str()
            .unwrap()
            .contains("Quota exceeded for the day."),
        "{end}"
    );
    key_nowhere(&key, &dir.path().join("day"), &out);

    // A 400 shows Google's own message.
    let bad = MockServer::start(Box::new(|_, _, _| {
        Reply::error(
            400,
            &json!({"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "API key not valid. Please pass a valid API key."}}),
        )
    }));
    let out = run(&bad, &key, display.name(), &dir.path().join("bad"), &[])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let end = json_events(&out.stdout).pop().unwrap();
    assert!(
        end["message"]
            .as_str()
            .unwrap()
            .contains("API key not valid"),
        "{end}"
    );
    key_nowhere(&key, &dir.path().join("bad"), &out);
}

#[test]
fn malformed_calls_go_back_to_the_model_as_errors_and_are_never_performed() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let key = key("malformed");
    let shot = fit_long_edge(Size::new(1280, 800), DEFAULT_LONG_EDGE);
    let malformed = json!({"candidates": [{"content": {"role": "model", "parts": []}, "finishReason": "MALFORMED_FUNCTION_CALL"}],
                           "usageMetadata": {"promptTokenCount": 1800}});
    let turns = [
        malformed,
        turn(
            0,
            None,
            &[
                ("m1", "clik", json!({"x": 1, "y": 1})),
                ("m2", "click", json!({"x": 500, "y": 500})),
            ],
        ),
        turn(1, Some("Giving up."), &[]),
    ];
    let k = key.clone();
    let server = MockServer::start(Box::new(move |req, i, problems| {
        let contents = req.body["contents"].as_array().cloned().unwrap_or_default();
        // The empty malformed answer is asked again unchanged; then the bad calls are answered.
        let want = [1, 1, 3][i.min(2)];
        if contents.len() != want {
            problems.push(format!("{} contents, not {want}", contents.len()));
        }
        if req.headers.get("x-goog-api-key") != Some(&k) {
            problems.push("key".into());
        }
        if i == 2 {
            if contents[1] != turns[1]["candidates"][0]["content"] {
                problems.push("model turn not echoed".into());
            }
            let r = &contents[2]["parts"];
            let first = &r[0]["functionResponse"];
            let second = &r[1]["functionResponse"];
            if !(first["id"] == "m1"
                && first["name"] == "clik"
                && first["response"]["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("unknown function")))
            {
                problems.push(format!("first response {first}"));
            }
            if !(second["id"] == "m2"
                && second["response"]["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("not executed")))
            {
                problems.push(format!("second response {second}"));
            }
            if r.as_array().map(Vec::len) != Some(2) {
                problems.push("response count".into());
            }
        }
        let _ = shot;
        Reply::json(&turns[i.min(2)])
    }));
    let run_dir = dir.path().join("run");
    let out = run(&server, &key, display.name(), &run_dir, &[])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(server.count(), 3);
    let events = json_events(&out.stdout);
    assert!(
        events
            .iter()
            .filter(|e| e["type"] == "action")
            .all(|e| e["action"]["type"] != "click"),
        "a click was performed"
    );
    key_nowhere(&key, &run_dir, &out);
}

#[test]
fn a_recorded_gemini_run_replays_offline() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("replayed.txt");
    let key = key("replay");
    let first = dir.path().join("first");
    {
        let display = display(1280, 800);
        let (mut xterm, _) = display
            .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
            .unwrap();
        let (server, out) = xterm_episode(&display, &target, &first, &key);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(server.problems(), Vec::<String>::new());
        wait_file(&target, Duration::from_secs(10), |b| b == b"gemini ok\n").expect("ran");
        let _ = xterm.kill();
        let _ = xterm.wait();
    }
    std::fs::remove_file(&target).unwrap();
    let display = display(1280, 800);
    let (mut xterm, _) = display
        .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
        .unwrap();
    let second = dir.path().join("second");
    let out = deskhand()
        .env_remove("GEMINI_API_KEY")
        .env_remove("GOOGLE_API_KEY")
        .args(["run", "--policy", "replay", "--replay-from"])
        .arg(&first)
        .args(["--display", display.name(), "--json", "--out"])
        .arg(&second)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_file(&target, Duration::from_secs(10), |b| b == b"gemini ok\n")
        .expect("the replay ran the command again");
    let trajectory = std::fs::read_to_string(second.join("trajectory.jsonl")).unwrap();
    let meta: Value = serde_json::from_str(trajectory.lines().next().unwrap()).unwrap();
    assert_eq!(meta["policy"]["name"], "replay");
    assert_eq!(meta["policy"]["provider"], "gemini");
    assert_eq!(json_events(&out.stdout).last().unwrap()["status"], "done");
    let _ = xterm.kill();
    let _ = xterm.wait();
}

fn trajectory(run: &Path) -> Vec<Value> {
    std::fs::read_to_string(run.join("trajectory.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn a_killed_gemini_run_resumes_with_its_contents_and_no_call_paid_twice() {
    let display = display(1024, 700);
    let (mut xterm, _) = display
        .launch("xterm -geometry 100x30+0+0", Duration::from_secs(20))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    support::shell_ready(&display, dir.path());

    let file = dir.path().join("out.txt");
    let mut turns: Vec<Value> = ["a", "b", "c", "d"]
        .iter()
        .enumerate()
        .map(|(i, w)| {
            turn(
                i,
                None,
                &[(
                    &format!("t{i}"),
                    "type",
                    json!({"text": format!("echo {w} >> {}", file.display()), "press_enter": true}),
                )],
            )
        })
        .collect();
    turns.push(turn(4, Some("Done."), &[]));
    let key = key("resume");
    let shot = fit_long_edge(Size::new(1024, 700), DEFAULT_LONG_EDGE);
    let script = turns.clone();
    let k = key.clone();
    let server = MockServer::start(Box::new(move |req, i, problems| {
        check(req, i, &script, &k, shot, problems);
        Reply::json(&script[i.min(4)])
    }));
    let run_dir = dir.path().join("run");
    let mut child = run(&server, &key, display.name(), &run_dir, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let killed = support::wait_until(Duration::from_secs(30), || {
        trajectory(&run_dir)
            .iter()
            .any(|e| e["type"] == "input_sent" && e["step"] == 2)
            .then_some(())
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(killed.is_some(), "the run never reached step 2");
    let calls_before = server.count();

    let out = support::resume(&run_dir, display.name(), &[("GEMINI_API_KEY", &key)]);
    support::assert_file_becomes(&file, b"a\nb\nc\nd\n");
    assert_eq!(server.problems(), Vec::<String>::new());
    assert_eq!(calls_before, 2);
    assert_eq!(server.count(), 5);
    assert_eq!(
        std::fs::read_to_string(run_dir.join("model_calls.jsonl"))
            .unwrap()
            .lines()
            .count(),
        5
    );
    assert_eq!(trajectory(&run_dir).last().unwrap()["status"], "done");
    key_nowhere(&key, &run_dir, &out);
    let _ = xterm.kill();
    let _ = xterm.wait();
}

#[test]
fn server_errors_and_cut_off_bodies_are_retried() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let key = key("faults");
    let done = turn(0, Some("Nothing to do."), &[]);
    let server = MockServer::start(Box::new(move |_, i, _| match i {
        0 => Reply::error(
            503,
            &json!({"error": {"code": 503, "status": "UNAVAILABLE", "message": "The model is overloaded."}}),
        ),
        1 => Reply {
            cut_at: Some(20),
            ..Reply::json(&done)
        },
        _ => Reply::json(&done),
    }));
    let run_dir = dir.path().join("run");
    let out = run(&server, &key, display.name(), &run_dir, &[])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.count(), 3);
    assert_eq!(json_events(&out.stdout).last().unwrap()["status"], "done");
    key_nowhere(&key, &run_dir, &out);
}

#[test]
fn the_cost_cap_counts_gemini_prices() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let key = key("cost");
    // 1800 prompt tokens at $1.50/M and 90 output at $9/M: $0.00351 a call.
    let server = MockServer::start(Box::new(|_, i, _| {
        Reply::json(&turn(
            i,
            None,
            &[("w", "move", json!({"x": 10 + i, "y": 10}))],
        ))
    }));
    let out = run(
        &server,
        &key,
        display.name(),
        &dir.path().join("run"),
        &["--max-cost", "0.005"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(server.count(), 2);
    let end = json_events(&out.stdout).pop().unwrap();
    assert_eq!(end["status"], "stopped");
    assert!(
        end["message"].as_str().unwrap().contains("cost cap"),
        "{end}"
    );
}
