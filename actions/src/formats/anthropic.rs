//! The Anthropic Messages API `computer` tool (`computer_20250124` and
//! `computer_20251124`).
//!
//! The model answers with `tool_use` blocks whose `input` is one action:
//!
//! ```json
//! {"type": "tool_use", "id": "toolu_01…", "name": "computer",
//!  "input": {"action": "left_click", "coordinate": [683, 384], "text": "ctrl"}}
//! ```
//!
//! [`from_anthropic`] takes that `input` object. Coordinates are pixels of
//! the screenshot **as sent** (usually [`ModelSpace::Scaled`] to
//! [`anthropic_target`](crate::anthropic_target)) and come out as screen
//! pixels.
//!
//! | input `action` | fields | result |
//! |---|---|---|
//! | `screenshot` | | [`AnthropicCall::Screenshot`] |
//! | `cursor_position` | | [`AnthropicCall::CursorPosition`] |
//! | `mouse_move` | `coordinate` | `move` |
//! | `left_click`, `right_click`, `middle_click`, `double_click`, `triple_click` | `coordinate`?, `text`? (held modifiers: `"shift"`, `"ctrl+shift"`) | `click` with count 1, 1, 1, 2, 3 |
//! | `left_click_drag` | `start_coordinate`, `coordinate` | `drag` |
//! | `left_mouse_down`, `left_mouse_up` | `coordinate`? | (`move`,) `mouse_down` / `mouse_up` |
//! | `scroll` | `coordinate`?, `scroll_direction`, `scroll_amount` (notches), `text`? | `scroll` |
//! | `type` | `text` | `type_text` |
//! | `key` | `text` (xdotool: `ctrl+s`, `Return`) | `key` (one per space-separated chord) |
//! | `hold_key` | `text`, `duration` (seconds) | `hold_key` |
//! | `wait` | `duration` (seconds) | `wait` |
//! | `zoom` | `region` `[x1, y1, x2, y2]` | `zoom` |
//!
//! Choices made here:
//!
//! - `left_click_drag` needs its `start_coordinate`: nothing here knows
//!   where the pointer is, so a drag without one is refused.
//! - `left_mouse_down`/`left_mouse_up` with a `coordinate` move there
//!   first.
//! - `key` follows `xdotool key`: space-separated chords are pressed one
//!   after another (`"Down Down Return"` is three `key` actions); a chord
//!   spelled with spaces around `+` (`"ctrl + s"`) is one chord.
//! - Modifiers in `text` on `scroll` are ignored: the `scroll` action has
//!   no modifiers.
//! - `zoom` regions name an exclusive bottom-right corner, so a region
//!   reaching the screenshot's edge reaches the screen's edge.
//!
//! [`to_anthropic`] writes an action back as such an input (for replaying
//! recordings and for tests), and [`tool_definition`] writes the tool.
//!
//! ```
//! use deskhand_actions::formats::anthropic::{from_anthropic, AnthropicCall};
//! use deskhand_actions::{Action, Button, ModelSpace, Size};
//! use serde_json::json;
//!
//! let space = ModelSpace::Scaled { width: 1366, height: 768 };
//! let screen = Size::new(1920, 1080);
//! let input = json!({"action": "left_click", "coordinate": [683, 384], "text": "ctrl"});
//! assert_eq!(
//!     from_anthropic(&input, &space, screen).unwrap(),
//!     AnthropicCall::Act(vec![Action::Click {
//!         x: Some(960),
//!         y: Some(540),
//!         button: Button::Left,
//!         count: 1,
//!         modifiers: vec!["ctrl".into()],
//!     }])
//! );
//! let err = from_anthropic(&json!({"action": "left_click", "coordinate": "abc"}), &space, screen)
//!     .unwrap_err();
//! assert_eq!(err.to_string(), r#"left_click: coordinate must be [x, y] with integers, got "abc""#);
//! ```

use serde_json::{Map, Value, json};

use super::{FormatError, chord_names, edge_to_screen, model_point, number, quote, show, whole};
use crate::action::{Action, Button, MAX_MS, MAX_SCROLL};
use crate::coords::ModelSpace;
use crate::keys::parse_chord;
use crate::point::{Point, Size};

/// What one `computer` tool call asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnthropicCall {
    /// Perform these actions, in order, then answer with a screenshot.
    Act(Vec<Action>),
    /// Answer with a screenshot and do nothing else.
    Screenshot,
    /// Answer with the pointer's position (in the model's space), as text.
    CursorPosition,
}

/// A version of the `computer` tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnthropicToolVersion {
    /// `computer_20250124`, beta `computer-use-2025-01-24`.
    V20250124,
    /// `computer_20251124`, beta `computer-use-2025-11-24`; adds `zoom`.
    V20251124,
    /// The `computer_toolset_20260801` toolset: no beta header, one `tool_use`
    /// per member ([`super::anthropic_toolset`]).
    Toolset,
}

impl AnthropicToolVersion {
    /// The tool's `type`: `computer_20250124` or `computer_20251124`.
    pub fn tool_type(&self) -> &'static str {
        match self {
            AnthropicToolVersion::V20250124 => "computer_20250124",
            AnthropicToolVersion::V20251124 => "computer_20251124",
            AnthropicToolVersion::Toolset => super::anthropic_toolset::TOOLSET_TYPE,
        }
    }

    /// The `anthropic-beta` header the tool needs: `computer-use-2025-01-24`
    /// or `computer-use-2025-11-24`; none for the toolset.
    pub fn beta_header(&self) -> Option<&'static str> {
        match self {
            AnthropicToolVersion::V20250124 => Some("computer-use-2025-01-24"),
            AnthropicToolVersion::V20251124 => Some("computer-use-2025-11-24"),
            AnthropicToolVersion::Toolset => None,
        }
    }
}

