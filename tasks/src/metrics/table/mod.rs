//! `compare_table(result, expected, rules=[…])`: OSWorld's spreadsheet checks (`table.py`).
//!
//! The rules run in order; the first that fails scores 0, else 1. A result workbook that is
//! missing or cannot be read scores 0; an expected one that cannot be read is `Invalid`.
//!
//! A rule names its sheets with `sheet_idx0` / `sheet_idx1` (or `sheet_idx`): an integer is a
//! sheet of the result by position, `RI<n>` / `RN<name>` a sheet of the result by position or
//! name, `EI<n>` / `EN<name>` one of the expected workbook.
//!
//! Rules deskhand runs:
//! - `sheet_name`: both workbooks have the same sheet names, in order.
//! - `sheet_data`: the two sheets hold the same data, as pandas compares them ([`frame`]),
//!   numbers rounded to `precision` (4) decimals.
//! - `sheet_print`: the two sheets print the same: the csv files exported beside each workbook,
//!   `<workbook stem>-<sheet name>.csv`, have the same lines (each stripped; trailing empty
//!   lines ignored; `ignore_case`).
//! - `sheet_fuzzy`: cells of given ranges compared as text (`exact_match`, `includes`,
//!   `included_by`, `fuzzy_match` with a `threshold`), after `normalization`, `trim_leadings`,
//!   `trim_trailings`, `ignore_chars`, `ignore_case`.
//! - `check_cell`: one cell of one sheet against `props`: `value` (the cell's value as OSWorld
//!   reads it: a float, a string, or `None` for an empty or boolean cell) and `merge` (xlsx: the
//!   cell is covered by a merged range, not its top-left cell), each with a value rule
//!   ([`value_rule`]).
//!
//! Rules on formatting and objects calamine does not read (`chart`, `pivot_table`, `style`,
//! `freeze`, `zoom`, `data_validation`, `row_props`, `col_props`, `filter`, `sparkline`, and
//! `check_cell` props other than `value` and `merge`) are `Unsupported`.

mod book;
mod frame;
mod value_rule;

use super::{Got, MetricError, flag, invalid, py};
use book::{Book, Sheet};
use frame::Frame;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use value_rule::RuleError;

const M: &str = "compare_table";

/// OSWorld's rules that deskhand does not run.
const UNSUPPORTED_RULES: &[&str] = &[
    "chart",
    "col_props",
    "data_validation",
    "filter",
    "freeze",
    "pivot_table",
    "row_props",
    "sparkline",
    "style",
    "zoom",
];

/// Checks `options["rules"]` without reading any file.
pub(super) fn check_options(options: &Map<String, Value>) -> Result<(), MetricError> {
    for rule in rules(options)? {
        check_rule(rule)?;
    }
    Ok(())
}

fn rules(options: &Map<String, Value>) -> Result<Vec<&Map<String, Value>>, MetricError> {
    let Some(Value::Array(rules)) = options.get("rules") else {
        return Err(invalid(M, "options.rules must be a list of rules"));
    };
    rules
        .iter()
        .map(|r| {
            r.as_object()
                .ok_or_else(|| invalid(M, format!("a rule must be an object, got {r}")))
        })
        .collect()
}

fn rule_type(rule: &Map<String, Value>) -> Result<&str, MetricError> {
    rule.get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(M, "a rule needs a string \"type\""))
}

fn check_rule(rule: &Map<String, Value>) -> Result<(), MetricError> {
    let kind = rule_type(rule)?;
    match kind {
        "sheet_name" | "sheet_data" | "sheet_print" => Ok(()),
        "sheet_fuzzy" => {
            for sub in list(rule, "rules")? {
                let sub = sub
                    .as_object()
                    .ok_or_else(|| invalid(M, "sheet_fuzzy: each rule must be an object"))?;
                fuzzy_kind(sub)?;
                fuzzy_cells(sub)?;
            }
            Ok(())
        }
        "check_cell" => {
            let Some(Value::Object(props)) = rule.get("props") else {
                return Err(invalid(M, "check_cell: props must be an object"));
            };
            value_rule::check_props(props).map_err(|e| rule_error("check_cell", e))
        }
        k if UNSUPPORTED_RULES.contains(&k) => {
            Err(MetricError::Unsupported(format!("{M} rule {k}")))
        }
        k => Err(invalid(M, format!("unknown rule type {k:?}"))),
    }
}

