//! The detector's input tensor and the DB post-processing of its probability map.

use crate::{Frame, Rect};

/// The detector's input side lengths must be multiples of this.
pub(crate) const STRIDE: usize = 32;
/// Frames whose short side is under this many pixels are scaled up to it before detection.
pub(crate) const MIN_SHORT_SIDE: f32 = 736.0;

/// Per-channel `(mean, std)` of the normalisation `(v / 255 - mean) / std`, in B, G, R order.
pub(crate) const NORM_HALF: [(f32, f32); 3] = [(0.5, 0.5), (0.5, 0.5), (0.5, 0.5)];

/// Thresholds of the DB post-processing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DbParams {
    /// A pixel is text when its probability is above this.
    pub(crate) threshold: f32,
    /// A box is kept when the mean probability inside it is at least this.
    pub(crate) box_threshold: f32,
    /// The box grows by `area * unclip_ratio / perimeter` on every side.
    pub(crate) unclip_ratio: f32,
    /// At most this many boxes per map.
    pub(crate) max_candidates: usize,
}

impl Default for DbParams {
    fn default() -> DbParams {
        DbParams {
            threshold: 0.3,
            box_threshold: 0.5,
            unclip_ratio: 1.6,
            max_candidates: 1000,
        }
    }
}

/// Frames whose long side is over this many pixels are scaled down to it before detection
/// (a 4K screen: text there is drawn large, and a full-size pass would need gigabytes).
pub(crate) const MAX_LONG_SIDE: f32 = 2560.0;

/// How much a frame of `width x height` is scaled for detection: 1 unless its short side is
/// under [`MIN_SHORT_SIDE`] (scaled up) or its long side over [`MAX_LONG_SIDE`] (scaled down,
/// which wins).
pub(crate) fn det_scale(width: u32, height: u32) -> f32 {
    let short = width.min(height) as f32;
    let long = width.max(height) as f32;
    let mut scale = 1.0;
    if short > 0.0 && short < MIN_SHORT_SIDE {
        scale = MIN_SHORT_SIDE / short;
    }
    if long * scale > MAX_LONG_SIDE {
        scale = MAX_LONG_SIDE / long;
    }
    scale
}

/// The detector input for one region of a frame.
#[cfg(test)]
pub(crate) struct DetInput {
    /// `[1, 3, height, width]`, BGR, normalised; padding is 0.
    pub(crate) data: Vec<f32>,
    /// Padded width (a multiple of [`STRIDE`]).
    pub(crate) width: usize,
    /// Padded height (a multiple of [`STRIDE`]).
    pub(crate) height: usize,
    /// Width and height of the image inside the padding.
    pub(crate) valid: (usize, usize),
}

/// The detector input for `region` of `frame` scaled by `scale`, as one tile.
#[cfg(test)]
pub(crate) fn prepare(frame: &Frame, region: Rect, scale: f32) -> DetInput {
    let geometry = DetGeometry::of(region, scale);
    let whole = |len| Span {
        input_start: 0,
        len,
        keep_start: 0,
        keep_end: len,
    };
    let tile = Tile {
        rows: whole(geometry.height),
        cols: whole(geometry.width),
    };
    let mut data = Vec::new();
    prepare_tile(frame, region, scale, &geometry, &tile, &mut data);
    DetInput {
        data,
        width: geometry.width,
        height: geometry.height,
        valid: geometry.valid,
    }
}

/// The size of the detector's input for a region: the region scaled, padded to [`STRIDE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DetGeometry {
    /// Padded width (a multiple of [`STRIDE`]).
    pub(crate) width: usize,
    /// Padded height (a multiple of [`STRIDE`]).
    pub(crate) height: usize,
    /// Width and height of the image inside the padding.
    pub(crate) valid: (usize, usize),
}

