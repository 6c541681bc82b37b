//! What a deskhand agent sees: frames, screen capture, resize, encode, difference and settle.
//!
//! - [`Frame`]: RGBA8 pixels with their size, capture time, scale factor and a content hash.
//! - [`ScreenSource`]: where frames come from: [`ShmSource`] (MIT-SHM on X11, the fast path),
//!   [`XcapSource`] (the xcap crate: a monitor or one window), [`PngDirSource`] (recorded frames);
//!   [`open_screen`] picks one for a display.
//! - [`resize`], [`encode`]: scale a frame to a model's size and encode it as PNG or JPEG.
//! - [`diff`]: the rectangles that changed between two frames.
//! - [`draw_marks`]: numbered boxes on a screenshot (set-of-marks).
//! - [`settle`]: wait until the screen stops changing after an action, without fixed sleeps.

mod diff;
mod encode;
mod error;
mod frame;
mod geometry;
mod locate;
mod marks;
pub mod ocr;
mod png_dir;
mod resize;
mod settle;
mod source;
mod x11_error;
mod x11_pixels;
mod x11_segment;
mod x11_shm;
mod xcap_source;

pub use diff::{Changes, TILE, diff};
pub use encode::{Encoded, ImageFormat, encode};
pub use error::VisionError;
pub use frame::Frame;
pub use geometry::{Rect, Size};
pub use locate::{Located, Patch};
pub use marks::{DIGIT_SCALE, Mark, OUTLINE, draw_marks, label_rects, mark_colour};
pub use ocr::{IncrementalOcr, MatchMode, Ocr, OcrError, OcrPaths, TextElement, find_text};
pub use png_dir::PngDirSource;
pub use resize::{Filter, resize, resize_with};
pub use settle::{SettleOptions, Settled, settle};
pub use source::{ScreenSource, open_screen};
pub use x11_error::X11Error;
pub use x11_shm::{CaptureMethod, ShmSource};
pub use xcap_source::XcapSource;
