//! Workbooks read in process: xlsx (and the other Excel formats) and ods with `calamine`, csv
//! as a one-sheet workbook. Cells keep what OSWorld's readers see of them: the cached value of
//! a formula, numbers as floats, dates as their serial number.

use super::super::py;
use calamine::{Data, Dimensions, Reader, Sheets, open_workbook_auto};
use std::path::{Path, PathBuf};

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Empty,
    Number(f64),
    Text(String),
    Bool(bool),
    /// A date, time or duration, as its serial number (days since 1899-12-30).
    Date(f64),
    /// An error value, as shown (`#DIV/0!`).
    Error(String),
}

impl Cell {
    /// Nothing in it: pandas reads an empty string as an empty cell too.
    pub(super) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.is_empty(),
            _ => false,
        }
    }
}

static EMPTY: Cell = Cell::Empty;

/// A sheet's cells from A1, without trailing empty rows or trailing empty cells in a row.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Sheet {
    pub(super) rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// The cell at a 0-based (row, column).
    pub(super) fn cell(&self, row: usize, col: usize) -> &Cell {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }

    fn from_rows(mut rows: Vec<Vec<Cell>>) -> Sheet {
        for row in &mut rows {
            while row.last().is_some_and(Cell::is_blank) {
                row.pop();
            }
        }
        while rows.last().is_some_and(Vec::is_empty) {
            rows.pop();
        }
        Sheet { rows }
    }
}

