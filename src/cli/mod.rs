//! The `deskhand` command line.

pub mod args;
mod eval;
mod ocr;
mod record;
mod replay;
mod resume;
mod run;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub use run::RunArgs;

/// deskhand drives a desktop the way a person does: it looks at the screen, decides, clicks and
/// types, and writes every step down.
#[derive(Debug, Parser)]
#[command(name = "deskhand", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a policy on a display, writing a trajectory.
    Run(RunArgs),
    /// Send a message to a running agent; it joins the policy's next turn.
    Steer {
        /// The run directory of the running agent.
        run_dir: std::path::PathBuf,
        /// The message.
        message: String,
    },
    /// Ask a running agent to stop (as Ctrl-C would).
    Stop {
        /// The run directory of the running agent.
        run_dir: std::path::PathBuf,
    },
    /// Time the step pipeline (capture, encode, click, type) against the peers, side by side.
    Bench(crate::bench::BenchArgs),
    /// Run a suite of OSWorld-style tasks on virtual displays, in parallel, and score them.
    Eval(eval::EvalCmd),
    /// Run one task of an eval (started by `deskhand eval`).
    #[command(hide = true)]
    EvalWorker(crate::eval::worker::WorkerArgs),
    /// Make a run showable: a self-contained HTML report, an animated GIF.
    Export(crate::export::ExportArgs),
    /// Go on with a run that was cut off (killed, power lost), from its last completed step.
    Resume(resume::ResumeArgs),
    /// Perform a recorded run's actions again, without a model, checking the screen before each.
    Replay(replay::ReplayArgs),
    /// Read the text on an image or a live screen with on-device OCR.
    Ocr(ocr::OcrArgs),
    /// Record a person's mouse and keyboard as a trajectory that replays like a run.
    Record(record::RecordArgs),
    /// Inspect task files.
    #[command(subcommand)]
    Tasks(TasksCmd),
}

/// `deskhand tasks` subcommands.
#[derive(Debug, Subcommand)]
pub enum TasksCmd {
    /// Report, per task, whether deskhand supports everything it needs, and a table per domain.
    Check {
        /// A suite folder, OSWorld's folder, an index file or a task file.
        dir: std::path::PathBuf,
        /// Print one JSON object per task instead of a table.
        #[arg(long)]
        json: bool,
        /// Count files from URLs that are neither cached nor mirrored as problems.
        #[arg(long)]
        offline: bool,
        /// Read defaults from this file [default: ./deskhand.toml, else
        /// ~/.config/deskhand/deskhand.toml].
        #[arg(long, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
        /// Override a configuration key, like `-c files.mirror="PREFIX=DIR"` (may be repeated).
        #[arg(short = 'c', value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Fill the file cache with every file the suite's tasks name by URL (for `eval --offline`).
    Fetch {
        /// A suite folder, OSWorld's folder, an index file or a task file.
        dir: std::path::PathBuf,
        /// Print one JSON object per URL instead of a line.
        #[arg(long)]
        json: bool,
        /// Read defaults from this file [default: ./deskhand.toml, else
        /// ~/.config/deskhand/deskhand.toml].
        #[arg(long, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
        /// Override a configuration key, like `-c files.mirror="PREFIX=DIR"` (may be repeated).
        #[arg(short = 'c', value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
}

/// Runs a parsed command line and returns the process's exit code.
pub fn main(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Steer { run_dir, message } => {
            crate::control::send(
                &run_dir,
                &crate::control::Request::UserMessage { text: message },
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Stop { run_dir } => {
            crate::control::send(&run_dir, &crate::control::Request::Stop)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => crate::bench::run(args).map(|()| ExitCode::SUCCESS),
        Command::Eval(cmd) => eval::run(cmd),
        Command::EvalWorker(args) => crate::eval::worker::run(args),
        Command::Export(args) => crate::export::run(args),
        Command::Ocr(args) => ocr::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Resume(args) => resume::run(args),
        Command::Record(args) => record::run(args),
        Command::Tasks(TasksCmd::Check {
            dir,
            json,
            offline,
            config,
            set,
        }) => {
            let config = crate::config::load(config.as_deref(), &set)?;
            let files = crate::files::FilesOptions::from_config(&config, offline)?;
            crate::eval::check::run(&dir, json, offline, &files)
        }
        Command::Tasks(TasksCmd::Fetch {
            dir,
            json,
            config,
            set,
        }) => {
            let config = crate::config::load(config.as_deref(), &set)?;
            let files = crate::files::FilesOptions::from_config(&config, false)?;
            crate::eval::fetch::run(&dir, json, &files)
        }
    }
}
