//! `deskhand resume RUN_DIR`: a run that was cut off (kill -9, power loss, a closed terminal)
//! goes on from its last completed step, on the same display, appending to the same trajectory.
//!
//! How the run is rebuilt:
//!
//! 1. **The policy** is made again from `session_meta` (a script, a provider with its model and
//!    settings, a replay). Its context is rebuilt by showing it, step by step, exactly what it
//!    was shown before: the recorded frame, the steering messages, the outcome of the previous
//!    actions. A model policy is answered from the run's `model_calls.jsonl`, so no recorded
//!    call is sent again and the conversation (and its cost) is the recorded one; a decision
//!    that differs from the recorded one stops the resume. Then the model goes live, appending
//!    to the same recording.
//! 2. **The budget**: the steps taken and the cost spent count against `--max-steps` and
//!    `--max-cost`, and the wall time goes on from the recorded one.
//! 3. **The last turn**: actions with a result are done; actions never announced are performed
//!    now. An action announced (`action`) but without `action_result` was under way when the
//!    run died, and is never re-sent blindly:
//!    - its `input_sent` was written: the input went out and the run died while the screen
//!      settled. It is taken as done (its `action_result` says so in `note`).
//!    - an action that sends no input (`wait`, `zoom`) is never asked about: a `wait` is
//!      waited for what is left of it (its length less the time since its `action` line), a
//!      `zoom` is taken again.
//!    - no `input_sent`: the run died within the few milliseconds of sending it. Resume watches
//!      the screen for a second ([`CUT_OFF_LOOK`]): if it stays pixel for pixel the frame
//!      observed before the step, none of it arrived, and it is performed now. (One capture is
//!      not enough: on a loaded machine, keys that did arrive can take a few hundred
//!      milliseconds to be drawn, and typing the text again after them garbles it.) A changed
//!      screen means some of it may have arrived (half a text, say), and resume asks: on a
//!      terminal it asks the person; otherwise it stops and says to look and choose with
//!      `--cut-off-action done|again`.
//! 4. A step observed but not decided is observed again. Nothing of a task's setup runs again:
//!    the apps and their state are on the display as the run left them. A display that is gone
//!    cannot be resumed on.
//!
//! Resume writes a `resume` event where it picks up (see [`crate::trajectory`]).

mod history;

use crate::agent::{AgentConfig, Resumed};
use crate::display::{Display, x11};
use crate::policy::transport::Transport;
use crate::policy::{Decide, Feedback, Policy, PolicySpec};
use crate::session::{self, Choice, Printer, exit_code};
use crate::trajectory::{
    ActionResult, ActionStatus, EndStatus, Event, Resume, SessionEnd, SessionMeta,
    TrajectoryWriter, load,
};
use anyhow::{Context, bail};
use deskhand_actions::{Action, Size};
use deskhand_vision::{Frame, SettleOptions};
use history::{History, StepRecord};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How resume looks at the screen for an action cut off before its `input_sent`: any change
/// from the step's observation within `reaction` (1 s) means some of it arrived.
pub const CUT_OFF_LOOK: SettleOptions = SettleOptions {
    quiet: Duration::from_millis(120),
    reaction: Duration::from_secs(1),
    deadline: Duration::from_secs(5),
    poll: Duration::from_millis(15),
};

/// What `deskhand resume` is given.
#[derive(Debug, Clone)]
pub struct ResumeOptions {
    /// The run directory.
    pub run_dir: PathBuf,
    /// Another name for the run's display (default: the recorded one).
    pub display: Option<String>,
    /// Print every event as JSON.
    pub json: bool,
    /// Model settings given now (the recorded ones otherwise).
    pub choice: Choice,
    /// `-c` keys given now, laid over the recorded spec.
    pub overrides: crate::config::Config,
    /// The step limit given now (the recorded one otherwise).
    pub max_steps: Option<u32>,
    /// The cost cap given now.
    pub max_cost: Option<f64>,
    /// Programs to start on the display before going on.
    pub launch: Vec<String>,
    /// What to do with an action cut off while its input was being sent, when the screen
    /// cannot tell (None: ask on a terminal, else stop).
    pub cut_off_action: Option<CutOff>,
}

