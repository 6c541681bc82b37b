//! `deskhand eval` and `deskhand eval merge`: flags in, [`crate::eval::EvalOptions`] out.

use super::args::{AgentArgs, DisplayArgs, LaunchArgs, parse_shard};
use crate::eval::{Actor, EvalOptions, Shard};
use crate::session::{self, PolicyKind};
use clap::{Args, Subcommand};
use std::path::PathBuf;
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
    /// Who acts: `script` runs each task's solution.json; `replay` each task's recorded
    /// demo, re-grounded; `none` scores the untouched start state; model policies as in
    /// `deskhand run`.
    #[arg(long, value_enum, default_value = "script")]
    pub policy: PolicyKind,
    /// The output folder [default: runs/eval-<time>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Skip tasks that already have a result in --out (errors are run again).
    #[arg(long, requires = "out")]
    pub resume: bool,
    /// Run shard K of N (like 2/4): a fixed part of the tasks, by a stable hash of their ids.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Each task's display (always a private virtual one: `--screen` sets its size).
    #[command(flatten)]
    pub display: DisplayArgs,
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
    /// Print each task's result as one JSON line on stdout as it finishes, then a summary line.
    #[arg(long)]
    pub json: bool,
    /// Take files named by URLs only from the file cache or a mirror (-c files.mirror=
    /// "PREFIX=DIR"); a task naming any other URL ends in an error that names it.
    #[arg(long)]
    pub offline: bool,
    /// Model settings.
    #[command(flatten)]
    pub agent: AgentArgs,
    /// Programs to start on each task's display before its setup.
    #[command(flatten)]
    pub launch: LaunchArgs,
}

/// Runs `deskhand eval …`.
pub fn run(cmd: EvalCmd) -> anyhow::Result<ExitCode> {
    match cmd.sub {
        Some(EvalSub::Merge { dirs, out }) => crate::eval::merge(&dirs, &out),
        None => crate::eval::run(options(cmd.args)?),
    }
}

fn options(args: EvalArgs) -> anyhow::Result<EvalOptions> {
    let suite = args.suite.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "deskhand eval needs a SUITE: a suite folder, OSWorld's folder or a task file"
        )
    })?;
    let screen = args.display.own_virtual("eval")?;
    let config = args.agent.config()?;
    let model = match args.policy {
        PolicyKind::Anthropic
        | PolicyKind::Openai
        | PolicyKind::Gemini
        | PolicyKind::OpenaiCompat => {
            let spec =
                session::resolve::model_spec(args.policy, &args.agent.choice(None), &config)?;
            // Every task has an instruction; check the key before starting any.
            session::preflight(&spec, Some("-"))?;
            Some(spec)
        }
        PolicyKind::Script | PolicyKind::Replay | PolicyKind::None => None,
    };
    Ok(EvalOptions {
        suite,
        jobs: args.jobs,
        actor: Actor {
            kind: args.policy,
            model,
            demo: args.demo,
        },
        out: args.out,
        resume: args.resume,
        shard: args.shard,
        screen,
        task_timeout: Duration::from_secs(args.task_timeout.max(1)),
        limits: args.agent.limits(&config),
        launch: args.launch.launch,
        html: args.html,
        json: args.json,
        files: crate::files::FilesOptions::from_config(&config, args.offline)?,
        chrome_args: config.chrome.args.clone(),
    })
}
