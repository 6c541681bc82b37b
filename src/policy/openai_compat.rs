//! The `openai-compat` policy: `/v1/chat/completions` with image parts, for vLLM, Ollama,
//! llama.cpp and LM Studio serving UI-TARS or Qwen-VL style models.
//!
//! Each step sends the instruction, the most recent screenshots (older ones are replaced by a
//! short text, so the context stays bounded), and the model's earlier answers. The model answers
//! in text (`Thought: …` / `Action: click(start_box='(x,y)')`), parsed by
//! `deskhand_actions::formats::uitars`. An answer that does not parse is never executed: the
//! model is told what was wrong and asked again, three times at most per step.
//!
//! The coordinate space is a setting per model ([`Coords`]): 0–1000 relative (UI-TARS 1.0),
//! smart-resize pixels (UI-TARS 1.5, Qwen2.5-VL), or absolute screen pixels. The screenshot is
//! sent at the size of that space, capped by the configured long edge, so the model's pixels are
//! the image's. Older screenshots kept in the context go at half size ([`Sizing`]).
//!
//! With set-of-marks on ([`super::marks`]), the newest screenshot has numbered boxes drawn on
//! it, a text part listing the marks follows it, and the prompt adds `click(mark=N)`: a mark
//! number is resolved to the centre of that mark on the newest screenshot, and a number that is
//! not a mark is an unusable answer (told, asked again, never executed).
//!
//! Two reply grammars ([`Grammar`], `-c openai_compat.grammar=`; unset: chosen by the model's
//! name, `qwen3-vl` / `qwen3vl` in any case meaning Qwen3-VL, anything else UI-TARS):
//!
//! - `uitars`: the text actions above, the prompt as the first user message.
//! - `qwen3vl`: a `system` message describes the `computer_use` function in Hermes style
//!   (`# Tools`, the function as one JSON line between `<tools>` and `</tools>`, the
//!   `<tool_call>` template) and asks for one `Action:` sentence then exactly one
//!   `<tool_call>`, `terminate` to finish; the instruction follows as a user message, then the
//!   same history of screenshots and answers. Replies are parsed by
//!   `deskhand_actions::formats::qwen3vl`; when the server lifts the call into
//!   `message.tool_calls` (vLLM's hermes parser), those are read instead and each is answered
//!   with a `tool` message for its `tool_call_id` (the error, when it could not be used). The
//!   model answers on its 1000×1000 grid (pixel = `v · size / 999`) and the screenshot goes at
//!   the configured long edge: the grid is used whenever `coords` is the model's default
//!   ([`Coords::for_model`]), i.e. unless `--coords` (or `[openai_compat] coords`) names
//!   another space, which is then honoured. Set-of-marks lists marks on the grid's scale but
//!   Qwen3-VL has no `mark=` argument.
//!
//! `PolicyInfo` settings: `model`, `base_url`, `coords`, `grammar` (`uitars` or `qwen3vl`),
//! `grid_1000` (true when Qwen3-VL answers on its grid), `keep_screenshots`, the sizing,
//! `set_of_marks`.

use super::http::Retry;
use super::marks::{self, SetOfMarks};
use super::screenshot::{OLDER, Screenshot, Sizing, Upscale};
use super::transport::Transport;
use super::{Decide, Grammar, Policy, PolicyError, Turn};
use crate::trajectory::{PolicyInfo, Usage};
use async_trait::async_trait;
use clap::ValueEnum;
use deskhand_actions::formats::qwen3vl::{self, Qwen3vlSpace};
use deskhand_actions::formats::uitars::parse_uitars_with_marks;
use deskhand_actions::{ModelSpace, Size, fit_long_edge};
use serde_json::{Value, json};

/// How a model's coordinates are meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coords {
    /// 0–1000 relative to the screenshot (UI-TARS 1.0).
    Relative1000,
    /// Pixels of the smart-resized screenshot (UI-TARS 1.5, Qwen2.5-VL).
    SmartResize,
    /// Absolute screen pixels.
    Pixels,
}

impl Coords {
    /// The default for a model name: UI-TARS 1.0 speaks 0–1000; the rest smart-resize pixels.
    pub fn for_model(model: &str) -> Coords {
        let m = model.to_ascii_lowercase();
        if m.contains("ui-tars") && !m.contains("1.5") && !m.contains("1_5") {
            Coords::Relative1000
        } else {
            Coords::SmartResize
        }
    }

