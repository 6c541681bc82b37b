//! Metrics on text files: `compare_text_file` and `check_json_settings` (OSWorld's
//! `vscode.py`), `diff_text_file` (`general.py`) and `compare_csv` (`table.py`).

use super::{Got, MetricError, difflib, flag, gold_file, invalid, one_file, py, rules, score_of};
use serde_json::{Map, Value};
use std::path::Path;

/// The two texts are equal, after `ignore_blanks` (runs of whitespace become one space, ends
/// stripped) and `ignore_case`.
pub(super) fn compare_text_file(
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    const M: &str = "compare_text_file";
    let gold = gold_file(M, expected)?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(mut actual) = py::read_text(path) else {
        return Ok(0.0);
    };
    let mut wanted = read_gold(M, gold)?;
    if flag(options, "ignore_blanks", false) {
        actual = collapse_blanks(&actual);
        wanted = collapse_blanks(&wanted);
    }
    if flag(options, "ignore_case", false) {
        actual = actual.to_lowercase();
        wanted = wanted.to_lowercase();
    }
    Ok(score_of(actual == wanted))
}

/// `re.sub(r"\s+", " ", re.sub(r"[\t\n]", " ", text).strip())`.
fn collapse_blanks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in py::strip(text).chars() {
        if py::is_space(c) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// How alike the two files' lines are: `difflib.SequenceMatcher(a=result, b=expected).ratio()`.
pub(super) fn diff_text_file(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "diff_text_file";
    let gold = gold_file(M, expected)?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(actual) = py::read_text(path) else {
        return Ok(0.0);
    };
    let wanted = read_gold(M, gold)?;
    Ok(difflib::ratio(
        &py::splitlines(&actual),
        &py::splitlines(&wanted),
    ))
}

/// The result's lines equal those of the expected file (or of any of several expected files,
/// a missing one skipped); `strict: false` strips each line, `ignore_case` lowers them.
pub(super) fn compare_csv(
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    const M: &str = "compare_csv";
    let golds: Vec<Option<&Path>> = match expected {
        Some(Got::File(p)) => vec![p.as_deref()],
        Some(Got::Files(ps)) => ps.iter().map(|p| p.as_deref()).collect(),
        Some(other) => {
            return Err(invalid(
                M,
                format!("the expected value must be files, got {}", other.kind()),
            ));
        }
        None => return Err(invalid(M, "no expected getter")),
    };
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(actual) = py::read_text_any_encoding(path) else {
        return Ok(0.0);
    };
    let strict = flag(options, "strict", true);
    let ignore_case = flag(options, "ignore_case", false);
    let normalize = |text: &str| -> Vec<String> {
        py::splitlines(text)
            .into_iter()
            .map(|l| {
                let l = if strict { l } else { py::strip(l) };
                if ignore_case {
                    l.to_lowercase()
                } else {
                    l.to_owned()
                }
            })
            .collect()
    };
    let actual = normalize(&actual);
    for gold in golds.into_iter().flatten() {
        if let Ok(wanted) = py::read_text_any_encoding(gold)
            && normalize(&wanted) == actual
        {
            return Ok(1.0);
        }
    }
    Ok(0.0)
}

/// The result JSON file has each key of `rules["expected"]` at its top level, with an equal
/// value. A file that is not JSON as Python's `json.load` reads it (comments, a trailing comma,
/// a byte-order mark, bytes that are not UTF-8) scores 0, as in OSWorld; `NaN` loads.
pub(super) fn check_json_settings(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "check_json_settings";
    let rules = rules(M, expected)?;
    let Some(Value::Object(expect)) = rules.get("expected") else {
        return Err(invalid(M, "rules.expected must be an object"));
    };
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(text) = py::read_text(path) else {
        return Ok(0.0);
    };
    let Ok(data) = py::json_loads(&text) else {
        return Ok(0.0);
    };
    // `key not in data or data[key] != value` for each expected key: on a list, a string or a
    // number Python either finds the key missing or raises, so only an object can match, and
    // anything matches an empty `expected`.
    let Value::Object(data) = data else {
        return Ok(score_of(expect.is_empty()));
    };
    Ok(score_of(expect.iter().all(|(key, want)| {
        data.get(key).is_some_and(|got| py::eq(got, want))
    })))
}

fn read_gold(metric: &str, path: &Path) -> Result<String, MetricError> {
    py::read_text(path).map_err(|e| {
        invalid(
            metric,
            format!("cannot read the expected file {}: {e}", path.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_collapse_as_osworld() {
        assert_eq!(collapse_blanks("  a\t\tb \n\n c  \n"), "a b c");
        assert_eq!(collapse_blanks(""), "");
    }
}

#[cfg(test)]
mod quirks {
    use super::*;
    use serde_json::json;

    fn file(dir: &Path, name: &str, bytes: &[u8]) -> Got {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        Got::File(Some(path))
    }

    #[test]
    fn compare_csv_keeps_the_bom() {
        // OSWorld's _safe_read_file tries "utf-8" first: the BOM stays in the first line.
        let dir = tempfile::tempdir().unwrap();
        let bom = file(dir.path(), "bom.csv", b"\xef\xbb\xbfa,b\r\n1,2\r\n");
        let plain = file(dir.path(), "plain.csv", b"a,b\n1,2\n");
        let loose = json!({"strict": false, "ignore_case": true});
        let loose = loose.as_object().unwrap();
        assert_eq!(compare_csv(Some(&bom), Some(&plain), &Map::new()), Ok(0.0));
        assert_eq!(compare_csv(Some(&bom), Some(&plain), loose), Ok(0.0));
        assert_eq!(compare_csv(Some(&bom), Some(&bom), &Map::new()), Ok(1.0));
        // Not UTF-8: Latin-1, BOM bytes included, equals the same text written as UTF-8.
        let latin1 = file(dir.path(), "l1.csv", b"\xef\xbb\xbfa\xe9\n");
        let utf8 = file(
            dir.path(),
            "u8.csv",
            "\u{ef}\u{bb}\u{bf}a\u{e9}\n".as_bytes(),
        );
        assert_eq!(
            compare_csv(Some(&latin1), Some(&utf8), &Map::new()),
            Ok(1.0)
        );
    }

    #[test]
    fn json_settings_as_python_loads_them() {
        let dir = tempfile::tempdir().unwrap();
        let nan = file(dir.path(), "nan.json", br#"{"a": NaN, "b": 1}"#);
        let b = Got::Json(json!({"expected": {"b": 1}}));
        assert_eq!(check_json_settings(Some(&nan), Some(&b)), Ok(1.0));
        // A list: `key not in data` is true for a missing key (0), and an empty expected passes.
        let list = file(dir.path(), "list.json", b"[1]");
        let empty = Got::Json(json!({"expected": {}}));
        assert_eq!(check_json_settings(Some(&list), Some(&empty)), Ok(1.0));
        assert_eq!(check_json_settings(Some(&list), Some(&b)), Ok(0.0));
        // json.load refuses a BOM.
        let bom = file(dir.path(), "bom.json", b"\xef\xbb\xbf{\"b\": 1}");
        assert_eq!(check_json_settings(Some(&bom), Some(&b)), Ok(0.0));
    }

    #[test]
    fn compare_text_file_refuses_what_python_cannot_decode() {
        let dir = tempfile::tempdir().unwrap();
        let latin1 = file(dir.path(), "a.txt", b"caf\xe9");
        let gold = file(dir.path(), "b.txt", "café".as_bytes());
        assert_eq!(
            compare_text_file(Some(&latin1), Some(&gold), &Map::new()),
            Ok(0.0)
        );
    }
}
