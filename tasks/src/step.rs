//! Setup steps: OSWorld's `config` and `postconfig` entries, `{"type": T, "parameters": {…}}`.
//!
//! Every entry loads. One whose type deskhand does not run, or whose parameters do not fit its
//! type, becomes [`StepAction::Unsupported`] with the reason; the task then reports
//! "unsupported: …" instead of running half its setup.

use crate::error::{TaskError, chain};
use crate::one_or_many::CommandLine;
use serde::Deserialize;
use serde_json::Value;

/// One setup step: its type and parameters as written, and what deskhand makes of them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "RawStep")]
pub struct Step {
    /// The `type` as written.
    pub kind: String,
    /// The `parameters` as written (unknown keys kept).
    pub parameters: Value,
    /// The typed step.
    pub action: StepAction,
}

/// What a setup step does.
#[derive(Debug, Clone, PartialEq)]
pub enum StepAction {
    /// Start a program and return at once.
    Launch {
        /// The program.
        command: CommandLine,
        /// Run through `sh -c`.
        shell: bool,
    },
    /// Open a file with its default application; done when a window showing its name is up.
    Open {
        /// The file (relative: the user's home).
        path: String,
    },
    /// Run a command to completion (`execute` and `command`).
    Execute(Execute),
    /// Wait this long.
    Sleep {
        /// Seconds.
        seconds: f64,
    },
    /// Raise and focus a window.
    ActivateWindow(WindowMatch),
    /// Close a window.
    CloseWindow(WindowMatch),
    /// Put files on the desktop machine: `download` and `upload_file`.
    Download {
        /// Where each file comes from and where it goes.
        files: Vec<FileSpec>,
    },
    /// A step on the live browser (`crate::sources::browser`).
    Browser(crate::sources::browser::BrowserStep),
    /// A step on Chromium's profile on disk (`crate::sources::chrome_profile`).
    ChromeProfile(crate::sources::chrome_profile::ProfileStep),
    /// A step deskhand does not run.
    Unsupported {
        /// Why, in a few words.
        reason: String,
    },
}

/// `execute` / `command` parameters.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Execute {
    /// The command.
    pub command: CommandLine,
    /// Run through `sh -c`.
    #[serde(default, deserialize_with = "crate::truthy::truthy")]
    pub shell: bool,
    /// Also write the command's stdout to this file.
    #[serde(default)]
    pub stdout: Option<String>,
    /// Also write the command's stderr to this file.
    #[serde(default)]
    pub stderr: Option<String>,
    /// Retry until the result matches.
    #[serde(default)]
    pub until: Option<Until>,
}

/// When a retried command counts as done.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Until {
    /// The exit status.
    #[serde(default)]
    pub returncode: Option<i32>,
    /// A substring of stdout.
    #[serde(default)]
    pub stdout: Option<String>,
    /// A substring of stderr.
    #[serde(default)]
    pub stderr: Option<String>,
}

/// Which window `activate_window` / `close_window` mean.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WindowMatch {
    /// The title (or class, with `by_class`).
    pub window_name: String,
    /// The whole title must match, not a part of it.
    #[serde(default, deserialize_with = "crate::truthy::truthy")]
    pub strict: bool,
    /// Match the window's class instead of its title.
    #[serde(default, deserialize_with = "crate::truthy::truthy")]
    pub by_class: bool,
}

/// A file to put in place.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FileSpec {
    /// Where it comes from: a path relative to the task's folder, an absolute path, a
    /// `file://` URL, or an `http(s)` URL (fetched by `deskhand eval` into its file cache).
    #[serde(alias = "local_path")]
    pub url: String,
    /// Where it goes (relative: the user's home).
    pub path: String,
}

#[derive(Deserialize)]
struct RawStep {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    parameters: Value,
}

#[derive(Deserialize)]
struct LaunchParams {
    command: CommandLine,
    #[serde(default, deserialize_with = "crate::truthy::truthy")]
    shell: bool,
}

