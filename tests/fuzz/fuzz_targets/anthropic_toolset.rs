//! One member call of Anthropic's computer toolset (`from_toolset`), from JSON bytes shaped as
//! the API's `tool_use` block (`{"name": MEMBER, "input": {…}}`); what it yields is checked,
//! written back with `to_anthropic`, and must not panic.
#![no_main]

use deskhand_actions::formats::anthropic::{AnthropicCall, to_anthropic};
use deskhand_actions::formats::anthropic_toolset::from_toolset;
use deskhand_fuzz::{CONFIGS, use_action};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(block) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let name = block["name"].as_str().unwrap_or_default();
    for (space, screen) in &CONFIGS {
        if let Ok(AnthropicCall::Act(actions)) = from_toolset(name, &block["input"], space, *screen)
        {
            for action in &actions {
                use_action(action, *screen);
                let _ = to_anthropic(action, space, *screen);
            }
        }
    }
});
