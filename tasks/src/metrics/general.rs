//! OSWorld's `general.py` metrics on values and rules: `exact_match`, `check_include_exclude`,
//! `is_in_list`, `literal_match`, `check_list`, `file_contains`, `check_direct_json_object`.

use super::{Got, MetricError, flag, invalid, one_file, py, rules, score_of, value};
use serde_json::{Map, Value};

/// `result == rules["expected"]` (a missing file is `None`).
pub(super) fn exact_match(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "exact_match";
    let rules = rules(M, expected)?;
    let expect = need(M, rules, "expected")?;
    // A missing file is Python's None, which equals an expected null.
    let result = value(M, "result", result)?.unwrap_or(Value::Null);
    Ok(score_of(py::eq(&result, expect)))
}

/// Every `rules["include"]` in the result and none of `rules["exclude"]` (Python's `in`).
pub(super) fn check_include_exclude(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "check_include_exclude";
    let rules = rules(M, expected)?;
    let include = list_or_empty(M, rules, "include")?;
    let exclude = list_or_empty(M, rules, "exclude")?;
    let Some(result) = value(M, "result", result)? else {
        return Ok(0.0);
    };
    if result.is_null() {
        return Ok(0.0);
    }
    for item in include {
        if !contains(M, &result, item)? {
            return Ok(0.0);
        }
    }
    for item in exclude {
        if contains(M, &result, item)? {
            return Ok(0.0);
        }
    }
    Ok(1.0)
}

/// `rules["expected"] in result`.
pub(super) fn is_in_list(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "is_in_list";
    let rules = rules(M, expected)?;
    let expect = need(M, rules, "expected")?;
    match value(M, "result", result)? {
        None | Some(Value::Null) => Ok(0.0),
        Some(result) => Ok(score_of(contains(M, &result, expect)?)),
    }
}

/// The type `literal_match` compares as: `options["type"]`, "str" by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Literal {
    Str,
    List,
}

pub(super) fn literal_match_options(options: &Map<String, Value>) -> Result<Literal, MetricError> {
    match options.get("type") {
        None => Ok(Literal::Str),
        Some(Value::String(t)) if t == "str" => Ok(Literal::Str),
        Some(Value::String(t)) if t == "list" => Ok(Literal::List),
        Some(other) => Err(invalid(
            "literal_match",
            format!("type must be \"str\" or \"list\", got {other}"),
        )),
    }
}

/// `str(result) == str(expected)`, or element-wise for `type: "list"`; `ignore_case` lowers
/// both. A missing file is `None`, so it matches an expected "None".
pub(super) fn literal_match(
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    const M: &str = "literal_match";
    let kind = literal_match_options(options)?;
    let ignore_case = flag(options, "ignore_case", false);
    let fold = |s: String| if ignore_case { s.to_lowercase() } else { s };
    // A missing file is Python's None: `str(None)` is "None".
    let result = value(M, "result", result)?.unwrap_or(Value::Null);
    let expected = value(M, "expected", expected)?.unwrap_or(Value::Null);
    match kind {
        Literal::Str => Ok(score_of(
            fold(py::to_str(&result)) == fold(py::to_str(&expected)),
        )),
        Literal::List => match (&result, &expected) {
            (Value::Array(r), Value::Array(e)) if r.len() == e.len() => Ok(score_of(
                r.iter()
                    .zip(e)
                    .all(|(a, b)| fold(py::to_str(a)) == fold(py::to_str(b))),
            )),
            _ => Ok(0.0),
        },
    }
}

/// Each regex of `rules["expect"]` matches some line of the result file, and none of
/// `rules["unexpect"]` matches any line.
pub(super) fn check_list(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "check_list";
    let rules = rules(M, expected)?;
    let compile = |key: &str| -> Result<Vec<fancy_regex::Regex>, MetricError> {
        list_or_empty(M, rules, key)?
            .iter()
            .map(|p| match p {
                Value::String(p) => {
                    py::regex(p, &[]).map_err(|e| invalid(M, crate::error::chain(&e)))
                }
                other => Err(invalid(
                    M,
                    format!("{key}: a pattern must be a string, got {other}"),
                )),
            })
            .collect()
    };
    let expect = compile("expect")?;
    let unexpect = compile("unexpect")?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(text) = py::read_text(path) else {
        return Ok(0.0);
    };
    let mut seen = vec![false; expect.len()];
    for line in py::file_lines(&text) {
        for (i, re) in expect.iter().enumerate() {
            seen[i] = seen[i] || py::search(re, line);
        }
        if unexpect.iter().any(|re| py::search(re, line)) {
            return Ok(0.0);
        }
    }
    Ok(score_of(seen.iter().all(|s| *s)))
}

