//! The eval part of `deskhand bench`: what a task costs beyond the agent's own work, on the
//! bundled suite run with its solutions, next to OSWorld's fixed waits; and the suite's
//! throughput at `-j 1` and `-j 2`.
//!
//! Overhead per task = starting its display + its setup steps, less the time spent waiting for
//! programs to show their windows (app start-up), + postconfig, getters and metrics. OSWorld's
//! harness spends 80 s per task in fixed waits around the same work (the figure this project
//! compares against); its app start-up happens inside those waits.

use crate::eval::result::{RESULTS_FILE, Results};
use anyhow::{Context, bail};
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// OSWorld's fixed waits per task, in seconds.
pub const OSWORLD_FIXED_WAITS_S: f64 = 80.0;
/// The goal for our overhead per task, in seconds.
pub const OVERHEAD_GOAL_S: f64 = 5.0;

/// One `deskhand eval` run of the suite.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteRun {
    /// Workers at once.
    pub jobs: usize,
    /// Tasks run.
    pub tasks: usize,
    /// Tasks that scored 1.
    pub passed: usize,
    /// Wall time of the whole eval.
    pub wall_s: f64,
    /// Tasks per minute.
    pub tasks_per_min: f64,
    /// Median overhead per task (see the module docs).
    pub overhead_median_s: f64,
    /// Largest overhead of a task.
    pub overhead_max_s: f64,
    /// Median app start-up per task.
    pub app_start_median_s: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Runs the suite's solutions with `jobs` workers and measures it.
pub fn measure(suite: &Path, jobs: usize) -> anyhow::Result<SuiteRun> {
    let out = tempfile::Builder::new()
        .prefix("deskhand-bench-eval-")
        .tempdir()?;
    let exe = std::env::current_exe().context("cannot find the deskhand executable")?;
    let started = Instant::now();
    let status = std::process::Command::new(exe)
        .arg("eval")
        .arg(suite)
        .args(["--policy", "script", "-j", &jobs.to_string(), "--out"])
        .arg(out.path())
        .stdout(std::process::Stdio::null())
        .status()
        .context("cannot run deskhand eval")?;
    let wall_s = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(out.path().join(RESULTS_FILE))
        .with_context(|| format!("deskhand eval wrote no results ({status})"))?;
    let results: Results = serde_json::from_str(&text)?;
    if results.tasks.is_empty() {
        bail!("the suite {} has no tasks", suite.display());
    }
    let overheads: Vec<f64> = results
        .tasks
        .iter()
        .map(|t| {
            let tm = &t.timings;
            tm.display + (tm.setup - tm.app_start).max(0.0) + tm.evaluate
        })
        .collect();
    let n = results.tasks.len();
    Ok(SuiteRun {
        jobs,
        tasks: n,
        passed: results.summary.passed,
        wall_s,
        tasks_per_min: n as f64 * 60.0 / wall_s,
        overhead_max_s: overheads.iter().copied().fold(0.0, f64::max),
        overhead_median_s: median(overheads),
        app_start_median_s: median(results.tasks.iter().map(|t| t.timings.app_start).collect()),
    })
}

/// Prints the runs.
pub fn print(runs: &[SuiteRun]) {
    println!("\n-- bundled suite with its solutions (deskhand eval --policy script) --");
    println!(
        "{:>4} {:>6} {:>7} {:>8} {:>10} {:>14} {:>12} {:>12}",
        "-j", "tasks", "passed", "wall s", "tasks/min", "overhead med s", "max s", "app start s"
    );
    for r in runs {
        println!(
            "{:>4} {:>6} {:>7} {:>8.1} {:>10.1} {:>14.2} {:>12.2} {:>12.2}",
            r.jobs,
            r.tasks,
            r.passed,
            r.wall_s,
            r.tasks_per_min,
            r.overhead_median_s,
            r.overhead_max_s,
            r.app_start_median_s
        );
    }
    if let Some(r) = runs.first() {
        let verdict = if r.overhead_max_s <= OVERHEAD_GOAL_S {
            "ok"
        } else {
            "MISSED"
        };
        println!(
            "overhead per task vs OSWorld's {OSWORLD_FIXED_WAITS_S:.0} s of fixed waits: median {:.2} s = {:.3}×, worst {:.2} s (goal ≤ {OVERHEAD_GOAL_S:.0} s: {verdict})",
            r.overhead_median_s,
            r.overhead_median_s / OSWORLD_FIXED_WAITS_S,
            r.overhead_max_s
        );
    }
    if let [one, two, ..] = runs {
        println!(
            "throughput: {:.1} tasks/min at -j {}, {:.1} at -j {} ({:.2}×)",
            one.tasks_per_min,
            one.jobs,
            two.tasks_per_min,
            two.jobs,
            two.tasks_per_min / one.tasks_per_min
        );
    }
}