fn rule_error(rule: &str, e: RuleError) -> MetricError {
    match e {
        RuleError::Unsupported(what) => MetricError::Unsupported(format!("{M} rule {rule} {what}")),
        RuleError::Invalid(why) => invalid(M, format!("{rule}: {why}")),
        RuleError::Raises => invalid(M, format!("{rule}: the rule cannot apply")),
    }
}

fn list<'r>(rule: &'r Map<String, Value>, key: &str) -> Result<&'r [Value], MetricError> {
    match rule.get(key) {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(invalid(M, format!("{key} must be a list"))),
    }
}

/// A workbook file handed to the metric and the other files handed with it (a `multi`
/// getter's csv exports).
struct Input<'g> {
    path: Option<&'g Path>,
    others: Vec<&'g Path>,
}

fn input<'g>(role: &str, got: &'g Got) -> Result<Input<'g>, MetricError> {
    match got {
        Got::File(p) => Ok(Input {
            path: p.as_deref(),
            others: Vec::new(),
        }),
        Got::Files(ps) => Ok(Input {
            path: ps.first().and_then(|p| p.as_deref()),
            others: ps.iter().skip(1).flatten().map(PathBuf::as_path).collect(),
        }),
        other => Err(invalid(
            M,
            format!("the {role} must be a workbook file, got {}", other.kind()),
        )),
    }
}

/// Which workbook a sheet is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Result,
    Expected,
}

struct Books<'g> {
    result: Book,
    result_others: Vec<&'g Path>,
    expected: Option<(Book, Vec<&'g Path>)>,
}

impl Books<'_> {
    fn book(&self, which: Which) -> Result<&Book, MetricError> {
        match which {
            Which::Result => Ok(&self.result),
            Which::Expected => self.expected.as_ref().map(|(b, _)| b).ok_or_else(|| {
                invalid(
                    M,
                    "a rule names a sheet of the expected workbook, but there is none",
                )
            }),
        }
    }

    fn others(&self, which: Which) -> &[&Path] {
        match (which, &self.expected) {
            (Which::Result, _) => &self.result_others,
            (Which::Expected, Some((_, others))) => others,
            (Which::Expected, None) => &[],
        }
    }

    /// `_parse_sheet_idx`: the workbook and sheet name a rule's index names; the name is ""
    /// where a position is out of range.
    fn sheet_ref(&self, idx: Option<&Value>) -> Result<(Which, String), MetricError> {
        let by_position = |which: Which, n: i64| -> Result<(Which, String), MetricError> {
            let names = self.book(which)?.names();
            let i = if n < 0 { names.len() as i64 + n } else { n };
            let name = usize::try_from(i)
                .ok()
                .and_then(|i| names.get(i))
                .cloned()
                .unwrap_or_default();
            Ok((which, name))
        };
        match idx {
            Some(Value::Number(n)) => {
                let n = n
                    .as_i64()
                    .ok_or_else(|| invalid(M, format!("bad sheet index {n}")))?;
                by_position(Which::Result, n)
            }
            Some(Value::String(s)) => {
                let (which, by_name) = match s.get(..2) {
                    Some("RI") => (Which::Result, false),
                    Some("RN") => (Which::Result, true),
                    Some("EI") => (Which::Expected, false),
                    Some("EN") => (Which::Expected, true),
                    _ => return Err(invalid(M, format!("unrecognized sheet index {s:?}"))),
                };
                let rest = &s[2..];
                if by_name {
                    self.book(which)?;
                    Ok((which, rest.to_owned()))
                } else {
                    match rest.parse::<i64>() {
                        Ok(n) => by_position(which, n),
                        Err(_) => Ok((which, String::new())),
                    }
                }
            }
            Some(other) => Err(invalid(M, format!("bad sheet index {other}"))),
            None => Err(invalid(M, "a rule needs its sheet index")),
        }
    }

    fn sheet(&self, which: Which, name: &str) -> Result<Option<&Sheet>, MetricError> {
        Ok(self.book(which)?.sheet(name))
    }
}

pub(super) fn compare_table(
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    let rules = rules(options)?;
    for rule in &rules {
        check_rule(rule)?;
    }
    let Some(result) = result else {
        return Err(invalid(M, "no result getter"));
    };
    let result = input("result", result)?;
    // As OSWorld: the result is read first, and scores 0 when missing or unreadable.
    let Some(result_path) = result.path else {
        return Ok(0.0);
    };
    let Ok(result_book) = Book::open(result_path) else {
        return Ok(0.0);
    };
    let expected = match expected {
        None => None,
        Some(got) => {
            let gold = input("expected", got)?;
            let path = gold
                .path
                .ok_or_else(|| invalid(M, "the expected workbook is missing"))?;
            let book = Book::open(path).map_err(|e| {
                invalid(
                    M,
                    format!(
                        "cannot read the expected workbook {}: {}",
                        path.display(),
                        crate::error::chain(&e)
                    ),
                )
            })?;
            Some((book, gold.others))
        }
    };
    let books = Books {
        result: result_book,
        result_others: result.others,
        expected,
    };
    for rule in rules {
        if !run_rule(&books, rule)? {
            return Ok(0.0);
        }
    }
    Ok(1.0)
}

