//! Images as OSWorld's Pillow sees them: decoded pixels plus the PIL mode a file opens in, PIL's
//! `convert('L')`, and scikit-image's `structural_similarity` with its defaults.
//!
//! Pixels are decoded with the `image` crate into RGBA8 (a PNG's `tRNS` chunk becomes alpha, as
//! PIL's `convert('RGBA')` makes it); [`Mode`] is read from the file's header, since it decides
//! what OSWorld's numpy arrays look like (`P` images are palette indices there).

use std::path::Path;

/// PIL's mode of an opened image (the ones deskhand tells apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    L,
    La,
    Rgb,
    Rgba,
    P,
}

/// Why an image could not be read.
#[derive(Debug, thiserror::Error)]
pub(super) enum PicError {
    #[error("cannot read the image: {0}")]
    Decode(#[from] image::ImageError),
    #[error("cannot read the image: {0}")]
    Io(#[from] std::io::Error),
    /// A file PIL opens in a mode deskhand does not reproduce (16-bit PNG, …).
    #[error("{0}")]
    Unsupported(String),
}

/// A decoded image.
#[derive(Debug, Clone)]
pub(super) struct Pic {
    pub(super) w: usize,
    pub(super) h: usize,
    pub(super) mode: Mode,
    /// `'transparency' in img.info`: a PNG with a `tRNS` chunk.
    pub(super) transparency: bool,
    /// RGBA8, row by row.
    pub(super) px: Vec<u8>,
}

/// The PIL mode and `tRNS` flag of a PNG, from its header; `None` when `bytes` is no PNG.
fn png_mode(bytes: &[u8]) -> Option<Result<(Mode, bool), PicError>> {
    if bytes.len() < 33 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let (depth, colour) = (bytes[24], bytes[25]);
    if depth == 16 {
        return Some(Err(PicError::Unsupported("a 16-bit PNG".into())));
    }
    let mode = match colour {
        0 => Mode::L,
        2 => Mode::Rgb,
        3 => Mode::P,
        4 => Mode::La,
        _ => Mode::Rgba,
    };
    let mut trns = false;
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        let kind = &bytes[at + 4..at + 8];
        if kind == b"tRNS" {
            trns = true;
        }
        if kind == b"IDAT" || kind == b"IEND" {
            break;
        }
        at += 12 + len as usize;
    }
    Some(Ok((mode, trns)))
}

impl Pic {
    /// Reads an image file as `Image.open` would.
    pub(super) fn open(path: &Path) -> Result<Pic, PicError> {
        let bytes = std::fs::read(path)?;
        let decoded = image::load_from_memory(&bytes)?;
        let (mode, transparency) = match png_mode(&bytes) {
            Some(found) => found?,
            None => {
                let gif = bytes.starts_with(b"GIF8");
                let mode = if gif {
                    Mode::P
                } else {
                    match decoded.color() {
                        image::ColorType::L8 => Mode::L,
                        image::ColorType::La8 => Mode::La,
                        image::ColorType::Rgb8 => Mode::Rgb,
                        image::ColorType::Rgba8 => Mode::Rgba,
                        other => return Err(PicError::Unsupported(format!("{other:?} pixels"))),
                    }
                };
                (mode, gif && decoded.color().has_alpha())
            }
        };
        let rgba = decoded.to_rgba8();
        Ok(Pic {
            w: rgba.width() as usize,
            h: rgba.height() as usize,
            mode,
            transparency,
            px: rgba.into_raw(),
        })
    }

    /// The RGBA value of pixel `i` (row-major index).
    pub(super) fn rgba(&self, i: usize) -> [u8; 4] {
        let p = &self.px[i * 4..i * 4 + 4];
        [p[0], p[1], p[2], p[3]]
    }

    /// Pixel `i` of `np.array(img)`: its values and how many there are (palette images: `None`,
    /// their arrays hold indices deskhand does not keep).
    pub(super) fn raw(&self, i: usize) -> Option<([u8; 4], usize)> {
        let [r, g, b, a] = self.rgba(i);
        Some(match self.mode {
            Mode::L => ([r, 0, 0, 0], 1),
            Mode::La => ([r, a, 0, 0], 2),
            Mode::Rgb => ([r, g, b, 0], 3),
            Mode::Rgba => ([r, g, b, a], 4),
            Mode::P => return None,
        })
    }

    /// `img.convert('RGB')`, one plane per channel.
    pub(super) fn rgb_planes(&self) -> [Vec<u8>; 3] {
        let mut planes = [Vec::new(), Vec::new(), Vec::new()];
        for (c, plane) in planes.iter_mut().enumerate() {
            *plane = self.px.chunks_exact(4).map(|p| p[c]).collect();
        }
        planes
    }

