//! Metrics: `func(result, expected, **options) -> score in [0, 1]`, as OSWorld scores them.
//!
//! A metric gets what the getters produced ([`Got`]). A file that was missing on the desktop
//! (`Got::File(None)`) scores 0, as in OSWorld. A metric deskhand does not implement is
//! [`MetricError::Unsupported`]; inputs of the wrong kind are [`MetricError::Invalid`].
//!
//! Each metric follows OSWorld's Python (`desktop_env/evaluators/metrics/general.py`,
//! `table.py`, `vscode.py`, `utils.py`), including its reliance on Python semantics: `==`
//! between JSON values (`1 == 1.0`, `True == 1`), `str()`, `str.splitlines()`, files read in
//! text mode, `re` patterns. Where OSWorld would crash on a malformed task file, the metric is
//! [`MetricError::Invalid`]; where it would crash on what the agent left behind (a sheet that
//! is not there, a comparison of `None`), it scores 0.
//!
//! `compare_table` reads xlsx and ods with `calamine` and csv with `csv`, and mirrors how
//! OSWorld compares sheets through pandas (module `table`). Rules that need formatting (charts,
//! pivot tables, styles, freeze panes, …) are [`MetricError::Unsupported`], named
//! "compare_table rule X"; [`check_options`] reports them before anything runs.

mod a11y;
mod chrome;
mod difflib;
mod docx;
mod files;
mod fuzz;
mod general;
mod images;
mod pdf;
pub(crate) mod py;
mod records;
mod slides;
mod system;
mod table;
mod text;
mod thunderbird;
mod vscode;

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// A value a getter produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Got {
    /// A file copied off the desktop (or the gold file); `None` when it did not exist.
    File(Option<PathBuf>),
    /// Several files (`multi`), each possibly missing.
    Files(Vec<Option<PathBuf>>),
    /// Text: a command's output.
    Text(String),
    /// A JSON value: `rule`'s rules, `list_directory`'s tree, …
    Json(Value),
}

impl Got {
    /// What kind of value this is, in words, for error messages.
    fn kind(&self) -> &'static str {
        match self {
            Got::File(_) => "a file",
            Got::Files(_) => "several files",
            Got::Text(_) => "text",
            Got::Json(_) => "a JSON value",
        }
    }
}

/// Why a metric could not score.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricError {
    /// deskhand does not implement this metric.
    #[error("unsupported: metric {0}")]
    Unsupported(String),
    /// The inputs do not fit the metric (a task file mistake, or a getter of the wrong kind).
    #[error("metric {metric}: {reason}")]
    Invalid {
        /// The metric.
        metric: String,
        /// What is wrong.
        reason: String,
    },
}

/// The metrics of this module itself (the others are in [`MODULES`]).
const CORE: &[&str] = &[
    "check_direct_json_object",
    "check_include_exclude",
    "check_json_settings",
    "check_list",
    "compare_csv",
    "compare_table",
    "compare_text_file",
    "diff_text_file",
    "exact_match",
    "file_contains",
    "is_in_list",
    "literal_match",
];

/// A metric deskhand implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metric {
    CheckDirectJsonObject,
    CheckIncludeExclude,
    CheckJsonSettings,
    CheckList,
    CompareCsv,
    CompareTable,
    CompareTextFile,
    DiffTextFile,
    ExactMatch,
    FileContains,
    IsInList,
    LiteralMatch,
}

impl Metric {
    fn from_name(name: &str) -> Option<Metric> {
        Some(match name {
            "check_direct_json_object" => Metric::CheckDirectJsonObject,
            "check_include_exclude" => Metric::CheckIncludeExclude,
            "check_json_settings" => Metric::CheckJsonSettings,
            "check_list" => Metric::CheckList,
            "compare_csv" => Metric::CompareCsv,
            "compare_table" => Metric::CompareTable,
            "compare_text_file" => Metric::CompareTextFile,
            "diff_text_file" => Metric::DiffTextFile,
            "exact_match" => Metric::ExactMatch,
            "file_contains" => Metric::FileContains,
            "is_in_list" => Metric::IsInList,
            "literal_match" => Metric::LiteralMatch,
            _ => return None,
        })
    }
}

type CheckFn = fn(&str, &Map<String, Value>) -> Result<(), MetricError>;
type ScoreFn =
    fn(&str, Option<&Got>, Option<&Got>, &Map<String, Value>) -> Result<f64, MetricError>;

/// The metric modules beyond [`CORE`]: each one's names, option check and scoring.
const MODULES: &[(&[&str], CheckFn, ScoreFn)] = &[
    (a11y::NAMES, a11y::check_options, a11y::score),
    (chrome::NAMES, chrome::check_options, chrome::score),
    (docx::NAMES, docx::check_options, docx::score),
    (files::NAMES, files::check_options, files::score),
    (images::NAMES, images::check_options, images::score),
    (pdf::NAMES, pdf::check_options, pdf::score),
    (records::NAMES, records::check_options, records::score),
    (slides::NAMES, slides::check_options, slides::score),
    (system::NAMES, system::check_options, system::score),
    (
        thunderbird::NAMES,
        thunderbird::check_options,
        thunderbird::score,
    ),
    (vscode::NAMES, vscode::check_options, vscode::score),
];

/// The module that implements `name`.
fn module_of(name: &str) -> Option<(CheckFn, ScoreFn)> {
    MODULES
        .iter()
        .find(|(names, ..)| names.contains(&name))
        .map(|(_, check, score)| (*check, *score))
}

/// Every metric deskhand implements, sorted.
pub fn supported() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = CORE.to_vec();
    for (names, ..) in MODULES {
        all.extend_from_slice(names);
    }
    all.sort_unstable();
    all
}

