//! UI-TARS / Qwen-VL text actions, as OpenAI-compatible chat servers (vLLM,
//! Ollama, llama.cpp, LM Studio) return them.
//!
//! The model answers in text: an optional thought, then one or more
//! Python-call-like actions after `Action:`:
//!
//! ```text
//! Thought: The search box is at the top. I'll click it, then type the query.
//! Action: click(start_box='<|box_start|>(683,384)<|box_end|>')
//!
//! type(content='weather in Paris\n')
//! ```
//!
//! | action | arguments | result |
//! |---|---|---|
//! | `click`, `left_single` | `start_box` | `click` |
//! | `left_double` | `start_box` | `click` ×2 |
//! | `right_single` | `start_box` | right `click` |
//! | `hover`, `mouse_move` | `start_box` | `move` |
//! | `drag`, `select` | `start_box`, `end_box` | `drag` |
//! | `hotkey`, `press` | `key` (`'ctrl c'`: lower-case names separated by spaces) | `key` `ctrl+c` |
//! | `type` | `content` (`\'`, `\"`, `\n`, `\t`, `\\` escapes) | `type_text` |
//! | `scroll` | `start_box`?, `direction` (`up`, `down`, `left`, `right`) | `scroll` of [`SCROLL_NOTCHES`] |
//! | `wait` | | `wait` [`WAIT_MS`] |
//! | `finished` | `content`? | `done` |
//! | `call_user` | `content`? | `call_user` |
//!
//! With set-of-marks (numbered boxes drawn on the screenshot, see
//! [`parse_uitars_with_marks`]), `mark=N` may stand for `start_box` and
//! `end_mark=N` for `end_box` in any action that takes them
//! (`click(mark=7)`, `drag(mark=2, end_mark=5)`): the centre of mark `N`.
//! A number that names no mark is an error, never a guess.
//!
//! Newer UI-TARS versions write `point=`, `start_point=` and `end_point=`
//! for `start_box=` and `end_box=`; both are read. Arguments may also be
//! given in order without names (`click('(10,20)')`). A box is any of
//! `(x,y)`, `(x1,y1,x2,y2)`, `[x1,y1,x2,y2]`,
//! `<|box_start|>(x,y)<|box_end|>`, `<bbox>x1 y1 x2 y2</bbox>` or
//! `<point>x y</point>`; a four-number box stands for its centre. Numbers
//! are in the model's [`ModelSpace`] (UI-TARS 1.0: `Relative1000`;
//! UI-TARS-1.5: `SmartResize`; Qwen2.5-VL: its resized input) and come out
//! as screen pixels.
//!
//! Choices made here, as UI-TARS's own `action_parser.py` does them:
//!
//! - `type` keeps a trailing newline in the text, so Enter is pressed
//!   after typing (the model's way to submit). A trailing literal
//!   backslash-`n` (the model escaped twice) counts as that newline too.
//! - `scroll` turns the wheel [`SCROLL_NOTCHES`] (5) notches, and `wait()`
//!   waits [`WAIT_MS`] (5 s), as the model was told in its prompt.
//! - The thought is the `Thought:` section, else the `Action_Summary:`
//!   section, else any text before the first section; `Reflection:` is
//!   dropped. `call_user()` without `content` asks the person with the
//!   thought.
//! - Several actions may follow one `Action:`, separated by newlines or
//!   blank lines, or each may have its own `Action:` line. Text after a
//!   `#` on an action line is a comment. Unknown argument names are
//!   ignored.
//! - `keydown`/`keyup` (and mobile actions) are refused: a key cannot be
//!   left held between turns.
//!
//! ```
//! use deskhand_actions::formats::uitars::parse_uitars;
//! use deskhand_actions::{Action, Button, ModelSpace, Size};
//!
//! let text = "Thought: Click the search box.\nAction: click(start_box='(500,500)')";
//! let turn = parse_uitars(text, &ModelSpace::Relative1000, Size::new(1920, 1080)).unwrap();
//! assert_eq!(turn.thought.as_deref(), Some("Click the search box."));
//! assert_eq!(
//!     turn.actions,
//!     vec![Action::Click { x: Some(960), y: Some(540), button: Button::Left, count: 1, modifiers: vec![] }]
//! );
//! ```

use super::{FormatError, chord_names, joinable_key_name, model_point, quote};
use crate::action::{Action, Button};
use crate::coords::ModelSpace;
use crate::keys::{lookup, parse_chord};
use crate::point::{Point, Size};

/// Wheel notches of one UI-TARS `scroll` (its own parser's
/// `pyautogui.scroll(±5)`).
pub const SCROLL_NOTCHES: i32 = 5;

/// How long a UI-TARS `wait()` waits, in milliseconds (its prompt: "Sleep
/// for 5s and take a screenshot").
pub const WAIT_MS: u64 = 5000;

/// `call_user()`'s message when it has no `content` and there is no thought.
const DEFAULT_CALL_USER: &str = "The agent needs your help.";

/// One parsed UI-TARS answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiTarsTurn {
    /// The model's reasoning (`Thought:`), if it gave any.
    pub thought: Option<String>,
    /// The actions, in order, in screen pixels.
    pub actions: Vec<Action>,
}

/// The actions, for messages.
const ACTIONS: &str = "click, left_double, right_single, hover, drag, hotkey, press, type, \
scroll, wait, finished, call_user";

/// An example for messages.
const EXAMPLE: &str = "Action: click(start_box='(x,y)')";

/// Parses a UI-TARS / Qwen-VL answer into its thought and actions.
///
/// Coordinates are converted from `space` to `screen` pixels. See the
/// [module documentation](self) for the syntax.
///
/// # Errors
///
/// [`FormatError::Parse`] when the text has no action or an action is not
/// a well-formed call (naming what was found), [`FormatError::Unknown`]
/// for an unknown action, [`FormatError::MissingField`] or
/// [`FormatError::BadField`] for a missing or malformed argument,
/// [`FormatError::Unsupported`] for `keydown`/`keyup`.
pub fn parse_uitars(
    text: &str,
    space: &ModelSpace,
    screen: Size,
) -> Result<UiTarsTurn, FormatError> {
    parse_uitars_with_marks(text, space, screen, &[])
}

