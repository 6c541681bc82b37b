//! `content_from_vm_file`'s `last_row` of an xlsx file, as OSWorld computes it with pandas:
//! `pd.read_excel(path).iloc[-1].astype(str).tolist()`.
//!
//! The first sheet is read (calamine); its first row is the header, trailing empty rows are
//! dropped, and the last remaining row is returned as pandas renders it. Each column gets the
//! dtype pandas infers: whole numbers without a gap `int64`, numbers with a gap or a fraction
//! `float64` (booleans with a gap too), booleans `bool`, dates `datetime64`, anything else
//! `object`. The row (`iloc[-1]`) then takes the columns' common type: all `int64` stays
//! `int64` (`"41"`), numbers only become `float64` (`"41.0"`, `"nan"`), dates only print as
//! `"2024-01-05"` when the row's dates are all at midnight; any other mix is an `object` row in
//! which each value is `str()` of itself as its column holds it (a `float64` column's `1` is
//! `"1.0"`, a gap `"nan"`, a date `"2024-01-05 10:30:00"`).
//! Checked against pandas 2.2 on the workbooks of `tests/fixtures/last_row`.

use crate::metrics::py::float_repr;
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

/// A column's dtype as pandas infers it from the cells under the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dtype {
    Int,
    Float,
    Bool,
    Datetime,
    Object,
}

fn dtype(col: &[V]) -> Dtype {
    let filled: Vec<&V> = col.iter().filter(|v| **v != V::Empty).collect();
    let gaps = filled.len() < col.len();
    let all = |p: fn(&V) -> bool| filled.iter().all(|v| p(v));
    if filled.is_empty() {
        return Dtype::Float;
    }
    if all(|v| matches!(v, V::Int(_))) {
        return if gaps { Dtype::Float } else { Dtype::Int };
    }
    if all(|v| matches!(v, V::Int(_) | V::Float(_))) {
        return Dtype::Float;
    }
    if all(|v| matches!(v, V::Bool(_))) {
        // Booleans with a gap become 1.0/0.0/nan.
        return if gaps { Dtype::Float } else { Dtype::Bool };
    }
    if all(|v| matches!(v, V::Date(..))) {
        return Dtype::Datetime;
    }
    Dtype::Object
}

/// The dtype of a row taken across columns (`df.iloc[-1]`): pandas' common type.
fn common(dtypes: &[Dtype]) -> Dtype {
    let all = |d: Dtype| dtypes.iter().all(|x| *x == d);
    if all(Dtype::Int) {
        Dtype::Int
    } else if dtypes
        .iter()
        .all(|d| matches!(d, Dtype::Int | Dtype::Float))
    {
        Dtype::Float
    } else if all(Dtype::Bool) {
        Dtype::Bool
    } else if all(Dtype::Datetime) {
        Dtype::Datetime
    } else {
        Dtype::Object
    }
}

/// A value of a column of type `col` as a number (for numeric columns).
fn as_f64(v: &V) -> f64 {
    match v {
        V::Int(i) => *i as f64,
        V::Float(f) => *f,
        V::Bool(b) => f64::from(u8::from(*b)),
        _ => f64::NAN,
    }
}

/// `str()` of one value of a column of type `col` when the row is an `object` Series.
fn in_object_row(v: &V, col: Dtype) -> String {
    match col {
        Dtype::Int => object_str(v),
        Dtype::Float => float_repr(as_f64(v)),
        Dtype::Bool => object_str(v),
        Dtype::Datetime => match v {
            V::Date(s, _) => s.clone(),
            _ => "NaT".to_owned(),
        },
        Dtype::Object => object_str(v),
    }
}

/// The last row, as `iloc[-1].astype(str)` gives it, given each column's dtype.
fn row_strs(row: &[V], dtypes: &[Dtype]) -> Vec<String> {
    match common(dtypes) {
        Dtype::Int => row.iter().map(object_str).collect(),
        Dtype::Float => row.iter().map(|v| float_repr(as_f64(v))).collect(),
        Dtype::Bool => row.iter().map(object_str).collect(),
        Dtype::Datetime => {
            // A datetime Series prints dates alone when every one of its values is at midnight.
            let midnight = row.iter().all(|v| !matches!(v, V::Date(_, false)));
            row.iter()
                .map(|v| match v {
                    V::Date(s, _) if midnight => s.get(..10).unwrap_or(s).to_owned(),
                    V::Date(s, _) => s.clone(),
                    _ => "NaT".to_owned(),
                })
                .collect()
        }
        Dtype::Object => row
            .iter()
            .zip(dtypes)
            .map(|(v, d)| in_object_row(v, *d))
            .collect(),
    }
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
    let cell = |r: &Vec<V>, c: usize| r.get(c).cloned().unwrap_or(V::Empty);
    let dtypes: Vec<Dtype> = (0..width)
        .map(|c| dtype(&data.iter().map(|r| cell(r, c)).collect::<Vec<_>>()))
        .collect();
    let last_cells: Vec<V> = data
        .last()
        .map(|r| (0..width).map(|c| cell(r, c)).collect())
        .unwrap_or_default();
    let last = row_strs(&last_cells, &dtypes);
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_render_as_pandas() {
        use Dtype::*;
        assert_eq!(row_strs(&[V::Int(3), V::Int(4)], &[Int, Int]), ["3", "4"]);
        // A numeric row with one float column is all floats.
        assert_eq!(
            row_strs(&[V::Empty, V::Int(4)], &[Float, Int]),
            ["nan", "4.0"]
        );
        assert_eq!(
            row_strs(&[V::Str("a".into()), V::Int(3)], &[Object, Int]),
            ["a", "3"]
        );
        assert_eq!(dtype(&[V::Bool(true), V::Empty]), Float);
        assert_eq!(dtype(&[V::Int(1), V::Empty]), Float);
        assert_eq!(dtype(&[V::Str("a".into()), V::Int(1)]), Object);
        assert_eq!(
            row_strs(&[V::Date("2024-01-05 00:00:00".into(), true)], &[Datetime]),
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
