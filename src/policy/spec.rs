//! [`PolicySpec`]: everything needed to build a run's policy again, resolved once from the
//! command line, the configuration and the environment, and written whole into `session_meta`
//! (field `spec`). `deskhand resume`, `deskhand replay` and `deskhand eval`'s workers read it
//! back instead of re-parsing flags, so renaming a provider setting cannot silently change
//! what a resumed run talks to.
//!
//! # Format
//!
//! A JSON object tagged by `kind` (new kinds and new optional fields may be added):
//!
//! | `kind` | fields |
//! |---|---|
//! | `script` | `script`: the JSON script's path |
//! | `openai`, `gemini` | `model`, `base_url`, `http {timeout_ms, attempts}`, `context {keep_screenshots, screenshot_long_edge, older_screenshots_half, set_of_marks}` |
//! | `anthropic` | the same, and `tool` when one was asked for (`toolset`, `computer_20251124` or `computer_20250124`; absent: chosen by the model's name) |
//! | `openai-compat` | the same as `openai`, `coords` (`relative1000`, `smart-resize` or `pixels`), and `grammar` when one was asked for (`uitars` or `qwen3vl`; absent: chosen by the model's name) |
//! | `replay` | `from`: the run whose `model_calls.jsonl` answers the model calls |
//! | `actions` | `from`: the recorded run whose actions are performed again, re-grounded |
//!
//! ```json
//! {"kind":"anthropic","model":"claude-sonnet-4-5","base_url":"https://api.anthropic.com",
//!  "http":{"timeout_ms":120000,"attempts":5},
//!  "context":{"keep_screenshots":3,"screenshot_long_edge":1024,"older_screenshots_half":true,"set_of_marks":false}}
//! ```
//!
//! No field ever holds a secret: API keys are read from the environment when the policy is
//! built.

use super::Coords;
use crate::trajectory::PolicyInfo;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A policy, fully resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PolicySpec {
    /// Perform the actions of a JSON script in order.
    Script {
        /// The script file.
        script: PathBuf,
    },
    /// Anthropic's Messages API with the computer tool (key: ANTHROPIC_API_KEY).
    Anthropic(AnthropicSpec),
    /// OpenAI's Responses API with the computer tool (key: OPENAI_API_KEY).
    Openai(ModelSpec),
    /// Google's Gemini API with the computer-use tool (key: GEMINI_API_KEY or GOOGLE_API_KEY).
    Gemini(ModelSpec),
    /// An OpenAI-compatible chat server with a UI-TARS or Qwen-VL style model.
    OpenaiCompat(CompatSpec),
    /// A recorded model run answered from its `model_calls.jsonl`, offline.
    Replay {
        /// The recorded run directory.
        from: PathBuf,
    },
    /// A recorded run's actions performed again, each re-grounded on the screen.
    Actions {
        /// The recorded run directory.
        from: PathBuf,
    },
}

/// A model provider's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// The model's name.
    pub model: String,
    /// The API's base URL.
    pub base_url: String,
    /// Timeouts and retries.
    pub http: HttpSpec,
    /// What the model is shown.
    pub context: ContextSpec,
}

/// `anthropic`'s settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnthropicSpec {
    /// What every provider has.
    #[serde(flatten)]
    pub model: ModelSpec,
    /// The computer tool asked for (`-c anthropic.tool=`); `None`: chosen by the model's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<AnthropicTool>,
}

/// The versions of Anthropic's computer tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum AnthropicTool {
    /// `computer_toolset_20260801`: one tool per action, batches, zoom; no beta header.
    #[serde(rename = "toolset")]
    #[value(name = "toolset")]
    Toolset,
    /// `computer_20251124` (beta `computer-use-2025-11-24`).
    #[serde(rename = "computer_20251124")]
    #[value(name = "computer_20251124")]
    Computer20251124,
    /// `computer_20250124` (beta `computer-use-2025-01-24`).
    #[serde(rename = "computer_20250124")]
    #[value(name = "computer_20250124")]
    Computer20250124,
}

impl AnthropicTool {
    /// The name `-c anthropic.tool=` takes.
    pub fn name(self) -> &'static str {
        match self {
            AnthropicTool::Toolset => "toolset",
            AnthropicTool::Computer20251124 => "computer_20251124",
            AnthropicTool::Computer20250124 => "computer_20250124",
        }
    }
}

