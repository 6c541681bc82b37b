//! Re-grounding: where a recorded point is on the screen now.
//!
//! For each point an action aims at, in order of cost:
//!
//! 1. **in place**: the recorded patch around the point is still where it was (the common
//!    case: the same screen, the same layout). Nothing moves. A point on plain ground (an empty
//!    page) can only be confirmed this way: the same plain ground in the same place.
//! 2. **template**: the patch is found elsewhere on the screen, once and clearly
//!    ([`deskhand_vision::Patch::locate`]): the point moves with it.
//! 3. **text**: the text recorded under the point (read by OCR around it) is found on the
//!    screen now, exactly once or nearest the recorded place: the point moves with it.
//! 4. **window**: the point lay inside the window that had the focus when it was recorded, and
//!    the recording says where that window was (`window.rect`, see [`crate::trajectory`]). A
//!    window of the same class and title ([`super::same_window`]) is on the screen now, the
//!    focused one first, then from the top down; the point moves with it to the same place
//!    in it, provided that place is shown (no other window covers it) and looks as it did
//!    when recorded (the recorded patch, compared there). This is how a click on plain ground
//!    follows a window that has moved.
//!
//! Plain ground in place is only the same place when the recorded window is still there: when
//! the recording says where the window was and another window (or the same one, moved) now
//! holds the point, in place fails and the methods after it decide.
//!
//! When none of these holds, the point cannot be re-grounded and replay stops: it never clicks
//! on a guess. Every method tried is kept, with its numbers, for the divergence report.

use super::by_window::ByWindow;
use crate::policy::text_target::Grounder;
use deskhand_actions::{Action, Point};
use deskhand_vision::ocr::NotFound;
use deskhand_vision::{Frame, MatchMode, OcrError, Patch, Rect, VisionError, find_text};
use serde::Serialize;

/// A patch in place differing by at most this much (mean grey level) is the same: a blinking
/// caret or a hover highlight stays under it.
pub(super) const IN_PLACE_MAD: f64 = 3.0;
/// A patch found elsewhere must match at least this well.
pub(super) const FOUND_MAD: f64 = 6.0;
/// How far around the point the recorded frame is read for its text.
const TEXT_REACH: (u32, u32) = (320, 40);

/// One method tried for one point, for the divergence report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    /// `in_place`, `template`, `text` or `window`.
    pub method: &'static str,
    /// The recorded point.
    pub point: [i32; 2],
    /// What came of it, in words.
    pub outcome: String,
    /// Whether it gave the point.
    pub ok: bool,
}

/// The action aimed anew, and how.
#[derive(Debug, Clone)]
pub struct Grounded {
    /// The action with its points on the screen as it is now.
    pub action: Action,
    /// How, in words (for the step's narration).
    pub how: String,
    /// Every method tried.
    pub tried: Vec<Attempt>,
}