    /// The space the model answers in, and the size of the screenshot it is shown, for a
    /// screen and a long-edge limit (0: none).
    pub fn space(self, screen: Size, long_edge: u32) -> (ModelSpace, Size) {
        let fit = fit_long_edge(screen, long_edge);
        match self {
            Coords::Relative1000 => (ModelSpace::Relative1000, fit),
            Coords::SmartResize => {
                let space = if long_edge == 0 {
                    ModelSpace::UI_TARS_1_5
                } else {
                    ModelSpace::UI_TARS_1_5.with_max_pixels(fit.pixels())
                };
                (space, space.image_size(screen))
            }
            Coords::Pixels if fit == screen => (ModelSpace::Screen, screen),
            Coords::Pixels => (
                ModelSpace::Scaled {
                    width: fit.width,
                    height: fit.height,
                },
                fit,
            ),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Coords::Relative1000 => "relative-1000",
            Coords::SmartResize => "smart-resize",
            Coords::Pixels => "pixels",
        }
    }
}

const PROMPT: &str = "You are a GUI agent. You are given a task and screenshots of the screen. \
Output one step at a time in this format:\n\nThought: ...\nAction: ...\n\n## Action Space\n\
click(start_box='<|box_start|>(x1,y1)<|box_end|>')\nleft_double(start_box='<|box_start|>(x1,y1)<|box_end|>')\n\
right_single(start_box='<|box_start|>(x1,y1)<|box_end|>')\n\
drag(start_box='<|box_start|>(x1,y1)<|box_end|>', end_box='<|box_start|>(x3,y3)<|box_end|>')\n\
hotkey(key='ctrl c')\ntype(content='xxx') # end with \\n to submit\n\
scroll(start_box='<|box_start|>(x1,y1)<|box_end|>', direction='down or up or right or left')\n\
wait()\nfinished(content='xxx')\ncall_user()\n\n## User Instruction\n";

/// What set-of-marks adds to the action space of [`PROMPT`] (in place of its `wait()` line).
const MARKS_PROMPT: &str = "click(mark=N) # the centre of mark N; mark= also stands for start_box \
in left_double, right_single, scroll and drag, and end_mark= for end_box\nwait()\n";

/// The grammar a model name implies: Qwen3-VL for `qwen3-vl` / `qwen3vl` in any case, else
/// UI-TARS.
pub fn grammar_for_model(model: &str) -> Grammar {
    let m = model.to_ascii_lowercase();
    if m.contains("qwen3-vl") || m.contains("qwen3vl") {
        Grammar::Qwen3vl
    } else {
        Grammar::Uitars
    }
}

/// The `system` message of the `qwen3vl` grammar: the function in Hermes style and OSWorld's
/// response format.
fn qwen3vl_system() -> String {
    let tool = qwen3vl::tool_definition(1000, 1000);
    format!(
        "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n\
You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n{tool}\n</tools>\n\n\
For each function call, return a json object with function name and arguments within \
<tool_call></tool_call> XML tags:\n<tool_call>\n{{\"name\": <function-name>, \"arguments\": \
<args-json-object>}}\n</tool_call>\n\n# Response format\n\nResponse format for every step:\n\
1) Action: a short imperative describing what to do in the UI.\n\
2) A single <tool_call>...</tool_call> block containing only the JSON: \
{{\"name\": <function-name>, \"arguments\": <args-json-object>}}.\n\nRules:\n\
- Output exactly in the order: Action, <tool_call>.\n- Be brief: one sentence for Action.\n\
- Do not output anything else outside those parts.\n\
- If finishing, use action=terminate in the tool call."
    )
}

/// Settings of the `openai-compat` policy. The key, if any, is never serialized.
#[derive(Clone)]
pub struct CompatConfig {
    /// The served model's name.
    pub model: String,
    /// The server's base URL, ending in `/v1`.
    pub base_url: String,
    /// A bearer token, if the server wants one (OPENAI_API_KEY).
    pub api_key: Option<String>,
    /// How the model's coordinates are meant.
    pub coords: Coords,
    /// Screenshots kept in the context.
    pub keep: usize,
    /// How big the screenshots are.
    pub sizing: Sizing,
    /// What the user asked for.
    pub instruction: String,
    /// Retry policy for the HTTP calls.
    pub retry: Retry,
    /// Numbered boxes on the screenshots, their list as text, and `click(mark=N)`.
    pub set_of_marks: bool,
    /// How the model writes its actions.
    pub grammar: Grammar,
    /// Qwen3-VL answers on its 1000×1000 grid (else in `coords`).
    pub grid: bool,
}

