//! The X display the agent drives: an existing one (`--display :N`) or a private virtual one
//! (`--virtual`), started by [`VirtualDisplay`] with its own window manager, D-Bus session and HOME.
//!
//! [`x11`] holds the few X queries the agent and its tests need (window list, keymap, pointer).

mod error;
mod process;
pub(crate) use process::{own_group, terminate};
mod profiles;
mod virtual_display;
pub mod windows;
pub mod x11;

pub use error::DisplayError;
pub use virtual_display::{VirtualDisplay, VirtualOptions};

use std::ffi::OsString;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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
        mut cmd: Command,
        label: &str,
        deadline: Duration,
        wanted: impl Fn(&windows::WindowInfo) -> bool,
    ) -> Result<(Child, u32), DisplayError> {
        let conn = x11::connect(self.name())?;
        let before = x11::client_list(&conn)?;
        self.prepare(&mut cmd);
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = cmd.spawn().map_err(|e| DisplayError::Spawn {
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
                return Err(DisplayError::Exited {
                    program: label.to_owned(),
                    status: status.to_string(),
                });
            }
            Ok(window)
        });
        match found {
            Ok(Some(window)) => Ok((child, window)),
            Ok(None) => {
                process::terminate(&mut child, Duration::from_secs(2));
                Err(DisplayError::NoWindow {
                    program: label.to_owned(),
                    waited: deadline,
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
