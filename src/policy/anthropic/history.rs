//! The conversation sent to the Messages API, and how it is kept small on long runs.
//!
//! Only the most recent `keep` screenshots stay in the request. Older ones are removed in chunks
//! of `chunk`, so the request's prefix stays the same between removals and the prompt cache keeps
//! hitting (removing one image per turn would change the prefix every turn). Cache breakpoints
//! (`cache_control: ephemeral`) go on the last block of the two most recent user turns.
//!
//! A screenshot block may carry, under [`OLDER`], the smaller image that stands in for it once a
//! newer screenshot exists. The swap happens once and for good, so the prefix it changes is only
//! the last turn's; the key itself is never sent. A text block may carry a stand-in the same
//! way (the set-of-marks list of a screenshot, [`crate::policy::marks`]): every such text but
//! the newest is swapped for its stand-in.

pub use crate::policy::screenshot::OLDER;
use serde_json::{Value, json};

/// The messages of one conversation.
#[derive(Debug, Default, Clone)]
pub struct History {
    messages: Vec<Value>,
}

/// How many screenshots to keep, and in what chunks to drop older ones.
#[derive(Debug, Clone, Copy)]
pub struct Keep {
    /// Screenshots kept in the request.
    pub keep: usize,
    /// Older screenshots are removed this many at a time.
    pub chunk: usize,
}

impl History {
    /// True before the first message.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Appends a user turn.
    pub fn push_user(&mut self, content: Vec<Value>) {
        self.messages
            .push(json!({"role": "user", "content": content}));
    }

    /// Appends the model's turn as it came.
    pub fn push_assistant(&mut self, content: Value) {
        self.messages
            .push(json!({"role": "assistant", "content": content}));
    }

    /// The messages to send: old screenshots dropped, cache breakpoints set. The history itself
    /// keeps the dropped screenshots dropped (they are gone for good, as in the reference demo).
    pub fn request_messages(&mut self, keep: Keep) -> Vec<Value> {
        self.prune(keep);
        self.age_screenshots();
        let mut out = self.messages.clone();
        if let Some(newest) = image_slots(&mut out).pop()
            && let Some(map) = newest.as_object_mut()
        {
            map.remove(OLDER);
        }
        if let Some(newest) = text_slots(&mut out).pop()
            && let Some(map) = newest.as_object_mut()
        {
            map.remove(OLDER);
        }
        let mut marked = 0;
        for msg in out.iter_mut().rev() {
            if marked == 2 {
                break;
            }
            if msg["role"] != "user" {
                continue;
            }
            if let Some(last) = msg["content"].as_array_mut().and_then(|c| c.last_mut()) {
                last["cache_control"] = json!({"type": "ephemeral"});
                marked += 1;
            }
        }
        out
    }

    /// Every screenshot but the newest becomes its stand-in, where it has one.
    fn age_screenshots(&mut self) {
        let mut slots = image_slots(&mut self.messages);
        slots.pop();
        for slot in slots {
            if let Some(older) = slot.get(OLDER).cloned() {
                *slot = older;
            }
        }
        let mut texts = text_slots(&mut self.messages);
        texts.pop();
        for slot in texts {
            if let Some(older) = slot.get(OLDER).cloned() {
                *slot = older;
            }
        }
    }

    fn prune(&mut self, keep: Keep) {
        let mut slots = image_slots(&mut self.messages);
        let total = slots.len();
        if total <= keep.keep {
            return;
        }
        // Drop whole chunks only, so most turns send an unchanged prefix.
        let excess = total - keep.keep;
        let drop = excess - excess % keep.chunk.max(1);
        for slot in slots.iter_mut().take(drop) {
            **slot = json!({"type": "text", "text": "(older screenshot removed)"});
        }
    }

    /// How many screenshots the history still holds.
    pub fn images(&mut self) -> usize {
        image_slots(&mut self.messages).len()
    }
}

