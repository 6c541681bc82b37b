//! OSWorld fields that hold either one value or a list of them.

use serde::Deserialize;

/// One `T` or a list of them, as OSWorld writes `func`, `result`, `expected` and `options`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// A list.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The values as a list.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(v) => vec![v],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A command given as one string or as an argument list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum CommandLine {
    /// A string; run by a shell when `shell` is true, else split on whitespace.
    Text(String),
    /// Program and arguments.
    Args(Vec<String>),
}

impl CommandLine {
    /// The command as one string (arguments joined by spaces), for messages.
    pub fn display(&self) -> String {
        match self {
            CommandLine::Text(s) => s.clone(),
            CommandLine::Args(a) => a.join(" "),
        }
    }

    /// Applies `f` to every part (placeholder substitution).
    pub fn map(&self, f: impl Fn(&str) -> String) -> CommandLine {
        match self {
            CommandLine::Text(s) => CommandLine::Text(f(s)),
            CommandLine::Args(a) => CommandLine::Args(a.iter().map(|s| f(s)).collect()),
        }
    }
}