impl DetGeometry {
    /// The geometry for `region` scaled by `scale`.
    pub(crate) fn of(region: Rect, scale: f32) -> DetGeometry {
        let (vw, vh) = if scale == 1.0 {
            (region.width as usize, region.height as usize)
        } else {
            (
                ((region.width as f32 * scale).round() as usize).max(1),
                ((region.height as f32 * scale).round() as usize).max(1),
            )
        };
        DetGeometry {
            width: vw.div_ceil(STRIDE).max(1) * STRIDE,
            height: vh.div_ceil(STRIDE).max(1) * STRIDE,
            valid: (vw, vh),
        }
    }
}

/// Fill `out` with the detector input of one tile (`tile.rows` x `tile.cols` of the input for
/// `region` of `frame` scaled by `scale`: `[1, 3, rows, cols]`, BGR, normalised, padding 0):
/// the same values those pixels have in the input of the whole region. At scale 1 the pixels
/// are copied as they are (no resampling): screen text stays sharp.
pub(crate) fn prepare_tile(
    frame: &Frame,
    region: Rect,
    scale: f32,
    geometry: &DetGeometry,
    tile: &Tile,
    out: &mut Vec<f32>,
) {
    let (rows, cols) = (tile.rows.len, tile.cols.len);
    let (row0, col0) = (tile.rows.input_start, tile.cols.input_start);
    let (vw, vh) = geometry.valid;
    let plane = rows * cols;
    out.clear();
    out.resize(3 * plane, 0.0);
    // The image (not padding) in this tile.
    let image_rows = vh.saturating_sub(row0).min(rows);
    let image_cols = vw.saturating_sub(col0).min(cols);
    if image_rows == 0 || image_cols == 0 {
        return;
    }
    if scale == 1.0 {
        let lut = norm_lut(&NORM_HALF);
        let stride = frame.width() as usize * 4;
        let rgba = frame.rgba();
        for y in 0..image_rows {
            let start = (region.y as usize + row0 + y) * stride + (region.x as usize + col0) * 4;
            let row = &rgba[start..start + image_cols * 4];
            let at = y * cols;
            for (x, px) in row.chunks_exact(4).enumerate() {
                // BGR planes.
                out[at + x] = lut[0][px[2] as usize];
                out[plane + at + x] = lut[1][px[1] as usize];
                out[2 * plane + at + x] = lut[2][px[0] as usize];
            }
        }
    } else {
        // The source window of this tile, on the same sampling grid as the whole region's.
        let sx = region.width as f32 / vw as f32;
        let sy = region.height as f32 / vh as f32;
        let src = Window {
            x: region.x as f32 + col0 as f32 * sx,
            y: region.y as f32 + row0 as f32 * sy,
            width: image_cols as f32 * sx,
            height: image_rows as f32 * sy,
        };
        sample_bilinear(
            frame, src, image_cols, image_rows, out, cols, rows, &NORM_HALF,
        );
    }
}

/// One side of a tile: `len` input pixels from `input_start`, of which those from `keep_start`
/// to `keep_end` go into the probability map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) input_start: usize,
    pub(crate) len: usize,
    pub(crate) keep_start: usize,
    pub(crate) keep_end: usize,
}

/// A part of the detector's input run through the model on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tile {
    pub(crate) rows: Span,
    pub(crate) cols: Span,
}

/// Pixels of context a tile has beyond the pixels it keeps, on each side that is cut (not on
/// the input's own edges).
pub(crate) const TILE_MARGIN: usize = STRIDE;

