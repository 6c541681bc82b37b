//! [`Hands`]: performs whole actions on an [`InputDriver`] and never leaves
//! a key or button held.

use std::fmt;
use std::time::Duration;

use crate::action::{self, Action, ActionError, Button};
use crate::cancel::Cancel;
use crate::driver::{InputDriver, InputError, Press};
use crate::keys::{self, Key};
use crate::point::Point;

/// The longest single pointer jump during a drag, in pixels: longer
/// segments are split so applications see a continuous motion.
pub const DRAG_STEP: f64 = 25.0;
/// Text runs longer than this many characters are typed in pieces, so a
/// stop request is honoured between pieces.
pub const TEXT_CHUNK: usize = 100;
/// At most this many moves per drag segment, however long.
const MAX_DRAG_STEPS: f64 = 10_000.0;

/// Something [`Hands`] pressed and has not released yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    Key(Key),
    Button(Button),
}

/// Wraps a driver, performs whole Actions by decomposing them into
/// primitives, and tracks every key and button it holds.
///
/// It releases everything still held: when an action errors, when it is
/// cancelled, on [`release_all`](Self::release_all), and on drop (which
/// also runs during a panic unwind). Held state is recorded *before* a
/// press is sent, so a press that fails half-way is still released.
///
/// How actions become primitives:
///
/// | action | primitives |
/// |---|---|
/// | `move` | move |
/// | `click` | move (if `x`,`y` given), each modifier down, `count` × button click, modifiers up in reverse |
/// | `mouse_down` / `mouse_up` | button down / up (the button is tracked while held) |
/// | `drag` | move to `path[0]`, left down, moves along the path with no jump over [`DRAG_STEP`] px, left up |
/// | `scroll` | move (if `x`,`y` given), scroll(`dx`, `dy`) |
/// | `type_text` | text runs (at most [`TEXT_CHUNK`] chars each); `\n` → Return click, `\t` → Tab click (part of the run when the driver types them itself), `\r` dropped |
/// | `key` | each key of the chord down in order, up in reverse |
/// | `hold_key` | chord down, sleep `ms` (interruptible), chord up in reverse |
/// | `wait` | sleep `ms` (interruptible) |
/// | `zoom`, `done`, `fail`, `call_user` | nothing |
///
/// The [`Cancel`] flag is checked before every primitive.
///
/// ```
/// use deskhand_actions::{Action, Cancel, Hands, InputEvent, Key, Press, RecordingDriver};
/// let driver = RecordingDriver::new();
/// let mut hands = Hands::new(driver.clone());
/// hands.perform(&Action::Key { keys: "ctrl+s".into() }, &Cancel::new()).unwrap();
/// assert_eq!(
///     driver.events(),
///     vec![
///         InputEvent::Key(Key::Control, Press::Down),
///         InputEvent::Key(Key::Unicode('s'), Press::Down),
///         InputEvent::Key(Key::Unicode('s'), Press::Up),
///         InputEvent::Key(Key::Control, Press::Up),
///     ]
/// );
/// ```
pub struct Hands<D: InputDriver> {
    driver: D,
    held: Vec<Held>,
}

impl<D: InputDriver> fmt::Debug for Hands<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hands")
            .field("driver", &self.driver.name())
            .field("held", &self.held)
            .finish()
    }
}

impl<D: InputDriver> Hands<D> {
    /// Wraps `driver`; nothing is held yet.
    pub fn new(driver: D) -> Hands<D> {
        Hands {
            driver,
            held: Vec::new(),
        }
    }

    /// The driver.
    pub fn driver(&self) -> &D {
        &self.driver
    }

    /// The driver, mutably. Input sent through it directly is not tracked.
    pub fn driver_mut(&mut self) -> &mut D {
        &mut self.driver
    }

    /// The keys held now, in the order they were pressed.
    pub fn held_keys(&self) -> Vec<Key> {
        self.held
            .iter()
            .filter_map(|h| match h {
                Held::Key(k) => Some(*k),
                Held::Button(_) => None,
            })
            .collect()
    }