/// [`parse_uitars`] for a screenshot that showed numbered marks: `marks[i]`
/// is the centre of mark `i + 1` in screen pixels, and `mark=N` /
/// `end_mark=N` name those centres.
///
/// # Errors
///
/// As [`parse_uitars`], and [`FormatError::BadField`] for a mark number
/// that is not one of the marks (or any mark when there are none).
pub fn parse_uitars_with_marks(
    text: &str,
    space: &ModelSpace,
    screen: Size,
    marks: &[Point],
) -> Result<UiTarsTurn, FormatError> {
    let sections = split_sections(text);
    let thought = sections.thought;
    let Some(action_text) = sections.actions else {
        return Err(FormatError::parse(format!(
            "the answer has no \"Action:\" line; answer with \"Thought: …\" and then a line like \"{EXAMPLE}\""
        )));
    };
    let calls = parse_calls(action_text)?;
    if calls.is_empty() {
        return Err(FormatError::parse(format!(
            "the \"Action:\" line names no action; write one like \"{EXAMPLE}\""
        )));
    }
    let ctx = Ctx {
        space,
        screen,
        thought: thought.as_deref(),
        marks,
    };
    let actions = calls
        .iter()
        .map(|c| ctx.action(c))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(UiTarsTurn { thought, actions })
}

// ---------------------------------------------------------------------------
// Sections: Thought / Reflection / Action_Summary / Action.

#[derive(Clone, Copy, PartialEq)]
enum Header {
    Thought,
    Reflection,
    Summary,
    Action,
}

const HEADERS: [(&str, Header); 4] = [
    ("thought:", Header::Thought),
    ("reflection:", Header::Reflection),
    ("action_summary:", Header::Summary),
    ("action:", Header::Action),
];

/// The header a line starts with (ignoring leading spaces, `*` and `#`
/// markdown decoration and case), and the byte length up to its colon.
fn header(line: &str) -> Option<(Header, usize)> {
    let start = line.len() - line.trim_start_matches([' ', '\t', '*', '#']).len();
    let rest = &line[start..];
    HEADERS.iter().find_map(|(name, h)| {
        let head = rest.get(..name.len())?;
        if !head.eq_ignore_ascii_case(name) {
            return None;
        }
        // `**Thought:**`: the closing markdown belongs to the header.
        let after = &rest[name.len()..];
        let stars = after.len() - after.trim_start_matches('*').len();
        Some((*h, start + name.len() + stars))
    })
}

struct Sections<'a> {
    thought: Option<String>,
    /// Everything after the first `Action:`.
    actions: Option<&'a str>,
}

fn split_sections(text: &str) -> Sections<'_> {
    let mut preamble = String::new();
    let mut thought: Option<String> = None;
    let mut summary: Option<String> = None;
    let mut current: Option<Header> = None;
    let mut actions = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let (body, h) = match header(line) {
            Some((Header::Action, end)) => {
                actions = Some(&text[line_start + end..]);
                break;
            }
            Some((h, end)) => (&line[end..], Some(h)),
            None => (line, None),
        };
        if h.is_some() {
            current = h;
        }
        let target = match current {
            None => &mut preamble,
            Some(Header::Thought) => thought.get_or_insert_with(String::new),
            Some(Header::Summary) => summary.get_or_insert_with(String::new),
            Some(Header::Reflection | Header::Action) => continue,
        };
        target.push_str(body);
    }
    if actions.is_none() {
        // `Action:` in the middle of a line ("Thought: … Action: click(…)").
        if let Some(i) = text.find(" Action:").or_else(|| text.find("\tAction:")) {
            let before = &text[..i];
            let mut sections = split_sections(before);
            sections.actions = Some(&text[i + " Action:".len()..]);
            return sections;
        }
        // A bare call without any header (`click(start_box='(1,2)')`).
        let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '`');
        if preamble.trim() == text.trim() && starts_with_call(trimmed) {
            return Sections {
                thought: None,
                actions: Some(trimmed),
            };
        }
    }
    let clean = |s: String| {
        let s: Vec<&str> = s
            .lines()
            .filter(|l| !l.trim_start().starts_with("```"))
            .collect();
        let s = s.join("\n").trim().to_owned();
        (!s.is_empty()).then_some(s)
    };
    Sections {
        thought: thought
            .and_then(clean)
            .or_else(|| summary.and_then(clean))
            .or_else(|| clean(preamble)),
        actions,
    }
}

/// Whether the text starts with `name(`.
fn starts_with_call(s: &str) -> bool {
    let name_len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    name_len > 0 && s[name_len..].trim_start().starts_with('(')
}

// ---------------------------------------------------------------------------
// Calls: name(arg='value', …).

/// One call as written: its name and arguments (name, value); positional
/// arguments have no name.
#[derive(Debug)]
struct Call {
    name: String,
    args: Vec<(Option<String>, String)>,
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// An identifier: ASCII letters, digits and `_`.
    fn ident(&mut self) -> &'a str {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    /// What is here, shortened and quoted, for messages.
    fn here(&self) -> String {
        let rest = self.rest();
        let line = rest.lines().next().unwrap_or("");
        let snippet: String = line.chars().take(40).collect();
        if snippet.len() < rest.len() {
            format!("{}…", quote(&snippet))
        } else {
            quote(&snippet)
        }
    }
}

/// Parses the calls after `Action:`.
fn parse_calls(text: &str) -> Result<Vec<Call>, FormatError> {
    let mut cur = Cursor { s: text, pos: 0 };
    let mut calls = Vec::new();
    loop {
        skip_separators(&mut cur);
        if cur.peek().is_none() {
            return Ok(calls);
        }
        let start = cur.pos;
        let name = cur.ident();
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            cur.pos = start;
            return Err(FormatError::parse(format!(
                "expected an action such as click(start_box='(x,y)') but found {}",
                cur.here()
            )));
        }
        let after_name = cur.pos;
        cur.skip_spaces();
        let args = if cur.eat('(') {
            parse_args(&mut cur, name)?
        } else if matches!(name, "wait" | "finished" | "call_user")
            && cur.s[after_name..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace)
        {
            // `finished` without parentheses.
            cur.pos = after_name;
            Vec::new()
        } else {
            cur.pos = after_name;
            return Err(FormatError::parse(format!(
                "the action {} must be followed by its arguments in parentheses, like {name}(…), but found {}",
                quote(name),
                cur.here()
            )));
        };
        calls.push(Call {
            name: name.to_owned(),
            args,
        });
    }
}

/// Skips whitespace, further `Action:` headers, code fences, `;` and `#`
/// comments between calls.
fn skip_separators(cur: &mut Cursor<'_>) {
    loop {
        let before = cur.pos;
        cur.skip_spaces();
        while cur.eat('`') || cur.eat(';') {}
        if cur.peek() == Some('#') {
            let rest = cur.rest();
            cur.pos += rest.find('\n').unwrap_or(rest.len());
        }
        if let Some((Header::Action, end)) = header(cur.rest()) {
            cur.pos += end;
        }
        if cur.pos == before {
            return;
        }
    }
}

