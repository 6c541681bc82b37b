//! Reading a trajectory back.

use super::{Record, TRAJECTORY_FILE};
use std::path::{Path, PathBuf};

/// A trajectory read back from a run directory.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The run directory.
    pub dir: PathBuf,
    /// Every complete event, in order.
    pub records: Vec<Record>,
    /// The torn final line that was skipped, if the run was cut off mid-write.
    pub torn: Option<TornLine>,
}

/// A final line that was cut off mid-write and skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornLine {
    /// 1-based line number.
    pub line: usize,
    /// How many bytes it had.
    pub bytes: usize,
}

/// Why a trajectory could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file is missing or unreadable.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line other than the last is not a valid event: the file is damaged.
    #[error("{path} line {line} is not a valid event: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        reason: String,
    },
}

/// Reads `dir/trajectory.jsonl`. A final line that is incomplete (no newline, or not valid
/// JSON) is skipped and reported in [`Loaded::torn`]; a bad line anywhere else is an error.
pub fn load(dir: &Path) -> Result<Loaded, LoadError> {
    let path = dir.join(TRAJECTORY_FILE);
    let bytes = std::fs::read(&path).map_err(|source| LoadError::Io {
        path: path.clone(),
        source,
    })?;
    parse(dir, &bytes)
}

/// Parses the bytes of `dir/trajectory.jsonl` as [`load`] does, reading nothing: `dir` only
/// names the run in [`Loaded::dir`] and in errors.
pub fn parse(dir: &Path, bytes: &[u8]) -> Result<Loaded, LoadError> {
    let path = dir.join(TRAJECTORY_FILE);
    let mut records = Vec::new();
    let mut torn = None;
    let complete_end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let lines: Vec<&[u8]> = bytes[..complete_end]
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let count = lines.len();
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_slice::<Record>(line) {
            Ok(r) => records.push(r),
            // A crash can only tear the last line; it may still end with a newline if the
            // kernel wrote a prefix that happened to contain one, so treat the last as torn.
            Err(_) if i + 1 == count && complete_end == bytes.len() => {
                torn = Some(TornLine {
                    line: i + 1,
                    bytes: line.len(),
                });
            }
            Err(e) => {
                return Err(LoadError::Corrupt {
                    path,
                    line: i + 1,
                    reason: e.to_string(),
                });
            }
        }
    }
    let rest = &bytes[complete_end..];
    if !rest.iter().all(u8::is_ascii_whitespace) {
        torn = Some(TornLine {
            line: count + 1,
            bytes: rest.len(),
        });
    }
    Ok(Loaded {
        dir: dir.to_owned(),
        records,
        torn,
    })
}

impl Loaded {
    /// A sentence for the user when a torn line was skipped.
    pub fn torn_notice(&self) -> Option<String> {
        self.torn.as_ref().map(|t| {
            format!(
                "skipped a torn final line ({} bytes at line {}) in {}: the run was cut off while writing it",
                t.bytes,
                t.line,
                self.dir.join(TRAJECTORY_FILE).display()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) {
        std::fs::write(dir.join(TRAJECTORY_FILE), text).unwrap();
    }

    const META: &str = r#"{"seq":0,"ts":"t","type":"user_message","step":1,"text":"hi"}"#;

    #[test]
    fn a_line_cut_before_its_newline_is_torn() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &format!("{META}\n{{\"seq\":1,\"ts\":\"t\",\"ty"),
        );
        let loaded = load(dir.path()).unwrap();
        assert_eq!(loaded.records.len(), 1);
        assert_eq!(loaded.torn, Some(TornLine { line: 2, bytes: 21 }));
    }

    #[test]
    fn a_complete_file_has_no_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &format!("{META}\n{META}\n"));
        let loaded = load(dir.path()).unwrap();
        assert_eq!(loaded.records.len(), 2);
        assert!(loaded.torn.is_none() && loaded.torn_notice().is_none());
    }

    #[test]
    fn a_bad_line_in_the_middle_is_corruption() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &format!("{META}\nnot json\n{META}\n"));
        let err = load(dir.path()).unwrap_err();
        assert!(matches!(err, LoadError::Corrupt { line: 2, .. }), "{err}");
    }
}
