//! `deskhand record`: flags in, [`crate::record::RecordOptions`] out.

use super::args::{DisplayArgs, LaunchArgs};
use crate::session::DEFAULT_SCREEN;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Record a person's mouse and keyboard.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The display to record (a virtual one's name is printed so a viewer can connect).
    #[command(flatten)]
    pub display: DisplayArgs,
    /// The run directory to write.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The key chord that stops the recording (never recorded itself).
    #[arg(long, value_name = "CHORD", default_value = "ctrl+alt+q")]
    pub stop_key: String,
    /// Programs to start first.
    #[command(flatten)]
    pub launch: LaunchArgs,
}

/// Runs `deskhand record`.
pub fn run(args: RecordArgs) -> anyhow::Result<ExitCode> {
    crate::record::run(crate::record::RecordOptions {
        display: args.display.choice(false, DEFAULT_SCREEN),
        out: args.out,
        stop_key: args.stop_key,
        launch: args.launch.launch,
    })
}
