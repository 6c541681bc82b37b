//! The events of a trajectory, one struct per event type; see the module doc for the format.

use deskhand_actions::Action;
use deskhand_tasks::TaskRef;
use serde::{Deserialize, Serialize};

/// One line of `trajectory.jsonl`: the envelope and the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Position in the file, from 0.
    pub seq: u64,
    /// When the event was written (RFC 3339, UTC).
    pub ts: String,
    /// The event, its `type` and fields inlined.
    #[serde(flatten)]
    pub event: Event,
}

/// Every event a run writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// First line: what this run is.
    SessionMeta(SessionMeta),
    /// A frame the policy is shown.
    Observation(Observation),
    /// What the policy decided for a step.
    ModelTurn(ModelTurn),
    /// An action about to be performed.
    Action(ActionEvent),
    /// An action's input went out (written before waiting for the screen to settle).
    InputSent(InputSent),
    /// How performing an action went.
    ActionResult(ActionResult),
    /// What the model said besides its actions, as it said it.
    Narration(Narration),
    /// A message from the person steering the run.
    UserMessage(UserMessage),
    /// A run cut off (killed, power lost) goes on from here (`deskhand resume`).
    Resume(Resume),
    /// Last line: how the run ended.
    SessionEnd(SessionEnd),
}

impl Event {
    /// The event's `type` string.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::SessionMeta(_) => "session_meta",
            Event::Observation(_) => "observation",
            Event::ModelTurn(_) => "model_turn",
            Event::Action(_) => "action",
            Event::InputSent(_) => "input_sent",
            Event::ActionResult(_) => "action_result",
            Event::Narration(_) => "narration",
            Event::UserMessage(_) => "user_message",
            Event::Resume(_) => "resume",
            Event::SessionEnd(_) => "session_end",
        }
    }
}

/// A screen size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenSize {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// The policy that drove the run: its name and its settings (never secrets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// `script`, `anthropic`, …
    pub name: String,
    /// Policy-specific settings, such as the script's path or the model's name.
    #[serde(flatten)]
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// `session_meta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionMeta {
    /// deskhand's version.
    pub version: String,
    /// This format's version.
    pub format: u32,
    /// The screen's size.
    pub screen: ScreenSize,
    /// The X display name.
    pub display: String,
    /// The policy, as it describes itself.
    pub policy: PolicyInfo,
    /// The policy's full spec, to build it again (resume, replay); absent in runs recorded
    /// before it was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<crate::policy::PolicySpec>,
    /// The task, when the run works on one.
    pub task: Option<TaskRef>,
    /// The step limit.
    pub max_steps: u32,
}

/// A frame file, relative to the run directory, with its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameRef {
    /// Like `frames/step-0001.png`.
    pub path: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// The window that had the keyboard focus when a frame was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowRef {
    /// Its title.
    pub title: String,
    /// Its `WM_CLASS` names (instance, class).
    pub class: Vec<String>,
    /// Where its client area was on the screen (decorations left out), when the display said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rect: Option<WindowRect>,
}

/// A window's client area on the screen, in screen pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowRect {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// `observation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The step, from 1.
    pub step: u32,
    /// The frame shown to the policy.
    pub frame: FrameRef,
    /// The focused window at that moment, when the display could say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<WindowRef>,
}

/// Tokens and cost of one model call.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
    /// What the call cost, in US dollars, when known.
    pub cost_usd: Option<f64>,
}

/// `model_turn`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelTurn {
    /// The step.
    pub step: u32,
    /// The policy's name.
    pub policy: String,
    /// What the model said besides its actions.
    pub narration: Option<String>,
    /// The actions chosen, in order.
    pub actions: Vec<Action>,
    /// How long the decision took.
    pub latency_ms: u64,
    /// Tokens and cost, for model policies.
    pub usage: Option<Usage>,
}

/// `action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionEvent {
    /// The step.
    pub step: u32,
    /// Index within the turn's actions.
    pub index: u32,
    /// The action.
    pub action: Action,
}

/// Whether an action went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Performed.
    Ok,
    /// Refused or failed; see `error`.
    Error,
}

/// `action_result`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionResult {
    /// The step.
    pub step: u32,
    /// Index within the turn's actions.
    pub index: u32,
    /// Ok or error.
    pub status: ActionStatus,
    /// What went wrong.
    pub error: Option<String>,
    /// Time spent sending the input.
    pub duration_ms: u64,
    /// Time spent waiting for the screen to settle.
    pub settle_ms: u64,
    /// False when the screen was still changing at the settle deadline.
    pub settled: bool,
    /// Set by `deskhand resume` on an action the run was cut off in: how its outcome was
    /// decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `input_sent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSent {
    /// The step.
    pub step: u32,
    /// Index within the turn's actions.
    pub index: u32,
    /// Time spent sending the input.
    pub duration_ms: u64,
}

/// `resume`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resume {
    /// Steps whose decision was written before the cut-off.
    pub steps: u32,
    /// Bytes of a torn last line that were cut away before appending, if any.
    pub torn_bytes: Option<u64>,
    /// What resume found and did, in words.
    pub message: String,
}

/// `narration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Narration {
    /// The step.
    pub step: u32,
    /// The model's words.
    pub text: String,
}

/// `user_message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserMessage {
    /// The step the message joins.
    pub step: u32,
    /// The message.
    pub text: String,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndStatus {
    /// The policy said `done` (or had nothing more to do).
    Done,
    /// The policy said `fail`.
    Failed,
    /// Stopped from outside: Ctrl-C, a stop request, `--max-steps`, or a call for the user.
    Stopped,
    /// Something broke: the display, the input, the policy.
    Error,
}

impl EndStatus {
    /// The status as written in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            EndStatus::Done => "done",
            EndStatus::Failed => "failed",
            EndStatus::Stopped => "stopped",
            EndStatus::Error => "error",
        }
    }
}

/// `session_end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionEnd {
    /// How it ended.
    pub status: EndStatus,
    /// Why, in words.
    pub message: Option<String>,
    /// Steps taken.
    pub steps: u32,
    /// Wall time of the run.
    pub duration_ms: u64,
}
