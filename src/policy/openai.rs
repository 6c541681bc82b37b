//! The `openai` policy: the Responses API with the computer tool, both the preview tool
//! (`computer_use_preview`, one action per `computer_call`) and the GA `computer` tool (a batch
//! of `actions` per call).
//!
//! Turns are chained with `previous_response_id`: each request carries only what is new, a
//! `computer_call_output` with the fresh screenshot for every `computer_call` of the previous
//! response, plus steering messages. `pending_safety_checks` are never acknowledged
//! automatically: the [`SafetyGuard`] asks a person, and when nobody can answer the run ends
//! with an error, nothing performed. An action that does not translate is never executed: its
//! call is answered with a screenshot and a message saying what was wrong.
//!
//! With set-of-marks on ([`super::marks`]), the screenshot has numbered boxes drawn on it and a
//! user message with the list of marks follows it; the model clicks a mark at its listed
//! coordinates.

use super::http::Retry;
use super::marks::{self, SetOfMarks};
use super::safety::{SafetyCheck, SafetyGuard, TerminalGuard};
use super::screenshot::{self, Sizing, Upscale};
use super::transport::Transport;
use super::{Decide, Policy, PolicyError, Turn};
use crate::trajectory::{PolicyInfo, Usage};
use async_trait::async_trait;
use deskhand_actions::formats::openai::{
    OpenAiCall, from_openai_action, tool_definition_ga, tool_definition_preview,
};
use deskhand_actions::{Action, anthropic_target, fit_long_edge};
use serde_json::{Value, json};

/// The default API address.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// Settings of the `openai` policy. The key is never serialized.
#[derive(Clone)]
pub struct OpenAiConfig {
    /// The model: `computer-use-preview` uses the preview tool, others the GA tool.
    pub model: String,
    /// The API's base URL, ending in `/v1`.
    pub base_url: String,
    /// The key (OPENAI_API_KEY).
    pub api_key: String,
    /// What the user asked for.
    pub instruction: String,
    /// Retry policy for the HTTP calls.
    pub retry: Retry,
    /// How big the screenshots are (only the newest is ever sent: the API keeps the rest).
    pub sizing: Sizing,
    /// Numbered boxes on the screenshots and their list as text ([`super::marks`]).
    pub set_of_marks: bool,
}

impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("model", &self.model)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl OpenAiConfig {
    /// From a resolved spec; the key from OPENAI_API_KEY.
    pub fn from_spec(
        spec: &crate::policy::ModelSpec,
        instruction: &str,
    ) -> Result<OpenAiConfig, PolicyError> {
        let api_key = std::env::var("OPENAI_API_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| {
                PolicyError::Setup(
                    "OPENAI_API_KEY is not set: export it to use --policy openai".into(),
                )
            })?;
        let mut config = Self::new(&spec.model, &spec.base_url, api_key, instruction);
        config.retry = spec.http.retry();
        config.sizing = spec.context.sizing();
        config.set_of_marks = spec.context.set_of_marks;
        Ok(config)
    }

    /// Settings with defaults for everything but these.
    pub fn new(model: &str, base_url: &str, api_key: String, instruction: &str) -> OpenAiConfig {
        OpenAiConfig {
            model: model.to_owned(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            instruction: instruction.to_owned(),
            retry: Retry::default(),
            sizing: Sizing::default(),
            set_of_marks: false,
        }
    }

    fn preview(&self) -> bool {
        self.model.starts_with("computer-use-preview")
    }
}

/// A `computer_call` waiting for its output, and what to tell the model about it.
#[derive(Debug, Clone)]
struct Call {
    call_id: String,
    acknowledged: Vec<SafetyCheck>,
    problem: Option<String>,
}

/// The Responses API with the computer tool.
pub struct OpenAiPolicy {
    config: OpenAiConfig,
    transport: Transport,
    guard: Box<dyn SafetyGuard>,
    previous: Option<String>,
    calls: Vec<Call>,
    marks: Option<SetOfMarks>,
}

