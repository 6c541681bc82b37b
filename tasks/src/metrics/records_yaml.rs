//! YAML as PyYAML's `yaml.safe_load` reads it, for `check_json(..., is_yaml=True)`.
//!
//! The parser (`yaml-rust2`) gives events; plain scalars are then resolved with PyYAML's
//! YAML 1.1 rules, not YAML 1.2's: `yes`/`no`/`on`/`off` (any of their three spellings) are
//! booleans, `010` is octal 8, `0b11`, `0x1f`, `1_000` and sexagesimal `1:30` (90) are integers,
//! a float needs a dot (`1e5` is a string, `1.0e+5` a float), `~`, `null` and nothing are
//! `None`, and `<<` merges mappings. A timestamp (`2024-01-02`) becomes a date in Python, which
//! equals no string: here it is the object `{"$yaml_timestamp": "2024-01-02"}`. Quoted scalars
//! are strings. What `safe_load` refuses (several documents, an unknown tag, a list or a map
//! as a key, `=`) is an error. Keys that are not strings in Python (`64: x`) become their text
//! here: a JSON object has only string keys.

use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, EventReceiver, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

/// Why the text is not what `safe_load` accepts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct YamlError(pub(super) String);

/// The document, `None` for an empty stream.
pub(super) fn safe_load(text: &str) -> Result<Option<Value>, YamlError> {
    let mut events = Events(Vec::new());
    Parser::new_from_str(text)
        .load(&mut events, true)
        .map_err(|e| YamlError(e.to_string()))?;
    let mut builder = Builder {
        events: events.0.into_iter(),
        anchors: HashMap::new(),
    };
    let mut docs = Vec::new();
    while let Some(ev) = builder.events.next() {
        if ev == Event::DocumentStart {
            docs.push(builder.node()?);
        }
    }
    if docs.len() > 1 {
        return Err(YamlError("expected a single document".to_owned()));
    }
    Ok(docs.pop())
}

struct Events(Vec<Event>);

impl EventReceiver for Events {
    fn on_event(&mut self, ev: Event) {
        self.0.push(ev);
    }
}

struct Builder {
    events: std::vec::IntoIter<Event>,
    anchors: HashMap<usize, Value>,
}

/// A mapping key, with whether it is the merge key `<<`.
enum Key {
    Merge,
    Text(String),
}

impl Builder {
    fn node(&mut self) -> Result<Value, YamlError> {
        let Some(ev) = self.events.next() else {
            return Err(YamlError("the document ends early".to_owned()));
        };
        self.node_from(ev)
    }

    fn node_from(&mut self, ev: Event) -> Result<Value, YamlError> {
        let (value, anchor) = match ev {
            Event::Scalar(text, style, anchor, tag) => {
                (scalar(&text, style, tag.as_ref())?, anchor)
            }
            Event::Alias(id) => {
                return self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| YamlError(format!("unknown alias {id}")));
            }
            Event::SequenceStart(anchor, tag) => {
                collection_tag(tag.as_ref(), "seq")?;
                let mut items = Vec::new();
                loop {
                    match self.events.next() {
                        Some(Event::SequenceEnd) => break,
                        Some(ev) => items.push(self.node_from(ev)?),
                        None => return Err(YamlError("a sequence is not closed".to_owned())),
                    }
                }
                (Value::Array(items), anchor)
            }
            Event::MappingStart(anchor, tag) => {
                collection_tag(tag.as_ref(), "map")?;
                (self.mapping()?, anchor)
            }
            other => return Err(YamlError(format!("unexpected {other:?}"))),
        };
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
        Ok(value)
    }

    fn mapping(&mut self) -> Result<Value, YamlError> {
        let mut own = Map::new();
        let mut merged: Vec<Map<String, Value>> = Vec::new();
        loop {
            let key = match self.events.next() {
                Some(Event::MappingEnd) => break,
                Some(Event::Scalar(text, style, anchor, tag)) => {
                    if style == TScalarStyle::Plain && tag.is_none() && text == "<<" {
                        Key::Merge
                    } else {
                        let v = scalar(&text, style, tag.as_ref())?;
                        if anchor > 0 {
                            self.anchors.insert(anchor, v.clone());
                        }
                        Key::Text(key_text(&v)?)
                    }
                }
                Some(Event::Alias(id)) => match self.anchors.get(&id) {
                    Some(v) => Key::Text(key_text(v)?),
                    None => return Err(YamlError(format!("unknown alias {id}"))),
                },
                Some(_) => return Err(YamlError("a mapping key must be a scalar".to_owned())),
                None => return Err(YamlError("a mapping is not closed".to_owned())),
            };
            let value = self.node()?;
            match key {
                Key::Text(k) => {
                    own.insert(k, value);
                }
                Key::Merge => match value {
                    Value::Object(m) => merged.push(m),
                    Value::Array(items) => {
                        for item in items {
                            match item {
                                Value::Object(m) => merged.push(m),
                                _ => return Err(YamlError("<< takes mappings".to_owned())),
                            }
                        }
                    }
                    _ => return Err(YamlError("<< takes mappings".to_owned())),
                },
            }
        }
        // Earlier merged mappings win over later ones, the mapping's own keys over all.
        let mut out = Map::new();
        for m in merged.into_iter().rev() {
            out.extend(m);
        }
        out.extend(own);
        Ok(Value::Object(out))
    }
}

