//! A thin, synchronous client of Chromium's DevTools protocol: one WebSocket to the browser
//! target, commands as `{id, method, params, sessionId?}` and their replies matched by `id`;
//! events (`{method, params, sessionId?}`) kept in arrival order until a wait takes them. Page
//! commands go through flat sessions (`Target.attachToTarget` with `flatten: true`).

use super::BrowserError;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

/// The largest message accepted: a page's HTML or a PDF in base64 can be large.
const MAX_MESSAGE: usize = 256 << 20;

/// One event: its method, params and session (`None`: the browser's own).
#[derive(Debug, Clone)]
pub struct Event {
    /// `Page.lifecycleEvent`, …
    pub method: String,
    /// Its parameters.
    pub params: Value,
    /// The flat session it came on.
    pub session: Option<String>,
}

/// A connection to the browser target.
pub struct Cdp {
    ws: WebSocket<TcpStream>,
    next_id: u64,
    events: VecDeque<Event>,
}

impl Cdp {
    /// Connects to `ws://127.0.0.1:PORT{path}` (`path` as Chromium's `DevToolsActivePort` names it).
    pub fn connect(port: u16, path: &str) -> Result<Cdp, BrowserError> {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .map_err(|source| BrowserError::Connect { port, source })?;
        let _ = stream.set_nodelay(true);
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        let url = format!("ws://127.0.0.1:{port}{path}");
        let (ws, _) = tungstenite::client::client_with_config(url.as_str(), stream, Some(config))
            .map_err(|e| match e {
            tungstenite::HandshakeError::Failure(source) => {
                BrowserError::Handshake { port, source }
            }
            tungstenite::HandshakeError::Interrupted(_) => BrowserError::Handshake {
                port,
                source: tungstenite::Error::ConnectionClosed,
            },
        })?;
        Ok(Cdp {
            ws,
            next_id: 1,
            events: VecDeque::new(),
        })
    }

    /// Sends `method` (on `session`, or to the browser) and waits for its reply, at most
    /// `deadline`. A protocol error reply is [`BrowserError::Protocol`].
    pub fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
        deadline: Duration,
    ) -> Result<Value, BrowserError> {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(BrowserError::Socket)?;
        let until = Instant::now() + deadline;
        loop {
            let Some(reply) = self.read(until)? else {
                return Err(BrowserError::Timeout {
                    what: method.to_owned(),
                    waited: deadline,
                });
            };
            if reply.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(err) = reply.get("error") {
                    return Err(BrowserError::Protocol {
                        method: method.to_owned(),
                        message: err
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or("no message")
                            .to_owned(),
                    });
                }
                return Ok(reply.get("result").cloned().unwrap_or(Value::Null));
            }
            if let Some(method) = reply.get("method").and_then(Value::as_str) {
                self.events.push_back(Event {
                    method: method.to_owned(),
                    params: reply.get("params").cloned().unwrap_or(Value::Null),
                    session: reply
                        .get("sessionId")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            }
        }
    }

    /// Waits for the first event (kept or arriving) that `wanted` accepts, and takes it; `None`
    /// when `deadline` passes first.
    pub fn wait_event(
        &mut self,
        until: Instant,
        mut wanted: impl FnMut(&Event) -> bool,
    ) -> Result<Option<Event>, BrowserError> {
        let mut seen = 0;
        loop {
            if let Some(i) = self.events.iter().skip(seen).position(&mut wanted) {
                return Ok(self.events.remove(seen + i));
            }
            seen = self.events.len();
            let Some(msg) = self.read(until)? else {
                return Ok(None);
            };
            if let Some(method) = msg.get("method").and_then(Value::as_str) {
                self.events.push_back(Event {
                    method: method.to_owned(),
                    params: msg.get("params").cloned().unwrap_or(Value::Null),
                    session: msg
                        .get("sessionId")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            }
        }
    }

    /// Forgets the events kept so far.
    pub fn clear_events(&mut self) {
        self.events.clear();
    }

    /// The next message, or `None` at `until`.
    fn read(&mut self, until: Instant) -> Result<Option<Value>, BrowserError> {
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let _ = self.ws.get_ref().set_read_timeout(Some(left));
            match self.ws.read() {
                Ok(Message::Text(t)) => {
                    return serde_json::from_str(t.as_str())
                        .map(Some)
                        .map_err(BrowserError::Reply);
                }
                Ok(Message::Close(_)) => return Err(BrowserError::Closed),
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => return Err(BrowserError::Socket(e)),
            }
        }
    }
}

impl Drop for Cdp {
    fn drop(&mut self) {
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
    }
}
