//! The person's input, read with the X RECORD extension.
//!
//! RECORD needs two connections: the control one creates a context that intercepts the server's
//! device events (KeyPress, KeyRelease, ButtonPress, ButtonRelease, MotionNotify) and the core
//! `ChangeKeyboardMapping` requests of every client; the data one enables the context and then
//! only receives: a first reply (StartOfData), one reply per batch of intercepted data, and a last
//! one (EndOfData) once the control connection disables the context.
//!
//! Device events arrive as 32-byte core events: byte 0 the type, byte 1 the keycode or button,
//! bytes 20–23 the pointer's root x and y (i16 each). Keycodes are turned into meanings with the
//! keyboard map ([`Keymap`]), which `ChangeKeyboardMapping` requests update in the same order as
//! the events, so characters that typers bind to spare keycodes are read right. Input sent with
//! XTEST is recorded like a person's.

use super::coalesce::Input;
use super::keymap::Keymap;
use deskhand_actions::Point;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::errors::{ConnectError, ReplyError, ReplyOrIdError};
use x11rb::protocol::record::{self, ConnectionExt as _, ExtRange, Range, Range8, Range16};
use x11rb::protocol::xproto::{self, ConnectionExt as _, KeyButMask};
use x11rb::rust_connection::RustConnection;

