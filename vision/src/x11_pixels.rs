//! Turning X11 ZPixmap image data into RGBA8, honouring the server's pixel layout.

use x11rb::protocol::xproto::{ImageOrder, Setup, VisualClass};

use crate::frame::rgba_len;
use crate::{VisionError, X11Error};

/// How the server lays out the pixels of a ZPixmap image of the root window's depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PixelLayout {
    /// Bits each pixel takes in memory (16, 24 or 32).
    pub bits_per_pixel: u8,
    /// Each scanline is padded to a multiple of this many bits.
    pub scanline_pad: u8,
    /// Multi-byte pixels are stored most significant byte first.
    pub msb_first: bool,
    /// Visual masks of the colour channels.
    pub red_mask: u32,
    /// Green channel mask.
    pub green_mask: u32,
    /// Blue channel mask.
    pub blue_mask: u32,
}

impl PixelLayout {
    /// The layout of the root window of screen `screen_num`, or why it cannot be captured.
    pub fn of_root(setup: &Setup, screen_num: usize) -> Result<PixelLayout, X11Error> {
        let screen = setup
            .roots
            .get(screen_num)
            .ok_or(X11Error::NoScreen { screen: screen_num })?;
        let depth = screen.root_depth;
        let visual = screen
            .allowed_depths
            .iter()
            .flat_map(|d| d.visuals.iter())
            .find(|v| v.visual_id == screen.root_visual)
            .ok_or(X11Error::NoRootVisual)?;
        if visual.class != VisualClass::TRUE_COLOR && visual.class != VisualClass::DIRECT_COLOR {
            return Err(X11Error::UnsupportedVisual {
                class: visual.class,
            });
        }
        let format = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == depth)
            .ok_or(X11Error::NoPixmapFormat { depth })?;
        let layout = PixelLayout {
            bits_per_pixel: format.bits_per_pixel,
            scanline_pad: format.scanline_pad,
            msb_first: setup.image_byte_order == ImageOrder::MSB_FIRST,
            red_mask: visual.red_mask,
            green_mask: visual.green_mask,
            blue_mask: visual.blue_mask,
        };
        if !matches!(layout.bits_per_pixel, 16 | 24 | 32) || !layout.scanline_pad.is_multiple_of(8)
        {
            return Err(X11Error::UnsupportedDepth {
                depth,
                bits_per_pixel: layout.bits_per_pixel,
            });
        }
        Ok(layout)
    }

    /// Bytes per scanline of an image `width` pixels wide.
    pub fn stride(&self, width: u32) -> usize {
        let bits = width as usize * usize::from(self.bits_per_pixel);
        let pad = usize::from(self.scanline_pad.max(8));
        bits.div_ceil(pad) * pad / 8
    }

    /// Bytes of a `width x height` image.
    pub fn image_len(&self, width: u32, height: u32) -> usize {
        self.stride(width) * height as usize
    }

    /// Whether this is the everyday layout: 32 bits, red in bits 16..24, blue in 0..8.
    fn is_xrgb32(&self) -> bool {
        self.bits_per_pixel == 32
            && self.red_mask == 0x00ff_0000
            && self.green_mask == 0x0000_ff00
            && self.blue_mask == 0x0000_00ff
    }

    /// Convert `data` (a `width x height` ZPixmap in this layout) to RGBA8 with alpha 255.
    pub fn convert(&self, data: &[u8], width: u32, height: u32) -> Result<Vec<u8>, VisionError> {
        let stride = self.stride(width);
        if data.len() < self.image_len(width, height) {
            return Err(VisionError::X11(X11Error::ShortImage {
                got: data.len(),
                expected: self.image_len(width, height),
                width,
                height,
            }));
        }
        let mut out = vec![0u8; rgba_len(width, height)?];
        let out_stride = width as usize * 4;
        if out_stride == 0 {
            return Ok(out);
        }
        let rows = data.chunks(stride).zip(out.chunks_exact_mut(out_stride));
        if self.is_xrgb32() {
            // One u32 per pixel, with the swizzle known at compile time so that it vectorises.
            for (src, dst) in rows {
                let src = &src[..out_stride];
                if self.msb_first {
                    // Bytes X R G B.
                    convert_row(src, dst, |v| (v >> 8) | 0xff00_0000);
                } else {
                    // Bytes B G R X.
                    convert_row(src, dst, |v| {
                        (v & 0xff00) | ((v >> 16) & 0xff) | ((v & 0xff) << 16) | 0xff00_0000
                    });
                }
            }
        } else {
            let channels = [
                Channel::new(self.red_mask),
                Channel::new(self.green_mask),
                Channel::new(self.blue_mask),
            ];
            let bytes = usize::from(self.bits_per_pixel / 8);
            for (src, dst) in rows {
                for (s, d) in src.chunks_exact(bytes).zip(dst.chunks_exact_mut(4)) {
                    let v = if self.msb_first {
                        s.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
                    } else {
                        s.iter()
                            .rev()
                            .fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
                    };
                    d.copy_from_slice(&[
                        channels[0].value(v),
                        channels[1].value(v),
                        channels[2].value(v),
                        255,
                    ]);
                }
            }
        }
        Ok(out)
    }
}

