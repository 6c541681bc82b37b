//! `fuzzy_place_math` (`general.py`) and `compare_conference_city_in_order` (`table.py`).
//!
//! `fuzzy_place_math`: the words (`str.split()`) of the docx file's body paragraphs, as
//! python-docx's `Paragraph.text` gives them (runs and hyperlinks' runs: `w:t` text, `w:tab`
//! and `w:ptab` a tab, `w:br` and `w:cr` a newline, `w:noBreakHyphen` a hyphen), must be
//! exactly three; each scores its best `fuzz.ratio` against the expected answers, and the
//! score is their mean.
//!
//! `compare_conference_city_in_order`: cells C2:C22 of the workbook's active sheet (openpyxl's
//! `wb.active`: `workbookView activeTab`), in order; expected item `i` (a string, or a list of
//! alternatives) must be a substring of cell `i`. An empty or numeric cell, or fewer expected
//! items than 21, scores 0 (OSWorld's `try` swallows the error).

use super::super::{Got, MetricError};
use super::{bad, one_file, rules};
use calamine::{Data, Reader, open_workbook_auto};
use quick_xml::events::Event;
use serde_json::Value;
use std::io::Read as _;
use std::path::Path;

/// rapidfuzz's `fuzz.ratio` / 100.
fn ratio(a: &str, b: &str) -> f64 {
    super::super::fuzz::ratio(a, b) / 100.0
}

/// One zip member's bytes.
fn member(path: &Path, name: &str) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).ok()?).ok()?;
    let mut entry = archive.by_name(name).ok()?;
    let mut buf = Vec::new();
    entry.read_to_end(&mut buf).ok()?;
    Some(buf)
}

/// The local name of an element (`w:t` → `t`).
fn local(name: &[u8]) -> Vec<u8> {
    match name.iter().position(|b| *b == b':') {
        Some(i) => name[i + 1..].to_vec(),
        None => name.to_vec(),
    }
}

/// Whether `stack` (local names from the root) is a run of a body paragraph: document/body/p/r
/// or document/body/p/hyperlink/r.
fn is_run(stack: &[Vec<u8>]) -> bool {
    let names: Vec<&[u8]> = stack.iter().map(Vec::as_slice).collect();
    matches!(
        names.as_slice(),
        [_, b"body", b"p", b"r"] | [_, b"body", b"p", b"hyperlink", b"r"]
    )
}

/// The text of each body paragraph, as python-docx gives it; `None` when the file is not a
/// docx.
pub(super) fn paragraphs(path: &Path) -> Option<Vec<String>> {
    let xml = member(path, "word/document.xml")?;
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        match event {
            Event::Start(e) => {
                let name = local(e.name().as_ref());
                if name == b"p" && stack.len() == 2 && stack[1] == b"body" {
                    out.push(String::new());
                }
                stack.push(name);
            }
            Event::Empty(e) => {
                let name = local(e.name().as_ref());
                if name == b"p" && stack.len() == 2 && stack[1] == b"body" {
                    out.push(String::new());
                }
                if is_run(&stack) {
                    let br_type = e
                        .attributes()
                        .flatten()
                        .find(|a| local(a.key.as_ref()) == b"type")
                        .map(|a| a.value.into_owned());
                    let piece = match name.as_slice() {
                        b"tab" | b"ptab" => "\t",
                        b"cr" => "\n",
                        b"br" if br_type.as_deref().is_none_or(|t| t == b"textWrapping") => "\n",
                        b"noBreakHyphen" => "-",
                        _ => "",
                    };
                    if let Some(last) = out.last_mut() {
                        last.push_str(piece);
                    }
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                let (run, last) = stack.split_at(stack.len().saturating_sub(1));
                if is_run(run) && last.first().is_some_and(|n| n == b"t") {
                    let text = t.xml_content().ok()?;
                    if let Some(p) = out.last_mut() {
                        p.push_str(&text);
                    }
                }
            }
            Event::GeneralRef(r) => {
                let (run, last) = stack.split_at(stack.len().saturating_sub(1));
                if is_run(run) && last.first().is_some_and(|n| n == b"t") {
                    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                    let ch = match name.as_str() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => r.resolve_char_ref().ok().flatten(),
                    };
                    if let (Some(p), Some(c)) = (out.last_mut(), ch) {
                        p.push(c);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(out)
}

pub(super) fn fuzzy_place_math(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "fuzzy_place_math";
    let rules = rules(M, expected)?;
    let answers: Vec<&str> = match rules.get("expected") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().ok_or_else(|| bad(M, "the answers must be text")))
            .collect::<Result<_, _>>()?,
        _ => return Err(bad(M, "rules must hold a list \"expected\"")),
    };
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Some(paras) = paragraphs(path) else {
        return Ok(0.0);
    };
    let words: Vec<&str> = paras.iter().flat_map(|p| p.split_whitespace()).collect();
    if words.len() != 3 {
        return Ok(0.0);
    }
    let total: f64 = words
        .iter()
        .map(|w| answers.iter().map(|a| ratio(w, a)).fold(0.0, f64::max))
        .sum();
    Ok(total / 3.0)
}

/// openpyxl's `wb.active`: the `activeTab` of the first `workbookView` (0 when absent).
fn active_tab(path: &Path) -> usize {
    let Some(xml) = member(path, "xl/workbook.xml") else {
        return 0;
    };
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e))
                if local(e.name().as_ref()) == b"workbookView" =>
            {
                return e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == b"activeTab")
                    .and_then(|a| String::from_utf8_lossy(&a.value).parse().ok())
                    .unwrap_or(0);
            }
            Ok(Event::Eof) | Err(_) => return 0,
            _ => {}
        }
        buf.clear();
    }
}

pub(super) fn compare_conference_city(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "compare_conference_city_in_order";
    let rules = rules(M, expected)?;
    let wanted: &[Value] = match rules.get("expected") {
        Some(Value::Array(items)) => items,
        _ => return Err(bad(M, "rules must hold a list \"expected\"")),
    };
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(mut book) = open_workbook_auto(path) else {
        return Ok(0.0);
    };
    let Some(Ok(range)) = book.worksheet_range_at(active_tab(path)) else {
        return Ok(0.0);
    };
    for (i, row) in (1u32..=21).enumerate() {
        let cell = match range.get_value((row, 2)) {
            Some(Data::String(s)) => Some(s.as_str()),
            _ => None,
        };
        let Some(want) = wanted.get(i) else {
            return Ok(0.0);
        };
        // `x in cell` raises for an empty or numeric cell: 0.
        let Some(cell) = cell else {
            return Ok(0.0);
        };
        let pass = match want {
            Value::String(s) => cell.contains(s.as_str()),
            Value::Array(alts) => {
                let mut any = false;
                for alt in alts {
                    match alt.as_str() {
                        Some(a) if cell.contains(a) => {
                            any = true;
                            break;
                        }
                        Some(_) => {}
                        None => return Ok(0.0),
                    }
                }
                any
            }
            _ => return Ok(0.0),
        };
        if !pass {
            return Ok(0.0);
        }
    }
    Ok(1.0)
}
