//! Steering a running agent from another process: `deskhand steer RUN_DIR "message"` and
//! `deskhand stop RUN_DIR`.
//!
//! While a run is going, its agent listens on a Unix socket. Socket paths are limited to about
//! 100 bytes, so the socket lives in the runtime directory (`$XDG_RUNTIME_DIR`, else the temp
//! directory) as `deskhand-<pid>-<n>.sock`, and the run directory holds a file `control` whose
//! one line is the socket's path. The file and the socket are removed when the run ends.
//!
//! # Protocol
//!
//! One JSON line each way per connection. Requests:
//!
//! ```text
//! {"op":"user_message","text":"use the second column instead"}
//! {"op":"stop"}
//! ```
//!
//! Answer: `{"ok":true}`, or `{"ok":false,"error":"…"}`. A delivered message is recorded in the
//! trajectory as a `user_message` event and joins the policy's next turn.

use crate::agent::Op;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;

/// The name of the file in a run directory that points at the control socket.
pub const CONTROL_FILE: &str = "control";

/// A request on the control socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// A steering message for the next turn.
    UserMessage {
        /// The message.
        text: String,
    },
    /// Stop the run.
    Stop,
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// Whether the request was delivered.
    pub ok: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Why steering failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// No agent is running for that directory.
    #[error("no running agent for {0} (the run has ended, or it was not started by deskhand run)")]
    NotRunning(PathBuf),
    /// Talking to the agent failed.
    #[error("cannot reach the agent of {dir}: {reason}")]
    Io {
        /// The run directory.
        dir: PathBuf,
        /// The cause.
        reason: String,
    },
    /// The agent refused the request.
    #[error("the agent refused: {0}")]
    Refused(String),
}

/// The listening side, owned by `deskhand run`. Dropping it removes the socket and the file.
#[derive(Debug)]
pub struct ControlServer {
    socket: PathBuf,
    pointer: PathBuf,
    accepting: tokio::task::AbortHandle,
}

impl ControlServer {
    /// Binds a fresh socket for `run_dir` and forwards every request to `ops`.
    pub fn start(run_dir: &Path, ops: mpsc::UnboundedSender<Op>) -> std::io::Result<ControlServer> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        let socket = base.join(format!(
            "deskhand-{}-{}.sock",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket)?;
        let pointer = run_dir.join(CONTROL_FILE);
        std::fs::write(&pointer, format!("{}\n", socket.display()))?;
        let accepting = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, ops.clone()));
            }
        })
        .abort_handle();
        Ok(ControlServer {
            socket,
            pointer,
            accepting,
        })
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        // The accept loop holds the listener and a sender of the agent's ops: stop it, so the
        // ops channel can close once the agent is done.
        self.accepting.abort();
        let _ = std::fs::remove_file(&self.pointer);
        let _ = std::fs::remove_file(&self.socket);
    }
}

async fn serve(stream: UnixStream, ops: mpsc::UnboundedSender<Op>) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    if BufReader::new(read).read_line(&mut line).await.is_err() {
        return;
    }
    let reply = match serde_json::from_str::<Request>(&line) {
        Ok(request) => {
            let op = match request {
                Request::UserMessage { text } => Op::UserMessage(text),
                Request::Stop => Op::Stop {
                    reason: "stopped by deskhand stop".into(),
                },
            };
            match ops.send(op) {
                Ok(()) => Reply {
                    ok: true,
                    error: None,
                },
                Err(_) => Reply {
                    ok: false,
                    error: Some("the run is ending".into()),
                },
            }
        }
        Err(e) => Reply {
            ok: false,
            error: Some(format!("bad request: {e}")),
        },
    };
    if let Ok(mut text) = serde_json::to_string(&reply) {
        text.push('\n');
        let _ = write.write_all(text.as_bytes()).await;
    }
}

