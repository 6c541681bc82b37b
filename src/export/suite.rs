//! One HTML report for a whole `deskhand eval`: the results table, then every task's run (its
//! steps, frames and actions, as `deskhand export` shows one run) in a collapsible section.

use super::{Report, html};
use crate::eval::result::{Results, Status};
use crate::trajectory::load;
use anyhow::Context;
use std::fmt::Write as _;
use std::path::Path;

/// Writes the report of the eval whose output folder is `out` to `file`.
pub fn suite_report(out: &Path, results: &Results, file: &Path) -> anyhow::Result<()> {
    let s = &results.summary;
    let mut body = format!(
        "<h1>deskhand eval: {}</h1><p class=\"facts\">policy {}; {} tasks, {} passed, mean score {:.2}, {} errors, {} unsupported</p>",
        html::esc(&results.suite),
        html::esc(&results.policy),
        s.tasks,
        s.passed,
        s.mean_score,
        s.errors,
        s.unsupported
    );
    body.push_str(
        "<table class=\"summary\"><tr><th>task</th><th>score</th><th>status</th><th>steps</th><th>seconds</th><th>error</th></tr>",
    );
    for t in &results.tasks {
        let status = status_name(t.status);
        let _ = write!(
            body,
            "<tr><td><a href=\"#{id}\">{id}</a></td><td>{:.2}</td><td>{status}</td><td>{}</td><td>{:.1}</td><td class=\"error\">{}</td></tr>",
            t.score,
            t.steps,
            t.seconds,
            html::esc(t.error.as_deref().unwrap_or("")),
            id = html::esc(&t.id),
        );
    }
    body.push_str("</table>");
    for t in &results.tasks {
        let dir = out.join(&t.run_dir);
        let inner = match load(&dir) {
            Ok(loaded) => html::body(&Report::from_loaded(&loaded))?,
            Err(e) => format!("<p class=\"error\">{}</p>", html::esc(&e.to_string())),
        };
        let _ = write!(
            body,
            "<details id=\"{id}\" class=\"task\"><summary>{id}: score {:.2} ({})</summary>{inner}</details>",
            t.score,
            status_name(t.status),
            id = html::esc(&t.id),
        );
    }
    let page = html::page("deskhand eval", &body);
    super::write(file, page.as_bytes()).with_context(|| "cannot write the eval report")
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Scored => "scored",
        Status::Unsupported => "unsupported",
        Status::Error => "error",
    }
}
