//! The [`Action`] format: everything a deskhand agent can do, one JSON
//! object per action.
//!
//! Every action is a JSON object whose `"type"` names what to do. All
//! coordinates are **screen pixels** of the display being driven (a
//! provider's own coordinates are converted with [`crate::coords`] first).
//! Unknown fields and unknown types are refused, naming the field or type.
//!
//! | type | fields | what it does |
//! |---|---|---|
//! | `move` | `x`, `y` | moves the pointer |
//! | `click` | `x`?, `y`?, `button`?, `count`?, `modifiers`? | clicks `count` (1–3, default 1) times with `button` (`left` default, `right`, `middle`) at `x`,`y` (default: where the pointer is), holding `modifiers` (key names, default none) |
//! | `mouse_down` | `button`? | presses a button and keeps it held |
//! | `mouse_up` | `button`? | releases a button |
//! | `drag` | `path` | presses the left button at the first point, moves through the others, releases at the last (at least 2 points, each `[x, y]`) |
//! | `scroll` | `x`?, `y`?, `dx`?, `dy`? | turns the wheel by whole notches, at `x`,`y` (default: where the pointer is); `dy > 0` scrolls down, `dx > 0` right; each defaults to 0 |
//! | `type_text` | `text` | types exactly this text, any Unicode; `\n` presses Enter, `\t` Tab, `\r` is dropped (so `\r\n` is one Enter) |
//! | `key` | `keys` | presses a chord such as `ctrl+shift+t` and releases it (names: [`crate::keys`]) |
//! | `hold_key` | `keys`, `ms` | holds a chord for `ms` milliseconds |
//! | `wait` | `ms` | waits `ms` milliseconds |
//! | `zoom` | `region` | asks for a closer look at `[x1, y1, x2, y2]` (top-left, bottom-right); sends no input |
//! | `done` | `message`? | the task is finished |
//! | `fail` | `reason` | the task cannot be done |
//! | `call_user` | `message` | the agent needs a person |
//!
//! `?` marks an optional field. When an action is written, optional fields
//! that are absent or at their default are left out.
//!
//! # Examples
//!
//! ```json
//! {"type":"move","x":640,"y":400}
//! {"type":"click","x":640,"y":400}
//! {"type":"click","x":640,"y":400,"button":"right"}
//! {"type":"click","x":1,"y":2,"button":"left","count":2,"modifiers":["ctrl"]}
//! {"type":"click"}
//! {"type":"mouse_down"}
//! {"type":"mouse_up","button":"left"}
//! {"type":"drag","path":[[10,10],[200,300]]}
//! {"type":"scroll","x":100,"y":200,"dy":3}
//! {"type":"type_text","text":"héllo\n"}
//! {"type":"key","keys":"ctrl+shift+t"}
//! {"type":"hold_key","keys":"shift","ms":500}
//! {"type":"wait","ms":300}
//! {"type":"zoom","region":[0,0,640,400]}
//! {"type":"done","message":"Saved the file as report.pdf"}
//! {"type":"fail","reason":"The file does not exist"}
//! {"type":"call_user","message":"Please enter the password"}
//! ```
//!
//! ```
//! use deskhand_actions::{Action, Button, Size};
//! let a: Action = serde_json::from_str(r#"{"type":"click","x":640,"y":400,"count":2}"#).unwrap();
//! assert_eq!(
//!     a,
//!     Action::Click { x: Some(640), y: Some(400), button: Button::Left, count: 2, modifiers: vec![] }
//! );
//! assert!(a.validate(Size::new(1280, 800)).is_ok());
//! assert_eq!(a.to_string(), "click left ×2 (640, 400)");
//! assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"type":"click","x":640,"y":400,"count":2}"#);
//!
//! let err = serde_json::from_str::<Action>(r#"{"type":"click","butto":"left"}"#).unwrap_err();
//! assert!(err.to_string().contains("butto"));
//! ```
//!
//! [`Action::validate`] checks an action against the screen before
//! anything is sent: coordinates on the screen, click counts, key names,
//! drag paths, zoom regions, scroll amounts, durations and text.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::keys::{self, KeyError};
use crate::point::{Point, Size};

/// A mouse button. JSON: `"left"`, `"right"` or `"middle"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Button {
    /// The primary button.
    #[default]
    Left,
    /// The secondary button (context menus).
    Right,
    /// The middle button or wheel press (paste on X11, open in new tab).
    Middle,
}

