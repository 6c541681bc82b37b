//! Impress's metrics (`slides.py`): pptx decks compared as OSWorld compares them.
//!
//! `compare_pptx_files(result, gold, **options)`: the decks as python-pptx reads them (the
//! model in `slides_pptx.rs`), compared slide by slide and shape by shape with OSWorld's checks
//! and options, quirks included:
//! - slide count (`examine_number_of_slides`), background colour (`examine_background_color`:
//!   a solid RGB fill, the master's where the slide has none), notes text stripped
//!   (`examine_note`), shape count (always);
//! - positions and sizes within `approximately_tolerance` (0.005, relative), with the
//!   special cases of `examine_title_bottom_position`, `examine_table_bottom_position`,
//!   `examine_right_position`, `examine_top_position`, `examine_shape_for_shift_size`,
//!   `examine_shape`, `examine_image_size`, `examine_modify_height`; comparing a missing
//!   position with a non-zero one raises in OSWorld (here it scores 0);
//! - tables: dimensions, paragraphs and runs per cell, run colour (`examine_color_rgb`), bold,
//!   italic and underline (always);
//! - text shapes: text stripped (`examine_text`), paragraph count, alignment (None is left,
//!   `examine_alignment`), paragraph text, level (`examine_indent`), run count, font name,
//!   size, bold, italic (None is False), RGB colour (only where both runs have one), underline
//!   (None only differs from True), strike (`examine_strike_through`), and the slide's bullets
//!   (`examine_bullets`: level, bullet character and text of every non-empty paragraph of the
//!   slide; a paragraph whose `pPr` python-pptx has already added by reading alignment or
//!   level counts as level 0, one without `pPr` as "No Level", as in OSWorld);
//! - with `examine_alignment`, every text shape including those in groups again (text and
//!   alignment); the number of text shapes must match.
//!
//! Options the corpus sets that 1.0.2's function ignores (`examine_run_count`,
//! `examine_shape_lenient_height`) are ignored here too. A missing or unreadable deck scores 0.
//!
//! `check_slide_orientation_Portrait(pptx)`: 1 when the slide width is below the height.
//!
//! `check_presenter_console_disable`, `check_auto_saving_time`, `check_transition` and
//! `check_page_number_colors` are in `slides_more.rs`.

use super::{Got, MetricError, flag, gold_file, invalid, one_file, py, score_of};
use serde_json::{Map, Value};

#[path = "slides_more.rs"]
mod more;
#[path = "slides_pptx.rs"]
mod pptx;
#[path = "slides_xml.rs"]
mod xml;

use pptx::{BulletPara, Color, Deck, Para, Run, Shape, Slide};

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &[
    "check_auto_saving_time",
    "check_page_number_colors",
    "check_presenter_console_disable",
    "check_slide_orientation_Portrait",
    "check_transition",
    "compare_pptx_files",
    "evaluate_presentation_fill_to_rgb_distance",
];

/// Whether `options` fit metric `name` (one of [`NAMES`]), without reading anything.
pub(super) fn check_options(name: &str, options: &Map<String, Value>) -> Result<(), MetricError> {
    match name {
        "compare_pptx_files" => match options.get("approximately_tolerance") {
            Some(v) if !v.is_number() => Err(invalid(
                name,
                format!("approximately_tolerance must be a number, got {v}"),
            )),
            _ => Ok(()),
        },
        _ => match options.keys().next() {
            Some(k) => Err(invalid(name, format!("takes no option {k:?}"))),
            None => Ok(()),
        },
    }
}

