//! The Anthropic Messages API computer toolset, `computer_toolset_20260801`.
//!
//! The request declares the toolset with an entry that has no name and no display size:
//!
//! ```json
//! {"type": "computer_toolset_20260801"}
//! ```
//!
//! and sends no `anthropic-beta` header. The model answers with one `tool_use` block per
//! action, named for the toolset's member; several in one turn are a batch, run in order:
//!
//! ```json
//! {"type": "tool_use", "id": "toolu_01…", "name": "left_click", "toolset_name": "computer",
//!  "input": {"coordinate": [683, 384], "text": "ctrl"}}
//! ```
//!
//! [`from_toolset`] takes the member's name and `input`. The members are the actions of the
//! `computer` tool ([`super::anthropic`], same fields, no `action` field), and `key` takes
//! `repeat` (1–100, default 1): the chord sequence is pressed that many times. Each
//! `tool_use` is answered by a `tool_result` that carries `"toolset_name": "computer"`; after a
//! failure, every later block of the batch is answered with `is_error: true` and exactly
//! [`NOT_EXECUTED`].
//!
//! Screenshots for the toolset's models may be up to [`TOOLSET_MAX_EDGE`] pixels on the long
//! edge and [`TOOLSET_MAX_TOKENS`] visual tokens (⌈w/28⌉·⌈h/28⌉); the API rejects a bigger
//! image instead of downscaling it, so [`toolset_target`] picks the size to send.
//!
//! ```
//! use deskhand_actions::formats::anthropic::AnthropicCall;
//! use deskhand_actions::formats::anthropic_toolset::from_toolset;
//! use deskhand_actions::{Action, ModelSpace, Size};
//! use serde_json::json;
//!
//! let space = ModelSpace::Scaled { width: 1024, height: 640 };
//! let screen = Size::new(1280, 800);
//! let call = from_toolset("key", &json!({"text": "Down", "repeat": 2}), &space, screen).unwrap();
//! assert_eq!(
//!     call,
//!     AnthropicCall::Act(vec![
//!         Action::Key { keys: "Down".into() },
//!         Action::Key { keys: "Down".into() },
//!     ])
//! );
//! ```

use serde_json::{Value, json};

use super::anthropic::{AnthropicCall, from_anthropic};
use super::{FormatError, show};
use crate::coords::ModelSpace;
use crate::point::Size;

/// The toolset's `type` in the request's `tools`.
pub const TOOLSET_TYPE: &str = "computer_toolset_20260801";

/// The `toolset_name` of the toolset's `tool_use` and `tool_result` blocks.
pub const TOOLSET_NAME: &str = "computer";

/// The text of the result of every block after a failed one in the same batch.
pub const NOT_EXECUTED: &str = "Not executed: an earlier computer action in this turn failed.";

/// The longest edge of a screenshot the toolset's models accept.
pub const TOOLSET_MAX_EDGE: u32 = 2576;

/// The most visual tokens (⌈w/28⌉·⌈h/28⌉) of one image the toolset's models accept.
pub const TOOLSET_MAX_TOKENS: u64 = 4784;

/// The most times a `key` member may repeat its keys.
const MAX_REPEAT: u64 = 100;

/// The toolset's entry in a request's `tools`: `{"type": "computer_toolset_20260801"}`.
pub fn toolset_definition() -> Value {
    json!({"type": TOOLSET_TYPE})
}

/// The visual tokens of an image of `size`: ⌈w/28⌉·⌈h/28⌉.
pub fn visual_tokens(size: Size) -> u64 {
    u64::from(size.width.div_ceil(28)) * u64::from(size.height.div_ceil(28))
}

/// The largest size of `screen`'s shape (never bigger than it) that the toolset's models
/// accept: ≤ [`TOOLSET_MAX_EDGE`] on the long edge and ≤ [`TOOLSET_MAX_TOKENS`] tokens.
///
/// ```
/// use deskhand_actions::formats::anthropic_toolset::toolset_target;
/// use deskhand_actions::Size;
/// assert_eq!(toolset_target(Size::new(1920, 1080)), Size::new(1920, 1080));
/// assert_eq!(toolset_target(Size::new(3840, 2160)), Size::new(2576, 1449));
/// ```
pub fn toolset_target(screen: Size) -> Size {
    if screen.width == 0 || screen.height == 0 {
        return screen;
    }
    let long = screen.width.max(screen.height);
    let mut scale = (f64::from(TOOLSET_MAX_EDGE) / f64::from(long)).min(1.0);
    let side = |v: u32, s: f64| ((f64::from(v) * s + 1e-6).floor() as u32).clamp(1, v);
    let mut out = Size::new(side(screen.width, scale), side(screen.height, scale));
    while visual_tokens(out) > TOOLSET_MAX_TOKENS && out.width > 1 && out.height > 1 {
        scale *= 0.995;
        out = Size::new(side(screen.width, scale), side(screen.height, scale));
    }
    out
}

