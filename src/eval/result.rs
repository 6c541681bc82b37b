//! What `deskhand eval` writes.
//!
//! `RUN_DIR/result.json`, one per task, written by its worker when the task ends:
//!
//! ```json
//! {"id": "calc-sum", "domain": "suite", "score": 1.0, "status": "scored", "steps": 7,
//!  "seconds": 9.4, "error": null, "run_dir": "suite/calc-sum",
//!  "timings": {"display": 0.31, "setup": 2.9, "app_start": 2.6, "agent": 5.2, "evaluate": 0.05}}
//! ```
//!
//! - `status`: `scored` (the evaluator ran; `score` in [0, 1]), `unsupported` (the task needs a
//!   setup step, getter or metric deskhand does not have; `error` names them; score 0), or
//!   `error` (a broken task file, a failed setup step, a crashed or hung worker; score 0).
//! - `steps`: agent steps taken; `seconds`: the task's wall time; `run_dir`: relative to the
//!   output folder. `timings` splits the wall time: starting the display, the setup steps
//!   (of which `app_start` waited for programs' windows), the agent, and the postconfig +
//!   getters + metrics.
//!
//! `OUT/results.json` gathers them: `{"suite": …, "policy": …, "shard": "K/N" | null,
//! "tasks": [<result>…], "summary": {"tasks", "scored", "passed", "errors", "unsupported",
//! "mean_score", "seconds"}}`, tasks in suite order. A task passes when its score is 1.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// The name of a task's result file in its run directory.
pub const RESULT_FILE: &str = "result.json";
/// The name of the suite's result file in the output folder.
pub const RESULTS_FILE: &str = "results.json";

/// How a task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Evaluated.
    Scored,
    /// Not run: it needs what deskhand does not have.
    Unsupported,
    /// Something went wrong before a score existed.
    Error,
}

/// Where a task's time went, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Starting the virtual display.
    pub display: f64,
    /// The setup steps, and the first settle.
    pub setup: f64,
    /// The part of `setup` spent waiting for programs to start: until they show their windows
    /// (`launch`, `open`) and then until they stop working (loading a document, a page).
    #[serde(default)]
    pub app_start: f64,
    /// The agent.
    pub agent: f64,
    /// Postconfig, getters and metrics.
    pub evaluate: f64,
}

/// One task's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskResult {
    /// The task's id.
    pub id: String,
    /// Its domain.
    pub domain: String,
    /// Its score in [0, 1].
    pub score: f64,
    /// How it ended.
    pub status: Status,
    /// Agent steps taken.
    pub steps: u32,
    /// Wall time.
    pub seconds: f64,
    /// What went wrong, or what is unsupported.
    pub error: Option<String>,
    /// The run directory, relative to the output folder.
    pub run_dir: String,
    /// Where the time went.
    #[serde(default)]
    pub timings: Timings,
}

impl TaskResult {
    /// Whether the task passed (score 1).
    pub fn passed(&self) -> bool {
        self.status == Status::Scored && self.score >= 1.0
    }

    /// Reads a result file.
    pub fn read(path: &Path) -> Option<TaskResult> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes it atomically (a temporary file renamed over the result), so a reader never
    /// sees half a result.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        write_json_atomic(path, self)
    }
}

/// The suite's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// The suite that ran.
    pub suite: String,
    /// The policy.
    pub policy: String,
    /// `K/N` when this is one shard.
    pub shard: Option<String>,
    /// Every task's result.
    pub tasks: Vec<TaskResult>,
    /// The totals.
    pub summary: Summary,
}

/// Totals over a suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Tasks in all.
    pub tasks: usize,
    /// Tasks evaluated.
    pub scored: usize,
    /// Tasks that scored 1.
    pub passed: usize,
    /// Tasks that ended in an error.
    pub errors: usize,
    /// Tasks not run for lack of support.
    pub unsupported: usize,
    /// The mean score over all tasks (errors and unsupported count as 0).
    pub mean_score: f64,
    /// The sum of the tasks' wall times.
    pub seconds: f64,
}

impl Summary {
    /// Totals of `tasks`.
    pub fn of(tasks: &[TaskResult]) -> Summary {
        let n = tasks.len();
        Summary {
            tasks: n,
            scored: tasks.iter().filter(|t| t.status == Status::Scored).count(),
            passed: tasks.iter().filter(|t| t.passed()).count(),
            errors: tasks.iter().filter(|t| t.status == Status::Error).count(),
            unsupported: tasks
                .iter()
                .filter(|t| t.status == Status::Unsupported)
                .count(),
            mean_score: if n == 0 {
                0.0
            } else {
                tasks.iter().map(|t| t.score).sum::<f64>() / n as f64
            },
            seconds: tasks.iter().map(|t| t.seconds).sum(),
        }
    }
}

/// Writes `value` as pretty JSON through a temporary file and a rename.
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, text + "\n")?;
    std::fs::rename(&tmp, path)
}

/// Prints the score table.
pub fn print_table(results: &Results) {
    let width = results
        .tasks
        .iter()
        .map(|t| t.id.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:<width$}  {:>5}  {:<11}  {:>5}  {:>7}  error",
        "task", "score", "status", "steps", "seconds"
    );
    for t in &results.tasks {
        let status = match t.status {
            Status::Scored => "scored",
            Status::Unsupported => "unsupported",
            Status::Error => "error",
        };
        let error = t.error.as_deref().unwrap_or("");
        let error: String = error.chars().take(100).collect();
        println!(
            "{:<width$}  {:>5.2}  {:<11}  {:>5}  {:>7.1}  {error}",
            t.id, t.score, status, t.steps, t.seconds
        );
    }
    let s = &results.summary;
    println!(
        "\n{} tasks: {} passed, {} scored, {} errors, {} unsupported; mean score {:.3}; {:.1} s of task time",
        s.tasks, s.passed, s.scored, s.errors, s.unsupported, s.mean_score, s.seconds
    );
}
