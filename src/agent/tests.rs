//! The loop tested in-process: a [`RecordingDriver`] for hands, a [`PngDirSource`] for eyes,
//! and the script policy or a small planned policy written here, with no X display.
//!
//! The loop measures its own time with `std::time` and performs `wait`/`hold_key` as
//! interruptible sleeps on the blocking pool, so a paused tokio clock does not shorten them;
//! `tokio::time::pause` is used where a policy's own time matters (a slow model call).

use super::{Agent, AgentConfig, AgentError, Op, Resumed, Running};
use crate::control::{self, ControlServer, Request};
use crate::policy::{Decide, Feedback, Policy, PolicyError, ScriptPolicy, Turn};
use crate::trajectory::{
    self, ActionStatus, EndStatus, Event, PolicyInfo, Record, SessionEnd, TRAJECTORY_FILE,
    TornLine, TrajectoryWriter, Usage,
};
use async_trait::async_trait;
use deskhand_actions::{Action, Button, InputEvent, Point, Press, RecordingDriver, Size};
use deskhand_vision::{Frame, PngDirSource, SettleOptions};
use pretty_assertions::assert_eq;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// The screen every test drives (and the size of its frames).
const SCREEN: Size = Size::new(320, 200);
/// How long a test waits for something the agent should do at once.
const DEADLINE: Duration = Duration::from_secs(30);
/// The longest `wait` an action may ask for (`deskhand_actions::action::MAX_MS`).
const LONG_MS: u64 = 100_000;

/// The one place an [`AgentConfig`] is built: no settle delay (the frames never change on
/// their own), a step limit no test reaches, no cost cap.
fn config() -> AgentConfig {
    AgentConfig {
        display: ":test".into(),
        screen: SCREEN,
        max_steps: 20,
        max_cost_usd: None,
        settle: SettleOptions {
            quiet: Duration::ZERO,
            reaction: Duration::ZERO,
            deadline: Duration::from_secs(1),
            poll: Duration::from_millis(1),
        },
        task: None,
        spec: None,
    }
}

/// A temporary directory with a screen (two PNG frames) and a run directory.
struct Bench {
    _tmp: tempfile::TempDir,
    frames: PathBuf,
    run: PathBuf,
    driver: RecordingDriver,
}

impl Bench {
    fn new() -> Bench {
        let tmp = tempfile::tempdir().unwrap();
        let frames = tmp.path().join("screen");
        std::fs::create_dir(&frames).unwrap();
        for (i, shade) in [40u8, 200].into_iter().enumerate() {
            let px = (SCREEN.width * SCREEN.height) as usize;
            let frame =
                Frame::from_rgba(SCREEN.width, SCREEN.height, [shade, 90, 30, 255].repeat(px))
                    .unwrap();
            std::fs::write(frames.join(format!("{i:04}.png")), frame.to_png().unwrap()).unwrap();
        }
        Bench {
            run: tmp.path().join("run"),
            frames,
            _tmp: tmp,
            driver: RecordingDriver::new(),
        }
    }

    fn with_driver(mut self, driver: RecordingDriver) -> Bench {
        self.driver = driver;
        self
    }

    fn agent(
        &self,
        config: AgentConfig,
        policy: impl Policy + 'static,
        writer: TrajectoryWriter,
    ) -> Agent<RecordingDriver> {
        let screen = PngDirSource::open(&self.frames).unwrap();
        Agent::new(
            config,
            Box::new(screen),
            self.driver.clone(),
            Box::new(policy),
            writer,
        )
    }

    fn start(&self, config: AgentConfig, policy: impl Policy + 'static) -> Running {
        let writer = TrajectoryWriter::create(&self.run).unwrap();
        self.agent(config, policy, writer).spawn()
    }

    /// The trajectory, which must be whole: no torn line, `session_meta` first, `session_end`
    /// (equal to `end`) last, `seq` counting from 0.
    fn records(&self, end: &SessionEnd) -> Vec<Record> {
        let loaded = trajectory::load(&self.run).unwrap();
        assert_eq!(loaded.torn, None);
        let records = loaded.records;
        assert!(
            matches!(records[0].event, Event::SessionMeta(_)),
            "{:?}",
            records[0]
        );
        assert_eq!(
            records.last().map(|r| &r.event),
            Some(&Event::SessionEnd(end.clone()))
        );
        let seqs: Vec<u64> = records.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, (0..records.len() as u64).collect::<Vec<_>>());
        records
    }
}

