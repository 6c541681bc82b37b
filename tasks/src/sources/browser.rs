//! The live browser, over the DevTools protocol: the open tabs, the active tab and the pages it shows (`chrome_open_tabs`, `active_tab_info`, …).
//!
//! Typed getters and setup steps of this kind; the evaluation side is in deskhand's `eval` module.

use crate::error::TaskError;
use serde_json::Value;

/// A getter of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum BrowserGetter {}

/// The getter `kind` (its whole object `raw`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_getter(kind: &str, raw: &Value) -> Option<Result<BrowserGetter, TaskError>> {
    let _ = (kind, raw);
    None
}

/// A setup step of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum BrowserStep {}

/// The setup step `kind` (with its `parameters`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_step(kind: &str, parameters: &Value) -> Option<Result<BrowserStep, TaskError>> {
    let _ = (kind, parameters);
    None
}
