//! `deskhand replay` end to end: a mousepad demo with clicks (recorded through deskhand from a
//! script aimed by text) replayed onto real displays where the window has moved, onto another
//! screen size, and onto a changed document, where it must stop before acting; and a click on
//! plain ground in an xterm that has moved, with another xterm now over the recorded point,
//! re-grounded by its window (or stopped when that window is gone).
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
    // The recorded window is where it was, but the word is not: the window method refuses.
    assert_eq!(
        tried,
        ["in_place", "template", "text", "window"],
        "{report:#}"
    );
    assert_eq!(report["tried"][3]["ok"], false, "{report:#}");
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

/// The program the click-logging xterms run: mouse reporting on (xterm's X10-compatible
/// `CSI ? 1000 h`), the terminal raw, every report byte appended to the log `$1`; `$1.ready`
/// is made once reporting is on. The terminal shows nothing: plain ground everywhere but its
/// cursor, in its top-left corner.
const CLICK_LOG: &str = r#"stty raw -echo
printf '\033[?1000h'
: > "$1.ready"
exec cat > "$1"
"#;

/// An xterm titled `title` logging the clicks it gets into `dir/NAME.log` (see [`CLICK_LOG`]),
/// ready to report; returns it, its window and its log.
fn click_log_xterm(d: &Display, dir: &Path, title: &str, name: &str) -> (Child, u32, PathBuf) {
    let script = dir.join("click-log.sh");
    std::fs::write(&script, CLICK_LOG).unwrap();
    let log = dir.join(format!("{name}.log"));
    let (child, id) = d
        .launch(
            &format!(
                "xterm -T '{title}' -e sh '{}' '{}'",
                script.display(),
                log.display()
            ),
            Duration::from_secs(30),
        )
        .expect("xterm shows a window");
    let ready = log.with_extension("log.ready");
    assert!(
        support::wait_file(&ready, Duration::from_secs(10), |_| true).is_some(),
        "the xterm {title:?} did not turn mouse reporting on"
    );
    (child, id, log)
}

/// The window manager's decorations around `id` (`_NET_FRAME_EXTENTS`): left and top.
fn frame_offset(d: &Display, id: u32) -> Option<(i32, i32)> {
    use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _};
    let (conn, _) = x11rb::connect(Some(d.name())).ok()?;
    let atom = conn
        .intern_atom(false, b"_NET_FRAME_EXTENTS")
        .ok()?
        .reply()
        .ok()?
        .atom;
    let reply = conn
        .get_property(false, id, atom, AtomEnum::CARDINAL, 0, 4)
        .ok()?
        .reply()
        .ok()?;
    let v: Vec<u32> = reply.value32()?.collect();
    match v[..] {
        [left, _, top, _] => Some((left as i32, top as i32)),
        _ => None,
    }
}

/// Moves `id` so that its client area's top-left corner is at `(x, y)`, and waits until it is
/// (asking again every half second: a window manager busy placing the window may miss one).
fn place(d: &Display, id: u32, (x, y): (i32, i32)) {
    let conn = x11::connect(d.name()).unwrap();
    let (left, top) = wait_until(Duration::from_secs(10), || frame_offset(d, id))
        .expect("the window manager frames the window");
    let mut asked = std::time::Instant::now() - Duration::from_secs(1);
    let placed = wait_until(Duration::from_secs(10), || {
        if asked.elapsed() >= Duration::from_millis(500) {
            windows::move_to(&conn, id, x - left, y - top).unwrap();
            asked = std::time::Instant::now();
        }
        let (nx, ny, _, _) = windows::geometry(&conn, id).ok()?;
        ((nx, ny) == (x, y)).then_some(())
    });
    assert!(
        placed.is_some(),
        "the window's client area did not reach ({x}, {y}): it is at {:?}",
        windows::geometry(&conn, id).unwrap()
    );
}

/// Raises and focuses `id`, and waits until the window manager says it has the focus.
fn focus(d: &Display, id: u32) {
    let conn = x11::connect(d.name()).unwrap();
    windows::activate(&conn, id).unwrap();
    let focused = wait_until(Duration::from_secs(10), || {
        (windows::active(&conn).ok()? == Some(id)).then_some(())
    });
    assert!(focused.is_some(), "window {id:#x} did not get the focus");
}

/// The first `n` bytes the log gets within a few seconds (fewer when it gets fewer).
fn logged(log: &Path, n: usize) -> Vec<u8> {
    support::wait_file(log, Duration::from_secs(10), |b| b.len() >= n)
        .unwrap_or_else(|| std::fs::read(log).unwrap_or_default())
}

/// A click recorded through deskhand on plain ground in an xterm.
struct PlainClick {
    /// The run.
    demo: PathBuf,
    /// Where the xterm's client area was: x, y, width, height.
    rect: (i32, i32, u32, u32),
    /// The point clicked.
    at: (i32, i32),
    /// What the xterm logged for it (press and release: 12 bytes holding the clicked cell).
    logged: Vec<u8>,
}

