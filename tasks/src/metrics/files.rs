//! Metrics on files the agent produced (`general.py`, `others.py`, `vscode.py`, `chrome.py`,
//! `table.py`): archives, Python files, result files, places and cities.
//!
//! - `check_line_number`: how many lines of the file hold a time (`HH:MM:SS`) equals
//!   `int(rules["expected"])`.
//! - `compare_result_files`: the stripped texts are equal; when the gold text is a number
//!   (Python's `float()`), the result scores 1 if it contains the gold text or is a number
//!   within 1e-4 of it.
//! - `compare_python_pure_text`: the two Python files are equal after dropping a shebang or
//!   coding line among the first three lines, blank lines, trailing blanks, tabs expanded to 4.
//! - `compare_archive`, `compare_zip_files`: module `archive`.
//! - `check_python_file_by_test_suite`: module `python`.
//! - `fuzzy_place_math`, `compare_conference_city_in_order`: module `office`.

#[path = "files_archive.rs"]
mod archive;
#[path = "files_office.rs"]
mod office;
#[path = "files_python.rs"]
mod python;

use super::{Got, MetricError, gold_file, invalid, one_file, py, rules, score_of};
use serde_json::{Map, Value};
use std::path::Path;

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &[
    "check_line_number",
    "check_python_file_by_test_suite",
    "compare_archive",
    "compare_conference_city_in_order",
    "compare_python_pure_text",
    "compare_result_files",
    "compare_zip_files",
    "fuzzy_place_math",
];

/// Whether `options` fit metric `name` (one of [`NAMES`]), without reading anything.
pub(super) fn check_options(name: &str, options: &Map<String, Value>) -> Result<(), MetricError> {
    match name {
        "compare_archive" => archive::check_options(options).map(|_| ()),
        "check_python_file_by_test_suite" => python::function_name(options).map(|_| ()),
        _ => Ok(()),
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
        "check_line_number" => check_line_number(result, expected),
        "check_python_file_by_test_suite" => python::check_by_test_suite(expected, options),
        "compare_archive" => archive::compare_archive(result, expected, options),
        "compare_conference_city_in_order" => office::compare_conference_city(result, expected),
        "compare_python_pure_text" => compare_python_pure_text(result, expected),
        "compare_result_files" => compare_result_files(result, expected),
        "compare_zip_files" => archive::compare_zip_files(result, expected),
        "fuzzy_place_math" => office::fuzzy_place_math(result, expected),
        _ => Err(MetricError::Unsupported(name.to_owned())),
    }
}

/// A text file opened as Python's `open(path)` (UTF-8, universal newlines); `None` where Python
/// would raise (missing, not UTF-8).
fn read_strict(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    Some(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The time pattern `check_line_number` counts: `([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)`.
fn has_time(line: &str) -> bool {
    let b: Vec<char> = line.chars().collect();
    (0..b.len()).any(|i| {
        let at = |k: usize| b.get(i + k).copied().unwrap_or('\0');
        let hour = matches!((at(0), at(1)), ('0' | '1', '0'..='9') | ('2', '0'..='3'));
        let minute = matches!(at(3), '0'..='5') && at(4).is_ascii_digit();
        let second = matches!((at(6), at(7)), ('0'..='5', '0'..='9') | ('6', '0'));
        hour && at(2) == ':' && minute && at(5) == ':' && second
    })
}

/// Python's `int(x)` of a rule value; `None` where it raises.
fn py_int(v: &Value) -> Option<i64> {
    match v {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite())
                .map(|f| f.trunc() as i64)
        }),
        Value::String(s) => {
            let t = py::strip(s).replace('_', "");
            let t = t.strip_prefix('+').unwrap_or(&t);
            t.parse().ok()
        }
        _ => None,
    }
}

fn check_line_number(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "check_line_number";
    let rules = rules(M, expected)?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    if !path.is_file() {
        return Ok(0.0);
    }
    let Some(text) = read_strict(path) else {
        return Ok(0.0);
    };
    let count = py::file_lines(&text).iter().filter(|l| has_time(l)).count();
    let Some(want) = rules.get("expected").and_then(py_int) else {
        return Ok(0.0);
    };
    Ok(score_of(i64::try_from(count).is_ok_and(|c| c == want)))
}

