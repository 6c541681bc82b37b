//! Fast, exact text typing through XTEST, without enigo's per-key round trips and delays.
//!
//! enigo types one character at a time with a server-side delay and a round trip per event
//! (about 24 ms a character measured here). [`XtestTyper`] sends every key event of a text
//! back to back with no delay and waits once, at the end, for the server to have processed them
//! (one `GetInputFocus` round trip on the same connection, which X answers in order).
//!
//! Each character becomes a keysym (`\n` Return, `\t` Tab, Latin-1 as is, the rest as
//! `0x0100_0000 + code point`):
//! - found in the keyboard map's first column: press and release that key;
//! - found in the second column: the same, with Shift held around it;
//! - not in the map: bound to a spare keycode (one with no symbols) as `[sym, sym]`. Spare
//!   keycodes are used round robin and remembered, so a text with many distinct characters
//!   remaps as little as possible; every binding is undone when the typer is dropped.
//!
//! Clients see the mapping change (MappingNotify) before the key events that use it, since the
//! server delivers events in order.

use std::collections::HashMap;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, KEY_PRESS_EVENT, KEY_RELEASE_EVENT, Keycode, Keysym,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

use crate::driver::InputError;

const SHIFT_L: Keysym = 0xffe1;

/// Types text through XTEST on its own X connection.
pub struct XtestTyper {
    conn: RustConnection,
    root: u32,
    device: u8,
    /// keysym → (keycode, needs shift), from the server's map.
    mapped: HashMap<Keysym, (Keycode, bool)>,
    shift: Option<Keycode>,
    spare: Vec<Keycode>,
    next_spare: usize,
    /// Spare keycode → the keysym bound to it now.
    bound: HashMap<Keycode, Keysym>,
}

impl std::fmt::Debug for XtestTyper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XtestTyper")
            .field("spare", &self.spare.len())
            .field("bound", &self.bound.len())
            .finish_non_exhaustive()
    }
}

/// An X request's failure: the display gone when the connection itself broke, else a
/// failed request.
fn x_err(what: &str, e: impl Into<x11rb::errors::ReplyOrIdError>) -> InputError {
    match e.into() {
        x11rb::errors::ReplyOrIdError::ConnectionError(e) => InputError::DisplayLost {
            reason: format!("{what}: {e}"),
        },
        e => InputError::Backend(format!("{what}: {e}")),
    }
}

/// The keysym X uses for a character.
pub fn keysym_for(c: char) -> Keysym {
    let cp = u32::from(c);
    if c == '\n' {
        0xff0d // Return
    } else if c == '\t' {
        0xff09 // Tab
    } else if (0x20..=0x7e).contains(&cp) || (0xa0..=0xff).contains(&cp) {
        cp
    } else {
        0x0100_0000 | cp
    }
}

impl XtestTyper {
    /// Connects to `display` and reads its keyboard map.
    pub fn connect(display: &str) -> Result<XtestTyper, InputError> {
        let (conn, screen) = x11rb::connect(Some(display)).map_err(|e| InputError::Connect {
            display: display.to_owned(),
            reason: e.to_string(),
        })?;
        let setup = conn.setup();
        let root = setup
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or_else(|| InputError::Backend(format!("no screen: {display}")))?;
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = conn
            .get_keyboard_mapping(min, max - min + 1)
            .map_err(|e| x_err("keyboard map", e))?
            .reply()
            .map_err(|e| x_err("keyboard map", e))?;
        let per = usize::from(map.keysyms_per_keycode.max(1));
        let mut mapped = HashMap::new();
        let mut spare = Vec::new();
        for (i, syms) in map.keysyms.chunks(per).enumerate() {
            let Ok(code) = Keycode::try_from(usize::from(min) + i) else {
                continue;
            };
            if syms.iter().all(|&s| s == 0) {
                spare.push(code);
                continue;
            }
            for (col, &sym) in syms.iter().take(2).enumerate() {
                if sym != 0 {
                    mapped.entry(sym).or_insert((code, col == 1));
                }
            }
        }
        let shift = mapped.get(&SHIFT_L).map(|&(c, _)| c);
        // Send as the core keyboard device, as enigo does for its own keys.
        let device = x11rb::protocol::xinput::list_input_devices(&conn)
            .ok()
            .and_then(|c| c.reply().ok())
            .and_then(|r| {
                r.devices
                    .iter()
                    .find(|d| d.device_use == x11rb::protocol::xinput::DeviceUse::IS_X_KEYBOARD)
                    .map(|d| d.device_id)
            })
            .unwrap_or(0);
        Ok(XtestTyper {
            conn,
            root,
            device,
            mapped,
            shift,
            spare,
            next_spare: 0,
            bound: HashMap::new(),
        })
    }