/// Scores metric `name` (one of [`NAMES`]).
pub(super) fn score(
    name: &str,
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    match name {
        "compare_pptx_files" => {
            let gold = gold_file(name, expected)?;
            let Some(result) = one_file(name, "result", result)? else {
                return Ok(0.0);
            };
            let gold = pptx::open(gold)
                .ok_or_else(|| invalid(name, "the expected file is not a pptx deck"))?;
            let Some(deck) = pptx::open(result) else {
                return Ok(0.0);
            };
            let opts = Options::from(options);
            Ok(score_of(compare(&deck, &gold, &opts).unwrap_or(false)))
        }
        "check_slide_orientation_Portrait" => {
            let Some(path) = one_file(name, "result", result)? else {
                return Ok(0.0);
            };
            let Some(deck) = pptx::open(path) else {
                return Ok(0.0);
            };
            Ok(match (deck.width, deck.height) {
                (Some(w), Some(h)) => score_of(w < h),
                _ => 0.0,
            })
        }
        "evaluate_presentation_fill_to_rgb_distance" => fill_distance(result, expected),
        "check_presenter_console_disable" => more::presenter_console(result),
        "check_auto_saving_time" => more::auto_saving_time(result, expected),
        "check_transition" => more::transition(result, expected),
        "check_page_number_colors" => more::page_number_colors(result, expected),
        _ => Err(MetricError::Unsupported(name.to_owned())),
    }
}

/// `evaluate_presentation_fill_to_rgb_distance(pptx, {"rgb": [r, g, b], "original_rgb"?})`:
/// 1 minus the mean over slides of the background's RGB distance to `rgb` (divided by the
/// largest distance); a slide without a solid RGB background (its own, or the master's where
/// it has no fill), or one still at `original_rgb`, counts as distance 1.
fn fill_distance(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "evaluate_presentation_fill_to_rgb_distance";
    let rules = super::rules(M, expected)?;
    let triple = |key: &str| -> Result<Option<[f64; 3]>, MetricError> {
        match rules.get(key) {
            None => Ok(None),
            Some(Value::Array(v)) if v.len() == 3 && v.iter().all(Value::is_number) => {
                Ok(Some([0, 1, 2].map(|i| v[i].as_f64().unwrap_or(0.0))))
            }
            Some(other) => Err(invalid(
                M,
                format!("{key} must be three numbers, got {other}"),
            )),
        }
    };
    let rgb = triple("rgb")?.ok_or_else(|| invalid(M, "the rules have no \"rgb\""))?;
    let original = triple("original_rgb")?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Some(deck) = pptx::open(path) else {
        return Ok(0.0);
    };
    if deck.slides.is_empty() {
        return Err(invalid(
            M,
            "the deck has no slides (OSWorld divides by zero)",
        ));
    }
    let max = (3.0f64 * 255.0 * 255.0).sqrt();
    let total: f64 = deck
        .slides
        .iter()
        .map(|s| {
            let Ok(Some(hex)) = &s.background else {
                return 1.0;
            };
            let Ok(v) = u32::from_str_radix(hex, 16) else {
                return 1.0;
            };
            let c = [(v >> 16) & 255, (v >> 8) & 255, v & 255].map(f64::from);
            if original.is_some_and(|o| o == c) {
                return 1.0;
            }
            ((c[0] - rgb[0]).powi(2) + (c[1] - rgb[1]).powi(2) + (c[2] - rgb[2]).powi(2)).sqrt()
                / max
        })
        .sum();
    Ok(1.0 - total / deck.slides.len() as f64)
}

/// OSWorld raised: the task crashes, scored 0 here.
struct Raise;

struct Options {
    tolerance: f64,
    slides: bool,
    shape: bool,
    text: bool,
    indent: bool,
    font_name: bool,
    font_size: bool,
    bold: bool,
    italic: bool,
    color: bool,
    underline: bool,
    strike: bool,
    alignment: bool,
    title_bottom: bool,
    table_bottom: bool,
    right: bool,
    top: bool,
    shift_size: bool,
    image_size: bool,
    modify_height: bool,
    bullets: bool,
    background: bool,
    note: bool,
}

