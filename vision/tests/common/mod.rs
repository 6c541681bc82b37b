//! Test support: a private Xvfb per test, solid-colour windows made through x11rb, and polling
//! with a deadline.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, CreateWindowAux, PropMode, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

/// A private Xvfb server, killed on drop. Xvfb picks a free display number itself
/// (`-displayfd`), so tests can run in parallel.
pub struct Xvfb {
    child: Child,
    /// Like `":12"`.
    pub display: String,
    _stdout: ChildStdout,
}

impl Xvfb {
    /// A `width x height` screen of depth 24.
    pub fn start(width: u32, height: u32) -> Xvfb {
        Xvfb::start_with_depth(width, height, 24)
    }

    /// A `width x height` screen of the given depth.
    pub fn start_with_depth(width: u32, height: u32, depth: u32) -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0"])
            .arg(format!("{width}x{height}x{depth}"))
            .args(["-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb must be installed (apt-get install xvfb)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line);
            let _ = tx.send(read.map(|_| (line, reader.into_inner())));
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(Ok((line, stdout))) if !line.trim().is_empty() => Xvfb {
                child,
                display: format!(":{}", line.trim()),
                _stdout: stdout,
            },
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("Xvfb did not report its display number: {other:?}");
            }
        }
    }

    /// Kill the server now and wait until it has exited, as when a display goes away.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// A new X connection to this server.
    pub fn connect(&self) -> RustConnection {
        x11rb::connect(Some(&self.display)).unwrap().0
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Call `f` until it returns `Some`, every few milliseconds, for at most `limit`.
pub fn wait_until<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The pixel value of an RGB colour in the default colormap of the first screen.
pub fn pixel_of(conn: &RustConnection, rgb: [u8; 3]) -> u32 {
    let cmap = conn.setup().roots[0].default_colormap;
    let [r, g, b] = rgb.map(|c| u16::from(c) * 257);
    conn.alloc_color(cmap, r, g, b)
        .unwrap()
        .reply()
        .unwrap()
        .pixel
}

/// Create a window with a solid background; it is not mapped yet. `managed` windows get a
/// `WM_CLASS` of `name` and a title, for window managers; the others bypass them.
pub fn solid_window(
    conn: &RustConnection,
    (x, y, w, h): (i16, i16, u16, u16),
    rgb: [u8; 3],
    managed: Option<&str>,
) -> Window {
    let screen = &conn.setup().roots[0];
    let id = conn.generate_id().unwrap();
    let aux = CreateWindowAux::new()
        .background_pixel(pixel_of(conn, rgb))
        .override_redirect(u32::from(managed.is_none()));
    conn.create_window(
        x11rb::COPY_DEPTH_FROM_PARENT,
        id,
        screen.root,
        x,
        y,
        w,
        h,
        0,
        WindowClass::INPUT_OUTPUT,
        0,
        &aux,
    )
    .unwrap();
    if let Some(name) = managed {
        let class = format!("{}\0{name}\0", name.to_lowercase());
        conn.change_property8(
            PropMode::REPLACE,
            id,
            AtomEnum::WM_CLASS,
            AtomEnum::STRING,
            class.as_bytes(),
        )
        .unwrap();
        conn.change_property8(
            PropMode::REPLACE,
            id,
            AtomEnum::WM_NAME,
            AtomEnum::STRING,
            format!("{name} window").as_bytes(),
        )
        .unwrap();
    }
    conn.sync().unwrap();
    id
}

/// Map `window` and wait until the server has done it.
pub fn map(conn: &RustConnection, window: Window) {
    conn.map_window(window).unwrap();
    conn.sync().unwrap();
}

/// Change the background of `window` and repaint it.
pub fn repaint(conn: &RustConnection, window: Window, rgb: [u8; 3]) {
    let aux = x11rb::protocol::xproto::ChangeWindowAttributesAux::new()
        .background_pixel(pixel_of(conn, rgb));
    conn.change_window_attributes(window, &aux).unwrap();
    conn.clear_area(false, window, 0, 0, 0, 0).unwrap();
    conn.sync().unwrap();
}

/// RGBA of an RGB colour, opaque.
pub fn rgba(rgb: [u8; 3]) -> [u8; 4] {
    [rgb[0], rgb[1], rgb[2], 255]
}
