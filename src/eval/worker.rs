//! One task in its own process (`deskhand eval-worker`, started by `deskhand eval`): a fresh
//! virtual display with its own HOME, D-Bus and app profiles; the setup steps; the agent; the
//! postconfig, getters and metrics; and `RUN_DIR/result.json`. Whatever goes wrong becomes
//! that task's error; the worker itself exits 0 once the result is written.

use super::env::TaskEnv;
use super::result::{RESULT_FILE, Status, TaskResult, Timings};
use super::{getters, setup};
use crate::display::{Display, VirtualDisplay, VirtualOptions};
use crate::policy::PolicySpec;
use crate::session::{self, Limits, Printer};
use crate::trajectory::{EndStatus, TrajectoryWriter};
use anyhow::{Context, anyhow, bail};
use clap::Args;
use deskhand_actions::Size;
use deskhand_tasks::metrics::{self, Got};
use deskhand_tasks::scoring::{combine, decided_by_last_action};
use deskhand_tasks::{Conj, Evaluator, StepAction, Task};
use deskhand_vision::{SettleOptions, settle};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// How long the apps may stay busy after the setup, and after the agent, before the run goes on.
const APPS_IDLE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(15);

/// The recorded demo's folder in a bundled task's folder (a run directory).
pub const DEMO_DIR: &str = "demo";

/// The solution script's name in a bundled task's folder.
pub const SOLUTION_FILE: &str = "solution.json";

/// `deskhand eval-worker`: runs one task (started by `deskhand eval`).
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The task file.
    #[arg(long)]
    pub task: PathBuf,
    /// The task's domain.
    #[arg(long)]
    pub domain: String,
    /// The id the suite gives it.
    #[arg(long)]
    pub name: String,
    /// Its run directory.
    #[arg(long)]
    pub run_dir: PathBuf,
    /// The run directory as recorded in the result (relative to the output folder).
    #[arg(long)]
    pub rel_dir: String,
    /// The screen size.
    #[arg(long, value_parser = session::display::parse_size)]
    pub screen: Size,
    /// The task's policy as a [`PolicySpec`] in JSON; none: nobody acts (`--policy none`).
    #[arg(long, value_name = "JSON", value_parser = parse_spec)]
    pub spec: Option<PolicySpec>,
    /// The step limit.
    #[arg(long, default_value_t = session::DEFAULT_MAX_STEPS)]
    pub max_steps: u32,
    /// The cost cap in US dollars.
    #[arg(long)]
    pub max_cost: Option<f64>,
    /// Programs to start on the display before the setup.
    #[arg(long)]
    pub launch: Vec<String>,
    /// Files named by URLs only from the cache or a mirror.
    #[arg(long)]
    pub offline: bool,
    /// A `PREFIX=DIR` mirror of files named by URLs.
    #[arg(long, value_name = "PREFIX=DIR")]
    pub mirror: Vec<crate::files::Mirror>,
    /// An argument added to every Chromium the task starts.
    #[arg(long, value_name = "ARG", allow_hyphen_values = true)]
    pub chrome_arg: Vec<String>,
}

fn parse_spec(json: &str) -> Result<PolicySpec, serde_json::Error> {
    serde_json::from_str(json)
}

/// Runs the task and writes its result.
pub fn run(args: WorkerArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    std::fs::create_dir_all(&args.run_dir)
        .with_context(|| format!("cannot create {}", args.run_dir.display()))?;
    let mut result = TaskResult {
        id: args.name.clone(),
        domain: args.domain.clone(),
        score: 0.0,
        status: Status::Error,
        steps: 0,
        seconds: 0.0,
        error: None,
        run_dir: args.rel_dir.clone(),
        timings: Timings::default(),
    };
    if let Err(e) = run_task(&args, &mut result) {
        result.status = Status::Error;
        result.score = 0.0;
        result.error = Some(format!("{e:#}"));
    }
    result.seconds = started.elapsed().as_secs_f64();
    result
        .write(&args.run_dir.join(RESULT_FILE))
        .context("cannot write the task's result")?;
    Ok(ExitCode::SUCCESS)
}

