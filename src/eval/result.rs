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
                tasks
                    .iter()
                    .filter(|t| t.status == Status::Scored)
                    .map(|t| t.score)
                    .sum::<f64>()
                    / n as f64
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

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn task(id: &str, status: Status, score: f64, seconds: f64) -> TaskResult {
        TaskResult {
            id: id.into(),
            domain: "suite".into(),
            score,
            status,
            steps: 3,
            seconds,
            error: (status != Status::Scored).then(|| "why".to_owned()),
            run_dir: format!("suite/{id}"),
            timings: Timings::default(),
        }
    }

    #[test]
    fn the_summary_counts_each_status_and_means_over_all_tasks() {
        let tasks = [
            task("a", Status::Scored, 1.0, 1.0),
            task("b", Status::Scored, 0.5, 2.0),
            task("c", Status::Scored, 0.0, 3.0),
            task("d", Status::Error, 0.0, 4.0),
            task("e", Status::Unsupported, 0.0, 0.5),
        ];
        assert_eq!(
            Summary::of(&tasks),
            Summary {
                tasks: 5,
                scored: 3,
                passed: 1,
                errors: 1,
                unsupported: 1,
                mean_score: 0.3,
                seconds: 10.5,
            }
        );
    }

    #[test]
    fn only_a_scored_one_passes_and_counts() {
        // A results file edited by hand or merged from elsewhere: an error keeps no score.
        let odd = [task("x", Status::Error, 1.0, 1.0)];
        assert!(!odd[0].passed());
        let s = Summary::of(&odd);
        assert_eq!((s.passed, s.mean_score), (0, 0.0));
        assert!(task("y", Status::Scored, 1.0, 1.0).passed());
        assert!(!task("z", Status::Scored, 0.99, 1.0).passed());
    }

    #[test]
    fn an_empty_suite_means_zero_not_nan() {
        let s = Summary::of(&[]);
        assert_eq!((s.tasks, s.mean_score, s.seconds), (0, 0.0, 0.0));
    }

    #[test]
    fn the_documented_result_reads_and_an_older_one_without_timings_too() {
        let doc = r#"{"id": "calc-sum", "domain": "suite", "score": 1.0, "status": "scored", "steps": 7,
            "seconds": 9.4, "error": null, "run_dir": "suite/calc-sum",
            "timings": {"display": 0.31, "setup": 2.9, "app_start": 2.6, "agent": 5.2, "evaluate": 0.05}}"#;
        let r: TaskResult = serde_json::from_str(doc).unwrap();
        assert!(r.passed());
        assert_eq!(r.timings.app_start, 2.6);
        let old = r#"{"id": "t", "domain": "d", "score": 0.0, "status": "unsupported", "steps": 0,
            "seconds": 0.1, "error": "setup step x", "run_dir": "d/t"}"#;
        let r: TaskResult = serde_json::from_str(old).unwrap();
        assert_eq!(r.timings, Timings::default());
    }

    #[test]
    fn a_result_written_atomically_reads_back_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(RESULT_FILE);
        let r = task("a", Status::Error, 0.0, 1.5);
        r.write(&path).unwrap();
        assert_eq!(TaskResult::read(&path), Some(r.clone()));
        // Written again over the old one; no temporary file is left behind.
        let again = task("a", Status::Scored, 1.0, 2.0);
        again.write(&path).unwrap();
        assert_eq!(TaskResult::read(&path), Some(again));
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![RESULT_FILE]);
    }

    #[test]
    fn a_missing_or_half_result_reads_as_none() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(RESULT_FILE);
        assert_eq!(TaskResult::read(&path), None);
        std::fs::write(&path, r#"{"id": "a", "domain": "#).unwrap();
        assert_eq!(TaskResult::read(&path), None);
    }

    #[test]
    fn results_serialize_with_the_documented_summary_keys() {
        let tasks = vec![task("a", Status::Scored, 1.0, 1.0)];
        let results = Results {
            suite: "suite".into(),
            policy: "script".into(),
            shard: Some("1/2".into()),
            summary: Summary::of(&tasks),
            tasks,
        };
        let value = serde_json::to_value(&results).unwrap();
        let mut keys: Vec<_> = value["summary"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "errors",
                "mean_score",
                "passed",
                "scored",
                "seconds",
                "tasks",
                "unsupported"
            ]
        );
        assert_eq!(value["shard"], "1/2");
        let back: Results = serde_json::from_value(value).unwrap();
        assert_eq!(back, results);
    }
}