    /// `img.convert('L')`: PIL's fixed-point ITU-R 601-2 luma (L itself for grey images).
    pub(super) fn gray(&self) -> Vec<u8> {
        self.px
            .chunks_exact(4)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect()
    }

    /// `img.transpose(FLIP_LEFT_RIGHT)`.
    pub(super) fn mirrored(&self) -> Pic {
        let mut px = Vec::with_capacity(self.px.len());
        for row in self.px.chunks_exact(self.w * 4) {
            for p in row.chunks_exact(4).rev() {
                px.extend_from_slice(p);
            }
        }
        Pic { px, ..self.clone() }
    }

    /// The bounding box of pixels whose alpha is not 0 (`alpha.getbbox()`), as
    /// `(left, top, right, bottom)`.
    pub(super) fn alpha_bbox(&self) -> Option<(usize, usize, usize, usize)> {
        let mut bbox: Option<(usize, usize, usize, usize)> = None;
        for y in 0..self.h {
            for x in 0..self.w {
                if self.px[(y * self.w + x) * 4 + 3] != 0 {
                    let b = bbox.get_or_insert((x, y, x + 1, y + 1));
                    b.0 = b.0.min(x);
                    b.1 = b.1.min(y);
                    b.2 = b.2.max(x + 1);
                    b.3 = b.3.max(y + 1);
                }
            }
        }
        bbox
    }
}

/// PIL's `L = R * 299/1000 + G * 587/1000 + B * 114/1000`, in its fixed point.
pub(super) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 19595 + u32::from(g) * 38470 + u32::from(b) * 7471 + 0x8000) >> 16) as u8
}

/// The side of scikit-image's default window (`win_size=7`, uniform filter).
const WIN: usize = 7;

/// `structural_similarity(a, b)` of two uint8 planes of `w` × `h` (data range 255, a 7 × 7
/// uniform window, sample covariances, the mean over pixels at least 3 from the border);
/// `None` when a side is under 7 (scikit-image raises).
///
/// Window sums are exact integers, so this differs from scipy's running float sums by rounding
/// only.
pub(super) fn ssim_plane(a: &[u8], b: &[u8], w: usize, h: usize) -> Option<f64> {
    if w < WIN || h < WIN {
        return None;
    }
    let (ow, oh) = (w - WIN + 1, h - WIN + 1);
    // Horizontal window sums of a, b, a², b², ab for every row.
    let mut rows = vec![[0u64; 5]; ow * h];
    for y in 0..h {
        let (ra, rb) = (&a[y * w..(y + 1) * w], &b[y * w..(y + 1) * w]);
        let mut s = [0u64; 5];
        for x in 0..w {
            add(&mut s, ra[x], rb[x], true);
            if x >= WIN {
                add(&mut s, ra[x - WIN], rb[x - WIN], false);
            }
            if x + 1 >= WIN {
                rows[y * ow + x + 1 - WIN] = s;
            }
        }
    }
    let n = (WIN * WIN) as f64;
    let cov_norm = n / (n - 1.0);
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    let mut total = 0.0;
    for x in 0..ow {
        let mut s = [0u64; 5];
        for y in 0..h {
            for (k, v) in rows[y * ow + x].iter().enumerate() {
                s[k] += v;
            }
            if y >= WIN {
                for (k, v) in rows[(y - WIN) * ow + x].iter().enumerate() {
                    s[k] -= v;
                }
            }
            if y + 1 >= WIN {
                let [sa, sb, saa, sbb, sab] = s.map(|v| v as f64 / n);
                let vx = cov_norm * (saa - sa * sa);
                let vy = cov_norm * (sbb - sb * sb);
                let vxy = cov_norm * (sab - sa * sb);
                let num = (2.0 * sa * sb + c1) * (2.0 * vxy + c2);
                let den = (sa * sa + sb * sb + c1) * (vx + vy + c2);
                total += num / den;
            }
        }
    }
    Some(total / (ow * oh) as f64)
}

fn add(s: &mut [u64; 5], a: u8, b: u8, plus: bool) {
    let (a, b) = (u64::from(a), u64::from(b));
    let v = [a, b, a * a, b * b, a * b];
    for (k, x) in v.iter().enumerate() {
        if plus {
            s[k] += x;
        } else {
            s[k] -= x;
        }
    }
}

/// `structural_similarity(a, b, win_size=7, channel_axis=2)` of two RGB images: the mean of
/// the channels' SSIM.
pub(super) fn ssim_rgb(a: &Pic, b: &Pic) -> Option<f64> {
    let (pa, pb) = (a.rgb_planes(), b.rgb_planes());
    let mut sum = 0.0;
    for c in 0..3 {
        sum += ssim_plane(&pa[c], &pb[c], a.w, a.h)?;
    }
    Some(sum / 3.0)
}