/// A Python dict key as text; lists and dicts are unhashable.
fn key_text(v: &Value) -> Result<String, YamlError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Array(_) | Value::Object(_) if !is_timestamp(v) => {
            Err(YamlError("found unhashable key".to_owned()))
        }
        other => Ok(super::py::to_str(other)),
    }
}

fn is_timestamp(v: &Value) -> bool {
    v.as_object().is_some_and(|o| o.contains_key(TIMESTAMP))
}

const TIMESTAMP: &str = "$yaml_timestamp";

/// The standard tag's short name (`!!str` → `str`), `None` for an unknown tag.
fn tag_name(tag: &Tag) -> Option<&str> {
    match tag.handle.as_str() {
        "!!" => Some(tag.suffix.as_str()),
        "tag:yaml.org,2002:" => Some(tag.suffix.as_str()),
        "!" => tag.suffix.strip_prefix("tag:yaml.org,2002:"),
        _ => None,
    }
}

fn collection_tag(tag: Option<&Tag>, want: &str) -> Result<(), YamlError> {
    match tag {
        None => Ok(()),
        Some(t) if tag_name(t) == Some(want) => Ok(()),
        Some(t) => Err(YamlError(format!(
            "could not determine a constructor for the tag {}{}",
            t.handle, t.suffix
        ))),
    }
}

fn scalar(text: &str, style: TScalarStyle, tag: Option<&Tag>) -> Result<Value, YamlError> {
    if let Some(t) = tag {
        let name = tag_name(t).unwrap_or("");
        return match name {
            "str" => Ok(Value::String(text.to_owned())),
            "int" => int(text).ok_or_else(|| YamlError(format!("{text:?} is no int"))),
            "float" => float(text).ok_or_else(|| YamlError(format!("{text:?} is no float"))),
            "bool" => Ok(Value::Bool(matches!(
                text.to_ascii_lowercase().as_str(),
                "yes" | "true" | "on"
            ))),
            "null" => Ok(Value::Null),
            "timestamp" => Ok(timestamp(text)),
            _ => Err(YamlError(format!(
                "could not determine a constructor for the tag {}{}",
                t.handle, t.suffix
            ))),
        };
    }
    if style != TScalarStyle::Plain {
        return Ok(Value::String(text.to_owned()));
    }
    resolve_plain(text)
}

/// PyYAML's implicit resolvers, in its order of precedence.
fn resolve_plain(text: &str) -> Result<Value, YamlError> {
    if matches!(
        text,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON"
    ) {
        return Ok(Value::Bool(true));
    }
    if matches!(
        text,
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF"
    ) {
        return Ok(Value::Bool(false));
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(Value::Null);
    }
    if text == "=" {
        return Err(YamlError("the value tag (=) has no constructor".to_owned()));
    }
    if is_int(text)
        && let Some(v) = int(text)
    {
        return Ok(v);
    }
    if is_float(text)
        && let Some(v) = float(text)
    {
        return Ok(v);
    }
    if is_timestamp_text(text) {
        return Ok(timestamp(text));
    }
    Ok(Value::String(text.to_owned()))
}

fn re(pattern: &str) -> Option<fancy_regex::Regex> {
    fancy_regex::Regex::new(pattern).ok()
}