/// The image blocks of `messages`, oldest first, including those inside tool results.
fn image_slots(messages: &mut [Value]) -> Vec<&mut Value> {
    slots(messages, |b| b["type"] == "image")
}

/// The text blocks of `messages` that carry a stand-in, oldest first.
fn text_slots(messages: &mut [Value]) -> Vec<&mut Value> {
    slots(messages, |b| b["type"] == "text" && b.get(OLDER).is_some())
}

/// The blocks of `messages` that `want`, oldest first, including those inside tool results.
fn slots(messages: &mut [Value], want: impl Fn(&Value) -> bool) -> Vec<&mut Value> {
    let mut slots = Vec::new();
    for msg in messages {
        let Some(blocks) = msg["content"].as_array_mut() else {
            continue;
        };
        for block in blocks {
            if want(block) {
                slots.push(block);
            } else if block["type"] == "tool_result"
                && let Some(inner) = block["content"].as_array_mut()
            {
                slots.extend(inner.iter_mut().filter(|b| want(b)));
            }
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Value {
        json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "x"}})
    }

    #[test]
    fn keeps_the_latest_screenshots_and_drops_in_chunks() {
        let mut h = History::default();
        let keep = Keep { keep: 3, chunk: 2 };
        for i in 0..6 {
            h.push_user(vec![json!({"type": "tool_result", "tool_use_id": format!("t{i}"), "content": [image()]})]);
            h.push_assistant(json!([{"type": "text", "text": "ok"}]));
            h.request_messages(keep);
        }
        // 6 images, keep 3, excess 3 → one chunk of 2 dropped at most per prune, leaving 3 or 4.
        let n = h.images();
        assert!((3..=4).contains(&n), "{n}");
        let msgs = h.request_messages(keep);
        let marks = msgs
            .iter()
            .filter(|m| {
                m["content"]
                    .as_array()
                    .and_then(|c| c.last())
                    .is_some_and(|b| b.get("cache_control").is_some())
            })
            .count();
        assert_eq!(marks, 2);
    }

    #[test]
    fn older_mark_lists_are_sent_as_their_stand_ins() {
        let list = |i: usize| json!({"type": "text", "text": format!("marks{i}"), OLDER: {"type": "text", "text": "old marks"}});
        let mut h = History::default();
        let keep = Keep { keep: 3, chunk: 2 };
        let mut sent = Vec::new();
        for i in 0..3 {
            h.push_user(vec![
                json!({"type": "tool_result", "tool_use_id": format!("t{i}"), "content": [image()]}),
                list(i),
            ]);
            sent = h.request_messages(keep);
            h.push_assistant(json!([{"type": "text", "text": "ok"}]));
        }
        let text = serde_json::to_string(&sent).unwrap();
        assert!(!text.contains(OLDER), "{text}");
        assert!(
            text.contains("marks2") && !text.contains("marks1"),
            "{text}"
        );
        assert_eq!(text.matches("old marks").count(), 2, "{text}");
    }

    #[test]
    fn older_screenshots_are_sent_as_their_stand_ins() {
        let shot = |i: usize| {
            let mut b = json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": format!("full{i}")}});
            b[OLDER] = json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": format!("half{i}")}});
            b
        };
        let mut h = History::default();
        let keep = Keep { keep: 3, chunk: 2 };
        let mut sent = Vec::new();
        for i in 0..3 {
            h.push_user(vec![json!({"type": "tool_result", "tool_use_id": format!("t{i}"), "content": [shot(i)]})]);
            sent = h.request_messages(keep);
            h.push_assistant(json!([{"type": "text", "text": "ok"}]));
        }
        let text = serde_json::to_string(&sent).unwrap();
        assert!(!text.contains(OLDER), "{text}");
        for want in ["half0", "half1", "full2"] {
            assert!(text.contains(want), "{want} missing from {text}");
        }
        for gone in ["full0", "full1", "half2"] {
            assert!(!text.contains(gone), "{gone} sent in {text}");
        }
    }
}
