//! Record/replay of model calls: a run against the local Messages API server records every
//! exchange in its run directory (with no key and no inline images); `--policy replay` then
//! reruns it offline on a fresh display, with no server at all, and reaches the same end state.
//! A request the recording cannot answer is a hard error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use deskhand_actions::{DEFAULT_LONG_EDGE, Size, anthropic_target, fit_long_edge};
use serde_json::{Value, json};
use std::time::Duration;
use support::http_server::{MockServer, Reply};
use support::{deskhand, display, model_run, wait_file};

fn tool_use(id: &str, input: Value) -> Value {
    json!({"id": format!("msg_{id}"), "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
           "content": [{"type": "tool_use", "id": id, "name": "computer", "input": input}],
           "stop_reason": "tool_use", "usage": {"input_tokens": 100, "output_tokens": 10}})
}

#[test]
fn a_recorded_model_run_replays_offline_to_the_same_end_state() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("replayed.txt");
    let scaled = fit_long_edge(anthropic_target(Size::new(1280, 800)), DEFAULT_LONG_EDGE);
    let (mx, my) = (
        300 * i64::from(scaled.width) / 1280,
        200 * i64::from(scaled.height) / 800,
    );
    let command = format!("echo run >> {}\n", target.display());
    let turns = [
        tool_use(
            "toolu_1",
            json!({"action": "left_click", "coordinate": [mx, my]}),
        ),
        tool_use("toolu_2", json!({"action": "type", "text": command})),
        json!({"id": "msg_3", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
               "content": [{"type": "text", "text": "Done."}], "stop_reason": "end_turn",
               "usage": {"input_tokens": 100, "output_tokens": 3}}),
    ];
    let server = MockServer::start(Box::new(move |_, i, _| Reply::json(&turns[i.min(2)])));

    // 1. The recorded run, against the server.
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
                "claude-sonnet-4-5",
            ],
            &server.url,
            display.name(),
            &first,
        )
        .env("ANTHROPIC_API_KEY", "sk-ant-record-me-not")
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        wait_file(&target, Duration::from_secs(10), |b| b == b"run\n")
            .expect("first run wrote the file");
        let _ = xterm.kill();
        let _ = xterm.wait();
    }
    let calls = std::fs::read_to_string(first.join("model_calls.jsonl")).unwrap();
    assert_eq!(calls.lines().count(), 3);
    assert!(
        !calls.contains("sk-ant-record-me-not"),
        "the key was recorded"
    );
    assert!(
        calls.contains("<image sha256:"),
        "images are recorded by digest"
    );
    assert!(!calls.contains("iVBOR"), "an image was recorded inline");

    // 2. The replay: a fresh display, no server, no key.
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
    wait_file(&target, Duration::from_secs(10), |b| b == b"run\nrun\n")
        .expect("the replay ran the command again");
    let meta: Value = serde_json::from_str(
        std::fs::read_to_string(second.join("trajectory.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(meta["policy"]["name"], "replay");
    assert_eq!(meta["policy"]["provider"], "anthropic");
    let _ = xterm.kill();
    let _ = xterm.wait();

    // 3. A different request (another instruction) is a miss, and a hard error.
    let third = dir.path().join("third");
    let out = deskhand()
        .args([
            "run",
            "something else",
            "--policy",
            "replay",
            "--replay-from",
        ])
        .arg(&first)
        .args(["--display", display.name(), "--json", "--out"])
        .arg(&third)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let end: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(end["status"], "error");
    assert!(
        end["message"].as_str().unwrap().contains("replay miss"),
        "{end}"
    );
}
