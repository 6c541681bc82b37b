//! EnigoDriver on a real Xvfb: the pointer moves, keys and buttons are held
//! while Hands holds them, and dropping Hands releases everything.
//!
//! Needs `Xvfb` (`apt-get install xvfb`): without it every test here fails, saying so.

// Test support code: a failure here should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use deskhand_actions::{Action, Button, Cancel, EnigoDriver, Hands, InputDriver, Key};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ConnectionExt, CreateWindowAux, EventMask, InputFocus, KeyButMask, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

const DEADLINE: Duration = Duration::from_secs(10);
const SHIFT_L: u32 = 0xffe1;

/// A private Xvfb, killed on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Starts Xvfb on a free display; panics, saying how to install it, when it is missing.
    fn start() -> Xvfb {
        let spawned = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24"])
            .args(["-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                panic!("Xvfb is not installed: these tests need it (apt-get install xvfb)")
            }
            Err(e) => panic!("cannot start Xvfb: {e}"),
        };
        // Xvfb writes the display number to -displayfd once it accepts clients.
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut xvfb = Xvfb {
            child,
            display: String::new(),
        };
        let line = rx
            .recv_timeout(DEADLINE)
            .expect("Xvfb did not report its display in time");
        let number = line.trim();
        assert!(
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
            "Xvfb reported {line:?}"
        );
        xvfb.display = format!(":{number}");
        xvfb
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` until it holds or the deadline passes.
fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

struct Probe {
    conn: RustConnection,
    root: Window,
}

impl Probe {
    fn connect(display: &str) -> Probe {
        let (conn, screen) = x11rb::connect(Some(display)).expect("probe connects");
        let root = conn.setup().roots[screen].root;
        Probe { conn, root }
    }

    fn pointer(&self) -> (i16, i16, KeyButMask) {
        let r = self.conn.query_pointer(self.root).unwrap().reply().unwrap();
        (r.root_x, r.root_y, r.mask)
    }

    fn keymap(&self) -> [u8; 32] {
        self.conn.query_keymap().unwrap().reply().unwrap().keys
    }

    fn key_is_down(&self, keycode: u8) -> bool {
        self.keymap()[usize::from(keycode / 8)] & (1 << (keycode % 8)) != 0
    }

    /// The first keycode whose first keysym is `keysym`.
    fn keycode_of(&self, keysym: u32) -> u8 {
        let setup = self.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = self
            .conn
            .get_keyboard_mapping(min, max - min + 1)
            .unwrap()
            .reply()
            .unwrap();
        let per = usize::from(map.keysyms_per_keycode);
        let index = map
            .keysyms
            .chunks(per)
            .position(|syms| syms.first() == Some(&keysym))
            .expect("keysym is mapped");
        min + u8::try_from(index).unwrap()
    }
}

const BUTTONS: [KeyButMask; 5] = [
    KeyButMask::BUTTON1,
    KeyButMask::BUTTON2,
    KeyButMask::BUTTON3,
    KeyButMask::BUTTON4,
    KeyButMask::BUTTON5,
];

fn no_buttons(mask: KeyButMask) -> bool {
    BUTTONS.iter().all(|b| !mask.contains(*b))
}

#[test]
fn enigo_moves_holds_and_releases_on_a_real_display() {
    let xvfb = Xvfb::start();
    let probe = Probe::connect(&xvfb.display);
    let shift = probe.keycode_of(SHIFT_L);
    let cancel = Cancel::new();

    let driver = EnigoDriver::connect(Some(&xvfb.display)).unwrap();
    assert_eq!(driver.display(), xvfb.display);
    assert_eq!(driver.name(), "enigo-x11");
    let mut hands = Hands::new(driver);

    hands
        .perform(&Action::Move { x: 100, y: 200 }, &cancel)
        .unwrap();
    wait_until("the pointer is at (100, 200)", || {
        let (x, y, _) = probe.pointer();
        (x, y) == (100, 200)
    });
    assert_eq!(
        hands.driver().pointer().unwrap(),
        deskhand_actions::Point::new(100, 200)
    );

    // Released by Hands itself (not by enigo's own drop).
    hands.key_down(Key::Shift).unwrap();
    wait_until("Shift_L is held", || probe.key_is_down(shift));
    hands.release_all().unwrap();
    wait_until("Shift_L is released", || !probe.key_is_down(shift));

    hands.key_down(Key::Shift).unwrap();
    wait_until("Shift_L is held again", || probe.key_is_down(shift));
    hands
        .perform(
            &Action::MouseDown {
                button: Button::Left,
            },
            &cancel,
        )
        .unwrap();
    wait_until("button 1 is held", || {
        probe.pointer().2.contains(KeyButMask::BUTTON1)
    });
    assert_eq!(hands.held_keys(), vec![Key::Shift]);
    assert_eq!(hands.held_buttons(), vec![Button::Left]);

    drop(hands);
    wait_until("no key is held", || probe.keymap() == [0; 32]);
    wait_until("no button is held", || no_buttons(probe.pointer().2));
}

#[test]
fn enigo_performs_actions_and_leaves_nothing_held() {
    let xvfb = Xvfb::start();
    let probe = Probe::connect(&xvfb.display);
    let cancel = Cancel::new();
    let mut hands = Hands::new(EnigoDriver::connect(Some(&xvfb.display)).unwrap());

    for action in [
        Action::Click {
            x: Some(640),
            y: Some(400),
            button: Button::Left,
            count: 2,
            modifiers: vec!["ctrl".into()],
        },
        Action::Drag {
            path: vec![
                deskhand_actions::Point::new(10, 10),
                deskhand_actions::Point::new(300, 250),
            ],
        },
        Action::Scroll {
            x: Some(20),
            y: Some(30),
            dx: 1,
            dy: -2,
        },
        Action::Key {
            keys: "ctrl+shift+T".into(),
        },
        Action::TypeText {
            text: "Hé!\tü\n".into(),
        },
        Action::HoldKey {
            keys: "alt".into(),
            ms: 10,
        },
    ] {
        hands
            .perform(&action, &cancel)
            .unwrap_or_else(|e| panic!("{action}: {e}"));
        assert!(hands.held_keys().is_empty() && hands.held_buttons().is_empty());
    }
    wait_until("the pointer is at (20, 30)", || {
        let (x, y, _) = probe.pointer();
        (x, y) == (20, 30)
    });
    wait_until("nothing is held", || {
        probe.keymap() == [0; 32] && no_buttons(probe.pointer().2)
    });
}

#[test]
fn enigo_types_unicode_exactly() {
    let xvfb = Xvfb::start();
    let probe = Probe::connect(&xvfb.display);
    let conn = &probe.conn;
    // A focused window that records key presses.
    let win = conn.generate_id().unwrap();
    conn.create_window(
        x11rb::COPY_DEPTH_FROM_PARENT,
        win,
        probe.root,
        0,
        0,
        200,
        100,
        0,
        WindowClass::INPUT_OUTPUT,
        x11rb::COPY_FROM_PARENT,
        &CreateWindowAux::new().event_mask(EventMask::KEY_PRESS),
    )
    .unwrap();
    conn.map_window(win).unwrap();
    conn.sync().unwrap();
    conn.set_input_focus(InputFocus::PARENT, win, x11rb::CURRENT_TIME)
        .unwrap();
    conn.sync().unwrap();

    let mut hands = Hands::new(EnigoDriver::connect(Some(&xvfb.display)).unwrap());
    hands
        .perform(
            &Action::TypeText {
                text: "Hé!✓\n".into(),
            },
            &Cancel::new(),
        )
        .unwrap();

    // Read the map while the typer still holds its bindings of spare keycodes.
    let setup = conn.setup();
    let min = setup.min_keycode;
    let map = conn
        .get_keyboard_mapping(min, setup.max_keycode - min + 1)
        .unwrap()
        .reply()
        .unwrap();
    let per = usize::from(map.keysyms_per_keycode);
    let sym = |code: u8, col: usize| map.keysyms[usize::from(code - min) * per + col];
    // Each press decoded as a client would: the second column when Shift is down; Shift itself
    // (pressed around capitals and shifted symbols) is left out.
    let mut keysyms = Vec::new();
    wait_until("five characters arrive", || {
        while let Some(event) = conn.poll_for_event().unwrap() {
            if let Event::KeyPress(e) = event {
                let shifted = e.state.contains(KeyButMask::SHIFT);
                let ks = sym(e.detail, usize::from(shifted));
                if ks != 0xffe1 && ks != 0xffe2 {
                    keysyms.push(ks);
                }
            }
        }
        keysyms.len() >= 5
    });
    // H, eacute (Latin-1 keysym), exclam, checkmark (Unicode keysym U+2713), Return.
    assert_eq!(keysyms, vec![0x48, 0xe9, 0x21, 0x0100_2713, 0xff0d]);
    drop(hands);
}
