//! Policies decide what to do next. The agent shows a policy the screen and what happened since
//! its last turn; the policy answers with a [`Turn`]: some actions, and maybe some words.
//!
//! The trait is deliberately narrow (one method that matters) so that model providers, the
//! script runner and replay all plug into the same loop.

pub mod anthropic;
pub mod gemini;
pub mod http;
pub mod marks;
pub mod openai;
pub mod openai_compat;
pub mod replay;
pub mod safety;
pub mod screenshot;
mod script;
pub mod spec;
pub mod text_target;
pub mod transport;

pub use anthropic::{AnthropicConfig, AnthropicPolicy};
pub use openai::{OpenAiConfig, OpenAiPolicy};
pub use openai_compat::{CompatConfig, CompatPolicy, Coords};
pub use replay::ReplayPolicy;
pub use script::{ScriptError, ScriptPolicy};
pub use spec::{
    AnthropicSpec, AnthropicTool, CompatSpec, ContextSpec, Grammar, HttpSpec, ModelSpec,
    PolicySpec, SpecError,
};

use crate::trajectory::{PolicyInfo, Usage};
use async_trait::async_trait;
use deskhand_actions::{Action, Size};
use deskhand_vision::Frame;

/// What a policy is given for one step.
#[derive(Debug)]
pub struct Decide<'a> {
    /// The step, from 1.
    pub step: u32,
    /// The current screen.
    pub frame: &'a Frame,
    /// The screen's size in pixels (actions are in these pixels).
    pub screen: Size,
    /// Messages from the person steering the run since the last turn.
    pub user_messages: &'a [String],
    /// What happened to the actions of the previous turn.
    pub feedback: &'a [Feedback],
    /// The window with the keyboard focus, when the display could say.
    pub window: Option<&'a crate::trajectory::WindowRef>,
}

/// The outcome of one action, reported back to the policy on its next turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    /// The action.
    pub action: Action,
    /// Why it failed, or `None` when it went through.
    pub error: Option<String>,
}

/// What a model replies, with no tool call, to say the task cannot be done (OSWorld's `FAIL`,
/// which an infeasible task needs to score). The provider policies' prompts ask for it.
pub const INFEASIBLE: &str = "[INFEASIBLE]";

/// The sentence the provider prompts use to ask for [`INFEASIBLE`].
pub const HOW_TO_REFUSE: &str = "If the task cannot be done (what it needs does not exist, or \
it contradicts itself), reply with exactly [INFEASIBLE] and no tool call.";

/// The action that ends a model's turn given without a tool call: `fail` when its text holds
/// [`INFEASIBLE`], `done` otherwise.
pub fn end_of_turn(text: Option<String>) -> Action {
    match text {
        Some(t) if t.contains(INFEASIBLE) => Action::Fail {
            reason: Some(t.replace(INFEASIBLE, "").trim().to_owned())
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "the model found the task infeasible".to_owned()),
        },
        message => Action::Done { message },
    }
}

/// A policy's answer for one step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Turn {
    /// Words for the person watching (a model's reasoning or commentary).
    pub narration: Option<String>,
    /// The actions to perform, in order. Empty means the policy has nothing more to do.
    pub actions: Vec<Action>,
    /// Tokens and cost, for model policies.
    pub usage: Option<Usage>,
}

/// Why a policy could not decide.
///
/// Three kinds of trouble, kept apart:
///
/// - **retried**: a provider call that timed out, was rate limited (429, honouring
///   `retry-after`), met a server error or a cut-off body is tried again inside the call
///   ([`http::post_json`], `[http] attempts`). Only when every attempt failed does it come
///   here, as [`PolicyError::Unavailable`] ([`PolicyError::is_transient`]).
/// - **told to the model**: never a `PolicyError`. An action the screen or the input refuses
///   (off-screen, an unknown key) comes back to the policy as [`Feedback`] on its next turn,
///   and providers put an unusable answer back in their conversation themselves.
/// - **ends the run**: every `PolicyError`. The run ends with status `error` and its message;
///   so does input that finds the display gone ([`deskhand_actions::InputError::is_fatal`]).
///   [`PolicyError::Unconfirmed`] alone ends it `stopped` (exit status 3): nothing went wrong,
///   a person (or nobody) declined what the provider asked to have confirmed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The policy's settings cannot work (a missing key, file or model): nothing was sent.
    #[error("{0}")]
    Setup(String),
    /// A model call failed on every attempt, each for a passing reason; worth running again
    /// later.
    #[error(transparent)]
    Unavailable(http::HttpError),
    /// The provider refused the request, or a replayed recording has no answer for it.
    #[error(transparent)]
    Http(http::HttpError),
    /// The screen could not be prepared for the model.
    #[error("cannot prepare the screenshot: {0}")]
    Screen(#[source] deskhand_vision::VisionError),
    /// The provider asked a person to confirm an action ([`safety`]) and nobody did: the
    /// action was not performed and the run stops.
    #[error("{0}")]
    Unconfirmed(String),
    /// The policy cannot go on.
    #[error("{0}")]
    Fatal(String),
}

impl PolicyError {
    /// Whether the trouble was passing (worth running again later), as opposed to settings or
    /// a request that will never work.
    pub fn is_transient(&self) -> bool {
        matches!(self, PolicyError::Unavailable(_))
    }
}

impl From<http::HttpError> for PolicyError {
    fn from(e: http::HttpError) -> PolicyError {
        match e {
            http::HttpError::Exhausted { .. } => PolicyError::Unavailable(e),
            e => PolicyError::Http(e),
        }
    }
}

/// Decides the next actions from what is on the screen.
#[async_trait]
pub trait Policy: Send {
    /// The policy's name and settings, for `session_meta` (never secrets).
    fn info(&self) -> PolicyInfo;

    /// Decides the next step.
    async fn decide(&mut self, input: Decide<'_>) -> Result<Turn, PolicyError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_end_of_turn_saying_infeasible_is_a_fail() {
        assert_eq!(
            end_of_turn(Some("[INFEASIBLE] No printer here.".into())),
            Action::Fail {
                reason: "No printer here.".into()
            }
        );
        assert!(matches!(
            end_of_turn(Some("[INFEASIBLE]".into())),
            Action::Fail { reason } if reason.contains("infeasible")
        ));
        assert_eq!(
            end_of_turn(Some("Saved.".into())),
            Action::Done {
                message: Some("Saved.".into())
            }
        );
        assert_eq!(end_of_turn(None), Action::Done { message: None });
    }
}
