//! Metrics on structured records (`general.py`): `check_json`, `check_csv`, `run_sqlite3`, and
//! the value-against-rule test they share with Thunderbird's prefs (`utils.py`'s
//! `_match_value_to_rule`).
//!
//! - `check_json(file, rules, is_yaml=False)`: the file is loaded as JSON (or YAML as PyYAML's
//!   `safe_load` reads it, see [`yaml`]); each `rules["expect"]` item `{key: [k, …], method,
//!   ref}` follows its keys into the document (`value[k]`, as Python indexes dicts, lists and
//!   strings) and must match; each `unexpect` item must not. A file that is missing, does not
//!   parse, or is empty YAML scores 0; so does a key that is not there in an `expect` item (in
//!   an `unexpect` item the value is then `None`) and any rule that makes Python raise (OSWorld
//!   catches everything there, a method it does not know included). Rules are evaluated as
//!   Python's `metric and …` does: once the score is false, later methods are not tried (their
//!   keys still are). `NaN`, `Infinity` and `-Infinity` load, as `json.load` reads them (see
//!   [`python_constants`]).
//! - `check_csv(file, rules)`: `csv.DictReader` rows (the first row names the columns; a short
//!   row leaves the rest `None`, so a rule asking for `null` matches it; a UTF-8 BOM stays in
//!   the first column's name); every `expect` record (`{column: value}`, Python `==`) must match
//!   some row and no `unexpect` record any row.
//! - `run_sqlite3(file, rules)`: the first column of the first row of `rules["sql"]` run on the
//!   database, as a float (`NULL` and 0 are 0). Not clamped: a query giving 5 scores 5, as in
//!   OSWorld. A missing database, a failing query or no row scores 0 (OSWorld raises there).
//!   SQLite reads a file only when a query needs a page of it, so on a file that is not a
//!   database a query reading no table (`SELECT 1`) still runs, as with OSWorld's SQLite 3.40
//!   (see [`without_pages`]).
//!
//! Rule methods ([`match_rule`]): `re…` (`re.search(ref, value, flags)`, flags after dots:
//! `re.S`, `re.I.M`), `eq ne le lt ge gt` (Python's operators), `approx:T` (`float(value)`
//! within `T` of `ref`; a value `float()` refuses is no match), `range.XY` (`ref[0] lX value lY
//! ref[1]`, `t` for `<`, `e` for `<=`), `str_list_eq`/`str_set_eq` (the value, its quotes
//! stripped, split on commas, against the list `ref`).

#[path = "records_yaml.rs"]
mod yaml;

use super::{Got, MetricError, flag, invalid, one_file, py, rules, score_of};
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &["check_csv", "check_json", "run_sqlite3"];

