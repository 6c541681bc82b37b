//! The desktop's metrics (`basic_os.py`): files moved, time zones, favourite apps, the clipboard.
//!
//! - `check_moved_jpgs(tree, rules)`: the names of the `list_directory` tree's children equal
//!   `rules["expected"]` as sets, with as many names as expected (a missing folder: 0).
//! - `is_utc_0(text)`: the 4th line of `timedatectl status` ends with `+0000)`.
//! - `check_gnome_favorite_apps(text, rules)`: `eval(text)` (what `gsettings get …
//!   favorite-apps` prints: a Python list literal) has as many items as `rules["expected"]`
//!   and the same set; the literal is read as `eval` reads literals of strings (lists, tuples,
//!   sets, a bare string as its characters, comments, prefixes, escapes); anything else
//!   (`@as []`, an error message) scores 0, as `eval` raises.
//! - `is_in_vm_clickboard(rules, text)`: note the order, as in the corpus: the result is the
//!   rule and the expected value the clipboard's text; `rules["expected"]` (or each item of it)
//!   is a substring of the text.

use super::{Got, MetricError, invalid, py, rules, score_of, value};
use serde_json::{Map, Value};

/// The metrics of this module.
pub(super) const NAMES: &[&str] = &[
    "check_gnome_favorite_apps",
    "check_moved_jpgs",
    "is_in_vm_clickboard",
    "is_utc_0",
];

/// Whether `options` fit metric `name` (one of [`NAMES`]), without reading anything.
pub(super) fn check_options(name: &str, options: &Map<String, Value>) -> Result<(), MetricError> {
    let _ = (name, options);
    Ok(())
}

/// Scores metric `name` (one of [`NAMES`]).
pub(super) fn score(
    name: &str,
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    let _ = options;
    match name {
        "check_moved_jpgs" => check_moved_jpgs(result, expected),
        "is_utc_0" => is_utc_0(result),
        "check_gnome_favorite_apps" => check_gnome_favorite_apps(result, expected),
        "is_in_vm_clickboard" => is_in_vm_clickboard(result, expected),
        _ => Err(MetricError::Unsupported(name.to_owned())),
    }
}

/// `len(a) == len(b) and set(a) == set(b)` with Python's `==`.
fn same_set(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len()
        && a.iter().all(|x| b.iter().any(|y| py::eq(x, y)))
        && b.iter().all(|y| a.iter().any(|x| py::eq(x, y)))
}

fn expected_list<'r>(
    metric: &str,
    rules: &'r Map<String, Value>,
) -> Result<&'r [Value], MetricError> {
    match rules.get("expected") {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(invalid(metric, "rules must hold a list \"expected\"")),
    }
}

fn check_moved_jpgs(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "check_moved_jpgs";
    let wanted = expected_list(M, rules(M, expected)?)?;
    let Some(tree) = value(M, "result", result)? else {
        return Ok(0.0);
    };
    let Some(Value::Array(children)) = tree.get("children") else {
        return Ok(0.0);
    };
    let mut names = Vec::with_capacity(children.len());
    for child in children {
        match child.get("name") {
            Some(n) => names.push(n.clone()),
            None => return Ok(0.0),
        }
    }
    Ok(score_of(same_set(&names, wanted)))
}

fn is_utc_0(result: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "is_utc_0";
    let Some(Value::String(text)) = value(M, "result", result)? else {
        return Ok(0.0);
    };
    Ok(score_of(
        text.split('\n')
            .nth(3)
            .is_some_and(|l| l.ends_with("+0000)")),
    ))
}

/// What `eval` makes of `text` when it is a literal of strings: a list, tuple or set of
/// string literals (a set without its duplicates), or one string (which `len()` and `set()`
/// see as its characters). String literals as Python reads them: `'…'`, `"…"`, triple quotes,
/// `r`/`u` prefixes, escapes (`\n`, `\x2e`, `\u00e9`, octal, …), adjacent literals joined;
/// comments and blanks around. `None` for anything else (eval would raise, or give something
/// this metric's callers never see).
fn python_str_items(text: &str) -> Option<Vec<Value>> {
    let mut p = Literal {
        chars: text.chars().collect(),
        at: 0,
    };
    let items = p.expression()?;
    p.blank();
    (p.at == p.chars.len()).then_some(items)
}

struct Literal {
    chars: Vec<char>,
    at: usize,
}

