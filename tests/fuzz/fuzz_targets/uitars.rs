//! UI-TARS / Qwen-VL answer text (`parse_uitars_with_marks`), with and without set-of-marks;
//! bytes that are not UTF-8 are read lossily, as a server's text would be. What it yields is
//! checked, written back with `to_uitars`, and must not panic.
#![no_main]

use deskhand_actions::Point;
use deskhand_actions::formats::uitars::{parse_uitars_with_marks, to_uitars};
use deskhand_fuzz::{CONFIGS, use_action};
use libfuzzer_sys::fuzz_target;

const MARKS: [Point; 3] = [
    Point::new(10, 20),
    Point::new(640, 400),
    Point::new(1279, 799),
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for (i, (space, screen)) in CONFIGS.iter().enumerate() {
        let marks: &[Point] = if i % 2 == 0 { &MARKS } else { &[] };
        if let Ok(turn) = parse_uitars_with_marks(&text, space, *screen, marks) {
            for action in &turn.actions {
                use_action(action, *screen);
                let _ = to_uitars(action, space, *screen);
            }
        }
    }
});
