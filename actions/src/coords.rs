//! Model coordinate spaces → screen pixels, and back.
//!
//! A model never sees the screen itself: it sees a screenshot, often scaled,
//! and answers in that screenshot's pixels or in a relative 0–1000 range.
//! Every coordinate it names must be mapped back to a screen [`Point`]
//! before an action is performed. [`ModelSpace`] names the space a model
//! answers in; one function per space does each conversion.
//!
//! All conversions into screen pixels round to the nearest pixel and clamp
//! into the screen, so a model answering at the very edge (`1000`, or the
//! screenshot's width) still lands on the last pixel.
//!
//! | space | model `x` → screen `x` | screenshot the model sees |
//! |---|---|---|
//! | [`Screen`](ModelSpace::Screen) | `x` | the screen |
//! | [`Scaled`](ModelSpace::Scaled) `{w, h}` | `x · W / w` | `w × h` |
//! | [`Relative1000`](ModelSpace::Relative1000) | `x / 1000 · W` | the screen |
//! | [`Relative999`](ModelSpace::Relative999) | `x / 999 · (W − 1)` | the screen |
//! | [`SmartResize`](ModelSpace::SmartResize) | `x · W / w` with `w × h` = [`smart_resize`] | `w × h` |
//!
//! (`W` is the screen width; `y` maps the same way with heights.)
//!
//! ```
//! use deskhand_actions::{ModelSpace, Point, Size};
//! let screen = Size::new(1920, 1080);
//! assert_eq!(ModelSpace::Relative1000.to_screen(500.0, 500.0, screen), Point::new(960, 540));
//! let anthropic = ModelSpace::Scaled { width: 1366, height: 768 };
//! assert_eq!(anthropic.to_screen(683.0, 384.0, screen), Point::new(960, 540));
//! ```

use serde::{Deserialize, Serialize};

use crate::point::{Point, Size};

/// `factor` of UI-TARS-1.5 and Qwen2.5-VL's [`smart_resize`]: 28 pixels.
pub const SMART_RESIZE_FACTOR: u32 = 28;
/// UI-TARS-1.5's smallest image: 100 · 28² pixels.
pub const UI_TARS_MIN_PIXELS: u64 = 100 * 28 * 28;
/// UI-TARS-1.5's largest image: 16384 · 28² pixels.
pub const UI_TARS_MAX_PIXELS: u64 = 16384 * 28 * 28;

/// The coordinate space a model answers in.
///
/// Serializes as `{"type": "scaled", "width": 1366, "height": 768}`,
/// `{"type": "relative1000"}`, `{"type": "smart_resize", "factor": 28,
/// "min_pixels": 78400, "max_pixels": 12845056}`, ….
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelSpace {
    /// Screen pixels: the model saw the screenshot at full size.
    Screen,
    /// Pixels of a screenshot scaled to `width × height` (Anthropic's
    /// scaled targets, OpenAI's declared display).
    Scaled {
        /// Width of the screenshot the model saw.
        width: u32,
        /// Height of the screenshot the model saw.
        height: u32,
    },
    /// 0–1000 relative coordinates: `1000` is the right or bottom edge
    /// (UI-TARS 1.0, Qwen3-VL).
    #[serde(rename = "relative1000")]
    Relative1000,
    /// 0–999 relative coordinates: `0` is the first pixel and `999` the
    /// last (CogAgent-style models).
    #[serde(rename = "relative999")]
    Relative999,
    /// Pixels of the image after Qwen's [`smart_resize`] (UI-TARS-1.5,
    /// Qwen2.5-VL).
    SmartResize {
        /// Both sides are rounded to multiples of this (28).
        factor: u32,
        /// The image is scaled up to at least this many pixels.
        min_pixels: u64,
        /// The image is scaled down to at most this many pixels.
        max_pixels: u64,
    },
}

impl ModelSpace {
    /// UI-TARS-1.5's space: smart-resize with factor 28 and between
    /// 100·28² and 16384·28² pixels.
    pub const UI_TARS_1_5: ModelSpace = ModelSpace::SmartResize {
        factor: SMART_RESIZE_FACTOR,
        min_pixels: UI_TARS_MIN_PIXELS,
        max_pixels: UI_TARS_MAX_PIXELS,
    };