impl std::fmt::Debug for CompatConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompatConfig")
            .field("model", &self.model)
            .field("base_url", &self.base_url)
            .field("coords", &self.coords)
            .field("grammar", &self.grammar)
            .finish_non_exhaustive()
    }
}

impl CompatConfig {
    /// From a resolved spec; the key, optional, from OPENAI_API_KEY.
    pub fn from_spec(spec: &crate::policy::CompatSpec, instruction: &str) -> CompatConfig {
        let api_key = std::env::var("OPENAI_API_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty());
        let m = &spec.model;
        let mut config = Self::new(&m.model, &m.base_url, api_key, spec.coords, instruction);
        config.retry = m.http.retry();
        config.sizing = m.context.sizing();
        config.keep = m.context.keep_screenshots.max(1);
        config.set_of_marks = m.context.set_of_marks;
        if let Some(g) = spec.grammar {
            config = config.with_grammar(g);
        }
        config
    }

    /// These settings with another grammar (the grid follows: Qwen3-VL's unless `coords` is not
    /// the model's default).
    pub fn with_grammar(mut self, grammar: Grammar) -> CompatConfig {
        self.grammar = grammar;
        self.grid = grammar == Grammar::Qwen3vl && self.coords == Coords::for_model(&self.model);
        self
    }

    /// Settings with defaults for everything but these.
    pub fn new(
        model: &str,
        base_url: &str,
        api_key: Option<String>,
        coords: Coords,
        instruction: &str,
    ) -> CompatConfig {
        CompatConfig {
            model: model.to_owned(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            coords,
            keep: 3,
            sizing: Sizing::default(),
            instruction: instruction.to_owned(),
            retry: Retry::default(),
            set_of_marks: false,
            grammar: Grammar::Uitars,
            grid: false,
        }
        .with_grammar(grammar_for_model(model))
    }
}

/// Chat completions with UI-TARS style text actions.
pub struct CompatPolicy {
    config: CompatConfig,
    transport: Transport,
    /// The conversation after the system/instruction part: user turns and model answers.
    turns: Vec<Value>,
    marks: Option<SetOfMarks>,
}

impl CompatPolicy {
    /// A new conversation.
    pub fn new(config: CompatConfig, transport: Transport) -> Result<CompatPolicy, PolicyError> {
        let marks = if config.set_of_marks {
            Some(SetOfMarks::load()?)
        } else {
            None
        };
        Ok(CompatPolicy {
            config,
            transport,
            turns: Vec::new(),
            marks,
        })
    }

    fn messages(&self) -> Vec<Value> {
        let mut seen = 0;
        let mut lists = 0;
        let mut turns: Vec<Value> = self.turns.clone();
        for turn in turns.iter_mut().rev() {
            let Some(parts) = turn["content"].as_array_mut() else {
                continue;
            };
            for part in parts.iter_mut().rev() {
                if part["type"] == "text"
                    && let Some(older) = part.as_object_mut().and_then(|p| p.remove(OLDER))
                {
                    lists += 1;
                    if lists > 1 {
                        *part = older;
                    }
                    continue;
                }
                if part["type"] != "image_url" {
                    continue;
                }
                seen += 1;
                let older = part.as_object_mut().and_then(|p| p.remove(OLDER));
                if seen > self.config.keep {
                    *part = json!({"type": "text", "text": "(older screenshot removed)"});
                } else if let Some(url) = older.filter(|_| seen > 1) {
                    part["image_url"]["url"] = url;
                }
            }
        }
        if self.config.grammar == Grammar::Qwen3vl {
            let mut out = vec![
                json!({"role": "system", "content": qwen3vl_system()}),
                json!({"role": "user", "content": format!(
                    "Please generate the next move according to the UI screenshot, instruction and previous actions.\n\nInstruction: {}",
                    self.config.instruction
                )}),
            ];
            out.extend(turns);
            return out;
        }
        let prompt = if self.marks.is_some() {
            PROMPT.replace("wait()\n", MARKS_PROMPT).replace(
                "\n## User Instruction\n",
                &format!(
                    "\n## Marks\n{}\n\n## User Instruction\n",
                    marks::HOW_TO_CLICK
                ),
            )
        } else {
            PROMPT.to_owned()
        };
        let mut out = vec![
            json!({"role": "user", "content": format!("{prompt}{}", self.config.instruction)}),
        ];
        out.extend(turns);
        out
    }

    /// One completion: `choices[0].message` and the usage.
    async fn call(&self) -> Result<(Value, Usage), PolicyError> {
        let body = json!({
            "model": self.config.model,
            "messages": self.messages(),
            "temperature": 0.0,
            "max_tokens": 1024,
        });
        let mut headers = Vec::new();
        if let Some(key) = &self.config.api_key {
            headers.push(("authorization", format!("Bearer {key}")));
        }
        let url = format!("{}/chat/completions", self.config.base_url);
        let answer = self
            .transport
            .post_json("the model server", &url, &headers, &body, self.config.retry)
            .await
            .map_err(PolicyError::from)?;
        let message = answer
            .body
            .pointer("/choices/0/message")
            .filter(|m| m["content"].is_string() || m["tool_calls"].is_array())
            .cloned()
            .ok_or_else(|| {
                PolicyError::Fatal(
                    "the model server answered without choices[0].message.content".into(),
                )
            })?;
        let n = |k: &str| {
            answer
                .body
                .pointer(&format!("/usage/{k}"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        let usage = Usage {
            input_tokens: n("prompt_tokens"),
            output_tokens: n("completion_tokens"),
            cost_usd: None,
        };
        Ok((message, usage))
    }
}

/// Why a reply cannot be performed; its message goes back to the model.
#[derive(Debug, thiserror::Error)]
enum Unusable {
    /// The reply is not in the grammar.
    #[error(transparent)]
    Format(#[from] deskhand_actions::formats::FormatError),
    /// An action does not fit the screen.
    #[error(transparent)]
    Invalid(#[from] deskhand_actions::ActionError),
    /// The reply parsed to nothing to do.
    #[error("the answer had no action")]
    NoAction,
}

/// What one reply of either grammar came to.
struct Reading {
    thought: Option<String>,
    actions: Result<Vec<deskhand_actions::Action>, Unusable>,
    /// `tool_calls` ids to answer with `tool` messages (Qwen3-VL through vLLM's parser).
    tool_ids: Vec<String>,
}

/// The `Action:` sentence, else the `Thought:` text, of a reply.
fn qwen_thought(text: &str) -> Option<String> {
    let line = |tag: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(tag))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    line("Action:").or_else(|| line("Thought:"))
}

/// A Qwen3-VL reply: `message.tool_calls` when the server sent them, else the text.
fn read_qwen3vl(message: &Value, space: &Qwen3vlSpace, screen: deskhand_actions::Size) -> Reading {
    let text = message["content"].as_str().unwrap_or_default();
    let calls = message["tool_calls"].as_array().filter(|c| !c.is_empty());
    let Some(calls) = calls else {
        return match qwen3vl::parse_qwen3vl(text, space, screen) {
            Ok(t) => Reading {
                thought: t.thought,
                actions: Ok(t.actions),
                tool_ids: Vec::new(),
            },
            Err(e) => Reading {
                thought: None,
                actions: Err(e.into()),
                tool_ids: Vec::new(),
            },
        };
    };
    let tool_ids = calls
        .iter()
        .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut actions = Vec::new();
    let mut problem = None;
    for c in calls {
        let f = &c["function"];
        match qwen3vl::parse_call(
            f["name"].as_str().unwrap_or_default(),
            &f["arguments"],
            space,
            screen,
        ) {
            Ok(a) => actions.extend(a),
            Err(e) => {
                problem = Some(Unusable::from(e));
                break;
            }
        }
    }
    Reading {
        thought: qwen_thought(text),
        actions: problem.map_or(Ok(actions), Err),
        tool_ids,
    }
}

#[async_trait]
impl Policy for CompatPolicy {
    fn info(&self) -> PolicyInfo {
        let mut settings = serde_json::Map::new();
        settings.insert("model".into(), self.config.model.clone().into());
        settings.insert("base_url".into(), self.config.base_url.clone().into());
        settings.insert("coords".into(), self.config.coords.name().into());
        settings.insert("grammar".into(), self.config.grammar.name().into());
        settings.insert("grid_1000".into(), self.config.grid.into());
        settings.insert("keep_screenshots".into(), self.config.keep.into());
        self.config.sizing.record(&mut settings);
        settings.insert("set_of_marks".into(), self.config.set_of_marks.into());
        PolicyInfo {
            name: "openai-compat".into(),
            settings,
        }
    }

    async fn decide(&mut self, input: Decide<'_>) -> Result<Turn, PolicyError> {
        let sizing = self.config.sizing;
        let qwen = self.config.grammar == Grammar::Qwen3vl;
        let (space, size) = if self.config.grid {
            (
                ModelSpace::Relative999,
                fit_long_edge(input.screen, sizing.long_edge),
            )
        } else {
            self.config.coords.space(input.screen, sizing.long_edge)
        };
        let qspace = if self.config.grid {
            Qwen3vlSpace::Grid
        } else {
            Qwen3vlSpace::Model(space)
        };
        let drawn = match &mut self.marks {
            Some(m) => m.read(input.frame)?,
            None => Vec::new(),
        };
        let (shot, older) = sizing
            .prepare_marked(input.frame, size, Upscale::Exact, &drawn)
            .map_err(PolicyError::Screen)?;
        let centres = self
            .marks
            .as_ref()
            .map(SetOfMarks::centres)
            .unwrap_or_default();
        let mut parts = Vec::new();
        for f in input.feedback.iter().filter(|f| f.error.is_some()) {
            let why = f.error.as_deref().unwrap_or_default();
            parts.push(
                json!({"type": "text", "text": format!("The action {} failed: {why}", f.action)}),
            );
        }
        for m in input.user_messages {
            parts.push(json!({"type": "text", "text": format!("Message from the user: {m}")}));
        }
        let url = |s: &Screenshot| format!("data:{};base64,{}", s.mime, s.base64);
        parts.push(
            json!({"type": "image_url", "image_url": {"url": url(&shot)}, OLDER: url(&older)}),
        );
        if let Some(m) = &self.marks {
            let listing = m.listing(&space, input.screen);
            parts.push(json!({"type": "text", "text": listing, OLDER: {"type": "text", "text": marks::OLDER_LIST}}));
        }
        self.turns.push(json!({"role": "user", "content": parts}));

        let mut usage = Usage::default();
        let mut problem = String::new();
        for _ in 0..3 {
            let (message, u) = self.call().await?;
            usage.input_tokens += u.input_tokens;
            usage.output_tokens += u.output_tokens;
            let text = message["content"].as_str().unwrap_or_default().to_owned();
            let reading = if qwen {
                read_qwen3vl(&message, &qspace, input.screen)
            } else {
                match parse_uitars_with_marks(&text, &space, input.screen, &centres) {
                    Ok(p) => Reading {
                        thought: p.thought,
                        actions: Ok(p.actions),
                        tool_ids: Vec::new(),
                    },
                    Err(e) => Reading {
                        thought: None,
                        actions: Err(e.into()),
                        tool_ids: Vec::new(),
                    },
                }
            };
            if reading.tool_ids.is_empty() {
                self.turns
                    .push(json!({"role": "assistant", "content": text}));
            } else {
                self.turns.push(json!({"role": "assistant", "content": message["content"], "tool_calls": message["tool_calls"]}));
            }
            let checked = reading.actions.and_then(|actions| {
                actions.iter().try_for_each(|a| a.validate(input.screen))?;
                if actions.is_empty() {
                    Err(Unusable::NoAction)
                } else {
                    Ok(actions)
                }
            });
            let told = match &checked {
                Ok(_) => "performed; the next screenshot follows".to_owned(),
                Err(e) => format!("Error: {e}"),
            };
            for id in &reading.tool_ids {
                self.turns
                    .push(json!({"role": "tool", "tool_call_id": id, "content": told}));
            }
            match checked {
                Ok(actions) => {
                    return Ok(Turn {
                        narration: reading.thought,
                        actions,
                        usage: Some(usage),
                    });
                }
                Err(e) => problem = e.to_string(),
            }
            let again = if qwen {
                "Answer again with an Action: line, then exactly one <tool_call>...</tool_call>."
            } else {
                "Answer again as Thought: ... then Action: ..."
            };
            self.turns.push(
                json!({"role": "user", "content": [{"type": "text", "text": format!(
                    "Your last answer could not be used: {problem}. {again}"
                )}]}),
            );
        }
        Err(PolicyError::Fatal(format!(
            "the model sent unusable answers three times in a row: {problem}"
        )))
    }
}