impl Literal {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    /// Skips blanks, line breaks and `#` comments.
    fn blank(&mut self) {
        while let Some(c) = self.peek() {
            if c == '#' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.at += 1;
                }
            } else if py::is_space(c) {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    fn expression(&mut self) -> Option<Vec<Value>> {
        self.blank();
        let (close, dedupe) = match self.peek()? {
            '[' => (']', false),
            '(' => (')', false),
            '{' => ('}', true),
            _ => {
                let s = self.strings()?;
                return Some(s.chars().map(|c| Value::String(c.to_string())).collect());
            }
        };
        let open = self.peek()?;
        self.at += 1;
        let mut items: Vec<Value> = Vec::new();
        let mut commas = 0;
        loop {
            self.blank();
            if self.peek()? == close {
                self.at += 1;
                break;
            }
            let item = Value::String(self.strings()?);
            if !(dedupe && items.contains(&item)) {
                items.push(item);
            }
            self.blank();
            match self.peek()? {
                ',' => {
                    self.at += 1;
                    commas += 1;
                }
                c if c == close => {}
                _ => return None,
            }
        }
        if open == '(' && commas == 0 && items.len() == 1 {
            // `('a')` is the string itself.
            let s = items.pop().and_then(|v| v.as_str().map(str::to_owned))?;
            return Some(s.chars().map(|c| Value::String(c.to_string())).collect());
        }
        Some(items)
    }

    /// One or more adjacent string literals, joined.
    fn strings(&mut self) -> Option<String> {
        let mut out = self.string()?;
        loop {
            let save = self.at;
            self.blank();
            match self.string() {
                Some(more) => out.push_str(&more),
                None => {
                    self.at = save;
                    return Some(out);
                }
            }
        }
    }

    fn string(&mut self) -> Option<String> {
        let start = self.at;
        let mut raw = false;
        while let Some(c) = self.peek() {
            match c {
                'r' | 'R' => raw = true,
                'u' | 'U' => {}
                _ => break,
            }
            self.at += 1;
        }
        if self.at - start > 2 {
            self.at = start;
            return None;
        }
        let Some(quote @ ('\'' | '"')) = self.peek() else {
            self.at = start;
            return None;
        };
        let triple = self.chars.get(self.at..self.at + 3) == Some(&[quote; 3][..]);
        self.at += if triple { 3 } else { 1 };
        let mut out = String::new();
        loop {
            let c = self.peek()?;
            if c == quote
                && (!triple || self.chars.get(self.at..self.at + 3) == Some(&[quote; 3][..]))
            {
                self.at += if triple { 3 } else { 1 };
                return Some(out);
            }
            if c == '\n' && !triple {
                return None;
            }
            self.at += 1;
            if c != '\\' {
                out.push(c);
                continue;
            }
            let e = self.peek()?;
            self.at += 1;
            if raw {
                out.push('\\');
                out.push(e);
                continue;
            }
            match e {
                '\n' => {}
                '\\' | '\'' | '"' => out.push(e),
                'a' => out.push('\u{7}'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'v' => out.push('\u{b}'),
                'x' => out.push(self.hex(2)?),
                'u' => out.push(self.hex(4)?),
                'U' => out.push(self.hex(8)?),
                '0'..='7' => {
                    let mut n = e.to_digit(8)?;
                    for _ in 0..2 {
                        match self.peek().and_then(|d| d.to_digit(8)) {
                            Some(d) => {
                                n = n * 8 + d;
                                self.at += 1;
                            }
                            None => break,
                        }
                    }
                    out.push(char::from_u32(n)?);
                }
                // \N{…} needs Unicode's names: not read.
                'N' => return None,
                other => {
                    out.push('\\');
                    out.push(other);
                }
            }
        }
    }

    fn hex(&mut self, digits: usize) -> Option<char> {
        let s: String = self.chars.get(self.at..self.at + digits)?.iter().collect();
        self.at += digits;
        char::from_u32(u32::from_str_radix(&s, 16).ok()?)
    }
}

fn check_gnome_favorite_apps(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "check_gnome_favorite_apps";
    let wanted = expected_list(M, rules(M, expected)?)?;
    let Some(Value::String(text)) = value(M, "result", result)? else {
        return Ok(0.0);
    };
    let Some(apps) = python_str_items(&text) else {
        return Ok(0.0);
    };
    Ok(score_of(same_set(&apps, wanted)))
}

fn is_in_vm_clickboard(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "is_in_vm_clickboard";
    let config = rules(M, result)?;
    let Some(Value::String(text)) = value(M, "expected", expected)? else {
        return Ok(0.0);
    };
    let contains = |v: &Value| match v {
        Value::String(s) => Ok(text.contains(s.as_str())),
        other => Err(invalid(M, format!("expected text, got {other}"))),
    };
    match config.get("expected") {
        Some(Value::Array(items)) => {
            for item in items {
                if !contains(item)? {
                    return Ok(0.0);
                }
            }
            Ok(1.0)
        }
        Some(v) => Ok(score_of(contains(v)?)),
        None => Err(invalid(M, "rules must hold \"expected\"")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_lists() {
        let items = |t: &str| {
            python_str_items(t).map(|v| {
                v.iter()
                    .map(|x| x.as_str().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            items("['a.desktop', \"b.desktop\"]\n"),
            Some(vec!["a.desktop".into(), "b.desktop".into()])
        );
        assert_eq!(items("[]"), Some(vec![]));
        assert_eq!(items("['a',]"), Some(vec!["a".into()]));
        assert_eq!(items("@as []"), None);
        assert_eq!(items("['a' 'b']"), Some(vec!["ab".into()]));
        assert_eq!(items("['a.desktop'] # c"), Some(vec!["a.desktop".into()]));
        assert_eq!(items("{'a', 'a'}"), Some(vec!["a".into()]));
        assert_eq!(items("['a\\x2edesktop']"), Some(vec!["a.desktop".into()]));
        assert_eq!(
            items("[r'a\\x2e', u'b']"),
            Some(vec!["a\\x2e".into(), "b".into()])
        );
        assert_eq!(items("'ab'"), Some(vec!["a".into(), "b".into()]));
        assert_eq!(items("('a',)"), Some(vec!["a".into()]));
        assert_eq!(items("[1]"), None);
        assert_eq!(items("['a'"), None);
    }
}
