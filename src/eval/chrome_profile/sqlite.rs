//! Chromium's SQLite files: `History` and `Cookies` read from a copy (a running Chromium holds
//! them open, and OSWorld copies them too), and `update_browse_history`'s new `History`.
//!
//! Rows come back as JSON arrays, one value per column in the query's order: SQLite integers
//! and reals as numbers, text as strings, `NULL` as `null`, and blobs as lowercase hex strings
//! (Python gives `bytes`; no metric reads them).
//!
//! Chromium's times are microseconds since 1601-01-01 UTC (`last_visit_time`, `visit_time`).

use deskhand_tasks::sources::chrome_profile::Visit;
use rusqlite::types::ValueRef;
use serde_json::Value;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The empty History database the step starts from (this Chromium's schema).
const HISTORY_SCHEMA: &str = include_str!("history_schema.sql");

/// Microseconds between 1601-01-01 and 1970-01-01.
const EPOCH_1601_US: i64 = 11_644_473_600_000_000;

/// `PageTransition` of a visit OSWorld writes: `LINK` with `CHAIN_START | CHAIN_END`.
const TRANSITION: i64 = 805_306_368;

/// Every row of `query` on the database at `path`, each as a JSON array.
pub(super) fn rows(path: &Path, query: &str) -> rusqlite::Result<Vec<Value>> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mut stmt = conn.prepare(query)?;
    let n = stmt.column_count();
    let mut out = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            values.push(json_of(row.get_ref(i)?));
        }
        out.push(Value::Array(values));
    }
    Ok(out)
}

fn json_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::String(b.iter().map(|x| format!("{x:02x}")).collect()),
    }
}

/// Now, in Chromium's time (microseconds since 1601).
pub(super) fn chrome_now() -> i64 {
    let since_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    since_unix.saturating_add(EPOCH_1601_US)
}

/// Writes a new History database at `path` holding `visits` (replacing what was there), each
/// one `urls` row (visit count 1, not typed, not hidden) and one `visits` row, its time
/// `visit_time_from_now_in_seconds` before `now` (Chromium time).
pub(super) fn write_history(path: &Path, visits: &[Visit], now: i64) -> rusqlite::Result<()> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(HISTORY_SCHEMA)?;
    let tx = conn.transaction()?;
    for v in visits {
        // Python: int(timedelta.total_seconds() * 1e6), truncating.
        let ago = (v.visit_time_from_now_in_seconds * 1_000_000.0).trunc() as i64;
        let at = now - ago;
        tx.execute(
            "INSERT INTO urls (url, title, visit_count, typed_count, last_visit_time, hidden) \
             VALUES (?1, ?2, 1, 0, ?3, 0)",
            rusqlite::params![v.url, v.title, at],
        )?;
        let url_id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO visits (url, visit_time, from_visit, transition, segment_id, visit_duration) \
             VALUES (?1, ?2, 0, ?3, 0, 0)",
            rusqlite::params![url_id, at, TRANSITION],
        )?;
    }
    tx.commit()
}
