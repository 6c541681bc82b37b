//! The `model-replay` part of `deskhand bench`: runs a model drove, replayed without it.
//!
//! By default the bundled suite is first run with `--policy anthropic` against a local Messages
//! API server that plays each task's solution ([`super::messages_server`]), so every step goes
//! through the real provider path: screenshot, request, answer, translation. `--model-run DIR`
//! takes runs recorded elsewhere instead (a real provider's, whose `model_turn` latencies are
//! the provider's). Each run is then replayed on a fresh display with its task's setup, and the
//! replay's time set against the recording's (goal: replay at least 5× faster).
//!
//! A local server answers in milliseconds, so the recording's decide time is tiny and the ratio
//! says little about a remote provider. The report therefore also gives the break-even: the mean
//! decide time per model turn above which replay is 5× faster, from the measured replay time and
//! the recording's time outside its model turns.

use super::messages_server::{self, Scripted};
use super::replay::{eval, scratch};
use crate::replay::recorded;
use anyhow::{Context, bail};
use deskhand_actions::{Action, Size};
use deskhand_tasks::Task;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The goal for replay against a model-driven recording: at least this many times faster.
pub const SPEEDUP_GOAL: f64 = 5.0;

/// The model the local server's runs name (for pricing and the record; the server plays any).
const MODEL: &str = "claude-sonnet-4-5";

/// The screen the local server's runs use.
const SCREEN: Size = Size::new(1280, 800);

/// One model-driven run and its replay.
#[derive(Debug, Clone, Serialize)]
pub struct ModelReplay {
    /// The task.
    pub id: String,
    /// The recorded run's duration, seconds.
    pub recorded_s: f64,
    /// Of which deciding: its `model_turn` latencies summed, seconds.
    pub decide_s: f64,
    /// Its model turns.
    pub turns: u32,
    /// The replay's duration, seconds.
    pub replay_s: f64,
    /// The replay scored 1 (and so did the recording, when it was scored here).
    pub passed: bool,
}

/// Where the model-driven runs come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Record them here, against the local server holding each answer this long.
    Local(Duration),
    /// These run directories, recorded elsewhere.
    Runs(Vec<PathBuf>),
}

/// The suite's tasks by id, with their files.
fn tasks(suite: &Path) -> anyhow::Result<Vec<(PathBuf, Task)>> {
    let entries = deskhand_tasks::suite::discover(suite)?;
    entries
        .into_iter()
        .map(|e| {
            let task = Task::from_file(&e.path)?;
            Ok((e.path, task))
        })
        .collect()
}

