//! Starting and stopping the task's Chromium, and waiting for its DevTools endpoint.

use super::cdp::Cdp;
use super::{BrowserError, Launch};
use crate::eval::env::{EnvError, Launched, TaskEnv};
use deskhand_tasks::CommandLine;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a started browser has to answer on its DevTools port.
const READY: Duration = Duration::from_secs(30);
/// How long a stopped browser has to let go of its profile.
const STOPPED: Duration = Duration::from_secs(15);
/// How often the port file and the profile lock are looked at while waiting.
const POLL: Duration = Duration::from_millis(10);

/// The programs OSWorld's task files start Chrome by.
const BROWSERS: &[&str] = &[
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "chromium",
    "chromium-browser",
];

/// Flags for every Chromium deskhand starts, beyond [`crate::eval::setup::CHROMIUM_FLAGS`]: no
/// keyring prompt on a bare display, a maximized window as on OSWorld's VM.
const MORE_FLAGS: &[&str] = &["--password-store=basic", "--start-maximized"];

/// The profile folder OSWorld's Chrome uses, under HOME.
pub const PROFILE: &str = ".config/google-chrome";

/// The file Chromium writes its DevTools port (first line) and browser path (second) to.
const PORT_FILE: &str = "DevToolsActivePort";

/// The command's words, when it is a plain command (an argument list, or a shell string
/// without shell syntax beyond a trailing `&`).
fn words(command: &CommandLine) -> Option<Vec<String>> {
    match command {
        CommandLine::Args(a) => Some(a.clone()),
        CommandLine::Text(t) => {
            let t = t.trim().trim_end_matches('&').trim_end();
            if t.contains([';', '|', '&', '<', '>', '$', '`', '(', ')', '"', '\'', '\n']) {
                return None;
            }
            Some(t.split_whitespace().map(str::to_owned).collect())
        }
    }
}

fn program_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Whether `name` is a program on PATH.
fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let p = dir.join(name);
            p.is_file()
                && std::fs::metadata(&p).is_ok_and(|m| {
                    std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
                })
        })
    })
}

/// The browser program: `chromium`, else Google Chrome if it is installed.
fn program() -> &'static str {
    [
        "chromium",
        "google-chrome",
        "google-chrome-stable",
        "chromium-browser",
    ]
    .into_iter()
    .find(|p| on_path(p))
    .unwrap_or("chromium")
}

/// The task's profile folder.
pub(super) fn profile(env: &TaskEnv<'_>) -> PathBuf {
    env.browser
        .profile
        .clone()
        .unwrap_or_else(|| env.home.join(PROFILE))
}

/// Chromium's argument list: its flags, the profile, the DevTools port, `[chrome] args`, then
/// `rest` (the command's own arguments, less any debugging port or profile of theirs).
fn arguments(env: &TaskEnv<'_>, profile: &Path, rest: &[String]) -> Vec<String> {
    let mut args: Vec<String> = vec![program().to_owned()];
    args.extend(
        crate::eval::setup::CHROMIUM_FLAGS
            .iter()
            .chain(MORE_FLAGS)
            .map(|s| (*s).to_owned()),
    );
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push("--remote-debugging-port=0".to_owned());
    args.extend(env.chrome_args.iter().cloned());
    args.extend(
        rest.iter()
            .filter(|a| {
                !a.starts_with("--remote-debugging-port") && !a.starts_with("--user-data-dir")
            })
            .cloned(),
    );
    args
}

/// Gets the profile ready for a browser about to start: its folder made, a port file left by
/// an earlier browser removed (so only the new one's is read). Keeps a running browser's.
fn before_start(env: &mut TaskEnv<'_>, profile: &Path) {
    if super::tabs::connect_now(env).is_some() {
        return;
    }
    let _ = std::fs::create_dir_all(profile);
    let _ = std::fs::remove_file(profile.join(PORT_FILE));
    env.browser.port = None;
    env.browser.started = Some(Instant::now());
}

/// What runs for a `launch` step's command.
pub fn rewrite_launch(env: &mut TaskEnv<'_>, command: &CommandLine, shell: bool) -> Launch {
    let _ = shell;
    let Some(words) = words(command) else {
        return Launch::Keep;
    };
    let Some(first) = words.first() else {
        return Launch::Keep;
    };
    match program_name(first) {
        p if BROWSERS.contains(&p) => {
            let own = words
                .iter()
                .find_map(|w| w.strip_prefix("--user-data-dir="))
                .map(|d| PathBuf::from(env.map_home(d)));
            if let Some(dir) = own {
                env.browser.profile = Some(dir);
            }
            let profile = profile(env);
            before_start(env, &profile);
            Launch::Replace {
                command: CommandLine::Args(arguments(env, &profile, &words[1..])),
                shell: false,
            }
        }
        "socat"
            if words
                .iter()
                .any(|w| w.contains("9222") || w.contains("1337")) =>
        {
            Launch::Skip
        }
        "pkill" | "killall"
            if words[1..]
                .iter()
                .any(|w| !w.starts_with('-') && w.contains("chrom")) =>
        {
            match stop(env) {
                Ok(()) => env.log("browser: stopped this task's browser"),
                Err(e) => env.log(&format!("browser: stopping it: {e}")),
            }
            Launch::Skip
        }
        _ => Launch::Keep,
    }
}