    /// This space with smart-resize images of at most `max_pixels` pixels (other spaces are
    /// returned as they are). The model's coordinates follow the image it is shown, so a
    /// smaller image is still mapped back exactly.
    pub fn with_max_pixels(self, max: u64) -> ModelSpace {
        match self {
            ModelSpace::SmartResize {
                factor,
                min_pixels,
                max_pixels,
            } => ModelSpace::SmartResize {
                factor,
                min_pixels,
                max_pixels: max_pixels.min(max.max(min_pixels)),
            },
            other => other,
        }
    }

    /// Converts a model coordinate to the screen pixel it names: rounded to
    /// the nearest pixel and clamped into the screen.
    pub fn to_screen(&self, x: f64, y: f64, screen: Size) -> Point {
        match *self {
            ModelSpace::Screen => screen_to_screen(x, y, screen),
            ModelSpace::Scaled { width, height } => {
                scaled_to_screen(x, y, Size::new(width, height), screen)
            }
            ModelSpace::Relative1000 => relative1000_to_screen(x, y, screen),
            ModelSpace::Relative999 => relative999_to_screen(x, y, screen),
            ModelSpace::SmartResize { .. } => {
                scaled_to_screen(x, y, self.image_size(screen), screen)
            }
        }
    }

    /// Converts a screen pixel to this space, unrounded (the inverse of
    /// [`to_screen`](Self::to_screen) up to rounding).
    pub fn from_screen(&self, p: Point, screen: Size) -> (f64, f64) {
        match *self {
            ModelSpace::Screen => (f64::from(p.x), f64::from(p.y)),
            ModelSpace::Scaled { width, height } => {
                screen_to_scaled(p, Size::new(width, height), screen)
            }
            ModelSpace::Relative1000 => screen_to_relative1000(p, screen),
            ModelSpace::Relative999 => screen_to_relative999(p, screen),
            ModelSpace::SmartResize { .. } => screen_to_scaled(p, self.image_size(screen), screen),
        }
    }

    /// The size of the screenshot the model sees in this space: the screen
    /// for `Screen` and the relative spaces, `width × height` for `Scaled`,
    /// [`smart_resize`] of the screen for `SmartResize`.
    pub fn image_size(&self, screen: Size) -> Size {
        match *self {
            ModelSpace::Screen | ModelSpace::Relative1000 | ModelSpace::Relative999 => screen,
            ModelSpace::Scaled { width, height } => Size::new(width, height),
            ModelSpace::SmartResize {
                factor,
                min_pixels,
                max_pixels,
            } => smart_resize(screen, factor, min_pixels, max_pixels),
        }
    }
}

/// Rounds to the nearest pixel and clamps into the screen.
fn clamp_to_screen(x: f64, y: f64, screen: Size) -> Point {
    let clamp = |v: f64, len: u32| -> i32 {
        let max = f64::from(len.saturating_sub(1));
        let v = v.round();
        if v.is_nan() || v <= 0.0 {
            0
        } else if v >= max {
            max as i32
        } else {
            v as i32
        }
    };
    Point::new(clamp(x, screen.width), clamp(y, screen.height))
}

/// A length that can divide: zero counts as one.
fn len(v: u32) -> f64 {
    f64::from(v.max(1))
}

/// Screen pixels given by a model: only rounded and clamped.
pub fn screen_to_screen(x: f64, y: f64, screen: Size) -> Point {
    clamp_to_screen(x, y, screen)
}

/// Pixels of a screenshot scaled to `image` → screen pixels: `x · W / w`.
pub fn scaled_to_screen(x: f64, y: f64, image: Size, screen: Size) -> Point {
    clamp_to_screen(
        x * len(screen.width) / len(image.width),
        y * len(screen.height) / len(image.height),
        screen,
    )
}

/// Screen pixels → pixels of a screenshot scaled to `image`: `x · w / W`.
pub fn screen_to_scaled(p: Point, image: Size, screen: Size) -> (f64, f64) {
    (
        f64::from(p.x) * len(image.width) / len(screen.width),
        f64::from(p.y) * len(image.height) / len(screen.height),
    )
}

/// 0–1000 relative → screen pixels: `x / 1000 · W`.
pub fn relative1000_to_screen(x: f64, y: f64, screen: Size) -> Point {
    clamp_to_screen(
        x / 1000.0 * f64::from(screen.width),
        y / 1000.0 * f64::from(screen.height),
        screen,
    )
}

