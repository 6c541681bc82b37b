//! OSWorld's `_match_value_to_rule(value, {"method": …, "ref": …})`, which `check_cell` uses.
//!
//! Methods: `re[.FLAG…]` (`re.search(ref, value)`), `eq` `ne` `lt` `le` `gt` `ge` (Python's
//! operators), `approx:T` (`abs(float(value) - ref) <= T`), `range.XY` (`ref[0] <X value <Y
//! ref[1]`, X and Y `e` for ≤ or `t` for <), `str_list_eq` / `str_set_eq` (the value split at
//! commas, after stripping quotes, against the list `ref`). `spreadsheet_range` only applies to
//! data validation, which deskhand does not read.

use super::super::py;
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// Why a rule could not be applied.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum RuleError {
    /// Python raises on these values (`None < 3`, `re.search` on a number): OSWorld's
    /// `check_cell` then scores 0.
    Raises,
    /// The rule is malformed.
    Invalid(String),
    /// The method is one deskhand does not implement.
    Unsupported(String),
}

/// Checks the rule's shape without a value: `Invalid` or `Unsupported` as [`matches()`] would.
pub(super) fn check(rule: &Value) -> Result<(), RuleError> {
    let (method, _) = parts(rule)?;
    if method.starts_with("re") {
        let flags: Vec<&str> = method.split('.').skip(1).collect();
        let pattern = rule.get("ref").and_then(Value::as_str).unwrap_or("");
        return py::regex(pattern, &flags)
            .map(|_| ())
            .map_err(|e| RuleError::Invalid(crate::error::chain(&e)));
    }
    match method {
        "eq" | "ne" | "le" | "lt" | "ge" | "gt" | "str_list_eq" | "str_set_eq" => Ok(()),
        "spreadsheet_range" => Err(RuleError::Unsupported(
            "value method spreadsheet_range".to_owned(),
        )),
        m if m.starts_with("approx:") => approx_threshold(m).map(|_| ()),
        m if m.starts_with("range.") => range_ops(m).map(|_| ()),
        m => Err(RuleError::Invalid(format!(
            "unknown value rule method {m:?}"
        ))),
    }
}

/// Whether `value` satisfies the rule.
pub(super) fn matches(value: &Value, rule: &Value) -> Result<bool, RuleError> {
    check(rule)?;
    let (method, reference) = parts(rule)?;
    if method.starts_with("re") {
        let flags: Vec<&str> = method.split('.').skip(1).collect();
        let (Some(pattern), Value::String(text)) = (reference.as_str(), value) else {
            return Err(RuleError::Raises);
        };
        let re =
            py::regex(pattern, &flags).map_err(|e| RuleError::Invalid(crate::error::chain(&e)))?;
        return Ok(py::search(&re, text));
    }
    let order = || py::compare(value, reference).map_err(|_| RuleError::Raises);
    match method {
        "eq" => Ok(py::eq(value, reference)),
        "ne" => Ok(!py::eq(value, reference)),
        "lt" => Ok(order()? == Ordering::Less),
        "le" => Ok(order()? != Ordering::Greater),
        "gt" => Ok(order()? == Ordering::Greater),
        "ge" => Ok(order()? != Ordering::Less),
        "str_list_eq" | "str_set_eq" => {
            let Value::String(text) = value else {
                return Err(RuleError::Raises);
            };
            let Value::Array(wanted) = reference else {
                return Err(RuleError::Invalid("ref must be a list".to_owned()));
            };
            let got: Vec<Value> = text
                .trim_matches(['"', '\''])
                .split(',')
                .map(|s| Value::String(s.to_owned()))
                .collect();
            if method == "str_list_eq" {
                Ok(py::eq(&Value::Array(got), reference))
            } else {
                let has = |set: &[Value], x: &Value| set.iter().any(|y| py::eq(x, y));
                Ok(got.iter().all(|x| has(wanted, x)) && wanted.iter().all(|x| has(&got, x)))
            }
        }
        m if m.starts_with("approx:") => {
            let threshold = approx_threshold(m)?;
            let Some(got) = to_float(value) else {
                return Ok(false);
            };
            let Some(reference) = reference.as_f64() else {
                return Err(RuleError::Raises);
            };
            Ok((got - reference).abs() <= threshold)
        }
        m if m.starts_with("range.") => {
            let (left_inclusive, right_inclusive) = range_ops(m)?;
            let Some([low, high]) = reference
                .as_array()
                .map(Vec::as_slice)
                .and_then(|s| <&[Value; 2]>::try_from(s).ok())
            else {
                return Err(RuleError::Invalid(
                    "range: ref must be [low, high]".to_owned(),
                ));
            };
            let above = py::compare(low, value).map_err(|_| RuleError::Raises)?;
            let below = py::compare(value, high).map_err(|_| RuleError::Raises)?;
            let ok = |o: Ordering, inclusive: bool| {
                o == Ordering::Less || (inclusive && o == Ordering::Equal)
            };
            Ok(ok(above, left_inclusive) && ok(below, right_inclusive))
        }
        m => Err(RuleError::Invalid(format!(
            "unknown value rule method {m:?}"
        ))),
    }
}