/// Every string of `rules["expected"]` is in the result file's text.
pub(super) fn file_contains(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "file_contains";
    let rules = rules(M, expected)?;
    let Value::Array(wanted) = need(M, rules, "expected")? else {
        return Err(invalid(M, "rules.expected must be a list of strings"));
    };
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Ok(text) = py::read_text(path) else {
        return Ok(0.0);
    };
    for w in wanted {
        let Value::String(w) = w else {
            return Err(invalid(M, format!("rules.expected: {w} is not a string")));
        };
        if !text.contains(w.as_str()) {
            return Ok(0.0);
        }
    }
    Ok(1.0)
}

/// Compares the result object with `rules["expected"]` key by key: equal values, or with
/// `expect_in_result`, the expected string within the result's or one of the expected list in
/// it. Text is parsed as JSON after turning `'` into `"`, as OSWorld does.
///
/// `ignore_list_order` is read where OSWorld reads it, inside `expected`: there it sorts every
/// expected and result value before comparing (the flag's own `true` cannot be sorted, so the
/// rule then scores 0, as in OSWorld). Beside `expected`, where one corpus task puts it, it
/// does nothing: the lists must be in the same order.
pub(super) fn check_direct_json_object(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "check_direct_json_object";
    let rules = rules(M, expected)?;
    let Value::Object(expect) = need(M, rules, "expected")? else {
        return Err(invalid(M, "rules.expected must be an object"));
    };
    let result = match value(M, "result", result)? {
        None | Some(Value::Null) => return Ok(0.0),
        Some(Value::String(text)) => match py::json_loads(&py::strip(&text).replace('\'', "\"")) {
            Ok(v) => v,
            Err(_) => return Ok(0.0),
        },
        Some(v) => v,
    };
    if expect
        .values()
        .any(|v| matches!(v, Value::String(s) if s == "__EVALUATION_FAILED__"))
    {
        return Ok(0.0);
    }
    let Value::Object(result) = result else {
        return Ok(0.0);
    };
    let null = Value::Null;
    if !flag(rules, "expect_in_result", false) {
        // Read from inside `expected`, as OSWorld does: beside it, the flag does nothing.
        let ignore_order = expect.get("ignore_list_order").is_some_and(py::truthy);
        for (key, want) in expect {
            let got = result.get(key).unwrap_or(&null);
            let same = if ignore_order {
                match (sorted(want), sorted(got)) {
                    (Some(w), Some(g)) => py::eq(&w, &g),
                    _ => false,
                }
            } else {
                py::eq(want, got)
            };
            if !same {
                return Ok(0.0);
            }
        }
        return Ok(1.0);
    }
    for (key, want) in expect {
        let got = result.get(key).unwrap_or(&null);
        let ok = match want {
            Value::Array(choices) => choices.iter().any(|choice| match got {
                Value::Array(items) => items.iter().any(|item| py::eq(item, choice)),
                Value::String(_) => py::eq(choice, got),
                _ => false,
            }),
            Value::String(w) => match got {
                Value::String(g) => g.contains(w.as_str()),
                Value::Array(items) => items.iter().any(|item| py::eq(item, want)),
                Value::Object(o) => o.contains_key(w),
                _ => false,
            },
            _ => false,
        };
        if !ok {
            return Ok(0.0);
        }
    }
    Ok(1.0)
}

/// Python's `sorted(v)`: a list's items or a string's characters, in order; `None` where
/// Python raises (unorderable items, a value that is not iterable).
fn sorted(v: &Value) -> Option<Value> {
    let mut items = match v {
        Value::Array(a) => a.clone(),
        Value::String(s) => s.chars().map(|c| Value::String(c.to_string())).collect(),
        Value::Object(o) => o.keys().map(|k| Value::String(k.clone())).collect(),
        _ => return None,
    };
    let mut failed = false;
    items.sort_by(|a, b| {
        py::compare(a, b).unwrap_or_else(|_| {
            failed = true;
            std::cmp::Ordering::Equal
        })
    });
    (!failed).then_some(Value::Array(items))
}

