//! Python's semantics where OSWorld's metrics lean on them: `==` between JSON-like values,
//! `str()`, `str.splitlines()`, `str.isspace()`, text files opened in text mode (universal
//! newlines), and `re` patterns.

use serde_json::Value;
use std::path::Path;

/// Python's `str.isspace()` for one character.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no argument.
pub(crate) fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// A text file as Python's `open(path).read()` gives it (UTF-8, as on OSWorld's hosts): `\r\n`
/// and `\r` turned into `\n`, a byte-order mark kept as U+FEFF. Bytes that are not UTF-8 are
/// an error, as Python raises `UnicodeDecodeError`.
pub(crate) fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    Ok(universal_newlines(&text))
}

/// A text file as OSWorld's `_safe_read_file` decodes it: UTF-8, else Latin-1 (which decodes
/// any bytes), in text mode. A UTF-8 byte-order mark is not removed: it stays U+FEFF at the
/// start of the first line (OSWorld tries "utf-8" before "utf-8-sig"), so a csv file with one
/// differs from the same file without.
pub(crate) fn read_text_any_encoding(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.as_bytes().iter().map(|&b| char::from(b)).collect(),
    };
    Ok(universal_newlines(&text))
}

fn universal_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// Python's `json.loads(text)`. Beyond JSON, Python reads `NaN`, `Infinity` and `-Infinity`;
/// each becomes a string no task file holds (`"\u{0}NaN"`, …), so that, like Python's float,
/// it equals nothing a task expects while the rest of the document still loads.
pub(crate) fn json_loads(text: &str) -> serde_json::Result<Value> {
    const TOKENS: [(&str, &str); 3] = [
        ("-Infinity", "\"\\u0000-Infinity\""),
        ("Infinity", "\"\\u0000Infinity\""),
        ("NaN", "\"\\u0000NaN\""),
    ];
    if !TOKENS.iter().any(|(t, _)| text.contains(t)) {
        return serde_json::from_str(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if !in_string && let Some((token, with)) = TOKENS.iter().find(|(t, _)| rest.starts_with(t))
        {
            out.push_str(with);
            rest = &rest[token.len()..];
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    serde_json::from_str(&out)
}

/// The lines of a text as Python's `for line in file` yields them: each with its `\n`.
pub(crate) fn file_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Python's `str.splitlines()`.
pub(crate) fn splitlines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let boundary = matches!(
            c,
            '\n' | '\r'
                | '\u{0b}'
                | '\u{0c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if boundary {
            out.push(&s[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r'
                && let Some(&(_, '\n')) = chars.peek()
            {
                chars.next();
                end += 1;
            }
            start = end;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// Python's truthiness of a JSON value.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// A number as Python sees it: `bool` is an `int`.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// Python's `a == b` between values loaded from JSON (`1 == 1.0`, `True == 1`).
pub(crate) fn eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Bool(_) | Value::Number(_), Value::Bool(_) | Value::Number(_)) => {
            number(a) == number(b)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| eq(v, w)))
        }
        _ => false,
    }
}

/// How Python orders `a` and `b` (`<`, `<=`, …); `Err` where Python raises `TypeError`.
pub(crate) fn compare(a: &Value, b: &Value) -> Result<std::cmp::Ordering, TypeError> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y) {
                if !eq(p, q) {
                    return compare(p, q);
                }
            }
            Ok(x.len().cmp(&y.len()))
        }
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y).ok_or(TypeError),
            _ => Err(TypeError),
        },
    }
}

/// Python would raise `TypeError` (comparing `None` with a number, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TypeError;

/// Python's `repr(float)`: the shortest round-trip digits, `1.0`, `1e-05`, `1e+16`.
pub(crate) fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let s = format!("{f:?}");
    match s.split_once('e') {
        None => s,
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
    }
}

/// Python's `str(value)` for a value loaded from JSON.
pub(crate) fn to_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => repr(other),
    }
}

