//! A run's `trajectory.jsonl` (`deskhand::trajectory::parse`, what `load` does after reading
//! the file), from its bytes; must not panic, torn or damaged as the file may be.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(loaded) = deskhand::trajectory::parse(Path::new("run"), data) {
        let _ = loaded.torn_notice();
    }
});
