//! The loop itself. Every event is written to the trajectory before the agent acts on it.

use super::eyes::{Eyes, encode_png};
use super::{Agent, AgentError, Op};
use crate::policy::{Decide, Feedback, Policy, PolicyError, Turn};
use crate::trajectory::{
    ActionEvent, ActionResult, ActionStatus, EndStatus, Event, ModelTurn, Observation, Record,
    ScreenSize, SessionEnd, SessionMeta, TrajectoryWriter, UserMessage,
};
use deskhand_actions::{Action, InputDriver, InputError};
use std::time::Instant;
use tokio::sync::mpsc;

/// The writer and the event stream: every event goes to disk first, then out.
struct Outbox {
    writer: TrajectoryWriter,
    events: mpsc::UnboundedSender<Record>,
}

impl Outbox {
    fn emit(&mut self, event: Event) -> Result<(), AgentError> {
        let record = self.writer.append(event)?;
        // The receiver may be gone (nobody watching); the trajectory is what counts.
        let _ = self.events.send(record);
        Ok(())
    }
}

/// How the steps ended, before `session_end` is written.
struct Ending {
    status: EndStatus,
    message: Option<String>,
}

impl Ending {
    fn new(status: EndStatus, message: impl Into<String>) -> Ending {
        Ending {
            status,
            message: Some(message.into()),
        }
    }
}

/// Operations that arrived while the agent was busy.
#[derive(Default)]
struct Inbox {
    messages: Vec<String>,
    stop: Option<String>,
}

impl Inbox {
    fn take(&mut self, op: Op, step: u32, out: &mut Outbox) -> Result<(), AgentError> {
        match op {
            Op::UserMessage(text) => {
                out.emit(Event::UserMessage(UserMessage {
                    step,
                    text: text.clone(),
                }))?;
                self.messages.push(text);
            }
            Op::Stop { reason } => {
                self.stop.get_or_insert(reason);
            }
        }
        Ok(())
    }
}

/// Where a resumed run picks up (see [`crate::resume`]).
#[derive(Debug, Clone, Default)]
pub struct Resumed {
    /// Steps already taken (the last one's decision is written).
    pub steps: u32,
    /// What the model calls cost so far.
    pub spent_usd: f64,
    /// What the policy's next turn hears about the last turn's actions.
    pub feedback: Vec<Feedback>,
    /// Actions of the last turn still to perform: (index, action, whether its `action` event
    /// is already written).
    pub pending: Vec<(u32, Action, bool)>,
    /// Messages from the person steering that no decision has heard yet.
    pub messages: Vec<String>,
    /// The run's wall time before it was cut off.
    pub prior_ms: u64,
}

pub(super) async fn run<D: InputDriver + 'static>(
    agent: Agent<D>,
    mut ops: mpsc::UnboundedReceiver<Op>,
    events: mpsc::UnboundedSender<Record>,
) -> Result<SessionEnd, AgentError> {
    let Agent {
        config,
        eyes,
        hands,
        mut policy,
        writer,
        focus,
        resumed,
    } = agent;
    let started = Instant::now();
    let mut out = Outbox { writer, events };
    let prior_ms = resumed.as_ref().map_or(0, |r| r.prior_ms);
    if resumed.is_none() {
        out.emit(Event::SessionMeta(SessionMeta {
            version: env!("CARGO_PKG_VERSION").into(),
            format: crate::trajectory::FORMAT_VERSION,
            screen: ScreenSize {
                width: config.screen.width,
                height: config.screen.height,
            },
            display: config.display.clone(),
            policy: policy.info(),
            spec: config.spec.clone(),
            task: config.task.clone(),
            max_steps: config.max_steps,
        }))?;
    }

    let mut state = resumed.unwrap_or_default();
    let mut inbox = Inbox {
        messages: std::mem::take(&mut state.messages),
        stop: None,
    };
    let ending = {
        let mut ctx = Ctx {
            config: &config,
            eyes: &eyes,
            hands: &hands,
            focus: focus.as_ref(),
            out: &mut out,
            ops: &mut ops,
            inbox: &mut inbox,
        };
        steps_loop(&mut ctx, policy.as_mut(), &mut state).await
    };
    let release = hands.release_all().await;
    let mut ending = ending?;
    if let Err(e) = release
        && ending.status != EndStatus::Error
    {
        ending = Ending::new(
            EndStatus::Error,
            format!("could not release held input: {e}"),
        );
    }
    let end = SessionEnd {
        status: ending.status,
        message: ending.message,
        steps: state.steps,
        duration_ms: prior_ms.saturating_add(millis(started)),
    };
    out.emit(Event::SessionEnd(end.clone()))?;
    out.writer.sync()?;
    Ok(end)
}