/// The person's answer for an action cut off while being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CutOff {
    /// It happened: take it as done.
    Done,
    /// It did not happen (or was undone): perform it again.
    Again,
}

/// Resumes the run; returns the exit code `deskhand run` would have.
pub fn run(opts: ResumeOptions) -> anyhow::Result<ExitCode> {
    let dir = &opts.run_dir;
    let loaded = load(dir).with_context(|| format!("{} is not a run directory", dir.display()))?;
    let Some(Event::SessionMeta(meta)) = loaded.records.first().map(|r| r.event.clone()) else {
        bail!("{} does not start with session_meta", dir.display());
    };
    if let Some(Event::SessionEnd(end)) = loaded.records.last().map(|r| &r.event) {
        bail!(
            "{} already finished ({}): nothing to resume",
            dir.display(),
            end.status.as_str()
        );
    }
    let name = opts.display.clone().unwrap_or_else(|| meta.display.clone());
    let display = Display::existing(&name).with_context(|| {
        format!(
            "the run's display {name} is gone, and its apps and their state with it: the run cannot go on there (pass --display if it lives on under another name)"
        )
    })?;
    // SAFETY: single-threaded here; xcap reads DISPLAY.
    unsafe { std::env::set_var("DISPLAY", display.name()) };
    let conn = x11::connect(display.name())?;
    let (w, h) = x11::screen_size(&conn)?;
    let screen = Size::new(w, h);
    if (w, h) != (meta.screen.width, meta.screen.height) {
        bail!(
            "display {name} is {w}x{h}, and the run was made on {}x{}",
            meta.screen.width,
            meta.screen.height
        );
    }

    let history = History::of(&loaded.records);
    let spec = recorded_spec(&meta, &opts)?;
    let (mut policy, live) = rebuild_policy(&spec, &meta, dir, screen)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let decided = fast_forward(&runtime, policy.as_mut(), &history, dir, screen)?;
    drop(runtime);
    if let Some(live) = live {
        live.store(true, Ordering::SeqCst);
    }

    let (mut writer, torn) = TrajectoryWriter::reopen(dir)?;
    let mut state = Resumed {
        steps: 0,
        spent_usd: history.spent_usd,
        feedback: Vec::new(),
        pending: Vec::new(),
        messages: history.unheard.clone(),
        prior_ms: history.elapsed_ms,
    };
    let mut notes: Vec<String> = vec![format!("rebuilt the policy over {decided} steps")];
    let mut late_results: Vec<ActionResult> = Vec::new();
    if let Some((k, last)) = history.last_decided() {
        state.steps = k;
        let done = finish_turn(
            k,
            last,
            dir,
            &name,
            opts.cut_off_action,
            &mut state,
            &mut late_results,
            &mut notes,
        )?;
        if let Some(status) = done {
            writer.append(Event::Resume(Resume {
                steps: k,
                torn_bytes: torn,
                message: notes.join("; "),
            }))?;
            for r in late_results {
                writer.append(Event::ActionResult(r))?;
            }
            writer.append(Event::SessionEnd(SessionEnd {
                status,
                message: Some("the run had already ended when it was cut off".into()),
                steps: k,
                duration_ms: history.elapsed_ms,
            }))?;
            writer.sync()?;
            return Ok(exit_code(status, false));
        }
    }
    writer.append(Event::Resume(Resume {
        steps: state.steps,
        torn_bytes: torn,
        message: notes.join("; "),
    }))?;
    for r in late_results {
        writer.append(Event::ActionResult(r))?;
    }
    if !opts.json {
        println!("resuming {} after step {}", dir.display(), state.steps);
    }
    let config = AgentConfig {
        display: display.name().to_owned(),
        screen,
        max_steps: opts.max_steps.unwrap_or(meta.max_steps),
        max_cost_usd: opts.max_cost,
        settle: SettleOptions::default(),
        task: meta.task.clone(),
        spec: Some(spec),
    };
    let _launched = session::Launched::start(&display, &opts.launch, dir)?;
    let mut printer = Printer::new(opts.json);
    let outcome = session::run_agent(&display, policy, writer, config, Some(state), &mut |r| {
        printer.print(r)
    })?;
    Ok(exit_code(outcome.end.status, outcome.interrupted))
}

