//! `deskhand record` end to end: a "person" (XTEST input from this test process, waiting for the
//! screen to settle between actions as a person looks before acting) works in mousepad while the
//! recorder runs; the trajectory holds the coalesced actions, each after the frame it began on,
//! and replaying them on a fresh display saves the same file. Ctrl-C ends a recording with every
//! action kept.
//!
//! The replay goes through `deskhand replay RUN_DIR`: a demo becomes an automation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use deskhand::display::Display;
use deskhand::trajectory::{ActionStatus, EndStatus, Event, Loaded, load};
use deskhand_actions::{Action, Cancel, EnigoDriver, Hands};
use deskhand_vision::{ScreenSource, SettleOptions, ShmSource};
use pretty_assertions::assert_eq;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::{deskhand, display, wait_file, wait_until};

/// A running `deskhand record`, with its stderr lines.
struct Recorder {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Recorder {
    /// Starts recording `display` into `out` and waits for the ready line.
    fn start(display: &Display, out: &Path) -> Recorder {
        let mut child = deskhand()
            .args(["record", "--display", display.name(), "--out"])
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start deskhand record");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut rec = Recorder {
            child,
            lines,
            seen: Vec::new(),
        };
        assert!(
            rec.wait_line(Duration::from_secs(30), |l| l
                .starts_with("deskhand record: ready")),
            "no ready line: {:?}",
            rec.seen
        );
        rec
    }

