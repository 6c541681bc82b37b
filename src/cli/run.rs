//! `deskhand run`.

use super::printer::Printer;
use crate::agent::{Agent, AgentConfig, Op};
use crate::display::{Display, VirtualDisplay, VirtualOptions, x11};
use crate::policy::ReplayPolicy;
use crate::policy::transport::Transport;
use crate::policy::{
    AnthropicConfig, AnthropicPolicy, CompatConfig, CompatPolicy, Coords, OpenAiConfig,
    OpenAiPolicy, Policy, ScriptPolicy,
};
use crate::trajectory::{EndStatus, SessionEnd, TrajectoryWriter};
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use deskhand_actions::{EnigoDriver, Size};
use deskhand_vision::SettleOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitCode};
use std::time::Duration;

/// Run a policy on a display.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// What to do, in words (for model policies; recorded as the run's task).
    #[arg(value_name = "INSTRUCTION")]
    pub instruction: Option<String>,
    /// Which policy decides the actions [default: script].
    #[arg(long, value_enum)]
    pub policy: Option<PolicyKind>,
    /// For `--policy script`: a JSON file holding a list of actions.
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Drive this existing X display, like `:0` (default: $DISPLAY).
    #[arg(long, value_name = ":N", conflicts_with = "virtual_display")]
    pub display: Option<String>,
    /// Start a private virtual display (Xvfb + openbox + D-Bus, its own HOME) for this run.
    #[arg(long = "virtual", id = "virtual_display")]
    pub virtual_display: bool,
    /// The virtual display's size.
    #[arg(
        long,
        value_name = "WxH",
        default_value = "1280x800",
        requires = "virtual_display"
    )]
    pub screen: String,
    /// The run directory (default: runs/<time>-<policy>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// For `--policy replay`: the run directory whose model calls to replay.
    #[arg(long, value_name = "RUN_DIR")]
    pub replay_from: Option<PathBuf>,
    /// Model settings, limits and configuration.
    #[command(flatten)]
    pub agent: AgentArgs,
    /// Print every event as one JSON line on stdout.
    #[arg(long)]
    pub json: bool,
    /// Start this program on the display first and wait for its window (may be repeated).
    #[arg(long, value_name = "COMMAND")]
    pub launch: Vec<String>,
}

/// The settings `deskhand run` and `deskhand eval` share: the model, the limits and the
/// configuration.
#[derive(Debug, Clone, Default, Args)]
pub struct AgentArgs {
    /// For model policies: the model's name.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// For model policies: the API's base URL (default: from the environment, else the
    /// provider's own).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// For `--policy openai-compat`: how the model's coordinates are meant (default from the
    /// model's name: UI-TARS 1.0 is relative-1000, others smart-resize).
    #[arg(long, value_enum, value_name = "SPACE")]
    pub coords: Option<Coords>,
    /// Stop after this many steps [default: 50].
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u32>,
    /// Read defaults from this file (default: ./deskhand.toml, else
    /// ~/.config/deskhand/deskhand.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override a configuration key, like `-c http.timeout_ms=30000` (may be repeated).
    #[arg(short = 'c', value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Stop before the next model call once the model calls have cost this many US dollars.
    #[arg(long, value_name = "USD")]
    pub max_cost: Option<f64>,
}

impl AgentArgs {
    /// The same settings as command-line arguments (for `deskhand eval`'s workers).
    pub fn to_args(&self) -> Vec<std::ffi::OsString> {
        let mut out: Vec<std::ffi::OsString> = Vec::new();
        let mut push = |flag: &str, v: String| {
            out.push(flag.into());
            out.push(v.into());
        };
        if let Some(m) = &self.model {
            push("--model", m.clone());
        }
        if let Some(u) = &self.base_url {
            push("--base-url", u.clone());
        }
        if let Some(v) = self.coords.and_then(|c| c.to_possible_value()) {
            push("--coords", v.get_name().to_owned());
        }
        if let Some(n) = self.max_steps {
            push("--max-steps", n.to_string());
        }
        if let Some(c) = self.max_cost {
            push("--max-cost", c.to_string());
        }
        if let Some(f) = &self.config {
            push("--config", f.display().to_string());
        }
        for s in &self.set {
            push("-c", s.clone());
        }
        out
    }
}

/// The policies `run` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyKind {
    /// Perform the actions of a JSON script in order.
    Script,
    /// Anthropic's Messages API with the computer tool (key: ANTHROPIC_API_KEY).
    Anthropic,
    /// OpenAI's Responses API with the computer tool (key: OPENAI_API_KEY).
    Openai,
    /// Rerun a recorded model run offline, answering from its model_calls.jsonl (--replay-from).
    Replay,
    /// An OpenAI-compatible chat server (vLLM, Ollama, llama.cpp, LM Studio) with a UI-TARS or
    /// Qwen-VL style model.
    OpenaiCompat,
}

