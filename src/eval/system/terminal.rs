//! `vm_terminal_output`: the text of the terminal that has the focus.
//!
//! OSWorld's server reads it over AT-SPI from the focused GNOME Terminal and strips trailing
//! blanks (`None` without one). deskhand's terminal is xterm: the window named by
//! `_NET_ACTIVE_WINDOW` is taken when its process (`_NET_WM_PID`) is an xterm; the Media Copy
//! sequence of [`crate::display::terminal_text`] is written to the pseudo-terminal its shell
//! runs on, and xterm prints its saved lines and screen into `~/.deskhand-terminal.txt` of its
//! HOME (see that module for the `printerCommand` deskhand's displays give xterm). Another
//! focused window, or none, is `None`. An xterm that does not print (one started with other
//! resources, or on a display deskhand did not make) is [`SystemError::Terminal`].

use super::{SystemError, TaskEnv};
use crate::display::terminal_text::{PRINT_ALL, PRINT_FILE};
use crate::display::{windows, x11};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use x11rb::protocol::xproto::AtomEnum;

/// How long xterm is given to print.
const DEADLINE: Duration = Duration::from_secs(5);

/// Programs read as xterm.
const XTERMS: &[&str] = &["xterm", "uxterm", "lxterm"];

/// The text of the focused terminal, `rstrip`ped; `None` when the focus is not on one.
pub(super) fn focused_text(env: &TaskEnv<'_>) -> Result<Option<String>, SystemError> {
    let x = x11::connect(env.display.name())?;
    let Some(window) = windows::active(&x)? else {
        return Ok(None);
    };
    let pids = x
        .property_u32s(window, "_NET_WM_PID", AtomEnum::CARDINAL.into())
        .unwrap_or_default();
    let Some(&pid) = pids.first() else {
        return Ok(None);
    };
    let program = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let program = program.trim().to_owned();
    if !XTERMS.contains(&program.as_str()) {
        return Ok(None);
    }
    let fail = |why: String| SystemError::Terminal {
        program: program.clone(),
        pid,
        deadline: DEADLINE,
        why,
    };
    let pty = shell_pty(pid).ok_or_else(|| fail("no shell on a pseudo-terminal".into()))?;
    let home = process_home(pid).unwrap_or_else(|| env.home.clone());
    let out = home.join(PRINT_FILE);
    let _ = std::fs::remove_file(&out);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&pty)
        .and_then(|mut t| t.write_all(PRINT_ALL))
        .map_err(|source| SystemError::Io {
            path: pty.clone(),
            source,
        })?;
    let until = Instant::now() + DEADLINE;
    while !out.exists() {
        if Instant::now() >= until {
            return Err(fail(format!(
                "{} did not appear (is its printerCommand deskhand's?)",
                out.display()
            )));
        }
        std::thread::park_timeout(Duration::from_millis(10));
    }
    let bytes = std::fs::read(&out).map_err(|source| SystemError::Io {
        path: out.clone(),
        source,
    })?;
    let _ = std::fs::remove_file(&out);
    let text = String::from_utf8_lossy(&bytes);
    Ok(Some(text.trim_end().to_owned()))
}

/// The pseudo-terminal of a child of `pid` (the shell xterm runs), from its standard input.
fn shell_pty(pid: u32) -> Option<PathBuf> {
    let dir = std::fs::read_dir("/proc").ok()?;
    for entry in dir.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // Fields after the command (which may hold spaces) start after the last ')'.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let ppid = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid != Some(pid) {
            continue;
        }
        for fd in ["0", "1", "2"] {
            if let Ok(target) = std::fs::read_link(entry.path().join("fd").join(fd))
                && target.starts_with("/dev/pts/")
            {
                return Some(target);
            }
        }
    }
    None
}

/// The HOME in the environment of process `pid`.
fn process_home(pid: u32) -> Option<PathBuf> {
    let environ = std::fs::read(Path::new("/proc").join(pid.to_string()).join("environ")).ok()?;
    environ
        .split(|b| *b == 0)
        .find_map(|kv| kv.strip_prefix(b"HOME="))
        .map(|v| PathBuf::from(String::from_utf8_lossy(v).into_owned()))
}