fn run_rule(books: &Books, rule: &Map<String, Value>) -> Result<bool, MetricError> {
    match rule_type(rule)? {
        "sheet_name" => Ok(match &books.expected {
            Some((expected, _)) => books.result.names() == expected.names(),
            None => false,
        }),
        "sheet_data" => sheet_data(books, rule),
        "sheet_print" => sheet_print(books, rule),
        "sheet_fuzzy" => sheet_fuzzy(books, rule),
        "check_cell" => check_cell(books, rule),
        other => Err(MetricError::Unsupported(format!("{M} rule {other}"))),
    }
}

fn sheet_data(books: &Books, rule: &Map<String, Value>) -> Result<bool, MetricError> {
    let precision = match rule.get("precision") {
        None => 4,
        Some(p) => p
            .as_i64()
            .and_then(|p| i32::try_from(p).ok())
            .ok_or_else(|| invalid(M, format!("sheet_data: bad precision {p}")))?,
    };
    let (w0, n0) = books.sheet_ref(rule.get("sheet_idx0"))?;
    let Some(first) = books.sheet(w0, &n0)? else {
        return Ok(false);
    };
    let (w1, n1) = books.sheet_ref(rule.get("sheet_idx1"))?;
    let Some(second) = books.sheet(w1, &n1)? else {
        return match w1 {
            Which::Result => Ok(false),
            Which::Expected => Err(invalid(
                M,
                format!("the expected workbook has no sheet {n1:?}"),
            )),
        };
    };
    Ok(Frame::read(first).equals(&Frame::read(second), precision))
}

fn sheet_print(books: &Books, rule: &Map<String, Value>) -> Result<bool, MetricError> {
    let printed = |key: &str| -> Result<Option<Vec<String>>, MetricError> {
        let (which, name) = books.sheet_ref(rule.get(key))?;
        let book = books.book(which)?;
        Ok(read_print(book.path(), &name, books.others(which)))
    };
    let Some(mut first) = printed("sheet_idx0")? else {
        return Ok(false);
    };
    let Some(mut second) = printed("sheet_idx1")? else {
        return Ok(false);
    };
    if flag(rule, "ignore_case", false) {
        first = first.iter().map(|l| l.to_lowercase()).collect();
        second = second.iter().map(|l| l.to_lowercase()).collect();
    }
    Ok(first == second)
}

/// `<workbook without extension>-<sheet>.csv`, beside the workbook or among the files handed
/// with it: its lines stripped, trailing empty ones dropped.
fn read_print(workbook: &Path, sheet: &str, others: &[&Path]) -> Option<Vec<String>> {
    let stem = workbook.file_stem()?.to_string_lossy();
    let file_name = format!("{stem}-{sheet}.csv");
    let beside = workbook.with_file_name(&file_name);
    let path = if beside.is_file() {
        beside.as_path()
    } else {
        others
            .iter()
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy() == file_name)
            })
            .copied()?
    };
    let text = py::read_text_any_encoding(path).ok()?;
    let mut lines: Vec<String> = py::splitlines(&text)
        .into_iter()
        .map(|l| py::strip(l).to_owned())
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    Some(lines)
}

/// `read_cell_value`: a number as a float, text as a string, an error as its text; `None`
/// for an empty or boolean cell, or a sheet that is not there.
fn cell_value(
    books: &Books,
    which: Which,
    sheet: &str,
    (row, col): (usize, usize),
) -> Result<Value, MetricError> {
    use book::Cell;
    let Some(sheet) = books.sheet(which, sheet)? else {
        return Ok(Value::Null);
    };
    Ok(match sheet.cell(row, col) {
        Cell::Empty | Cell::Bool(_) => Value::Null,
        Cell::Number(f) | Cell::Date(f) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        Cell::Text(s) | Cell::Error(s) => Value::String(s.clone()),
    })
}

