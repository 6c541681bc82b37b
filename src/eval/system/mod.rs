//! Getters on the desktop itself and other apps' settings, as OSWorld's VM server answers them:
//!
//! - `vm_screen_size`: `{"width", "height"}` of the root window (OSWorld: `pyautogui.size()`).
//! - `vm_window_size`: `{"width", "height"}` of the first client in `_NET_CLIENT_LIST` one of
//!   whose `WM_CLASS` names equals `app_class_name` case-insensitively (the client window's
//!   own geometry, frame excluded); none: `null`, as OSWorld's getter gives `None`.
//! - `vm_terminal_output`: the text of the focused terminal (an xterm, or GNOME Terminal over
//!   AT-SPI as OSWorld reads it), trailing blanks stripped (module [`terminal`]); `null` when
//!   no terminal has the focus.
//! - `vm_wallpaper`: module [`wallpaper`].
//! - `default_video_player`: the answer of `xdg-mime query default video/<type>` given most
//!   often over OSWorld's list of video types (its stdout, newline included, as OSWorld keeps
//!   it), `unknown` when none answers.
//! - `content_from_vm_file`: the file is copied into the cache under its own name and read
//!   (`deskhand_tasks::sources::system::xlsx`); a missing file is an error, as OSWorld's
//!   pandas raises.
//! - `vscode_config`: presses ctrl+shift+p, types the command, presses Enter (OSWorld's
//!   replay), waits until the file is written (up to [`VSCODE_DEADLINE`]; OSWorld sleeps 1 s)
//!   and fetches it like `vm_file`.

mod apps;
mod terminal;
mod wallpaper;

use super::env::{EnvError, TaskEnv};
use crate::display::DisplayError;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::system::SystemGetter;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

/// How long `vscode_config` waits for its file.
pub const VSCODE_DEADLINE: Duration = Duration::from_secs(5);

/// Why a system getter failed. One sentence each; the cause, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SystemError {
    /// The display could not be asked.
    #[error("cannot read the display")]
    Display(#[from] DisplayError),
    /// A command of the getter failed.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// A file could not be written into the cache or read.
    #[error("cannot use {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The terminal that has the focus did not hand over its text.
    #[error(
        "the focused terminal ({program}, pid {pid}) did not print its text within {deadline:?}: {why}"
    )]
    Terminal {
        /// Its program.
        program: String,
        /// Its process.
        pid: u32,
        /// How long it was given.
        deadline: Duration,
        /// What was seen.
        why: String,
    },
    /// `content_from_vm_file`'s file is not on the desktop.
    #[error("{} does not exist on the desktop", path.display())]
    NoFile {
        /// The file.
        path: PathBuf,
    },
    /// `content_from_vm_file` could not read its file.
    #[error(transparent)]
    LastRow(#[from] deskhand_tasks::sources::system::xlsx::LastRowError),
    /// The keys of `vscode_config` could not be sent.
    #[error("cannot send vscode_config's keys")]
    Input(#[from] deskhand_actions::InputError),
}

/// Runs a system getter.
pub fn get(env: &mut TaskEnv<'_>, getter: &SystemGetter) -> Result<Got, SystemError> {
    match getter {
        SystemGetter::ScreenSize => {
            let x = crate::display::x11::connect(env.display.name())?;
            let (w, h) = crate::display::x11::screen_size(&x)?;
            Ok(Got::Json(json!({"width": w, "height": h})))
        }
        SystemGetter::WindowSize { app_class_name } => window_size(env, app_class_name),
        SystemGetter::TerminalOutput => Ok(Got::Json(
            terminal::focused_text(env)?.map_or(Value::Null, Value::String),
        )),
        SystemGetter::Wallpaper { dest } => wallpaper::get(env, dest),
        SystemGetter::DefaultVideoPlayer => Ok(Got::Text(apps::default_video_player(env)?)),
        SystemGetter::ContentFromFile { path, content } => apps::content(env, path, content),
        SystemGetter::VscodeConfig {
            command,
            path,
            dest,
        } => apps::vscode_config(env, command, path, dest),
    }
}

fn window_size(env: &TaskEnv<'_>, class: &str) -> Result<Got, SystemError> {
    use crate::display::{windows, x11};
    let x = x11::connect(env.display.name())?;
    let wanted = class.to_lowercase();
    for id in x11::client_list(&x)? {
        let Some(info) = windows::describe(&x, id)? else {
            continue;
        };
        if info.class.iter().any(|c| c.to_lowercase() == wanted) {
            let Ok((_, _, w, h)) = windows::geometry(&x, id) else {
                continue;
            };
            return Ok(Got::Json(json!({"width": w, "height": h})));
        }
    }
    Ok(Got::Json(Value::Null))
}