fn script(text: &str) -> ScriptPolicy {
    ScriptPolicy::parse(Path::new("test-script.json"), text, SCREEN).unwrap()
}

fn turn(actions: Vec<Action>) -> Turn {
    Turn {
        narration: None,
        actions,
        usage: None,
    }
}

fn costly(actions: Vec<Action>, cost_usd: f64) -> Turn {
    Turn {
        usage: Some(Usage {
            input_tokens: 1200,
            output_tokens: 40,
            cost_usd: Some(cost_usd),
        }),
        ..turn(actions)
    }
}

fn policy_error(message: &str) -> PolicyError {
    PolicyError::Fatal(message.into())
}

/// What a [`Planned`] policy was asked, one entry per call.
#[derive(Debug, Clone, PartialEq)]
struct Question {
    step: u32,
    user_messages: Vec<String>,
    feedback: Vec<Feedback>,
}

/// One answer of a [`Planned`] policy.
enum Reply {
    Now(Turn),
    /// The turn, once the test opens the gate.
    Gated(oneshot::Receiver<()>, Turn),
    /// The turn, after a model call this long (tokio time).
    Slow(Duration, Turn),
    Fail(String),
}

/// A policy answering from a plan, then with an empty turn (nothing more to do); it keeps
/// what it was asked.
struct Planned {
    replies: VecDeque<Reply>,
    asked: Arc<Mutex<Vec<Question>>>,
}

impl Planned {
    fn new(replies: impl IntoIterator<Item = Reply>) -> (Planned, Arc<Mutex<Vec<Question>>>) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let policy = Planned {
            replies: replies.into_iter().collect(),
            asked: asked.clone(),
        };
        (policy, asked)
    }
}

#[async_trait]
impl Policy for Planned {
    fn info(&self) -> PolicyInfo {
        PolicyInfo {
            name: "planned".into(),
            settings: serde_json::Map::new(),
        }
    }

    async fn decide(&mut self, input: Decide<'_>) -> Result<Turn, PolicyError> {
        self.asked.lock().unwrap().push(Question {
            step: input.step,
            user_messages: input.user_messages.to_vec(),
            feedback: input.feedback.to_vec(),
        });
        match self.replies.pop_front() {
            None => Ok(Turn::default()),
            Some(Reply::Now(t)) => Ok(t),
            Some(Reply::Gated(gate, t)) => {
                let _ = gate.await;
                Ok(t)
            }
            Some(Reply::Slow(d, t)) => {
                tokio::time::sleep(d).await;
                Ok(t)
            }
            Some(Reply::Fail(m)) => Err(policy_error(&m)),
        }
    }
}