    fn fake(&self, kind: u8, code: Keycode) -> Result<(), InputError> {
        self.conn
            .xtest_fake_input(kind, code, 0, self.root, 0, 0, self.device)
            .map_err(|e| x_err("XTEST", e))?;
        Ok(())
    }

    fn tap(&self, code: Keycode) -> Result<(), InputError> {
        self.fake(KEY_PRESS_EVENT, code)?;
        self.fake(KEY_RELEASE_EVENT, code)
    }

    /// Binds `sym` to a spare keycode (reusing one already bound to it).
    fn bind(&mut self, sym: Keysym) -> Result<Keycode, InputError> {
        if let Some((&code, _)) = self.bound.iter().find(|&(_, &s)| s == sym) {
            return Ok(code);
        }
        let Some(&code) = self.spare.get(self.next_spare % self.spare.len().max(1)) else {
            return Err(InputError::Backend(format!(
                "no spare keycode to type keysym {sym:#x}"
            )));
        };
        self.next_spare += 1;
        self.conn
            .change_keyboard_mapping(1, code, 2, &[sym, sym])
            .map_err(|e| x_err("remap", e))?;
        self.bound.insert(code, sym);
        Ok(code)
    }

    /// Types `text` (no control characters) and returns once the server has taken every event.
    pub fn type_text(&mut self, text: &str) -> Result<(), InputError> {
        for c in text.chars() {
            let sym = keysym_for(c);
            match self.mapped.get(&sym).copied() {
                Some((code, false)) => self.tap(code)?,
                Some((code, true)) if self.shift.is_some() => {
                    let shift = self.shift.unwrap_or(code);
                    self.fake(KEY_PRESS_EVENT, shift)?;
                    self.tap(code)?;
                    self.fake(KEY_RELEASE_EVENT, shift)?;
                }
                _ => {
                    let code = self.bind(sym)?;
                    self.tap(code)?;
                }
            }
            // One round trip per character: the server has taken it before the next is sent.
            self.sync()?;
        }
        Ok(())
    }

    /// One round trip: every request sent before it has been processed when it returns.
    /// [`InputError::DisplayLost`] when the display no longer answers.
    pub fn sync(&self) -> Result<(), InputError> {
        self.conn
            .get_input_focus()
            .map_err(|e| x_err("sync", e))?
            .reply()
            .map_err(|e| x_err("sync", e))?;
        Ok(())
    }
}

impl Drop for XtestTyper {
    fn drop(&mut self) {
        for (&code, _) in self.bound.iter() {
            let _ = self.conn.change_keyboard_mapping(1, code, 2, &[0, 0]);
        }
        let _ = self.conn.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::keysym_for;

    #[test]
    fn keysyms_follow_x_rules() {
        assert_eq!(keysym_for('a'), 0x61);
        assert_eq!(keysym_for('A'), 0x41);
        assert_eq!(keysym_for('ü'), 0xfc);
        assert_eq!(keysym_for('ß'), 0xdf);
        assert_eq!(keysym_for('世'), 0x0100_4e16);
        assert_eq!(keysym_for('✓'), 0x0100_2713);
    }
}
