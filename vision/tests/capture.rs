//! Screen capture on a real Xvfb: sizes, known pixels, every capture method, other depths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Xvfb, map, rgba, solid_window, wait_until};
use deskhand_vision::{
    CaptureMethod, Frame, ScreenSource, ShmSource, Size, VisionError, X11Error, open_screen,
};

const TEAL: [u8; 3] = [0x12, 0x9a, 0x7e];

/// Capture until `(x, y)` shows `want`.
fn wait_for_pixel(src: &mut dyn ScreenSource, x: u32, y: u32, want: [u8; 4]) -> Frame {
    wait_until(Duration::from_secs(5), "the window to show", || {
        let f = src.capture().unwrap();
        (f.pixel(x, y) == Some(want)).then_some(f)
    })
}

fn time_captures(src: &mut dyn ScreenSource, n: u32) -> Duration {
    let t = Instant::now();
    for _ in 0..n {
        src.capture().unwrap();
    }
    t.elapsed() / n
}

#[test]
fn shm_captures_the_screen_size() {
    let x = Xvfb::start(1280, 800);
    let mut src = ShmSource::connect(Some(&x.display)).unwrap();
    assert_eq!(src.name(), "x11-shm");
    assert_eq!(src.method(), CaptureMethod::ShmFd);
    assert_eq!(src.size(), Size::new(1280, 800));
    let f = src.capture().unwrap();
    assert_eq!(f.size(), Size::new(1280, 800));
    assert_eq!(f.rgba().len(), 1280 * 800 * 4);
    assert!(f.rgba().chunks_exact(4).all(|p| p[3] == 255));
    println!("shm 1280x800: {:?}/capture", time_captures(&mut src, 20));
}

#[test]
fn window_colour_shows_at_known_pixels() {
    let x = Xvfb::start(1280, 800);
    let conn = x.connect();
    let mut src = ShmSource::connect(Some(&x.display)).unwrap();
    let before = src.capture().unwrap();
    let win = solid_window(&conn, (100, 50, 300, 200), TEAL, None);
    map(&conn, win);
    let f = wait_for_pixel(&mut src, 100, 50, rgba(TEAL));
    for (px, py) in [(100, 50), (399, 249), (250, 150)] {
        assert_eq!(f.pixel(px, py), Some(rgba(TEAL)), "inside at ({px},{py})");
    }
    for (px, py) in [(99, 50), (400, 150), (250, 250), (0, 0)] {
        assert_eq!(
            f.pixel(px, py),
            before.pixel(px, py),
            "outside at ({px},{py})"
        );
    }
    let changes = deskhand_vision::diff(&before, &f);
    assert_eq!(
        changes.bounds(),
        Some(deskhand_vision::Rect::new(100, 50, 300, 200))
    );
}

#[test]
fn every_method_gives_the_same_pixels() {
    let x = Xvfb::start(640, 480);
    let conn = x.connect();
    let win = solid_window(&conn, (10, 20, 64, 48), TEAL, None);
    map(&conn, win);
    let mut fd = ShmSource::connect_with(Some(&x.display), CaptureMethod::ShmFd).unwrap();
    let reference = wait_for_pixel(&mut fd, 10, 20, rgba(TEAL));
    let mut get = ShmSource::connect_with(Some(&x.display), CaptureMethod::GetImage).unwrap();
    assert_eq!(get.name(), "x11-getimage");
    assert!(get.capture().unwrap().same_pixels(&reference));
    match ShmSource::connect_with(Some(&x.display), CaptureMethod::ShmSysV) {
        Ok(mut sysv) => {
            assert_eq!(sysv.name(), "x11-shm");
            assert!(sysv.capture().unwrap().same_pixels(&reference));
        }
        // Some sandboxes forbid System V shared memory (shmget/shmat fail); the fd path above
        // is the one used. Any other failure (the server refusing ShmAttach, a wrong image) is
        // a bug and fails the test.
        Err(VisionError::X11(X11Error::SharedMemory { call, source }))
            if call == "shmget" || call == "shmat" =>
        {
            println!("System V shared memory is forbidden here ({call}: {source})");
        }
        Err(e) => panic!("System V capture failed: {e:?}"),
    }
}

#[test]
fn captures_1920x1080() {
    let x = Xvfb::start(1920, 1080);
    let mut src = ShmSource::connect(Some(&x.display)).unwrap();
    let f = src.capture().unwrap();
    assert_eq!(f.size(), Size::new(1920, 1080));
    println!("shm 1920x1080: {:?}/capture", time_captures(&mut src, 20));
    let mut get = ShmSource::connect_with(Some(&x.display), CaptureMethod::GetImage).unwrap();
    println!(
        "getimage 1920x1080: {:?}/capture",
        time_captures(&mut get, 5)
    );
}

#[test]
fn depth_16_is_converted() {
    let x = Xvfb::start_with_depth(320, 240, 16);
    let conn = x.connect();
    let win = solid_window(&conn, (0, 0, 50, 50), [255, 0, 0], None);
    map(&conn, win);
    let mut src = ShmSource::connect(Some(&x.display)).unwrap();
    let f = wait_for_pixel(&mut src, 10, 10, [255, 0, 0, 255]);
    assert_eq!(f.size(), Size::new(320, 240));
}

#[test]
fn open_screen_prefers_shm() {
    let x = Xvfb::start(800, 600);
    let mut src = open_screen(Some(&x.display)).unwrap();
    assert_eq!(src.name(), "x11-shm");
    assert_eq!(src.capture().unwrap().size(), Size::new(800, 600));
}

#[test]
fn a_missing_display_is_a_clear_error() {
    let err = ShmSource::connect(Some(":4999")).err().unwrap();
    assert!(
        matches!(&err, VisionError::X11(X11Error::Connect { display, .. }) if display == ":4999"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "cannot connect to X display :4999");
    // x11rb's reason is kept as the source.
    assert!(std::error::Error::source(&err).is_some(), "{err:?}");
    // Never having reached a display is not losing one.
    assert!(!err.is_display_lost());
    // open_screen must not fall back to xcap, which would capture $DISPLAY instead.
    assert!(open_screen(Some(":4999")).is_err());
}

#[test]
fn one_connection_for_many_captures() {
    // Xvfb refuses the 256th client: a source that reconnected per capture would fail here.
    let x = Xvfb::start(64, 64);
    let mut src = ShmSource::connect(Some(&x.display)).unwrap();
    for _ in 0..300 {
        src.capture().unwrap();
    }
}

#[test]
fn a_display_that_goes_away_is_reported_lost() {
    for method in [CaptureMethod::ShmFd, CaptureMethod::GetImage] {
        let mut x = Xvfb::start(320, 240);
        let mut src = ShmSource::connect_with(Some(&x.display), method).unwrap();
        src.capture().unwrap();
        x.kill();
        let err = src.capture().unwrap_err();
        assert!(err.is_display_lost(), "{method:?}: {err:?}");
        assert!(
            matches!(
                err,
                VisionError::X11(X11Error::Request { .. } | X11Error::Reply { .. })
            ),
            "{method:?}: {err:?}"
        );
        // It stays lost: the agent may capture once more before it ends the run.
        assert!(src.capture().unwrap_err().is_display_lost(), "{method:?}");
    }
}
