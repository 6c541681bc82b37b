//! `deskhand export` end to end: a real run on a real xterm, exported as HTML and GIF; the HTML
//! opened in headless Chromium (no console errors, every step rendered, nothing fetched from
//! outside) and screenshotted; the GIF decoded frame by frame.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use image::AnimationDecoder;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::{deskhand, display};

fn chromium(args: &[&str], page: &Path, cwd: &Path) -> std::process::Output {
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", cwd.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .current_dir(cwd)
        .output()
        .expect("run chromium")
}

#[test]
fn an_exported_run_opens_in_chromium_with_every_step_and_its_gif_has_every_frame() {
    let d = display(1024, 700);
    let (mut xterm, _) = d
        .launch("xterm -geometry 80x20+40+40", Duration::from_secs(30))
        .expect("xterm shows a window");
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let script = r#"[
        {"type": "click", "x": 300, "y": 200},
        {"type": "type_text", "text": "echo exported\n"},
        {"type": "scroll", "x": 300, "y": 200, "dy": 2},
        {"type": "done", "message": "shown"}
    ]"#;
    let out = support::run_script(&d, script, &run);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = xterm.kill();
    let _ = xterm.wait();

    let html = dir.path().join("report.html");
    let gif = dir.path().join("demo.gif");
    let out = deskhand()
        .arg("export")
        .arg(&run)
        .arg("--html")
        .arg(&html)
        .arg("--gif")
        .arg(&gif)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Self-contained: nothing to fetch.
    let text = std::fs::read_to_string(&html).unwrap();
    for outside in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "src=\"//",
        "<script src",
    ] {
        assert!(
            !text.contains(outside),
            "the report refers outside: {outside}"
        );
    }

    // The rendered page: every step, no console error, no failed load.
    let dom = chromium(&["--dump-dom"], &html, dir.path());
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "{log}");
    for step in 1..=4 {
        assert!(
            dom_text.contains(&format!("id=\"step-{step}\"")),
            "step {step} is not rendered"
        );
    }
    assert_eq!(dom_text.matches("<section class=\"step\"").count(), 4);
    for bad in ["Uncaught", "CONSOLE", "net::ERR"] {
        assert!(!log.contains(bad), "chromium reported {bad}:\n{log}");
    }

    // A screenshot to look at.
    let shot = dir.path().join("report.png");
    let out = chromium(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,2400",
            "--hide-scrollbars",
        ],
        &html,
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(&shot).unwrap().to_rgb8();
    let distinct: std::collections::HashSet<[u8; 3]> =
        img.pixels().step_by(97).map(|p| p.0).collect();
    assert!(distinct.len() > 50, "the screenshot looks blank");
    if let Ok(keep) = std::env::var("DESKHAND_KEEP_EXPORT_SHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }

    // The GIF: one frame per step.
    let file = std::io::BufReader::new(std::fs::File::open(&gif).unwrap());
    let frames = image::codecs::gif::GifDecoder::new(file)
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), 4);
    // The click's frame carries the red ring.
    let first = frames[0].buffer();
    assert!(
        first
            .pixels()
            .any(|p| p.0[0] > 200 && p.0[1] < 60 && p.0[2] < 60),
        "no click marker on the first frame"
    );
}
