//! Finding a recorded patch of the screen again: the template matching replay uses to re-ground a
//! click when the thing clicked has moved (a window opened elsewhere, another screen size).
//!
//! UI pixels do not change scale when a window moves or the screen grows, so the patch is searched
//! at 1:1 by the mean absolute difference of grey levels: first on a 4× reduced copy of both
//! images to find candidates, then at full resolution around each. A match must be close
//! ([`Patch::locate`]'s `max_mad`) and unambiguous: a second, distinct place almost as good makes
//! the result [`Located::ambiguous`], and the caller should not click on a guess.

use crate::{Frame, Rect};

/// The reduction of the coarse search.
const COARSE: u32 = 4;
/// Coarse candidates refined at full resolution, at distinct places.
const CANDIDATES: usize = 12;
/// Coarse places kept while scanning, before the distinct ones are picked.
const POOL: usize = 256;
/// A patch whose grey levels vary less than this (standard deviation) is too plain to find.
const MIN_DETAIL: f64 = 10.0;

/// A grey-level image.
#[derive(Debug, Clone)]
struct Gray {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Gray {
    fn of(frame: &Frame, r: Rect) -> Gray {
        let mut px = Vec::with_capacity((r.width * r.height) as usize);
        for y in r.y..r.y + r.height {
            if let Some(row) = frame.row(y) {
                let row = &row[(r.x * 4) as usize..((r.x + r.width) * 4) as usize];
                px.extend(row.chunks_exact(4).map(|p| {
                    ((u32::from(p[0]) * 77 + u32::from(p[1]) * 150 + u32::from(p[2]) * 29) >> 8)
                        as u8
                }));
            }
        }
        Gray {
            w: r.width,
            h: r.height,
            px,
        }
    }

    /// Box-averaged by `k` in both directions (the remainder is dropped).
    fn reduce(&self, k: u32) -> Gray {
        let (w, h) = (self.w / k, self.h / k);
        let mut px = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            for x in 0..w {
                let mut sum = 0u32;
                for dy in 0..k {
                    let row = ((y * k + dy) * self.w + x * k) as usize;
                    sum += self.px[row..row + k as usize]
                        .iter()
                        .map(|&v| u32::from(v))
                        .sum::<u32>();
                }
                px.push((sum / (k * k)) as u8);
            }
        }
        Gray { w, h, px }
    }

    fn std_dev(&self) -> f64 {
        if self.px.is_empty() {
            return 0.0;
        }
        let n = self.px.len() as f64;
        let mean = self.px.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = self
            .px
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        var.sqrt()
    }

    /// Sum of absolute differences of `needle` placed at `(x, y)`, giving up past `limit`.
    fn sad(&self, needle: &Gray, x: u32, y: u32, limit: u64) -> u64 {
        let mut sum = 0u64;
        for ny in 0..needle.h {
            let h = ((y + ny) * self.w + x) as usize;
            let n = (ny * needle.w) as usize;
            let a = &self.px[h..h + needle.w as usize];
            let b = &needle.px[n..n + needle.w as usize];
            sum += a
                .iter()
                .zip(b)
                .map(|(&p, &q)| u64::from(p.abs_diff(q)))
                .sum::<u64>();
            if sum > limit {
                return sum;
            }
        }
        sum
    }
}

/// The best places, skipping any closer than `apart` to a better one already taken.
fn distinct(sorted: &[(u64, u32, u32)], apart: u32) -> Vec<(u64, u32, u32)> {
    let mut out: Vec<(u64, u32, u32)> = Vec::new();
    for &c in sorted {
        if out
            .iter()
            .all(|o| o.1.abs_diff(c.1) >= apart || o.2.abs_diff(c.2) >= apart)
        {
            out.push(c);
            if out.len() == CANDIDATES {
                break;
            }
        }
    }
    out
}

/// A piece of a recorded frame around a point, to be found again in another frame.
#[derive(Debug, Clone)]
pub struct Patch {
    gray: Gray,
    /// Where the patch was cut from, in the recorded frame.
    pub rect: Rect,
    /// The point inside the patch the action aimed at, relative to the patch's corner.
    pub offset: (u32, u32),
    /// Too plain to be searched for (an empty area): it can only be confirmed in place.
    pub plain: bool,
}

