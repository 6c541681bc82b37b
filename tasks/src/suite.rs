//! Finding tasks on disk, in either layout:
//!
//! - a bundled suite: `SUITE/<name>/task.json`, each folder holding its input files and a
//!   `solution.json` (a script of actions that solves it);
//! - OSWorld's: `…/examples/<domain>/<id>.json`, optionally chosen by an index such as
//!   `test_all.json` (`{"<domain>": ["<id>", …]}`) next to `examples/`.
//!
//! SUITE may be a suite folder, OSWorld's folder (holding `examples/`), its `examples/` folder,
//! an index file, or one task file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A task file found in a suite, not yet loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The task file.
    pub path: PathBuf,
    /// The domain (OSWorld's folder name; "suite" for a bundled suite).
    pub domain: String,
    /// The id the file name implies (OSWorld's `<id>.json`, or the suite folder's name).
    pub name: String,
}

/// Why a suite could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct SuiteError {
    /// What was read.
    pub path: PathBuf,
    /// What is wrong.
    pub reason: String,
}

fn err(path: &Path, reason: impl Into<String>) -> SuiteError {
    SuiteError {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

fn sorted_dir(dir: &Path) -> Result<Vec<PathBuf>, SuiteError> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| err(dir, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    out.sort();
    Ok(out)
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn dir_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Every task of `suite`, in a stable order (by domain, then name).
pub fn discover(suite: &Path) -> Result<Vec<Entry>, SuiteError> {
    if suite.is_file() {
        let text = std::fs::read_to_string(suite).map_err(|e| err(suite, e.to_string()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| err(suite, e.to_string()))?;
        // An index maps domains to id lists; a task has an "id".
        if value.get("id").is_none() && value.is_object() {
            let examples = suite.parent().unwrap_or(Path::new(".")).join("examples");
            return from_index(&value, &examples, suite);
        }
        let parent = suite.parent().unwrap_or(Path::new("."));
        let name = if suite.file_name().is_some_and(|n| n == "task.json") {
            dir_name(parent)
        } else {
            stem(suite)
        };
        return Ok(vec![Entry {
            path: suite.to_owned(),
            domain: dir_name(parent),
            name,
        }]);
    }
    if !suite.is_dir() {
        return Err(err(suite, "no such suite folder or task file"));
    }
    let examples = if suite.join("examples").is_dir() {
        suite.join("examples")
    } else {
        suite.to_owned()
    };
    let mut out = Vec::new();
    for path in sorted_dir(&examples)? {
        if path.join("task.json").is_file() {
            out.push(Entry {
                path: path.join("task.json"),
                domain: "suite".to_owned(),
                name: dir_name(&path),
            });
        } else if path.is_dir() {
            for file in sorted_dir(&path)? {
                if file.extension().is_some_and(|e| e == "json") {
                    out.push(Entry {
                        name: stem(&file),
                        domain: dir_name(&path),
                        path: file,
                    });
                }
            }
        }
    }
    if out.is_empty() {
        return Err(err(
            suite,
            "no tasks found (expected <name>/task.json or examples/<domain>/<id>.json)",
        ));
    }
    Ok(out)
}

fn from_index(
    index: &serde_json::Value,
    examples: &Path,
    index_path: &Path,
) -> Result<Vec<Entry>, SuiteError> {
    let map: BTreeMap<String, Vec<String>> = serde_json::from_value(index.clone())
        .map_err(|e| err(index_path, format!("not an index of domains to ids: {e}")))?;
    let mut out = Vec::new();
    for (domain, ids) in map {
        for id in ids {
            out.push(Entry {
                path: examples.join(&domain).join(format!("{id}.json")),
                domain: domain.clone(),
                name: id,
            });
        }
    }
    Ok(out)
}

/// The entries of shard `k` of `n` (1-based): every n-th entry by a stable hash of its
/// domain and name, so a shard keeps its tasks when others are added.
pub fn shard(entries: Vec<Entry>, k: usize, n: usize) -> Vec<Entry> {
    if n <= 1 {
        return entries;
    }
    entries
        .into_iter()
        .filter(|e| (fnv1a(&format!("{}/{}", e.domain, e.name)) % n as u64) as usize == k - 1)
        .collect()
}

/// FNV-1a: stable across platforms and releases (std's hasher is not).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_suite() {
        let entries: Vec<Entry> = (0..50)
            .map(|i| Entry {
                path: PathBuf::from(format!("{i}.json")),
                domain: "d".into(),
                name: format!("t{i}"),
            })
            .collect();
        let mut seen = Vec::new();
        for k in 1..=3 {
            let part = shard(entries.clone(), k, 3);
            assert!(!part.is_empty());
            seen.extend(part.into_iter().map(|e| e.name));
        }
        seen.sort();
        let mut all: Vec<String> = entries.into_iter().map(|e| e.name).collect();
        all.sort();
        assert_eq!(seen, all);
    }
}
