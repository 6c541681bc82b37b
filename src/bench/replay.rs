//! The replay part of `deskhand bench`: the bundled suite's demos replayed (`--policy replay`)
//! against the same solutions performed directly (`--policy script`), in the same run, one task
//! at a time. The agent's time per task is compared: what checking the screen and re-grounding
//! each action adds (goal: at most 20 %). Each replay is also set against the time its demo took
//! when it was recorded.

use crate::eval::result::{RESULTS_FILE, Results};
use anyhow::Context;
use serde::Serialize;
use std::path::Path;

/// The goal for replay's overhead over performing the script directly.
pub const OVERHEAD_GOAL: f64 = 0.20;

/// One task's times.
#[derive(Debug, Clone, Serialize)]
pub struct TaskTimes {
    /// The task.
    pub id: String,
    /// Agent time performing the solution directly, seconds.
    pub script_s: f64,
    /// Agent time replaying the demo, seconds.
    pub replay_s: f64,
    /// The demo's own recorded duration, seconds.
    pub recorded_s: Option<f64>,
    /// Both scored 1.
    pub passed: bool,
}

/// Runs `deskhand eval TARGET ARGS -j 1 --out OUT` (a suite or one task file) with `env` added
/// and reads its results.
pub(super) fn eval(
    target: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    out: &Path,
) -> anyhow::Result<Results> {
    let exe = std::env::current_exe().context("cannot find the deskhand executable")?;
    let status = std::process::Command::new(exe)
        .arg("eval")
        .arg(target)
        .args(args)
        .args(["-j", "1", "--out"])
        .arg(out)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .status()
        .context("cannot run deskhand eval")?;
    let text = std::fs::read_to_string(out.join(RESULTS_FILE)).with_context(|| {
        format!(
            "deskhand eval {} {} wrote no results ({status})",
            target.display(),
            args.join(" ")
        )
    })?;
    Ok(serde_json::from_str(&text)?)
}

/// A fresh folder for one eval's output, removed when dropped.
pub(super) fn scratch() -> anyhow::Result<tempfile::TempDir> {
    Ok(tempfile::Builder::new()
        .prefix("deskhand-bench-replay-")
        .tempdir()?)
}

fn recorded_s(demo: &Path) -> Option<f64> {
    let ms = crate::replay::recorded::read(demo).ok()?.duration_ms?;
    Some(ms as f64 / 1000.0)
}

/// Runs the suite both ways and pairs the tasks.
pub fn measure(suite: &Path) -> anyhow::Result<Vec<TaskTimes>> {
    let (a, b) = (scratch()?, scratch()?);
    let script = eval(suite, &["--policy", "script"], &[], a.path())?;
    let replay = eval(suite, &["--policy", "replay"], &[], b.path())?;
    Ok(script
        .tasks
        .iter()
        .filter_map(|s| {
            let r = replay.tasks.iter().find(|r| r.id == s.id)?;
            Some(TaskTimes {
                id: s.id.clone(),
                script_s: s.timings.agent,
                replay_s: r.timings.agent,
                recorded_s: recorded_s(&suite.join(&s.id).join(crate::eval::worker::DEMO_DIR)),
                passed: s.passed() && r.passed(),
            })
        })
        .collect())
}

/// Prints the table and the totals.
pub fn print(tasks: &[TaskTimes]) {
    println!(
        "\n-- bundled demos replayed vs their solutions performed directly (agent time, -j 1) --"
    );
    println!(
        "{:<28} {:>9} {:>9} {:>7} {:>11} {:>7}",
        "task", "script s", "replay s", "ratio", "recorded s", "passed"
    );
    for t in tasks {
        println!(
            "{:<28} {:>9.2} {:>9.2} {:>7.2} {:>11} {:>7}",
            t.id,
            t.script_s,
            t.replay_s,
            t.replay_s / t.script_s.max(1e-9),
            t.recorded_s.map_or("-".into(), |r| format!("{r:.2}")),
            if t.passed { "yes" } else { "NO" }
        );
    }
    let script: f64 = tasks.iter().map(|t| t.script_s).sum();
    let replay: f64 = tasks.iter().map(|t| t.replay_s).sum();
    let overhead = replay / script.max(1e-9) - 1.0;
    let verdict = if overhead <= OVERHEAD_GOAL {
        "ok"
    } else {
        "MISSED"
    };
    println!(
        "replay adds {:+.1} % over the script performed directly ({replay:.1} s vs {script:.1} s; goal ≤ {:.0} %: {verdict})",
        overhead * 100.0,
        OVERHEAD_GOAL * 100.0
    );
    let recorded: f64 = tasks.iter().filter_map(|t| t.recorded_s).sum();
    if recorded > 0.0 {
        println!(
            "replay vs the demos' recorded time: {replay:.1} s vs {recorded:.1} s ({:.2}×)",
            replay / recorded
        );
    }
}
