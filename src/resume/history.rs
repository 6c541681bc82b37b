//! A cut-off run's trajectory, read back step by step: what each decision was shown and
//! answered, and what became of each action.

use crate::policy::Feedback;
use crate::trajectory::{
    ActionResult, ActionStatus, Event, FrameRef, ModelTurn, Record, WindowRef,
};
use deskhand_actions::Action;
use std::collections::BTreeMap;

/// One step as the trajectory has it.
#[derive(Debug, Clone, Default)]
pub struct StepRecord {
    /// The frame the decision was shown (the last observation of the step).
    pub frame: Option<FrameRef>,
    /// The focused window then.
    pub window: Option<WindowRef>,
    /// The steering messages the decision heard.
    pub messages: Vec<String>,
    /// The decision, when it was written.
    pub turn: Option<ModelTurn>,
    /// `action` events written, by index.
    pub announced: BTreeMap<u32, Action>,
    /// When each `action` event was written (RFC 3339), by index.
    pub announced_at: BTreeMap<u32, String>,
    /// `action_result` events written, by index.
    pub results: BTreeMap<u32, ActionResult>,
    /// Indices whose `input_sent` was written.
    pub sent: std::collections::BTreeSet<u32>,
}

/// The whole run, by step.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Steps by number.
    pub steps: BTreeMap<u32, StepRecord>,
    /// Messages written since the last observation (no decision has heard them yet).
    pub unheard: Vec<String>,
    /// What the model calls cost.
    pub spent_usd: f64,
    /// Milliseconds from the first line to the last.
    pub elapsed_ms: u64,
}

impl History {
    /// Reads the records of a trajectory (the first is `session_meta`).
    pub fn of(records: &[Record]) -> History {
        let mut h = History::default();
        let mut since: Vec<String> = Vec::new();
        let mut last_obs: Option<u32> = None;
        for r in records {
            match &r.event {
                Event::Observation(o) => {
                    let s = h.steps.entry(o.step).or_default();
                    // Messages since the previous observation go to this step's decision; a
                    // step observed again (after a resume) also keeps the ones its first
                    // observation gathered, since that decision never finished.
                    if last_obs != Some(o.step) {
                        s.messages.clear();
                    }
                    s.messages.append(&mut since);
                    s.frame = Some(o.frame.clone());
                    s.window = o.window.clone();
                    last_obs = Some(o.step);
                }
                Event::UserMessage(m) => since.push(m.text.clone()),
                Event::ModelTurn(t) => {
                    h.spent_usd += t.usage.and_then(|u| u.cost_usd).unwrap_or(0.0);
                    h.steps.entry(t.step).or_default().turn = Some(t.clone());
                }
                Event::Action(a) => {
                    let s = h.steps.entry(a.step).or_default();
                    s.announced.insert(a.index, a.action.clone());
                    s.announced_at.insert(a.index, r.ts.clone());
                }
                Event::InputSent(i) => {
                    h.steps.entry(i.step).or_default().sent.insert(i.index);
                }
                Event::ActionResult(res) => {
                    h.steps
                        .entry(res.step)
                        .or_default()
                        .results
                        .insert(res.index, res.clone());
                }
                _ => {}
            }
        }
        // A step observed but never decided: its messages are still to be heard.
        if let Some(s) = last_obs.and_then(|s| h.steps.get(&s))
            && s.turn.is_none()
        {
            h.unheard = s.messages.clone();
        }
        h.unheard.append(&mut since);
        h.elapsed_ms = elapsed(records);
        h
    }

    /// The last step whose decision was written, with its number.
    pub fn last_decided(&self) -> Option<(u32, &StepRecord)> {
        self.steps
            .iter()
            .rev()
            .find(|(_, s)| s.turn.is_some())
            .map(|(n, s)| (*n, s))
    }

    /// What the decision of `step` heard about the previous step's actions.
    pub fn feedback_for(&self, step: u32) -> Vec<Feedback> {
        step.checked_sub(1)
            .and_then(|prev| self.steps.get(&prev))
            .map(StepRecord::feedback)
            .unwrap_or_default()
    }
}

impl StepRecord {
    /// The outcome of each action that has a result, in order.
    pub fn feedback(&self) -> Vec<Feedback> {
        self.results
            .iter()
            .filter_map(|(i, r)| {
                let action = self.announced.get(i)?.clone();
                Some(Feedback {
                    action,
                    error: match r.status {
                        ActionStatus::Ok => None,
                        ActionStatus::Error => Some(r.error.clone().unwrap_or_default()),
                    },
                })
            })
            .collect()
    }
}

fn elapsed(records: &[Record]) -> u64 {
    let parse = |r: &Record| {
        time::OffsetDateTime::parse(&r.ts, &time::format_description::well_known::Rfc3339).ok()
    };
    match (
        records.first().and_then(parse),
        records.last().and_then(parse),
    ) {
        (Some(a), Some(b)) => u64::try_from((b - a).whole_milliseconds()).unwrap_or(0),
        _ => 0,
    }
}
