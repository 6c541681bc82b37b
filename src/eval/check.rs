//! `deskhand tasks check DIR`: loads every task and says, per task, whether deskhand can run
//! all of it offline, and if not, what it lacks. With `--json`, one line per task:
//! `{"id": …, "domain": …, "path": …, "supported": bool,
//!   "problems": ["unsupported: …" | "needs the network: …" | "error: …"]}`.

use deskhand_tasks::Task;
use deskhand_tasks::suite::discover;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// Runs the check.
pub fn run(dir: &Path, as_json: bool) -> anyhow::Result<ExitCode> {
    let entries = discover(dir)?;
    let mut supported = 0;
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for e in &entries {
        let problems = match Task::from_file(&e.path) {
            Ok(task) => {
                let mut p = task.unsupported();
                if !task.network_urls().is_empty() {
                    p.push("needs the network: files from URLs (deskhand eval fetches them into the file cache; --offline takes them only from the cache or a mirror)".into());
                }
                p
            }
            Err(err) => vec![format!("error: {err}")],
        };
        if problems.is_empty() {
            supported += 1;
        }
        for p in &problems {
            *reasons.entry(p.clone()).or_default() += 1;
        }
        if as_json {
            println!(
                "{}",
                json!({"id": e.name, "domain": e.domain, "path": e.path,
                       "supported": problems.is_empty(), "problems": problems})
            );
        } else {
            let verdict = if problems.is_empty() {
                "supported".to_owned()
            } else {
                problems.join("; ")
            };
            println!("{}/{}: {verdict}", e.domain, e.name);
        }
    }
    if !as_json {
        println!(
            "\n{supported} of {} tasks supported; what the others need:",
            entries.len()
        );
        let mut top: Vec<(&String, &usize)> = reasons.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (reason, n) in top.iter().take(25) {
            println!("{n:>5}  {reason}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
