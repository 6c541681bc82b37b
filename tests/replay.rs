//! `deskhand replay` end to end: a mousepad demo with clicks (recorded through deskhand from a
//! script aimed by text) replayed onto real displays where the window has moved, onto another
//! screen size, and onto a changed document, where it must stop before acting.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use deskhand::display::{Display, windows, x11};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;
use support::{deskhand, display, wait_until};

const TEXT: &str = "alpha bravo charlie\ndelta echo foxtrot\ngolf hotel india\n";
const EDITED: &str = "alpha bravo charlie\ndelta ECHO foxtrot\ngolf hotel india\n";

/// Double-click a word, retype it, save through the File menu: every click aimed by text.
const SCRIPT: &str = r#"[
    {"type": "click", "count": 2, "target": {"text": "echo"}},
    {"type": "type_text", "text": "ECHO"},
    {"type": "click", "target": {"text": "File", "match": "exact"}},
    {"type": "click", "target": {"text": "Save", "match": "exact"}},
    {"type": "done", "message": "edited and saved"}
]"#;

/// mousepad on `d` editing `dir/notes.txt` (holding `text`), its window moved to `at`.
fn mousepad(d: &Display, dir: &Path, text: &str, at: Option<(i32, i32)>) -> (Child, PathBuf) {
    let file = dir.join("notes.txt");
    std::fs::write(&file, text).unwrap();
    let (child, _) = d
        .launch(
            &format!("mousepad '{}'", file.display()),
            Duration::from_secs(30),
        )
        .expect("mousepad shows a window");
    if let Some((x, y)) = at {
        let conn = x11::connect(d.name()).unwrap();
        let w = windows::list(&conn)
            .unwrap()
            .into_iter()
            .find(|w| w.title.contains("notes.txt"))
            .expect("the mousepad window");
        windows::move_to(&conn, w.id, x, y).unwrap();
        let moved = wait_until(Duration::from_secs(10), || {
            let (wx, wy, _, _) = windows::geometry(&conn, w.id).ok()?;
            ((wx - x).abs() < 40 && (wy - y).abs() < 60).then_some(())
        });
        assert!(moved.is_some(), "the window did not move to {x},{y}");
    }
    (child, file)
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn events(run: &Path) -> Vec<Value> {
    std::fs::read_to_string(run.join("trajectory.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Records the demo on a 1280×800 display with the window where openbox puts it.
fn record_demo(root: &Path) -> PathBuf {
    let d = display(1280, 800);
    let dir = root.join("record");
    std::fs::create_dir_all(&dir).unwrap();
    let (child, file) = mousepad(&d, &dir, TEXT, None);
    let demo = root.join("demo");
    let out = support::run_script(&d, SCRIPT, &demo);
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let saved = support::wait_file(&file, Duration::from_secs(10), |b| b == EDITED.as_bytes());
    assert!(
        saved.is_some(),
        "the recording itself did not save the edit"
    );
    stop(child);
    demo
}

fn replay(d: &Display, demo: &Path, out: &Path) -> std::process::Output {
    deskhand()
        .args(["replay"])
        .arg(demo)
        .args(["--display", d.name(), "--json", "--out"])
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn a_demo_replays_onto_a_moved_window_another_screen_and_stops_on_a_changed_document() {
    let root = tempfile::tempdir().unwrap();
    let demo = record_demo(root.path());

    // The window 200 px further right and down, then on a larger screen further still.
    for (i, (w, h, at)) in [(1280, 800, (200, 200)), (1600, 1000, (420, 260))]
        .into_iter()
        .enumerate()
    {
        let d = display(w, h);
        let dir = root.path().join(format!("moved-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let (child, file) = mousepad(&d, &dir, TEXT, Some(at));
        let run = dir.join("replay");
        let out = replay(&d, &demo, &run);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "replay onto {w}x{h} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let saved = support::wait_file(&file, Duration::from_secs(10), |b| b == EDITED.as_bytes());
        assert!(
            saved.is_some(),
            "{w}x{h}: the file holds {:?}",
            std::fs::read_to_string(&file).unwrap()
        );
        // The clicks were re-grounded, not sent to the recorded points.
        let narr: Vec<String> = events(&run)
            .iter()
            .filter(|e| e["type"] == "narration")
            .map(|e| e["text"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            narr.iter().filter(|n| n.contains("moved by")).count() >= 3,
            "{narr:#?}"
        );
        let latency: Vec<u64> = events(&run)
            .iter()
            .filter(|e| e["type"] == "model_turn")
            .map(|e| e["latency_ms"].as_u64().unwrap())
            .collect();
        eprintln!("{w}x{h}: re-grounding per step (ms): {latency:?}; {narr:?}");
        stop(child);
    }

    // The same file name, but the word the demo double-clicks is not there.
    let d = display(1280, 800);
    let dir = root.path().join("changed");
    std::fs::create_dir_all(&dir).unwrap();
    let changed = TEXT.replace("echo", "kilo");
    let (child, file) = mousepad(&d, &dir, &changed, None);
    let run = dir.join("replay");
    let out = replay(&d, &demo, &run);
    assert!(
        !out.status.success(),
        "replay went on over a changed document"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        format!("{stdout}{stderr}").contains("diverged"),
        "{stdout}\n{stderr}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("divergence.json")).unwrap())
            .unwrap();
    assert_eq!(report["recorded_step"], 1, "{report:#}");
    let tried: Vec<&str> = report["tried"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["method"].as_str().unwrap())
        .collect();
    assert_eq!(tried, ["in_place", "template", "text"], "{report:#}");
    assert!(run.join("divergence/expected.png").is_file());
    assert!(run.join("divergence/actual.png").is_file());
    // Nothing was performed: no action event, and the document is as it was.
    let evs = events(&run);
    assert!(
        !evs.iter().any(|e| e["type"] == "action"),
        "an action was performed past the divergence"
    );
    assert_eq!(evs.last().unwrap()["status"], "error");
    stop(child);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), changed);
}
