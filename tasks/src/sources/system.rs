//! The desktop itself and other apps' settings (`vm_screen_size`, `vm_terminal_output`, `vscode_config`, …).
//!
//! Typed getters of this kind; the evaluation side is in deskhand's `eval` module.

use crate::error::TaskError;
use serde_json::Value;

/// A getter of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum SystemGetter {}

/// The getter `kind` (its whole object `raw`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_getter(kind: &str, raw: &Value) -> Option<Result<SystemGetter, TaskError>> {
    let _ = (kind, raw);
    None
}
