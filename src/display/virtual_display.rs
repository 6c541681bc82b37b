//! A private X display: Xvfb, an openbox window manager, a D-Bus session bus and a HOME of its
//! own. Each part is waited for (Xvfb reports its display number when it accepts clients; D-Bus
//! prints its address; openbox announces itself on the root window) and all of it is torn down
//! when the [`VirtualDisplay`] is dropped, which deskhand makes sure happens on Ctrl-C too.

use super::{DisplayError, process, x11};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How to start a virtual display.
#[derive(Debug, Clone)]
pub struct VirtualOptions {
    /// Screen width in pixels.
    pub width: u32,
    /// Screen height in pixels.
    pub height: u32,
    /// Start the openbox window manager (needed for window lists and sane placement).
    pub window_manager: bool,
    /// Use this directory as HOME instead of a fresh temporary one (it is not deleted).
    pub home: Option<PathBuf>,
    /// How long each part may take to become ready.
    pub ready_deadline: Duration,
}

impl Default for VirtualOptions {
    fn default() -> Self {
        VirtualOptions {
            width: 1280,
            height: 800,
            window_manager: true,
            home: None,
            ready_deadline: Duration::from_secs(15),
        }
    }
}

impl VirtualOptions {
    /// Parses a `WIDTHxHEIGHT` screen size such as `1920x1080`.
    pub fn parse_size(s: &str) -> Result<(u32, u32), DisplayError> {
        let bad = || DisplayError::BadSize(s.to_owned());
        let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
        let w: u32 = w.trim().parse().map_err(|_| bad())?;
        let h: u32 = h.trim().parse().map_err(|_| bad())?;
        if !(200..=8192).contains(&w) || !(200..=8192).contains(&h) {
            return Err(bad());
        }
        Ok((w, h))
    }
}

/// A running private display. Dropping it stops every process it started and removes its HOME
/// (unless the HOME was given).
#[derive(Debug)]
pub struct VirtualDisplay {
    name: String,
    width: u32,
    height: u32,
    home: Home,
    dbus_address: String,
    children: Vec<(String, Child)>,
}

#[derive(Debug)]
enum Home {
    Temp(tempfile::TempDir),
    Given(PathBuf),
}

impl Home {
    fn path(&self) -> &Path {
        match self {
            Home::Temp(t) => t.path(),
            Home::Given(p) => p,
        }
    }
}

impl VirtualDisplay {
    /// Starts Xvfb, D-Bus and (optionally) openbox, and returns once all of them are ready.
    pub fn start(opts: &VirtualOptions) -> Result<VirtualDisplay, DisplayError> {
        let home = match &opts.home {
            Some(p) => {
                std::fs::create_dir_all(p)?;
                Home::Given(p.clone())
            }
            None => Home::Temp(
                tempfile::Builder::new()
                    .prefix("deskhand-home-")
                    .tempdir()?,
            ),
        };
        let runtime_dir = home.path().join(".run");
        std::fs::create_dir_all(&runtime_dir)?;
        super::profiles::seed(home.path())?;
        super::terminal_text::seed(home.path())?;
        set_mode(&runtime_dir, 0o700)?;

        let mut display = VirtualDisplay {
            name: String::new(),
            width: opts.width,
            height: opts.height,
            home,
            dbus_address: String::new(),
            children: Vec::new(),
        };
        let (xvfb, number) = start_xvfb(opts, &display.home.path().join(".xvfb.log"))?;
        display.children.push(("Xvfb".into(), xvfb));
        display.name = format!(":{number}");

        let (dbus, address) = display.start_dbus(opts.ready_deadline)?;
        display.children.push(("dbus-daemon".into(), dbus));
        display.dbus_address = address;

        if opts.window_manager {
            let wm = display.start_openbox(opts.ready_deadline)?;
            display.children.push(("openbox".into(), wm));
        }
        Ok(display)
    }

    /// The X display name, like `:7`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The screen size in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The private HOME programs on this display get.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The environment for programs on this display: DISPLAY, HOME, the D-Bus address and the
    /// XDG directories, all private to it.
    pub fn env(&self) -> Vec<(String, OsString)> {
        let home = self.home.path();
        vec![
            ("DISPLAY".into(), self.name.clone().into()),
            ("HOME".into(), home.into()),
            (
                "DBUS_SESSION_BUS_ADDRESS".into(),
                self.dbus_address.clone().into(),
            ),
            ("XDG_RUNTIME_DIR".into(), home.join(".run").into()),
            ("XDG_CONFIG_HOME".into(), home.join(".config").into()),
            ("XDG_CACHE_HOME".into(), home.join(".cache").into()),
            ("XDG_DATA_HOME".into(), home.join(".local/share").into()),
            ("XDG_SESSION_TYPE".into(), "x11".into()),
            // An assistive technology is announced, so that Gecko (Thunderbird, Firefox) and
            // Chromium expose their interface over AT-SPI (eval::a11y reads it).
            ("GNOME_ACCESSIBILITY".into(), "1".into()),
        ]
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd.env_remove("WAYLAND_DISPLAY").stdin(Stdio::null());
        process::own_group(&mut cmd);
        cmd
    }

