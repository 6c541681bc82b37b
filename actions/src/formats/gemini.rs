//! Google Gemini computer use: the model's function calls → [`Action`]s.
//!
//! Gemini answers with `functionCall` parts `{"name", "args"}`; coordinates are integers on a
//! 1000×1000 grid (0–999) whatever the screenshot's size, mapped to the screen with
//! [`gemini_to_screen`] (`pixel = ⌊v · size / 1000⌋`, as Google's reference does).
//!
//! `gemini-3.5-flash`'s desktop set (every call may also carry `intent`, ignored here):
//!
//! | call | args | becomes |
//! |---|---|---|
//! | `click`, `double_click`, `triple_click`, `middle_click`, `right_click` | `x`, `y` | `click` |
//! | `move` | `x`, `y` | `move` |
//! | `mouse_down`, `mouse_up` | `x`?, `y`? | `move` (when given), `mouse_down` / `mouse_up` |
//! | `type` | `text`, `press_enter`? (false) | `type_text` (and `key` Return) |
//! | `drag_and_drop` | `start_x, start_y, end_x, end_y` or `x, y, destination_x, destination_y` | `drag` |
//! | `wait` | `seconds`? (1) | `wait` |
//! | `press_key` | `key` | `key` |
//! | `key_down`, `key_up` | `key` | [`GeminiCall::KeyDown`] / [`GeminiCall::KeyUp`] (the caller holds them) |
//! | `hotkey` | `keys` (`["CTRL", "A"]`) | `key` `CTRL+A` |
//! | `take_screenshot` | | [`GeminiCall::Screenshot`] |
//! | `scroll` | `x`, `y`, `direction`, `magnitude_in_pixels`? / `magnitude`? (300), or `magnitude_in_wheel_clicks` | `scroll` |
//!
//! The legacy set (`gemini-3-flash-preview`, `gemini-2.5-computer-use-preview-10-2025`):
//! `click_at`, `hover_at`, `type_text_at {x, y, text, press_enter? = true, clear_before_typing? =
//! true}` (click, `ctrl+a`, `BackSpace`, type), `key_combination {keys: "Control+A"}`, `scroll_at
//! {x, y, direction, magnitude? = 800}`, `scroll_document {direction}` (Page_Up/Page_Down, or 10
//! notches sideways), `wait_5_seconds`, `go_back` / `go_forward` (`alt+Left` / `alt+Right`), and
//! `drag_and_drop` as above. `open_web_browser`, `search` and `navigate` are browser-only and
//! refused on a desktop.
//!
//! Scroll magnitudes are on the same 0–999 grid as coordinates (of the screen's height, or width
//! for sideways scrolls), turned into wheel notches of 100 pixels, at least one.
//!
//! A call's `args` may carry `safety_decision: {decision, explanation}`: [`safety_decision`]
//! reads it; asking a person is the caller's business.

use serde_json::{Map, Value};

use super::{FormatError, joinable_key_name, number, quote, show, whole};
use crate::action::{Action, Button, MAX_MS, MAX_SCROLL};
use crate::keys::{lookup, parse_chord};
use crate::point::{Point, Size};

/// Pixels per wheel notch for Gemini's scroll magnitudes.
pub const PIXELS_PER_NOTCH: f64 = 100.0;

/// What one Gemini function call asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeminiCall {
    /// Perform these actions, in order.
    Act(Vec<Action>),
    /// Only a new screenshot (`take_screenshot`).
    Screenshot,
    /// Hold this key chord down until a `key_up` (the caller keeps it held: as modifiers of
    /// later clicks and keys).
    KeyDown(String),
    /// Release this key chord.
    KeyUp(String),
}

/// A call's `safety_decision`, when its `decision` asks for a person's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyDecision {
    /// The decision, `require_confirmation`.
    pub decision: String,
    /// Why the model wants it confirmed.
    pub explanation: String,
}

/// The names of every call [`from_gemini`] knows.
pub const CALLS: &str = "click, double_click, triple_click, middle_click, right_click, mouse_down, \
mouse_up, move, type, drag_and_drop, wait, press_key, key_down, key_up, hotkey, take_screenshot, \
scroll (and the legacy click_at, hover_at, type_text_at, key_combination, scroll_at, \
scroll_document, wait_5_seconds, go_back, go_forward)";

