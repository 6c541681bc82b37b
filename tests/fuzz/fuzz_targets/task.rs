//! An OSWorld task file (`Task::from_json`, what `Task::from_file` does after reading the
//! file), from its text; then what `eval` asks of a loaded task before running it. Must not
//! panic. A file that is not UTF-8 is refused before parsing, so such bytes are skipped.
#![no_main]

use deskhand_tasks::Task;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(task) = Task::from_json(text, Path::new("tasks/t/task.json")) {
        let _ = task.unsupported();
        let _ = task.network_urls();
    }
});