/// Whether `options` fit metric `name` (one of [`NAMES`]), without reading anything: only
/// `check_json` takes an option (`is_yaml`); Python refuses any other keyword.
pub(super) fn check_options(name: &str, options: &Map<String, Value>) -> Result<(), MetricError> {
    let allowed: &[&str] = if name == "check_json" {
        &["is_yaml"]
    } else {
        &[]
    };
    match options.keys().find(|k| !allowed.contains(&k.as_str())) {
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
    match name {
        "check_csv" => check_csv(result, expected),
        "check_json" => check_json(result, expected, flag(options, "is_yaml", false)),
        "run_sqlite3" => run_sqlite3(result, expected),
        _ => Err(MetricError::Unsupported(name.to_owned())),
    }
}

/// Python raised while a rule was applied (`TypeError`, `KeyError`, a bad pattern, …).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Raised(pub(super) String);

/// `_match_value_to_rule(value, rule)`; `Err` where Python raises (a method it does not know
/// raises `NotImplementedError`).
pub(super) fn match_rule(value: &Value, rule: &Value) -> Result<bool, Raised> {
    let method = match rule.get("method") {
        Some(Value::String(m)) => m.as_str(),
        Some(other) => return Err(Raised(format!("method {other} is not a string"))),
        None => return Err(Raised("KeyError: 'method'".to_owned())),
    };
    let reference = || {
        rule.get("ref")
            .ok_or_else(|| Raised("KeyError: 'ref'".to_owned()))
    };
    if method.starts_with("re") {
        let flags: Vec<&str> = method.split('.').skip(1).collect();
        let Value::String(pattern) = reference()? else {
            return Err(Raised("TypeError: the pattern must be a string".to_owned()));
        };
        let re = py::regex(pattern, &flags).map_err(|e| Raised(e.to_string()))?;
        let Value::String(text) = value else {
            return Err(Raised(format!(
                "TypeError: expected string, got {}",
                py::repr(value)
            )));
        };
        return Ok(py::search(&re, text));
    }
    let ordered = |want: &[Ordering]| -> Result<bool, Raised> {
        Ok(compare(value, reference()?)?.is_some_and(|o| want.contains(&o)))
    };
    match method {
        "eq" => return Ok(py::eq(value, reference()?)),
        "ne" => return Ok(!py::eq(value, reference()?)),
        "lt" => return ordered(&[Ordering::Less]),
        "le" => return ordered(&[Ordering::Less, Ordering::Equal]),
        "gt" => return ordered(&[Ordering::Greater]),
        "ge" => return ordered(&[Ordering::Greater, Ordering::Equal]),
        _ => {}
    }
    if method.starts_with("approx") {
        let threshold = method
            .split(':')
            .nth(1)
            .and_then(py_float_str)
            .ok_or_else(|| Raised(format!("{method:?} names no threshold")))?;
        // OSWorld's debug line reads `rule["ref"]` first; a value float() refuses is no match
        // before the reference is ever subtracted.
        let reference = reference()?;
        let Some(v) = py_float(value) else {
            return Ok(false);
        };
        let reference = match reference {
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
            other => {
                return Err(Raised(format!(
                    "TypeError: ref {} is not a number",
                    py::repr(other)
                )));
            }
        };
        return Ok((v - reference).abs() <= threshold);
    }
    if method == "spreadsheet_range" {
        return Err(Raised(
            "spreadsheet_range needs openpyxl cell ranges, not JSON values".to_owned(),
        ));
    }
    if let Some(ends) = method.strip_prefix("range.") {
        // `range.te`: ref[0] < value <= ref[1] (`l` + each letter names the operator).
        let mut letters = ends.chars();
        let (Some(left), Some(right)) = (letters.next(), letters.next()) else {
            return Err(Raised(format!("IndexError: {method:?} is too short")));
        };
        let op = |c: char, a: &Value, b: &Value| -> Result<bool, Raised> {
            let o = compare(a, b)?;
            match c {
                't' => Ok(o == Some(Ordering::Less)),
                'e' => Ok(o.is_some_and(|o| o != Ordering::Greater)),
                _ => Err(Raised(format!("AttributeError: operator has no l{c}"))),
            }
        };
        let bound = |i: usize| {
            reference()?
                .get(i)
                .ok_or_else(|| Raised("the range's ref must be two values".to_owned()))
        };
        return Ok(op(left, bound(0)?, value)? && op(right, value, bound(1)?)?);
    }
    if method == "str_list_eq" || method == "str_set_eq" {
        let Value::String(text) = value else {
            return Err(Raised(format!(
                "AttributeError: {} has no strip",
                py::repr(value)
            )));
        };
        let items: Vec<Value> = text
            .trim_matches(['"', '\''])
            .split(',')
            .map(|s| Value::String(s.to_owned()))
            .collect();
        let Value::Array(want) = reference()? else {
            return Err(Raised("the ref must be a list".to_owned()));
        };
        if method == "str_list_eq" {
            return Ok(py::eq(&Value::Array(items), &Value::Array(want.clone())));
        }
        let contains = |set: &[Value], v: &Value| set.iter().any(|w| py::eq(v, w));
        return Ok(
            items.iter().all(|v| contains(want, v)) && want.iter().all(|v| contains(&items, v))
        );
    }
    Err(Raised(format!("NotImplementedError: method {method:?}")))
}

/// Python's `a < b` and friends as one ordering; `None` where no operator holds (a NaN loaded
/// by `check_json`, see [`PY_FLOAT`]), `Err` where Python raises.
fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>, Raised> {
    let raised = || Raised("TypeError: not comparable".to_owned());
    if python_float(a).is_none() && python_float(b).is_none() {
        return py::compare(a, b).map(Some).map_err(|_| raised());
    }
    let number = |v: &Value| match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Number(n) => n.as_f64(),
        other => python_float(other),
    };
    match (number(a), number(b)) {
        (Some(a), Some(b)) => Ok(a.partial_cmp(&b)),
        _ => Err(raised()),
    }
}

