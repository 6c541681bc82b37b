//! Image and GIMP metrics (`gimp.py`, and `compare_images` from `vlc.py`): pixels, sizes and
//! structural similarity as OSWorld measures them with Pillow, numpy and scikit-image.
//!
//! Images are decoded with the `image` crate ([`pic::Pic`]); similarity is scikit-image's
//! default SSIM ([`pic::ssim_plane`]) on PIL's RGB or `convert('L')` values. Where OSWorld
//! would resize with Pillow's resampling filters (images of different sizes in `compare_images`
//! and `compare_image_list`), the metric is [`MetricError::Unsupported`] rather than a guess.
//! A file that cannot be decoded scores 0 (OSWorld's `Image.open` raises).

#[path = "images_pic.rs"]
mod pic;

use super::{Got, MetricError, invalid, one_file, py, score_of};
use pic::{Mode, Pic, PicError};
use serde_json::{Map, Value};
use std::path::Path;

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &[
    "check_file_exists_and_structure_sim",
    "check_green_background",
    "check_image_file_size",
    "check_image_mirror",
    "check_image_size",
    "check_palette_and_structure_sim",
    "check_structure_sim",
    "check_textbox_on_leftside",
    "check_triangle_position",
    "compare_image_list",
    "compare_images",
];

/// Whether `options` fit metric `name` (one of [`NAMES`]), without reading anything.
pub(super) fn check_options(name: &str, options: &Map<String, Value>) -> Result<(), MetricError> {
    let allowed: &[&str] = match name {
        "compare_images" => &["reference_base_result"],
        _ => &[],
    };
    if let Some(key) = options.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(invalid(name, format!("unexpected option {key:?}")));
    }
    base_score(name, options).map(|_| ())
}

/// `compare_images`'s `reference_base_result`, a number or null.
fn base_score(name: &str, options: &Map<String, Value>) -> Result<Option<f64>, MetricError> {
    match options.get("reference_base_result") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::Bool(b)) => Ok(Some(f64::from(u8::from(*b)))),
        Some(other) => Err(invalid(
            name,
            format!("reference_base_result must be a number, got {other}"),
        )),
    }
}

/// Scores metric `name` (one of [`NAMES`]).
pub(super) fn score(
    name: &str,
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    check_options(name, options)?;
    match name {
        "compare_image_list" => return compare_image_list(name, result, expected),
        "check_image_size" => return check_image_size(name, result, expected),
        "check_image_file_size" => return check_image_file_size(name, result, expected),
        _ => {}
    }
    let Some(src) = one_file(name, "result", result)? else {
        return Ok(0.0);
    };
    let single = matches!(
        name,
        "check_triangle_position" | "check_textbox_on_leftside"
    );
    let tgt = if single {
        None
    } else {
        match one_file(name, "expected", expected)? {
            Some(t) => Some(t),
            None => return Ok(0.0),
        }
    };
    let opened = |p: &Path| -> Result<Option<Pic>, MetricError> {
        match Pic::open(p) {
            Ok(pic) => Ok(Some(pic)),
            Err(PicError::Unsupported(what)) => {
                Err(MetricError::Unsupported(format!("{name} on {what}")))
            }
            Err(_) => Ok(None),
        }
    };
    let Some(a) = opened(src)? else {
        return Ok(0.0);
    };
    let b = match tgt {
        Some(t) => match opened(t)? {
            Some(b) => Some(b),
            None => return Ok(0.0),
        },
        None => None,
    };
    let Some(b) = b else {
        return Ok(match name {
            "check_triangle_position" => score_of(triangle_in_middle(&a)),
            _ => score_of(textbox_on_left(&a)),
        });
    };
    Ok(match name {
        "compare_images" => return compare_images(name, &a, &b, base_score(name, options)?),
        "check_structure_sim" => score_of(a.w == b.w && a.h == b.h && similar(&a, &b, 0.9)),
        "check_file_exists_and_structure_sim" => score_of(similar(&a, &b, 0.9)),
        "check_image_mirror" => score_of(similar(&a.mirrored(), &b, 0.99)),
        "check_palette_and_structure_sim" => score_of(a.mode == Mode::P && similar(&a, &b, 0.9)),
        "check_green_background" => score_of(green_background(&a, &b)),
        _ => return Err(MetricError::Unsupported(name.to_owned())),
    })
}

