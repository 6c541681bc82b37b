//! Thunderbird's metrics (`thunderbird.py`): prefs, filters, folders.
//!
//! - `check_thunderbird_prefs(prefs.js, rules)`: each line, stripped, that OSWorld's pattern
//!   `^user_pref\("KEY", VALUE\);$` fits gives `KEY` (as written, `\"` kept) and `VALUE` read as
//!   JSON. Every key of `rules["expect"]` must be there and match its rule (see
//!   [`super::records::match_rule`]; the last line of a key counts), and no key of
//!   `rules["unexpect"]` (not also in `expect`) may match its rule. A rule that makes Python
//!   raise (a method it does not know, `re` on a boolean) makes OSWorld fail: an error here.
//! - `check_thunderbird_filter(msgFilterRules.dat, rules)`: filters as OSWorld reads that file:
//!   `name=`, `enabled=`, `type=`, `action=` and `actionValue=` lines (the quotes cut off as
//!   `line[k:-2]`, so a last line without its newline loses a character; `\"` and `\\`
//!   unescaped; a later line of the same kind wins), a filter counted once its `condition=`
//!   line comes, its conditions the `AND (…)`/`OR (…)`/`ALL` parts OSWorld's pattern finds.
//!   Every `expect` record (`{field: value}`, Python `==`) must match some filter and no
//!   `unexpect` record any.
//! - `check_thunderbird_folder(files, golds, remove_deleted, remove_duplicate, ignore_status,
//!   ignore_keys)`: OSWorld 1.0.2 splits each file's text on `FROM - ` (upper case, which
//!   Thunderbird's `From - ` lines are not) and then keeps only the pieces that are blank
//!   (`if mail.strip(): continue`). So a file scores as its "blank pieces" alone: an empty
//!   file gives one, a file with mail in it none. The pair matches when both give the same
//!   (with `remove_duplicate`, the default, only whether there is one); the options change
//!   nothing else, since a blank piece has no status or keys. A missing result scores 0;
//!   pairs are zipped (the shorter list wins).

use super::records::{Raised, match_rule, score_records};
use super::{Got, MetricError, flag, invalid, one_file, py, rules, score_of};
use serde_json::{Map, Value};
use std::path::Path;

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &[
    "check_thunderbird_filter",
    "check_thunderbird_folder",
    "check_thunderbird_prefs",
];

/// Whether `options` fit metric `name` (one of [`NAMES`]), without reading anything:
/// `check_thunderbird_folder` takes any keyword (`**kwargs`), the others none.
pub(super) fn check_options(name: &str, options: &Map<String, Value>) -> Result<(), MetricError> {
    if name == "check_thunderbird_folder" {
        return Ok(());
    }
    match options.keys().next() {
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
        "check_thunderbird_prefs" => check_prefs(result, expected),
        "check_thunderbird_filter" => check_filter(result, expected),
        "check_thunderbird_folder" => check_folder(result, expected, options),
        _ => Err(MetricError::Unsupported(name.to_owned())),
    }
}

/// OSWorld's `_pref_pattern`.
const PREF_PATTERN: &str = r#"^user_pref\("(?P<key>(?:[^"]|\\")+)", (?P<val>.+)\);$"#;

fn check_prefs(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "check_thunderbird_prefs";
    let rules = rules(M, expected)?;
    let table = |name: &str| match rules.get(name) {
        None => Ok(Map::new()),
        Some(Value::Object(t)) => Ok(t.clone()),
        Some(other) => Err(invalid(
            M,
            format!("{name} must map keys to rules, got {other}"),
        )),
    };
    let expect = table("expect")?;
    let unexpect = table("unexpect")?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(text) = py::read_text(path) else {
        return Ok(0.0);
    };
    let pattern = fancy_regex::Regex::new(PREF_PATTERN).map_err(|e| invalid(M, e.to_string()))?;
    let raised = |r: Raised| invalid(M, format!("a rule fails in Python: {}", r.0));
    let mut found: Map<String, Value> = expect.keys().map(|k| (k.clone(), false.into())).collect();
    let mut clean = true;
    for line in py::file_lines(&text) {
        let Ok(Some(caps)) = pattern.captures(py::strip(line)) else {
            continue;
        };
        let (Some(key), Some(val)) = (caps.name("key"), caps.name("val")) else {
            continue;
        };
        let key = key.as_str();
        // OSWorld's json.loads raises on a value that is not JSON; Thunderbird writes none.
        let Ok(value) = serde_json::from_str::<Value>(val.as_str()) else {
            return Err(invalid(
                M,
                format!("the value of {key} is not JSON: {}", val.as_str()),
            ));
        };
        if let Some(rule) = expect.get(key) {
            let matched = match_rule(&value, rule).map_err(raised)?;
            found.insert(key.to_owned(), Value::Bool(matched));
        } else if let Some(rule) = unexpect.get(key)
            && clean
        {
            clean = !match_rule(&value, rule).map_err(raised)?;
        }
    }
    Ok(score_of(
        found.values().all(|v| v == &Value::Bool(true)) && clean,
    ))
}

/// OSWorld's `_condition_pattern` (its `\"` is a plain quote).
const CONDITION_PATTERN: &str =
    r#"\b(?:AND|OR) \((?:[\w ]+),(?:[\w ']+),(?:"(?:(?:[^"]|")+)"|(?:[^)]+))\)|\bALL\b"#;

