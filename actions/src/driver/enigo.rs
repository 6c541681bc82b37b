//! [`EnigoDriver`]: X11 input through XTEST, with enigo's pure-Rust x11rb
//! backend.
//!
//! What enigo 0.6.1 does underneath (read from its source):
//!
//! - every primitive is one or two `XTestFakeInput` requests followed by a
//!   round trip to the server (`sync`), so when a call returns the server
//!   has processed the event; each call also lists the input devices first
//!   (another round trip);
//! - keys are sent as keysyms: a keysym that is not in the first column of
//!   the keyboard map (any capital letter, `!`, `é`, `✓`) is bound to a
//!   spare keycode for the time of the keystroke, so text is typed exactly
//!   without pressing Shift; when the spare keycodes run out, earlier
//!   bindings are recycled;
//! - text is typed one character at a time with a server-side delay and a
//!   round trip per event: about 24 ms a character measured here (40 chars:
//!   970 ms, 3× the Anthropic demo's xdotool). So `text` does not go through
//!   enigo but through [`XtestTyper`], on its own connection (1 ms for 40
//!   characters);
//! - scrolling is clicks of buttons 4/5 (vertical) and 6/7 (horizontal),
//!   one per notch;
//! - its own `linux_delay` (default 12 ms) is a server-side delay per
//!   button event: it is set to 0 here.

use enigo::{Axis, Coordinate, Direction, Enigo, Keyboard, Mouse, Settings};

use crate::action::Button;
pub use crate::driver::xtest_text::XtestTyper;
use crate::driver::{InputDriver, InputError, Press};
use crate::keys::Key;
use crate::point::Point;

/// XTEST input through enigo's x11rb backend (no C library).
///
/// Settings: `x11_display` = the display, `linux_delay` = 0,
/// `release_keys_when_dropped` = true. Buttons, presses and keys map to
/// enigo's one to one; `scroll` sends `dy` on the vertical axis and `dx`
/// on the horizontal one.
pub struct EnigoDriver {
    enigo: Enigo,
    typer: XtestTyper,
    display: String,
}

impl std::fmt::Debug for EnigoDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnigoDriver")
            .field("display", &self.display)
            .finish_non_exhaustive()
    }
}

impl EnigoDriver {
    /// Connects to an X display such as `":99"`, or to `$DISPLAY` when
    /// `display` is `None`.
    ///
    /// # Errors
    ///
    /// [`InputError::Connect`] naming the display and why it failed.
    pub fn connect(display: Option<&str>) -> Result<EnigoDriver, InputError> {
        let display = match display {
            Some(d) => d.to_owned(),
            None => std::env::var("DISPLAY").unwrap_or_default(),
        };
        if display.is_empty() {
            return Err(InputError::Connect {
                display: "$DISPLAY".into(),
                reason: "no display was given and DISPLAY is not set".into(),
            });
        }
        let settings = Settings {
            linux_delay: 0,
            x11_display: Some(display.clone()),
            release_keys_when_dropped: true,
            ..Settings::default()
        };
        match Enigo::new(&settings) {
            Ok(enigo) => Ok(EnigoDriver {
                enigo,
                typer: XtestTyper::connect(&display)?,
                display,
            }),
            Err(e) => {
                // enigo only says "no successful connection": ask x11rb why.
                let reason = match x11rb::connect(Some(&display)) {
                    Err(why) => why.to_string(),
                    Ok(_) => e.to_string(),
                };
                Err(InputError::Connect { display, reason })
            }
        }
    }

    /// The display this driver sends input to.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Where the pointer is now.
    ///
    /// # Errors
    ///
    /// [`InputError::Backend`] when the server cannot be asked.
    pub fn pointer(&self) -> Result<Point, InputError> {
        let (x, y) = self
            .enigo
            .location()
            .map_err(|e| backend("query the pointer", &e))?;
        Ok(Point::new(x, y))
    }
}

fn backend(what: &str, e: &enigo::InputError) -> InputError {
    InputError::Backend(format!("{what}: {e}"))
}

impl EnigoDriver {
    /// What an enigo failure means: enigo only says it in words, so the display is asked
    /// once on the typer's own connection; no answer means it is gone.
    fn failed(&self, what: &str, e: &enigo::InputError) -> InputError {
        match self.typer.sync() {
            Err(lost @ InputError::DisplayLost { .. }) => lost,
            _ => backend(what, e),
        }
    }
}

fn direction(press: Press) -> Direction {
    match press {
        Press::Down => Direction::Press,
        Press::Up => Direction::Release,
        Press::Click => Direction::Click,
    }
}

fn enigo_button(button: Button) -> enigo::Button {
    match button {
        Button::Left => enigo::Button::Left,
        Button::Right => enigo::Button::Right,
        Button::Middle => enigo::Button::Middle,
    }
}

impl InputDriver for EnigoDriver {
    fn move_to(&mut self, p: Point) -> Result<(), InputError> {
        self.enigo
            .move_mouse(p.x, p.y, Coordinate::Abs)
            .map_err(|e| self.failed(&format!("move to {p}"), &e))
    }

    fn button(&mut self, button: Button, press: Press) -> Result<(), InputError> {
        self.enigo
            .button(enigo_button(button), direction(press))
            .map_err(|e| self.failed(&format!("{button} button {press:?}"), &e))
    }

    fn scroll(&mut self, dx: i32, dy: i32) -> Result<(), InputError> {
        if dy != 0 {
            self.enigo
                .scroll(dy, Axis::Vertical)
                .map_err(|e| self.failed(&format!("scroll dy {dy}"), &e))?;
        }
        if dx != 0 {
            self.enigo
                .scroll(dx, Axis::Horizontal)
                .map_err(|e| self.failed(&format!("scroll dx {dx}"), &e))?;
        }
        Ok(())
    }

    fn key(&mut self, key: Key, press: Press) -> Result<(), InputError> {
        self.enigo
            .key(key, direction(press))
            .map_err(|e| self.failed(&format!("key {key:?} {press:?}"), &e))
    }

    fn text(&mut self, text: &str) -> Result<(), InputError> {
        self.typer.type_text(text)
    }

    fn name(&self) -> &'static str {
        "enigo-x11"
    }

    fn types_controls(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_error_names_the_display() {
        let err = EnigoDriver::connect(Some(":4242")).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(&err, InputError::Connect { display, .. } if display == ":4242"));
        assert!(msg.contains(":4242"), "{msg}");
    }

    #[test]
    fn mappings() {
        assert_eq!(direction(Press::Down), Direction::Press);
        assert_eq!(direction(Press::Up), Direction::Release);
        assert_eq!(direction(Press::Click), Direction::Click);
        assert_eq!(enigo_button(Button::Middle), enigo::Button::Middle);
        assert_eq!(enigo_button(Button::Right), enigo::Button::Right);
    }
}