fn run_task(args: &WorkerArgs, result: &mut TaskResult) -> anyhow::Result<()> {
    let task = Task::from_file(&args.task)?;
    result.id = task.id.clone();
    let why = task.unsupported();
    if !why.is_empty() {
        result.status = Status::Unsupported;
        result.error = Some(why.join("; "));
        return Ok(());
    }
    let screen = args.screen;
    // Check the policy's input before starting anything.
    if let Some(spec) = &args.spec {
        check_spec(spec, &task)?;
    }

    let t = Instant::now();
    let opts = VirtualOptions {
        width: screen.width,
        height: screen.height,
        ..VirtualOptions::default()
    };
    let display = Display::Virtual(VirtualDisplay::start(&opts)?);
    session::display::point_env_at(&display);
    result.timings.display = t.elapsed().as_secs_f64();
    let _launched = session::Launched::start(&display, &args.launch, &args.run_dir)?;

    let home = display
        .home()
        .ok_or_else(|| anyhow!("the virtual display has no HOME"))?
        .to_owned();
    let cache = args.run_dir.join("cache");
    std::fs::create_dir_all(&cache)?;
    let log = std::fs::File::create(args.run_dir.join("setup.log")).ok();
    let mut env = TaskEnv::new(&display, home, task.dir.clone(), cache, screen, log);
    env.files = Some(
        crate::files::FilesOptions {
            offline: args.offline,
            mirrors: args.mirror.clone(),
        }
        .cache(),
    );
    env.chrome_args = args.chrome_arg.clone();
    let mut eyes = deskhand_vision::open_screen(Some(display.name()))?;

    let t = Instant::now();
    for step in &task.config {
        let s = Instant::now();
        setup::run_step(&mut env, eyes.as_mut(), step).map_err(|e| anyhow!(e))?;
        if matches!(
            step.action,
            StepAction::Launch { .. } | StepAction::Open { .. }
        ) {
            result.timings.app_start += s.elapsed().as_secs_f64();
        }
    }
    // The apps are ready when they stop working, not when their window first shows: the
    // rest of their start-up (LibreOffice loading the document, a page rendering).
    result.timings.app_start += env.wait_apps_idle(APPS_IDLE_DEADLINE).as_secs_f64();
    settle(eyes.as_mut(), None, &SettleOptions::default())?;
    result.timings.setup = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut last_was_fail = false;
    if let Some(spec) = &args.spec {
        let policy = session::build_policy(spec, screen, &args.run_dir, Some(&task.instruction))?;
        let limits = Limits {
            max_steps: args.max_steps,
            max_cost_usd: args.max_cost,
        };
        let config = session::agent_config(
            &display,
            screen,
            spec,
            limits,
            Some(deskhand_tasks::TaskRef {
                id: task.id.clone(),
                instruction: Some(task.instruction.clone()),
            }),
        );
        let writer = TrajectoryWriter::create(&args.run_dir)?;
        // The readable lines go to worker.log (this process's stdout).
        let mut printer = Printer::new(false);
        let outcome = session::run_agent(&display, policy, writer, config, None, &mut |r| {
            printer.print(r)
        })?;
        let end = outcome.end;
        result.steps = end.steps;
        match end.status {
            EndStatus::Failed => last_was_fail = true,
            EndStatus::Error => bail!(
                "the agent's run ended in an error: {}",
                end.message.unwrap_or_default()
            ),
            EndStatus::Done | EndStatus::Stopped => {}
        }
    }
    result.timings.agent = t.elapsed().as_secs_f64();
    if let Some(crash) = env.crashed() {
        bail!("{crash} during the run");
    }

    let t = Instant::now();
    // A file saved by the last action may still be being written.
    env.wait_apps_idle(APPS_IDLE_DEADLINE);
    for step in &task.evaluator.postconfig {
        setup::run_step(&mut env, eyes.as_mut(), step).map_err(|e| anyhow!(e))?;
    }
    result.score = evaluate(&mut env, &task.evaluator, last_was_fail)?;
    result.status = Status::Scored;
    result.timings.evaluate = t.elapsed().as_secs_f64();
    drop(env);
    drop(display);
    Ok(())
}

/// Checks that the task has what its policy reads: its solution, its recorded demo.
fn check_spec(spec: &PolicySpec, task: &Task) -> anyhow::Result<()> {
    match spec {
        PolicySpec::Script { script } if !script.is_file() => bail!(
            "--policy script needs the task's {SOLUTION_FILE}, and {} has none",
            task.dir.display()
        ),
        PolicySpec::Actions { from }
            if !from.join(crate::trajectory::TRAJECTORY_FILE).is_file() =>
        {
            bail!(
                "--policy replay needs a recorded run, and {} has none (record one with `deskhand eval --policy script` and copy its run directory there)",
                from.display()
            )
        }
        _ => Ok(()),
    }
}

/// Scores the end state as OSWorld does: the last action first (infeasible, FAIL), then each
/// metric on its getters' values, combined by `conj` (stopping at the first 0 for "and" and
/// the first 1 for "or").
fn evaluate(env: &mut TaskEnv<'_>, ev: &Evaluator, last_was_fail: bool) -> anyhow::Result<f64> {
    if let Some(score) = decided_by_last_action(&ev.func, last_was_fail) {
        return Ok(score);
    }
    let mut scores = Vec::new();
    for (i, func) in ev.func.iter().enumerate() {
        let fetch = |env: &mut TaskEnv<'_>, g: Option<&deskhand_tasks::Getter>| {
            g.map(|g| getters::get(env, g)).transpose()
        };
        let result: Option<Got> = fetch(env, ev.result.get(i).and_then(Option::as_ref))
            .with_context(|| format!("result getter of {func}"))?;
        let expected: Option<Got> = fetch(env, ev.expected.get(i).and_then(Option::as_ref))
            .with_context(|| format!("expected getter of {func}"))?;
        let options = ev.options.get(i).cloned().unwrap_or_default();
        let score = metrics::score(func, result.as_ref(), expected.as_ref(), &options)?;
        env.log(&format!("metric {func}: {score}"));
        scores.push(score);
        match ev.conj {
            Conj::And if score == 0.0 => return Ok(0.0),
            Conj::Or if score >= 1.0 => return Ok(1.0),
            _ => {}
        }
    }
    Ok(combine(ev.conj, &scores))
}
