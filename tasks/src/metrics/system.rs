//! The desktop's metrics (`basic_os.py`): files moved, time zones, favourite apps, the clipboard.
//!
//! - `check_moved_jpgs(tree, rules)`: the names of the `list_directory` tree's children equal
//!   `rules["expected"]` as sets, with as many names as expected (a missing folder: 0).
//! - `is_utc_0(text)`: the 4th line of `timedatectl status` ends with `+0000)`.
//! - `check_gnome_favorite_apps(text, rules)`: the text, read as a Python list literal (what
//!   `gsettings get … favorite-apps` prints), has as many items as `rules["expected"]` and the
//!   same set; text that is not such a literal (`@as []`, an error) scores 0.
//! - `is_in_vm_clickboard(rules, text)`: note the order, as in the corpus: the result is the
//!   rule and the expected value the clipboard's text; `rules["expected"]` (or each item of it)
//!   is a substring of the text.

use super::{Got, MetricError, invalid, py, rules, score_of, value};
use serde_json::{Map, Value};

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &[
    "check_gnome_favorite_apps",
    "check_moved_jpgs",
    "is_in_vm_clickboard",
    "is_utc_0",
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
        "check_moved_jpgs" => check_moved_jpgs(result, expected),
        "is_utc_0" => is_utc_0(result),
        "check_gnome_favorite_apps" => check_gnome_favorite_apps(result, expected),
        "is_in_vm_clickboard" => is_in_vm_clickboard(result, expected),
        _ => Err(MetricError::Unsupported(name.to_owned())),
    }
}

/// `len(a) == len(b) and set(a) == set(b)` with Python's `==`.
fn same_set(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len()
        && a.iter().all(|x| b.iter().any(|y| py::eq(x, y)))
        && b.iter().all(|y| a.iter().any(|x| py::eq(x, y)))
}

fn expected_list<'r>(
    metric: &str,
    rules: &'r Map<String, Value>,
) -> Result<&'r [Value], MetricError> {
    match rules.get("expected") {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(invalid(metric, "rules must hold a list \"expected\"")),
    }
}

fn check_moved_jpgs(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "check_moved_jpgs";
    let wanted = expected_list(M, rules(M, expected)?)?;
    let Some(tree) = value(M, "result", result)? else {
        return Ok(0.0);
    };
    let Some(Value::Array(children)) = tree.get("children") else {
        return Ok(0.0);
    };
    let mut names = Vec::with_capacity(children.len());
    for child in children {
        match child.get("name") {
            Some(n) => names.push(n.clone()),
            None => return Ok(0.0),
        }
    }
    Ok(score_of(same_set(&names, wanted)))
}

fn is_utc_0(result: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "is_utc_0";
    let Some(Value::String(text)) = value(M, "result", result)? else {
        return Ok(0.0);
    };
    Ok(score_of(
        text.split('\n')
            .nth(3)
            .is_some_and(|l| l.ends_with("+0000)")),
    ))
}

/// A Python list (or tuple) literal of strings, as `eval` reads it; `None` otherwise.
fn python_str_list(text: &str) -> Option<Vec<Value>> {
    let s = py::strip(text);
    let inner = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .or_else(|| s.strip_prefix('(').and_then(|r| r.strip_suffix(')')))?;
    let mut items = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| py::is_space(*c)) {
            chars.next();
        }
        let Some(quote) = chars.next() else { break };
        if quote != '\'' && quote != '"' {
            return None;
        }
        let mut item = String::new();
        loop {
            match chars.next()? {
                '\\' => match chars.next()? {
                    'n' => item.push('\n'),
                    't' => item.push('\t'),
                    c @ ('\\' | '\'' | '"') => item.push(c),
                    c => {
                        item.push('\\');
                        item.push(c);
                    }
                },
                c if c == quote => break,
                c => item.push(c),
            }
        }
        items.push(Value::String(item));
        while chars.peek().is_some_and(|c| py::is_space(*c)) {
            chars.next();
        }
        match chars.next() {
            Some(',') => {}
            None => break,
            Some(_) => return None,
        }
    }
    Some(items)
}

fn check_gnome_favorite_apps(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "check_gnome_favorite_apps";
    let wanted = expected_list(M, rules(M, expected)?)?;
    let Some(Value::String(text)) = value(M, "result", result)? else {
        return Ok(0.0);
    };
    let Some(apps) = python_str_list(&text) else {
        return Ok(0.0);
    };
    Ok(score_of(same_set(&apps, wanted)))
}

fn is_in_vm_clickboard(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "is_in_vm_clickboard";
    let config = rules(M, result)?;
    let Some(Value::String(text)) = value(M, "expected", expected)? else {
        return Ok(0.0);
    };
    let contains = |v: &Value| match v {
        Value::String(s) => Ok(text.contains(s.as_str())),
        other => Err(invalid(M, format!("expected text, got {other}"))),
    };
    match config.get("expected") {
        Some(Value::Array(items)) => {
            for item in items {
                if !contains(item)? {
                    return Ok(0.0);
                }
            }
            Ok(1.0)
        }
        Some(v) => Ok(score_of(contains(v)?)),
        None => Err(invalid(M, "rules must hold \"expected\"")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_lists() {
        assert_eq!(
            python_str_list("['a.desktop', \"b.desktop\"]\n"),
            Some(vec![Value::from("a.desktop"), Value::from("b.desktop")])
        );
        assert_eq!(python_str_list("[]"), Some(vec![]));
        assert_eq!(python_str_list("['a',]"), Some(vec![Value::from("a")]));
        assert_eq!(python_str_list("@as []"), None);
        assert_eq!(python_str_list("['a' 'b']"), None);
    }
}
