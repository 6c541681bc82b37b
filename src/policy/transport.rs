//! How providers reach their model: live over HTTP (recording every exchange into the run
//! directory), or from a recording, offline.
//!
//! # `model_calls.jsonl`
//!
//! Every successful model call of a run is appended to `RUN_DIR/model_calls.jsonl`, one JSON
//! line each, flushed as written:
//!
//! ```text
//! {"seq":0,"provider":"the Anthropic API","path":"/v1/messages","key":"3f9a…","request":{…},"response":{…}}
//! ```
//!
//! - `request` is the request body, normalized: every base64 image (a `data:image/…` URL, an
//!   Anthropic `base64` source, a Gemini `inlineData`) is replaced by the string
//!   `"<image sha256:…>"` (so recordings stay small, and screen noise does not change the key).
//!   Headers, and so API keys, are never recorded.
//! - `key` is the hex SHA-256 of the normalized request as compact JSON with sorted keys.
//! - `response` is the body the provider answered, as it came.
//!
//! Replaying answers each request with the next recorded response under the same key. A request
//! with no recorded answer is a hard error, never a silent fallback to the network.

use super::http::{self, Answer, HttpError, Retry};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The file of recorded model calls in a run directory.
pub const MODEL_CALLS_FILE: &str = "model_calls.jsonl";

/// Where a provider's requests go.
pub struct Transport {
    client: reqwest::Client,
    mode: Mode,
}

enum Mode {
    Live {
        record: Option<Mutex<Recorder>>,
    },
    Replay {
        answers: Mutex<HashMap<String, VecDeque<Value>>>,
        from: PathBuf,
    },
    /// `deskhand resume`: from the recording while the policy's context is rebuilt, then live.
    Resume {
        answers: Mutex<HashMap<String, VecDeque<Value>>>,
        from: PathBuf,
        live: Arc<AtomicBool>,
        record: Mutex<Recorder>,
    },
}

struct Recorder {
    path: PathBuf,
    seq: u64,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = match &self.mode {
            Mode::Live { record: Some(_) } => "live, recording",
            Mode::Live { record: None } => "live",
            Mode::Replay { .. } => "replay",
            Mode::Resume { .. } => "resume",
        };
        f.debug_struct("Transport").field("mode", &mode).finish()
    }
}

/// Why a recording could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The file is missing or unreadable.
    #[error("cannot read the recorded model calls {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl Transport {
    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .build()
            .unwrap_or_else(|_| reqwest::Client::new())
    }

    /// Live HTTP; when `record_to` is a run directory, every exchange is recorded there.
    pub fn live(record_to: Option<&Path>) -> Transport {
        Transport {
            client: Self::client(),
            mode: Mode::Live {
                record: record_to.map(|dir| {
                    Mutex::new(Recorder {
                        path: dir.join(MODEL_CALLS_FILE),
                        seq: 0,
                    })
                }),
            },
        }
    }

    /// Answers from the recording of the run in `run_dir`.
    pub fn replay(run_dir: &Path) -> Result<Transport, ReplayError> {
        let (answers, _) = read_answers(&run_dir.join(MODEL_CALLS_FILE))?;
        Ok(Transport {
            client: Self::client(),
            mode: Mode::Replay {
                answers: Mutex::new(answers),
                from: run_dir.to_owned(),
            },
        })
    }

    /// For a run cut off in `run_dir`: answers from its recording until the returned switch is
    /// turned on, then live, appending to the same recording (a torn last line is cut away
    /// first). A request the recording cannot answer before then is an error, never a call.
    pub fn resume(run_dir: &Path) -> Result<(Transport, Arc<AtomicBool>), ReplayError> {
        let path = run_dir.join(MODEL_CALLS_FILE);
        let (answers, count) = if path.exists() {
            cut_torn_tail(&path)?;
            read_answers(&path)?
        } else {
            (HashMap::new(), 0)
        };
        let live = Arc::new(AtomicBool::new(false));
        let transport = Transport {
            client: Self::client(),
            mode: Mode::Resume {
                answers: Mutex::new(answers),
                from: run_dir.to_owned(),
                live: live.clone(),
                record: Mutex::new(Recorder { path, seq: count }),
            },
        };
        Ok((transport, live))
    }

    /// POSTs (or replays) one model call.
    pub async fn post_json(
        &self,
        provider: &'static str,
        url: &str,
        headers: &[(&str, String)],
        body: &Value,
        retry: Retry,
    ) -> Result<Answer, HttpError> {
        let normalized = normalize(body);
        let key = key_of(&normalized);
        match &self.mode {
            Mode::Resume {
                live, record: rec, ..
            } if live.load(Ordering::SeqCst) => {
                let answer =
                    http::post_json(&self.client, provider, url, headers, body, retry).await?;
                if let Ok(mut rec) = rec.lock() {
                    rec.write(provider, url, &key, &normalized, &answer.body);
                }
                Ok(answer)
            }
            Mode::Replay { answers, from } | Mode::Resume { answers, from, .. } => {
                let next = answers
                    .lock()
                    .ok()
                    .and_then(|mut a| a.get_mut(&key).and_then(VecDeque::pop_front));
                match next {
                    Some(body) => Ok(Answer { body, attempts: 1 }),
                    None => Err(HttpError::ReplayMiss {
                        provider,
                        key,
                        from: from.display().to_string(),
                    }),
                }
            }
            Mode::Live { record } => {
                let answer =
                    http::post_json(&self.client, provider, url, headers, body, retry).await?;
                if let Some(rec) = record
                    && let Ok(mut rec) = rec.lock()
                {
                    rec.write(provider, url, &key, &normalized, &answer.body);
                }
                Ok(answer)
            }
        }
    }
}

