//! Synthetic event sequences through the coalescer. Keycodes: 10–49 letters and symbols, 50
//! Shift_L, 37 Control_L, 64 Alt_L, 133 Super_L, 66 Caps_Lock, 36 Return, 23 Tab, 22 BackSpace.

use super::*;
use pretty_assertions::assert_eq;

const SHIFT: u8 = 50;
const CTRL: u8 = 37;
const ALT: u8 = 64;
const SUPER: u8 = 133;
const CAPS: u8 = 66;
const RETURN: u8 = 36;
const TAB: u8 = 23;
const BACKSPACE: u8 = 22;

fn meaning(code: u8) -> KeyMeaning {
    match code {
        SHIFT => KeyMeaning::same(KeyKind::Modifier(Modifier::Shift)),
        CTRL => KeyMeaning::same(KeyKind::Modifier(Modifier::Ctrl)),
        ALT => KeyMeaning::same(KeyKind::Modifier(Modifier::Alt)),
        SUPER => KeyMeaning::same(KeyKind::Modifier(Modifier::Super)),
        CAPS => KeyMeaning::same(KeyKind::Modifier(Modifier::CapsLock)),
        RETURN => KeyMeaning::same(KeyKind::Named("Return")),
        TAB => KeyMeaning {
            shifted: KeyKind::Named("Tab"),
            ..KeyMeaning::same(KeyKind::Named("Tab"))
        },
        BACKSPACE => KeyMeaning::same(KeyKind::Named("BackSpace")),
        _ => {
            let c = char::from(b'a' + (code - 10) % 26);
            match code {
                10..=35 => KeyMeaning::chars(c, c.to_ascii_uppercase()),
                40 => KeyMeaning::chars('1', '!'),
                41 => KeyMeaning::chars(' ', ' '),
                42 => KeyMeaning::chars('=', '+'),
                _ => KeyMeaning::same(KeyKind::Unknown(0)),
            }
        }
    }
}

/// A letter's keycode.
fn letter(c: char) -> u8 {
    10 + (c as u8 - b'a')
}

/// Feeds events at the given milliseconds, tagging each with its index; collects everything
/// finished, then finishes the rest at the end.
struct Run {
    c: Coalescer<usize>,
    n: usize,
    out: Vec<Finished<usize>>,
    skipped: Vec<Skipped>,
}