/// Where a patch was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located {
    /// The point in the new frame that corresponds to the recorded point.
    pub x: u32,
    /// See `x`.
    pub y: u32,
    /// Mean absolute grey difference at the best place (0 = identical, 255 = inverse).
    pub mad: f64,
    /// The same for the best place that is not the best one (None when there is no other).
    pub runner_up: Option<f64>,
    /// Another place matched almost as well: the result is a guess.
    pub ambiguous: bool,
}

impl Patch {
    /// Cuts the smallest square patch around `(x, y)`, radius 24, 48 or 96 pixels, with enough
    /// detail to be recognised (clipped at the frame's edges); when even the largest is plain
    /// (an empty area), the largest, marked [`Patch::plain`]. `None` when the point is off the
    /// frame.
    pub fn around(frame: &Frame, x: u32, y: u32) -> Option<Patch> {
        if x >= frame.width() || y >= frame.height() {
            return None;
        }
        const RADII: [u32; 3] = [24, 48, 96];
        for (i, radius) in RADII.into_iter().enumerate() {
            let x0 = x.saturating_sub(radius);
            let y0 = y.saturating_sub(radius);
            let x1 = (x + radius + 1).min(frame.width());
            let y1 = (y + radius + 1).min(frame.height());
            let rect = Rect::new(x0, y0, x1 - x0, y1 - y0);
            let gray = Gray::of(frame, rect);
            let plain = gray.std_dev() < MIN_DETAIL;
            if !plain || i + 1 == RADII.len() {
                return Some(Patch {
                    gray,
                    rect,
                    offset: (x - x0, y - y0),
                    plain,
                });
            }
        }
        None
    }

    /// Mean absolute grey difference between the patch and `frame` at the patch's own place;
    /// `None` when that place is off `frame`.
    pub fn mad_in_place(&self, frame: &Frame) -> Option<f64> {
        let r = self.rect;
        if r.x + r.width > frame.width() || r.y + r.height > frame.height() {
            return None;
        }
        let here = Gray::of(frame, r);
        Some(here.sad(&self.gray, 0, 0, u64::MAX) as f64 / self.area())
    }

    fn area(&self) -> f64 {
        f64::from(self.gray.w * self.gray.h).max(1.0)
    }

