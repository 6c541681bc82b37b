//! Which computer tool a model takes, and what to tell the user when the API refuses one.
//!
//! Without `anthropic.tool`, the model's name decides: the toolset
//! (`computer_toolset_20260801`) for Opus 4.8, Opus 5 and later, Sonnet 5 and later,
//! Haiku 5.5 and later, Fable/Mythos and every name not known here (new models get the new
//! tool); `computer_20251124` for Opus 4.5–4.7 and Sonnet 4.6; `computer_20250124` for
//! Sonnet/Haiku 4.5 and the older Claude 3.x/4.0/4.1 names.

use crate::policy::AnthropicTool;
use deskhand_actions::formats::anthropic::AnthropicToolVersion;

/// The tool version a `-c anthropic.tool=` setting names.
pub fn from_setting(tool: AnthropicTool) -> AnthropicToolVersion {
    match tool {
        AnthropicTool::Toolset => AnthropicToolVersion::Toolset,
        AnthropicTool::Computer20251124 => AnthropicToolVersion::V20251124,
        AnthropicTool::Computer20250124 => AnthropicToolVersion::V20250124,
    }
}

/// The tool for a model, by its name (see the module documentation).
pub fn for_model(model: &str) -> AnthropicToolVersion {
    let Some((family, major, minor)) = parse(model) else {
        return AnthropicToolVersion::Toolset;
    };
    match (family, major, minor) {
        (_, 3, _) => AnthropicToolVersion::V20250124,
        ("opus", 4, 0..=1) => AnthropicToolVersion::V20250124,
        ("opus", 4, 5..=7) => AnthropicToolVersion::V20251124,
        ("sonnet", 4, 0..=5) => AnthropicToolVersion::V20250124,
        ("sonnet", 4, 6) => AnthropicToolVersion::V20251124,
        ("haiku", 4, 0..=5) => AnthropicToolVersion::V20250124,
        _ => AnthropicToolVersion::Toolset,
    }
}

/// The family (`opus`, `sonnet`, `haiku`, `fable`, `mythos`) and version of a Claude model
/// name: `claude-opus-4-5-20251101`, `claude-3-7-sonnet-latest`, `claude-opus-4@20250514`,
/// `anthropic.claude-sonnet-4-5-20250929-v1:0`. Dates (long numbers) are not versions.
fn parse(model: &str) -> Option<(&'static str, u32, u32)> {
    let lower = model.to_ascii_lowercase();
    let tokens: Vec<&str> = lower.split(['-', '.', '@', '_', '/']).collect();
    let families = ["opus", "sonnet", "haiku", "fable", "mythos"];
    let at = tokens.iter().position(|t| families.contains(t))?;
    let family = families.into_iter().find(|f| *f == tokens[at])?;
    let version = |list: &[&str]| -> Vec<u32> {
        list.iter()
            .take_while(|t| t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit()))
            .filter_map(|t| t.parse().ok())
            .collect()
    };
    let mut numbers = version(&tokens[at + 1..]);
    if numbers.is_empty() {
        // `claude-3-5-sonnet`: the version comes before the family.
        let before: Vec<&str> = tokens[..at]
            .iter()
            .rev()
            .take_while(|t| t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit()))
            .copied()
            .collect();
        numbers = version(&before.into_iter().rev().collect::<Vec<_>>());
    }
    let major = *numbers.first()?;
    Some((family, major, numbers.get(1).copied().unwrap_or(0)))
}

/// The `-c anthropic.tool=` setting a tool version is spelled as.
fn setting(tool: AnthropicToolVersion) -> &'static str {
    match tool {
        AnthropicToolVersion::Toolset => "toolset",
        AnthropicToolVersion::V20251124 => "computer_20251124",
        AnthropicToolVersion::V20250124 => "computer_20250124",
    }
}