/// Convert one row of 32-bit pixels: read each as a little-endian u32, `swizzle` it into RGBA
/// order (red in the low byte), write it back little-endian.
#[inline(always)]
fn convert_row(src: &[u8], dst: &mut [u8], swizzle: impl Fn(u32) -> u32) {
    for (s, d) in src.chunks_exact(4).zip(dst.chunks_exact_mut(4)) {
        let v = u32::from_le_bytes(<[u8; 4]>::try_from(s).unwrap_or_default());
        d.copy_from_slice(&swizzle(v).to_le_bytes());
    }
}

/// One colour channel of a visual: where its bits sit and how to widen them to 8 bits.
#[derive(Clone, Copy)]
struct Channel {
    mask: u32,
    shift: u32,
    max: u32,
}

impl Channel {
    fn new(mask: u32) -> Channel {
        let shift = if mask == 0 { 0 } else { mask.trailing_zeros() };
        Channel {
            mask,
            shift,
            max: mask >> shift,
        }
    }

    fn value(self, pixel: u32) -> u8 {
        if self.max == 0 {
            return 0;
        }
        let v = (pixel & self.mask) >> self.shift;
        // Scale 0..=max onto 0..=255 with rounding.
        u8::try_from((v * 255 + self.max / 2) / self.max).unwrap_or(u8::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(bpp: u8, msb: bool, masks: (u32, u32, u32)) -> PixelLayout {
        PixelLayout {
            bits_per_pixel: bpp,
            scanline_pad: 32,
            msb_first: msb,
            red_mask: masks.0,
            green_mask: masks.1,
            blue_mask: masks.2,
        }
    }

    const XRGB: (u32, u32, u32) = (0xff_0000, 0xff00, 0xff);

    #[test]
    fn bgrx_lsb_first() {
        let l = layout(32, false, XRGB);
        let out = l.convert(&[3, 2, 1, 0, 30, 20, 10, 99], 2, 1).unwrap();
        assert_eq!(out, vec![1, 2, 3, 255, 10, 20, 30, 255]);
    }

    #[test]
    fn xrgb_msb_first() {
        let l = layout(32, true, XRGB);
        let out = l.convert(&[0, 1, 2, 3], 1, 1).unwrap();
        assert_eq!(out, vec![1, 2, 3, 255]);
    }

    #[test]
    fn rgb565_with_row_padding() {
        let l = layout(16, false, (0xf800, 0x07e0, 0x001f));
        // Width 1: 2 bytes of pixel, then 2 bytes of padding to 32 bits.
        assert_eq!(l.stride(1), 4);
        let red: u16 = 0xf800;
        let mid: u16 = (16 << 11) | (32 << 5) | 16;
        let mut data = red.to_le_bytes().to_vec();
        data.extend_from_slice(&[0xAA, 0xAA]);
        data.extend_from_slice(&mid.to_le_bytes());
        data.extend_from_slice(&[0xAA, 0xAA]);
        let out = l.convert(&data, 1, 2).unwrap();
        assert_eq!(out, vec![255, 0, 0, 255, 132, 130, 132, 255]);
    }

    #[test]
    fn swapped_masks_and_24_bpp() {
        let l = layout(24, false, (0xff, 0xff00, 0xff_0000));
        assert_eq!(l.stride(2), 8);
        let out = l.convert(&[1, 2, 3, 4, 5, 6, 0, 0], 2, 1).unwrap();
        assert_eq!(out, vec![1, 2, 3, 255, 4, 5, 6, 255]);
    }

    #[test]
    fn short_data_is_an_error() {
        let l = layout(32, false, XRGB);
        let err = l.convert(&[0; 7], 2, 1).unwrap_err();
        assert!(
            matches!(
                err,
                VisionError::X11(X11Error::ShortImage {
                    got: 7,
                    expected: 8,
                    ..
                })
            ),
            "{err:?}"
        );
        assert!(!err.is_display_lost());
    }
}
