//! Where a task runs: its display, its private HOME, its folder and its cache, and how the
//! task file's paths and commands are mapped onto them.
//!
//! OSWorld writes paths for a VM whose user is `user`: every `/home/user` in a step's or a
//! getter's strings becomes the task's private HOME, and a leading `~/` too. Commands get the
//! screen-size placeholders (`{SCREEN_WIDTH}`, `{SCREEN_HEIGHT}`, `{SCREEN_WIDTH_HALF}`,
//! `{SCREEN_HEIGHT_HALF}`) and `{CLIENT_PASSWORD}` (`password`, as OSWorld's VMs have).
//!
//! Every program the task starts (setup's `launch` and `open`, `execute` commands, getters'
//! commands) has its stdout and stderr kept in the run directory's `apps.log` (the cache
//! folder's parent, `RUN_DIR/cache`), in the format [`crate::display::app_log`] documents.

use crate::display::app_log::{APPS_LOG, AppLog, Captured, command_line};
use crate::display::libreoffice_profile::{self, Completed};
use crate::display::{DRAIN_DEADLINE, Display};
use deskhand_actions::Size;
use deskhand_tasks::CommandLine;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Why a command or a file reference of a task could not be used. One sentence each; the
/// underlying IO error, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// A file named by a network URL.
    #[error(
        "{url} is a network URL that deskhand cannot fetch here: put the file next to the task and name it by a relative path"
    )]
    NetworkUrl {
        /// The URL.
        url: String,
    },
    /// A file named by a URL could not be had (`crate::files`).
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// The program could not be started.
    #[error("cannot start {command}")]
    Spawn {
        /// The command, as the task gives it.
        command: String,
        #[source]
        source: std::io::Error,
    },
    /// The command ran past its deadline (it was killed).
    #[error("{command} did not finish within {deadline:?}")]
    Timeout {
        /// The command.
        command: String,
        /// How long it was given.
        deadline: Duration,
    },
    /// Waiting for the command failed.
    #[error("cannot wait for {command}")]
    Wait {
        /// The command.
        command: String,
        #[source]
        source: std::io::Error,
    },
    /// The program log could not be opened.
    #[error("cannot open the program log {}", path.display())]
    Log {
        /// Where it should be.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A program started by the setup, stopped when the task ends.
#[derive(Debug)]
pub struct Launched {
    /// How messages and `apps.log` name it.
    pub name: String,
    /// The program (the leader of its own process group).
    pub child: Child,
    /// Its output on its way into `apps.log`.
    pub output: Option<Captured>,
}

/// The user's home in OSWorld's task files.
const OSWORLD_HOME: &str = "/home/user";

/// A task's surroundings while it runs.
pub struct TaskEnv<'a> {
    /// The display the task runs on.
    pub display: &'a Display,
    /// Its private HOME.
    pub home: PathBuf,
    /// The task file's folder (relative file references resolve here).
    pub task_dir: PathBuf,
    /// Where getters put the files they fetch.
    pub cache: PathBuf,
    /// The screen size.
    pub screen: Size,
    /// Programs started by setup steps, stopped when the task ends.
    pub launched: Vec<Launched>,
    /// Where files named by `http(s)` URLs come from; `None`: such URLs are refused.
    pub files: Option<crate::files::FileCache>,
    /// Arguments added to every Chromium the task starts (`[chrome] args`).
    pub chrome_args: Vec<String>,
    /// The browser the task drives, once a setup step started it (`super::browser`).
    pub browser: super::browser::State,
    log: Option<std::fs::File>,
    apps_path: PathBuf,
    apps: Option<AppLog>,
    libreoffice_ready: bool,
}

