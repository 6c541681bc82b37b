//! On-device OCR on real screens: text rendered by mousepad, xterm, a LibreOffice sheet and a
//! Chromium page is read back through `deskhand ocr --display` with word recall and precision
//! of at least 0.9 each; and a script clicks buttons of a real dialog by their text.
//!
//! Recall: the share of the known words that were read. Precision: of the words read on the
//! lines that are the known text (at least half of their words belong to one known line; menus,
//! title bars and banners are other text, not errors), the share that are known words.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::{deskhand, display, wait_until};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '.')
        .map(|w| w.trim_matches('.').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Reads the display's text with `deskhand ocr --display D --json`.
fn read(display: &str) -> Vec<String> {
    let out = deskhand()
        .args(["ocr", "--json", "--display", display])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // JSON lines: one element per line.
    let elements: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    elements
        .iter()
        .map(|e| e["text"].as_str().unwrap().to_owned())
        .collect()
}

/// (recall, precision) of the lines read against the known text, one known line per line.
fn score(known_text: &str, lines: &[String]) -> (f64, f64) {
    let known_lines: Vec<HashSet<String>> = known_text
        .lines()
        .map(|l| words(l).into_iter().collect())
        .collect();
    let known: HashSet<String> = known_lines.iter().flatten().cloned().collect();
    let read: Vec<Vec<String>> = lines.iter().map(|l| words(l)).collect();
    let seen: HashSet<&String> = read.iter().flatten().collect();
    let recall = known.iter().filter(|w| seen.contains(w)).count() as f64 / known.len() as f64;
    let is_content = |ws: &Vec<String>| {
        known_lines.iter().any(|kl| {
            !ws.is_empty() && ws.iter().filter(|w| kl.contains(*w)).count() * 2 >= ws.len()
        })
    };
    let content: Vec<&String> = read.iter().filter(|ws| is_content(ws)).flatten().collect();
    let precision = if content.is_empty() {
        0.0
    } else {
        content.iter().filter(|w| known.contains(**w)).count() as f64 / content.len() as f64
    };
    (recall, precision)
}

/// Launches `command` on a fresh display and reads it until the known text shows (20 s at most),
/// then checks recall and precision.
fn check_app(command: &str, known: &str) {
    let d = display(1280, 800);
    let (mut child, _) = d
        .launch(command, Duration::from_secs(30))
        .expect("the app shows a window");
    let mut last = (0.0, 0.0, Vec::new());
    let ok = wait_until(Duration::from_secs(20), || {
        let lines = read(d.name());
        let (r, p) = score(known, &lines);
        last = (r, p, lines);
        (r >= 0.9 && p >= 0.9).then_some(())
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        ok.is_some(),
        "{command}: recall {:.3}, precision {:.3}; read {:#?}",
        last.0,
        last.1,
        last.2
    );
    eprintln!("{command}: recall {:.3}, precision {:.3}", last.0, last.1);
}

#[test]
fn reads_mousepad() {
    let file = fixture("ocr/prose.txt");
    check_app(
        &format!("mousepad '{}'", file.display()),
        &std::fs::read_to_string(&file).unwrap(),
    );
}

#[test]
fn reads_xterm() {
    let file = fixture("ocr/prose.txt");
    check_app(
        &format!(
            "xterm -geometry 100x20+40+40 -fa 'DejaVu Sans Mono' -fs 12 -e sh -c \"cat '{}'; exec sleep 600\"",
            file.display()
        ),
        &std::fs::read_to_string(&file).unwrap(),
    );
}

#[test]
fn reads_a_libreoffice_sheet() {
    // A copy: LibreOffice leaves a lock file next to the document it opens.
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("order.xlsx");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tasks/suite/calc-line-totals/order.xlsx"),
        &sheet,
    )
    .unwrap();
    check_app(
        &format!(
            "libreoffice --calc --nologo --norestore '{}'",
            sheet.display()
        ),
        "Item\nQty\nUnit Price\nTotal\nNotebook\nPen\nStapler\nFolder\nTape",
    );
}

#[test]
fn reads_a_chromium_page() {
    let page = fixture("ocr/page.html");
    let known = "Garden club newsletter\nSpring planting starts on Saturday at nine.\n\
                 Bring gloves, seeds and a bottle of water.\n\
                 Volunteers will meet beside the greenhouse.\n\
                 Tomatoes and beans grow well in sunny corners.";
    check_app(
        &format!(
            "chromium --no-sandbox --no-first-run --disable-background-networking --disable-component-update --disable-sync --test-type --user-data-dir=\"$HOME/.chromium\" 'file://{}'",
            page.display()
        ),
        known,
    );
}

#[test]
fn a_script_clicks_dialog_buttons_by_their_text() {
    let d = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("note.txt");
    std::fs::write(&file, "").unwrap();
    let (mut mousepad, _) = d
        .launch(
            &format!("mousepad '{}'", file.display()),
            Duration::from_secs(30),
        )
        .expect("mousepad shows a window");
    // Quitting with unsaved changes asks; the script answers by the buttons' words: first
    // "Cancel" (nothing is saved, mousepad stays), then quit again and "Save".
    let script = r#"[
        {"type": "type_text", "text": "saved through the dialog\n"},
        {"type": "key", "keys": "ctrl+q"},
        {"type": "click", "target": {"text": "Cancel"}},
        {"type": "key", "keys": "ctrl+q"},
        {"type": "click", "target": {"text": "Save", "match": "exact"}},
        {"type": "done"}
    ]"#;
    let out = support::run_script(&d, script, &dir.path().join("run"));
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("found \\\"Cancel\\\""), "{stdout}");
    let exited = wait_until(Duration::from_secs(10), || {
        mousepad.try_wait().ok().flatten()
    });
    assert!(exited.is_some(), "mousepad did not quit after Save");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "saved through the dialog\n"
    );
}