impl PolicyKind {
    fn name(self) -> &'static str {
        match self {
            PolicyKind::Script => "script",
            PolicyKind::Anthropic => "anthropic",
            PolicyKind::Openai => "openai",
            PolicyKind::Replay => "replay",
            PolicyKind::OpenaiCompat => "openai-compat",
        }
    }
}

pub(super) fn run(mut args: RunArgs) -> anyhow::Result<ExitCode> {
    let config = crate::config::load(args.agent.config.as_deref(), &args.agent.set)?;
    apply_config(&mut args, &config)?;
    // Check the policy's input before touching any display: bad input costs nothing.
    let plan = plan_policy(&args, &config)?;
    run_planned(args, plan)
}

/// `deskhand run` once the policy is planned (also `deskhand replay` on a display).
pub(super) fn run_planned(args: RunArgs, plan: Plan) -> anyhow::Result<ExitCode> {
    let display = open_display(&args)?;
    // xcap (the capture fallback) reads $DISPLAY itself. We are still single-threaded here.
    // SAFETY: no other thread of this process reads or writes the environment yet.
    unsafe { std::env::set_var("DISPLAY", display.name()) };
    let conn = x11::connect(display.name())?;
    let (w, h) = x11::screen_size(&conn)?;
    let screen = Size::new(w, h);

    let out = match &args.out {
        Some(dir) => dir.clone(),
        None => default_run_dir(match plan {
            Plan::Actions(_) => crate::replay::POLICY_NAME,
            _ => args.policy.unwrap_or(PolicyKind::Script).name(),
        }),
    };
    let policy = build_policy(plan, screen, &out, args.instruction.as_deref())?;

    let mut launched: Vec<Child> = Vec::new();
    for cmd in &args.launch {
        let (child, _) = display
            .launch(cmd, Duration::from_secs(30))
            .with_context(|| format!("--launch {cmd:?}"))?;
        launched.push(child);
    }

    if !args.json {
        println!("run directory: {}", out.display());
    }
    let config = AgentConfig {
        display: display.name().to_owned(),
        screen,
        max_steps: args.agent.max_steps.unwrap_or(50),
        max_cost_usd: args.agent.max_cost,
        settle: SettleOptions::default(),
        task: args
            .instruction
            .as_ref()
            .map(|text| deskhand_tasks::TaskRef {
                id: "adhoc".into(),
                instruction: Some(text.clone()),
            }),
    };
    let (end, interrupted) = run_agent(&display, policy, &out, config, args.json)?;

    for mut child in launched {
        crate::display::terminate(&mut child, Duration::from_secs(3));
    }
    drop(display);
    if !args.json {
        println!(
            "trajectory: {}",
            out.join(crate::trajectory::TRAJECTORY_FILE).display()
        );
    }
    Ok(exit_code(end.status, interrupted))
}

/// The exit status of a run that ended so: 0 done, 1 failed or error, 3 stopped, 130 when
/// Ctrl-C or SIGTERM stopped it.
pub(crate) fn exit_code(status: EndStatus, interrupted: bool) -> ExitCode {
    match status {
        EndStatus::Done => ExitCode::SUCCESS,
        EndStatus::Stopped if interrupted => ExitCode::from(130),
        EndStatus::Stopped => ExitCode::from(3),
        EndStatus::Failed | EndStatus::Error => ExitCode::FAILURE,
    }
}

/// Builds the planned policy for a screen; model policies record their calls in `out`.
pub(crate) fn build_policy(
    plan: Plan,
    screen: Size,
    out: &Path,
    instruction: Option<&str>,
) -> anyhow::Result<Box<dyn Policy>> {
    build_policy_with(plan, screen, out, instruction, Transport::live(Some(out)))
}

/// [`build_policy`] with the model policies' transport given.
pub(crate) fn build_policy_with(
    plan: Plan,
    screen: Size,
    out: &Path,
    instruction: Option<&str>,
    transport: Transport,
) -> anyhow::Result<Box<dyn Policy>> {
    let transport = move || transport;
    Ok(match plan {
        Plan::Script(path) => Box::new(ScriptPolicy::load(&path, screen)?),
        Plan::Anthropic(config) => Box::new(AnthropicPolicy::new(*config, transport())?),
        Plan::Compat(config) => Box::new(CompatPolicy::new(*config, transport())?),
        Plan::OpenAi(config) => Box::new(OpenAiPolicy::new(*config, transport())?),
        Plan::Actions(from) => Box::new(crate::replay::ActionReplay::load(&from, out)?),
        Plan::Replay(from) => {
            let replay = ReplayPolicy::load(&from, instruction)?;
            if let Some(notice) = replay.notice() {
                eprintln!("deskhand: {notice}");
            }
            Box::new(replay)
        }
    })
}

