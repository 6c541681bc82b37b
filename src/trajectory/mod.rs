//! The trajectory: a run's checkpoint, written as it happens.
//!
//! A run directory holds `trajectory.jsonl` and a `frames/` folder:
//!
//! ```text
//! runs/2026-11-24T03-10-00-script/
//!   trajectory.jsonl
//!   frames/step-0001.png
//!   frames/step-0002.png
//! ```
//!
//! # `trajectory.jsonl`
//!
//! JSON Lines, append-only, written by one writer. Each line is one event, written and flushed
//! to the operating system before the agent acts on it, so a killed run loses nothing it had
//! started. Every line has the same envelope:
//!
//! | field  | type   | meaning |
//! |--------|--------|---------|
//! | `seq`  | u64    | 0, 1, 2, … in file order |
//! | `ts`   | string | RFC 3339 UTC time the event was written |
//! | `type` | string | the event type, below |
//! | …      |        | the event's own fields, at the top level |
//!
//! Event types (new optional fields may be added; readers ignore fields they do not know):
//!
//! - `session_meta` (always the first line): `version` (deskhand's), `format` (this format's
//!   version, 1), `screen {width, height}`, `display`, `policy {name, …}` (the policy's own
//!   description), `spec` (what built the policy, in full: see [`crate::policy::spec`]; absent
//!   in runs recorded before it was written, and in a person's recording), `task` (or null), `max_steps`.
//! - `observation`: `step` (from 1), `frame {path, sha256, width, height}` where `path` is
//!   relative to the run directory and `sha256` is the hex digest of that file's bytes. Frames are
//!   PNG files; they are never inlined. Optional `window {title, class, rect}`: the window that
//!   had the keyboard focus (`class` is its `WM_CLASS` list), used by replay to check that keys
//!   go where they went when recorded; its optional `rect {x, y, width, height}` is where the
//!   window's client area (decorations left out) was on the screen, in screen pixels, used by
//!   replay to aim a point inside it (a click on plain ground, say) at the same place in the
//!   window when the window has moved. Runs written before `rect` existed have none.
//! - `model_turn`: `step`, `policy`, `narration` (text or null), `actions` (the `Action`s the
//!   policy chose, in the action JSON of `deskhand_actions`), `latency_ms`, and `usage`
//!   (`{input_tokens, output_tokens, cost_usd}` or null).
//! - `action`: `step`, `index` (0-based within the turn), `action` (an `Action`). Written
//!   *before* the action is performed.
//! - `input_sent`: `step`, `index`, `duration_ms`: the action's input went out without error;
//!   written before waiting for the screen to settle, so that a run cut off while the screen
//!   settles is known to have performed it (see [`crate::resume`]).
//! - `action_result`: `step`, `index`, `status` (`"ok"` or `"error"`), `error` (text or null),
//!   `duration_ms` (performing the input), `settle_ms` (waiting for the screen to settle) and
//!   `settled` (false when the screen was still changing at the deadline).
//! - `narration`: `step`, `text`: the model's words besides its actions (also in
//!   `model_turn.narration`), written right after the `model_turn`.
//! - `user_message`: `step` (the step it joins), `text`.
//! - `resume`: `steps` (decisions written before the cut-off), `torn_bytes` (a torn last line
//!   cut away before appending, or null), `message`: written by `deskhand resume` where a run
//!   that was killed goes on. An `action_result` written by resume for an action the run was
//!   cut off in has a `note` saying how its outcome was decided. A step observed but not
//!   decided before the cut-off is observed again after the `resume` line.
//! - `session_end` (always the last line of a finished run): `status` (`done`, `failed`,
//!   `stopped` or `error`), `message` (text or null), `steps`, `duration_ms`.
//!
//! A run that was killed has no `session_end`; its last line may be torn (cut mid-write). The
//! loader ([`load`]) skips such a torn final line, and says so in [`Loaded::torn`].
//!
//! # Example
//!
//! ```text
//! {"seq":0,"ts":"2026-11-24T03:10:00.120Z","type":"session_meta","version":"0.1.0","format":1,"screen":{"width":1280,"height":800},"display":":7","policy":{"name":"script","script":"examples/hello.json"},"task":null,"max_steps":50}
//! {"seq":1,"ts":"2026-11-24T03:10:00.161Z","type":"observation","step":1,"frame":{"path":"frames/step-0001.png","sha256":"9f2c…","width":1280,"height":800}}
//! {"seq":2,"ts":"2026-11-24T03:10:00.161Z","type":"model_turn","step":1,"policy":"script","narration":null,"actions":[{"type":"click","x":640,"y":400}],"latency_ms":0,"usage":null}
//! {"seq":3,"ts":"2026-11-24T03:10:00.162Z","type":"action","step":1,"index":0,"action":{"type":"click","x":640,"y":400}}
//! {"seq":4,"ts":"2026-11-24T03:10:00.163Z","type":"input_sent","step":1,"index":0,"duration_ms":1}
//! {"seq":5,"ts":"2026-11-24T03:10:00.301Z","type":"action_result","step":1,"index":0,"status":"ok","error":null,"duration_ms":1,"settle_ms":138,"settled":true}
//! {"seq":6,"ts":"2026-11-24T03:10:00.350Z","type":"session_end","status":"done","message":"hello","steps":1,"duration_ms":230}
//! ```

mod event;
mod load;
mod writer;

pub use event::{
    ActionEvent, ActionResult, ActionStatus, EndStatus, Event, FrameRef, InputSent, ModelTurn,
    Narration, Observation, PolicyInfo, Record, Resume, ScreenSize, SessionEnd, SessionMeta, Usage,
    UserMessage, WindowRect, WindowRef,
};
pub use load::{LoadError, Loaded, TornLine, load, parse};
pub use writer::{TrajectoryError, TrajectoryWriter};

/// The file name of the event log inside a run directory.
pub const TRAJECTORY_FILE: &str = "trajectory.jsonl";
/// The folder of frames inside a run directory.
pub const FRAMES_DIR: &str = "frames";
/// The version of this format, written in `session_meta.format`.
pub const FORMAT_VERSION: u32 = 1;