/// The tool definition for a request's `tools`: `{"type":
/// "computer_20250124", "name": "computer", "display_width_px": W,
/// "display_height_px": H, "display_number": N}`, where `image` is the size
/// of the screenshots sent. `display_number` is left out when `None`;
/// `computer_20251124` adds `"enable_zoom": true`. The toolset's entry is
/// only `{"type": "computer_toolset_20260801"}`.
///
/// ```
/// use deskhand_actions::formats::anthropic::{tool_definition, AnthropicToolVersion};
/// use deskhand_actions::Size;
/// let tool = tool_definition(AnthropicToolVersion::V20250124, Size::new(1366, 768), Some(1));
/// assert_eq!(
///     tool.to_string(),
///     r#"{"display_height_px":768,"display_number":1,"display_width_px":1366,"name":"computer","type":"computer_20250124"}"#
/// );
/// ```
pub fn tool_definition(
    version: AnthropicToolVersion,
    image: Size,
    display_number: Option<u32>,
) -> Value {
    if version == AnthropicToolVersion::Toolset {
        return super::anthropic_toolset::toolset_definition();
    }
    let mut tool = Map::new();
    tool.insert("type".into(), json!(version.tool_type()));
    tool.insert("name".into(), json!("computer"));
    tool.insert("display_width_px".into(), json!(image.width));
    tool.insert("display_height_px".into(), json!(image.height));
    if let Some(n) = display_number {
        tool.insert("display_number".into(), json!(n));
    }
    if version == AnthropicToolVersion::V20251124 {
        tool.insert("enable_zoom".into(), json!(true));
    }
    Value::Object(tool)
}

/// The actions of the tool, for messages.
const ACTIONS: &str = "screenshot, cursor_position, mouse_move, left_click, right_click, \
middle_click, double_click, triple_click, left_click_drag, left_mouse_down, left_mouse_up, \
scroll, type, key, hold_key, wait, zoom";

/// The longest `hold_key` or `wait`, in seconds.
const MAX_SECONDS: f64 = (MAX_MS / 1000) as f64;

/// Translates a `tool_use` block's `input` into what to do.
///
/// Coordinates are converted from `space` to `screen` pixels. Unknown
/// extra fields are ignored. See the [module documentation](self) for the
/// mapping.
///
/// # Errors
///
/// [`FormatError::MissingField`] or [`FormatError::BadField`] naming the
/// action and field, [`FormatError::Unknown`] for an unknown action (listing
/// the known ones), [`FormatError::Parse`] when `input` is not an object.
pub fn from_anthropic(
    input: &Value,
    space: &ModelSpace,
    screen: Size,
) -> Result<AnthropicCall, FormatError> {
    let obj = input.as_object().ok_or_else(|| {
        FormatError::parse(format!(
            "the computer tool input must be a JSON object such as {{\"action\": \"screenshot\"}}, got {}",
            show(input)
        ))
    })?;
    let action = match obj.get("action") {
        None | Some(Value::Null) => return Err(FormatError::missing("computer", "action")),
        Some(Value::String(s)) => s.as_str(),
        Some(v) => {
            return Err(FormatError::bad(
                "computer",
                "action",
                format!("must be a string such as \"left_click\", got {}", show(v)),
            ));
        }
    };
    let f = Fields {
        action,
        obj,
        space,
        screen,
    };
    let act = |a: Action| Ok(AnthropicCall::Act(vec![a]));
    match action {
        "screenshot" => Ok(AnthropicCall::Screenshot),
        "cursor_position" => Ok(AnthropicCall::CursorPosition),
        "mouse_move" => {
            let p = f.point("coordinate")?;
            act(Action::Move { x: p.x, y: p.y })
        }
        "left_click" | "right_click" | "middle_click" | "double_click" | "triple_click" => {
            let (button, count) = match action {
                "right_click" => (Button::Right, 1),
                "middle_click" => (Button::Middle, 1),
                "double_click" => (Button::Left, 2),
                "triple_click" => (Button::Left, 3),
                _ => (Button::Left, 1),
            };
            let p = f.opt_point("coordinate")?;
            let modifiers = f.modifiers()?;
            act(Action::Click {
                x: p.map(|p| p.x),
                y: p.map(|p| p.y),
                button,
                count,
                modifiers,
            })
        }
        "left_click_drag" => {
            let start = f.point("start_coordinate")?;
            let end = f.point("coordinate")?;
            act(Action::Drag {
                path: vec![start, end],
            })
        }
        "left_mouse_down" | "left_mouse_up" => {
            let mut actions = Vec::with_capacity(2);
            if let Some(p) = f.opt_point("coordinate")? {
                actions.push(Action::Move { x: p.x, y: p.y });
            }
            actions.push(if action == "left_mouse_down" {
                Action::MouseDown {
                    button: Button::Left,
                }
            } else {
                Action::MouseUp {
                    button: Button::Left,
                }
            });
            Ok(AnthropicCall::Act(actions))
        }
        "scroll" => {
            let p = f.opt_point("coordinate")?;
            let direction = f.string("scroll_direction")?;
            let amount = f.scroll_amount()?;
            let (dx, dy) = match direction {
                "up" => (0, -amount),
                "down" => (0, amount),
                "left" => (-amount, 0),
                "right" => (amount, 0),
                other => {
                    return Err(FormatError::bad(
                        action,
                        "scroll_direction",
                        format!("must be one of up, down, left, right, got {}", quote(other)),
                    ));
                }
            };
            act(Action::Scroll {
                x: p.map(|p| p.x),
                y: p.map(|p| p.y),
                dx,
                dy,
            })
        }
        "type" => {
            let text = f.string("text")?;
            act(Action::TypeText {
                text: text.to_owned(),
            })
        }
        "key" => {
            let text = f.string("text")?;
            Ok(AnthropicCall::Act(key_sequence(action, text)?))
        }
        "hold_key" => {
            let text = f.string("text")?;
            let keys = chord(action, text)?;
            let ms = f.seconds("duration")?;
            act(Action::HoldKey { keys, ms })
        }
        "wait" => {
            let ms = f.seconds("duration")?;
            act(Action::Wait { ms })
        }
        "zoom" => act(Action::Zoom {
            region: f.region("region")?,
        }),
        other => Err(FormatError::Unknown {
            what: format!(
                "computer action {}; the actions are {ACTIONS}",
                quote(other)
            ),
        }),
    }
}

