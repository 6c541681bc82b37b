//! `content_from_vm_file`'s `last_row` of an xlsx file, as OSWorld computes it with pandas:
//! `pd.read_excel(path).iloc[-1].astype(str).tolist()`.
//!
//! The first sheet is read (calamine); its first row is the header, trailing empty rows are
//! dropped, and the last remaining row is returned, each value turned into text as pandas'
//! `astype(str)` does for its column's type: a column of whole numbers without gaps is `int64`
//! (`"147"`), one with a gap or a fraction is `float64` (`"147.0"`, `"nan"`), a column of
//! booleans gives `"True"`, dates give `"2024-01-05"` when every one is at midnight, else
//! `"2024-01-05 10:30:00"`; any other mix is an `object` column where each value is `str()` of
//! itself (empty cells `"nan"`).

use calamine::{Data, Reader, open_workbook_auto};
use std::path::Path;

/// Why the last row could not be read (OSWorld's getter would raise).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LastRowError {
    /// The file is not a workbook calamine opens.
    #[error("cannot open {path} as a workbook")]
    Open {
        /// The file.
        path: String,
        #[source]
        source: calamine::Error,
    },
    /// The workbook has no sheet.
    #[error("{path} has no sheet")]
    NoSheet {
        /// The file.
        path: String,
    },
    /// The first sheet has a header but no row under it (pandas' `iloc[-1]` raises).
    #[error("the first sheet of {path} has no row under its header")]
    NoRow {
        /// The file.
        path: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum V {
    Empty,
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Date(String, bool),
}

fn value(d: &Data) -> V {
    match d {
        Data::Empty | Data::Error(_) => V::Empty,
        Data::Int(i) => V::Int(*i),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => V::Int(*f as i64),
        Data::Float(f) => V::Float(*f),
        Data::Bool(b) => V::Bool(*b),
        Data::String(s) if s.is_empty() => V::Empty,
        Data::String(s) => V::Str(s.clone()),
        Data::DateTime(dt) => {
            let (text, midnight) = serial_datetime(dt.as_f64());
            V::Date(text, midnight)
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => V::Str(s.clone()),
    }
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD HH:MM:SS`, and whether it is at
/// midnight.
fn serial_datetime(serial: f64) -> (String, bool) {
    let days = serial.floor() as i64;
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    let (days, secs) = if secs >= 86_400 {
        (days + 1, 0)
    } else {
        (days, secs)
    };
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let text = format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    (text, secs == 0)
}

/// Python's `repr(float)`.
fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let s = format!("{f:?}");
    match s.split_once('e') {
        None => s,
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
    }
}

/// `str()` of one value in an `object` column.
fn object_str(v: &V) -> String {
    match v {
        V::Empty => "nan".to_owned(),
        V::Int(i) => i.to_string(),
        V::Float(f) => float_repr(*f),
        V::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        V::Str(s) => s.clone(),
        V::Date(s, _) => s.clone(),
    }
}

/// The column's values as `astype(str)` gives them.
fn column_strs(col: &[V]) -> Vec<String> {
    let filled: Vec<&V> = col.iter().filter(|v| **v != V::Empty).collect();
    let gaps = filled.len() < col.len();
    let all = |p: fn(&V) -> bool| filled.iter().all(|v| p(v));
    if filled.is_empty() || all(|v| matches!(v, V::Int(_) | V::Float(_))) {
        let ints = !gaps && all(|v| matches!(v, V::Int(_)));
        return col
            .iter()
            .map(|v| match v {
                V::Int(i) if ints => i.to_string(),
                V::Int(i) => float_repr(*i as f64),
                V::Float(f) => float_repr(*f),
                _ => "nan".to_owned(),
            })
            .collect();
    }
    if !gaps && all(|v| matches!(v, V::Bool(_))) {
        return col.iter().map(object_str).collect();
    }
    if all(|v| matches!(v, V::Date(..))) {
        let dates_only = filled.iter().all(|v| matches!(v, V::Date(_, true)));
        return col
            .iter()
            .map(|v| match v {
                V::Date(s, _) if dates_only => s.get(..10).unwrap_or(s).to_owned(),
                V::Date(s, _) => s.clone(),
                _ => "NaT".to_owned(),
            })
            .collect();
    }
    col.iter().map(object_str).collect()
}

/// The first sheet's last row, as strings (see the module doc).
pub fn last_row(path: &Path) -> Result<Vec<String>, LastRowError> {
    let name = path.display().to_string();
    let mut book = open_workbook_auto(path).map_err(|source| LastRowError::Open {
        path: name.clone(),
        source,
    })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| LastRowError::NoSheet { path: name.clone() })?
        .map_err(|source| LastRowError::Open {
            path: name.clone(),
            source,
        })?;
    let mut rows: Vec<Vec<V>> = range
        .rows()
        .map(|r| r.iter().map(value).collect())
        .collect();
    while rows
        .last()
        .is_some_and(|r| r.iter().all(|v| *v == V::Empty))
    {
        rows.pop();
    }
    if rows.len() < 2 {
        return Err(LastRowError::NoRow { path: name });
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let data = &rows[1..];
    let mut last = Vec::with_capacity(width);
    for c in 0..width {
        let col: Vec<V> = data
            .iter()
            .map(|r| r.get(c).cloned().unwrap_or(V::Empty))
            .collect();
        last.push(column_strs(&col).pop().unwrap_or_default());
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_render_as_pandas() {
        let s = |v: &[V]| column_strs(v);
        assert_eq!(s(&[V::Int(1), V::Int(2)]), ["1", "2"]);
        assert_eq!(s(&[V::Int(1), V::Empty]), ["1.0", "nan"]);
        assert_eq!(s(&[V::Int(1), V::Float(2.5)]), ["1.0", "2.5"]);
        assert_eq!(
            s(&[V::Str("a".into()), V::Int(3), V::Empty]),
            ["a", "3", "nan"]
        );
        assert_eq!(s(&[V::Bool(true)]), ["True"]);
        assert_eq!(
            s(&[V::Date("2024-01-05 00:00:00".into(), true)]),
            ["2024-01-05"]
        );
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(
            serial_datetime(45296.0),
            ("2024-01-05 00:00:00".into(), true)
        );
        assert_eq!(serial_datetime(45296.4375).0, "2024-01-05 10:30:00");
    }
}
