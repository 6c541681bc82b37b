//! `deskhand resume RUN_DIR`: see [`crate::resume`].

use super::run::AgentArgs;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Go on with a run that was cut off.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The run directory of the run that was cut off.
    pub run_dir: PathBuf,
    /// The display the run's apps are on, when it is not the recorded name.
    #[arg(long, value_name = ":N")]
    pub display: Option<String>,
    /// Print every event as one JSON line on stdout.
    #[arg(long)]
    pub json: bool,
    /// For an action cut off while its input was being sent, when the screen has changed
    /// since: `done` (it happened) or `again` (perform it). Without it, resume asks on a
    /// terminal, and stops elsewhere.
    #[arg(long, value_enum, value_name = "done|again")]
    pub cut_off_action: Option<crate::resume::CutOff>,
    /// Model settings and limits (default: the recorded ones).
    #[command(flatten)]
    pub agent: AgentArgs,
}

/// Runs `deskhand resume`.
pub fn run(args: ResumeArgs) -> anyhow::Result<ExitCode> {
    crate::resume::run(crate::resume::ResumeOptions {
        run_dir: args.run_dir,
        display: args.display,
        json: args.json,
        agent: args.agent,
        cut_off_action: args.cut_off_action,
    })
}