/// The fields of one input, with the action they belong to for messages.
struct Fields<'a> {
    action: &'a str,
    obj: &'a Map<String, Value>,
    space: &'a ModelSpace,
    screen: Size,
}

impl Fields<'_> {
    /// A field's value; `null` counts as absent.
    fn get(&self, field: &str) -> Option<&Value> {
        self.obj.get(field).filter(|v| !v.is_null())
    }

    fn bad(&self, field: &str, reason: String) -> FormatError {
        FormatError::bad(self.action, field, reason)
    }

    /// A required `[x, y]` in the model's space, as a screen point.
    fn point(&self, field: &str) -> Result<Point, FormatError> {
        self.opt_point(field)?
            .ok_or_else(|| FormatError::missing(self.action, field))
    }

    /// An optional `[x, y]` in the model's space, as a screen point.
    fn opt_point(&self, field: &str) -> Result<Option<Point>, FormatError> {
        let Some(v) = self.get(field) else {
            return Ok(None);
        };
        let [x, y] = numbers::<2>(v).ok_or_else(|| {
            self.bad(
                field,
                format!("must be [x, y] with integers, got {}", show(v)),
            )
        })?;
        Ok(Some(self.space.to_screen(x, y, self.screen)))
    }

    /// `[x1, y1, x2, y2]` in the model's space, as a screen region.
    fn region(&self, field: &str) -> Result<[i32; 4], FormatError> {
        let v = self
            .get(field)
            .ok_or_else(|| FormatError::missing(self.action, field))?;
        let [x1, y1, x2, y2] = numbers::<4>(v).ok_or_else(|| {
            self.bad(
                field,
                format!(
                    "must be [x1, y1, x2, y2] with integers (top-left and bottom-right), got {}",
                    show(v)
                ),
            )
        })?;
        if x1 >= x2 || y1 >= y2 {
            return Err(self.bad(
                field,
                format!("must have x1 < x2 and y1 < y2, got {}", show(v)),
            ));
        }
        let a = self.space.to_screen(x1, y1, self.screen);
        let b = edge_to_screen(self.space, x2, y2, self.screen);
        // A sliver thinner than a screen pixel still covers one.
        Ok([a.x, a.y, b.x.max(a.x + 1), b.y.max(a.y + 1)])
    }

    /// A required string.
    fn string(&self, field: &str) -> Result<&str, FormatError> {
        match self.get(field) {
            None => Err(FormatError::missing(self.action, field)),
            Some(Value::String(s)) => Ok(s),
            Some(v) => Err(self.bad(field, format!("must be a string, got {}", show(v)))),
        }
    }

    /// The `text` of a click: held modifiers, none when absent or blank.
    fn modifiers(&self) -> Result<Vec<String>, FormatError> {
        let text = match self.get("text") {
            None => return Ok(Vec::new()),
            Some(Value::String(s)) => s.trim(),
            Some(v) => {
                return Err(self.bad(
                    "text",
                    format!(
                        "must name the modifier keys to hold, such as \"shift\" or \"ctrl+shift\", got {}",
                        show(v)
                    ),
                ));
            }
        };
        if text.is_empty() {
            return Ok(Vec::new());
        }
        parse_chord(text).map_err(|e| {
            self.bad(
                "text",
                format!(
                    "must name the modifier keys to hold, such as \"shift\" or \"ctrl+shift\": {e}"
                ),
            )
        })?;
        Ok(chord_names(text))
    }

    /// `scroll_amount`: whole notches, 1 to [`MAX_SCROLL`].
    fn scroll_amount(&self) -> Result<i32, FormatError> {
        let field = "scroll_amount";
        let v = self
            .get(field)
            .ok_or_else(|| FormatError::missing(self.action, field))?;
        whole(v)
            .and_then(|n| i32::try_from(n).ok())
            .filter(|n| (1..=MAX_SCROLL).contains(n))
            .ok_or_else(|| {
                self.bad(
                    field,
                    format!(
                        "must be a whole number of wheel notches from 1 to {MAX_SCROLL}, got {}",
                        show(v)
                    ),
                )
            })
    }

    /// A duration in seconds (0 to 100, fractions allowed), in milliseconds.
    fn seconds(&self, field: &str) -> Result<u64, FormatError> {
        let v = self
            .get(field)
            .ok_or_else(|| FormatError::missing(self.action, field))?;
        let s = number(v)
            .filter(|s| (0.0..=MAX_SECONDS).contains(s))
            .ok_or_else(|| {
                self.bad(
                    field,
                    format!(
                        "must be a number of seconds from 0 to {MAX_SECONDS}, got {}",
                        show(v)
                    ),
                )
            })?;
        Ok((s * 1000.0).round() as u64)
    }
}

