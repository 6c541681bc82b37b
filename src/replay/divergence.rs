//! The divergence report: why replay stopped, written into the replay's run directory.
//!
//! # `divergence.json`
//!
//! ```json
//! {
//!   "step": 4,                       // the replay's step that could not go on
//!   "recorded_step": 3,              // the recorded step (and `index`) it was replaying
//!   "index": 0,
//!   "action": {"type": "click", "x": 812, "y": 604},   // as recorded
//!   "reason": "the recorded point could not be found on the screen",
//!   "expected_frame": "divergence/expected.png",        // the recorded frame, when there is one
//!   "actual_frame": "divergence/actual.png",            // the screen when replay stopped
//!   "recorded_window": {"title": "notes.txt - Mousepad", "class": ["mousepad", "Mousepad"],
//!                       "rect": {"x": 398, "y": 249, "width": 640, "height": 480}},
//!   "actual_window": null,
//!   "tried": [{"method": "in_place", "point": [812, 604], "outcome": "49 px patch differs by 41.20", "ok": false}, …,
//!             {"method": "window", "point": [812, 604], "outcome": "no window like the recorded one, …", "ok": false}]
//! }
//! ```
//!
//! `tried` lists every method tried for the point, in order: `in_place`, `template` (not for
//! plain ground), `text`, and `window` (only when the recording says where its window was and
//! the point lay in it; see [`super::ground`]). The windows are the focused ones, with `rect`
//! (their client area) when the display said. Paths are relative to the run directory. No action is performed after a divergence: the
//! replay's trajectory ends with `session_end` status `error` and a message naming this file.

use super::ground::Attempt;
use crate::trajectory::WindowRef;
use deskhand_actions::Action;
use deskhand_vision::Frame;
use serde::Serialize;
use std::path::Path;

/// The report's file name in the run directory.
pub const DIVERGENCE_FILE: &str = "divergence.json";

/// What is written to `divergence.json`.
#[derive(Debug, Serialize)]
pub struct Divergence {
    /// The replay's step.
    pub step: u32,
    /// The recorded step.
    pub recorded_step: u32,
    /// The action's index in the recorded step.
    pub index: u32,
    /// The action as recorded.
    pub action: Action,
    /// Why replay stopped.
    pub reason: String,
    /// The recorded frame, copied.
    pub expected_frame: Option<String>,
    /// The screen when replay stopped.
    pub actual_frame: Option<String>,
    /// The focused window when recorded.
    pub recorded_window: Option<WindowRef>,
    /// The focused window now.
    pub actual_window: Option<WindowRef>,
    /// Every method tried.
    pub tried: Vec<Attempt>,
}

impl Divergence {
    /// Writes the report and its two frames into `run_dir`; returns the report's path. The
    /// frames are best effort: a report without them still says what happened.
    pub fn write(
        mut self,
        run_dir: &Path,
        expected: Option<&Path>,
        actual: &Frame,
    ) -> std::io::Result<std::path::PathBuf> {
        let dir = run_dir.join("divergence");
        std::fs::create_dir_all(&dir)?;
        if let Some(src) = expected
            && std::fs::copy(src, dir.join("expected.png")).is_ok()
        {
            self.expected_frame = Some("divergence/expected.png".into());
        }
        if let Ok(png) = actual.to_png()
            && std::fs::write(dir.join("actual.png"), png).is_ok()
        {
            self.actual_frame = Some("divergence/actual.png".into());
        }
        let path = run_dir.join(DIVERGENCE_FILE);
        let text = serde_json::to_string_pretty(&self).map_err(std::io::Error::other)?;
        std::fs::write(&path, text + "\n")?;
        Ok(path)
    }
}