/// Why the person's input cannot be read, or stopped being read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The display could not be reached.
    #[error("cannot connect to X display {display}: {source}")]
    Connect {
        /// The display.
        display: String,
        /// Why.
        source: ConnectError,
    },
    /// The X server has no RECORD extension.
    #[error("X display {0} has no RECORD extension, which recording needs")]
    NoRecord(String),
    /// The display has no such screen.
    #[error("X display {display} has no screen {screen}")]
    NoScreen {
        /// The display.
        display: String,
        /// The screen its name asked for.
        screen: usize,
    },
    /// An X request failed while the recording was being set up.
    #[error("X request failed while setting up the recording: {0}")]
    X11(#[from] ReplyOrIdError),
    /// The server stopped sending the recorded input (the display went away).
    #[error("the X display stopped sending input: {0}")]
    Stream(#[source] ReplyError),
    /// The server sent no data after the context was enabled.
    #[error("the RECORD context did not start within {0:?}")]
    NotStarted(Duration),
}

fn x_err(e: impl Into<ReplyOrIdError>) -> RecordError {
    RecordError::X11(e.into())
}

/// RECORD reply categories.
const FROM_SERVER: u8 = 0;
const FROM_CLIENT: u8 = 1;
const START_OF_DATA: u8 = 4;
const END_OF_DATA: u8 = 5;
/// The core request that changes the keyboard map.
const CHANGE_KEYBOARD_MAPPING: u8 = 100;

/// A running RECORD context; [`X11Input::stop`] ends it.
#[derive(Debug)]
pub struct X11Input {
    ctrl: RustConnection,
    context: record::Context,
    ended: mpsc::Receiver<()>,
    thread: Option<JoinHandle<()>>,
}

/// What the recorder learns when it starts.
#[derive(Debug, Clone, Copy)]
pub struct Started {
    /// Whether Caps Lock is on.
    pub caps: bool,
}

impl X11Input {
    /// Starts intercepting input on `display`; `sink` gets each event (or the error that ended
    /// the stream, as an `E`) on the reading thread, as it arrives. Returns once the server has
    /// begun sending data.
    pub fn start<E: From<RecordError> + 'static>(
        display: &str,
        mut sink: impl FnMut(Result<Input, E>) + Send + 'static,
    ) -> Result<(X11Input, Started), RecordError> {
        let connect = || {
            x11rb::connect(Some(display)).map_err(|source| RecordError::Connect {
                display: display.to_owned(),
                source,
            })
        };
        let (ctrl, screen) = connect()?;
        if ctrl
            .extension_information(record::X11_EXTENSION_NAME)
            .map_err(x_err)?
            .is_none()
        {
            return Err(RecordError::NoRecord(display.to_owned()));
        }
        ctrl.record_query_version(1, 13)
            .map_err(x_err)?
            .reply()
            .map_err(x_err)?;
        let setup = ctrl.setup();
        let root =
            setup
                .roots
                .get(screen)
                .map(|s| s.root)
                .ok_or_else(|| RecordError::NoScreen {
                    display: display.to_owned(),
                    screen,
                })?;
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = ctrl
            .get_keyboard_mapping(min, max - min + 1)
            .map_err(x_err)?
            .reply()
            .map_err(x_err)?;
        let mut keymap = Keymap::new(min, map.keysyms_per_keycode, map.keysyms);
        let pointer = ctrl
            .query_pointer(root)
            .map_err(x_err)?
            .reply()
            .map_err(x_err)?;
        let caps = u16::from(pointer.mask) & u16::from(KeyButMask::LOCK) != 0;

        let context = ctrl.generate_id().map_err(x_err)?;
        let none8 = Range8 { first: 0, last: 0 };
        let range = Range {
            core_requests: Range8 {
                first: CHANGE_KEYBOARD_MAPPING,
                last: CHANGE_KEYBOARD_MAPPING,
            },
            core_replies: none8,
            ext_requests: ExtRange {
                major: none8,
                minor: Range16 { first: 0, last: 0 },
            },
            ext_replies: ExtRange {
                major: none8,
                minor: Range16 { first: 0, last: 0 },
            },
            delivered_events: none8,
            device_events: Range8 {
                first: xproto::KEY_PRESS_EVENT,
                last: xproto::MOTION_NOTIFY_EVENT,
            },
            errors: none8,
            client_started: false,
            client_died: false,
        };
        ctrl.record_create_context(context, 0, &[record::CS::ALL_CLIENTS.into()], &[range])
            .map_err(x_err)?
            .check()
            .map_err(x_err)?;

        let (data, _) = connect()?;
        let (started_tx, started_rx) = mpsc::sync_channel::<Result<(), RecordError>>(1);
        let (ended_tx, ended) = mpsc::sync_channel::<()>(1);
        let thread = std::thread::spawn(move || {
            let replies = match data.record_enable_context(context) {
                Ok(r) => r,
                Err(e) => {
                    let _ = started_tx.send(Err(RecordError::Stream(e.into())));
                    return;
                }
            };
            let mut started = false;
            for reply in replies {
                let reply = match reply {
                    Ok(r) => r,
                    Err(e) => {
                        // Before the first data, the error is `start`'s; after it, the sink's.
                        let e = RecordError::Stream(e);
                        if started {
                            sink(Err(E::from(e)));
                        } else {
                            let _ = started_tx.try_send(Err(e));
                        }
                        break;
                    }
                };
                match reply.category {
                    START_OF_DATA => {
                        started = true;
                        let _ = started_tx.try_send(Ok(()));
                    }
                    FROM_SERVER => {
                        for event in reply.data.chunks_exact(32) {
                            if let Some(input) = parse_event(event, &keymap) {
                                sink(Ok(input));
                            }
                        }
                    }
                    FROM_CLIENT => apply_requests(&reply.data, reply.client_swapped, &mut keymap),
                    END_OF_DATA => break,
                    _ => {}
                }
            }
            let _ = ended_tx.send(());
        });
        let wait = Duration::from_secs(10);
        match started_rx.recv_timeout(wait) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(RecordError::NotStarted(wait)),
        }
        Ok((
            X11Input {
                ctrl,
                context,
                ended,
                thread: Some(thread),
            },
            Started { caps },
        ))
    }

    /// Disables the context and waits (up to 2 s) for the last data to be read.
    pub fn stop(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        let _ = self
            .ctrl
            .record_disable_context(self.context)
            .map(|c| c.ignore_error());
        let _ = self.ctrl.flush();
        if self.ended.recv_timeout(Duration::from_secs(2)).is_ok() {
            let _ = thread.join();
        }
        let _ = self
            .ctrl
            .record_free_context(self.context)
            .map(|c| c.ignore_error());
        let _ = self.ctrl.flush();
    }
}

impl Drop for X11Input {
    fn drop(&mut self) {
        self.shut();
    }
}

