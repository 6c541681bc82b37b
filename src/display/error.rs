use std::time::Duration;

/// Why a display could not be used, started or driven. Each message is one sentence for a user.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DisplayError {
    /// The X server did not answer.
    #[error("cannot connect to X display {display} ({reason}); is an X server running there?")]
    Connect { display: String, reason: String },
    /// A program could not be started.
    #[error("cannot start {program}: {reason}")]
    Spawn { program: String, reason: String },
    /// A program ended while we waited for it.
    #[error("{program} exited early ({status})")]
    Exited { program: String, status: String },
    /// A program whose output is kept in a log ended while we waited for its window.
    #[error("{program} exited early {how}; its output is in {log}")]
    AppExited {
        program: String,
        /// How it ended: `with status 134`, `by signal 11`.
        how: String,
        /// How messages name the log (its file name).
        log: String,
    },
    /// A program whose output is kept in a log showed no window in time.
    #[error("{program} showed no window within {waited:?}; its output is in {log}")]
    AppNoWindow {
        program: String,
        waited: Duration,
        log: String,
    },
    /// The log of the programs' output could not be opened.
    #[error("cannot open the program log {path}")]
    Log {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A part of the virtual display did not become ready in time.
    #[error("{what} was not ready after {waited:?}")]
    NotReady { what: String, waited: Duration },
    /// A launched program showed no window in time.
    #[error("{program} showed no window within {waited:?}")]
    NoWindow { program: String, waited: Duration },
    /// An X request failed.
    #[error("X request failed: {0}")]
    X11(String),
    /// Setting up the private HOME failed.
    #[error("cannot prepare the display's home directory: {0}")]
    Io(#[from] std::io::Error),
    /// A bad `--screen` value.
    #[error("bad screen size '{0}': expected WIDTHxHEIGHT, like 1280x800")]
    BadSize(String),
}
