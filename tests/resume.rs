//! `deskhand resume` end to end: a run on a real xterm is killed with SIGKILL at many points
//! (between `action` and `action_result` among them), then resumed; every time the task is
//! completed and the trajectory holds every step and action exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use support::{deskhand, display};

const WORDS: [&str; 6] = ["one", "two", "three", "four", "five", "six"];

fn script(file: &Path) -> String {
    let mut actions: Vec<Value> = WORDS
        .iter()
        .map(|w| {
            serde_json::json!({"type": "type_text", "text": format!("echo {w} >> {}\n", file.display())})
        })
        .collect();
    actions.push(serde_json::json!({"type": "done", "message": "six lines"}));
    serde_json::to_string_pretty(&actions).unwrap()
}

fn lines(run: &Path) -> Vec<Value> {
    std::fs::read_to_string(run.join("trajectory.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Every decision once, every action announced once and resolved once, seq without gaps.
fn check_exactly_once(run: &Path, at: usize) {
    let evs = lines(run);
    for (i, e) in evs.iter().enumerate() {
        assert_eq!(e["seq"], i as u64, "kill at {at}: seq gap at line {i}");
    }
    let mut turns: BTreeMap<u64, usize> = BTreeMap::new();
    let mut announced: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    let mut resolved: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    for e in &evs {
        let step = e["step"].as_u64().unwrap_or(0);
        match e["type"].as_str().unwrap() {
            "model_turn" => *turns.entry(step).or_default() += 1,
            "action" => {
                *announced
                    .entry((step, e["index"].as_u64().unwrap()))
                    .or_default() += 1
            }
            "action_result" => {
                *resolved
                    .entry((step, e["index"].as_u64().unwrap()))
                    .or_default() += 1
            }
            _ => {}
        }
    }
    assert_eq!(turns.len(), 7, "kill at {at}: decisions {turns:?}");
    assert!(turns.values().all(|&n| n == 1), "kill at {at}: {turns:?}");
    assert!(
        announced.values().all(|&n| n == 1),
        "kill at {at}: {announced:?}"
    );
    assert_eq!(
        announced.keys().collect::<Vec<_>>(),
        resolved.keys().collect::<Vec<_>>()
    );
    assert!(
        resolved.values().all(|&n| n == 1),
        "kill at {at}: {resolved:?}"
    );
    assert_eq!(evs.first().unwrap()["type"], "session_meta");
    let end = evs.last().unwrap();
    assert_eq!(end["type"], "session_end", "kill at {at}");
    assert_eq!(end["status"], "done", "kill at {at}: {end}");
    assert_eq!(evs.iter().filter(|e| e["type"] == "resume").count(), 1);
}

/// A display with an xterm whose shell is ready for input, and a temporary folder.
fn xterm_shell(
    width: u32,
    height: u32,
    geometry: &str,
) -> (
    deskhand::display::Display,
    std::process::Child,
    tempfile::TempDir,
) {
    let d = display(width, height);
    let (xterm, _) = d
        .launch(
            &format!("xterm -geometry {geometry}"),
            Duration::from_secs(30),
        )
        .expect("xterm shows a window");
    let root = tempfile::tempdir().unwrap();
    support::shell_ready(&d, root.path());
    (d, xterm, root)
}

#[test]
fn a_run_killed_at_any_point_resumes_to_the_same_end_with_every_step_once() {
    let (d, mut xterm, root) = xterm_shell(1024, 700, "100x30+0+0");
    // Line counts to kill at: 1 session_meta, then per step observation, model_turn, action,
    // input_sent, action_result. 4, 5, 9, 10, … fall between an action and its result.
    let points = [
        2usize, 3, 4, 5, 6, 8, 9, 10, 14, 15, 16, 19, 20, 24, 25, 29, 30, 33, 34, 35,
    ];
    let mut killed_after: BTreeSet<String> = BTreeSet::new();
    let mut between = 0;
    let mut resumed_after: BTreeSet<String> = BTreeSet::new();
    let mut asked = 0;
    for (i, &at) in points.iter().enumerate() {
        let dir = root.path().join(format!("kill-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("out.txt");
        let script_path = dir.join("script.json");
        std::fs::write(&script_path, script(&file)).unwrap();
        let run = dir.join("run");
        let mut child = deskhand()
            .args([
                "run",
                "--policy",
                "script",
                "--display",
                d.name(),
                "--script",
            ])
            .arg(&script_path)
            .arg("--out")
            .arg(&run)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill -9 as soon as the trajectory has `at` lines (polled every millisecond: the
        // steps of a script come quickly).
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let reached = loop {
            let n = std::fs::read(run.join("trajectory.jsonl"))
                .map(|b| b.iter().filter(|&&c| c == b'\n').count())
                .unwrap_or(0);
            if n >= at {
                break Some(n);
            }
            if std::time::Instant::now() > deadline {
                break None;
            }
            std::thread::park_timeout(Duration::from_millis(1));
        };
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(reached.is_some(), "the run never wrote {at} lines");
        let evs = lines(&run);
        let last = evs.last().unwrap();
        killed_after.insert(format!(
            "{} of step {}",
            last["type"].as_str().unwrap(),
            last["step"]
        ));
        if last["type"] == "action" || last["type"] == "input_sent" {
            between += 1;
        }
        if last["type"] == "session_end" {
            continue; // finished before the kill landed
        }
        resumed_after.insert(format!(
            "{} of step {}",
            last["type"].as_str().unwrap(),
            last["step"]
        ));

        let resume = |extra: &[&str]| {
            deskhand()
                .args(["resume"])
                .arg(&run)
                .args(["--display", d.name(), "--json"])
                .args(extra)
                .stdin(Stdio::null())
                .output()
                .unwrap()
        };
        let mut out = resume(&[]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() && stderr.contains("--cut-off-action") {
            // Killed while the keys went out: resume asks. Answer as a person would, by
            // looking: the command ran (its line is in the file), or it is half typed at the
            // prompt (clear it, and have it typed again).
            asked += 1;
            let step = last["step"].as_u64().unwrap() as usize;
            let line = format!("{}\n", WORDS[step - 1]);
            let ran = std::fs::read_to_string(&file)
                .unwrap_or_default()
                .contains(&line);
            let answer = if ran {
                "done"
            } else {
                let clear = support::run_script(
                    &d,
                    r#"[{"type": "key", "keys": "ctrl+u"}, {"type": "done"}]"#,
                    &dir.join("clear"),
                );
                assert!(clear.status.success());
                "again"
            };
            out = resume(&["--cut-off-action", answer]);
        }
        assert!(
            out.status.success(),
            "kill at {at}: resume failed\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let want: String = WORDS.iter().map(|w| format!("{w}\n")).collect();
        let got = support::wait_file(&file, Duration::from_secs(10), |b| b == want.as_bytes());
        assert!(
            got.is_some(),
            "kill at {at} (after {:?}): the file holds {:?}\n{}",
            last["type"],
            std::fs::read_to_string(&file).unwrap_or_default(),
            std::fs::read_to_string(run.join("trajectory.jsonl")).unwrap_or_default()
        );
        check_exactly_once(&run, at);
    }
    let _ = xterm.kill();
    let _ = xterm.wait();
    assert!(
        resumed_after.len() >= 10,
        "only {} distinct kill points resumed from: {killed_after:?}",
        resumed_after.len()
    );
    assert!(
        between >= 3,
        "only {between} kills between action and action_result: {killed_after:?}"
    );
    eprintln!("kill points: {killed_after:?}; resume asked {asked} times");
}

#[test]
fn a_finished_run_is_not_resumed_and_a_gone_display_is_named() {
    let d = display(800, 600);
    let root = tempfile::tempdir().unwrap();
    let run = root.path().join("run");
    let out = support::run_script(&d, r#"[{"type": "done"}]"#, &run);
    assert!(out.status.success());
    let out = deskhand().arg("resume").arg(&run).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already finished"), "{err}");

    // Cut the end off, and take the display away.
    let text = std::fs::read_to_string(run.join("trajectory.jsonl")).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("session_end"))
        .collect();
    std::fs::write(run.join("trajectory.jsonl"), kept.join("\n") + "\n").unwrap();
    let name = d.name().to_owned();
    drop(d);
    let out = deskhand().arg("resume").arg(&run).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("display {name} is gone")), "{err}");
}

fn tool_use(id: &str, text: &str) -> Value {
    serde_json::json!({"id": format!("msg_{id}"), "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": format!("typing {id}")},
                    {"type": "tool_use", "id": id, "name": "computer",
                     "input": {"action": "type", "text": text}}],
        "stop_reason": "tool_use", "usage": {"input_tokens": 1000, "output_tokens": 20}})
}

#[test]
fn a_killed_model_run_resumes_with_its_conversation_and_no_call_paid_twice() {
    use support::http_server::{MockServer, Reply};
    let (d, mut xterm, root) = xterm_shell(1024, 700, "100x30+0+0");

    let file = root.path().join("out.txt");
    let mut turns: Vec<Value> = ["a", "b", "c", "d"]
        .iter()
        .enumerate()
        .map(|(i, w)| {
            tool_use(
                &format!("toolu_{i}"),
                &format!("echo {w} >> {}\n", file.display()),
            )
        })
        .collect();
    turns.push(
        serde_json::json!({"id": "msg_end", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5", "content": [{"type": "text", "text": "Done."}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 1000, "output_tokens": 3}}),
    );
    let server = MockServer::start(Box::new(move |req, i, problems| {
        // Request i carries the whole conversation so far: the instruction, then one
        // assistant turn and one tool result per earlier call.
        let n = req.body["messages"].as_array().map_or(0, Vec::len);
        if n != 1 + 2 * i {
            problems.push(format!("request {i} has {n} messages, not {}", 1 + 2 * i));
        }
        Reply::json(&turns[i.min(4)])
    }));

    let run = root.path().join("run");
    let mut child = support::model_run(
        &[
            "append four lines",
            "--policy",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
        ],
        &server.url,
        d.name(),
        &run,
    )
    .env("ANTHROPIC_API_KEY", "sk-ant-test")
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    // Kill -9 once the second action's input went out.
    let killed = support::wait_until(Duration::from_secs(30), || {
        lines(&run)
            .iter()
            .any(|e| e["type"] == "input_sent" && e["step"] == 2)
            .then_some(())
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(killed.is_some(), "the run never reached step 2");
    let calls_before = server.requests.lock().unwrap().len();

    let out = deskhand()
        .env("ANTHROPIC_API_KEY", "sk-ant-test")
        .args(["resume"])
        .arg(&run)
        .args(["--display", d.name(), "--json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let got = support::wait_file(&file, Duration::from_secs(10), |b| b == b"a\nb\nc\nd\n");
    assert!(
        got.is_some(),
        "the file holds {:?}",
        std::fs::read_to_string(&file).unwrap_or_default()
    );
    assert!(server.problems().is_empty(), "{:?}", server.problems());
    // Every call was paid once: the ones before the kill were answered from the recording.
    assert_eq!(calls_before, 2);
    assert_eq!(server.requests.lock().unwrap().len(), 5);
    let calls = std::fs::read_to_string(run.join("model_calls.jsonl")).unwrap();
    assert_eq!(calls.lines().count(), 5);
    // The budget went on: five turns of tokens, and steps counted from the recorded ones.
    let evs = lines(&run);
    let turns: Vec<&Value> = evs.iter().filter(|e| e["type"] == "model_turn").collect();
    assert_eq!(
        turns
            .iter()
            .map(|t| t["step"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let end = evs.last().unwrap();
    assert_eq!(end["status"], "done", "{end}");
    assert_eq!(end["steps"], 5);
    let _ = xterm.kill();
    let _ = xterm.wait();
}

fn signal(pid: u32, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} {pid}");
}

/// Keys that went out before the run died, but that the app has not drawn yet, are not missed.
/// The xterm is stopped (SIGSTOP) while the run types into it, so its keys wait unread, and the
/// trajectory is cut back to that step's `action`: the run looks as if it died while typing,
/// with the screen still showing nothing of it. The xterm is continued 600 ms after resume
/// starts (a stand-in for an app starved of CPU that long, not a synchronisation). A single
/// glance at the screen would see no change and type the line again; resume watches the
/// screen, sees the keys drawn, and asks.
#[test]
fn keys_drawn_late_are_seen_and_resume_asks_instead_of_typing_again() {
    let d = display(1024, 700);
    // `exec`: the child is the xterm itself, for the signals.
    let (mut xterm, _) = d
        .launch("exec xterm -geometry 100x30+0+0", Duration::from_secs(30))
        .expect("xterm shows a window");
    let root = tempfile::tempdir().unwrap();
    support::shell_ready(&d, root.path());
    let file = root.path().join("out.txt");
    let script_path = root.path().join("script.json");
    std::fs::write(
        &script_path,
        serde_json::json!([
            {"type": "type_text", "text": format!("echo two >> {}\n", file.display())},
            {"type": "done", "message": "one line"}
        ])
        .to_string(),
    )
    .unwrap();
    let run = root.path().join("run");
    signal(xterm.id(), "-STOP");
    let out = deskhand()
        .args(["run", "--policy", "script", "--display", d.name()])
        .args(["--script"])
        .arg(&script_path)
        .arg("--out")
        .arg(&run)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // Cut the trajectory back to the typing's `action`.
    let text = std::fs::read_to_string(run.join("trajectory.jsonl")).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .take_while(|l| !l.contains(r#""type":"input_sent""#))
        .collect();
    assert!(kept.last().unwrap().contains(r#""type":"action""#));
    std::fs::write(run.join("trajectory.jsonl"), kept.join("\n") + "\n").unwrap();

    let pid = xterm.id();
    let resume = deskhand()
        .args(["resume"])
        .arg(&run)
        .args(["--display", d.name(), "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    signal(pid, "-CONT");
    let out = resume.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("--cut-off-action"),
        "resume should have asked: {}\n{stderr}",
        out.status
    );
    // The line ran once, from the keys sent before the "death"; nothing was typed again.
    assert!(support::wait_file(&file, Duration::from_secs(10), |b| b == b"two\n").is_some());
    assert!(!lines(&run).iter().any(|e| e["type"] == "input_sent"));

    // Told that it went through, resume finishes the run without typing.
    let out = deskhand()
        .args(["resume"])
        .arg(&run)
        .args(["--display", d.name(), "--cut-off-action", "done"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let end = lines(&run).last().cloned().unwrap();
    assert_eq!(end["type"], "session_end");
    assert_eq!(end["status"], "done");
    assert_eq!(std::fs::read(&file).unwrap(), b"two\n");
    let _ = xterm.kill();
    let _ = xterm.wait();
}

/// A script killed during a long `wait` resumes with no terminal and no `--cut-off-action`:
/// the wait sends no input, so nothing is asked; it is waited for what is left of it, and
/// every later command runs exactly once.
#[test]
fn a_run_killed_during_a_long_wait_resumes_unattended() {
    let (d, mut xterm, root) = xterm_shell(1024, 700, "100x30+0+0");
    let file = root.path().join("out.txt");
    let echo = |w: &str| serde_json::json!({"type": "type_text", "text": format!("echo {w} >> {}\n", file.display())});
    // The shell prints a line half a second after the first command, while the wait runs: the
    // screen then differs from the step's observation, which made resume ask about the wait.
    let tick = root.path().join("tick");
    let script = serde_json::json!([
        {"type": "type_text", "text": format!(
            "echo before >> {}; (sleep 0.5; echo tick; touch {}) &\n",
            file.display(),
            tick.display()
        )},
        {"type": "wait", "ms": 6000},
        echo("after"),
        echo("last"),
        {"type": "done"}
    ]);
    let script_path = root.path().join("script.json");
    std::fs::write(&script_path, script.to_string()).unwrap();
    let run = root.path().join("run");
    let mut child = deskhand()
        .args(["run", "--policy", "script", "--json", "--display", d.name()])
        .arg("--script")
        .arg(&script_path)
        .arg("--out")
        .arg(&run)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once the wait is announced (its `action` line written, no result yet).
    let announced = support::wait_until(Duration::from_secs(30), || {
        lines(&run)
            .iter()
            .any(|e| e["type"] == "action" && e["action"]["type"] == "wait")
            .then_some(())
    });
    assert!(announced.is_some(), "the wait was never announced");
    child.kill().unwrap();
    child.wait().unwrap();
    let evs = lines(&run);
    assert_eq!(evs.last().unwrap()["type"], "action", "killed mid-wait");
    assert!(support::wait_file(&tick, Duration::from_secs(10), |_| true).is_some());

    let out = deskhand()
        .arg("resume")
        .arg(&run)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "resume asked or failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let want = "before\nafter\nlast\n";
    let got = support::wait_file(&file, Duration::from_secs(10), |b| b == want.as_bytes());
    assert!(
        got.is_some(),
        "the file holds {:?}",
        std::fs::read_to_string(&file).unwrap_or_default()
    );
    let evs = lines(&run);
    let resume = evs.iter().find(|e| e["type"] == "resume").unwrap();
    let msg = resume["message"].as_str().unwrap();
    assert!(msg.contains("sends no input: waiting the"), "{msg}");
    // The wait got exactly one result, and every action one announcement.
    let results = evs
        .iter()
        .filter(|e| e["type"] == "action_result" && e["step"] == 2)
        .count();
    assert_eq!(results, 1);
    assert_eq!(evs.last().unwrap()["status"], "done");
    let _ = xterm.kill();
}

/// A run recorded before `session_meta` held the policy's spec (`tests/fixtures/legacy-run`,
/// cut off after its first step) still resumes: the spec is made from its policy settings.
#[test]
fn a_run_recorded_before_specs_still_resumes() {
    let (d, mut xterm, root) = xterm_shell(640, 480, "80x24+0+0");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-run");
    let run = root.path().join("run");
    std::fs::create_dir_all(run.join("frames")).unwrap();
    std::fs::copy(
        fixture.join("frames/step-0001.png"),
        run.join("frames/step-0001.png"),
    )
    .unwrap();
    let file = root.path().join("out.txt");
    let script = root.path().join("s.json");
    std::fs::write(
        &script,
        serde_json::json!([
            {"type": "wait", "ms": 50},
            {"type": "type_text", "text": format!("echo legacy >> {}\n", file.display())},
            {"type": "done", "message": "one line"}
        ])
        .to_string(),
    )
    .unwrap();
    let text = std::fs::read_to_string(fixture.join("trajectory.jsonl")).unwrap();
    assert!(!text.contains("\"spec\""), "the fixture is a legacy run");
    std::fs::write(
        run.join("trajectory.jsonl"),
        text.replace("@SCRIPT@", &script.display().to_string()),
    )
    .unwrap();
    let out = deskhand()
        .arg("resume")
        .arg(&run)
        .args(["--display", d.name()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let got = support::wait_file(&file, Duration::from_secs(10), |b| b == b"legacy\n");
    assert!(got.is_some(), "{:?}", std::fs::read_to_string(&file));
    let evs = lines(&run);
    assert_eq!(evs.last().unwrap()["status"], "done");
    let _ = xterm.kill();

    // A legacy model run that lacks a setting it needs gets one sentence naming it.
    let bare = root.path().join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    let meta = text.lines().next().unwrap().replace(
        r#""name":"script","actions":3,"script":"@SCRIPT@""#,
        r#""name":"anthropic""#,
    );
    std::fs::write(bare.join("trajectory.jsonl"), format!("{meta}\n")).unwrap();
    let out = deskhand()
        .arg("resume")
        .arg(&bare)
        .args(["--display", d.name()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("recorded by an older deskhand and its session_meta lacks the policy's model"),
        "{err}"
    );
}
