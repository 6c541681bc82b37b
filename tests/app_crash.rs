//! Apps that die while starting, on real virtual displays: their output is kept in the run
//! directory's `apps.log`, a setup step whose app aborts on its first start is retried once (and
//! setup.log says so), and an app that aborts every time is the task's error, naming apps.log.
//! The same for LibreOffice opening a document (a stand-in in front of the real one aborts its
//! first start), which also gets its profile from a template made for the test. Also
//! `Display::launch_logged`, which `--launch` uses, on its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use deskhand::display::DisplayError;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::deskhand;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/app_crash")
}

fn task<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {results}"))
}

#[test]
fn an_app_that_aborts_once_is_retried_and_one_that_always_aborts_names_apps_log() {
    let out = tempfile::tempdir().unwrap();
    let o = deskhand()
        .arg("eval")
        .arg(fixtures())
        .args(["--policy", "none", "-j", "2", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "one task errs: {stderr}");
    let text = std::fs::read_to_string(out.path().join("results.json")).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    let run_dir = |id: &str| out.path().join(task(&r, id)["run_dir"].as_str().unwrap());
    let read = |id: &str, file: &str| {
        std::fs::read_to_string(run_dir(id).join(file))
            .unwrap_or_else(|e| panic!("{id}/{file}: {e}"))
    };

    // Aborts on its first start only: retried, and the task scores.
    let once = task(&r, "abort-once");
    assert_eq!(once["status"], "scored", "{once}");
    assert_eq!(once["score"], 1.0, "{once}");
    let setup = read("abort-once", "setup.log");
    assert!(
        setup.lines().any(|l| l
            == "step launch: sh /home/user/abort-once.sh exited early with status 134; \
                its output is in apps.log; starting it once more"),
        "{setup}"
    );
    let apps = read("abort-once", "apps.log");
    let lines: Vec<&str> = apps.lines().collect();
    let started: Vec<&&str> = lines.iter().filter(|l| l.contains("] started: ")).collect();
    assert!(started.len() >= 2, "two starts of the program: {apps}");
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("] stderr: abort-once: first start, no marker yet: aborting")),
        "the first start's stderr: {apps}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("] exited: exit status: 134")),
        "{apps}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("] stdout: abort-once: second start")),
        "{apps}"
    );
    // Each line names its program.
    let program = "sh /home/user/abort-once.sh";
    assert!(
        lines
            .iter()
            .filter(|l| l.contains("abort-once"))
            .all(|l| l.starts_with(program) || l.starts_with("wmctrl")),
        "{apps}"
    );

    // Aborts every time: the task's error says how it ended and names apps.log.
    let always = task(&r, "always-abort");
    assert_eq!(always["status"], "error", "{always}");
    let err = always["error"].as_str().unwrap();
    assert_eq!(
        err,
        "setup step launch: sh /home/user/always-abort.sh exited early with status 134; its output is in apps.log",
    );
    let apps = read("always-abort", "apps.log");
    let said = apps
        .lines()
        .filter(|l| l.ends_with("] stderr: always-abort: cannot start, aborting"))
        .count();
    assert_eq!(said, 2, "both starts' stderr: {apps}");
    assert!(read("always-abort", "setup.log").contains("starting it once more"));
}

#[test]
fn libreoffice_aborting_on_its_first_start_is_opened_again_on_a_complete_profile() {
    let suite = tempfile::tempdir().unwrap();
    let task_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tasks/suite/calc-add-total");
    std::os::unix::fs::symlink(task_dir, suite.path().join("calc-add-total")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let stand_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/app_crash_bin");
    let path = std::env::join_paths(
        std::iter::once(stand_in).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let o = deskhand()
        .arg("eval")
        .arg(suite.path())
        .args(["--policy", "none", "--out"])
        .arg(out.path())
        .env("PATH", path)
        .env("DESKHAND_CACHE", cache.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let text = std::fs::read_to_string(out.path().join("results.json"))
        .unwrap_or_else(|e| panic!("no results ({e}): {stderr}"));
    let r: Value = serde_json::from_str(&text).unwrap();
    let t = task(&r, "calc-add-total");
    assert_eq!(t["status"], "scored", "{t}");
    let run_dir = out.path().join(t["run_dir"].as_str().unwrap());
    let setup = std::fs::read_to_string(run_dir.join("setup.log")).unwrap();
    let lines: Vec<&str> = setup.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("libreoffice profile: made this machine's template")),
        "{setup}"
    );
    assert!(
        lines.contains(
            &"step open: libreoffice for sales.xlsx exited early with status 134; its output is \
              in apps.log; starting it once more"
        ),
        "{setup}"
    );
    assert!(
        lines.contains(&"step open: the second start worked"),
        "{setup}"
    );
    let apps = std::fs::read_to_string(run_dir.join("apps.log")).unwrap();
    assert!(
        apps.lines()
            .any(|l| l.starts_with("libreoffice for sales.xlsx[")
                && l.ends_with("] stderr: fake libreoffice: aborting on the first start")),
        "{apps}"
    );
    let starts = apps
        .lines()
        .filter(|l| l.starts_with("libreoffice for sales.xlsx[") && l.contains("] started: "))
        .count();
    assert_eq!(starts, 2, "{apps}");
    // The template is complete: LibreOffice's own files, and the first-run settings.
    let template = std::fs::read_dir(cache.path().join("libreoffice-profile"))
        .unwrap()
        .map(|e| e.unwrap().path().join("user"))
        .find(|p| p.is_dir())
        .unwrap();
    assert!(template.join("extensions/buildid").is_file());
    assert!(template.join("basic").is_dir());
}

#[test]
fn launch_logged_keeps_the_output_and_names_the_log_when_the_program_dies() {
    let display = support::display(640, 480);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("run/apps.log");
    let err = display
        .launch_logged(
            "echo 'about to abort' >&2; exit 134",
            Duration::from_secs(10),
            &log,
        )
        .unwrap_err();
    assert!(matches!(err, DisplayError::AppExited { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "echo 'about to abort' >&2; exit 134 exited early with status 134; its output is in apps.log"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.lines()
            .any(|l| l.ends_with("] stderr: about to abort")),
        "{text}"
    );

    // A program that comes up: its window is found, and what it writes keeps flowing in.
    let (mut child, window) = display
        .launch_logged(
            "echo up; exec xterm -title logged -geometry 40x10+10+10",
            Duration::from_secs(20),
            &log,
        )
        .unwrap();
    assert_ne!(window, 0);
    let text = support::wait_until(Duration::from_secs(10), || {
        let t = std::fs::read_to_string(&log).ok()?;
        t.contains("] stdout: up").then_some(t)
    });
    assert!(text.is_some(), "{:?}", std::fs::read_to_string(&log));
    child.kill().unwrap();
    child.wait().unwrap();
}