impl Recorder {
    fn write(&mut self, provider: &str, url: &str, key: &str, request: &Value, response: &Value) {
        let path_part = url.find("://").map_or(url, |i| {
            let rest = &url[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        });
        let line = json!({
            "seq": self.seq, "provider": provider, "path": path_part,
            "key": key, "request": request, "response": response,
        });
        let Ok(mut text) = serde_json::to_string(&line) else {
            return;
        };
        text.push('\n');
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path);
        if let Ok(mut f) = file
            && f.write_all(text.as_bytes())
                .and_then(|()| f.flush())
                .is_ok()
        {
            self.seq += 1;
        }
    }
}

/// The recorded answers by key, in order, and how many lines were read.
fn read_answers(path: &Path) -> Result<(HashMap<String, VecDeque<Value>>, u64), ReplayError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReplayError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let mut answers: HashMap<String, VecDeque<Value>> = HashMap::new();
    let mut count = 0;
    let lines = text.lines().count();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            // A torn last line from a killed run is skipped; anything else is damage.
            if i + 1 == lines {
                continue;
            }
            return Err(ReplayError::Read {
                path: path.to_owned(),
                reason: format!("line {} is not valid JSON", i + 1),
            });
        };
        let key = v["key"].as_str().unwrap_or_default().to_owned();
        answers
            .entry(key)
            .or_default()
            .push_back(v["response"].clone());
        count += 1;
    }
    Ok((answers, count))
}

/// Cuts a torn last line (no newline) off a JSON Lines file, so appending stays valid.
fn cut_torn_tail(path: &Path) -> Result<(), ReplayError> {
    let err = |e: std::io::Error| ReplayError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let bytes = std::fs::read(path).map_err(err)?;
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if keep < bytes.len() {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(err)?;
        f.set_len(keep as u64).map_err(err)?;
    }
    Ok(())
}

/// Replaces every base64 image in a request body by its digest.
pub fn normalize(body: &Value) -> Value {
    match body {
        Value::String(s) if s.starts_with("data:image/") => Value::String(image_tag(s)),
        Value::Object(map) => {
            // Anthropic's `{"type": "base64", "data"}`, Gemini's `inlineData {"mimeType", "data"}`.
            let is_b64_source = map.get("type").and_then(Value::as_str) == Some("base64")
                || map
                    .get("mimeType")
                    .and_then(Value::as_str)
                    .is_some_and(|m| m.starts_with("image/"));
            Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = match (k.as_str(), v) {
                            ("data", Value::String(s)) if is_b64_source => {
                                Value::String(image_tag(s))
                            }
                            _ => normalize(v),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

fn image_tag(data: &str) -> String {
    format!(
        "<image sha256:{}>",
        hex::encode(Sha256::digest(data.as_bytes()))
    )
}

/// The replay key: SHA-256 of the normalized request with images left out entirely, so that
/// pixel noise between a recording and its replay does not matter.
fn key_of(normalized: &Value) -> String {
    let without_images = strip_image_tags(normalized);
    hex::encode(Sha256::digest(without_images.to_string().as_bytes()))
}

fn strip_image_tags(v: &Value) -> Value {
    match v {
        Value::String(s) if s.starts_with("<image sha256:") => Value::String("<image>".into()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), strip_image_tags(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_image_tags).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_replaced_and_do_not_change_the_key() {
        let a = json!({"messages": [{"content": [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}]}],
                       "x": "data:image/png;base64,BBBB"});
        let b = json!({"messages": [{"content": [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "CCCC"}}]}],
                       "x": "data:image/png;base64,DDDD"});
        let na = normalize(&a);
        assert!(na.to_string().contains("<image sha256:"));
        assert!(!na.to_string().contains("AAAA"));
        assert_eq!(key_of(&na), key_of(&normalize(&b)));
        let c = json!({"messages": [], "x": "data:image/png;base64,BBBB"});
        assert_ne!(key_of(&na), key_of(&normalize(&c)));
    }
}
