//! `deskhand eval`: runs a suite of OSWorld-style tasks, each in its own worker process on its
//! own virtual display, several at once, and scores them as OSWorld does.
//!
//! The output folder holds one run directory per task (`<domain>/<id>/`: trajectory, frames,
//! `setup.log`, `worker.log`, `cache/` with the scored files, `result.json`) and
//! `results.json` with the table; [`result`] documents both formats.

pub mod check;
mod env;
mod getters;
mod pool;
pub mod result;
mod setup;
pub mod worker;

pub use crate::cli::run::AgentArgs;
use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use deskhand_tasks::suite::{self, Entry};
use result::{RESULT_FILE, RESULTS_FILE, Results, Status, Summary, TaskResult, print_table};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// `deskhand eval`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EvalCmd {
    /// `merge` combines shards' results.
    #[command(subcommand)]
    pub sub: Option<EvalSub>,
    /// Run a suite.
    #[command(flatten)]
    pub args: EvalArgs,
}

/// `deskhand eval` subcommands.
#[derive(Debug, Subcommand)]
pub enum EvalSub {
    /// Combine the results.json of several shards (or runs) into one.
    Merge {
        /// Output folders of `deskhand eval --shard K/N` runs.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the merged results.json.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// Run a suite of tasks and score them.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A suite folder (`<name>/task.json`), OSWorld's layout (`examples/<domain>/<id>.json`),
    /// an index such as test_all.json, or one task file.
    #[arg(value_name = "SUITE")]
    pub suite: Option<PathBuf>,
    /// Tasks at once [default: what the machine holds: one per core, 1.5 GB of free memory each].
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,
    /// Who acts: `script` runs each task's solution.json; `none` scores the untouched start
    /// state; model policies as in `deskhand run`.
    #[arg(long, value_enum, default_value = "script")]
    pub policy: EvalPolicy,
    /// The output folder [default: runs/eval-<time>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Skip tasks that already have a result in --out (errors are run again).
    #[arg(long, requires = "out")]
    pub resume: bool,
    /// Run shard K of N (like 2/4): a fixed part of the tasks, by a stable hash of their ids.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Each task's screen size.
    #[arg(long, value_name = "WxH", default_value = "1280x800")]
    pub screen: String,
    /// A task taking longer than this many seconds is stopped and recorded as an error.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub task_timeout: u64,
    /// For `--policy replay`: replay this recorded run in every task instead of each task's
    /// own `demo/`.
    #[arg(long, value_name = "RUN_DIR")]
    pub demo: Option<PathBuf>,
    /// Also write one self-contained HTML report of every task's run and score.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Model settings.
    #[command(flatten)]
    pub agent: AgentArgs,
}

/// Who acts in an evaluated task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalPolicy {
    /// The task's solution.json.
    Script,
    /// Nobody: the start state is scored (it should score 0).
    None,
    /// Anthropic's Messages API (ANTHROPIC_API_KEY).
    Anthropic,
    /// OpenAI's Responses API (OPENAI_API_KEY).
    Openai,
    /// An OpenAI-compatible chat server.
    OpenaiCompat,
    /// Each task's recorded demo (`demo/`), replayed without a model, re-grounded on the screen.
    Replay,
}

impl EvalPolicy {
    fn name(self) -> &'static str {
        match self {
            EvalPolicy::Script => "script",
            EvalPolicy::None => "none",
            EvalPolicy::Anthropic => "anthropic",
            EvalPolicy::Openai => "openai",
            EvalPolicy::OpenaiCompat => "openai-compat",
            EvalPolicy::Replay => "replay",
        }
    }
}

/// Runs `deskhand eval …`.
pub fn main(cmd: EvalCmd) -> anyhow::Result<ExitCode> {
    match cmd.sub {
        Some(EvalSub::Merge { dirs, out }) => merge(&dirs, &out),
        None => run(cmd.args),
    }
}

fn parse_shard(s: &str) -> anyhow::Result<(usize, usize)> {
    let bad = || anyhow::anyhow!("bad --shard '{s}': expected K/N with 1 ≤ K ≤ N, like 2/4");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
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

fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let suite_path = args
        .suite
        .clone()
        .context("deskhand eval needs a SUITE: a suite folder, OSWorld's folder or a task file")?;
    crate::display::VirtualOptions::parse_size(&args.screen)?;
    let mut entries = suite::discover(&suite_path)?;
    if let Some(s) = &args.shard {
        let (k, n) = parse_shard(s)?;
        entries = suite::shard(entries, k, n);
    }
    let out = args.out.clone().unwrap_or_else(default_out);
    if !args.resume && out.join(RESULTS_FILE).exists() {
        bail!(
            "{} already holds results: pass --resume to go on with them, or another --out",
            out.display()
        );
    }
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let jobs = args.jobs.unwrap_or_else(default_jobs).max(1);

    let mut done: Vec<Option<TaskResult>> = vec![None; entries.len()];
    let mut todo: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let dir = out.join(rel_dir(e));
        match TaskResult::read(&dir.join(RESULT_FILE)) {
            Some(r) if args.resume && r.status != Status::Error => done[i] = Some(r),
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
        policy: args.policy,
        screen: &args.screen,
        agent: &args.agent,
        demo: args.demo.as_deref(),
        timeout: Duration::from_secs(args.task_timeout.max(1)),
    };
    let interrupted = pool::run(plan, &mut done)?;

    let tasks: Vec<TaskResult> = done.into_iter().flatten().collect();
    let results = Results {
        suite: suite_path.display().to_string(),
        policy: args.policy.name().to_owned(),
        shard: args.shard.clone(),
        summary: Summary::of(&tasks),
        tasks,
    };
    result::write_json_atomic(&out.join(RESULTS_FILE), &results)?;
    println!();
    print_table(&results);
    println!("results: {}", out.join(RESULTS_FILE).display());
    if let Some(html) = &args.html {
        crate::export::suite_report(&out, &results, html)?;
        println!("report: {}", html.display());
    }
    Ok(if interrupted {
        ExitCode::from(130)
    } else if results.summary.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A task's run directory, relative to the output folder.
fn rel_dir(e: &Entry) -> String {
    format!("{}/{}", e.domain, e.name)
}

fn merge(dirs: &[PathBuf], out: &Path) -> anyhow::Result<ExitCode> {
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
