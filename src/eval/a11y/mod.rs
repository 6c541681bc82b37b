//! The accessibility tree of the task's desktop, read over AT-SPI from the task's own D-Bus
//! session.

use super::env::TaskEnv;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::a11y::A11yGetter;

/// Why an accessibility getter failed. One sentence each; the cause, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum A11yError {}

/// Runs an accessibility getter.
pub fn get(env: &mut TaskEnv<'_>, getter: &A11yGetter) -> Result<Got, A11yError> {
    let _ = env;
    match *getter {}
}