fn full(pattern: &str, text: &str) -> bool {
    re(pattern).is_some_and(|r| r.is_match(text).unwrap_or(false))
}

fn is_int(text: &str) -> bool {
    full(
        r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
        text,
    )
}

fn is_float(text: &str) -> bool {
    full(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        text,
    )
}

fn is_timestamp_text(text: &str) -> bool {
    full(
        r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
        text,
    )
}

fn timestamp(text: &str) -> Value {
    let mut o = Map::new();
    o.insert(TIMESTAMP.to_owned(), Value::String(text.to_owned()));
    Value::Object(o)
}

/// `construct_yaml_int`: `_` dropped, sign, `0b`, `0x`, a leading `0` for octal, `a:b` in base 60.
fn int(text: &str) -> Option<Value> {
    let s = text.replace('_', "");
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, &s[..]),
    };
    let magnitude: i128 = if digits == "0" {
        0
    } else if let Some(b) = digits.strip_prefix("0b") {
        i128::from_str_radix(b, 2).ok()?
    } else if let Some(h) = digits.strip_prefix("0x") {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(o) = digits.strip_prefix('0') {
        i128::from_str_radix(o, 8).ok()?
    } else if digits.contains(':') {
        let mut v: i128 = 0;
        for part in digits.split(':') {
            v = v.checked_mul(60)?.checked_add(part.parse::<i128>().ok()?)?;
        }
        v
    } else {
        digits.parse().ok()?
    };
    let v = if neg { -magnitude } else { magnitude };
    match i64::try_from(v) {
        Ok(i) => Some(Value::Number(Number::from(i))),
        Err(_) => u64::try_from(v)
            .ok()
            .map(|u| Value::Number(Number::from(u)))
            .or_else(|| Number::from_f64(v as f64).map(Value::Number)),
    }
}

/// `construct_yaml_float`: `_` dropped, `.inf`, `.nan`, base 60, else Python's `float()`.
fn float(text: &str) -> Option<Value> {
    let s = text.replace('_', "").to_ascii_lowercase();
    let (sign, body) = match s.as_bytes().first() {
        Some(b'-') => (-1.0, &s[1..]),
        Some(b'+') => (1.0, &s[1..]),
        _ => (1.0, &s[..]),
    };
    let f = if body == ".inf" {
        f64::INFINITY
    } else if body == ".nan" {
        f64::NAN
    } else if body.contains(':') {
        let mut v = 0.0;
        for part in body.split(':') {
            v = v * 60.0 + part.parse::<f64>().ok()?;
        }
        v
    } else {
        body.parse::<f64>().ok()?
    };
    // JSON has no infinities or NaN: they load as `check_json` loads them from JSON.
    let f = sign * f;
    Some(Number::from_f64(f).map_or_else(
        || {
            let name = if f.is_nan() {
                "NaN"
            } else if f > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            };
            serde_json::json!({ super::PY_FLOAT: name })
        },
        Value::Number,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_as_pyyaml() {
        let doc = "a: yes\nb: Off\nc: 010\nd: 1:30\ne: 1e5\nf: 1.0e+5\ng: ~\nh: '010'\ni: 0x1F\nj: 1_000\nk: 2024-01-02\nl:\n  - x\n  - 'y'\n";
        let v = safe_load(doc).unwrap().unwrap();
        assert_eq!(
            v,
            json!({"a": true, "b": false, "c": 8, "d": 90, "e": "1e5", "f": 100000.0, "g": null,
                   "h": "010", "i": 31, "j": 1000, "k": {"$yaml_timestamp": "2024-01-02"},
                   "l": ["x", "y"]})
        );
    }

    #[test]
    fn anchors_merges_and_refusals() {
        let doc = "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n";
        let v = safe_load(doc).unwrap().unwrap();
        assert_eq!(v["derived"], json!({"x": 1, "y": 3}));
        assert_eq!(safe_load("").unwrap(), None);
        assert!(safe_load("a: 1\n---\nb: 2\n").is_err());
        assert!(safe_load("a: !foo 1\n").is_err());
        assert!(safe_load("[1]: a\n").is_err() || safe_load("? [1]\n: a\n").is_err());
        assert_eq!(
            safe_load("64: icon\n").unwrap(),
            Some(json!({"64": "icon"}))
        );
    }
}