/// `N` finite numbers from a JSON array (or a string holding one, as
/// models sometimes send).
fn numbers<const N: usize>(v: &Value) -> Option<[f64; N]> {
    let parsed;
    let items = match v {
        Value::Array(items) => items,
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s).ok()?;
            parsed.as_array()?
        }
        _ => return None,
    };
    if items.len() != N {
        return None;
    }
    let mut out = [0.0; N];
    for (slot, item) in out.iter_mut().zip(items) {
        *slot = match item {
            Value::Number(_) => number(item)?,
            _ => return None,
        };
    }
    Some(out)
}

/// A chord checked by [`parse_chord`], trimmed.
fn chord(action: &str, text: &str) -> Result<String, FormatError> {
    let text = text.trim();
    parse_chord(text).map_err(|e| {
        FormatError::bad(
            action,
            "text",
            format!(
                "must be an xdotool key chord such as \"ctrl+s\", \"Return\" or \"super\": {e}"
            ),
        )
    })?;
    Ok(text.to_owned())
}

/// The `key` action's text as `xdotool key` reads it: chords separated by
/// spaces, pressed one after another.
fn key_sequence(action: &str, text: &str) -> Result<Vec<Action>, FormatError> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let sequence = tokens.len() > 1
        && !tokens
            .iter()
            .any(|t| t.starts_with('+') || t.ends_with('+'));
    if !sequence {
        return Ok(vec![Action::Key {
            keys: chord(action, text)?,
        }]);
    }
    tokens
        .into_iter()
        .map(|t| chord(action, t).map(|keys| Action::Key { keys }))
        .collect()
}

/// Writes an action as a `computer` tool input: the inverse of
/// [`from_anthropic`] where the tool can express the action.
///
/// Screen points are converted to `space` and rounded.
///
/// # Errors
///
/// [`FormatError::Unsupported`] for what the tool cannot express: `done`,
/// `fail`, `call_user`, right or middle multi-clicks, other buttons held
/// down, drags through more than two points, diagonal scrolls.
/// [`FormatError::BadField`] for an action that is itself malformed (a
/// click with `x` but no `y`, a scroll of 0, a bad key chord).
pub fn to_anthropic(
    action: &Action,
    space: &ModelSpace,
    screen: Size,
) -> Result<Value, FormatError> {
    let coordinate = |p: Point| {
        let (x, y) = model_point(space, p, screen);
        json!([x, y])
    };
    let unsupported =
        |what: &str| FormatError::unsupported(format!("{what} in the Anthropic computer tool"));
    let value = match action {
        Action::Move { x, y } => {
            json!({"action": "mouse_move", "coordinate": coordinate(Point::new(*x, *y))})
        }
        Action::Click {
            x,
            y,
            button,
            count,
            modifiers,
        } => {
            let name = match (button, count) {
                (Button::Left, 1) => "left_click",
                (Button::Left, 2) => "double_click",
                (Button::Left, 3) => "triple_click",
                (Button::Right, 1) => "right_click",
                (Button::Middle, 1) => "middle_click",
                _ => return Err(unsupported(&format!("a {button} click ×{count}"))),
            };
            let mut m = Map::new();
            m.insert("action".into(), json!(name));
            if let Some(p) = optional_point(*x, *y)? {
                m.insert("coordinate".into(), coordinate(p));
            }
            if !modifiers.is_empty() {
                m.insert("text".into(), json!(modifiers.join("+")));
            }
            Value::Object(m)
        }
        Action::MouseDown {
            button: Button::Left,
        } => json!({"action": "left_mouse_down"}),
        Action::MouseUp {
            button: Button::Left,
        } => json!({"action": "left_mouse_up"}),
        Action::MouseDown { button } | Action::MouseUp { button } => {
            return Err(unsupported(&format!(
                "{} with the {button} button",
                action.kind()
            )));
        }
        Action::Drag { path } => match path.as_slice() {
            [start, end] => json!({
                "action": "left_click_drag",
                "start_coordinate": coordinate(*start),
                "coordinate": coordinate(*end),
            }),
            _ => {
                return Err(unsupported(&format!(
                    "a drag through {} points (only 2)",
                    path.len()
                )));
            }
        },
        Action::Scroll { x, y, dx, dy } => {
            let (direction, amount) = match (*dx, *dy) {
                (0, 0) => {
                    return Err(FormatError::bad(
                        "scroll",
                        "dx, dy",
                        "are both 0: scroll needs a non-zero dx or dy",
                    ));
                }
                (0, dy) if dy < 0 => ("up", dy.unsigned_abs()),
                (0, dy) => ("down", dy.unsigned_abs()),
                (dx, 0) if dx < 0 => ("left", dx.unsigned_abs()),
                (dx, 0) => ("right", dx.unsigned_abs()),
                _ => return Err(unsupported("a diagonal scroll (both dx and dy)")),
            };
            let mut m = Map::new();
            m.insert("action".into(), json!("scroll"));
            if let Some(p) = optional_point(*x, *y)? {
                m.insert("coordinate".into(), coordinate(p));
            }
            m.insert("scroll_direction".into(), json!(direction));
            m.insert("scroll_amount".into(), json!(amount));
            Value::Object(m)
        }
        Action::TypeText { text } => json!({"action": "type", "text": text}),
        Action::Key { keys } => json!({"action": "key", "text": chord("key", keys)?}),
        Action::HoldKey { keys, ms } => json!({
            "action": "hold_key",
            "text": chord("hold_key", keys)?,
            "duration": seconds(*ms),
        }),
        Action::Wait { ms } => json!({"action": "wait", "duration": seconds(*ms)}),
        Action::Zoom {
            region: [x1, y1, x2, y2],
        } => {
            let (ax, ay) = model_point(space, Point::new(*x1, *y1), screen);
            let (bx, by) = model_point(space, Point::new(*x2, *y2), screen);
            json!({"action": "zoom", "region": [ax, ay, bx, by]})
        }
        Action::Done { .. } | Action::Fail { .. } | Action::CallUser { .. } => {
            return Err(unsupported(&format!("the {} action", action.kind())));
        }
    };
    Ok(value)
}

