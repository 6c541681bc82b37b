//! `deskhand run`: flags in, a [`crate::session::RunPlan`] out, its events printed.

use super::args::{AgentArgs, DisplayArgs, LaunchArgs};
use crate::session::{self, DEFAULT_SCREEN, PolicyKind, Printer, RunPlan};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Run a policy on a display.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// What to do, in words (for model policies; recorded as the run's task).
    #[arg(value_name = "INSTRUCTION")]
    pub instruction: Option<String>,
    /// Which policy decides the actions [default: script].
    #[arg(long, value_enum)]
    pub policy: Option<PolicyKind>,
    /// For `--policy script`: a JSON file holding a list of actions.
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Where.
    #[command(flatten)]
    pub display: DisplayArgs,
    /// The run directory [default: runs/<time>-<policy>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// For `--policy replay`: the run directory whose model calls to replay.
    #[arg(long, value_name = "RUN_DIR")]
    pub replay_from: Option<PathBuf>,
    /// Model settings, limits and configuration.
    #[command(flatten)]
    pub agent: AgentArgs,
    /// Print every event as one JSON line on stdout.
    #[arg(long)]
    pub json: bool,
    /// Programs to start first.
    #[command(flatten)]
    pub launch: LaunchArgs,
}

pub(super) fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let config = args.agent.config()?;
    let mut choice = args.agent.choice(args.policy);
    choice.script = args.script.clone();
    choice.replay_from = args.replay_from.clone();
    // Check the policy's input before touching any display: bad input costs nothing.
    let spec = session::resolve::run_spec(&choice, &config)?;
    session::preflight(&spec, args.instruction.as_deref())?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| session::default_run_dir(spec.name()));
    let plan = RunPlan {
        display: args.display.choice(false, DEFAULT_SCREEN),
        spec,
        instruction: args.instruction.clone(),
        out,
        launch: args.launch.launch.clone(),
        limits: args.agent.limits(&config),
    };
    run_plan(plan, args.json)
}

/// Runs a plan, printing its events (also `deskhand replay` onto a display).
pub(super) fn run_plan(plan: RunPlan, json: bool) -> anyhow::Result<ExitCode> {
    let out = plan.out.clone();
    if !json {
        println!("run directory: {}", out.display());
    }
    let mut printer = Printer::new(json);
    let outcome = session::run(plan, &mut |r| printer.print(r))?;
    if !json {
        println!(
            "trajectory: {}",
            out.join(crate::trajectory::TRAJECTORY_FILE).display()
        );
    }
    Ok(session::exit_code(outcome.end.status, outcome.interrupted))
}