/// Why the text under a point could not be followed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// No OCR engine to read with.
    #[error("cannot read text: {0}")]
    Engine(#[source] OcrError),
    /// The recorded frame could not be cut around the point.
    #[error("cannot cut the recorded frame around the point: {0}")]
    Crop(#[source] VisionError),
    /// Reading a frame failed.
    #[error("cannot read the {which} frame: {source}")]
    Read {
        /// `recorded` or `current`.
        which: &'static str,
        /// The cause.
        source: OcrError,
    },
    /// The recorded frame shows no text under the point.
    #[error("no text under the recorded point")]
    NothingUnder,
    /// The text under the point is not on the screen now.
    #[error(transparent)]
    NotFound(#[from] NotFound),
}

/// Aims `action`, recorded on `recorded`, at `current`; `windows`, when the recording says
/// where its window was, allows re-grounding by window. `Err` holds what was tried.
pub fn ground(
    action: &Action,
    recorded: &Frame,
    current: &Frame,
    ocr: &mut Grounder,
    windows: Option<&ByWindow>,
) -> Result<Grounded, Vec<Attempt>> {
    if matches!(action, Action::Zoom { .. }) || action.points().is_empty() {
        return Ok(Grounded {
            action: action.clone(),
            how: "no point to aim".into(),
            tried: Vec::new(),
        });
    }
    let mut tried = Vec::new();
    let mut hows = Vec::new();
    let mut first_shift: Option<(i32, i32)> = None;
    let mut failed = false;
    let action = action.map_points(|p| {
        if failed {
            return p;
        }
        match ground_point(p, recorded, current, ocr, windows, &mut tried) {
            Some((q, how)) => {
                first_shift.get_or_insert((q.x - p.x, q.y - p.y));
                hows.push(how);
                q
            }
            // A later point of a drag may lie on plain ground: it moves with the first.
            None if first_shift.is_some() => {
                let (dx, dy) = first_shift.unwrap_or_default();
                hows.push(format!("moved with the first point by ({dx}, {dy})"));
                Point::new(p.x + dx, p.y + dy)
            }
            None => {
                failed = true;
                p
            }
        }
    });
    if failed {
        return Err(tried);
    }
    Ok(Grounded {
        action,
        how: hows.join("; "),
        tried,
    })
}

fn ground_point(
    p: Point,
    recorded: &Frame,
    current: &Frame,
    ocr: &mut Grounder,
    windows: Option<&ByWindow>,
    tried: &mut Vec<Attempt>,
) -> Option<(Point, String)> {
    let at = [p.x, p.y];
    let mut note = |method, ok, outcome: String| {
        tried.push(Attempt {
            method,
            point: at,
            outcome,
            ok,
        })
    };
    let patch = u32::try_from(p.x)
        .ok()
        .zip(u32::try_from(p.y).ok())
        .and_then(|(x, y)| Patch::around(recorded, x, y));
    let Some(patch) = patch else {
        note(
            "in_place",
            false,
            "the point is off the recorded screen".into(),
        );
        return None;
    };
    // The window method applies to points inside the recorded window only.
    let windows = windows.filter(|w| w.holds(p));
    let side = patch.rect.width.max(patch.rect.height);
    match patch.mad_in_place(current) {
        Some(mad) if mad <= IN_PLACE_MAD && patch.plain => {
            // Plain ground (an empty page, a blank field): nothing to search for, but the same
            // plain ground in the same place, in the same window, is the same place.
            match windows.map(|w| w.still_at(p)) {
                Some(Err(why)) => note(
                    "in_place",
                    false,
                    format!("plain ground, the same in place (differs by {mad:.2}), but {why}"),
                ),
                _ => {
                    note(
                        "in_place",
                        true,
                        format!("plain ground, the same in place (differs by {mad:.2})"),
                    );
                    return Some((p, "in place (plain ground)".into()));
                }
            }
        }
        Some(mad) if mad <= IN_PLACE_MAD => {
            note(
                "in_place",
                true,
                format!("{side} px patch differs by {mad:.2}"),
            );
            return Some((p, "in place".into()));
        }
        _ if patch.plain => note(
            "in_place",
            false,
            "the recorded point lies on plain ground, and the screen differs there: nothing to recognise it by".into(),
        ),
        Some(mad) => note(
            "in_place",
            false,
            format!("{side} px patch differs by {mad:.2}"),
        ),
        None => note(
            "in_place",
            false,
            "the patch's place is off the screen".into(),
        ),
    }
    if !patch.plain {
        match patch.locate(current) {
            Some(found) if found.mad <= FOUND_MAD && !found.ambiguous => {
                let q = Point::new(found.x as i32, found.y as i32);
                let how = format!(
                    "moved by ({}, {}) (template, differs by {:.2})",
                    q.x - p.x,
                    q.y - p.y,
                    found.mad
                );
                note("template", true, how.clone());
                return Some((q, how));
            }
            Some(found) => note(
                "template",
                false,
                format!(
                    "best place ({}, {}) differs by {:.2}{}",
                    found.x,
                    found.y,
                    found.mad,
                    if found.ambiguous {
                        format!(
                            ", and another place almost as well ({:.2})",
                            found.runner_up.unwrap_or_default()
                        )
                    } else {
                        String::new()
                    }
                ),
            ),
            None => note(
                "template",
                false,
                "the screen is smaller than the patch".into(),
            ),
        }
    }
    match by_text(p, recorded, current, ocr) {
        Ok((q, how)) => {
            note("text", true, how.clone());
            return Some((q, how));
        }
        Err(why) => note("text", false, why.to_string()),
    }
    let windows = windows?;
    match windows.aim(p, &patch, recorded, current) {
        Ok((q, how)) => {
            note("window", true, how.clone());
            Some((q, how))
        }
        Err(why) => {
            note("window", false, why.to_string());
            None
        }
    }
}

/// The text under `p` on `recorded`, found on `current`.
fn by_text(
    p: Point,
    recorded: &Frame,
    current: &Frame,
    ocr: &mut Grounder,
) -> Result<(Point, String), TextError> {
    let engine = ocr.engine().map_err(TextError::Engine)?;
    let (x, y) = (p.x.max(0) as u32, p.y.max(0) as u32);
    let x0 = x.saturating_sub(TEXT_REACH.0);
    let y0 = y.saturating_sub(TEXT_REACH.1);
    let x1 = (x + TEXT_REACH.0).min(recorded.width());
    let y1 = (y + TEXT_REACH.1).min(recorded.height());
    let around = recorded
        .crop(Rect::new(x0, y0, x1 - x0, y1 - y0))
        .map_err(TextError::Crop)?;
    let seen = engine.read(&around).map_err(|source| TextError::Read {
        which: "recorded",
        source,
    })?;
    let (lx, ly) = (x - x0, y - y0);
    let under = seen
        .iter()
        .filter(|e| grow(e.rect, 6).contains(lx, ly))
        .min_by_key(|e| e.rect.area())
        .ok_or(TextError::NothingUnder)?;
    let now = engine.read(current).map_err(|source| TextError::Read {
        which: "current",
        source,
    })?;
    let found = find_text(&now, &under.text, Some((p.x, p.y)), MatchMode::Exact)?;
    let (cx, cy) = found.click_point();
    let (rx, ry) = under.click_point();
    let q = Point::new(cx + (lx as i32 - rx), cy + (ly as i32 - ry));
    Ok((
        q,
        format!(
            "the text {:?} moved by ({}, {})",
            under.text,
            q.x - p.x,
            q.y - p.y
        ),
    ))
}

fn grow(r: Rect, by: u32) -> Rect {
    Rect::new(
        r.x.saturating_sub(by),
        r.y.saturating_sub(by),
        r.width + 2 * by,
        r.height + 2 * by,
    )
}

#[cfg(test)]
#[path = "ground_tests.rs"]
mod tests;
