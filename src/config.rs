//! `deskhand.toml`: defaults for `deskhand run`, overridable with `-c key=value`.
//!
//! The file is read from `--config FILE`, else `./deskhand.toml`, else
//! `$XDG_CONFIG_HOME/deskhand/deskhand.toml` (`~/.config/…`). Every key is optional; unknown
//! keys are refused with their name. Precedence: command-line flags, then `-c`, then the file,
//! then the built-in defaults. API keys are never read from here: only from the environment
//! (ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY or GOOGLE_API_KEY).
//!
//! ```toml
//! policy = "anthropic"          # script | anthropic | openai | gemini | openai-compat | replay
//! model = "claude-sonnet-4-5"
//! base_url = "https://api.anthropic.com"
//! max_steps = 50
//! max_cost = 2.0                # US dollars
//! coords = "smart-resize"       # openai-compat: relative1000 | smart-resize | pixels
//!
//! [http]
//! timeout_ms = 120000           # per request
//! attempts = 5                  # in all, the first included
//!
//! [anthropic]
//! tool = "toolset"              # toolset | computer_20251124 | computer_20250124 (default: by model)
//!
//! [openai_compat]
//! grammar = "qwen3vl"           # uitars | qwen3vl (default: by model name)
//!
//! [files]
//! mirror = ["https://example.org/files=/data/mirror"]   # PREFIX=DIR, served from DIR
//!
//! [chrome]
//! args = ["--host-resolver-rules=MAP *.example.test 127.0.0.1:8080"]   # added to every Chromium a task starts
//!
//! [context]
//! keep_screenshots = 3
//! screenshot_long_edge = 1024   # the newest screenshot's long edge at most; 0: provider limit
//! older_screenshots_half = true # older kept screenshots go at half size
//! set_of_marks = false          # number the text on screenshots (OCR) and list it for the model
//! ```
//!
//! `-c` takes the same keys with dots for tables: `-c http.timeout_ms=500 -c model=claude-opus-4-5`.
//! A value is read as TOML (`500`, `true`, `"text"`), and as a plain string when it is not.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings a config file and `-c` can hold.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The policy.
    pub policy: Option<String>,
    /// The model's name.
    pub model: Option<String>,
    /// The provider's base URL.
    pub base_url: Option<String>,
    /// The step limit.
    pub max_steps: Option<u32>,
    /// The cost cap in US dollars.
    pub max_cost: Option<f64>,
    /// The openai-compat coordinate space.
    pub coords: Option<String>,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpConfig,
    /// Context settings.
    #[serde(default)]
    pub context: ContextConfig,
    /// `--policy anthropic`'s settings.
    #[serde(default)]
    pub anthropic: AnthropicSection,
    /// `--policy openai-compat`'s settings.
    #[serde(default)]
    pub openai_compat: CompatSection,
    /// Where files named by URLs come from.
    #[serde(default)]
    pub files: FilesSection,
    /// The Chromium that tasks start.
    #[serde(default)]
    pub chrome: ChromeSection,
}

/// `[chrome]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChromeSection {
    /// Arguments added to every Chromium a task starts: one string or a list (`-c chrome.args=`
    /// may be repeated).
    #[serde(default, deserialize_with = "one_or_many")]
    pub args: Vec<String>,
}

/// `[files]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesSection {
    /// `PREFIX=DIR` mirrors: one string or a list (`-c files.mirror=` may be repeated).
    #[serde(default, deserialize_with = "one_or_many")]
    pub mirror: Vec<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// Keys that `-c` may give more than once: each adds to the list (the first replaces the
/// file's).
const REPEATABLE: [&str; 2] = ["files.mirror", "chrome.args"];

/// `[anthropic]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnthropicSection {
    /// The computer tool: `toolset`, `computer_20251124` or `computer_20250124`.
    pub tool: Option<String>,
}

/// `[openai_compat]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompatSection {
    /// The reply grammar: `uitars` or `qwen3vl`.
    pub grammar: Option<String>,
}

/// `[http]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Per-request timeout in milliseconds.
    pub timeout_ms: Option<u64>,
    /// Attempts per model call, the first included.
    pub attempts: Option<u32>,
}

/// `[context]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextConfig {
    /// Screenshots kept in a model's context.
    pub keep_screenshots: Option<usize>,
    /// The newest screenshot's long edge at most (0: the provider's own limit).
    pub screenshot_long_edge: Option<u32>,
    /// Older screenshots kept in the context are sent at half size.
    pub older_screenshots_half: Option<bool>,
    /// Draw numbered boxes around the text on each screenshot and list them for the model
    /// (`crate::policy::marks`); needs the OCR model.
    pub set_of_marks: Option<bool>,
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The file or an override is not valid.
    #[error("bad configuration in {place}: {reason}")]
    Invalid {
        /// The file, or `-c`.
        place: String,
        /// What is wrong.
        reason: String,
    },
}

