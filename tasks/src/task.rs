//! An OSWorld task file, loaded unchanged: setup steps, the instruction and the evaluator.

use crate::getter::Getter;
use crate::one_or_many::OneOrMany;
use crate::step::Step;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// One task.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Task {
    /// The task's id.
    pub id: String,
    /// What the agent is asked to do.
    pub instruction: String,
    /// Setup steps, run before the agent starts.
    #[serde(default)]
    pub config: Vec<Step>,
    /// How the end state is scored.
    pub evaluator: Evaluator,
    /// Applications the task uses.
    #[serde(default)]
    pub related_apps: Vec<String>,
    /// Every other key, kept as written (`snapshot`, `source`, `proxy`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The folder the task file was read from: relative file references resolve against it.
    #[serde(skip)]
    pub dir: PathBuf,
}

/// `evaluator`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "RawEvaluator")]
pub struct Evaluator {
    /// Metric names, one per comparison.
    pub func: Vec<String>,
    /// How several metrics combine.
    pub conj: Conj,
    /// The result getter of each comparison (`None` where the metric takes none).
    pub result: Vec<Option<Getter>>,
    /// The expected getter of each comparison (`None` where there is none).
    pub expected: Vec<Option<Getter>>,
    /// The options of each comparison (an empty object where none).
    pub options: Vec<Map<String, Value>>,
    /// Steps run after the agent and before the getters (save, close, …).
    pub postconfig: Vec<Step>,
    /// Every other key, kept as written.
    pub extra: Map<String, Value>,
}

/// `conj`: how several metrics' scores combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Conj {
    /// Any 0 gives 0; else the mean.
    #[default]
    And,
    /// Any 1 gives 1; else the maximum.
    Or,
}

#[derive(Deserialize)]
struct RawEvaluator {
    func: OneOrMany<String>,
    #[serde(default)]
    conj: Conj,
    #[serde(default)]
    result: Option<OneOrMany<Getter>>,
    #[serde(default)]
    expected: Option<OneOrMany<Option<Getter>>>,
    #[serde(default)]
    options: Option<OneOrMany<Map<String, Value>>>,
    #[serde(default)]
    postconfig: Vec<Step>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// Spreads one-or-many over `n` comparisons: a list as is (padded with `None`), one value for
/// the first comparison only when there is one, else for every comparison.
fn spread<T: Clone>(v: Option<OneOrMany<T>>, n: usize) -> Vec<Option<T>> {
    let mut out: Vec<Option<T>> = match v {
        None => Vec::new(),
        Some(OneOrMany::Many(list)) => list.into_iter().map(Some).collect(),
        Some(OneOrMany::One(one)) => vec![Some(one); n.max(1)],
    };
    out.resize(n.max(out.len()), None);
    out
}

impl From<RawEvaluator> for Evaluator {
    fn from(raw: RawEvaluator) -> Evaluator {
        let func = raw.func.into_vec();
        let n = func.len();
        let expected = match raw.expected {
            None => vec![None; n],
            Some(OneOrMany::One(one)) => vec![one; n.max(1)],
            Some(OneOrMany::Many(list)) => {
                let mut l = list;
                l.resize(n.max(l.len()), None);
                l
            }
        };
        Evaluator {
            result: spread(raw.result, n),
            expected,
            options: spread(raw.options, n)
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
            func,
            conj: raw.conj,
            postconfig: raw.postconfig,
            extra: raw.extra,
        }
    }
}

/// Why a task file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The file is not a task.
    #[error("{path}: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        reason: String,
    },
}

impl Task {
    /// Reads a task file.
    pub fn from_file(path: &Path) -> Result<Task, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Read {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Task::from_json(&text, path)
    }

    /// Parses a task file's text as [`Task::from_file`] does, reading nothing: `path` names
    /// the file in errors, and its folder becomes [`Task::dir`].
    pub fn from_json(text: &str, path: &Path) -> Result<Task, LoadError> {
        let mut task: Task = serde_json::from_str(text).map_err(|e| LoadError::Parse {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        task.dir = path.parent().map(Path::to_owned).unwrap_or_default();
        Ok(task)
    }
}
