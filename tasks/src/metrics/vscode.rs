//! VS Code's metrics (`vscode.py`): settings, keybindings, extensions.
//!
//! - `check_json_keybindings(file, rules)`: the file is a JSON list (read whole, or else
//!   without its first line, where VS Code writes a `//` comment) holding `rules["expected"]`
//!   (Python's `==`).
//! - `compare_config(file, rules)`: the file's text equals `rules["expected"]`. OSWorld 1.0.2
//!   takes no options: `containment_ok`, which one corpus task passes, changes nothing.
//! - `is_extension_installed(text, rules)`: `rules["expected"]` is (`type: contain`) or is not
//!   (`not_contain`) a substring of the text.

use super::{Got, MetricError, invalid, one_file, py, rules, score_of, value};
use serde_json::{Map, Value};

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &[
    "check_json_keybindings",
    "compare_config",
    "is_extension_installed",
];

/// Whether `options` fit metric `name` (one of [`NAMES`]), without reading anything.
pub(super) fn check_options(name: &str, options: &Map<String, Value>) -> Result<(), MetricError> {
    let _ = (name, options);
    Ok(())
}

/// Scores metric `name` (one of [`NAMES`]).
pub(super) fn score(
    name: &str,
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    let _ = options;
    match name {
        "check_json_keybindings" => check_json_keybindings(result, expected),
        "compare_config" => compare_config(result, expected),
        "is_extension_installed" => is_extension_installed(result, expected),
        _ => Err(MetricError::Unsupported(name.to_owned())),
    }
}

fn want<'r>(metric: &str, rules: &'r Map<String, Value>) -> Result<&'r Value, MetricError> {
    rules
        .get("expected")
        .ok_or_else(|| invalid(metric, "rules must hold \"expected\""))
}

fn check_json_keybindings(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "check_json_keybindings";
    let wanted = want(M, rules(M, expected)?)?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(text) = py::read_text(path) else {
        return Ok(0.0);
    };
    let whole = serde_json::from_str::<Value>(&text).ok();
    let rest = || {
        let after = text.split_once('\n').map_or("", |(_, r)| r);
        serde_json::from_str::<Value>(after).ok()
    };
    let list = match whole {
        Some(Value::Array(items)) => items,
        _ => match rest() {
            Some(Value::Array(items)) => items,
            _ => return Ok(0.0),
        },
    };
    Ok(score_of(list.iter().any(|v| py::eq(v, wanted))))
}

fn compare_config(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "compare_config";
    let wanted = want(M, rules(M, expected)?)?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(text) = py::read_text(path) else {
        return Ok(0.0);
    };
    Ok(score_of(wanted.as_str() == Some(text.as_str())))
}

fn is_extension_installed(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "is_extension_installed";
    let rules = rules(M, expected)?;
    let wanted = match want(M, rules)? {
        Value::String(s) => s.as_str(),
        other => return Err(invalid(M, format!("expected text, got {other}"))),
    };
    let Some(Value::String(text)) = value(M, "result", result)? else {
        return Ok(0.0);
    };
    match rules.get("type").and_then(Value::as_str) {
        Some("contain") => Ok(score_of(text.contains(wanted))),
        Some("not_contain") => Ok(score_of(!text.contains(wanted))),
        other => Err(invalid(
            M,
            format!("rule type must be contain or not_contain, got {other:?}"),
        )),
    }
}
