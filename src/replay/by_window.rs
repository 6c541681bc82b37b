//! Re-grounding by window (the fourth method of [`super::ground`]): a point recorded inside the
//! window that had the focus, at the same place in that window now that it has moved.
//!
//! The window is found again by class and title ([`super::same_window`]) among the windows on
//! the screen ([`Scene`]), the focused one first, then from the top down. The first of them
//! where the place is shown (no other window covers it) and looks as it did when recorded (the
//! recorded patch around the point, compared there) gives the point.

use super::ground::{FOUND_MAD, IN_PLACE_MAD};
use super::same_window;
use super::scene::{Scene, SceneError, Shown};
use crate::trajectory::{WindowRect, WindowRef};
use deskhand_actions::Point;
use deskhand_vision::{Frame, Patch, Rect};
use std::sync::Arc;

/// What re-grounding by window needs: the window that had the focus when the action was
/// recorded, where it was then, and the windows on the screen now.
#[derive(Debug)]
pub struct ByWindow {
    /// The recorded window.
    pub recorded: WindowRef,
    /// Where its client area was.
    pub was: WindowRect,
    /// The windows now, or why they could not be read.
    pub now: Result<Scene, Arc<SceneError>>,
}

/// Why the recorded window no longer holds a point where it did.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotHere {
    /// The recorded window, or one like it, holds the point, but from another place.
    #[error("the recorded window there has moved by ({dx}, {dy}) since")]
    Moved {
        /// How far right.
        dx: i32,
        /// How far down.
        dy: i32,
    },
    /// Another window holds the point.
    #[error("the window there now is {0}")]
    Other(String),
    /// No window holds the point.
    #[error("no window is there now")]
    Empty,
}

/// Why the same place in one window like the recorded one was not taken.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlaceMiss {
    /// The window is too small now to hold the place.
    #[error("it is {width}x{height} now, too small to hold the point at ({x}, {y}) in it")]
    TooSmall {
        /// Its width now.
        width: u32,
        /// Its height now.
        height: u32,
        /// The point's place in it, from its client area's corner.
        x: i32,
        /// See `x`.
        y: i32,
    },
    /// Another window covers the place.
    #[error("the place ({x}, {y}) is covered by {by}")]
    Covered {
        /// The place on the screen.
        x: i32,
        /// See `x`.
        y: i32,
        /// The covering window, named.
        by: String,
    },
    /// The place is off the screen.
    #[error("the place ({x}, {y}) is off the screen")]
    OffScreen {
        /// The place on the screen.
        x: i32,
        /// See `x`.
        y: i32,
    },
    /// The recorded patch around the point, moved with the window, leaves the screen.
    #[error("the recorded patch around the point does not fit on the screen at ({x}, {y})")]
    PatchOff {
        /// The place on the screen.
        x: i32,
        /// See `x`.
        y: i32,
    },
    /// The place looks different from the recorded point.
    #[error("the recorded patch differs by {mad:.2} there")]
    Differs {
        /// Mean absolute grey difference.
        mad: f64,
    },
}

/// One window like the recorded one, and why its place was not taken.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The window, named.
    pub window: String,
    /// Its client area's corner.
    pub at: (i32, i32),
    /// Why not.
    pub miss: PlaceMiss,
}

/// Why re-grounding by window gave no point.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum WindowMiss {
    /// The display's windows could not be read.
    #[error("{0}")]
    Unreadable(#[source] Arc<SceneError>),
    /// No window like the recorded one is shown.
    #[error("no window like the recorded one, {0}, is on the screen")]
    NoneLike(String),
    /// Some are, but none of them shows the place.
    #[error("{}", candidates(.0))]
    NoPlace(Vec<Candidate>),
}