/// Translates one toolset `tool_use` (its `name` and `input`) into what to do.
///
/// Coordinates are converted from `space` to `screen` pixels, as [`from_anthropic`] does.
///
/// # Errors
///
/// [`FormatError::Parse`] when `input` is not an object, [`FormatError::BadField`] for a bad
/// `repeat`, and whatever [`from_anthropic`] finds wrong with the member's fields.
pub fn from_toolset(
    name: &str,
    input: &Value,
    space: &ModelSpace,
    screen: Size,
) -> Result<AnthropicCall, FormatError> {
    let mut obj = match input {
        Value::Object(o) => o.clone(),
        Value::Null => serde_json::Map::new(),
        other => {
            return Err(FormatError::parse(format!(
                "the input of the computer toolset member {name} must be a JSON object, got {}",
                show(other)
            )));
        }
    };
    let repeat = match obj.remove("repeat") {
        None | Some(Value::Null) => 1,
        Some(v) if name == "key" => match v.as_u64() {
            Some(n) if (1..=MAX_REPEAT).contains(&n) => n,
            _ => {
                return Err(FormatError::bad(
                    name,
                    "repeat",
                    format!(
                        "must be an integer from 1 to {MAX_REPEAT}, got {}",
                        show(&v)
                    ),
                ));
            }
        },
        Some(_) => 1,
    };
    obj.insert("action".into(), json!(name));
    let call = from_anthropic(&Value::Object(obj), space, screen)?;
    Ok(match call {
        AnthropicCall::Act(list) if repeat > 1 => {
            let n = list.len();
            AnthropicCall::Act(list.into_iter().cycle().take(n * repeat as usize).collect())
        }
        other => other,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::action::{Action, Button};

    const SCREEN: Size = Size::new(1280, 800);
    const SPACE: ModelSpace = ModelSpace::Scaled {
        width: 1024,
        height: 640,
    };

    fn call(name: &str, input: Value) -> Result<AnthropicCall, FormatError> {
        from_toolset(name, &input, &SPACE, SCREEN)
    }

    #[test]
    fn every_member_translates() {
        let members = [
            ("screenshot", json!({})),
            ("zoom", json!({"region": [0, 0, 512, 320]})),
            ("left_click", json!({"coordinate": [512, 320]})),
            ("right_click", json!({"coordinate": [512, 320]})),
            ("middle_click", json!({})),
            ("double_click", json!({"coordinate": [1, 1]})),
            ("triple_click", json!({"coordinate": [1, 1]})),
            (
                "left_click_drag",
                json!({"start_coordinate": [0, 0], "coordinate": [10, 10]}),
            ),
            ("mouse_move", json!({"coordinate": [10, 10]})),
            ("left_mouse_down", json!({})),
            ("left_mouse_up", json!({})),
            ("cursor_position", json!({})),
            (
                "scroll",
                json!({"scroll_direction": "down", "scroll_amount": 3}),
            ),
            ("type", json!({"text": "hi"})),
            ("key", json!({"text": "Return"})),
            ("hold_key", json!({"text": "shift", "duration": 1})),
            ("wait", json!({"duration": 1})),
        ];
        assert_eq!(members.len(), 17);
        for (name, input) in members {
            assert!(call(name, input.clone()).is_ok(), "{name} {input}");
        }
        assert_eq!(
            call("screenshot", Value::Null),
            Ok(AnthropicCall::Screenshot)
        );
    }

    #[test]
    fn a_click_holds_its_modifiers_and_maps_to_the_screen() {
        assert_eq!(
            call(
                "left_click",
                json!({"coordinate": [512, 320], "text": "ctrl+shift"})
            ),
            Ok(AnthropicCall::Act(vec![Action::Click {
                x: Some(640),
                y: Some(400),
                button: Button::Left,
                count: 1,
                modifiers: vec!["ctrl".into(), "shift".into()],
            }]))
        );
    }

    #[test]
    fn key_repeats_its_sequence() {
        let Ok(AnthropicCall::Act(list)) = call("key", json!({"text": "Tab Return", "repeat": 3}))
        else {
            panic!("key did not translate");
        };
        let keys: Vec<String> = list
            .iter()
            .map(|a| match a {
                Action::Key { keys } => keys.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(keys, ["Tab", "Return"].repeat(3));
        for bad in [json!(0), json!(101), json!("2")] {
            let err = call("key", json!({"text": "a", "repeat": bad})).unwrap_err();
            assert!(err.to_string().contains("repeat"), "{err}");
        }
    }

    #[test]
    fn unknown_members_and_bad_inputs_are_refused() {
        assert!(call("fly", json!({})).is_err());
        let err = call("left_click", json!([1, 2])).unwrap_err();
        assert!(err.to_string().contains("left_click"), "{err}");
    }

    #[test]
    fn targets_fit_the_limits() {
        for (w, h) in [(1280, 800), (1366, 768), (1920, 1080), (2560, 1440)] {
            assert_eq!(toolset_target(Size::new(w, h)), Size::new(w, h));
        }
        assert_eq!(visual_tokens(Size::new(1920, 1080)), 2691);
        assert_eq!(visual_tokens(Size::new(2560, 1440)), 4784);
        for (w, h) in [(3840, 2160), (5120, 2880), (2576, 2576), (1000, 9000)] {
            let t = toolset_target(Size::new(w, h));
            assert!(t.width.max(t.height) <= TOOLSET_MAX_EDGE, "{t:?}");
            assert!(visual_tokens(t) <= TOOLSET_MAX_TOKENS, "{t:?}");
        }
        assert_eq!(toolset_target(Size::new(3840, 2160)), Size::new(2576, 1449));
    }
}
