//! `apps.log`: what the programs deskhand starts on a display write to their stdout and stderr,
//! kept in the run directory so that an app that dies while starting leaves its reason behind.
//!
//! One file for all programs of a run, one line per line a program wrote, each prefixed by the
//! program's name (as messages name it) and its process id, then what the line is:
//!
//! ```text
//! libreoffice for sales.xlsx[4242] started: libreoffice --calc --nologo --norestore /tmp/h/sales.xlsx
//! libreoffice for sales.xlsx[4242] stderr: Warning: failed to launch javaldx - java may not function correctly
//! libreoffice for sales.xlsx[4242] exited: exit status: 134
//! libreoffice for sales.xlsx[4250] started: libreoffice --calc --nologo --norestore /tmp/h/sales.xlsx
//! sh -c ls -l[4301] stdout: total 8
//! ```
//!
//! - `started: COMMAND` is written by deskhand when the program is started (its program and
//!   arguments joined by spaces); a program started again (a retry) gets a new `started` line
//!   and a new process id.
//! - `stdout: TEXT` / `stderr: TEXT`: one line the program wrote, without its line end, lossily
//!   UTF-8. Lines of one stream keep their order; lines of different programs and streams
//!   interleave in the order they were read. A line longer than 16 KiB is split; after 1 MiB of
//!   output from one stream the rest is dropped, and one `stdout: … (output cut at 1 MiB)` line
//!   says so.
//! - `exited: STATUS` is written by deskhand when it sees the program end while it watches it
//!   (while starting, or when a crash is looked for).
//! - `deskhand[PID] profile: MESSAGE`: deskhand's own line, when a LibreOffice profile could not
//!   be completed before LibreOffice was started (see [`super::libreoffice_profile`]).
//! - The file is appended to, never truncated, so the lines of several runs into one file follow
//!   each other.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// The file's name in a run directory.
pub const APPS_LOG: &str = "apps.log";

/// Longest piece of a line written as one log line.
const LINE_MAX: usize = 16 * 1024;
/// Most output kept from one stream of one program.
const STREAM_MAX: usize = 1024 * 1024;

/// An open `apps.log`; cheap to clone (clones share the file).
#[derive(Debug, Clone)]
pub struct AppLog {
    path: PathBuf,
    file: Arc<Mutex<File>>,
}

/// The output of a started program being copied into the log, until it closes its stdout and
/// stderr (when it and every process that inherited them have exited).
#[derive(Debug)]
pub struct Captured {
    done: mpsc::Receiver<()>,
    streams: usize,
}

impl Captured {
    /// Waits until everything the program wrote is in the log, or `deadline` passes. Returns
    /// whether all of it is in.
    pub fn drain(&mut self, deadline: Duration) -> bool {
        let until = Instant::now() + deadline;
        while self.streams > 0 {
            let left = until.saturating_duration_since(Instant::now());
            match self.done.recv_timeout(left) {
                Ok(()) => self.streams -= 1,
                Err(_) => return false,
            }
        }
        true
    }
}

impl AppLog {
    /// Opens (creating it if needed) the log at `path`, for appending.
    pub fn open(path: &Path) -> std::io::Result<AppLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = File::options().create(true).append(true).open(path)?;
        Ok(AppLog {
            path: path.to_owned(),
            file: Arc::new(Mutex::new(file)),
        })
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How messages name the log: its file name.
    pub fn shown(&self) -> String {
        self.path
            .file_name()
            .unwrap_or(self.path.as_os_str())
            .to_string_lossy()
            .into_owned()
    }

    /// Writes one line about program `name` with process id `pid`. A failed write is dropped:
    /// the log must never stop a program from running.
    pub fn note(&self, name: &str, pid: u32, what: &str, text: &str) {
        let line = format!("{name}[{pid}] {what}: {text}\n");
        if let Ok(mut f) = self.file.lock() {
            let _ = f.write_all(line.as_bytes());
        }
    }