/// Python's `item in container`.
fn contains(metric: &str, container: &Value, item: &Value) -> Result<bool, MetricError> {
    match (container, item) {
        (Value::String(hay), Value::String(needle)) => Ok(hay.contains(needle.as_str())),
        (Value::String(_), other) => Err(invalid(
            metric,
            format!("cannot look for {other} in text (Python raises TypeError)"),
        )),
        (Value::Array(items), _) => Ok(items.iter().any(|x| py::eq(x, item))),
        (Value::Object(map), Value::String(key)) => Ok(map.contains_key(key)),
        (Value::Object(_), _) => Ok(false),
        (other, _) => Err(invalid(
            metric,
            format!("cannot look for a value in {other} (Python raises TypeError)"),
        )),
    }
}

/// `rules[key]`, which must be there.
fn need<'r>(
    metric: &str,
    rules: &'r Map<String, Value>,
    key: &str,
) -> Result<&'r Value, MetricError> {
    rules
        .get(key)
        .ok_or_else(|| invalid(metric, format!("the rules have no \"{key}\"")))
}

/// `rules.get(key, [])`, which must be a list.
fn list_or_empty<'r>(
    metric: &str,
    rules: &'r Map<String, Value>,
    key: &str,
) -> Result<&'r [Value], MetricError> {
    match rules.get(key) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(invalid(
            metric,
            format!("rules.{key} must be a list, got {other}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules_of(v: Value) -> Got {
        Got::Json(v)
    }

    #[test]
    fn a_missing_file_is_none() {
        // OSWorld: `None == rules["expected"]`, `str(None) == str(expected)`.
        let missing = Got::File(None);
        let none = rules_of(json!({"expected": null}));
        assert_eq!(exact_match(Some(&missing), Some(&none)), Ok(1.0));
        let x = rules_of(json!({"expected": "x"}));
        assert_eq!(exact_match(Some(&missing), Some(&x)), Ok(0.0));
        let text = Got::Text("None".into());
        assert_eq!(
            literal_match(Some(&missing), Some(&text), &Map::new()),
            Ok(1.0)
        );
    }

    #[test]
    fn ignore_list_order_is_read_inside_expected() {
        let result = Got::Json(json!({"modelList": ["b", "a"]}));
        // Beside expected: no effect, the order counts.
        let beside =
            rules_of(json!({"expected": {"modelList": ["a", "b"]}, "ignore_list_order": true}));
        assert_eq!(
            check_direct_json_object(Some(&result), Some(&beside)),
            Ok(0.0)
        );
        // Inside: every value is sorted, the flag's own `true` too, which Python cannot sort.
        let inside =
            rules_of(json!({"expected": {"modelList": ["a", "b"], "ignore_list_order": true}}));
        assert_eq!(
            check_direct_json_object(Some(&result), Some(&inside)),
            Ok(0.0)
        );
        let sortable =
            rules_of(json!({"expected": {"modelList": ["a", "b"], "ignore_list_order": [1]}}));
        let both = Got::Json(json!({"modelList": ["b", "a"], "ignore_list_order": [1]}));
        assert_eq!(
            check_direct_json_object(Some(&both), Some(&sortable)),
            Ok(1.0)
        );
    }

    #[test]
    fn json_text_loads_as_python() {
        // json.loads reads NaN; the other keys still compare.
        let text = Got::Text("{'a': 1, 'b': NaN}".into());
        let a = rules_of(json!({"expected": {"a": 1}}));
        assert_eq!(check_direct_json_object(Some(&text), Some(&a)), Ok(1.0));
        let b = rules_of(json!({"expected": {"b": "NaN"}}));
        assert_eq!(check_direct_json_object(Some(&text), Some(&b)), Ok(0.0));
    }

    #[test]
    fn files_that_are_not_utf8_score_0() {
        // open(path).read() raises UnicodeDecodeError: file_contains catches it (0), check_list
        // does not (the task would crash; deskhand scores 0).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.txt");
        std::fs::write(&path, b"Ping caf\xe9\n").unwrap();
        let file = Got::File(Some(path));
        let ping = rules_of(json!({"expected": ["Ping"]}));
        assert_eq!(file_contains(Some(&file), Some(&ping)), Ok(0.0));
        let expect = rules_of(json!({"expect": ["Ping"]}));
        assert_eq!(check_list(Some(&file), Some(&expect)), Ok(0.0));
    }
}
