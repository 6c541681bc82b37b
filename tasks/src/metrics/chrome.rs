//! Chrome's metrics (`desktop_env/evaluators/metrics/chrome.py`): tabs, URLs, bookmarks, history, cookies, settings.
//!
//! Each follows OSWorld's Python, quirks included: a falsy result (`None`, `""`, `[]`, `{}`)
//! scores 0 before anything else; the URL metrics compare through `compare_urls` (module
//! `url`: no `www.`, no public suffix, no port, no lone `/` path); a rule of a `type` the
//! metric does not know scores 0 for the tab metrics and is [`MetricError::Invalid`] (OSWorld
//! raises) for the others; where OSWorld would crash on what the agent left behind (a missing
//! key in the result, a `None` history), the metric scores 0. `match_in_list` (from
//! `general.py`) lives here as Chrome's tasks are its users.

#[path = "chrome_html.rs"]
mod html;
#[path = "chrome_url.rs"]
mod url;

use super::{Got, MetricError, flag, invalid, one_file, py, rules, score_of, value};
use serde_json::{Map, Value};

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &[
    "check_font_size",
    "check_history_deleted",
    "compare_htmls",
    "is_added_to_steam_cart",
    "is_cookie_deleted",
    "is_expected_active_tab",
    "is_expected_active_tab_approximate",
    "is_expected_bookmarks",
    "is_expected_installed_extensions",
    "is_expected_search_query",
    "is_expected_tabs",
    "is_expected_url_pattern_match",
    "is_shortcut_on_desktop",
    "match_in_list",
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
    if name == "compare_htmls" {
        return compare_htmls(result, expected, options);
    }
    let rule = rules(name, expected)?;
    let Some(result) = value(name, "result", result)? else {
        return Ok(0.0);
    };
    let pass: Option<bool> = match name {
        "is_expected_active_tab" => active_tab(name, &result, rule, false)?,
        "is_expected_active_tab_approximate" => active_tab(name, &result, rule, true)?,
        "is_expected_url_pattern_match" => url_pattern_match(name, &result, rule)?,
        "is_expected_tabs" => expected_tabs(name, &result, rule)?,
        "is_expected_bookmarks" => expected_bookmarks(name, &result, rule)?,
        "is_expected_search_query" => search_query(name, &result, rule)?,
        "is_expected_installed_extensions" => installed_extensions(name, &result, rule)?,
        "is_cookie_deleted" => cookie_deleted(name, &result, rule)?,
        "check_history_deleted" => history_deleted(name, &result, rule)?,
        "check_font_size" => font_size(name, &result, rule)?,
        "is_shortcut_on_desktop" => shortcut_on_desktop(name, &result, rule)?,
        "is_added_to_steam_cart" => steam_cart(name, &result, rule)?,
        "match_in_list" => match_in_list(name, &result, rule)?,
        _ => return Err(MetricError::Unsupported(name.to_owned())),
    };
    // `None`: OSWorld's code would raise on the result; the task scores 0.
    Ok(score_of(pass.unwrap_or(false)))
}

/// What a rule check gives: `Ok(Some(pass))`, `Ok(None)` where Python raises on the result,
/// `Err` where the task file does not fit the metric.
type Check = Result<Option<bool>, MetricError>;

/// `rule[key]`, which the task file must give.
fn need<'r>(
    metric: &str,
    rule: &'r Map<String, Value>,
    key: &str,
) -> Result<&'r Value, MetricError> {
    rule.get(key)
        .ok_or_else(|| invalid(metric, format!("the rule has no \"{key}\"")))
}

/// `rule[key]` as a string the task file must give.
fn need_str<'r>(
    metric: &str,
    rule: &'r Map<String, Value>,
    key: &str,
) -> Result<&'r str, MetricError> {
    need(metric, rule, key)?
        .as_str()
        .ok_or_else(|| invalid(metric, format!("the rule's \"{key}\" must be a string")))
}

/// What Python's `for x in v` gives on a JSON value: a list's items, a string's characters, a
/// dict's keys; `None` for what is not iterable.
fn iterate(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::Array(a) => Some(a.clone()),
        Value::String(s) => Some(s.chars().map(|c| Value::String(c.into())).collect()),
        Value::Object(o) => Some(o.keys().map(|k| Value::String(k.clone())).collect()),
        _ => None,
    }
}

/// Python's `needle in haystack`; `None` where Python raises.
fn contains(haystack: &Value, needle: &Value) -> Option<bool> {
    match (haystack, needle) {
        (Value::String(h), Value::String(n)) => Some(h.contains(n.as_str())),
        (Value::String(_), _) => None,
        (Value::Array(a), n) => Some(a.iter().any(|x| py::eq(x, n))),
        (Value::Object(o), Value::String(k)) => Some(o.contains_key(k)),
        (Value::Object(_), Value::Number(_) | Value::Bool(_) | Value::Null) => Some(false),
        _ => None,
    }
}