    /// The buttons held now, in the order they were pressed.
    pub fn held_buttons(&self) -> Vec<Button> {
        self.held
            .iter()
            .filter_map(|h| match h {
                Held::Button(b) => Some(*b),
                Held::Key(_) => None,
            })
            .collect()
    }

    /// Releases every held key and button, in reverse order of pressing.
    /// Tries all of them even if one fails; those that fail stay tracked,
    /// so a later call (or drop) tries them again.
    ///
    /// # Errors
    ///
    /// The first release that failed.
    pub fn release_all(&mut self) -> Result<(), InputError> {
        let held = std::mem::take(&mut self.held);
        let mut first_error = None;
        let mut kept = Vec::new();
        for h in held.into_iter().rev() {
            let sent = match h {
                Held::Key(k) => self.driver.key(k, Press::Up),
                Held::Button(b) => self.driver.button(b, Press::Up),
            };
            if let Err(e) = sent {
                kept.push(h);
                first_error.get_or_insert(e);
            }
        }
        kept.reverse();
        self.held = kept;
        first_error.map_or(Ok(()), Err)
    }

    /// Presses `key` and keeps it held (OSWorld's `KEY_DOWN`, pyautogui's
    /// `keyDown`) until [`key_up`](Self::key_up), an error, or drop.
    ///
    /// # Errors
    ///
    /// The driver's error; everything held is released first.
    pub fn key_down(&mut self, key: Key) -> Result<(), InputError> {
        let result = self.press(Held::Key(key), &Cancel::new());
        self.release_on_error(result)
    }

    /// Releases `key`, held or not.
    ///
    /// # Errors
    ///
    /// The driver's error; everything held is released first.
    pub fn key_up(&mut self, key: Key) -> Result<(), InputError> {
        let result = self.release(Held::Key(key), &Cancel::new());
        self.release_on_error(result)
    }

    /// Performs one action. See the table on [`Hands`] for the primitives
    /// each action becomes. The action is not checked against the screen
    /// here: call [`Action::validate`] first.
    ///
    /// # Errors
    ///
    /// [`InputError::Cancelled`] when `cancel` is raised before a primitive
    /// or during a sleep, [`InputError::Invalid`] when the action cannot be
    /// performed as written (bad key names, half a coordinate, a drag of
    /// fewer than two points, untypable control characters), or the
    /// driver's error. In every case everything held is released first.
    pub fn perform(&mut self, action: &Action, cancel: &Cancel) -> Result<(), InputError> {
        let result = self.run(action, cancel);
        self.release_on_error(result)
    }

    fn release_on_error(&mut self, result: Result<(), InputError>) -> Result<(), InputError> {
        if result.is_err() {
            // The original error matters more than a failed release.
            let _ = self.release_all();
        }
        result
    }