/// The loop's parts, borrowed.
struct Ctx<'a, D: InputDriver + 'static> {
    config: &'a super::AgentConfig,
    eyes: &'a Eyes,
    hands: &'a super::HandsWorker<D>,
    focus: Option<&'a super::Focus>,
    out: &'a mut Outbox,
    ops: &'a mut mpsc::UnboundedReceiver<Op>,
    inbox: &'a mut Inbox,
}

async fn steps_loop<D: InputDriver + 'static>(
    ctx: &mut Ctx<'_, D>,
    policy: &mut dyn Policy,
    state: &mut Resumed,
) -> Result<Ending, AgentError> {
    let config = ctx.config;
    let mut frame = match ctx.eyes.capture().await {
        Ok(f) => f,
        Err(e) => {
            return Ok(Ending::new(
                EndStatus::Error,
                format!("cannot capture the screen: {}", with_sources(&e)),
            ));
        }
    };
    let mut feedback: Vec<Feedback> = std::mem::take(&mut state.feedback);
    let pending = std::mem::take(&mut state.pending);
    if !pending.is_empty()
        && let Some(ending) =
            perform_turn(ctx, state.steps, pending, &mut frame, &mut feedback).await?
    {
        return Ok(ending);
    }
    loop {
        if let Some(cap) = config.max_cost_usd.filter(|cap| state.spent_usd >= *cap) {
            return Ok(Ending::new(
                EndStatus::Stopped,
                format!(
                    "reached the cost cap (${:.4} spent, --max-cost {cap})",
                    state.spent_usd
                ),
            ));
        }
        if state.steps >= config.max_steps {
            return Ok(Ending::new(
                EndStatus::Stopped,
                format!("reached the step limit ({} steps)", config.max_steps),
            ));
        }
        let step = state.steps + 1;
        while let Ok(op) = ctx.ops.try_recv() {
            ctx.inbox.take(op, step, ctx.out)?;
        }
        if let Some(reason) = ctx.inbox.stop.take() {
            return Ok(Ending::new(EndStatus::Stopped, reason));
        }
        state.steps = step;

        let png = match encode_png(frame.clone()).await {
            Ok(png) => png,
            Err(e) => {
                return Ok(Ending::new(
                    EndStatus::Error,
                    format!("cannot encode the screen: {}", with_sources(&e)),
                ));
            }
        };
        let frame_ref = ctx.out.writer.write_frame(
            &format!("step-{step:04}"),
            &png,
            frame.width(),
            frame.height(),
        )?;
        let window = match ctx.focus {
            Some(f) => f.read().await,
            None => None,
        };
        ctx.out.emit(Event::Observation(Observation {
            step,
            frame: frame_ref,
            window: window.clone(),
        }))?;

        let asked = Instant::now();
        let messages = std::mem::take(&mut ctx.inbox.messages);
        let decision = {
            let fut = policy.decide(Decide {
                step,
                frame: &frame,
                screen: config.screen,
                user_messages: &messages,
                feedback: &feedback,
                window: window.as_ref(),
            });
            tokio::pin!(fut);
            loop {
                tokio::select! {
                    biased;
                    r = &mut fut => break Some(r),
                    Some(op) = ctx.ops.recv() => {
                        // This decision has heard its messages: a new one joins the next step.
                        ctx.inbox.take(op, step + 1, ctx.out)?;
                        if ctx.inbox.stop.is_some() { break None; }
                    }
                }
            }
        };
        let turn: Turn = match decision {
            None => {
                let reason = ctx.inbox.stop.take().unwrap_or_default();
                return Ok(Ending::new(EndStatus::Stopped, reason));
            }
            Some(Err(e @ PolicyError::Unconfirmed(_))) => {
                return Ok(Ending::new(EndStatus::Stopped, e.to_string()));
            }
            Some(Err(e)) => return Ok(Ending::new(EndStatus::Error, e.to_string())),
            Some(Ok(turn)) => turn,
        };
        ctx.out.emit(Event::ModelTurn(ModelTurn {
            step,
            policy: policy.info().name,
            narration: turn.narration.clone(),
            actions: turn.actions.clone(),
            latency_ms: millis(asked),
            usage: turn.usage,
        }))?;
        state.spent_usd += turn.usage.and_then(|u| u.cost_usd).unwrap_or(0.0);
        if let Some(text) = turn.narration.clone().filter(|t| !t.trim().is_empty()) {
            ctx.out
                .emit(Event::Narration(crate::trajectory::Narration {
                    step,
                    text,
                }))?;
        }
        if turn.actions.is_empty() {
            return Ok(Ending::new(
                EndStatus::Done,
                "the policy has no more actions",
            ));
        }

        feedback.clear();
        let actions = turn
            .actions
            .into_iter()
            .enumerate()
            .map(|(i, a)| (u32::try_from(i).unwrap_or(u32::MAX), a, false))
            .collect();
        if let Some(ending) = perform_turn(ctx, step, actions, &mut frame, &mut feedback).await? {
            return Ok(ending);
        }
    }
}

