//! Getters on the desktop itself and other apps' settings.

use super::env::TaskEnv;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::system::SystemGetter;

/// Why a system getter failed. One sentence each; the cause, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SystemError {}

/// Runs a system getter.
pub fn get(env: &mut TaskEnv<'_>, getter: &SystemGetter) -> Result<Got, SystemError> {
    let _ = env;
    match *getter {}
}
