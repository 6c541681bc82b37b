//! The peers' side: runs the shared peers script on the same display and reads its JSON.
//!
//! Two things stand between a fresh machine and a full set of peer numbers, and both are dealt
//! with here rather than in the (given) script:
//!
//! - **An Xauthority.** A private display's HOME is new and empty, and the Xlib that pyautogui
//!   pulls in (`python3-xlib` 0.15, which overwrites `python-xlib` in the same venv whenever pip
//!   installs it last) refuses to connect at all when `~/.Xauthority` is missing. The display
//!   takes no cookie (Xvfb runs without `-auth`), so the peers get an empty `.Xauthority` in that
//!   HOME and `XAUTHORITY` pointing at it: "no cookies", which every Xlib accepts.
//! - **The OSWorld-style server starting.** The script starts `osworld_like_server.py` with its
//!   output thrown away and gives up on it after about 20 s, so a server that dies while starting
//!   shows only as "Connection refused". Before the script runs, the server is started here once
//!   on a free port and waited for until it accepts connections (with a deadline, watching for it
//!   to exit); a server that cannot start is reported as the `osworld` part's error with its own
//!   last line of stderr, and the script runs the other parts. The trial start also leaves the
//!   server's imports compiled and cached, so its start inside the script is the warm one.

use super::{BenchArgs, Stat};
use crate::display::{Display, terminate, x11};
use anyhow::Context;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The script's parts, in its own order.
const PARTS: [&str; 4] = ["demo", "pyag", "osworld", "floor"];

/// How long the OSWorld-style server may take to accept connections (a cold start on a fresh,
/// loaded machine compiles its imports first).
const SERVER_DEADLINE: Duration = Duration::from_secs(60);

/// A peer's measurement: a timing, or a plain number (sizes, counts).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum PeerValue {
    /// A timing summary.
    Stat(Stat),
    /// Anything else the script reports.
    Other(serde_json::Value),
}

/// Runs the peers' script; an empty map (with a note) when it or its Python is missing.
pub fn measure(display: &Display, args: &BenchArgs) -> anyhow::Result<BTreeMap<String, PeerValue>> {
    if !args.peers.is_file() {
        eprintln!(
            "bench: peers skipped: {} not found (pass --peers PATH)",
            args.peers.display()
        );
        return Ok(BTreeMap::new());
    }
    let python = args.python.clone().unwrap_or_else(default_python);
    if !python.exists() {
        eprintln!(
            "bench: peers skipped: {} not found (run scripts/setup --bench)",
            python.display()
        );
        return Ok(BTreeMap::new());
    }
    let env = peer_env(display)?;
    let mut parts: Vec<&str> = PARTS.to_vec();
    let mut failed = BTreeMap::new();
    let server = args.peers.with_file_name("osworld_like_server.py");
    if let Err(why) = server_starts(&python, &server, &env) {
        eprintln!("bench: peer part osworld: {why:#}");
        parts.retain(|p| *p != "osworld");
        failed.insert(
            "_error_osworld".to_owned(),
            PeerValue::Other(serde_json::Value::String(format!("{why:#}"))),
        );
    }
    let number = display.name().trim_start_matches(':').to_owned();
    let mut cmd = Command::new(&python);
    cmd.arg(&args.peers)
        .arg(&number)
        .arg(args.runs.to_string())
        .arg(parts.join(","))
        .envs(env.iter().map(|(k, v)| (k, v)));
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {}", args.peers.display()))?;
    if !out.status.success() {
        anyhow::bail!(
            "the peers' script failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let start = text
        .find('{')
        .context("the peers' script printed no JSON")?;
    let mut values: BTreeMap<String, PeerValue> =
        serde_json::from_str(&text[start..]).context("the peers' script printed bad JSON")?;
    values.extend(failed);
    Ok(values)
}

/// The display's environment, plus an `XAUTHORITY` that exists: for a private display, an empty
/// `.Xauthority` in its HOME (made if missing). An existing display keeps the user's own.
fn peer_env(display: &Display) -> anyhow::Result<Vec<(String, OsString)>> {
    let mut env = display.env();
    if let Display::Virtual(v) = display {
        let file = v.home().join(".Xauthority");
        if !file.exists() {
            std::fs::write(&file, b"")
                .with_context(|| format!("cannot create {}", file.display()))?;
        }
        env.push(("XAUTHORITY".into(), file.into()));
    }
    Ok(env)
}

/// Starts the OSWorld-style server on a free port, waits until it accepts a connection, and
/// stops it. The error says why it did not come up, in the server's own words where it has any.
fn server_starts(python: &Path, server: &Path, env: &[(String, OsString)]) -> anyhow::Result<()> {
    if !server.is_file() {
        anyhow::bail!("{} not found", server.display());
    }
    let port = free_port().map_err(|e| anyhow::anyhow!("no free local port: {e}"))?;
    let mut log = tempfile::tempfile().map_err(|e| anyhow::anyhow!("no log file: {e}"))?;
    let stderr = log
        .try_clone()
        .map_err(|e| anyhow::anyhow!("no log file: {e}"))?;
    let mut cmd = Command::new(python);
    cmd.arg(server)
        .arg(port.to_string())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    crate::display::own_group(&mut cmd);
    let mut child = cmd
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", server.display()))?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let waited = x11::wait_for(SERVER_DEADLINE, || {
        if let Ok(Some(status)) = child.try_wait() {
            return Ok(Some(Err(status.to_string())));
        }
        let up = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok();
        Ok(up.then_some(Ok(())))
    });
    terminate(&mut child, Duration::from_secs(3));
    match waited {
        Ok(Some(Ok(()))) => Ok(()),
        Ok(Some(Err(status))) => Err(anyhow::anyhow!(
            "the OSWorld-style server exited ({status}) while starting: {}",
            last_line(&mut log)
        )),
        Ok(None) => Err(anyhow::anyhow!(
            "the OSWorld-style server did not accept connections within {} s: {}",
            SERVER_DEADLINE.as_secs(),
            last_line(&mut log)
        )),
        Err(e) => Err(anyhow::Error::new(e).context("cannot watch the OSWorld-style server")),
    }
}

/// A local port nobody listens on now (the kernel's pick, released at once).
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// The last non-blank line written to `log`, or a note that there was none.
fn last_line(log: &mut std::fs::File) -> String {
    use std::io::Seek;
    let mut text = String::new();
    let _ = log.rewind();
    let _ = log.read_to_string(&mut text);
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("(it wrote nothing to stderr)")
        .to_owned()
}

pub(super) fn default_python() -> PathBuf {
    let cache = std::env::var_os("DESKHAND_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/deskhand")))
        .unwrap_or_else(|| PathBuf::from(".cache/deskhand"));
    cache.join("peers-venv/bin/python")
}
