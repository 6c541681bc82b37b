//! Clicks aimed at text: `{"type": "click", "target": {"text": "Save"}}` in a script, resolved
//! by on-device OCR on the current frame at the moment of the click.
//!
//! `target` holds `text` (required), `match` (`exact`, `case` or `fuzzy`; default `fuzzy`, which
//! still ranks an exact match first) and `near` (`[x, y]`: among several matches, the one
//! nearest this point wins). A click with a `target` has no `x`/`y`; its `button`, `count` and
//! `modifiers` apply as usual. When no text matches, the run ends with an error that names the
//! target and the closest texts seen.

use deskhand_actions::Action;
use deskhand_vision::Frame;
use deskhand_vision::OcrError;
use deskhand_vision::ocr::{MatchMode, NotFound, Ocr, OcrPaths, find_text};
use serde::Deserialize;
use std::sync::Arc;

/// Why a script entry with a `target` is not a valid targeted click.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// A `target` on an action other than `click`.
    #[error("only a click can have a target")]
    NotAClick,
    /// A click with both `x`/`y` and a `target`.
    #[error("a click has either x and y or a target, not both")]
    PointAndTarget,
    /// The `target` object does not fit [`TextTarget`] (serde's message names the field).
    #[error(transparent)]
    Target(serde_json::Error),
    /// The `match` mode is not one of the three.
    #[error("target match {mode:?} is not one of exact, case, fuzzy")]
    Mode {
        /// The mode as written.
        mode: String,
    },
    /// The entry, without its target, is not an action (serde's message names the field).
    #[error(transparent)]
    Action(serde_json::Error),
}

/// Why a targeted click could not be aimed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GroundError {
    /// The OCR engine could not be loaded (its message says how to get the files).
    #[error(transparent)]
    Engine(OcrError),
    /// The OCR engine failed on the frame.
    #[error(transparent)]
    Read(OcrError),
    /// The target itself is not valid.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// No text on the frame matches; the message names the closest texts seen.
    #[error(transparent)]
    NotFound(#[from] NotFound),
}

/// What a click aims at.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextTarget {
    /// The text to find.
    pub text: String,
    /// `exact`, `case` or `fuzzy`.
    #[serde(default, rename = "match")]
    pub mode: Option<String>,
    /// Prefer the match nearest this point.
    #[serde(default)]
    pub near: Option<[i32; 2]>,
}

impl TextTarget {
    /// The match mode, checked.
    pub fn match_mode(&self) -> Result<MatchMode, TargetError> {
        match self.mode.as_deref() {
            None | Some("fuzzy") => Ok(MatchMode::Fuzzy),
            Some("exact") => Ok(MatchMode::Exact),
            Some("case") => Ok(MatchMode::CaseInsensitive),
            Some(other) => Err(TargetError::Mode {
                mode: other.to_owned(),
            }),
        }
    }
}

/// Splits a script entry into its action and its text target, when it has one. The action of
/// a targeted click has no coordinates until [`Grounder::resolve`] gives it some.
pub fn split(mut item: serde_json::Value) -> Result<(Action, Option<TextTarget>), TargetError> {
    let target = match item.as_object_mut().and_then(|o| o.remove("target")) {
        None => None,
        Some(t) => {
            if item["type"] != "click" {
                return Err(TargetError::NotAClick);
            }
            if item.get("x").is_some() || item.get("y").is_some() {
                return Err(TargetError::PointAndTarget);
            }
            let t: TextTarget = serde_json::from_value(t).map_err(TargetError::Target)?;
            t.match_mode()?;
            Some(t)
        }
    };
    let action: Action = serde_json::from_value(item).map_err(TargetError::Action)?;
    Ok((action, target))
}

/// Finds targets on frames, loading the OCR engine on first use.
#[derive(Default)]
pub struct Grounder {
    ocr: Option<Arc<Ocr>>,
}

impl std::fmt::Debug for Grounder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grounder")
            .field("loaded", &self.ocr.is_some())
            .finish()
    }
}

impl Grounder {
    /// The OCR engine, loaded on first use.
    pub fn engine(&mut self) -> Result<Arc<Ocr>, OcrError> {
        if let Some(o) = &self.ocr {
            return Ok(o.clone());
        }
        let o = Arc::new(Ocr::load(OcrPaths::from_env())?);
        self.ocr = Some(o.clone());
        Ok(o)
    }

    /// `click` aimed at `target` on `frame`: the same click at the found text's centre, and
    /// a sentence saying what was found where.
    pub fn resolve(
        &mut self,
        frame: &Frame,
        click: &Action,
        target: &TextTarget,
    ) -> Result<(Action, String), GroundError> {
        let ocr = self.engine().map_err(GroundError::Engine)?;
        let elements = ocr.read(frame).map_err(GroundError::Read)?;
        let mode = target.match_mode()?;
        let hint = target.near.map(|[x, y]| (x, y));
        let found = find_text(&elements, &target.text, hint, mode)?;
        let (x, y) = found.click_point();
        let what = format!(
            "found {:?} as {:?} at ({x}, {y})",
            target.text, found.element.text
        );
        let aimed = match click.clone() {
            Action::Click {
                button,
                count,
                modifiers,
                ..
            } => Action::Click {
                x: Some(x),
                y: Some(y),
                button,
                count,
                modifiers,
            },
            other => other,
        };
        Ok((aimed, what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_click_may_aim_at_text() {
        let (a, t) =
            split(json!({"type": "click", "target": {"text": "Save"}, "count": 2})).unwrap();
        assert!(matches!(
            a,
            Action::Click {
                x: None,
                count: 2,
                ..
            }
        ));
        assert_eq!(t.unwrap().text, "Save");
        let (_, t) = split(json!({"type": "click", "x": 1, "y": 2})).unwrap();
        assert!(t.is_none());
    }

    #[test]
    fn bad_targets_are_named() {
        let e =
            split(json!({"type": "type_text", "text": "x", "target": {"text": "a"}})).unwrap_err();
        assert!(matches!(e, TargetError::NotAClick), "{e:?}");
        assert_eq!(e.to_string(), "only a click can have a target");
        let e =
            split(json!({"type": "click", "x": 1, "y": 1, "target": {"text": "a"}})).unwrap_err();
        assert!(matches!(e, TargetError::PointAndTarget), "{e:?}");
        let e =
            split(json!({"type": "click", "target": {"text": "a", "match": "loose"}})).unwrap_err();
        assert!(
            matches!(&e, TargetError::Mode { mode } if mode == "loose"),
            "{e:?}"
        );
        let e = split(json!({"type": "click", "target": {"txt": "a"}})).unwrap_err();
        assert!(matches!(e, TargetError::Target(_)), "{e:?}");
        assert!(e.to_string().contains("txt"), "{e}");
        let e = split(json!({"type": "clack", "x": 1})).unwrap_err();
        assert!(matches!(e, TargetError::Action(_)), "{e:?}");
    }
}
