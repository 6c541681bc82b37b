//! Input drivers: the primitive input a backend can send, and [`Hands`],
//! which performs whole [`Action`](crate::Action)s with them.
//!
//! A driver sends one primitive at a time and keeps no state; [`Hands`]
//! decomposes actions into primitives and tracks every key and button it
//! holds, so that nothing stays held on any way out.
//!
//! - [`enigo::EnigoDriver`]: X11 through XTEST.
//! - [`recording::RecordingDriver`]: records primitives, for tests.

pub mod enigo;
pub mod perform;
pub mod recording;
pub mod xtest_text;

pub use perform::Hands;

use crate::action::{ActionError, Button};
use crate::cancel::Cancelled;
use crate::keys::Key;
use crate::point::Point;

/// What to do with a key or button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// Press it and keep it held.
    Down,
    /// Release it.
    Up,
    /// Press and release it.
    Click,
}

/// Primitive input. Implementations send exactly what they are asked and
/// track nothing; [`Hands`] tracks what is held.
pub trait InputDriver: Send {
    /// Moves the pointer to `p`, in screen pixels.
    ///
    /// # Errors
    ///
    /// [`InputError::Backend`] when the backend fails.
    fn move_to(&mut self, p: Point) -> Result<(), InputError>;

    /// Presses, releases or clicks a mouse button where the pointer is.
    ///
    /// # Errors
    ///
    /// [`InputError::Backend`] when the backend fails.
    fn button(&mut self, button: Button, press: Press) -> Result<(), InputError>;

    /// Turns the wheel `dx` notches right (negative: left) and `dy` notches
    /// down (negative: up).
    ///
    /// # Errors
    ///
    /// [`InputError::Backend`] when the backend fails.
    fn scroll(&mut self, dx: i32, dy: i32) -> Result<(), InputError>;

    /// Presses, releases or clicks a key.
    ///
    /// # Errors
    ///
    /// [`InputError::Backend`] when the backend fails.
    fn key(&mut self, key: Key, press: Press) -> Result<(), InputError>;

    /// Types `text`, which holds no control characters (Hands sends `\n`
    /// and `\t` as keys).
    ///
    /// # Errors
    ///
    /// [`InputError::Backend`] when the backend fails.
    fn text(&mut self, text: &str) -> Result<(), InputError>;

    /// A short name for logs, e.g. `enigo-x11`.
    fn name(&self) -> &'static str;

    /// Whether [`text`](Self::text) types `\n` and `\t` itself (as Return and Tab), so that a
    /// whole `type_text` goes out in one burst, with no key sent on its own between its parts.
    fn types_controls(&self) -> bool {
        false
    }
}

impl<D: InputDriver + ?Sized> InputDriver for Box<D> {
    fn move_to(&mut self, p: Point) -> Result<(), InputError> {
        (**self).move_to(p)
    }
    fn button(&mut self, button: Button, press: Press) -> Result<(), InputError> {
        (**self).button(button, press)
    }
    fn scroll(&mut self, dx: i32, dy: i32) -> Result<(), InputError> {
        (**self).scroll(dx, dy)
    }
    fn key(&mut self, key: Key, press: Press) -> Result<(), InputError> {
        (**self).key(key, press)
    }
    fn text(&mut self, text: &str) -> Result<(), InputError> {
        (**self).text(text)
    }
    fn name(&self) -> &'static str {
        (**self).name()
    }
}

/// Why input could not be sent.
#[non_exhaustive]
#[derive(thiserror::Error, Debug)]
pub enum InputError {
    /// The backend failed to send a primitive.
    #[error("input failed: {0}")]
    Backend(String),
    /// The action was stopped through its [`Cancel`](crate::Cancel).
    #[error("interrupted")]
    Cancelled,
    /// The action cannot be performed as written.
    #[error("invalid action: {0}")]
    Invalid(#[from] ActionError),
    /// The display stopped answering (its X server is gone): nothing more can be sent.
    #[error("the display is gone: {reason}")]
    DisplayLost {
        /// What was being sent, and the connection's error.
        reason: String,
    },
    /// The driver could not connect to its display.
    #[error("cannot connect to X display {display}: {reason}")]
    Connect {
        /// The display it tried, e.g. `:99`.
        display: String,
        /// What went wrong.
        reason: String,
    },
}

impl InputError {
    /// Whether no later input can go through either (the run must end).
    pub fn is_fatal(&self) -> bool {
        matches!(self, InputError::DisplayLost { .. })
    }
}

impl From<Cancelled> for InputError {
    fn from(_: Cancelled) -> InputError {
        InputError::Cancelled
    }
}
