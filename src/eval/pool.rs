//! The worker pool of `deskhand eval`: at most `jobs` worker processes at once, each running
//! one task (`deskhand eval-worker`) in its own process group; a live progress line with the
//! pass/fail count; a task past its deadline, or whose worker dies without a result, is
//! recorded as that task's error and the suite goes on. Ctrl-C stops the workers and keeps
//! what finished.

use super::result::{RESULT_FILE, Status, TaskResult, Timings};
use super::{Actor, rel_dir};
use crate::session::Limits;
use anyhow::Context;
use deskhand_actions::Size;
use deskhand_tasks::suite::Entry;
use std::io::{IsTerminal, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What to run.
pub struct Plan<'a> {
    /// The suite's tasks.
    pub entries: &'a [Entry],
    /// Indices of the tasks to run.
    pub todo: Vec<usize>,
    /// The output folder.
    pub out: &'a Path,
    /// Workers at once.
    pub jobs: usize,
    /// Who acts.
    pub actor: &'a Actor,
    /// Each task's screen size.
    pub screen: Size,
    /// How far each task's agent may go.
    pub limits: Limits,
    /// Programs started on each task's display first.
    pub launch: &'a [String],
    /// Per-task deadline.
    pub timeout: Duration,
    /// Each result as a JSON line on stdout.
    pub json: bool,
    /// Where tasks' files named by URLs come from.
    pub files: &'a crate::files::FilesOptions,
    /// Arguments added to every Chromium a task starts.
    pub chrome_args: &'a [String],
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

fn listen_for_interrupts() {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
}

struct Worker {
    index: usize,
    child: Child,
    started: Instant,
}

fn spawn(plan: &Plan<'_>, index: usize) -> anyhow::Result<Worker> {
    let e = &plan.entries[index];
    let rel = rel_dir(e);
    let dir = plan.out.join(&rel);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let log = std::fs::File::create(dir.join("worker.log"))?;
    let exe = std::env::current_exe().context("cannot find the deskhand executable")?;
    let task_dir = e.path.parent().unwrap_or(Path::new("."));
    let mut cmd = Command::new(exe);
    cmd.arg("eval-worker")
        .arg("--task")
        .arg(&e.path)
        .args(["--domain", &e.domain, "--name", &e.name])
        .arg("--run-dir")
        .arg(&dir)
        .args(["--rel-dir", &rel])
        .args([
            "--screen",
            &format!("{}x{}", plan.screen.width, plan.screen.height),
        ])
        .args(["--max-steps", &plan.limits.max_steps.to_string()]);
    if let Some(spec) = plan.actor.spec_for(task_dir) {
        cmd.arg("--spec").arg(serde_json::to_string(&spec)?);
    }
    if let Some(usd) = plan.limits.max_cost_usd {
        cmd.args(["--max-cost", &usd.to_string()]);
    }
    for program in plan.launch {
        cmd.arg("--launch").arg(program);
    }
    if plan.files.offline {
        cmd.arg("--offline");
    }
    for m in &plan.files.mirrors {
        cmd.arg("--mirror")
            .arg(format!("{}={}", m.prefix, m.dir.display()));
    }
    for a in plan.chrome_args {
        cmd.arg(format!("--chrome-arg={a}"));
    }
    cmd.stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    crate::display::own_group(&mut cmd);
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start a worker for {}", e.name))?;
    Ok(Worker {
        index,
        child,
        started: Instant::now(),
    })
}

/// The result a worker left, or an error result saying why there is none.
fn collect(plan: &Plan<'_>, w: &mut Worker, timed_out: bool) -> TaskResult {
    let e = &plan.entries[w.index];
    let rel = rel_dir(e);
    let seconds = w.started.elapsed().as_secs_f64();
    let why = if timed_out {
        crate::display::terminate(&mut w.child, Duration::from_secs(5));
        Some(format!(
            "timed out after {} s (see worker.log)",
            plan.timeout.as_secs()
        ))
    } else {
        None
    };
    let status = w.child.wait().ok();
    match (
        why,
        TaskResult::read(&plan.out.join(&rel).join(RESULT_FILE)),
    ) {
        (None, Some(r)) => r,
        (why, _) => TaskResult {
            id: e.name.clone(),
            domain: e.domain.clone(),
            score: 0.0,
            status: Status::Error,
            steps: 0,
            seconds,
            error: Some(why.unwrap_or_else(|| {
                format!(
                    "the worker died without a result ({}; see worker.log)",
                    status.map_or_else(|| "unknown status".into(), |s| s.to_string())
                )
            })),
            run_dir: rel,
            timings: Timings::default(),
        },
    }
}

/// The progress line and the per-task lines.
struct Progress {
    total: usize,
    finished: usize,
    passed: usize,
    failed: usize,
    errors: usize,
    tty: bool,
}

impl Progress {
    fn task_done(&mut self, r: &TaskResult) {
        self.finished += 1;
        let mark = match r.status {
            Status::Scored if r.passed() => {
                self.passed += 1;
                "PASS"
            }
            Status::Scored => {
                self.failed += 1;
                "FAIL"
            }
            Status::Unsupported => {
                self.errors += 1;
                "SKIP"
            }
            Status::Error => {
                self.errors += 1;
                "ERR "
            }
        };
        let clear = if self.tty { "\r\x1b[K" } else { "" };
        let error = r
            .error
            .as_deref()
            .map(|e| format!("  {}", e.chars().take(120).collect::<String>()))
            .unwrap_or_default();
        eprintln!(
            "{clear}[{}/{}] {mark} {} {:.2} ({:.1} s){error}",
            self.finished, self.total, r.id, r.score, r.seconds
        );
    }

    fn draw(&self, running: &[String]) {
        if !self.tty {
            return;
        }
        let width = 24;
        let filled = (self.finished * width)
            .checked_div(self.total)
            .unwrap_or(width);
        let bar: String = "#".repeat(filled) + &".".repeat(width - filled);
        let names = running.join(", ");
        let names: String = names.chars().take(60).collect();
        eprint!(
            "\r\x1b[K[{bar}] {}/{}  {} passed  {} failed  {} errors  running: {names}",
            self.finished, self.total, self.passed, self.failed, self.errors
        );
        let _ = std::io::stderr().flush();
    }
}

/// One finished task on stdout: `{"type": "task", …}` with its `result.json` fields.
fn print_task_line(r: &TaskResult) {
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(r) {
        let mut line = serde_json::Map::new();
        line.insert("type".into(), "task".into());
        line.extend(fields);
        println!("{}", serde_json::Value::Object(line));
    }
}

/// Runs the planned tasks, filling `done`. Returns whether Ctrl-C (or SIGTERM) cut it short.
pub fn run(plan: Plan<'_>, done: &mut [Option<TaskResult>]) -> anyhow::Result<bool> {
    listen_for_interrupts();
    let mut progress = Progress {
        total: plan.todo.len(),
        finished: 0,
        passed: 0,
        failed: 0,
        errors: 0,
        tty: std::io::stderr().is_terminal(),
    };
    let mut queue = plan
        .todo
        .iter()
        .copied()
        .collect::<std::collections::VecDeque<_>>();
    let mut running: Vec<Worker> = Vec::new();
    let mut last_draw = Instant::now() - Duration::from_secs(1);
    loop {
        if INTERRUPTED.load(Ordering::SeqCst) {
            for mut w in running.drain(..) {
                crate::display::terminate(&mut w.child, Duration::from_secs(5));
            }
            eprintln!("\ndeskhand eval: interrupted; finished tasks are kept (--resume goes on)");
            return Ok(true);
        }
        while running.len() < plan.jobs {
            let Some(i) = queue.pop_front() else { break };
            running.push(spawn(&plan, i)?);
        }
        if running.is_empty() {
            break;
        }
        let mut k = 0;
        while k < running.len() {
            let exited = matches!(running[k].child.try_wait(), Ok(Some(_)));
            let late = running[k].started.elapsed() > plan.timeout;
            if exited || late {
                let mut w = running.swap_remove(k);
                let r = collect(&plan, &mut w, late && !exited);
                progress.task_done(&r);
                if plan.json {
                    print_task_line(&r);
                }
                done[w.index] = Some(r);
            } else {
                k += 1;
            }
        }
        if last_draw.elapsed() >= Duration::from_millis(200) {
            let names: Vec<String> = running
                .iter()
                .map(|w| plan.entries[w.index].name.clone())
                .collect();
            progress.draw(&names);
            last_draw = Instant::now();
        }
        // Poll the workers; each one's end is the condition waited on.
        std::thread::park_timeout(Duration::from_millis(50));
    }
    if progress.tty {
        eprint!("\r\x1b[K");
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, status: Status, score: f64) -> TaskResult {
        TaskResult {
            id: id.into(),
            domain: "suite".into(),
            score,
            status,
            steps: 1,
            seconds: 0.5,
            error: None,
            run_dir: format!("suite/{id}"),
            timings: Timings::default(),
        }
    }

    #[test]
    fn the_progress_line_counts_pass_fail_and_errors() {
        let mut p = Progress {
            total: 5,
            finished: 0,
            passed: 0,
            failed: 0,
            errors: 0,
            tty: false,
        };
        for r in [
            result("a", Status::Scored, 1.0),
            result("b", Status::Scored, 0.5),
            result("c", Status::Scored, 0.0),
            result("d", Status::Error, 0.0),
            result("e", Status::Unsupported, 0.0),
        ] {
            p.task_done(&r);
        }
        // An unsupported task is shown as SKIP and counted with the errors on the live line.
        assert_eq!((p.finished, p.passed, p.failed, p.errors), (5, 1, 2, 2));
        // Without a terminal nothing is drawn (and nothing panics with all tasks done).
        p.draw(&[]);
    }
}
