//! A local Messages API server for the bench's model-driven runs. It plays each bundled task's
//! `solution.json` the way a model would: one `computer` tool call per turn, in the scaled
//! coordinates of the tool definition it was sent, then an `end_turn` text at `done`/`fail`.
//! It is stateless: the task is the one whose instruction the conversation's first message
//! holds, and the turn is the number of assistant messages already in the conversation. A `fail`
//! is answered with `[INFEASIBLE]` and its reason, as the provider's prompt asks.
//!
//! It answers at once unless it is given a latency, which it then holds each answer for (a
//! stand-in for a remote provider's time to answer; `deskhand bench --model-latency-ms`).

use deskhand_actions::formats::{FormatError, to_anthropic};
use deskhand_actions::{Action, ModelSpace, Size};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// Why a request cannot be answered; the server answers it with a 400 whose message is this
/// error and its sources.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The request could not be read from the socket.
    #[error("the request could not be read")]
    Read(#[source] std::io::Error),
    /// The connection closed before the blank line that ends the head.
    #[error("the request ended in its head")]
    TruncatedHead,
    /// The `content-length` header does not hold a byte count.
    #[error("the content-length {value:?} is not a byte count")]
    BadLength {
        /// The header's value.
        value: String,
        /// Why it does not parse.
        #[source]
        source: std::num::ParseIntError,
    },
    /// The body is not JSON.
    #[error("the body is not JSON")]
    NotJson(#[source] serde_json::Error),
    /// The body has no `messages` list.
    #[error("the request's messages are not a list")]
    NoMessages,
    /// The conversation is about none of the tasks the server plays.
    #[error("the first message holds no known task's instruction")]
    UnknownTask,
    /// The `computer` tool definition lacks a screen dimension.
    #[error("tools[0].{key} is not a whole number")]
    BadDimension {
        /// The missing or malformed field.
        key: &'static str,
    },
    /// A solution's action has no form in the `computer` tool.
    #[error("solution action {number} cannot be sent as a computer tool call")]
    Solution {
        /// The action's number, from 1.
        number: usize,
        /// Why the tool cannot express it.
        #[source]
        source: FormatError,
    },
}

/// The tasks the server can play: each one's instruction and solution.
#[derive(Debug, Clone)]
pub struct Scripted {
    /// `(instruction, solution)` per task.
    pub tasks: Vec<(String, Vec<Action>)>,
    /// The screen the runs use (the solutions' pixels).
    pub screen: Size,
}

impl Scripted {
    /// The answer to one request body, or why it cannot be answered (a 400).
    pub fn answer(&self, body: &Value) -> Result<Value, RequestError> {
        let messages = body["messages"]
            .as_array()
            .ok_or(RequestError::NoMessages)?;
        let first = messages
            .first()
            .map(|m| m["content"].to_string())
            .unwrap_or_default();
        let (_, solution) = self
            .tasks
            .iter()
            .filter(|(instruction, _)| first.contains(&json_text(instruction)))
            .max_by_key(|(instruction, _)| instruction.len())
            .ok_or(RequestError::UnknownTask)?;
        let turn = messages.iter().filter(|m| m["role"] == "assistant").count();
        let tool = &body["tools"][0];
        let space = ModelSpace::Scaled {
            width: dimension(tool, "display_width_px")?,
            height: dimension(tool, "display_height_px")?,
        };
        let id = format!("msg_bench_{turn}");
        let usage = json!({"input_tokens": 0, "output_tokens": 0});
        let end_turn = |text: &str| {
            json!({"id": id, "type": "message", "role": "assistant", "model": body["model"],
                   "content": [{"type": "text", "text": text}],
                   "stop_reason": "end_turn", "usage": usage})
        };
        let content = match solution.get(turn) {
            None => return Ok(end_turn("Done.")),
            Some(Action::Done { message }) => {
                return Ok(end_turn(message.as_deref().unwrap_or("Done.")));
            }
            Some(Action::Fail { reason }) => {
                return Ok(end_turn(&format!("{} {reason}", crate::policy::INFEASIBLE)));
            }
            Some(action) => to_anthropic(action, &space, self.screen).map_err(|source| {
                RequestError::Solution {
                    number: turn + 1,
                    source,
                }
            })?,
        };
        Ok(
            json!({"id": id, "type": "message", "role": "assistant", "model": body["model"],
            "content": [{"type": "tool_use", "id": format!("toolu_bench_{turn}"),
                         "name": "computer", "input": content}],
            "stop_reason": "tool_use", "usage": usage}),
        )
    }
}

/// `s` as it appears inside a JSON string (the first message is searched in its JSON form).
fn json_text(s: &str) -> String {
    let quoted = Value::String(s.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

fn dimension(tool: &Value, key: &'static str) -> Result<u32, RequestError> {
    tool[key]
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or(RequestError::BadDimension { key })
}

/// Serves `scripted` on a free loopback port until the process ends; returns its base URL.
pub fn start(scripted: Scripted, latency: Duration) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let scripted = scripted.clone();
            std::thread::spawn(move || serve(stream, &scripted, latency));
        }
    });
    Ok(url)
}

