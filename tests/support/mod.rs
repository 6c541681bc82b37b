//! Support for end-to-end tests: private displays, the deskhand binary, the clickpad window, and
//! waiting on conditions with deadlines (never fixed sleeps).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod http_server;
pub mod static_server;

use deskhand::display::{Display, VirtualDisplay, VirtualOptions, x11};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A private display of the given size, with openbox and D-Bus.
pub fn display(width: u32, height: u32) -> Display {
    let opts = VirtualOptions {
        width,
        height,
        ..VirtualOptions::default()
    };
    Display::Virtual(VirtualDisplay::start(&opts).expect("start a virtual display"))
}

/// `deskhand` itself, as built by cargo for these tests, isolated from the developer's own
/// settings: it runs in a fresh empty working directory, with a fresh empty `HOME` and
/// `XDG_CONFIG_HOME`, so neither `./deskhand.toml` nor `~/.config/deskhand/` is read (a test
/// that wants a config passes `--config` or sets `current_dir` itself). The OCR model is still
/// found: `DESKHAND_CACHE` names the real cache (`$DESKHAND_CACHE`, else `~/.cache/deskhand`
/// of the real HOME) unless the test sets its own. Paths given as arguments must be absolute.
///
/// The directories are made under cargo's scratch folder for integration tests and kept there
/// (a `Command` cannot own them), one set per call.
pub fn deskhand() -> Command {
    let isolated = Isolated::new();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deskhand"));
    cmd.env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("HOME", &isolated.home)
        .env("XDG_CONFIG_HOME", &isolated.config)
        .current_dir(&isolated.cwd);
    match real_cache() {
        Some(cache) => cmd.env("DESKHAND_CACHE", cache),
        None => cmd.env_remove("DESKHAND_CACHE"),
    };
    cmd
}

/// A private HOME, XDG_CONFIG_HOME and working directory for one spawned deskhand.
pub struct Isolated {
    /// The HOME, empty.
    pub home: PathBuf,
    /// The XDG_CONFIG_HOME, empty (`HOME/.config`).
    pub config: PathBuf,
    /// The working directory, empty.
    pub cwd: PathBuf,
}

impl Isolated {
    /// Fresh directories, kept after the test (under cargo's integration-test scratch folder).
    pub fn new() -> Isolated {
        let root = tempfile::Builder::new()
            .prefix("deskhand-isolated-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("make an isolated HOME for deskhand")
            .keep();
        let isolated = Isolated {
            home: root.join("home"),
            config: root.join("home/.config"),
            cwd: root.join("cwd"),
        };
        for dir in [&isolated.config, &isolated.cwd] {
            std::fs::create_dir_all(dir).expect("make an isolated HOME for deskhand");
        }
        isolated
    }
}

/// The OCR cache the developer's own deskhand uses: `$DESKHAND_CACHE`, else
/// `~/.cache/deskhand` (`None` when neither can be named).
pub fn real_cache() -> Option<PathBuf> {
    let non_empty = |v: std::ffi::OsString| (!v.is_empty()).then_some(v);
    std::env::var_os("DESKHAND_CACHE")
        .and_then(non_empty)
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(non_empty)
                .map(|h| PathBuf::from(h).join(".cache/deskhand"))
        })
}

/// Runs `deskhand run --display D --script S --out OUT --json`, returning its output.
pub fn run_script(display: &Display, script: &str, out: &Path) -> std::process::Output {
    let script_path = out.with_extension("script.json");
    std::fs::write(&script_path, script).unwrap();
    deskhand()
        .args([
            "run",
            "--policy",
            "script",
            "--display",
            display.name(),
            "--json",
            "--script",
        ])
        .arg(&script_path)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run deskhand")
}

/// Polls `probe` every 10 ms until it returns `Some` or `deadline` passes.
pub fn wait_until<T>(deadline: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let until = Instant::now() + deadline;
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if Instant::now() >= until {
            return None;
        }
        std::thread::park_timeout(Duration::from_millis(10));
    }
}

/// Waits until `path` exists with content satisfying `ok`, returning the bytes.
pub fn wait_file(path: &Path, deadline: Duration, ok: impl Fn(&[u8]) -> bool) -> Option<Vec<u8>> {
    wait_until(deadline, || std::fs::read(path).ok().filter(|b| ok(b)))
}

/// What the X server says is held on this display.
pub fn held(display: &Display) -> x11::HeldInput {
    let conn = x11::connect(display.name()).unwrap();
    x11::held_input(&conn).unwrap()
}

/// The clickpad test window, full screen, reporting presses as JSON lines.
pub struct Clickpad {
    child: Child,
    lines: mpsc::Receiver<serde_json::Value>,
}