/// Milliseconds as seconds: a whole number when it is one.
fn seconds(ms: u64) -> Value {
    if ms.is_multiple_of(1000) {
        json!(ms / 1000)
    } else {
        json!(ms as f64 / 1000.0)
    }
}

/// `Some(point)` when both coordinates are given, `None` when neither is.
fn optional_point(x: Option<i32>, y: Option<i32>) -> Result<Option<Point>, FormatError> {
    match (x, y) {
        (Some(x), Some(y)) => Ok(Some(Point::new(x, y))),
        (None, None) => Ok(None),
        _ => Err(FormatError::bad(
            "click",
            "x, y",
            "must be given together or not at all",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    const SCREEN: Size = Size::new(1920, 1080);
    const SCALED: ModelSpace = ModelSpace::Scaled {
        width: 1366,
        height: 768,
    };

    fn from(input: Value) -> Result<AnthropicCall, FormatError> {
        from_anthropic(&input, &SCALED, SCREEN)
    }

    fn acts(input: Value) -> Vec<Action> {
        match from(input.clone()) {
            Ok(AnthropicCall::Act(actions)) => actions,
            other => panic!("{input}: {other:?}"),
        }
    }

    fn one(input: Value) -> Action {
        let mut actions = acts(input.clone());
        assert_eq!(actions.len(), 1, "{input}");
        actions.remove(0)
    }

    fn err(input: Value) -> String {
        match from(input.clone()) {
            Err(e) => e.to_string(),
            Ok(call) => panic!("{input} gave {call:?}"),
        }
    }

    fn click(x: i32, y: i32, button: Button, count: u8, modifiers: &[&str]) -> Action {
        Action::Click {
            x: Some(x),
            y: Some(y),
            button,
            count,
            modifiers: modifiers.iter().map(|m| (*m).to_owned()).collect(),
        }
    }

    #[test]
    fn screenshot_and_cursor_position() {
        assert_eq!(
            from(json!({"action": "screenshot"})),
            Ok(AnthropicCall::Screenshot)
        );
        assert_eq!(
            from(json!({"action": "cursor_position"})),
            Ok(AnthropicCall::CursorPosition)
        );
    }

    #[test]
    fn a_real_tool_use_block_input() {
        // As the API sends it: the `input` of
        // {"type":"tool_use","id":"toolu_01A","name":"computer","input":{…}}.
        let block: Value = serde_json::from_str(
            r#"{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"computer",
                "input":{"action":"left_click","coordinate":[683,384]}}"#,
        )
        .unwrap();
        assert_eq!(
            from_anthropic(&block["input"], &SCALED, SCREEN),
            Ok(AnthropicCall::Act(vec![click(
                960,
                540,
                Button::Left,
                1,
                &[]
            )]))
        );
    }

    #[test]
    fn mouse_move_maps_scaled_coordinates() {
        assert_eq!(
            one(json!({"action": "mouse_move", "coordinate": [683, 384]})),
            Action::Move { x: 960, y: 540 }
        );
        assert_eq!(
            one(json!({"action": "mouse_move", "coordinate": [0, 0]})),
            Action::Move { x: 0, y: 0 }
        );
        // The screenshot's far edge lands on the screen's last pixel.
        assert_eq!(
            one(json!({"action": "mouse_move", "coordinate": [1366, 768]})),
            Action::Move { x: 1919, y: 1079 }
        );
        // Screen space: as given.
        assert_eq!(
            from_anthropic(
                &json!({"action": "mouse_move", "coordinate": [512, 384]}),
                &ModelSpace::Screen,
                Size::new(1024, 768)
            ),
            Ok(AnthropicCall::Act(vec![Action::Move { x: 512, y: 384 }]))
        );
    }

    #[test]
    fn clicks_with_buttons_counts_and_modifiers() {
        let c = |action: &str| json!({"action": action, "coordinate": [683, 384]});
        assert_eq!(one(c("left_click")), click(960, 540, Button::Left, 1, &[]));
        assert_eq!(
            one(c("right_click")),
            click(960, 540, Button::Right, 1, &[])
        );
        assert_eq!(
            one(c("middle_click")),
            click(960, 540, Button::Middle, 1, &[])
        );
        assert_eq!(
            one(c("double_click")),
            click(960, 540, Button::Left, 2, &[])
        );
        assert_eq!(
            one(c("triple_click")),
            click(960, 540, Button::Left, 3, &[])
        );
        assert_eq!(
            one(json!({"action": "left_click", "coordinate": [683, 384], "text": "shift"})),
            click(960, 540, Button::Left, 1, &["shift"])
        );
        assert_eq!(
            one(json!({"action": "left_click", "coordinate": [683, 384], "text": "ctrl+shift"})),
            click(960, 540, Button::Left, 1, &["ctrl", "shift"])
        );
        assert_eq!(
            one(json!({"action": "double_click", "text": "ctrl"})),
            Action::Click {
                x: None,
                y: None,
                button: Button::Left,
                count: 2,
                modifiers: vec!["ctrl".into()]
            }
        );
        // No coordinate: where the pointer is; blank text: no modifier.
        assert_eq!(
            one(json!({"action": "left_click", "text": ""})),
            Action::Click {
                x: None,
                y: None,
                button: Button::Left,
                count: 1,
                modifiers: vec![]
            }
        );
        // Modifiers produced here are accepted by `validate`.
        one(json!({"action": "left_click", "coordinate": [1, 1], "text": "ctrl+shift"}))
            .validate(SCREEN)
            .unwrap();
    }

    #[test]
    fn drag_and_mouse_buttons() {
        assert_eq!(
            one(
                json!({"action": "left_click_drag", "start_coordinate": [0, 0], "coordinate": [683, 384]})
            ),
            Action::Drag {
                path: vec![Point::new(0, 0), Point::new(960, 540)]
            }
        );
        assert_eq!(
            acts(json!({"action": "left_mouse_down"})),
            vec![Action::MouseDown {
                button: Button::Left
            }]
        );
        assert_eq!(
            acts(json!({"action": "left_mouse_up", "coordinate": [683, 384]})),
            vec![
                Action::Move { x: 960, y: 540 },
                Action::MouseUp {
                    button: Button::Left
                }
            ]
        );
    }

    #[test]
    fn scroll_in_each_direction() {
        let s = |dir: &str| json!({"action": "scroll", "coordinate": [683, 384], "scroll_direction": dir, "scroll_amount": 3});
        let at = |dx, dy| Action::Scroll {
            x: Some(960),
            y: Some(540),
            dx,
            dy,
        };
        assert_eq!(one(s("down")), at(0, 3));
        assert_eq!(one(s("up")), at(0, -3));
        assert_eq!(one(s("left")), at(-3, 0));
        assert_eq!(one(s("right")), at(3, 0));
        // Modifiers on a scroll are ignored; no coordinate scrolls where the pointer is.
        assert_eq!(
            one(
                json!({"action": "scroll", "scroll_direction": "down", "scroll_amount": 5, "text": "ctrl"})
            ),
            Action::Scroll {
                x: None,
                y: None,
                dx: 0,
                dy: 5
            }
        );
    }

    #[test]
    fn typing_keys_and_waiting() {
        assert_eq!(
            one(json!({"action": "type", "text": "Hello, wörld!\n"})),
            Action::TypeText {
                text: "Hello, wörld!\n".into()
            }
        );
        assert_eq!(
            one(json!({"action": "key", "text": "ctrl+s"})),
            Action::Key {
                keys: "ctrl+s".into()
            }
        );
        assert_eq!(
            one(json!({"action": "key", "text": "Return"})),
            Action::Key {
                keys: "Return".into()
            }
        );
        assert_eq!(
            one(json!({"action": "key", "text": "ctrl + shift + t"})),
            Action::Key {
                keys: "ctrl + shift + t".into()
            }
        );
        assert_eq!(
            acts(json!({"action": "key", "text": "Down Down ctrl+Return"})),
            vec![
                Action::Key {
                    keys: "Down".into()
                },
                Action::Key {
                    keys: "Down".into()
                },
                Action::Key {
                    keys: "ctrl+Return".into()
                }
            ]
        );
        assert_eq!(
            one(json!({"action": "hold_key", "text": "shift", "duration": 0.5})),
            Action::HoldKey {
                keys: "shift".into(),
                ms: 500
            }
        );
        assert_eq!(
            one(json!({"action": "wait", "duration": 2})),
            Action::Wait { ms: 2000 }
        );
        assert_eq!(
            one(json!({"action": "wait", "duration": 0.25})),
            Action::Wait { ms: 250 }
        );
    }

    #[test]
    fn zoom_regions_reach_the_screen_edge() {
        assert_eq!(
            one(json!({"action": "zoom", "region": [0, 0, 683, 384]})),
            Action::Zoom {
                region: [0, 0, 960, 540]
            }
        );
        let whole = one(json!({"action": "zoom", "region": [0, 0, 1366, 768]}));
        assert_eq!(
            whole,
            Action::Zoom {
                region: [0, 0, 1920, 1080]
            }
        );
        whole.validate(SCREEN).unwrap();
    }

    #[test]
    fn coordinates_map_through_other_spaces() {
        let input = json!({"action": "left_click", "coordinate": [500, 500]});
        assert_eq!(
            from_anthropic(&input, &ModelSpace::Relative1000, SCREEN),
            Ok(AnthropicCall::Act(vec![click(
                960,
                540,
                Button::Left,
                1,
                &[]
            )]))
        );
        // UI-TARS-1.5's smart-resize of 1920x1080 is 1932x1092.
        let input = json!({"action": "left_click", "coordinate": [966, 546]});
        assert_eq!(
            from_anthropic(&input, &ModelSpace::UI_TARS_1_5, SCREEN),
            Ok(AnthropicCall::Act(vec![click(
                960,
                540,
                Button::Left,
                1,
                &[]
            )]))
        );
        // Floats and stringified arrays are read too.
        assert_eq!(
            one(json!({"action": "mouse_move", "coordinate": [683.2, 384.2]})),
            Action::Move { x: 960, y: 540 }
        );
        assert_eq!(
            one(json!({"action": "mouse_move", "coordinate": "[683, 384]"})),
            Action::Move { x: 960, y: 540 }
        );
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            err(json!({"action": "left_click", "coordinate": "abc"})),
            r#"left_click: coordinate must be [x, y] with integers, got "abc""#
        );
        assert_eq!(
            err(json!({"action": "mouse_move", "coordinate": [1, 2, 3]})),
            "mouse_move: coordinate must be [x, y] with integers, got [1,2,3]"
        );
        assert_eq!(
            err(json!({"action": "mouse_move", "coordinate": ["1", 2]})),
            r#"mouse_move: coordinate must be [x, y] with integers, got ["1",2]"#
        );
        assert_eq!(
            err(json!({"action": "mouse_move"})),
            r#"mouse_move: missing required field "coordinate""#
        );
        assert_eq!(
            err(json!({"action": "left_click_drag", "coordinate": [1, 2]})),
            r#"left_click_drag: missing required field "start_coordinate""#
        );
        assert_eq!(
            err(json!({"action": "left_click", "text": "hyperctrl"})),
            r#"left_click: text must name the modifier keys to hold, such as "shift" or "ctrl+shift": unknown key "hyperctrl" in "hyperctrl""#
        );
        assert_eq!(
            err(json!({"action": "left_click", "text": 5})),
            r#"left_click: text must name the modifier keys to hold, such as "shift" or "ctrl+shift", got 5"#
        );
        assert_eq!(
            err(json!({"action": "scroll", "scroll_direction": "sideways", "scroll_amount": 3})),
            r#"scroll: scroll_direction must be one of up, down, left, right, got "sideways""#
        );
        assert_eq!(
            err(json!({"action": "scroll", "scroll_amount": 3})),
            r#"scroll: missing required field "scroll_direction""#
        );
        assert_eq!(
            err(json!({"action": "scroll", "scroll_direction": "up"})),
            r#"scroll: missing required field "scroll_amount""#
        );
        for bad in [json!(0), json!(-2), json!(1.5), json!(101), json!("many")] {
            assert_eq!(
                err(json!({"action": "scroll", "scroll_direction": "up", "scroll_amount": bad})),
                format!(
                    "scroll: scroll_amount must be a whole number of wheel notches from 1 to 100, got {bad}"
                )
            );
        }
        assert_eq!(
            err(json!({"action": "type"})),
            r#"type: missing required field "text""#
        );
        assert_eq!(
            err(json!({"action": "type", "text": ["a"]})),
            r#"type: text must be a string, got ["a"]"#
        );
        assert_eq!(
            err(json!({"action": "key", "text": "ctrl+shfit+t"})),
            r#"key: text must be an xdotool key chord such as "ctrl+s", "Return" or "super": unknown key "shfit" in "ctrl+shfit+t""#
        );
        assert_eq!(
            err(json!({"action": "key", "text": ""})),
            r#"key: text must be an xdotool key chord such as "ctrl+s", "Return" or "super": empty key chord"#
        );
        assert_eq!(
            err(json!({"action": "hold_key", "text": "shift"})),
            r#"hold_key: missing required field "duration""#
        );
        assert_eq!(
            err(json!({"action": "hold_key", "text": "shift", "duration": -1})),
            "hold_key: duration must be a number of seconds from 0 to 100, got -1"
        );
        assert_eq!(
            err(json!({"action": "wait", "duration": 1000})),
            "wait: duration must be a number of seconds from 0 to 100, got 1000"
        );
        assert_eq!(
            err(json!({"action": "zoom", "region": [10, 10, 5, 20]})),
            "zoom: region must have x1 < x2 and y1 < y2, got [10,10,5,20]"
        );
        assert_eq!(
            err(json!({"action": "zoom", "region": [1, 2]})),
            "zoom: region must be [x1, y1, x2, y2] with integers (top-left and bottom-right), got [1,2]"
        );
        assert_eq!(
            err(json!({"action": "zoom"})),
            r#"zoom: missing required field "region""#
        );
        assert_eq!(
            err(json!({"action": "clik", "coordinate": [1, 2]})),
            format!(r#"unknown computer action "clik"; the actions are {ACTIONS}"#)
        );
        assert_eq!(
            err(json!({"coordinate": [1, 2]})),
            r#"computer: missing required field "action""#
        );
        assert_eq!(
            err(json!({"action": 3})),
            r#"computer: action must be a string such as "left_click", got 3"#
        );
        assert_eq!(
            err(json!(["left_click"])),
            r#"cannot parse the response: the computer tool input must be a JSON object such as {"action": "screenshot"}, got ["left_click"]"#
        );
    }

    #[test]
    fn tool_definitions() {
        let v1 = AnthropicToolVersion::V20250124;
        let v2 = AnthropicToolVersion::V20251124;
        assert_eq!(v1.tool_type(), "computer_20250124");
        assert_eq!(v2.tool_type(), "computer_20251124");
        assert_eq!(v1.beta_header(), Some("computer-use-2025-01-24"));
        assert_eq!(v2.beta_header(), Some("computer-use-2025-11-24"));
        assert_eq!(
            tool_definition(v1, Size::new(1366, 768), Some(1)),
            json!({"type": "computer_20250124", "name": "computer",
                   "display_width_px": 1366, "display_height_px": 768, "display_number": 1})
        );
        assert_eq!(
            tool_definition(v2, Size::new(1280, 800), None),
            json!({"type": "computer_20251124", "name": "computer",
                   "display_width_px": 1280, "display_height_px": 800, "enable_zoom": true})
        );
    }

    #[test]
    fn to_anthropic_writes_inputs() {
        let to = |a: &Action| to_anthropic(a, &SCALED, SCREEN);
        assert_eq!(
            to(&click(960, 540, Button::Left, 1, &["ctrl", "shift"])),
            Ok(json!({"action": "left_click", "coordinate": [683, 384], "text": "ctrl+shift"}))
        );
        assert_eq!(
            to(&Action::Wait { ms: 1500 }),
            Ok(json!({"action": "wait", "duration": 1.5}))
        );
        assert_eq!(
            to(&Action::HoldKey {
                keys: "shift".into(),
                ms: 2000
            }),
            Ok(json!({"action": "hold_key", "text": "shift", "duration": 2}))
        );
        assert_eq!(
            to(&Action::Scroll {
                x: None,
                y: None,
                dx: -2,
                dy: 0
            }),
            Ok(json!({"action": "scroll", "scroll_direction": "left", "scroll_amount": 2}))
        );
        let unsupported = |a: Action| to(&a).unwrap_err().to_string();
        assert_eq!(
            unsupported(Action::Done { message: None }),
            "the done action in the Anthropic computer tool is not supported"
        );
        assert_eq!(
            unsupported(Action::Fail {
                reason: "no".into()
            }),
            "the fail action in the Anthropic computer tool is not supported"
        );
        assert_eq!(
            unsupported(Action::CallUser {
                message: "help".into()
            }),
            "the call_user action in the Anthropic computer tool is not supported"
        );
        assert_eq!(
            unsupported(click(1, 1, Button::Right, 2, &[])),
            "a right click ×2 in the Anthropic computer tool is not supported"
        );
        assert_eq!(
            unsupported(Action::MouseDown {
                button: Button::Right
            }),
            "mouse_down with the right button in the Anthropic computer tool is not supported"
        );
        assert_eq!(
            unsupported(Action::Drag {
                path: vec![Point::new(1, 1), Point::new(2, 2), Point::new(3, 3)]
            }),
            "a drag through 3 points (only 2) in the Anthropic computer tool is not supported"
        );
        assert_eq!(
            unsupported(Action::Scroll {
                x: None,
                y: None,
                dx: 1,
                dy: 1
            }),
            "a diagonal scroll (both dx and dy) in the Anthropic computer tool is not supported"
        );
        assert_eq!(
            unsupported(Action::Scroll {
                x: None,
                y: None,
                dx: 0,
                dy: 0
            }),
            "scroll: dx, dy are both 0: scroll needs a non-zero dx or dy"
        );
        assert_eq!(
            unsupported(Action::Click {
                x: Some(1),
                y: None,
                button: Button::Left,
                count: 1,
                modifiers: vec![]
            }),
            "click: x, y must be given together or not at all"
        );
        assert_eq!(
            unsupported(Action::Key {
                keys: "ctrl+nope".into()
            }),
            r#"key: text must be an xdotool key chord such as "ctrl+s", "Return" or "super": unknown key "nope" in "ctrl+nope""#
        );
    }

    fn within_one_pixel(a: &Action, b: &Action) -> bool {
        let (pa, pb) = (a.points(), b.points());
        pa.len() == pb.len()
            && pa
                .iter()
                .zip(&pb)
                .all(|(p, q)| (p.x - q.x).abs() <= 1 && (p.y - q.y).abs() <= 1)
            && a.map_points(|_| Point::new(0, 0)) == b.map_points(|_| Point::new(0, 0))
    }

    #[test]
    fn round_trips_within_one_pixel() {
        let actions = vec![
            Action::Move { x: 1, y: 1079 },
            click(1919, 0, Button::Left, 1, &[]),
            click(333, 777, Button::Right, 1, &["alt"]),
            click(960, 540, Button::Middle, 1, &[]),
            click(17, 29, Button::Left, 2, &[]),
            click(1001, 3, Button::Left, 3, &["ctrl", "shift"]),
            Action::Click {
                x: None,
                y: None,
                button: Button::Left,
                count: 1,
                modifiers: vec![],
            },
            Action::Drag {
                path: vec![Point::new(5, 7), Point::new(1500, 999)],
            },
            Action::MouseDown {
                button: Button::Left,
            },
            Action::MouseUp {
                button: Button::Left,
            },
            Action::Scroll {
                x: Some(100),
                y: Some(200),
                dx: 0,
                dy: 3,
            },
            Action::Scroll {
                x: None,
                y: None,
                dx: -4,
                dy: 0,
            },
            Action::TypeText {
                text: "héllo \"world\"\n".into(),
            },
            Action::Key {
                keys: "ctrl+shift+t".into(),
            },
            Action::HoldKey {
                keys: "shift".into(),
                ms: 1250,
            },
            Action::Wait { ms: 300 },
            Action::Zoom {
                region: [0, 0, 1920, 1080],
            },
            Action::Zoom {
                region: [101, 203, 640, 401],
            },
        ];
        let screens = [
            Size::new(1920, 1080),
            Size::new(1366, 768),
            Size::new(2560, 1440),
        ];
        for screen in screens {
            let spaces = [
                ModelSpace::Screen,
                ModelSpace::Scaled {
                    width: crate::anthropic_target(screen).width,
                    height: crate::anthropic_target(screen).height,
                },
                ModelSpace::Relative1000,
                ModelSpace::UI_TARS_1_5,
            ];
            for space in spaces {
                for a in &actions {
                    let a = a.map_points(|p| {
                        Point::new(
                            p.x.min(screen.width as i32 - 1),
                            p.y.min(screen.height as i32 - 1),
                        )
                    });
                    let a = match a {
                        Action::Zoom { region } => Action::Zoom {
                            region: [
                                region[0],
                                region[1],
                                (region[2] + 1).min(screen.width as i32),
                                (region[3] + 1).min(screen.height as i32),
                            ],
                        },
                        a => a,
                    };
                    let wire = to_anthropic(&a, &space, screen).unwrap();
                    let back = match from_anthropic(&wire, &space, screen) {
                        Ok(AnthropicCall::Act(mut v)) if v.len() == 1 => v.remove(0),
                        other => panic!("{a} -> {wire} -> {other:?}"),
                    };
                    assert!(
                        within_one_pixel(&a, &back),
                        "{space:?} {screen}: {a} -> {wire} -> {back}"
                    );
                }
            }
        }
    }
}