fn candidates(all: &[Candidate]) -> String {
    all.iter()
        .map(|c| {
            format!(
                "the window {} at ({}, {}): {}",
                c.window, c.at.0, c.at.1, c.miss
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether `(x, y)` lies in `r`.
pub(super) fn inside(r: &WindowRect, x: i32, y: i32) -> bool {
    let (dx, dy) = (i64::from(x) - i64::from(r.x), i64::from(y) - i64::from(r.y));
    (0..i64::from(r.width)).contains(&dx) && (0..i64::from(r.height)).contains(&dy)
}

/// A window as the report names it: its title and class.
pub(super) fn name(w: &WindowRef) -> String {
    format!("{:?} ({})", w.title, w.class.join("."))
}

impl ByWindow {
    /// The window method's context for a recorded window, when the recording says where it was.
    pub fn of(recorded: &WindowRef, now: Result<Scene, SceneError>) -> Option<ByWindow> {
        Some(ByWindow {
            recorded: recorded.clone(),
            was: recorded.rect?,
            now: now.map_err(Arc::new),
        })
    }

    /// Whether the recorded window held `p` when it was recorded.
    pub fn holds(&self, p: Point) -> bool {
        inside(&self.was, p.x, p.y)
    }

    /// Whether the recorded window still holds `p` from where it did. When the windows could
    /// not be read, that cannot be told, and it is taken as so.
    pub fn still_at(&self, p: Point) -> Result<(), NotHere> {
        let Ok(scene) = &self.now else {
            return Ok(());
        };
        match scene.at(p.x, p.y) {
            Some(w) if same_window(&self.recorded, &w.window) => {
                let (dx, dy) = (w.client.x - self.was.x, w.client.y - self.was.y);
                if (dx, dy) == (0, 0) {
                    Ok(())
                } else {
                    Err(NotHere::Moved { dx, dy })
                }
            }
            Some(w) => Err(NotHere::Other(name(&w.window))),
            None => Err(NotHere::Empty),
        }
    }

    /// `p` (around which `patch` was cut from `recorded`) at the same place in a window like the
    /// recorded one on `current`, and how, in words.
    pub fn aim(
        &self,
        p: Point,
        patch: &Patch,
        recorded: &Frame,
        current: &Frame,
    ) -> Result<(Point, String), WindowMiss> {
        let scene = self
            .now
            .as_ref()
            .map_err(|e| WindowMiss::Unreadable(e.clone()))?;
        let like = scene.like(&self.recorded);
        if like.is_empty() {
            return Err(WindowMiss::NoneLike(name(&self.recorded)));
        }
        let limit = if patch.plain { IN_PLACE_MAD } else { FOUND_MAD };
        let mut misses = Vec::new();
        for w in like {
            match self.same_place(p, w, scene, patch, (recorded, current), limit) {
                Ok((q, mad)) => {
                    let (dx, dy) = (q.x - p.x, q.y - p.y);
                    let how = format!(
                        "the window {} moved by ({dx}, {dy}): the same place in it (differs by {mad:.2})",
                        name(&w.window)
                    );
                    return Ok((q, how));
                }
                Err(miss) => misses.push(Candidate {
                    window: name(&w.window),
                    at: (w.client.x, w.client.y),
                    miss,
                }),
            }
        }
        Err(WindowMiss::NoPlace(misses))
    }

    /// `p` at the same place in `w`, and how much the recorded patch differs there: when that
    /// place is shown and the patch matches there within `limit`.
    fn same_place(
        &self,
        p: Point,
        w: &Shown,
        scene: &Scene,
        patch: &Patch,
        (recorded, current): (&Frame, &Frame),
        limit: f64,
    ) -> Result<(Point, f64), PlaceMiss> {
        let (rx, ry) = (p.x - self.was.x, p.y - self.was.y);
        let size = WindowRect {
            x: 0,
            y: 0,
            ..w.client
        };
        if !inside(&size, rx, ry) {
            return Err(PlaceMiss::TooSmall {
                width: size.width,
                height: size.height,
                x: rx,
                y: ry,
            });
        }
        let q = Point::new(w.client.x + rx, w.client.y + ry);
        match scene.at(q.x, q.y) {
            Some(top) if top.id == w.id => {}
            Some(top) => {
                return Err(PlaceMiss::Covered {
                    x: q.x,
                    y: q.y,
                    by: name(&top.window),
                });
            }
            None => return Err(PlaceMiss::OffScreen { x: q.x, y: q.y }),
        }
        let mad = mad_moved(patch, recorded, current, (q.x - p.x, q.y - p.y))
            .ok_or(PlaceMiss::PatchOff { x: q.x, y: q.y })?;
        if mad > limit {
            return Err(PlaceMiss::Differs { mad });
        }
        Ok((q, mad))
    }
}

/// How much `patch` (cut from `recorded`) differs from `current` moved by `(dx, dy)`; `None`
/// when the moved place is off `current`.
fn mad_moved(
    patch: &Patch,
    recorded: &Frame,
    current: &Frame,
    (dx, dy): (i32, i32),
) -> Option<f64> {
    let r = patch.rect;
    let x = u32::try_from(i64::from(r.x) + i64::from(dx)).ok()?;
    let y = u32::try_from(i64::from(r.y) + i64::from(dy)).ok()?;
    if u64::from(x) + u64::from(r.width) > u64::from(current.width())
        || u64::from(y) + u64::from(r.height) > u64::from(current.height())
    {
        return None;
    }
    let there = current.crop(Rect::new(x, y, r.width, r.height)).ok()?;
    // The same patch cut again from its own piece of the recorded frame: its place is then the
    // piece's corner, where `there` is compared.
    let piece = recorded.crop(r).ok()?;
    let again = Patch::around(&piece, patch.offset.0, patch.offset.1)?;
    if again.rect != Rect::new(0, 0, r.width, r.height) {
        return None;
    }
    again.mad_in_place(&there)
}
