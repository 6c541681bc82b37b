//! `deskhand tasks fetch SUITE`: fills the file cache (`crate::files`) with every file the
//! suite's tasks name by URL, ahead of an offline evaluation, and reports what failed. Prints a
//! line per URL (`fetched`, `cached`, `mirrored` or `failed: …`) and a summary; with `--json`,
//! one object per URL: `{"url", "tasks": [task paths], "status": "fetched"|"cached"|"mirrored"|
//! "failed", "sha256"?, "bytes"?, "error"?}`. The exit status is 1 when any URL failed.

use crate::files::{FilesOptions, Source};
use deskhand_tasks::Task;
use deskhand_tasks::suite::discover;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// Runs the fetch.
pub fn run(dir: &Path, as_json: bool, files: &FilesOptions) -> anyhow::Result<ExitCode> {
    let entries = discover(dir)?;
    // Each URL once, with the tasks that name it.
    let mut urls: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut broken = 0;
    for e in &entries {
        match Task::from_file(&e.path) {
            Ok(task) => {
                for url in task.network_urls() {
                    urls.entry(url)
                        .or_default()
                        .push(e.path.display().to_string());
                }
            }
            Err(err) => {
                broken += 1;
                eprintln!("deskhand tasks fetch: skipping {}: {err}", e.path.display());
            }
        }
    }
    let cache = FilesOptions {
        offline: false,
        ..files.clone()
    }
    .cache();
    let (mut failed, total) = (0usize, urls.len());
    for (i, (url, tasks)) in urls.iter().enumerate() {
        let got = cache.fetch_blocking(url);
        let status = match &got {
            Ok(f) => match f.source {
                Source::Network => "fetched",
                Source::Cache => "cached",
                Source::Mirror => "mirrored",
            },
            Err(_) => "failed",
        };
        if got.is_err() {
            failed += 1;
        }
        if as_json {
            let mut line = json!({"url": url, "tasks": tasks, "status": status});
            match &got {
                Ok(f) => {
                    line["sha256"] = json!(f.sha256);
                    line["bytes"] = json!(f.bytes);
                }
                Err(e) => line["error"] = json!(e.to_string()),
            }
            println!("{line}");
        } else {
            match &got {
                Ok(f) => println!("[{}/{total}] {status} {url} ({} bytes)", i + 1, f.bytes),
                Err(e) => println!("[{}/{total}] failed: {e}", i + 1),
            }
        }
    }
    if !as_json {
        println!(
            "\n{} URLs of {} tasks: {} in the cache or a mirror, {failed} failed{}",
            total,
            entries.len(),
            total - failed,
            if broken > 0 {
                format!("; {broken} task files could not be read")
            } else {
                String::new()
            }
        );
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
