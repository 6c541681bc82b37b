//! A sheet as `pandas.read_excel(book, sheet)` sees it, and `DataFrame.round(p).equals(…)`.
//!
//! OSWorld's `sheet_data` rule compares two sheets through pandas; this mirrors what decides
//! that comparison:
//!
//! - The grid starts at A1 (leading empty rows and columns count); trailing empty rows and
//!   columns are dropped. An empty string is an empty cell; an error value (`#DIV/0!`) is NaN.
//! - The first row is the header: column labels, compared as values (`1 == 1.0`), blanks
//!   being `Unnamed: i`, repeated labels numbered `a.1`, `a.2`.
//! - Each column gets a dtype as pandas' parser infers it. Strings in pandas' NA list (`NA`,
//!   `null`, `#N/A`, …) are NaN. A column whose values are all numbers, booleans or numeric
//!   text becomes numeric: int64 when all are whole and none is missing, else float64; all
//!   booleans (none missing) is bool; text `TRUE`/`False`… (none missing) also becomes bool;
//!   all dates is datetime; anything else is object.
//! - Two frames are equal when labels, row count and each column's dtype and values are equal:
//!   float columns after rounding to `precision` decimals (numpy's half-to-even), NaN equal to
//!   NaN; object columns value by value as Python compares them (`1 == 1.0`, `"1" != 1`).

use super::book::{Cell, Sheet, parse_number};
use std::collections::HashMap;

/// pandas' default NA strings.
const NA_STRINGS: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// A Python value in a column.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Na,
    Num(f64),
    Bool(bool),
    Str(String),
    Date(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dtype {
    Int,
    Float,
    Bool,
    Date,
    Object,
}

#[derive(Debug, Clone, PartialEq)]
struct Column {
    dtype: Dtype,
    values: Vec<Value>,
}

/// A sheet read as a data frame.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Frame {
    labels: Vec<Value>,
    rows: usize,
    columns: Vec<Column>,
}

impl Frame {
    pub(super) fn read(sheet: &Sheet) -> Frame {
        let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
        let rows = sheet.rows.len().saturating_sub(1);
        let labels = labels(sheet, width);
        let columns = (0..width)
            .map(|c| infer((1..=rows).map(|r| sheet.cell(r, c))))
            .collect();
        Frame {
            labels,
            rows,
            columns,
        }
    }

    /// `self.round(precision).equals(other.round(precision))`.
    pub(super) fn equals(&self, other: &Frame, precision: i32) -> bool {
        self.rows == other.rows
            && self.labels.len() == other.labels.len()
            && self
                .labels
                .iter()
                .zip(&other.labels)
                .all(|(a, b)| py_eq(a, b))
            && self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|(a, b)| columns_equal(a, b, precision))
    }
}

fn labels(sheet: &Sheet, width: usize) -> Vec<Value> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    (0..width)
        .map(|c| {
            let cell = sheet.cell(0, c);
            let label = if cell.is_blank() {
                Value::Str(format!("Unnamed: {c}"))
            } else {
                raw(cell)
            };
            let Value::Str(name) = label else {
                return label;
            };
            // pandas numbers repeated labels: a, a.1, a.2
            let mut name = name;
            let mut count = counts.get(&name).copied().unwrap_or(0);
            while count > 0 {
                counts.insert(name.clone(), count + 1);
                name = format!("{name}.{count}");
                count = counts.get(&name).copied().unwrap_or(0);
            }
            counts.insert(name.clone(), count + 1);
            Value::Str(name)
        })
        .collect()
}

/// A cell as pandas' openpyxl reader hands it over.
fn raw(cell: &Cell) -> Value {
    match cell {
        Cell::Empty => Value::Na,
        Cell::Number(f) => Value::Num(*f),
        Cell::Text(s) => Value::Str(s.clone()),
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Date(d) => Value::Date(*d),
        Cell::Error(_) => Value::Na,
    }
}

