//! One Gemini function call (`from_gemini`, `safety_decision`), from JSON bytes shaped as the
//! API's `functionCall` (`{"name": …, "args": {…}}`); what it yields is checked and must not
//! panic.
#![no_main]

use deskhand_actions::formats::gemini::{GeminiCall, from_gemini, safety_decision};
use deskhand_fuzz::{CONFIGS, use_action};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(call) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let name = call["name"].as_str().unwrap_or_default();
    let args = &call["args"];
    let _ = safety_decision(args);
    for (_, screen) in &CONFIGS {
        if let Ok(GeminiCall::Act(actions)) = from_gemini(name, args, *screen) {
            for action in &actions {
                use_action(action, *screen);
            }
        }
    }
});