/// `count` spans of one length (a multiple of [`STRIDE`]: every tile sees the same pixel grid as
/// the whole input) covering `total`, the least that does, each keeping the pixels at least
/// [`TILE_MARGIN`] from its cut sides; the last one is moved back to end at `total`.
fn spans(total: usize, count: usize) -> Vec<Span> {
    let margin = TILE_MARGIN;
    if count <= 1 {
        return vec![Span {
            input_start: 0,
            len: total,
            keep_start: 0,
            keep_end: total,
        }];
    }
    // `count` spans of `len` keep 2 (len - margin) + (count - 2) (len - 2 margin) pixels.
    let len = (total + 2 * margin * (count - 1))
        .div_ceil(count)
        .div_ceil(STRIDE)
        * STRIDE;
    let mut out = Vec::with_capacity(count);
    let mut keep_start = 0;
    while keep_start < total {
        let input_start = keep_start.saturating_sub(margin).min(total - len);
        let keep_end = if input_start + len >= total {
            total
        } else {
            input_start + len - margin
        };
        out.push(Span {
            input_start,
            len,
            keep_start,
            keep_end,
        });
        keep_start = keep_end;
    }
    out
}

/// How many spans of at most `max_len` cover `total` (see [`spans`]); `None` when `max_len`
/// leaves no room for margins.
fn span_count(total: usize, max_len: usize) -> Option<usize> {
    let margin = TILE_MARGIN;
    if total <= max_len {
        return Some(1);
    }
    if max_len < 2 * margin + STRIDE {
        return None;
    }
    Some((total - 2 * margin).div_ceil(max_len - 2 * margin))
}

/// How many columns of tiles of at most `max_pixels` each cover an input of `height x width` in
/// as few input pixels in all as can be (see [`tiles`]), fewer columns winning ties; 1 when the
/// whole input fits, or when `max_pixels` is 0.
pub(crate) fn columns(height: usize, width: usize, max_pixels: usize) -> usize {
    if max_pixels == 0 || height * width <= max_pixels {
        return 1;
    }
    let mut best: Option<(usize, usize)> = None;
    for cols in 1..=(width / STRIDE).max(1) {
        let tile_w = spans(width, cols)[0].len;
        if cols > 1 && tile_w < 2 * TILE_MARGIN + STRIDE {
            break;
        }
        let Some(rows) = span_count(height, max_pixels / tile_w / STRIDE * STRIDE) else {
            continue;
        };
        let total = cols * tile_w * rows * spans(height, rows)[0].len;
        if best.is_none_or(|(_, t)| total < t) {
            best = Some((cols, total));
        }
    }
    // No grid fits a tiny budget: the narrowest tiles there are.
    best.map_or_else(
        || span_count(width, 2 * TILE_MARGIN + STRIDE).unwrap_or(1),
        |(cols, _)| cols,
    )
}

/// Tiles of at most `max_pixels` each (unless even the smallest are larger) covering an input
/// of `height x width` in `cols` columns, all of one shape (so ONNX Runtime sees one tensor
/// shape), with as few rows as fit the budget; row-major. `cols` is [`columns`] of the input,
/// or of the whole frame for a band across it, so that a band is cut where a full pass is.
pub(crate) fn tiles(height: usize, width: usize, cols: usize, max_pixels: usize) -> Vec<Tile> {
    let col_spans = spans(width, cols);
    let rows = if max_pixels == 0 {
        1
    } else {
        let max_h = max_pixels / col_spans[0].len / STRIDE * STRIDE;
        span_count(height, max_h)
            .or_else(|| span_count(height, 2 * TILE_MARGIN + STRIDE))
            .unwrap_or(1)
    };
    spans(height, rows)
        .into_iter()
        .flat_map(|r| col_spans.iter().map(move |&c| Tile { rows: r, cols: c }))
        .collect()
}

/// `lut[c][v]` = `(v / 255 - mean_c) / std_c`.
pub(crate) fn norm_lut(norm: &[(f32, f32); 3]) -> [[f32; 256]; 3] {
    let mut lut = [[0.0f32; 256]; 3];
    for (c, &(mean, std)) in norm.iter().enumerate() {
        for (v, slot) in lut[c].iter_mut().enumerate() {
            *slot = (v as f32 / 255.0 - mean) / std;
        }
    }
    lut
}

/// A source window in frame pixels (fractional).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) width: f32,
    pub(crate) height: f32,
}