/// A column's values and dtype, as pandas' Python parser infers them.
fn infer<'c>(cells: impl Iterator<Item = &'c Cell>) -> Column {
    let values: Vec<Value> = cells
        .map(|cell| match raw(cell) {
            Value::Str(s) if NA_STRINGS.contains(&s.as_str()) => Value::Na,
            v => v,
        })
        .collect();
    if let Some(column) = numeric(&values) {
        return column;
    }
    let any_na = values.contains(&Value::Na);
    if !any_na {
        let bools: Option<Vec<Value>> = values.iter().map(bool_like).collect();
        if let Some(bools) = bools {
            return Column {
                dtype: Dtype::Bool,
                values: bools,
            };
        }
    }
    let all_dates = values
        .iter()
        .all(|v| matches!(v, Value::Date(_) | Value::Na));
    Column {
        dtype: if all_dates {
            Dtype::Date
        } else {
            Dtype::Object
        },
        values,
    }
}

/// `lib.maybe_convert_numeric`: numbers, booleans and numeric text, or `None`.
fn numeric(values: &[Value]) -> Option<Column> {
    let mut nums = Vec::with_capacity(values.len());
    let (mut any_na, mut all_whole, mut all_bool) = (false, true, true);
    for v in values {
        match v {
            Value::Na => {
                any_na = true;
                nums.push(f64::NAN);
            }
            Value::Bool(b) => nums.push(if *b { 1.0 } else { 0.0 }),
            Value::Num(f) => {
                all_bool = false;
                all_whole &= f.is_finite() && f.fract() == 0.0;
                nums.push(*f);
            }
            Value::Str(s) => {
                let f = parse_number(s)?;
                all_bool = false;
                // "5" is an int, "5.0" a float
                all_whole &= s
                    .trim()
                    .trim_start_matches(['+', '-'])
                    .chars()
                    .all(|c| c.is_ascii_digit());
                nums.push(f);
            }
            Value::Date(_) => return None,
        }
    }
    let all_na = values.iter().all(|v| *v == Value::Na);
    let dtype = if !all_na && all_bool && !any_na {
        Dtype::Bool
    } else if all_na || any_na || !all_whole {
        Dtype::Float
    } else {
        Dtype::Int
    };
    let values = nums
        .into_iter()
        .map(|f| match dtype {
            Dtype::Bool => Value::Bool(f != 0.0),
            _ if f.is_nan() => Value::Na,
            _ => Value::Num(f),
        })
        .collect();
    Some(Column { dtype, values })
}

