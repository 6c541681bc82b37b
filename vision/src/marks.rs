//! Set-of-marks drawing: numbered boxes on a screenshot, so a model can answer "click mark 7".
//!
//! Each [`Mark`] is drawn as a 2-pixel rectangle outline on its box and a filled label with its
//! number in white digits. The label goes at the first of these places that stays in the image
//! and covers neither an earlier label nor another mark's box: above the box's top-left corner,
//! left of it, below it, right of it, inside it at the top-left ([`label_rects`]); failing
//! that, the first that covers no earlier label; failing that, above. Colours cycle through six
//! saturated hues so that neighbouring marks are told apart. Digits come from a 5×7 bitmap font of our own drawn at twice its size (10×14 pixels
//! each), legible in the image as sent whatever the screen's size: draw on the image the model
//! sees, after scaling, with the boxes scaled to it.

use crate::{Frame, Rect, VisionError};

/// One numbered box, in the pixels of the image it is drawn on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// The number shown in the label.
    pub number: u32,
    /// The box.
    pub rect: Rect,
}

/// Thickness of a box's outline in pixels.
pub const OUTLINE: u32 = 2;
/// How many times the 5×7 digit font is enlarged.
pub const DIGIT_SCALE: u32 = 2;
/// Space around the digits inside a label, in pixels.
const PAD: u32 = 2;
/// Space between two digits, in pixels.
const GAP: u32 = 2;
/// A glyph's size in font pixels.
const GLYPH_W: u32 = 5;
const GLYPH_H: u32 = 7;

/// Label and outline colours, cycled by mark number; white digits read on each.
const COLOURS: [[u8; 3]; 6] = [
    [220, 20, 60],
    [0, 90, 200],
    [0, 130, 60],
    [140, 40, 180],
    [200, 80, 0],
    [0, 120, 130],
];

