//! Qwen3-VL's `computer_use` function, as the model writes it in text
//! (Hermes style) or as a vLLM server lifts it into `message.tool_calls`.
//!
//! A reply looks like
//!
//! ```text
//! <think>…</think>                  (thinking variants; dropped)
//! Thought: …                        (optional)
//! Action: Click the terminal.       (optional, one sentence)
//! <tool_call>
//! {"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [500, 300]}}
//! </tool_call>
//! ```
//!
//! Several `<tool_call>` blocks are performed in order; a block left open at
//! the end (a server that strips the stop string) is read too. Without any
//! block, a bare line `{"name": …, "arguments": …}` is accepted (as OSWorld
//! does). A call whose `name` is not `computer_use`, bad JSON or an unknown
//! action is an error, never a partial list of actions.
//!
//! Actions ([`tool_definition`] lists them for the model):
//!
//! | action | arguments | becomes |
//! |---|---|---|
//! | `key` | `keys: ["ctrl", "c"]` (or a string) | one chord, pressed in order, released in reverse |
//! | `type` | `text` | typed; `\n` presses Enter between lines |
//! | `mouse_move` | `coordinate` | a move |
//! | `left_click`, `right_click`, `middle_click`, `double_click`, `triple_click` | `coordinate` (absent: at the cursor) | a click |
//! | `left_click_drag` | `coordinate` | left button down at the cursor, move there, up |
//! | `scroll`, `hscroll` | `pixels` (positive: up / left), `coordinate` optional | wheel clicks, see [`wheel_clicks`] |
//! | `wait` | `time` (seconds, default 5, at most 60) | a wait |
//! | `terminate` | `status: "success" \| "failure"` | done / fail |
//! | `answer` | `text` | done, with the text as its message |
//!
//! Coordinates ([`Qwen3vlSpace`]): the model's native 1000×1000 grid by
//! default, where `0` is the first pixel and `999` the last-but-rounding,
//! pixel = `v · size / 999` (OSWorld's `adjust_coordinates`, the cookbook's
//! `rescale_coordinates`), rounded and clamped into the screen; or any
//! [`ModelSpace`] when the coordinates were set otherwise.

use serde_json::{Value, json};

use super::{FormatError, joinable_key_name, number, quote, show};
use crate::action::{Action, Button};
use crate::coords::ModelSpace;
use crate::keys::parse_chord;
use crate::point::{Point, Size};

/// The function's name.
pub const FUNCTION: &str = "computer_use";

/// The actions, for the function's enum and for messages.
pub const ACTIONS: [&str; 14] = [
    "key",
    "type",
    "mouse_move",
    "left_click",
    "left_click_drag",
    "right_click",
    "middle_click",
    "double_click",
    "triple_click",
    "scroll",
    "hscroll",
    "wait",
    "terminate",
    "answer",
];

/// `wait` without `time`, in milliseconds.
pub const DEFAULT_WAIT_MS: u64 = 5000;

/// The longest `wait`, in milliseconds.
pub const MAX_WAIT_MS: u64 = 60_000;

/// `pixels` of at most this magnitude are wheel clicks already (OSWorld
/// passes them to `pyautogui.scroll`, one click per unit on X11).
pub const CLICKS_UP_TO: f64 = 20.0;

/// Larger `pixels` are screen pixels at this many per wheel click (what
/// browsers scroll for one click, roughly).
pub const PIXELS_PER_CLICK: f64 = 100.0;

/// The most wheel clicks one scroll turns.
pub const MAX_CLICKS: i32 = 50;

/// How the model's coordinates are meant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Qwen3vlSpace {
    /// The 1000×1000 grid: pixel = `v · size / 999`.
    Grid,
    /// Any other space.
    Model(ModelSpace),
}

impl Qwen3vlSpace {
    /// A model coordinate in screen pixels, rounded and clamped.
    pub fn to_screen(&self, x: f64, y: f64, screen: Size) -> Point {
        match self {
            Qwen3vlSpace::Grid => {
                let axis = |v: f64, len: u32| -> i32 {
                    let p = (v * f64::from(len) / 999.0).round();
                    let max = f64::from(len.saturating_sub(1));
                    // Clamped into the screen first, so the cast is exact.
                    p.clamp(0.0, max) as i32
                };
                Point::new(axis(x, screen.width), axis(y, screen.height))
            }
            Qwen3vlSpace::Model(space) => space.to_screen(x, y, screen),
        }
    }