/// `openai-compat`'s settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompatSpec {
    /// What every provider has.
    #[serde(flatten)]
    pub model: ModelSpec,
    /// How the model's coordinates are meant.
    pub coords: Coords,
    /// The reply grammar asked for (`-c openai_compat.grammar=`); `None`: chosen by the
    /// model's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grammar: Option<Grammar>,
}

/// How an `openai-compat` model writes its actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Grammar {
    /// UI-TARS text: `Thought: …` then `Action: click(start_box='(x,y)')`.
    Uitars,
    /// Qwen3-VL: `<tool_call>{"name": "computer_use", "arguments": {…}}</tool_call>` on a
    /// 1000×1000 grid.
    Qwen3vl,
}

impl Grammar {
    /// The name `-c openai_compat.grammar=` takes.
    pub fn name(self) -> &'static str {
        match self {
            Grammar::Uitars => "uitars",
            Grammar::Qwen3vl => "qwen3vl",
        }
    }
}

/// Timeouts and retries of the model calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpSpec {
    /// Per-request timeout in milliseconds.
    pub timeout_ms: u64,
    /// Attempts per call, the first included.
    pub attempts: u32,
}

/// What the model is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextSpec {
    /// Screenshots kept in the model's context (providers that keep their own ignore it).
    pub keep_screenshots: usize,
    /// The newest screenshot's long edge at most (0: the provider's own limit).
    pub screenshot_long_edge: u32,
    /// Older kept screenshots go at half size.
    pub older_screenshots_half: bool,
    /// Numbered boxes around the text on screenshots, listed for the model.
    pub set_of_marks: bool,
}

/// Why a recorded policy cannot be read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The run was recorded before specs were written, and lacks a setting it needs.
    #[error(
        "the run was recorded by an older deskhand and its session_meta lacks the policy's {0}"
    )]
    Lacks(&'static str),
    /// The recorded policy is not one that can be built again.
    #[error("the run's policy {0:?} cannot be built again")]
    Unknown(String),
    /// A person's recording has no policy to go on with.
    #[error("a person's recording cannot be resumed: record the rest again")]
    Recording,
}

impl PolicySpec {
    /// The policy's name as `--policy` spells it (`actions` for a re-grounded replay).
    pub fn name(&self) -> &'static str {
        match self {
            PolicySpec::Script { .. } => "script",
            PolicySpec::Anthropic(_) => "anthropic",
            PolicySpec::Openai(_) => "openai",
            PolicySpec::Gemini(_) => "gemini",
            PolicySpec::OpenaiCompat(_) => "openai-compat",
            PolicySpec::Replay { .. } => "replay",
            PolicySpec::Actions { .. } => "actions",
        }
    }

    /// The model's settings, for model policies.
    pub fn model_mut(&mut self) -> Option<&mut ModelSpec> {
        match self {
            PolicySpec::Openai(m) | PolicySpec::Gemini(m) => Some(m),
            PolicySpec::Anthropic(a) => Some(&mut a.model),
            PolicySpec::OpenaiCompat(c) => Some(&mut c.model),
            _ => None,
        }
    }

    /// Whether the policy is a model that needs an instruction.
    pub fn needs_instruction(&self) -> bool {
        matches!(
            self,
            PolicySpec::Anthropic(_)
                | PolicySpec::Openai(_)
                | PolicySpec::Gemini(_)
                | PolicySpec::OpenaiCompat(_)
        )
    }

    /// The spec of a run recorded before `session_meta` held one, from the settings its
    /// policy wrote (`policy {name, …}`). Settings it did not record get today's defaults.
    pub fn from_legacy(info: &PolicyInfo) -> Result<PolicySpec, SpecError> {
        let text = |k: &'static str| -> Result<String, SpecError> {
            info.settings
                .get(k)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .ok_or(SpecError::Lacks(k))
        };
        let model = || -> Result<ModelSpec, SpecError> {
            let d = ContextSpec::default();
            let num = |k: &str| info.settings.get(k).and_then(serde_json::Value::as_u64);
            let flag = |k: &str| info.settings.get(k).and_then(serde_json::Value::as_bool);
            Ok(ModelSpec {
                model: text("model")?,
                base_url: text("base_url")?,
                http: HttpSpec::default(),
                context: ContextSpec {
                    keep_screenshots: num("keep_screenshots")
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(d.keep_screenshots),
                    screenshot_long_edge: num("screenshot_long_edge")
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(d.screenshot_long_edge),
                    older_screenshots_half: flag("older_screenshots_half")
                        .unwrap_or(d.older_screenshots_half),
                    set_of_marks: flag("set_of_marks").unwrap_or(false),
                },
            })
        };
        Ok(match info.name.as_str() {
            "script" => PolicySpec::Script {
                script: text("script")?.into(),
            },
            "anthropic" => PolicySpec::Anthropic(AnthropicSpec {
                model: model()?,
                tool: None,
            }),
            "openai" => PolicySpec::Openai(model()?),
            "openai-compat" => {
                let coords = text("coords")?;
                PolicySpec::OpenaiCompat(CompatSpec {
                    model: model()?,
                    coords: <Coords as clap::ValueEnum>::from_str(&coords, true)
                        .map_err(|_| SpecError::Lacks("coords"))?,
                    grammar: None,
                })
            }
            crate::replay::POLICY_NAME if text("mode").is_ok_and(|m| m == "actions") => {
                PolicySpec::Actions {
                    from: text("from")?.into(),
                }
            }
            "replay" => PolicySpec::Replay {
                from: text("replay_from")?.into(),
            },
            "record" => return Err(SpecError::Recording),
            other => return Err(SpecError::Unknown(other.to_owned())),
        })
    }
}

