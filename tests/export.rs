//! `deskhand export` end to end: a real run on a real display (a script driving xterm) is
//! exported as HTML and GIF. The HTML is opened in headless Chromium: no console message at all
//! (the report has no script, so any message is a load or script error), one step section per
//! step of the trajectory in the DOM Chromium built, only embedded (`data:`) or in-page (`#`)
//! references, and a screenshot of the rendered page that is not blank. The GIF decodes, has one
//! frame per step, and shows a red ring where the click landed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use deskhand_vision::Frame;
use image::AnimationDecoder as _;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;
use support::{deskhand, display, run_script};

const SCRIPT: &str = r#"[
    {"type": "click", "x": 400, "y": 300},
    {"type": "type_text", "text": "echo exported <run> & 'quotes'\n"},
    {"type": "move", "x": 700, "y": 500},
    {"type": "key", "keys": "ctrl+l"},
    {"type": "done", "message": "exported"}
]"#;

/// Makes the run and exports it; returns the HTML and GIF paths and the steps observed.
fn exported_run(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, BTreeSet<u64>) {
    let d = display(1280, 800);
    let (mut xterm, _) = d
        .launch("xterm -geometry 80x24+100+100", Duration::from_secs(20))
        .expect("xterm shows a window");
    let run = dir.join("run");
    let out = run_script(&d, SCRIPT, &run);
    let _ = xterm.kill();
    let _ = xterm.wait();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trajectory = std::fs::read_to_string(run.join("trajectory.jsonl")).unwrap();
    let steps: BTreeSet<u64> = trajectory
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["type"] == "observation")
        .map(|e| e["step"].as_u64().unwrap())
        .collect();
    assert_eq!(steps.len(), 5, "one step per scripted action");
    let (html, gif) = (dir.join("report/run.html"), dir.join("report/run.gif"));
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
    (html, gif, steps)
}

/// Headless Chromium on `page` with `args`, its console logged to stderr.
fn chromium(profile: &Path, page: &Path, args: &[&str]) -> Output {
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs (scripts/setup installs it)")
}

/// The page's console messages, as Chromium logs them.
fn console(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_owned)
        .collect()
}

/// Values of `src="…"` and `href="…"` attributes.
fn references(html: &str) -> Vec<String> {
    let mut refs = Vec::new();
    for attr in ["src=\"", "href=\"", "src='", "href='"] {
        let quote = attr.chars().last().unwrap();
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find(quote).unwrap_or(rest.len());
            refs.push(rest[..end].chars().take(40).collect());
            rest = &rest[end..];
        }
    }
    refs
}

#[test]
fn the_console_check_catches_script_errors() {
    // The check below would pass vacuously if Chromium logged nothing: show that it logs.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>throw new Error('boom')</script></body></html>",
    )
    .unwrap();
    let out = chromium(&dir.path().join("profile"), &page, &["--dump-dom"]);
    let messages = console(&out);
    assert!(
        messages.iter().any(|m| m.contains("Uncaught Error: boom")),
        "{messages:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_html_report_renders_every_step_offline_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (html_path, _, steps) = exported_run(dir.path());
    let html = std::fs::read_to_string(&html_path).unwrap();

    // Self-contained: every reference is embedded or in the page; nothing on the network.
    let refs = references(&html);
    assert!(!refs.is_empty(), "the report embeds its frames");
    for r in &refs {
        assert!(
            r.starts_with("data:") || r.starts_with('#'),
            "external reference {r}"
        );
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    // Typed text is escaped, not markup.
    assert!(
        html.contains("exported &lt;run&gt; &amp; "),
        "typed text is escaped"
    );
    assert!(!html.contains("<run>"), "typed text is not markup");

    // Chromium builds the page without a console message, with one section per step.
    let profile = dir.path().join("profile");
    let out = chromium(&profile, &html_path, &["--dump-dom"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(console(&out), Vec::<String>::new());
    let dom = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        dom.matches("<section class=\"step\"").count(),
        steps.len(),
        "{dom:.2000}"
    );
    for step in &steps {
        assert!(dom.contains(&format!("id=\"step-{step}\"")), "step {step}");
    }
    assert_eq!(
        dom.matches("<img src=\"data:image/jpeg;base64,").count(),
        steps.len()
    );
    assert!(dom.contains("done: exported after 5 steps"), "the summary");

    // Rendered, it is a page with content, not a blank.
    let shot = dir.path().join("report.png");
    let out = chromium(
        &profile,
        &html_path,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,1800",
            "--hide-scrollbars",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(console(&out), Vec::<String>::new());
    let png = Frame::from_png(&std::fs::read(&shot).unwrap()).unwrap();
    assert_eq!((png.width(), png.height()), (1400, 1800));
    let mut colours = std::collections::HashSet::new();
    let mut not_white = 0usize;
    for px in png.rgba().chunks_exact(4) {
        colours.insert([px[0], px[1], px[2]]);
        if px[..3] != [255, 255, 255] {
            not_white += 1;
        }
    }
    let share = not_white as f64 / (1400.0 * 1800.0);
    assert!(
        colours.len() > 50 && share > 0.2,
        "{} colours, {share:.3} not white",
        colours.len()
    );
    // The red ring of the first step's click is drawn over its frame.
    let red = png
        .rgba()
        .chunks_exact(4)
        .filter(|p| p[0] > 200 && p[1] < 60 && p[2] < 60)
        .count();
    assert!(red > 100, "{red} red pixels");
}

#[test]
fn the_gif_has_one_frame_per_step_and_rings_the_click() {
    let dir = tempfile::tempdir().unwrap();
    let (_, gif_path, steps) = exported_run(dir.path());
    let bytes = std::fs::read(&gif_path).unwrap();
    assert!(bytes.starts_with(b"GIF89a"));
    let decoder = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(bytes)).unwrap();
    let frames = decoder.into_frames().collect_frames().unwrap();
    assert_eq!(frames.len(), steps.len());
    // 1280x800 scaled to 800 wide; the first step clicks (400, 300): a ring of radius 12
    // around (250, 187.5).
    let first = frames[0].buffer();
    assert_eq!(first.dimensions(), (800, 500));
    let reddish = |x: u32, y: u32| {
        let p = first.get_pixel(x, y);
        p[0] > 180 && p[1] < 90 && p[2] < 90
    };
    assert!(
        reddish(262, 188) && reddish(238, 188),
        "no ring at the click"
    );
    assert!(!reddish(250, 188), "the ring's centre is left clear");
    for f in &frames {
        assert_eq!(f.delay().numer_denom_ms(), (1000, 1));
    }
}