    fn run(&mut self, action: &Action, cancel: &Cancel) -> Result<(), InputError> {
        match action {
            Action::Move { x, y } => self.move_to(Point::new(*x, *y), cancel),
            Action::Click {
                x,
                y,
                button,
                count,
                modifiers,
            } => {
                let at = action::optional_point(action.kind(), *x, *y)?;
                let modifiers = action::modifier_keys(modifiers)?;
                if let Some(p) = at {
                    self.move_to(p, cancel)?;
                }
                for k in &modifiers {
                    self.press(Held::Key(*k), cancel)?;
                }
                for _ in 0..*count {
                    self.click(Held::Button(*button), cancel)?;
                }
                for k in modifiers.iter().rev() {
                    self.release(Held::Key(*k), cancel)?;
                }
                Ok(())
            }
            Action::MouseDown { button } => self.press(Held::Button(*button), cancel),
            Action::MouseUp { button } => self.release(Held::Button(*button), cancel),
            Action::Drag { path } => {
                let [first, _, ..] = path.as_slice() else {
                    return Err(drag_too_short(path.len()));
                };
                self.move_to(*first, cancel)?;
                self.press(Held::Button(Button::Left), cancel)?;
                for p in drag_moves(path) {
                    self.move_to(p, cancel)?;
                }
                self.release(Held::Button(Button::Left), cancel)
            }
            Action::Scroll { x, y, dx, dy } => {
                if let Some(p) = action::optional_point(action.kind(), *x, *y)? {
                    self.move_to(p, cancel)?;
                }
                cancel.check()?;
                self.driver.scroll(*dx, *dy)
            }
            Action::TypeText { text } => self.type_text(text, cancel),
            Action::Key { keys } => {
                let keys = keys::parse_chord(keys).map_err(ActionError::from)?;
                for k in &keys {
                    self.press(Held::Key(*k), cancel)?;
                }
                for k in keys.iter().rev() {
                    self.release(Held::Key(*k), cancel)?;
                }
                Ok(())
            }
            Action::HoldKey { keys, ms } => {
                let keys = keys::parse_chord(keys).map_err(ActionError::from)?;
                for k in &keys {
                    self.press(Held::Key(*k), cancel)?;
                }
                cancel.sleep(Duration::from_millis(*ms))?;
                for k in keys.iter().rev() {
                    self.release(Held::Key(*k), cancel)?;
                }
                Ok(())
            }
            Action::Wait { ms } => Ok(cancel.sleep(Duration::from_millis(*ms))?),
            Action::Zoom { .. }
            | Action::Done { .. }
            | Action::Fail { .. }
            | Action::CallUser { .. } => Ok(()),
        }
    }

    fn type_text(&mut self, text: &str, cancel: &Cancel) -> Result<(), InputError> {
        action::check_text(text)?;
        let mut run = String::new();
        let mut run_chars = 0;
        let bursts = self.driver.types_controls();
        for c in text.chars() {
            let key = match c {
                '\n' if !bursts => Key::Return,
                '\t' if !bursts => Key::Tab,
                '\r' => continue,
                c => {
                    run.push(c);
                    run_chars += 1;
                    if run_chars == TEXT_CHUNK {
                        self.send_text(&mut run, cancel)?;
                        run_chars = 0;
                    }
                    continue;
                }
            };
            self.send_text(&mut run, cancel)?;
            run_chars = 0;
            self.click(Held::Key(key), cancel)?;
        }
        self.send_text(&mut run, cancel)
    }

    /// Types and empties `run`, if it holds anything.
    fn send_text(&mut self, run: &mut String, cancel: &Cancel) -> Result<(), InputError> {
        if run.is_empty() {
            return Ok(());
        }
        cancel.check()?;
        self.driver.text(run)?;
        run.clear();
        Ok(())
    }

    fn move_to(&mut self, p: Point, cancel: &Cancel) -> Result<(), InputError> {
        cancel.check()?;
        self.driver.move_to(p)
    }

    fn send(&mut self, h: Held, press: Press) -> Result<(), InputError> {
        match h {
            Held::Key(k) => self.driver.key(k, press),
            Held::Button(b) => self.driver.button(b, press),
        }
    }

    /// Records `h` as held, then presses it.
    fn press(&mut self, h: Held, cancel: &Cancel) -> Result<(), InputError> {
        cancel.check()?;
        self.held.push(h);
        self.send(h, Press::Down)
    }

    /// Releases `h`, then forgets it.
    fn release(&mut self, h: Held, cancel: &Cancel) -> Result<(), InputError> {
        cancel.check()?;
        self.send(h, Press::Up)?;
        self.forget(h);
        Ok(())
    }

    /// Clicks `h`, tracking it as held until the click has gone through.
    fn click(&mut self, h: Held, cancel: &Cancel) -> Result<(), InputError> {
        cancel.check()?;
        self.held.push(h);
        self.send(h, Press::Click)?;
        self.forget(h);
        Ok(())
    }

    /// Forgets the most recent press of `h`.
    fn forget(&mut self, h: Held) {
        if let Some(i) = self.held.iter().rposition(|x| *x == h) {
            self.held.remove(i);
        }
    }
}

impl<D: InputDriver> Drop for Hands<D> {
    /// Releases everything still held, ignoring errors.
    fn drop(&mut self) {
        let _ = self.release_all();
    }
}