#[test]
fn a_missing_text_target_names_what_was_seen() {
    let d = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("ocr/prose.txt");
    let (mut mousepad, _) = d
        .launch(
            &format!("mousepad '{}'", file.display()),
            Duration::from_secs(30),
        )
        .expect("mousepad shows a window");
    let script =
        r#"[{"type": "click", "target": {"text": "Frobnicate the widget", "match": "exact"}}]"#;
    let out = support::run_script(&d, script, &dir.path().join("run"));
    let _ = mousepad.kill();
    let _ = mousepad.wait();
    assert!(!out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("Frobnicate the widget"), "{all}");
    assert!(all.contains("closest texts seen"), "{all}");
}

#[test]
fn without_the_model_ocr_says_how_to_get_it_and_the_rest_works() {
    let dir = tempfile::tempdir().unwrap();
    let out = deskhand()
        .env("DESKHAND_CACHE", dir.path().join("empty-cache"))
        .env_remove("ORT_DYLIB_PATH")
        .args(["ocr"])
        .arg(fixture("ocr/page.html"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not an image"), "{err}");
    let png = dir.path().join("blank.png");
    image::RgbaImage::from_pixel(64, 32, image::Rgba([255, 255, 255, 255]))
        .save(&png)
        .unwrap();
    let out = deskhand()
        .env("DESKHAND_CACHE", dir.path().join("empty-cache"))
        .env_remove("ORT_DYLIB_PATH")
        .arg("ocr")
        .arg(&png)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("OCR files missing") && err.contains("run scripts/setup"),
        "{err}"
    );
    // A script without text targets never needs the model.
    let d = display(640, 480);
    let mut cmd = deskhand();
    cmd.env("DESKHAND_CACHE", dir.path().join("empty-cache"));
    let script = dir.path().join("s.json");
    std::fs::write(
        &script,
        r#"[{"type": "click", "x": 10, "y": 10}, {"type": "done"}]"#,
    )
    .unwrap();
    let out = cmd
        .args(["run", "--display", d.name(), "--script"])
        .arg(&script)
        .arg("--out")
        .arg(dir.path().join("run"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