impl Button {
    /// The JSON name: `left`, `right` or `middle`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Button::Left => "left",
            Button::Right => "right",
            Button::Middle => "middle",
        }
    }
}

impl fmt::Display for Button {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most wheel notches one `scroll` may turn on either axis.
pub const MAX_SCROLL: i32 = 100;
/// The longest `wait` or `hold_key`, in milliseconds (100 s, Anthropic's
/// limit for both).
pub const MAX_MS: u64 = 100_000;
/// `type_text` and message texts longer than this many characters are
/// shortened when an action is displayed.
const DISPLAY_TEXT_CHARS: usize = 40;

/// One thing the agent does. See the [module documentation](self) for the
/// JSON format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Moves the pointer to `(x, y)`.
    Move {
        /// Screen x.
        x: i32,
        /// Screen y.
        y: i32,
    },
    /// Clicks `count` times with `button` at `(x, y)`, or where the pointer
    /// is when both are absent, while holding `modifiers`.
    Click {
        /// Screen x; absent: the pointer's position.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        x: Option<i32>,
        /// Screen y; absent: the pointer's position.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        y: Option<i32>,
        /// The button; default left.
        #[serde(default, skip_serializing_if = "is_left")]
        button: Button,
        /// 1 (click), 2 (double click) or 3 (triple click); default 1.
        #[serde(
            default = "one",
            deserialize_with = "click_count",
            skip_serializing_if = "is_one"
        )]
        count: u8,
        /// Key names held during the click, e.g. `["ctrl"]`; default none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        modifiers: Vec<String>,
    },
    /// Presses `button` and keeps it held until `mouse_up` (or until
    /// anything goes wrong).
    MouseDown {
        /// The button; default left.
        #[serde(default, skip_serializing_if = "is_left")]
        button: Button,
    },
    /// Releases `button`.
    MouseUp {
        /// The button; default left.
        #[serde(default, skip_serializing_if = "is_left")]
        button: Button,
    },
    /// Presses the left button at `path[0]`, moves through each following
    /// point, and releases at the last one.
    Drag {
        /// At least two points, `[[x, y], …]`.
        path: Vec<Point>,
    },
    /// Turns the wheel `dy` notches down (negative: up) and `dx` notches
    /// right (negative: left), at `(x, y)` or where the pointer is.
    Scroll {
        /// Screen x; absent: the pointer's position.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        x: Option<i32>,
        /// Screen y; absent: the pointer's position.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        y: Option<i32>,
        /// Notches to the right (negative: left); default 0.
        #[serde(default, skip_serializing_if = "is_zero")]
        dx: i32,
        /// Notches down (negative: up); default 0.
        #[serde(default, skip_serializing_if = "is_zero")]
        dy: i32,
    },
    /// Types `text` exactly, any Unicode: `\n` presses Enter, `\t` Tab, and
    /// `\r` is dropped.
    TypeText {
        /// The text to type.
        text: String,
    },
    /// Presses a key chord such as `ctrl+shift+t`, then releases it.
    Key {
        /// The chord; see [`crate::keys::parse_chord`].
        keys: String,
    },
    /// Holds a key chord for `ms` milliseconds.
    HoldKey {
        /// The chord; see [`crate::keys::parse_chord`].
        keys: String,
        /// How long to hold it, in milliseconds.
        ms: u64,
    },
    /// Waits `ms` milliseconds.
    Wait {
        /// How long, in milliseconds.
        ms: u64,
    },
    /// Asks for a closer look at a region of the screen; sends no input.
    Zoom {
        /// `[x1, y1, x2, y2]`: the top-left corner and the bottom-right
        /// edge (exclusive), so `[0, 0, width, height]` is the whole screen.
        region: [i32; 4],
    },
    /// The task is finished.
    Done {
        /// What was done, for the person reading the run.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// The task cannot be done (OSWorld's FAIL: scored 1 on infeasible
    /// tasks).
    Fail {
        /// Why not.
        reason: String,
    },
    /// The agent needs a person to do or decide something.
    CallUser {
        /// What the person is asked.
        message: String,
    },
}

fn one() -> u8 {
    1
}

fn is_one(v: &u8) -> bool {
    *v == 1
}

fn is_zero(v: &i32) -> bool {
    *v == 0
}

fn is_left(b: &Button) -> bool {
    *b == Button::Left
}

