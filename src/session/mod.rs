//! The session layer: what `run`, `replay`, `resume`, `record` and `eval`'s workers share
//! below the command line. It turns a [`PolicySpec`] (resolved once from flags, configuration
//! and environment by [`resolve`]) plus a [`DisplayChoice`] and [`Limits`] into a running
//! agent, and hands its events to a sink.
//!
//! - [`resolve`]: `--policy`, model flags, `deskhand.toml` and `-c` into one [`PolicySpec`];
//!   a recorded spec with new flags laid over it (resume).
//! - [`build`]: a spec made into a [`crate::policy::Policy`] for a screen.
//! - [`display`]: opening the display a command asked for, and `--launch`.
//! - [`drive`]: the agent run on a display, signals and the control socket.
//! - [`printer`]: events as readable lines or JSON lines.
//!
//! The spec is written whole into `session_meta` (field `spec`), so whoever reads a run back
//! builds exactly the policy that made it. Nothing here imports `crate::cli`.

pub mod build;
pub mod display;
pub mod drive;
pub mod printer;
pub mod resolve;

pub use build::{build_policy, build_policy_with, preflight};
pub use display::{DEFAULT_SCREEN, DisplayChoice, Launched};
pub use drive::{Outcome, run_agent};
pub use printer::Printer;
pub use resolve::{Choice, PolicyKind, ResolveError};

use crate::agent::AgentConfig;
use crate::policy::PolicySpec;
use crate::trajectory::{EndStatus, TrajectoryWriter};
use deskhand_vision::SettleOptions;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The default step limit.
pub const DEFAULT_MAX_STEPS: u32 = 50;

/// How far a run may go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Steps at most.
    pub max_steps: u32,
    /// Stop before the next model call once this much (US dollars) is spent.
    pub max_cost_usd: Option<f64>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_steps: DEFAULT_MAX_STEPS,
            max_cost_usd: None,
        }
    }
}

/// One agent run on a display (`deskhand run`, `deskhand replay` onto a display).
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// Where.
    pub display: DisplayChoice,
    /// Who decides.
    pub spec: PolicySpec,
    /// What to do, in words (recorded as an ad-hoc task).
    pub instruction: Option<String>,
    /// The run directory.
    pub out: PathBuf,
    /// Programs to start on the display first.
    pub launch: Vec<String>,
    /// How far it may go.
    pub limits: Limits,
}

/// Runs a plan: opens the display, builds the policy, starts the `--launch` programs, runs
/// the agent giving each event to `sink`, and stops the programs again.
pub fn run(
    plan: RunPlan,
    sink: &mut dyn FnMut(&crate::trajectory::Record),
) -> anyhow::Result<Outcome> {
    preflight(&plan.spec, plan.instruction.as_deref())?;
    let display = plan.display.open()?;
    display::point_env_at(&display);
    let screen = display::screen_of(&display)?;
    let policy = build_policy(&plan.spec, screen, &plan.out, plan.instruction.as_deref())?;
    let launched = Launched::start(&display, &plan.launch, &plan.out)?;
    let config = agent_config(
        &display,
        screen,
        &plan.spec,
        plan.limits,
        plan.instruction
            .as_ref()
            .map(|text| deskhand_tasks::TaskRef {
                id: "adhoc".into(),
                instruction: Some(text.clone()),
            }),
    );
    let writer = TrajectoryWriter::create(&plan.out)?;
    let outcome = run_agent(&display, policy, writer, config, None, sink)?;
    drop(launched);
    Ok(outcome)
}

/// The agent's settings for a session.
pub fn agent_config(
    display: &crate::display::Display,
    screen: deskhand_actions::Size,
    spec: &PolicySpec,
    limits: Limits,
    task: Option<deskhand_tasks::TaskRef>,
) -> AgentConfig {
    AgentConfig {
        display: display.name().to_owned(),
        screen,
        max_steps: limits.max_steps,
        max_cost_usd: limits.max_cost_usd,
        settle: SettleOptions::default(),
        task,
        spec: Some(spec.clone()),
    }
}

/// The exit status of a run that ended so: 0 done, 1 failed or error, 3 stopped, 130 when
/// Ctrl-C or SIGTERM stopped it.
pub fn exit_code(status: EndStatus, interrupted: bool) -> ExitCode {
    match status {
        EndStatus::Done => ExitCode::SUCCESS,
        EndStatus::Stopped if interrupted => ExitCode::from(130),
        EndStatus::Stopped => ExitCode::from(3),
        EndStatus::Failed | EndStatus::Error => ExitCode::FAILURE,
    }
}

/// A new run directory under `runs/`: `<time>-<what>`, numbered when taken.
pub fn default_run_dir(what: &str) -> PathBuf {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
    let stamp = now
        .format(&fmt)
        .unwrap_or_else(|_| now.unix_timestamp().to_string());
    let base = Path::new("runs").join(format!("{stamp}-{what}"));
    let mut dir = base.clone();
    let mut n = 2;
    while dir.exists() {
        dir = PathBuf::from(format!("{}-{n}", base.display()));
        n += 1;
    }
    dir
}