fn check_cell(books: &Books, rule: &Map<String, Value>) -> Result<bool, MetricError> {
    let (which, name) = books.sheet_ref(rule.get("sheet_idx"))?;
    if books.sheet(which, &name)?.is_none() {
        return Ok(false);
    }
    let coordinate = rule
        .get("coordinate")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(M, "check_cell needs a coordinate"))?;
    let at = parse_cell(coordinate)
        .ok_or_else(|| invalid(M, format!("check_cell: bad coordinate {coordinate:?}")))?;
    let Some(Value::Object(props)) = rule.get("props") else {
        return Err(invalid(M, "check_cell: props must be an object"));
    };
    for (prop, value_rule) in props {
        let value = match prop.as_str() {
            "value" => cell_value(books, which, &name, at)?,
            "merge" => {
                let book = books.book(which)?;
                let merged = book.is_merged(&name, at.0, at.1).ok_or_else(|| {
                    MetricError::Unsupported(format!(
                        "{M} rule check_cell prop merge on {}",
                        book.path().display()
                    ))
                })?;
                Value::Bool(merged)
            }
            other => {
                return Err(MetricError::Unsupported(format!(
                    "{M} rule check_cell prop {other}"
                )));
            }
        };
        match value_rule::matches(&value, value_rule) {
            Ok(true) => {}
            Ok(false) | Err(RuleError::Raises) => return Ok(false),
            Err(e) => return Err(rule_error("check_cell", e)),
        }
    }
    Ok(true)
}

/// How a `sheet_fuzzy` sub-rule compares two cells.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fuzzy {
    Exact,
    Includes,
    IncludedBy,
    Ratio(f64),
}

fn fuzzy_kind(rule: &Map<String, Value>) -> Result<Fuzzy, MetricError> {
    match rule.get("type").and_then(Value::as_str) {
        Some("exact_match") => Ok(Fuzzy::Exact),
        Some("includes") => Ok(Fuzzy::Includes),
        Some("included_by") => Ok(Fuzzy::IncludedBy),
        Some("fuzzy_match") => match rule.get("threshold") {
            None => Ok(Fuzzy::Ratio(85.0)),
            Some(t) => t
                .as_f64()
                .map(Fuzzy::Ratio)
                .ok_or_else(|| invalid(M, format!("sheet_fuzzy: bad threshold {t}"))),
        },
        other => Err(invalid(M, format!("sheet_fuzzy: unknown type {other:?}"))),
    }
}

