//! The OpenAI computer tool's actions: one `action` object (`from_openai_action`) or a GA
//! batch, a JSON array (`from_openai_actions`), from JSON bytes; what it yields is checked,
//! written back with `to_openai_action`, and must not panic.
#![no_main]

use deskhand_actions::formats::openai::{
    OpenAiCall, from_openai_action, from_openai_actions, to_openai_action,
};
use deskhand_fuzz::{CONFIGS, use_action};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for (space, screen) in &CONFIGS {
        let calls = match &input {
            serde_json::Value::Array(batch) => from_openai_actions(batch, space, *screen),
            one => from_openai_action(one, space, *screen).map(|c| vec![c]),
        };
        for call in calls.into_iter().flatten() {
            if let OpenAiCall::Act(actions) = call {
                for action in &actions {
                    use_action(action, *screen);
                    let _ = to_openai_action(action, space, *screen);
                }
            }
        }
    }
});