#[derive(Deserialize)]
struct OpenParams {
    path: String,
}

#[derive(Deserialize)]
struct SleepParams {
    seconds: f64,
}

#[derive(Deserialize)]
struct FilesParams {
    files: Vec<FileSpec>,
}

pub(crate) fn typed<T: for<'de> Deserialize<'de>>(
    kind: &str,
    params: &Value,
) -> Result<T, TaskError> {
    T::deserialize(params).map_err(|source| TaskError::StepParameters {
        kind: kind.to_owned(),
        source,
    })
}

impl From<RawStep> for Step {
    fn from(raw: RawStep) -> Step {
        let p = &raw.parameters;
        let action = match raw.kind.as_str() {
            "launch" => typed::<LaunchParams>(&raw.kind, p).map(|l| StepAction::Launch {
                command: l.command,
                shell: l.shell,
            }),
            "open" => typed::<OpenParams>(&raw.kind, p).map(|o| StepAction::Open { path: o.path }),
            "execute" | "command" => typed(&raw.kind, p).map(StepAction::Execute),
            "sleep" => {
                typed::<SleepParams>(&raw.kind, p).map(|s| StepAction::Sleep { seconds: s.seconds })
            }
            "activate_window" => typed(&raw.kind, p).map(StepAction::ActivateWindow),
            "close_window" => typed(&raw.kind, p).map(StepAction::CloseWindow),
            "download" | "upload_file" => {
                typed::<FilesParams>(&raw.kind, p).map(|f| StepAction::Download { files: f.files })
            }
            other => other_step(other, p),
        };
        Step {
            action: action.unwrap_or_else(|e| StepAction::Unsupported { reason: chain(&e) }),
            kind: raw.kind,
            parameters: raw.parameters,
        }
    }
}

/// A step of one of [`crate::sources`]' kinds, or [`TaskError::UnknownStep`].
fn other_step(kind: &str, parameters: &Value) -> Result<StepAction, TaskError> {
    use crate::sources::{browser, chrome_profile};
    if let Some(s) = browser::parse_step(kind, parameters) {
        return s.map(StepAction::Browser);
    }
    if let Some(s) = chrome_profile::parse_step(kind, parameters) {
        return s.map(StepAction::ChromeProfile);
    }
    Err(TaskError::UnknownStep {
        kind: kind.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn step(v: Value) -> Step {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn typed_steps() {
        let s = step(
            json!({"type": "execute", "parameters": {"command": ["python", "-c", "x"], "until": {"returncode": 0}}}),
        );
        match s.action {
            StepAction::Execute(e) => {
                assert_eq!(
                    e.command,
                    CommandLine::Args(vec!["python".into(), "-c".into(), "x".into()])
                );
                assert_eq!(e.until.unwrap().returncode, Some(0));
            }
            other => panic!("{other:?}"),
        }
        let s = step(
            json!({"type": "launch", "parameters": {"command": "mousepad a.txt", "shell": true}}),
        );
        assert!(matches!(s.action, StepAction::Launch { shell: true, .. }));
        let s = step(
            json!({"type": "download", "parameters": {"files": [{"url": "in.csv", "path": "~/in.csv"}]}}),
        );
        assert!(matches!(s.action, StepAction::Download { ref files } if files[0].url == "in.csv"));
    }

    #[test]
    fn unknown_and_malformed_steps_are_unsupported_with_a_reason() {
        let s = step(json!({"type": "googledrive", "parameters": {"settings_file": "x"}}));
        assert_eq!(
            s.action,
            StepAction::Unsupported {
                reason: "setup step googledrive is not implemented".into()
            }
        );
        let s = step(json!({"type": "sleep", "parameters": {"secs": 1}}));
        assert_eq!(
            s.action,
            StepAction::Unsupported {
                reason: "the parameters of the sleep setup step do not fit it: \
                         missing field `seconds`"
                    .into()
            }
        );
    }
}
