//! Top-level windows as the window manager sees them: title, class and type from EWMH/ICCCM
//! properties, and the requests to raise or close one (`_NET_ACTIVE_WINDOW`,
//! `_NET_CLOSE_WINDOW`), as a pager would send them.

use super::DisplayError;
use super::x11::{X11, client_list};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask};

/// One managed window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowInfo {
    /// The X window id.
    pub id: u32,
    /// `_NET_WM_NAME`, else `WM_NAME`.
    pub title: String,
    /// `WM_CLASS`: instance and class, as written.
    pub class: Vec<String>,
    /// A splash screen (`_NET_WM_WINDOW_TYPE_SPLASH`), not a real window of the program.
    pub splash: bool,
}

impl WindowInfo {
    /// Whether `name` names this window: the whole title (`strict`) or a part of it, or with
    /// `by_class` one of its class names (case-insensitive) or, as `wmctrl -x` matches,
    /// `instance.class` (`Mail.thunderbird`): all of it with `strict`, else a part of it in
    /// any case.
    pub fn matches(&self, name: &str, strict: bool, by_class: bool) -> bool {
        if by_class {
            let joined = self.class.join(".");
            return self.class.iter().any(|c| c.eq_ignore_ascii_case(name))
                || if strict {
                    joined == name
                } else {
                    joined.to_lowercase().contains(&name.to_lowercase())
                };
        }
        if strict {
            self.title == name
        } else {
            self.title.contains(name)
        }
    }
}

fn x11_err(e: impl std::fmt::Display) -> DisplayError {
    DisplayError::X11(e.to_string())
}

fn property(x: &X11, window: u32, name: &str, ty: u32) -> Result<Vec<u8>, DisplayError> {
    let atom = x.atom(name)?;
    let reply = x
        .conn()
        .get_property(false, window, atom, ty, 0, 1024)
        .map_err(x11_err)?
        .reply()
        .map_err(x11_err)?;
    Ok(reply.value)
}

/// Every managed window, oldest first. A window that vanishes while it is read is left out.
pub fn list(x: &X11) -> Result<Vec<WindowInfo>, DisplayError> {
    let mut out = Vec::new();
    for id in client_list(x)? {
        if let Some(info) = describe(x, id)? {
            out.push(info);
        }
    }
    Ok(out)
}

/// One window's title, class and type; `None` when it has gone.
pub fn describe(x: &X11, id: u32) -> Result<Option<WindowInfo>, DisplayError> {
    let utf8 = x.atom("UTF8_STRING")?;
    let splash = x.atom("_NET_WM_WINDOW_TYPE_SPLASH")?;
    let Ok(mut title) = property(x, id, "_NET_WM_NAME", utf8) else {
        return Ok(None);
    };
    if title.is_empty() {
        title = property(x, id, "WM_NAME", AtomEnum::STRING.into()).unwrap_or_default();
    }
    let class = property(x, id, "WM_CLASS", AtomEnum::STRING.into()).unwrap_or_default();
    let types = x
        .property_u32s(id, "_NET_WM_WINDOW_TYPE", AtomEnum::ATOM.into())
        .unwrap_or_default();
    Ok(Some(WindowInfo {
        id,
        title: String::from_utf8_lossy(&title).into_owned(),
        class: class
            .split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect(),
        splash: types.contains(&splash),
    }))
}

fn client_message(x: &X11, window: u32, name: &str, data: [u32; 5]) -> Result<(), DisplayError> {
    let ty = x.atom(name)?;
    let event = ClientMessageEvent::new(32, window, ty, data);
    x.conn()
        .send_event(
            false,
            x.root(),
            EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
            event,
        )
        .map_err(x11_err)?;
    x.conn().flush().map_err(x11_err)?;
    Ok(())
}

/// Asks the window manager to raise and focus `window` (source: a pager, so it is obeyed).
pub fn activate(x: &X11, window: u32) -> Result<(), DisplayError> {
    client_message(x, window, "_NET_ACTIVE_WINDOW", [2, 0, 0, 0, 0])
}

/// Asks the window manager to close `window`, as its close button would.
pub fn close(x: &X11, window: u32) -> Result<(), DisplayError> {
    client_message(x, window, "_NET_CLOSE_WINDOW", [0, 2, 0, 0, 0])
}

/// Asks the window manager to move `window` so that its top-left corner (frame included, as
/// with `StaticGravity` off: NorthWest) is at `(x, y)` on the root window.
pub fn move_to(x: &X11, window: u32, left: i32, top: i32) -> Result<(), DisplayError> {
    // Flags: NorthWest gravity (1), x and y given (bits 8 and 9), source: a pager (bit 13).
    let flags = 1 | (1 << 8) | (1 << 9) | (2 << 12);
    client_message(
        x,
        window,
        "_NET_MOVERESIZE_WINDOW",
        [flags, left as u32, top as u32, 0, 0],
    )
}

/// Where `window`'s client area is on the root window, and its size.
pub fn geometry(x: &X11, window: u32) -> Result<(i32, i32, u32, u32), DisplayError> {
    let g = x
        .conn()
        .get_geometry(window)
        .map_err(x11_err)?
        .reply()
        .map_err(x11_err)?;
    let t = x
        .conn()
        .translate_coordinates(window, x.root(), 0, 0)
        .map_err(x11_err)?
        .reply()
        .map_err(x11_err)?;
    Ok((
        i32::from(t.dst_x),
        i32::from(t.dst_y),
        u32::from(g.width),
        u32::from(g.height),
    ))
}

/// The window that has the input focus per the window manager (`_NET_ACTIVE_WINDOW`).
pub fn active(x: &X11) -> Result<Option<u32>, DisplayError> {
    let ids = x.property_u32s(x.root(), "_NET_ACTIVE_WINDOW", AtomEnum::WINDOW.into())?;
    Ok(ids.first().copied().filter(|id| *id != 0))
}
