//! Pure translations between [`Action`](crate::Action) and each provider's
//! wire format. No I/O here: every function takes a model's answer (JSON or
//! text) and returns actions in screen pixels, or the reverse, so that all
//! of it can be tested and fuzzed without a screen or a network.
//!
//! - [`anthropic`]: the Anthropic Messages API `computer` tool
//!   (`computer_20250124`, `computer_20251124`).
//! - [`gemini`]: Google Gemini computer use (`computerUse` function calls).
//! - [`openai`]: the OpenAI Responses API computer tool
//!   (`computer_use_preview` and the GA `computer` tool).
//! - [`qwen3vl`]: Qwen3-VL's `computer_use` function (`<tool_call>` JSON on a
//!   1000×1000 grid) from OpenAI-compatible chat servers.
//! - [`uitars`]: UI-TARS / Qwen-VL text actions (`Thought: … Action: …`)
//!   from OpenAI-compatible chat servers.
//!
//! Every function takes the [`ModelSpace`] the model
//! answers in and the screen [`Size`]: coordinates coming in
//! are converted with [`ModelSpace::to_screen`]
//! (rounded and clamped into the screen), coordinates going out with
//! [`ModelSpace::from_screen`], rounded to
//! whole numbers.
//!
//! Errors are [`FormatError`]s whose messages are written to be sent back
//! to the model so it can correct itself, e.g.
//! `left_click: coordinate must be [x, y] with integers, got "abc"`.

use serde_json::Value;

use crate::coords::ModelSpace;
use crate::point::{Point, Size};

pub mod anthropic;
pub mod anthropic_toolset;
pub mod gemini;
pub mod openai;
pub mod qwen3vl;
pub mod uitars;

pub use anthropic::{
    AnthropicCall, AnthropicToolVersion, from_anthropic, to_anthropic,
    tool_definition as anthropic_tool_definition,
};
pub use openai::{
    OpenAiCall, from_openai_action, from_openai_actions, to_openai_action,
    tool_definition_ga as openai_tool_definition_ga,
    tool_definition_preview as openai_tool_definition_preview,
};
pub use uitars::{UiTarsTurn, parse_uitars, parse_uitars_with_marks, to_uitars};

/// Why a model's answer could not be translated into actions, or an action
/// into a wire format.
///
/// Each message is one sentence that names the action, the field and what
/// was wrong, written so it can be returned to the model as a tool error.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormatError {
    /// A field the action needs is absent.
    #[error("{action}: missing required field \"{field}\"")]
    MissingField {
        /// The action, as the wire format names it (`left_click_drag`).
        action: String,
        /// The missing field (`start_coordinate`).
        field: String,
    },
    /// A field is present but its value is wrong.
    #[error("{action}: {field} {reason}")]
    BadField {
        /// The action, as the wire format names it (`left_click`).
        action: String,
        /// The field (`coordinate`).
        field: String,
        /// What is wrong, continuing the sentence after the field name:
        /// `must be [x, y] with integers, got "abc"`.
        reason: String,
    },
    /// The action (or another name) is not part of the format.
    #[error("unknown {what}")]
    Unknown {
        /// What is unknown, with the names that would be accepted:
        /// `computer action "clik"; the actions are …`.
        what: String,
    },
    /// The action exists but cannot be expressed in the other format
    /// (a triple right click for OpenAI, `done` for Anthropic's tool).
    #[error("{what} is not supported")]
    Unsupported {
        /// What cannot be translated.
        what: String,
    },
    /// A text answer (or a whole tool input) does not have the expected
    /// shape at all.
    #[error("cannot parse the response: {reason}")]
    Parse {
        /// What was wrong and what was expected.
        reason: String,
    },
}

impl FormatError {
    /// [`FormatError::MissingField`].
    pub(crate) fn missing(action: &str, field: &str) -> FormatError {
        FormatError::MissingField {
            action: action.to_owned(),
            field: field.to_owned(),
        }
    }

