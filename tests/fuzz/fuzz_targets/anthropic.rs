//! The Anthropic `computer` tool input (`from_anthropic`), from JSON bytes as the API sends
//! them; what it yields is checked, written back with `to_anthropic`, and must not panic.
#![no_main]

use deskhand_actions::formats::anthropic::{AnthropicCall, from_anthropic, to_anthropic};
use deskhand_fuzz::{CONFIGS, use_action};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for (space, screen) in &CONFIGS {
        if let Ok(AnthropicCall::Act(actions)) = from_anthropic(&input, space, *screen) {
            for action in &actions {
                use_action(action, *screen);
                let _ = to_anthropic(action, space, *screen);
            }
        }
    }
});