fn drag_too_short(n: usize) -> InputError {
    InputError::Invalid(ActionError::Invalid(format!(
        "drag path needs at least 2 points, has {n}"
    )))
}

/// The moves that follow `path[0]` in a drag: each segment split so no move
/// jumps more than about [`DRAG_STEP`] pixels, ending exactly on each point.
fn drag_moves(path: &[Point]) -> Vec<Point> {
    let mut moves = Vec::new();
    for pair in path.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let dx = f64::from(b.x) - f64::from(a.x);
        let dy = f64::from(b.y) - f64::from(a.y);
        let dist = dx.hypot(dy);
        if dist == 0.0 {
            continue;
        }
        let steps = (dist / DRAG_STEP).ceil().clamp(1.0, MAX_DRAG_STEPS) as u32;
        for i in 1..steps {
            let t = f64::from(i) / f64::from(steps);
            moves.push(Point::new(
                (f64::from(a.x) + dx * t).round() as i32,
                (f64::from(a.y) + dy * t).round() as i32,
            ));
        }
        moves.push(b);
    }
    moves
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::recording::{InputEvent, RecordingDriver};
    use pretty_assertions::assert_eq;
    use std::time::Instant;

    use InputEvent::{Button as B, Key as K, Move, Scroll, Text};
    use Press::{Click, Down, Up};

    fn perform(driver: &RecordingDriver, action: Action) -> Result<(), InputError> {
        let mut hands = Hands::new(driver.clone());
        hands.perform(&action, &Cancel::new())
    }

    fn events(action: Action) -> Vec<InputEvent> {
        let driver = RecordingDriver::new();
        perform(&driver, action).unwrap();
        driver.events()
    }

    #[test]
    fn click_with_modifiers_and_count() {
        let got = events(Action::Click {
            x: Some(640),
            y: Some(400),
            button: Button::Right,
            count: 2,
            modifiers: vec!["ctrl".into(), "shift".into()],
        });
        assert_eq!(
            got,
            vec![
                Move(Point::new(640, 400)),
                K(Key::Control, Down),
                K(Key::Shift, Down),
                B(Button::Right, Click),
                B(Button::Right, Click),
                K(Key::Shift, Up),
                K(Key::Control, Up),
            ]
        );
    }

    #[test]
    fn click_here_does_not_move() {
        let got = events(Action::Click {
            x: None,
            y: None,
            button: Button::Left,
            count: 3,
            modifiers: vec![],
        });
        assert_eq!(got, vec![B(Button::Left, Click); 3]);
    }

    #[test]
    fn move_mouse_down_up_scroll() {
        assert_eq!(
            events(Action::Move { x: 5, y: 6 }),
            vec![Move(Point::new(5, 6))]
        );
        assert_eq!(
            events(Action::Scroll {
                x: Some(100),
                y: Some(200),
                dx: -1,
                dy: 3
            }),
            vec![Move(Point::new(100, 200)), Scroll(-1, 3)]
        );
        assert_eq!(
            events(Action::Scroll {
                x: None,
                y: None,
                dx: 0,
                dy: -2
            }),
            vec![Scroll(0, -2)]
        );

        let driver = RecordingDriver::new();
        let mut hands = Hands::new(driver.clone());
        let cancel = Cancel::new();
        hands
            .perform(
                &Action::MouseDown {
                    button: Button::Left,
                },
                &cancel,
            )
            .unwrap();
        assert_eq!(hands.held_buttons(), vec![Button::Left]);
        hands
            .perform(
                &Action::MouseUp {
                    button: Button::Left,
                },
                &cancel,
            )
            .unwrap();
        assert!(hands.held_buttons().is_empty());
        drop(hands);
        assert_eq!(
            driver.events(),
            vec![B(Button::Left, Down), B(Button::Left, Up)]
        );
    }

    #[test]
    fn drag_interpolates_and_ends_on_each_point() {
        let path = vec![
            Point::new(10, 10),
            Point::new(200, 300),
            Point::new(200, 310),
        ];
        let got = events(Action::Drag { path: path.clone() });
        assert_eq!(got[0], Move(Point::new(10, 10)));
        assert_eq!(got[1], B(Button::Left, Down));
        assert_eq!(got[got.len() - 1], B(Button::Left, Up));
        let moves: Vec<Point> = got[2..got.len() - 1]
            .iter()
            .map(|e| match e {
                Move(p) => *p,
                other => panic!("not a move: {other:?}"),
            })
            .collect();
        assert_eq!(moves.last(), Some(&Point::new(200, 310)));
        assert!(moves.contains(&Point::new(200, 300)));
        // 346.8 px in the first segment: 14 moves; 10 px in the second: 1.
        assert_eq!(moves.len(), 15);
        let mut prev = path[0];
        for p in moves {
            let jump = f64::from(p.x - prev.x).hypot(f64::from(p.y - prev.y));
            assert!(jump <= DRAG_STEP + 1.5, "{prev} -> {p}: {jump}");
            prev = p;
        }
    }

    #[test]
    fn drag_needs_two_points() {
        let driver = RecordingDriver::new();
        let err = perform(
            &driver,
            Action::Drag {
                path: vec![Point::new(1, 1)],
            },
        )
        .unwrap_err();
        assert!(matches!(err, InputError::Invalid(_)), "{err}");
        assert!(driver.events().is_empty());
    }

    #[test]
    fn type_text_splits_runs() {
        assert_eq!(
            events(Action::TypeText {
                text: "a\nb\tc\r\n".into()
            }),
            vec![
                Text("a".into()),
                K(Key::Return, Click),
                Text("b".into()),
                K(Key::Tab, Click),
                Text("c".into()),
                K(Key::Return, Click),
            ]
        );
        assert_eq!(
            events(Action::TypeText {
                text: "héllo wörld ✓".into()
            }),
            vec![Text("héllo wörld ✓".into())]
        );
        assert_eq!(
            events(Action::TypeText {
                text: "\n\n".into()
            }),
            vec![K(Key::Return, Click), K(Key::Return, Click)]
        );
        assert!(
            events(Action::TypeText {
                text: String::new()
            })
            .is_empty()
        );
    }

    #[test]
    fn long_text_is_typed_in_chunks() {
        let text = "é".repeat(TEXT_CHUNK * 2 + 5);
        let got = events(Action::TypeText { text: text.clone() });
        assert_eq!(
            got,
            vec![
                Text("é".repeat(TEXT_CHUNK)),
                Text("é".repeat(TEXT_CHUNK)),
                Text("é".repeat(5)),
            ]
        );
    }

    #[test]
    fn untypable_control_characters_send_nothing() {
        let driver = RecordingDriver::new();
        let err = perform(
            &driver,
            Action::TypeText {
                text: "ok\u{7}".into(),
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("U+0007"), "{err}");
        assert!(driver.events().is_empty());
    }

    #[test]
    fn key_chord_order() {
        assert_eq!(
            events(Action::Key {
                keys: "ctrl+shift+t".into()
            }),
            vec![
                K(Key::Control, Down),
                K(Key::Shift, Down),
                K(Key::Unicode('t'), Down),
                K(Key::Unicode('t'), Up),
                K(Key::Shift, Up),
                K(Key::Control, Up),
            ]
        );
        assert_eq!(
            events(Action::Key {
                keys: "Return".into()
            }),
            vec![K(Key::Return, Down), K(Key::Return, Up)]
        );
    }

    #[test]
    fn bad_chord_sends_nothing() {
        let driver = RecordingDriver::new();
        let err = perform(
            &driver,
            Action::Key {
                keys: "ctrl+nope".into(),
            },
        )
        .unwrap_err();
        assert!(
            matches!(&err, InputError::Invalid(ActionError::BadKey(_))),
            "{err}"
        );
        assert!(err.to_string().contains("nope"));
        assert!(driver.events().is_empty());
    }

    #[test]
    fn hold_key_presses_sleeps_releases() {
        let start = Instant::now();
        let got = events(Action::HoldKey {
            keys: "shift+alt".into(),
            ms: 50,
        });
        assert!(start.elapsed() >= Duration::from_millis(50));
        assert_eq!(
            got,
            vec![
                K(Key::Shift, Down),
                K(Key::Alt, Down),
                K(Key::Alt, Up),
                K(Key::Shift, Up),
            ]
        );
    }

    #[test]
    fn wait_and_silent_actions_send_nothing() {
        for a in [
            Action::Wait { ms: 1 },
            Action::Zoom {
                region: [0, 0, 10, 10],
            },
            Action::Done { message: None },
            Action::Fail { reason: "x".into() },
            Action::CallUser {
                message: "x".into(),
            },
        ] {
            assert!(events(a).is_empty());
        }
    }

    #[test]
    fn driver_error_mid_chord_releases_what_was_pressed() {
        // Calls 0 and 1 press ctrl and shift; call 2 (pressing t) fails.
        let driver = RecordingDriver::new().fail_after(2);
        let mut hands = Hands::new(driver.clone());
        let err = hands
            .perform(
                &Action::Key {
                    keys: "ctrl+shift+t".into(),
                },
                &Cancel::new(),
            )
            .unwrap_err();
        assert!(matches!(err, InputError::Backend(_)), "{err}");
        assert!(hands.held_keys().is_empty());
        assert_eq!(
            driver.events(),
            vec![
                K(Key::Control, Down),
                K(Key::Shift, Down),
                // The failed press of t is released too: it may have gone through.
                K(Key::Unicode('t'), Up),
                K(Key::Shift, Up),
                K(Key::Control, Up),
            ]
        );
    }

    #[test]
    fn driver_error_mid_click_releases_modifiers_and_button() {
        // Move, ctrl down, then the first click fails.
        let driver = RecordingDriver::new().fail_after(2);
        let mut hands = Hands::new(driver.clone());
        let action = Action::Click {
            x: Some(1),
            y: Some(2),
            button: Button::Left,
            count: 2,
            modifiers: vec!["ctrl".into()],
        };
        assert!(hands.perform(&action, &Cancel::new()).is_err());
        assert_eq!(
            driver.events(),
            vec![
                Move(Point::new(1, 2)),
                K(Key::Control, Down),
                B(Button::Left, Up),
                K(Key::Control, Up),
            ]
        );
        assert!(hands.held_keys().is_empty() && hands.held_buttons().is_empty());
    }

    #[test]
    fn an_error_releases_a_button_held_by_an_earlier_action() {
        let driver = RecordingDriver::new().fail_after(1);
        let mut hands = Hands::new(driver.clone());
        let cancel = Cancel::new();
        hands
            .perform(
                &Action::MouseDown {
                    button: Button::Left,
                },
                &cancel,
            )
            .unwrap();
        assert!(
            hands
                .perform(&Action::Move { x: 9, y: 9 }, &cancel)
                .is_err()
        );
        assert!(hands.held_buttons().is_empty());
        assert_eq!(
            driver.events(),
            vec![B(Button::Left, Down), B(Button::Left, Up)]
        );
    }

    #[test]
    fn cancel_during_hold_key_releases_quickly() {
        let driver = RecordingDriver::new();
        let mut hands = Hands::new(driver.clone());
        let cancel = Cancel::new();
        let stopper = cancel.clone();
        let watcher = driver.clone();
        let thread = std::thread::spawn(move || {
            // Cancel once both keys are down.
            let deadline = Instant::now() + Duration::from_secs(5);
            while watcher.events().len() < 2 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            stopper.cancel();
        });
        let start = Instant::now();
        let result = hands.perform(
            &Action::HoldKey {
                keys: "ctrl+shift".into(),
                ms: 10_000,
            },
            &cancel,
        );
        thread.join().unwrap();
        assert!(matches!(result, Err(InputError::Cancelled)), "{result:?}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        assert!(hands.held_keys().is_empty());
        assert_eq!(
            driver.events(),
            vec![
                K(Key::Control, Down),
                K(Key::Shift, Down),
                K(Key::Shift, Up),
                K(Key::Control, Up),
            ]
        );
    }

    #[test]
    fn a_raised_flag_sends_nothing() {
        let driver = RecordingDriver::new();
        let mut hands = Hands::new(driver.clone());
        let cancel = Cancel::new();
        cancel.cancel();
        let result = hands.perform(&Action::Move { x: 1, y: 1 }, &cancel);
        assert!(matches!(result, Err(InputError::Cancelled)));
        assert!(driver.events().is_empty());
        cancel.reset();
        hands
            .perform(&Action::Move { x: 1, y: 1 }, &cancel)
            .unwrap();
        assert_eq!(driver.events(), vec![Move(Point::new(1, 1))]);
    }

    #[test]
    fn drop_releases_in_reverse_order() {
        let driver = RecordingDriver::new();
        {
            let mut hands = Hands::new(driver.clone());
            hands.key_down(Key::Shift).unwrap();
            hands
                .perform(
                    &Action::MouseDown {
                        button: Button::Right,
                    },
                    &Cancel::new(),
                )
                .unwrap();
            hands.key_down(Key::Control).unwrap();
            assert_eq!(hands.held_keys(), vec![Key::Shift, Key::Control]);
            assert_eq!(hands.held_buttons(), vec![Button::Right]);
        }
        assert_eq!(
            driver.events(),
            vec![
                K(Key::Shift, Down),
                B(Button::Right, Down),
                K(Key::Control, Down),
                K(Key::Control, Up),
                B(Button::Right, Up),
                K(Key::Shift, Up),
            ]
        );
    }

    #[test]
    fn a_panic_releases_what_is_held() {
        let driver = RecordingDriver::new();
        let inner = driver.clone();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let mut hands = Hands::new(inner);
            hands
                .perform(
                    &Action::MouseDown {
                        button: Button::Left,
                    },
                    &Cancel::new(),
                )
                .unwrap();
            hands.key_down(Key::Control).unwrap();
            panic!("the agent crashed while holding ctrl and the left button");
        }));
        assert!(result.is_err());
        assert_eq!(
            driver.events(),
            vec![
                B(Button::Left, Down),
                K(Key::Control, Down),
                K(Key::Control, Up),
                B(Button::Left, Up),
            ]
        );
    }

    #[test]
    fn release_all_tries_everything_and_keeps_failures() {
        // Calls: shift down (0), ctrl down (1), ctrl up fails (2), shift up (3).
        let driver = RecordingDriver::new().fail_after(2);
        let mut hands = Hands::new(driver.clone());
        hands.key_down(Key::Shift).unwrap();
        hands.key_down(Key::Control).unwrap();
        assert!(hands.release_all().is_err());
        assert_eq!(hands.held_keys(), vec![Key::Control]);
        hands.release_all().unwrap();
        assert!(hands.held_keys().is_empty());
        assert_eq!(
            driver.events(),
            vec![
                K(Key::Shift, Down),
                K(Key::Control, Down),
                K(Key::Shift, Up),
                K(Key::Control, Up),
            ]
        );
    }

    #[test]
    fn key_up_forgets_the_key() {
        let driver = RecordingDriver::new();
        let mut hands = Hands::new(driver.clone());
        hands.key_down(Key::Alt).unwrap();
        hands.key_up(Key::Alt).unwrap();
        assert!(hands.held_keys().is_empty());
        drop(hands);
        assert_eq!(driver.events(), vec![K(Key::Alt, Down), K(Key::Alt, Up)]);
    }

    #[test]
    fn boxed_drivers_work() {
        let driver = RecordingDriver::new();
        let boxed: Box<dyn InputDriver> = Box::new(driver.clone());
        let mut hands = Hands::new(boxed);
        hands
            .perform(&Action::Move { x: 1, y: 1 }, &Cancel::new())
            .unwrap();
        assert_eq!(hands.driver().name(), "recording");
        assert_eq!(driver.events(), vec![Move(Point::new(1, 1))]);
    }
}