/// Sends one request to the agent running in `run_dir` and waits for its answer.
pub fn send(run_dir: &Path, request: &Request) -> Result<(), ControlError> {
    use std::io::{BufRead, Write};
    let pointer = run_dir.join(CONTROL_FILE);
    let socket = std::fs::read_to_string(&pointer)
        .map_err(|_| ControlError::NotRunning(run_dir.to_owned()))?;
    let io = |e: std::io::Error| ControlError::Io {
        dir: run_dir.to_owned(),
        reason: e.to_string(),
    };
    let mut stream = std::os::unix::net::UnixStream::connect(socket.trim()).map_err(|e| {
        if matches!(
            e.kind(),
            std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
        ) {
            ControlError::NotRunning(run_dir.to_owned())
        } else {
            io(e)
        }
    })?;
    let mut line = serde_json::to_string(request).map_err(|e| ControlError::Io {
        dir: run_dir.to_owned(),
        reason: e.to_string(),
    })?;
    line.push('\n');
    stream.write_all(line.as_bytes()).map_err(io)?;
    let mut answer = String::new();
    std::io::BufReader::new(&stream)
        .read_line(&mut answer)
        .map_err(io)?;
    let reply: Reply = serde_json::from_str(&answer).map_err(|e| ControlError::Io {
        dir: run_dir.to_owned(),
        reason: format!("bad answer: {e}"),
    })?;
    if reply.ok {
        Ok(())
    } else {
        Err(ControlError::Refused(reply.error.unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use std::time::Duration;

    /// [`send`] blocks; run it off the runtime the server answers on.
    async fn send_from_a_thread(dir: &Path, request: Request) -> Result<(), ControlError> {
        let dir = dir.to_owned();
        tokio::task::spawn_blocking(move || send(&dir, &request))
            .await
            .unwrap()
    }

    async fn next(ops: &mut mpsc::UnboundedReceiver<Op>) -> Op {
        tokio::time::timeout(Duration::from_secs(30), ops.recv())
            .await
            .unwrap()
            .unwrap()
    }

    /// Writes one raw line to the socket and reads the answer.
    async fn raw(dir: &Path, line: &str) -> Reply {
        let socket = std::fs::read_to_string(dir.join(CONTROL_FILE)).unwrap();
        let mut stream = UnixStream::connect(socket.trim()).await.unwrap();
        stream.write_all(line.as_bytes()).await.unwrap();
        let mut answer = String::new();
        BufReader::new(stream).read_line(&mut answer).await.unwrap();
        serde_json::from_str(&answer).unwrap()
    }

    #[test]
    fn requests_and_replies_are_the_documented_json() {
        let message = Request::UserMessage {
            text: "use the second column instead".into(),
        };
        let json = r#"{"op":"user_message","text":"use the second column instead"}"#;
        assert_eq!(serde_json::to_string(&message).unwrap(), json);
        assert_eq!(serde_json::from_str::<Request>(json).unwrap(), message);
        assert_eq!(
            serde_json::to_string(&Request::Stop).unwrap(),
            r#"{"op":"stop"}"#
        );
        let ok = Reply {
            ok: true,
            error: None,
        };
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#"{"ok":true}"#);
    }

    #[tokio::test]
    async fn a_message_and_a_stop_reach_the_agents_ops() {
        let tmp = tempfile::tempdir().unwrap();
        let (tx, mut ops) = mpsc::unbounded_channel();
        let server = ControlServer::start(tmp.path(), tx).unwrap();
        let pointer = std::fs::read_to_string(tmp.path().join(CONTROL_FILE)).unwrap();
        assert!(pointer.ends_with(".sock\n"), "{pointer}");
        assert!(Path::new(pointer.trim()).exists());

        let text = "use the second column instead".to_owned();
        send_from_a_thread(tmp.path(), Request::UserMessage { text: text.clone() })
            .await
            .unwrap();
        assert_eq!(next(&mut ops).await, Op::UserMessage(text));
        send_from_a_thread(tmp.path(), Request::Stop).await.unwrap();
        assert_eq!(
            next(&mut ops).await,
            Op::Stop {
                reason: "stopped by deskhand stop".into()
            }
        );
        drop(server);
    }

    #[tokio::test]
    async fn a_bad_request_is_refused_with_the_reason_and_sends_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let (tx, mut ops) = mpsc::unbounded_channel();
        let _server = ControlServer::start(tmp.path(), tx).unwrap();
        for line in [
            "{\"op\":\"jump\"}\n",
            "{\"op\":\"user_message\",\"text\":\"a\",\"to\":\"b\"}\n",
            "not json\n",
        ] {
            let reply = raw(tmp.path(), line).await;
            assert!(!reply.ok, "{line}");
            let error = reply.error.unwrap_or_default();
            assert!(error.starts_with("bad request: "), "{line}: {error}");
        }
        assert!(ops.try_recv().is_err(), "nothing reached the agent");
        // The server still answers after refusing.
        assert_eq!(
            raw(tmp.path(), "{\"op\":\"stop\"}\n").await,
            Reply {
                ok: true,
                error: None
            }
        );
    }

    #[tokio::test]
    async fn a_run_that_is_ending_refuses() {
        let tmp = tempfile::tempdir().unwrap();
        let (tx, ops) = mpsc::unbounded_channel();
        let _server = ControlServer::start(tmp.path(), tx).unwrap();
        drop(ops);
        let err = send_from_a_thread(tmp.path(), Request::Stop)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ControlError::Refused(why) if why == "the run is ending"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn once_the_server_is_dropped_the_run_is_not_running() {
        let tmp = tempfile::tempdir().unwrap();
        let (tx, _ops) = mpsc::unbounded_channel();
        let server = ControlServer::start(tmp.path(), tx).unwrap();
        let socket = std::fs::read_to_string(tmp.path().join(CONTROL_FILE)).unwrap();
        drop(server);
        assert!(!tmp.path().join(CONTROL_FILE).exists());
        assert!(!Path::new(socket.trim()).exists());
        let err = send_from_a_thread(tmp.path(), Request::Stop)
            .await
            .unwrap_err();
        assert!(matches!(err, ControlError::NotRunning(_)), "{err}");
    }

    #[tokio::test]
    async fn a_pointer_to_a_dead_socket_is_not_running() {
        let tmp = tempfile::tempdir().unwrap();
        let gone = tmp.path().join("gone.sock");
        std::fs::write(
            tmp.path().join(CONTROL_FILE),
            format!("{}\n", gone.display()),
        )
        .unwrap();
        let err = send_from_a_thread(tmp.path(), Request::Stop)
            .await
            .unwrap_err();
        assert!(matches!(err, ControlError::NotRunning(_)), "{err}");
    }
}