/// Turns a rebuilt model policy's transport from the recording to live.
type LiveSwitch = Option<Arc<AtomicBool>>;

/// The run's policy spec: the one `session_meta` recorded (or, for a run recorded before
/// specs were written, the one its policy settings describe), with what was given now laid
/// over it.
fn recorded_spec(meta: &SessionMeta, opts: &ResumeOptions) -> anyhow::Result<PolicySpec> {
    let spec = match &meta.spec {
        Some(spec) => spec.clone(),
        None => PolicySpec::from_legacy(&meta.policy)
            .with_context(|| format!("cannot resume {}", opts.run_dir.display()))?,
    };
    Ok(session::resolve::overlay(
        spec,
        &opts.choice,
        &opts.overrides,
    )?)
}

/// The policy of the run, made again; for model policies, the switch that turns their
/// transport from the recording to live.
fn rebuild_policy(
    spec: &PolicySpec,
    meta: &SessionMeta,
    dir: &Path,
    screen: Size,
) -> anyhow::Result<(Box<dyn Policy>, LiveSwitch)> {
    let instruction = meta.task.as_ref().and_then(|t| t.instruction.clone());
    let (transport, live) = Transport::resume(dir)?;
    let policy = session::build_policy_with(spec, screen, dir, instruction.as_deref(), transport)?;
    Ok((policy, Some(live)))
}

/// Shows the policy every decided step again; returns how many.
fn fast_forward(
    runtime: &tokio::runtime::Runtime,
    policy: &mut dyn Policy,
    history: &History,
    dir: &Path,
    screen: Size,
) -> anyhow::Result<usize> {
    let mut count = 0;
    for (&n, s) in history.steps.iter().filter(|(_, s)| s.turn.is_some()) {
        let recorded = s.turn.as_ref().map(|t| &t.actions);
        let frame = frame_of(dir, s)
            .with_context(|| format!("cannot rebuild step {n}: its frame is unreadable"))?;
        let feedback = history.feedback_for(n);
        let turn = runtime
            .block_on(policy.decide(Decide {
                step: n,
                frame: &frame,
                screen,
                user_messages: &s.messages,
                feedback: &feedback,
                window: s.window.as_ref(),
            }))
            .map_err(|e| anyhow::anyhow!("cannot rebuild the policy at step {n}: {e}"))?;
        if Some(&turn.actions) != recorded {
            bail!(
                "cannot resume safely: rebuilding step {n}, the policy chose {} where the run recorded {}",
                serde_json::to_string(&turn.actions).unwrap_or_default(),
                serde_json::to_string(&recorded).unwrap_or_default()
            );
        }
        count += 1;
    }
    Ok(count)
}

fn frame_of(dir: &Path, s: &StepRecord) -> anyhow::Result<Frame> {
    let f = s.frame.as_ref().context("no observation")?;
    let bytes = std::fs::read(dir.join(&f.path))?;
    Ok(Frame::from_png(&bytes)?)
}