/// OSWorld's `structure_check_by_ssim`: both at least 7 × 7, the same size, and an RGB SSIM of
/// at least `threshold`.
fn similar(a: &Pic, b: &Pic, threshold: f64) -> bool {
    if a.w < 7 || a.h < 7 || b.w < 7 || b.h < 7 || a.w != b.w || a.h != b.h {
        return false;
    }
    pic::ssim_rgb(a, b).is_some_and(|s| s >= threshold)
}

/// `compare_images` (vlc.py): the grey SSIM, rescaled above `reference_base_result` + 0.01.
fn compare_images(name: &str, a: &Pic, b: &Pic, base: Option<f64>) -> Result<f64, MetricError> {
    // new_size = min(image1.size, image2.size): tuples compare width first.
    let size = (a.w, a.h).min((b.w, b.h));
    if (a.w, a.h) != size || (b.w, b.h) != size {
        return Err(MetricError::Unsupported(format!(
            "{name} of images of different sizes (Pillow's LANCZOS resize)"
        )));
    }
    let Some(sim) = pic::ssim_plane(&a.gray(), &b.gray(), a.w, a.h) else {
        return Ok(0.0); // scikit-image raises on images under 7 × 7
    };
    Ok(match base {
        Some(base) if sim >= base + 0.01 => (sim - base) / (1.0 - base),
        Some(_) => 0.0,
        None => sim,
    })
}

/// The paths of a result or expected value of `compare_image_list`: a list, or one path.
fn path_list<'g>(name: &str, got: Option<&'g Got>) -> Result<Vec<Option<&'g Path>>, MetricError> {
    match got {
        Some(Got::Files(paths)) => Ok(paths.iter().map(|p| p.as_deref()).collect()),
        Some(Got::File(p)) => Ok(vec![p.as_deref()]),
        Some(other) => Err(invalid(
            name,
            format!("expected files, got {}", other.kind()),
        )),
        None => Err(invalid(name, "no getter")),
    }
}

/// `compare_image_list`: every pair identical after converting the prediction to the gold
/// image's mode (`ImageChops.difference(...).getbbox()`, which looks only at alpha when the
/// mode has one).
fn compare_image_list(
    name: &str,
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    let (preds, golds) = (path_list(name, result)?, path_list(name, expected)?);
    for (pred, gold) in preds.iter().zip(golds.iter()) {
        let (Some(pred), Some(gold)) = (pred, gold) else {
            return Ok(0.0);
        };
        let (Ok(p), Ok(g)) = (Pic::open(pred), Pic::open(gold)) else {
            return Ok(0.0);
        };
        if (p.w, p.h) != (g.w, g.h) {
            return Err(MetricError::Unsupported(format!(
                "{name} of images of different sizes (Pillow's LANCZOS resize)"
            )));
        }
        if g.mode == Mode::P {
            return Err(MetricError::Unsupported(format!(
                "{name} with a palette image as the gold one"
            )));
        }
        let n = p.w * p.h;
        let same = match g.mode {
            Mode::Rgba | Mode::La => (0..n).all(|i| p.rgba(i)[3] == g.rgba(i)[3]),
            Mode::L => p.gray() == g.gray(),
            _ => (0..n).all(|i| p.rgba(i)[..3] == g.rgba(i)[..3]),
        };
        if !same {
            return Ok(0.0);
        }
    }
    Ok(1.0)
}

/// The rule of `check_image_size` / `check_image_file_size`.
fn rule<'g>(name: &str, got: Option<&'g Got>) -> Result<&'g Map<String, Value>, MetricError> {
    match got {
        Some(Got::Json(Value::Object(rule))) => Ok(rule),
        _ => Err(invalid(name, "the expected value must be a rule object")),
    }
}

