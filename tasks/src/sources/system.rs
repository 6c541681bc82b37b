//! The desktop itself and other apps' settings (`vm_screen_size`, `vm_terminal_output`, `vscode_config`, …).
//!
//! Typed getters of this kind; the evaluation side is in deskhand's `eval` module. Their fields,
//! as OSWorld's task files write them:
//!
//! | type | fields |
//! |---|---|
//! | `vm_terminal_output` | none |
//! | `vm_screen_size` | none |
//! | `vm_window_size` | `app_class_name` |
//! | `vm_wallpaper` | `dest` |
//! | `default_video_player` | none |
//! | `content_from_vm_file` | `path`, `file_type` (`xlsx` only, as in OSWorld), `file_content` |
//! | `vscode_config` | `vscode_extension_command`, `path`, `dest` |

pub mod xlsx;

use crate::error::TaskError;
use crate::getter::typed;
use serde::Deserialize;
use serde_json::Value;

/// A getter of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum SystemGetter {
    /// The text of the terminal that has the focus (`vm_terminal_output`).
    TerminalOutput,
    /// `{"width": W, "height": H}` of the screen (`vm_screen_size`).
    ScreenSize,
    /// `{"width": W, "height": H}` of the first window whose `WM_CLASS` names `app_class_name`
    /// (either part, case-insensitive) (`vm_window_size`).
    WindowSize {
        /// The class name.
        app_class_name: String,
    },
    /// The wallpaper image file, copied into the cache as `dest` (`vm_wallpaper`).
    Wallpaper {
        /// The local name.
        dest: String,
    },
    /// The desktop file most video types open with, per `xdg-mime` (`default_video_player`).
    DefaultVideoPlayer,
    /// A value read out of a file on the desktop (`content_from_vm_file`).
    ContentFromFile {
        /// The file on the desktop.
        path: String,
        /// What is read.
        content: FileContent,
    },
    /// Runs a VS Code command (ctrl+shift+p, its name, Enter), then fetches a file it wrote
    /// (`vscode_config`).
    VscodeConfig {
        /// The command's name as typed into the command palette.
        command: String,
        /// The file on the desktop.
        path: String,
        /// Its local name.
        dest: String,
    },
}

/// What `content_from_vm_file` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileContent {
    /// `file_type: xlsx`, `file_content: last_row`: the first sheet's last row as strings, as
    /// pandas gives it (see [`xlsx`]).
    XlsxLastRow,
    /// `file_type: xlsx` with another `file_content`: OSWorld's getter returns `None` (JSON null).
    XlsxOther,
}

#[derive(Deserialize)]
struct WindowFields {
    app_class_name: String,
}

#[derive(Deserialize)]
struct DestField {
    dest: String,
}

#[derive(Deserialize)]
struct ContentFields {
    path: String,
    file_type: String,
    file_content: String,
}

#[derive(Deserialize)]
struct VscodeFields {
    vscode_extension_command: String,
    path: String,
    dest: String,
}

/// The getter `kind` (its whole object `raw`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_getter(kind: &str, raw: &Value) -> Option<Result<SystemGetter, TaskError>> {
    let g = match kind {
        "vm_terminal_output" => Ok(SystemGetter::TerminalOutput),
        "vm_screen_size" => Ok(SystemGetter::ScreenSize),
        "default_video_player" => Ok(SystemGetter::DefaultVideoPlayer),
        "vm_window_size" => typed::<WindowFields>(kind, raw).map(|f| SystemGetter::WindowSize {
            app_class_name: f.app_class_name,
        }),
        "vm_wallpaper" => {
            typed::<DestField>(kind, raw).map(|f| SystemGetter::Wallpaper { dest: f.dest })
        }
        "content_from_vm_file" => typed::<ContentFields>(kind, raw).and_then(|f| {
            let content = match (f.file_type.as_str(), f.file_content.as_str()) {
                ("xlsx", "last_row") => FileContent::XlsxLastRow,
                ("xlsx", _) => FileContent::XlsxOther,
                (other, _) => {
                    return Err(TaskError::UnknownGetter {
                        kind: format!("content_from_vm_file with file_type {other}"),
                    });
                }
            };
            Ok(SystemGetter::ContentFromFile {
                path: f.path,
                content,
            })
        }),
        "vscode_config" => typed::<VscodeFields>(kind, raw).map(|f| SystemGetter::VscodeConfig {
            command: f.vscode_extension_command,
            path: f.path,
            dest: f.dest,
        }),
        _ => return None,
    };
    Some(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn corpus_shapes_parse() {
        let g = |v: Value| {
            let kind = v["type"].as_str().unwrap_or_default().to_owned();
            parse_getter(&kind, &v)
        };
        assert_eq!(
            g(json!({"type": "vm_window_size", "app_class_name": "vlc"}))
                .unwrap()
                .unwrap(),
            SystemGetter::WindowSize {
                app_class_name: "vlc".into()
            }
        );
        assert!(matches!(
            g(
                json!({"type": "content_from_vm_file", "path": "/a.xlsx", "file_type": "xlsx", "file_content": "last_row"})
            ),
            Some(Ok(SystemGetter::ContentFromFile {
                content: FileContent::XlsxLastRow,
                ..
            }))
        ));
        assert!(matches!(
            g(
                json!({"type": "content_from_vm_file", "path": "/a.csv", "file_type": "csv", "file_content": "last_row"})
            ),
            Some(Err(_))
        ));
        assert!(matches!(
            g(json!({"type": "vm_wallpaper"})),
            Some(Err(TaskError::GetterFields { .. }))
        ));
        assert!(g(json!({"type": "vm_file"})).is_none());
    }
}
