//! deskhand: a computer-use agent. It captures the screen, asks a policy what to do, performs
//! the actions with real input, waits for the screen to settle, and writes every step to a
//! trajectory as it goes.
//!
//! - [`agent`]: the loop, as a queue pair (operations in, events out).
//! - [`policy`]: the `Policy` trait, the providers, and [`policy::PolicySpec`].
//! - [`trajectory`]: the run directory format, its writer and loader.
//! - [`display`]: existing and private virtual X displays.
//! - [`control`]: steering a running agent from another process.
//! - [`record`]: `deskhand record`, a person's input written as a trajectory.
//! - [`session`]: the layer below the command line: a policy spec, a display and limits
//!   made into a running agent (`run`, `resume`, `replay`, eval workers).
//! - [`files`]: files named by URLs, in a content cache or a mirror.
//! - [`cli`]: the `deskhand` command.

pub mod agent;
pub mod bench;
pub mod cli;
pub mod config;
pub mod control;
pub mod display;
pub mod eval;
pub mod export;
pub mod files;
pub mod policy;
pub mod record;
pub mod replay;
pub mod resume;
pub mod session;
pub mod trajectory;
