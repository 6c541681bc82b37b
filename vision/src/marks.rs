//! Set-of-marks drawing: numbered boxes on a screenshot, so a model can answer "click mark 7".
//!
//! Each [`Mark`] is drawn as a 2-pixel rectangle outline on its box and a filled label with its
//! number in white digits, just above the box's top-left corner (inside the box when there is
//! no room above). Colours cycle through six saturated hues so that neighbouring marks are told
//! apart. Digits come from a 5×7 bitmap font of our own drawn at twice its size (10×14 pixels
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

/// Where the label of `mark` goes on an image of `width` x `height`: above the box's top-left
/// corner, or inside the box at its top when there is no room above; moved left to stay in
/// the image.
pub fn label_rect(mark: &Mark, width: u32, height: u32) -> Rect {
    let digits = mark.number.to_string().len() as u32;
    let w = digits * GLYPH_W * DIGIT_SCALE + (digits - 1) * GAP + 2 * PAD;
    let h = GLYPH_H * DIGIT_SCALE + 2 * PAD;
    let x = mark.rect.x.min(width.saturating_sub(w));
    let y = if mark.rect.y >= h {
        mark.rect.y - h
    } else {
        mark.rect.y.min(height.saturating_sub(h))
    };
    Rect::new(x, y, w, h)
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
    for mark in marks {
        let colour = mark_colour(mark.number);
        let label = label_rect(mark, width, height);
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
        let above = label_rect(&marks[0], 300, 200);
        assert_eq!(above.y + above.height, 60, "the label sits on the box");
        assert_eq!(read_label(&out, above), "1234567890");
        assert_eq!(rgb(&out, above.x, above.y), mark_colour(1234567890));
        // No room above: inside the box, moved left to stay in the image.
        let inside = label_rect(&marks[1], 300, 200);
        assert_eq!(inside.y, 2);
        assert!(inside.x + inside.width <= 300);
        assert_eq!(read_label(&out, inside), "42");
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