impl From<&Map<String, Value>> for Options {
    fn from(o: &Map<String, Value>) -> Self {
        let f = |k: &str, d: bool| flag(o, &format!("examine_{k}"), d);
        Options {
            tolerance: o
                .get("approximately_tolerance")
                .and_then(Value::as_f64)
                .unwrap_or(0.005),
            slides: f("number_of_slides", true),
            shape: f("shape", true),
            text: f("text", true),
            indent: f("indent", true),
            font_name: f("font_name", true),
            font_size: f("font_size", true),
            bold: f("font_bold", true),
            italic: f("font_italic", true),
            color: f("color_rgb", true),
            underline: f("font_underline", true),
            strike: f("strike_through", true),
            alignment: f("alignment", true),
            title_bottom: f("title_bottom_position", false),
            table_bottom: f("table_bottom_position", false),
            right: f("right_position", false),
            top: f("top_position", false),
            shift_size: f("shape_for_shift_size", false),
            image_size: f("image_size", false),
            modify_height: f("modify_height", false),
            bullets: f("bullets", true),
            background: f("background_color", true),
            note: f("note", true),
        }
    }
}

/// OSWorld's `is_approximately_equal`, on python-pptx's `Length` or `None`.
fn approx(a: Option<i64>, b: Option<i64>, tol: f64) -> Result<bool, Raise> {
    if a == b {
        return Ok(true);
    }
    match (a, b) {
        (Some(a), Some(b)) => {
            if a == 0 || b == 0 {
                return Ok(false);
            }
            let (a, b) = (a as f64, b as f64);
            Ok((a - b).abs() / a.abs().max(b.abs()) <= tol)
        }
        (None, Some(0)) | (Some(0), None) => Ok(false),
        _ => Err(Raise),
    }
}

fn same_box(s1: &Shape, s2: &Shape, tol: f64) -> Result<bool, Raise> {
    Ok(approx(s1.left, s2.left, tol)?
        && approx(s1.top, s2.top, tol)?
        && approx(s1.width, s2.width, tol)?
        && approx(s1.height, s2.height, tol)?)
}

/// Python's `a < b` on two optional lengths (None raises).
fn num(v: Option<i64>) -> Result<i64, Raise> {
    v.ok_or(Raise)
}

fn bool_differs(a: Option<bool>, b: Option<bool>) -> bool {
    a != b && !(a != Some(true) && b != Some(true))
}

fn underline_differs(a: &Option<String>, b: &Option<String>) -> bool {
    if a == b {
        return false;
    }
    // python-pptx: "none" is False, "sng" True, others enum members; missing None
    let as_py = |u: &Option<String>| -> Option<String> {
        u.as_ref().map(|u| match u.as_str() {
            "none" => "False".to_owned(),
            "sng" => "True".to_owned(),
            o => o.to_owned(),
        })
    };
    let (a, b) = (as_py(a), as_py(b));
    if a == b {
        return false;
    }
    matches!(
        (a.as_deref(), b.as_deref()),
        (Some(_), Some(_)) | (None, Some("True")) | (Some("True"), None)
    )
}