fn parts(rule: &Value) -> Result<(&str, &Value), RuleError> {
    let Some(rule) = rule.as_object() else {
        return Err(RuleError::Invalid(format!(
            "a value rule must be an object, got {rule}"
        )));
    };
    let method = rule
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(|| RuleError::Invalid("a value rule needs a string \"method\"".to_owned()))?;
    static NULL: Value = Value::Null;
    Ok((method, rule.get("ref").unwrap_or(&NULL)))
}

fn approx_threshold(method: &str) -> Result<f64, RuleError> {
    method
        .split(':')
        .nth(1)
        .and_then(|t| py::strip(t).parse::<f64>().ok())
        .ok_or_else(|| RuleError::Invalid(format!("bad threshold in {method:?}")))
}

/// `range.XY` → (X is `e`, Y is `e`).
fn range_ops(method: &str) -> Result<(bool, bool), RuleError> {
    let bytes = method.as_bytes();
    let op = |b: Option<&u8>| match b {
        Some(b'e') => Ok(true),
        Some(b't') => Ok(false),
        _ => Err(RuleError::Invalid(format!("bad range method {method:?}"))),
    };
    Ok((op(bytes.get(6))?, op(bytes.get(7))?))
}

/// Python's `float(value)`, `None` where it raises.
fn to_float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::String(s) => py::strip(s).replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
}

/// The props of a `check_cell` rule that deskhand can read.
pub(super) fn check_props(props: &Map<String, Value>) -> Result<(), RuleError> {
    for (prop, rule) in props {
        match prop.as_str() {
            "value" | "merge" => check(rule)?,
            other => {
                return Err(RuleError::Unsupported(format!("prop {other}")));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(value: Value, rule: Value) -> Result<bool, RuleError> {
        matches(&value, &rule)
    }

    #[test]
    fn methods_as_osworld() {
        assert_eq!(
            m(
                json!(191.66671),
                json!({"method": "approx:0.001", "ref": 191.6667})
            ),
            Ok(true)
        );
        assert_eq!(
            m(
                json!(191.7),
                json!({"method": "approx:0.001", "ref": 191.6667})
            ),
            Ok(false)
        );
        assert_eq!(
            m(json!(null), json!({"method": "approx:0.1", "ref": 1})),
            Ok(false)
        );
        assert_eq!(
            m(
                json!("-3670.05"),
                json!({"method": "approx:0.1", "ref": -3670})
            ),
            Ok(true)
        );
        assert_eq!(
            m(
                json!("Investment Summary"),
                json!({"method": "eq", "ref": "Investment Summary"})
            ),
            Ok(true)
        );
        assert_eq!(m(json!(2.0), json!({"method": "eq", "ref": 2})), Ok(true));
        assert_eq!(m(json!(3.0), json!({"method": "lt", "ref": 260})), Ok(true));
        assert_eq!(
            m(json!(null), json!({"method": "lt", "ref": 260})),
            Err(RuleError::Raises)
        );
        assert_eq!(
            m(json!(2), json!({"method": "range.te", "ref": [0, 2]})),
            Ok(true)
        );
        assert_eq!(
            m(json!(0), json!({"method": "range.te", "ref": [0, 2]})),
            Ok(false)
        );
        assert_eq!(
            m(json!("ab12"), json!({"method": "re", "ref": "\\d+"})),
            Ok(true)
        );
        assert_eq!(
            m(json!("AB"), json!({"method": "re.I", "ref": "ab"})),
            Ok(true)
        );
        assert_eq!(
            m(
                json!("'Pass,Fail'"),
                json!({"method": "str_set_eq", "ref": ["Fail", "Pass"]})
            ),
            Ok(true)
        );
        assert_eq!(
            m(
                json!("Pass,Fail"),
                json!({"method": "str_list_eq", "ref": ["Fail", "Pass"]})
            ),
            Ok(false)
        );
        assert!(matches!(
            m(json!(1), json!({"method": "nope", "ref": 1})),
            Err(RuleError::Invalid(_))
        ));
        assert!(matches!(
            m(json!(1), json!({"method": "spreadsheet_range", "ref": []})),
            Err(RuleError::Unsupported(_))
        ));
    }
}