    /// A screen pixel in the model's coordinates, unrounded (the inverse of
    /// [`to_screen`](Self::to_screen) up to rounding).
    pub fn from_screen(&self, p: Point, screen: Size) -> (f64, f64) {
        match self {
            Qwen3vlSpace::Grid => (
                f64::from(p.x) * 999.0 / f64::from(screen.width.max(1)),
                f64::from(p.y) * 999.0 / f64::from(screen.height.max(1)),
            ),
            Qwen3vlSpace::Model(space) => space.from_screen(p, screen),
        }
    }
}

/// One parsed reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qwen3vlTurn {
    /// The `Action:` sentence, else the `Thought:` text, if any.
    pub thought: Option<String>,
    /// The actions of every call, in order, in screen pixels.
    pub actions: Vec<Action>,
}

/// The `computer_use` function in the Hermes `tools` shape, with the
/// declared screen resolution `width`×`height` (1000×1000 for the grid).
pub fn tool_definition(width: u32, height: u32) -> Value {
    let description = format!(
        "Use a mouse and keyboard to interact with a computer, and take screenshots.\n\
* This is an interface to a desktop GUI. You do not have access to a terminal or applications menu. You must click on desktop icons to start applications.\n\
* Some applications may take time to start or process actions, so you may need to wait and take successive screenshots to see the results of your actions.\n\
* The screen's resolution is {width}x{height}.\n\
* Whenever you intend to move the cursor to click on an element like an icon, you should consult a screenshot to determine the coordinates of the element before moving the cursor.\n\
* If you tried clicking on a program or link but it failed to load, even after waiting, try adjusting your cursor position so that the tip of the cursor visually falls on the element that you want to click.\n\
* Make sure to click any buttons, links, icons, etc with the cursor tip in the center of the element. Don't click boxes on their edges unless asked."
    );
    json!({
        "type": "function",
        "function": {
            "name_for_human": FUNCTION,
            "name": FUNCTION,
            "description": description,
            "parameters": {
                "properties": {
                    "action": {
                        "description": "The action to perform. The available actions are:\n\
    * `key`: Performs key down presses on the arguments passed in order, then performs key releases in reverse order.\n\
    * `type`: Type a string of text on the keyboard.\n\
    * `mouse_move`: Move the cursor to a specified (x, y) pixel coordinate on the screen.\n\
    * `left_click`: Click the left mouse button at a specified (x, y) pixel coordinate on the screen.\n\
    * `left_click_drag`: Click and drag the cursor to a specified (x, y) pixel coordinate on the screen.\n\
    * `right_click`: Click the right mouse button at a specified (x, y) pixel coordinate on the screen.\n\
    * `middle_click`: Click the middle mouse button at a specified (x, y) pixel coordinate on the screen.\n\
    * `double_click`: Double-click the left mouse button at a specified (x, y) pixel coordinate on the screen.\n\
    * `triple_click`: Triple-click the left mouse button at a specified (x, y) pixel coordinate on the screen.\n\
    * `scroll`: Performs a scroll of the mouse scroll wheel (positive: up).\n\
    * `hscroll`: Performs a horizontal scroll (positive: left).\n\
    * `wait`: Wait specified seconds for the change to happen.\n\
    * `terminate`: Terminate the current task and report its completion status.\n\
    * `answer`: Answer a question.",
                        "enum": ACTIONS,
                        "type": "string"
                    },
                    "keys": {"description": "Required only by `action=key`.", "type": "array"},
                    "text": {"description": "Required only by `action=type` and `action=answer`.", "type": "string"},
                    "coordinate": {"description": "(x, y): The x (pixels from the left edge) and y (pixels from the top edge) coordinates to move the mouse to.", "type": "array"},
                    "pixels": {"description": "The amount of scrolling to perform. Positive values scroll up (or left), negative values scroll down (or right). Required only by `action=scroll` and `action=hscroll`.", "type": "number"},
                    "time": {"description": "The seconds to wait. Required only by `action=wait`.", "type": "number"},
                    "status": {"description": "The status of the task. Required only by `action=terminate`.", "type": "string", "enum": ["success", "failure"]}
                },
                "required": ["action"],
                "type": "object"
            },
            "args_format": "Format the arguments as a JSON object."
        }
    })
}

