//! Chromium's profile on disk: bookmarks, history, cookies, preferences, extensions (`bookmarks`, `history`, `update_browse_history`, …).
//!
//! Typed getters and setup steps of this kind; the evaluation side is in deskhand's `eval` module.

use crate::error::TaskError;
use serde_json::Value;

/// A getter of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileGetter {}

/// The getter `kind` (its whole object `raw`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_getter(kind: &str, raw: &Value) -> Option<Result<ProfileGetter, TaskError>> {
    let _ = (kind, raw);
    None
}

/// A setup step of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileStep {}

/// The setup step `kind` (with its `parameters`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_step(kind: &str, parameters: &Value) -> Option<Result<ProfileStep, TaskError>> {
    let _ = (kind, parameters);
    None
}