/// The float a [`PY_FLOAT`] object stands for.
fn python_float(value: &Value) -> Option<f64> {
    let Value::Object(map) = value else {
        return None;
    };
    match (map.len(), map.get(PY_FLOAT)?.as_str()?) {
        (1, "NaN") => Some(f64::NAN),
        (1, "Infinity") => Some(f64::INFINITY),
        (1, "-Infinity") => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Python's `float(value)`; `None` where it raises.
fn py_float(value: &Value) -> Option<f64> {
    match value {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Number(n) => n.as_f64(),
        Value::String(s) => py_float_str(s),
        _ => None,
    }
}

/// Python's `float(str)`: surrounding whitespace allowed, `_` between digits, `inf`/`nan`.
fn py_float_str(s: &str) -> Option<f64> {
    let s = py::strip(s);
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let digit = |j: Option<&u8>| j.is_some_and(u8::is_ascii_digit);
            if !digit(i.checked_sub(1).and_then(|j| bytes.get(j))) || !digit(bytes.get(i + 1)) {
                return None;
            }
        }
    }
    let s = s.replace('_', "");
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if lower.len() - unsigned.len() > 1 {
        return None;
    }
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return lower.parse().ok();
    }
    if !unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    s.parse().ok()
}

/// One `value[k]` step of `check_json`'s key walk.
enum Step {
    Value(Value),
    /// `KeyError` or `TypeError`: handled by the loop.
    Missing,
    /// Any other exception (`IndexError`): OSWorld's outer `except` scores 0.
    Raised,
}

fn index(value: &Value, key: &Value) -> Step {
    let int = |k: &Value| match k {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Number(n) => n.as_i64(),
        _ => None,
    };
    let at = |len: usize, k: i64| -> Option<usize> {
        let len = i64::try_from(len).ok()?;
        let i = if k < 0 { k + len } else { k };
        (0..len)
            .contains(&i)
            .then(|| usize::try_from(i).ok())
            .flatten()
    };
    match value {
        Value::Object(map) => match key {
            Value::String(k) => map.get(k).cloned().map_or(Step::Missing, Step::Value),
            // Unhashable: TypeError. Numbers and None are never a JSON object's keys.
            _ => Step::Missing,
        },
        Value::Array(items) => match int(key) {
            Some(k) => match at(items.len(), k) {
                Some(i) => Step::Value(items[i].clone()),
                None => Step::Raised,
            },
            None => Step::Missing,
        },
        Value::String(s) => match int(key) {
            Some(k) => {
                let chars: Vec<char> = s.chars().collect();
                match at(chars.len(), k) {
                    Some(i) => Step::Value(Value::String(chars[i].to_string())),
                    None => Step::Raised,
                }
            }
            None => Step::Missing,
        },
        _ => Step::Missing,
    }
}

