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

/// OSWorld writes some flags as strings (`"shell": "true"`, `"multi": "true"`); its Python
/// tests them for truth, so deskhand reads them the same way and no getter or step of the corpus
/// fails to fit its fields.
#[test]
fn flags_written_as_strings_load_as_python_reads_them() {
    for e in discover(&corpus()).unwrap() {
        let why = Task::from_file(&e.path).unwrap().unsupported();
        assert!(
            why.iter().all(|w| !w.contains("do not fit")),
            "{}: {why:?}",
            e.path.display()
        );
    }
    let task = Task::from_json(
        r#"{"id": "t", "instruction": "i", "snapshot": "s",
            "config": [{"type": "execute", "parameters": {"command": "true", "shell": "true"}}],
            "evaluator": {"func": "exact_match",
              "result": {"type": "vm_file", "path": ["a", "b"], "dest": ["a", "b"], "multi": "true"},
              "expected": {"type": "rule", "rules": {"expected": "x"}}}}"#,
        Path::new("t.json"),
    )
    .unwrap();
    match &task.config[0].action {
        StepAction::Execute(e) => assert!(e.shell),
        other => panic!("not execute: {other:?}"),
    }
    match &task.evaluator.result[0].as_ref().map(|g| &g.source) {
        Some(Source::VmFile(f)) => assert!(f.multi),
        other => panic!("not vm_file: {other:?}"),
    }
}