/// Parses a text reply: every `<tool_call>` block (or a bare JSON line) in
/// order, and the thought.
///
/// # Errors
///
/// [`FormatError::Parse`] when there is no call or a call is not JSON of
/// the shape `{"name": …, "arguments": {…}}`, [`FormatError::Unknown`] for
/// another function or an unknown action, [`FormatError::MissingField`] /
/// [`FormatError::BadField`] for its arguments.
pub fn parse_qwen3vl(
    text: &str,
    space: &Qwen3vlSpace,
    screen: Size,
) -> Result<Qwen3vlTurn, FormatError> {
    let text = strip_think(text);
    let mut blocks = Vec::new();
    let mut rest = text.as_str();
    let mut outside = String::new();
    while let Some(start) = rest.find("<tool_call>") {
        outside.push_str(&rest[..start]);
        let after = &rest[start + "<tool_call>".len()..];
        match after.find("</tool_call>") {
            Some(end) => {
                blocks.push(after[..end].to_owned());
                rest = &after[end + "</tool_call>".len()..];
            }
            None => {
                blocks.push(after.to_owned());
                rest = "";
            }
        }
    }
    outside.push_str(rest);
    if blocks.is_empty() {
        blocks = outside
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('{') && l.contains("\"name\""))
            .map(str::to_owned)
            .collect();
    }
    if blocks.is_empty() {
        return Err(FormatError::parse(
            "no <tool_call> found; answer with an Action: line, then <tool_call>\n{\"name\": \"computer_use\", \"arguments\": {\"action\": …}}\n</tool_call>",
        ));
    }
    let mut actions = Vec::new();
    for block in &blocks {
        let call: Value = serde_json::from_str(block.trim()).map_err(|e| {
            FormatError::parse(format!(
                "the <tool_call> is not JSON ({e}): {}",
                quote(block.trim())
            ))
        })?;
        let name = call["name"].as_str().unwrap_or_default();
        actions.extend(parse_call(name, &call["arguments"], space, screen)?);
    }
    let line = |tag: &str| {
        outside
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(tag))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let thought = line("Action:").or_else(|| line("Thought:"));
    Ok(Qwen3vlTurn { thought, actions })
}

/// Drops `<think>…</think>` (and everything before a lone `</think>`, as
/// servers that put the opening tag in the prompt send it).
fn strip_think(text: &str) -> String {
    let mut out = text.to_owned();
    while let Some(start) = out.find("<think>") {
        match out[start..].find("</think>") {
            Some(end) => out.replace_range(start..start + end + "</think>".len(), ""),
            None => out.truncate(start),
        }
    }
    if let Some(end) = out.find("</think>") {
        out.replace_range(..end + "</think>".len(), "");
    }
    out
}

