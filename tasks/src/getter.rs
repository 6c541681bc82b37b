//! Getters: how an evaluator obtains the values it compares, `{"type": X, …}`.
//!
//! Every getter loads; one deskhand does not implement, or whose fields do not fit, becomes
//! [`Source::Unsupported`] with the reason.

use crate::error::{TaskError, chain};
use crate::one_or_many::{CommandLine, OneOrMany};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A getter: its type and fields as written, and what deskhand makes of them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "Map<String, Value>")]
pub struct Getter {
    /// The `type` as written.
    pub kind: String,
    /// The whole object as written (unknown keys kept).
    pub raw: Value,
    /// The typed getter.
    pub source: Source,
}

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A file (or files, with `multi`) from the desktop: `vm_file`. Missing scores 0.
    VmFile(Files),
    /// The gold file(s): `cloud_file`, from a path relative to the task's folder, an absolute
    /// path or a `file://` URL.
    CloudFile(Files),
    /// A file in the run's cache directory (downloaded earlier): `cache_file`.
    CacheFile {
        /// The file's name there.
        path: String,
    },
    /// The `rules` object, as is: `rule`.
    Rule(Value),
    /// The `rules` object with relative times resolved to dates: `rule_relativeTime`.
    RuleRelativeTime(Value),
    /// A command's stdout on the desktop: `vm_command_line`.
    CommandLine {
        /// The command.
        command: CommandLine,
        /// Run through `sh -c`.
        shell: bool,
    },
    /// A command's stderr on the desktop: `vm_command_error`.
    CommandError {
        /// The command.
        command: CommandLine,
        /// Run through `sh -c`.
        shell: bool,
    },
    /// The names in a directory on the desktop: `list_directory`.
    ListDirectory {
        /// The directory.
        path: String,
    },
    /// The live browser (`crate::sources::browser`).
    Browser(crate::sources::browser::BrowserGetter),
    /// Chromium's profile on disk (`crate::sources::chrome_profile`).
    ChromeProfile(crate::sources::chrome_profile::ProfileGetter),
    /// The accessibility tree (`crate::sources::a11y`).
    A11y(crate::sources::a11y::A11yGetter),
    /// The desktop and other apps' settings (`crate::sources::system`).
    System(crate::sources::system::SystemGetter),
    /// A getter deskhand does not implement.
    Unsupported {
        /// Why, in a few words.
        reason: String,
    },
}

/// `vm_file` / `cloud_file` fields.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Files {
    /// The source path or paths.
    pub path: OneOrMany<String>,
    /// The local name(s) the file is kept under.
    pub dest: OneOrMany<String>,
    /// `path` and `dest` are lists.
    #[serde(default, deserialize_with = "crate::truthy::truthy")]
    pub multi: bool,
    /// With `multi`: which of the files are handed to the metric (indices).
    #[serde(default)]
    pub gives: Option<Vec<usize>>,
}

#[derive(Deserialize)]
struct CommandFields {
    command: CommandLine,
    #[serde(default, deserialize_with = "crate::truthy::truthy")]
    shell: bool,
}

#[derive(Deserialize)]
struct PathField {
    path: String,
}

#[derive(Deserialize)]
struct RulesField {
    rules: Value,
}

pub(crate) fn typed<T: for<'de> Deserialize<'de>>(kind: &str, raw: &Value) -> Result<T, TaskError> {
    T::deserialize(raw).map_err(|source| TaskError::GetterFields {
        kind: kind.to_owned(),
        source,
    })
}

impl From<Map<String, Value>> for Getter {
    fn from(raw: Map<String, Value>) -> Getter {
        let raw = Value::Object(raw);
        let kind = raw["type"].as_str().unwrap_or_default().to_owned();
        let source = match kind.as_str() {
            "vm_file" => typed(&kind, &raw).map(Source::VmFile),
            "cloud_file" => typed(&kind, &raw).map(Source::CloudFile),
            "cache_file" => {
                typed::<PathField>(&kind, &raw).map(|p| Source::CacheFile { path: p.path })
            }
            "rule" => typed::<RulesField>(&kind, &raw).map(|r| Source::Rule(r.rules)),
            "rule_relativeTime" => {
                typed::<RulesField>(&kind, &raw).map(|r| Source::RuleRelativeTime(r.rules))
            }
            "vm_command_line" => typed::<CommandFields>(&kind, &raw).map(|c| Source::CommandLine {
                command: c.command,
                shell: c.shell,
            }),
            "vm_command_error" => {
                typed::<CommandFields>(&kind, &raw).map(|c| Source::CommandError {
                    command: c.command,
                    shell: c.shell,
                })
            }
            "list_directory" => {
                typed::<PathField>(&kind, &raw).map(|p| Source::ListDirectory { path: p.path })
            }
            "" => Err(TaskError::GetterWithoutType),
            other => other_getter(other, &raw),
        };
        Getter {
            source: source.unwrap_or_else(|e| Source::Unsupported { reason: chain(&e) }),
            kind,
            raw,
        }
    }
}

/// A getter of one of [`crate::sources`]' kinds, or [`TaskError::UnknownGetter`].
fn other_getter(kind: &str, raw: &Value) -> Result<Source, TaskError> {
    use crate::sources::{a11y, browser, chrome_profile, system};
    if let Some(g) = browser::parse_getter(kind, raw) {
        return g.map(Source::Browser);
    }
    if let Some(g) = chrome_profile::parse_getter(kind, raw) {
        return g.map(Source::ChromeProfile);
    }
    if let Some(g) = a11y::parse_getter(kind, raw) {
        return g.map(Source::A11y);
    }
    if let Some(g) = system::parse_getter(kind, raw) {
        return g.map(Source::System);
    }
    Err(TaskError::UnknownGetter {
        kind: kind.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn getters_load_typed_or_unsupported() {
        let g: Getter = serde_json::from_value(
            json!({"type": "vm_file", "path": "/home/user/a.xlsx", "dest": "a.xlsx"}),
        )
        .unwrap();
        assert!(matches!(
            g.source,
            Source::VmFile(Files { multi: false, .. })
        ));
        let g: Getter =
            serde_json::from_value(json!({"type": "vm_command_line", "command": ["ls"]})).unwrap();
        assert!(matches!(g.source, Source::CommandLine { shell: false, .. }));
        let g: Getter = serde_json::from_value(json!({"type": "chrome_saved_address"})).unwrap();
        assert_eq!(
            g.source,
            Source::Unsupported {
                reason: "getter chrome_saved_address is not implemented".into()
            }
        );
        let g: Getter = serde_json::from_value(json!({"type": "vm_file", "path": "a"})).unwrap();
        assert_eq!(
            g.source,
            Source::Unsupported {
                reason: "the fields of the vm_file getter do not fit it: missing field `dest`"
                    .into()
            }
        );
    }
}