/// `compare_urls(a, b)` on JSON values: `None == None`; `None` (a crash) for other non-strings.
fn compare_url_values(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Some(a.is_null() && b.is_null()),
        (Value::String(x), Value::String(y)) => url::compare_urls(x, y).ok(),
        _ => None,
    }
}

/// The URL of a tab: the `url` of a dict (`None` when missing), else the value itself.
fn tab_url(result: &Value) -> Value {
    match result {
        Value::Object(o) => o.get("url").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// `is_expected_active_tab` (`compare_urls`) and `_approximate` (the query dropped).
fn active_tab(metric: &str, result: &Value, rule: &Map<String, Value>, approximate: bool) -> Check {
    if !py::truthy(result) {
        return Ok(Some(false));
    }
    if need(metric, rule, "type")?.as_str() != Some("url") {
        return Ok(Some(false));
    }
    let expected = need(metric, rule, "url")?;
    let actual = tab_url(result);
    if !approximate {
        return Ok(compare_url_values(expected, &actual));
    }
    let (Value::String(e), Value::String(a)) = (expected, &actual) else {
        return Ok(None);
    };
    Ok(match (url::strip_query(e), url::strip_query(a)) {
        (Ok(x), Ok(y)) => Some(x == y),
        _ => None,
    })
}

/// `is_expected_url_pattern_match`: every pattern of `rules["expected"]` found in the URL.
fn url_pattern_match(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    if !py::truthy(result) {
        return Ok(Some(false));
    }
    let url = match result {
        Value::String(s) => Value::String(s.clone()),
        Value::Object(o) if o.contains_key("url") => o["url"].clone(),
        _ => return Ok(Some(false)),
    };
    let patterns = iterate(need(metric, rule, "expected")?)
        .ok_or_else(|| invalid(metric, "\"expected\" must be a list of patterns"))?;
    for pattern in &patterns {
        let pattern = pattern
            .as_str()
            .ok_or_else(|| invalid(metric, "each pattern must be a string"))?;
        let re = py::regex(pattern, &[]).map_err(|e| invalid(metric, e.to_string()))?;
        let Value::String(url) = &url else {
            return Ok(None);
        };
        if !py::search(&re, url) {
            return Ok(Some(false));
        }
    }
    Ok(Some(true))
}

/// `is_expected_tabs`: the open tabs' URLs and `rule["urls"]` equal as lists under
/// `compare_urls` (same length, each expected URL matching some tab).
fn expected_tabs(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    if !py::truthy(result) {
        return Ok(Some(false));
    }
    if need(metric, rule, "type")?.as_str() != Some("url") {
        return Ok(Some(false));
    }
    let expected = iterate(need(metric, rule, "urls")?)
        .ok_or_else(|| invalid(metric, "\"urls\" must be a list"))?;
    let Some(tabs) = iterate(result) else {
        return Ok(None);
    };
    let mut actual = Vec::with_capacity(tabs.len());
    for tab in &tabs {
        match tab.get("url") {
            Some(u) if tab.is_object() => actual.push(u.clone()),
            _ => return Ok(None),
        }
    }
    if expected.len() != actual.len() {
        return Ok(Some(false));
    }
    for e in &expected {
        let mut found = false;
        for a in &actual {
            match compare_url_values(e, a) {
                Some(true) => {
                    found = true;
                    break;
                }
                Some(false) => {}
                None => return Ok(None),
            }
        }
        if !found {
            return Ok(Some(false));
        }
    }
    Ok(Some(true))
}

/// Python's `set(a) == set(b)` for lists of JSON scalars.
fn same_set(a: &[Value], b: &[Value]) -> bool {
    a.iter().all(|x| b.iter().any(|y| py::eq(x, y)))
        && b.iter().all(|y| a.iter().any(|x| py::eq(x, y)))
}

/// The bookmark bar's children, or `None` where Python would raise.
fn bar_children(bookmarks: &Value) -> Option<&Vec<Value>> {
    bookmarks.get("bookmark_bar")?.get("children")?.as_array()
}

/// `field` of every child of `kind` (`"url"` or `"folder"`); `None` where Python raises.
fn children_field(children: &[Value], kind: &str, field: &str) -> Option<Vec<Value>> {
    let mut out = Vec::new();
    for child in children {
        if child.get("type")?.as_str() == Some(kind) {
            out.push(child.get(field)?.clone());
        }
    }
    Some(out)
}

/// `is_expected_bookmarks`: the bar's folder names, its site URLs, or a "Liked Authors"
/// folder holding one URL of each group of `rule["urls"]` (a plain string is a group of one).
fn expected_bookmarks(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    if !py::truthy(result) {
        return Ok(Some(false));
    }
    let kind = need(metric, rule, "type")?;
    match kind.as_str() {
        Some("bookmark_bar_folders_names") | Some("bookmark_bar_websites_urls") => {
            let folders = kind.as_str() == Some("bookmark_bar_folders_names");
            let Some(children) = bar_children(result) else {
                return Ok(None);
            };
            let (child_kind, field, key) = if folders {
                ("folder", "name", "names")
            } else {
                ("url", "url", "urls")
            };
            let Some(got) = children_field(children, child_kind, field) else {
                return Ok(None);
            };
            let want = iterate(need(metric, rule, key)?)
                .ok_or_else(|| invalid(metric, format!("\"{key}\" must be a list")))?;
            Ok(Some(same_set(&got, &want)))
        }
        Some("liked_authors_websites_urls") => {
            let Some(children) = bar_children(result) else {
                return Ok(None);
            };
            let mut folder = None;
            for child in children {
                let (Some(t), name) = (child.get("type"), child.get("name")) else {
                    return Ok(None);
                };
                if t.as_str() == Some("folder") {
                    match name {
                        Some(n) if n.as_str() == Some("Liked Authors") => {
                            folder = Some(child);
                            break;
                        }
                        Some(_) => {}
                        None => return Ok(None),
                    }
                }
            }
            let Some(folder) = folder else {
                return Ok(Some(false));
            };
            let Some(inside) = folder.get("children").and_then(Value::as_array) else {
                return Ok(None);
            };
            let Some(liked) = children_field(inside, "url", "url") else {
                return Ok(None);
            };
            let groups: Vec<Vec<Value>> = iterate(need(metric, rule, "urls")?)
                .ok_or_else(|| invalid(metric, "\"urls\" must be a list"))?
                .into_iter()
                .map(|g| match g {
                    Value::String(_) => vec![g],
                    other => iterate(&other).unwrap_or_default(),
                })
                .collect();
            Ok(Some(one_of_each(&groups, &liked)))
        }
        _ => Err(invalid(
            metric,
            format!("rule type {kind} is not supported"),
        )),
    }
}

/// Whether picking one item of each group can give exactly the set `target` (OSWorld tries
/// every combination of `itertools.product`; only picks inside `target` can succeed).
fn one_of_each(groups: &[Vec<Value>], target: &[Value]) -> bool {
    fn go(groups: &[Vec<Value>], target: &[Value], covered: &mut Vec<bool>) -> bool {
        let Some((first, rest)) = groups.split_first() else {
            return covered.iter().all(|c| *c);
        };
        for pick in first {
            let Some(i) = target.iter().position(|t| py::eq(t, pick)) else {
                continue;
            };
            // Every equal entry of the target is covered by the same pick.
            let hits: Vec<usize> = (0..target.len())
                .filter(|&j| py::eq(&target[j], &target[i]) && !covered[j])
                .collect();
            for &j in &hits {
                covered[j] = true;
            }
            if go(rest, target, covered) {
                return true;
            }
            for &j in &hits {
                covered[j] = false;
            }
        }
        false
    }
    go(groups, target, &mut vec![false; target.len()])
}

/// `is_expected_search_query`: `rules["expect"]["pattern"]` found in the tab's URL.
fn search_query(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    if !py::truthy(result) {
        return Ok(Some(false));
    }
    let pattern = need(metric, rule, "expect")?
        .get("pattern")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(metric, "the rule's \"expect\" needs a string \"pattern\""))?;
    let re = py::regex(pattern, &[]).map_err(|e| invalid(metric, e.to_string()))?;
    let Some(Value::String(url)) = result.get("url") else {
        return Ok(None);
    };
    Ok(Some(py::search(&re, url)))
}

/// `is_expected_installed_extensions`: every name of `expected["expected"]` installed (a
/// string result, such as the getter's `"Google"` fallback, is a set of characters).
fn installed_extensions(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    if !py::truthy(result) {
        return Ok(Some(false));
    }
    let want = iterate(need(metric, rule, "expected")?)
        .ok_or_else(|| invalid(metric, "\"expected\" must be a list"))?;
    let Some(have) = iterate(result) else {
        return Ok(None);
    };
    Ok(Some(want.iter().all(|w| have.iter().any(|h| py::eq(h, w)))))
}

/// The `index`-th column of every row; `None` where Python raises.
fn column(rows: &Value, index: usize) -> Option<Vec<Value>> {
    iterate(rows)?
        .iter()
        .map(|row| match row {
            Value::Array(cols) => cols.get(index).cloned(),
            Value::String(s) => s.chars().nth(index).map(|c| Value::String(c.into())),
            _ => None,
        })
        .collect()
}

/// `is_cookie_deleted`: no cookie's host (`cookie[1]`) matches a domain of the rule under
/// `compare_urls`.
fn cookie_deleted(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    if need(metric, rule, "type")?.as_str() != Some("domains") {
        return Err(invalid(
            metric,
            "only rules of type \"domains\" are supported",
        ));
    }
    let Some(hosts) = column(result, 1) else {
        return Ok(None);
    };
    let domains = iterate(need(metric, rule, "domains")?)
        .ok_or_else(|| invalid(metric, "\"domains\" must be a list"))?;
    for domain in &domains {
        for host in &hosts {
            match compare_url_values(domain, host) {
                Some(true) => return Ok(Some(false)),
                Some(false) => {}
                None => return Ok(None),
            }
        }
    }
    Ok(Some(true))
}

/// `check_history_deleted`: no visited URL (`row[0]`) contains a keyword of the rule.
fn history_deleted(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    if need(metric, rule, "type")?.as_str() != Some("keywords") {
        return Err(invalid(
            metric,
            "only rules of type \"keywords\" are supported",
        ));
    }
    let Some(urls) = column(result, 0) else {
        return Ok(None);
    };
    let keywords = iterate(need(metric, rule, "keywords")?)
        .ok_or_else(|| invalid(metric, "\"keywords\" must be a list"))?;
    for keyword in &keywords {
        for url in &urls {
            match contains(url, keyword) {
                Some(true) => return Ok(Some(false)),
                Some(false) => {}
                None => return Ok(None),
            }
        }
    }
    Ok(Some(true))
}

/// `check_font_size`: `default_font_size` equal to `rule["value"]`, or strictly between
/// `rule["min"]` and `rule["max"]`.
fn font_size(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    let size = match result {
        Value::Object(o) => match o.get("default_font_size") {
            Some(s) => s,
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    match need(metric, rule, "type")?.as_str() {
        Some("value") => Ok(Some(py::eq(size, need(metric, rule, "value")?))),
        Some("range") => {
            let (min, max) = (need(metric, rule, "min")?, need(metric, rule, "max")?);
            let less = |a: &Value, b: &Value| {
                py::compare(a, b)
                    .ok()
                    .map(|o| o == std::cmp::Ordering::Less)
            };
            Ok(match (less(min, size), less(size, max)) {
                (Some(a), Some(b)) => Some(a && b),
                _ => None,
            })
        }
        _ => Err(invalid(metric, "rule type must be \"value\" or \"range\"")),
    }
}

/// `is_shortcut_on_desktop`: a shortcut holding the line `Name=…` (or `Exec=…`) followed by a
/// newline.
fn shortcut_on_desktop(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    let (key, field) = match need(metric, rule, "type")?.as_str() {
        Some("name") => ("Name=", "name"),
        Some("exec") => ("Exec=", "exec"),
        _ => return Err(invalid(metric, "rule type must be \"name\" or \"exec\"")),
    };
    let line = format!("{key}{}\n", need_str(metric, rule, field)?);
    let Value::Object(shortcuts) = result else {
        return Ok(None);
    };
    let mut found = false;
    for content in shortcuts.values() {
        match content {
            Value::String(c) => found |= c.contains(&line),
            _ => return Ok(None),
        }
    }
    Ok(Some(found))
}

/// `is_added_to_steam_cart`: every item of the rule in the page's `content`.
fn steam_cart(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    let items = iterate(need(metric, rule, "items")?)
        .ok_or_else(|| invalid(metric, "\"items\" must be a list"))?;
    let Some(content) = result.get("content").filter(|_| result.is_object()) else {
        return Ok(None);
    };
    for item in &items {
        match contains(content, item) {
            Some(true) => {}
            Some(false) => return Ok(Some(false)),
            None => return Ok(None),
        }
    }
    Ok(Some(true))
}

/// `match_in_list` (`general.py`): `result in rules["expected"]`.
fn match_in_list(metric: &str, result: &Value, rule: &Map<String, Value>) -> Check {
    let expected = need(metric, rule, "expected")?;
    Ok(contains(expected, result))
}

/// `compare_htmls(result_file, expected_file, ignore_sdnum=…)`.
fn compare_htmls(
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    const M: &str = "compare_htmls";
    let gold = super::gold_file(M, expected)?;
    let gold = std::fs::read(gold)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| invalid(M, format!("cannot read {} as UTF-8 text", gold.display())))?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Some(text) = std::fs::read(path)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return Ok(0.0);
    };
    Ok(score_of(html::same_html(
        &text,
        &gold,
        flag(options, "ignore_sdnum", false),
    )))
}
