//! `deskhand export RUN_DIR --html FILE [--gif FILE]`: a run made showable. The HTML report is
//! one self-contained file (frames embedded, no external reference) with each step's frame and
//! its actions drawn on it, the model's narration, timings, tokens, cost and, for an evaluated
//! task, its score. The GIF is an animated demo with a marker on each click.

mod gif;
mod html;
mod suite;

pub use suite::suite_report;

use crate::trajectory::{ActionResult, Event, Loaded, SessionEnd, SessionMeta, Usage, load};
use anyhow::{Context, bail};
use clap::Args;
use deskhand_actions::Action;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Make a run showable.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The run directory (holding trajectory.jsonl).
    pub run_dir: PathBuf,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write an animated GIF here.
    #[arg(long, value_name = "FILE")]
    pub gif: Option<PathBuf>,
}

/// One step of a run, gathered from its events.
#[derive(Debug, Clone, Default)]
pub struct Step {
    /// The step number.
    pub step: u32,
    /// The frame the policy saw (a path inside the run directory).
    pub frame: Option<PathBuf>,
    /// What the model said.
    pub narration: Vec<String>,
    /// Messages from the person steering.
    pub user_messages: Vec<String>,
    /// The actions and how each went.
    pub actions: Vec<(Action, Option<ActionResult>)>,
    /// How long the decision took.
    pub latency_ms: u64,
    /// Tokens and cost of the decision.
    pub usage: Option<Usage>,
}

/// A whole run, ready to show.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The run directory.
    pub dir: PathBuf,
    /// The first event.
    pub meta: Option<SessionMeta>,
    /// The last event.
    pub end: Option<SessionEnd>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The evaluation's score and status, when the run is a task of `deskhand eval`.
    pub score: Option<(f64, String)>,
}

impl Report {
    /// Gathers a trajectory into steps.
    pub fn from_loaded(loaded: &Loaded) -> Report {
        let mut r = Report {
            dir: loaded.dir.clone(),
            ..Report::default()
        };
        for rec in &loaded.records {
            match &rec.event {
                Event::SessionMeta(m) => r.meta = Some(m.clone()),
                Event::SessionEnd(e) => r.end = Some(e.clone()),
                Event::InputSent(_) => {}
                Event::Resume(res) => r
                    .step_mut(res.steps.max(1))
                    .narration
                    .push(format!("(resumed: {})", res.message)),
                Event::Observation(o) => {
                    r.step_mut(o.step).frame = Some(loaded.dir.join(&o.frame.path));
                }
                Event::ModelTurn(t) => {
                    let s = r.step_mut(t.step);
                    s.latency_ms = t.latency_ms;
                    s.usage = t.usage;
                }
                Event::Narration(n) => r.step_mut(n.step).narration.push(n.text.clone()),
                Event::UserMessage(m) => r.step_mut(m.step).user_messages.push(m.text.clone()),
                Event::Action(a) => r.step_mut(a.step).actions.push((a.action.clone(), None)),
                Event::ActionResult(res) => {
                    let s = r.step_mut(res.step);
                    if let Some(slot) = s.actions.get_mut(res.index as usize) {
                        slot.1 = Some(res.clone());
                    }
                }
            }
        }
        let result = crate::eval::result::TaskResult::read(
            &loaded.dir.join(crate::eval::result::RESULT_FILE),
        );
        r.score = result.map(|t| {
            let status = serde_json::to_value(t.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            (t.score, status)
        });
        r
    }

    fn step_mut(&mut self, step: u32) -> &mut Step {
        if let Some(i) = self.steps.iter().position(|s| s.step == step) {
            return &mut self.steps[i];
        }
        self.steps.push(Step {
            step,
            ..Step::default()
        });
        let last = self.steps.len() - 1;
        &mut self.steps[last]
    }

    /// Tokens in and out and the cost, summed over the run.
    pub fn totals(&self) -> (u64, u64, Option<f64>) {
        let mut cost = None;
        let (mut input, mut output) = (0, 0);
        for u in self.steps.iter().filter_map(|s| s.usage) {
            input += u.input_tokens;
            output += u.output_tokens;
            if let Some(c) = u.cost_usd {
                cost = Some(cost.unwrap_or(0.0) + c);
            }
        }
        (input, output, cost)
    }
}

/// Where an action points on the screen: its click or scroll point, or the points of a drag.
pub fn marks(action: &Action) -> Vec<(i32, i32)> {
    match action {
        Action::Click {
            x: Some(x),
            y: Some(y),
            ..
        }
        | Action::Scroll {
            x: Some(x),
            y: Some(y),
            ..
        }
        | Action::Move { x, y } => vec![(*x, *y)],
        Action::Drag { path } => path.iter().map(|p| (p.x, p.y)).collect(),
        _ => Vec::new(),
    }
}

/// Runs `deskhand export`.
pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    if args.html.is_none() && args.gif.is_none() {
        bail!("deskhand export needs --html FILE and/or --gif FILE");
    }
    let loaded = load(&args.run_dir)
        .with_context(|| format!("{} is not a run directory", args.run_dir.display()))?;
    if let Some(notice) = loaded.torn_notice() {
        eprintln!("deskhand: {notice}");
    }
    let report = Report::from_loaded(&loaded);
    if let Some(path) = &args.html {
        write(path, html::render(&report)?.as_bytes())?;
        println!("html: {}", path.display());
    }
    if let Some(path) = &args.gif {
        write(path, &gif::render(&report)?)?;
        println!("gif: {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
