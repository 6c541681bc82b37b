//! `deskhand eval`: runs a suite of OSWorld-style tasks, each in its own worker process on its
//! own virtual display, several at once, and scores them as OSWorld does.
//!
//! The output folder holds one run directory per task (`<domain>/<id>/`: trajectory, frames,
//! `setup.log`, `worker.log`, `cache/` with the scored files, `result.json`) and
//! `results.json` with the table; [`result`] documents both formats.

mod a11y;
mod browser;
pub mod check;
mod chrome_profile;
mod env;
pub mod fetch;
mod getters;
mod pool;
pub mod result;
mod setup;
mod system;
pub mod worker;

use crate::policy::PolicySpec;
use crate::session::{Limits, PolicyKind};
use anyhow::{Context, bail};
use deskhand_actions::Size;
use deskhand_tasks::suite::{self, Entry};
use result::{RESULT_FILE, RESULTS_FILE, Results, Status, Summary, TaskResult, print_table};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// One stable part of a suite: shard `k` of `n` (1 ≤ k ≤ n).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, from 1.
    pub k: usize,
    /// Of how many.
    pub n: usize,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// A shard that is not `K/N` with 1 ≤ K ≤ N.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a shard: expected K/N with 1 ≤ K ≤ N, like 2/4")]
pub struct BadShard(pub String);

impl std::str::FromStr for Shard {
    type Err = BadShard;

    /// `K/N`, like `2/4`.
    fn from_str(s: &str) -> Result<Shard, BadShard> {
        let bad = || BadShard(s.to_owned());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

/// Who acts in each task of a suite.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// As `--policy` named it.
    pub kind: PolicyKind,
    /// For model policies: the spec every task gets.
    pub model: Option<PolicySpec>,
    /// For `replay`: the recorded run every task replays instead of its own `demo/`.
    pub demo: Option<PathBuf>,
}

impl Actor {
    /// The policy of the task in `task_dir`, or `None` when nobody acts (`--policy none`).
    pub fn spec_for(&self, task_dir: &Path) -> Option<PolicySpec> {
        match self.kind {
            PolicyKind::None => None,
            PolicyKind::Script => Some(PolicySpec::Script {
                script: task_dir.join(worker::SOLUTION_FILE),
            }),
            PolicyKind::Replay => Some(PolicySpec::Actions {
                from: self
                    .demo
                    .clone()
                    .unwrap_or_else(|| task_dir.join(worker::DEMO_DIR)),
            }),
            PolicyKind::Anthropic
            | PolicyKind::Openai
            | PolicyKind::Gemini
            | PolicyKind::OpenaiCompat => self.model.clone(),
        }
    }
}

/// What `deskhand eval` runs.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// The suite: a folder, OSWorld's layout, an index or a task file.
    pub suite: PathBuf,
    /// Tasks at once (`None`: [`default_jobs`]).
    pub jobs: Option<usize>,
    /// Who acts.
    pub actor: Actor,
    /// The output folder (`None`: `runs/eval-<time>`).
    pub out: Option<PathBuf>,
    /// Keep the results already in `out`.
    pub resume: bool,
    /// Only this part of the suite.
    pub shard: Option<Shard>,
    /// Each task's screen.
    pub screen: Size,
    /// A task's deadline.
    pub task_timeout: Duration,
    /// How far each task's agent may go.
    pub limits: Limits,
    /// Programs started on each task's display before its setup.
    pub launch: Vec<String>,
    /// Also write an HTML report here.
    pub html: Option<PathBuf>,
    /// Each task's result as a JSON line on stdout when it finishes, then the summary.
    pub json: bool,
    /// Where tasks' files named by URLs come from.
    pub files: crate::files::FilesOptions,
    /// Arguments added to every Chromium a task starts (`[chrome] args`).
    pub chrome_args: Vec<String>,
}

/// One task per core, and 1.5 GB of available memory per task (LibreOffice or Chromium plus
/// Xvfb), at least one.
pub fn default_jobs() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem_kb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemAvailable:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(u64::MAX);
    let by_mem = usize::try_from(mem_kb / 1_500_000).unwrap_or(usize::MAX);
    cores.min(by_mem).max(1)
}

fn default_out() -> PathBuf {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
    let stamp = now
        .format(&fmt)
        .unwrap_or_else(|_| now.unix_timestamp().to_string());
    Path::new("runs").join(format!("eval-{stamp}"))
}

