//! All of OSWorld's 369 task files load, unchanged, into typed tasks; what deskhand cannot run
//! is named per task, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use deskhand_tasks::suite::discover;
use deskhand_tasks::{Source, StepAction, Task};
use std::path::Path;

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("osworld")
}

#[test]
fn every_osworld_task_loads() {
    let entries = discover(&corpus()).unwrap();
    assert_eq!(entries.len(), 369);
    let mut steps = 0;
    let mut unsupported_tasks = 0;
    for e in &entries {
        let task = Task::from_file(&e.path).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(task.id, e.name, "{}", e.path.display());
        assert!(!task.instruction.is_empty());
        // One result getter slot, one expected slot and one options object per metric.
        let ev = &task.evaluator;
        let n = ev.func.len();
        assert!(
            ev.result.len() >= n && ev.expected.len() >= n && ev.options.len() >= n,
            "{}",
            e.path.display()
        );
        assert!(task.extra.contains_key("snapshot"), "unknown keys are kept");
        steps += task.config.len();
        let why = task.unsupported();
        assert!(
            why.iter().all(|w| w.starts_with("unsupported: ")),
            "{why:?}"
        );
        if !why.is_empty() {
            unsupported_tasks += 1;
        }
    }
    assert!(steps > 1000, "{steps} setup steps");
    assert!(unsupported_tasks < 369);
}

#[test]
fn the_index_selects_tasks_and_typed_parts_are_typed() {
    let all = discover(&corpus().join("test_all.json")).unwrap();
    assert_eq!(all.len(), 369);
    assert!(all.iter().all(|e| e.path.is_file()));
    let small = discover(&corpus().join("test_small.json")).unwrap();
    assert!(!small.is_empty() && small.len() < all.len());
    // A known task: Calc, with download + open setup and compare_table on a vm_file.
    let mut typed_downloads = 0;
    let mut vm_files = 0;
    for e in &all {
        let t = Task::from_file(&e.path).unwrap();
        typed_downloads += t
            .config
            .iter()
            .filter(|s| matches!(s.action, StepAction::Download { .. }))
            .count();
        vm_files += t
            .evaluator
            .result
            .iter()
            .flatten()
            .filter(|g| matches!(g.source, Source::VmFile(_)))
            .count();
    }
    assert!(typed_downloads >= 278, "{typed_downloads}");
    assert!(vm_files >= 250, "{vm_files}");
}