/// A task's solution, when it is a plain action list the server can play.
fn solution(task: &Task) -> Option<Vec<Action>> {
    let text = std::fs::read_to_string(task.dir.join(crate::eval::worker::SOLUTION_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Records the suite through the local server; returns (task file, passed, run dir) per task.
fn record_locally(
    suite: &Path,
    tasks: &[(PathBuf, Task)],
    latency: Duration,
    out: &Path,
) -> anyhow::Result<Vec<(PathBuf, bool, PathBuf)>> {
    let scripted = Scripted {
        tasks: tasks
            .iter()
            .filter_map(|(_, t)| Some((t.instruction.clone(), solution(t)?)))
            .collect(),
        screen: SCREEN,
    };
    let url = messages_server::start(scripted, latency).context("cannot start the local server")?;
    let screen = format!("{}x{}", SCREEN.width, SCREEN.height);
    let args = [
        "--policy",
        "anthropic",
        "--base-url",
        &url,
        "--model",
        MODEL,
        "--screen",
        &screen,
    ];
    // The local server takes no key; the provider insists on one being set.
    let results = eval(suite, &args, &[("ANTHROPIC_API_KEY", "local-bench")], out)?;
    Ok(results
        .tasks
        .iter()
        .filter_map(|r| {
            let (file, _) = tasks.iter().find(|(_, t)| t.id == r.id)?;
            let run = out.join(&r.run_dir);
            if !run.join(crate::trajectory::TRAJECTORY_FILE).is_file() {
                eprintln!(
                    "bench: {} recorded nothing ({}); left out",
                    r.id,
                    r.error.as_deref().unwrap_or("no error given")
                );
                return None;
            }
            Some((file.clone(), r.passed(), run))
        })
        .collect())
}

/// Pairs runs recorded elsewhere with their tasks in `tasks`.
fn given_runs(
    tasks: &[(PathBuf, Task)],
    runs: &[PathBuf],
) -> anyhow::Result<Vec<(PathBuf, bool, PathBuf)>> {
    runs.iter()
        .map(|dir| {
            let rec = recorded::read(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
            let Some(id) = rec.task.map(|t| t.id) else {
                bail!(
                    "{} did not run a task, so it cannot be replayed and scored",
                    dir.display()
                );
            };
            let Some((file, _)) = tasks.iter().find(|(_, t)| t.id == id) else {
                bail!(
                    "{} ran task {id:?}, which the suite does not hold",
                    dir.display()
                );
            };
            Ok((file.clone(), true, dir.clone()))
        })
        .collect()
}

/// Records (or takes) the model-driven runs and replays each one.
pub fn measure(suite: &Path, source: &Source) -> anyhow::Result<Vec<ModelReplay>> {
    let tasks = tasks(suite)?;
    let recordings = scratch()?;
    let runs = match source {
        Source::Local(latency) => record_locally(suite, &tasks, *latency, recordings.path())?,
        Source::Runs(dirs) => given_runs(&tasks, dirs)?,
    };
    let mut out = Vec::new();
    for (task_file, recorded_passed, run) in runs {
        let rec = recorded::read(&run).map_err(|e| anyhow::anyhow!("{}: {e}", run.display()))?;
        let Some(recorded_ms) = rec.duration_ms else {
            eprintln!("bench: {} never finished; left out", run.display());
            continue;
        };
        let screen = format!("{}x{}", rec.screen.0, rec.screen.1);
        let demo = run.to_string_lossy();
        let replayed_into = scratch()?;
        let args = ["--policy", "replay", "--demo", &demo, "--screen", &screen];
        let results = eval(&task_file, &args, &[], replayed_into.path())?;
        let Some(result) = results.tasks.first() else {
            bail!("replaying {} gave no result", run.display());
        };
        let replay = recorded::read(&replayed_into.path().join(&result.run_dir))
            .map_err(|e| anyhow::anyhow!("the replay of {}: {e}", run.display()))?;
        out.push(ModelReplay {
            id: result.id.clone(),
            recorded_s: recorded_ms as f64 / 1000.0,
            decide_s: rec.decide_ms as f64 / 1000.0,
            turns: rec.turns,
            replay_s: replay.duration_ms.unwrap_or_default() as f64 / 1000.0,
            passed: recorded_passed && result.passed(),
        });
    }
    Ok(out)
}

/// The mean decide time per model turn at which the recordings would take `SPEEDUP_GOAL` times
/// the replays' time: their time outside model turns is kept as measured.
pub fn break_even_s(runs: &[ModelReplay]) -> Option<f64> {
    let sum = |f: fn(&ModelReplay) -> f64| runs.iter().map(f).sum::<f64>();
    let turns: u32 = runs.iter().map(|r| r.turns).sum();
    if turns == 0 {
        return None;
    }
    let outside = sum(|r| r.recorded_s) - sum(|r| r.decide_s);
    Some(((SPEEDUP_GOAL * sum(|r| r.replay_s) - outside) / f64::from(turns)).max(0.0))
}

/// Prints the table and the totals.
pub fn print(runs: &[ModelReplay], source: &Source) {
    let from = match source {
        Source::Local(l) => format!(
            "recorded here against the local Messages API server, answering after {} ms",
            l.as_millis()
        ),
        Source::Runs(_) => "recorded elsewhere (--model-run)".to_owned(),
    };
    println!("\n-- model-driven runs replayed without the model ({from}) --");
    println!(
        "{:<28} {:>11} {:>9} {:>6} {:>9} {:>8} {:>7}",
        "task", "recorded s", "decide s", "turns", "replay s", "speedup", "passed"
    );
    for r in runs {
        println!(
            "{:<28} {:>11.2} {:>9.2} {:>6} {:>9.2} {:>7.2}× {:>7}",
            r.id,
            r.recorded_s,
            r.decide_s,
            r.turns,
            r.replay_s,
            r.recorded_s / r.replay_s.max(1e-9),
            if r.passed { "yes" } else { "NO" }
        );
    }
    let recorded: f64 = runs.iter().map(|r| r.recorded_s).sum();
    let replay: f64 = runs.iter().map(|r| r.replay_s).sum();
    let decide: f64 = runs.iter().map(|r| r.decide_s).sum();
    let turns: u32 = runs.iter().map(|r| r.turns).sum();
    let speedup = recorded / replay.max(1e-9);
    let verdict = if speedup >= SPEEDUP_GOAL {
        "ok"
    } else {
        "MISSED"
    };
    println!(
        "replay vs the recordings: {replay:.1} s vs {recorded:.1} s, {speedup:.2}× faster (goal ≥ {SPEEDUP_GOAL:.0}×: {verdict}); the recordings spent {decide:.1} s deciding over {turns} model turns ({:.0} ms a turn)",
        1000.0 * decide / f64::from(turns.max(1))
    );
    if let Some(b) = break_even_s(runs) {
        println!(
            "break-even: replay is ≥ {SPEEDUP_GOAL:.0}× faster than recordings like these whose model turns take ≥ {b:.2} s on average"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(recorded_s: f64, decide_s: f64, turns: u32, replay_s: f64) -> ModelReplay {
        ModelReplay {
            id: "t".into(),
            recorded_s,
            decide_s,
            turns,
            replay_s,
            passed: true,
        }
    }

    #[test]
    fn break_even_keeps_the_time_outside_model_turns() {
        // 10 s outside the turns, replay 4 s: 5 × 4 = 20 = 10 + 10 turns × 1 s.
        let b = break_even_s(&[run(10.5, 0.5, 6, 2.5), run(5.0, 5.0, 4, 1.5)]);
        assert_eq!(b.map(|b| (b * 1000.0).round()), Some(1000.0));
        assert_eq!(break_even_s(&[run(1.0, 0.0, 0, 1.0)]), None);
        assert_eq!(break_even_s(&[run(100.0, 0.0, 1, 1.0)]), Some(0.0));
    }
}
