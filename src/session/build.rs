//! A [`PolicySpec`] made into a running [`Policy`] for a screen.

use crate::policy::gemini::{GeminiConfig, GeminiPolicy};
use crate::policy::transport::Transport;
use crate::policy::{
    AnthropicConfig, AnthropicPolicy, CompatConfig, CompatPolicy, OpenAiConfig, OpenAiPolicy,
    Policy, PolicySpec, ReplayPolicy, ScriptPolicy,
};
use anyhow::Context;
use deskhand_actions::Size;
use std::path::Path;

/// Checks, before any display is touched, what can be checked without one: a model policy
/// has an instruction and its API key, a script exists.
pub fn preflight(spec: &PolicySpec, instruction: Option<&str>) -> anyhow::Result<()> {
    if spec.needs_instruction() && instruction.is_none_or(|t| t.trim().is_empty()) {
        let name = spec.name();
        anyhow::bail!(
            "--policy {name} needs an instruction: deskhand run \"what to do\" --policy {name} …"
        );
    }
    let instruction = instruction.unwrap_or_default();
    match spec {
        PolicySpec::Anthropic(m) => drop(AnthropicConfig::from_spec(m, instruction)?),
        PolicySpec::Openai(m) => drop(OpenAiConfig::from_spec(m, instruction)?),
        PolicySpec::Gemini(m) => drop(GeminiConfig::from_spec(m, instruction)?),
        PolicySpec::Script { script } if !script.is_file() => {
            anyhow::bail!("script {} does not exist", script.display())
        }
        _ => {}
    }
    Ok(())
}

/// Builds the policy of `spec` for `screen`; model policies record their calls in `out`.
pub fn build_policy(
    spec: &PolicySpec,
    screen: Size,
    out: &Path,
    instruction: Option<&str>,
) -> anyhow::Result<Box<dyn Policy>> {
    build_policy_with(spec, screen, out, instruction, Transport::live(Some(out)))
}

/// [`build_policy`] with the model policies' transport given (`deskhand resume` answers from
/// the recording first).
pub fn build_policy_with(
    spec: &PolicySpec,
    screen: Size,
    out: &Path,
    instruction: Option<&str>,
    transport: Transport,
) -> anyhow::Result<Box<dyn Policy>> {
    preflight(spec, instruction)?;
    let instruction = instruction.unwrap_or_default();
    Ok(match spec {
        PolicySpec::Script { script } => Box::new(ScriptPolicy::load(script, screen)?),
        PolicySpec::Anthropic(m) => Box::new(AnthropicPolicy::new(
            AnthropicConfig::from_spec(m, instruction)?,
            transport,
        )?),
        PolicySpec::Openai(m) => Box::new(OpenAiPolicy::new(
            OpenAiConfig::from_spec(m, instruction)?,
            transport,
        )?),
        PolicySpec::OpenaiCompat(c) => Box::new(CompatPolicy::new(
            CompatConfig::from_spec(c, instruction),
            transport,
        )?),
        PolicySpec::Gemini(m) => Box::new(GeminiPolicy::new(
            GeminiConfig::from_spec(m, instruction)?,
            transport,
        )?),
        PolicySpec::Actions { from } => Box::new(
            crate::replay::ActionReplay::load(from, out)
                .with_context(|| format!("cannot replay {}", from.display()))?,
        ),
        PolicySpec::Replay { from } => {
            let replay = ReplayPolicy::load(from, Some(instruction).filter(|t| !t.is_empty()))?;
            if let Some(notice) = replay.notice() {
                eprintln!("deskhand: {notice}");
            }
            Box::new(replay)
        }
    })
}
