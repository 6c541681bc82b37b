//! Which window has the keyboard focus, and where it is, read from the window manager at each
//! observation so that replay can check that keys go where they went when the run was recorded,
//! and aim clicks inside a window that has moved since.

use crate::display::{windows, x11};
use crate::trajectory::{WindowRect, WindowRef};
use std::sync::{Arc, Mutex};

/// A connection used only to ask for the focused window.
#[derive(Clone)]
pub struct Focus {
    x: Arc<Mutex<x11::X11>>,
}

impl std::fmt::Debug for Focus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Focus")
    }
}

impl Focus {
    /// Connects to `display`; `None` when it cannot (the run goes on without window names).
    pub fn connect(display: &str) -> Option<Focus> {
        x11::connect(display).ok().map(|x| Focus {
            x: Arc::new(Mutex::new(x)),
        })
    }

    /// The focused window now, when the window manager names one.
    pub fn now(&self) -> Option<WindowRef> {
        let x = self.x.lock().ok()?;
        let id = windows::active(&x).ok()??;
        let info = windows::describe(&x, id).ok()??;
        let rect = windows::geometry(&x, id)
            .ok()
            .map(|(left, top, width, height)| WindowRect {
                x: left,
                y: top,
                width,
                height,
            });
        Some(WindowRef {
            title: info.title,
            class: info.class,
            rect,
        })
    }

    /// [`Focus::now`] off the async loop's thread.
    pub async fn read(&self) -> Option<WindowRef> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.now())
            .await
            .ok()
            .flatten()
    }
}