/// Reads the config file (if any) and applies the `-c` overrides.
pub fn load(explicit: Option<&Path>, overrides: &[String]) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(p) => Some(p.to_owned()),
        None => default_paths().into_iter().find(|p| p.is_file()),
    };
    load_from(path, overrides)
}

fn load_from(path: Option<PathBuf>, overrides: &[String]) -> Result<Config, ConfigError> {
    let mut table = toml::Table::new();
    let mut place = "-c".to_owned();
    if let Some(path) = &path {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        table = text
            .parse::<toml::Table>()
            .map_err(|e| ConfigError::Invalid {
                place: path.display().to_string(),
                reason: e.message().to_owned(),
            })?;
        place = path.display().to_string();
    }
    let mut lists: std::collections::BTreeMap<&str, Vec<toml::Value>> = Default::default();
    for item in overrides {
        let (key, value) = item.split_once('=').ok_or_else(|| ConfigError::Invalid {
            place: "-c".into(),
            reason: format!("'{item}' is not key=value"),
        })?;
        let key = key.trim();
        if let Some(k) = REPEATABLE.iter().find(|k| **k == key) {
            // A list's items are strings as given (`PREFIX=DIR` holds an `=` of its own).
            lists
                .entry(k)
                .or_default()
                .push(toml::Value::String(value.trim().to_owned()));
            continue;
        }
        set(&mut table, key, parse_value(value.trim()));
    }
    for (key, items) in lists {
        set(&mut table, key, toml::Value::Array(items));
    }
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::Invalid {
            place: if overrides.is_empty() {
                place
            } else {
                format!("{place} (with -c)")
            },
            reason: e.message().to_owned(),
        })
}

/// The `-c` overrides alone, with no file (what `deskhand resume` lays over a recorded spec).
pub fn from_overrides(overrides: &[String]) -> Result<Config, ConfigError> {
    load_from(None, overrides)
}

fn default_paths() -> Vec<PathBuf> {
    let mut paths = vec![PathBuf::from("deskhand.toml")];
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(base) = base {
        paths.push(base.join("deskhand/deskhand.toml"));
    }
    paths
}

fn parse_value(text: &str) -> toml::Value {
    format!("v = {text}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_owned()))
}

fn set(table: &mut toml::Table, dotted: &str, value: toml::Value) {
    match dotted.split_once('.') {
        None => {
            table.insert(dotted.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = table
                .entry(head.to_owned())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(inner) = entry {
                set(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`load`] with only `-c` overrides, on an empty config file: never without a file, which
    /// would read the developer's own `./deskhand.toml` or `~/.config/deskhand/`.
    fn overrides(items: &[&str]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("deskhand.toml");
        std::fs::write(&empty, "").unwrap();
        let items: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
        load(Some(&empty), &items)
    }

    #[test]
    fn file_then_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deskhand.toml");
        std::fs::write(
            &path,
            "model = \"a\"\nmax_steps = 7\n[http]\ntimeout_ms = 100\n",
        )
        .unwrap();
        let c = load(
            Some(&path),
            &[
                "model=b".into(),
                "http.attempts=2".into(),
                "max_cost=0.5".into(),
            ],
        )
        .unwrap();
        assert_eq!(c.model.as_deref(), Some("b"));
        assert_eq!(c.max_steps, Some(7));
        assert_eq!(c.http.timeout_ms, Some(100));
        assert_eq!(c.http.attempts, Some(2));
        assert_eq!(c.max_cost, Some(0.5));
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = overrides(&["modle=x"]).unwrap_err().to_string();
        assert!(err.contains("modle"), "{err}");
        let err = overrides(&["nonsense"]).unwrap_err().to_string();
        assert!(err.contains("key=value"), "{err}");
    }

    #[test]
    fn set_of_marks_is_a_context_switch() {
        let c = overrides(&["context.set_of_marks=true"]).unwrap();
        assert_eq!(c.context.set_of_marks, Some(true));
        assert_eq!(overrides(&[]).unwrap().context.set_of_marks, None);
        let err = overrides(&["context.set_of_marks=maybe"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("bool"), "{err}");
    }

    #[test]
    fn plain_strings_need_no_quotes() {
        let c = overrides(&["base_url=http://localhost:8000/v1"]).unwrap();
        assert_eq!(c.base_url.as_deref(), Some("http://localhost:8000/v1"));
    }

    #[test]
    fn mirrors_are_a_list_and_dash_c_adds_to_it() {
        let c = overrides(&[
            "files.mirror=https://a.example/x=/m/a",
            "files.mirror=https://b.example=/m/b",
        ])
        .unwrap();
        assert_eq!(
            c.files.mirror,
            vec!["https://a.example/x=/m/a", "https://b.example=/m/b"]
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deskhand.toml");
        std::fs::write(&path, "[files]\nmirror = \"https://c.example=/m/c\"\n").unwrap();
        assert_eq!(
            load(Some(&path), &[]).unwrap().files.mirror,
            vec!["https://c.example=/m/c"]
        );
    }
}