/// `r["key"]` as Python iterates it: a list's items, a string's characters.
fn keys_of(rule: &Value) -> Option<Vec<Value>> {
    match rule.get("key")? {
        Value::Array(keys) => Some(keys.clone()),
        Value::String(s) => Some(s.chars().map(|c| Value::String(c.to_string())).collect()),
        Value::Object(o) => Some(o.keys().cloned().map(Value::String).collect()),
        _ => None,
    }
}

/// The items of `rules.get(name, {})` as Python's `for r in …` yields them.
fn rule_items(
    metric: &str,
    rules: &Map<String, Value>,
    name: &str,
) -> Result<Vec<Value>, MetricError> {
    match rules.get(name) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(Value::Object(o)) => Ok(o.keys().cloned().map(Value::String).collect()),
        Some(Value::String(s)) => Ok(s.chars().map(|c| Value::String(c.to_string())).collect()),
        Some(other) => Err(invalid(
            metric,
            format!("{name} must be a list, got {other}"),
        )),
    }
}

fn check_json(
    result: Option<&Got>,
    expected: Option<&Got>,
    is_yaml: bool,
) -> Result<f64, MetricError> {
    const M: &str = "check_json";
    let rules = rules(M, expected)?;
    let expect = rule_items(M, rules, "expect")?;
    let unexpect = rule_items(M, rules, "unexpect")?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(0.0);
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(0.0);
    };
    let data = if is_yaml {
        match yaml::safe_load(&text) {
            Ok(Some(v)) if v != Value::Null => v,
            _ => return Ok(0.0),
        }
    } else {
        match serde_json::from_str::<Value>(&python_constants(&text)) {
            Ok(v) => v,
            Err(_) => return Ok(0.0),
        }
    };
    // Python's `metric = metric and …`: once false, later rules are not tried (their keys
    // still are walked).
    let mut metric = true;
    for rule in &expect {
        let Some(keys) = keys_of(rule) else {
            return Ok(0.0);
        };
        let mut value = data.clone();
        for k in &keys {
            match index(&value, k) {
                Step::Value(v) => value = v,
                Step::Missing | Step::Raised => return Ok(0.0),
            }
        }
        if metric {
            match match_rule(&value, rule) {
                Ok(m) => metric = m,
                Err(_) => return Ok(0.0),
            }
        }
    }
    for rule in &unexpect {
        let Some(keys) = keys_of(rule) else {
            return Ok(0.0);
        };
        let mut value = data.clone();
        for k in &keys {
            match index(&value, k) {
                Step::Value(v) => value = v,
                Step::Missing => {
                    value = Value::Null;
                    break;
                }
                Step::Raised => return Ok(0.0),
            }
        }
        if metric {
            match match_rule(&value, rule) {
                Ok(m) => metric = !m,
                Err(_) => return Ok(0.0),
            }
        }
    }
    Ok(score_of(metric))
}

/// Python's `_match_record(pattern, item)`: every key of the pattern is in the item with an
/// equal value.
pub(super) fn match_record(pattern: &Value, item: &Map<String, Value>) -> Result<bool, Raised> {
    match pattern {
        Value::Object(p) => Ok(p
            .iter()
            .all(|(k, v)| item.get(k).is_some_and(|got| py::eq(got, v)))),
        other => Err(Raised(format!(
            "AttributeError: {} has no items()",
            py::repr(other)
        ))),
    }
}

/// The `expect`/`unexpect` records of a rule set, as lists.
pub(super) fn records<'r>(
    metric: &str,
    rules: &'r Map<String, Value>,
    name: &str,
) -> Result<&'r [Value], MetricError> {
    match rules.get(name) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(invalid(
            metric,
            format!("{name} must be a list, got {other}"),
        )),
    }
}