/// Resample `src` of `frame` to `out_w x out_h` (bilinear, OpenCV's pixel-centre convention,
/// edges clamped) into the top-left of a CHW BGR buffer whose planes are `plane_w x plane_h`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sample_bilinear(
    frame: &Frame,
    src: Window,
    out_w: usize,
    out_h: usize,
    out: &mut [f32],
    plane_w: usize,
    plane_h: usize,
    norm: &[(f32, f32); 3],
) {
    let (fw, fh) = (frame.width() as usize, frame.height() as usize);
    if fw == 0 || fh == 0 || out_w == 0 || out_h == 0 {
        return;
    }
    let rgba = frame.rgba();
    let plane = plane_w * plane_h;
    let sx = src.width / out_w as f32;
    let sy = src.height / out_h as f32;
    let max_x = (fw - 1) as f32;
    let max_y = (fh - 1) as f32;
    // Column taps are the same for every row.
    let cols: Vec<(usize, usize, f32)> = (0..out_w)
        .map(|x| {
            let fx = (src.x + (x as f32 + 0.5) * sx - 0.5).clamp(0.0, max_x);
            let x0 = fx.floor() as usize;
            (x0, (x0 + 1).min(fw - 1), fx - x0 as f32)
        })
        .collect();
    let mean: [f32; 3] = [norm[0].0, norm[1].0, norm[2].0];
    let inv: [f32; 3] = [
        1.0 / (255.0 * norm[0].1),
        1.0 / (255.0 * norm[1].1),
        1.0 / (255.0 * norm[2].1),
    ];
    let bias: [f32; 3] = [
        mean[0] / norm[0].1,
        mean[1] / norm[1].1,
        mean[2] / norm[2].1,
    ];
    for y in 0..out_h.min(plane_h) {
        let fy = (src.y + (y as f32 + 0.5) * sy - 0.5).clamp(0.0, max_y);
        let y0 = fy.floor() as usize;
        let y1 = (y0 + 1).min(fh - 1);
        let wy = fy - y0 as f32;
        let r0 = &rgba[y0 * fw * 4..(y0 + 1) * fw * 4];
        let r1 = &rgba[y1 * fw * 4..(y1 + 1) * fw * 4];
        for (x, &(x0, x1, wx)) in cols.iter().enumerate().take(plane_w) {
            for c in 0..3 {
                // Output channel c is BGR: source channel 2 - c.
                let s = 2 - c;
                let a = f32::from(r0[x0 * 4 + s]) * (1.0 - wx) + f32::from(r0[x1 * 4 + s]) * wx;
                let b = f32::from(r1[x0 * 4 + s]) * (1.0 - wx) + f32::from(r1[x1 * 4 + s]) * wx;
                let v = a * (1.0 - wy) + b * wy;
                out[c * plane + y * plane_w + x] = v * inv[c] - bias[c];
            }
        }
    }
}

/// A detected box in probability-map pixels, after unclipping: `[x0, x1] x [y0, y1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct DetBox {
    pub(crate) x0: f32,
    pub(crate) y0: f32,
    pub(crate) x1: f32,
    pub(crate) y1: f32,
    /// Mean probability inside the blob's bounding box.
    pub(crate) score: f32,
}