/// The decks compare equal; `Err` where OSWorld raises.
fn compare(d1: &Deck, d2: &Deck, o: &Options) -> Result<bool, Raise> {
    if d1.slides.len() != d2.slides.len() && o.slides {
        return Ok(false);
    }
    for (i, (s1, s2)) in d1.slides.iter().zip(&d2.slides).enumerate() {
        if !compare_slide(i + 1, s1, s2, o)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The paragraphs whose `pPr` python-pptx has added so far, per deck.
struct Touched {
    one: Vec<bool>,
    two: Vec<bool>,
}

fn touch(t: &mut [bool], gidx: usize) {
    if let Some(v) = t.get_mut(gidx) {
        *v = true;
    }
}

fn bullets(paras: &[BulletPara], touched: &[bool]) -> Vec<(String, String, String)> {
    paras
        .iter()
        .enumerate()
        .filter(|(_, p)| !py::strip(&p.text).is_empty())
        .map(|(i, p)| {
            let has = p.has_ppr || touched.get(i).copied().unwrap_or(false);
            let (lvl, chr) = if has {
                (
                    p.lvl.clone().unwrap_or_else(|| "0".to_owned()),
                    p.chr.clone().unwrap_or_else(|| "No Bullet".to_owned()),
                )
            } else {
                ("No Level".to_owned(), "No Bullet".to_owned())
            };
            (lvl, chr, p.text.clone())
        })
        .collect()
}

fn compare_slide(idx: usize, s1: &Slide, s2: &Slide, o: &Options) -> Result<bool, Raise> {
    let bg1 = s1.background.clone().map_err(|_| Raise)?;
    let bg2 = s2.background.clone().map_err(|_| Raise)?;
    if bg1 != bg2 && o.background {
        return Ok(false);
    }
    let n1 = s1.notes.as_deref().ok_or(Raise)?;
    let n2 = s2.notes.as_deref().ok_or(Raise)?;
    if py::strip(n1) != py::strip(n2) && o.note {
        return Ok(false);
    }
    let mut text1 = Vec::new();
    let mut text2 = Vec::new();
    text_shapes(&s1.shapes, &mut text1);
    text_shapes(&s2.shapes, &mut text2);
    if s1.shapes.len() != s2.shapes.len() {
        return Ok(false);
    }
    let mut touched = Touched {
        one: vec![false; s1.all_paras.len()],
        two: vec![false; s2.all_paras.len()],
    };
    let tol = o.tolerance;
    for (sh1, sh2) in s1.shapes.iter().zip(&s2.shapes) {
        let t1 = sh1.text();
        let t2 = sh2.text();
        let both_text = t1.is_some() && t2.is_some();
        if o.title_bottom {
            if both_text && t1 == t2 {
                if t1.as_deref() == Some("Product Comparison")
                    && (num(sh1.top)? <= num(sh2.top)? || num(sh1.top)? < 3_600_000)
                {
                    return Ok(false);
                }
            } else if !same_box(sh1, sh2, tol)? {
                return Ok(false);
            }
        }
        if o.table_bottom {
            if idx == 3 && sh1.shape_type == 19 && sh2.shape_type == 19 {
                if num(sh1.top)? <= num(sh2.top)? || num(sh1.top)? < 3_600_000 {
                    return Ok(false);
                }
            } else if !same_box(sh1, sh2, tol)? {
                return Ok(false);
            }
        }
        if o.right
            && idx == 2
            && t1.is_none()
            && t2.is_none()
            && (num(sh1.left)? <= num(sh2.left)? || num(sh1.left)? < 4_320_000)
        {
            return Ok(false);
        }
        if o.top
            && idx == 2
            && sh1.shape_type == 13
            && sh2.shape_type == 13
            && (num(sh1.top)? >= num(sh2.top)? || num(sh1.top)? > 1_980_000)
        {
            return Ok(false);
        }
        if o.shift_size
            && !same_box(sh1, sh2, tol)?
            && !(both_text
                && t1 == t2
                && t1.as_deref() == Some("Elaborate on what you want to discuss."))
        {
            return Ok(false);
        }
        if o.shape && !same_box(sh1, sh2, tol)? {
            return Ok(false);
        }
        if o.image_size {
            if sh1.shape_type == 13 && sh2.shape_type == 13 {
                if !approx(sh1.width, sh2.width, tol)? || !approx(sh1.height, sh2.height, tol)? {
                    return Ok(false);
                }
            } else if !same_box(sh1, sh2, tol)? {
                return Ok(false);
            }
        }
        if o.modify_height {
            if (t1.is_none() && t2.is_none()) || (sh1.shape_type == 5 && sh2.shape_type == 5) {
                if !approx(sh1.height, sh2.height, tol)? {
                    return Ok(false);
                }
            } else if !same_box(sh1, sh2, tol)? {
                return Ok(false);
            }
        }
        if let Some((rows1, cols1)) = &sh1.table {
            let Some((rows2, cols2)) = &sh2.table else {
                return Err(Raise);
            };
            if !compare_table(rows1, *cols1, rows2, *cols2, o)? {
                return Ok(false);
            }
        }
        if let (Some(p1), Some(p2), Some(t1), Some(t2)) = (&sh1.paras, &sh2.paras, &t1, &t2) {
            if py::strip(t1) != py::strip(t2) && o.text {
                return Ok(false);
            }
            if p1.len() != p2.len() {
                return Ok(false);
            }
            for (a, b) in p1.iter().zip(p2) {
                if !compare_para(a, b, s1, s2, &mut touched, o) {
                    return Ok(false);
                }
            }
        }
    }
    if o.alignment && text1.len() == text2.len() {
        for (a, b) in text1.iter().zip(&text2) {
            let (t1, t2) = (a.text().unwrap_or_default(), b.text().unwrap_or_default());
            if py::strip(&t1) != py::strip(&t2) && o.text {
                return Ok(false);
            }
            let (p1, p2) = (
                a.paras.as_deref().unwrap_or_default(),
                b.paras.as_deref().unwrap_or_default(),
            );
            if p1.len() != p2.len() {
                return Ok(false);
            }
            for (x, y) in p1.iter().zip(p2) {
                if align(x) != align(y) {
                    return Ok(false);
                }
            }
        }
    } else if text1.len() != text2.len() {
        return Ok(false);
    }
    Ok(true)
}

fn align(p: &Para) -> &str {
    p.align.as_deref().unwrap_or("l")
}

fn text_shapes<'a>(shapes: &'a [Shape], out: &mut Vec<&'a Shape>) {
    for s in shapes {
        if s.paras.is_some() {
            out.push(s);
        }
        text_shapes(&s.children, out);
    }
}

fn compare_para(
    a: &Para,
    b: &Para,
    s1: &Slide,
    s2: &Slide,
    touched: &mut Touched,
    o: &Options,
) -> bool {
    if o.alignment {
        touch(&mut touched.one, a.gidx);
        touch(&mut touched.two, b.gidx);
        if align(a) != align(b) {
            return false;
        }
    }
    if a.text != b.text && o.text {
        return false;
    }
    touch(&mut touched.one, a.gidx);
    touch(&mut touched.two, b.gidx);
    if a.level != b.level && o.indent {
        return false;
    }
    if a.runs.len() != b.runs.len() {
        return false;
    }
    for (r1, r2) in a.runs.iter().zip(&b.runs) {
        if !compare_run(r1, r2, o) {
            return false;
        }
        if o.bullets && bullets(&s1.all_paras, &touched.one) != bullets(&s2.all_paras, &touched.two)
        {
            return false;
        }
    }
    true
}

fn compare_run(r1: &Run, r2: &Run, o: &Options) -> bool {
    if r1.name != r2.name && o.font_name {
        return false;
    }
    if r1.size != r2.size && o.font_size {
        return false;
    }
    if o.bold && bool_differs(r1.bold, r2.bold) {
        return false;
    }
    if o.italic && bool_differs(r1.italic, r2.italic) {
        return false;
    }
    if let (Color::Rgb(c1), Color::Rgb(c2)) = (&r1.color, &r2.color)
        && c1 != c2
        && o.color
    {
        return false;
    }
    if o.underline && underline_differs(&r1.underline, &r2.underline) {
        return false;
    }
    if r1.strike != r2.strike && o.strike {
        return false;
    }
    true
}

type Rows = Vec<Vec<Vec<Para>>>;

fn compare_table(
    rows1: &Rows,
    cols1: usize,
    rows2: &Rows,
    cols2: usize,
    o: &Options,
) -> Result<bool, Raise> {
    if rows1.len() != rows2.len() || cols1 != cols2 {
        return Ok(false);
    }
    for (r1, r2) in rows1.iter().zip(rows2) {
        for c in 0..cols1 {
            let (Some(c1), Some(c2)) = (r1.get(c), r2.get(c)) else {
                return Err(Raise);
            };
            if c1.len() != c2.len() {
                return Ok(false);
            }
            for (p1, p2) in c1.iter().zip(c2) {
                if p1.runs.len() != p2.runs.len() {
                    return Ok(false);
                }
                for (a, b) in p1.runs.iter().zip(&p2.runs) {
                    if let (Color::Rgb(x), Color::Rgb(y)) = (&a.color, &b.color)
                        && x != y
                        && o.color
                    {
                        return Ok(false);
                    }
                    if bool_differs(a.bold, b.bold)
                        || bool_differs(a.italic, b.italic)
                        || underline_differs(&a.underline, &b.underline)
                    {
                        return Ok(false);
                    }
                }
            }
        }
    }
    Ok(true)
}