/// Python's `float(s)` of an already stripped string; `None` where it raises.
fn py_float(s: &str) -> Option<f64> {
    let t = py::strip(s);
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if lower.len() - body.len() > 1 {
        return None;
    }
    if matches!(body, "inf" | "infinity" | "nan") {
        return lower.parse::<f64>().ok().or(Some(if body == "nan" {
            f64::NAN
        } else if lower.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }));
    }
    // Underscores only between digits.
    let chars: Vec<char> = body.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == '_' {
            let before = i > 0 && chars[i - 1].is_ascii_digit();
            let after = chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if !before || !after {
                return None;
            }
        } else if !(c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-')) {
            return None;
        }
    }
    if !chars.iter().any(char::is_ascii_digit) {
        return None;
    }
    lower.replace('_', "").parse::<f64>().ok()
}

fn compare_result_files(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "compare_result_files";
    let (Some(src), Some(tgt)) = (
        one_file(M, "result", result)?,
        one_file(M, "expected", expected)?,
    ) else {
        return Ok(0.0);
    };
    let (Some(src), Some(tgt)) = (read_strict(src), read_strict(tgt)) else {
        return Ok(0.0);
    };
    let (src, tgt) = (py::strip(&src), py::strip(&tgt));
    if let Some(gold) = py_float(tgt) {
        if src.contains(tgt) {
            return Ok(1.0);
        }
        if let Some(got) = py_float(src) {
            return Ok(score_of((got - gold).abs() < 1e-4));
        }
    }
    Ok(score_of(src == tgt))
}

/// Python's `str.expandtabs(4)`.
fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut col = 0;
    for c in line.chars() {
        match c {
            '\t' => {
                let n = 4 - col % 4;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// OSWorld's `_normalize` of a Python file (see the module doc).
fn normalize_python(text: &str) -> String {
    let lines = py::splitlines(text);
    let mut i = 0;
    while i < lines.len() && i < 3 {
        let s = py::strip(lines[i]);
        let meta = s.starts_with("#!")
            || s.starts_with("# -*- coding:")
            || s.starts_with("# coding:")
            || s.starts_with("# coding=");
        if !meta {
            break;
        }
        i += 1;
    }
    let kept: Vec<String> = lines[i..]
        .iter()
        .filter(|l| !py::strip(l).is_empty())
        .map(|l| expand_tabs(l).trim_end_matches(py::is_space).to_owned())
        .collect();
    kept.join("\n")
}

fn compare_python_pure_text(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "compare_python_pure_text";
    let (Some(user), Some(gold)) = (
        one_file(M, "result", result)?,
        one_file(M, "expected", expected)?,
    ) else {
        return Ok(0.0);
    };
    let (Some(user), Some(gold)) = (read_strict(user), read_strict(gold)) else {
        return Ok(0.0);
    };
    Ok(score_of(normalize_python(&user) == normalize_python(&gold)))
}

/// The gold file of `metric`, which must be there (for the modules below).
fn gold<'g>(metric: &str, expected: Option<&'g Got>) -> Result<&'g Path, MetricError> {
    gold_file(metric, expected)
}

/// `MetricError::Invalid` for the modules below.
fn bad(metric: &str, reason: impl Into<String>) -> MetricError {
    invalid(metric, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_semantics() {
        assert!(has_time("at 12:30:59 ok"));
        assert!(has_time("23:59:60"));
        assert!(!has_time("24:00:00"));
        assert!(!has_time("1:00:00"));
        assert_eq!(py_float(" 1_000.5 "), Some(1000.5));
        assert_eq!(py_float("1__0"), None);
        assert_eq!(py_float("abc"), None);
        assert!(py_float("NaN").is_some_and(f64::is_nan));
        assert_eq!(py_float("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(py_int(&Value::from("31")), Some(31));
        assert_eq!(py_int(&Value::from("31.0")), None);
        assert_eq!(expand_tabs("a\tb"), "a   b");
        assert_eq!(
            normalize_python("#!/usr/bin/env python\n\nx = 1  \n\tif x:\n"),
            "x = 1\n    if x:"
        );
    }
}
