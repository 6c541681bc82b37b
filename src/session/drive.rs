//! Runs the agent on a display: its parts put together, its events handed to a sink (the
//! printer), Ctrl-C and SIGTERM turned into stop requests, and `deskhand steer` listened to.

use crate::agent::{Agent, AgentConfig, Op, Resumed};
use crate::display::Display;
use crate::policy::Policy;
use crate::trajectory::{Record, SessionEnd, TrajectoryWriter};
use anyhow::Context;
use deskhand_actions::EnigoDriver;
use std::path::Path;

/// How a session's agent ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The trajectory's `session_end`.
    pub end: SessionEnd,
    /// Whether Ctrl-C or SIGTERM stopped it.
    pub interrupted: bool,
}

/// Runs `policy` on `display` until the run ends, writing the trajectory with `writer`
/// (a new one, or a reopened one with `resumed` saying where to go on) and giving each event
/// to `sink` after it is written.
pub fn run_agent(
    display: &Display,
    policy: Box<dyn Policy>,
    writer: TrajectoryWriter,
    config: AgentConfig,
    resumed: Option<Resumed>,
    sink: &mut dyn FnMut(&Record),
) -> anyhow::Result<Outcome> {
    let out = writer.dir().to_owned();
    let source = deskhand_vision::open_screen(Some(display.name()))?;
    let driver = EnigoDriver::connect(Some(display.name()))?;
    let focus = crate::agent::Focus::connect(display.name());
    let mut agent = Agent::new(config, source, driver, policy, writer).with_focus(focus);
    if let Some(state) = resumed {
        agent = agent.resuming(state);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(drive(agent, &out, sink))
}

async fn drive<D: deskhand_actions::InputDriver + 'static>(
    agent: Agent<D>,
    run_dir: &Path,
    sink: &mut dyn FnMut(&Record),
) -> anyhow::Result<Outcome> {
    // Listen for signals before the agent starts, and keep one listener for the whole run: a
    // listener made after a signal arrived would never see it.
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigint = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    let mut sigterm = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut running = agent.spawn();
    let control = crate::control::ControlServer::start(run_dir, running.ops.clone())
        .context("cannot open the control socket for deskhand steer")?;
    let mut interrupted = false;
    loop {
        tokio::select! {
            ev = running.events.recv() => match ev {
                Some(record) => sink(&record),
                None => break,
            },
            _ = sigint.recv(), if !interrupted => {
                interrupted = true;
                let _ = running.ops.send(Op::Stop { reason: "interrupted by Ctrl-C".into() });
            }
            _ = sigterm.recv(), if !interrupted => {
                interrupted = true;
                let _ = running.ops.send(Op::Stop { reason: "terminated (SIGTERM)".into() });
            }
        }
    }
    drop(control);
    let end = running.done.await.context("the agent task failed")??;
    Ok(Outcome { end, interrupted })
}
