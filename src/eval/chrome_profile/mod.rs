//! Chromium's profile on disk: the getters that read it and the steps that write it.

use super::env::TaskEnv;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::chrome_profile::{ProfileGetter, ProfileStep};

/// Why a profile step or getter failed. One sentence each; the cause, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {}

/// Runs a profile setup step.
pub fn run_step(env: &mut TaskEnv<'_>, step: &ProfileStep) -> Result<(), ProfileError> {
    let _ = env;
    match *step {}
}

/// Runs a profile getter.
pub fn get(env: &mut TaskEnv<'_>, getter: &ProfileGetter) -> Result<Got, ProfileError> {
    let _ = env;
    match *getter {}
}
