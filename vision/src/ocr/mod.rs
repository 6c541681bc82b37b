//! On-device OCR: the text on screen, where it is, and how to find a piece of it.
//!
//! The engine runs the PP-OCRv6 *tiny* detector and recognizer (Apache-2.0, © Baidu) through
//! ONNX Runtime 1.31, which is loaded from a file at run time (the `ort` crate's `load-dynamic`);
//! nothing is downloaded at build or run time. `scripts/setup` puts the four files in the cache
//! directory (see [`OcrPaths::from_env`]).
//!
//! - [`Ocr`]: load once ([`Ocr::load`], or [`Ocr::load_with`] and [`OcrOptions`]), then
//!   [`Ocr::read`] a [`Frame`](crate::Frame) into [`TextElement`]s in reading order.
//! - [`IncrementalOcr`]: re-reads only the rows that changed since the last frame (found with
//!   [`diff`](crate::diff)) and keeps the rest.
//! - [`find_text`] / [`find_all_text`]: ground a query ("Save", "save as", "Sve") in the
//!   elements, exact, case-insensitive or fuzzy, nearest to a hint point; [`NotFound`] names the
//!   closest texts seen.
//!
//! # Pipeline
//!
//! 1. **Detect**: the frame as BGR scaled to `[-1, 1]`, padded (not resampled) to multiples of
//!    32. Only a frame whose short side is under 736 pixels is scaled up to it, and one whose
//!    long side is over 2560 scaled down to that. The detector reads it in tiles of at most
//!    614 400 pixels ([`OcrOptions::tile_pixels`]) with 32 pixels of context on each cut side,
//!    whose maps are joined into the frame's. The probability map is thresholded at 0.3 and
//!    dilated (2×2); each 8-connected blob becomes a box (UI text is axis aligned, so a blob's
//!    bounding box stands for the min-area rectangle), kept when the mean probability inside it
//!    is at least 0.5, grown by `area·1.6/perimeter` ("unclip"), dropped when its short side is
//!    under 5, and scaled back to the frame.
//! 2. **Recognize**: each box is cropped (no rotation: tall narrow boxes are read as they are),
//!    resized to height 48 keeping its aspect ratio, and padded on the right to a multiple of 8
//!    (at least 64). The crops run one per recognizer run ([`OcrOptions::batch`]), widest
//!    first, on two recognizer sessions side by side ([`OcrOptions::threads`]), all sessions
//!    drawing on one shared memory arena ([`OcrOptions::arena`]). Greedy CTC decoding (class 0
//!    is the blank, class `i` is line `i` of `dict.txt`, the last class a space); a line whose
//!    mean character confidence is under 0.5 is dropped.
//! 3. **Order**: boxes that overlap vertically by half the smaller height form a line; lines go
//!    top to bottom, boxes in a line left to right.
//!
//! # What the model does with screens
//!
//! Words on one line separated by ordinary spaces come out as one element ("Open question: who
//! owns the backup server?"); widely spaced items (menu entries, buttons) as separate ones. "…"
//! is usually read as "..." (sometimes " ..."). Tightly spaced bitmap fonts (xterm's 6×13) lose
//! some spaces ("4096May") and confuse `l`/`1`. Use [`MatchMode::Fuzzy`] to ground text the
//! model may have slightly misread.

mod detect;
mod engine;
mod error;
mod find;
mod incremental;
mod order;
mod paths;
mod recognize;
mod runtime;

pub use engine::{Ocr, OcrOptions};
pub use error::OcrError;
pub use find::{
    MAX_FUZZY_DISTANCE, MatchKind, MatchMode, NotFound, TextMatch, find_all_text, find_text,
};
pub use incremental::{BAND_MARGIN, FULL_PASS_FRACTION, IncrementalOcr, IncrementalStats};
pub use paths::OcrPaths;
pub use runtime::ArenaStats;

use crate::Rect;

/// One line or word of text read from the screen.
#[derive(Clone, Debug, PartialEq)]
pub struct TextElement {
    /// The text, trimmed (never empty).
    pub text: String,
    /// Where the text is, in frame pixels.
    pub rect: Rect,
    /// Mean per-character confidence of the recognizer, in `[0, 1]`.
    pub confidence: f32,
}

impl TextElement {
    /// The point to click to hit this text: the centre of its rectangle, in frame pixels.
    pub fn click_point(&self) -> (i32, i32) {
        rect_center(&self.rect)
    }
}

/// The centre of a rectangle, rounded down.
pub(crate) fn rect_center(r: &Rect) -> (i32, i32) {
    let cx = u64::from(r.x) + u64::from(r.width) / 2;
    let cy = u64::from(r.y) + u64::from(r.height) / 2;
    (
        i32::try_from(cx).unwrap_or(i32::MAX),
        i32::try_from(cy).unwrap_or(i32::MAX),
    )
}
