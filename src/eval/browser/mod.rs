//! The live browser a task drives: Chromium started for OSWorld's `google-chrome` launch
//! commands, with a DevTools port deskhand owns; the browser setup steps and getters.

use super::env::TaskEnv;
use deskhand_tasks::CommandLine;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::browser::{BrowserGetter, BrowserStep};

/// The browser of one task, once a setup step started it.
#[derive(Debug, Default)]
pub struct State {}

/// Why a browser step or getter failed. One sentence each; the cause, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrowserError {}

/// What a `launch` step runs instead of its command as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Launch {
    /// The command as written.
    Keep,
    /// This command instead.
    Replace {
        /// The command.
        command: CommandLine,
        /// Run through `sh -c`.
        shell: bool,
    },
    /// Nothing: the step's purpose is served by deskhand itself.
    Skip,
}

/// What runs for a `launch` step's command.
pub fn rewrite_launch(env: &mut TaskEnv<'_>, command: &CommandLine, shell: bool) -> Launch {
    let _ = (env, command, shell);
    Launch::Keep
}

/// Runs a browser setup step.
pub fn run_step(env: &mut TaskEnv<'_>, step: &BrowserStep) -> Result<(), BrowserError> {
    let _ = env;
    match *step {}
}

/// Runs a browser getter.
pub fn get(env: &mut TaskEnv<'_>, getter: &BrowserGetter) -> Result<Got, BrowserError> {
    let _ = env;
    match *getter {}
}
