//! No key or button stays held: after a normal run, after an action error, and after Ctrl-C
//! during a `hold_key`. Checked by asking the X server for its keymap and pointer state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use deskhand::agent::{Agent, AgentConfig};
use deskhand::policy::ScriptPolicy;
use deskhand::trajectory::{EndStatus, TrajectoryWriter};
use deskhand_actions::{Button, EnigoDriver, InputDriver, InputError, Key, Point, Press, Size};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use support::{deskhand, display, held, json_events, run_script, wait_until};

#[test]
fn nothing_is_held_after_a_normal_run() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    // The script leaves a button down on purpose; the run must still end with nothing held.
    let script = r#"[
        {"type":"hold_key","keys":"shift","ms":30},
        {"type":"mouse_down","button":"left"},
        {"type":"key","keys":"ctrl+shift+a"},
        {"type":"done"}
    ]"#;
    let out = run_script(&display, script, &dir.path().join("run"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(held(&display).is_clear(), "{:?}", held(&display));
}

/// Real XTEST input through enigo, failing on purpose at the `fail_at`-th primitive.
struct FailingDriver {
    inner: EnigoDriver,
    calls: usize,
    fail_at: usize,
}

impl FailingDriver {
    fn tick(&mut self) -> Result<(), InputError> {
        self.calls += 1;
        if self.calls == self.fail_at {
            return Err(InputError::Backend("injected failure".into()));
        }
        Ok(())
    }
}

impl InputDriver for FailingDriver {
    fn move_to(&mut self, p: Point) -> Result<(), InputError> {
        self.tick()?;
        self.inner.move_to(p)
    }
    fn button(&mut self, b: Button, p: Press) -> Result<(), InputError> {
        self.tick()?;
        self.inner.button(b, p)
    }
    fn scroll(&mut self, dx: i32, dy: i32) -> Result<(), InputError> {
        self.tick()?;
        self.inner.scroll(dx, dy)
    }
    fn key(&mut self, k: Key, p: Press) -> Result<(), InputError> {
        self.tick()?;
        self.inner.key(k, p)
    }
    fn text(&mut self, t: &str) -> Result<(), InputError> {
        self.tick()?;
        self.inner.text(t)
    }
    fn name(&self) -> &'static str {
        "failing-enigo"
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_held_after_an_action_error() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let screen = Size::new(1280, 800);
    // mouse_down is primitive 1; ctrl and shift are 2 and 3; the fourth (the `a`) fails
    // while ctrl, shift and the button are all held.
    let script = r#"[{"type":"mouse_down"},{"type":"key","keys":"ctrl+shift+a"},{"type":"done"}]"#;
    let policy = ScriptPolicy::parse(Path::new("s.json"), script, screen).unwrap();
    let driver = FailingDriver {
        inner: EnigoDriver::connect(Some(display.name())).unwrap(),
        calls: 0,
        fail_at: 4,
    };
    let source = deskhand_vision::open_screen(Some(display.name())).unwrap();
    let writer = TrajectoryWriter::create(&dir.path().join("run")).unwrap();
    let config = AgentConfig {
        display: display.name().into(),
        screen,
        max_steps: 10,
        max_cost_usd: None,
        settle: Default::default(),
        task: None,
        spec: None,
    };
    let running = Agent::new(config, source, driver, Box::new(policy), writer).spawn();
    let end = running.done.await.unwrap().unwrap();
    assert_eq!(end.status, EndStatus::Error);
    assert!(
        end.message
            .as_deref()
            .unwrap_or("")
            .contains("injected failure"),
        "{end:?}"
    );
    assert!(held(&display).is_clear(), "{:?}", held(&display));
}

#[test]
fn nothing_is_held_after_ctrl_c_during_hold_key() {
    let display = display(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let script_path = dir.path().join("hold.json");
    std::fs::write(
        &script_path,
        r#"[{"type":"mouse_down","button":"right"},{"type":"hold_key","keys":"ctrl+alt","ms":60000},{"type":"done"}]"#,
    )
    .unwrap();
    let mut child = deskhand()
        .args(["run", "--display", display.name(), "--json", "--script"])
        .arg(&script_path)
        .arg("--out")
        .arg(dir.path().join("run"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    // Read events until the hold_key action has started.
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "deskhand ended early: {seen:?}"
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        let is_hold = v["type"] == "action" && v["action"]["type"] == "hold_key";
        seen.push(v);
        if is_hold {
            break;
        }
    }
    // Wait (on the X server's own state) until ctrl and alt are really down.
    let down = wait_until(Duration::from_secs(10), || {
        let h = held(&display);
        (h.keycodes.len() >= 2 && h.buttons.contains(&3)).then_some(h)
    });
    assert!(down.is_some(), "keys never went down: {:?}", held(&display));

    // SAFETY: sending SIGINT to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let events = json_events(&rest);
    let end = events.last().unwrap();
    assert_eq!(end["type"], "session_end");
    assert_eq!(end["status"], "stopped");
    assert!(held(&display).is_clear(), "{:?}", held(&display));
}