/// `_value_processor`: `\"` → `"`, then `\\` → `\`.
fn unescape(v: &str) -> String {
    v.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// `line[start:-2]` on characters, as Python slices.
fn slice(line: &str, start: usize) -> String {
    let chars: Vec<char> = line.chars().collect();
    let end = chars.len().saturating_sub(2);
    if start >= end {
        return String::new();
    }
    chars[start..end].iter().collect()
}

/// The filters of a `msgFilterRules.dat` text as OSWorld reads them; `None` where OSWorld
/// would fail (a field line before any `name=` line).
fn read_filters(text: &str) -> Result<Option<Vec<Map<String, Value>>>, fancy_regex::Error> {
    let conditions = fancy_regex::Regex::new(CONDITION_PATTERN)?;
    // Every filter read, and the filters list as indices into it: OSWorld appends the dict it
    // is still filling, so later lines change a filter already counted.
    let mut all: Vec<Map<String, Value>> = Vec::new();
    let mut counted: Vec<usize> = Vec::new();
    for line in py::file_lines(text) {
        let field = [
            ("name=", "name", 6),
            ("enabled=", "enabled", 9),
            ("type=", "type", 6),
            ("action=", "action", 8),
            ("actionValue=", "actionValue", 13),
        ]
        .into_iter()
        .find(|(prefix, ..)| line.starts_with(prefix));
        if let Some((_, key, start)) = field {
            if key == "name" {
                all.push(Map::new());
            }
            let Some(current) = all.last_mut() else {
                return Ok(None);
            };
            current.insert(key.to_owned(), Value::String(unescape(&slice(line, start))));
        } else if line.starts_with("condition=") {
            let condition = unescape(&slice(line, 11));
            let found: Vec<Value> = conditions
                .find_iter(&condition)
                .filter_map(Result::ok)
                .map(|m| Value::String(m.as_str().to_owned()))
                .collect();
            let Some(current) = all.last_mut() else {
                return Ok(None);
            };
            current.insert("condition".to_owned(), Value::Array(found));
            counted.push(all.len() - 1);
        }
    }
    Ok(Some(counted.into_iter().map(|i| all[i].clone()).collect()))
}

fn check_filter(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "check_thunderbird_filter";
    let rules = rules(M, expected)?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(text) = py::read_text(path) else {
        return Ok(0.0);
    };
    match read_filters(&text).map_err(|e| invalid(M, e.to_string()))? {
        Some(filters) => score_records(M, rules, &filters),
        None => Ok(0.0),
    }
}

/// What OSWorld's `read_thunderbird_folder_file` makes of a folder file: one `FROM - ` line
/// per blank piece of the text split on `FROM - ` (one in all with `dedupe`).
fn folder_summary(path: &Path, dedupe: bool) -> std::io::Result<String> {
    let text = py::read_text(path)?;
    let blank = py::strip(&text)
        .split("FROM - ")
        .filter(|piece| py::strip(piece).is_empty())
        .count();
    let kept = if dedupe { blank.min(1) } else { blank };
    Ok(vec!["FROM - "; kept].join("\n"))
}

fn check_folder(
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    const M: &str = "check_thunderbird_folder";
    let dedupe = flag(options, "remove_duplicate", true);
    let (results, golds): (Vec<Option<&Path>>, Vec<Option<&Path>>) = match expected {
        Some(Got::Files(golds)) => match result {
            Some(Got::Files(results)) => (
                results.iter().map(|p| p.as_deref()).collect(),
                golds.iter().map(|p| p.as_deref()).collect(),
            ),
            _ => {
                return Err(invalid(
                    M,
                    "the golds are a list, so the results must be one",
                ));
            }
        },
        other => (
            vec![one_file(M, "result", result)?],
            vec![one_file(M, "expected", other)?],
        ),
    };
    for (pred, gold) in results.into_iter().zip(golds) {
        let Some(pred) = pred else {
            return Ok(0.0);
        };
        let gold = gold.ok_or_else(|| invalid(M, "a gold file is missing"))?;
        let gold = folder_summary(gold, dedupe)
            .map_err(|e| invalid(M, format!("cannot read {}: {e}", gold.display())))?;
        let Ok(mine) = folder_summary(pred, dedupe) else {
            return Ok(0.0);
        };
        if mine != gold {
            return Ok(0.0);
        }
    }
    Ok(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_lines_as_osworld() {
        let text = "version=\"9\"\nlogging=\"no\"\nname=\"Promo \\\"x\\\"\"\nenabled=\"yes\"\ntype=\"17\"\naction=\"Move to folder\"\nactionValue=\"mailbox://nobody@Local%20Folders/Promotions\"\ncondition=\"AND (subject,contains,discount) OR (from,is,\\\"a b\\\")\"\nname=\"All\"\ncondition=\"ALL\"";
        let filters = read_filters(text).unwrap().unwrap();
        assert_eq!(filters.len(), 2);
        assert_eq!(filters[0]["name"], "Promo \"x\"");
        assert_eq!(
            filters[0]["condition"],
            serde_json::json!(["AND (subject,contains,discount)", "OR (from,is,\"a b\")"])
        );
        // The last line has no newline: `[11:-2]` cuts "AL" to "A", which is no `ALL`.
        assert_eq!(filters[1]["condition"], serde_json::json!([]));
        assert_eq!(read_filters("enabled=\"yes\"\n").unwrap(), None);
    }

    #[test]
    fn pref_pattern_as_osworld() {
        let re = fancy_regex::Regex::new(PREF_PATTERN).unwrap();
        let caps = re
            .captures(r#"user_pref("a.\"b\"", "x\"y");"#)
            .unwrap()
            .unwrap();
        assert_eq!(&caps["key"], r#"a.\"b\""#);
        assert_eq!(&caps["val"], r#""x\"y""#);
        assert!(re.captures("pref(\"a\", 1);").unwrap().is_none());
    }
}
