//! `check_accessibility_tree`: CSS selectors and XPath over the accessibility tree's XML.
//!
//! As OSWorld's `metrics/general.py` scores it: the tree (the `accessibility_tree` getter's
//! text) is parsed; each rule selects elements by its `xpath` (taken first) or by its
//! `selectors` (joined with `", "` into one selector list), both with the tree's namespace
//! prefixes ([`crate::sources::a11y::query`]). A rule that selects nothing scores 0 at once. A
//! rule with `text` scores the best of its elements: `exact` (required with `text`, read with
//! Python's truthiness) compares the element's text for equality, otherwise rapidfuzz's
//! `fuzz.ratio / 100`; an element without text scores 0. The score is the product of the rules'.

use super::{Got, MetricError, invalid, py};
use crate::sources::a11y::query::{QueryError, Tree, css_to_xpath};
use serde_json::{Map, Value};

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &["check_accessibility_tree"];

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
    let rules = parse_rules(name, expected)?;
    let xml = match result {
        Some(Got::Text(xml)) => xml,
        Some(other) => {
            return Err(invalid(
                name,
                format!(
                    "the result must be the accessibility tree, got {}",
                    other.kind()
                ),
            ));
        }
        None => return Err(invalid(name, "no result getter")),
    };
    let query_error = |e: QueryError| invalid(name, e.to_string());
    let tree = Tree::parse(xml).map_err(query_error)?;
    let mut total = 1.0;
    for rule in &rules {
        let elements = match &rule.css {
            Some(css) => tree.select(css),
            None => tree.xpath(&rule.xpath),
        }
        .map_err(query_error)?;
        if elements.is_empty() {
            return Ok(0.0);
        }
        let Some(text) = &rule.text else {
            continue;
        };
        let mut best: f64 = 0.0;
        for element in &elements {
            let got = match element.text() {
                Some(got) => got,
                None if matches!(element, crate::sources::a11y::query::Selected::Other(_)) => {
                    return Err(invalid(
                        name,
                        format!("{:?} selects a value, not an element", rule.xpath),
                    ));
                }
                None => continue,
            };
            let score = match (rule.exact, text) {
                (true, Value::String(want)) => super::score_of(want == got),
                (true, _) => 0.0,
                (false, Value::String(want)) => ratio(want, got),
                (false, other) => {
                    return Err(invalid(
                        name,
                        format!("a fuzzy rule's text must be a string, got {other}"),
                    ));
                }
            };
            best = best.max(score);
        }
        total *= best;
    }
    Ok(total)
}

/// rapidfuzz's `fuzz.ratio(a, b) / 100`: the normalized InDel similarity of the two strings,
/// by code points.
fn ratio(a: &str, b: &str) -> f64 {
    super::fuzz::ratio(a, b) / 100.0
}

/// One rule: what it selects (as XPath) and the text it wants.
#[derive(Debug)]
struct Rule {
    xpath: String,
    /// The selector list, for a rule by `selectors` (`xpath` is then its translation): run with
    /// [`Tree::select`], which does lxml's lower-casing for `:contains()`.
    css: Option<String>,
    text: Option<Value>,
    exact: bool,
}

fn parse_rules(name: &str, expected: Option<&Got>) -> Result<Vec<Rule>, MetricError> {
    let rules = match expected {
        Some(Got::Json(Value::Array(rules))) => rules,
        Some(Got::Json(other)) => {
            return Err(invalid(
                name,
                format!("the rules must be a list, got {other}"),
            ));
        }
        Some(other) => {
            return Err(invalid(
                name,
                format!(
                    "the expected value must be rules (JSON), got {}",
                    other.kind()
                ),
            ));
        }
        None => return Err(invalid(name, "no expected rules")),
    };
    rules
        .iter()
        .map(|rule| {
            let Value::Object(rule) = rule else {
                return Err(invalid(
                    name,
                    format!("a rule must be an object, got {rule}"),
                ));
            };
            let (xpath, css) = match (rule.get("xpath"), rule.get("selectors")) {
                (Some(Value::String(xpath)), _) => (xpath.clone(), None),
                (Some(other), _) => {
                    return Err(invalid(
                        name,
                        format!("xpath must be a string, got {other}"),
                    ));
                }
                (None, Some(Value::Array(selectors))) => {
                    let selectors: Option<Vec<&str>> =
                        selectors.iter().map(Value::as_str).collect();
                    let selectors =
                        selectors.ok_or_else(|| invalid(name, "selectors must be strings"))?;
                    let css = selectors.join(", ");
                    let xpath = css_to_xpath(&css).map_err(|e| invalid(name, e.to_string()))?;
                    (xpath, Some(css))
                }
                (None, Some(other)) => {
                    return Err(invalid(
                        name,
                        format!("selectors must be a list, got {other}"),
                    ));
                }
                (None, None) => {
                    return Err(invalid(name, "a rule needs xpath or selectors"));
                }
            };
            let text = rule.get("text").cloned();
            let exact = match (&text, rule.get("exact")) {
                (None, _) => true,
                (Some(_), Some(exact)) => py::truthy(exact),
                (Some(_), None) => {
                    return Err(invalid(
                        name,
                        "a rule with text needs exact (OSWorld reads it)",
                    ));
                }
            };
            Ok(Rule {
                xpath,
                css,
                text,
                exact,
            })
        })
        .collect()
}