/// One call (`name`, `arguments`) as actions; `arguments` may be an object
/// or a JSON string holding one (OpenAI's `tool_calls` shape).
///
/// # Errors
///
/// As [`parse_qwen3vl`].
pub fn parse_call(
    name: &str,
    arguments: &Value,
    space: &Qwen3vlSpace,
    screen: Size,
) -> Result<Vec<Action>, FormatError> {
    if name != FUNCTION {
        return Err(FormatError::Unknown {
            what: format!("function {}; the only function is {FUNCTION}", quote(name)),
        });
    }
    let parsed;
    let args = match arguments {
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s).map_err(|e| {
                FormatError::parse(format!("the arguments are not JSON ({e}): {}", quote(s)))
            })?;
            &parsed
        }
        other => other,
    };
    if !args.is_object() {
        return Err(FormatError::parse(format!(
            "arguments must be a JSON object, got {}",
            show(args)
        )));
    }
    let Some(action) = args["action"].as_str() else {
        return Err(FormatError::missing(FUNCTION, "action"));
    };
    let point = |required: bool| -> Result<Option<Point>, FormatError> {
        let c = &args["coordinate"];
        if c.is_null() {
            return if required {
                Err(FormatError::missing(action, "coordinate"))
            } else {
                Ok(None)
            };
        }
        let bad = || {
            FormatError::bad(
                action,
                "coordinate",
                format!("must be [x, y], got {}", show(c)),
            )
        };
        let xy = c.as_array().filter(|a| a.len() == 2).ok_or_else(bad)?;
        let x = number(&xy[0]).ok_or_else(bad)?;
        let y = number(&xy[1]).ok_or_else(bad)?;
        if !(x.is_finite() && y.is_finite()) || x < 0.0 || y < 0.0 {
            return Err(bad());
        }
        if *space == Qwen3vlSpace::Grid && (x > 1000.0 || y > 1000.0) {
            return Err(FormatError::bad(
                action,
                "coordinate",
                format!("must lie on the 1000x1000 grid (0-999), got {}", show(c)),
            ));
        }
        Ok(Some(space.to_screen(x, y, screen)))
    };
    let click = |button: Button, count: u8| -> Result<Vec<Action>, FormatError> {
        let p = point(false)?;
        Ok(vec![Action::Click {
            x: p.map(|p| p.x),
            y: p.map(|p| p.y),
            button,
            count,
            modifiers: vec![],
        }])
    };
    match action {
        "key" => Ok(vec![Action::Key {
            keys: chord(&args["keys"])?,
        }]),
        "type" => {
            let text = args["text"]
                .as_str()
                .ok_or_else(|| FormatError::missing(action, "text"))?;
            Ok(vec![Action::TypeText {
                text: text.to_owned(),
            }])
        }
        "mouse_move" => {
            let p = point(true)?.ok_or_else(|| FormatError::missing(action, "coordinate"))?;
            Ok(vec![Action::Move { x: p.x, y: p.y }])
        }
        "left_click" => click(Button::Left, 1),
        "right_click" => click(Button::Right, 1),
        "middle_click" => click(Button::Middle, 1),
        "double_click" => click(Button::Left, 2),
        "triple_click" => click(Button::Left, 3),
        "left_click_drag" => {
            let p = point(true)?.ok_or_else(|| FormatError::missing(action, "coordinate"))?;
            Ok(vec![
                Action::MouseDown {
                    button: Button::Left,
                },
                Action::Move { x: p.x, y: p.y },
                Action::MouseUp {
                    button: Button::Left,
                },
            ])
        }
        "scroll" | "hscroll" => {
            let pixels = number(&args["pixels"]).ok_or_else(|| {
                if args["pixels"].is_null() {
                    FormatError::missing(action, "pixels")
                } else {
                    FormatError::bad(
                        action,
                        "pixels",
                        format!("must be a number, got {}", show(&args["pixels"])),
                    )
                }
            })?;
            // Positive is up / left; the wheel's positive is down / right.
            let clicks = -wheel_clicks(pixels);
            let p = point(false)?;
            let (dx, dy) = if action == "scroll" {
                (0, clicks)
            } else {
                (clicks, 0)
            };
            Ok(vec![Action::Scroll {
                x: p.map(|p| p.x),
                y: p.map(|p| p.y),
                dx,
                dy,
            }])
        }
        "wait" => {
            let t = &args["time"];
            let ms = if t.is_null() {
                DEFAULT_WAIT_MS
            } else {
                let s = number(t)
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .ok_or_else(|| {
                        FormatError::bad(
                            action,
                            "time",
                            format!("must be seconds, got {}", show(t)),
                        )
                    })?;
                // Clamped first, so the cast is exact.
                (s * 1000.0).round().min(MAX_WAIT_MS as f64) as u64
            };
            Ok(vec![Action::Wait { ms }])
        }
        "terminate" => match args["status"].as_str().unwrap_or("success") {
            "success" => Ok(vec![Action::Done { message: None }]),
            "failure" => Ok(vec![Action::Fail {
                reason: "the model terminated the task as failed".into(),
            }]),
            other => Err(FormatError::bad(
                action,
                "status",
                format!("must be \"success\" or \"failure\", got {}", quote(other)),
            )),
        },
        "answer" => {
            let text = args["text"]
                .as_str()
                .ok_or_else(|| FormatError::missing(action, "text"))?;
            Ok(vec![Action::Done {
                message: Some(text.to_owned()),
            }])
        }
        other => Err(FormatError::Unknown {
            what: format!(
                "computer_use action {}; the actions are {}",
                quote(other),
                ACTIONS.join(", ")
            ),
        }),
    }
}