/// Runs a click at the middle of the xterm titled `xterm` (plain ground) through deskhand.
fn record_plain_click(root: &Path) -> PlainClick {
    let d = display(1280, 800);
    let dir = root.join("record-xterm");
    std::fs::create_dir_all(&dir).unwrap();
    let (child, id, log) = click_log_xterm(&d, &dir, "xterm", "a");
    focus(&d, id);
    let conn = x11::connect(d.name()).unwrap();
    let rect = windows::geometry(&conn, id).unwrap();
    let (x, y, w, h) = rect;
    // The recorded patch (up to 96 px around the point) lies inside the blank terminal.
    assert!(w >= 200 && h >= 200, "the xterm is only {w}x{h}");
    let at = (x + w as i32 / 2, y + h as i32 / 2);
    let script = format!(
        r#"[{{"type": "click", "x": {}, "y": {}}}, {{"type": "done", "message": "clicked"}}]"#,
        at.0, at.1
    );
    let demo = root.join("xterm-demo");
    let out = support::run_script(&d, &script, &demo);
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let clicked = logged(&log, 12);
    assert_eq!(
        clicked.len(),
        12,
        "the recorded click was not reported: {clicked:?}"
    );
    // The recording says where the focused window was.
    let observed = events(&demo)
        .into_iter()
        .find(|e| e["type"] == "observation")
        .unwrap();
    assert_eq!(
        observed["window"],
        serde_json::json!({
            "title": "xterm",
            "class": ["xterm", "XTerm"],
            "rect": {"x": x, "y": y, "width": w, "height": h}
        }),
        "{observed:#}"
    );
    stop(child);
    PlainClick {
        demo,
        rect,
        at,
        logged: clicked,
    }
}

#[test]
fn a_click_on_plain_ground_follows_its_moved_window_and_stops_when_the_window_is_gone() {
    let root = tempfile::tempdir().unwrap();
    let PlainClick {
        demo,
        rect: (ax, ay, aw, ah),
        at,
        logged: recorded_click,
    } = record_plain_click(root.path());

    // The recorded xterm moved far away; another xterm, titled differently but otherwise the
    // same (so the recorded plain ground is the same in place), now covers the recorded point.
    let d = display(1280, 800);
    let dir = root.path().join("moved-xterm");
    std::fs::create_dir_all(&dir).unwrap();
    let (a, a_id, a_log) = click_log_xterm(&d, &dir, "xterm", "a");
    // The bottom right corner: where openbox would not put it, and all of it on the screen.
    let moved_to = (1280 - aw as i32 - 10, 800 - ah as i32 - 10);
    assert!(
        (moved_to.0 - ax).abs() + (moved_to.1 - ay).abs() >= 200,
        "the xterm was recorded at {ax},{ay}, too near the corner to be moved there"
    );
    place(&d, a_id, moved_to);
    let (b, b_id, b_log) = click_log_xterm(&d, &dir, "other", "b");
    place(&d, b_id, (ax, ay));
    focus(&d, b_id);
    let run = dir.join("replay");
    let out = replay(&d, &demo, &run);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "replay failed:\n{stdout}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(run.join("divergence.json")).unwrap_or_default()
    );
    // The click landed in the moved xterm, on the same cell as when recorded; none in the other.
    assert_eq!(
        logged(&a_log, 12),
        recorded_click,
        "the moved xterm did not get the click on the recorded cell (the other got {:?})",
        std::fs::read(&b_log).unwrap_or_default()
    );
    assert_eq!(
        std::fs::read(&b_log).unwrap(),
        b"",
        "the other xterm got a click"
    );
    let narration: Vec<String> = events(&run)
        .iter()
        .filter(|e| e["type"] == "narration")
        .map(|e| e["text"].as_str().unwrap().to_owned())
        .collect();
    let (dx, dy) = (moved_to.0 - ax, moved_to.1 - ay);
    let how = format!("the window \"xterm\" (xterm.XTerm) moved by ({dx}, {dy})");
    assert!(narration.iter().any(|n| n.contains(&how)), "{narration:#?}");
    let latency: Vec<u64> = events(&run)
        .iter()
        .filter(|e| e["type"] == "model_turn")
        .map(|e| e["latency_ms"].as_u64().unwrap())
        .collect();
    eprintln!("re-grounding by window per step (ms): {latency:?}; {narration:?}");
    let clicks: Vec<Value> = events(&run)
        .into_iter()
        .filter(|e| e["type"] == "action")
        .collect();
    assert_eq!(clicks[0]["action"]["x"], at.0 + dx, "{clicks:#?}");
    assert_eq!(clicks[0]["action"]["y"], at.1 + dy, "{clicks:#?}");
    stop(a);
    stop(b);

    // The recorded xterm is gone: only the other one, over the recorded point.
    let d = display(1280, 800);
    let dir = root.path().join("gone-xterm");
    std::fs::create_dir_all(&dir).unwrap();
    let (b, b_id, b_log) = click_log_xterm(&d, &dir, "other", "b");
    place(&d, b_id, (ax, ay));
    focus(&d, b_id);
    let run = dir.join("replay");
    let out = replay(&d, &demo, &run);
    assert!(!out.status.success(), "replay clicked with its window gone");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("divergence.json")).unwrap())
            .unwrap();
    let tried: Vec<(&str, bool)> = report["tried"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["method"].as_str().unwrap(), t["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        tried,
        [("in_place", false), ("text", false), ("window", false)],
        "{report:#}"
    );
    let outcome = |i: usize| report["tried"][i]["outcome"].as_str().unwrap().to_owned();
    assert!(
        outcome(0).contains("the window there now is \"other\""),
        "{report:#}"
    );
    assert!(
        outcome(2).contains("no window like the recorded one"),
        "{report:#}"
    );
    assert_eq!(report["recorded_window"]["title"], "xterm", "{report:#}");
    assert!(
        !events(&run).iter().any(|e| e["type"] == "action"),
        "an action was performed past the divergence"
    );
    assert_eq!(
        std::fs::read(&b_log).unwrap(),
        b"",
        "the other xterm got a click"
    );
    stop(b);
}
