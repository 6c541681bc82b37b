//! The deskhand that the end-to-end tests start ([`support::deskhand`]) never reads the
//! developer's own `./deskhand.toml`, `~/.config/deskhand/deskhand.toml` or
//! `$XDG_CONFIG_HOME/deskhand/deskhand.toml`.
//!
//! The test plants a config that deskhand refuses by name in each of those three places and
//! first shows that a plain deskhand started there does read each one. Then it runs itself
//! again as a child process whose working directory, `HOME` and `XDG_CONFIG_HOME` are the
//! planted ones (a developer's machine at its worst), and the child starts deskhand through
//! `support::deskhand()`, which must get past loading its config to the display.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

/// A key deskhand refuses by name: a config holding it fails any `run`.
const POISON: &str = "poisoned_key_from_the_developers_config";
/// Set in the child run of this test: the root of the planted directories.
const CHILD: &str = "DESKHAND_TEST_POISONED_ROOT";
/// Nothing listens here, so a `run` that got past its config fails on the display.
const NO_DISPLAY: &str = ":4999";

#[test]
fn a_developers_config_is_not_read() {
    match std::env::var_os(CHILD) {
        Some(root) => in_the_poisoned_place(Path::new(&root)),
        None => plant_and_rerun(),
    }
}

/// The parent: plant the configs, check each is really read by a plain deskhand, then run this
/// test again from inside them.
fn plant_and_rerun() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    for dir in ["cwd", "home/.config/deskhand", "xdg/deskhand", "clean"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    for file in [
        "cwd/deskhand.toml",
        "home/.config/deskhand/deskhand.toml",
        "xdg/deskhand/deskhand.toml",
    ] {
        std::fs::write(root.join(file), format!("{POISON} = 1\n")).unwrap();
    }
    std::fs::write(root.join("script.json"), r#"[{"type": "done"}]"#).unwrap();

    // Each planted file is one a plain deskhand reads: ./deskhand.toml first, then
    // $XDG_CONFIG_HOME, then ~/.config.
    let plain = |cwd: &str, home: &str, xdg: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_deskhand"));
        cmd.current_dir(root.join(cwd)).env("HOME", root.join(home));
        match xdg {
            Some(x) => cmd.env("XDG_CONFIG_HOME", root.join(x)),
            None => cmd.env_remove("XDG_CONFIG_HOME"),
        };
        run(cmd, root)
    };
    for (what, out) in [
        ("./deskhand.toml", plain("cwd", "clean", Some("clean"))),
        ("$XDG_CONFIG_HOME", plain("clean", "clean", Some("xdg"))),
        ("~/.config", plain("clean", "home", None)),
    ] {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(POISON),
            "a plain deskhand should read the planted {what}; it said: {err}"
        );
    }

    // This same test, in a process that lives in the planted directories.
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["a_developers_config_is_not_read", "--exact", "--nocapture"])
        .env(CHILD, root)
        .env("HOME", root.join("home"))
        .env("XDG_CONFIG_HOME", root.join("xdg"))
        .env_remove("DESKHAND_CACHE")
        .current_dir(root.join("cwd"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(
        child.status.success() && stdout.contains("1 passed"),
        "the child run failed:\n{stdout}\n{stderr}"
    );
}

/// The child: its own cwd, HOME and XDG_CONFIG_HOME hold the poison; the deskhand it starts
/// through `support::deskhand()` must not see any of it.
fn in_the_poisoned_place(root: &Path) {
    assert!(
        Path::new("deskhand.toml").is_file(),
        "the child runs in the planted directory"
    );
    let out = run(support::deskhand(), root);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains(POISON),
        "the developer's config was read: {err}"
    );
    // It got past its config and failed where it should: on the display that is not there.
    assert!(
        !out.status.success() && err.contains(NO_DISPLAY),
        "deskhand should fail on the missing display: {err}"
    );
}

/// `cmd run` of a one-line script against a display that is not there.
fn run(mut cmd: Command, root: &Path) -> Output {
    cmd.args([
        "run",
        "--policy",
        "script",
        "--display",
        NO_DISPLAY,
        "--script",
    ])
    .arg(root.join("script.json"))
    .arg("--out")
    .arg(root.join("run"))
    .output()
    .unwrap()
}
