//! Replay: a recorded run's actions performed again, with no model, each one checked against the
//! screen first.
//!
//! [`ActionReplay`] is a [`Policy`]: it plugs into the same loop as every other, so a replay
//! waits on the screen settling (never on the recorded timings) and writes a trajectory of its
//! own. Each recorded action that went through becomes one replayed step:
//!
//! - An action aimed at a point (click, drag, scroll, move) is re-grounded on the current frame
//!   ([`ground`]): in place, by template matching, by the text recorded under the point, or at
//!   the same place in the recorded window, found again among the display's windows
//!   ([`scene`]) when it has moved.
//! - Keys and typing go where the focus is, so the focused window must be the recorded one (the
//!   same class, and the same title up to digits), when the recording says which it was.
//! - `done`, `fail` and waits are replayed as they are.
//!
//! When an action cannot be checked or re-grounded, replay stops before performing it and writes
//! a [`divergence`] report: the run ends with status `error`.
//!
//! The windows are read from the display [`ActionReplay::on_display`] names, or else from the
//! one `DISPLAY` names (the callers set it to the driven display).

pub mod by_window;
pub mod divergence;
pub mod ground;
pub mod recorded;
pub mod scene;

use crate::display::x11::{self, X11};
use crate::policy::text_target::Grounder;
use crate::policy::{Decide, Policy, PolicyError, Turn};
use crate::trajectory::{PolicyInfo, WindowRef};
use async_trait::async_trait;
use by_window::ByWindow;
use deskhand_actions::Action;
use deskhand_vision::Frame;
use divergence::Divergence;
use recorded::{Recorded, RecordedAction};
use scene::{Scene, SceneError};
use std::path::{Path, PathBuf};

/// The policy name replay writes in `session_meta`.
pub const POLICY_NAME: &str = "replay";

/// Performs a recorded run's actions again.
pub struct ActionReplay {
    recorded: Recorded,
    next: usize,
    out: PathBuf,
    frame: Option<(String, Frame)>,
    ocr: Grounder,
    /// The display whose windows are read, and a connection to it once made.
    display: Option<String>,
    x: Option<X11>,
}

impl ActionReplay {
    /// Replays the run in `from`, writing any divergence report into `out`.
    pub fn load(from: &Path, out: &Path) -> Result<ActionReplay, PolicyError> {
        let recorded = recorded::read(from)
            .map_err(|e| PolicyError::Fatal(format!("cannot replay {}: {e}", from.display())))?;
        Ok(ActionReplay {
            recorded,
            next: 0,
            out: out.to_owned(),
            frame: None,
            ocr: Grounder::default(),
            display: None,
            x: None,
        })
    }

    /// Reads the windows (to re-ground by window) from the X display `name`, instead of the
    /// one `DISPLAY` names.
    pub fn on_display(mut self, name: &str) -> ActionReplay {
        self.display = Some(name.to_owned());
        self.x = None;
        self
    }

    fn recorded_frame(&mut self, ra: &RecordedAction) -> Option<Frame> {
        let path = &ra.frame.as_ref()?.path;
        if let Some((p, f)) = &self.frame
            && p == path
        {
            return Some(f.clone());
        }
        let bytes = std::fs::read(self.recorded.dir.join(path)).ok()?;
        let frame = Frame::from_png(&bytes).ok()?;
        self.frame = Some((path.clone(), frame.clone()));
        Some(frame)
    }

    fn diverge(
        &self,
        step: u32,
        ra: &RecordedAction,
        reason: String,
        current: &Frame,
        window: Option<&WindowRef>,
        tried: Vec<ground::Attempt>,
    ) -> PolicyError {
        let report = Divergence {
            step,
            recorded_step: ra.step,
            index: ra.index,
            action: ra.action.clone(),
            reason: reason.clone(),
            expected_frame: None,
            actual_frame: None,
            recorded_window: ra.window.clone(),
            actual_window: window.cloned(),
            tried,
        };
        let expected = ra.frame.as_ref().map(|f| self.recorded.dir.join(&f.path));
        let written = report.write(&self.out, expected.as_deref(), current);
        let see = match written {
            Ok(path) => format!("see {}", path.display()),
            Err(e) => format!("the divergence report could not be written: {e}"),
        };
        PolicyError::Fatal(format!(
            "replay diverged at recorded step {} ({}): {reason}; stopped before acting ({see})",
            ra.step,
            ra.action.kind()
        ))
    }
}

/// The windows on `display` (or `DISPLAY`'s) now, connecting on first use; a connection that
/// failed a request is dropped, so the next action connects again.
fn read_scene(display: Option<&str>, x: &mut Option<X11>) -> Result<Scene, SceneError> {
    if x.is_none() {
        let name = match display {
            Some(d) => d.to_owned(),
            None => std::env::var("DISPLAY").unwrap_or_default(),
        };
        *x = Some(x11::connect(&name)?);
    }
    let Some(conn) = x.as_ref() else {
        return Ok(Scene::default());
    };
    let scene = Scene::read(conn);
    if scene.is_err() {
        *x = None;
    }
    scene
}

