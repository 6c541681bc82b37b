//! Writer's metrics (`docs.py`): docx documents compared as OSWorld compares them.
//!
//! Reading: `zip` + `quick-xml` (both already used by the crate), in [`read`]. The docx crates
//! (`docx-rs` reads into its own model) do not keep python-docx's view, which the scores rest
//! on: only `w:r` and `w:hyperlink` children count towards a paragraph's text, a page break
//! gives no text but a line break a newline, runs inside `w:ins` are skipped, and a table's
//! cells repeat across `gridSpan` and `vMerge` as python-docx's `_cells` has them. A small
//! element tree of the main part gives each of those directly.
//!
//! - `compare_docx_files(result, expected, **options)`: 0 when either file is missing, when
//!   either name does not end in `.docx`, or when either fails to open. Options (Python
//!   truthiness): `ignore_blanks` (default true), `ignore_case`, `ignore_order` (paragraphs
//!   sorted by code point), `content_only`, `fuzzy_match`, `delete_empty_lines` (paragraphs
//!   whose `strip()` is empty dropped, after sorting). With `content_only`, or `ignore_blanks`
//!   and `fuzzy_match`: `fuzz.ratio / 100` of the paragraphs joined by newlines with every run
//!   of whitespace made one space and stripped (lower-cased with `ignore_case`). With
//!   `ignore_blanks` alone: those texts must be equal. Without `ignore_blanks`: the paragraph
//!   counts must be equal, then each pair equal (or with `fuzzy_match`, the mean `fuzz.ratio /
//!   100` of the pairs; 1 with no paragraphs). Two `.odt` files (OSWorld reads them with odfpy)
//!   are not supported yet: an `Unsupported` error rather than a wrong score.
//! - `compare_docx_files_and_ignore_new_lines(result, expected, ignore_blanks=True)`: the
//!   paragraphs whose text is not empty, then as `compare_docx_files` without case, order or
//!   fuzzy options; two `.odt` files score 0 here as in OSWorld.
//! - `compare_docx_tables(result, expected)`: the documents' body tables must be as many, each
//!   pair with the same row and column counts and every `cell(i, j).text.strip()` equal. Where
//!   python-docx raises building the cell grid (a `vMerge` continuing above the first row, too
//!   few cells), OSWorld's function raises: 0 here.

#[path = "docx_read.rs"]
mod read;

use super::{Got, MetricError, flag, fuzz, invalid, one_file, py, score_of};
use read::Docx;
use serde_json::{Map, Value};
use std::path::Path;

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &[
    "compare_docx_files",
    "compare_docx_files_and_ignore_new_lines",
    "compare_docx_tables",
];

/// Whether `options` fit metric `name` (one of [`NAMES`]), without reading anything.
pub(super) fn check_options(name: &str, options: &Map<String, Value>) -> Result<(), MetricError> {
    let allowed: &[&str] = match name {
        "compare_docx_files" => &[
            "ignore_blanks",
            "ignore_case",
            "ignore_order",
            "content_only",
            "fuzzy_match",
            "delete_empty_lines",
        ],
        // **options: anything goes, only ignore_blanks is read.
        "compare_docx_files_and_ignore_new_lines" => return Ok(()),
        _ => &[],
    };
    match options.keys().find(|k| !allowed.contains(&k.as_str())) {
        // compare_docx_files takes **options too: other keys are ignored there.
        Some(_) if name == "compare_docx_files" => Ok(()),
        Some(k) => Err(invalid(name, format!("unexpected option {k:?}"))),
        None => Ok(()),
    }
}

/// Scores metric `name` (one of [`NAMES`]).
pub(super) fn score(
    name: &str,
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    let result = one_file(name, "result", result)?;
    let expected = one_file(name, "expected", expected)?;
    let (Some(result), Some(expected)) = (result, expected) else {
        return Ok(0.0);
    };
    match name {
        "compare_docx_files" => compare_docx_files(result, expected, options),
        "compare_docx_files_and_ignore_new_lines" => {
            Ok(ignore_new_lines(result, expected, options))
        }
        "compare_docx_tables" => Ok(compare_docx_tables(result, expected)),
        _ => Err(MetricError::Unsupported(name.to_owned())),
    }
}

