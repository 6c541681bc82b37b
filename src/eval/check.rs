//! `deskhand tasks check DIR`: loads every task and says, per task, whether deskhand can run
//! all of it here, and if not, what stands in the way. Each problem is one of:
//!
//! - `unsupported: X`: deskhand lacks a setup step, getter or metric;
//! - `needs a Google account: X`: the `googledrive` and `login` steps, the `googledrive_file`
//!   getter;
//! - `needs app X`: the task's app is not installed here (`code` for VS Code, `thunderbird`, …);
//! - `needs the network: N files from URLs not in the cache (first: URL)`: only with
//!   `--offline`, for URLs neither in the file cache nor mirrored (`crate::files`);
//! - `error: …`: the task file does not load.
//!
//! The text output is a line per task, the most common problems, and a table per domain
//! (tasks, supported, and how many tasks have each kind of problem). With `--json`, one line
//! per task: `{"id": …, "domain": …, "path": …, "supported": bool, "problems": [...]}`.

use crate::files::FilesOptions;
use deskhand_tasks::Task;
use deskhand_tasks::suite::discover;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// What a task needs that deskhand cannot give it here, by kind (the table's columns).
const KINDS: [(&str, &str); 5] = [
    ("unsupported", "unsupported: "),
    ("google", "needs a Google account: "),
    ("app", "needs app "),
    ("network", "needs the network: "),
    ("error", "error: "),
];

/// The programs an app name of OSWorld's (a domain or a `related_apps` entry) needs, any one
/// of them; names deskhand does not map need nothing it can check.
fn programs_of(app: &str) -> &'static [&'static str] {
    match app.to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
        "chrome" | "browser" => &["google-chrome", "chromium", "chromium-browser"],
        "vs_code" | "vscode" => &["code"],
        "thunderbird" => &["thunderbird"],
        "vlc" => &["vlc"],
        "gimp" | "image" => &["gimp"],
        "libreoffice_calc"
        | "libreoffice_writer"
        | "libreoffice_impress"
        | "libreoffice"
        | "calc"
        | "writer" => &["libreoffice"],
        _ => &[],
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|d| {
            let p = d.join(program);
            p.is_file()
                && std::fs::metadata(&p).is_ok_and(|m| {
                    std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
                })
        })
    })
}

/// A task's problems, each starting with one of [`KINDS`]' prefixes.
fn problems_of(
    task: &Task,
    domain: &str,
    files: Option<&crate::files::FileCache>,
    installed: &mut BTreeMap<&'static str, bool>,
) -> Vec<String> {
    let mut out = Vec::new();
    for p in task.unsupported() {
        let google = [
            "setup step googledrive ",
            "setup step login ",
            "getter googledrive_file ",
        ]
        .iter()
        .find(|g| p.contains(*g));
        match google {
            Some(g) => out.push(format!(
                "needs a Google account: {}",
                g.trim_start_matches("setup step ")
                    .trim_start_matches("getter ")
                    .trim()
            )),
            None => out.push(p),
        }
    }
    let mut apps: Vec<&str> = vec![domain];
    apps.extend(task.related_apps.iter().map(String::as_str));
    let mut missing: Vec<&'static str> = Vec::new();
    for app in apps {
        let programs = programs_of(app);
        if programs.is_empty() {
            continue;
        }
        let here = programs
            .iter()
            .any(|p| *installed.entry(p).or_insert_with(|| on_path(p)));
        if !here && !missing.contains(&programs[0]) {
            missing.push(programs[0]);
        }
    }
    out.extend(missing.iter().map(|p| format!("needs app {p}")));
    if let Some(cache) = files {
        let absent: Vec<String> = task
            .network_urls()
            .into_iter()
            .filter(|u| !cache.has(u))
            .collect();
        if let Some(first) = absent.first() {
            out.push(format!(
                "needs the network: {} files from URLs not in the cache (first: {first})",
                absent.len()
            ));
        }
    }
    out.dedup();
    out
}

/// Runs the check; with `offline`, URLs neither cached nor mirrored are problems.
pub fn run(
    dir: &Path,
    as_json: bool,
    offline: bool,
    files: &FilesOptions,
) -> anyhow::Result<ExitCode> {
    let entries = discover(dir)?;
    let cache = offline.then(|| files.cache());
    let mut installed = BTreeMap::new();
    let mut supported = 0;
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    // Per domain: tasks, supported, and tasks with each kind of problem.
    let mut domains: BTreeMap<String, (usize, usize, [usize; KINDS.len()])> = BTreeMap::new();
    for e in &entries {
        let problems = match Task::from_file(&e.path) {
            Ok(task) => problems_of(&task, &e.domain, cache.as_ref(), &mut installed),
            Err(err) => vec![format!("error: {err}")],
        };
        let row = domains.entry(e.domain.clone()).or_default();
        row.0 += 1;
        if problems.is_empty() {
            supported += 1;
            row.1 += 1;
        }
        for (i, (_, prefix)) in KINDS.iter().enumerate() {
            if problems.iter().any(|p| p.starts_with(prefix)) {
                row.2[i] += 1;
            }
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
        print!("\n{:<22} {:>6} {:>10}", "domain", "tasks", "supported");
        for (name, _) in KINDS {
            print!(" {name:>11}");
        }
        println!();
        for (domain, (n, ok, kinds)) in &domains {
            print!("{domain:<22} {n:>6} {ok:>10}");
            for k in kinds {
                print!(" {k:>11}");
            }
            println!();
        }
    }
    Ok(ExitCode::SUCCESS)
}