/// The next event matching `want`, within [`DEADLINE`].
async fn until(
    events: &mut mpsc::UnboundedReceiver<Record>,
    what: &str,
    want: impl Fn(&Event) -> bool,
) -> Record {
    let found = tokio::time::timeout(DEADLINE, async {
        while let Some(r) = events.recv().await {
            if want(&r.event) {
                return Some(r);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(r)) => r,
        Ok(None) => panic!("the run ended before {what}"),
        Err(_) => panic!("no {what} within {DEADLINE:?}"),
    }
}

/// The run's end, within [`DEADLINE`].
async fn finish(done: JoinHandle<Result<SessionEnd, AgentError>>) -> SessionEnd {
    tokio::time::timeout(DEADLINE, done)
        .await
        .unwrap_or_else(|_| panic!("the run did not end within {DEADLINE:?}"))
        .unwrap()
        .unwrap()
}

/// Waits (polling, with [`DEADLINE`]) until `cond` holds.
async fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < DEADLINE, "{what} not within {DEADLINE:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn results(records: &[Record]) -> Vec<&trajectory::ActionResult> {
    records
        .iter()
        .filter_map(|r| match &r.event {
            Event::ActionResult(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn count(records: &[Record], kind: &str) -> usize {
    records.iter().filter(|r| r.event.kind() == kind).count()
}

fn stop(reason: &str) -> Op {
    Op::Stop {
        reason: reason.into(),
    }
}

#[tokio::test]
async fn a_stop_during_a_long_wait_interrupts_it_and_ends_stopped() {
    let bench = Bench::new();
    let policy = script(&format!(
        r#"[{{"type":"wait","ms":{LONG_MS}}}, {{"type":"type_text","text":"never"}}]"#
    ));
    let Running {
        ops,
        mut events,
        done,
    } = bench.start(config(), policy);
    let started = Instant::now();
    until(
        &mut events,
        "the wait's action event",
        |e| matches!(e, Event::Action(a) if matches!(a.action, Action::Wait { .. })),
    )
    .await;
    ops.send(stop("stop from the test")).unwrap();
    let end = finish(done).await;
    assert!(
        started.elapsed() < Duration::from_millis(LONG_MS),
        "the wait ran its course"
    );
    assert_eq!(
        (end.status, end.message.as_deref(), end.steps),
        (EndStatus::Stopped, Some("stop from the test"), 1)
    );
    let records = bench.records(&end);
    let result = results(&records);
    assert_eq!(result.len(), 1, "{result:?}");
    assert_eq!(
        (result[0].step, result[0].index, result[0].status),
        (1, 0, ActionStatus::Error)
    );
    assert_eq!(result[0].error.as_deref(), Some("interrupted"));
    assert!(result[0].duration_ms < LONG_MS, "{result:?}");
    assert_eq!(count(&records, "input_sent"), 0);
    assert_eq!(
        count(&records, "model_turn"),
        1,
        "the script was not asked again"
    );
    assert_eq!(bench.driver.calls(), 0, "{:?}", bench.driver.events());
}

#[tokio::test(start_paused = true)]
async fn a_stop_during_a_slow_model_call_ends_the_run_before_its_turn() {
    let bench = Bench::new();
    let late = turn(vec![Action::TypeText {
        text: "too late".into(),
    }]);
    // An hour of (paused, auto-advancing) tokio time: were the stop not heard during the
    // call, the clock would jump, the turn would come back and be typed.
    let (policy, asked) = Planned::new([Reply::Slow(Duration::from_secs(3600), late)]);
    let Running {
        ops,
        mut events,
        done,
    } = bench.start(config(), policy);
    until(&mut events, "the first observation", |e| {
        matches!(e, Event::Observation(_))
    })
    .await;
    ops.send(stop("stopped while thinking")).unwrap();
    let end = finish(done).await;
    assert_eq!(
        (end.status, end.message.as_deref(), end.steps),
        (EndStatus::Stopped, Some("stopped while thinking"), 1)
    );
    let records = bench.records(&end);
    assert_eq!(count(&records, "model_turn"), 0);
    assert_eq!(asked.lock().unwrap().len(), 1);
    assert_eq!(bench.driver.calls(), 0);
}

#[tokio::test]
async fn the_cost_cap_stops_before_the_next_model_call() {
    let bench = Bench::new();
    let (policy, asked) = Planned::new(
        (0..5).map(|i| Reply::Now(costly(vec![Action::Move { x: 10 + i, y: 10 }], 0.03))),
    );
    let config = AgentConfig {
        max_cost_usd: Some(0.05),
        ..config()
    };
    let end = finish(bench.start(config, policy).done).await;
    // 0.03 after the first call is under the cap, 0.06 after the second is over it.
    assert_eq!((end.status, end.steps), (EndStatus::Stopped, 2));
    let message = end.message.clone().unwrap_or_default();
    assert!(
        message.contains("cost cap") && message.contains("$0.0600"),
        "{message}"
    );
    assert_eq!(
        asked.lock().unwrap().len(),
        2,
        "a third model call was made"
    );
    let records = bench.records(&end);
    assert_eq!(count(&records, "model_turn"), 2);
    assert_eq!(count(&records, "observation"), 2);
    assert_eq!(
        bench.driver.events(),
        vec![
            InputEvent::Move(Point::new(10, 10)),
            InputEvent::Move(Point::new(11, 10))
        ]
    );
}

#[tokio::test]
async fn under_the_cost_cap_the_policy_runs_to_its_end() {
    let bench = Bench::new();
    let (policy, asked) = Planned::new(
        (0..3).map(|i| Reply::Now(costly(vec![Action::Move { x: 10 + i, y: 10 }], 0.03))),
    );
    let config = AgentConfig {
        max_cost_usd: Some(1.0),
        ..config()
    };
    let end = finish(bench.start(config, policy).done).await;
    assert_eq!((end.status, end.steps), (EndStatus::Done, 4));
    assert_eq!(asked.lock().unwrap().len(), 4);
    bench.records(&end);
}

#[tokio::test]
async fn an_off_screen_click_is_reported_fed_back_and_the_loop_goes_on() {
    let bench = Bench::new();
    let off = Action::Click {
        x: Some(5000),
        y: Some(10),
        button: Button::Left,
        count: 1,
        modifiers: vec![],
    };
    let (policy, asked) = Planned::new([
        Reply::Now(turn(vec![off.clone(), Action::Move { x: 1, y: 1 }])),
        Reply::Now(turn(vec![Action::Move { x: 10, y: 20 }])),
    ]);
    let end = finish(bench.start(config(), policy).done).await;
    assert_eq!((end.status, end.steps), (EndStatus::Done, 3));
    let records = bench.records(&end);

    let result = results(&records);
    assert_eq!(
        result
            .iter()
            .map(|r| (r.step, r.index, r.status))
            .collect::<Vec<_>>(),
        vec![(1, 0, ActionStatus::Error), (2, 0, ActionStatus::Ok)]
    );
    let error = result[0].error.clone().unwrap_or_default();
    assert!(error.contains("off the 320x200 screen"), "{error}");
    // The rest of the turn is dropped: no `action` for the move after the bad click.
    let announced: Vec<(u32, u32)> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Action(a) => Some((a.step, a.index)),
            _ => None,
        })
        .collect();
    assert_eq!(announced, vec![(1, 0), (2, 0)]);

    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 3);
    assert_eq!(
        asked[1],
        Question {
            step: 2,
            user_messages: vec![],
            feedback: vec![Feedback {
                action: off,
                error: Some(error),
            }],
        }
    );
    assert_eq!(
        asked[2].feedback,
        vec![Feedback {
            action: Action::Move { x: 10, y: 20 },
            error: None,
        }]
    );
    // Nothing of the click reached the driver.
    assert_eq!(
        bench.driver.events(),
        vec![InputEvent::Move(Point::new(10, 20))]
    );
}

#[tokio::test]
async fn a_failing_action_releases_every_held_key_and_button() {
    let ctrl_shift = deskhand_actions::parse_chord("ctrl+shift").unwrap();
    let (ctrl, shift) = (ctrl_shift[0], ctrl_shift[1]);
    // Calls: 0 left down (mouse_down), 1 ctrl down, 2 shift down, 3 shift up (fails).
    let bench = Bench::new().with_driver(RecordingDriver::new().fail_after(3));
    let policy = script(
        r#"[{"type":"mouse_down"},
            {"type":"hold_key","keys":"ctrl+shift","ms":1},
            {"type":"type_text","text":"never"}]"#,
    );
    let end = finish(bench.start(config(), policy).done).await;
    assert_eq!((end.status, end.steps), (EndStatus::Error, 3));
    let message = end.message.clone().unwrap_or_default();
    assert!(message.contains("script action #2"), "{message}");
    let records = bench.records(&end);
    let result = results(&records);
    assert_eq!(result.len(), 2);
    let error = result[1].error.clone().unwrap_or_default();
    assert!(error.contains("fails as asked"), "{error}");

    assert_eq!(bench.driver.held(), vec![]);
    assert_eq!(
        bench.driver.events(),
        vec![
            InputEvent::Button(Button::Left, Press::Down),
            InputEvent::Key(ctrl, Press::Down),
            InputEvent::Key(shift, Press::Down),
            // The failed release of shift is not recorded; everything is released again.
            InputEvent::Key(shift, Press::Up),
            InputEvent::Key(ctrl, Press::Up),
            InputEvent::Button(Button::Left, Press::Up),
        ]
    );
}

#[tokio::test]
async fn a_button_held_when_the_policy_fails_is_released() {
    let bench = Bench::new();
    let (policy, _) = Planned::new([
        Reply::Now(turn(vec![Action::MouseDown {
            button: Button::Right,
        }])),
        Reply::Fail("the model went away".into()),
    ]);
    let end = finish(bench.start(config(), policy).done).await;
    assert_eq!(
        (end.status, end.message.as_deref(), end.steps),
        (EndStatus::Error, Some("the model went away"), 2)
    );
    bench.records(&end);
    assert_eq!(bench.driver.held(), vec![]);
    assert_eq!(
        bench.driver.events(),
        vec![
            InputEvent::Button(Button::Right, Press::Down),
            InputEvent::Button(Button::Right, Press::Up),
        ]
    );
}

#[tokio::test]
async fn a_stop_during_hold_key_releases_the_chord() {
    let ctrl_alt = deskhand_actions::parse_chord("ctrl+alt").unwrap();
    let (ctrl, alt) = (ctrl_alt[0], ctrl_alt[1]);
    let bench = Bench::new();
    let policy = script(&format!(
        r#"[{{"type":"hold_key","keys":"ctrl+alt","ms":{LONG_MS}}}]"#
    ));
    let Running { ops, done, .. } = bench.start(config(), policy);
    let driver = bench.driver.clone();
    wait_until("both keys down", || driver.held().len() == 2).await;
    ops.send(stop("stop while holding")).unwrap();
    let end = finish(done).await;
    assert_eq!(
        (end.status, end.message.as_deref()),
        (EndStatus::Stopped, Some("stop while holding"))
    );
    let records = bench.records(&end);
    assert_eq!(results(&records)[0].error.as_deref(), Some("interrupted"));
    assert_eq!(bench.driver.held(), vec![]);
    assert_eq!(
        bench.driver.events(),
        vec![
            InputEvent::Key(ctrl, Press::Down),
            InputEvent::Key(alt, Press::Down),
            InputEvent::Key(alt, Press::Up),
            InputEvent::Key(ctrl, Press::Up),
        ]
    );
}

#[tokio::test]
async fn a_torn_last_line_is_skipped_by_the_loader_cut_by_reopen_and_the_run_goes_on() {
    let bench = Bench::new();
    let (policy, _) = Planned::new([Reply::Now(turn(vec![Action::Move { x: 5, y: 5 }]))]);
    let first = finish(bench.start(config(), policy).done).await;
    let whole = bench.records(&first).len();

    // Killed while writing `session_end`: only its first 20 bytes reached the file.
    let path = bench.run.join(TRAJECTORY_FILE);
    let bytes = std::fs::read(&path).unwrap();
    let last_start = bytes[..bytes.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    std::fs::write(&path, &bytes[..last_start + 20]).unwrap();

    let loaded = trajectory::load(&bench.run).unwrap();
    assert_eq!(loaded.records.len(), whole - 1);
    assert_eq!(
        loaded.torn,
        Some(TornLine {
            line: whole,
            bytes: 20
        })
    );
    let notice = loaded.torn_notice().unwrap_or_default();
    assert!(
        notice.contains(&format!(
            "skipped a torn final line (20 bytes at line {whole})"
        )),
        "{notice}"
    );

    let (writer, torn) = TrajectoryWriter::reopen(&bench.run).unwrap();
    assert_eq!(torn, Some(20));
    assert_eq!(std::fs::read(&path).unwrap(), &bytes[..last_start]);

    // Resume = load + continue: the agent goes on from step 2 in the same file.
    let (policy, asked) = Planned::new([Reply::Now(turn(vec![Action::Move { x: 7, y: 7 }]))]);
    let resumed = Resumed {
        steps: first.steps,
        ..Resumed::default()
    };
    let agent = bench.agent(config(), policy, writer).resuming(resumed);
    let end = finish(agent.spawn().done).await;
    assert_eq!((end.status, end.steps), (EndStatus::Done, first.steps + 2));
    assert_eq!(asked.lock().unwrap()[0].step, first.steps + 1);
    let records = bench.records(&end);
    assert_eq!(count(&records, "session_meta"), 1);
    assert_eq!(count(&records, "session_end"), 1, "the torn one is gone");
    assert_eq!(
        bench.driver.events(),
        vec![
            InputEvent::Move(Point::new(5, 5)),
            InputEvent::Move(Point::new(7, 7))
        ]
    );
}

#[tokio::test]
async fn a_message_over_the_control_socket_joins_the_next_turn() {
    let bench = Bench::new();
    let (gate, opened) = oneshot::channel();
    let (policy, asked) = Planned::new([Reply::Gated(
        opened,
        turn(vec![Action::Move { x: 3, y: 4 }]),
    )]);
    let Running {
        ops,
        mut events,
        done,
    } = bench.start(config(), policy);
    let server = ControlServer::start(&bench.run, ops.clone()).unwrap();
    until(&mut events, "the first observation", |e| {
        matches!(e, Event::Observation(_))
    })
    .await;
    let run = bench.run.clone();
    let request = Request::UserMessage {
        text: "use column B".into(),
    };
    tokio::task::spawn_blocking(move || control::send(&run, &request))
        .await
        .unwrap()
        .unwrap();
    until(
        &mut events,
        "the user_message",
        |e| matches!(e, Event::UserMessage(m) if m.text == "use column B"),
    )
    .await;
    gate.send(()).unwrap();
    let end = finish(done).await;
    assert_eq!(end.status, EndStatus::Done);
    let asked = asked.lock().unwrap().clone();
    let heard: Vec<(u32, Vec<String>)> = asked
        .into_iter()
        .map(|q| (q.step, q.user_messages))
        .collect();
    assert_eq!(
        heard,
        vec![(1, vec![]), (2, vec!["use column B".to_owned()])]
    );
    assert_eq!(count(&bench.records(&end), "user_message"), 1);
    drop(server);
    assert!(!bench.run.join(control::CONTROL_FILE).exists());
}

#[tokio::test]
async fn a_stop_over_the_control_socket_ends_the_run() {
    let bench = Bench::new();
    let (_gate, opened) = oneshot::channel::<()>();
    let (policy, _) = Planned::new([Reply::Gated(
        opened,
        turn(vec![Action::TypeText {
            text: "never".into(),
        }]),
    )]);
    let Running {
        ops,
        mut events,
        done,
    } = bench.start(config(), policy);
    let _server = ControlServer::start(&bench.run, ops.clone()).unwrap();
    until(&mut events, "the first observation", |e| {
        matches!(e, Event::Observation(_))
    })
    .await;
    let run = bench.run.clone();
    tokio::task::spawn_blocking(move || control::send(&run, &Request::Stop))
        .await
        .unwrap()
        .unwrap();
    let end = finish(done).await;
    assert_eq!(
        (end.status, end.message.as_deref()),
        (EndStatus::Stopped, Some("stopped by deskhand stop"))
    );
    assert_eq!(count(&bench.records(&end), "model_turn"), 0);
    assert_eq!(bench.driver.calls(), 0);
}

#[tokio::test]
async fn input_that_finds_the_display_gone_ends_the_run_instead_of_telling_the_model() {
    let bench = Bench::new().with_driver(RecordingDriver::new().lose_display_after(1));
    let (policy, asked) = Planned::new([
        Reply::Now(turn(vec![
            Action::Move { x: 1, y: 1 },
            Action::Move { x: 2, y: 2 },
        ])),
        Reply::Now(turn(vec![Action::Move { x: 3, y: 3 }])),
    ]);
    let end = finish(bench.start(config(), policy).done).await;
    assert_eq!((end.status, end.steps), (EndStatus::Error, 1));
    let message = end.message.clone().unwrap_or_default();
    assert!(message.contains("the display is gone"), "{message}");
    let records = bench.records(&end);
    let result = results(&records);
    assert_eq!(
        result
            .iter()
            .map(|r| (r.index, r.status))
            .collect::<Vec<_>>(),
        vec![(0, ActionStatus::Ok), (1, ActionStatus::Error)]
    );
    // The model was asked once: the lost display was never fed back to it.
    assert_eq!(asked.lock().unwrap().len(), 1);
    assert!(matches!(
        records.last().map(|r| &r.event),
        Some(Event::SessionEnd(_))
    ));
}
