//! The accessibility tree read over AT-SPI (`accessibility_tree`, `active_url_from_accessTree`).
//!
//! Typed getters of this kind; the evaluation side is in deskhand's `eval` module. The tree's
//! XML format (OSWorld's) and the queries run on it (CSS selectors and XPath, as lxml runs
//! them) are in [`query`].

pub mod query;

use crate::error::TaskError;
use serde::Deserialize;
use serde_json::Value;

/// A getter of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum A11yGetter {
    /// `accessibility_tree`: the desktop's whole tree as OSWorld's XML (text).
    AccessibilityTree,
    /// `active_url_from_accessTree`: the text of Chromium's address bar, after `goto_prefix`.
    ActiveUrlFromAccessTree {
        /// Put in front of the address bar's text (which lacks the scheme); `https://` when the
        /// task does not say.
        goto_prefix: String,
    },
}

#[derive(Deserialize)]
struct ActiveUrl {
    #[serde(default = "https")]
    goto_prefix: String,
}

fn https() -> String {
    "https://".to_owned()
}

/// The getter `kind` (its whole object `raw`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_getter(kind: &str, raw: &Value) -> Option<Result<A11yGetter, TaskError>> {
    match kind {
        "accessibility_tree" => Some(Ok(A11yGetter::AccessibilityTree)),
        "active_url_from_accessTree" => {
            Some(crate::getter::typed::<ActiveUrl>(kind, raw).map(|a| {
                A11yGetter::ActiveUrlFromAccessTree {
                    goto_prefix: a.goto_prefix,
                }
            }))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn getters_parse_with_the_default_prefix() {
        let raw = json!({"type": "accessibility_tree"});
        assert_eq!(
            parse_getter("accessibility_tree", &raw).map(Result::ok),
            Some(Some(A11yGetter::AccessibilityTree))
        );
        let raw = json!({"type": "active_url_from_accessTree"});
        assert_eq!(
            parse_getter("active_url_from_accessTree", &raw).map(Result::ok),
            Some(Some(A11yGetter::ActiveUrlFromAccessTree {
                goto_prefix: "https://".into()
            }))
        );
        let raw = json!({"type": "active_url_from_accessTree", "goto_prefix": ""});
        assert_eq!(
            parse_getter("active_url_from_accessTree", &raw).map(Result::ok),
            Some(Some(A11yGetter::ActiveUrlFromAccessTree {
                goto_prefix: String::new()
            }))
        );
        assert!(parse_getter("vm_file", &raw).is_none());
    }
}
