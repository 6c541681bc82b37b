//! `deskhand replay RUN_DIR`: a recorded run performed again without a model (see
//! [`crate::replay`]). A run that came from a task is replayed in a fresh environment: the
//! task's setup runs first on a new virtual display, and the end state is scored.

use super::run::{Plan, RunArgs, run_planned};
use crate::eval::{EvalArgs, EvalCmd, EvalPolicy};
use crate::replay::recorded;
use anyhow::{Context, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Replay a recorded run.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recorded run directory (holding trajectory.jsonl and frames/).
    pub run_dir: PathBuf,
    /// Replay onto this existing X display, as it is (no task setup).
    #[arg(long, value_name = ":N", conflicts_with = "virtual_display")]
    pub display: Option<String>,
    /// Replay onto a private virtual display (the default when the run came from a task).
    #[arg(long = "virtual", id = "virtual_display")]
    pub virtual_display: bool,
    /// The virtual display's size [default: the recorded screen's].
    #[arg(long, value_name = "WxH")]
    pub screen: Option<String>,
    /// The task the run came from: its setup runs first and the end state is scored [default:
    /// the task.json next to the run directory, when it is the recorded task].
    #[arg(long, value_name = "FILE", conflicts_with = "display")]
    pub task: Option<PathBuf>,
    /// The replay's own run directory [default: runs/<time>-replay].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print every event as one JSON line on stdout.
    #[arg(long)]
    pub json: bool,
    /// Start this program on the display first and wait for its window (may be repeated).
    #[arg(long, value_name = "COMMAND", conflicts_with = "task")]
    pub launch: Vec<String>,
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
    let screen = args
        .screen
        .clone()
        .unwrap_or_else(|| format!("{}x{}", rec.screen.0, rec.screen.1));
    let task = match &args.task {
        Some(t) => Some(t.clone()),
        None if args.display.is_none() => neighbour_task(&args.run_dir, &rec),
        None => None,
    };
    if let Some(task) = task {
        if !task.is_file() {
            bail!("task file {} does not exist", task.display());
        }
        let eval = EvalArgs {
            suite: Some(task),
            jobs: Some(1),
            policy: EvalPolicy::Replay,
            out: args.out.clone(),
            resume: false,
            shard: None,
            screen,
            task_timeout: 600,
            demo: Some(args.run_dir.clone()),
            html: None,
            agent: Default::default(),
        };
        return crate::eval::main(EvalCmd {
            sub: None,
            args: eval,
        });
    }
    if rec.task.as_ref().is_some_and(|t| t.id != "adhoc") && args.display.is_none() {
        eprintln!(
            "deskhand: the run came from task {:?}, but no task file was found next to it; replaying without its setup (pass --task FILE to set it up and score it)",
            rec.task.as_ref().map(|t| t.id.as_str()).unwrap_or_default()
        );
    }
    let run_args = RunArgs {
        instruction: None,
        policy: None,
        script: None,
        display: args.display.clone(),
        virtual_display: args.virtual_display || args.display.is_none(),
        screen,
        out: args.out.clone(),
        replay_from: None,
        agent: Default::default(),
        json: args.json,
        launch: args.launch.clone(),
    };
    run_planned(run_args, Plan::Actions(args.run_dir.clone()))
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