/// Python's `repr(value)` for a value loaded from JSON.
pub(crate) fn repr(v: &Value) -> String {
    match v {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (_, Some(u)) => u.to_string(),
            _ => float_repr(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => repr_str(s),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(repr).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(o) => {
            let items: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{}: {}", repr_str(k), repr(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => match c as u32 {
                n @ 0..=0xff => out.push_str(&format!("\\x{n:02x}")),
                n @ 0x100..=0xffff => out.push_str(&format!("\\u{n:04x}")),
                n => out.push_str(&format!("\\U{n:08x}")),
            },
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for one character, which decides what `repr` escapes: not
/// control (Cc), format (Cf), private-use (Co), separator (Zs but the space, Zl, Zp) or a
/// noncharacter. Characters unassigned in Unicode (the rest of Cn) count as printable here.
fn is_printable(c: char) -> bool {
    let n = c as u32;
    !matches!(n,
        0..=0x1f | 0x7f..=0xa0 | 0xad
        | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2 | 0x1680 | 0x180e
        | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064 | 0x2066..=0x206f | 0x3000
        | 0xe000..=0xf8ff | 0xfdd0..=0xfdef | 0xfeff | 0xfff9..=0xfffb
        | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a
        | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..=0x10ffff)
        && n & 0xfffe != 0xfffe
}

/// Why a Python `re` pattern from a task file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum PatternError {
    /// A flag that Python's `re` does not have.
    #[error("{flag} is not a flag of Python's re module")]
    UnknownFlag {
        /// The flag as written.
        flag: String,
    },
    /// A global flag group (`(?i)`) after the pattern's start, which Python 3.11 refuses.
    #[error("the pattern {pattern:?} sets global flags after its start")]
    FlagsNotAtStart {
        /// The pattern as written.
        pattern: String,
    },
    /// The pattern does not compile (once translated to Rust's spelling).
    #[error("the pattern {pattern:?} is not a valid regular expression")]
    Invalid {
        /// The pattern as written.
        pattern: String,
        /// What the regex engine found wrong.
        #[source]
        source: Box<fancy_regex::Error>,
    },
}

/// Compiles a Python `re` pattern. Python's `$` (without MULTILINE) also matches before a
/// final `\n` and its `\Z` is the very end; both are rewritten to their Rust spelling, as are
/// `[`, `&` and `~` inside a class (literal in Python, operators in Rust).
pub(crate) fn regex(pattern: &str, flags: &[&str]) -> Result<fancy_regex::Regex, PatternError> {
    let mut inline = String::new();
    let mut multiline = false;
    for flag in flags {
        match *flag {
            "I" | "IGNORECASE" => inline.push('i'),
            "M" | "MULTILINE" => {
                inline.push('m');
                multiline = true;
            }
            "S" | "DOTALL" => inline.push('s'),
            "X" | "VERBOSE" => inline.push('x'),
            "U" | "UNICODE" | "A" | "ASCII" | "L" | "LOCALE" | "NOFLAG" => {}
            other => {
                return Err(PatternError::UnknownFlag {
                    flag: other.to_owned(),
                });
            }
        }
    }
    // Global flags (`(?i)`) may only open the pattern, as in Python 3.11.
    let mut body = pattern;
    while let Some((letters, rest)) = global_flags(body) {
        for letter in letters.chars() {
            match letter {
                'i' | 's' | 'x' => inline.push(letter),
                'm' => {
                    inline.push('m');
                    multiline = true;
                }
                'a' | 'u' => {}
                _ => {
                    return Err(PatternError::UnknownFlag {
                        flag: letter.to_string(),
                    });
                }
            }
        }
        body = rest;
    }
    let mut translated = String::with_capacity(pattern.len() + 8);
    if !inline.is_empty() {
        translated.push_str(&format!("(?{inline})"));
    }
    let mut in_class = false;
    let mut chars = body.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('Z') => translated.push_str("\\z"),
                // Python's octal escapes: `\0`, `\0oo`, and three octal digits (`\101`).
                Some(d @ '0'..='7') => {
                    let rest = &body[at + 2..];
                    let more: String = rest.chars().take_while(|c| c.is_digit(8)).take(2).collect();
                    let octal = if d == '0' {
                        Some(format!("0{more}"))
                    } else if more.len() == 2 {
                        Some(format!("{d}{more}"))
                    } else {
                        None
                    };
                    match octal.and_then(|o| u32::from_str_radix(&o, 8).ok().map(|v| (o, v))) {
                        Some((o, value)) => {
                            for _ in 1..o.len() {
                                chars.next();
                            }
                            translated.push_str(&format!("\\x{{{value:x}}}"));
                        }
                        None => {
                            translated.push('\\');
                            translated.push(d);
                        }
                    }
                }
                Some(next) => {
                    translated.push('\\');
                    translated.push(next);
                }
                None => translated.push('\\'),
            },
            '(' if !in_class && global_flags(&body[at..]).is_some() => {
                return Err(PatternError::FlagsNotAtStart {
                    pattern: pattern.to_owned(),
                });
            }
            '[' if !in_class => {
                in_class = true;
                translated.push('[');
                // A `]` right after `[` or `[^` is a literal.
                if chars.peek().map(|(_, c)| *c) == Some('^') {
                    chars.next();
                    translated.push('^');
                }
                if chars.peek().map(|(_, c)| *c) == Some(']') {
                    chars.next();
                    translated.push_str("\\]");
                }
            }
            ']' if in_class => {
                in_class = false;
                translated.push(']');
            }
            // Literal in a Python class; nesting or set operations in Rust's.
            '[' | '&' | '~' if in_class => {
                translated.push('\\');
                translated.push(c);
            }
            '$' if !in_class && !multiline => translated.push_str("(?=\\n?\\z)"),
            c => translated.push(c),
        }
    }
    fancy_regex::Regex::new(&translated).map_err(|e| PatternError::Invalid {
        pattern: pattern.to_owned(),
        source: Box::new(e),
    })
}

