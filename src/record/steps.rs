//! Writing a recording into the trajectory format, one step per action: the observation (the
//! frame before the person began the action), a `model_turn` of policy `record` holding that one
//! action, the `action`, and its `action_result` once it is known how the screen settled.

use super::coalesce::Finished;
use super::screen::{Sampler, Shot};
use crate::trajectory::{
    ActionEvent, ActionResult, ActionStatus, EndStatus, Event, ModelTurn, Observation, PolicyInfo,
    ScreenSize, SessionEnd, SessionMeta, TrajectoryError, TrajectoryWriter,
};
use deskhand_vision::SettleOptions;
use std::sync::Arc;
use std::time::Duration;

/// The policy name a recording writes.
pub const POLICY: &str = "record";

/// An action written whose result is not yet.
#[derive(Debug, Clone, Copy)]
struct Open {
    step: u32,
    started: Duration,
    ended: Duration,
}

/// The trajectory side of a recording.
#[derive(Debug)]
pub struct Steps {
    writer: TrajectoryWriter,
    settle: SettleOptions,
    step: u32,
    open: Option<Open>,
    /// When the last action ended (the recording's start before any).
    last_end: Duration,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Steps {
    /// Writes `session_meta` and returns the writer of the steps.
    pub fn start(
        mut writer: TrajectoryWriter,
        display: &str,
        screen: ScreenSize,
        settings: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Steps, TrajectoryError> {
        writer.append(Event::SessionMeta(SessionMeta {
            version: env!("CARGO_PKG_VERSION").into(),
            format: crate::trajectory::FORMAT_VERSION,
            screen,
            display: display.to_owned(),
            policy: PolicyInfo {
                name: POLICY.into(),
                settings,
            },
            spec: None,
            task: None,
            max_steps: u32::MAX,
        }))?;
        Ok(Steps {
            writer,
            settle: SettleOptions::default(),
            step: 0,
            open: None,
            last_end: Duration::ZERO,
        })
    }

    /// Writes one finished action as a step: observation, model_turn, action. Its result is
    /// written later, by [`Steps::acted`], [`Steps::poll`] or the next action.
    pub fn write(
        &mut self,
        done: Finished<Option<Arc<Shot>>>,
        sampler: &Sampler,
    ) -> anyhow::Result<()> {
        if let Some(open) = self.open {
            self.close(Some(done.started.max(open.ended)), sampler)?;
        }
        let step = self.step + 1;
        if let Some(shot) = done.tag.or_else(|| sampler.latest()) {
            let png = shot
                .frame
                .to_png()
                .map_err(|e| anyhow::anyhow!("cannot encode the screen as PNG: {e}"))?;
            let frame = self.writer.write_frame(
                &format!("step-{step:04}"),
                &png,
                shot.frame.width(),
                shot.frame.height(),
            )?;
            self.writer.append(Event::Observation(Observation {
                step,
                frame,
                // Which window had the focus *before* the person acted is not known here
                // (by the time an action is final, a dialog it opened may have the focus),
                // so none is claimed and replay does not check it.
                window: None,
            }))?;
        }
        self.writer.append(Event::ModelTurn(ModelTurn {
            step,
            policy: POLICY.into(),
            narration: None,
            actions: vec![done.action.clone()],
            latency_ms: ms(done.started.saturating_sub(self.last_end)),
            usage: None,
        }))?;
        self.writer.append(Event::Action(ActionEvent {
            step,
            index: 0,
            action: done.action.clone(),
        }))?;
        eprintln!("deskhand record: step {step}: {}", done.action);
        self.step = step;
        self.last_end = done.ended;
        self.open = Some(Open {
            step,
            started: done.started,
            ended: done.ended,
        });
        Ok(())
    }

    /// The person pressed a key or button at `at`: the open action's settling is over.
    pub fn acted(&mut self, at: Duration, sampler: &Sampler) -> Result<(), TrajectoryError> {
        match self.open {
            Some(open) if at > open.ended => self.close(Some(at), sampler),
            _ => Ok(()),
        }
    }

    /// Writes the open action's result if its settling is known by now.
    pub fn poll(&mut self, sampler: &Sampler) -> Result<(), TrajectoryError> {
        self.close(None, sampler)
    }

    /// Writes the open action's result: with `cutoff` always, without it only once known.
    fn close(
        &mut self,
        cutoff: Option<Duration>,
        sampler: &Sampler,
    ) -> Result<(), TrajectoryError> {
        let Some(open) = self.open else {
            return Ok(());
        };
        let Some(report) = sampler.settle(open.ended, cutoff, &self.settle) else {
            return Ok(());
        };
        self.writer.append(Event::ActionResult(ActionResult {
            step: open.step,
            index: 0,
            status: ActionStatus::Ok,
            error: None,
            duration_ms: ms(open.ended.saturating_sub(open.started)),
            settle_ms: report.settle_ms,
            settled: report.settled,
            note: None,
        }))?;
        self.open = None;
        Ok(())
    }

    /// Closes the last result (watching until `at`) and writes `session_end`.
    pub fn end(
        mut self,
        at: Duration,
        sampler: &Sampler,
        status: EndStatus,
        message: String,
    ) -> Result<SessionEnd, TrajectoryError> {
        if let Some(open) = self.open {
            self.close(Some(at.max(open.ended)), sampler)?;
        }
        let end = SessionEnd {
            status,
            message: Some(message),
            steps: self.step,
            duration_ms: ms(at),
        };
        self.writer.append(Event::SessionEnd(end.clone()))?;
        self.writer.sync()?;
        Ok(end)
    }
}