fn sheet_fuzzy(books: &Books, rule: &Map<String, Value>) -> Result<bool, MetricError> {
    let (w0, n0) = books.sheet_ref(rule.get("sheet_idx0"))?;
    let (w1, n1) = books.sheet_ref(rule.get("sheet_idx1"))?;
    for sub in list(rule, "rules")? {
        let Some(sub) = sub.as_object() else {
            return Err(invalid(M, "sheet_fuzzy: each rule must be an object"));
        };
        let kind = fuzzy_kind(sub)?;
        let text_opt = |key: &str| sub.get(key).and_then(Value::as_str);
        let cells = fuzzy_cells(sub)?;
        for at in cells {
            let mut a = py::to_str(&cell_value(books, w0, &n0, at)?);
            let mut b = py::to_str(&cell_value(books, w1, &n1, at)?);
            if let Some(Value::Array(pairs)) = sub.get("normalization") {
                for pair in pairs {
                    if let Some([Value::String(from), Value::String(to)]) =
                        pair.as_array().map(Vec::as_slice)
                    {
                        a = a.replace(from.as_str(), to);
                        b = b.replace(from.as_str(), to);
                    }
                }
            }
            if let Some(chars) = text_opt("trim_leadings") {
                a = a.trim_start_matches(|c| chars.contains(c)).to_owned();
                b = b.trim_start_matches(|c| chars.contains(c)).to_owned();
            }
            if let Some(chars) = text_opt("trim_trailings") {
                a = a.trim_end_matches(|c| chars.contains(c)).to_owned();
                b = b.trim_end_matches(|c| chars.contains(c)).to_owned();
            }
            if let Some(chars) = text_opt("ignore_chars") {
                a.retain(|c| !chars.contains(c));
                b.retain(|c| !chars.contains(c));
            }
            if flag(sub, "ignore_case", false) {
                a = a.to_lowercase();
                b = b.to_lowercase();
            }
            let pass = match kind {
                Fuzzy::Exact => a == b,
                Fuzzy::Includes => a.contains(b.as_str()),
                Fuzzy::IncludedBy => b.contains(a.as_str()),
                Fuzzy::Ratio(threshold) => fuzz_ratio(&a, &b) >= threshold,
            };
            if !pass {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// rapidfuzz's `fuzz.ratio`, from 0 to 100.
fn fuzz_ratio(a: &str, b: &str) -> f64 {
    super::fuzz::ratio(a, b)
}

/// `A1`, `$B$2`, `aa10` → 0-based (row, column).
fn parse_cell(coordinate: &str) -> Option<(usize, usize)> {
    let s: String = coordinate.chars().filter(|c| *c != '$').collect();
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let col = letters.chars().fold(0usize, |acc, c| {
        acc * 26 + (c.to_ascii_uppercase() as usize - 'A' as usize + 1)
    });
    let row: usize = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// A `sheet_fuzzy` sub-rule's `range` as openpyxl's `MultiCellRange(range)` reads it: a string
/// of ranges separated by blanks, or a list of single ranges (an item holding two ranges makes
/// openpyxl raise, as does a range whose end comes before its start).
fn fuzzy_cells(sub: &Map<String, Value>) -> Result<Vec<(usize, usize)>, MetricError> {
    let bad = |r: &Value| invalid(M, format!("sheet_fuzzy: bad range {r}"));
    match sub.get("range") {
        Some(v @ Value::String(ranges)) => parse_ranges(ranges).ok_or_else(|| bad(v)),
        Some(Value::Array(items)) => {
            let mut cells = Vec::new();
            for item in items {
                match item {
                    Value::String(r) if r.split_whitespace().count() == 1 => {
                        cells.extend(parse_ranges(r).ok_or_else(|| bad(item))?);
                    }
                    other => return Err(bad(other)),
                }
            }
            Ok(cells)
        }
        _ => Err(invalid(
            M,
            "sheet_fuzzy: range must be a string or a list of ranges",
        )),
    }
}

/// `A1:C3 E5` (openpyxl's `MultiCellRange`) → its cells, row by row; `None` for a range that
/// is not one, or whose end comes before its start (`B3:A1`, which openpyxl refuses).
fn parse_ranges(ranges: &str) -> Option<Vec<(usize, usize)>> {
    let mut cells = Vec::new();
    for range in ranges.split_whitespace() {
        let (from, to) = match range.split_once(':') {
            Some((a, b)) => (parse_cell(a)?, parse_cell(b)?),
            None => {
                let c = parse_cell(range)?;
                (c, c)
            }
        };
        if to.0 < from.0 || to.1 < from.1 {
            return None;
        }
        for r in from.0..=to.0 {
            for c in from.1..=to.1 {
                cells.push((r, c));
            }
        }
    }
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_and_ranges() {
        assert_eq!(parse_cell("A1"), Some((0, 0)));
        assert_eq!(parse_cell("$AB$10"), Some((9, 27)));
        assert_eq!(parse_cell("A0"), None);
        assert_eq!(parse_cell("1A"), None);
        assert_eq!(
            parse_ranges("A1:B2 D1"),
            Some(vec![(0, 0), (0, 1), (1, 0), (1, 1), (0, 3)])
        );
        // openpyxl's CellRange refuses a range that ends before it starts.
        assert_eq!(parse_ranges("B3:A1"), None);
        assert_eq!(parse_ranges("A3:B1"), None);
    }

    #[test]
    fn fuzzy_ranges_as_multicellrange() {
        let sub = |range: Value| {
            let mut m = Map::new();
            m.insert("range".into(), range);
            fuzzy_cells(&m)
        };
        // MultiCellRange("A1:B1 A3") splits a string at blanks …
        assert_eq!(
            sub(Value::from("A1:B1 A3")).unwrap(),
            vec![(0, 0), (0, 1), (2, 0)]
        );
        // … but each item of a list must be one range: OSWorld raises on "A1:B1 A3".
        assert_eq!(
            sub(serde_json::json!(["A1:B1", "A3"])).unwrap(),
            vec![(0, 0), (0, 1), (2, 0)]
        );
        assert!(sub(serde_json::json!(["A1:B1 A3"])).is_err());
        assert!(sub(serde_json::json!(["B3:A1"])).is_err());
        assert!(sub(serde_json::json!(3)).is_err());
    }

    #[test]
    fn fuzz_ratio_as_rapidfuzz() {
        // rapidfuzz.fuzz.ratio("this is a test", "this is a test!") == 96.55172413793103
        assert!(
            (fuzz_ratio("this is a test", "this is a test!") - 96.551_724_137_931_03).abs() < 1e-9
        );
        assert_eq!(fuzz_ratio("", ""), 100.0);
        assert_eq!(fuzz_ratio("abc", ""), 0.0);
    }
}