/// Screen pixels → 0–1000 relative: `x · 1000 / W`.
pub fn screen_to_relative1000(p: Point, screen: Size) -> (f64, f64) {
    (
        f64::from(p.x) * 1000.0 / len(screen.width),
        f64::from(p.y) * 1000.0 / len(screen.height),
    )
}

/// 0–999 relative → screen pixels: `x / 999 · (W − 1)`, so 0 is the first
/// pixel and 999 the last.
pub fn relative999_to_screen(x: f64, y: f64, screen: Size) -> Point {
    clamp_to_screen(
        x / 999.0 * f64::from(screen.width.saturating_sub(1)),
        y / 999.0 * f64::from(screen.height.saturating_sub(1)),
        screen,
    )
}

/// Screen pixels → 0–999 relative: `x · 999 / (W − 1)`.
pub fn screen_to_relative999(p: Point, screen: Size) -> (f64, f64) {
    (
        f64::from(p.x) * 999.0 / len(screen.width.saturating_sub(1)),
        f64::from(p.y) * 999.0 / len(screen.height.saturating_sub(1)),
    )
}

/// Qwen2.5-VL / UI-TARS-1.5 `smart_resize`, exactly as `qwen_vl_utils` does
/// it: round each side to the nearest multiple of `factor` (ties to even, as
/// Python's `round`), at least `factor`; if that has more than `max_pixels`
/// pixels, scale both sides by `sqrt(h·w / max_pixels)` and floor them to
/// multiples of `factor`; if fewer than `min_pixels`, scale by
/// `sqrt(min_pixels / (h·w))` and ceil them.
///
/// Python refuses aspect ratios above 200; this computes a size anyway.
/// A `factor` of 0 counts as 1.
///
/// ```
/// use deskhand_actions::{smart_resize, Size};
/// let s = smart_resize(Size::new(1920, 1080), 28, 100 * 28 * 28, 16384 * 28 * 28);
/// assert_eq!(s, Size::new(1932, 1092));
/// ```
pub fn smart_resize(screen: Size, factor: u32, min_pixels: u64, max_pixels: u64) -> Size {
    let factor = f64::from(factor.max(1));
    let height = f64::from(screen.height);
    let width = f64::from(screen.width);
    let round_by_factor = |v: f64| (v / factor).round_ties_even() * factor;
    let floor_by_factor = |v: f64| (v / factor).floor() * factor;
    let ceil_by_factor = |v: f64| (v / factor).ceil() * factor;

    let mut h_bar = factor.max(round_by_factor(height));
    let mut w_bar = factor.max(round_by_factor(width));
    if h_bar * w_bar > max_pixels as f64 {
        let beta = ((height * width) / max_pixels.max(1) as f64).sqrt();
        h_bar = factor.max(floor_by_factor(height / beta));
        w_bar = factor.max(floor_by_factor(width / beta));
    } else if h_bar * w_bar < min_pixels as f64 {
        let beta = (min_pixels as f64 / (height * width).max(1.0)).sqrt();
        h_bar = ceil_by_factor(height * beta);
        w_bar = ceil_by_factor(width * beta);
    }
    Size::new(w_bar as u32, h_bar as u32)
}

/// Anthropic's scaling targets: XGA, WXGA, FWXGA.
const ANTHROPIC_TARGETS: [Size; 3] = [
    Size::new(1024, 768),
    Size::new(1280, 800),
    Size::new(1366, 768),
];
/// The API downscales images whose long edge is longer than this.
const ANTHROPIC_MAX_EDGE: u32 = 1568;
/// The API downscales images with more pixels than this.
const ANTHROPIC_MAX_PIXELS: u64 = 1_150_000;

/// The long edge deskhand scales screenshots to by default (XGA's width): the size Anthropic
/// recommends for computer use, and where a model's clicks are still within a pixel or two.
pub const DEFAULT_LONG_EDGE: u32 = 1024;

