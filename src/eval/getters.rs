//! Getters: fetching what the metrics compare, after the agent and the postconfig ran.
//!
//! Files are copied into the task's cache folder (`RUN_DIR/cache/<dest>`), so a run directory
//! keeps exactly what was scored. A `vm_file` that does not exist is `Got::File(None)` (the
//! metric scores 0); a missing gold file is an error in the task.

use super::env::TaskEnv;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::{Files, Getter, OneOrMany, Source};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

const COMMAND_DEADLINE: Duration = Duration::from_secs(60);

/// Runs a getter.
pub fn get(env: &mut TaskEnv<'_>, getter: &Getter) -> Result<Got, String> {
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
            deskhand_tasks::relative_time::try_resolve(rules, now)
                .map(Got::Json)
                .map_err(|e| e.to_string())
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
        Source::Unsupported { reason } => Err(format!("unsupported: {reason}")),
    }
}

fn list(v: &OneOrMany<String>) -> Vec<String> {
    v.clone().into_vec()
}

/// Copies the file(s) into the cache. `gold`: the task's own files (missing is an error).
fn fetch(env: &mut TaskEnv<'_>, files: &Files, gold: bool) -> Result<Got, String> {
    let paths = list(&files.path);
    let dests = list(&files.dest);
    if paths.len() != dests.len() {
        return Err(format!("{} paths but {} dests", paths.len(), dests.len()));
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
    match &files.gives {
        Some(idx) if idx.len() == 1 => Ok(Got::File(got.get(idx[0]).cloned().flatten())),
        Some(idx) => Ok(Got::Files(
            idx.iter().map(|i| got.get(*i).cloned().flatten()).collect(),
        )),
        None => Ok(Got::Files(got)),
    }
}

fn copy_in(from: &Path, to: &Path, gold: bool) -> Result<Option<PathBuf>, String> {
    if !from.is_file() {
        return if gold {
            Err(format!("the gold file {} does not exist", from.display()))
        } else {
            Ok(None)
        };
    }
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::copy(from, to)
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
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