impl OpenAiPolicy {
    /// A new conversation, with safety checks confirmed on the terminal.
    pub fn new(config: OpenAiConfig, transport: Transport) -> Result<OpenAiPolicy, PolicyError> {
        Self::with_guard(config, transport, Box::new(TerminalGuard))
    }

    /// A new conversation with another safety guard.
    pub fn with_guard(
        config: OpenAiConfig,
        transport: Transport,
        guard: Box<dyn SafetyGuard>,
    ) -> Result<OpenAiPolicy, PolicyError> {
        let marks = if config.set_of_marks {
            Some(SetOfMarks::load()?)
        } else {
            None
        };
        Ok(OpenAiPolicy {
            config,
            transport,
            guard,
            previous: None,
            calls: Vec::new(),
            marks,
        })
    }
}

fn checks_of(item: &Value) -> Vec<SafetyCheck> {
    item["pending_safety_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| SafetyCheck {
            id: c["id"].as_str().unwrap_or_default().to_owned(),
            code: c["code"].as_str().unwrap_or_default().to_owned(),
            message: c["message"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

#[async_trait]
impl Policy for OpenAiPolicy {
    fn info(&self) -> PolicyInfo {
        let mut settings = serde_json::Map::new();
        settings.insert("model".into(), self.config.model.clone().into());
        settings.insert("base_url".into(), self.config.base_url.clone().into());
        settings.insert(
            "screenshot_long_edge".into(),
            self.config.sizing.long_edge.into(),
        );
        let tool = if self.config.preview() {
            "computer_use_preview"
        } else {
            "computer"
        };
        settings.insert("tool".into(), tool.into());
        settings.insert("set_of_marks".into(), self.config.set_of_marks.into());
        PolicyInfo {
            name: "openai".into(),
            settings,
        }
    }

    async fn decide(&mut self, input: Decide<'_>) -> Result<Turn, PolicyError> {
        let target = fit_long_edge(anthropic_target(input.screen), self.config.sizing.long_edge);
        let drawn = match &mut self.marks {
            Some(m) => m.read(input.frame)?,
            None => Vec::new(),
        };
        let shot = screenshot::prepare_marked(input.frame, target, Upscale::Never, &drawn)
            .map_err(PolicyError::Screen)?;
        let data_url = format!("data:{};base64,{}", shot.mime, shot.base64);
        let listing = self
            .marks
            .as_ref()
            .map(|m| m.listing(&shot.space, input.screen));
        let mut items = Vec::new();
        if self.previous.is_none() {
            let mut content = vec![
                json!({"type": "input_text", "text": self.config.instruction}),
                json!({"type": "input_image", "image_url": data_url}),
                json!({"type": "input_text", "text": super::HOW_TO_REFUSE}),
            ];
            if let Some(l) = &listing {
                content.push(
                    json!({"type": "input_text", "text": format!("{}\n{l}", marks::HOW_TO_CLICK)}),
                );
            }
            items.push(json!({"role": "user", "content": content}));
        } else {
            let mut notes = Vec::new();
            for call in std::mem::take(&mut self.calls) {
                items.push(json!({
                    "type": "computer_call_output",
                    "call_id": call.call_id,
                    "acknowledged_safety_checks": call.acknowledged.iter()
                        .map(|c| json!({"id": c.id, "code": c.code, "message": c.message}))
                        .collect::<Vec<_>>(),
                    "output": {"type": "computer_screenshot", "image_url": data_url},
                }));
                notes.extend(call.problem);
            }
            for f in input.feedback.iter().filter(|f| f.error.is_some()) {
                notes.push(format!(
                    "The action {} failed: {}",
                    f.action,
                    f.error.as_deref().unwrap_or_default()
                ));
            }
            notes.extend(
                input
                    .user_messages
                    .iter()
                    .map(|m| format!("Message from the user: {m}")),
            );
            notes.extend(listing);
            if !notes.is_empty() {
                items.push(json!({"role": "user", "content": [{"type": "input_text", "text": notes.join("\n")}]}));
            }
        }
        let tool = if self.config.preview() {
            tool_definition_preview(shot.size, "linux")
        } else {
            tool_definition_ga()
        };
        let mut body = json!({
            "model": self.config.model,
            "tools": [tool],
            "input": items,
            "truncation": "auto",
        });
        if let Some(prev) = &self.previous {
            body["previous_response_id"] = json!(prev);
        }
        let headers = [("authorization", format!("Bearer {}", self.config.api_key))];
        let url = format!("{}/responses", self.config.base_url);
        let resp = self
            .transport
            .post_json("the OpenAI API", &url, &headers, &body, self.config.retry)
            .await
            .map_err(PolicyError::from)?
            .body;
        let id = resp["id"].as_str().ok_or_else(|| {
            PolicyError::Fatal("the OpenAI API answered without a response id".into())
        })?;
        self.previous = Some(id.to_owned());
        let n = |k: &str| {
            resp.pointer(&format!("/usage/{k}"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        let usage = Usage {
            input_tokens: n("input_tokens"),
            output_tokens: n("output_tokens"),
            cost_usd: None,
        };

        let mut texts = Vec::new();
        let mut actions = Vec::new();
        let mut saw_call = false;
        for item in resp["output"].as_array().into_iter().flatten() {
            match item["type"].as_str() {
                Some("message") => texts.extend(
                    item["content"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c["text"].as_str().map(str::to_owned)),
                ),
                Some("reasoning") => texts.extend(
                    item["summary"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c["text"].as_str().map(str::to_owned)),
                ),
                Some("computer_call") => {
                    saw_call = true;
                    let call_id = item["call_id"].as_str().unwrap_or_default().to_owned();
                    let checks = checks_of(item);
                    if !checks.is_empty() && !self.guard.confirm(&checks) {
                        let what: Vec<String> = checks
                            .iter()
                            .map(|c| format!("{} ({})", c.code, c.message))
                            .collect();
                        return Err(PolicyError::Unconfirmed(format!(
                            "refused an action with pending safety checks, nobody confirmed them: {}",
                            what.join("; ")
                        )));
                    }
                    let raw: Vec<Value> = match item.get("actions").and_then(Value::as_array) {
                        Some(list) => list.clone(),
                        None => vec![item["action"].clone()],
                    };
                    let mut mine = Vec::new();
                    let mut problem = None;
                    for a in &raw {
                        match from_openai_action(a, &shot.space, input.screen) {
                            Ok(OpenAiCall::Act(list)) => mine.extend(list),
                            Ok(OpenAiCall::Screenshot) => {}
                            Err(e) => problem = Some(e.to_string()),
                        }
                    }
                    if let Some(bad) = mine.iter().find_map(|a| a.validate(input.screen).err()) {
                        problem = Some(bad.to_string());
                    }
                    if let Some(p) = &problem {
                        mine.clear();
                        problem = Some(format!("Your last action was not performed: {p}"));
                    }
                    actions.extend(mine);
                    self.calls.push(Call {
                        call_id,
                        acknowledged: checks,
                        problem,
                    });
                }
                _ => {}
            }
        }
        let narration = Some(texts.join("\n")).filter(|t| !t.trim().is_empty());
        if !saw_call {
            return Ok(Turn {
                actions: vec![super::end_of_turn(narration.clone())],
                narration,
                usage: Some(usage),
            });
        }
        if actions.is_empty() {
            // Only screenshots asked for, or only refused actions: nothing to perform; the next
            // step answers with a fresh screenshot (and says what was wrong).
            actions.push(Action::Wait { ms: 0 });
        }
        Ok(Turn {
            narration,
            actions,
            usage: Some(usage),
        })
    }
}
