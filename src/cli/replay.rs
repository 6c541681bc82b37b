//! `deskhand replay RUN_DIR`: a recorded run performed again without a model (see
//! [`crate::replay`]). A run that came from a task is replayed in a fresh environment: the
//! task's setup runs first on a new virtual display, and the end state is scored.

use super::args::{DisplayArgs, LaunchArgs};
use crate::eval::{Actor, EvalOptions};
use crate::policy::PolicySpec;
use crate::replay::recorded;
use crate::session::{self, Limits, PolicyKind, RunPlan};
use anyhow::{Context, bail};
use clap::Args;
use deskhand_actions::Size;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Replay a recorded run.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recorded run directory (holding trajectory.jsonl and frames/).
    pub run_dir: PathBuf,
    /// Where: a private virtual display by default (the recorded screen's size); with
    /// `--display`, an existing one as it is (no task setup).
    #[command(flatten)]
    pub display: DisplayArgs,
    /// The task the run came from: its setup runs first and the end state is scored [default:
    /// the task.json next to the run directory, when it is the recorded task].
    #[arg(long, value_name = "FILE", conflicts_with_all = ["display", "launch"])]
    pub task: Option<PathBuf>,
    /// The replay's own run directory [default: runs/<time>-replay].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print every event as one JSON line on stdout.
    #[arg(long)]
    pub json: bool,
    /// Programs to start first.
    #[command(flatten)]
    pub launch: LaunchArgs,
}

/// Runs `deskhand replay`.
pub fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let rec = recorded::read(&args.run_dir)
        .map_err(|e| anyhow::anyhow!("cannot replay {}: {e}", args.run_dir.display()))?;
    if rec.actions.is_empty() {
        bail!(
            "{} recorded no action that went through: nothing to replay",
            args.run_dir.display()
        );
    }
    let recorded_screen = Size::new(rec.screen.0, rec.screen.1);
    let task = match &args.task {
        Some(t) => Some(t.clone()),
        None if args.display.display.is_none() => neighbour_task(&args.run_dir, &rec),
        None => None,
    };
    if let Some(task) = task {
        if !task.is_file() {
            bail!("task file {} does not exist", task.display());
        }
        return crate::eval::run(EvalOptions {
            suite: task,
            jobs: Some(1),
            actor: Actor {
                kind: PolicyKind::Replay,
                model: None,
                demo: Some(args.run_dir.clone()),
            },
            out: args.out.clone(),
            resume: false,
            shard: None,
            screen: args.display.screen.unwrap_or(recorded_screen),
            task_timeout: Duration::from_secs(600),
            limits: Limits::default(),
            launch: Vec::new(),
            html: None,
            json: args.json,
            files: crate::files::FilesOptions::default(),
            chrome_args: Vec::new(),
        });
    }
    if rec.task.as_ref().is_some_and(|t| t.id != "adhoc") && args.display.display.is_none() {
        eprintln!(
            "deskhand: the run came from task {:?}, but no task file was found next to it; replaying without its setup (pass --task FILE to set it up and score it)",
            rec.task.as_ref().map(|t| t.id.as_str()).unwrap_or_default()
        );
    }
    let plan = RunPlan {
        display: args.display.choice(true, recorded_screen),
        spec: PolicySpec::Actions {
            from: args.run_dir.clone(),
        },
        instruction: None,
        out: args
            .out
            .clone()
            .unwrap_or_else(|| session::default_run_dir(crate::replay::POLICY_NAME)),
        launch: args.launch.launch.clone(),
        limits: Limits::default(),
    };
    super::run::run_plan(plan, args.json)
        .with_context(|| format!("replaying {}", args.run_dir.display()))
}

/// `RUN_DIR/../task.json` when it is the task the run recorded (a bundled task's `demo/`).
fn neighbour_task(run_dir: &Path, rec: &recorded::Recorded) -> Option<PathBuf> {
    let id = &rec.task.as_ref()?.id;
    let dir = std::fs::canonicalize(run_dir).ok()?;
    let file = dir.parent()?.join("task.json");
    let task = deskhand_tasks::Task::from_file(&file).ok()?;
    (&task.id == id).then_some(file)
}
