//! CSS selectors translated to XPath 1.0 as Python's `cssselect` (`GenericTranslator`, the one
//! lxml's `CSSSelector` uses) translates them, so that a selector run through libxml2's XPath
//! selects exactly what lxml selects in OSWorld.
//!
//! Supported: type selectors with namespaces (`ns|tag`, `*`), `#id`, `.class`, attribute
//! selectors with namespaces (`[attr|id]`, `=`, `~=`, `|=`, `^=`, `$=`, `*=`, `!=`, values as
//! identifiers or strings, escapes), the combinators ` `, `>`, `+`, `~`, selector lists (`,`),
//! `:not(…)`, `:contains(…)` (lxml's: case-insensitive, see [`LXML_LOWER_CASE`]),
//! `:nth-child(an+b)`, `:nth-last-child()`, `:nth-of-type()`, `:nth-last-of-type()` (`odd`,
//! `even`, `n`, `-n+3`, …), `:first-child`, `:last-child`, `:only-child`, `:first-of-type`,
//! `:last-of-type`, `:only-of-type`, `:empty`, `:root`, and the pseudo-classes that never match
//! a document (`:hover`, `:checked`, …). Anything else is an error. The translations are those
//! of cssselect 1.2 to 1.6 (OSWorld's requirements); releases before 1.2 write some of them
//! differently (`/descendant-or-self::*/x` for `/descendant::x`) to the same effect.

use std::fmt;

/// Why a selector could not be translated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CSS selector {selector:?}: {reason}")]
pub struct CssError {
    /// The selector.
    pub selector: String,
    /// What is wrong, or unsupported.
    pub reason: String,
}

/// What lxml's translator lower-cases an element's text with for `:contains()`: an XPath
/// extension function (Python's `str.lower`) that lxml registers under this prefix.
pub const LXML_LOWER_CASE: &str = "__lxml_internal_css:lower-case(string(.))";

/// The XPath that selects what `css` selects, relative to the context node and its
/// descendants (cssselect's default prefix `descendant-or-self::`), exactly as lxml's
/// translator writes it (`:contains()` calls [`LXML_LOWER_CASE`], which only lxml knows).
pub fn to_xpath(css: &str) -> Result<String, CssError> {
    let lxml = Lowering {
        text: LXML_LOWER_CASE,
        fold_sigma: false,
    };
    to_xpath_lowering(css, &lxml)
}

/// How `:contains()` lower-cases.
#[derive(Debug, Clone, Copy)]
pub struct Lowering<'a> {
    /// The XPath expression for the element's lower-cased text.
    pub text: &'a str,
    /// Whether the value's final sigma `ς` is written `σ` (for a `text` that folds both).
    pub fold_sigma: bool,
}

/// [`to_xpath`], lower-casing as `lower` says.
pub fn to_xpath_lowering(css: &str, lower: &Lowering<'_>) -> Result<String, CssError> {
    let fail = |reason: String| CssError {
        selector: css.to_owned(),
        reason,
    };
    let tokens = tokenize(css).map_err(fail)?;
    let mut parser = Parser { tokens, pos: 0 };
    let mut parts = Vec::new();
    loop {
        let selector = parser.selector().map_err(fail)?;
        parts.push(format!(
            "descendant-or-self::{}",
            translate(&selector, lower).map_err(fail)?
        ));
        parser.skip_ws();
        match parser.next() {
            Tok::Eof => break,
            Tok::Delim(',') => continue,
            other => return Err(fail(format!("unexpected {other}"))),
        }
    }
    Ok(parts.join(" | "))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ws,
    Ident(String),
    /// A run of name characters that cssselect does not read as an identifier (it starts with
    /// a digit, `-` and a digit, `--`, or is a lone `-`): a number or a delimiter to it, never
    /// an identifier (`[name=42]` and `:contains(42)` are errors).
    Number(String),
    Hash(String),
    Str(String),
    Delim(char),
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ws => f.write_str("whitespace"),
            Tok::Ident(s) => write!(f, "identifier {s:?}"),
            Tok::Number(s) => write!(f, "{s:?}"),
            Tok::Hash(s) => write!(f, "#{s}"),
            Tok::Str(s) => write!(f, "string {s:?}"),
            Tok::Delim(c) => write!(f, "{c:?}"),
            Tok::Eof => f.write_str("the end"),
        }
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || !c.is_ascii()
}