/// The command that opens an HTML file in the task's browser (setup's `open`).
pub fn open_html_command(env: &mut TaskEnv<'_>, path: &Path) -> Command {
    let profile = profile(env);
    before_start(env, &profile);
    let args = arguments(env, &profile, &[path.display().to_string()]);
    let mut cmd = Command::new(&args[0]);
    cmd.args(&args[1..]);
    cmd
}

/// Starts a browser (as OSWorld does when its getters and steps find none) and waits until
/// its DevTools answer.
pub(super) fn start(env: &mut TaskEnv<'_>) -> Result<Cdp, BrowserError> {
    let profile = profile(env);
    before_start(env, &profile);
    let args = arguments(env, &profile, &[]);
    let label = args.join(" ");
    let mut cmd = env.command(&CommandLine::Args(args), false);
    let apps = env.apps_log()?.clone();
    let (child, output) = apps
        .spawn(&label, &mut cmd)
        .map_err(|source| EnvError::Spawn {
            command: label.clone(),
            source,
        })?;
    env.log(&format!("browser: started {label}"));
    env.launched.push(Launched {
        name: label,
        child,
        output: Some(output),
    });
    wait_ready(env)
}

/// The port and path in the profile's `DevToolsActivePort`, if it names them.
fn port_file(profile: &Path) -> Option<(u16, String)> {
    let text = std::fs::read_to_string(profile.join(PORT_FILE)).ok()?;
    let mut lines = text.lines();
    let port = lines.next()?.trim().parse().ok()?;
    let path = lines.next()?.trim().to_owned();
    path.starts_with('/').then_some((port, path))
}

/// A connection to the browser named by the port file, if it answers.
pub(super) fn connect_named(env: &mut TaskEnv<'_>) -> Option<Cdp> {
    let (port, path) = port_file(&profile(env))?;
    let cdp = Cdp::connect(port, &path).ok()?;
    if env.browser.port != Some(port) {
        let since = env.browser.started.take();
        env.browser.port = Some(port);
        env.browser.ws_path = path;
        env.log(&match since {
            Some(t) => format!(
                "browser: DevTools on port {port}, answering {} ms after the start",
                t.elapsed().as_millis()
            ),
            None => format!("browser: DevTools on port {port}"),
        });
    }
    Some(cdp)
}

/// Waits (at most [`READY`]) until the browser just started answers on its DevTools port.
pub(super) fn wait_ready(env: &mut TaskEnv<'_>) -> Result<Cdp, BrowserError> {
    let until = Instant::now() + READY;
    loop {
        if let Some(cdp) = connect_named(env) {
            return Ok(cdp);
        }
        if Instant::now() >= until {
            return Err(BrowserError::NotReady {
                file: profile(env).join(PORT_FILE),
                waited: READY,
            });
        }
        std::thread::park_timeout(POLL);
    }
}

/// Whether a browser was started and may still be on its way to answering.
pub(super) fn starting(env: &TaskEnv<'_>) -> bool {
    env.browser.started.is_some_and(|t| t.elapsed() < READY)
}

/// Closes this task's browser and waits until it has let go of its profile.
pub(super) fn stop(env: &mut TaskEnv<'_>) -> Result<(), BrowserError> {
    let Some(mut cdp) = super::tabs::connect_now(env) else {
        return Ok(());
    };
    let _ = cdp.call(
        None,
        "Browser.close",
        serde_json::json!({}),
        Duration::from_secs(5),
    );
    drop(cdp);
    let profile = profile(env);
    let port = env.browser.port.take();
    env.browser.started = None;
    let until = Instant::now() + STOPPED;
    loop {
        let lock = std::fs::symlink_metadata(profile.join("SingletonLock")).is_ok();
        let listening =
            port.is_some_and(|p| std::net::TcpStream::connect(("127.0.0.1", p)).is_ok());
        if !lock && !listening {
            let _ = std::fs::remove_file(profile.join(PORT_FILE));
            return Ok(());
        }
        if Instant::now() >= until {
            return Err(BrowserError::Timeout {
                what: "the browser to exit".to_owned(),
                waited: STOPPED,
            });
        }
        std::thread::park_timeout(POLL);
    }
}
