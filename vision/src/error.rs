//! The one error type of this crate.

use crate::X11Error;

/// Everything that can go wrong while capturing, converting or encoding a frame.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VisionError {
    /// The X display could not be reached or does not offer what capture needs.
    #[error("cannot connect to X display {display}: {reason}")]
    Connect {
        /// The display name as given (or taken from `$DISPLAY`).
        display: String,
        /// Why the connection failed.
        reason: String,
    },
    /// A capture request failed after the source was open.
    #[error("screen capture failed: {0}")]
    Capture(String),
    /// A size or rectangle does not fit the pixels it describes.
    #[error("invalid image size: {0}")]
    Size(String),
    /// An image could not be encoded.
    #[error("cannot encode image: {0}")]
    Encode(String),
    /// An image could not be decoded.
    #[error("cannot decode image: {0}")]
    Decode(String),
    /// A monitor, window or file to capture from does not exist.
    #[error("capture source not found: {0}")]
    NotFound(String),
    /// The X11 capture path failed; [`VisionError::is_display_lost`] tells whether the display
    /// is gone.
    #[error(transparent)]
    X11(#[from] X11Error),
    /// Reading or writing a file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl VisionError {
    /// Whether the display this error came from is gone (its X connection is closed or broken),
    /// so that no later capture can succeed: a run on it must end rather than go on.
    pub fn is_display_lost(&self) -> bool {
        matches!(self, VisionError::X11(e) if e.is_display_lost())
    }
}