/// DB post-processing of a `width x height` probability map, looking only at the top-left
/// `valid` part (the rest is padding).
pub(crate) fn boxes_from_map(
    prob: &[f32],
    width: usize,
    height: usize,
    valid: (usize, usize),
    params: &DbParams,
) -> Vec<DetBox> {
    let (vw, vh) = (valid.0.min(width), valid.1.min(height));
    if vw == 0 || vh == 0 || prob.len() < width * height {
        return Vec::new();
    }
    // Threshold, then dilate with a 2x2 kernel (OpenCV's anchor: the pixel and its up/left
    // neighbours). One byte per pixel holds the three flags (a frame-sized buffer each was
    // 2 MiB apiece at 1920×1080).
    const TEXT: u8 = 1;
    const MASK: u8 = 2;
    const SEEN: u8 = 4;
    let mut flags = vec![0u8; vw * vh];
    for y in 0..vh {
        for x in 0..vw {
            if prob[y * width + x] > params.threshold {
                flags[y * vw + x] = TEXT;
            }
        }
    }
    for y in 0..vh {
        for x in 0..vw {
            let up = y.saturating_sub(1);
            let left = x.saturating_sub(1);
            let text = (flags[y * vw + x]
                | flags[y * vw + left]
                | flags[up * vw + x]
                | flags[up * vw + left])
                & TEXT;
            if text != 0 {
                flags[y * vw + x] |= MASK;
            }
        }
    }
    // 8-connected blobs and their bounding boxes.
    let mut stack = Vec::new();
    let mut out = Vec::new();
    for start in 0..vw * vh {
        if flags[start] & (MASK | SEEN) != MASK {
            continue;
        }
        flags[start] |= SEEN;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (vw, vh, 0usize, 0usize);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % vw, i / vw);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
            for ny in y.saturating_sub(1)..=(y + 1).min(vh - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(vw - 1) {
                    let j = ny * vw + nx;
                    if flags[j] & (MASK | SEEN) == MASK {
                        flags[j] |= SEEN;
                        stack.push(j);
                    }
                }
            }
        }
        if out.len() >= params.max_candidates {
            break;
        }
        // Sides as the min-area rectangle of the contour's pixel centres measures them.
        let (w, h) = ((x1 - x0) as f32, (y1 - y0) as f32);
        if w.min(h) < 3.0 {
            continue;
        }
        let mut sum = 0.0f64;
        for y in y0..=y1 {
            sum += prob[y * width + x0..=y * width + x1]
                .iter()
                .map(|&p| f64::from(p))
                .sum::<f64>();
        }
        let score = (sum / ((x1 - x0 + 1) * (y1 - y0 + 1)) as f64) as f32;
        if score < params.box_threshold {
            continue;
        }
        let d = w * h * params.unclip_ratio / (2.0 * (w + h));
        if (w + 2.0 * d).min(h + 2.0 * d) < 5.0 {
            continue;
        }
        out.push(DetBox {
            x0: x0 as f32 - d,
            y0: y0 as f32 - d,
            x1: x1 as f32 + d,
            y1: y1 as f32 + d,
            score,
        });
    }
    out
}