/// `lib.maybe_convert_bool` on one value.
fn bool_like(v: &Value) -> Option<Value> {
    match v {
        Value::Bool(b) => Some(Value::Bool(*b)),
        Value::Str(s) => match s.as_str() {
            "True" | "TRUE" | "true" => Some(Value::Bool(true)),
            "False" | "FALSE" | "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    }
}

fn columns_equal(a: &Column, b: &Column, precision: i32) -> bool {
    if a.dtype != b.dtype || a.values.len() != b.values.len() {
        return false;
    }
    a.values.iter().zip(&b.values).all(|(x, y)| match a.dtype {
        Dtype::Float => match (x, y) {
            (Value::Num(p), Value::Num(q)) => round(*p, precision) == round(*q, precision),
            (Value::Na, Value::Na) => true,
            _ => false,
        },
        Dtype::Date => match (x, y) {
            (Value::Date(p), Value::Date(q)) => same_instant(*p, *q),
            (Value::Na, Value::Na) => true,
            _ => false,
        },
        Dtype::Int | Dtype::Bool | Dtype::Object => py_eq(x, y),
    })
}

/// numpy's `round(x, decimals)`: scale, round half to even, unscale.
fn round(x: f64, decimals: i32) -> f64 {
    if decimals >= 0 {
        let scale = 10f64.powi(decimals);
        (x * scale).round_ties_even() / scale
    } else {
        let scale = 10f64.powi(-decimals);
        (x / scale).round_ties_even() * scale
    }
}

/// Dates as Python holds them: to the microsecond.
fn same_instant(p: f64, q: f64) -> bool {
    (p * 86_400e6).round() == (q * 86_400e6).round()
}

/// Python's `==` between two cell values.
fn py_eq(a: &Value, b: &Value) -> bool {
    let num = |v: &Value| match v {
        Value::Num(f) => Some(*f),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    };
    match (a, b) {
        (Value::Na, Value::Na) => true,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Date(x), Value::Date(y)) => same_instant(*x, *y),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet { rows }
    }
    fn t(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
    fn n(f: f64) -> Cell {
        Cell::Number(f)
    }

    #[test]
    fn numeric_text_converts_like_pandas() {
        let a = Frame::read(&sheet(vec![vec![t("x")], vec![n(1.0)], vec![n(2.0)]]));
        let b = Frame::read(&sheet(vec![vec![t("x")], vec![t("1")], vec![t("2")]]));
        assert!(a.equals(&b, 4));
        // One cell of text keeps the column as objects: "1" != 1.
        let c = Frame::read(&sheet(vec![vec![t("x")], vec![t("1")], vec![t("a")]]));
        let d = Frame::read(&sheet(vec![vec![t("x")], vec![n(1.0)], vec![t("a")]]));
        assert!(!c.equals(&d, 4));
        // "5.0" is a float column, 5 an int one: different dtypes.
        let e = Frame::read(&sheet(vec![vec![t("x")], vec![t("5.0")]]));
        let f = Frame::read(&sheet(vec![vec![t("x")], vec![n(5.0)]]));
        assert!(!e.equals(&f, 4));
    }

    #[test]
    fn rounding_and_missing_values() {
        let a = Frame::read(&sheet(vec![
            vec![t("x")],
            vec![n(0.333_333)],
            vec![Cell::Empty],
            vec![n(1.0)],
        ]));
        let b = Frame::read(&sheet(vec![
            vec![t("x")],
            vec![n(0.333_34)],
            vec![t("NA")],
            vec![n(1.0)],
        ]));
        assert!(a.equals(&b, 4));
        assert!(!a.equals(&b, 5));
        // Error values read as NaN.
        let c = Frame::read(&sheet(vec![
            vec![t("x")],
            vec![Cell::Error("#DIV/0!".into())],
            vec![n(1.0)],
        ]));
        let d = Frame::read(&sheet(vec![vec![t("x")], vec![Cell::Empty], vec![n(1.0)]]));
        assert!(c.equals(&d, 4));
    }

    #[test]
    fn labels_and_shape() {
        let a = Frame::read(&sheet(vec![vec![t("a"), t("a"), Cell::Empty, t("b")]]));
        assert_eq!(
            a.labels,
            vec![
                Value::Str("a".into()),
                Value::Str("a.1".into()),
                Value::Str("Unnamed: 2".into()),
                Value::Str("b".into())
            ]
        );
        let shifted = Frame::read(&sheet(vec![vec![], vec![t("a")], vec![n(1.0)]]));
        let plain = Frame::read(&sheet(vec![vec![t("a")], vec![n(1.0)]]));
        assert!(!shifted.equals(&plain, 4));
        let header_number = Frame::read(&sheet(vec![vec![n(2019.0)], vec![n(1.0)]]));
        let header_text = Frame::read(&sheet(vec![vec![t("2019")], vec![n(1.0)]]));
        assert!(!header_number.equals(&header_text, 4));
    }

    #[test]
    fn booleans_and_dates() {
        let a = Frame::read(&sheet(vec![vec![t("x")], vec![Cell::Bool(true)]]));
        let b = Frame::read(&sheet(vec![vec![t("x")], vec![t("TRUE")]]));
        assert!(a.equals(&b, 4));
        let c = Frame::read(&sheet(vec![vec![t("x")], vec![n(1.0)]]));
        assert!(!a.equals(&c, 4));
        let d = Frame::read(&sheet(vec![vec![t("x")], vec![Cell::Date(45292.0)]]));
        let e = Frame::read(&sheet(vec![vec![t("x")], vec![n(45292.0)]]));
        assert!(!d.equals(&e, 4));
        assert!(d.equals(&d.clone(), 4));
    }

    #[test]
    fn numpy_rounding() {
        assert_eq!(round(2.5, 0), 2.0);
        assert_eq!(round(0.123_45, 4), 0.1234);
        assert_eq!(round(1234.0, -2), 1200.0);
    }
}