/// `key`'s `keys` (an array of names, or one string such as `"ctrl+c"`) as
/// one chord, checked.
fn chord(keys: &Value) -> Result<String, FormatError> {
    let names: Vec<String> = match keys {
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|k| {
                k.as_str()
                    .map(|s| {
                        joinable_key_name(
                            s.trim_matches(|c| c == '\'' || c == '"' || c == ' ').trim(),
                        )
                        .to_owned()
                    })
                    .ok_or_else(|| {
                        FormatError::bad(
                            "key",
                            "keys",
                            format!("must be key names, got {}", show(keys)),
                        )
                    })
            })
            .collect::<Result<_, _>>()?,
        Value::String(s) if !s.trim().is_empty() => vec![s.trim().to_owned()],
        Value::Null => return Err(FormatError::missing("key", "keys")),
        other => {
            return Err(FormatError::bad(
                "key",
                "keys",
                format!("must be a list of key names, got {}", show(other)),
            ));
        }
    };
    let chord = names.join("+");
    parse_chord(&chord).map_err(|e| FormatError::bad("key", "keys", e.to_string()))?;
    Ok(chord)
}

/// Wheel clicks for a `scroll`'s `pixels` (sign kept): magnitudes up to
/// [`CLICKS_UP_TO`] are clicks already (OSWorld's `pyautogui.scroll`);
/// larger ones are pixels at [`PIXELS_PER_CLICK`] per click, rounded, at
/// least 1 and at most [`MAX_CLICKS`]; a non-finite value is 0.
pub fn wheel_clicks(pixels: f64) -> i32 {
    if !pixels.is_finite() {
        return 0;
    }
    let m = pixels.abs();
    let clicks = if m <= CLICKS_UP_TO {
        m.round()
    } else {
        (m / PIXELS_PER_CLICK).round().max(1.0)
    };
    // Clamped first, so the cast is exact.
    let clicks = clicks.min(f64::from(MAX_CLICKS)) as i32;
    if pixels < 0.0 { -clicks } else { clicks }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SCREEN: Size = Size {
        width: 1920,
        height: 1080,
    };

    fn one(args: Value) -> Result<Vec<Action>, FormatError> {
        parse_call(FUNCTION, &args, &Qwen3vlSpace::Grid, SCREEN)
    }

    fn click(x: i32, y: i32, button: Button, count: u8) -> Action {
        Action::Click {
            x: Some(x),
            y: Some(y),
            button,
            count,
            modifiers: vec![],
        }
    }

    #[test]
    fn a_text_reply_with_thought_and_tool_call() {
        let text = "Thought: the terminal is there.\nAction: Click the terminal.\n<tool_call>\n{\"name\": \"computer_use\", \"arguments\": {\"action\": \"left_click\", \"coordinate\": [999, 0]}}\n</tool_call>";
        let turn = parse_qwen3vl(text, &Qwen3vlSpace::Grid, SCREEN).unwrap();
        assert_eq!(turn.thought.as_deref(), Some("Click the terminal."));
        assert_eq!(turn.actions, vec![click(1919, 0, Button::Left, 1)]);
    }

    #[test]
    fn grid_maps_v_times_size_over_999() {
        let turn = parse_qwen3vl(
            "<tool_call>{\"name\": \"computer_use\", \"arguments\": {\"action\": \"left_click\", \"coordinate\": [500, 250]}}</tool_call>",
            &Qwen3vlSpace::Grid,
            SCREEN,
        )
        .unwrap();
        // 500 * 1920 / 999 = 960.96, 250 * 1080 / 999 = 270.27.
        assert_eq!(turn.actions, vec![click(961, 270, Button::Left, 1)]);
    }

    #[test]
    fn think_is_dropped_and_several_calls_run_in_order() {
        let text = "<think>I should click, then type. <tool_call>{\"name\":\"x\"}</tool_call></think>\n<tool_call>\n{\"name\": \"computer_use\", \"arguments\": {\"action\": \"left_click\", \"coordinate\": [0, 0]}}\n</tool_call>\n<tool_call>\n{\"name\": \"computer_use\", \"arguments\": {\"action\": \"type\", \"text\": \"hi\"}}\n</tool_call>";
        let turn = parse_qwen3vl(text, &Qwen3vlSpace::Grid, SCREEN).unwrap();
        assert_eq!(
            turn.actions,
            vec![
                click(0, 0, Button::Left, 1),
                Action::TypeText { text: "hi".into() }
            ]
        );
    }

    #[test]
    fn a_bare_json_line_and_an_unclosed_block_are_read() {
        let bare = "Action: wait\n{\"name\": \"computer_use\", \"arguments\": {\"action\": \"wait\", \"time\": 2}}";
        let turn = parse_qwen3vl(bare, &Qwen3vlSpace::Grid, SCREEN).unwrap();
        assert_eq!(turn.actions, vec![Action::Wait { ms: 2000 }]);
        let open = "<tool_call>\n{\"name\": \"computer_use\", \"arguments\": {\"action\": \"terminate\", \"status\": \"success\"}}";
        let turn = parse_qwen3vl(open, &Qwen3vlSpace::Grid, SCREEN).unwrap();
        assert_eq!(turn.actions, vec![Action::Done { message: None }]);
    }

    #[test]
    fn every_action() {
        assert_eq!(
            one(json!({"action": "key", "keys": ["ctrl", "c"]})).unwrap(),
            vec![Action::Key {
                keys: "ctrl+c".into()
            }]
        );
        assert_eq!(
            one(json!({"action": "key", "keys": ["Return"]})).unwrap(),
            vec![Action::Key {
                keys: "Return".into()
            }]
        );
        assert_eq!(
            one(json!({"action": "type", "text": "a\nb"})).unwrap(),
            vec![Action::TypeText {
                text: "a\nb".into()
            }]
        );
        assert_eq!(
            one(json!({"action": "mouse_move", "coordinate": [999, 999]})).unwrap(),
            vec![Action::Move { x: 1919, y: 1079 }]
        );
        assert_eq!(
            one(json!({"action": "right_click", "coordinate": [0, 0]})).unwrap(),
            vec![click(0, 0, Button::Right, 1)]
        );
        assert_eq!(
            one(json!({"action": "middle_click", "coordinate": [0, 0]})).unwrap(),
            vec![click(0, 0, Button::Middle, 1)]
        );
        assert_eq!(
            one(json!({"action": "double_click", "coordinate": [0, 0]})).unwrap(),
            vec![click(0, 0, Button::Left, 2)]
        );
        assert_eq!(
            one(json!({"action": "triple_click", "coordinate": [0, 0]})).unwrap(),
            vec![click(0, 0, Button::Left, 3)]
        );
        assert_eq!(
            one(json!({"action": "left_click"})).unwrap(),
            vec![Action::Click {
                x: None,
                y: None,
                button: Button::Left,
                count: 1,
                modifiers: vec![]
            }]
        );
        assert_eq!(
            one(json!({"action": "left_click_drag", "coordinate": [999, 999]})).unwrap(),
            vec![
                Action::MouseDown {
                    button: Button::Left
                },
                Action::Move { x: 1919, y: 1079 },
                Action::MouseUp {
                    button: Button::Left
                }
            ]
        );
        assert_eq!(
            one(json!({"action": "scroll", "pixels": 5})).unwrap(),
            vec![Action::Scroll {
                x: None,
                y: None,
                dx: 0,
                dy: -5
            }]
        );
        assert_eq!(
            one(json!({"action": "scroll", "pixels": -300, "coordinate": [0, 0]})).unwrap(),
            vec![Action::Scroll {
                x: Some(0),
                y: Some(0),
                dx: 0,
                dy: 3
            }]
        );
        assert_eq!(
            one(json!({"action": "hscroll", "pixels": 2})).unwrap(),
            vec![Action::Scroll {
                x: None,
                y: None,
                dx: -2,
                dy: 0
            }]
        );
        assert_eq!(
            one(json!({"action": "wait", "time": 1.5})).unwrap(),
            vec![Action::Wait { ms: 1500 }]
        );
        assert_eq!(
            one(json!({"action": "wait"})).unwrap(),
            vec![Action::Wait {
                ms: DEFAULT_WAIT_MS
            }]
        );
        assert_eq!(
            one(json!({"action": "terminate", "status": "failure"})).unwrap(),
            vec![Action::Fail {
                reason: "the model terminated the task as failed".into()
            }]
        );
        assert_eq!(
            one(json!({"action": "answer", "text": "42"})).unwrap(),
            vec![Action::Done {
                message: Some("42".into())
            }]
        );
    }

    #[test]
    fn tool_calls_arguments_may_be_a_json_string() {
        let args = Value::String("{\"action\": \"left_click\", \"coordinate\": [0, 999]}".into());
        assert_eq!(
            parse_call(FUNCTION, &args, &Qwen3vlSpace::Grid, SCREEN).unwrap(),
            vec![click(0, 1079, Button::Left, 1)]
        );
    }

    #[test]
    fn other_spaces_are_honoured() {
        let space = Qwen3vlSpace::Model(ModelSpace::Screen);
        assert_eq!(
            parse_call(
                FUNCTION,
                &json!({"action": "left_click", "coordinate": [1500, 900]}),
                &space,
                SCREEN
            )
            .unwrap(),
            vec![click(1500, 900, Button::Left, 1)]
        );
    }

    #[test]
    fn garbage_is_an_error() {
        let g = Qwen3vlSpace::Grid;
        for text in [
            "",
            "Thought: I will click.\nAction: click(start_box='(1,2)')",
            "<tool_call>not json</tool_call>",
            "<tool_call>{\"name\": \"browser\", \"arguments\": {\"action\": \"left_click\"}}</tool_call>",
            "<tool_call>{\"name\": \"computer_use\", \"arguments\": {\"action\": \"teleport\"}}</tool_call>",
            "<tool_call>{\"name\": \"computer_use\", \"arguments\": [1]}</tool_call>",
            "<tool_call>{\"name\": \"computer_use\", \"arguments\": {}}</tool_call>",
        ] {
            assert!(parse_qwen3vl(text, &g, SCREEN).is_err(), "{text:?}");
        }
        for args in [
            json!({"action": "left_click", "coordinate": [1, 2, 3]}),
            json!({"action": "left_click", "coordinate": ["a", 2]}),
            json!({"action": "left_click", "coordinate": [-1, 2]}),
            json!({"action": "left_click", "coordinate": [1200, 2]}),
            json!({"action": "mouse_move"}),
            json!({"action": "left_click_drag"}),
            json!({"action": "key"}),
            json!({"action": "key", "keys": ["nosuchkey"]}),
            json!({"action": "key", "keys": [1]}),
            json!({"action": "type"}),
            json!({"action": "scroll"}),
            json!({"action": "scroll", "pixels": "lots"}),
            json!({"action": "wait", "time": -1}),
            json!({"action": "terminate", "status": "maybe"}),
            json!({"action": "answer"}),
        ] {
            assert!(one(args.clone()).is_err(), "{args}");
        }
        // One bad call spoils the whole reply: nothing is half done.
        let mixed = "<tool_call>{\"name\": \"computer_use\", \"arguments\": {\"action\": \"left_click\"}}</tool_call><tool_call>{\"name\": \"computer_use\", \"arguments\": {\"action\": \"fly\"}}</tool_call>";
        assert!(parse_qwen3vl(mixed, &g, SCREEN).is_err());
    }

    #[test]
    fn wheel_clicks_rule() {
        assert_eq!(wheel_clicks(3.0), 3);
        assert_eq!(wheel_clicks(-20.0), -20);
        assert_eq!(wheel_clicks(25.0), 1);
        assert_eq!(wheel_clicks(-450.0), -5);
        assert_eq!(wheel_clicks(1.0e9), MAX_CLICKS);
        assert_eq!(wheel_clicks(f64::NAN), 0);
    }

    #[test]
    fn the_tool_definition_declares_the_grid() {
        let t = tool_definition(1000, 1000);
        assert_eq!(t["function"]["name"], FUNCTION);
        assert!(
            t["function"]["description"]
                .as_str()
                .unwrap()
                .contains("The screen's resolution is 1000x1000.")
        );
        assert_eq!(
            t["function"]["parameters"]["properties"]["action"]["enum"]
                .as_array()
                .unwrap()
                .len(),
            14
        );
    }
}
