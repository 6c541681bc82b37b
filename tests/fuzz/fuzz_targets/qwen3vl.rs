//! Qwen3-VL reply text (`parse_qwen3vl`: `<tool_call>` JSON, `<think>` blocks, bare JSON lines),
//! on the 1000×1000 grid and in another space; bytes that are not UTF-8 are read lossily, as a
//! server's text would be. What it yields is checked and must not panic.
#![no_main]

use deskhand_actions::formats::qwen3vl::{Qwen3vlSpace, parse_qwen3vl};
use deskhand_fuzz::{CONFIGS, use_action};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for (i, (space, screen)) in CONFIGS.iter().enumerate() {
        let space = if i % 2 == 0 {
            Qwen3vlSpace::Grid
        } else {
            Qwen3vlSpace::Model(*space)
        };
        if let Ok(turn) = parse_qwen3vl(&text, &space, *screen) {
            for action in &turn.actions {
                use_action(action, *screen);
            }
        }
    }
});
