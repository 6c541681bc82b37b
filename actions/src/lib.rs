//! What a deskhand agent can do: the [`Action`] format, typed screen
//! coordinates, key names, and the input drivers that perform actions.
//!
//! - [`action`]: the [`Action`] enum and its JSON format (documented there
//!   with examples), checked against a screen with [`Action::validate`].
//! - [`point`]: [`Point`] and [`Size`], always in screen pixels.
//! - [`coords`]: conversions from each model's coordinate space
//!   ([`ModelSpace`]) to screen pixels and back.
//! - [`keys`]: one table of key names (xdotool, pyautogui, Anthropic,
//!   OpenAI) and the chord parser.
//! - [`cancel`]: [`Cancel`], a stop flag with an interruptible sleep.
//! - [`driver`]: the [`InputDriver`] trait, [`Hands`] (which performs whole
//!   actions and never leaves a key or button held), the X11 [`EnigoDriver`]
//!   and the [`RecordingDriver`] for tests.

pub mod action;
pub mod cancel;
pub mod coords;
pub mod driver;
pub mod formats;
pub mod keys;
pub mod point;

pub use action::{Action, ActionError, Button};
pub use cancel::{Cancel, Cancelled};
pub use coords::{DEFAULT_LONG_EDGE, ModelSpace, anthropic_target, fit_long_edge, smart_resize};
pub use driver::enigo::EnigoDriver;
pub use driver::perform::Hands;
pub use driver::recording::{InputEvent, RecordingDriver};
pub use driver::{InputDriver, InputError, Press};
pub use keys::{Key, KeyError, lookup, parse_chord};
pub use point::{Point, Size};