/// Whether keys typed now reach the window they reached when recorded: the same class and
/// title once set aside what differs between two runs of the same thing: digits (a clock, a
/// counter) and the folders of paths (each run has its own private HOME).
pub fn same_window(recorded: &WindowRef, now: &WindowRef) -> bool {
    let norm = |t: &str| -> String {
        t.split_whitespace()
            .map(|word| word.rsplit('/').next().unwrap_or(word))
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    let class = |w: &WindowRef| w.class.iter().map(|c| norm(c)).collect::<Vec<_>>();
    class(recorded) == class(now) && norm(&recorded.title) == norm(&now.title)
}

fn is_keyboard(action: &Action) -> bool {
    matches!(
        action,
        Action::TypeText { .. } | Action::Key { .. } | Action::HoldKey { .. }
    )
}

#[async_trait]
impl Policy for ActionReplay {
    fn info(&self) -> PolicyInfo {
        let mut settings = serde_json::Map::new();
        settings.insert(
            "from".into(),
            self.recorded.dir.display().to_string().into(),
        );
        settings.insert("mode".into(), "actions".into());
        PolicyInfo {
            name: POLICY_NAME.into(),
            settings,
        }
    }

    async fn decide(&mut self, input: Decide<'_>) -> Result<Turn, PolicyError> {
        let Some(ra) = self.recorded.actions.get(self.next).cloned() else {
            return Ok(Turn::default());
        };
        let where_ = format!("recorded step {} action {}", ra.step, ra.index);
        let stop = |me: &Self, reason: String, tried| {
            Err(me.diverge(input.step, &ra, reason, input.frame, input.window, tried))
        };
        let (action, how) = if is_keyboard(&ra.action) {
            if let (Some(was), Some(now)) = (&ra.window, input.window)
                && !same_window(was, now)
            {
                let reason = format!(
                    "the keys went to the window {:?} ({}) when recorded, and the focus is now on {:?} ({})",
                    was.title,
                    was.class.join("."),
                    now.title,
                    now.class.join(".")
                );
                return stop(self, reason, Vec::new());
            }
            (ra.action.clone(), "same window".to_owned())
        } else if ra.action.points().is_empty() || matches!(ra.action, Action::Zoom { .. }) {
            (ra.action.clone(), "nothing to aim".to_owned())
        } else {
            let Some(recorded) = self.recorded_frame(&ra) else {
                let reason = "the recorded frame is missing, so the point cannot be checked".into();
                return stop(self, reason, Vec::new());
            };
            let current = input.frame.clone();
            let action = ra.action.clone();
            let mut ocr = std::mem::take(&mut self.ocr);
            let window = ra.window.clone().filter(|w| w.rect.is_some());
            let (display, mut x) = (self.display.clone(), self.x.take());
            let (grounded, ocr, x) = tokio::task::spawn_blocking(move || {
                // Only a recording that says where its window was can use the windows now.
                let by_window = window.and_then(|w| {
                    let now = read_scene(display.as_deref(), &mut x);
                    ByWindow::of(&w, now)
                });
                let g = ground::ground(&action, &recorded, &current, &mut ocr, by_window.as_ref());
                (g, ocr, x)
            })
            .await
            .map_err(|e| PolicyError::Fatal(format!("re-grounding failed: {e}")))?;
            self.ocr = ocr;
            self.x = x;
            match grounded {
                Ok(g) => (g.action, g.how),
                Err(tried) => {
                    let reason = "the recorded point could not be found on the screen".into();
                    return stop(self, reason, tried);
                }
            }
        };
        self.next += 1;
        Ok(Turn {
            narration: Some(format!("replaying {where_}: {how}")),
            actions: vec![action],
            usage: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(title: &str, class: &[&str]) -> WindowRef {
        WindowRef {
            title: title.into(),
            class: class.iter().map(|c| (*c).to_owned()).collect(),
            rect: None,
        }
    }

    #[test]
    fn windows_compare_without_private_folders_and_digits() {
        let a = w(
            "/tmp/home-ab12/notes.txt - Mousepad",
            &["mousepad", "Mousepad"],
        );
        let b = w(
            "/tmp/home-Zq9/notes.txt - Mousepad",
            &["mousepad", "Mousepad"],
        );
        assert!(same_window(&a, &b));
        let c = w(
            "/tmp/home-Zq9/todo.txt - Mousepad",
            &["mousepad", "Mousepad"],
        );
        assert!(!same_window(&a, &c));
        let d = w("Save As", &["mousepad", "Mousepad"]);
        assert!(!same_window(&a, &d));
        let e = w(
            "x (/tmp/h-1/.chromium)",
            &["chromium (/tmp/h-1/.chromium)", "Chromium"],
        );
        let f = w(
            "x (/tmp/h-2/.chromium)",
            &["chromium (/tmp/h-2/.chromium)", "Chromium"],
        );
        assert!(same_window(&e, &f));
    }
}
