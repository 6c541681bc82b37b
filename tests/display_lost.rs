//! A display that dies under a run: input says so (never "feedback for the model"), and the run
//! ends with `session_end` status `error`, its trajectory intact.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use deskhand::display::Display;
use deskhand::trajectory::{EndStatus, Event, load};
use deskhand_actions::{EnigoDriver, InputDriver, Point};
use std::time::Duration;

/// The pid of the Xvfb this test process started (each test here starts one display).
fn server_pid() -> i32 {
    let me = std::process::id().to_string();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`
        let Some((comm, rest)) = stat.split_once(") ") else {
            continue;
        };
        let ppid = rest.split_whitespace().nth(1);
        if comm.ends_with("(Xvfb") && ppid == Some(me.as_str()) {
            return pid;
        }
    }
    panic!("this test started no Xvfb");
}

/// Kills the display's X server and waits until it is gone.
fn kill_server(display: &Display) {
    let pid = server_pid();
    let _ = display;
    // SAFETY: sending a signal to a process id has no memory-safety preconditions.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    // Gone, or a zombie (the display's handle reaps it when dropped).
    let gone = support::wait_until(Duration::from_secs(10), || {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.split_once(") ").map(|(_, rest)| rest.chars().next());
        matches!(state, None | Some(Some('Z'))).then_some(())
    });
    assert!(gone.is_some(), "Xvfb {pid} did not die");
}

#[test]
fn input_to_a_dead_display_is_display_lost() {
    let display = support::display(640, 480);
    let mut driver = EnigoDriver::connect(Some(display.name())).unwrap();
    driver.move_to(Point::new(10, 10)).unwrap();
    kill_server(&display);
    let e = driver.move_to(Point::new(20, 20)).unwrap_err();
    assert!(e.is_fatal(), "{e}");
    let e = driver.text("abc").unwrap_err();
    assert!(e.is_fatal(), "{e}");
}

#[test]
fn a_run_whose_display_dies_ends_in_error_with_its_trajectory_intact() {
    let display = support::display(640, 480);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let script = dir.path().join("s.json");
    std::fs::write(
        &script,
        r#"[{"type":"wait","ms":4000},{"type":"click","x":10,"y":10},{"type":"type_text","text":"x"}]"#,
    )
    .unwrap();
    let mut child = support::deskhand()
        .args([
            "run",
            "--policy",
            "script",
            "--json",
            "--display",
            display.name(),
        ])
        .arg("--script")
        .arg(&script)
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill the server once the wait is under way.
    let traj = out.join("trajectory.jsonl");
    let started = support::wait_file(&traj, Duration::from_secs(30), |b| {
        String::from_utf8_lossy(b).contains(r#""type":"wait""#)
    });
    assert!(started.is_some(), "the wait never started");
    kill_server(&display);
    let status = support::wait_until(Duration::from_secs(60), || child.try_wait().unwrap())
        .expect("deskhand exits once its display is gone");
    assert!(!status.success());
    let loaded = load(&out).unwrap();
    assert!(loaded.torn.is_none());
    let Some(Event::SessionEnd(end)) = loaded.records.last().map(|r| r.event.clone()) else {
        panic!("no session_end: {:?}", loaded.records.last());
    };
    assert_eq!(end.status, EndStatus::Error);
    // Nothing after the wait was performed.
    assert!(
        !loaded.records.iter().any(|r| matches!(
            &r.event,
            Event::ActionResult(a) if a.step == 1 && a.index == 1 && a.status == deskhand::trajectory::ActionStatus::Ok
        )),
        "an action went through on a dead display"
    );
}