/// `size` scaled down, keeping its aspect ratio, so that its long edge is at most `long_edge`.
/// Never upscales; `long_edge` 0 means no limit.
///
/// ```
/// use deskhand_actions::{fit_long_edge, Size};
/// assert_eq!(fit_long_edge(Size::new(1280, 800), 1024), Size::new(1024, 640));
/// assert_eq!(fit_long_edge(Size::new(1920, 1080), 1024), Size::new(1024, 576));
/// assert_eq!(fit_long_edge(Size::new(800, 600), 1024), Size::new(800, 600));
/// ```
pub fn fit_long_edge(size: Size, long_edge: u32) -> Size {
    let long = size.width.max(size.height);
    if long_edge == 0 || long <= long_edge {
        return size;
    }
    let scale = f64::from(long_edge) / f64::from(long);
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).clamp(1, long_edge);
    Size::new(side(size.width), side(size.height))
}

/// The screenshot size to send to Anthropic's `computer` tool for a screen.
///
/// As the reference demo does: among 1024×768, 1280×800 and 1366×768 pick
/// the one whose aspect ratio is within 0.02 of the screen's and which is
/// smaller than the screen. If none fits, scale the screen down, keeping
/// its aspect, so the long edge is at most 1568 and the area at most
/// 1 150 000 pixels (above either, the API downscales the image itself and
/// the model's coordinates land short). Never upscales.
///
/// ```
/// use deskhand_actions::{anthropic_target, Size};
/// assert_eq!(anthropic_target(Size::new(1920, 1080)), Size::new(1366, 768));
/// assert_eq!(anthropic_target(Size::new(1280, 800)), Size::new(1280, 800));
/// ```
pub fn anthropic_target(screen: Size) -> Size {
    if screen.width == 0 || screen.height == 0 {
        return screen;
    }
    let ratio = f64::from(screen.width) / f64::from(screen.height);
    for target in ANTHROPIC_TARGETS {
        let target_ratio = f64::from(target.width) / f64::from(target.height);
        if (target_ratio - ratio).abs() < 0.02
            && target.width < screen.width
            && target.height <= screen.height
        {
            return target;
        }
    }
    let long = screen.width.max(screen.height);
    let scale = 1.0_f64
        .min(f64::from(ANTHROPIC_MAX_EDGE) / f64::from(long))
        .min((ANTHROPIC_MAX_PIXELS as f64 / screen.pixels() as f64).sqrt());
    if scale >= 1.0 {
        return screen;
    }
    // A hair of slack so that an exact 1568 is not floored to 1567.
    let side = |v: u32| ((f64::from(v) * scale + 1e-6).floor() as u32).clamp(1, v);
    let mut out = Size::new(side(screen.width), side(screen.height));
    out.width = out.width.min(ANTHROPIC_MAX_EDGE);
    out.height = out.height.min(ANTHROPIC_MAX_EDGE);
    while out.pixels() > ANTHROPIC_MAX_PIXELS && out.width > 1 && out.height > 1 {
        out = Size::new(out.width - 1, out.height - 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREENS: [Size; 5] = [
        Size::new(1366, 768),
        Size::new(1920, 1080),
        Size::new(2560, 1440),
        Size::new(3840, 2160),
        Size::new(1280, 800),
    ];

    fn spaces(screen: Size) -> Vec<ModelSpace> {
        let target = anthropic_target(screen);
        vec![
            ModelSpace::Screen,
            ModelSpace::Scaled {
                width: target.width,
                height: target.height,
            },
            ModelSpace::Scaled {
                width: 1024,
                height: 768,
            },
            ModelSpace::Relative1000,
            ModelSpace::Relative999,
            ModelSpace::UI_TARS_1_5,
            ModelSpace::SmartResize {
                factor: 28,
                min_pixels: 56 * 56,
                max_pixels: 28 * 28 * 1280,
            },
        ]
    }

    fn sample_points(screen: Size) -> Vec<Point> {
        let (w, h) = (screen.width as i32, screen.height as i32);
        let mut points = vec![
            Point::new(0, 0),
            Point::new(w - 1, 0),
            Point::new(0, h - 1),
            Point::new(w - 1, h - 1),
            Point::new(w / 2, h / 2),
        ];
        // A deterministic scatter over the screen.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let x = ((seed >> 33) % screen.width as u64) as i32;
            let y = ((seed >> 13) % screen.height as u64) as i32;
            points.push(Point::new(x, y));
        }
        points
    }

    #[test]
    fn screen_points_round_trip_within_one_pixel() {
        for screen in SCREENS {
            for space in spaces(screen) {
                for p in sample_points(screen) {
                    let (mx, my) = space.from_screen(p, screen);
                    let back = space.to_screen(mx, my, screen);
                    assert!(
                        (back.x - p.x).abs() <= 1 && (back.y - p.y).abs() <= 1,
                        "{space:?} on {screen}: {p} -> ({mx}, {my}) -> {back}"
                    );
                }
            }
        }
    }

    #[test]
    fn model_points_round_trip_within_one_screen_pixel() {
        for screen in SCREENS {
            for space in spaces(screen) {
                let image = space.image_size(screen);
                let (max_x, max_y) = match space {
                    ModelSpace::Relative1000 => (1000.0, 1000.0),
                    ModelSpace::Relative999 => (999.0, 999.0),
                    _ => (f64::from(image.width - 1), f64::from(image.height - 1)),
                };
                for i in 0..=50 {
                    let (mx, my) = (
                        max_x * f64::from(i) / 50.0,
                        max_y * f64::from(50 - i) / 50.0,
                    );
                    let p = space.to_screen(mx, my, screen);
                    let (bx, by) = space.from_screen(p, screen);
                    // Back in the model's space, off by at most one screen pixel's worth.
                    let unit = space.from_screen(Point::new(1, 1), screen);
                    let zero = space.from_screen(Point::new(0, 0), screen);
                    let (ux, uy) = (unit.0 - zero.0, unit.1 - zero.1);
                    assert!(
                        (bx - mx).abs() <= ux + 1e-9 && (by - my).abs() <= uy + 1e-9,
                        "{space:?} on {screen}: ({mx}, {my}) -> {p} -> ({bx}, {by})"
                    );
                }
            }
        }
    }

    #[test]
    fn corners_map_into_the_screen() {
        for screen in SCREENS {
            let last = Point::new(screen.width as i32 - 1, screen.height as i32 - 1);
            for space in spaces(screen) {
                let image = space.image_size(screen);
                let far = match space {
                    ModelSpace::Relative1000 => (1000.0, 1000.0),
                    ModelSpace::Relative999 => (999.0, 999.0),
                    _ => (f64::from(image.width), f64::from(image.height)),
                };
                assert_eq!(space.to_screen(0.0, 0.0, screen), Point::new(0, 0));
                assert_eq!(space.to_screen(far.0, far.1, screen), last, "{space:?}");
                assert_eq!(space.to_screen(-5.0, 1e9, screen), Point::new(0, last.y));
                assert_eq!(
                    space.to_screen(f64::NAN, f64::INFINITY, screen),
                    Point::new(0, last.y)
                );
                for p in sample_points(screen) {
                    let (mx, my) = space.from_screen(p, screen);
                    assert!(screen.contains(space.to_screen(mx, my, screen)));
                }
            }
        }
    }

    #[test]
    fn known_values() {
        let fhd = Size::new(1920, 1080);
        assert_eq!(
            ModelSpace::Relative1000.to_screen(500.0, 500.0, fhd),
            Point::new(960, 540)
        );
        assert_eq!(
            ModelSpace::Relative1000.to_screen(250.0, 750.0, fhd),
            Point::new(480, 810)
        );
        assert_eq!(
            ModelSpace::Relative999.to_screen(999.0, 999.0, fhd),
            Point::new(1919, 1079)
        );
        assert_eq!(
            ModelSpace::Relative999.to_screen(0.0, 0.0, fhd),
            Point::new(0, 0)
        );
        assert_eq!(
            ModelSpace::Screen.to_screen(10.4, 10.6, fhd),
            Point::new(10, 11)
        );
        let xga = ModelSpace::Scaled {
            width: 1366,
            height: 768,
        };
        assert_eq!(xga.to_screen(683.0, 384.0, fhd), Point::new(960, 540));
        assert_eq!(
            xga.to_screen(100.0, 100.0, Size::new(2560, 1440)),
            Point::new(187, 188)
        );
        assert_eq!(xga.from_screen(Point::new(960, 540), fhd), (683.0, 384.0));
        // UI-TARS-1.5 on 1920x1080 sees 1932x1092.
        let tars = ModelSpace::UI_TARS_1_5;
        assert_eq!(tars.image_size(fhd), Size::new(1932, 1092));
        assert_eq!(tars.to_screen(966.0, 546.0, fhd), Point::new(960, 540));
        assert_eq!(
            ModelSpace::Relative1000.to_screen(500.0, 500.0, Size::new(3840, 2160)),
            Point::new(1920, 1080)
        );
        assert_eq!(
            ModelSpace::Relative1000.from_screen(Point::new(683, 384), Size::new(1366, 768)),
            (500.0, 500.0)
        );
    }

    #[test]
    fn smart_resize_matches_qwen() {
        let tars = |w, h| smart_resize(Size::new(w, h), 28, UI_TARS_MIN_PIXELS, UI_TARS_MAX_PIXELS);
        assert_eq!(tars(1920, 1080), Size::new(1932, 1092));
        assert_eq!(tars(1366, 768), Size::new(1372, 756));
        assert_eq!(tars(2560, 1440), Size::new(2548, 1428));
        assert_eq!(tars(3840, 2160), Size::new(3836, 2156));
        assert_eq!(tars(1280, 800), Size::new(1288, 812));
        // Qwen2.5-VL's processor limit: scaled down and floored.
        let qwen = |w, h| smart_resize(Size::new(w, h), 28, 56 * 56, 28 * 28 * 1280);
        assert_eq!(qwen(1920, 1080), Size::new(1316, 728));
        assert_eq!(qwen(3840, 2160), Size::new(1316, 728));
        // Tiny images are scaled up and ceiled.
        assert_eq!(tars(100, 50), Size::new(420, 224));
        // Ties round to even, as Python's round does: 42 / 28 = 1.5 -> 2, 70 / 28 = 2.5 -> 2.
        assert_eq!(
            smart_resize(Size::new(42, 70), 28, 0, u64::MAX),
            Size::new(56, 56)
        );
        for s in SCREENS {
            let r = tars(s.width, s.height);
            assert_eq!(r.width % 28, 0);
            assert_eq!(r.height % 28, 0);
            assert!(r.pixels() <= UI_TARS_MAX_PIXELS && r.pixels() >= UI_TARS_MIN_PIXELS);
        }
    }

    #[test]
    fn anthropic_targets() {
        let t = |w, h| anthropic_target(Size::new(w, h));
        assert_eq!(t(1920, 1080), Size::new(1366, 768));
        assert_eq!(t(2560, 1440), Size::new(1366, 768));
        assert_eq!(t(3840, 2160), Size::new(1366, 768));
        assert_eq!(t(2560, 1600), Size::new(1280, 800));
        assert_eq!(t(1920, 1200), Size::new(1280, 800));
        assert_eq!(t(1600, 1200), Size::new(1024, 768));
        // Not smaller than the screen: keep the screen (it is within the limits).
        assert_eq!(t(1280, 800), Size::new(1280, 800));
        assert_eq!(t(1366, 768), Size::new(1366, 768));
        assert_eq!(t(1024, 768), Size::new(1024, 768));
        assert_eq!(t(800, 600), Size::new(800, 600));
        // No target fits: scale down into 1568 px and 1.15 MP, keeping aspect.
        assert_eq!(t(3440, 1440), Size::new(1568, 656));
        let tall = t(1080, 1920);
        assert!(tall.height <= 1568 && tall.pixels() <= 1_150_000, "{tall}");
        assert!(tall.width < 1080);
        let square = t(2000, 2000);
        assert_eq!(square, Size::new(1072, 1072));
    }

    #[test]
    fn model_space_json() {
        let s: ModelSpace =
            serde_json::from_str(r#"{"type":"scaled","width":1366,"height":768}"#).unwrap();
        assert_eq!(
            s,
            ModelSpace::Scaled {
                width: 1366,
                height: 768
            }
        );
        assert_eq!(
            serde_json::to_string(&ModelSpace::Relative1000).unwrap(),
            r#"{"type":"relative1000"}"#
        );
        let tars = serde_json::to_string(&ModelSpace::UI_TARS_1_5).unwrap();
        assert_eq!(
            tars,
            r#"{"type":"smart_resize","factor":28,"min_pixels":78400,"max_pixels":12845056}"#
        );
        assert_eq!(
            serde_json::from_str::<ModelSpace>(&tars).unwrap(),
            ModelSpace::UI_TARS_1_5
        );
    }
}