/// Deserializes a click count, refusing anything outside 1..=3.
fn click_count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u8, D::Error> {
    let n = i64::deserialize(deserializer)?;
    match u8::try_from(n) {
        Ok(c @ 1..=3) => Ok(c),
        _ => Err(serde::de::Error::custom(format_args!(
            "click count must be 1, 2 or 3, not {n}"
        ))),
    }
}

/// Why an action cannot be performed on a screen.
#[non_exhaustive]
#[derive(thiserror::Error, Debug)]
pub enum ActionError {
    /// A coordinate lies outside the screen.
    #[error("{field} {point} is off the {screen} screen")]
    OffScreen {
        /// The field that holds it: `x,y`, `path` or `region`.
        field: &'static str,
        /// The offending point.
        point: Point,
        /// The screen it was checked against.
        screen: Size,
    },
    /// A key chord or modifier does not parse.
    #[error(transparent)]
    BadKey(#[from] KeyError),
    /// Anything else wrong with the action; the message names the field
    /// and value.
    #[error("{0}")]
    Invalid(String),
}

impl Action {
    /// The JSON `"type"` of this action, e.g. `"type_text"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Move { .. } => "move",
            Action::Click { .. } => "click",
            Action::MouseDown { .. } => "mouse_down",
            Action::MouseUp { .. } => "mouse_up",
            Action::Drag { .. } => "drag",
            Action::Scroll { .. } => "scroll",
            Action::TypeText { .. } => "type_text",
            Action::Key { .. } => "key",
            Action::HoldKey { .. } => "hold_key",
            Action::Wait { .. } => "wait",
            Action::Zoom { .. } => "zoom",
            Action::Done { .. } => "done",
            Action::Fail { .. } => "fail",
            Action::CallUser { .. } => "call_user",
        }
    }

    /// Every screen coordinate the action names, in order: the position of
    /// `move`, `click` and `scroll` (when given), each point of a `drag`,
    /// and both corners of a `zoom` region.
    pub fn points(&self) -> Vec<Point> {
        match self {
            Action::Move { x, y } => vec![Point::new(*x, *y)],
            Action::Click {
                x: Some(x),
                y: Some(y),
                ..
            }
            | Action::Scroll {
                x: Some(x),
                y: Some(y),
                ..
            } => vec![Point::new(*x, *y)],
            Action::Drag { path } => path.clone(),
            Action::Zoom {
                region: [x1, y1, x2, y2],
            } => vec![Point::new(*x1, *y1), Point::new(*x2, *y2)],
            _ => Vec::new(),
        }
    }

    /// A copy of the action with every point passed through `f`: the same
    /// points, in the same order, as [`points`](Self::points) lists.
    /// Use it to convert a model's coordinates to screen pixels.
    pub fn map_points(&self, mut f: impl FnMut(Point) -> Point) -> Action {
        let mut action = self.clone();
        match &mut action {
            Action::Move { x, y }
            | Action::Click {
                x: Some(x),
                y: Some(y),
                ..
            }
            | Action::Scroll {
                x: Some(x),
                y: Some(y),
                ..
            } => {
                let p = f(Point::new(*x, *y));
                (*x, *y) = (p.x, p.y);
            }
            Action::Drag { path } => {
                for p in path.iter_mut() {
                    *p = f(*p);
                }
            }
            Action::Zoom { region } => {
                let a = f(Point::new(region[0], region[1]));
                let b = f(Point::new(region[2], region[3]));
                *region = [a.x, a.y, b.x, b.y];
            }
            _ => {}
        }
        action
    }

    /// Whether performing the action sends input to the display (`wait`, `zoom` and the
    /// endings send none).
    pub fn sends_input(&self) -> bool {
        !matches!(
            self,
            Action::Wait { .. }
                | Action::Zoom { .. }
                | Action::Done { .. }
                | Action::Fail { .. }
                | Action::CallUser { .. }
        )
    }

    /// Whether the action ends the run: `done`, `fail` or `call_user`.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Action::Done { .. } | Action::Fail { .. } | Action::CallUser { .. }
        )
    }

    /// Checks the action against a screen before anything is sent:
    /// coordinates inside the screen, `x` and `y` given together, click
    /// count 1..=3, key chords and modifiers parse, a drag has at least two
    /// points, a zoom region is well-formed and on the screen, scroll
    /// amounts are at most [`MAX_SCROLL`] notches, durations at most
    /// [`MAX_MS`], and text has no control characters other than `\n`,
    /// `\t` and `\r`.
    ///
    /// # Errors
    ///
    /// The first problem found, naming the field and its value.
    pub fn validate(&self, screen: Size) -> Result<(), ActionError> {
        let on_screen = |field: &'static str, point: Point| {
            if screen.contains(point) {
                Ok(())
            } else {
                Err(ActionError::OffScreen {
                    field,
                    point,
                    screen,
                })
            }
        };
        match self {
            Action::Move { x, y } => on_screen("x,y", Point::new(*x, *y)),
            Action::Click {
                x,
                y,
                count,
                modifiers,
                ..
            } => {
                if let Some(p) = optional_point(self.kind(), *x, *y)? {
                    on_screen("x,y", p)?;
                }
                if !(1..=3).contains(count) {
                    return Err(ActionError::Invalid(format!(
                        "click count must be 1, 2 or 3, not {count}"
                    )));
                }
                modifier_keys(modifiers)?;
                Ok(())
            }
            Action::MouseDown { .. } | Action::MouseUp { .. } => Ok(()),
            Action::Drag { path } => {
                if path.len() < 2 {
                    return Err(ActionError::Invalid(format!(
                        "drag path needs at least 2 points, has {}",
                        path.len()
                    )));
                }
                path.iter().try_for_each(|p| on_screen("path", *p))
            }
            Action::Scroll { x, y, dx, dy } => {
                if let Some(p) = optional_point(self.kind(), *x, *y)? {
                    on_screen("x,y", p)?;
                }
                if *dx == 0 && *dy == 0 {
                    return Err(ActionError::Invalid(
                        "scroll needs a non-zero dx or dy".into(),
                    ));
                }
                for (name, v) in [("dx", dx), ("dy", dy)] {
                    if v.unsigned_abs() > MAX_SCROLL.unsigned_abs() {
                        return Err(ActionError::Invalid(format!(
                            "scroll {name} {v} is more than {MAX_SCROLL} notches"
                        )));
                    }
                }
                Ok(())
            }
            Action::TypeText { text } => check_text(text),
            Action::Key { keys } => {
                keys::parse_chord(keys)?;
                Ok(())
            }
            Action::HoldKey { keys, ms } => {
                keys::parse_chord(keys)?;
                check_ms("hold_key", *ms)
            }
            Action::Wait { ms } => check_ms("wait", *ms),
            Action::Zoom {
                region: [x1, y1, x2, y2],
            } => {
                if x1 >= x2 || y1 >= y2 {
                    return Err(ActionError::Invalid(format!(
                        "zoom region [{x1}, {y1}, {x2}, {y2}] must have x1 < x2 and y1 < y2"
                    )));
                }
                on_screen("region", Point::new(*x1, *y1))?;
                // The bottom-right edge is exclusive: it may equal the screen size.
                on_screen("region", Point::new(x2 - 1, y2 - 1)).map_err(|_| {
                    ActionError::OffScreen {
                        field: "region",
                        point: Point::new(*x2, *y2),
                        screen,
                    }
                })
            }
            Action::Done { .. } | Action::Fail { .. } | Action::CallUser { .. } => Ok(()),
        }
    }
}