/// An escape after a backslash at `chars[*i]` (the backslash already consumed).
fn unescape(chars: &[char], i: &mut usize) -> Result<Option<char>, String> {
    let Some(&c) = chars.get(*i) else {
        return Err("a backslash at the end".into());
    };
    if c == '\n' {
        *i += 1;
        return Ok(None);
    }
    if c.is_ascii_hexdigit() {
        let start = *i;
        while *i < chars.len() && *i - start < 6 && chars[*i].is_ascii_hexdigit() {
            *i += 1;
        }
        let hex: String = chars[start..*i].iter().collect();
        if chars.get(*i).is_some_and(|c| *c == ' ') {
            *i += 1;
        }
        let code = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
        return Ok(Some(char::from_u32(code).unwrap_or('\u{fffd}')));
    }
    *i += 1;
    Ok(Some(c))
}

fn tokenize(css: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = css.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, ' ' | '\t' | '\r' | '\n' | '\x0c') {
            while i < chars.len() && matches!(chars[i], ' ' | '\t' | '\r' | '\n' | '\x0c') {
                i += 1;
            }
            out.push(Tok::Ws);
        } else if is_ident_char(c) || c == '\\' || (c == '#' && chars.get(i + 1).is_some()) {
            let hash = c == '#';
            if hash {
                i += 1;
            }
            // cssselect's identifier: `-?` then a letter, `_`, a non-ASCII character or an escape.
            let after_dash = chars.get(i + usize::from(chars[i] == '-'));
            let ident_start = after_dash.is_some_and(|&c| {
                c.is_ascii_alphabetic() || c == '_' || c == '\\' || !c.is_ascii()
            });
            let mut word = String::new();
            while i < chars.len() && (is_ident_char(chars[i]) || chars[i] == '\\') {
                if chars[i] == '\\' {
                    i += 1;
                    if let Some(c) = unescape(&chars, &mut i)? {
                        word.push(c);
                    }
                } else {
                    word.push(chars[i]);
                    i += 1;
                }
            }
            if hash && word.is_empty() {
                out.push(Tok::Delim('#'));
            } else if hash {
                out.push(Tok::Hash(word));
            } else if ident_start {
                out.push(Tok::Ident(word));
            } else {
                out.push(Tok::Number(word));
            }
        } else if c == '"' || c == '\'' {
            i += 1;
            let mut s = String::new();
            loop {
                match chars.get(i) {
                    None => return Err("a string is not closed".into()),
                    Some(&q) if q == c => {
                        i += 1;
                        break;
                    }
                    Some('\\') => {
                        i += 1;
                        if let Some(c) = unescape(&chars, &mut i)? {
                            s.push(c);
                        }
                    }
                    Some('\n') => return Err("a newline in a string".into()),
                    Some(&other) => {
                        s.push(other);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
        } else {
            out.push(Tok::Delim(c));
            i += 1;
        }
    }
    out.push(Tok::Eof);
    Ok(out)
}

/// A parsed selector (cssselect's tree).
#[derive(Debug, Clone)]
enum Sel {
    Element {
        namespace: Option<String>,
        element: Option<String>,
    },
    Hash(Box<Sel>, String),
    Class(Box<Sel>, String),
    Attrib {
        base: Box<Sel>,
        namespace: Option<String>,
        name: String,
        op: Option<&'static str>,
        value: Option<String>,
    },
    Pseudo(Box<Sel>, String),
    Function(Box<Sel>, String, Vec<Tok>),
    Negation(Box<Sel>, Box<Sel>),
    Combined(Box<Sel>, char, Box<Sel>),
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.pos).unwrap_or(&Tok::Eof)
    }

    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn skip_ws(&mut self) {
        while *self.peek() == Tok::Ws {
            self.pos += 1;
        }
    }

    fn ident(&mut self) -> Result<String, String> {
        match self.next() {
            Tok::Ident(s) => Ok(s),
            other => Err(format!("expected an identifier, got {other}")),
        }
    }

    /// An identifier, or `None` for `*`.
    fn ident_or_star(&mut self) -> Result<Option<String>, String> {
        match self.next() {
            Tok::Ident(s) => Ok(Some(s)),
            Tok::Delim('*') => Ok(None),
            other => Err(format!("expected an identifier or '*', got {other}")),
        }
    }

    fn selector(&mut self) -> Result<Sel, String> {
        let mut result = self.simple(false)?;
        loop {
            self.skip_ws();
            let combinator = match self.peek() {
                Tok::Eof | Tok::Delim(',') | Tok::Delim(')') => break,
                Tok::Delim(c @ ('+' | '>' | '~')) => {
                    let c = *c;
                    self.pos += 1;
                    self.skip_ws();
                    c
                }
                _ => ' ',
            };
            let next = self.simple(false)?;
            result = Sel::Combined(Box::new(result), combinator, Box::new(next));
        }
        Ok(result)
    }

    fn simple(&mut self, inside_negation: bool) -> Result<Sel, String> {
        self.skip_ws();
        let start = self.pos;
        let mut result = match self.peek().clone() {
            Tok::Ident(_) | Tok::Delim('*') => {
                let first = self.ident_or_star()?;
                if *self.peek() == Tok::Delim('|') {
                    self.pos += 1;
                    Sel::Element {
                        namespace: first,
                        element: self.ident_or_star()?,
                    }
                } else {
                    Sel::Element {
                        namespace: None,
                        element: first,
                    }
                }
            }
            _ => Sel::Element {
                namespace: None,
                element: None,
            },
        };
        loop {
            match self.peek().clone() {
                Tok::Ws | Tok::Eof | Tok::Delim('+' | '>' | '~' | ',') => break,
                Tok::Delim(')') if inside_negation => break,
                Tok::Hash(id) => {
                    self.pos += 1;
                    result = Sel::Hash(Box::new(result), id);
                }
                Tok::Delim('.') => {
                    self.pos += 1;
                    result = Sel::Class(Box::new(result), self.ident()?);
                }
                Tok::Delim('[') => {
                    self.pos += 1;
                    result = self.attrib(result)?;
                }
                Tok::Delim(':') => {
                    self.pos += 1;
                    if *self.peek() == Tok::Delim(':') {
                        return Err("pseudo-elements are not supported".into());
                    }
                    let name = self.ident()?;
                    if *self.peek() != Tok::Delim('(') {
                        result = Sel::Pseudo(Box::new(result), name);
                        continue;
                    }
                    self.pos += 1;
                    self.skip_ws();
                    if name.eq_ignore_ascii_case("not") {
                        if inside_negation {
                            return Err(":not() inside :not()".into());
                        }
                        let inner = self.simple(true)?;
                        self.skip_ws();
                        if self.next() != Tok::Delim(')') {
                            return Err(":not() takes one simple selector".into());
                        }
                        result = Sel::Negation(Box::new(result), Box::new(inner));
                    } else {
                        let mut args = Vec::new();
                        loop {
                            match self.next() {
                                Tok::Delim(')') => break,
                                Tok::Eof => return Err("a function is not closed".into()),
                                Tok::Ws => {}
                                t => args.push(t),
                            }
                        }
                        result = Sel::Function(Box::new(result), name, args);
                    }
                }
                other => return Err(format!("unexpected {other}")),
            }
        }
        if self.pos == start {
            return Err(format!("expected a selector, got {}", self.peek()));
        }
        Ok(result)
    }

    fn attrib(&mut self, base: Sel) -> Result<Sel, String> {
        self.skip_ws();
        let first = match self.next() {
            Tok::Ident(s) => Some(s),
            Tok::Delim('*') => None,
            Tok::Delim('|') => {
                self.pos -= 1;
                None
            }
            other => return Err(format!("expected an attribute name, got {other}")),
        };
        let (namespace, name, mut op) = if *self.peek() == Tok::Delim('|') {
            self.pos += 1;
            if *self.peek() == Tok::Delim('=') {
                self.pos += 1;
                let name = first.ok_or("expected an attribute name")?;
                (None, name, Some("|="))
            } else {
                (first, self.ident()?, None)
            }
        } else {
            (None, first.ok_or("expected an attribute name")?, None)
        };
        self.skip_ws();
        if op.is_none() {
            op = match self.next() {
                Tok::Delim(']') => {
                    return Ok(Sel::Attrib {
                        base: Box::new(base),
                        namespace,
                        name,
                        op: None,
                        value: None,
                    });
                }
                Tok::Delim('=') => Some("="),
                Tok::Delim(c) if "^$*~|!".contains(c) && *self.peek() == Tok::Delim('=') => {
                    self.pos += 1;
                    Some(match c {
                        '^' => "^=",
                        '$' => "$=",
                        '*' => "*=",
                        '~' => "~=",
                        '|' => "|=",
                        _ => "!=",
                    })
                }
                other => return Err(format!("expected an attribute operator, got {other}")),
            };
        }
        self.skip_ws();
        let value = match self.next() {
            Tok::Ident(s) | Tok::Str(s) => s,
            other => return Err(format!("expected an attribute value, got {other}")),
        };
        self.skip_ws();
        if self.next() != Tok::Delim(']') {
            return Err("expected ']'".into());
        }
        Ok(Sel::Attrib {
            base: Box::new(base),
            namespace,
            name,
            op,
            value: Some(value),
        })
    }
}

