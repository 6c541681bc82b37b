//! Getters: fetching what the metrics compare, after the agent and the postconfig ran.
//!
//! Files are copied into the task's cache folder (`RUN_DIR/cache/<dest>`), so a run directory
//! keeps exactly what was scored. A `vm_file` that does not exist is `Got::File(None)` (the
//! metric scores 0); a missing gold file is an error in the task.

use super::env::{EnvError, TaskEnv};
use deskhand_tasks::metrics::Got;
use deskhand_tasks::relative_time::RelativeTimeError;
use deskhand_tasks::{Files, Getter, OneOrMany, Source};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

const COMMAND_DEADLINE: Duration = Duration::from_secs(60);

/// Why a getter could not fetch its value. One sentence each; the cause, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GetterError {
    /// A command or a file reference of the task failed.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// `path` and `dest` name different numbers of files.
    #[error("{paths} paths but {dests} dests")]
    Mismatch {
        /// How many paths.
        paths: usize,
        /// How many dests.
        dests: usize,
    },
    /// A file the task ships (the expected result) is not there: an error in the task.
    #[error("the gold file {} does not exist", path.display())]
    MissingGold {
        /// The file.
        path: PathBuf,
    },
    /// A folder in the cache could not be made.
    #[error("cannot create {}", dir.display())]
    CreateDir {
        /// The folder.
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file could not be copied into the cache.
    #[error("cannot copy {} to {}", from.display(), to.display())]
    Copy {
        /// From where.
        from: PathBuf,
        /// To where.
        to: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `rule_relativeTime` rules that do not resolve.
    #[error(transparent)]
    RelativeTime(#[from] RelativeTimeError),
    /// A browser getter failed.
    #[error(transparent)]
    Browser(#[from] super::browser::BrowserError),
    /// A getter on Chromium's profile failed.
    #[error(transparent)]
    ChromeProfile(#[from] super::chrome_profile::ProfileError),
    /// An accessibility getter failed.
    #[error(transparent)]
    A11y(#[from] super::a11y::A11yError),
    /// A system getter failed.
    #[error(transparent)]
    System(#[from] super::system::SystemError),
    /// A getter deskhand does not run.
    #[error("unsupported: {reason}")]
    Unsupported {
        /// Why.
        reason: String,
    },
}

/// Runs a getter.
pub fn get(env: &mut TaskEnv<'_>, getter: &Getter) -> Result<Got, GetterError> {
    match &getter.source {
        Source::VmFile(files) => fetch(env, files, false),
        Source::CloudFile(files) => fetch(env, files, true),
        Source::CacheFile { path } => {
            let p = env.cache.join(path);
            Ok(Got::File(p.exists().then_some(p)))
        }
        Source::Rule(rules) => Ok(Got::Json(rules.clone())),
        Source::RuleRelativeTime(rules) => {
            // Rules without a timezone resolve in UTC (OSWorld would geolocate the machine).
            let now = time::OffsetDateTime::now_utc();
            Ok(Got::Json(deskhand_tasks::relative_time::try_resolve(
                rules, now,
            )?))
        }
        Source::CommandLine { command, shell } => {
            let out = env.run_command(command, *shell, COMMAND_DEADLINE)?;
            Ok(Got::Text(out.stdout))
        }
        Source::CommandError { command, shell } => {
            let out = env.run_command(command, *shell, COMMAND_DEADLINE)?;
            Ok(Got::Text(out.stderr))
        }
        Source::ListDirectory { path } => {
            let dir = env.desktop_path(path);
            Ok(Got::Json(tree(&dir)))
        }
        Source::Browser(g) => Ok(super::browser::get(env, g)?),
        Source::ChromeProfile(g) => Ok(super::chrome_profile::get(env, g)?),
        Source::A11y(g) => Ok(super::a11y::get(env, g)?),
        Source::System(g) => Ok(super::system::get(env, g)?),
        Source::Unsupported { reason } => Err(GetterError::Unsupported {
            reason: reason.clone(),
        }),
    }
}

fn list(v: &OneOrMany<String>) -> Vec<String> {
    v.clone().into_vec()
}

/// Copies the file(s) into the cache. `gold`: the task's own files (missing is an error).
fn fetch(env: &mut TaskEnv<'_>, files: &Files, gold: bool) -> Result<Got, GetterError> {
    let paths = list(&files.path);
    let dests = list(&files.dest);
    if paths.len() != dests.len() {
        return Err(GetterError::Mismatch {
            paths: paths.len(),
            dests: dests.len(),
        });
    }
    let mut got = Vec::new();
    for (path, dest) in paths.iter().zip(&dests) {
        let from = if gold {
            env.source_file(path)?
        } else {
            env.desktop_path(path)
        };
        got.push(copy_in(&from, &env.cache.join(dest), gold)?);
    }
    if !files.multi {
        return Ok(Got::File(got.into_iter().next().flatten()));
    }
    Ok(given(got, files.gives.as_deref()))
}

/// What a `multi` getter hands the metric, as OSWorld's file getters do: the files whose
/// indices are in `gives` (a set; default `[0]`), in the files' own order; one file alone
/// when exactly one is given.
fn given(got: Vec<Option<PathBuf>>, gives: Option<&[usize]>) -> Got {
    let gives = gives.unwrap_or(&[0]);
    let mut picked: Vec<Option<PathBuf>> = got
        .into_iter()
        .enumerate()
        .filter(|(i, _)| gives.contains(i))
        .map(|(_, p)| p)
        .collect();
    if picked.len() == 1 {
        Got::File(picked.pop().flatten())
    } else {
        Got::Files(picked)
    }
}

fn copy_in(from: &Path, to: &Path, gold: bool) -> Result<Option<PathBuf>, GetterError> {
    if !from.is_file() {
        return if gold {
            Err(GetterError::MissingGold {
                path: from.to_owned(),
            })
        } else {
            Ok(None)
        };
    }
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|source| GetterError::CreateDir {
            dir: dir.to_owned(),
            source,
        })?;
    }
    std::fs::copy(from, to).map_err(|source| GetterError::Copy {
        from: from.to_owned(),
        to: to.to_owned(),
        source,
    })?;
    Ok(Some(to.to_owned()))
}

/// OSWorld's directory tree: `{"type": "directory", "name": …, "children": […]}`, with files
/// as `{"type": "file", "name": …}`, children sorted by name.
fn tree(path: &Path) -> Value {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !path.is_dir() {
        return json!({"type": "file", "name": name});
    }
    let mut children: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    children.sort();
    json!({
        "type": "directory",
        "name": name,
        "children": children.iter().map(|c| tree(c)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_getters_give_what_osworld_gives() {
        let files = || vec![Some(PathBuf::from("a")), None, Some(PathBuf::from("c"))];
        assert_eq!(given(files(), None), Got::File(Some(PathBuf::from("a"))));
        assert_eq!(given(files(), Some(&[1])), Got::File(None));
        assert_eq!(
            given(files(), Some(&[2, 0, 2])),
            Got::Files(vec![Some(PathBuf::from("a")), Some(PathBuf::from("c"))])
        );
        assert_eq!(given(files(), Some(&[7])), Got::Files(vec![]));
    }
}