/// `Some(point)` when both coordinates are given, `None` when neither is.
pub(crate) fn optional_point(
    kind: &str,
    x: Option<i32>,
    y: Option<i32>,
) -> Result<Option<Point>, ActionError> {
    match (x, y) {
        (Some(x), Some(y)) => Ok(Some(Point::new(x, y))),
        (None, None) => Ok(None),
        (Some(x), None) => Err(ActionError::Invalid(format!(
            "{kind} has x {x} but no y: give both or neither"
        ))),
        (None, Some(y)) => Err(ActionError::Invalid(format!(
            "{kind} has y {y} but no x: give both or neither"
        ))),
    }
}

/// The keys to hold for a click's modifiers, in order.
pub(crate) fn modifier_keys(modifiers: &[String]) -> Result<Vec<keys::Key>, ActionError> {
    let mut out = Vec::new();
    for m in modifiers {
        out.extend(keys::parse_chord(m)?);
    }
    Ok(out)
}

/// Refuses control characters that cannot be typed.
pub(crate) fn check_text(text: &str) -> Result<(), ActionError> {
    match text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        Some(c) => Err(ActionError::Invalid(format!(
            "type_text text has control character U+{:04X}, which cannot be typed",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

fn check_ms(kind: &str, ms: u64) -> Result<(), ActionError> {
    if ms > MAX_MS {
        Err(ActionError::Invalid(format!(
            "{kind} ms {ms} is longer than {MAX_MS}"
        )))
    } else {
        Ok(())
    }
}

/// Writes `"text"` with escapes, shortened to [`DISPLAY_TEXT_CHARS`] with `…`.
fn write_short(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars().take(DISPLAY_TEXT_CHARS) {
        write!(f, "{}", c.escape_debug())?;
    }
    if text.chars().nth(DISPLAY_TEXT_CHARS).is_some() {
        f.write_str("…")?;
    }
    f.write_str("\"")
}

impl fmt::Display for Action {
    /// A short summary for people: `click left ×2 (640, 400) +ctrl`,
    /// `type_text "hello…"`, `key ctrl+s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        match self {
            Action::Move { x, y } => write!(f, "{kind} {}", Point::new(*x, *y)),
            Action::Click {
                x,
                y,
                button,
                count,
                modifiers,
            } => {
                write!(f, "{kind} {button}")?;
                if *count != 1 {
                    write!(f, " ×{count}")?;
                }
                match (x, y) {
                    (Some(x), Some(y)) => write!(f, " {}", Point::new(*x, *y))?,
                    (None, None) => f.write_str(" here")?,
                    (x, y) => write!(f, " (x {x:?}, y {y:?})")?,
                }
                for m in modifiers {
                    write!(f, " +{m}")?;
                }
                Ok(())
            }
            Action::MouseDown { button } | Action::MouseUp { button } => {
                write!(f, "{kind} {button}")
            }
            Action::Drag { path } => {
                write!(f, "{kind}")?;
                match (path.first(), path.last()) {
                    (Some(a), Some(b)) => write!(f, " {a} → {b}")?,
                    _ => f.write_str(" (empty)")?,
                }
                if path.len() > 2 {
                    write!(f, " ({} points)", path.len())?;
                }
                Ok(())
            }
            Action::Scroll { x, y, dx, dy } => {
                write!(f, "{kind}")?;
                if *dy != 0 {
                    let dir = if *dy > 0 { "down" } else { "up" };
                    write!(f, " {dir} {}", dy.unsigned_abs())?;
                }
                if *dx != 0 {
                    let dir = if *dx > 0 { "right" } else { "left" };
                    write!(f, " {dir} {}", dx.unsigned_abs())?;
                }
                if *dx == 0 && *dy == 0 {
                    f.write_str(" 0")?;
                }
                if let (Some(x), Some(y)) = (x, y) {
                    write!(f, " at {}", Point::new(*x, *y))?;
                }
                Ok(())
            }
            Action::TypeText { text } => {
                write!(f, "{kind} ")?;
                write_short(f, text)
            }
            Action::Key { keys } => write!(f, "{kind} {keys}"),
            Action::HoldKey { keys, ms } => write!(f, "{kind} {keys} {ms} ms"),
            Action::Wait { ms } => write!(f, "{kind} {ms} ms"),
            Action::Zoom {
                region: [x1, y1, x2, y2],
            } => write!(
                f,
                "{kind} {}–{}",
                Point::new(*x1, *y1),
                Point::new(*x2, *y2)
            ),
            Action::Done { message: None } => write!(f, "{kind}"),
            Action::Done {
                message: Some(text),
            }
            | Action::Fail { reason: text }
            | Action::CallUser { message: text } => {
                write!(f, "{kind} ")?;
                write_short(f, text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn all_variants() -> Vec<Action> {
        vec![
            Action::Move { x: 1, y: 2 },
            Action::Click {
                x: Some(1),
                y: Some(2),
                button: Button::Left,
                count: 2,
                modifiers: vec!["ctrl".into()],
            },
            Action::Click {
                x: None,
                y: None,
                button: Button::Right,
                count: 1,
                modifiers: vec![],
            },
            Action::MouseDown {
                button: Button::Middle,
            },
            Action::MouseUp {
                button: Button::Left,
            },
            Action::Drag {
                path: vec![Point::new(10, 10), Point::new(200, 300)],
            },
            Action::Scroll {
                x: Some(100),
                y: Some(200),
                dx: -1,
                dy: 3,
            },
            Action::Scroll {
                x: None,
                y: None,
                dx: 0,
                dy: -2,
            },
            Action::TypeText {
                text: "héllo\n\t\"x\"".into(),
            },
            Action::Key {
                keys: "ctrl+shift+t".into(),
            },
            Action::HoldKey {
                keys: "shift".into(),
                ms: 500,
            },
            Action::Wait { ms: 300 },
            Action::Zoom {
                region: [0, 0, 640, 400],
            },
            Action::Done { message: None },
            Action::Done {
                message: Some("ok".into()),
            },
            Action::Fail {
                reason: "no file".into(),
            },
            Action::CallUser {
                message: "password?".into(),
            },
        ]
    }

    #[test]
    fn every_variant_round_trips() {
        for a in all_variants() {
            let json = serde_json::to_string(&a).unwrap();
            let back: Action = serde_json::from_str(&json).unwrap();
            assert_eq!(back, a, "{json}");
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(value["type"], a.kind(), "{json}");
        }
    }

    #[test]
    fn exact_json() {
        let cases = [
            (
                Action::Move { x: 1, y: 2 },
                r#"{"type":"move","x":1,"y":2}"#,
            ),
            (
                Action::Click {
                    x: Some(1),
                    y: Some(2),
                    button: Button::Left,
                    count: 2,
                    modifiers: vec!["ctrl".into()],
                },
                r#"{"type":"click","x":1,"y":2,"count":2,"modifiers":["ctrl"]}"#,
            ),
            (
                Action::Click {
                    x: None,
                    y: None,
                    button: Button::Right,
                    count: 1,
                    modifiers: vec![],
                },
                r#"{"type":"click","button":"right"}"#,
            ),
            (
                Action::MouseUp {
                    button: Button::Left,
                },
                r#"{"type":"mouse_up"}"#,
            ),
            (
                Action::Drag {
                    path: vec![Point::new(10, 10), Point::new(200, 300)],
                },
                r#"{"type":"drag","path":[[10,10],[200,300]]}"#,
            ),
            (
                Action::Scroll {
                    x: Some(100),
                    y: Some(200),
                    dx: 0,
                    dy: 3,
                },
                r#"{"type":"scroll","x":100,"y":200,"dy":3}"#,
            ),
            (
                Action::TypeText {
                    text: "héllo\n".into(),
                },
                r#"{"type":"type_text","text":"héllo\n"}"#,
            ),
            (
                Action::HoldKey {
                    keys: "shift".into(),
                    ms: 500,
                },
                r#"{"type":"hold_key","keys":"shift","ms":500}"#,
            ),
            (
                Action::Zoom {
                    region: [1, 2, 3, 4],
                },
                r#"{"type":"zoom","region":[1,2,3,4]}"#,
            ),
            (Action::Done { message: None }, r#"{"type":"done"}"#),
            (
                Action::CallUser {
                    message: "hi".into(),
                },
                r#"{"type":"call_user","message":"hi"}"#,
            ),
        ];
        for (action, json) in cases {
            assert_eq!(serde_json::to_string(&action).unwrap(), json);
        }
    }

    #[test]
    fn reads_the_documented_forms() {
        let parse = |s: &str| serde_json::from_str::<Action>(s).unwrap();
        assert_eq!(
            parse(r#"{"type":"click","x":1,"y":2,"button":"left","count":2,"modifiers":["ctrl"]}"#),
            Action::Click {
                x: Some(1),
                y: Some(2),
                button: Button::Left,
                count: 2,
                modifiers: vec!["ctrl".into()]
            }
        );
        assert_eq!(
            parse(r#"{"type":"click"}"#),
            Action::Click {
                x: None,
                y: None,
                button: Button::Left,
                count: 1,
                modifiers: vec![]
            }
        );
        assert_eq!(
            parse(r#"{"type":"mouse_down","button":"left"}"#),
            Action::MouseDown {
                button: Button::Left
            }
        );
        assert_eq!(
            parse(r#"{"type":"mouse_up"}"#),
            Action::MouseUp {
                button: Button::Left
            }
        );
        assert_eq!(
            parse(r#"{"type":"scroll","x":100,"y":200,"dx":0,"dy":3}"#),
            Action::Scroll {
                x: Some(100),
                y: Some(200),
                dx: 0,
                dy: 3
            }
        );
        assert_eq!(
            parse(r#"{"type":"done","message":"..."}"#),
            Action::Done {
                message: Some("...".into())
            }
        );
        assert_eq!(
            parse(r#"{"type":"drag","path":[{"x":1,"y":2},[3,4]]}"#),
            Action::Drag {
                path: vec![Point::new(1, 2), Point::new(3, 4)]
            }
        );
    }

    #[test]
    fn unknown_fields_and_types_are_named() {
        let err = serde_json::from_str::<Action>(r#"{"type":"click","butto":"left"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("butto"), "{err}");
        let err = serde_json::from_str::<Action>(r#"{"type":"clack","x":1}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("clack"), "{err}");
        let err = serde_json::from_str::<Action>(r#"{"type":"wait","ms":1,"extra":true}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("extra"), "{err}");
        let err = serde_json::from_str::<Action>(r#"{"x":1}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("type"), "{err}");
        let err = serde_json::from_str::<Action>(r#"{"type":"click","button":"side"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("side"), "{err}");
    }

    #[test]
    fn click_count_outside_1_to_3_is_refused() {
        for n in ["0", "4", "-1", "300"] {
            let json = format!(r#"{{"type":"click","count":{n}}}"#);
            let err = serde_json::from_str::<Action>(&json)
                .unwrap_err()
                .to_string();
            assert!(err.contains("click count must be 1, 2 or 3"), "{err}");
            assert!(err.contains(n), "{err}");
        }
        for n in 1..=3 {
            let json = format!(r#"{{"type":"click","count":{n}}}"#);
            assert!(serde_json::from_str::<Action>(&json).is_ok());
        }
    }

    #[test]
    fn kind_points_and_terminal() {
        let kinds: Vec<&str> = all_variants().iter().map(Action::kind).collect();
        assert_eq!(
            kinds,
            [
                "move",
                "click",
                "click",
                "mouse_down",
                "mouse_up",
                "drag",
                "scroll",
                "scroll",
                "type_text",
                "key",
                "hold_key",
                "wait",
                "zoom",
                "done",
                "done",
                "fail",
                "call_user"
            ]
        );
        let terminal: Vec<bool> = all_variants().iter().map(Action::is_terminal).collect();
        assert_eq!(terminal.iter().filter(|t| **t).count(), 4);
        assert_eq!(all_variants()[1].points(), vec![Point::new(1, 2)]);
        assert!(all_variants()[2].points().is_empty());
        assert_eq!(
            Action::Zoom {
                region: [1, 2, 3, 4]
            }
            .points(),
            vec![Point::new(1, 2), Point::new(3, 4)]
        );
        let doubled = all_variants()[5].map_points(|p| Point::new(p.x * 2, p.y * 2));
        assert_eq!(
            doubled,
            Action::Drag {
                path: vec![Point::new(20, 20), Point::new(400, 600)]
            }
        );
    }

    #[test]
    fn validate_accepts_good_actions() {
        let screen = Size::new(1280, 800);
        for a in all_variants() {
            a.validate(screen).unwrap_or_else(|e| panic!("{a}: {e}"));
        }
        Action::Zoom {
            region: [0, 0, 1280, 800],
        }
        .validate(screen)
        .unwrap();
        Action::Move { x: 1279, y: 799 }.validate(screen).unwrap();
    }

    #[test]
    fn validate_refuses_off_screen_points() {
        let screen = Size::new(1280, 800);
        let err = Action::Move { x: 1280, y: 10 }
            .validate(screen)
            .unwrap_err();
        assert!(matches!(
            err,
            ActionError::OffScreen {
                field: "x,y",
                point: Point { x: 1280, y: 10 },
                ..
            }
        ));
        assert_eq!(err.to_string(), "x,y (1280, 10) is off the 1280x800 screen");
        let err = Action::Click {
            x: Some(-1),
            y: Some(5),
            button: Button::Left,
            count: 1,
            modifiers: vec![],
        }
        .validate(screen)
        .unwrap_err();
        assert!(err.to_string().contains("(-1, 5)"), "{err}");
        let err = Action::Drag {
            path: vec![Point::new(1, 1), Point::new(5, 900)],
        }
        .validate(screen)
        .unwrap_err();
        assert!(
            matches!(err, ActionError::OffScreen { field: "path", .. }),
            "{err}"
        );
        let err = Action::Scroll {
            x: Some(2000),
            y: Some(1),
            dx: 0,
            dy: 1,
        }
        .validate(screen)
        .unwrap_err();
        assert!(err.to_string().contains("2000"), "{err}");
        let err = Action::Zoom {
            region: [0, 0, 1281, 800],
        }
        .validate(screen)
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "region (1281, 800) is off the 1280x800 screen"
        );
    }

    #[test]
    fn validate_refuses_bad_shapes() {
        let screen = Size::new(1280, 800);
        let msg = |a: Action| a.validate(screen).unwrap_err().to_string();
        assert!(
            msg(Action::Click {
                x: Some(1),
                y: None,
                button: Button::Left,
                count: 1,
                modifiers: vec![]
            })
            .contains("no y")
        );
        assert!(
            msg(Action::Click {
                x: None,
                y: None,
                button: Button::Left,
                count: 4,
                modifiers: vec![]
            })
            .contains("not 4")
        );
        let err = Action::Click {
            x: None,
            y: None,
            button: Button::Left,
            count: 1,
            modifiers: vec!["ctrl".into(), "hyperctrl".into()],
        }
        .validate(screen)
        .unwrap_err();
        assert!(
            matches!(&err, ActionError::BadKey(KeyError::Unknown { name, .. }) if name == "hyperctrl")
        );
        assert!(
            msg(Action::Drag {
                path: vec![Point::new(1, 1)]
            })
            .contains("at least 2 points, has 1")
        );
        assert!(
            msg(Action::Key {
                keys: "ctrl+nope".into()
            })
            .contains("\"nope\"")
        );
        assert!(
            msg(Action::HoldKey {
                keys: String::new(),
                ms: 1
            })
            .contains("empty")
        );
        assert!(msg(Action::Wait { ms: 100_001 }).contains("100001"));
        assert!(
            msg(Action::Zoom {
                region: [10, 10, 5, 20]
            })
            .contains("x1 < x2")
        );
        assert!(
            msg(Action::Scroll {
                x: None,
                y: None,
                dx: 0,
                dy: 0
            })
            .contains("non-zero")
        );
        assert!(
            msg(Action::Scroll {
                x: None,
                y: None,
                dx: 0,
                dy: -101
            })
            .contains("dy -101")
        );
        assert!(
            msg(Action::TypeText {
                text: "a\u{1b}b".into()
            })
            .contains("U+001B")
        );
    }

    #[test]
    fn display_strings() {
        let s = |a: Action| a.to_string();
        assert_eq!(
            s(Action::Click {
                x: Some(640),
                y: Some(400),
                button: Button::Left,
                count: 2,
                modifiers: vec!["ctrl".into()]
            }),
            "click left ×2 (640, 400) +ctrl"
        );
        assert_eq!(
            s(Action::Click {
                x: None,
                y: None,
                button: Button::Right,
                count: 1,
                modifiers: vec![]
            }),
            "click right here"
        );
        assert_eq!(
            s(Action::TypeText {
                text: "hello".into()
            }),
            r#"type_text "hello""#
        );
        assert_eq!(
            s(Action::TypeText {
                text: "a\nb".into()
            }),
            r#"type_text "a\nb""#
        );
        assert_eq!(
            s(Action::TypeText {
                text: "x".repeat(50)
            }),
            format!("type_text \"{}…\"", "x".repeat(40))
        );
        assert_eq!(
            s(Action::Key {
                keys: "ctrl+s".into()
            }),
            "key ctrl+s"
        );
        assert_eq!(s(Action::Move { x: 3, y: 4 }), "move (3, 4)");
        assert_eq!(
            s(Action::Drag {
                path: vec![Point::new(1, 2), Point::new(3, 4), Point::new(5, 6)]
            }),
            "drag (1, 2) → (5, 6) (3 points)"
        );
        assert_eq!(
            s(Action::Scroll {
                x: Some(1),
                y: Some(2),
                dx: 0,
                dy: -3
            }),
            "scroll up 3 at (1, 2)"
        );
        assert_eq!(
            s(Action::HoldKey {
                keys: "shift".into(),
                ms: 500
            }),
            "hold_key shift 500 ms"
        );
        assert_eq!(s(Action::Wait { ms: 300 }), "wait 300 ms");
        assert_eq!(
            s(Action::Zoom {
                region: [1, 2, 3, 4]
            }),
            "zoom (1, 2)–(3, 4)"
        );
        assert_eq!(s(Action::Done { message: None }), "done");
        assert_eq!(
            s(Action::Fail {
                reason: "gone".into()
            }),
            r#"fail "gone""#
        );
        assert_eq!(
            s(Action::MouseDown {
                button: Button::Left
            }),
            "mouse_down left"
        );
    }
}