/// cssselect's `XPathExpr`: `path` + `element` + `[condition]`.
#[derive(Debug, Clone)]
struct Expr {
    path: String,
    element: String,
    condition: String,
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.path, self.element)?;
        if !self.condition.is_empty() {
            write!(f, "[{}]", self.condition)?;
        }
        Ok(())
    }
}

impl Expr {
    fn add_condition(&mut self, condition: &str) {
        self.condition = if self.condition.is_empty() {
            condition.to_owned()
        } else {
            format!("({}) and ({condition})", self.condition)
        };
    }

    fn add_name_test(&mut self) {
        if self.element == "*" {
            return;
        }
        let (prefix, local) = match self.element.split_once(':') {
            Some((p, l)) => (p, Some(l)),
            None => (self.element.as_str(), None),
        };
        let test = if is_safe_name(prefix) && local.is_none_or(|l| l == "*" || is_safe_name(l)) {
            format!("self::{}", self.element)
        } else {
            format!("name() = {}", literal(&self.element))
        };
        self.add_condition(&test);
        self.element = "*".into();
    }

    fn join(mut self, combiner: &str, other: Expr) -> Expr {
        let mut path = format!("{self}{combiner}");
        if other.path != "*/" {
            path.push_str(&other.path);
        }
        self.path = path;
        self.element = other.element;
        self.condition = other.condition;
        self
    }
}

