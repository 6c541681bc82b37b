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
/// value. A file that is not JSON (comments included) scores 0, as in OSWorld.
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
    let Ok(Value::Object(data)) = serde_json::from_str::<Value>(&text) else {
        return Ok(0.0);
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
