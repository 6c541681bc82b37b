//! Metrics: `func(result, expected, **options) -> score in [0, 1]`, as OSWorld scores them.
//!
//! A metric gets what the getters produced ([`Got`]). A file that was missing on the desktop
//! (`Got::File(None)`) scores 0, as in OSWorld. A metric deskhand does not implement is
//! [`MetricError::Unsupported`]; inputs of the wrong kind are [`MetricError::Invalid`].

use serde_json::{Map, Value};
use std::path::PathBuf;

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

/// The metrics deskhand implements.
pub const SUPPORTED: &[&str] = &[];

/// Whether `name` is implemented.
pub fn is_supported(name: &str) -> bool {
    SUPPORTED.contains(&name)
}

/// Scores one comparison.
pub fn score(
    name: &str,
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    let _ = (result, expected, options);
    Err(MetricError::Unsupported(name.to_owned()))
}
