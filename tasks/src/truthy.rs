//! Flags read as OSWorld's Python reads them: OSWorld's harness tests a flag with `if
//! config.get("multi", False)`, so any value Python finds true counts: `true`, a non-empty
//! string (`"true"`, and even `"false"`), a non-zero number, a non-empty list or object. Some of
//! OSWorld's task files write flags as strings (`"shell": "true"`, `"multi": "true"`).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Python's truthiness of a JSON value.
pub fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// `#[serde(deserialize_with = "truthy")]`: a flag as Python tests it.
pub fn truthy<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Value::deserialize(d).map(|v| is_truthy(&v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_are_true_as_python_finds_them() {
        for v in [
            json!(true),
            json!("true"),
            json!("false"),
            json!(1),
            json!([0]),
            json!({"a": 1}),
        ] {
            assert!(is_truthy(&v), "{v}");
        }
        for v in [
            json!(false),
            json!(""),
            json!(0),
            json!(0.0),
            json!(null),
            json!([]),
            json!({}),
        ] {
            assert!(!is_truthy(&v), "{v}");
        }
    }
}