fn serve(mut stream: TcpStream, scripted: &Scripted, latency: Duration) {
    let (status, body) = match read_body(&stream) {
        Err(why) => (400, error(&why)),
        Ok(body) => match scripted.answer(&body) {
            Ok(answer) => {
                std::thread::sleep(latency);
                (200, answer)
            }
            Err(why) => (400, error(&why)),
        },
    };
    let text = body.to_string();
    let head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Bad Request" },
        text.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.flush();
}

/// Anthropic's error body; its message is `why` followed by each of its sources.
fn error(why: &RequestError) -> Value {
    let mut message = why.to_string();
    let mut source = std::error::Error::source(why);
    while let Some(e) = source {
        message.push_str(&format!(": {e}"));
        source = e.source();
    }
    json!({"type": "error", "error": {"type": "invalid_request_error", "message": message}})
}

fn read_body(stream: &TcpStream) -> Result<Value, RequestError> {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(RequestError::Read)? == 0 {
            return Err(RequestError::TruncatedHead);
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            let value = value.trim();
            length = value.parse().map_err(|source| RequestError::BadLength {
                value: value.to_owned(),
                source,
            })?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(RequestError::Read)?;
    serde_json::from_slice(&body).map_err(RequestError::NotJson)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn scripted() -> Scripted {
        Scripted {
            tasks: vec![
                (
                    "Sort \"names\"".into(),
                    vec![
                        Action::Key {
                            keys: "ctrl+s".into(),
                        },
                        Action::Click {
                            x: Some(640),
                            y: Some(400),
                            button: deskhand_actions::Button::Left,
                            count: 1,
                            modifiers: vec![],
                        },
                        Action::Done {
                            message: Some("Sorted".into()),
                        },
                    ],
                ),
                (
                    "Sort".into(),
                    vec![Action::Fail {
                        reason: "no".into(),
                    }],
                ),
            ],
            screen: Size::new(1280, 800),
        }
    }

    fn request(assistant_turns: usize, instruction: &str) -> Value {
        let mut messages =
            vec![json!({"role": "user", "content": [{"type": "text", "text": instruction}]})];
        for _ in 0..assistant_turns {
            messages.push(json!({"role": "assistant", "content": []}));
            messages.push(json!({"role": "user", "content": []}));
        }
        json!({"model": "m", "messages": messages,
               "tools": [{"display_width_px": 1024, "display_height_px": 640}]})
    }

    #[test]
    fn plays_the_solution_one_call_per_turn_in_the_scaled_space() {
        let s = scripted();
        let first = s.answer(&request(0, "Sort \"names\"")).unwrap();
        assert_eq!(first["stop_reason"], "tool_use");
        assert_eq!(first["content"][0]["input"]["action"], "key");
        let second = s.answer(&request(1, "Sort \"names\"")).unwrap();
        assert_eq!(
            second["content"][0]["input"],
            json!({"action": "left_click", "coordinate": [512, 320]})
        );
        let last = s.answer(&request(2, "Sort \"names\"")).unwrap();
        assert_eq!(last["stop_reason"], "end_turn");
        assert_eq!(last["content"][0]["text"], "Sorted");
    }

    #[test]
    fn picks_the_longest_matching_instruction_and_rejects_unknown_ones() {
        let s = scripted();
        let other = s.answer(&request(0, "Sort")).unwrap();
        assert_eq!(other["stop_reason"], "end_turn");
        assert_eq!(other["content"][0]["text"], "[INFEASIBLE] no");
        assert!(matches!(
            s.answer(&request(0, "Rename")),
            Err(RequestError::UnknownTask)
        ));
        let mut no_tool = request(0, "Sort");
        no_tool["tools"] = json!([]);
        assert!(matches!(
            s.answer(&no_tool),
            Err(RequestError::BadDimension {
                key: "display_width_px"
            })
        ));
    }

    #[test]
    fn error_bodies_carry_the_sources() {
        let source = serde_json::from_slice::<Value>(b"{").unwrap_err();
        let body = error(&RequestError::NotJson(source));
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("the body is not JSON: EOF while parsing"),
            "{message}"
        );
    }
}