/// Whether `name` is implemented.
pub fn is_supported(name: &str) -> bool {
    CORE.contains(&name) || module_of(name).is_some()
}

/// Whether `name` can run with these options, without reading anything: `Unsupported` for a
/// metric, or a part of its options (a `compare_table` rule), that deskhand does not
/// implement; `Invalid` for options that do not fit the metric.
pub fn check_options(name: &str, options: &Map<String, Value>) -> Result<(), MetricError> {
    match Metric::from_name(name) {
        None => match module_of(name) {
            Some((check, _)) => check(name, options),
            None => Err(MetricError::Unsupported(name.to_owned())),
        },
        Some(Metric::CompareTable) => table::check_options(options),
        Some(Metric::LiteralMatch) => general::literal_match_options(options).map(|_| ()),
        Some(_) => Ok(()),
    }
}

/// Scores one comparison.
pub fn score(
    name: &str,
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    let Some(metric) = Metric::from_name(name) else {
        return match module_of(name) {
            Some((check, score)) => {
                check(name, options)?;
                score(name, result, expected, options)
            }
            None => Err(MetricError::Unsupported(name.to_owned())),
        };
    };
    check_options(name, options)?;
    let score = match metric {
        Metric::CheckDirectJsonObject => general::check_direct_json_object(result, expected)?,
        Metric::CheckIncludeExclude => general::check_include_exclude(result, expected)?,
        Metric::CheckJsonSettings => text::check_json_settings(result, expected)?,
        Metric::CheckList => general::check_list(result, expected)?,
        Metric::CompareCsv => text::compare_csv(result, expected, options)?,
        Metric::CompareTable => table::compare_table(result, expected, options)?,
        Metric::CompareTextFile => text::compare_text_file(result, expected, options)?,
        Metric::DiffTextFile => text::diff_text_file(result, expected)?,
        Metric::ExactMatch => general::exact_match(result, expected)?,
        Metric::FileContains => general::file_contains(result, expected)?,
        Metric::IsInList => general::is_in_list(result, expected)?,
        Metric::LiteralMatch => general::literal_match(result, expected, options)?,
    };
    Ok(score)
}

/// `MetricError::Invalid` for `metric`.
fn invalid(metric: &str, reason: impl Into<String>) -> MetricError {
    MetricError::Invalid {
        metric: metric.to_owned(),
        reason: reason.into(),
    }
}

/// The one file a metric reads (`role`: "result" or "expected"); `Ok(None)` when it was
/// missing. A `multi` getter that hands over a single file counts as that file.
fn one_file<'g>(
    metric: &str,
    role: &str,
    got: Option<&'g Got>,
) -> Result<Option<&'g Path>, MetricError> {
    match got {
        Some(Got::File(path)) => Ok(path.as_deref()),
        Some(Got::Files(paths)) if paths.len() == 1 => Ok(paths[0].as_deref()),
        Some(Got::Files(paths)) => Err(invalid(
            metric,
            format!("the {role} must be one file, got {} files", paths.len()),
        )),
        Some(other) => Err(invalid(
            metric,
            format!("the {role} must be a file, got {}", other.kind()),
        )),
        None => Err(invalid(metric, format!("no {role} getter"))),
    }
}

/// The gold file, which must be there.
fn gold_file<'g>(metric: &str, got: Option<&'g Got>) -> Result<&'g Path, MetricError> {
    one_file(metric, "expected", got)?
        .ok_or_else(|| invalid(metric, "the expected file is missing"))
}

/// The `rule` getter's rules: a JSON object.
fn rules<'g>(metric: &str, got: Option<&'g Got>) -> Result<&'g Map<String, Value>, MetricError> {
    match got {
        Some(Got::Json(Value::Object(rules))) => Ok(rules),
        Some(Got::Json(other)) => Err(invalid(
            metric,
            format!("the rules must be a JSON object, got {other}"),
        )),
        Some(other) => Err(invalid(
            metric,
            format!(
                "the expected value must be rules (JSON), got {}",
                other.kind()
            ),
        )),
        None => Err(invalid(metric, "no expected rules")),
    }
}

/// A value as the metric sees it in Python: text is a `str`, JSON as loaded; `Ok(None)` for a
/// missing file (the metric then scores 0).
fn value(metric: &str, role: &str, got: Option<&Got>) -> Result<Option<Value>, MetricError> {
    match got {
        Some(Got::Text(s)) => Ok(Some(Value::String(s.clone()))),
        Some(Got::Json(v)) => Ok(Some(v.clone())),
        Some(Got::File(None)) => Ok(None),
        Some(other) => Err(invalid(
            metric,
            format!("the {role} must be text or JSON, got {}", other.kind()),
        )),
        None => Err(invalid(metric, format!("no {role} getter"))),
    }
}

/// Python's truthiness of a JSON value (`bool(x)` of what `json.loads` gives).
pub fn truthy(v: &Value) -> bool {
    py::truthy(v)
}

/// A boolean option, with Python's truthiness and its default.
fn flag(options: &Map<String, Value>, key: &str, default: bool) -> bool {
    options.get(key).map_or(default, py::truthy)
}

fn score_of(pass: bool) -> f64 {
    if pass { 1.0 } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_names_dispatch() {
        for name in CORE {
            assert!(Metric::from_name(name).is_some(), "{name}");
        }
        let all = supported();
        let mut unique = all.clone();
        unique.dedup();
        assert_eq!(all, unique, "a metric is in two modules");
        for name in all {
            assert!(is_supported(name), "{name}");
        }
        assert!(!is_supported("infeasible"));
        assert_eq!(
            score("compare_audios", None, None, &Map::new()),
            Err(MetricError::Unsupported("compare_audios".into()))
        );
    }
}
