//! `deskhand resume RUN_DIR`: see [`crate::resume`].

use super::args::{AgentArgs, DisplayArgs, LaunchArgs};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Go on with a run that was cut off.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The run directory of the run that was cut off.
    pub run_dir: PathBuf,
    /// The run's display (only `--display`, when it is not the recorded name).
    #[command(flatten)]
    pub display: DisplayArgs,
    /// Print every event as one JSON line on stdout.
    #[arg(long)]
    pub json: bool,
    /// For an action cut off while its input was being sent, when the screen has changed
    /// since: `done` (it happened) or `again` (perform it). Without it, resume asks on a
    /// terminal, and stops elsewhere.
    #[arg(long, value_enum, value_name = "done|again")]
    pub cut_off_action: Option<crate::resume::CutOff>,
    /// Model settings and limits [default: the recorded ones].
    #[command(flatten)]
    pub agent: AgentArgs,
    /// Programs to start first.
    #[command(flatten)]
    pub launch: LaunchArgs,
}

/// Runs `deskhand resume`.
pub fn run(args: ResumeArgs) -> anyhow::Result<ExitCode> {
    if args.agent.config.is_some() {
        anyhow::bail!(
            "deskhand resume uses the settings the run recorded: --config cannot be used (give changes with -c KEY=VALUE)"
        );
    }
    crate::resume::run(crate::resume::ResumeOptions {
        display: args.display.existing_only("resume")?,
        run_dir: args.run_dir,
        json: args.json,
        choice: args.agent.choice(None),
        overrides: crate::config::from_overrides(&args.agent.set)?,
        max_steps: args.agent.max_steps,
        max_cost: args.agent.max_cost,
        launch: args.launch.launch,
        cut_off_action: args.cut_off_action,
    })
}