    fn wait_line(&mut self, deadline: Duration, pred: impl Fn(&str) -> bool) -> bool {
        let until = Instant::now() + deadline;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = pred(&line);
                    self.seen.push(line);
                    if hit {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
        false
    }

    /// Waits for the recorder to exit; returns its status.
    fn wait_exit(&mut self, deadline: Duration) -> std::process::ExitStatus {
        let status = wait_until(deadline, || self.child.try_wait().unwrap());
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        status.unwrap_or_else(|| {
            let _ = self.child.kill();
            panic!("the recorder did not exit: {:?}", self.seen)
        })
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The person: real XTEST input, and eyes to wait for the screen to settle after each action.
struct Person {
    hands: Hands<EnigoDriver>,
    eyes: ShmSource,
}

impl Person {
    fn on(display: &Display) -> Person {
        Person {
            hands: Hands::new(EnigoDriver::connect(Some(display.name())).unwrap()),
            eyes: ShmSource::connect(Some(display.name())).unwrap(),
        }
    }

    /// Performs `action` and waits until the screen has settled, as a person would look.
    fn does(&mut self, action: &str) {
        let action: Action = serde_json::from_str(action).unwrap();
        let before = self.eyes.capture().unwrap();
        self.hands.perform(&action, &Cancel::new()).unwrap();
        deskhand_vision::settle(&mut self.eyes, Some(&before), &SettleOptions::default()).unwrap();
    }
}

/// The recorded steps: per step, the observation's frame hash, the action and its result.
fn steps(run: &Loaded) -> Vec<(String, Action, ActionStatus)> {
    let mut out: Vec<(String, Action, ActionStatus)> = Vec::new();
    let mut frame = None;
    let mut action = None;
    for r in &run.records {
        match &r.event {
            Event::Observation(o) => {
                assert!(run.dir.join(&o.frame.path).is_file(), "{}", o.frame.path);
                frame = Some(o.frame.sha256.clone());
            }
            Event::ModelTurn(t) => {
                assert_eq!(t.policy, "record");
                assert_eq!(t.actions.len(), 1);
            }
            Event::Action(a) => {
                assert_eq!(a.index, 0);
                action = Some(a.action.clone());
            }
            Event::ActionResult(res) => out.push((
                frame.take().expect("an observation before each action"),
                action.take().expect("an action before its result"),
                res.status,
            )),
            _ => {}
        }
    }
    out
}

fn session_end(run: &Loaded) -> deskhand::trajectory::SessionEnd {
    match &run.records.last().unwrap().event {
        Event::SessionEnd(end) => end.clone(),
        other => panic!("the last event is {other:?}, not session_end"),
    }
}

fn action(json: &str) -> Action {
    serde_json::from_str(json).unwrap()
}

// Characters the keyboard map lacks (ü, ß, ✓) are bound to spare keycodes by the typer as it
// goes: the recorder must follow those map changes to read them back.
const TYPED: &str = "Hello from the recorder: Grüße ✓\nsecond linee";
const SAVED: &str = "Hello from the recorder: Grüße ✓\nsecond line";

#[test]
fn a_recorded_mousepad_session_replays_to_the_same_file() {
    let recorded_on = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("recorded.txt");
    let (mut mousepad, _) = recorded_on
        .launch(
            &format!("mousepad '{}'", target.display()),
            Duration::from_secs(30),
        )
        .expect("mousepad shows a window");
    let run_dir = dir.path().join("run");
    let mut recorder = Recorder::start(&recorded_on, &run_dir);

    let mut person = Person::on(&recorded_on);
    // openbox centres mousepad's 640x480 window: its text area is around the screen's middle.
    person.does(r#"{"type":"click","x":640,"y":420}"#);
    person.does(&serde_json::json!({"type": "type_text", "text": TYPED}).to_string());
    person.does(r#"{"type":"key","keys":"BackSpace"}"#);
    person.does(r#"{"type":"key","keys":"ctrl+s"}"#);
    let saved = wait_file(&target, Duration::from_secs(10), |b| b == SAVED.as_bytes());
    assert!(saved.is_some(), "mousepad saved the text");
    person.does(r#"{"type":"key","keys":"ctrl+alt+q"}"#);

    let status = recorder.wait_exit(Duration::from_secs(30));
    assert!(status.success(), "{status}: {:?}", recorder.seen);
    let run = load(&run_dir).unwrap();
    assert!(run.torn.is_none());
    match &run.records[0].event {
        Event::SessionMeta(meta) => {
            assert_eq!(meta.policy.name, "record");
            assert_eq!(meta.policy.settings["stop_key"], "ctrl+alt+q");
            assert_eq!((meta.screen.width, meta.screen.height), (1280, 800));
            assert_eq!(meta.display, recorded_on.name());
        }
        other => panic!("first event {other:?}"),
    }
    let steps = steps(&run);
    let actions: Vec<Action> = steps.iter().map(|(_, a, _)| a.clone()).collect();
    assert_eq!(
        actions,
        vec![
            action(r#"{"type":"click","x":640,"y":420}"#),
            Action::TypeText {
                text: TYPED.to_owned()
            },
            action(r#"{"type":"key","keys":"BackSpace"}"#),
            action(r#"{"type":"key","keys":"ctrl+s"}"#),
        ],
        "stderr: {:?}",
        recorder.seen
    );
    assert!(steps.iter().all(|(_, _, s)| *s == ActionStatus::Ok));
    // The frame before BackSpace shows the typed text; the one before typing did not.
    assert_ne!(
        steps[1].0, steps[2].0,
        "each observation is the screen then"
    );
    let end = session_end(&run);
    assert_eq!(end.status, EndStatus::Done);
    assert_eq!(end.steps, 4);
    let _ = mousepad.kill();
    let _ = mousepad.wait();
    drop(recorded_on);

    // Replay on a fresh display with a fresh mousepad: the same file comes out.
    let replay_on = display(1280, 800);
    let replayed = dir.path().join("replayed.txt");
    let (mut mousepad, _) = replay_on
        .launch(
            &format!("mousepad '{}'", replayed.display()),
            Duration::from_secs(30),
        )
        .expect("mousepad shows a window");
    let out = deskhand()
        .arg("replay")
        .arg(&run_dir)
        .args(["--display", replay_on.name(), "--json", "--out"])
        .arg(dir.path().join("replay"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = wait_file(&replayed, Duration::from_secs(10), |b| !b.is_empty())
        .expect("the replay saved the file");
    assert_eq!(String::from_utf8_lossy(&bytes), SAVED);
    let _ = mousepad.kill();
    let _ = mousepad.wait();
}

#[test]
fn ctrl_c_ends_the_recording_with_every_action_kept() {
    let display = display(800, 600);
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let mut recorder = Recorder::start(&display, &run_dir);
    let mut person = Person::on(&display);
    person.does(r#"{"type":"click","x":100,"y":120,"button":"right"}"#);
    person.does(r#"{"type":"type_text","text":"abc"}"#);
    // The click is written once typing began; the text is still pending when Ctrl-C comes.
    assert!(
        recorder.wait_line(Duration::from_secs(10), |l| l.contains("step 1:")),
        "{:?}",
        recorder.seen
    );
    // SAFETY: signalling a child process this test started and still owns.
    let sent = unsafe { libc::kill(recorder.child.id() as i32, libc::SIGINT) };
    assert_eq!(sent, 0);
    let status = recorder.wait_exit(Duration::from_secs(30));
    assert!(status.success(), "{status}: {:?}", recorder.seen);

    let run = load(&run_dir).unwrap();
    let actions: Vec<Action> = steps(&run).into_iter().map(|(_, a, _)| a).collect();
    assert_eq!(
        actions,
        vec![
            action(r#"{"type":"click","x":100,"y":120,"button":"right"}"#),
            action(r#"{"type":"type_text","text":"abc"}"#),
        ]
    );
    let end = session_end(&run);
    assert_eq!(end.status, EndStatus::Stopped);
    assert_eq!(end.message.as_deref(), Some("interrupted by Ctrl-C"));
    assert_eq!(end.steps, 2);
}

#[test]
fn bad_input_gets_one_sentence_and_no_run_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("run");
    let fails = |args: &[&str]| {
        let out = deskhand()
            .arg("record")
            .args(args)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(!out_dir.exists(), "a run directory was made for bad input");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        stderr
    };
    let err = fails(&["--display", ":0", "--stop-key", "ctrl+nosuchkey"]);
    assert!(
        err.contains("--stop-key") && err.contains("nosuchkey"),
        "{err}"
    );
    let err = fails(&["--display", ":4242"]);
    assert!(err.contains(":4242"), "{err}");
}