/// A Gemini grid coordinate (0–999 on both axes) → the screen pixel: `⌊v · size / 1000⌋`,
/// clamped into the screen.
pub fn gemini_to_screen(x: f64, y: f64, screen: Size) -> Point {
    let axis = |v: f64, len: u32| -> i32 {
        let p = (v * f64::from(len) / 1000.0).floor();
        let max = f64::from(len.saturating_sub(1));
        if p.is_nan() || p <= 0.0 {
            0
        } else if p >= max {
            max as i32
        } else {
            p as i32
        }
    };
    Point::new(axis(x, screen.width), axis(y, screen.height))
}

/// The `safety_decision` of a call's `args` when it requires confirmation.
pub fn safety_decision(args: &Value) -> Option<SafetyDecision> {
    let d = args.get("safety_decision")?;
    let decision = d.get("decision").and_then(Value::as_str).unwrap_or("");
    if decision.is_empty() || decision == "allowed" || decision == "regular" {
        return None;
    }
    Some(SafetyDecision {
        decision: decision.to_owned(),
        explanation: d
            .get("explanation")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    })
}

/// Translates one function call into what it asks for, coordinates in screen pixels.
///
/// # Errors
///
/// A [`FormatError`] naming the call and the field when the name is unknown, an argument is
/// missing or wrong, or the call does not exist on a desktop; its message is meant for the
/// model.
pub fn from_gemini(name: &str, args: &Value, screen: Size) -> Result<GeminiCall, FormatError> {
    let empty = Map::new();
    let obj = match args {
        Value::Object(m) => m,
        Value::Null => &empty,
        other => {
            return Err(FormatError::parse(format!(
                "{name}: args must be an object, got {}",
                show(other)
            )));
        }
    };
    let f = Fields { name, obj, screen };
    let act = |a: Vec<Action>| Ok(GeminiCall::Act(a));
    let click = |button: Button, count: u8| -> Result<GeminiCall, FormatError> {
        let p = f.point("x", "y")?;
        act(vec![Action::Click {
            x: Some(p.x),
            y: Some(p.y),
            button,
            count,
            modifiers: Vec::new(),
        }])
    };
    match name {
        "click" | "click_at" => click(Button::Left, 1),
        "double_click" => click(Button::Left, 2),
        "triple_click" => click(Button::Left, 3),
        "middle_click" => click(Button::Middle, 1),
        "right_click" => click(Button::Right, 1),
        "move" | "hover_at" => {
            let p = f.point("x", "y")?;
            act(vec![Action::Move { x: p.x, y: p.y }])
        }
        "mouse_down" | "mouse_up" => {
            let mut out = Vec::new();
            if let Some(p) = f.opt_point()? {
                out.push(Action::Move { x: p.x, y: p.y });
            }
            out.push(if name == "mouse_down" {
                Action::MouseDown {
                    button: Button::Left,
                }
            } else {
                Action::MouseUp {
                    button: Button::Left,
                }
            });
            act(out)
        }
        "type" => {
            let text = f.string("text")?;
            let mut out = vec![Action::TypeText { text }];
            if f.flag("press_enter", false)? {
                out.push(Action::Key {
                    keys: "Return".into(),
                });
            }
            act(out)
        }
        "type_text_at" => {
            let p = f.point("x", "y")?;
            let text = f.string("text")?;
            let mut out = vec![Action::Click {
                x: Some(p.x),
                y: Some(p.y),
                button: Button::Left,
                count: 1,
                modifiers: Vec::new(),
            }];
            if f.flag("clear_before_typing", true)? {
                out.push(Action::Key {
                    keys: "ctrl+a".into(),
                });
                out.push(Action::Key {
                    keys: "BackSpace".into(),
                });
            }
            out.push(Action::TypeText { text });
            if f.flag("press_enter", true)? {
                out.push(Action::Key {
                    keys: "Return".into(),
                });
            }
            act(out)
        }
        "drag_and_drop" => {
            let (from, to) = if obj.contains_key("start_x") || obj.contains_key("end_x") {
                (f.point("start_x", "start_y")?, f.point("end_x", "end_y")?)
            } else {
                (
                    f.point("x", "y")?,
                    f.point("destination_x", "destination_y")?,
                )
            };
            act(vec![Action::Drag {
                path: vec![from, to],
            }])
        }
        "wait" => {
            let secs = match f.get("seconds") {
                None => 1.0,
                Some(v) => number(v).filter(|s| *s >= 0.0).ok_or_else(|| {
                    f.bad(
                        "seconds",
                        format!("must be a number of seconds, got {}", show(v)),
                    )
                })?,
            };
            let ms = (secs * 1000.0).round().min(MAX_MS as f64) as u64;
            act(vec![Action::Wait { ms }])
        }
        "wait_5_seconds" => act(vec![Action::Wait { ms: 5000 }]),
        "press_key" => act(vec![Action::Key {
            keys: f.chord("key")?,
        }]),
        "key_down" => Ok(GeminiCall::KeyDown(f.chord("key")?)),
        "key_up" => Ok(GeminiCall::KeyUp(f.chord("key")?)),
        "hotkey" | "key_combination" => act(vec![Action::Key {
            keys: f.chord("keys")?,
        }]),
        "take_screenshot" => Ok(GeminiCall::Screenshot),
        "scroll" | "scroll_at" => {
            let p = f.point("x", "y")?;
            let (dx, dy) = f.scroll(if name == "scroll" { 300.0 } else { 800.0 })?;
            act(vec![Action::Scroll {
                x: Some(p.x),
                y: Some(p.y),
                dx,
                dy,
            }])
        }
        "scroll_document" => {
            let keys = match f.direction()? {
                Direction::Up => "Page_Up",
                Direction::Down => "Page_Down",
                Direction::Left | Direction::Right => {
                    let dx = if f.direction()? == Direction::Left {
                        -10
                    } else {
                        10
                    };
                    return act(vec![Action::Scroll {
                        x: None,
                        y: None,
                        dx,
                        dy: 0,
                    }]);
                }
            };
            act(vec![Action::Key { keys: keys.into() }])
        }
        "go_back" => act(vec![Action::Key {
            keys: "alt+Left".into(),
        }]),
        "go_forward" => act(vec![Action::Key {
            keys: "alt+Right".into(),
        }]),
        "open_web_browser" | "search" | "navigate" | "open_app" | "list_apps" | "long_press" => {
            Err(FormatError::unsupported(format!(
                "{name} on a desktop (the environment is ENVIRONMENT_DESKTOP; the calls are {CALLS})"
            )))
        }
        other => Err(FormatError::Unknown {
            what: format!("function {}; the calls are {CALLS}", quote(other)),
        }),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
    Left,
    Right,
}

struct Fields<'a> {
    name: &'a str,
    obj: &'a Map<String, Value>,
    screen: Size,
}

