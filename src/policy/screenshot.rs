//! Screenshots as providers want them: scaled to the size the model should see, encoded, and
//! base64'd, together with the coordinate space the model's answers come back in.
//!
//! Two settings shape what a long run costs in images ([`Sizing`]): the long edge of the
//! screenshot the model acts on (default 1024, XGA's width), and whether the older screenshots
//! still kept in the context are sent at half that size (the default): the model acts on the
//! newest one only, and the older ones are there to show what changed.

use base64::Engine as _;
use deskhand_actions::{DEFAULT_LONG_EDGE, ModelSpace, Size};
use deskhand_vision::{Frame, ImageFormat, Mark, Rect, VisionError, draw_marks, encode, resize};

/// A screenshot ready to put in a request.
#[derive(Debug, Clone)]
pub struct Screenshot {
    /// Base64 of the encoded image.
    pub base64: String,
    /// `image/png` or `image/jpeg`.
    pub mime: &'static str,
    /// The image's size (what the model sees).
    pub size: Size,
    /// How the model's coordinates map back to the screen.
    pub space: ModelSpace,
}

/// Key under which a request's newest screenshot part carries its smaller stand-in, until a newer
/// screenshot exists. Policies remove it before sending.
pub const OLDER: &str = "deskhand_older";

/// How big the screenshots sent to a model are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizing {
    /// The newest screenshot's long edge at most (0: the provider's own limit only).
    pub long_edge: u32,
    /// Older screenshots kept in the context are sent at half size.
    pub older_half: bool,
}

impl Default for Sizing {
    fn default() -> Sizing {
        Sizing {
            long_edge: DEFAULT_LONG_EDGE,
            older_half: true,
        }
    }
}

impl Sizing {
    /// The newest screenshot at `to`, and the stand-in it becomes once it is older.
    pub fn prepare(
        &self,
        frame: &Frame,
        to: Size,
        upscale: Upscale,
    ) -> Result<(Screenshot, Screenshot), VisionError> {
        self.prepare_marked(frame, to, upscale, &[])
    }

    /// [`Sizing::prepare`] with numbered `marks` (boxes in frame pixels) drawn on the newest
    /// screenshot after scaling. The older stand-in has no marks: the model acts on the
    /// newest screenshot's marks only.
    pub fn prepare_marked(
        &self,
        frame: &Frame,
        to: Size,
        upscale: Upscale,
        marks: &[Mark],
    ) -> Result<(Screenshot, Screenshot), VisionError> {
        let full = prepare_marked(frame, to, upscale, marks)?;
        let older = if marks.is_empty() || self.older_half {
            self.older(frame, &full)?
        } else {
            // Older screenshots at full size: the same image, without the marks.
            prepare(frame, full.size, Upscale::Exact)?
        };
        Ok((full, older))
    }

    /// Records these settings in a policy's settings (as a run's `session_meta` shows them).
    pub fn record(&self, settings: &mut serde_json::Map<String, serde_json::Value>) {
        settings.insert("screenshot_long_edge".into(), self.long_edge.into());
        settings.insert("older_screenshots_half".into(), self.older_half.into());
    }

    /// The image to keep for `shot` once it is no longer the newest: half its size, or the
    /// same image when older screenshots are sent at full size.
    pub fn older(&self, frame: &Frame, shot: &Screenshot) -> Result<Screenshot, VisionError> {
        if !self.older_half {
            return Ok(shot.clone());
        }
        let half = Size::new((shot.size.width / 2).max(1), (shot.size.height / 2).max(1));
        prepare(frame, half, Upscale::Never)
    }
}

/// Whether a screenshot may be made larger than the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upscale {
    /// Never larger than the screen (Anthropic: the model's pixels stay the image's).
    Never,
    /// Exactly the size asked (smart-resize may round a side up to a multiple of 28).
    Exact,
}

/// Scales `frame` to `to` and encodes it as an RGB PNG with default compression (a few
/// milliseconds more than the fast PNG of trajectory frames, about a third fewer bytes).
pub fn prepare(frame: &Frame, to: Size, upscale: Upscale) -> Result<Screenshot, VisionError> {
    prepare_marked(frame, to, upscale, &[])
}