/// An XPath string literal for `s` (`concat(…)` when it holds both kinds of quote).
pub(super) fn literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = split_keeping_quotes(s)
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(|p| {
                if p.contains('\'') {
                    format!("\"{p}\"")
                } else {
                    format!("'{p}'")
                }
            })
            .collect();
        format!("concat({})", parts.join(","))
    }
}

/// `s` split before and after each run of single quotes, the runs kept.
fn split_keeping_quotes(s: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut in_quotes = false;
    for c in s.chars() {
        let quote = c == '\'';
        if quote != in_quotes {
            parts.push(String::new());
            in_quotes = quote;
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}

fn is_safe_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn translate(sel: &Sel, lower: &Lowering<'_>) -> Result<Expr, String> {
    Ok(match sel {
        Sel::Element { namespace, element } => {
            let (mut name, mut safe) = match element {
                None => ("*".to_owned(), true),
                Some(e) => (e.clone(), is_safe_name(e)),
            };
            if let Some(ns) = namespace {
                name = format!("{ns}:{name}");
                safe = safe && is_safe_name(ns);
            }
            let mut expr = Expr {
                path: String::new(),
                element: name,
                condition: String::new(),
            };
            if !safe {
                expr.add_condition(&format!("name() = {}", literal(&expr.element)));
                expr.element = "*".into();
            }
            expr
        }
        Sel::Hash(base, id) => {
            let mut expr = translate(base, lower)?;
            expr.add_condition(&format!("@id = {}", literal(id)));
            expr
        }
        Sel::Class(base, class) => {
            let mut expr = translate(base, lower)?;
            includes(&mut expr, "@class", class);
            expr
        }
        Sel::Attrib {
            base,
            namespace,
            name,
            op,
            value,
        } => {
            let mut expr = translate(base, lower)?;
            let mut full = name.clone();
            let mut safe = is_safe_name(name);
            if let Some(ns) = namespace {
                full = format!("{ns}:{name}");
                safe = safe && is_safe_name(ns);
            }
            let attr = if safe {
                format!("@{full}")
            } else {
                format!("attribute::*[name() = {}]", literal(&full))
            };
            let value = value.as_deref().unwrap_or_default();
            let lit = literal(value);
            let condition = match op {
                None => attr,
                Some("=") => format!("{attr} = {lit}"),
                Some("!=") => format!("not({attr}) or {attr} != {lit}"),
                Some("~=") => {
                    includes(&mut expr, &attr, value);
                    return Ok(expr);
                }
                Some("|=") => format!(
                    "{attr} and ({attr} = {lit} or starts-with({attr}, {}))",
                    literal(&format!("{value}-"))
                ),
                Some("^=") if !value.is_empty() => format!("{attr} and starts-with({attr}, {lit})"),
                Some("$=") if !value.is_empty() => format!(
                    "{attr} and substring({attr}, string-length({attr})-{}) = {lit}",
                    value.chars().count() - 1
                ),
                Some("*=") if !value.is_empty() => format!("{attr} and contains({attr}, {lit})"),
                Some(_) => "0".to_owned(),
            };
            expr.add_condition(&condition);
            expr
        }
        Sel::Pseudo(base, name) => {
            let mut expr = translate(base, lower)?;
            let of_type = |expr: &Expr, what: &str| {
                if expr.element == "*" {
                    Err(format!("*:{what} is not implemented"))
                } else {
                    Ok(expr.element.clone())
                }
            };
            let condition = match name.to_ascii_lowercase().as_str() {
                "first-child" => "count(preceding-sibling::*) = 0".to_owned(),
                "last-child" => "count(following-sibling::*) = 0".to_owned(),
                "only-child" => "count(parent::*/child::*) = 1".to_owned(),
                "first-of-type" => format!(
                    "count(preceding-sibling::{}) = 0",
                    of_type(&expr, "first-of-type")?
                ),
                "last-of-type" => format!(
                    "count(following-sibling::{}) = 0",
                    of_type(&expr, "last-of-type")?
                ),
                "only-of-type" => format!(
                    "count(parent::*/child::{}) = 1",
                    of_type(&expr, "only-of-type")?
                ),
                "empty" => "not(*) and not(string-length())".to_owned(),
                "root" => "not(parent::*)".to_owned(),
                "hover" | "active" | "focus" | "target" | "enabled" | "disabled" | "checked" => {
                    "0".to_owned()
                }
                other => return Err(format!("the pseudo-class :{other} is not supported")),
            };
            expr.add_condition(&condition);
            expr
        }
        Sel::Function(base, name, args) => {
            let mut expr = translate(base, lower)?;
            let of_type = |expr: &Expr| {
                if expr.element == "*" {
                    Err("*:nth-of-type() is not implemented".to_owned())
                } else {
                    Ok(())
                }
            };
            match name.to_ascii_lowercase().as_str() {
                "contains" => {
                    let [Tok::Ident(value) | Tok::Str(value)] = args.as_slice() else {
                        return Err(":contains() takes one string or identifier".into());
                    };
                    // lxml's: both sides lower-cased as Python's `str.lower` does.
                    let mut value = value.to_lowercase();
                    if lower.fold_sigma {
                        value = value.replace('ς', "σ");
                    }
                    expr.add_condition(&format!("contains({}, {})", lower.text, literal(&value)));
                }
                "nth-child" => nth(&mut expr, args, false, true)?,
                "nth-last-child" => nth(&mut expr, args, true, true)?,
                "nth-of-type" => {
                    of_type(&expr)?;
                    nth(&mut expr, args, false, false)?;
                }
                "nth-last-of-type" => {
                    of_type(&expr)?;
                    nth(&mut expr, args, true, false)?;
                }
                other => return Err(format!("the function :{other}() is not supported")),
            }
            expr
        }
        Sel::Negation(base, inner) => {
            let mut expr = translate(base, lower)?;
            let mut sub = translate(inner, lower)?;
            sub.add_name_test();
            if sub.condition.is_empty() {
                expr.add_condition("0");
            } else {
                expr.add_condition(&format!("not({})", sub.condition));
            }
            expr
        }
        Sel::Combined(left, combinator, right) => {
            let left = translate(left, lower)?;
            let right = translate(right, lower)?;
            match combinator {
                ' ' if right.element == "*"
                    && right.condition.is_empty()
                    && right.path.is_empty() =>
                {
                    left.join("/descendant-or-self::*/", right)
                }
                ' ' => left.join("/descendant::", right),
                '>' => left.join("/", right),
                '~' => left.join("/following-sibling::", right),
                _ => {
                    let mut expr = left.join("/following-sibling::", right);
                    expr.add_name_test();
                    expr.add_condition("position() = 1");
                    expr
                }
            }
        }
    })
}

/// `~=` (and `.class`): the value is one of the attribute's whitespace-separated words.
fn includes(expr: &mut Expr, attr: &str, value: &str) {
    if !value.is_empty() && !value.contains([' ', '\t', '\r', '\n', '\x0c']) {
        expr.add_condition(&format!(
            "{attr} and contains({attr}, {}) and contains(concat(' ', normalize-space({attr}), ' '), {})",
            literal(value),
            literal(&format!(" {value} "))
        ));
    } else {
        expr.add_condition("0");
    }
}

/// cssselect's `parse_series`: the `an+b` of `:nth-child()` and friends. The arguments are
/// joined (whitespace between them dropped); `odd`, `even` and `n` are named series.
fn parse_series(args: &[Tok]) -> Result<(i128, i128), String> {
    let mut joined = String::new();
    for arg in args {
        match arg {
            Tok::Ident(s) | Tok::Number(s) => joined.push_str(s),
            Tok::Delim(c @ ('+' | '-')) => joined.push(*c),
            other => return Err(format!("invalid series: unexpected {other}")),
        }
    }
    let invalid = || format!("invalid series {joined:?}");
    match joined.as_str() {
        "odd" => return Ok((2, 1)),
        "even" => return Ok((2, 0)),
        "n" => return Ok((1, 0)),
        _ => {}
    }
    let Some((a, b)) = joined.split_once('n') else {
        return Ok((0, py_int(&joined).ok_or_else(invalid)?));
    };
    let a = match a {
        "" | "+" => 1,
        "-" => -1,
        a => py_int(a).ok_or_else(invalid)?,
    };
    let b = if b.is_empty() {
        0
    } else {
        py_int(b).ok_or_else(invalid)?
    };
    Ok((a, b))
}

/// Python's `int(s)` for base 10: a sign, then digits with single underscores between them.
fn py_int(s: &str) -> Option<i128> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let ok = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    ok.then(|| s.replace('_', "").parse().ok()).flatten()
}

/// cssselect's `xpath_nth_child_function`: the element has `an+b-1` siblings (of its name
/// when `any_name` is false) before it (after it when `last`), for some `n >= 0`.
fn nth(expr: &mut Expr, args: &[Tok], last: bool, any_name: bool) -> Result<(), String> {
    let (a, b) = parse_series(args)?;
    let b_min_1 = b - 1;
    if a == 1 && b_min_1 <= 0 {
        return Ok(());
    }
    if a < 0 && b_min_1 < 0 {
        expr.add_condition("0");
        return Ok(());
    }
    let nodetest = if any_name { "*" } else { expr.element.as_str() };
    let axis = if last { "following" } else { "preceding" };
    let count = format!("count({axis}-sibling::{nodetest})");
    if a == 0 {
        expr.add_condition(&format!("{count} = {b_min_1}"));
        return Ok(());
    }
    let mut expressions = Vec::new();
    if a > 0 {
        if b_min_1 > 0 {
            expressions.push(format!("{count} >= {b_min_1}"));
        }
    } else {
        expressions.push(format!("{count} <= {b_min_1}"));
    }
    if a.abs() != 1 {
        let b_neg = (-b_min_1).rem_euclid(a.abs());
        let left = if b_neg == 0 {
            count
        } else {
            format!("({count} +{b_neg})")
        };
        expressions.push(format!("{left} mod {a} = 0"));
    }
    let condition = if expressions.len() > 1 {
        expressions
            .iter()
            .map(|e| format!("({e})"))
            .collect::<Vec<_>>()
            .join(" and ")
    } else {
        expressions.join(" and ")
    };
    expr.add_condition(&condition);
    Ok(())
}