impl<'a> TaskEnv<'a> {
    /// A task's surroundings; `log` receives one line per setup step and command. The programs'
    /// output goes to `apps.log` next to `cache`.
    pub fn new(
        display: &'a Display,
        home: PathBuf,
        task_dir: PathBuf,
        cache: PathBuf,
        screen: Size,
        log: Option<std::fs::File>,
    ) -> TaskEnv<'a> {
        let apps_path = cache
            .parent()
            .map_or_else(|| PathBuf::from(APPS_LOG), |run| run.join(APPS_LOG));
        TaskEnv {
            display,
            home,
            task_dir,
            cache,
            screen,
            launched: Vec::new(),
            files: None,
            chrome_args: Vec::new(),
            browser: super::browser::State::default(),
            log,
            apps_path,
            apps: None,
            libreoffice_ready: false,
        }
    }

    /// Gives the private HOME a complete LibreOffice profile before LibreOffice first starts
    /// in it (see [`libreoffice_profile`]), and says in the setup log what was done. A failure
    /// leaves the bare profile, on which LibreOffice still starts (more slowly).
    pub fn complete_libreoffice_profile(&mut self) {
        if std::mem::replace(&mut self.libreoffice_ready, true) {
            return;
        }
        let done = libreoffice_profile::complete(&self.home, &libreoffice_profile::cache_dir());
        let line = match done {
            Ok(Completed::Copied { made: Some(took) }) => format!(
                "libreoffice profile: made this machine's template in {:.1} s, copied it in",
                took.as_secs_f64()
            ),
            Ok(Completed::Copied { made: None }) => {
                "libreoffice profile: copied this machine's template in".to_owned()
            }
            Ok(Completed::Kept) => "libreoffice profile: already in use, kept".to_owned(),
            Ok(Completed::NoLibreOffice) => return,
            Err(e) => format!("libreoffice profile: {e}; starting on the bare profile"),
        };
        self.log(&line);
    }

    /// The program log, opened on first use.
    pub fn apps_log(&mut self) -> Result<&AppLog, EnvError> {
        let log = match self.apps.take() {
            Some(log) => log,
            None => AppLog::open(&self.apps_path).map_err(|source| EnvError::Log {
                path: self.apps_path.clone(),
                source,
            })?,
        };
        Ok(self.apps.insert(log))
    }

    /// Writes a line to the setup log.
    pub fn log(&mut self, line: &str) {
        if let Some(f) = &mut self.log {
            let _ = writeln!(f, "{line}");
        }
    }

    /// `s` with `/home/user` and a leading `~/` pointing at the private HOME.
    pub fn map_home(&self, s: &str) -> String {
        let home = self.home.to_string_lossy();
        let s = s.replace(OSWORLD_HOME, &home);
        match s.strip_prefix("~/") {
            Some(rest) => format!("{home}/{rest}"),
            None if s == "~" => home.into_owned(),
            None => s,
        }
    }

    /// A path on the desktop: mapped, and relative to HOME when relative.
    pub fn desktop_path(&self, p: &str) -> PathBuf {
        let mapped = PathBuf::from(self.map_home(p));
        if mapped.is_absolute() {
            mapped
        } else {
            self.home.join(mapped)
        }
    }

    /// A file a task ships or names: a path relative to the task's folder, an absolute path,
    /// a `file://` URL, or an `http(s)` URL taken from [`Self::files`] (and recorded in the run
    /// directory's `files.jsonl`, see [`crate::files::record_line`]); without one, or for
    /// another scheme, a network URL is refused.
    pub fn source_file(&self, url: &str) -> Result<PathBuf, EnvError> {
        if let Some(path) = url.strip_prefix("file://") {
            return Ok(PathBuf::from(self.map_home(path)));
        }
        if let Some(files) = &self.files
            && (url.starts_with("http://") || url.starts_with("https://"))
        {
            let got = files.fetch_blocking(url)?;
            let record = self.apps_path.with_file_name(crate::files::FILES_RECORD);
            let line = crate::files::record_line(&got);
            if let Err(e) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&record)
                .and_then(|mut f| writeln!(f, "{line}"))
            {
                return Err(EnvError::File(crate::files::FileError::Io {
                    path: record,
                    source: e,
                }));
            }
            return Ok(got.path);
        }
        if url.contains("://") {
            return Err(EnvError::NetworkUrl {
                url: url.to_owned(),
            });
        }
        let p = Path::new(url);
        Ok(if p.is_absolute() {
            PathBuf::from(self.map_home(url))
        } else {
            self.task_dir.join(p)
        })
    }

    /// `s` with the placeholders filled in and HOME mapped.
    pub fn fill(&self, s: &str) -> String {
        let (w, h) = (self.screen.width, self.screen.height);
        self.map_home(s)
            .replace("{SCREEN_WIDTH_HALF}", &(w / 2).to_string())
            .replace("{SCREEN_HEIGHT_HALF}", &(h / 2).to_string())
            .replace("{SCREEN_WIDTH}", &w.to_string())
            .replace("{SCREEN_HEIGHT}", &h.to_string())
            .replace("{CLIENT_PASSWORD}", "password")
    }

    /// A command for the desktop: through `sh -c` when `shell` or when given as one string,
    /// else the argument list as is; placeholders filled in, HOME mapped, the display's
    /// environment, HOME as the working directory, its own process group.
    pub fn command(&self, command: &CommandLine, shell: bool) -> Command {
        let mut cmd = match command.map(|s| self.fill(s)) {
            CommandLine::Text(text) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(text);
                c
            }
            CommandLine::Args(args) if shell => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(args.join(" "));
                c
            }
            CommandLine::Args(args) => {
                let mut it = args.into_iter();
                let mut c = Command::new(it.next().unwrap_or_default());
                c.args(it);
                c
            }
        };
        self.display.prepare(&mut cmd);
        cmd
    }

    /// Runs a command to completion with a deadline (its process group is killed when the
    /// deadline passes). Returns exit status, stdout and stderr; both are also written to
    /// `apps.log`.
    pub fn run_command(
        &mut self,
        command: &CommandLine,
        shell: bool,
        deadline: Duration,
    ) -> Result<Output, EnvError> {
        let label = command.display();
        let mut cmd = self.command(command, shell);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|source| EnvError::Spawn {
            command: label.clone(),
            source,
        })?;
        let pid = child.id();
        let (out_rx, err_rx) = (
            pipe_reader(child.stdout.take()),
            pipe_reader(child.stderr.take()),
        );
        let until = Instant::now() + deadline;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= until => {
                    crate::display::terminate(&mut child, Duration::from_secs(1));
                    return Err(EnvError::Timeout {
                        command: label,
                        deadline,
                    });
                }
                Ok(None) => std::thread::park_timeout(Duration::from_millis(5)),
                Err(source) => {
                    return Err(EnvError::Wait {
                        command: label,
                        source,
                    });
                }
            }
        };
        let stdout = out_rx.join().unwrap_or_default();
        let stderr = err_rx.join().unwrap_or_default();
        self.log(&format!("$ {label} -> {status}"));
        let apps = self.apps_log()?;
        apps.note(&label, pid, "started", &command_line(&cmd));
        apps.record(&label, pid, &stdout, &stderr);
        apps.note(&label, pid, "exited", &status.to_string());
        Ok(Output {
            code: status.code(),
            stdout,
            stderr,
        })
    }

    /// Stops every program the setup started (the whole process group of each), and waits
    /// (briefly) until what they wrote is in `apps.log`.
    pub fn stop_launched(&mut self) {
        for mut l in std::mem::take(&mut self.launched) {
            crate::display::terminate(&mut l.child, Duration::from_secs(2));
            if let Some(out) = &mut l.output {
                out.drain(DRAIN_DEADLINE);
            }
        }
    }
}

