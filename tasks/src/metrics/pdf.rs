//! PDF metrics (`chrome.py`, `pdf.py`): `compare_pdfs`, `check_pdf_pages`.
//!
//! `check_pdf_pages(pdf, rules)`: the number of pages (pypdf's `len(reader.pages)`, here the
//! page tree as `lopdf` walks it) against `rules["ref_value"]` with the `operator` function
//! `rules["relation"]` names (`eq`, `ne`, `lt`, `le`, `gt`, `ge`). A missing file scores 0; so
//! does one that is not a PDF (pypdf raises there).
//!
//! `compare_pdfs(pdfs, golds)`: the text of each PDF (all pages, stripped) against its gold's,
//! scored with rapidfuzz's `fuzz.ratio / 100` (`2·LCS / (len₁ + len₂)` over characters; two
//! empty texts give 1), averaged over the golds. Lists are zipped (the shorter wins) but the
//! sum is divided by the number of golds. As in OSWorld, a missing file reads as a PDF with no
//! text (PyMuPDF's `fitz.open(None)` is an empty document), so a missing result against a gold
//! without text scores 1, and a file that is not a PDF adds 0 for its pair.
//!
//! OSWorld extracts text with PyMuPDF (MuPDF, under the AGPL); deskhand uses `pdf-extract`
//! (on `lopdf`, MIT). Both read the same characters, but lay them out differently: MuPDF puts
//! each table cell on a line of its own where pdf-extract joins a row with spaces, and
//! pdf-extract adds blank lines between blocks, which are dropped here (MuPDF writes none). On
//! PDFs LibreOffice wrote, the two texts agree to within a few per cent, and the scores of a
//! pair closer still, since both PDFs of a pair go through the same extractor. A PDF that
//! `pdf-extract` cannot read (or panics on) adds 0, as one PyMuPDF cannot open does.

use super::{Got, MetricError, invalid, one_file, py, rules, score_of};
use serde_json::{Map, Value};
use std::path::Path;

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &["check_pdf_pages", "compare_pdfs"];

/// Whether `options` fit metric `name` (one of [`NAMES`]), without reading anything:
/// neither metric takes an option.
pub(super) fn check_options(name: &str, options: &Map<String, Value>) -> Result<(), MetricError> {
    match options.keys().next() {
        Some(k) => Err(invalid(name, format!("takes no option {k:?}"))),
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
    let _ = options;
    match name {
        "compare_pdfs" => compare_pdfs(result, expected),
        "check_pdf_pages" => check_pdf_pages(result, expected),
        _ => Err(MetricError::Unsupported(name.to_owned())),
    }
}

fn compare_pdfs(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "compare_pdfs";
    let paths = |got: &Got| -> Option<Vec<Option<std::path::PathBuf>>> {
        match got {
            Got::File(p) => Some(vec![p.clone()]),
            Got::Files(ps) => Some(ps.clone()),
            _ => None,
        }
    };
    let (Some(result), Some(expected)) = (result, expected) else {
        return Err(invalid(M, "needs a result and an expected getter"));
    };
    let golds = paths(expected).ok_or_else(|| {
        invalid(
            M,
            format!("the golds must be files, got {}", expected.kind()),
        )
    })?;
    let pdfs = match (expected, result) {
        // One gold: OSWorld wraps both in a list, so several results are one odd path.
        (Got::File(_), Got::Files(ps)) if ps.len() != 1 => return Ok(0.0),
        // Several golds and one result: OSWorld zips a path's characters with them.
        (Got::Files(_), Got::File(_)) => return Ok(0.0),
        _ => paths(result).ok_or_else(|| {
            invalid(
                M,
                format!("the result must be files, got {}", result.kind()),
            )
        })?,
    };
    if golds.is_empty() {
        return Err(invalid(M, "no gold file (OSWorld divides by their number)"));
    }
    let mut total = 0.0;
    for (pdf, gold) in pdfs.iter().zip(&golds) {
        if let (Some(a), Some(b)) = (text_of(pdf.as_deref()), text_of(gold.as_deref())) {
            total += ratio(&a, &b);
        }
    }
    Ok(total / golds.len() as f64)
}

fn check_pdf_pages(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "check_pdf_pages";
    let rules = rules(M, expected)?;
    let relation = match rules.get("relation") {
        Some(Value::String(r)) => r.as_str(),
        _ => {
            return Err(invalid(
                M,
                "rules must hold \"relation\", an operator's name",
            ));
        }
    };
    let want = rules
        .get("ref_value")
        .ok_or_else(|| invalid(M, "rules must hold \"ref_value\""))?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Some(pages) = page_count(path) else {
        return Ok(0.0);
    };
    let pages = Value::from(pages);
    let order = || {
        py::compare(&pages, want)
            .map_err(|_| invalid(M, format!("cannot compare a page count with {want}")))
    };
    use std::cmp::Ordering::{Greater, Less};
    let pass = match relation {
        "eq" => py::eq(&pages, want),
        "ne" => !py::eq(&pages, want),
        "lt" => order()? == Less,
        "le" => order()? != Greater,
        "gt" => order()? == Greater,
        "ge" => order()? != Less,
        other => {
            return Err(invalid(
                M,
                format!("relation {other:?} is not a comparison"),
            ));
        }
    };
    Ok(score_of(pass))
}

/// The pages of a PDF; `None` when it cannot be read.
fn page_count(path: &Path) -> Option<usize> {
    let bytes = std::fs::read(path).ok()?;
    std::panic::catch_unwind(|| pdf_extract::Document::load_mem(&bytes))
        .ok()?
        .ok()
        .map(|doc| doc.get_pages().len())
}

/// The text of a PDF, all pages, stripped; `""` for a missing file, `None` when it cannot be
/// read as a PDF.
pub(crate) fn text_of(path: Option<&Path>) -> Option<String> {
    let Some(path) = path else {
        return Some(String::new());
    };
    let bytes = std::fs::read(path).ok()?;
    // pdf-extract panics on some malformed files; a panic is a PDF it cannot read.
    let text = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&bytes))
        .ok()?
        .ok()?;
    let lines: Vec<&str> = text
        .split('\n')
        .filter(|l| !super::py::strip(l).is_empty())
        .collect();
    Some(super::py::strip(&lines.join("\n")).to_owned())
}

/// rapidfuzz's `fuzz.ratio(a, b) / 100`.
pub(crate) fn ratio(a: &str, b: &str) -> f64 {
    super::fuzz::ratio(a, b) / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_as_rapidfuzz() {
        // Values printed by rapidfuzz 3 (`fuzz.ratio(a, b) / 100`).
        assert_eq!(ratio("abc", "abd"), 0.6666666666666667);
        assert_eq!(
            ratio("kitten sitting", "sitting kitten"),
            0.6428571428571428
        );
        assert_eq!(ratio("Zürich ∑", "Zurich ∑x"), 0.8235294117647058);
        let a: String = "the quick brown fox "
            .repeat(30)
            .chars()
            .take(577)
            .collect();
        let b: String = "the quick brown cat "
            .repeat(31)
            .chars()
            .take(601)
            .collect();
        assert_eq!(ratio(&a, &b), 0.8370118845500849);
        assert_eq!(ratio("", ""), 1.0);
        assert_eq!(ratio("", "a"), 0.0);
    }
}
