//! `deskhand record`: a person's mouse and keyboard on an X display, written as a trajectory that
//! replays like any run.
//!
//! ```text
//! deskhand record --display :0 --out runs/invoice-demo
//! deskhand record --virtual --launch mousepad --out runs/demo   # then connect a viewer to it
//! ```
//!
//! Input is read with the X RECORD extension ([`x11`]); each key and button event is tagged with
//! the latest frame of the screen, captured every 40 ms by [`screen`]; [`coalesce`] turns the
//! events into deskhand [`Action`](deskhand_actions::Action)s (typing into `type_text`, clicks
//! into `click` with their count, chords into `key`, …) and [`steps`] writes each one as soon as
//! it is finalised, so a killed recorder loses at most the action in progress.
//!
//! # What is written
//!
//! The trajectory format of [`crate::trajectory`], with these meanings:
//!
//! - `session_meta`: `policy` is `{"name": "record", "stop_key": "ctrl+alt+q", "input":
//!   "x11-record"}`, `task` is null and `max_steps` is 4294967295 (a recording has no limit).
//! - One step per action: `observation` (the screen as it was when the person began the action:
//!   the last frame captured before its first event), `model_turn` (`policy` `"record"`, the one
//!   action, `latency_ms` the time since the previous action ended — the person's pause —,
//!   `usage` null), `action` (index 0).
//! - `action_result`: always `ok`; `duration_ms` is the time from the action's first input event
//!   to its last (a whole typed text, a double click); `settle_ms` and `settled` are measured
//!   after the fact as `deskhand run` measures them — the time from the action's last event to the
//!   change after which the screen stayed still for 120 ms (0 when nothing changed within 250
//!   ms), and whether it stood still so before the person acted again. The result is written once
//!   that is known: when the screen settles, when the person presses a key or button, or at 5 s.
//! - `session_end`: `done` when the stop key ended the recording, `stopped` on Ctrl-C or SIGTERM,
//!   `error` when the display went away; `steps` is the number of actions.
//!
//! The stop key is never written. Pauses are not written as `wait` actions.
//!
//! # Readiness
//!
//! Once input is being recorded (RECORD has started and `session_meta` is written), the recorder
//! prints one line to stderr that starts with `deskhand record: ready`. Input before that line
//! may not be recorded.
//!
//! Limits: the pointer's hovering is not recorded (only where it pressed); modifiers held during a
//! scroll or a drag are not kept; Num Lock is not tracked (keypad keys type digits); keyboard
//! layouts switched through XKB during a recording are not followed (core map changes are); a
//! Ctrl-C typed on the recorded display itself (in a terminal there) is recorded as a `key`
//! before it stops the recorder, so use the stop key there.

mod coalesce;
mod keymap;
mod screen;
mod steps;
mod x11;

use crate::display::Display;
use crate::trajectory::{EndStatus, ScreenSize, TRAJECTORY_FILE, TrajectoryWriter};
use anyhow::{Context, bail};
use coalesce::{Coalescer, Input, Options};
use screen::{Sampler, Shot};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};
use steps::Steps;

/// How often the screen is captured while recording.
const POLL: Duration = Duration::from_millis(40);
/// How often pending actions are checked for timeouts.
const TICK: Duration = Duration::from_millis(50);

/// What `deskhand record` is given.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// The display to record.
    pub display: crate::session::DisplayChoice,
    /// The run directory to write.
    pub out: PathBuf,
    /// The key chord that stops the recording (never recorded itself).
    pub stop_key: String,
    /// Programs to start on the display first.
    pub launch: Vec<String>,
}

