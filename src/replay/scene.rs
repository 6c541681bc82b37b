//! The windows on the screen now, as replay needs them to find a recorded window again: each
//! managed window's title, class, client area and outer frame, in stacking order.
//!
//! Read once per re-grounded action ([`Scene::read`]); the questions asked of it
//! ([`Scene::at`], [`Scene::like`]) are pure, so they are tested without a display.

use super::same_window;
use crate::display::x11::X11;
use crate::display::{DisplayError, windows, x11};
use crate::trajectory::{WindowRect, WindowRef};
use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, MapState};

/// Why the window list could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SceneError {
    /// The display could not be reached, or the window manager's lists could not be read.
    #[error("cannot read the display's windows: {0}")]
    Display(#[from] DisplayError),
}

/// One managed window as it is shown now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The X window id.
    pub id: u32,
    /// Its title and class (`rect` is left out: see `client`).
    pub window: WindowRef,
    /// Its client area.
    pub client: WindowRect,
    /// Its client area with the window manager's decorations (`_NET_FRAME_EXTENTS`).
    pub outer: WindowRect,
    /// Whether it is mapped and shown (not minimised, not on another desktop).
    pub viewable: bool,
}

/// The managed windows, bottom to top, and which one has the focus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scene {
    /// Bottom to top (`_NET_CLIENT_LIST_STACKING`).
    pub windows: Vec<Shown>,
    /// The focused window's id (`_NET_ACTIVE_WINDOW`).
    pub focused: Option<u32>,
}

fn contains(r: &WindowRect, x: i32, y: i32) -> bool {
    let (w, h) = (i64::from(r.width), i64::from(r.height));
    let (dx, dy) = (i64::from(x) - i64::from(r.x), i64::from(y) - i64::from(r.y));
    (0..w).contains(&dx) && (0..h).contains(&dy)
}

impl Scene {
    /// Reads the windows of the display `x` is connected to. A window that vanishes while it
    /// is read is left out.
    pub fn read(x: &X11) -> Result<Scene, SceneError> {
        let mut ids = x.property_u32s(
            x.root(),
            "_NET_CLIENT_LIST_STACKING",
            AtomEnum::WINDOW.into(),
        )?;
        if ids.is_empty() {
            // A window manager without a stacking list: its client list, oldest first, is the
            // nearest guess at bottom to top.
            ids = x11::client_list(x)?;
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(shown) = shown(x, id)? {
                out.push(shown);
            }
        }
        Ok(Scene {
            windows: out,
            focused: windows::active(x)?,
        })
    }

    /// The window on top at `(x, y)`: the topmost viewable window whose frame holds the point.
    pub fn at(&self, x: i32, y: i32) -> Option<&Shown> {
        self.windows
            .iter()
            .rev()
            .find(|w| w.viewable && contains(&w.outer, x, y))
    }

    /// The viewable windows that are the recorded one by class and title ([`same_window`]):
    /// the focused one first, then from the top down.
    pub fn like(&self, recorded: &WindowRef) -> Vec<&Shown> {
        let mut found: Vec<&Shown> = self
            .windows
            .iter()
            .rev()
            .filter(|w| w.viewable && same_window(recorded, &w.window))
            .collect();
        // A stable sort keeps the top-down order among the rest.
        found.sort_by_key(|w| Some(w.id) != self.focused);
        found
    }
}

/// One window's title, class, places and state; `None` when it has gone.
fn shown(x: &X11, id: u32) -> Result<Option<Shown>, SceneError> {
    let Some(info) = windows::describe(x, id)? else {
        return Ok(None);
    };
    // A window that went away between the list and these requests: left out.
    let Ok((left, top, width, height)) = windows::geometry(x, id) else {
        return Ok(None);
    };
    let Ok(viewable) = viewable(x, id) else {
        return Ok(None);
    };
    let client = WindowRect {
        x: left,
        y: top,
        width,
        height,
    };
    let extents = x
        .property_u32s(id, "_NET_FRAME_EXTENTS", AtomEnum::CARDINAL.into())
        .unwrap_or_default();
    let outer = match extents[..] {
        [l, r, t, b, ..] => {
            let side = |v: u32| i32::try_from(v).unwrap_or(0);
            WindowRect {
                x: left - side(l),
                y: top - side(t),
                width: width.saturating_add(l).saturating_add(r),
                height: height.saturating_add(t).saturating_add(b),
            }
        }
        _ => client,
    };
    Ok(Some(Shown {
        id,
        window: WindowRef {
            title: info.title,
            class: info.class,
            rect: None,
        },
        client,
        outer,
        viewable,
    }))
}

fn viewable(x: &X11, id: u32) -> Result<bool, ReplyError> {
    let attrs = x.conn().get_window_attributes(id)?.reply()?;
    Ok(attrs.map_state == MapState::VIEWABLE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn rect(x: i32, y: i32, width: u32, height: u32) -> WindowRect {
        WindowRect {
            x,
            y,
            width,
            height,
        }
    }

    fn shown(id: u32, title: &str, client: WindowRect, viewable: bool) -> Shown {
        Shown {
            id,
            window: WindowRef {
                title: title.into(),
                class: vec!["xterm".into(), "XTerm".into()],
                rect: None,
            },
            client,
            // A 2 px border and a 20 px title bar.
            outer: rect(
                client.x - 2,
                client.y - 20,
                client.width + 4,
                client.height + 22,
            ),
            viewable,
        }
    }

    fn xterm() -> WindowRef {
        WindowRef {
            title: "xterm".into(),
            class: vec!["xterm".into(), "XTerm".into()],
            rect: Some(rect(0, 0, 10, 10)),
        }
    }

    #[test]
    fn the_topmost_viewable_frame_holds_a_point() {
        let scene = Scene {
            windows: vec![
                shown(1, "xterm", rect(10, 30, 400, 300), true),
                shown(2, "other", rect(100, 100, 400, 300), true),
                shown(3, "hidden", rect(0, 0, 1000, 1000), false),
            ],
            focused: Some(1),
        };
        assert_eq!(scene.at(50, 50).map(|w| w.id), Some(1));
        assert_eq!(scene.at(150, 150).map(|w| w.id), Some(2));
        // The title bar above the client area belongs to the window too.
        assert_eq!(scene.at(150, 85).map(|w| w.id), Some(2));
        assert_eq!(scene.at(900, 900).map(|w| w.id), None);
        assert_eq!(scene.at(-5, 900).map(|w| w.id), None);
    }

    #[test]
    fn windows_like_the_recorded_one_come_focused_first_then_top_down() {
        let mut scene = Scene {
            windows: vec![
                shown(1, "xterm", rect(0, 20, 100, 100), true),
                shown(2, "other", rect(0, 20, 100, 100), true),
                shown(3, "xterm", rect(0, 20, 100, 100), true),
                shown(4, "xterm", rect(0, 20, 100, 100), false),
            ],
            focused: Some(1),
        };
        let ids = |s: &Scene| s.like(&xterm()).iter().map(|w| w.id).collect::<Vec<_>>();
        assert_eq!(ids(&scene), [1, 3]);
        scene.focused = Some(2);
        assert_eq!(ids(&scene), [3, 1]);
        scene.windows.retain(|w| w.window.title != "xterm");
        assert_eq!(ids(&scene), Vec::<u32>::new());
    }
}