/// Decides what is left of the last decided turn. `Some(status)` when the run had in fact
/// ended (its `done` or `fail` went through, or was under way).
#[allow(clippy::too_many_arguments)]
fn finish_turn(
    k: u32,
    last: &StepRecord,
    dir: &Path,
    display: &str,
    cut_off: Option<CutOff>,
    state: &mut Resumed,
    late: &mut Vec<ActionResult>,
    notes: &mut Vec<String>,
) -> anyhow::Result<Option<EndStatus>> {
    let actions = last
        .turn
        .as_ref()
        .map(|t| t.actions.clone())
        .unwrap_or_default();
    state.feedback = last.feedback();
    for (i, action) in actions.into_iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(r) = last.results.get(&index) {
            if let Some(status) = ending_of(&action) {
                return Ok(Some(status));
            }
            if r.status == ActionStatus::Error {
                // The turn stopped at a failed action; the rest never ran.
                return Ok(None);
            }
            continue;
        }
        if !last.announced.contains_key(&index) {
            state.pending.push((index, action, false));
            continue;
        }
        // Announced, no result: the run died while performing it.
        if action.is_terminal() {
            state.pending.push((index, action, true));
            continue;
        }
        if !action.sends_input() && !last.sent.contains(&index) {
            // Nothing of it can have reached the display: a wait is waited for what is left
            // of it, a zoom taken again.
            let what = format!("step {k} action {index} ({})", action.kind());
            let again = match action {
                Action::Wait { ms } => {
                    let left = wait_left(ms, last.announced_at.get(&index));
                    notes.push(format!(
                        "{what} was cut off; it sends no input: waiting the {left} ms left of it"
                    ));
                    Action::Wait { ms: left }
                }
                other => {
                    notes.push(format!(
                        "{what} was cut off; it sends no input: performing it again"
                    ));
                    other
                }
            };
            state.pending.push((index, again, true));
            continue;
        }
        let what = format!("step {k} action {index} ({})", action.kind());
        let decided = if last.sent.contains(&index) {
            CutOff::Done
        } else {
            let before = frame_of(dir, last)?;
            let mut screen = deskhand_vision::open_screen(Some(display))?;
            let look = deskhand_vision::settle(&mut *screen, Some(&before), &CUT_OFF_LOOK)?;
            if !look.changed {
                notes.push(format!(
                    "{what} was cut off before its input went out, and the screen shows none of it: performing it now"
                ));
                CutOff::Again
            } else {
                let answer = match cut_off {
                    Some(a) => a,
                    None => ask(&what, &action)?,
                };
                notes.push(format!(
                    "{what} was cut off while its input went out and the screen changed; as told: {}",
                    match answer {
                        CutOff::Done => "done",
                        CutOff::Again => "again",
                    }
                ));
                answer
            }
        };
        match decided {
            CutOff::Again => state.pending.push((index, action, true)),
            CutOff::Done => {
                let note = if last.sent.contains(&index) {
                    "the run was cut off after its input went out, while the screen settled: taken as done"
                } else {
                    "the run was cut off while its input went out: taken as done, as told"
                };
                if last.sent.contains(&index) {
                    notes.push(format!("{what}: {note}"));
                }
                late.push(ActionResult {
                    step: k,
                    index,
                    status: ActionStatus::Ok,
                    error: None,
                    duration_ms: 0,
                    settle_ms: 0,
                    settled: true,
                    note: Some(note.into()),
                });
                state.feedback.push(Feedback {
                    action,
                    error: None,
                });
            }
        }
    }
    Ok(None)
}

/// Asks the person at the terminal whether a cut-off action happened.
fn ask(what: &str, action: &Action) -> anyhow::Result<CutOff> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!(
            "{what}, {action}, was cut off while its input was being sent, and the screen has changed since: look at the screen, then resume with --cut-off-action done (it happened) or --cut-off-action again (perform it)"
        );
    }
    loop {
        eprint!("{what}, {action}, was cut off while being sent. Did it happen? [done/again] ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            bail!("no answer for {what}");
        }
        match line.trim() {
            "done" | "d" | "yes" | "y" => return Ok(CutOff::Done),
            "again" | "a" | "no" | "n" => return Ok(CutOff::Again),
            _ => continue,
        }
    }
}

/// What is left of a `wait` of `ms` announced at `at` (RFC 3339): all of it when the time is
/// unreadable, nothing once it has passed.
fn wait_left(ms: u64, at: Option<&String>) -> u64 {
    let Some(at) = at.and_then(|t| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
    }) else {
        return ms;
    };
    let elapsed = time::OffsetDateTime::now_utc() - at;
    let elapsed_ms = u64::try_from(elapsed.whole_milliseconds().max(0)).unwrap_or(u64::MAX);
    ms.saturating_sub(elapsed_ms)
}

fn ending_of(action: &Action) -> Option<EndStatus> {
    match action {
        Action::Done { .. } => Some(EndStatus::Done),
        Action::Fail { .. } => Some(EndStatus::Failed),
        Action::CallUser { .. } => Some(EndStatus::Stopped),
        _ => None,
    }
}
