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
//! - `download` / `upload_file` copy files from the task's folder (or a `file://` URL, or an
//!   `http(s)` URL through the file cache); an `open` of an `http(s)` URL saves the file into
//!   `~/Downloads/` first.
//!
//! Before LibreOffice first starts in the task's HOME (an `open` of an office file, a `launch`
//! naming `libreoffice`/`soffice`), the HOME gets a complete LibreOffice profile, so that
//! LibreOffice does not go through its first start (see
//! [`crate::display::libreoffice_profile`]); setup.log says so.
//!
//! A `launch` or `open` whose program ends with a failure before its window shows is started
//! once more (setup.log says so) before it counts as the task's error; the programs' output,
//! both tries, is in `apps.log` (see [`super::env`]), and the error names that file.

use super::env::{EnvError, Launched, TaskEnv};
use crate::display::libreoffice_profile;
use crate::display::thunderbird_profile;
use crate::display::windows::{self, WindowInfo};
use crate::display::{DRAIN_DEADLINE, DisplayError, how_it_ended, x11};
use deskhand_tasks::{CommandLine, Execute, Step, StepAction, WindowMatch};
use deskhand_vision::{ScreenSource, SettleOptions, VisionError, settle};
use std::path::{Path, PathBuf};
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
    super::a11y::CHROMIUM_FLAG,
];

/// A setup step that failed: the step's kind (`open`, `execute`, …) and what went wrong.
#[derive(Debug, thiserror::Error)]
#[error("setup step {step}")]
#[non_exhaustive]
pub struct SetupError {
    /// The step's `type`.
    pub step: String,
    /// What went wrong.
    #[source]
    pub failure: StepError,
}