/// Parses `arg='v', …)` after the opening parenthesis.
fn parse_args(
    cur: &mut Cursor<'_>,
    name: &str,
) -> Result<Vec<(Option<String>, String)>, FormatError> {
    let mut args = Vec::new();
    cur.skip_spaces();
    if cur.eat(')') {
        return Ok(args);
    }
    loop {
        cur.skip_spaces();
        let save = cur.pos;
        let id = cur.ident();
        cur.skip_spaces();
        let arg_name = if !id.is_empty() && cur.peek() == Some('=') {
            cur.bump();
            cur.skip_spaces();
            Some(id.to_owned())
        } else {
            cur.pos = save;
            None
        };
        let value = match cur.peek() {
            Some(q @ ('\'' | '"')) => {
                cur.bump();
                quoted(cur, q, name)?
            }
            _ => bare(cur, name)?,
        };
        args.push((arg_name, value));
        cur.skip_spaces();
        if cur.eat(',') {
            cur.skip_spaces();
            if cur.eat(')') {
                return Ok(args);
            }
        } else if cur.eat(')') {
            return Ok(args);
        } else if cur.peek().is_none() {
            return Err(missing_paren(name));
        } else {
            return Err(FormatError::parse(format!(
                "unexpected {} in the arguments of {name}(…); separate arguments with commas and quote each value",
                cur.here()
            )));
        }
    }
}

fn missing_paren(name: &str) -> FormatError {
    FormatError::parse(format!("the action {name}(…) is missing its closing \")\""))
}

/// A quoted value after its opening quote `q`, with Python escapes
/// (`\'`, `\"`, `\\`, `\n`, `\t`, `\r`; others are kept as written).
///
/// A quote that is not escaped ends the value only where a value can end:
/// before `)`, before `,` and another argument, or at the end of the text.
/// Otherwise it is part of the text (`content='it's'` is `it's`).
fn quoted(cur: &mut Cursor<'_>, q: char, name: &str) -> Result<String, FormatError> {
    let mut out = String::new();
    loop {
        let Some(c) = cur.bump() else {
            return Err(FormatError::parse(format!(
                "a value in {name}(…) has no closing {q}; escape quotes inside it as \\{q}"
            )));
        };
        match c {
            '\\' => match cur.bump() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(e @ ('\\' | '\'' | '"')) => out.push(e),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            c if c == q && quote_ends_value(cur.rest()) => return Ok(out),
            c => out.push(c),
        }
    }
}

/// Whether a quote followed by `rest` closes a value.
fn quote_ends_value(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\t']);
    match rest.chars().next() {
        None | Some(')') | Some('\n') | Some('\r') => true,
        Some(',') => {
            let next = rest[1..].trim_start();
            next.starts_with(['\'', '"', ')']) || starts_with_keyword_arg(next) || next.is_empty()
        }
        _ => false,
    }
}

/// Whether the text starts with `name=`.
fn starts_with_keyword_arg(s: &str) -> bool {
    let len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    len > 0 && s[len..].trim_start().starts_with('=')
}

/// An unquoted value: up to a `,` or `)` outside brackets.
fn bare(cur: &mut Cursor<'_>, name: &str) -> Result<String, FormatError> {
    let start = cur.pos;
    let mut depth = 0usize;
    loop {
        match cur.peek() {
            None => return Err(missing_paren(name)),
            Some(',') if depth == 0 => break,
            Some(')') if depth == 0 => break,
            Some('(' | '[') => depth += 1,
            Some(')' | ']') => depth = depth.saturating_sub(1),
            _ => {}
        }
        cur.bump();
    }
    Ok(cur.s[start..cur.pos].trim().to_owned())
}

// ---------------------------------------------------------------------------
// Calls to actions.

/// The names the positional arguments of an action stand for, in order.
fn positional(name: &str) -> &'static [&'static str] {
    match name {
        "drag" | "select" => &["start_box", "end_box"],
        "scroll" => &["start_box", "direction"],
        "hotkey" | "press" | "keydown" | "keyup" | "release" => &["key"],
        "type" | "finished" | "call_user" => &["content"],
        _ => &["start_box"],
    }
}

/// The canonical name of an argument.
fn canonical_arg(name: &str) -> &str {
    match name {
        "point" | "start_point" | "box" => "start_box",
        "end_point" => "end_box",
        "hotkey" | "keys" => "key",
        "text" => "content",
        other => other,
    }
}

impl Call {
    /// The value of an argument, by canonical name or position.
    fn arg(&self, want: &str) -> Option<&str> {
        let names = positional(&self.name);
        let mut position = 0;
        for (name, value) in &self.args {
            let name = match name {
                Some(n) => canonical_arg(n),
                None => {
                    let n = names.get(position).copied().unwrap_or("");
                    position += 1;
                    n
                }
            };
            if name == want {
                return Some(value);
            }
        }
        None
    }
}

struct Ctx<'a> {
    space: &'a ModelSpace,
    screen: Size,
    thought: Option<&'a str>,
    marks: &'a [Point],
}