impl Clickpad {
    /// Starts the clickpad on `display` and waits until it covers the whole screen.
    pub fn start(display: &Display, width: u32, height: u32) -> Clickpad {
        let mut cmd = Command::new(clickpad_binary());
        for (k, v) in display.env() {
            cmd.env(k, v);
        }
        cmd.env("WINIT_X11_SCALE_FACTOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("start clickpad");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line)
                    && tx.send(v).is_err()
                {
                    break;
                }
            }
        });
        let pad = Clickpad { child, lines: rx };
        pad.wait_for(Duration::from_secs(60), |v| {
            v["event"] == "ready" && v["width"] == width && v["height"] == height
        })
        .expect("clickpad covers the screen");
        pad
    }

    /// Waits for the next line matching `pred`.
    pub fn wait_for(
        &self,
        deadline: Duration,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> Option<serde_json::Value> {
        let until = Instant::now() + deadline;
        loop {
            let left = until.checked_duration_since(Instant::now())?;
            match self.lines.recv_timeout(left) {
                Ok(v) if pred(&v) => return Some(v),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }

    /// The next `n` button presses as (button, x, y).
    pub fn presses(&self, n: usize, deadline: Duration) -> Vec<(String, i64, i64)> {
        (0..n)
            .map_while(|_| self.wait_for(deadline, |v| v["event"] == "press"))
            .map(|v| {
                (
                    v["button"].as_str().unwrap_or_default().to_owned(),
                    v["x"].as_i64().unwrap_or(-1),
                    v["y"].as_i64().unwrap_or(-1),
                )
            })
            .collect()
    }
}

impl Drop for Clickpad {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The clickpad binary next to the test binaries, built on demand if missing.
fn clickpad_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_owned();
    let bin = profile_dir.join("deskhand-clickpad");
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "deskhand-clickpad"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("build the clickpad");
        assert!(status.success(), "building the clickpad failed");
    }
    bin
}

/// Parses `--json` output into event records.
pub fn json_events(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// The providers' variables, removed from a provider test's environment.
const PROVIDER_VARS: [&str; 7] = [
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_BASE_URL",
];

/// `deskhand run` against a provider's local test server: `head` (the instruction, `--policy`,
/// `--model` and any other flags), then `--base-url URL --display D --json --out OUT`. The
/// providers' variables are removed from the environment; set the ones a test needs on the
/// returned command.
pub fn model_run(head: &[&str], base_url: &str, display: &str, out: &Path) -> Command {
    let mut cmd = deskhand();
    for var in PROVIDER_VARS {
        cmd.env_remove(var);
    }
    cmd.arg("run")
        .args(head)
        .args([
            "--base-url",
            base_url,
            "--display",
            display,
            "--json",
            "--out",
        ])
        .arg(out);
    cmd
}

/// Asserts that `secret` is in no file under `dir` (recursively: the trajectory,
/// `model_calls.jsonl`, screenshots, logs) and in none of `outputs` (stdout, stderr), and that
/// `dir` holds at least one file (a scan of nothing proves nothing).
pub fn assert_secret_nowhere(secret: &str, dir: &Path, outputs: &[&[u8]]) {
    for (i, bytes) in outputs.iter().enumerate() {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the secret is in output {i}"
        );
    }
    let mut stack = vec![dir.to_owned()];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files += 1;
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "the secret is in {}",
                    path.display()
                );
            }
        }
    }
    assert!(files > 0, "nothing was written under {}", dir.display());
}

/// `deskhand resume RUN --display D --json` with the providers' variables removed, then `env`
/// set, and stdin closed (nobody to ask); asserts that it finished successfully and returns its
/// output.
pub fn resume(run: &Path, display: &str, env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = deskhand();
    for var in PROVIDER_VARS {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .arg("resume")
        .arg(run)
        .args(["--display", display, "--json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Waits (10 s at most) until `file` holds exactly `want`; fails with what it holds.
pub fn assert_file_becomes(file: &Path, want: &[u8]) {
    let got = wait_file(file, Duration::from_secs(10), |b| b == want);
    assert!(
        got.is_some(),
        "the file holds {:?}, not {:?}",
        std::fs::read_to_string(file).unwrap_or_default(),
        String::from_utf8_lossy(want)
    );
}

/// Waits until the xterm's shell has run a command: keys typed before it reads its input may be
/// discarded.
pub fn shell_ready(d: &Display, root: &Path) {
    let ready = root.join("ready");
    let out = run_script(
        d,
        &format!(
            r#"[{{"type": "type_text", "text": "touch {}\n"}}, {{"type": "done"}}]"#,
            ready.display()
        ),
        &root.join("warm-up"),
    );
    assert!(out.status.success());
    assert!(wait_file(&ready, Duration::from_secs(20), |_| true).is_some());
}