/// The digits 0–9, seven rows of five bits each (bit 4 is the left column).
const DIGITS: [[u8; 7]; 10] = [
    [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
    [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
    [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
    [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
    [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
    [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
    [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
];

/// The colour of mark `number`'s outline and label.
pub fn mark_colour(number: u32) -> [u8; 3] {
    COLOURS[number as usize % COLOURS.len()]
}

/// A label's width and height for `number`.
fn label_size(number: u32) -> (u32, u32) {
    let digits = number.to_string().len() as u32;
    (
        digits * GLYPH_W * DIGIT_SCALE + (digits - 1) * GAP + 2 * PAD,
        GLYPH_H * DIGIT_SCALE + 2 * PAD,
    )
}

fn overlaps(a: &Rect, b: &Rect) -> bool {
    u64::from(a.x) < b.right()
        && u64::from(b.x) < a.right()
        && u64::from(a.y) < b.bottom()
        && u64::from(b.y) < a.bottom()
}

/// Where the labels of `marks` go on an image of `width` x `height`, in order (see the module
/// documentation for the places tried).
pub fn label_rects(marks: &[Mark], width: u32, height: u32) -> Vec<Rect> {
    let mut placed: Vec<Rect> = Vec::with_capacity(marks.len());
    for (i, mark) in marks.iter().enumerate() {
        let (w, h) = label_size(mark.number);
        let r = mark.rect;
        let (x, y) = (i64::from(r.x), i64::from(r.y));
        let (wi, hi) = (i64::from(w), i64::from(h));
        let candidates = [
            (x, y - hi),
            (x - wi, y),
            (x, r.bottom() as i64),
            (r.right() as i64, y),
            (x, y),
        ];
        let inside: Vec<Rect> = candidates
            .iter()
            .filter(|(cx, cy)| {
                *cx >= 0 && *cy >= 0 && cx + wi <= i64::from(width) && cy + hi <= i64::from(height)
            })
            .map(|&(cx, cy)| Rect::new(cx as u32, cy as u32, w, h))
            .collect();
        let free = |c: &Rect| !placed.iter().any(|p| overlaps(p, c));
        let clear = |c: &Rect| {
            !marks
                .iter()
                .enumerate()
                .any(|(j, m)| j != i && overlaps(&m.rect, c))
        };
        let chosen = inside
            .iter()
            .find(|c| free(c) && clear(c))
            .or_else(|| inside.iter().find(|c| free(c)))
            .copied()
            .unwrap_or_else(|| {
                let lx = r.x.min(width.saturating_sub(w));
                let ly = if r.y >= h {
                    r.y - h
                } else {
                    r.y.min(height.saturating_sub(h))
                };
                Rect::new(lx, ly, w, h)
            });
        placed.push(chosen);
    }
    placed
}

/// A copy of `frame` with `marks` drawn on it, in order (a later label covers an earlier one).
/// Parts outside the frame are clipped.
pub fn draw_marks(frame: &Frame, marks: &[Mark]) -> Result<Frame, VisionError> {
    let (width, height) = (frame.width(), frame.height());
    let mut canvas = Canvas {
        width,
        height,
        rgba: frame.rgba().to_vec(),
    };
    for mark in marks {
        canvas.outline(mark.rect, mark_colour(mark.number));
    }
    for (mark, label) in marks.iter().zip(label_rects(marks, width, height)) {
        let colour = mark_colour(mark.number);
        canvas.fill(label, colour);
        let mut x = label.x + PAD;
        for d in mark.number.to_string().bytes() {
            canvas.glyph(x, label.y + PAD, usize::from(d - b'0'));
            x += GLYPH_W * DIGIT_SCALE + GAP;
        }
    }
    Ok(Frame::from_rgba(width, height, canvas.rgba)?
        .with_captured_at(frame.captured_at())
        .with_scale(frame.scale()))
}

struct Canvas {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Canvas {
    fn set(&mut self, x: u64, y: u64, [r, g, b]: [u8; 3]) {
        if x >= u64::from(self.width) || y >= u64::from(self.height) {
            return;
        }
        let i = ((y * u64::from(self.width) + x) * 4) as usize;
        if let Some(p) = self.rgba.get_mut(i..i + 4) {
            p.copy_from_slice(&[r, g, b, 255]);
        }
    }

    fn fill(&mut self, r: Rect, colour: [u8; 3]) {
        for y in u64::from(r.y)..r.bottom() {
            for x in u64::from(r.x)..r.right() {
                self.set(x, y, colour);
            }
        }
    }

    fn outline(&mut self, r: Rect, colour: [u8; 3]) {
        let t = OUTLINE.min(r.width).min(r.height);
        let side = |x, y, w, h| Rect::new(x, y, w, h);
        self.fill(side(r.x, r.y, r.width, t), colour);
        self.fill(
            side(r.x, (r.y + r.height).saturating_sub(t), r.width, t),
            colour,
        );
        self.fill(side(r.x, r.y, t, r.height), colour);
        self.fill(
            side((r.x + r.width).saturating_sub(t), r.y, t, r.height),
            colour,
        );
    }

    fn glyph(&mut self, x: u32, y: u32, digit: usize) {
        let Some(rows) = DIGITS.get(digit) else {
            return;
        };
        for (row, bits) in rows.iter().enumerate() {
            for col in 0..GLYPH_W {
                if bits & (0x10 >> col) != 0 {
                    let px = x + col * DIGIT_SCALE;
                    let py = y + row as u32 * DIGIT_SCALE;
                    self.fill(Rect::new(px, py, DIGIT_SCALE, DIGIT_SCALE), [255, 255, 255]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn white(w: u32, h: u32) -> Frame {
        Frame::from_rgba(w, h, vec![255; (w * h * 4) as usize]).unwrap()
    }

    fn rgb(f: &Frame, x: u32, y: u32) -> [u8; 3] {
        let p = f.pixel(x, y).unwrap();
        [p[0], p[1], p[2]]
    }

    #[test]
    fn outlines_the_box_and_leaves_its_inside() {
        let frame = white(200, 120);
        let mark = Mark {
            number: 7,
            rect: Rect::new(40, 50, 60, 30),
        };
        let out = draw_marks(&frame, &[mark]).unwrap();
        let c = mark_colour(7);
        for (x, y) in [
            (40, 50),
            (41, 51),
            (99, 79),
            (98, 78),
            (70, 50),
            (40, 65),
            (99, 65),
        ] {
            assert_eq!(rgb(&out, x, y), c, "outline at ({x}, {y})");
        }
        for (x, y) in [(42, 52), (70, 65), (97, 77), (39, 65), (100, 65), (70, 80)] {
            assert_eq!(rgb(&out, x, y), [255, 255, 255], "untouched at ({x}, {y})");
        }
        // The input is not changed.
        assert_eq!(rgb(&frame, 40, 50), [255, 255, 255]);
    }

    /// Reads the digits back from a label's pixels with the font itself.
    fn read_label(f: &Frame, label: Rect) -> String {
        let mut out = String::new();
        let mut x = label.x + PAD;
        while x + GLYPH_W * DIGIT_SCALE <= label.x + label.width {
            let rows: Vec<u8> = (0..GLYPH_H)
                .map(|row| {
                    (0..GLYPH_W).fold(0u8, |acc, col| {
                        let p = rgb(f, x + col * DIGIT_SCALE, label.y + PAD + row * DIGIT_SCALE);
                        (acc << 1) | u8::from(p == [255, 255, 255])
                    })
                })
                .collect();
            let d = DIGITS.iter().position(|g| g[..] == rows[..]).unwrap();
            out.push(char::from(b'0' + d as u8));
            x += GLYPH_W * DIGIT_SCALE + GAP;
        }
        out
    }

    #[test]
    fn digits_render_in_the_label_above_the_box() {
        let frame = white(300, 200);
        let marks = [
            Mark {
                number: 1234567890,
                rect: Rect::new(20, 60, 200, 40),
            },
            Mark {
                number: 42,
                rect: Rect::new(250, 2, 30, 20),
            },
        ];
        let out = draw_marks(&frame, &marks).unwrap();
        let labels = label_rects(&marks, 300, 200);
        let above = labels[0];
        assert_eq!(
            (above.x, above.y + above.height),
            (20, 60),
            "the label sits on the box"
        );
        assert_eq!(read_label(&out, above), "1234567890");
        assert_eq!(rgb(&out, above.x, above.y), mark_colour(1234567890));
        // No room above: left of the box.
        let left = labels[1];
        assert_eq!((left.x + left.width, left.y), (250, 2));
        assert_eq!(read_label(&out, left), "42");
    }

    #[test]
    fn labels_of_dense_lines_do_not_cover_each_other() {
        // Lines of text 14 pixels apart, shorter than a label, starting at the image's edge.
        let marks: Vec<Mark> = (0..8)
            .map(|i| Mark {
                number: 10 + i,
                rect: Rect::new(40, 30 + 14 * i, 200, 12),
            })
            .collect();
        let labels = label_rects(&marks, 300, 200);
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(!overlaps(a, b), "{a:?} and {b:?}");
            }
        }
        let out = draw_marks(&white(300, 200), &marks).unwrap();
        for (m, l) in marks.iter().zip(&labels) {
            assert_eq!(read_label(&out, *l), m.number.to_string());
        }
    }

    #[test]
    fn boxes_past_the_edge_are_clipped() {
        let frame = white(50, 40);
        let mark = Mark {
            number: 3,
            rect: Rect::new(30, 30, 100, 100),
        };
        let out = draw_marks(&frame, &[mark]).unwrap();
        assert_eq!(rgb(&out, 49, 30), mark_colour(3));
        assert_eq!(out.width(), 50);
    }
}