impl Fields<'_> {
    fn get(&self, field: &str) -> Option<&Value> {
        self.obj.get(field).filter(|v| !v.is_null())
    }

    fn bad(&self, field: &str, reason: String) -> FormatError {
        FormatError::bad(self.name, field, reason)
    }

    /// One grid coordinate, 0–1000.
    fn grid(&self, field: &str) -> Result<f64, FormatError> {
        let v = self
            .get(field)
            .ok_or_else(|| FormatError::missing(self.name, field))?;
        number(v)
            .filter(|n| (0.0..=1000.0).contains(n))
            .ok_or_else(|| {
                self.bad(
                    field,
                    format!("must be a number from 0 to 999, got {}", show(v)),
                )
            })
    }

    fn point(&self, x: &str, y: &str) -> Result<Point, FormatError> {
        Ok(gemini_to_screen(self.grid(x)?, self.grid(y)?, self.screen))
    }

    fn opt_point(&self) -> Result<Option<Point>, FormatError> {
        match (self.get("x"), self.get("y")) {
            (None, None) => Ok(None),
            _ => self.point("x", "y").map(Some),
        }
    }

    fn string(&self, field: &str) -> Result<String, FormatError> {
        match self.get(field) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(v) => Err(self.bad(field, format!("must be a string, got {}", show(v)))),
            None => Err(FormatError::missing(self.name, field)),
        }
    }

    fn flag(&self, field: &str, default: bool) -> Result<bool, FormatError> {
        match self.get(field) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(self.bad(field, format!("must be true or false, got {}", show(v)))),
        }
    }

    fn direction(&self) -> Result<Direction, FormatError> {
        let s = self.string("direction")?;
        match s.to_ascii_lowercase().as_str() {
            "up" => Ok(Direction::Up),
            "down" => Ok(Direction::Down),
            "left" => Ok(Direction::Left),
            "right" => Ok(Direction::Right),
            _ => Err(self.bad(
                "direction",
                format!("must be up, down, left or right, got {}", quote(&s)),
            )),
        }
    }

    /// `(dx, dy)` notches of a scroll.
    fn scroll(&self, default: f64) -> Result<(i32, i32), FormatError> {
        let dir = self.direction()?;
        let vertical = matches!(dir, Direction::Up | Direction::Down);
        let n = if let Some(v) = self.get("magnitude_in_wheel_clicks") {
            let clicks = whole(v).filter(|c| *c >= 0).ok_or_else(|| {
                self.bad(
                    "magnitude_in_wheel_clicks",
                    format!("must be a whole number of clicks, got {}", show(v)),
                )
            })?;
            clicks.min(i64::from(MAX_SCROLL)) as i32
        } else {
            let field = if self.get("magnitude_in_pixels").is_some() {
                "magnitude_in_pixels"
            } else {
                "magnitude"
            };
            let grid = match self.get(field) {
                None => default,
                Some(_) => self.grid(field)?,
            };
            let len = if vertical {
                self.screen.height
            } else {
                self.screen.width
            };
            let pixels = grid * f64::from(len) / 1000.0;
            let notches = (pixels / PIXELS_PER_NOTCH).round().max(1.0);
            notches.min(f64::from(MAX_SCROLL)) as i32
        };
        Ok(match dir {
            Direction::Up => (0, -n),
            Direction::Down => (0, n),
            Direction::Left => (-n, 0),
            Direction::Right => (n, 0),
        })
    }

    /// A key chord from `field`: a name (`"ENTER"`), a chord (`"Control+A"`) or a list of
    /// names (`["CTRL", "A"]`), each name checked.
    fn chord(&self, field: &str) -> Result<String, FormatError> {
        let v = self
            .get(field)
            .ok_or_else(|| FormatError::missing(self.name, field))?;
        let names: Vec<String> = match v {
            Value::String(s) => {
                if lookup(s).is_some() {
                    vec![joinable_key_name(s).to_owned()]
                } else {
                    super::chord_names(s)
                }
            }
            Value::Array(items) => {
                let mut names = Vec::new();
                for item in items {
                    let Some(s) = item.as_str() else {
                        return Err(self.bad(
                            field,
                            format!(
                                "must be key names such as [\"CTRL\", \"A\"], got {}",
                                show(v)
                            ),
                        ));
                    };
                    if lookup(s).is_some() {
                        names.push(joinable_key_name(s).to_owned());
                    } else {
                        names.extend(super::chord_names(s));
                    }
                }
                names
            }
            other => {
                return Err(self.bad(
                    field,
                    format!("must be a key name or a list of them, got {}", show(other)),
                ));
            }
        };
        let chord = names.join("+");
        parse_chord(&chord).map_err(|e| {
            self.bad(
                field,
                format!(
                    "is not a key chord ({e}); use names such as ENTER, CTRL, SHIFT, ALT, ESCAPE, TAB, ARROWLEFT, PAGEDOWN or a single character"
                ),
            )
        })?;
        Ok(chord)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HD: Size = Size {
        width: 1920,
        height: 1080,
    };

    fn act(name: &str, args: Value, screen: Size) -> Vec<Action> {
        match from_gemini(name, &args, screen).unwrap() {
            GeminiCall::Act(a) => a,
            other => panic!("{other:?}"),
        }
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
    fn grid_coordinates_floor_into_the_screen() {
        for (w, h) in [
            (1280, 800),
            (1366, 768),
            (1920, 1080),
            (2560, 1440),
            (3840, 2160),
        ] {
            let s = Size::new(w, h);
            assert_eq!(gemini_to_screen(0.0, 0.0, s), Point::new(0, 0));
            assert_eq!(
                gemini_to_screen(500.0, 500.0, s),
                Point::new((w / 2) as i32, (h / 2) as i32)
            );
            assert_eq!(
                gemini_to_screen(999.0, 999.0, s),
                Point::new((999 * w / 1000) as i32, (999 * h / 1000) as i32)
            );
            assert_eq!(
                gemini_to_screen(1000.0, 1000.0, s),
                Point::new(w as i32 - 1, h as i32 - 1)
            );
        }
        assert_eq!(
            gemini_to_screen(333.0, 777.0, Size::new(1366, 768)),
            Point::new(454, 596)
        );
    }

    #[test]
    fn the_desktop_clicks() {
        let a = json!({"x": 500, "y": 250, "intent": "open it"});
        assert_eq!(
            act("click", a.clone(), HD),
            vec![click(960, 270, Button::Left, 1)]
        );
        assert_eq!(
            act("double_click", a.clone(), HD),
            vec![click(960, 270, Button::Left, 2)]
        );
        assert_eq!(
            act("triple_click", a.clone(), HD),
            vec![click(960, 270, Button::Left, 3)]
        );
        assert_eq!(
            act("middle_click", a.clone(), HD),
            vec![click(960, 270, Button::Middle, 1)]
        );
        assert_eq!(
            act("right_click", a.clone(), HD),
            vec![click(960, 270, Button::Right, 1)]
        );
        assert_eq!(
            act("click_at", a.clone(), HD),
            vec![click(960, 270, Button::Left, 1)]
        );
        assert_eq!(
            act("move", a.clone(), HD),
            vec![Action::Move { x: 960, y: 270 }]
        );
        assert_eq!(
            act("hover_at", a.clone(), HD),
            vec![Action::Move { x: 960, y: 270 }]
        );
        assert_eq!(
            act("mouse_down", a.clone(), HD),
            vec![
                Action::Move { x: 960, y: 270 },
                Action::MouseDown {
                    button: Button::Left
                }
            ]
        );
        assert_eq!(
            act("mouse_up", json!({}), HD),
            vec![Action::MouseUp {
                button: Button::Left
            }]
        );
    }

    #[test]
    fn typing_and_keys() {
        assert_eq!(
            act("type", json!({"text": "héllo"}), HD),
            vec![Action::TypeText {
                text: "héllo".into()
            }]
        );
        assert_eq!(
            act("type", json!({"text": "ls", "press_enter": true}), HD),
            vec![
                Action::TypeText { text: "ls".into() },
                Action::Key {
                    keys: "Return".into()
                }
            ]
        );
        assert_eq!(
            act("press_key", json!({"key": "ENTER"}), HD),
            vec![Action::Key {
                keys: "ENTER".into()
            }]
        );
        assert_eq!(
            act("hotkey", json!({"keys": ["CTRL", "A"]}), HD),
            vec![Action::Key {
                keys: "CTRL+A".into()
            }]
        );
        assert_eq!(
            act("key_combination", json!({"keys": "Control+Shift+T"}), HD),
            vec![Action::Key {
                keys: "Control+Shift+T".into()
            }]
        );
        assert_eq!(
            act("hotkey", json!({"keys": ["CTRL", "+"]}), HD),
            vec![Action::Key {
                keys: "CTRL+plus".into()
            }]
        );
        assert_eq!(
            from_gemini("key_down", &json!({"key": "SHIFT"}), HD),
            Ok(GeminiCall::KeyDown("SHIFT".into()))
        );
        assert_eq!(
            from_gemini("key_up", &json!({"key": "SHIFT"}), HD),
            Ok(GeminiCall::KeyUp("SHIFT".into()))
        );
        let err = from_gemini("press_key", &json!({"key": "HYPERDRIVE"}), HD).unwrap_err();
        assert!(
            err.to_string()
                .contains("press_key: key is not a key chord"),
            "{err}"
        );
    }

    #[test]
    fn type_text_at_clears_and_submits_by_default() {
        assert_eq!(
            act(
                "type_text_at",
                json!({"x": 100, "y": 100, "text": "abc"}),
                HD
            ),
            vec![
                click(192, 108, Button::Left, 1),
                Action::Key {
                    keys: "ctrl+a".into()
                },
                Action::Key {
                    keys: "BackSpace".into()
                },
                Action::TypeText { text: "abc".into() },
                Action::Key {
                    keys: "Return".into()
                },
            ]
        );
        assert_eq!(
            act(
                "type_text_at",
                json!({"x": 100, "y": 100, "text": "abc", "press_enter": false, "clear_before_typing": false}),
                HD
            ),
            vec![
                click(192, 108, Button::Left, 1),
                Action::TypeText { text: "abc".into() }
            ]
        );
    }

    #[test]
    fn drags_in_both_spellings() {
        let want = vec![Action::Drag {
            path: vec![Point::new(192, 108), Point::new(960, 540)],
        }];
        assert_eq!(
            act(
                "drag_and_drop",
                json!({"start_x": 100, "start_y": 100, "end_x": 500, "end_y": 500}),
                HD
            ),
            want
        );
        assert_eq!(
            act(
                "drag_and_drop",
                json!({"x": 100, "y": 100, "destination_x": 500, "destination_y": 500}),
                HD
            ),
            want
        );
        assert!(from_gemini("drag_and_drop", &json!({"start_x": 1, "start_y": 1}), HD).is_err());
    }

    #[test]
    fn scrolls_and_waits() {
        // 300 of 1080 is 324 pixels: 3 notches.
        assert_eq!(
            act(
                "scroll",
                json!({"x": 500, "y": 500, "direction": "down"}),
                HD
            ),
            vec![Action::Scroll {
                x: Some(960),
                y: Some(540),
                dx: 0,
                dy: 3
            }]
        );
        assert_eq!(
            act(
                "scroll",
                json!({"x": 500, "y": 500, "direction": "up", "magnitude_in_pixels": 999}),
                HD
            ),
            vec![Action::Scroll {
                x: Some(960),
                y: Some(540),
                dx: 0,
                dy: -11
            }]
        );
        assert_eq!(
            act(
                "scroll",
                json!({"x": 500, "y": 500, "direction": "left", "magnitude_in_wheel_clicks": 2}),
                HD
            ),
            vec![Action::Scroll {
                x: Some(960),
                y: Some(540),
                dx: -2,
                dy: 0
            }]
        );
        assert_eq!(
            act(
                "scroll_at",
                json!({"x": 0, "y": 0, "direction": "right", "magnitude": 10}),
                HD
            ),
            vec![Action::Scroll {
                x: Some(0),
                y: Some(0),
                dx: 1,
                dy: 0
            }]
        );
        assert_eq!(
            act("scroll_document", json!({"direction": "down"}), HD),
            vec![Action::Key {
                keys: "Page_Down".into()
            }]
        );
        assert_eq!(act("wait", json!({}), HD), vec![Action::Wait { ms: 1000 }]);
        assert_eq!(
            act("wait", json!({"seconds": 3}), HD),
            vec![Action::Wait { ms: 3000 }]
        );
        assert_eq!(
            act("wait_5_seconds", json!({}), HD),
            vec![Action::Wait { ms: 5000 }]
        );
        assert_eq!(
            from_gemini("take_screenshot", &json!({}), HD),
            Ok(GeminiCall::Screenshot)
        );
        assert!(
            from_gemini(
                "scroll",
                &json!({"x": 1, "y": 1, "direction": "sideways"}),
                HD
            )
            .is_err()
        );
    }

    #[test]
    fn bad_calls_are_sentences_for_the_model() {
        let e = from_gemini("clik", &json!({}), HD).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unknown function \"clik\"; the calls are click"),
            "{e}"
        );
        let e = from_gemini("click", &json!({"x": 5}), HD).unwrap_err();
        assert_eq!(e.to_string(), "click: missing required field \"y\"");
        let e = from_gemini("click", &json!({"x": 5, "y": 1500}), HD).unwrap_err();
        assert_eq!(
            e.to_string(),
            "click: y must be a number from 0 to 999, got 1500"
        );
        let e = from_gemini("click", &json!("x"), HD).unwrap_err();
        assert!(matches!(e, FormatError::Parse { .. }));
        let e = from_gemini("navigate", &json!({"url": "x"}), HD).unwrap_err();
        assert!(matches!(e, FormatError::Unsupported { .. }));
    }

    #[test]
    fn safety_decisions_are_read() {
        let args = json!({"x": 1, "y": 1, "safety_decision": {"decision": "require_confirmation", "explanation": "Buys a car."}});
        assert_eq!(
            safety_decision(&args),
            Some(SafetyDecision {
                decision: "require_confirmation".into(),
                explanation: "Buys a car.".into()
            })
        );
        assert_eq!(safety_decision(&json!({"x": 1})), None);
        // The decision rides along; the call itself still translates.
        assert_eq!(act("click", args, HD), vec![click(1, 1, Button::Left, 1)]);
    }
}
