//! Running a task's setup steps (`config`, and `evaluator.postconfig`) on its display.
//!
//! Each step waits on a condition with a deadline, never on a fixed time:
//! - `launch` returns once the program shows a new window, or after 10 s for programs that show
//!   none (or at once if it exits successfully first);
//! - `open` starts the file's application (Calc for spreadsheets, Writer for documents,
//!   mousepad for text, Chromium for HTML, else `xdg-open`) and returns when a window whose
//!   title has the file's name is shown (for HTML: any new window);
//! - `execute`/`command` run to completion (60 s at most); with `until`, again every 0.3 s
//!   until the result matches (30 s at most); `stdout`/`stderr` name files for the output;
//! - `sleep` waits until the screen settles, at most the given seconds: OSWorld sleeps to let
//!   apps settle, and deskhand looks instead;
//! - `activate_window` / `close_window` wait (10 s at most) for the window, ask the window
//!   manager, and wait until it is active / gone;
//! - `download` / `upload_file` copy files from the task's folder (or a `file://` URL).

use super::env::TaskEnv;
use crate::display::windows::{self, WindowInfo};
use crate::display::x11;
use deskhand_tasks::{Execute, Step, StepAction, WindowMatch};
use deskhand_vision::{ScreenSource, SettleOptions, settle};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const LAUNCH_WINDOW: Duration = Duration::from_secs(10);
const OPEN_WINDOW: Duration = Duration::from_secs(60);
const COMMAND_DEADLINE: Duration = Duration::from_secs(60);
const UNTIL_DEADLINE: Duration = Duration::from_secs(30);
const WINDOW_DEADLINE: Duration = Duration::from_secs(10);

/// Chromium's flags for a private, quiet, offline profile in the task's HOME.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--no-sandbox",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--test-type",
];

/// Runs one step. Errors are one sentence naming the step.
pub fn run_step(
    env: &mut TaskEnv<'_>,
    screen: &mut dyn ScreenSource,
    step: &Step,
) -> Result<(), String> {
    env.log(&format!("step {} {}", step.kind, step.parameters));
    let result = match &step.action {
        StepAction::Launch { command, shell } => {
            let cmd = env.command(command, *shell);
            launch(env, cmd, &command.display())
        }
        StepAction::Open { path } => open(env, path),
        StepAction::Execute(e) => execute(env, e),
        StepAction::Sleep { seconds } => {
            let opts = SettleOptions {
                deadline: Duration::from_secs_f64(seconds.clamp(0.0, 600.0)),
                ..SettleOptions::default()
            };
            settle(screen, None, &opts)
                .map(drop)
                .map_err(|e| e.to_string())
        }
        StepAction::ActivateWindow(m) => activate_window(env, m),
        StepAction::CloseWindow(m) => close_window(env, m),
        StepAction::Download { files } => {
            for f in files {
                let from = env.source_file(&f.url)?;
                let to = env.desktop_path(&f.path);
                if let Some(dir) = to.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                std::fs::copy(&from, &to).map_err(|e| {
                    format!("cannot copy {} to {}: {e}", from.display(), to.display())
                })?;
            }
            Ok(())
        }
        StepAction::Unsupported { reason } => Err(format!("unsupported: {reason}")),
    };
    result.map_err(|e| format!("setup step {}: {e}", step.kind))
}

/// Starts `cmd` and waits for a new window, at most [`LAUNCH_WINDOW`].
fn launch(env: &mut TaskEnv<'_>, mut cmd: Command, label: &str) -> Result<(), String> {
    let conn = x11::connect(env.display.name()).map_err(|e| e.to_string())?;
    let before = x11::client_list(&conn).map_err(|e| e.to_string())?;
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {label}: {e}"))?;
    let outcome = x11::wait_for(LAUNCH_WINDOW, || {
        let shown = windows::list(&conn)?
            .iter()
            .any(|w| !w.splash && !before.contains(&w.id));
        if shown {
            return Ok(Some(Ok(())));
        }
        match child.try_wait() {
            Ok(Some(status)) if status.success() => Ok(Some(Ok(()))),
            Ok(Some(status)) => Ok(Some(Err(format!("{label} exited early ({status})")))),
            _ => Ok(None),
        }
    })
    .map_err(|e| e.to_string())?;
    env.launched.push((label.to_owned(), child));
    outcome.unwrap_or(Ok(()))
}