/// Runs `policy` on `display` until the run ends, writing the trajectory into `out` and
/// printing its events. Returns how it ended and whether Ctrl-C or SIGTERM stopped it.
pub(crate) fn run_agent(
    display: &Display,
    policy: Box<dyn Policy>,
    out: &Path,
    config: AgentConfig,
    json: bool,
) -> anyhow::Result<(SessionEnd, bool)> {
    let writer = TrajectoryWriter::create(out)?;
    run_agent_with(display, policy, writer, config, json, None)
}

/// [`run_agent`] with the trajectory writer given, and for `deskhand resume` where to go on.
pub(crate) fn run_agent_with(
    display: &Display,
    policy: Box<dyn Policy>,
    writer: TrajectoryWriter,
    config: AgentConfig,
    json: bool,
    resumed: Option<crate::agent::Resumed>,
) -> anyhow::Result<(SessionEnd, bool)> {
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
    runtime.block_on(drive(agent, &out, json))
}

/// Runs the agent, printing its events, and turns Ctrl-C or SIGTERM into a stop request.
async fn drive<D: deskhand_actions::InputDriver + 'static>(
    agent: Agent<D>,
    run_dir: &Path,
    json: bool,
) -> anyhow::Result<(SessionEnd, bool)> {
    // Listen for signals before the agent starts, and keep one listener for the whole run: a
    // listener made after a signal arrived would never see it.
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigint = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    let mut sigterm = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut running = agent.spawn();
    let control = crate::control::ControlServer::start(run_dir, running.ops.clone())
        .context("cannot open the control socket for deskhand steer")?;
    let mut printer = Printer::new(json);
    let mut interrupted = false;
    loop {
        tokio::select! {
            ev = running.events.recv() => match ev {
                Some(record) => printer.print(&record),
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
    Ok((end, interrupted))
}

fn open_display(args: &RunArgs) -> anyhow::Result<Display> {
    open_display_for(args.display.as_deref(), args.virtual_display, &args.screen)
}

/// The display a command asked for: a private virtual one of `screen` size, the named one, or
/// `$DISPLAY`.
pub(crate) fn open_display_for(
    display: Option<&str>,
    virtual_display: bool,
    screen: &str,
) -> anyhow::Result<Display> {
    if virtual_display {
        let (width, height) = VirtualOptions::parse_size(screen)?;
        let opts = VirtualOptions {
            width,
            height,
            ..VirtualOptions::default()
        };
        return Ok(Display::Virtual(VirtualDisplay::start(&opts)?));
    }
    let name = match display {
        Some(d) => d.to_owned(),
        None => match std::env::var("DISPLAY") {
            Ok(d) if !d.is_empty() => d,
            _ => bail!("no X display: pass --display :N or --virtual (DISPLAY is not set)"),
        },
    };
    Ok(Display::existing(&name)?)
}

fn default_run_dir(policy: &str) -> PathBuf {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
    let stamp = now
        .format(&fmt)
        .unwrap_or_else(|_| now.unix_timestamp().to_string());
    let base = Path::new("runs").join(format!("{stamp}-{policy}"));
    let mut dir = base.clone();
    let mut n = 2;
    while dir.exists() {
        dir = PathBuf::from(format!("{}-{n}", base.display()));
        n += 1;
    }
    dir
}

/// The policy to build once the screen size is known.
pub(crate) enum Plan {
    Script(PathBuf),
    Anthropic(Box<AnthropicConfig>),
    Compat(Box<CompatConfig>),
    OpenAi(Box<OpenAiConfig>),
    Replay(PathBuf),
    /// A recorded run's actions, re-grounded (`deskhand replay`).
    Actions(PathBuf),
}

/// Fills what the command line left open from the configuration.
pub(crate) fn apply_config(
    args: &mut RunArgs,
    config: &crate::config::Config,
) -> anyhow::Result<()> {
    if args.policy.is_none()
        && let Some(name) = &config.policy
    {
        args.policy = Some(
            PolicyKind::from_str(name, true)
                .map_err(|_| anyhow::anyhow!("unknown policy '{name}' in the configuration"))?,
        );
    }
    if args.agent.coords.is_none()
        && let Some(name) = &config.coords
    {
        args.agent.coords = Some(
            Coords::from_str(name, true)
                .map_err(|_| anyhow::anyhow!("unknown coords '{name}' in the configuration"))?,
        );
    }
    args.agent.model = args.agent.model.take().or_else(|| config.model.clone());
    args.agent.base_url = args
        .agent
        .base_url
        .take()
        .or_else(|| config.base_url.clone());
    args.agent.max_steps = args.agent.max_steps.or(config.max_steps);
    args.agent.max_cost = args.agent.max_cost.or(config.max_cost);
    Ok(())
}

fn retry_from(config: &crate::config::Config) -> crate::policy::http::Retry {
    let mut retry = crate::policy::http::Retry::default();
    if let Some(ms) = config.http.timeout_ms {
        retry.timeout = Duration::from_millis(ms.max(1));
    }
    if let Some(n) = config.http.attempts {
        retry.attempts = n.max(1);
    }
    retry
}

fn sizing_from(config: &crate::config::Config) -> crate::policy::screenshot::Sizing {
    let mut sizing = crate::policy::screenshot::Sizing::default();
    if let Some(edge) = config.context.screenshot_long_edge {
        sizing.long_edge = edge;
    }
    if let Some(half) = config.context.older_screenshots_half {
        sizing.older_half = half;
    }
    sizing
}

pub(crate) fn plan_policy(args: &RunArgs, cfg: &crate::config::Config) -> anyhow::Result<Plan> {
    let keep = cfg.context.keep_screenshots;
    let sizing = sizing_from(cfg);
    let marks = cfg.context.set_of_marks.unwrap_or(false);
    match args.policy.unwrap_or(PolicyKind::Script) {
        PolicyKind::Script => {
            let path = args
                .script
                .clone()
                .context("--policy script needs --script FILE")?;
            if !path.is_file() {
                bail!("script {} does not exist", path.display());
            }
            Ok(Plan::Script(path))
        }
        PolicyKind::Anthropic => {
            let model = args
                .agent
                .model
                .as_deref()
                .context("--policy anthropic needs --model NAME (like claude-sonnet-4-5)")?;
            let instruction = args
                .instruction
                .as_deref()
                .context("--policy anthropic needs an instruction: deskhand run \"what to do\" --policy anthropic …")?;
            let mut config =
                AnthropicConfig::from_env(model, args.agent.base_url.as_deref(), instruction)?;
            config.retry = retry_from(cfg);
            config.sizing = sizing;
            config.set_of_marks = marks;
            if let Some(k) = keep {
                config.keep.keep = k.max(1);
            }
            Ok(Plan::Anthropic(Box::new(config)))
        }
        PolicyKind::Replay => {
            let from = args
                .replay_from
                .clone()
                .context("--policy replay needs --replay-from RUN_DIR")?;
            if !from
                .join(crate::policy::transport::MODEL_CALLS_FILE)
                .is_file()
            {
                bail!(
                    "{} has no recorded model calls ({})",
                    from.display(),
                    crate::policy::transport::MODEL_CALLS_FILE
                );
            }
            Ok(Plan::Replay(from))
        }
        PolicyKind::Openai => {
            let model = args
                .agent
                .model
                .as_deref()
                .context("--policy openai needs --model NAME (like computer-use-preview)")?;
            let instruction = args
                .instruction
                .as_deref()
                .context("--policy openai needs an instruction: deskhand run \"what to do\" --policy openai …")?;
            let mut config =
                OpenAiConfig::from_env(model, args.agent.base_url.as_deref(), instruction)?;
            config.retry = retry_from(cfg);
            config.sizing = sizing;
            config.set_of_marks = marks;
            Ok(Plan::OpenAi(Box::new(config)))
        }
        PolicyKind::OpenaiCompat => {
            let model =
                args.agent.model.as_deref().context(
                    "--policy openai-compat needs --model NAME (as the server names it)",
                )?;
            let instruction = args
                .instruction
                .as_deref()
                .context("--policy openai-compat needs an instruction: deskhand run \"what to do\" --policy openai-compat …")?;
            let mut config = CompatConfig::from_env(
                model,
                args.agent.base_url.as_deref(),
                args.agent.coords,
                instruction,
            )?;
            config.retry = retry_from(cfg);
            config.sizing = sizing;
            config.set_of_marks = marks;
            if let Some(k) = keep {
                config.keep = k.max(1);
            }
            Ok(Plan::Compat(Box::new(config)))
        }
    }
}
