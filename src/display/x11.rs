//! The few X queries deskhand needs outside capture and input: the window manager's client
//! list, and the keyboard and pointer state (to prove nothing is left held).

use super::DisplayError;
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, KeyButMask, Window};
use x11rb::rust_connection::RustConnection;

/// A connection to one X display and its first screen's root window.
#[derive(Debug)]
pub struct X11 {
    conn: RustConnection,
    root: Window,
}

/// Connects to `display` (like `:7`).
pub fn connect(display: &str) -> Result<X11, DisplayError> {
    let (conn, screen) = x11rb::connect(Some(display)).map_err(|e| DisplayError::Connect {
        display: display.to_owned(),
        reason: e.to_string(),
    })?;
    let root = conn
        .setup()
        .roots
        .get(screen)
        .map(|s| s.root)
        .ok_or_else(|| DisplayError::X11(format!("display {display} has no screen {screen}")))?;
    Ok(X11 { conn, root })
}

fn x11_err(e: impl std::fmt::Display) -> DisplayError {
    DisplayError::X11(e.to_string())
}

/// Calls `probe` until it yields `Some`, an error, or `deadline` passes (then `Ok(None)`).
/// Probes are spaced 10 ms apart: this waits on a condition, it is not a fixed sleep.
pub fn wait_for<T>(
    deadline: Duration,
    mut probe: impl FnMut() -> Result<Option<T>, DisplayError>,
) -> Result<Option<T>, DisplayError> {
    let until = Instant::now() + deadline;
    loop {
        if let Some(v) = probe()? {
            return Ok(Some(v));
        }
        if Instant::now() >= until {
            return Ok(None);
        }
        std::thread::park_timeout(Duration::from_millis(10));
    }
}

impl X11 {
    /// The connection.
    pub(crate) fn conn(&self) -> &RustConnection {
        &self.conn
    }

    /// The root window.
    pub(crate) fn root(&self) -> Window {
        self.root
    }

    pub(crate) fn atom(&self, name: &str) -> Result<u32, DisplayError> {
        Ok(self
            .conn
            .intern_atom(false, name.as_bytes())
            .map_err(x11_err)?
            .reply()
            .map_err(x11_err)?
            .atom)
    }

    pub(crate) fn property_u32s(
        &self,
        window: Window,
        name: &str,
        ty: u32,
    ) -> Result<Vec<u32>, DisplayError> {
        let atom = self.atom(name)?;
        let reply = self
            .conn
            .get_property(false, window, atom, ty, 0, 4096)
            .map_err(x11_err)?
            .reply()
            .map_err(x11_err)?;
        Ok(reply.value32().map(|v| v.collect()).unwrap_or_default())
    }

    /// True once an EWMH window manager has announced itself on the root window.
    pub fn wm_ready(&self) -> Result<bool, DisplayError> {
        let ids = self.property_u32s(
            self.root,
            "_NET_SUPPORTING_WM_CHECK",
            AtomEnum::WINDOW.into(),
        )?;
        Ok(!ids.is_empty())
    }
}

/// The top-level windows the window manager manages, oldest first.
pub fn client_list(x: &X11) -> Result<Vec<u32>, DisplayError> {
    x.property_u32s(x.root, "_NET_CLIENT_LIST", AtomEnum::WINDOW.into())
}

/// What the X server says is held right now: key codes down, and mouse buttons down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldInput {
    /// Key codes whose bit is set in the server's keymap.
    pub keycodes: Vec<u8>,
    /// Mouse buttons (1 = left, 2 = middle, 3 = right, 4 and 5 = wheel) held down.
    pub buttons: Vec<u8>,
}

impl HeldInput {
    /// True when no key and no button is down.
    pub fn is_clear(&self) -> bool {
        self.keycodes.is_empty() && self.buttons.is_empty()
    }
}

/// Reads the server's keymap (QueryKeymap) and pointer button mask (QueryPointer).
pub fn held_input(x: &X11) -> Result<HeldInput, DisplayError> {
    let keymap = x
        .conn
        .query_keymap()
        .map_err(x11_err)?
        .reply()
        .map_err(x11_err)?;
    let mut keycodes = Vec::new();
    for (byte_index, byte) in keymap.keys.iter().enumerate() {
        for bit in 0..8u8 {
            if byte & (1 << bit) != 0 {
                keycodes.push(u8::try_from(byte_index * 8).unwrap_or(u8::MAX) + bit);
            }
        }
    }
    let pointer = x
        .conn
        .query_pointer(x.root)
        .map_err(x11_err)?
        .reply()
        .map_err(x11_err)?;
    let masks = [
        (KeyButMask::BUTTON1, 1u8),
        (KeyButMask::BUTTON2, 2),
        (KeyButMask::BUTTON3, 3),
        (KeyButMask::BUTTON4, 4),
        (KeyButMask::BUTTON5, 5),
    ];
    let buttons = masks
        .iter()
        .filter(|(m, _)| pointer.mask.contains(*m))
        .map(|(_, b)| *b)
        .collect();
    Ok(HeldInput { keycodes, buttons })
}

/// Where the pointer is, in root-window pixels.
pub fn pointer_position(x: &X11) -> Result<(i32, i32), DisplayError> {
    let p = x
        .conn
        .query_pointer(x.root)
        .map_err(x11_err)?
        .reply()
        .map_err(x11_err)?;
    Ok((i32::from(p.root_x), i32::from(p.root_y)))
}

/// The root window's size in pixels.
pub fn screen_size(x: &X11) -> Result<(u32, u32), DisplayError> {
    let g = x
        .conn
        .get_geometry(x.root)
        .map_err(x11_err)?
        .reply()
        .map_err(x11_err)?;
    Ok((u32::from(g.width), u32::from(g.height)))
}

/// Proves the window manager manages new windows: maps a small probe window and waits until it
/// shows in `_NET_CLIENT_LIST` (mapping it again every 100 ms, since openbox ignores map
/// requests during its start-up), then destroys it. Returns false if `deadline` passed first.
pub fn wm_manages_windows(x: &X11, deadline: Duration) -> Result<bool, DisplayError> {
    use x11rb::protocol::xproto::{CreateWindowAux, WindowClass};
    let id = x.conn.generate_id().map_err(x11_err)?;
    x.conn
        .create_window(
            0,
            id,
            x.root,
            0,
            0,
            16,
            16,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new(),
        )
        .map_err(x11_err)?;
    let mut last_map = Instant::now() - Duration::from_secs(1);
    let found = wait_for(deadline, || {
        if last_map.elapsed() >= Duration::from_millis(100) {
            x.conn.map_window(id).map_err(x11_err)?;
            x.conn.flush().map_err(x11_err)?;
            last_map = Instant::now();
        }
        Ok(client_list(x)?.contains(&id).then_some(()))
    })?;
    x.conn.destroy_window(id).map_err(x11_err)?;
    x.conn.flush().map_err(x11_err)?;
    Ok(found.is_some())
}