impl Default for HttpSpec {
    fn default() -> HttpSpec {
        let r = super::http::Retry::default();
        HttpSpec {
            timeout_ms: u64::try_from(r.timeout.as_millis()).unwrap_or(u64::MAX),
            attempts: r.attempts,
        }
    }
}

impl HttpSpec {
    /// The retry policy these settings make.
    pub fn retry(&self) -> super::http::Retry {
        super::http::Retry {
            attempts: self.attempts.max(1),
            timeout: std::time::Duration::from_millis(self.timeout_ms.max(1)),
            ..super::http::Retry::default()
        }
    }
}

impl Default for ContextSpec {
    fn default() -> ContextSpec {
        let s = super::screenshot::Sizing::default();
        ContextSpec {
            keep_screenshots: 3,
            screenshot_long_edge: s.long_edge,
            older_screenshots_half: s.older_half,
            set_of_marks: false,
        }
    }
}

impl ContextSpec {
    /// The screenshot sizes these settings make.
    pub fn sizing(&self) -> super::screenshot::Sizing {
        super::screenshot::Sizing {
            long_edge: self.screenshot_long_edge,
            older_half: self.older_screenshots_half,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> ModelSpec {
        ModelSpec {
            model: "m".into(),
            base_url: "http://127.0.0.1:9/v1".into(),
            http: HttpSpec {
                timeout_ms: 500,
                attempts: 2,
            },
            context: ContextSpec {
                keep_screenshots: 4,
                screenshot_long_edge: 800,
                older_screenshots_half: false,
                set_of_marks: true,
            },
        }
    }

    /// One of every kind: a new variant must be added here (the match has no catch-all).
    fn every_kind() -> Vec<PolicySpec> {
        let all = vec![
            PolicySpec::Script {
                script: "s.json".into(),
            },
            PolicySpec::Anthropic(AnthropicSpec {
                model: model(),
                tool: None,
            }),
            PolicySpec::Anthropic(AnthropicSpec {
                model: model(),
                tool: Some(AnthropicTool::Computer20251124),
            }),
            PolicySpec::Openai(model()),
            PolicySpec::Gemini(model()),
            PolicySpec::OpenaiCompat(CompatSpec {
                model: model(),
                coords: Coords::Relative1000,
                grammar: None,
            }),
            PolicySpec::OpenaiCompat(CompatSpec {
                model: model(),
                coords: Coords::Relative1000,
                grammar: Some(Grammar::Qwen3vl),
            }),
            PolicySpec::Replay {
                from: "runs/a".into(),
            },
            PolicySpec::Actions {
                from: "runs/b".into(),
            },
        ];
        for s in &all {
            match s {
                PolicySpec::Script { .. }
                | PolicySpec::Anthropic(_)
                | PolicySpec::Openai(_)
                | PolicySpec::Gemini(_)
                | PolicySpec::OpenaiCompat(_)
                | PolicySpec::Replay { .. }
                | PolicySpec::Actions { .. } => {}
            }
        }
        all
    }

    #[test]
    fn every_kind_round_trips_through_json() {
        for spec in every_kind() {
            let json = serde_json::to_value(&spec).unwrap();
            assert_eq!(json["kind"], spec.name(), "{json}");
            let back: PolicySpec = serde_json::from_value(json).unwrap();
            assert_eq!(back, spec);
        }
    }

    #[test]
    fn every_kind_round_trips_through_session_meta() {
        use crate::trajectory::{Event, Record, ScreenSize, SessionMeta};
        for spec in every_kind() {
            let record = Record {
                seq: 0,
                ts: "2026-12-07T00:00:00.000Z".into(),
                event: Event::SessionMeta(SessionMeta {
                    version: "0".into(),
                    format: crate::trajectory::FORMAT_VERSION,
                    screen: ScreenSize {
                        width: 1280,
                        height: 800,
                    },
                    display: ":9".into(),
                    policy: PolicyInfo {
                        name: spec.name().into(),
                        settings: serde_json::Map::new(),
                    },
                    spec: Some(spec.clone()),
                    task: None,
                    max_steps: 50,
                }),
            };
            let line = serde_json::to_string(&record).unwrap();
            let back: Record = serde_json::from_str(&line).unwrap();
            let Event::SessionMeta(meta) = back.event else {
                panic!("not session_meta: {line}");
            };
            assert_eq!(meta.spec.as_ref(), Some(&spec), "{line}");
        }
    }

    #[test]
    fn compat_settings_sit_beside_the_kind() {
        let json = serde_json::to_value(PolicySpec::OpenaiCompat(CompatSpec {
            model: model(),
            coords: Coords::SmartResize,
            grammar: Some(Grammar::Uitars),
        }))
        .unwrap();
        assert_eq!(json["coords"], "smart-resize");
        assert_eq!(json["grammar"], "uitars");
        assert_eq!(json["model"], "m");
        assert_eq!(json["context"]["keep_screenshots"], 4);
    }

    #[test]
    fn the_anthropic_tool_is_written_only_when_asked_for() {
        let spec = |tool| {
            serde_json::to_value(PolicySpec::Anthropic(AnthropicSpec {
                model: model(),
                tool,
            }))
            .unwrap()
        };
        assert!(spec(None).get("tool").is_none());
        assert_eq!(spec(Some(AnthropicTool::Toolset))["tool"], "toolset");
        // A spec written before the field existed reads back as "chosen by the model".
        let old = r#"{"kind":"anthropic","model":"m","base_url":"u","http":{"timeout_ms":1,"attempts":1},"context":{"keep_screenshots":1,"screenshot_long_edge":0,"older_screenshots_half":false,"set_of_marks":false}}"#;
        let PolicySpec::Anthropic(a) = serde_json::from_str(old).unwrap() else {
            panic!("not anthropic");
        };
        assert_eq!(a.tool, None);
    }

    #[test]
    fn legacy_settings_become_a_spec() {
        let info: PolicyInfo = serde_json::from_str(
            r#"{"name":"openai-compat","model":"ui-tars","base_url":"http://x/v1","coords":"relative1000","keep_screenshots":2,"screenshot_long_edge":640,"older_screenshots_half":false,"set_of_marks":true}"#,
        )
        .unwrap();
        let PolicySpec::OpenaiCompat(c) = PolicySpec::from_legacy(&info).unwrap() else {
            panic!("not compat");
        };
        assert_eq!(c.coords, Coords::Relative1000);
        assert_eq!(c.model.context.keep_screenshots, 2);
        assert_eq!(c.model.context.screenshot_long_edge, 640);
        assert!(!c.model.context.older_screenshots_half);
        assert!(c.model.context.set_of_marks);
        assert_eq!(c.model.http, HttpSpec::default());

        let info: PolicyInfo = serde_json::from_str(r#"{"name":"anthropic"}"#).unwrap();
        let err = PolicySpec::from_legacy(&info).unwrap_err().to_string();
        assert!(err.contains("lacks the policy's model"), "{err}");
        let info: PolicyInfo = serde_json::from_str(r#"{"name":"record"}"#).unwrap();
        assert!(matches!(
            PolicySpec::from_legacy(&info),
            Err(SpecError::Recording)
        ));
    }
}
