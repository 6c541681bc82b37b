//! The `script` policy: a JSON file holding a list of actions, performed in order, one per step.
//!
//! ```json
//! [
//!   {"type": "click", "x": 640, "y": 400},
//!   {"type": "type_text", "text": "echo hello > hello.txt\n"},
//!   {"type": "done", "message": "typed the command"}
//! ]
//! ```
//!
//! A click may aim at text instead of a point, `{"type": "click", "target": {"text": "Save"}}`:
//! it is resolved by OCR on the current frame when its turn comes (see [`super::text_target`]).
//!
//! The whole script is read and checked before the run starts: bad JSON (with its line and
//! column), an unknown action or field, and coordinates off the screen are all refused before any
//! input is sent. If an action fails at run time the script cannot adapt, so the run ends with
//! an error naming the action.

use super::text_target::{Grounder, TextTarget, split};
use super::{Decide, Policy, PolicyError, Turn};
use crate::trajectory::PolicyInfo;
use async_trait::async_trait;
use deskhand_actions::{Action, Size};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// Why a script could not be used. Each message names the file and where in it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScriptError {
    /// The file could not be read.
    #[error("cannot read script {path}: {source}")]
    Read {
        /// The script.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid JSON.
    #[error("script {path} is not valid JSON at line {line}, column {column}: {reason}")]
    Json {
        /// The script.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        reason: String,
    },
    /// The JSON is not a list of actions.
    #[error(
        "script {path} must be a JSON list of actions, like [{{\"type\": \"click\", \"x\": 10, \"y\": 20}}]"
    )]
    NotAList {
        /// The script.
        path: PathBuf,
    },
    /// One entry is not a valid action.
    #[error("script {path}, action #{number}: {reason}")]
    Action {
        /// The script.
        path: PathBuf,
        /// 1-based position in the list.
        number: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// Performs a fixed list of actions.
#[derive(Debug)]
pub struct ScriptPolicy {
    path: PathBuf,
    total: usize,
    remaining: VecDeque<(Action, Option<TextTarget>)>,
    grounder: Grounder,
}

impl ScriptPolicy {
    /// Reads and checks a script against the screen it will run on.
    pub fn load(path: &Path, screen: Size) -> Result<ScriptPolicy, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text, screen)
    }

    /// Parses and checks a script's text; `path` is only used in messages.
    pub fn parse(path: &Path, text: &str, screen: Size) -> Result<ScriptPolicy, ScriptError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ScriptError::Json {
                path: path.to_owned(),
                line: e.line(),
                column: e.column(),
                reason: strip_position(&e.to_string()),
            })?;
        let serde_json::Value::Array(items) = value else {
            return Err(ScriptError::NotAList {
                path: path.to_owned(),
            });
        };
        let mut actions = VecDeque::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let bad = |reason: String| ScriptError::Action {
                path: path.to_owned(),
                number: i + 1,
                reason,
            };
            let (action, target) = split(item).map_err(|e| bad(e.to_string()))?;
            action.validate(screen).map_err(|e| bad(e.to_string()))?;
            actions.push_back((action, target));
        }
        Ok(ScriptPolicy {
            path: path.to_owned(),
            total: actions.len(),
            remaining: actions,
            grounder: Grounder::default(),
        })
    }

    /// How many actions the script holds.
    pub fn len(&self) -> usize {
        self.total
    }

    /// True when the script holds no action.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

#[async_trait]
impl Policy for ScriptPolicy {
    fn info(&self) -> PolicyInfo {
        let mut settings = serde_json::Map::new();
        settings.insert("script".into(), self.path.display().to_string().into());
        settings.insert("actions".into(), self.total.into());
        PolicyInfo {
            name: "script".into(),
            settings,
        }
    }

    async fn decide(&mut self, input: Decide<'_>) -> Result<Turn, PolicyError> {
        if let Some(failed) = input.feedback.iter().find(|f| f.error.is_some()) {
            let done = self.total - self.remaining.len();
            return Err(PolicyError::Fatal(format!(
                "script action #{done} ({}) failed: {}",
                failed.action,
                failed.error.as_deref().unwrap_or_default()
            )));
        }
        let Some((action, target)) = self.remaining.pop_front() else {
            return Ok(Turn::default());
        };
        let Some(target) = target else {
            return Ok(Turn {
                narration: None,
                actions: vec![action],
                usage: None,
            });
        };
        let number = self.total - self.remaining.len();
        let grounder = &mut self.grounder;
        let resolved =
            tokio::task::block_in_place(|| grounder.resolve(input.frame, &action, &target))
                .map_err(|e| PolicyError::Fatal(format!("script action #{number}: {e}")))?;
        Ok(Turn {
            narration: Some(resolved.1),
            actions: vec![resolved.0],
            usage: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Size = Size::new(1280, 800);

    fn parse(text: &str) -> Result<ScriptPolicy, ScriptError> {
        ScriptPolicy::parse(Path::new("s.json"), text, SCREEN)
    }

    #[test]
    fn reads_a_list_of_actions() {
        let p = parse(r#"[{"type":"click","x":1,"y":2},{"type":"done"}]"#).unwrap();
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let err = parse("[\n  {\"type\": \"click\",, }\n]")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2, column"), "{err}");
        assert!(err.starts_with("script s.json is not valid JSON"), "{err}");
    }

    #[test]
    fn unknown_action_and_field_are_named() {
        let err = parse(r#"[{"type":"done"},{"type":"clik"}]"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("action #2") && err.contains("clik"), "{err}");
        let err = parse(r#"[{"type":"click","butto":"left"}]"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("action #1") && err.contains("butto"), "{err}");
    }

    #[test]
    fn off_screen_is_refused_at_load() {
        let err = parse(r#"[{"type":"click","x":1280,"y":10}]"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("action #1"), "{err}");
    }

    #[test]
    fn not_a_list() {
        let err = parse(r#"{"type":"done"}"#).unwrap_err();
        assert!(matches!(err, ScriptError::NotAList { .. }));
    }
}
