//! Incremental OCR: re-read only the rows of the screen that changed.

use std::sync::Arc;

use super::detect::{STRIDE, det_scale};
use super::order::reading_order;
use super::{Ocr, OcrError, TextElement};
use crate::{Frame, Rect, diff};

/// Rows of context the detector sees above and below each changed core.
pub const BAND_MARGIN: u32 = 32;
/// When the bands to re-read cover more than this fraction of the frame's rows, a full pass is
/// cheaper.
pub const FULL_PASS_FRACTION: f32 = 0.6;
/// An old element's text is reused for a box this close to its rectangle (each side, pixels).
const SAME_BOX_SLACK: u32 = 2;

/// What the last [`IncrementalOcr::read`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncrementalStats {
    /// Whether the whole frame was read.
    pub full_pass: bool,
    /// The bands re-read (empty for a full pass or an unchanged frame).
    pub bands: Vec<Rect>,
    /// Boxes recognized again.
    pub recognized: usize,
    /// Boxes whose text was taken from the last frame.
    pub reused: usize,
    /// Elements kept untouched from the last frame.
    pub kept: usize,
}

/// OCR that remembers the last frame and its text, and re-reads only what changed.
///
/// After an action, most of the screen is as it was. [`IncrementalOcr::read`] compares the new
/// frame with the last one ([`diff`](crate::diff)), and for each changed region:
///
/// 1. the **core** is the rows the change spans, grown to the full height of every text element
///    of the last frame that the change touches (so a changed word brings in its whole line);
/// 2. the **band** is the core plus [`BAND_MARGIN`] rows above and below, aligned to the
///    detector's 32-pixel grid, across the full width of the frame (a line of text can run any
///    distance sideways); the detector runs on the band only, on the same pixel grid as a full
///    pass and cut into the same columns of tiles (see `OcrOptions::tile_pixels`), so that text
///    sees the same context sideways;
/// 3. boxes centred in the core replace the last frame's elements centred there; a box that
///    misses every changed pixel and sits where an old element was (within 2 pixels on each side)
///    keeps that element's text without being recognized again; the others are recognized.
///
/// Elements outside every core are kept as they were. After a one-line change the result
/// equals a full pass (tested). It is not always identical: the detector pools over each tile
/// it reads (8 GlobalAveragePool nodes), so in a full pass a change can move other boxes of
/// its tile by a few pixels and, rarely, flip a character of their text; here those elements
/// stay as they were read, which is what an agent comparing screens wants.
///
/// A change bigger than [`FULL_PASS_FRACTION`] of the frame, a new frame size, a frame scaled
/// for detection (short side under 736 or long side over 2560 pixels), or a box that reaches
/// the edge of its band all fall back to a full pass.
#[derive(Debug)]
pub struct IncrementalOcr {
    ocr: Arc<Ocr>,
    last: Option<(Frame, Vec<TextElement>)>,
    stats: IncrementalStats,
}

impl IncrementalOcr {
    /// Incremental reading with `ocr`; the first [`read`](Self::read) is a full pass.
    pub fn new(ocr: Arc<Ocr>) -> IncrementalOcr {
        IncrementalOcr {
            ocr,
            last: None,
            stats: IncrementalStats::default(),
        }
    }

    /// The engine.
    pub fn ocr(&self) -> &Arc<Ocr> {
        &self.ocr
    }

    /// The elements of the last frame read (empty before the first).
    pub fn elements(&self) -> &[TextElement] {
        self.last.as_ref().map_or(&[], |(_, e)| e.as_slice())
    }

    /// What the last read did.
    pub fn last_stats(&self) -> &IncrementalStats {
        &self.stats
    }

    /// Forget the last frame: the next read is a full pass.
    pub fn reset(&mut self) {
        self.last = None;
    }

    /// The text of `frame` in reading order, re-reading only the rows that changed since the
    /// last frame read (see [`IncrementalOcr`]).
    pub fn read(&mut self, frame: &Frame) -> Result<Vec<TextElement>, OcrError> {
        let last = self.last.take();
        let result = match &last {
            Some((prev, prev_elements)) => match self.update(prev, prev_elements, frame) {
                Ok(Some(elements)) => Ok(elements),
                Ok(None) => self.full(frame),
                Err(e) => Err(e),
            },
            None => self.full(frame),
        };
        match result {
            Ok(elements) => {
                self.last = Some((frame.clone(), elements.clone()));
                Ok(elements)
            }
            Err(e) => {
                // Still the last frame that was read.
                self.last = last;
                Err(e)
            }
        }
    }

    fn full(&mut self, frame: &Frame) -> Result<Vec<TextElement>, OcrError> {
        let elements = self.ocr.read(frame)?;
        self.stats = IncrementalStats {
            full_pass: true,
            recognized: elements.len(),
            ..IncrementalStats::default()
        };
        Ok(elements)
    }