/// What reaches the recording loop.
enum Msg {
    /// A key or pointer event, when it arrived and the screen then.
    Input {
        at: Duration,
        shot: Option<Arc<Shot>>,
        input: Input,
    },
    /// The input stream ended with an error.
    Failed(x11::RecordError),
    /// Ctrl-C or SIGTERM.
    Signal(&'static str),
}

/// How the recording loop ended.
struct Ending {
    at: Duration,
    status: EndStatus,
    message: String,
}

/// Runs `deskhand record`.
pub fn run(args: RecordOptions) -> anyhow::Result<ExitCode> {
    let stop_keys = deskhand_actions::parse_chord(&args.stop_key)
        .map_err(|e| anyhow::anyhow!("--stop-key {:?} is not a key chord: {e}", args.stop_key))?;
    if args.out.join(TRAJECTORY_FILE).exists() {
        bail!(
            "{} already holds a run; choose another --out directory",
            args.out.display()
        );
    }
    let display = args.display.open()?;
    if matches!(args.display, crate::session::DisplayChoice::Virtual(_)) {
        println!("display: {}", display.name());
    }
    let launched = crate::session::Launched::start(&display, &args.launch, &args.out)?;
    let result = record(&args, &display, &stop_keys);
    drop(launched);
    let status = result?;
    println!("trajectory: {}", args.out.join(TRAJECTORY_FILE).display());
    Ok(match status {
        EndStatus::Done | EndStatus::Stopped => ExitCode::SUCCESS,
        EndStatus::Failed | EndStatus::Error => ExitCode::FAILURE,
    })
}

fn record(
    args: &RecordOptions,
    display: &Display,
    stop_keys: &[deskhand_actions::Key],
) -> anyhow::Result<EndStatus> {
    let conn = crate::display::x11::connect(display.name())?;
    let (width, height) = crate::display::x11::screen_size(&conn)?;
    let epoch = Instant::now();
    let source = deskhand_vision::open_screen(Some(display.name()))?;
    let sampler = Arc::new(Sampler::start(source, epoch, POLL));
    sampler
        .first(Duration::from_secs(10))
        .map_err(|e| anyhow::anyhow!("cannot capture display {}: {e}", display.name()))?;

    let (tx, rx) = mpsc::channel::<Msg>();
    let (input, started) = {
        let (tx, sampler) = (tx.clone(), sampler.clone());
        x11::X11Input::start(display.name(), move |event| {
            let msg = match event {
                Ok(input) => Msg::Input {
                    at: epoch.elapsed(),
                    shot: sampler.latest(),
                    input,
                },
                Err(e) => Msg::Failed(e),
            };
            let _ = tx.send(msg);
        })?
    };
    let runtime = signals(tx)?;

    let writer = TrajectoryWriter::create(&args.out)?;
    let mut settings = serde_json::Map::new();
    settings.insert("stop_key".into(), args.stop_key.clone().into());
    settings.insert("input".into(), "x11-record".into());
    let mut steps = Steps::start(
        writer,
        display.name(),
        ScreenSize { width, height },
        settings,
    )?;
    println!("run directory: {}", args.out.display());
    eprintln!(
        "deskhand record: ready: recording display {}; stop with {} (or Ctrl-C)",
        display.name(),
        args.stop_key
    );

    let mut coalescer: Coalescer<Option<Arc<Shot>>> =
        Coalescer::new(Options::default(), started.caps);
    let ending = record_loop(
        &rx,
        &sampler,
        &mut coalescer,
        &mut steps,
        epoch,
        stop_keys,
        args,
    );
    input.stop();
    drop(runtime);
    let ending = match ending {
        Ok(e) => e,
        Err(e) => Ending {
            at: epoch.elapsed(),
            status: EndStatus::Error,
            message: format!("{e:#}"),
        },
    };
    for done in coalescer.finish() {
        steps.write(done, &sampler)?;
    }
    let end = steps.end(ending.at, &sampler, ending.status, ending.message)?;
    eprintln!(
        "deskhand record: {} after {} steps: {}",
        end.status.as_str(),
        end.steps,
        end.message.as_deref().unwrap_or_default()
    );
    Ok(end.status)
}

fn record_loop(
    rx: &mpsc::Receiver<Msg>,
    sampler: &Sampler,
    coalescer: &mut Coalescer<Option<Arc<Shot>>>,
    steps: &mut Steps,
    epoch: Instant,
    stop_keys: &[deskhand_actions::Key],
    args: &RecordOptions,
) -> anyhow::Result<Ending> {
    loop {
        let msg = match rx.recv_timeout(TICK) {
            Ok(msg) => Some(msg),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Ok(Ending {
                    at: epoch.elapsed(),
                    status: EndStatus::Error,
                    message: "the input stream ended".into(),
                });
            }
        };
        let now = epoch.elapsed();
        for done in coalescer.tick(now) {
            steps.write(done, sampler)?;
        }
        match msg {
            None => {}
            Some(Msg::Input { at, shot, input }) => {
                let press = matches!(input, Input::KeyDown { .. } | Input::ButtonDown { .. });
                if let Input::KeyDown { meaning, .. } = &input
                    && let Some(chord) = coalescer.chord_for(meaning)
                    && same_keys(&chord, stop_keys)
                {
                    return Ok(Ending {
                        at,
                        status: EndStatus::Done,
                        message: format!("stopped with {}", args.stop_key),
                    });
                }
                let (done, skipped) = coalescer.feed(at, shot, input);
                for s in skipped {
                    eprintln!("deskhand record: not recorded: {}", s.0);
                }
                for d in done {
                    steps.write(d, sampler)?;
                }
                if press {
                    steps.acted(at, sampler)?;
                }
            }
            Some(Msg::Failed(e)) => {
                return Ok(Ending {
                    at: now,
                    status: EndStatus::Error,
                    message: format!("the input stream failed: {e}"),
                });
            }
            Some(Msg::Signal(why)) => {
                return Ok(Ending {
                    at: now,
                    status: EndStatus::Stopped,
                    message: why.into(),
                });
            }
        }
        steps.poll(sampler)?;
        if let Some(e) = sampler.error() {
            return Ok(Ending {
                at: now,
                status: EndStatus::Error,
                message: format!("cannot capture the screen: {e}"),
            });
        }
    }
}

/// Whether a chord names the same keys as the stop key, in any order.
fn same_keys(chord: &str, stop: &[deskhand_actions::Key]) -> bool {
    let Ok(keys) = deskhand_actions::parse_chord(chord) else {
        return false;
    };
    keys.len() == stop.len() && keys.iter().all(|k| stop.contains(k))
}

/// Listens for Ctrl-C and SIGTERM (registered before this returns) and sends them to the loop.
fn signals(tx: mpsc::Sender<Msg>) -> anyhow::Result<tokio::runtime::Runtime> {
    use tokio::signal::unix::{SignalKind, signal};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the signal listener")?;
    let (mut int, mut term) = runtime.block_on(async {
        anyhow::Ok((
            signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?,
            signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
        ))
    })?;
    runtime.spawn(async move {
        let why = tokio::select! {
            _ = int.recv() => "interrupted by Ctrl-C",
            _ = term.recv() => "terminated (SIGTERM)",
        };
        let _ = tx.send(Msg::Signal(why));
    });
    Ok(runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_keys_match_in_any_order() {
        let stop = deskhand_actions::parse_chord("ctrl+alt+q").unwrap();
        assert!(same_keys("ctrl+alt+q", &stop));
        assert!(same_keys("alt+ctrl+q", &stop));
        assert!(!same_keys("ctrl+q", &stop));
        assert!(!same_keys("ctrl+alt+shift+q", &stop));
        let f12 = deskhand_actions::parse_chord("F12").unwrap();
        assert!(same_keys("F12", &f12));
    }
}