/// The application that opens `path`, by extension.
fn opener(path: &Path) -> Command {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let lo = |module: &str| {
        let mut c = Command::new("libreoffice");
        c.args([module, "--nologo", "--norestore"]);
        c
    };
    let mut cmd = match ext.as_str() {
        "xlsx" | "xls" | "ods" | "csv" => lo("--calc"),
        "docx" | "doc" | "odt" | "rtf" => lo("--writer"),
        "pptx" | "ppt" | "odp" => lo("--impress"),
        "txt" | "md" | "py" | "json" | "log" | "sh" | "conf" | "ini" | "yaml" | "yml" | "xml"
        | "tex" => Command::new("mousepad"),
        "html" | "htm" => {
            let mut c = Command::new("chromium");
            c.args(CHROMIUM_FLAGS);
            c
        }
        _ => Command::new("xdg-open"),
    };
    cmd.arg(path);
    cmd
}

fn open(env: &mut TaskEnv<'_>, path: &str) -> Result<(), String> {
    let path = env.desktop_path(path);
    if !path.exists() {
        return Err(format!("{} does not exist", path.display()));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let html = name.ends_with(".html") || name.ends_with(".htm");
    let mut cmd = opener(&path);
    if html {
        let profile = env.home.join(".chromium");
        cmd.arg(format!("--user-data-dir={}", profile.display()));
    }
    let label = format!("{} for {name}", cmd.get_program().to_string_lossy());
    let (child, _) = env
        .display
        .launch_command(cmd, &label, OPEN_WINDOW, |w: &WindowInfo| {
            html || w.title.contains(&name)
        })
        .map_err(|e| e.to_string())?;
    env.launched.push((label, child));
    Ok(())
}

fn execute(env: &mut TaskEnv<'_>, e: &Execute) -> Result<(), String> {
    let tries = if e.until.is_some() {
        (UNTIL_DEADLINE.as_millis() / 300).max(1)
    } else {
        1
    };
    let mut last = String::new();
    for attempt in 0..tries {
        if attempt > 0 {
            // The retry interval OSWorld uses; the command is what is waited on.
            std::thread::park_timeout(Duration::from_millis(300));
        }
        let out = env.run_command(&e.command, e.shell, COMMAND_DEADLINE)?;
        for (file, text) in [(&e.stdout, &out.stdout), (&e.stderr, &out.stderr)] {
            if let Some(f) = file {
                let p = env.desktop_path(f);
                std::fs::write(&p, text)
                    .map_err(|err| format!("cannot write {}: {err}", p.display()))?;
            }
        }
        let Some(until) = &e.until else {
            return Ok(());
        };
        let ok = until.returncode.is_none_or(|c| out.code == Some(c))
            && until.stdout.as_ref().is_none_or(|s| out.stdout.contains(s))
            && until.stderr.as_ref().is_none_or(|s| out.stderr.contains(s));
        if ok {
            return Ok(());
        }
        last = format!("exit {:?}, stdout {:?}", out.code, out.stdout.trim());
    }
    Err(format!(
        "{} never met its `until` condition ({last})",
        e.command.display()
    ))
}

fn find_window(env: &TaskEnv<'_>, m: &WindowMatch) -> Result<(x11::X11, u32), String> {
    let conn = x11::connect(env.display.name()).map_err(|e| e.to_string())?;
    let found = x11::wait_for(WINDOW_DEADLINE, || {
        Ok(windows::list(&conn)?
            .into_iter()
            .find(|w| w.matches(&m.window_name, m.strict, m.by_class))
            .map(|w| w.id))
    })
    .map_err(|e| e.to_string())?;
    let id = found.ok_or_else(|| {
        format!(
            "no window named {:?} within {WINDOW_DEADLINE:?}",
            m.window_name
        )
    })?;
    Ok((conn, id))
}

fn activate_window(env: &mut TaskEnv<'_>, m: &WindowMatch) -> Result<(), String> {
    let (conn, id) = find_window(env, m)?;
    windows::activate(&conn, id).map_err(|e| e.to_string())?;
    let active = x11::wait_for(WINDOW_DEADLINE, || {
        Ok((windows::active(&conn)? == Some(id)).then_some(()))
    })
    .map_err(|e| e.to_string())?;
    active.ok_or_else(|| format!("window {:?} did not become active", m.window_name))
}

fn close_window(env: &mut TaskEnv<'_>, m: &WindowMatch) -> Result<(), String> {
    let (conn, id) = find_window(env, m)?;
    windows::close(&conn, id).map_err(|e| e.to_string())?;
    let gone = x11::wait_for(WINDOW_DEADLINE, || {
        Ok((!x11::client_list(&conn)?.contains(&id)).then_some(()))
    })
    .map_err(|e| e.to_string())?;
    gone.ok_or_else(|| format!("window {:?} did not close", m.window_name))
}