/// Runs a suite and scores it.
pub fn run(opts: EvalOptions) -> anyhow::Result<ExitCode> {
    let suite_path = opts.suite.clone();
    let mut entries = suite::discover(&suite_path)?;
    if let Some(s) = opts.shard {
        entries = suite::shard(entries, s.k, s.n);
    }
    let out = opts.out.clone().unwrap_or_else(default_out);
    if !opts.resume && out.join(RESULTS_FILE).exists() {
        bail!(
            "{} already holds results: pass --resume to go on with them, or another --out",
            out.display()
        );
    }
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let jobs = opts.jobs.unwrap_or_else(default_jobs).max(1);

    let mut done: Vec<Option<TaskResult>> = vec![None; entries.len()];
    let mut todo: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let dir = out.join(rel_dir(e));
        match TaskResult::read(&dir.join(RESULT_FILE)) {
            Some(r) if opts.resume && r.status != Status::Error => done[i] = Some(r),
            _ => {
                if dir.exists() {
                    std::fs::remove_dir_all(&dir)
                        .with_context(|| format!("cannot clear {}", dir.display()))?;
                }
                todo.push(i);
            }
        }
    }
    eprintln!(
        "deskhand eval: {} tasks ({} to run, {} already done), {} at a time, output in {}",
        entries.len(),
        todo.len(),
        entries.len() - todo.len(),
        jobs,
        out.display()
    );
    let plan = pool::Plan {
        entries: &entries,
        todo,
        out: &out,
        jobs,
        actor: &opts.actor,
        screen: opts.screen,
        limits: opts.limits,
        launch: &opts.launch,
        timeout: opts.task_timeout,
        json: opts.json,
        files: &opts.files,
        chrome_args: &opts.chrome_args,
    };
    let interrupted = pool::run(plan, &mut done)?;

    let tasks: Vec<TaskResult> = done.into_iter().flatten().collect();
    let results = Results {
        suite: suite_path.display().to_string(),
        policy: opts.actor.kind.name().to_owned(),
        shard: opts.shard.map(|s| s.to_string()),
        summary: Summary::of(&tasks),
        tasks,
    };
    result::write_json_atomic(&out.join(RESULTS_FILE), &results)?;
    if opts.json {
        println!("{}", summary_line(&results, &out));
    } else {
        println!();
        print_table(&results);
        println!("results: {}", out.join(RESULTS_FILE).display());
    }
    if let Some(html) = &opts.html {
        crate::export::suite_report(&out, &results, html)?;
        if !opts.json {
            println!("report: {}", html.display());
        }
    }
    Ok(if interrupted {
        ExitCode::from(130)
    } else if results.summary.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The last `--json` line: `{"type": "summary", "suite", "policy", "shard", "summary",
/// "results"}`; each task's line before it is `{"type": "task", …}` with a `result.json`'s
/// fields.
fn summary_line(results: &Results, out: &Path) -> serde_json::Value {
    serde_json::json!({
        "type": "summary",
        "suite": results.suite,
        "policy": results.policy,
        "shard": results.shard,
        "summary": results.summary,
        "results": out.join(RESULTS_FILE),
    })
}

/// A task's run directory, relative to the output folder.
fn rel_dir(e: &Entry) -> String {
    format!("{}/{}", e.domain, e.name)
}

/// Combines the `results.json` of several shards (or runs) into one in `out`.
pub fn merge(dirs: &[PathBuf], out: &Path) -> anyhow::Result<ExitCode> {
    let mut tasks: Vec<TaskResult> = Vec::new();
    let mut policy = String::new();
    let mut suites = Vec::new();
    for dir in dirs {
        let path = dir.join(RESULTS_FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let r: Results = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a deskhand results file", path.display()))?;
        if !policy.is_empty() && r.policy != policy {
            bail!(
                "{} ran policy {} and the others {policy}",
                path.display(),
                r.policy
            );
        }
        policy = r.policy;
        suites.push(r.suite);
        for mut t in r.tasks {
            t.run_dir = dir.join(&t.run_dir).display().to_string();
            tasks.retain(|o| !(o.domain == t.domain && o.id == t.id));
            tasks.push(t);
        }
    }
    suites.dedup();
    let results = Results {
        suite: suites.join(", "),
        policy,
        shard: None,
        summary: Summary::of(&tasks),
        tasks,
    };
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    result::write_json_atomic(&out.join(RESULTS_FILE), &results)?;
    print_table(&results);
    println!("results: {}", out.join(RESULTS_FILE).display());
    Ok(ExitCode::SUCCESS)
}