/// `float(all(expect) and unexpect)` over records, as `check_csv` and
/// `check_thunderbird_filter` score them.
pub(super) fn score_records(
    metric: &str,
    rules: &Map<String, Value>,
    items: &[Map<String, Value>],
) -> Result<f64, MetricError> {
    let expect = records(metric, rules, "expect")?;
    let unexpect = records(metric, rules, "unexpect")?;
    let raised = |r: Raised| invalid(metric, r.0);
    let mut found = vec![false; expect.len()];
    let mut clean = true;
    for item in items {
        for (i, r) in expect.iter().enumerate() {
            found[i] = found[i] || match_record(r, item).map_err(raised)?;
        }
        if clean {
            for r in unexpect {
                if match_record(r, item).map_err(raised)? {
                    clean = false;
                    break;
                }
            }
        }
    }
    Ok(score_of(found.iter().all(|&f| f) && clean))
}

fn check_csv(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "check_csv";
    let rules = rules(M, expected)?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(text) = py::read_text(path) else {
        return Ok(0.0);
    };
    score_records(M, rules, &dict_rows(&text))
}

/// `csv.DictReader` over a text: the first row names the columns (a later duplicate name
/// wins), a short row leaves the rest `None`, an empty line is no row.
fn dict_rows(text: &str) -> Vec<Map<String, Value>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = reader.records().map_while(Result::ok);
    // An empty first line is an empty header for Python; the csv crate skips it.
    let mut header: Vec<String> = if text.starts_with('\n') {
        Vec::new()
    } else {
        match rows.next() {
            Some(r) => r.iter().map(str::to_owned).collect(),
            None => return Vec::new(),
        }
    };
    // The csv crate drops a UTF-8 BOM; Python keeps it in the first column's name.
    if let (Some(first), Some(bom)) = (header.first_mut(), text.strip_prefix('\u{feff}'))
        && !bom.starts_with('\n')
        && !first.starts_with('\u{feff}')
    {
        first.insert(0, '\u{feff}');
    }
    rows.map(|record| {
        let mut row = Map::new();
        for (i, name) in header.iter().enumerate() {
            let cell = record
                .get(i)
                .map_or(Value::Null, |c| Value::String(c.to_owned()));
            row.insert(name.clone(), cell);
        }
        row
    })
    .collect()
}

fn run_sqlite3(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "run_sqlite3";
    let rules = rules(M, expected)?;
    let Some(Value::String(sql)) = rules.get("sql") else {
        return Err(invalid(M, "rules must hold \"sql\", a string"));
    };
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    if !path.is_file() {
        return Ok(0.0);
    }
    let Ok(db) = rusqlite::Connection::open(path) else {
        return Ok(0.0);
    };
    let first = match db.query_row(sql, [], first_value) {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            without_pages(sql)
        }
        other => other,
    };
    use rusqlite::types::Value as Sql;
    Ok(match first {
        Ok(Sql::Integer(i)) => i as f64,
        Ok(Sql::Real(f)) => f,
        Ok(Sql::Text(s)) if s.is_empty() => 0.0,
        Ok(Sql::Text(s)) => py_float_str(&s).unwrap_or(0.0),
        Ok(Sql::Blob(b)) if b.is_empty() => 0.0,
        Ok(Sql::Blob(b)) => std::str::from_utf8(&b)
            .ok()
            .and_then(py_float_str)
            .unwrap_or(0.0),
        Ok(Sql::Null) | Err(_) => 0.0,
    })
}

/// What a `NaN`, `Infinity` or `-Infinity` in a JSON document (Python's `json.load` reads them
/// as floats; JSON has no such values) is loaded as: an object with this one key, holding the
/// constant's name.
const PY_FLOAT: &str = "\u{0}python float";