/// CPU ticks (of `/proc/<pid>/stat`, usually 10 ms each) of every process in the given process
/// groups.
fn group_cpu_ticks(groups: &[u32]) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut total = 0;
    for entry in dir.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // Fields after the command (which may hold spaces) start after the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        // f[0] = state, f[2] = pgrp, f[11] = utime, f[12] = stime.
        let pgrp = f.get(2).and_then(|v| v.parse::<u32>().ok());
        if pgrp.is_some_and(|g| groups.contains(&g)) {
            let tick = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            total += tick(11) + tick(12);
        }
    }
    total
}

impl TaskEnv<'_> {
    /// Waits until the programs the setup started are idle: their processes used at most 2
    /// CPU ticks over 300 ms (LibreOffice keeps loading a document after its window shows, and
    /// writes a saved file after its window has settled). Gives up quietly at `deadline`.
    /// Returns how long it waited.
    pub fn wait_apps_idle(&self, deadline: Duration) -> Duration {
        let start = Instant::now();
        let groups: Vec<u32> = self.launched.iter().map(|l| l.child.id()).collect();
        if groups.is_empty() {
            return Duration::ZERO;
        }
        let window = Duration::from_millis(300);
        let mut since = Instant::now();
        let mut ticks = group_cpu_ticks(&groups);
        while start.elapsed() < deadline {
            std::thread::park_timeout(Duration::from_millis(50));
            let now_ticks = group_cpu_ticks(&groups);
            if now_ticks.saturating_sub(ticks) > 2 {
                ticks = now_ticks;
                since = Instant::now();
            } else if since.elapsed() >= window {
                break;
            }
        }
        start.elapsed()
    }

    /// A program started by the setup that has died of a crash signal (segmentation fault,
    /// abort, bus error, illegal instruction, floating-point exception), with how it died.
    /// Programs that exited, or were killed or terminated on purpose, are not crashes. The
    /// answer names `apps.log`, where the program's last words are.
    pub fn crashed(&mut self) -> Option<String> {
        use std::os::unix::process::ExitStatusExt as _;
        let crash = [
            libc::SIGSEGV,
            libc::SIGABRT,
            libc::SIGBUS,
            libc::SIGILL,
            libc::SIGFPE,
        ];
        let shown = self.apps.as_ref().map(AppLog::shown);
        let apps = self.apps.clone();
        self.launched.iter_mut().find_map(|l| {
            let status = l.child.try_wait().ok().flatten()?;
            let sig = status.signal().filter(|s| crash.contains(s))?;
            if let Some(apps) = &apps {
                apps.note(&l.name, l.child.id(), "exited", &status.to_string());
            }
            if let Some(out) = &mut l.output {
                out.drain(DRAIN_DEADLINE);
            }
            Some(match &shown {
                Some(log) => format!("{} crashed (signal {sig}); its output is in {log}", l.name),
                None => format!("{} crashed (signal {sig})", l.name),
            })
        })
    }
}

impl Drop for TaskEnv<'_> {
    fn drop(&mut self) {
        self.stop_launched();
    }
}

/// A finished command.
#[derive(Debug, Clone)]
pub struct Output {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Its stdout, lossily UTF-8.
    pub stdout: String,
    /// Its stderr, lossily UTF-8.
    pub stderr: String,
}

fn pipe_reader<R: std::io::Read + Send + 'static>(
    pipe: Option<R>,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}