/// What to tell the user when the API refused the tool sent (`… does not support tool types:
/// computer_20251124. Did you mean one of …?`), or `None` when `message` is about something
/// else. The tool the API offers wins; without a list, the other kind of tool is suggested.
pub fn hint(message: &str, sent: AnthropicToolVersion) -> Option<String> {
    if !message.contains("does not support tool types") {
        return None;
    }
    let offered = message
        .split_once("Did you mean")
        .map(|(_, list)| list)
        .unwrap_or("");
    let want = if offered.contains(AnthropicToolVersion::Toolset.tool_type()) {
        AnthropicToolVersion::Toolset
    } else if offered.contains(AnthropicToolVersion::V20251124.tool_type()) {
        AnthropicToolVersion::V20251124
    } else if offered.contains(AnthropicToolVersion::V20250124.tool_type()) {
        AnthropicToolVersion::V20250124
    } else if sent == AnthropicToolVersion::Toolset {
        AnthropicToolVersion::V20251124
    } else {
        AnthropicToolVersion::Toolset
    };
    let what = match want {
        AnthropicToolVersion::Toolset => "the computer toolset".to_owned(),
        other => format!("the {} tool", other.tool_type()),
    };
    Some(format!(
        "this model takes {what}: run with -c anthropic.tool={}",
        setting(want)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AnthropicToolVersion::{Toolset, V20250124, V20251124};

    #[test]
    fn the_model_name_picks_the_tool() {
        let table = [
            ("claude-opus-5-5", Toolset),
            ("claude-opus-5", Toolset),
            ("claude-opus-6", Toolset),
            ("claude-sonnet-5", Toolset),
            ("claude-sonnet-5-5", Toolset),
            ("claude-haiku-5-5", Toolset),
            ("claude-opus-4-8", Toolset),
            ("claude-fable-5-2", Toolset),
            ("claude-mythos-5", Toolset),
            ("some-new-model", Toolset),
            ("claude-nova-1", Toolset),
            ("claude-opus-4-5", V20251124),
            ("claude-opus-4-5-20251101", V20251124),
            ("claude-opus-4-6", V20251124),
            ("claude-opus-4-7", V20251124),
            ("claude-sonnet-4-6", V20251124),
            ("claude-sonnet-4-5", V20250124),
            ("claude-sonnet-4-5-20250929", V20250124),
            ("anthropic.claude-sonnet-4-5-20250929-v1:0", V20250124),
            ("claude-haiku-4-5", V20250124),
            ("claude-opus-4-1", V20250124),
            ("claude-opus-4-20250514", V20250124),
            ("claude-opus-4@20250514", V20250124),
            ("claude-sonnet-4-20250514", V20250124),
            ("claude-3-7-sonnet-20250219", V20250124),
            ("claude-3-5-sonnet-latest", V20250124),
            ("claude-3-5-haiku-20241022", V20250124),
            ("claude-3-opus-20240229", V20250124),
        ];
        for (model, want) in table {
            assert_eq!(for_model(model), want, "{model}");
        }
    }

    #[test]
    fn a_refused_tool_type_names_the_setting_to_use() {
        let m = "'claude-opus-5-5' does not support tool types: computer_20251124. Did you mean \
                 one of bash_20250124, computer_toolset_20260801?";
        assert_eq!(
            hint(m, V20251124).unwrap(),
            "this model takes the computer toolset: run with -c anthropic.tool=toolset"
        );
        let m = "'claude-opus-4-6' does not support tool types: computer_toolset_20260801. \
                 Did you mean one of computer_20251124?";
        assert!(
            hint(m, Toolset)
                .unwrap()
                .ends_with("-c anthropic.tool=computer_20251124")
        );
        let m = "'x' does not support tool types: computer_toolset_20260801.";
        assert!(
            hint(m, Toolset)
                .unwrap()
                .ends_with("-c anthropic.tool=computer_20251124")
        );
        assert_eq!(hint("max_tokens: too large", Toolset), None);
    }
}