/// `text` with every `NaN`, `Infinity` and `-Infinity` outside strings replaced by a
/// [`PY_FLOAT`] object, so that the rest of the document loads as Python loads it. A rule that
/// reaches such a value sees it as Python sees the float: never equal to a JSON value, not a
/// string, no number near, ordered as a float (see [`compare`]; NaN is in no order).
fn python_constants(text: &str) -> std::borrow::Cow<'_, str> {
    const NAMES: [&str; 3] = ["-Infinity", "Infinity", "NaN"];
    if !NAMES.iter().any(|n| text.contains(n)) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if !in_string {
            if let Some(name) = NAMES.iter().find(|n| rest.starts_with(**n)) {
                out.push_str(&serde_json::json!({ PY_FLOAT: name }).to_string());
                rest = &rest[name.len()..];
                continue;
            }
            in_string = c == '"';
        } else if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_string = false;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.into()
}

fn first_value(row: &rusqlite::Row<'_>) -> rusqlite::Result<rusqlite::types::Value> {
    row.get(0)
}

/// `sql` as SQLite 3.40 (OSWorld's hosts) runs it on a file that is not a database: a query
/// that reads no page of it (`SELECT 1`) runs, anything else fails ("file is not a database").
/// The bundled, newer SQLite reads the schema before every `SELECT`, so such a query is run on
/// an empty in-memory database instead, once `EXPLAIN` shows that its program opens no
/// transaction (every read of the file starts with one).
fn without_pages(sql: &str) -> rusqlite::Result<rusqlite::types::Value> {
    let not_a_database = || {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
            None,
        )
    };
    let db = rusqlite::Connection::open_in_memory()?;
    let mut explain = db.prepare(&format!("EXPLAIN {sql}"))?;
    let opcodes = explain
        .query_map([], |row| row.get::<_, String>(1))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if opcodes.iter().any(|op| op == "Transaction") {
        return Err(not_a_database());
    }
    db.query_row(sql, [], first_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_as_python() {
        assert_eq!(py_float_str(" 1.5\n"), Some(1.5));
        assert_eq!(py_float_str("1_000"), Some(1000.0));
        assert_eq!(py_float_str("1__0"), None);
        assert_eq!(py_float_str("_1"), None);
        assert_eq!(py_float_str("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(py_float_str("1e3"), Some(1000.0));
        assert_eq!(py_float_str(".5"), Some(0.5));
        assert_eq!(py_float_str("x"), None);
        assert_eq!(py_float_str("--1"), None);
        assert_eq!(py_float(&json!(true)), Some(1.0));
        assert_eq!(py_float(&json!(null)), None);
    }

    #[test]
    fn rules_as_python() {
        let m = |v: Value, r: Value| match_rule(&v, &r);
        assert_eq!(
            m(json!("a\nb"), json!({"method": "re.S", "ref": "a.b"})),
            Ok(true)
        );
        assert_eq!(
            m(json!("a\nb"), json!({"method": "re", "ref": "a.b"})),
            Ok(false)
        );
        assert_eq!(
            m(json!("ABC"), json!({"method": "regex", "ref": "B"})),
            Ok(true)
        );
        assert!(m(json!(1), json!({"method": "re", "ref": "1"})).is_err());
        assert!(m(json!("x"), json!({"method": "re.Q", "ref": "x"})).is_err());
        assert_eq!(m(json!(1), json!({"method": "eq", "ref": 1.0})), Ok(true));
        assert_eq!(m(json!(true), json!({"method": "eq", "ref": 1})), Ok(true));
        assert_eq!(m(json!(2), json!({"method": "gt", "ref": 1})), Ok(true));
        assert!(m(json!(null), json!({"method": "lt", "ref": 1})).is_err());
        assert_eq!(
            m(json!("1.05"), json!({"method": "approx:0.1", "ref": 1})),
            Ok(true)
        );
        assert_eq!(
            m(json!("x"), json!({"method": "approx:0.1", "ref": 1})),
            Ok(false)
        );
        assert!(m(json!(1), json!({"method": "contains", "ref": 1})).is_err());
        let range = json!({"method": "range.te", "ref": [1, 2]});
        assert_eq!(m(json!(2), range.clone()), Ok(true));
        assert_eq!(m(json!(1), range), Ok(false));
        let set = json!({"method": "str_set_eq", "ref": ["a", "b"]});
        assert_eq!(m(json!("'b,a'"), set), Ok(true));
        let list = json!({"method": "str_list_eq", "ref": ["a", "b"]});
        assert_eq!(m(json!("b,a"), list), Ok(false));
        assert!(m(json!(1), json!({"ref": 1})).is_err());
        // float(value) fails before the reference is used: no match, not an error.
        let odd_ref = json!({"method": "approx:1", "ref": "dark"});
        assert_eq!(m(json!(""), odd_ref.clone()), Ok(false));
        assert!(m(json!(1), odd_ref).is_err());
    }

    #[test]
    fn sqlite_reads_no_page_for_select_1() {
        let dir = tempfile::tempdir().expect("temp dir");
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, "junk").expect("write");
        let got = Got::File(Some(junk));
        let run = |sql: &str| {
            let rules = Got::Json(json!({ "sql": sql }));
            run_sqlite3(Some(&got), Some(&rules)).expect("scores")
        };
        assert_eq!(run("SELECT 1"), 1.0);
        assert_eq!(run("SELECT 2 + 3"), 5.0);
        // Anything reading the file fails there, as in OSWorld (which raises).
        assert_eq!(run("SELECT count(*) + 1 FROM sqlite_master"), 0.0);
        assert_eq!(run("SELECT 1 FROM t"), 0.0);
        assert_eq!(run("PRAGMA user_version"), 0.0);
    }

    #[test]
    fn json_loads_python_constants() {
        assert_eq!(
            python_constants(r#"{"a": NaN, "b": [-Infinity, Infinity], "NaN": "x NaN \" NaN"}"#),
            format!(
                r#"{{"a": {n}, "b": [{m}, {i}], "NaN": "x NaN \" NaN"}}"#,
                n = json!({ PY_FLOAT: "NaN" }),
                m = json!({ PY_FLOAT: "-Infinity" }),
                i = json!({ PY_FLOAT: "Infinity" }),
            )
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("nan.json");
        std::fs::write(&file, r#"{"a": NaN, "b": 1}"#).expect("write");
        let got = Got::File(Some(file));
        let nan = json!({ PY_FLOAT: "NaN" });
        let score = |rules: Value| check_json(Some(&got), Some(&Got::Json(rules)), false);
        let rule = |key: &str, method: &str, reference: Value| json!({ "expect": [{ "key": [key], "method": method, "ref": reference }] });
        assert_eq!(score(rule("b", "eq", json!(1))).ok(), Some(1.0));
        assert_eq!(score(rule("a", "eq", json!(1))).ok(), Some(0.0));
        assert_eq!(score(rule("a", "ne", json!(1))).ok(), Some(1.0));
        assert_eq!(score(rule("a", "approx:1", json!(1))).ok(), Some(0.0));
        // Ordering a NaN is false, not an error; Infinity orders as a float.
        assert_eq!(
            match_rule(&nan, &json!({"method": "lt", "ref": 1})),
            Ok(false)
        );
        assert_eq!(
            match_rule(&nan, &json!({"method": "ge", "ref": 1})),
            Ok(false)
        );
        let inf = json!({ PY_FLOAT: "Infinity" });
        assert_eq!(
            match_rule(&inf, &json!({"method": "gt", "ref": 1e300})),
            Ok(true)
        );
        let range = json!({"method": "range.ee", "ref": [0, true]});
        assert_eq!(match_rule(&inf, &range), Ok(false));
        assert!(match_rule(&inf, &json!({"method": "lt", "ref": "x"})).is_err());
        // YAML's `.nan` and `.inf` load the same way.
        let yaml = yaml::safe_load("a: .nan\nb: -.inf\n").ok().flatten();
        assert_eq!(
            yaml,
            Some(json!({ "a": { PY_FLOAT: "NaN" }, "b": { PY_FLOAT: "-Infinity" } }))
        );
    }
}