impl Ctx<'_> {
    fn action(&self, call: &Call) -> Result<Action, FormatError> {
        let name = call.name.as_str();
        let point = |field: &str| -> Result<Point, FormatError> {
            if let Some(p) = self.marked(call, field)? {
                return Ok(p);
            }
            let raw = call
                .arg(field)
                .ok_or_else(|| FormatError::missing(name, field))?;
            self.point(name, field, raw)
        };
        let click = |button, count| -> Result<Action, FormatError> {
            let p = point("start_box")?;
            Ok(Action::Click {
                x: Some(p.x),
                y: Some(p.y),
                button,
                count,
                modifiers: Vec::new(),
            })
        };
        match name {
            "click" | "left_single" => click(Button::Left, 1),
            "left_double" | "double_click" => click(Button::Left, 2),
            "right_single" | "right_click" => click(Button::Right, 1),
            "hover" | "mouse_move" | "move" => {
                let p = point("start_box")?;
                Ok(Action::Move { x: p.x, y: p.y })
            }
            "drag" | "select" => Ok(Action::Drag {
                path: vec![point("start_box")?, point("end_box")?],
            }),
            "hotkey" | "press" => {
                let raw = call
                    .arg("key")
                    .ok_or_else(|| FormatError::missing(name, "key"))?;
                Ok(Action::Key {
                    keys: hotkey_chord(name, raw)?,
                })
            }
            "keydown" | "keyup" | "release" => Err(FormatError::unsupported(format!(
                "{name}(…) (a key cannot stay held between turns; use hotkey(key='ctrl c') to press keys together)"
            ))),
            "type" => {
                let content = call
                    .arg("content")
                    .ok_or_else(|| FormatError::missing(name, "content"))?;
                Ok(Action::TypeText {
                    text: typed_text(content),
                })
            }
            "scroll" => {
                let p = match call.arg("start_box").filter(|s| !s.trim().is_empty()) {
                    Some(raw) => Some(self.point(name, "start_box", raw)?),
                    None => self.marked(call, "start_box")?,
                };
                let raw = call
                    .arg("direction")
                    .ok_or_else(|| FormatError::missing(name, "direction"))?;
                let n = SCROLL_NOTCHES;
                let (dx, dy) = match raw.trim().to_ascii_lowercase().as_str() {
                    "up" => (0, -n),
                    "down" => (0, n),
                    "left" => (-n, 0),
                    "right" => (n, 0),
                    _ => {
                        return Err(FormatError::bad(
                            name,
                            "direction",
                            format!(
                                "must be one of 'up', 'down', 'left', 'right', got {}",
                                quote(raw)
                            ),
                        ));
                    }
                };
                Ok(Action::Scroll {
                    x: p.map(|p| p.x),
                    y: p.map(|p| p.y),
                    dx,
                    dy,
                })
            }
            "wait" => Ok(Action::Wait { ms: WAIT_MS }),
            "finished" => Ok(Action::Done {
                message: call
                    .arg("content")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            }),
            "call_user" => {
                let message = call
                    .arg("content")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .or(self.thought)
                    .unwrap_or(DEFAULT_CALL_USER);
                Ok(Action::CallUser {
                    message: message.to_owned(),
                })
            }
            other => Err(FormatError::Unknown {
                what: format!("UI-TARS action {}; the actions are {ACTIONS}", quote(other)),
            }),
        }
    }

    /// The centre of the mark named for `field` (`mark` for `start_box`,
    /// `end_mark` for `end_box`), or `None` when the call names no mark.
    fn marked(&self, call: &Call, field: &str) -> Result<Option<Point>, FormatError> {
        let key = match field {
            "start_box" => "mark",
            "end_box" => "end_mark",
            _ => return Ok(None),
        };
        let Some(raw) = call
            .args
            .iter()
            .find(|(n, _)| n.as_deref() == Some(key))
            .map(|(_, v)| v.as_str())
        else {
            return Ok(None);
        };
        let name = call.name.as_str();
        let number: usize = raw
            .trim()
            .trim_matches(|c| matches!(c, '[' | ']' | '(' | ')' | '#'))
            .trim()
            .parse()
            .map_err(|_| {
                FormatError::bad(
                    name,
                    key,
                    format!("must be a mark number, got {}", quote(raw)),
                )
            })?;
        match number.checked_sub(1).and_then(|i| self.marks.get(i)) {
            Some(p) => Ok(Some(*p)),
            None if self.marks.is_empty() => Err(FormatError::bad(
                name,
                key,
                format!(
                    "names mark {number}, but this screenshot has no marks; give start_box='(x,y)' instead"
                ),
            )),
            None => Err(FormatError::bad(
                name,
                key,
                format!(
                    "names mark {number}, which is not on the screenshot; the marks are 1 to {}",
                    self.marks.len()
                ),
            )),
        }
    }

    /// A box or point in the model's space, as a screen point.
    fn point(&self, action: &str, field: &str, raw: &str) -> Result<Point, FormatError> {
        let (x, y) = parse_box(raw).ok_or_else(|| {
            FormatError::bad(
                action,
                field,
                format!(
                    "must be a point like '(x,y)' or a box like '(x1,y1,x2,y2)', got {}",
                    quote(raw)
                ),
            )
        })?;
        Ok(self.space.to_screen(x, y, self.screen))
    }
}

/// The point a box names: a point's two numbers, or the centre of a
/// four-number box, in any of the syntaxes of the module documentation.
fn parse_box(raw: &str) -> Option<(f64, f64)> {
    let mut s = raw.to_owned();
    for token in [
        "<|box_start|>",
        "<|box_end|>",
        "<point>",
        "</point>",
        "<bbox>",
        "</bbox>",
    ] {
        s = s.replace(token, " ");
    }
    let s: String = s
        .chars()
        .map(|c| {
            if matches!(c, '(' | ')' | '[' | ']' | ',') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut numbers = Vec::with_capacity(4);
    for token in s.split_whitespace() {
        let n: f64 = token.parse().ok()?;
        if !n.is_finite() || numbers.len() == 4 {
            return None;
        }
        numbers.push(n);
    }
    match numbers[..] {
        [x, y] => Some((x, y)),
        [x1, y1, x2, y2] => Some(((x1 + x2) / 2.0, (y1 + y2) / 2.0)),
        _ => None,
    }
}

/// `hotkey(key='ctrl c')`: names separated by spaces (or a `+` chord),
/// each checked, joined with `+`.
fn hotkey_chord(action: &str, raw: &str) -> Result<String, FormatError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FormatError::bad(
            action,
            "key",
            "must name keys in lower case separated by spaces, like 'ctrl c' or 'enter', got ''",
        ));
    }
    if raw.contains('+') && raw.chars().count() > 1 && parse_chord(raw).is_ok() {
        return Ok(raw.to_owned());
    }
    let mut names = Vec::new();
    for name in raw.split_whitespace() {
        if lookup(name).is_none() {
            return Err(FormatError::bad(
                action,
                "key",
                format!(
                    "has unknown key {}; write keys in lower case separated by spaces, like 'ctrl c' or 'enter'",
                    quote(name)
                ),
            ));
        }
        names.push(joinable_key_name(name));
    }
    Ok(names.join("+"))
}

/// `type`'s content as typed: a trailing literal backslash-`n` (escaped
/// twice by the model) is the newline that submits.
fn typed_text(content: &str) -> String {
    match content.strip_suffix("\\n") {
        Some(head) => format!("{head}\n"),
        None => content.to_owned(),
    }
}