/// One 32-byte core device event as an [`Input`].
pub fn parse_event(b: &[u8], keymap: &Keymap) -> Option<Input> {
    let kind = *b.first()? & 0x7f;
    let detail = *b.get(1)?;
    let at = {
        let x = i16::from_ne_bytes([*b.get(20)?, *b.get(21)?]);
        let y = i16::from_ne_bytes([*b.get(22)?, *b.get(23)?]);
        Point::new(i32::from(x), i32::from(y))
    };
    Some(match kind {
        xproto::KEY_PRESS_EVENT => Input::KeyDown {
            code: detail,
            meaning: keymap.meaning(detail),
        },
        xproto::KEY_RELEASE_EVENT => Input::KeyUp { code: detail },
        xproto::BUTTON_PRESS_EVENT => Input::ButtonDown { button: detail, at },
        xproto::BUTTON_RELEASE_EVENT => Input::ButtonUp { button: detail, at },
        xproto::MOTION_NOTIFY_EVENT => Input::Motion { at },
        _ => return None,
    })
}

/// Applies the `ChangeKeyboardMapping` requests among recorded client requests.
pub fn apply_requests(mut data: &[u8], swapped: bool, keymap: &mut Keymap) {
    let u16_at = |b: &[u8], i: usize| -> Option<u16> {
        let v = [*b.get(i)?, *b.get(i + 1)?];
        let n = u16::from_ne_bytes(v);
        Some(if swapped { n.swap_bytes() } else { n })
    };
    while data.len() >= 4 {
        let Some(words) = u16_at(data, 2) else { return };
        let len = usize::from(words) * 4;
        if len < 4 || len > data.len() {
            return; // a big request or a cut one: nothing we need
        }
        let (request, rest) = data.split_at(len);
        data = rest;
        if request[0] != CHANGE_KEYBOARD_MAPPING || request.len() < 8 {
            continue;
        }
        let (count, first, per) = (request[1], request[4], request[5]);
        let syms: Vec<u32> = request[8..]
            .chunks_exact(4)
            .take(usize::from(count) * usize::from(per))
            .map(|c| {
                let v = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
                if swapped { v.swap_bytes() } else { v }
            })
            .collect();
        keymap.change(first, per, &syms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::keymap::{KeyKind, KeyMeaning};
    use pretty_assertions::assert_eq;

    fn event(kind: u8, detail: u8, x: i16, y: i16) -> Vec<u8> {
        let mut b = vec![0u8; 32];
        b[0] = kind;
        b[1] = detail;
        b[20..22].copy_from_slice(&x.to_ne_bytes());
        b[22..24].copy_from_slice(&y.to_ne_bytes());
        b
    }

    #[test]
    fn parses_device_events() {
        let map = Keymap::new(8, 2, vec![0x61, 0x41]);
        assert_eq!(
            parse_event(&event(2, 8, 5, 6), &map),
            Some(Input::KeyDown {
                code: 8,
                meaning: KeyMeaning::chars('a', 'A')
            })
        );
        assert_eq!(
            parse_event(&event(3 | 0x80, 8, 0, 0), &map),
            Some(Input::KeyUp { code: 8 })
        );
        assert_eq!(
            parse_event(&event(4, 3, 640, -2), &map),
            Some(Input::ButtonDown {
                button: 3,
                at: Point::new(640, -2)
            })
        );
        assert_eq!(
            parse_event(&event(6, 0, 1, 2), &map),
            Some(Input::Motion {
                at: Point::new(1, 2)
            })
        );
        assert_eq!(parse_event(&event(12, 0, 0, 0), &map), None);
        assert_eq!(parse_event(&[2, 8], &map), None);
    }

    fn change_request(first: u8, per: u8, syms: &[u32]) -> Vec<u8> {
        let count = u8::try_from(syms.len() / usize::from(per)).unwrap();
        let words = u16::try_from(2 + syms.len()).unwrap();
        let mut b = vec![CHANGE_KEYBOARD_MAPPING, count];
        b.extend(words.to_ne_bytes());
        b.extend([first, per, 0, 0]);
        for s in syms {
            b.extend(s.to_ne_bytes());
        }
        b
    }

    #[test]
    fn keyboard_map_changes_are_applied_in_order() {
        let mut map = Keymap::new(8, 2, vec![0x61, 0x41, 0, 0]);
        let mut data = vec![43, 0, 1, 0]; // GetInputFocus, 1 word: skipped
        data.extend(change_request(9, 2, &[0x0100_2713, 0x0100_2713]));
        apply_requests(&data, false, &mut map);
        assert_eq!(map.meaning(9).plain, KeyKind::Char('✓'));
    }
}
