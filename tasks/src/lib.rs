//! What a deskhand agent must achieve: OSWorld task files, loaded unchanged into typed structs
//! ([`Task`], [`Step`], [`Getter`]), the metrics that score them ([`metrics`]), how scores
//! combine ([`scoring`]) and where tasks are found ([`suite`]).
//!
//! Everything in a task file loads. What deskhand cannot run (a setup step, getter or metric it
//! does not implement) is reported per task by [`Task::unsupported`] as "unsupported: X".

mod error;
mod getter;
pub mod metrics;
mod one_or_many;
pub mod relative_time;
pub mod scoring;
pub mod sources;
mod step;
pub mod suite;
mod task;
mod truthy;

pub use getter::{Files, Getter, Source};
pub use one_or_many::{CommandLine, OneOrMany};
pub use step::{Execute, FileSpec, Step, StepAction, Until, WindowMatch};
pub use task::{Conj, Evaluator, LoadError, Task};

use serde::{Deserialize, Serialize};

/// The task a run works on, as recorded in a trajectory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRef {
    /// The task's id (OSWorld's `id`), or a name given by the user.
    pub id: String,
    /// What the agent is asked to do, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
}

impl Task {
    /// What deskhand cannot run in this task, each as "unsupported: …"; empty when it can run
    /// all of it.
    pub fn unsupported(&self) -> Vec<String> {
        let mut out = Vec::new();
        for step in self.config.iter().chain(&self.evaluator.postconfig) {
            if let StepAction::Unsupported { reason } = &step.action {
                out.push(format!("unsupported: {reason}"));
            }
        }
        let getters = self.evaluator.result.iter().chain(&self.evaluator.expected);
        for g in getters.flatten() {
            if let Source::Unsupported { reason } = &g.source {
                out.push(format!("unsupported: {reason}"));
            }
        }
        for (i, f) in self.evaluator.func.iter().enumerate() {
            if f == "infeasible" {
                continue;
            }
            let options = self.evaluator.options.get(i).cloned().unwrap_or_default();
            match metrics::check_options(f, &options) {
                Ok(()) => {}
                Err(e @ metrics::MetricError::Unsupported(_)) => out.push(e.to_string()),
                Err(e) => out.push(format!("unsupported: {e}")),
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|p| seen.insert(p.clone()));
        out
    }
}

impl Task {
    /// The network URLs the task fetches files from (`download` and `open` steps, `cloud_file`
    /// getters).
    /// `deskhand eval` fetches them into its file cache (`--offline`: only from the cache or a
    /// mirror).
    pub fn network_urls(&self) -> Vec<String> {
        let mut out = Vec::new();
        for step in self.config.iter().chain(&self.evaluator.postconfig) {
            if let StepAction::Open { path } = &step.action
                && is_network(path)
            {
                out.push(path.clone());
            }
            if let StepAction::Download { files } = &step.action {
                out.extend(
                    files
                        .iter()
                        .map(|f| f.url.clone())
                        .filter(|u| is_network(u)),
                );
            }
        }
        let getters = self.evaluator.result.iter().chain(&self.evaluator.expected);
        for g in getters.flatten() {
            if let Source::CloudFile(f) = &g.source {
                out.extend(
                    f.path
                        .clone()
                        .into_vec()
                        .into_iter()
                        .filter(|u| is_network(u)),
                );
            }
        }
        out
    }
}

/// A URL with a scheme other than `file://`.
fn is_network(url: &str) -> bool {
    url.contains("://") && !url.starts_with("file://")
}
