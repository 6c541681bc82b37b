//! The accessibility tree read over AT-SPI (`accessibility_tree`, `active_url_from_accessTree`).
//!
//! Typed getters of this kind; the evaluation side is in deskhand's `eval` module.

use crate::error::TaskError;
use serde_json::Value;

/// A getter of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum A11yGetter {}

/// The getter `kind` (its whole object `raw`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_getter(kind: &str, raw: &Value) -> Option<Result<A11yGetter, TaskError>> {
    let _ = (kind, raw);
    None
}