/// A global flag group (`(?im)`) opening `s`: its letters and what follows it.
fn global_flags(s: &str) -> Option<(&str, &str)> {
    let inner = s.strip_prefix("(?")?;
    let end = inner.find(')')?;
    let letters = &inner[..end];
    (!letters.is_empty() && letters.chars().all(|c| "aiLmsux".contains(c)))
        .then(|| (letters, &inner[end + 1..]))
}

/// Python's `re.search(pattern, text) is not None`; a pattern that fails to run (backtrack
/// limit) counts as no match.
pub(crate) fn search(re: &fancy_regex::Regex, text: &str) -> bool {
    re.is_match(text).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splitlines_as_python() {
        assert_eq!(splitlines("a\nb\r\nc\rd"), vec!["a", "b", "c", "d"]);
        assert_eq!(splitlines("a\n"), vec!["a"]);
        assert_eq!(splitlines("\n"), vec![""]);
        assert!(splitlines("").is_empty());
        assert_eq!(splitlines("a\n\nb"), vec!["a", "", "b"]);
        assert_eq!(splitlines("a\u{2028}b\u{0c}"), vec!["a", "b"]);
    }

    #[test]
    fn text_files_as_python_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.txt");
        std::fs::write(&path, b"\xef\xbb\xbfa\r\nb\rc").unwrap();
        // open(path).read(): the BOM stays, newlines are universal.
        assert_eq!(read_text(&path).unwrap(), "\u{feff}a\nb\nc");
        // _safe_read_file: "utf-8" succeeds first, so the BOM stays (OSWorld's compare_csv
        // quirk: a BOM makes two otherwise equal files differ).
        assert_eq!(read_text_any_encoding(&path).unwrap(), "\u{feff}a\nb\nc");
        // Not UTF-8: Python raises; _safe_read_file falls back to Latin-1, BOM bytes and all.
        std::fs::write(&path, b"\xef\xbb\xbfcaf\xe9\r\n").unwrap();
        assert_eq!(
            read_text(&path).unwrap_err().kind(),
            std::io::ErrorKind::InvalidData
        );
        assert_eq!(
            read_text_any_encoding(&path).unwrap(),
            "\u{ef}\u{bb}\u{bf}caf\u{e9}\n"
        );
    }

    #[test]
    fn json_loads_as_python() {
        let v = json_loads(r#"{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN \" NaN", "d": 1}"#)
            .unwrap();
        assert_eq!(v["d"], json!(1));
        assert_eq!(v["c"], json!("NaN \" NaN"));
        assert!(!eq(&v["a"], &json!("NaN")) && !eq(&v["a"], &json!(null)));
        assert_eq!(v["b"].as_array().map(Vec::len), Some(2));
        assert!(json_loads("{\"a\": nan}").is_err());
        assert!(json_loads("[1,]").is_err());
    }

    #[test]
    fn float_repr_as_python() {
        assert_eq!(float_repr(1.0), "1.0");
        assert_eq!(float_repr(0.1), "0.1");
        assert_eq!(float_repr(191.6667), "191.6667");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(0.00001), "1e-05");
        assert_eq!(float_repr(1e15), "1000000000000000.0");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(-2.5e-7), "-2.5e-07");
        assert_eq!(float_repr(1.5e300), "1.5e+300");
    }

    #[test]
    fn equality_and_str_as_python() {
        assert!(eq(&json!(1), &json!(1.0)));
        assert!(eq(&json!(true), &json!(1)));
        assert!(!eq(&json!("1"), &json!(1)));
        assert!(eq(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert_eq!(to_str(&json!(null)), "None");
        assert_eq!(to_str(&json!(true)), "True");
        assert_eq!(to_str(&json!(2.0)), "2.0");
        assert_eq!(to_str(&json!(["a", 1, "it's"])), r#"['a', 1, "it's"]"#);
        assert_eq!(to_str(&json!({"k": "v"})), "{'k': 'v'}");
        // repr escapes what is not printable: controls, separators, format characters.
        assert_eq!(
            to_str(&json!([
                "a\u{a0}\u{200b}\u{feff}\u{85}\u{2028}\u{e000} é\u{1f389}\u{1}"
            ])),
            r"['a\xa0\u200b\ufeff\x85\u2028\ue000 é🎉\x01']"
        );
    }

    #[test]
    fn regex_as_python() {
        let re = regex(r"\bCOMPANY/?(?!\.msf)", &[]).unwrap();
        assert!(search(&re, "COMPANY\n"));
        assert!(!search(&re, "COMPANY.msf\n"));
        let re = regex("done$", &[]).unwrap();
        assert!(search(&re, "it is done\n"));
        assert!(!search(&re, "done, not\n"));
        let re = regex("[$]x", &[]).unwrap();
        assert!(search(&re, "a$x"));
        let re = regex("[[&&]+", &[]).unwrap();
        assert!(search(&re, "x[&y"));
        assert!(!search(&re, "xy"));
        let re = regex("abc", &["I"]).unwrap();
        assert!(search(&re, "xABCx"));
        assert!(matches!(
            regex("x", &["Q"]),
            Err(PatternError::UnknownFlag { flag }) if flag == "Q"
        ));
        // Global flags only at the start (Python 3.11), several groups allowed there.
        assert!(search(&regex("(?i)(?m)^B$", &[]).unwrap(), "a\nb\nc"));
        assert!(matches!(
            regex("a(?i)b", &[]),
            Err(PatternError::FlagsNotAtStart { .. })
        ));
        assert!(search(&regex("a(?i:B)", &[]).unwrap(), "ab"));
        assert!(matches!(
            regex("(?L)a", &[]),
            Err(PatternError::UnknownFlag { flag }) if flag == "L"
        ));
        // Octal escapes, not back references.
        assert!(search(&regex(r"\0", &[]).unwrap(), "a\0b"));
        assert!(search(&regex(r"\101\01", &[]).unwrap(), "A\u{1}"));
        assert!(search(&regex(r"(a)\1", &[]).unwrap(), "aa"));
        assert!(search(&regex(r"[\0]", &[]).unwrap(), "\0"));
        let err = regex("(a", &[]).unwrap_err();
        assert!(
            matches!(&err, PatternError::Invalid { pattern, .. } if pattern == "(a"),
            "{err:?}"
        );
        assert!(std::error::Error::source(&err).is_some());
    }
}