/// `check_image_size`: width and height (of the opaque part, when the image has transparency)
/// equal to the rule's (Python `==`, so `100.0` and `true` count as numbers).
fn check_image_size(
    name: &str,
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    let Some(src) = one_file(name, "result", result)? else {
        return Ok(0.0);
    };
    let rule = rule(name, expected)?;
    let Ok(img) = Pic::open(src) else {
        return Ok(0.0);
    };
    let ignore = rule.get("ignore_transparent").is_some_and(py::truthy);
    // OSWorld: `ignore and mode in ('RGBA', 'LA') or 'transparency' in img.info`.
    let (w, h) = if (ignore && matches!(img.mode, Mode::Rgba | Mode::La)) || img.transparency {
        img.alpha_bbox()
            .map_or((0, 0), |(l, t, r, b)| (r - l, b - t))
    } else {
        (img.w, img.h)
    };
    let fits = |key: &str, actual: usize| match rule.get(key) {
        None | Some(Value::Null) => true,
        Some(want) => py::eq(&Value::from(actual), want),
    };
    Ok(score_of(fits("height", h) && fits("width", w)))
}

/// `check_image_file_size`: the file is smaller than `max_size` bytes.
fn check_image_file_size(
    name: &str,
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    let Some(src) = one_file(name, "result", result)? else {
        return Ok(0.0);
    };
    let rule = rule(name, expected)?;
    let max = match rule.get("max_size") {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        Some(Value::Bool(b)) => f64::from(u8::from(*b)),
        _ => return Err(invalid(name, "the rule needs a numeric max_size")),
    };
    let size = std::fs::metadata(src).map_err(|e| invalid(name, format!("{e}")))?;
    Ok(score_of((size.len() as f64) < max))
}

/// `check_triangle_position`: the centroid of the second least common colour lies within 5 %
/// of the image's centre on both axes.
fn triangle_in_middle(img: &Pic) -> bool {
    let n = img.w * img.h;
    let mut counts: std::collections::BTreeMap<[u8; 4], usize> = Default::default();
    for i in 0..n {
        // np.array(img).shape[2] raises for L and P images.
        let Some((v, c)) = img.raw(i) else {
            return false;
        };
        if c < 2 {
            return false;
        }
        *counts.entry(v).or_default() += 1;
    }
    // np.unique sorts colours; argsort of counts (ties kept in colour order here).
    let mut sorted: Vec<_> = counts.into_iter().collect();
    sorted.sort_by_key(|(_, count)| *count);
    let Some((colour, _)) = sorted.get(1).copied() else {
        return false; // index 1 out of range: OSWorld raises
    };
    let (mut sy, mut sx, mut k) = (0.0, 0.0, 0.0);
    for i in 0..n {
        if img.raw(i).is_some_and(|(v, _)| v == colour) {
            sy += (i / img.w) as f64;
            sx += (i % img.w) as f64;
            k += 1.0;
        }
    }
    let (h, w) = (img.h as f64, img.w as f64);
    ((sy / k) - h / 2.0).abs() < 0.05 * h && ((sx / k) - w / 2.0).abs() < 0.05 * w
}

/// `check_textbox_on_leftside`: the leftmost dark (grey < 128) pixel is in the left 5 %.
fn textbox_on_left(img: &Pic) -> bool {
    let gray = img.gray();
    let left = (0..img.h)
        .filter_map(|y| {
            gray[y * img.w..(y + 1) * img.w]
                .iter()
                .position(|&v| v < 128)
        })
        .min()
        .unwrap_or(img.w);
    (left as f64) < img.w as f64 * 0.05
}

/// `check_green_background`: wherever the target is not black, the source is green (G above R
/// and B). OSWorld indexes its arrays `[x, y]` (row x): a pixel outside the array raises, and
/// raising scores 0 here, as do grey or palette images (their pixels are scalars).
fn green_background(src: &Pic, tgt: &Pic) -> bool {
    for x in 0..tgt.w {
        for y in 0..tgt.h {
            if x >= tgt.h || y >= tgt.w {
                return false;
            }
            let Some((t, tc)) = tgt.raw(x * tgt.w + y) else {
                return false;
            };
            if tc < 2 {
                return false;
            }
            let black = tc >= 3 && t[..3] == [0, 0, 0];
            if black {
                continue;
            }
            if x >= src.h || y >= src.w {
                return false;
            }
            let Some((s, sc)) = src.raw(x * src.w + y) else {
                return false;
            };
            if sc < 3 {
                return false;
            }
            let (r, g, b) = (s[0], s[1], s[2]);
            if !(g > r && g > b) {
                return false;
            }
        }
    }
    true
}
