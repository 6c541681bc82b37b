//! The X display the agent drives: an existing one (`--display :N`) or a private virtual one
//! (`--virtual`), started by [`VirtualDisplay`] with its own window manager, D-Bus session and HOME.
//!
//! [`x11`] holds the few X queries the agent and its tests need (window list, keymap, pointer).

pub mod app_log;
mod error;
pub mod libreoffice_profile;
mod process;
pub(crate) use process::{own_group, terminate};
pub mod profiles;
pub mod terminal_text;
pub mod thunderbird_profile;
mod virtual_display;
pub mod windows;
pub mod x11;

pub use app_log::AppLog;
pub use error::DisplayError;
pub use virtual_display::{VirtualDisplay, VirtualOptions};

use std::ffi::OsString;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// How long the output of a program that has ended may take to reach its log.
pub const DRAIN_DEADLINE: Duration = Duration::from_secs(2);

/// A program started by [`Display::launch_command_logged`] whose window has shown.
#[derive(Debug)]
pub struct Launched {
    /// The program.
    pub child: Child,
    /// The window it showed.
    pub window: u32,
    /// Its output on its way into the log (`None` when it is discarded).
    pub output: Option<app_log::Captured>,
}

/// How a program ended, for messages: `with status 134`, `by signal 11`.
pub fn how_it_ended(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt as _;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("with status {code}"),
        (None, Some(sig)) => format!("by signal {sig}"),
        (None, None) => status.to_string(),
    }
}

/// A display to drive, with the environment that programs started on it should get.
#[derive(Debug)]
pub enum Display {
    /// A display someone else runs, such as the user's own desktop.
    Existing {
        /// The X display name, like `:0`.
        name: String,
    },
    /// A private display started for this run, torn down when dropped.
    Virtual(VirtualDisplay),
}

impl Display {
    /// Uses an existing X display after checking that it answers.
    pub fn existing(name: &str) -> Result<Display, DisplayError> {
        x11::connect(name)?;
        Ok(Display::Existing {
            name: name.to_owned(),
        })
    }

    /// The X display name, like `:7`.
    pub fn name(&self) -> &str {
        match self {
            Display::Existing { name } => name,
            Display::Virtual(v) => v.name(),
        }
    }

    /// The environment variables a program started on this display should see.
    pub fn env(&self) -> Vec<(String, OsString)> {
        match self {
            Display::Existing { name } => vec![("DISPLAY".into(), name.into())],
            Display::Virtual(v) => v.env(),
        }
    }

    /// Starts `command` (a shell command line) on this display and waits until it has shown a new
    /// top-level window, or `deadline` passes. Returns the child and the window's id.
    pub fn launch(&self, command: &str, deadline: Duration) -> Result<(Child, u32), DisplayError> {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(command);
        self.launch_command(cmd, command, deadline, |_| true)
    }

    /// Prepares `cmd` to run on this display: its environment, the private HOME as working
    /// directory, no stdin, and a process group of its own (so [`terminate`] stops all of it).
    pub fn prepare(&self, cmd: &mut Command) {
        cmd.stdin(Stdio::null());
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd.env_remove("WAYLAND_DISPLAY");
        if let Display::Virtual(v) = self {
            // Programs on a private display work in its private HOME, not in our directory.
            cmd.current_dir(v.home());
        }
        process::own_group(cmd);
    }

    /// Starts `cmd` on this display and waits until a new top-level window (not a splash
    /// screen) for which `wanted` holds is shown, or `deadline` passes. `label` names the
    /// program in errors. The child's output is discarded.
    pub fn launch_command(
        &self,
        cmd: Command,
        label: &str,
        deadline: Duration,
        wanted: impl Fn(&windows::WindowInfo) -> bool,
    ) -> Result<(Child, u32), DisplayError> {
        let l = self.start_and_wait(cmd, label, deadline, wanted, None)?;
        Ok((l.child, l.window))
    }

