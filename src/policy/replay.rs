//! The `replay` policy: reruns a recorded model run offline. It rebuilds the provider policy
//! the recorded run used (from its `session_meta`), with a [`Transport`] that answers every
//! request from the run's `model_calls.jsonl`. A request the recording cannot answer ends the
//! run with a replay-miss error; the network is never used.

use super::anthropic::{AnthropicConfig, AnthropicPolicy};
use super::gemini::{GeminiConfig, GeminiPolicy};
use super::openai::{OpenAiConfig, OpenAiPolicy};
use super::openai_compat::{CompatConfig, CompatPolicy, Coords};
use super::transport::Transport;
use super::{Decide, Policy, PolicyError, Turn};
use crate::trajectory::{Event, PolicyInfo, load};
use async_trait::async_trait;
use std::path::{Path, PathBuf};

/// A provider policy answering from a recording.
pub struct ReplayPolicy {
    inner: Box<dyn Policy>,
    from: PathBuf,
    notice: Option<String>,
}

impl ReplayPolicy {
    /// Rebuilds the policy of the run in `from`. `instruction` overrides the recorded one.
    pub fn load(from: &Path, instruction: Option<&str>) -> Result<ReplayPolicy, PolicyError> {
        let fail =
            |why: String| PolicyError::Fatal(format!("cannot replay {}: {why}", from.display()));
        let loaded = load(from).map_err(|e| fail(e.to_string()))?;
        let Some(Event::SessionMeta(meta)) = loaded.records.first().map(|r| &r.event) else {
            return Err(fail(
                "its trajectory does not start with session_meta".into(),
            ));
        };
        let setting = |k: &str| {
            meta.policy
                .settings
                .get(k)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let model = setting("model")
            .ok_or_else(|| fail(format!("policy {} recorded no model", meta.policy.name)))?;
        let base_url = setting("base_url").unwrap_or_default();
        let instruction = instruction
            .map(str::to_owned)
            .or_else(|| meta.task.as_ref().and_then(|t| t.instruction.clone()))
            .unwrap_or_default();
        let transport = Transport::replay(from).map_err(|e| fail(e.to_string()))?;
        let marks = meta
            .policy
            .settings
            .get("set_of_marks")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let inner: Box<dyn Policy> = match meta.policy.name.as_str() {
            "anthropic" => {
                let mut config =
                    AnthropicConfig::new(&model, &base_url, String::new(), &instruction);
                config.set_of_marks = marks;
                Box::new(AnthropicPolicy::new(config, transport)?)
            }
            "openai" => {
                let mut config = OpenAiConfig::new(&model, &base_url, String::new(), &instruction);
                config.set_of_marks = marks;
                Box::new(OpenAiPolicy::new(config, transport)?)
            }
            "gemini" => {
                let mut config = GeminiConfig::new(&model, &base_url, String::new(), &instruction);
                if let Some(k) = meta
                    .policy
                    .settings
                    .get("keep_screenshots")
                    .and_then(|v| v.as_u64())
                {
                    config.keep_screenshots = usize::try_from(k).unwrap_or(usize::MAX).max(1);
                }
                Box::new(GeminiPolicy::new(config, transport)?)
            }
            "openai-compat" => {
                let coords = match setting("coords").as_deref() {
                    Some("relative-1000") => Coords::Relative1000,
                    Some("pixels") => Coords::Pixels,
                    _ => Coords::SmartResize,
                };
                let mut config = CompatConfig::new(&model, &base_url, None, coords, &instruction);
                config.set_of_marks = marks;
                if let Some(g) = setting("grammar")
                    .and_then(|g| <super::Grammar as clap::ValueEnum>::from_str(&g, true).ok())
                {
                    config = config.with_grammar(g);
                }
                Box::new(CompatPolicy::new(config, transport)?)
            }
            other => {
                return Err(fail(format!(
                    "policy {other} made no model calls to replay"
                )));
            }
        };
        Ok(ReplayPolicy {
            inner,
            from: from.to_owned(),
            notice: loaded.torn_notice(),
        })
    }

    /// A sentence for the user when the recorded trajectory ended in a torn line.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }
}

#[async_trait]
impl Policy for ReplayPolicy {
    fn info(&self) -> PolicyInfo {
        let inner = self.inner.info();
        let mut settings = inner.settings;
        settings.insert("provider".into(), inner.name.into());
        settings.insert("replay_from".into(), self.from.display().to_string().into());
        PolicyInfo {
            name: "replay".into(),
            settings,
        }
    }

    async fn decide(&mut self, input: Decide<'_>) -> Result<Turn, PolicyError> {
        self.inner.decide(input).await
    }
}