/// Why a workbook cannot be read. The messages name no file: the caller says which one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum BookError {
    /// The file is not a spreadsheet calamine can open.
    #[error("the file cannot be opened as a spreadsheet")]
    Open(#[source] calamine::Error),
    /// A sheet of it cannot be read.
    #[error("sheet {sheet:?} cannot be read")]
    Sheet {
        /// The sheet's name.
        sheet: String,
        /// calamine's reason.
        #[source]
        source: calamine::Error,
    },
    /// The csv file cannot be read.
    #[error("the file cannot be read")]
    Read(#[source] std::io::Error),
    /// The csv file's text is not csv.
    #[error("the file is not valid csv")]
    Csv(#[source] csv::Error),
}

/// A workbook: its sheets by name, in order.
#[derive(Debug)]
pub(super) struct Book {
    path: PathBuf,
    names: Vec<String>,
    sheets: Vec<Sheet>,
    /// Each sheet's merged ranges, where the format gives them (xlsx).
    merges: Vec<Option<Vec<Dimensions>>>,
}

impl Book {
    /// Reads a workbook; csv by its extension, anything else as a spreadsheet.
    pub(super) fn open(path: &Path) -> Result<Book, BookError> {
        let is_csv = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv {
            return Book::open_csv(path);
        }
        let mut workbook = open_workbook_auto(path).map_err(BookError::Open)?;
        let names = workbook.sheet_names();
        let mut sheets = Vec::with_capacity(names.len());
        for name in &names {
            let range = workbook
                .worksheet_range(name)
                .map_err(|source| BookError::Sheet {
                    sheet: name.clone(),
                    source,
                })?;
            sheets.push(sheet_of(&range));
        }
        let merges = match &mut workbook {
            Sheets::Xlsx(xlsx) => names
                .iter()
                .map(|name| xlsx.worksheet_merge_cells(name).and_then(Result::ok))
                .collect(),
            _ => vec![None; names.len()],
        };
        Ok(Book {
            path: path.to_owned(),
            names,
            sheets,
            merges,
        })
    }

    fn open_csv(path: &Path) -> Result<Book, BookError> {
        let text = py::read_text_any_encoding(path).map_err(BookError::Read)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(BookError::Csv)?;
            rows.push(record.iter().map(csv_cell).collect());
        }
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Book {
            path: path.to_owned(),
            names: vec![name],
            sheets: vec![Sheet::from_rows(rows)],
            merges: vec![None],
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn names(&self) -> &[String] {
        &self.names
    }

    pub(super) fn sheet(&self, name: &str) -> Option<&Sheet> {
        let i = self.names.iter().position(|n| n == name)?;
        self.sheets.get(i)
    }

    /// Whether the cell is covered by a merged range without being its top-left cell
    /// (openpyxl's `MergedCell`); `None` where the format does not say.
    pub(super) fn is_merged(&self, sheet: &str, row: usize, col: usize) -> Option<bool> {
        let i = self.names.iter().position(|n| n == sheet)?;
        let ranges = self.merges.get(i)?.as_ref()?;
        let (row, col) = (u32::try_from(row).ok()?, u32::try_from(col).ok()?);
        Some(
            ranges
                .iter()
                .any(|d| d.contains(row, col) && d.start != (row, col)),
        )
    }
}

fn sheet_of(range: &calamine::Range<Data>) -> Sheet {
    let Some((r0, c0)) = range.start() else {
        return Sheet::default();
    };
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut cells = vec![Cell::Empty; c0 as usize];
        cells.extend(row.iter().map(cell_of));
        rows.push(cells);
    }
    Sheet::from_rows(rows)
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => Cell::Date(dt.as_f64()),
        Data::DateTimeIso(s) => {
            iso_datetime_serial(s).map_or_else(|| Cell::Text(s.clone()), Cell::Date)
        }
        Data::DurationIso(s) => {
            iso_duration_days(s).map_or_else(|| Cell::Text(s.clone()), Cell::Date)
        }
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// A csv field as a spreadsheet would import it: a number where it reads as one.
fn csv_cell(field: &str) -> Cell {
    if field.is_empty() {
        return Cell::Empty;
    }
    match parse_number(field) {
        Some(f) => Cell::Number(f),
        None => Cell::Text(field.to_owned()),
    }
}

/// A decimal number (`12`, `-1.5`, `2e3`), not `inf` or `nan`.
pub(super) fn parse_number(s: &str) -> Option<f64> {
    let t = py::strip(s);
    let numeric = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
    if !numeric || !t.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse::<f64>().ok()
}

/// `2023-05-01` or `2023-05-01T13:45:00[.5]` (ods) as a serial number.
fn iso_datetime_serial(s: &str) -> Option<f64> {
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut parts = date.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    let days = days_from_civil(y, m, d) - days_from_civil(1899, 12, 30);
    let frac = match time {
        None => 0.0,
        Some(t) => {
            let mut hms = t.splitn(3, ':');
            let h: f64 = hms.next()?.parse().ok()?;
            let min: f64 = hms.next()?.parse().ok()?;
            let sec: f64 = hms.next().unwrap_or("0").parse().ok()?;
            (h * 3600.0 + min * 60.0 + sec) / 86400.0
        }
    };
    Some(days as f64 + frac)
}

/// `PT13H45M00S` or `P1DT2H` (ods) as days.
fn iso_duration_days(s: &str) -> Option<f64> {
    let rest = s.strip_prefix('P')?;
    let mut seconds = 0.0;
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' | '.' | '-' => number.push(c),
            unit => {
                let n: f64 = number.parse().ok()?;
                number.clear();
                seconds += n * match (unit, in_time) {
                    ('D', false) => 86400.0,
                    ('H', true) => 3600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    _ => return None,
                };
            }
        }
    }
    number.is_empty().then_some(seconds / 86400.0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_dates_become_serials() {
        assert_eq!(iso_datetime_serial("1899-12-31"), Some(1.0));
        assert_eq!(iso_datetime_serial("2024-01-01"), Some(45292.0));
        assert_eq!(iso_datetime_serial("2024-01-01T12:00:00"), Some(45292.5));
        assert_eq!(iso_duration_days("PT12H00M00S"), Some(0.5));
        assert_eq!(iso_duration_days("P1DT6H"), Some(1.25));
        assert_eq!(iso_duration_days("PT1X"), None);
    }

    #[test]
    fn unreadable_books_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Book::open(&dir.path().join("none.csv")).unwrap_err();
        assert!(matches!(missing, BookError::Read(_)), "{missing:?}");
        let junk = dir.path().join("junk.xlsx");
        std::fs::write(&junk, b"not a zip").unwrap();
        let err = Book::open(&junk).unwrap_err();
        assert!(matches!(err, BookError::Open(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "the file cannot be opened as a spreadsheet"
        );
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn numbers_in_csv() {
        assert_eq!(parse_number(" 12 "), Some(12.0));
        assert_eq!(parse_number("-1.5e2"), Some(-150.0));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1,000"), None);
        assert_eq!(parse_number("-"), None);
    }
}
