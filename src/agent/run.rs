//! The loop itself. Every event is written to the trajectory before the agent acts on it.

use super::eyes::{Eyes, encode_png};
use super::{Agent, AgentError, Op};
use crate::policy::{Decide, Feedback, Policy, Turn};
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
    } = agent;
    let started = Instant::now();
    let mut out = Outbox { writer, events };
    out.emit(Event::SessionMeta(SessionMeta {
        version: env!("CARGO_PKG_VERSION").into(),
        format: crate::trajectory::FORMAT_VERSION,
        screen: ScreenSize {
            width: config.screen.width,
            height: config.screen.height,
        },
        display: config.display.clone(),
        policy: policy.info(),
        task: config.task.clone(),
        max_steps: config.max_steps,
    }))?;

    let mut inbox = Inbox::default();
    let mut steps = 0;
    let ending = steps_loop(
        &config,
        &eyes,
        &hands,
        focus.as_ref(),
        policy.as_mut(),
        &mut out,
        &mut ops,
        &mut inbox,
        &mut steps,
    )
    .await;
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
        steps,
        duration_ms: millis(started),
    };
    out.emit(Event::SessionEnd(end.clone()))?;
    out.writer.sync()?;
    Ok(end)
}

#[allow(clippy::too_many_arguments)]
async fn steps_loop<D: InputDriver + 'static>(
    config: &super::AgentConfig,
    eyes: &Eyes,
    hands: &super::HandsWorker<D>,
    focus: Option<&super::Focus>,
    policy: &mut dyn Policy,
    out: &mut Outbox,
    ops: &mut mpsc::UnboundedReceiver<Op>,
    inbox: &mut Inbox,
    steps: &mut u32,
) -> Result<Ending, AgentError> {
    let mut frame = match eyes.capture().await {
        Ok(f) => f,
        Err(e) => {
            return Ok(Ending::new(
                EndStatus::Error,
                format!("cannot capture the screen: {e}"),
            ));
        }
    };
    let mut feedback: Vec<Feedback> = Vec::new();
    let mut spent = 0.0_f64;
    loop {
        if let Some(cap) = config.max_cost_usd.filter(|cap| spent >= *cap) {
            return Ok(Ending::new(
                EndStatus::Stopped,
                format!("reached the cost cap (${spent:.4} spent, --max-cost {cap})"),
            ));
        }
        if *steps >= config.max_steps {
            return Ok(Ending::new(
                EndStatus::Stopped,
                format!("reached the step limit ({} steps)", config.max_steps),
            ));
        }
        let step = *steps + 1;
        while let Ok(op) = ops.try_recv() {
            inbox.take(op, step, out)?;
        }
        if let Some(reason) = inbox.stop.take() {
            return Ok(Ending::new(EndStatus::Stopped, reason));
        }
        *steps = step;

        let png = match encode_png(frame.clone()).await {
            Ok(png) => png,
            Err(e) => {
                return Ok(Ending::new(
                    EndStatus::Error,
                    format!("cannot encode the screen: {e}"),
                ));
            }
        };
        let frame_ref = out.writer.write_frame(
            &format!("step-{step:04}"),
            &png,
            frame.width(),
            frame.height(),
        )?;
        let window = match focus {
            Some(f) => f.read().await,
            None => None,
        };
        out.emit(Event::Observation(Observation {
            step,
            frame: frame_ref,
            window: window.clone(),
        }))?;

        let asked = Instant::now();
        let messages = std::mem::take(&mut inbox.messages);
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
                    Some(op) = ops.recv() => {
                        inbox.take(op, step, out)?;
                        if inbox.stop.is_some() { break None; }
                    }
                }
            }
        };
        let turn: Turn = match decision {
            None => {
                let reason = inbox.stop.take().unwrap_or_default();
                return Ok(Ending::new(EndStatus::Stopped, reason));
            }
            Some(Err(e)) => return Ok(Ending::new(EndStatus::Error, e.to_string())),
            Some(Ok(turn)) => turn,
        };
        out.emit(Event::ModelTurn(ModelTurn {
            step,
            policy: policy.info().name,
            narration: turn.narration.clone(),
            actions: turn.actions.clone(),
            latency_ms: millis(asked),
            usage: turn.usage,
        }))?;
        spent += turn.usage.and_then(|u| u.cost_usd).unwrap_or(0.0);
        if let Some(text) = turn.narration.clone().filter(|t| !t.trim().is_empty()) {
            out.emit(Event::Narration(crate::trajectory::Narration {
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
        for (index, action) in turn.actions.into_iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            out.emit(Event::Action(ActionEvent {
                step,
                index,
                action: action.clone(),
            }))?;
            if let Some(ending) = terminal(&action) {
                out.emit(Event::ActionResult(result(step, index, None, 0, 0, true)))?;
                return Ok(ending);
            }
            if let Err(e) = action.validate(config.screen) {
                let msg = e.to_string();
                out.emit(Event::ActionResult(result(
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
                break;
            }

            let t0 = Instant::now();
            let mut job = hands.perform(action.clone());
            let performed = loop {
                tokio::select! {
                    biased;
                    r = &mut job => break r,
                    Some(op) = ops.recv() => {
                        inbox.take(op, step, out)?;
                        if inbox.stop.is_some() { hands.cancel().cancel(); }
                    }
                }
            };
            hands.cancel().reset();
            let duration_ms = millis(t0);
            let error = match performed {
                Ok(Ok(())) => None,
                Ok(Err(InputError::Cancelled)) => Some("interrupted".to_owned()),
                Ok(Err(e)) => Some(e.to_string()),
                Err(e) => Some(format!("the input task failed: {e}")),
            };

            let t1 = Instant::now();
            let settled = eyes.settle(frame.clone(), config.settle).await;
            let settle_ms = millis(t1);
            let (now, is_settled) = match settled {
                Ok(s) => (s.frame, s.settled),
                Err(e) => {
                    out.emit(Event::ActionResult(result(
                        step,
                        index,
                        error,
                        duration_ms,
                        settle_ms,
                        false,
                    )))?;
                    return Ok(Ending::new(
                        EndStatus::Error,
                        format!("cannot capture the screen: {e}"),
                    ));
                }
            };
            frame = now;
            out.emit(Event::ActionResult(result(
                step,
                index,
                error.clone(),
                duration_ms,
                settle_ms,
                is_settled,
            )))?;
            if let Some(reason) = inbox.stop.take() {
                return Ok(Ending::new(EndStatus::Stopped, reason));
            }
            let failed = error.is_some();
            feedback.push(Feedback { action, error });
            if failed {
                break;
            }
        }
    }
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
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}