    /// Like [`Display::launch`], with the program's stdout and stderr kept in the program log
    /// at `log` (appended to; see [`app_log`] for its format); an error names the log. On a
    /// private display, a command that starts LibreOffice first gets a complete profile
    /// ([`libreoffice_profile::complete`]; if that fails, the bare one is kept, and the log
    /// says why).
    pub fn launch_logged(
        &self,
        command: &str,
        deadline: Duration,
        log: &std::path::Path,
    ) -> Result<(Child, u32), DisplayError> {
        let log = AppLog::open(log).map_err(|source| DisplayError::Log {
            path: log.to_owned(),
            source,
        })?;
        if let Some(home) = self.home()
            && libreoffice_profile::starts_libreoffice(command)
            && let Err(e) = libreoffice_profile::complete(home, &libreoffice_profile::cache_dir())
        {
            log.note("deskhand", std::process::id(), "profile", &e.to_string());
        }
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(command);
        let l = self.launch_command_logged(cmd, command, deadline, |_| true, &log)?;
        Ok((l.child, l.window))
    }

    /// Like [`Display::launch_command`], with the program's output kept in `log` under `label`.
    /// When the program ends before its window shows, the error says how it ended and names
    /// the log, and everything it wrote is in the log by then.
    pub fn launch_command_logged(
        &self,
        cmd: Command,
        label: &str,
        deadline: Duration,
        wanted: impl Fn(&windows::WindowInfo) -> bool,
        log: &AppLog,
    ) -> Result<Launched, DisplayError> {
        self.start_and_wait(cmd, label, deadline, wanted, Some(log))
    }

    fn start_and_wait(
        &self,
        mut cmd: Command,
        label: &str,
        deadline: Duration,
        wanted: impl Fn(&windows::WindowInfo) -> bool,
        log: Option<&AppLog>,
    ) -> Result<Launched, DisplayError> {
        let conn = x11::connect(self.name())?;
        let before = x11::client_list(&conn)?;
        self.prepare(&mut cmd);
        let spawned = match log {
            Some(log) => log.spawn(label, &mut cmd).map(|(c, o)| (c, Some(o))),
            None => cmd
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map(|c| (c, None)),
        };
        let (mut child, mut output) = spawned.map_err(|e| DisplayError::Spawn {
            program: label.to_owned(),
            reason: e.to_string(),
        })?;
        let found = x11::wait_for(deadline, || {
            let now = windows::list(&conn)?;
            let window = now
                .into_iter()
                .find(|w| !w.splash && !before.contains(&w.id) && wanted(w))
                .map(|w| w.id);
            if window.is_none()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(match (log, output.as_mut()) {
                    (Some(log), Some(out)) => {
                        log.note(label, child.id(), "exited", &status.to_string());
                        out.drain(DRAIN_DEADLINE);
                        DisplayError::AppExited {
                            program: label.to_owned(),
                            how: how_it_ended(status),
                            log: log.shown(),
                        }
                    }
                    _ => DisplayError::Exited {
                        program: label.to_owned(),
                        status: status.to_string(),
                    },
                });
            }
            Ok(window)
        });
        match found {
            Ok(Some(window)) => Ok(Launched {
                child,
                window,
                output,
            }),
            Ok(None) => {
                process::terminate(&mut child, Duration::from_secs(2));
                Err(match (log, output.as_mut()) {
                    (Some(log), Some(out)) => {
                        out.drain(DRAIN_DEADLINE);
                        DisplayError::AppNoWindow {
                            program: label.to_owned(),
                            waited: deadline,
                            log: log.shown(),
                        }
                    }
                    _ => DisplayError::NoWindow {
                        program: label.to_owned(),
                        waited: deadline,
                    },
                })
            }
            Err(e) => {
                process::terminate(&mut child, Duration::from_secs(2));
                Err(e)
            }
        }
    }

    /// The private HOME of a virtual display.
    pub fn home(&self) -> Option<&std::path::Path> {
        match self {
            Display::Existing { .. } => None,
            Display::Virtual(v) => Some(v.home()),
        }
    }
}
