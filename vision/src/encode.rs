//! Encoding frames for a model or for disk: PNG (lossless, fast compression) and JPEG.

use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

use crate::{Frame, Size, VisionError};

/// How to encode a frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ImageFormat {
    /// Lossless PNG with fast compression.
    Png,
    /// Lossless RGB PNG with zlib's default compression: slower to make (milliseconds), about a
    /// third smaller; for images sent over the network.
    PngCompact,
    /// Baseline JPEG; `quality` from 1 (worst) to 100 (best). Alpha is dropped.
    Jpeg {
        /// Quality from 1 to 100; values outside are clamped.
        quality: u8,
    },
}

/// An encoded image and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// The file bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type, e.g. `image/png`.
    pub mime: &'static str,
    /// Pixel size of the encoded image.
    pub size: Size,
}

/// Encode `frame` as PNG (fast compression) or JPEG (through `jpeg-encoder`).
pub fn encode(frame: &Frame, format: ImageFormat) -> Result<Encoded, VisionError> {
    let (bytes, mime) = match format {
        ImageFormat::Png => (png_bytes(frame)?, "image/png"),
        ImageFormat::PngCompact => (png_compact_bytes(frame)?, "image/png"),
        ImageFormat::Jpeg { quality } => (jpeg_bytes(frame, quality)?, "image/jpeg"),
    };
    Ok(Encoded {
        bytes,
        mime,
        size: frame.size(),
    })
}

/// PNG bytes of `frame`, RGBA8, fast compression, adaptive filter.
pub(crate) fn png_bytes(frame: &Frame) -> Result<Vec<u8>, VisionError> {
    let mut out = Vec::with_capacity(frame.rgba().len() / 4);
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
        .write_image(
            frame.rgba(),
            frame.width(),
            frame.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|e| VisionError::Encode(format!("PNG: {e}")))?;
    Ok(out)
}

/// PNG bytes of `frame` without its alpha channel (screens are opaque), default compression,
/// adaptive filter.
fn png_compact_bytes(frame: &Frame) -> Result<Vec<u8>, VisionError> {
    let rgb: Vec<u8> = frame
        .rgba()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::with_capacity(rgb.len() / 4);
    PngEncoder::new_with_quality(&mut out, CompressionType::Default, FilterType::Adaptive)
        .write_image(
            &rgb,
            frame.width(),
            frame.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| VisionError::Encode(format!("PNG: {e}")))?;
    Ok(out)
}

fn jpeg_bytes(frame: &Frame, quality: u8) -> Result<Vec<u8>, VisionError> {
    let too_big = || {
        VisionError::Encode(format!(
            "JPEG cannot hold {}x{} pixels (65535 at most per side)",
            frame.width(),
            frame.height()
        ))
    };
    let w = u16::try_from(frame.width()).map_err(|_| too_big())?;
    let h = u16::try_from(frame.height()).map_err(|_| too_big())?;
    if w == 0 || h == 0 {
        return Err(VisionError::Encode(
            "JPEG cannot hold an empty image".into(),
        ));
    }
    let mut out = Vec::with_capacity(frame.rgba().len() / 10);
    jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100))
        .encode(frame.rgba(), w, h, jpeg_encoder::ColorType::Rgba)
        .map_err(|e| VisionError::Encode(format!("JPEG: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(w: u32, h: u32) -> Frame {
        let mut v = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let on = (x / 8 + y / 8) % 2 == 0;
                v.extend_from_slice(if on {
                    &[200, 40, 40, 255]
                } else {
                    &[30, 90, 220, 255]
                });
            }
        }
        Frame::from_rgba(w, h, v).unwrap()
    }

    #[test]
    fn png_round_trip_is_exact() {
        let f = pattern(100, 61);
        let e = encode(&f, ImageFormat::Png).unwrap();
        assert_eq!(e.mime, "image/png");
        assert_eq!(e.size, Size::new(100, 61));
        assert!(Frame::from_png(&e.bytes).unwrap().same_pixels(&f));
    }

    #[test]
    fn jpeg_round_trip_is_close() {
        let f = pattern(96, 64);
        let e = encode(&f, ImageFormat::Jpeg { quality: 90 }).unwrap();
        assert_eq!(e.mime, "image/jpeg");
        assert_eq!(&e.bytes[..2], &[0xFF, 0xD8]);
        let back = image::load_from_memory_with_format(&e.bytes, image::ImageFormat::Jpeg)
            .unwrap()
            .into_rgba8();
        assert_eq!(back.dimensions(), (96, 64));
        // Compare away from the block edges, where JPEG rings.
        for (x, y) in [(3, 3), (12, 3), (3, 12), (52, 36), (91, 60)] {
            let want = f.pixel(x, y).unwrap();
            let got = back.get_pixel(x, y).0;
            for c in 0..3 {
                let d = i16::from(want[c]) - i16::from(got[c]);
                assert!(
                    d.abs() <= 12,
                    "pixel ({x},{y}) channel {c}: {want:?} vs {got:?}"
                );
            }
            assert_eq!(got[3], 255);
        }
    }

    #[test]
    fn jpeg_refuses_empty_and_huge() {
        let empty = Frame::from_rgba(0, 0, vec![]).unwrap();
        assert!(encode(&empty, ImageFormat::Jpeg { quality: 80 }).is_err());
        let wide = Frame::from_rgba(70_000, 1, vec![0; 280_000]).unwrap();
        assert!(encode(&wide, ImageFormat::Jpeg { quality: 80 }).is_err());
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// Prints encode and resize times of a 1080p screen-like frame (run with `--nocapture`).
    #[test]
    fn print_1080p_timings() {
        let (w, h) = (1920u32, 1080u32);
        let mut v = Vec::with_capacity((w * h * 4) as usize);
        for y in 0..h {
            for x in 0..w {
                let band = ((x / 40) + (y / 30)) as u8;
                v.extend_from_slice(&[band.wrapping_mul(37), (x % 256) as u8, 200, 255]);
            }
        }
        let f = Frame::from_rgba(w, h, v).unwrap();
        let t = std::time::Instant::now();
        let png = encode(&f, ImageFormat::Png).unwrap();
        let png_t = t.elapsed();
        let mut jpg = encode(&f, ImageFormat::Jpeg { quality: 80 }).unwrap();
        let mut jpg_t = std::time::Duration::MAX;
        for _ in 0..if cfg!(debug_assertions) { 1 } else { 5 } {
            let t = std::time::Instant::now();
            jpg = encode(&f, ImageFormat::Jpeg { quality: 80 }).unwrap();
            jpg_t = jpg_t.min(t.elapsed());
        }
        let mut small = f.clone();
        let mut resize_t = std::time::Duration::MAX;
        for _ in 0..if cfg!(debug_assertions) { 1 } else { 5 } {
            let t = std::time::Instant::now();
            small = crate::resize(&f, Size::new(1280, 720)).unwrap();
            resize_t = resize_t.min(t.elapsed());
        }

        assert_eq!(small.size(), Size::new(1280, 720));
        println!(
            "1080p: png {png_t:?} ({} KiB), jpeg q80 {jpg_t:?} ({} KiB), resize to 720p {resize_t:?}",
            png.bytes.len() / 1024,
            jpg.bytes.len() / 1024
        );
    }
}