    /// Starts `cmd` (already prepared for its display) with its stdout and stderr copied into
    /// the log, each line prefixed by `name` and the process id, after a `started` line.
    pub fn spawn(&self, name: &str, cmd: &mut Command) -> std::io::Result<(Child, Captured)> {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn()?;
        let pid = child.id();
        self.note(name, pid, "started", &command_line(cmd));
        let (tx, done) = mpsc::channel();
        let mut streams = 0;
        if let Some(out) = child.stdout.take() {
            self.copy(name, pid, "stdout", out, tx.clone());
            streams += 1;
        }
        if let Some(err) = child.stderr.take() {
            self.copy(name, pid, "stderr", err, tx);
            streams += 1;
        }
        Ok((child, Captured { done, streams }))
    }

    /// Writes what a finished program wrote (captured by someone else) into the log.
    pub fn record(&self, name: &str, pid: u32, stdout: &str, stderr: &str) {
        for (what, text) in [("stdout", stdout), ("stderr", stderr)] {
            for line in text.lines() {
                self.note(name, pid, what, line);
            }
        }
    }

    fn copy<R: Read + Send + 'static>(
        &self,
        name: &str,
        pid: u32,
        what: &'static str,
        stream: R,
        done: mpsc::Sender<()>,
    ) {
        let log = self.clone();
        let name = name.to_owned();
        std::thread::spawn(move || {
            copy_lines(stream, |line| log.note(&name, pid, what, line));
            let _ = done.send(());
        });
    }
}

/// Calls `emit` for every line of `stream` (split at [`LINE_MAX`]), until its end; after
/// [`STREAM_MAX`] bytes, emits one note and reads the rest without keeping it.
fn copy_lines(stream: impl Read, mut emit: impl FnMut(&str)) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    let mut kept = 0usize;
    loop {
        let chunk = match reader.fill_buf() {
            Ok([]) | Err(_) => break,
            Ok(c) => c,
        };
        let n = chunk.len();
        if kept >= STREAM_MAX {
            reader.consume(n);
            continue;
        }
        for &b in chunk {
            if b == b'\n' {
                emit(String::from_utf8_lossy(trim_cr(&line)).as_ref());
                line.clear();
            } else {
                line.push(b);
                if line.len() >= LINE_MAX {
                    emit(String::from_utf8_lossy(&line).as_ref());
                    line.clear();
                }
            }
        }
        reader.consume(n);
        kept += n;
        if kept >= STREAM_MAX {
            if !line.is_empty() {
                emit(String::from_utf8_lossy(&line).as_ref());
                line.clear();
            }
            emit("… (output cut at 1 MiB)");
        }
    }
    if !line.is_empty() {
        emit(String::from_utf8_lossy(trim_cr(&line)).as_ref());
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The program and its arguments, joined by spaces, for the `started` line.
pub(crate) fn command_line(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        copy_lines(input, |l| out.push(l.to_owned()));
        out
    }

    #[test]
    fn lines_are_split_on_newlines_and_a_last_partial_line_is_kept() {
        assert_eq!(lines(b"a\r\nb\n\nc"), ["a", "b", "", "c"]);
        assert!(lines(b"").is_empty());
    }

    #[test]
    fn long_lines_are_split_and_long_output_is_cut() {
        let long = vec![b'x'; LINE_MAX + 3];
        let got = lines(&long);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].len(), LINE_MAX);
        assert_eq!(got[1], "xxx");
        let many = b"line\n".repeat(STREAM_MAX);
        let got = lines(&many);
        assert_eq!(
            got.last().map(String::as_str),
            Some("… (output cut at 1 MiB)")
        );
        assert!(got.len() <= STREAM_MAX / 5 + 1000, "{}", got.len());
    }

    #[test]
    fn a_spawned_program_s_output_is_logged_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let log = AppLog::open(&dir.path().join(APPS_LOG)).unwrap();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; printf tail"]);
        let (mut child, mut captured) = log.spawn("greeter", &mut cmd).unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(captured.drain(Duration::from_secs(10)));
        let text = std::fs::read_to_string(log.path()).unwrap();
        let mut got: Vec<&str> = text.lines().collect();
        // The two streams interleave in any order; each keeps its own.
        got[1..].sort();
        assert_eq!(
            got,
            [
                format!("greeter[{pid}] started: sh -c echo out; echo err >&2; printf tail"),
                format!("greeter[{pid}] stderr: err"),
                format!("greeter[{pid}] stdout: out"),
                format!("greeter[{pid}] stdout: tail"),
            ]
        );
        assert_eq!(log.shown(), "apps.log");
    }
}
