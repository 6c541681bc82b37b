//! Which display a session drives, opened the same way for `run`, `record`, `replay`,
//! `resume` and `eval`, and the programs started on it first (`--launch`).

use crate::display::{Display, VirtualDisplay, VirtualOptions, x11};
use anyhow::{Context, bail};
use deskhand_actions::Size;
use std::process::Child;
use std::time::Duration;

/// The default size of a private virtual display.
pub const DEFAULT_SCREEN: Size = Size {
    width: 1280,
    height: 800,
};

/// How long a `--launch` program has to show its window.
pub const LAUNCH_DEADLINE: Duration = Duration::from_secs(30);

/// A screen size that is not `WxH` with each side 200 to 8192 pixels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a screen size: expected WxH like 1280x800, each side 200 to 8192")]
pub struct BadSize(pub String);

/// Parses `WxH` (like `1280x800`; `X` and `×` also separate), each side 200 to 8192 pixels.
pub fn parse_size(s: &str) -> Result<Size, BadSize> {
    let bad = || BadSize(s.to_owned());
    let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    if !(200..=8192).contains(&w) || !(200..=8192).contains(&h) {
        return Err(bad());
    }
    Ok(Size::new(w, h))
}

/// Where a session runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisplayChoice {
    /// A display someone else runs, by name (`--display :N`, or `$DISPLAY`).
    Existing(Option<String>),
    /// A private virtual display of this size (`--virtual`).
    Virtual(Size),
}

impl DisplayChoice {
    /// Opens it. For an existing display, `None` means `$DISPLAY`.
    pub fn open(&self) -> anyhow::Result<Display> {
        match self {
            DisplayChoice::Virtual(size) => {
                let opts = VirtualOptions {
                    width: size.width,
                    height: size.height,
                    ..VirtualOptions::default()
                };
                Ok(Display::Virtual(VirtualDisplay::start(&opts)?))
            }
            DisplayChoice::Existing(name) => {
                let name = match name {
                    Some(d) => d.clone(),
                    None => match std::env::var("DISPLAY") {
                        Ok(d) if !d.is_empty() => d,
                        _ => bail!(
                            "no X display: pass --display :N or --virtual (DISPLAY is not set)"
                        ),
                    },
                };
                Ok(Display::existing(&name)?)
            }
        }
    }
}

/// The screen size of an open display, as the X server says.
pub fn screen_of(display: &Display) -> anyhow::Result<Size> {
    let conn = x11::connect(display.name())?;
    let (w, h) = x11::screen_size(&conn)?;
    Ok(Size::new(w, h))
}

/// Points this process's `$DISPLAY` at `display` (xcap, the capture fallback, reads it).
///
/// Call it before any other thread starts: it changes the process environment.
pub fn point_env_at(display: &Display) {
    // SAFETY: the sessions call this while the process is single-threaded (before the async
    // runtime and any worker thread start), so nothing reads the environment concurrently.
    unsafe { std::env::set_var("DISPLAY", display.name()) };
}

/// The programs started on a display for a session; stopped when dropped.
#[derive(Debug, Default)]
pub struct Launched(Vec<Child>);

impl Launched {
    /// Starts each command on `display` and waits for its window; their stdout and stderr
    /// go to `run_dir`'s `apps.log` ([`crate::display::app_log`]), which an error names.
    pub fn start(
        display: &Display,
        commands: &[String],
        run_dir: &std::path::Path,
    ) -> anyhow::Result<Launched> {
        let mut launched = Launched::default();
        if commands.is_empty() {
            return Ok(launched);
        }
        std::fs::create_dir_all(run_dir)
            .with_context(|| format!("cannot create {}", run_dir.display()))?;
        let log = run_dir.join(crate::display::app_log::APPS_LOG);
        for cmd in commands {
            let (child, _) = display
                .launch_logged(cmd, LAUNCH_DEADLINE, &log)
                .with_context(|| format!("--launch {cmd:?}"))?;
            launched.0.push(child);
        }
        Ok(launched)
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        for child in &mut self.0 {
            crate::display::terminate(child, Duration::from_secs(3));
        }
    }
}
