//! The animated demo: one GIF frame per step (the frame the policy saw, scaled to at most
//! 800 px wide) with a red ring where the step clicks, scrolls or moves, shown for a second.

use super::{Report, marks};
use deskhand_vision::{Frame, Size, resize};
use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, RgbaImage};

const MAX_WIDTH: u32 = 800;

/// Draws a ring of radius `r` (3 px thick) centred on `(cx, cy)`.
fn ring(img: &mut RgbaImage, cx: f64, cy: f64, r: f64) {
    let (w, h) = img.dimensions();
    let reach = (r + 3.0).ceil() as i64;
    for dy in -reach..=reach {
        for dx in -reach..=reach {
            let d = ((dx * dx + dy * dy) as f64).sqrt();
            if (d - r).abs() > 1.6 {
                continue;
            }
            let (x, y) = (cx as i64 + dx, cy as i64 + dy);
            if x >= 0 && y >= 0 && (x as u64) < u64::from(w) && (y as u64) < u64::from(h) {
                img.put_pixel(x as u32, y as u32, image::Rgba([230, 20, 20, 255]));
            }
        }
    }
}

/// Renders the GIF's bytes.
pub fn render(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new_with_speed(&mut out, 20);
        enc.set_repeat(Repeat::Infinite)?;
        let mut frames = 0;
        for step in &report.steps {
            let Some(path) = &step.frame else { continue };
            let frame = Frame::from_png(&std::fs::read(path)?)?;
            let scale = (f64::from(MAX_WIDTH) / f64::from(frame.width())).min(1.0);
            let size = Size {
                width: ((f64::from(frame.width()) * scale).round() as u32).max(1),
                height: ((f64::from(frame.height()) * scale).round() as u32).max(1),
            };
            let small = resize(&frame, size)?;
            let mut img = RgbaImage::from_raw(size.width, size.height, small.rgba().to_vec())
                .ok_or_else(|| anyhow::anyhow!("frame {} has a bad size", path.display()))?;
            for (action, _) in &step.actions {
                for (x, y) in marks(action).into_iter().take(1) {
                    ring(&mut img, f64::from(x) * scale, f64::from(y) * scale, 12.0);
                }
            }
            enc.encode_frame(image::Frame::from_parts(
                img,
                0,
                0,
                Delay::from_numer_denom_ms(1000, 1),
            ))?;
            frames += 1;
        }
        if frames == 0 {
            anyhow::bail!("the run has no frames to animate");
        }
    }
    Ok(out)
}