/// Performs a turn's actions in order, writing `action` (unless already written) and
/// `action_result` for each; stops at the first that fails. `Some` when the run ends here.
async fn perform_turn<D: InputDriver + 'static>(
    ctx: &mut Ctx<'_, D>,
    step: u32,
    actions: Vec<(u32, Action, bool)>,
    frame: &mut deskhand_vision::Frame,
    feedback: &mut Vec<Feedback>,
) -> Result<Option<Ending>, AgentError> {
    let config = ctx.config;
    for (index, action, announced) in actions {
        if !announced {
            ctx.out.emit(Event::Action(ActionEvent {
                step,
                index,
                action: action.clone(),
            }))?;
        }
        if let Some(ending) = terminal(&action) {
            ctx.out
                .emit(Event::ActionResult(result(step, index, None, 0, 0, true)))?;
            return Ok(Some(ending));
        }
        if let Err(e) = action.validate(config.screen) {
            let msg = e.to_string();
            ctx.out.emit(Event::ActionResult(result(
                step,
                index,
                Some(msg.clone()),
                0,
                0,
                true,
            )))?;
            feedback.push(Feedback {
                action,
                error: Some(msg),
            });
            return Ok(None);
        }

        let t0 = Instant::now();
        let mut job = ctx.hands.perform(action.clone());
        let performed = loop {
            tokio::select! {
                biased;
                r = &mut job => break r,
                Some(op) = ctx.ops.recv() => {
                    ctx.inbox.take(op, step + 1, ctx.out)?;
                    if ctx.inbox.stop.is_some() { ctx.hands.cancel().cancel(); }
                }
            }
        };
        ctx.hands.cancel().reset();
        let duration_ms = millis(t0);
        let error = match performed {
            Ok(Ok(())) => None,
            Ok(Err(InputError::Cancelled)) => Some("interrupted".to_owned()),
            Ok(Err(e)) if e.is_fatal() => {
                // Not something to tell the model: no input can reach this display again.
                let msg = e.to_string();
                ctx.out.emit(Event::ActionResult(result(
                    step,
                    index,
                    Some(msg.clone()),
                    duration_ms,
                    0,
                    false,
                )))?;
                return Ok(Some(Ending::new(EndStatus::Error, msg)));
            }
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(format!("the input task failed: {e}")),
        };

        if error.is_none() {
            ctx.out
                .emit(Event::InputSent(crate::trajectory::InputSent {
                    step,
                    index,
                    duration_ms,
                }))?;
        }
        let t1 = Instant::now();
        let settled = ctx.eyes.settle(frame.clone(), config.settle).await;
        let settle_ms = millis(t1);
        let (now, is_settled) = match settled {
            Ok(s) => (s.frame, s.settled),
            Err(e) => {
                ctx.out.emit(Event::ActionResult(result(
                    step,
                    index,
                    error,
                    duration_ms,
                    settle_ms,
                    false,
                )))?;
                return Ok(Some(Ending::new(
                    EndStatus::Error,
                    format!("cannot capture the screen: {}", with_sources(&e)),
                )));
            }
        };
        *frame = now;
        ctx.out.emit(Event::ActionResult(result(
            step,
            index,
            error.clone(),
            duration_ms,
            settle_ms,
            is_settled,
        )))?;
        if let Some(reason) = ctx.inbox.stop.take() {
            return Ok(Some(Ending::new(EndStatus::Stopped, reason)));
        }
        let failed = error.is_some();
        feedback.push(Feedback { action, error });
        if failed {
            return Ok(None);
        }
    }
    Ok(None)
}

fn terminal(action: &Action) -> Option<Ending> {
    match action {
        Action::Done { message } => Some(Ending {
            status: EndStatus::Done,
            message: message.clone(),
        }),
        Action::Fail { reason } => Some(Ending::new(EndStatus::Failed, reason.clone())),
        Action::CallUser { message } => Some(Ending::new(
            EndStatus::Stopped,
            format!("the policy asks for the user: {message}"),
        )),
        _ => None,
    }
}

fn result(
    step: u32,
    index: u32,
    error: Option<String>,
    duration_ms: u64,
    settle_ms: u64,
    settled: bool,
) -> ActionResult {
    ActionResult {
        step,
        index,
        status: if error.is_some() {
            ActionStatus::Error
        } else {
            ActionStatus::Ok
        },
        error,
        duration_ms,
        settle_ms,
        settled,
        note: None,
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// An error and its sources, joined by `: ` (the run's `session_end` message keeps why, all
/// the way down: "cannot capture the screen: … : Connection reset by peer").
fn with_sources(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