/// Whether the path's name ends with `suffix` (Python's `str.endswith`, case-sensitive).
fn ends_with(path: &Path, suffix: &str) -> bool {
    path.to_string_lossy().ends_with(suffix)
}

/// `re.sub(r'\s+', ' ', text).strip()`.
fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if py::is_space(c) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    py::strip(&out).to_owned()
}

/// rapidfuzz's `fuzz.ratio / 100`.
fn ratio(a: &str, b: &str) -> f64 {
    fuzz::ratio(a, b) / 100.0
}

fn compare_docx_files(
    result: &Path,
    expected: &Path,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    let ignore_blanks = flag(options, "ignore_blanks", true);
    let ignore_case = flag(options, "ignore_case", false);
    let ignore_order = flag(options, "ignore_order", false);
    let content_only = flag(options, "content_only", false);
    let fuzzy = flag(options, "fuzzy_match", false);
    let delete_empty = flag(options, "delete_empty_lines", false);
    let both = |s: &str| ends_with(result, s) && ends_with(expected, s);
    if !both(".docx") {
        if both(".odt") {
            return Err(MetricError::Unsupported(
                "compare_docx_files on odt documents".to_owned(),
            ));
        }
        return Ok(0.0);
    }
    let (Some(d1), Some(d2)) = (Docx::open(result), Docx::open(expected)) else {
        return Ok(0.0);
    };
    let prepare = |d: &Docx| {
        let mut ps = d.paragraph_texts();
        if ignore_order {
            ps.sort();
        }
        if delete_empty {
            ps.retain(|p| !py::strip(p).is_empty());
        }
        ps
    };
    let (p1, p2) = (prepare(&d1), prepare(&d2));
    let joined = |ps: &[String]| {
        let t = squeeze(&ps.join("\n"));
        if ignore_case { t.to_lowercase() } else { t }
    };
    if content_only || (ignore_blanks && fuzzy) {
        return Ok(ratio(&joined(&p1), &joined(&p2)));
    }
    if ignore_blanks {
        return Ok(score_of(joined(&p1) == joined(&p2)));
    }
    if p1.len() != p2.len() {
        return Ok(0.0);
    }
    let case = |s: &str| {
        if ignore_case {
            s.to_lowercase()
        } else {
            s.to_owned()
        }
    };
    if fuzzy {
        if p1.is_empty() {
            return Ok(1.0);
        }
        let total: f64 = p1
            .iter()
            .zip(&p2)
            .map(|(a, b)| ratio(&case(a), &case(b)))
            .sum();
        return Ok(total / p1.len() as f64);
    }
    Ok(score_of(
        p1.iter().zip(&p2).all(|(a, b)| case(a) == case(b)),
    ))
}

fn ignore_new_lines(result: &Path, expected: &Path, options: &Map<String, Value>) -> f64 {
    let ignore_blanks = flag(options, "ignore_blanks", true);
    if !(ends_with(result, ".docx") && ends_with(expected, ".docx")) {
        return 0.0;
    }
    let (Some(d1), Some(d2)) = (Docx::open(result), Docx::open(expected)) else {
        return 0.0;
    };
    let texts = |d: &Docx| {
        let mut ps = d.paragraph_texts();
        ps.retain(|p| !p.is_empty());
        ps
    };
    let (p1, p2) = (texts(&d1), texts(&d2));
    if ignore_blanks {
        score_of(squeeze(&p1.join("\n")) == squeeze(&p2.join("\n")))
    } else {
        score_of(p1 == p2)
    }
}

fn compare_docx_tables(result: &Path, expected: &Path) -> f64 {
    let (Some(d1), Some(d2)) = (Docx::open(result), Docx::open(expected)) else {
        return 0.0;
    };
    let (t1, t2) = (d1.tables(), d2.tables());
    if t1.len() != t2.len() {
        return 0.0;
    }
    for (a, b) in t1.iter().zip(&t2) {
        if a.rows != b.rows || a.columns != b.columns {
            return 0.0;
        }
        for i in 0..a.rows {
            for j in 0..a.columns {
                match (a.cell_text(i, j), b.cell_text(i, j)) {
                    (Some(x), Some(y)) if py::strip(&x) == py::strip(&y) => {}
                    _ => return 0.0,
                }
            }
        }
    }
    1.0
}
