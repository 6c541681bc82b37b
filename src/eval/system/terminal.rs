//! `vm_terminal_output`: the text of the terminal that has the focus.
//!
//! OSWorld's server serializes the AT-SPI tree and takes the first node of
//! `//application[@name="gnome-terminal-server"]/frame[@st:active="true"]//terminal[@st:focused="true"]`,
//! its text with trailing blanks stripped (`None` without one). deskhand does the same with the
//! task's own accessibility tree (`eval::a11y`), so a GNOME Terminal reads as on OSWorld's VM.
//! deskhand's own terminal is xterm, which has no accessibility interface: when the window
//! named by `_NET_ACTIVE_WINDOW` belongs to an xterm (`_NET_WM_PID`), the Media Copy sequence
//! of [`crate::display::terminal_text`] is written to the pseudo-terminal its shell runs on,
//! and xterm prints its saved lines and screen into `~/.deskhand-terminal.txt` of its HOME (see
//! that module for the `printerCommand` deskhand's displays give xterm). Neither: `None`. An
//! xterm that does not print (one started with other resources, or on a display deskhand did
//! not make) is [`SystemError::Terminal`].

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
        return Ok(gnome_terminal(env));
    };
    let pids = x
        .property_u32s(window, "_NET_WM_PID", AtomEnum::CARDINAL.into())
        .unwrap_or_default();
    let Some(&pid) = pids.first() else {
        return Ok(gnome_terminal(env));
    };
    let program = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let program = program.trim().to_owned();
    if !XTERMS.contains(&program.as_str()) {
        return Ok(gnome_terminal(env));
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

/// OSWorld's query on its serialized accessibility tree.
const GNOME_TERMINAL: &str = r#"//application[@name="gnome-terminal-server"]/frame[@st:active="true"]//terminal[@st:focused="true"]"#;

/// The focused GNOME Terminal's text in the task's accessibility tree; `None` when there is
/// none or the tree cannot be read (OSWorld's server answers `None` on any error).
fn gnome_terminal(env: &TaskEnv<'_>) -> Option<String> {
    let session = env
        .display
        .env()
        .into_iter()
        .find(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS")
        .map(|(_, v)| v.to_string_lossy().into_owned())
        .filter(|a| !a.is_empty())?;
    let tree = super::super::a11y::read_tree(&session).ok()?;
    focused_gnome_terminal(&tree.xml)
}

/// The text of the first node of [`GNOME_TERMINAL`] in `xml`, `rstrip`ped.
fn focused_gnome_terminal(xml: &str) -> Option<String> {
    let tree = deskhand_tasks::sources::a11y::query::Tree::parse(xml).ok()?;
    let found = tree.xpath(GNOME_TERMINAL).ok()?;
    // An element without text fails OSWorld's `.text.rstrip()`: `None`.
    let text = found.first()?.text()?;
    Some(text.trim_end().to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_focused_gnome_terminal_of_the_active_frame() {
        let ns = r#"xmlns:st="https://accessibility.ubuntu.example.org/ns/state""#;
        let xml = format!(
            r#"<desktop-frame {ns}><application name="gnome-terminal-server"><frame name="a"><terminal st:focused="true">old</terminal></frame><frame name="b" st:active="true"><filler><terminal name="t">other</terminal><terminal st:focused="true">$ stty size
43 132
$   

</terminal></filler></frame></application></desktop-frame>"#
        );
        assert_eq!(
            focused_gnome_terminal(&xml).as_deref(),
            Some("$ stty size\n43 132\n$")
        );
        let none = format!(
            r#"<desktop-frame {ns}><application name="xfce4-terminal"><frame st:active="true"><terminal st:focused="true">x</terminal></frame></application></desktop-frame>"#
        );
        assert_eq!(focused_gnome_terminal(&none), None);
    }
}