/// Escapes text for a single-quoted value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// Writes an action as a UI-TARS call such as
/// `click(start_box='(683,384)')`: the inverse of [`parse_uitars`] where
/// UI-TARS can express the action (for replay, tests and action
/// histories). Only the call is written, without `Action:`.
///
/// Screen points are converted to `space` and rounded. UI-TARS's `scroll`
/// and `wait()` have fixed sizes, so their amounts are not written: any
/// scroll is written as one [`SCROLL_NOTCHES`] scroll in its direction,
/// any wait as `wait()`.
///
/// # Errors
///
/// [`FormatError::Unsupported`] for what UI-TARS cannot express: clicks
/// without coordinates or with modifiers, middle clicks, triple clicks,
/// drags through more than two points, diagonal scrolls, button down/up,
/// `hold_key`, `zoom`, `fail`. [`FormatError::BadField`] for a malformed
/// action.
pub fn to_uitars(action: &Action, space: &ModelSpace, screen: Size) -> Result<String, FormatError> {
    let point = |p: Point| {
        let (x, y) = model_point(space, p, screen);
        format!("'({x},{y})'")
    };
    let unsupported = |what: &str| FormatError::unsupported(format!("{what} in UI-TARS actions"));
    Ok(match action {
        Action::Move { x, y } => format!("hover(start_box={})", point(Point::new(*x, *y))),
        Action::Click {
            x,
            y,
            button,
            count,
            modifiers,
        } => {
            let (Some(x), Some(y)) = (x, y) else {
                return Err(unsupported("a click without coordinates"));
            };
            if !modifiers.is_empty() {
                return Err(unsupported("a click with held modifiers"));
            }
            let name = match (button, count) {
                (Button::Left, 1) => "click",
                (Button::Left, 2) => "left_double",
                (Button::Right, 1) => "right_single",
                _ => return Err(unsupported(&format!("a {button} click ×{count}"))),
            };
            format!("{name}(start_box={})", point(Point::new(*x, *y)))
        }
        Action::Drag { path } => match path.as_slice() {
            [start, end] => format!("drag(start_box={}, end_box={})", point(*start), point(*end)),
            _ => {
                return Err(unsupported(&format!(
                    "a drag through {} points (only 2)",
                    path.len()
                )));
            }
        },
        Action::Scroll { x, y, dx, dy } => {
            let direction = match (dx.signum(), dy.signum()) {
                (0, 0) => {
                    return Err(FormatError::bad(
                        "scroll",
                        "dx, dy",
                        "are both 0: scroll needs a non-zero dx or dy",
                    ));
                }
                (0, -1) => "up",
                (0, _) => "down",
                (-1, 0) => "left",
                (_, 0) => "right",
                _ => return Err(unsupported("a diagonal scroll (both dx and dy)")),
            };
            match (x, y) {
                (Some(x), Some(y)) => format!(
                    "scroll(start_box={}, direction='{direction}')",
                    point(Point::new(*x, *y))
                ),
                _ => format!("scroll(direction='{direction}')"),
            }
        }
        Action::TypeText { text } => format!("type(content='{}')", escape(text)),
        Action::Key { keys } => {
            parse_chord(keys)
                .map_err(|e| FormatError::bad("key", "keys", format!("is not a key chord: {e}")))?;
            let names: Vec<String> = chord_names(keys)
                .into_iter()
                .map(|n| {
                    if n.chars().count() > 1 {
                        n.to_lowercase()
                    } else {
                        n
                    }
                })
                .collect();
            format!("hotkey(key='{}')", escape(&names.join(" ")))
        }
        Action::Wait { .. } => "wait()".to_owned(),
        Action::Done { message: None } => "finished()".to_owned(),
        Action::Done {
            message: Some(message),
        } => format!("finished(content='{}')", escape(message)),
        Action::CallUser { .. } => "call_user()".to_owned(),
        Action::MouseDown { .. }
        | Action::MouseUp { .. }
        | Action::HoldKey { .. }
        | Action::Zoom { .. }
        | Action::Fail { .. } => {
            return Err(unsupported(&format!("the {} action", action.kind())));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    const SCREEN: Size = Size::new(1920, 1080);

    fn parse(text: &str, space: &ModelSpace) -> UiTarsTurn {
        parse_uitars(text, space, SCREEN).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn actions(text: &str) -> Vec<Action> {
        parse(text, &ModelSpace::Screen).actions
    }

    fn one(text: &str) -> Action {
        let mut a = actions(text);
        assert_eq!(a.len(), 1, "{text}");
        a.remove(0)
    }

    fn err(text: &str) -> String {
        match parse_uitars(text, &ModelSpace::Screen, SCREEN) {
            Err(e) => e.to_string(),
            Ok(turn) => panic!("{text:?} gave {turn:?}"),
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
    fn a_real_ui_tars_1_5_answer() {
        // As UI-TARS-1.5-7B answers through vLLM on a 1920x1080 screen: its
        // coordinates are pixels of the smart-resized image, 1932x1092.
        let text = "Thought: I need to open the File menu to find the Save As option. \
The File menu is in the top-left corner of the LibreOffice window.\n\
Action: click(start_box='(27,14)')";
        let turn = parse(text, &ModelSpace::UI_TARS_1_5);
        assert_eq!(
            turn.thought.as_deref(),
            Some(
                "I need to open the File menu to find the Save As option. \
The File menu is in the top-left corner of the LibreOffice window."
            )
        );
        assert_eq!(turn.actions, vec![click(27, 14, Button::Left, 1)]);
        let text = "Thought: Now type the file name and press Enter.\n\
Action: type(content='report.pdf\\n')";
        let turn = parse(text, &ModelSpace::UI_TARS_1_5);
        assert_eq!(
            turn.actions,
            vec![Action::TypeText {
                text: "report.pdf\n".into()
            }]
        );
        // The centre of the image is the centre of the screen.
        let turn = parse(
            "Thought: x\nAction: click(start_box='(966,546)')",
            &ModelSpace::UI_TARS_1_5,
        );
        assert_eq!(turn.actions, vec![click(960, 540, Button::Left, 1)]);
    }

    #[test]
    fn a_real_ui_tars_1_0_answer_in_relative_coordinates() {
        let text =
            "Thought: 点击搜索框。\nAction: click(start_box='<|box_start|>(500,500)<|box_end|>')";
        let turn = parse(text, &ModelSpace::Relative1000);
        assert_eq!(turn.thought.as_deref(), Some("点击搜索框。"));
        assert_eq!(turn.actions, vec![click(960, 540, Button::Left, 1)]);
        let text = "Action: click(start_box='(1000,1000)')";
        assert_eq!(
            parse(text, &ModelSpace::Relative1000).actions,
            vec![click(1919, 1079, Button::Left, 1)]
        );
    }

    #[test]
    fn scaled_space() {
        let space = ModelSpace::Scaled {
            width: 1366,
            height: 768,
        };
        assert_eq!(
            parse("Action: click(start_box='(683,384)')", &space).actions,
            vec![click(960, 540, Button::Left, 1)]
        );
    }

    #[test]
    fn every_box_syntax() {
        for b in [
            "'(100,200)'",
            "'( 100 , 200 )'",
            "'(90,190,110,210)'",
            "'[90, 190, 110, 210]'",
            "'<|box_start|>(100,200)<|box_end|>'",
            "'<|box_start|>(90,190,110,210)<|box_end|>'",
            "'<bbox>90 190 110 210</bbox>'",
            "'<point>100 200</point>'",
            "\"(100,200)\"",
            "(100,200)",
            "<point>100 200</point>",
            "'(100.4,199.6)'",
        ] {
            assert_eq!(
                one(&format!("Action: click(start_box={b})")),
                click(100, 200, Button::Left, 1),
                "{b}"
            );
        }
        for arg in ["point", "start_point", "start_box"] {
            assert_eq!(
                one(&format!("Action: click({arg}='<point>100 200</point>')")),
                click(100, 200, Button::Left, 1),
                "{arg}"
            );
        }
        assert_eq!(
            one("Action: click('(100,200)')"),
            click(100, 200, Button::Left, 1)
        );
    }

    #[test]
    fn every_action() {
        assert_eq!(
            one("Action: click(start_box='(10,20)')"),
            click(10, 20, Button::Left, 1)
        );
        assert_eq!(
            one("Action: left_single(start_box='(10,20)')"),
            click(10, 20, Button::Left, 1)
        );
        assert_eq!(
            one("Action: left_double(start_box='(10,20)')"),
            click(10, 20, Button::Left, 2)
        );
        assert_eq!(
            one("Action: right_single(start_box='(10,20)')"),
            click(10, 20, Button::Right, 1)
        );
        assert_eq!(
            one("Action: hover(start_box='(10,20)')"),
            Action::Move { x: 10, y: 20 }
        );
        let drag = Action::Drag {
            path: vec![Point::new(10, 20), Point::new(300, 400)],
        };
        assert_eq!(
            one("Action: drag(start_box='(10,20)', end_box='(300,400)')"),
            drag
        );
        assert_eq!(
            one(
                "Action: drag(start_point='<point>10 20</point>', end_point='<point>300 400</point>')"
            ),
            drag
        );
        assert_eq!(
            one("Action: select(start_box='[0,0,20,40]', end_box='[290,390,310,410]')"),
            drag
        );
        assert_eq!(
            one("Action: hotkey(key='ctrl c')"),
            Action::Key {
                keys: "ctrl+c".into()
            }
        );
        assert_eq!(
            one("Action: hotkey(key='ctrl shift t')"),
            Action::Key {
                keys: "ctrl+shift+t".into()
            }
        );
        assert_eq!(
            one("Action: hotkey(key='enter')"),
            Action::Key {
                keys: "enter".into()
            }
        );
        assert_eq!(
            one("Action: hotkey(key='ctrl+s')"),
            Action::Key {
                keys: "ctrl+s".into()
            }
        );
        assert_eq!(
            one("Action: hotkey(hotkey='alt f4')"),
            Action::Key {
                keys: "alt+f4".into()
            }
        );
        assert_eq!(
            one("Action: press(key='arrowdown')"),
            Action::Key {
                keys: "arrowdown".into()
            }
        );
        assert_eq!(
            one("Action: hotkey(key='ctrl +')"),
            Action::Key {
                keys: "ctrl+plus".into()
            }
        );
        assert_eq!(
            one("Action: type(content='hello world')"),
            Action::TypeText {
                text: "hello world".into()
            }
        );
        let scroll = |dx, dy| Action::Scroll {
            x: Some(10),
            y: Some(20),
            dx,
            dy,
        };
        assert_eq!(
            one("Action: scroll(start_box='(10,20)', direction='down')"),
            scroll(0, 5)
        );
        assert_eq!(
            one("Action: scroll(start_box='(10,20)', direction='up')"),
            scroll(0, -5)
        );
        assert_eq!(
            one("Action: scroll(point='<point>10 20</point>', direction='left')"),
            scroll(-5, 0)
        );
        assert_eq!(
            one("Action: scroll(start_box='(10,20)', direction='right')"),
            scroll(5, 0)
        );
        assert_eq!(
            one("Action: scroll(direction='down')"),
            Action::Scroll {
                x: None,
                y: None,
                dx: 0,
                dy: 5
            }
        );
        assert_eq!(one("Action: wait()"), Action::Wait { ms: 5000 });
        assert_eq!(
            one("Action: finished(content='The file was saved as report.pdf.')"),
            Action::Done {
                message: Some("The file was saved as report.pdf.".into())
            }
        );
        assert_eq!(one("Action: finished()"), Action::Done { message: None });
        assert_eq!(one("Action: finished"), Action::Done { message: None });
        assert_eq!(
            one("Action: call_user()"),
            Action::CallUser {
                message: DEFAULT_CALL_USER.into()
            }
        );
        assert_eq!(
            parse(
                "Thought: I need the password to log in.\nAction: call_user()",
                &ModelSpace::Screen
            )
            .actions,
            vec![Action::CallUser {
                message: "I need the password to log in.".into()
            }]
        );
        for a in actions(
            "Action: hotkey(key='ctrl shift t')\n\nhotkey(key='alt f4')\n\npress(key='arrowdown')",
        ) {
            a.validate(SCREEN).unwrap();
        }
    }

    #[test]
    fn type_escapes() {
        let t = |text: &str| match one(text) {
            Action::TypeText { text } => text,
            other => panic!("{other}"),
        };
        assert_eq!(t(r"Action: type(content='it\'s')"), "it's");
        assert_eq!(t(r#"Action: type(content='say \"hi\"')"#), "say \"hi\"");
        assert_eq!(
            t(r"Action: type(content='line1\nline2\n')"),
            "line1\nline2\n"
        );
        assert_eq!(t(r"Action: type(content='a\tb')"), "a\tb");
        assert_eq!(t(r"Action: type(content='C:\\Users')"), "C:\\Users");
        assert_eq!(t(r"Action: type(content='\d+')"), "\\d+");
        // Unescaped quotes inside the text are kept when they cannot end it.
        assert_eq!(t("Action: type(content='it's fine')"), "it's fine");
        assert_eq!(t(r#"Action: type(content="it's")"#), "it's");
        assert_eq!(t("Action: type(content='a, b')"), "a, b");
        assert_eq!(t("Action: type(content='f(x)')"), "f(x)");
        // Twice-escaped newline at the end: still Enter.
        assert_eq!(t(r"Action: type(content='search\\n')"), "search\n");
        // A literal newline inside the quotes.
        assert_eq!(t("Action: type(content='a\nb')"), "a\nb");
        assert_eq!(t("Action: type(content='')"), "");
        assert_eq!(t("Action: type(content='😀 ünïcode')"), "😀 ünïcode");
    }

    #[test]
    fn several_actions_and_sections() {
        let text =
            "Thought: Select all and copy.\nAction: hotkey(key='ctrl a')\n\nhotkey(key='ctrl c')";
        assert_eq!(
            actions(text),
            vec![
                Action::Key {
                    keys: "ctrl+a".into()
                },
                Action::Key {
                    keys: "ctrl+c".into()
                }
            ]
        );
        let text =
            "Thought: Two steps.\nAction: click(start_box='(1,2)')\nAction: type(content='x')";
        assert_eq!(actions(text).len(), 2);
        let text = "Action: click(start_box='(1,2)')\ntype(content='x') # then submit\nhotkey(key='enter');";
        assert_eq!(actions(text).len(), 3);
        // Multi-line thought.
        let turn = parse(
            "Thought: First line.\nSecond line.\n\nThird.\nAction: wait()",
            &ModelSpace::Screen,
        );
        assert_eq!(
            turn.thought.as_deref(),
            Some("First line.\nSecond line.\n\nThird.")
        );
        // Reflection is dropped; Action_Summary stands in for a thought.
        let turn = parse(
            "Reflection: The last click missed.\nAction_Summary: Click the OK button.\nAction: click(start_box='(5,6)')",
            &ModelSpace::Screen,
        );
        assert_eq!(turn.thought.as_deref(), Some("Click the OK button."));
        assert_eq!(turn.actions, vec![click(5, 6, Button::Left, 1)]);
        // No thought at all.
        assert_eq!(parse("Action: wait()", &ModelSpace::Screen).thought, None);
        // Text before the action without a header is the thought.
        assert_eq!(
            parse("I will wait.\nAction: wait()", &ModelSpace::Screen)
                .thought
                .as_deref(),
            Some("I will wait.")
        );
        // Code fences, markdown headers, and Action on the thought's line.
        let turn = parse(
            "```\nThought: Fenced.\nAction: wait()\n```",
            &ModelSpace::Screen,
        );
        assert_eq!(turn.thought.as_deref(), Some("Fenced."));
        assert_eq!(turn.actions, vec![Action::Wait { ms: 5000 }]);
        let turn = parse(
            "**Thought:** Bold.\n**Action:** wait()",
            &ModelSpace::Screen,
        );
        assert_eq!(turn.actions, vec![Action::Wait { ms: 5000 }]);
        let turn = parse(
            "Thought: Inline. Action: click(start_box='(1,2)')",
            &ModelSpace::Screen,
        );
        assert_eq!(turn.thought.as_deref(), Some("Inline."));
        assert_eq!(turn.actions, vec![click(1, 2, Button::Left, 1)]);
        // A bare call without headers.
        assert_eq!(
            one("click(start_box='(1,2)')"),
            click(1, 2, Button::Left, 1)
        );
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            err("I am not sure what to do."),
            r#"cannot parse the response: the answer has no "Action:" line; answer with "Thought: …" and then a line like "Action: click(start_box='(x,y)')""#
        );
        assert_eq!(
            err("Thought: hmm"),
            r#"cannot parse the response: the answer has no "Action:" line; answer with "Thought: …" and then a line like "Action: click(start_box='(x,y)')""#
        );
        assert_eq!(
            err("Thought: hmm\nAction:"),
            r#"cannot parse the response: the "Action:" line names no action; write one like "Action: click(start_box='(x,y)')""#
        );
        assert_eq!(
            err("Action: click(start_box='(1,2)'"),
            r#"cannot parse the response: the action click(…) is missing its closing ")""#
        );
        assert_eq!(
            err("Action: type(content='abc"),
            r"cannot parse the response: a value in type(…) has no closing '; escape quotes inside it as \'"
        );
        assert_eq!(
            err("Action: click start_box='(1,2)'"),
            r#"cannot parse the response: the action "click" must be followed by its arguments in parentheses, like click(…), but found " start_box='(1,2)'""#
        );
        assert_eq!(
            err("Action: 42"),
            r#"cannot parse the response: expected an action such as click(start_box='(x,y)') but found "42""#
        );
        assert_eq!(
            err("Action: click(start_box='(1,2)'\n  end_box='(3,4)')"),
            r#"cannot parse the response: unexpected "end_box='(3,4)')" in the arguments of click(…); separate arguments with commas and quote each value"#
        );
        assert_eq!(
            err("Action: click(start_box='(1,2)' end_box='(3,4)')"),
            r#"click: start_box must be a point like '(x,y)' or a box like '(x1,y1,x2,y2)', got "(1,2)' end_box='(3,4)""#
        );
        assert_eq!(
            err("Action: click(start_box='(1,2,3)')"),
            r#"click: start_box must be a point like '(x,y)' or a box like '(x1,y1,x2,y2)', got "(1,2,3)""#
        );
        assert_eq!(
            err("Action: click(start_box='(a,b)')"),
            r#"click: start_box must be a point like '(x,y)' or a box like '(x1,y1,x2,y2)', got "(a,b)""#
        );
        assert_eq!(
            err("Action: click(start_box='(nan,inf)')"),
            r#"click: start_box must be a point like '(x,y)' or a box like '(x1,y1,x2,y2)', got "(nan,inf)""#
        );
        assert_eq!(
            err("Action: click()"),
            r#"click: missing required field "start_box""#
        );
        assert_eq!(
            err("Action: drag(start_box='(1,2)')"),
            r#"drag: missing required field "end_box""#
        );
        assert_eq!(
            err("Action: hotkey(key='ctrl kay')"),
            r#"hotkey: key has unknown key "kay"; write keys in lower case separated by spaces, like 'ctrl c' or 'enter'"#
        );
        assert_eq!(
            err("Action: hotkey(key='')"),
            "hotkey: key must name keys in lower case separated by spaces, like 'ctrl c' or 'enter', got ''"
        );
        assert_eq!(
            err("Action: hotkey()"),
            r#"hotkey: missing required field "key""#
        );
        assert_eq!(
            err("Action: type()"),
            r#"type: missing required field "content""#
        );
        assert_eq!(
            err("Action: scroll(start_box='(1,2)', direction='sideways')"),
            r#"scroll: direction must be one of 'up', 'down', 'left', 'right', got "sideways""#
        );
        assert_eq!(
            err("Action: scroll(start_box='(1,2)')"),
            r#"scroll: missing required field "direction""#
        );
        assert_eq!(
            err("Action: keydown(key='shift')"),
            "keydown(…) (a key cannot stay held between turns; use hotkey(key='ctrl c') to press keys together) is not supported"
        );
        assert_eq!(
            err("Action: open_app(app_name='Settings')"),
            format!(r#"unknown UI-TARS action "open_app"; the actions are {ACTIONS}"#)
        );
        // An error in a later action is reported even after good ones.
        assert_eq!(
            err("Action: wait()\n\nclik(start_box='(1,2)')"),
            format!(r#"unknown UI-TARS action "clik"; the actions are {ACTIONS}"#)
        );
    }

    #[test]
    fn to_uitars_writes_calls() {
        let to = |a: &Action| to_uitars(a, &ModelSpace::Relative1000, SCREEN);
        assert_eq!(
            to(&click(960, 540, Button::Left, 1)),
            Ok("click(start_box='(500,500)')".into())
        );
        assert_eq!(
            to(&Action::TypeText {
                text: "it's a \\ test\n".into()
            }),
            Ok(r"type(content='it\'s a \\ test\n')".into())
        );
        assert_eq!(
            to(&Action::Key {
                keys: "ctrl+Shift+t".into()
            }),
            Ok("hotkey(key='ctrl shift t')".into())
        );
        assert_eq!(
            to(&Action::Scroll {
                x: None,
                y: None,
                dx: 0,
                dy: -2
            }),
            Ok("scroll(direction='up')".into())
        );
        assert_eq!(
            to(&Action::Done {
                message: Some("ok".into())
            }),
            Ok("finished(content='ok')".into())
        );
        let unsupported = |a: Action| to(&a).unwrap_err().to_string();
        assert_eq!(
            unsupported(Action::Click {
                x: None,
                y: None,
                button: Button::Left,
                count: 1,
                modifiers: vec![]
            }),
            "a click without coordinates in UI-TARS actions is not supported"
        );
        assert_eq!(
            unsupported(Action::Click {
                x: Some(1),
                y: Some(1),
                button: Button::Left,
                count: 1,
                modifiers: vec!["ctrl".into()]
            }),
            "a click with held modifiers in UI-TARS actions is not supported"
        );
        assert_eq!(
            unsupported(click(1, 1, Button::Middle, 1)),
            "a middle click ×1 in UI-TARS actions is not supported"
        );
        assert_eq!(
            unsupported(Action::Fail { reason: "x".into() }),
            "the fail action in UI-TARS actions is not supported"
        );
        assert_eq!(
            unsupported(Action::Scroll {
                x: None,
                y: None,
                dx: 1,
                dy: 1
            }),
            "a diagonal scroll (both dx and dy) in UI-TARS actions is not supported"
        );
        assert_eq!(
            unsupported(Action::Drag {
                path: vec![Point::new(0, 0); 3]
            }),
            "a drag through 3 points (only 2) in UI-TARS actions is not supported"
        );
    }

    #[test]
    fn round_trips_within_one_pixel() {
        let actions = vec![
            Action::Move { x: 0, y: 1079 },
            click(1919, 0, Button::Left, 1),
            click(333, 777, Button::Right, 1),
            click(17, 29, Button::Left, 2),
            Action::Drag {
                path: vec![Point::new(5, 7), Point::new(1500, 999)],
            },
            Action::Scroll {
                x: Some(100),
                y: Some(200),
                dx: 0,
                dy: 5,
            },
            Action::Scroll {
                x: None,
                y: None,
                dx: -5,
                dy: 0,
            },
            Action::TypeText {
                text: "it's \"quoted\", (with) \\ back\\slashes\tand\nlines\n".into(),
            },
            Action::TypeText {
                text: "ünïcode 😀".into(),
            },
            Action::Key {
                keys: "ctrl+shift+t".into(),
            },
            Action::Key {
                keys: "ctrl+plus".into(),
            },
            Action::Key {
                keys: "enter".into(),
            },
            Action::Wait { ms: WAIT_MS },
            Action::Done { message: None },
            Action::Done {
                message: Some("Saved it, as 'a.txt'.".into()),
            },
            Action::CallUser {
                message: DEFAULT_CALL_USER.into(),
            },
        ];
        for screen in [
            Size::new(1920, 1080),
            Size::new(1366, 768),
            Size::new(2560, 1440),
        ] {
            for space in [
                ModelSpace::Screen,
                ModelSpace::Scaled {
                    width: 1366,
                    height: 768,
                },
                ModelSpace::Relative1000,
                ModelSpace::UI_TARS_1_5,
            ] {
                for a in &actions {
                    let a = a.map_points(|p| {
                        Point::new(
                            p.x.min(screen.width as i32 - 1),
                            p.y.min(screen.height as i32 - 1),
                        )
                    });
                    let call = to_uitars(&a, &space, screen).unwrap();
                    for text in [format!("Action: {call}"), call.clone()] {
                        let turn = parse_uitars(&text, &space, screen)
                            .unwrap_or_else(|e| panic!("{a} -> {text}: {e}"));
                        assert_eq!(turn.actions.len(), 1, "{text}");
                        let back = &turn.actions[0];
                        let (pa, pb) = (a.points(), back.points());
                        assert_eq!(pa.len(), pb.len(), "{a} -> {text} -> {back}");
                        for (p, q) in pa.iter().zip(&pb) {
                            assert!(
                                (p.x - q.x).abs() <= 1 && (p.y - q.y).abs() <= 1,
                                "{space:?} {screen}: {a} -> {text} -> {back}"
                            );
                        }
                        assert_eq!(
                            a.map_points(|_| Point::new(0, 0)),
                            back.map_points(|_| Point::new(0, 0)),
                            "{a} -> {text}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn marks_name_their_centres_and_unknown_marks_are_errors() {
        let marks = [Point::new(10, 20), Point::new(300, 400)];
        let parse =
            |text: &str| parse_uitars_with_marks(text, &ModelSpace::Relative1000, SCREEN, &marks);
        let turn = parse("Thought: the second one.\nAction: click(mark=2)").unwrap();
        assert_eq!(turn.actions, vec![click(300, 400, Button::Left, 1)]);
        assert_eq!(
            parse("Action: left_double(mark='1')").unwrap().actions,
            vec![click(10, 20, Button::Left, 2)]
        );
        assert_eq!(
            parse("Action: drag(mark=[1], end_mark=2)").unwrap().actions,
            vec![Action::Drag {
                path: vec![Point::new(10, 20), Point::new(300, 400)]
            }]
        );
        assert!(matches!(
            parse("Action: scroll(mark=2, direction='down')")
                .unwrap()
                .actions[..],
            [Action::Scroll {
                x: Some(300),
                y: Some(400),
                ..
            }]
        ));
        // A box still works next to marks.
        assert_eq!(
            parse("Action: click(start_box='(500,500)')")
                .unwrap()
                .actions,
            vec![click(960, 540, Button::Left, 1)]
        );
        let e = parse("Action: click(mark=3)").unwrap_err().to_string();
        assert!(e.contains("mark 3") && e.contains("1 to 2"), "{e}");
        let e = parse("Action: click(mark=0)").unwrap_err().to_string();
        assert!(e.contains("mark 0"), "{e}");
        let e = parse("Action: click(mark='Save')").unwrap_err().to_string();
        assert!(e.contains("mark number"), "{e}");
        let e = parse_uitars("Action: click(mark=1)", &ModelSpace::Screen, SCREEN)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no marks"), "{e}");
    }
}