impl Run {
    fn new() -> Run {
        Run {
            c: Coalescer::new(Options::default(), false),
            n: 0,
            out: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn at(&mut self, ms: u64, input: Input) -> &mut Run {
        let now = Duration::from_millis(ms);
        self.out.extend(self.c.tick(now));
        let (done, skipped) = self.c.feed(now, self.n, input);
        self.n += 1;
        self.out.extend(done);
        self.skipped.extend(skipped);
        self
    }

    fn down(&mut self, ms: u64, code: u8) -> &mut Run {
        self.at(
            ms,
            Input::KeyDown {
                code,
                meaning: meaning(code),
            },
        )
    }

    fn up(&mut self, ms: u64, code: u8) -> &mut Run {
        self.at(ms, Input::KeyUp { code })
    }

    fn tap(&mut self, ms: u64, code: u8) -> &mut Run {
        self.down(ms, code).up(ms + 5, code)
    }

    fn typed(&mut self, ms: u64, text: &str) -> &mut Run {
        for (i, ch) in text.chars().enumerate() {
            let t = ms + 50 * i as u64;
            if ch.is_ascii_uppercase() {
                self.down(t, SHIFT)
                    .tap(t + 1, letter(ch.to_ascii_lowercase()))
                    .up(t + 10, SHIFT);
            } else if ch == ' ' {
                self.tap(t, 41);
            } else {
                self.tap(t, letter(ch));
            }
        }
        self
    }

    fn press(&mut self, ms: u64, button: u8, x: i32, y: i32) -> &mut Run {
        self.at(
            ms,
            Input::ButtonDown {
                button,
                at: Point::new(x, y),
            },
        )
    }

    fn release(&mut self, ms: u64, button: u8, x: i32, y: i32) -> &mut Run {
        self.at(
            ms,
            Input::ButtonUp {
                button,
                at: Point::new(x, y),
            },
        )
    }

    fn moved(&mut self, ms: u64, x: i32, y: i32) -> &mut Run {
        self.at(
            ms,
            Input::Motion {
                at: Point::new(x, y),
            },
        )
    }

    fn click(&mut self, ms: u64, button: u8, x: i32, y: i32) -> &mut Run {
        self.press(ms, button, x, y).release(ms + 60, button, x, y)
    }

    /// Ticks at `ms` (time passing with no event).
    fn idle(&mut self, ms: u64) -> &mut Run {
        self.out.extend(self.c.tick(Duration::from_millis(ms)));
        self
    }

    fn actions(&mut self) -> Vec<Action> {
        self.out.extend(self.c.finish());
        self.out.iter().map(|f| f.action.clone()).collect()
    }

    fn json(&mut self) -> Vec<serde_json::Value> {
        self.actions()
            .iter()
            .map(|a| serde_json::to_value(a).unwrap())
            .collect()
    }
}

fn v(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn typing_with_shift_coalesces_into_one_text() {
    let mut r = Run::new();
    r.typed(0, "Hello World");
    assert_eq!(
        r.json(),
        vec![v(r#"{"type":"type_text","text":"Hello World"}"#)]
    );
    let f = &r.out[0];
    // The observation is the frame at the first character's key (index 1, after Shift).
    assert_eq!(f.tag, 1);
    assert_eq!(f.started, Duration::from_millis(1));
    assert_eq!(f.ended, Duration::from_millis(500));
}

#[test]
fn return_and_tab_join_the_text_but_start_none() {
    let mut r = Run::new();
    r.tap(0, RETURN)
        .typed(100, "ab")
        .tap(300, RETURN)
        .tap(350, TAB)
        .typed(400, "c");
    assert_eq!(
        r.json(),
        vec![
            v(r#"{"type":"key","keys":"Return"}"#),
            v(r#"{"type":"type_text","text":"ab\n\tc"}"#),
        ]
    );
}

#[test]
fn a_pause_ends_the_text_and_named_keys_end_it_too() {
    let mut r = Run::new();
    r.typed(0, "ab").idle(1100);
    assert_eq!(r.out.len(), 1, "the pause finished the text by itself");
    r.typed(1200, "cd").tap(1400, BACKSPACE).typed(1500, "e");
    assert_eq!(
        r.json(),
        vec![
            v(r#"{"type":"type_text","text":"ab"}"#),
            v(r#"{"type":"type_text","text":"cd"}"#),
            v(r#"{"type":"key","keys":"BackSpace"}"#),
            v(r#"{"type":"type_text","text":"e"}"#),
        ]
    );
}

#[test]
fn chords_use_the_unshifted_key_and_modifier_order() {
    let mut r = Run::new();
    r.typed(0, "x")
        .down(100, CTRL)
        .tap(110, letter('s'))
        .up(120, CTRL)
        .down(200, SHIFT)
        .down(201, CTRL)
        .tap(210, letter('t'))
        .up(220, CTRL)
        .up(221, SHIFT)
        .down(300, CTRL)
        .tap(310, 42)
        .up(320, CTRL)
        .down(400, SHIFT)
        .tap(410, TAB)
        .up(420, SHIFT)
        .down(500, ALT)
        .tap(510, 40)
        .up(520, ALT);
    assert_eq!(
        r.json(),
        vec![
            v(r#"{"type":"type_text","text":"x"}"#),
            v(r#"{"type":"key","keys":"ctrl+s"}"#),
            v(r#"{"type":"key","keys":"ctrl+shift+t"}"#),
            v(r#"{"type":"key","keys":"ctrl+="}"#),
            v(r#"{"type":"key","keys":"shift+Tab"}"#),
            v(r#"{"type":"key","keys":"alt+1"}"#),
        ]
    );
    for a in r.actions() {
        a.validate(deskhand_actions::Size::new(100, 100)).unwrap();
    }
}

#[test]
fn caps_lock_inverts_letters_only() {
    let mut r = Run::new();
    r.tap(0, CAPS)
        .typed(10, "ab")
        .down(200, SHIFT)
        .tap(201, letter('c'))
        .tap(202, 40)
        .up(210, SHIFT);
    assert_eq!(r.json(), vec![v(r#"{"type":"type_text","text":"ABc!"}"#)]);
}

#[test]
fn lone_modifier_taps() {
    let mut r = Run::new();
    r.tap(0, SUPER).tap(100, SHIFT).tap(200, CTRL);
    // Ctrl then Alt together, released: neither is alone.
    r.down(300, CTRL).down(310, ALT).up(320, ALT).up(330, CTRL);
    assert_eq!(
        r.json(),
        vec![
            v(r#"{"type":"key","keys":"super"}"#),
            v(r#"{"type":"key","keys":"ctrl"}"#),
        ]
    );
}

#[test]
fn click_then_typing_finishes_the_click_at_the_first_key() {
    let mut r = Run::new();
    r.click(0, 1, 640, 420);
    assert!(r.out.is_empty(), "held back for a double click");
    r.typed(100, "hi");
    assert_eq!(r.out.len(), 1);
    assert_eq!(
        r.json(),
        vec![
            v(r#"{"type":"click","x":640,"y":420}"#),
            v(r#"{"type":"type_text","text":"hi"}"#),
        ]
    );
    assert_eq!(r.out[0].tag, 0);
    assert_eq!(r.out[1].tag, 2);
}

#[test]
fn clicks_become_double_and_triple_within_the_window() {
    let mut r = Run::new();
    r.click(0, 1, 100, 100).click(200, 1, 102, 101).idle(1000);
    assert_eq!(r.out.len(), 1, "finished once the window passed");
    r.click(2000, 1, 50, 50)
        .click(2150, 1, 50, 50)
        .click(2300, 1, 50, 50);
    assert_eq!(r.out.len(), 2, "a triple click is finished at once");
    // Too far apart in space, then in time: separate clicks.
    r.click(3000, 1, 10, 10)
        .click(3100, 1, 30, 10)
        .click(4000, 1, 30, 10);
    assert_eq!(
        r.json(),
        vec![
            v(r#"{"type":"click","x":100,"y":100,"count":2}"#),
            v(r#"{"type":"click","x":50,"y":50,"count":3}"#),
            v(r#"{"type":"click","x":10,"y":10}"#),
            v(r#"{"type":"click","x":30,"y":10}"#),
            v(r#"{"type":"click","x":30,"y":10}"#),
        ]
    );
    assert_eq!(r.out[0].started, Duration::ZERO);
    assert_eq!(r.out[0].ended, Duration::from_millis(260));
}

#[test]
fn right_middle_and_modifier_clicks() {
    let mut r = Run::new();
    r.click(0, 3, 5, 6)
        .click(1000, 2, 7, 8)
        .down(2000, CTRL)
        .click(2010, 1, 9, 9)
        .up(2100, CTRL)
        .click(2200, 1, 9, 9);
    assert_eq!(
        r.json(),
        vec![
            v(r#"{"type":"click","x":5,"y":6,"button":"right"}"#),
            v(r#"{"type":"click","x":7,"y":8,"button":"middle"}"#),
            v(r#"{"type":"click","x":9,"y":9,"modifiers":["ctrl"]}"#),
            v(r#"{"type":"click","x":9,"y":9}"#),
        ]
    );
}

#[test]
fn press_move_release_is_a_drag_with_a_thinned_path() {
    let mut r = Run::new();
    r.press(0, 1, 100, 100).moved(10, 103, 100);
    for i in 1..=20 {
        r.moved(10 + i, 100 + 3 * i as i32, 100);
    }
    r.release(100, 1, 165, 100);
    let acts = r.json();
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0]["type"], "drag");
    let path = acts[0]["path"].as_array().unwrap();
    assert_eq!(path.first().unwrap(), &v("[100,100]"));
    assert_eq!(path.last().unwrap(), &v("[165,100]"));
    assert!(path.len() < 12, "thinned: {path:?}");
    for pair in path.windows(2) {
        assert_ne!(pair[0], pair[1]);
    }
}

#[test]
fn right_drags_and_held_buttons_are_written_exactly() {
    let mut r = Run::new();
    r.press(0, 3, 10, 10)
        .moved(5, 40, 10)
        .release(10, 3, 50, 10);
    // Left button held while a key is typed: mouse_down at once, mouse_up at the release.
    r.press(100, 1, 20, 20)
        .tap(150, RETURN)
        .release(200, 1, 21, 20);
    assert_eq!(
        r.json(),
        vec![
            v(r#"{"type":"move","x":10,"y":10}"#),
            v(r#"{"type":"mouse_down","button":"right"}"#),
            v(r#"{"type":"move","x":50,"y":10}"#),
            v(r#"{"type":"mouse_up","button":"right"}"#),
            v(r#"{"type":"move","x":20,"y":20}"#),
            v(r#"{"type":"mouse_down"}"#),
            v(r#"{"type":"key","keys":"Return"}"#),
            v(r#"{"type":"move","x":21,"y":20}"#),
            v(r#"{"type":"mouse_up"}"#),
        ]
    );
}

#[test]
fn wheel_notches_add_up_per_direction() {
    let mut r = Run::new();
    for i in 0..3 {
        r.press(i * 50, 5, 300, 200)
            .release(i * 50 + 1, 5, 300, 200);
    }
    r.press(200, 4, 300, 200)
        .press(800, 4, 300, 200)
        .press(820, 7, 300, 200)
        .press(840, 7, 301, 200);
    assert_eq!(
        r.json(),
        vec![
            v(r#"{"type":"scroll","x":300,"y":200,"dy":3}"#),
            v(r#"{"type":"scroll","x":300,"y":200,"dy":-1}"#),
            v(r#"{"type":"scroll","x":300,"y":200,"dy":-1}"#),
            v(r#"{"type":"scroll","x":300,"y":200,"dx":2}"#),
        ]
    );
}

#[test]
fn chord_for_spots_a_stop_key_and_unknown_keys_are_skipped() {
    let mut r = Run::new();
    r.down(0, CTRL).down(1, ALT);
    assert_eq!(
        r.c.chord_for(&meaning(letter('q'))).as_deref(),
        Some("ctrl+alt+q")
    );
    assert_eq!(r.c.chord_for(&meaning(CTRL)), None);
    r.up(2, ALT).up(3, CTRL).tap(10, 99);
    assert_eq!(r.actions(), vec![]);
    assert_eq!(r.skipped.len(), 1);
    assert!(r.skipped[0].0.contains("key 99"), "{:?}", r.skipped);
}

#[test]
fn releases_of_things_pressed_before_the_recording_are_ignored() {
    let mut r = Run::new();
    r.up(0, RETURN).release(5, 1, 0, 0).up(6, CTRL);
    assert_eq!(r.actions(), vec![]);
}

#[test]
fn finish_writes_everything_pending() {
    let mut r = Run::new();
    r.click(0, 1, 1, 1).press(500, 1, 9, 9);
    assert_eq!(
        r.json(),
        vec![
            v(r#"{"type":"click","x":1,"y":1}"#),
            v(r#"{"type":"move","x":9,"y":9}"#),
            v(r#"{"type":"mouse_down"}"#),
        ]
    );
}