    /// Searches all of `frame` for the patch. `None` when `frame` is smaller than the patch.
    pub fn locate(&self, frame: &Frame) -> Option<Located> {
        let hay = Gray::of(frame, Rect::new(0, 0, frame.width(), frame.height()));
        let (nw, nh) = (self.gray.w, self.gray.h);
        if hay.w < nw || hay.h < nh {
            return None;
        }
        // Coarse pass: every place on the reduced images, the best few kept.
        let small_hay = hay.reduce(COARSE);
        let small_needle = self.gray.reduce(COARSE);
        let mut coarse: Vec<(u64, u32, u32)> = Vec::new();
        if small_needle.w >= 2 && small_needle.h >= 2 {
            let mut worst_kept = u64::MAX;
            for y in 0..=small_hay.h.saturating_sub(small_needle.h) {
                for x in 0..=small_hay.w.saturating_sub(small_needle.w) {
                    let s = small_hay.sad(&small_needle, x, y, worst_kept);
                    if s < worst_kept {
                        coarse.push((s, x * COARSE, y * COARSE));
                        if coarse.len() > POOL * 4 {
                            coarse.sort_unstable();
                            coarse.truncate(POOL);
                            worst_kept = coarse.last().map_or(u64::MAX, |c| c.0);
                        }
                    }
                }
            }
            coarse.sort_unstable();
            coarse = distinct(&coarse, (nw.min(nh) / 3).max(COARSE * 2));
        } else {
            coarse.push((0, 0, 0));
        }
        // Fine pass around each candidate (a tiny patch is searched everywhere at full size).
        let reach = if coarse.len() == 1 && small_needle.w < 2 {
            hay.w.max(hay.h)
        } else {
            COARSE + 1
        };
        let mut fine: Vec<(u64, u32, u32)> = Vec::new();
        for &(_, cx, cy) in &coarse {
            let mut best = (u64::MAX, cx, cy);
            for y in cy.saturating_sub(reach)..=(cy + reach).min(hay.h - nh) {
                for x in cx.saturating_sub(reach)..=(cx + reach).min(hay.w - nw) {
                    let s = hay.sad(&self.gray, x, y, best.0);
                    if s < best.0 {
                        best = (s, x, y);
                    }
                }
            }
            fine.push(best);
        }
        fine.sort_unstable();
        let &(best, bx, by) = fine.first()?;
        // The runner-up must be a different place: at least a third of the patch away.
        let apart = (nw.min(nh) / 3).max(2);
        let runner_up = fine
            .iter()
            .find(|(_, x, y)| x.abs_diff(bx) >= apart || y.abs_diff(by) >= apart)
            .map(|(s, _, _)| *s as f64 / self.area());
        let mad = best as f64 / self.area();
        let ambiguous = runner_up.is_some_and(|r| r <= mad + 2.0 || r <= mad * 1.5);
        Some(Located {
            x: bx + self.offset.0,
            y: by + self.offset.1,
            mad,
            runner_up,
            ambiguous,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame with a few distinct shapes on a plain background, shifted by `(dx, dy)`.
    fn scene(w: u32, h: u32, dx: u32, dy: u32) -> Frame {
        let mut rgba = vec![230u8; (w * h * 4) as usize];
        let mut put = |x: u32, y: u32, v: u8| {
            if x < w && y < h {
                let i = ((y * w + x) * 4) as usize;
                rgba[i..i + 3].copy_from_slice(&[v, v / 2, 255 - v]);
            }
        };
        for y in 0..40 {
            for x in 0..90 {
                // A "button": a border and a pattern of "letters".
                let border = x == 0 || y == 0 || x == 89 || y == 39;
                let cell = (x / 3) * 7919 + (y / 4) * 104_729;
                let letter =
                    (cell ^ (cell >> 5)) % 3 == 0 && (10..80).contains(&x) && (12..28).contains(&y);
                if border || letter {
                    put(300 + dx + x, 200 + dy + y, if border { 40 } else { 10 });
                }
            }
        }
        for y in 0..20 {
            for x in 0..20 {
                put(100 + dx + x, 500 + dy + y, (x * 12) as u8);
            }
        }
        Frame::from_rgba(w, h, rgba).unwrap()
    }

    #[test]
    fn a_moved_patch_is_found_where_it_went() {
        let recorded = scene(1280, 800, 0, 0);
        let patch = Patch::around(&recorded, 340, 215).unwrap();
        let moved = scene(1280, 800, 200, 37);
        let found = patch.locate(&moved).unwrap();
        assert_eq!((found.x, found.y), (540, 252), "{found:?}");
        assert!(found.mad < 1.0 && !found.ambiguous, "{found:?}");
        // On a larger screen too.
        let bigger = scene(1920, 1080, 500, 300);
        let found = patch.locate(&bigger).unwrap();
        assert_eq!((found.x, found.y), (840, 515), "{found:?}");
    }

    #[test]
    fn in_place_is_cheap_to_confirm() {
        let recorded = scene(800, 600, 0, 0);
        let patch = Patch::around(&recorded, 340, 215).unwrap();
        assert_eq!(patch.mad_in_place(&recorded), Some(0.0));
        let moved = scene(800, 600, 30, 0);
        assert!(patch.mad_in_place(&moved).unwrap() > 5.0);
    }

    #[test]
    fn a_plain_area_gives_a_plain_patch_and_a_missing_one_matches_badly() {
        let recorded = scene(800, 600, 0, 0);
        assert!(Patch::around(&recorded, 700, 100).unwrap().plain);
        assert!(!Patch::around(&recorded, 340, 215).unwrap().plain);
        let patch = Patch::around(&recorded, 340, 215).unwrap();
        let empty = Frame::from_rgba(800, 600, vec![230u8; 800 * 600 * 4]).unwrap();
        let found = patch.locate(&empty).unwrap();
        assert!(found.mad > 5.0, "{found:?}");
    }

    #[test]
    fn two_copies_are_ambiguous() {
        let recorded = scene(800, 600, 0, 0);
        let patch = Patch::around(&recorded, 340, 215).unwrap();
        // The same scene twice, side by side.
        let a = scene(800, 600, 0, 0);
        let b = scene(800, 600, 380, 0);
        let both: Vec<u8> = a
            .rgba()
            .chunks_exact(4)
            .zip(b.rgba().chunks_exact(4))
            .flat_map(|(p, q)| if p[0] != 230 { p.to_vec() } else { q.to_vec() })
            .collect();
        let both = Frame::from_rgba(800, 600, both).unwrap();
        let found = patch.locate(&both).unwrap();
        assert!(found.ambiguous, "{found:?}");
    }
}