/// What went wrong in a setup step. One sentence each; the cause, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StepError {
    /// The display failed, or a program ended or showed no window while it was started
    /// ([`DisplayError::AppExited`] and [`DisplayError::AppNoWindow`] name `apps.log`).
    #[error(transparent)]
    Display(#[from] DisplayError),
    /// A command or a file reference of the task failed.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// The screen could not be watched while waiting for it to settle.
    #[error("cannot watch the screen settle")]
    Settle(#[source] VisionError),
    /// The file to open is not there.
    #[error("{} does not exist", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// A folder could not be made.
    #[error("cannot create {}", dir.display())]
    CreateDir {
        /// The folder.
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file could not be copied.
    #[error("cannot copy {} to {}", from.display(), to.display())]
    Copy {
        /// From where.
        from: PathBuf,
        /// To where.
        to: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A command's output could not be written to the file the step names.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An `execute` with `until` never saw what it waited for.
    #[error("{command} never met its `until` condition ({last})")]
    Until {
        /// The command.
        command: String,
        /// Its last exit code and stdout.
        last: String,
    },
    /// No window of that name showed.
    #[error("no window named {name:?} within {waited:?}")]
    NoSuchWindow {
        /// The name looked for.
        name: String,
        /// How long it was looked for.
        waited: Duration,
    },
    /// The window was asked to become active and did not.
    #[error("window {name:?} did not become active")]
    NotActivated {
        /// The window's name in the step.
        name: String,
    },
    /// The window was asked to close and did not.
    #[error("window {name:?} did not close")]
    NotClosed {
        /// The window's name in the step.
        name: String,
    },
    /// A browser step failed.
    #[error(transparent)]
    Browser(#[from] super::browser::BrowserError),
    /// A step on Chromium's profile failed.
    #[error(transparent)]
    ChromeProfile(#[from] super::chrome_profile::ProfileError),
    /// A step deskhand does not run.
    #[error("unsupported: {reason}")]
    Unsupported {
        /// Why.
        reason: String,
    },
}

impl StepError {
    /// Whether a program ended with a failure before its window showed (worth one more try).
    pub fn app_died_starting(&self) -> bool {
        matches!(self, StepError::Display(DisplayError::AppExited { .. }))
    }
}

/// Runs one step. Errors name the step; their source says what went wrong.
pub fn run_step(
    env: &mut TaskEnv<'_>,
    screen: &mut dyn ScreenSource,
    step: &Step,
) -> Result<(), SetupError> {
    env.log(&format!("step {} {}", step.kind, step.parameters));
    let result = match &step.action {
        StepAction::Launch { command, shell } => {
            retried_once(env, &step.kind, |env, _| launch(env, command, *shell))
        }
        StepAction::Open { path } => {
            retried_once(env, &step.kind, |env, again| open(env, path, again))
        }
        StepAction::Execute(e) => execute(env, e),
        StepAction::Sleep { seconds } => {
            let opts = SettleOptions {
                deadline: Duration::from_secs_f64(seconds.clamp(0.0, 600.0)),
                ..SettleOptions::default()
            };
            settle(screen, None, &opts)
                .map(drop)
                .map_err(StepError::Settle)
        }
        StepAction::ActivateWindow(m) => activate_window(env, m),
        StepAction::CloseWindow(m) => close_window(env, m),
        StepAction::Download { files } => download(env, files),
        StepAction::Browser(s) => super::browser::run_step(env, s).map_err(StepError::from),
        StepAction::ChromeProfile(s) => {
            super::chrome_profile::run_step(env, s).map_err(StepError::from)
        }
        StepAction::Unsupported { reason } => Err(StepError::Unsupported {
            reason: reason.clone(),
        }),
    };
    result.map_err(|failure| SetupError {
        step: step.kind.clone(),
        failure,
    })
}

/// Runs `start`, and once more (with `again` true) if its program died while starting.
fn retried_once(
    env: &mut TaskEnv<'_>,
    kind: &str,
    mut start: impl FnMut(&mut TaskEnv<'_>, bool) -> Result<(), StepError>,
) -> Result<(), StepError> {
    match start(env, false) {
        Err(e) if e.app_died_starting() => {
            env.log(&format!("step {kind}: {e}; starting it once more"));
            let again = start(env, true);
            env.log(&match &again {
                Ok(()) => format!("step {kind}: the second start worked"),
                Err(e) => format!("step {kind}: the second start failed too: {e}"),
            });
            again
        }
        other => other,
    }
}

fn download(env: &mut TaskEnv<'_>, files: &[deskhand_tasks::FileSpec]) -> Result<(), StepError> {
    for f in files {
        let from = env.source_file(&f.url)?;
        let to = env.desktop_path(&f.path);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|source| StepError::CreateDir {
                dir: dir.to_owned(),
                source,
            })?;
        }
        std::fs::copy(&from, &to).map_err(|source| StepError::Copy {
            from: from.clone(),
            to: to.clone(),
            source,
        })?;
    }
    Ok(())
}

/// Starts the command and waits for a new window, at most [`LAUNCH_WINDOW`]; a program that
/// shows none, or exits successfully first, is fine too.
fn launch(env: &mut TaskEnv<'_>, command: &CommandLine, shell: bool) -> Result<(), StepError> {
    let replaced;
    let (command, shell) = match super::browser::rewrite_launch(env, command, shell) {
        super::browser::Launch::Keep => (command, shell),
        super::browser::Launch::Replace { command, shell } => {
            replaced = command;
            (&replaced, shell)
        }
        super::browser::Launch::Skip => {
            env.log(&format!(
                "step launch {}: served by deskhand itself",
                command.display()
            ));
            return Ok(());
        }
    };
    let label = command.display();
    if libreoffice_profile::starts_libreoffice(&label) {
        env.complete_libreoffice_profile();
    }
    let thunderbird = thunderbird_profile::starts_thunderbird(&label);
    if thunderbird {
        let line = thunderbird_profile::prepare_line(&env.home);
        env.log(&line);
    }
    let mut cmd = env.command(command, shell);
    if thunderbird {
        cmd.env(thunderbird_profile::LEGACY_PROFILES, "1");
        if !shell && matches!(command, CommandLine::Args(_)) {
            cmd.arg(thunderbird_profile::CLASS_ARG);
        }
    }
    let conn = x11::connect(env.display.name())?;
    let before = x11::client_list(&conn)?;
    let apps = env.apps_log()?.clone();
    let (mut child, mut output) =
        apps.spawn(&label, &mut cmd)
            .map_err(|source| EnvError::Spawn {
                command: label.clone(),
                source,
            })?;
    let outcome = x11::wait_for(LAUNCH_WINDOW, || {
        let shown = windows::list(&conn)?
            .iter()
            .any(|w| !w.splash && !before.contains(&w.id));
        if shown {
            return Ok(Some(None));
        }
        match child.try_wait() {
            Ok(Some(status)) if status.success() => Ok(Some(None)),
            Ok(Some(status)) => Ok(Some(Some(status))),
            _ => Ok(None),
        }
    });
    match outcome {
        Err(e) => {
            crate::display::terminate(&mut child, Duration::from_secs(2));
            Err(e.into())
        }
        Ok(Some(Some(failed))) => {
            apps.note(&label, child.id(), "exited", &failed.to_string());
            crate::display::terminate(&mut child, Duration::from_secs(2));
            output.drain(DRAIN_DEADLINE);
            Err(DisplayError::AppExited {
                program: label,
                how: how_it_ended(failed),
                log: apps.shown(),
            }
            .into())
        }
        Ok(_) => {
            env.launched.push(Launched {
                name: label,
                child,
                output: Some(output),
            });
            Ok(())
        }
    }
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
        _ => Command::new("xdg-open"),
    };
    cmd.arg(path);
    cmd
}

/// A file named by an `http(s)` URL, from the file cache into `~/Downloads/` under the URL's
/// last path segment (as a browser would save it), ready to open.
fn downloaded(env: &mut TaskEnv<'_>, url: &str) -> Result<PathBuf, StepError> {
    let cached = env.source_file(url)?;
    let name = url
        .split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .filter(|n| !n.is_empty())
        .unwrap_or("download");
    let dir = env.home.join("Downloads");
    std::fs::create_dir_all(&dir).map_err(|source| StepError::CreateDir {
        dir: dir.clone(),
        source,
    })?;
    let to = dir.join(name);
    std::fs::copy(&cached, &to).map_err(|source| StepError::Copy {
        from: cached.clone(),
        to: to.clone(),
        source,
    })?;
    env.log(&format!("step open: {url} is {}", to.display()));
    Ok(to)
}

/// Opens `path` in its application and waits for its window. `again`: a second try after the
/// application died while starting, so the lock files a crashed LibreOffice leaves behind (the
/// document's, which would bring up a "document in use" question, and the profile's) are
/// removed first.
fn open(env: &mut TaskEnv<'_>, path: &str, again: bool) -> Result<(), StepError> {
    let path = if path.starts_with("http://") || path.starts_with("https://") {
        downloaded(env, path)?
    } else {
        env.desktop_path(path)
    };
    if !path.exists() {
        return Err(StepError::Missing { path });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if again {
        let profile_lock = env
            .home
            .join(crate::display::profiles::LIBREOFFICE_USER)
            .join(".lock");
        for lock in [path.with_file_name(format!(".~lock.{name}#")), profile_lock] {
            if lock.exists() {
                env.log(&format!(
                    "removing {}, left by the first start",
                    lock.display()
                ));
                let _ = std::fs::remove_file(lock);
            }
        }
    }
    let html = name.ends_with(".html") || name.ends_with(".htm");
    // HTML opens in the task's browser (its profile, its DevTools port: `super::browser`).
    let cmd = if html {
        super::browser::open_html_command(env, &path)
    } else {
        opener(&path)
    };
    let program = cmd.get_program().to_string_lossy().into_owned();
    if libreoffice_profile::starts_libreoffice(&program) {
        env.complete_libreoffice_profile();
    }
    let label = format!("{program} for {name}");
    let apps = env.apps_log()?.clone();
    let started = env.display.launch_command_logged(
        cmd,
        &label,
        OPEN_WINDOW,
        |w: &WindowInfo| html || w.title.contains(&name),
        &apps,
    )?;
    env.launched.push(Launched {
        name: label,
        child: started.child,
        output: started.output,
    });
    Ok(())
}

fn execute(env: &mut TaskEnv<'_>, e: &Execute) -> Result<(), StepError> {
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
                std::fs::write(&p, text).map_err(|source| StepError::Write {
                    path: p.clone(),
                    source,
                })?;
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
    Err(StepError::Until {
        command: e.command.display(),
        last,
    })
}

fn find_window(env: &TaskEnv<'_>, m: &WindowMatch) -> Result<(x11::X11, u32), StepError> {
    let conn = x11::connect(env.display.name())?;
    let found = x11::wait_for(WINDOW_DEADLINE, || {
        Ok(windows::list(&conn)?
            .into_iter()
            .find(|w| w.matches(&m.window_name, m.strict, m.by_class))
            .map(|w| w.id))
    })?;
    let id = found.ok_or_else(|| StepError::NoSuchWindow {
        name: m.window_name.clone(),
        waited: WINDOW_DEADLINE,
    })?;
    Ok((conn, id))
}

fn activate_window(env: &mut TaskEnv<'_>, m: &WindowMatch) -> Result<(), StepError> {
    let (conn, id) = find_window(env, m)?;
    windows::activate(&conn, id)?;
    let active = x11::wait_for(WINDOW_DEADLINE, || {
        Ok((windows::active(&conn)? == Some(id)).then_some(()))
    })?;
    active.ok_or_else(|| StepError::NotActivated {
        name: m.window_name.clone(),
    })
}

fn close_window(env: &mut TaskEnv<'_>, m: &WindowMatch) -> Result<(), StepError> {
    let (conn, id) = find_window(env, m)?;
    windows::close(&conn, id)?;
    let gone = x11::wait_for(WINDOW_DEADLINE, || {
        Ok((!x11::client_list(&conn)?.contains(&id)).then_some(()))
    })?;
    gone.ok_or_else(|| StepError::NotClosed {
        name: m.window_name.clone(),
    })
}