    /// [`FormatError::BadField`].
    pub(crate) fn bad(action: &str, field: &str, reason: impl Into<String>) -> FormatError {
        FormatError::BadField {
            action: action.to_owned(),
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// [`FormatError::Unsupported`].
    pub(crate) fn unsupported(what: impl Into<String>) -> FormatError {
        FormatError::Unsupported { what: what.into() }
    }

    /// [`FormatError::Parse`].
    pub(crate) fn parse(reason: impl Into<String>) -> FormatError {
        FormatError::Parse {
            reason: reason.into(),
        }
    }
}

/// Values longer than this many characters are shortened in messages.
const SHOW_CHARS: usize = 60;

/// A JSON value as compact JSON for an error message, shortened with `…`.
pub(crate) fn show(v: &Value) -> String {
    shorten(&serde_json::to_string(v).unwrap_or_default())
}

/// A text quoted for an error message (`"abc"`), shortened with `…`.
pub(crate) fn quote(s: &str) -> String {
    shorten(&format!("{s:?}"))
}

fn shorten(s: &str) -> String {
    if s.chars().nth(SHOW_CHARS).is_some() {
        let mut out: String = s.chars().take(SHOW_CHARS).collect();
        out.push('…');
        out
    } else {
        s.to_owned()
    }
}

/// A finite number from JSON: a number, or a string holding one (models
/// sometimes quote numbers).
pub(crate) fn number(v: &Value) -> Option<f64> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// A whole number from JSON (`3`, `3.0` or `"3"`).
pub(crate) fn whole(v: &Value) -> Option<i64> {
    if let Some(i) = v.as_i64() {
        return Some(i);
    }
    let n = number(v)?;
    (n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64)
}

/// A screen point in a model's space, rounded to whole model units.
pub(crate) fn model_point(space: &ModelSpace, p: Point, screen: Size) -> (i64, i64) {
    let (x, y) = space.from_screen(p, screen);
    (round_i64(x), round_i64(y))
}

/// Rounds to the nearest whole number; NaN is 0 and the rest saturates.
pub(crate) fn round_i64(v: f64) -> i64 {
    // `as` saturates and maps NaN to 0.
    v.round() as i64
}

/// A model coordinate naming an *exclusive* edge (the bottom-right corner
/// of a region) in screen pixels: like [`ModelSpace::to_screen`] but
/// clamped into `0..=width` rather than `0..width`, so the model's full
/// image width maps to the full screen width.
pub(crate) fn edge_to_screen(space: &ModelSpace, x: f64, y: f64, screen: Size) -> Point {
    let far = Point::new(
        i32::try_from(screen.width).unwrap_or(i32::MAX),
        i32::try_from(screen.height).unwrap_or(i32::MAX),
    );
    // Every space is linear through the origin: model = k · screen.
    let (kx, ky) = space.from_screen(far, screen);
    let axis = |v: f64, k: f64, len: u32| -> i32 {
        let len = f64::from(len);
        let s = if k > 0.0 { (v / k * len).round() } else { 0.0 };
        if s.is_nan() || s <= 0.0 {
            0
        } else if s >= len {
            len as i32
        } else {
            s as i32
        }
    };
    Point::new(axis(x, kx, screen.width), axis(y, ky, screen.height))
}

/// The key names of a chord, in order, as [`crate::keys::parse_chord`]
/// splits it: on `+` (a literal `+` written as `++` or alone), or on
/// spaces when there is no `+`. The `+` key comes out as `plus`, so the
/// names can be joined again with `+` or spaces.
pub(crate) fn chord_names(chord: &str) -> Vec<String> {
    let chord = chord.trim();
    if chord.is_empty() {
        return vec!["space".to_owned()];
    }
    if !chord.contains('+') {
        return chord.split_whitespace().map(str::to_owned).collect();
    }
    let parts: Vec<&str> = chord.split('+').map(str::trim).collect();
    let mut names = Vec::with_capacity(parts.len());
    let mut i = 0;
    while i < parts.len() {
        if !parts[i].is_empty() {
            names.push(parts[i].to_owned());
            i += 1;
        } else if parts.get(i + 1).is_some_and(|next| next.is_empty()) {
            names.push("plus".to_owned());
            i += 2;
        } else {
            i += 1;
        }
    }
    names
}

/// A key name that can be joined into a chord with `+` or spaces: the
/// single characters that would be read as separators get their names.
pub(crate) fn joinable_key_name(name: &str) -> &str {
    match name {
        "+" => "plus",
        " " => "space",
        "\n" | "\r" => "Return",
        "\t" => "Tab",
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;
    use serde_json::json;

    #[test]
    fn messages_are_sentences_naming_the_problem() {
        assert_eq!(
            FormatError::bad(
                "left_click",
                "coordinate",
                "must be [x, y] with integers, got \"abc\""
            )
            .to_string(),
            r#"left_click: coordinate must be [x, y] with integers, got "abc""#
        );
        assert_eq!(
            FormatError::missing("left_click_drag", "start_coordinate").to_string(),
            r#"left_click_drag: missing required field "start_coordinate""#
        );
        assert_eq!(
            FormatError::Unknown {
                what: "computer action \"clik\"".into()
            }
            .to_string(),
            r#"unknown computer action "clik""#
        );
        assert_eq!(
            FormatError::unsupported("a triple right click").to_string(),
            "a triple right click is not supported"
        );
        assert_eq!(
            FormatError::parse("no Action line").to_string(),
            "cannot parse the response: no Action line"
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(show(&json!({"a": [1, 2]})), r#"{"a":[1,2]}"#);
        assert_eq!(
            show(&json!("x".repeat(100))).chars().count(),
            SHOW_CHARS + 1
        );
        assert_eq!(quote("a\"b"), r#""a\"b""#);
        assert_eq!(number(&json!(1.5)), Some(1.5));
        assert_eq!(number(&json!(" 7 ")), Some(7.0));
        assert_eq!(number(&json!("abc")), None);
        assert_eq!(number(&json!(null)), None);
        assert_eq!(whole(&json!(3.0)), Some(3));
        assert_eq!(whole(&json!(3.5)), None);
        assert_eq!(whole(&json!(-2)), Some(-2));
        assert_eq!(chord_names("ctrl+shift+t"), ["ctrl", "shift", "t"]);
        assert_eq!(chord_names("ctrl c"), ["ctrl", "c"]);
        assert_eq!(chord_names("ctrl++"), ["ctrl", "plus"]);
        assert_eq!(
            chord_names(" ctrl + alt + Delete "),
            ["ctrl", "alt", "Delete"]
        );
        assert_eq!(chord_names("Return"), ["Return"]);
        assert_eq!(joinable_key_name("+"), "plus");
        assert_eq!(joinable_key_name("a"), "a");
    }

    #[test]
    fn edges_reach_the_far_side_of_the_screen() {
        let screen = Size::new(1920, 1080);
        let scaled = ModelSpace::Scaled {
            width: 1366,
            height: 768,
        };
        assert_eq!(
            edge_to_screen(&scaled, 1366.0, 768.0, screen),
            Point::new(1920, 1080)
        );
        assert_eq!(
            edge_to_screen(&scaled, 683.0, 384.0, screen),
            Point::new(960, 540)
        );
        assert_eq!(
            edge_to_screen(&ModelSpace::Relative1000, 1000.0, 1000.0, screen),
            Point::new(1920, 1080)
        );
        assert_eq!(
            edge_to_screen(&ModelSpace::Screen, -5.0, 99999.0, screen),
            Point::new(0, 1080)
        );
        assert_eq!(
            edge_to_screen(&ModelSpace::Screen, 10.0, 10.0, Size::new(0, 0)),
            Point::new(0, 0)
        );
    }

    /// A small deterministic generator: the 64-bit LCG of Knuth's MMIX.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const TEXT_PIECES: &[&str] = &[
        "Thought:",
        "Action:",
        "Reflection:",
        "Action_Summary:",
        "click",
        "left_double",
        "right_single",
        "drag",
        "select",
        "hover",
        "hotkey",
        "press",
        "keydown",
        "type",
        "scroll",
        "wait",
        "finished",
        "call_user",
        "(",
        ")",
        "(",
        ")",
        "'",
        "'",
        "\"",
        "\\",
        "\\'",
        "\\n",
        ",",
        ",",
        "=",
        "start_box",
        "end_box",
        "point",
        "start_point",
        "end_point",
        "content",
        "key",
        "direction",
        "<|box_start|>",
        "<|box_end|>",
        "<point>",
        "</point>",
        "<bbox>",
        "</bbox>",
        "[",
        "]",
        "0",
        "1",
        "23",
        "-4",
        "500",
        "1000",
        "1e309",
        "nan",
        "inf",
        "99999999999999999999",
        "3.5",
        " ",
        " ",
        "\n",
        "\n\n",
        "é",
        "💥",
        "ctrl c",
        "down",
        "up",
        "left",
        "right",
        "#",
        "```",
        "\u{0}",
        "+",
        "ctrl+",
        "Return",
        "\t",
    ];

    fn random_text(rng: &mut Lcg) -> String {
        let n = rng.below(24);
        let mut s = String::new();
        if rng.below(2) == 0 {
            s.push_str("Thought: thinking\nAction: ");
        }
        for _ in 0..n {
            s.push_str(rng.pick(TEXT_PIECES));
        }
        s
    }

    const JSON_KEYS: &[&str] = &[
        "action",
        "type",
        "coordinate",
        "start_coordinate",
        "text",
        "scroll_direction",
        "scroll_amount",
        "duration",
        "region",
        "x",
        "y",
        "button",
        "scroll_x",
        "scroll_y",
        "keys",
        "path",
    ];

    const NAMES: &[&str] = &[
        "screenshot",
        "cursor_position",
        "mouse_move",
        "left_click",
        "right_click",
        "middle_click",
        "double_click",
        "triple_click",
        "left_click_drag",
        "left_mouse_down",
        "left_mouse_up",
        "scroll",
        "type",
        "key",
        "hold_key",
        "wait",
        "zoom",
        "click",
        "move",
        "drag",
        "keypress",
        "up",
        "down",
        "left",
        "right",
        "wheel",
        "back",
        "forward",
        "ctrl",
        "ctrl+shift",
        "CTRL",
        "nosuchkey",
        "",
        "abc",
        "+",
        "1,2",
    ];

    fn random_json(rng: &mut Lcg, depth: u32) -> Value {
        let pick = if depth == 0 {
            rng.below(6)
        } else {
            rng.below(9)
        };
        match pick {
            0 => Value::Null,
            1 => json!(rng.below(2) == 0),
            2 => {
                let choices = [
                    json!(0),
                    json!(-1),
                    json!(1),
                    json!(3),
                    json!(683),
                    json!(1e300),
                    json!(-1e300),
                    json!(i64::MIN),
                    json!(u64::MAX),
                    json!(0.5),
                    json!(100_000),
                    json!(2.5e-7),
                ];
                choices[rng.below(choices.len())].clone()
            }
            3 | 4 => json!(rng.pick(NAMES)),
            5 => json!(rng.below(3000) as i64 - 500),
            6 | 7 => {
                let n = rng.below(6);
                Value::Array((0..n).map(|_| random_json(rng, depth - 1)).collect())
            }
            _ => {
                let n = rng.below(5);
                let mut m = serde_json::Map::new();
                for _ in 0..n {
                    m.insert(rng.pick(JSON_KEYS).to_owned(), random_json(rng, depth - 1));
                }
                Value::Object(m)
            }
        }
    }

    fn random_call(rng: &mut Lcg) -> Value {
        let mut m = serde_json::Map::new();
        let tag = if rng.below(2) == 0 { "action" } else { "type" };
        m.insert(tag.to_owned(), json!(rng.pick(NAMES)));
        for _ in 0..rng.below(6) {
            m.insert(rng.pick(JSON_KEYS).to_owned(), random_json(rng, 2));
        }
        if rng.below(10) == 0 {
            random_json(rng, 3)
        } else {
            Value::Object(m)
        }
    }

    fn spaces() -> [ModelSpace; 5] {
        [
            ModelSpace::Screen,
            ModelSpace::Scaled {
                width: 1366,
                height: 768,
            },
            ModelSpace::Relative1000,
            ModelSpace::Relative999,
            ModelSpace::UI_TARS_1_5,
        ]
    }

    /// Every point an action names lies on the screen (a zoom region's
    /// far corner may equal the screen size).
    fn assert_on_screen(actions: &[Action], screen: Size, input: &str) {
        for a in actions {
            for p in a.points() {
                assert!(
                    p.x >= 0
                        && p.y >= 0
                        && p.x <= screen.width as i32
                        && p.y <= screen.height as i32,
                    "{a} from {input}"
                );
            }
            if let Action::Drag { path } = a {
                assert!(path.len() >= 2, "{a} from {input}");
            }
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        let mut rng = Lcg(0x5eed_cafe_f00d_d00d);
        let screen = Size::new(1920, 1080);
        for round in 0..600 {
            let space = spaces()[round % 5];
            let text = random_text(&mut rng);
            if let Ok(turn) = parse_uitars(&text, &space, screen) {
                assert_on_screen(&turn.actions, screen, &text);
                for a in &turn.actions {
                    let _ = to_uitars(a, &space, screen);
                }
            }
            let input = random_call(&mut rng);
            let shown = input.to_string();
            if let Ok(AnthropicCall::Act(actions)) = from_anthropic(&input, &space, screen) {
                assert_on_screen(&actions, screen, &shown);
                for a in &actions {
                    let _ = to_anthropic(a, &space, screen);
                }
            }
            if let Ok(OpenAiCall::Act(actions)) = from_openai_action(&input, &space, screen) {
                assert_on_screen(&actions, screen, &shown);
                for a in &actions {
                    let _ = to_openai_action(a, &space, screen);
                }
            }
            let batch: Vec<Value> = (0..rng.below(4)).map(|_| random_call(&mut rng)).collect();
            let _ = from_openai_actions(&batch, &space, screen);
        }
    }

    #[test]
    fn errors_for_random_inputs_are_one_line() {
        let mut rng = Lcg(42);
        let screen = Size::new(1366, 768);
        let space = ModelSpace::Screen;
        for _ in 0..300 {
            let input = random_call(&mut rng);
            for err in [
                from_anthropic(&input, &space, screen).err(),
                from_openai_action(&input, &space, screen).err(),
            ]
            .into_iter()
            .flatten()
            {
                let msg = err.to_string();
                assert!(!msg.contains('\n'), "{msg}");
                assert!(msg.chars().count() < 400, "{msg}");
            }
        }
    }
}