    /// The merged elements, or `None` when a full pass is needed.
    fn update(
        &mut self,
        prev: &Frame,
        prev_elements: &[TextElement],
        frame: &Frame,
    ) -> Result<Option<Vec<TextElement>>, OcrError> {
        if prev.size() != frame.size() || det_scale(frame.width(), frame.height()) != 1.0 {
            return Ok(None);
        }
        let changes = diff(prev, frame);
        if changes.is_empty() {
            self.stats = IncrementalStats {
                kept: prev_elements.len(),
                ..IncrementalStats::default()
            };
            return Ok(Some(prev_elements.to_vec()));
        }
        let cores = cores(&changes.regions, prev_elements);
        let bands = bands(&cores, frame.height());
        let rows: u32 = bands.iter().map(|b| b.1 - b.0).sum();
        if rows as f32 > FULL_PASS_FRACTION * frame.height() as f32 {
            return Ok(None);
        }
        let in_core = |r: &Rect| {
            let cy = r.y + r.height / 2;
            cores.iter().any(|&(top, bottom)| cy >= top && cy < bottom)
        };
        // Boxes of the new frame centred in a core.
        let mut boxes = Vec::new();
        let mut band_rects = Vec::new();
        for &(top, bottom) in &bands {
            let band = Rect::new(0, top, frame.width(), bottom - top);
            band_rects.push(band);
            for b in self.ocr.detect(frame, band, 1.0)? {
                if !in_core(&b) {
                    continue;
                }
                let cut_top = b.y == top && top > 0;
                let cut_bottom =
                    u64::from(b.y + b.height) == u64::from(bottom) && bottom < frame.height();
                if cut_top || cut_bottom {
                    return Ok(None);
                }
                boxes.push(b);
            }
        }
        let (replaced, mut kept): (Vec<&TextElement>, Vec<&TextElement>) =
            prev_elements.iter().partition(|e| in_core(&e.rect));
        // Reuse the old text where the box is where it was and no pixel in it changed.
        let mut out: Vec<TextElement> = Vec::new();
        let mut to_read = Vec::new();
        let mut reused = 0;
        for b in boxes {
            let untouched = !changes.regions.iter().any(|c| c.intersects(&b));
            let old = replaced.iter().find(|e| same_box(&e.rect, &b));
            match old {
                Some(e) if untouched => {
                    reused += 1;
                    out.push(TextElement {
                        text: e.text.clone(),
                        rect: b,
                        confidence: e.confidence,
                    });
                }
                _ => to_read.push(b),
            }
        }
        let recognized = to_read.len();
        out.extend(self.ocr.recognize(frame, &to_read)?.into_iter().flatten());
        self.stats = IncrementalStats {
            full_pass: false,
            bands: band_rects,
            recognized,
            reused,
            kept: kept.len(),
        };
        out.extend(kept.drain(..).cloned());
        reading_order(&mut out, |e| e.rect);
        Ok(Some(out))
    }
}

fn same_box(a: &Rect, b: &Rect) -> bool {
    a.x.abs_diff(b.x) <= SAME_BOX_SLACK
        && a.y.abs_diff(b.y) <= SAME_BOX_SLACK
        && a.right().abs_diff(b.right()) <= u64::from(SAME_BOX_SLACK)
        && a.bottom().abs_diff(b.bottom()) <= u64::from(SAME_BOX_SLACK)
}

/// Row ranges `[top, bottom)` of the changes, each grown to the elements it touches, merged
/// where they overlap, top to bottom.
fn cores(changes: &[Rect], elements: &[TextElement]) -> Vec<(u32, u32)> {
    let mut spans: Vec<(u32, u32)> = changes
        .iter()
        .map(|c| {
            elements
                .iter()
                .filter(|e| e.rect.intersects(c))
                .fold((c.y, bottom(c)), |(t, b), e| {
                    (t.min(e.rect.y), b.max(bottom(&e.rect)))
                })
        })
        .collect();
    merge_spans(&mut spans);
    spans
}

/// The cores grown by [`BAND_MARGIN`] and aligned to the detector grid, clamped to the
/// frame, merged.
fn bands(cores: &[(u32, u32)], height: u32) -> Vec<(u32, u32)> {
    let stride = STRIDE as u32;
    let mut spans: Vec<(u32, u32)> = cores
        .iter()
        .map(|&(t, b)| {
            let top = t.saturating_sub(BAND_MARGIN) / stride * stride;
            let bottom = (b.saturating_add(BAND_MARGIN).div_ceil(stride) * stride).min(height);
            (top, bottom)
        })
        .collect();
    merge_spans(&mut spans);
    spans
}

fn bottom(r: &Rect) -> u32 {
    u32::try_from(r.bottom()).unwrap_or(u32::MAX)
}

/// Sort and merge overlapping or touching `[top, bottom)` spans.
fn merge_spans(spans: &mut Vec<(u32, u32)>) {
    spans.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
    for &(t, b) in spans.iter() {
        match merged.last_mut() {
            Some(last) if t <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((t, b)),
        }
    }
    *spans = merged;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(x: u32, y: u32, w: u32, h: u32) -> TextElement {
        TextElement {
            text: "t".into(),
            rect: Rect::new(x, y, w, h),
            confidence: 1.0,
        }
    }

    #[test]
    fn cores_grow_to_touched_lines_and_merge() {
        let elements = [
            el(10, 100, 200, 24),
            el(10, 130, 200, 24),
            el(10, 400, 50, 20),
        ];
        // A caret in the first line, a change just under the second, one in empty space.
        let changes = [
            Rect::new(50, 105, 2, 14),
            Rect::new(20, 150, 30, 10),
            Rect::new(600, 700, 10, 10),
        ];
        assert_eq!(
            cores(&changes, &elements),
            vec![(100, 124), (130, 160), (700, 710)]
        );
    }

    #[test]
    fn bands_are_aligned_and_clamped() {
        assert_eq!(
            bands(&[(100, 124), (130, 160), (700, 710)], 720),
            vec![(64, 192), (640, 720)]
        );
        assert_eq!(bands(&[(10, 20)], 800), vec![(0, 64)]);
    }

    #[test]
    fn same_box_tolerates_two_pixels() {
        let a = Rect::new(10, 10, 100, 20);
        assert!(same_box(&a, &Rect::new(12, 9, 99, 22)));
        assert!(!same_box(&a, &Rect::new(13, 10, 97, 20)));
    }
}