/// [`prepare`] with numbered `marks` (boxes in frame pixels) drawn on the scaled image, so
/// that their outlines and digits keep their size in the image the model sees.
pub fn prepare_marked(
    frame: &Frame,
    to: Size,
    upscale: Upscale,
    marks: &[Mark],
) -> Result<Screenshot, VisionError> {
    let target = match upscale {
        Upscale::Never => deskhand_vision::Size {
            width: to.width.min(frame.width()),
            height: to.height.min(frame.height()),
        },
        Upscale::Exact => deskhand_vision::Size {
            width: to.width,
            height: to.height,
        },
    };
    let mut scaled = resize(frame, target)?;
    if !marks.is_empty() {
        let sx = f64::from(target.width) / f64::from(frame.width().max(1));
        let sy = f64::from(target.height) / f64::from(frame.height().max(1));
        let scaled_marks: Vec<Mark> = marks
            .iter()
            .map(|m| {
                let x = (f64::from(m.rect.x) * sx).floor() as u32;
                let y = (f64::from(m.rect.y) * sy).floor() as u32;
                let right = (m.rect.right() as f64 * sx).ceil() as u32;
                let bottom = (m.rect.bottom() as f64 * sy).ceil() as u32;
                Mark {
                    number: m.number,
                    rect: Rect::new(
                        x,
                        y,
                        right.saturating_sub(x).max(1),
                        bottom.saturating_sub(y).max(1),
                    ),
                }
            })
            .collect();
        scaled = draw_marks(&scaled, &scaled_marks)?;
    }
    let encoded = encode(&scaled, ImageFormat::PngCompact)?;
    let size = Size::new(target.width, target.height);
    let space = if target.width == frame.width() && target.height == frame.height() {
        ModelSpace::Screen
    } else {
        ModelSpace::Scaled {
            width: size.width,
            height: size.height,
        }
    };
    Ok(Screenshot {
        base64: base64::engine::general_purpose::STANDARD.encode(&encoded.bytes),
        mime: encoded.mime,
        size,
        space,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(shot: &Screenshot) -> Frame {
        let png = base64::engine::general_purpose::STANDARD
            .decode(&shot.base64)
            .unwrap();
        Frame::from_png(&png).unwrap()
    }

    #[test]
    fn marks_are_drawn_after_scaling_and_only_on_the_newest() {
        let frame = Frame::from_rgba(2000, 1000, vec![255; 2000 * 1000 * 4]).unwrap();
        let marks = [Mark {
            number: 5,
            rect: Rect::new(400, 200, 400, 100),
        }];
        let colour = deskhand_vision::mark_colour(5);
        for older_half in [true, false] {
            let sizing = Sizing {
                long_edge: 1000,
                older_half,
            };
            let (full, older) = sizing
                .prepare_marked(&frame, Size::new(1000, 500), Upscale::Never, &marks)
                .unwrap();
            let image = decode(&full);
            assert_eq!((image.width(), image.height()), (1000, 500));
            // The box at half its screen size, its outline 2 pixels thick in the image.
            assert_eq!(image.pixel(200, 120).unwrap()[..3], colour);
            assert_eq!(image.pixel(201, 120).unwrap()[..3], colour);
            assert_eq!(image.pixel(202, 120).unwrap()[..3], [255, 255, 255]);
            let label = deskhand_vision::label_rects(
                &[Mark {
                    number: 5,
                    rect: Rect::new(200, 100, 200, 50),
                }],
                1000,
                500,
            )[0];
            assert_eq!(label.height, 18, "digits keep their size in the image");
            assert_eq!(image.pixel(label.x, label.y).unwrap()[..3], colour);
            let old = decode(&older);
            assert!(
                old.rgba()
                    .chunks_exact(4)
                    .all(|p| p[..3] == [255, 255, 255]),
                "the older stand-in has no marks (older_half {older_half})"
            );
        }
    }
}
