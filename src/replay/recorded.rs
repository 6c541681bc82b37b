//! The actions of a recorded run, as replay performs them: one action per replayed step, each
//! with the frame and focused window that were on the screen when it was first performed.

use crate::trajectory::{ActionStatus, Event, FrameRef, LoadError, Loaded, WindowRef, load};
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

/// Why a recorded run cannot be read for replay.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Its trajectory cannot be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Its trajectory is not a run's: the first event is not `session_meta`.
    #[error("{} does not start with session_meta", path.display())]
    NoSessionMeta {
        /// The trajectory file.
        path: PathBuf,
    },
}

/// Reads the run in `dir`. Actions that failed or whose outcome was never written are left
/// out: they did not (or may not have) happened, so replay does not do them either.
pub fn read(dir: &Path) -> Result<Recorded, ReadError> {
    let loaded: Loaded = load(dir)?;
    let Some(Event::SessionMeta(meta)) = loaded.records.first().map(|r| &r.event) else {
        return Err(ReadError::NoSessionMeta {
            path: dir.join(crate::trajectory::TRAJECTORY_FILE),
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// A run written before `window.rect` existed: its window has a title and class only.
    const OLD_RUN: &str = r#"{"seq":0,"ts":"2026-11-24T03:10:00.120Z","type":"session_meta","version":"0.1.0","format":1,"screen":{"width":1280,"height":800},"display":":7","policy":{"name":"script","script":"s.json"},"task":null,"max_steps":50}
{"seq":1,"ts":"2026-11-24T03:10:00.161Z","type":"observation","step":1,"frame":{"path":"frames/step-0001.png","sha256":"9f2c","width":1280,"height":800},"window":{"title":"xterm","class":["xterm","XTerm"]}}
{"seq":2,"ts":"2026-11-24T03:10:00.161Z","type":"model_turn","step":1,"policy":"script","narration":null,"actions":[{"type":"click","x":640,"y":400}],"latency_ms":3,"usage":null}
{"seq":3,"ts":"2026-11-24T03:10:00.162Z","type":"action","step":1,"index":0,"action":{"type":"click","x":640,"y":400}}
{"seq":4,"ts":"2026-11-24T03:10:00.301Z","type":"action_result","step":1,"index":0,"status":"ok","error":null,"duration_ms":1,"settle_ms":138,"settled":true}
{"seq":5,"ts":"2026-11-24T03:10:00.350Z","type":"session_end","status":"done","message":"hello","steps":1,"duration_ms":230}
"#;

    #[test]
    fn a_run_from_before_window_rects_reads_with_no_rect() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(crate::trajectory::TRAJECTORY_FILE), OLD_RUN).unwrap();
        let run = read(dir.path()).unwrap();
        assert_eq!(run.actions.len(), 1);
        assert_eq!(
            run.actions[0].window,
            Some(WindowRef {
                title: "xterm".into(),
                class: vec!["xterm".into(), "XTerm".into()],
                rect: None,
            })
        );
        assert_eq!(
            (run.turns, run.decide_ms, run.duration_ms),
            (1, 3, Some(230))
        );
    }

    #[test]
    fn a_file_that_is_not_a_run_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(crate::trajectory::TRAJECTORY_FILE);
        let no_meta = OLD_RUN.lines().skip(1).collect::<Vec<_>>().join("\n") + "\n";
        std::fs::write(&path, no_meta).unwrap();
        let err = read(dir.path()).unwrap_err();
        assert!(
            matches!(&err, ReadError::NoSessionMeta { path: p } if *p == path),
            "{err}"
        );
        let missing = read(&dir.path().join("nowhere")).unwrap_err();
        assert!(
            matches!(&missing, ReadError::Load(LoadError::Io { .. })),
            "{missing}"
        );
        // The cause is kept: the I/O error under the load error.
        let source = std::error::Error::source(&missing).expect("a source");
        assert!(source.is::<std::io::Error>(), "{source:?}");
    }
}