/// A box from the map of `region` (detected at `scale`) in frame pixels, clamped to the region;
/// `None` when nothing is left.
pub(crate) fn to_frame_rect(b: &DetBox, region: Rect, scale: f32) -> Option<Rect> {
    let clamp = |v: f32, max: u32| (v / scale).round().clamp(0.0, max as f32) as u32;
    let x0 = clamp(b.x0, region.width);
    let x1 = clamp(b.x1, region.width);
    let y0 = clamp(b.y0, region.height);
    let y1 = clamp(b.y1, region.height);
    // Paddle drops boxes of 3 pixels or less on a side once they are in frame pixels.
    if x1 <= x0 + 3 || y1 <= y0 + 3 {
        return None;
    }
    Some(Rect::new(region.x + x0, region.y + y0, x1 - x0, y1 - y0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_with(w: usize, h: usize, blobs: &[(usize, usize, usize, usize, f32)]) -> Vec<f32> {
        let mut m = vec![0.0; w * h];
        for &(x0, y0, x1, y1, p) in blobs {
            for y in y0..y1 {
                for x in x0..x1 {
                    m[y * w + x] = p;
                }
            }
        }
        m
    }

    #[test]
    fn one_blob_is_unclipped() {
        let (w, h) = (64, 32);
        let m = map_with(w, h, &[(10, 10, 41, 18, 0.9)]);
        let b = boxes_from_map(&m, w, h, (w, h), &DbParams::default());
        assert_eq!(b.len(), 1);
        // The dilated blob spans x 10..=41, y 10..=18: sides 31 x 8.
        let d = 31.0 * 8.0 * 1.6 / (2.0 * 39.0);
        let got = b[0];
        assert!((got.x0 - (10.0 - d)).abs() < 1e-4, "{got:?}");
        assert!((got.y1 - (18.0 + d)).abs() < 1e-4, "{got:?}");
        assert!(got.score > 0.7, "{got:?}");
    }

    #[test]
    fn weak_tiny_and_padding_blobs_are_dropped() {
        let (w, h) = (64, 64);
        let m = map_with(
            w,
            h,
            &[
                (5, 5, 30, 12, 0.4),   // above the pixel threshold, under the box threshold
                (40, 40, 42, 60, 0.9), // 2 (3 dilated) pixels wide
                (5, 50, 30, 58, 0.9),  // kept
                (5, 30, 30, 36, 0.9),  // only in the padding when valid height is 28
            ],
        );
        let b = boxes_from_map(&m, w, h, (w, h), &DbParams::default());
        assert_eq!(b.len(), 2, "{b:?}");
        let b = boxes_from_map(&m, w, h, (w, 28), &DbParams::default());
        assert_eq!(b.len(), 0, "{b:?}");
    }

    #[test]
    fn frame_rect_is_scaled_and_clamped() {
        let b = DetBox {
            x0: -3.0,
            y0: 4.0,
            x1: 50.0,
            y1: 20.0,
            score: 1.0,
        };
        let r = to_frame_rect(&b, Rect::new(100, 200, 40, 100), 2.0);
        assert_eq!(r, Some(Rect::new(100, 202, 25, 8)));
    }

    #[test]
    fn scale_only_for_small_and_huge_frames() {
        assert_eq!(det_scale(1280, 800), 1.0);
        assert_eq!(det_scale(1920, 1080), 1.0);
        assert_eq!(det_scale(2560, 1440), 1.0);
        assert_eq!(det_scale(800, 368), 2.0);
        assert_eq!(det_scale(3840, 2160), 2.0 / 3.0);
        assert_eq!(det_scale(2000, 400), 1.28);
    }

    fn check_cover(plan: &[Tile], height: usize, width: usize, max_pixels: usize) {
        let shape = (plan[0].rows.len, plan[0].cols.len);
        assert!(shape.0 * shape.1 <= max_pixels, "{plan:?}");
        let mut covered = vec![0u8; height * width];
        for t in plan {
            assert_eq!((t.rows.len, t.cols.len), shape, "one shape: {plan:?}");
            for (s, total) in [(t.rows, height), (t.cols, width)] {
                assert!(
                    s.input_start % STRIDE == 0 && s.input_start + s.len <= total,
                    "{s:?}"
                );
                assert!(s.keep_start == 0 || s.keep_start >= s.input_start + TILE_MARGIN);
                assert!(s.keep_end == total || s.keep_end + TILE_MARGIN <= s.input_start + s.len);
            }
            for y in t.rows.keep_start..t.rows.keep_end {
                for x in t.cols.keep_start..t.cols.keep_end {
                    covered[y * width + x] += 1;
                }
            }
        }
        assert!(
            covered.iter().all(|&c| c == 1),
            "every pixel kept once: {plan:?}"
        );
    }

    #[test]
    fn tiles_cover_the_input_once_with_margins_in_one_shape() {
        let budget = 1920 * 320;
        // 1920x1080: 2 x 2 tiles of 992 x 576 (1984 x 1152 pixels in all, where full-width
        // strips would take 1920 x 1280).
        let plan = |h, w, b| tiles(h, w, columns(h, w, b), b);
        let big = plan(1088, 1920, budget);
        assert_eq!(big.len(), 4, "{big:?}");
        assert_eq!((big[0].rows.len, big[0].cols.len), (576, 992));
        check_cover(&big, 1088, 1920, budget);
        // 1280x800: two columns of 672.
        let small = plan(800, 1280, budget);
        assert_eq!(small.len(), 2, "{small:?}");
        assert_eq!((small[0].rows.len, small[0].cols.len), (800, 672));
        check_cover(&small, 800, 1280, budget);
        check_cover(&plan(1440, 2560, budget), 1440, 2560, budget);
        check_cover(&plan(768, 1376, budget), 768, 1376, budget);
        // A band across a 1280x800 frame is cut into the frame's two columns.
        let band = tiles(128, 1280, columns(800, 1280, budget), budget);
        assert_eq!(band.len(), 2, "{band:?}");
        assert_eq!(band[0].cols, small[0].cols);
        check_cover(&band, 128, 1280, budget);
        // Small enough, or no budget: one tile, the whole input.
        for (h, w, b) in [(128, 1920, budget), (1088, 1920, 0)] {
            let one = plan(h, w, b);
            assert_eq!(one.len(), 1);
            assert_eq!((one[0].rows.len, one[0].cols.len), (h, w));
        }
        // A budget too small for any grid still covers the input, in the smallest tiles.
        let tiny = plan(320, 640, 1);
        assert!(
            tiny.iter().all(|t| (t.rows.len, t.cols.len) == (96, 96)),
            "{tiny:?}"
        );
        check_cover(&tiny, 320, 640, 96 * 96);
    }

    #[test]
    fn a_tile_of_the_input_equals_the_same_part_of_the_whole() {
        let (w, h) = (50u32, 70u32);
        let px: Vec<u8> = (0..w * h * 4).map(|i| (i * 37 % 251) as u8).collect();
        let f = Frame::from_rgba(w, h, px).unwrap();
        for (region, scale) in [
            (Rect::new(3, 5, 40, 60), 1.0),
            (Rect::new(0, 0, 50, 70), 1.7),
        ] {
            let whole = prepare(&f, region, scale);
            let g = DetGeometry::of(region, scale);
            let (wp, hp) = (g.width, g.height);
            let span = |start, len| Span {
                input_start: start,
                len,
                keep_start: start,
                keep_end: start + len,
            };
            // The second block of rows, all columns but the first block.
            let tile = Tile {
                rows: span(STRIDE, STRIDE),
                cols: span(STRIDE, wp - STRIDE),
            };
            let mut part = Vec::new();
            prepare_tile(&f, region, scale, &g, &tile, &mut part);
            let tw = wp - STRIDE;
            for c in 0..3 {
                for y in 0..STRIDE {
                    for x in 0..tw {
                        let a = whole.data[c * wp * hp + (STRIDE + y) * wp + STRIDE + x];
                        let b = part[c * tw * STRIDE + y * tw + x];
                        assert!((a - b).abs() < 1e-5, "c{c} y{y} x{x}: {a} {b}");
                    }
                }
            }
        }
    }

    #[test]
    fn input_is_padded_bgr() {
        let mut px = vec![0u8; 40 * 10 * 4];
        for p in px.chunks_exact_mut(4) {
            p.copy_from_slice(&[255, 0, 0, 255]); // red
        }
        let f = Frame::from_rgba(40, 10, px).unwrap();
        let input = prepare(&f, Rect::new(0, 0, 40, 10), 1.0);
        assert_eq!((input.width, input.height, input.valid), (64, 32, (40, 10)));
        let plane = 64 * 32;
        assert_eq!(input.data[0], -1.0); // blue
        assert_eq!(input.data[2 * plane], 1.0); // red
        assert_eq!(input.data[2 * plane + 40], 0.0); // padding
        // Scaled: the same colours, resampled.
        let input = prepare(&f, Rect::new(0, 0, 40, 10), 2.0);
        assert_eq!((input.width, input.height, input.valid), (96, 32, (80, 20)));
        assert!((input.data[2 * 96 * 32 + 79] - 1.0).abs() < 1e-6);
    }
}
