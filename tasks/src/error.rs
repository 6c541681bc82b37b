//! `TaskError`: why a getter or setup step of a task file cannot be run as written, and
//! [`chain`], which flattens an error and its sources into the one reason string that
//! [`crate::Source::Unsupported`], [`crate::StepAction::Unsupported`] and
//! [`crate::metrics::MetricError`] carry.

use std::error::Error;

/// A getter or setup step that loads but cannot run: its type is unknown, or its fields do not
/// fit its type. It becomes an "unsupported: …" reason of the task.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum TaskError {
    /// A getter object without a `type`.
    #[error("a getter has no type")]
    GetterWithoutType,
    /// A getter type deskhand does not implement.
    #[error("getter {kind} is not implemented")]
    UnknownGetter {
        /// The `type` as written.
        kind: String,
    },
    /// A getter whose fields do not deserialize into its type.
    #[error("the fields of the {kind} getter do not fit it")]
    GetterFields {
        /// The `type` as written.
        kind: String,
        /// What serde found wrong.
        #[source]
        source: serde_json::Error,
    },
    /// A setup step type deskhand does not run.
    #[error("setup step {kind} is not implemented")]
    UnknownStep {
        /// The `type` as written.
        kind: String,
    },
    /// A setup step whose parameters do not deserialize into its type.
    #[error("the parameters of the {kind} setup step do not fit it")]
    StepParameters {
        /// The `type` as written.
        kind: String,
        /// What serde found wrong.
        #[source]
        source: serde_json::Error,
    },
}

/// `e`'s message followed by each of its sources', joined by `": "`: for the places where an
/// error must become a string (a reason kept in a task or a metric's error) without losing
/// what its sources say.
pub(crate) fn chain(e: &dyn Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(source) = next {
        out.push_str(": ");
        out.push_str(&source.to_string());
        next = source.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_joins_every_source() {
        let source = serde_json::from_str::<u8>("300").unwrap_err();
        let e = TaskError::GetterFields {
            kind: "vm_file".into(),
            source,
        };
        assert_eq!(
            chain(&e),
            "the fields of the vm_file getter do not fit it: \
             invalid value: integer `300`, expected u8 at line 1 column 3"
        );
        assert_eq!(chain(&TaskError::GetterWithoutType), "a getter has no type");
    }
}
