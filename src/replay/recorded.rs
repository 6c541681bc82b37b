//! The actions of a recorded run, as replay performs them: one action per replayed step, each
//! with the frame and focused window that were on the screen when it was first performed.

use crate::trajectory::{ActionStatus, Event, FrameRef, Loaded, WindowRef, load};
use deskhand_actions::Action;
use deskhand_tasks::TaskRef;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One action to perform again.
#[derive(Debug, Clone)]
pub struct RecordedAction {
    /// The recorded step it belongs to.
    pub step: u32,
    /// Its index within that step's turn.
    pub index: u32,
    /// The action, in the recorded screen's pixels.
    pub action: Action,
    /// The frame observed before the recorded step (for an index above 0, earlier actions of
    /// the same turn had already run when it was performed).
    pub frame: Option<FrameRef>,
    /// The focused window then.
    pub window: Option<WindowRef>,
}

/// A recorded run, ready to replay.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Its run directory.
    pub dir: PathBuf,
    /// The task it worked on, if any.
    pub task: Option<TaskRef>,
    /// Its screen size.
    pub screen: (u32, u32),
    /// The actions that went through, in order, ending with its `done` / `fail` when it had one.
    pub actions: Vec<RecordedAction>,
    /// How long the recorded run took (its `session_end`), when it finished.
    pub duration_ms: Option<u64>,
    /// Its `model_turn` events: how many, and their `latency_ms` summed (the time spent
    /// deciding: the provider's answers, for a model-driven run).
    pub turns: u32,
    /// See `turns`.
    pub decide_ms: u64,
}

/// Reads the run in `dir`. Actions that failed or whose outcome was never written are left
/// out: they did not (or may not have) happened, so replay does not do them either.
pub fn read(dir: &Path) -> Result<Recorded, String> {
    let loaded: Loaded = load(dir).map_err(|e| e.to_string())?;
    let Some(Event::SessionMeta(meta)) = loaded.records.first().map(|r| &r.event) else {
        return Err(format!(
            "{} does not start with session_meta",
            dir.join(crate::trajectory::TRAJECTORY_FILE).display()
        ));
    };
    let mut observed: HashMap<u32, (FrameRef, Option<WindowRef>)> = HashMap::new();
    let mut pending: HashMap<(u32, u32), Action> = HashMap::new();
    let mut actions = Vec::new();
    let mut duration_ms = None;
    let (mut turns, mut decide_ms) = (0, 0);
    for record in &loaded.records {
        match &record.event {
            Event::Observation(o) => {
                observed.insert(o.step, (o.frame.clone(), o.window.clone()));
            }
            Event::Action(a) => {
                pending.insert((a.step, a.index), a.action.clone());
            }
            Event::ActionResult(r) => {
                let Some(action) = pending.remove(&(r.step, r.index)) else {
                    continue;
                };
                if r.status != ActionStatus::Ok {
                    continue;
                }
                let (frame, window) = observed
                    .get(&r.step)
                    .map(|(f, w)| (Some(f.clone()), w.clone()))
                    .unwrap_or_default();
                actions.push(RecordedAction {
                    step: r.step,
                    index: r.index,
                    action,
                    frame,
                    window,
                });
            }
            Event::ModelTurn(t) => {
                turns += 1;
                decide_ms += t.latency_ms;
            }
            Event::SessionEnd(end) => duration_ms = Some(end.duration_ms),
            _ => {}
        }
    }
    Ok(Recorded {
        dir: dir.to_owned(),
        task: meta.task.clone(),
        screen: (meta.screen.width, meta.screen.height),
        actions,
        duration_ms,
        turns,
        decide_ms,
    })
}
