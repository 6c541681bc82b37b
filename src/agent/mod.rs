//! The agent: the capture → decide → act → settle loop of DESIGN.md, as a queue pair.
//!
//! Operations go in on one channel ([`Op`]: a user message, a stop request); events come out on
//! another, as the [`Record`]s written to the trajectory. The trajectory writer is the agent's
//! own (one writer); the terminal printer and the `--json` stream read the same records after
//! they are on disk.

mod eyes;
mod focus;
mod hands;
mod run;
#[cfg(test)]
mod tests;

pub use eyes::Eyes;
pub use focus::Focus;
pub use hands::HandsWorker;
pub use run::Resumed;

use crate::policy::Policy;
use crate::trajectory::{Record, SessionEnd, TrajectoryError, TrajectoryWriter};
use deskhand_actions::{InputDriver, Size};
use deskhand_tasks::TaskRef;
use deskhand_vision::{ScreenSource, SettleOptions};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// An operation sent to a running agent.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A message from the person steering; it joins the next model turn.
    UserMessage(String),
    /// Stop now: interrupt the current action, release everything held, end the run.
    Stop {
        /// Why, for the trajectory (e.g. "interrupted by Ctrl-C").
        reason: String,
    },
}

/// What the loop needs to know besides its parts.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The X display name, recorded in `session_meta`.
    pub display: String,
    /// The screen size; actions are checked against it before they are sent.
    pub screen: Size,
    /// The step limit.
    pub max_steps: u32,
    /// Stop before asking the policy again once its calls have cost this much (US dollars).
    pub max_cost_usd: Option<f64>,
    /// How to wait for the screen after each action.
    pub settle: SettleOptions,
    /// The task, if the run works on one.
    pub task: Option<TaskRef>,
    /// The policy's full spec, recorded in `session_meta` so the run can be read back.
    pub spec: Option<crate::policy::PolicySpec>,
}

/// Why the agent could not run at all (as opposed to a run that ended in `error`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// The trajectory could not be written; nothing more can be done safely.
    #[error(transparent)]
    Trajectory(#[from] TrajectoryError),
}

/// The agent, ready to run.
pub struct Agent<D: InputDriver + 'static> {
    config: AgentConfig,
    eyes: Eyes,
    hands: HandsWorker<D>,
    policy: Box<dyn Policy>,
    writer: TrajectoryWriter,
    focus: Option<Focus>,
    resumed: Option<Resumed>,
}

/// A running agent: send it operations, read its events, await its end.
#[derive(Debug)]
pub struct Running {
    /// Operations in.
    pub ops: mpsc::UnboundedSender<Op>,
    /// Events out, after each is written to the trajectory.
    pub events: mpsc::UnboundedReceiver<Record>,
    /// The run's end.
    pub done: JoinHandle<Result<SessionEnd, AgentError>>,
}

impl<D: InputDriver + 'static> Agent<D> {
    /// Puts the parts together.
    pub fn new(
        config: AgentConfig,
        screen: Box<dyn ScreenSource>,
        driver: D,
        policy: Box<dyn Policy>,
        writer: TrajectoryWriter,
    ) -> Agent<D> {
        Agent {
            config,
            eyes: Eyes::new(screen),
            hands: HandsWorker::new(driver),
            policy,
            writer,
            focus: None,
            resumed: None,
        }
    }

    /// Goes on with a run that was cut off: no `session_meta` is written (the trajectory has
    /// one), and the loop starts from `state`.
    pub fn resuming(mut self, state: Resumed) -> Agent<D> {
        self.resumed = Some(state);
        self
    }

    /// Records the focused window with each observation (and shows it to the policy).
    pub fn with_focus(mut self, focus: Option<Focus>) -> Agent<D> {
        self.focus = focus;
        self
    }

    /// Starts the loop on the tokio runtime.
    pub fn spawn(self) -> Running {
        let (ops_tx, ops_rx) = mpsc::unbounded_channel();
        let (ev_tx, ev_rx) = mpsc::unbounded_channel();
        let done = tokio::spawn(run::run(self, ops_rx, ev_tx));
        Running {
            ops: ops_tx,
            events: ev_rx,
            done,
        }
    }
}