    fn start_dbus(&self, deadline: Duration) -> Result<(Child, String), DisplayError> {
        let mut cmd = self.command("dbus-daemon");
        cmd.args(["--session", "--nofork", "--nopidfile", "--print-address=1"]);
        cmd.stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = spawn(cmd, "dbus-daemon")?;
        let stdout = child.stdout.take();
        let line = read_line_within(stdout, deadline);
        match line {
            Some(addr) if !addr.trim().is_empty() => Ok((child, addr.trim().to_owned())),
            _ => {
                process::terminate(&mut child, Duration::from_secs(1));
                Err(DisplayError::NotReady {
                    what: "the D-Bus session bus".into(),
                    waited: deadline,
                })
            }
        }
    }

    fn start_openbox(&self, deadline: Duration) -> Result<Child, DisplayError> {
        let mut cmd = self.command("openbox");
        cmd.arg("--sm-disable")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = spawn(cmd, "openbox")?;
        let conn = x11::connect(&self.name)?;
        let ready = x11::wait_for(deadline, || {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(DisplayError::Exited {
                    program: "openbox".into(),
                    status: status.to_string(),
                });
            }
            Ok(conn.wm_ready()?.then_some(()))
        });
        let ready = match ready {
            Ok(Some(())) => x11::wm_manages_windows(&conn, deadline).map(|ok| ok.then_some(())),
            other => other,
        };
        match ready {
            Ok(Some(())) => Ok(child),
            Ok(None) => {
                process::terminate(&mut child, Duration::from_secs(1));
                Err(DisplayError::NotReady {
                    what: "the openbox window manager".into(),
                    waited: deadline,
                })
            }
            Err(e) => {
                process::terminate(&mut child, Duration::from_secs(1));
                Err(e)
            }
        }
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        // Newest first: the window manager and the bus go before the X server.
        while let Some((_, mut child)) = self.children.pop() {
            process::terminate(&mut child, Duration::from_secs(3));
        }
    }
}

fn spawn(mut cmd: Command, program: &str) -> Result<Child, DisplayError> {
    cmd.spawn().map_err(|e| DisplayError::Spawn {
        program: program.to_owned(),
        reason: if e.kind() == std::io::ErrorKind::NotFound {
            format!("{program} is not installed (run scripts/setup)")
        } else {
            e.to_string()
        },
    })
}

/// Starts Xvfb and lets it pick a free display number, which it writes to `-displayfd` once it
/// accepts connections: that line is both the number and the readiness signal.
fn start_xvfb(opts: &VirtualOptions, log: &Path) -> Result<(Child, u32), DisplayError> {
    let (reader, writer) = std::io::pipe()?;
    let log_file = std::fs::File::create(log)?;
    let fd = writer.as_raw_fd();
    let mut cmd = Command::new("Xvfb");
    cmd.arg("-displayfd")
        .arg(fd.to_string())
        .args(["-screen", "0"])
        .arg(format!("{}x{}x24", opts.width, opts.height))
        .args(["-nolisten", "tcp", "-noreset", "+extension", "MIT-SHM"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file);
    process::own_group(&mut cmd);
    // SAFETY: fcntl on an fd we own, in the child before exec, so Xvfb inherits the pipe's
    // write end (std creates pipes close-on-exec).
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC);
            Ok(())
        });
    }
    let mut child = spawn(cmd, "Xvfb")?;
    drop(writer);
    let line = read_line_within(Some(reader), opts.ready_deadline);
    if let Some(n) = line.as_deref().and_then(|l| l.trim().parse::<u32>().ok()) {
        return Ok((child, n));
    }
    process::terminate(&mut child, Duration::from_secs(1));
    let stderr = std::fs::read_to_string(log).unwrap_or_default();
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Err(match line {
        None if !last.is_empty() => DisplayError::Exited {
            program: "Xvfb".into(),
            status: last.to_owned(),
        },
        _ => DisplayError::NotReady {
            what: "Xvfb".into(),
            waited: opts.ready_deadline,
        },
    })
}

/// Reads one line from `source` on a helper thread, giving up after `deadline`.
fn read_line_within<R: Read + Send + 'static>(
    source: Option<R>,
    deadline: Duration,
) -> Option<String> {
    let source = source?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let ok = BufReader::new(source)
            .read_line(&mut line)
            .is_ok_and(|n| n > 0);
        let _ = tx.send(ok.then_some(line));
    });
    rx.recv_timeout(deadline).ok().flatten()
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}
