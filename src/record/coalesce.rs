//! Coalescing: a person's raw key and button events become [`Action`]s, each finalised as soon
//! as nothing later can change it.
//!
//! Rules (times from [`Options`]):
//!
//! - Keys that type a character (Shift and Caps Lock applied, AltGr levels too) with no Ctrl, Alt
//!   or Super held accumulate into one `type_text`; Return and Tab join an open text as `\n` and
//!   `\t`. The text is finalised by any other key or button, or a pause of `text_pause`.
//! - A key with Ctrl, Alt or Super held is a `key` chord in deskhand's syntax (`ctrl+shift+t`,
//!   modifiers in the order ctrl, alt, shift, super, then the key's unshifted name), finalised
//!   at its press. So is a key that types nothing (`BackSpace`, `Left`, `shift+Tab`).
//! - Ctrl, Alt or Super pressed and released alone is a `key` of its own name. Shift alone is
//!   nothing.
//! - A button pressed and released within `drag_px` of where it was pressed is a `click` (with the
//!   modifiers held at the press). It is held back for `double_click`: a press of the same
//!   button, as near, within that time makes it a double (then triple) click.
//! - Pressed, moved more than `drag_px`, released: a left-button `drag` through the points it
//!   passed (thinned to every `path_px`). Other buttons, and modifiers during a drag, are
//!   written exactly as `move`, `mouse_down`, `move`, `mouse_up`.
//! - A button still held when another key or button is pressed is written as `move` +
//!   `mouse_down` at once, and `move` + `mouse_up` at its release.
//! - Wheel buttons 4/5 (up/down) and 6/7 (left/right) are `scroll` notches at the pointer;
//!   consecutive notches the same way, within `scroll_pause` of each other, add up.
//!
//! Each event carries a tag (the recorder's frame of the screen when the event arrived); a
//! finished action carries the tag of its first event, so its observation is the screen before
//! the person began it.

use super::keymap::{KeyKind, KeyMeaning, Modifier};
use deskhand_actions::{Action, Button, Point};
use std::collections::HashMap;
use std::time::Duration;

/// One raw input event.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A key went down (again, when auto-repeated).
    KeyDown {
        /// The X keycode.
        code: u8,
        /// What it means at each level.
        meaning: KeyMeaning,
    },
    /// A key went up.
    KeyUp {
        /// The X keycode.
        code: u8,
    },
    /// A pointer button went down (1 left, 2 middle, 3 right, 4–7 wheel).
    ButtonDown {
        /// The X button number.
        button: u8,
        /// The pointer, in screen pixels.
        at: Point,
    },
    /// A pointer button went up.
    ButtonUp {
        /// The X button number.
        button: u8,
        /// The pointer, in screen pixels.
        at: Point,
    },
    /// The pointer moved.
    Motion {
        /// The pointer, in screen pixels.
        at: Point,
    },
}

/// The coalescing thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// A pause this long between keystrokes ends a `type_text`.
    pub text_pause: Duration,
    /// A second press within this time makes a double click (GTK's default is 400 ms).
    pub double_click: Duration,
    /// A press and a release farther apart than this are a drag, not a click.
    pub drag_px: i32,
    /// A drag's path keeps a point once the pointer is this far from the last one kept.
    pub path_px: i32,
    /// A pause this long ends a `scroll`.
    pub scroll_pause: Duration,
}

impl Default for Options {
    /// text_pause 1 s, double_click 400 ms, drag_px 5, path_px 8, scroll_pause 500 ms.
    fn default() -> Options {
        Options {
            text_pause: Duration::from_secs(1),
            double_click: Duration::from_millis(400),
            drag_px: 5,
            path_px: 8,
            scroll_pause: Duration::from_millis(500),
        }
    }
}

/// An action that nothing later can change.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished<T> {
    /// The action.
    pub action: Action,
    /// The tag of its first event.
    pub tag: T,
    /// When its first event arrived.
    pub started: Duration,
    /// When its last event arrived.
    pub ended: Duration,
}

/// A key or button event the recorder drops, with why (for a warning).
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped(pub String);

#[derive(Debug, Clone)]
struct Click<T> {
    button: Button,
    at: Point,
    count: u8,
    modifiers: Vec<String>,
    tag: T,
    started: Duration,
    released: Duration,
}

#[derive(Debug, Clone)]
enum Pending<T> {
    None,
    Text {
        text: String,
        tag: T,
        started: Duration,
        last: Duration,
    },
    /// A button is down and may still become a click or a drag.
    Press {
        button: Button,
        origin: Point,
        path: Vec<Point>,
        dragging: bool,
        modifiers: Vec<String>,
        prior: Option<Click<T>>,
        tag: T,
        started: Duration,
    },
    /// A click released, waiting for a possible next click.
    Click(Click<T>),
    Scroll {
        at: Point,
        dx: i32,
        dy: i32,
        tag: T,
        started: Duration,
        last: Duration,
    },
}

/// Turns raw events into finished actions; see the module doc for the rules.
#[derive(Debug)]
pub struct Coalescer<T> {
    opts: Options,
    /// Modifier keys held, by keycode.
    mods: HashMap<u8, Modifier>,
    caps: bool,
    /// Keycodes held (all keys).
    keys_down: HashMap<u8, ()>,
    /// A modifier pressed with nothing else yet: a lone tap if released so.
    tap: Option<(u8, Modifier, T, Duration)>,
    pending: Pending<T>,
    /// Buttons written as `mouse_down` and not yet released.
    held: Vec<Button>,
    pointer: Point,
}

fn button_of(n: u8) -> Option<Button> {
    match n {
        1 => Some(Button::Left),
        2 => Some(Button::Middle),
        3 => Some(Button::Right),
        _ => None,
    }
}

fn far(a: Point, b: Point, px: i32) -> bool {
    (a.x - b.x).abs() > px || (a.y - b.y).abs() > px
}

/// The name of a character as one part of a chord.
fn chord_part(c: char) -> String {
    match c {
        '+' => "plus".into(),
        ' ' => "space".into(),
        c => c.to_lowercase().collect(),
    }
}

impl<T: Clone> Coalescer<T> {
    /// A coalescer; `caps` says whether Caps Lock is on when recording starts.
    pub fn new(opts: Options, caps: bool) -> Coalescer<T> {
        Coalescer {
            opts,
            mods: HashMap::new(),
            caps,
            keys_down: HashMap::new(),
            tap: None,
            pending: Pending::None,
            held: Vec::new(),
            pointer: Point::new(0, 0),
        }
    }

    fn holding(&self, m: Modifier) -> bool {
        self.mods.values().any(|&h| h == m)
    }

    /// The modifiers held, as chord names in chord order (Caps Lock and AltGr left out).
    fn modifier_names(&self) -> Vec<String> {
        [
            Modifier::Ctrl,
            Modifier::Alt,
            Modifier::Shift,
            Modifier::Super,
        ]
        .into_iter()
        .filter(|m| self.holding(*m))
        .map(|m| m.name().to_owned())
        .collect()
    }

    /// The chord this key would make with the modifiers held now (`None` for a modifier key, or
    /// a key with no name); used to spot the stop key before feeding it.
    pub fn chord_for(&self, meaning: &KeyMeaning) -> Option<String> {
        let key = match meaning.plain {
            KeyKind::Char(c) => chord_part(c),
            KeyKind::Named(n) => n.to_owned(),
            KeyKind::Modifier(_) | KeyKind::Unknown(_) => return None,
        };
        let mut parts = self.modifier_names();
        parts.push(key);
        Some(parts.join("+"))
    }

    /// Feeds one event that arrived at `now` with `tag`; returns the actions it finished, in
    /// order, and any event it had to drop.
    pub fn feed(
        &mut self,
        now: Duration,
        tag: T,
        input: Input,
    ) -> (Vec<Finished<T>>, Vec<Skipped>) {
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        match input {
            Input::KeyDown { code, meaning } => {
                self.key_down(now, tag, code, meaning, &mut out, &mut skipped)
            }
            Input::KeyUp { code } => self.key_up(now, code, &mut out),
            Input::ButtonDown { button, at } => {
                self.pointer = at;
                self.button_down(now, tag, button, at, &mut out, &mut skipped)
            }
            Input::ButtonUp { button, at } => {
                self.pointer = at;
                self.button_up(now, tag, button, at, &mut out)
            }
            Input::Motion { at } => {
                self.pointer = at;
                self.motion(at);
            }
        }
        (out, skipped)
    }

    /// Finishes what has waited long enough by `now` (a text after a pause, a click after the
    /// double-click time, a scroll after a pause).
    pub fn tick(&mut self, now: Duration) -> Vec<Finished<T>> {
        let due = match &self.pending {
            Pending::Text { last, .. } => now.saturating_sub(*last) >= self.opts.text_pause,
            Pending::Click(c) => now.saturating_sub(c.released) >= self.opts.double_click,
            Pending::Scroll { last, .. } => now.saturating_sub(*last) >= self.opts.scroll_pause,
            Pending::None | Pending::Press { .. } => false,
        };
        let mut out = Vec::new();
        if due {
            self.flush(&mut out);
        }
        out
    }

    /// Finishes everything pending (the recording stops). A button still down is written as
    /// `move` + `mouse_down`, as it is.
    pub fn finish(&mut self) -> Vec<Finished<T>> {
        let mut out = Vec::new();
        self.flush(&mut out);
        out
    }

    /// Finishes the pending action, whatever it is.
    fn flush(&mut self, out: &mut Vec<Finished<T>>) {
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::None => {}
            Pending::Text {
                text,
                tag,
                started,
                last,
            } => out.push(Finished {
                action: Action::TypeText { text },
                tag,
                started,
                ended: last,
            }),
            Pending::Click(c) => out.push(click_action(c)),
            Pending::Scroll {
                at,
                dx,
                dy,
                tag,
                started,
                last,
            } => out.push(Finished {
                action: Action::Scroll {
                    x: Some(at.x),
                    y: Some(at.y),
                    dx,
                    dy,
                },
                tag,
                started,
                ended: last,
            }),
            Pending::Press {
                button,
                origin,
                path,
                prior,
                tag,
                started,
                ..
            } => {
                if let Some(c) = prior {
                    out.push(click_action(c));
                }
                self.press_down(button, origin, &tag, started, out);
                // The pointer may have moved while the button was down.
                if let Some(&last) = path.last()
                    && last != origin
                {
                    out.push(Finished {
                        action: Action::Move {
                            x: last.x,
                            y: last.y,
                        },
                        tag,
                        started,
                        ended: started,
                    });
                }
            }
        }
    }

    /// Writes a held button as `move` + `mouse_down` and remembers it is held.
    fn press_down(
        &mut self,
        button: Button,
        at: Point,
        tag: &T,
        started: Duration,
        out: &mut Vec<Finished<T>>,
    ) {
        for action in [
            Action::Move { x: at.x, y: at.y },
            Action::MouseDown { button },
        ] {
            out.push(Finished {
                action,
                tag: tag.clone(),
                started,
                ended: started,
            });
        }
        self.held.push(button);
    }

    fn key_down(
        &mut self,
        now: Duration,
        tag: T,
        code: u8,
        meaning: KeyMeaning,
        out: &mut Vec<Finished<T>>,
        skipped: &mut Vec<Skipped>,
    ) {
        let repeat = self.keys_down.insert(code, ()).is_some();
        if let KeyKind::Modifier(m) = meaning.plain {
            if repeat {
                return;
            }
            if m == Modifier::CapsLock {
                self.caps = !self.caps;
                self.tap = None;
                return;
            }
            self.mods.insert(code, m);
            // A lone tap only if nothing else is down.
            let alone = self.keys_down.len() == 1 && !self.button_pressed();
            self.tap = alone.then_some((code, m, tag, now));
            return;
        }
        self.tap = None;
        let chord = self.holding(Modifier::Ctrl)
            || self.holding(Modifier::Alt)
            || self.holding(Modifier::Super);
        let shift = self.holding(Modifier::Shift);
        let altgr = self.holding(Modifier::AltGr);
        if !chord {
            let letter = matches!(meaning.plain, KeyKind::Char(c) if c.is_alphabetic());
            let shifted = shift ^ (self.caps && letter);
            let kind = match (altgr, shifted) {
                (false, false) => meaning.plain,
                (false, true) => meaning.shifted,
                (true, false) => meaning.altgr,
                (true, true) => meaning.altgr_shifted,
            };
            let joins = match kind {
                KeyKind::Char(c) => Some(c),
                KeyKind::Named("Return") if !shift => Some('\n'),
                KeyKind::Named("Tab") if !shift => Some('\t'),
                _ => None,
            };
            if let Some(c) = joins {
                let typed = matches!(kind, KeyKind::Char(_));
                if let Pending::Text { text, last, .. } = &mut self.pending {
                    text.push(c);
                    *last = now;
                    return;
                }
                if typed {
                    self.flush(out);
                    self.pending = Pending::Text {
                        text: c.to_string(),
                        tag,
                        started: now,
                        last: now,
                    };
                    return;
                }
            }
        }
        let Some(keys) = self.chord_for(&meaning) else {
            skipped.push(Skipped(format!(
                "key {code} has no name deskhand knows ({:?})",
                meaning.plain
            )));
            return;
        };
        self.flush(out);
        out.push(Finished {
            action: Action::Key { keys },
            tag,
            started: now,
            ended: now,
        });
    }

    fn key_up(&mut self, now: Duration, code: u8, out: &mut Vec<Finished<T>>) {
        self.keys_down.remove(&code);
        self.mods.remove(&code);
        if let Some((tap_code, m, tag, started)) = self.tap.take() {
            if tap_code != code {
                self.tap = Some((tap_code, m, tag, started));
                return;
            }
            if matches!(m, Modifier::Ctrl | Modifier::Alt | Modifier::Super) {
                self.flush(out);
                out.push(Finished {
                    action: Action::Key {
                        keys: m.name().to_owned(),
                    },
                    tag,
                    started,
                    ended: now,
                });
            }
        }
    }

    fn button_pressed(&self) -> bool {
        matches!(self.pending, Pending::Press { .. }) || !self.held.is_empty()
    }

    fn button_down(
        &mut self,
        now: Duration,
        tag: T,
        number: u8,
        at: Point,
        out: &mut Vec<Finished<T>>,
        skipped: &mut Vec<Skipped>,
    ) {
        self.tap = None;
        if let Some((dx, dy)) = wheel(number) {
            if let Pending::Scroll {
                at: start,
                dx: sx,
                dy: sy,
                last,
                ..
            } = &mut self.pending
                && (*sx).signum() == dx.signum()
                && (*sy).signum() == dy.signum()
                && !far(*start, at, self.opts.drag_px)
                && now.saturating_sub(*last) < self.opts.scroll_pause
            {
                *sx += dx;
                *sy += dy;
                *last = now;
                return;
            }
            self.flush(out);
            self.pending = Pending::Scroll {
                at,
                dx,
                dy,
                tag,
                started: now,
                last: now,
            };
            return;
        }
        let Some(button) = button_of(number) else {
            skipped.push(Skipped(format!("button {number} has no deskhand name")));
            return;
        };
        if self.button_pressed() {
            // A second button while one is down: both are written as they are.
            self.flush(out);
            self.press_down(button, at, &tag, now, out);
            return;
        }
        let modifiers = self.modifier_names();
        let prior = match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::Click(c)
                if c.button == button
                    && c.count < 3
                    && c.modifiers == modifiers
                    && now.saturating_sub(c.released) < self.opts.double_click
                    && !far(c.at, at, self.opts.drag_px) =>
            {
                Some(c)
            }
            other => {
                self.pending = other;
                self.flush(out);
                None
            }
        };
        self.pending = Pending::Press {
            button,
            origin: at,
            path: vec![at],
            dragging: false,
            modifiers,
            prior,
            tag,
            started: now,
        };
    }

    fn motion(&mut self, at: Point) {
        let opts = self.opts;
        if let Pending::Press {
            origin,
            path,
            dragging,
            ..
        } = &mut self.pending
        {
            if !*dragging && far(*origin, at, opts.drag_px) {
                *dragging = true;
            }
            let last = path.last().copied().unwrap_or(*origin);
            if *dragging && far(last, at, opts.path_px - 1) {
                path.push(at);
            }
        }
    }

    fn button_up(
        &mut self,
        now: Duration,
        tag: T,
        number: u8,
        at: Point,
        out: &mut Vec<Finished<T>>,
    ) {
        let Some(button) = button_of(number) else {
            return; // wheel releases carry nothing
        };
        if let Pending::Press {
            button: pressed, ..
        } = &self.pending
            && *pressed == button
        {
            self.motion(at);
            let Pending::Press {
                origin,
                mut path,
                dragging,
                modifiers,
                prior,
                tag: press_tag,
                started,
                ..
            } = std::mem::replace(&mut self.pending, Pending::None)
            else {
                return;
            };
            if !dragging {
                let click = match prior {
                    Some(c) => Click {
                        count: c.count + 1,
                        released: now,
                        ..c
                    },
                    None => Click {
                        button,
                        at: origin,
                        count: 1,
                        modifiers,
                        tag: press_tag,
                        started,
                        released: now,
                    },
                };
                if click.count >= 3 {
                    out.push(click_action(click));
                } else {
                    self.pending = Pending::Click(click);
                }
                return;
            }
            if let Some(c) = prior {
                out.push(click_action(c));
            }
            if path.last() != Some(&at) {
                path.push(at);
            }
            if button == Button::Left && modifiers.is_empty() {
                out.push(Finished {
                    action: Action::Drag { path },
                    tag: press_tag,
                    started,
                    ended: now,
                });
            } else {
                self.press_down(button, origin, &press_tag, started, out);
                self.release(button, at, tag, now, out);
            }
            return;
        }
        if self.held.contains(&button) {
            self.flush(out);
            self.release(button, at, tag, now, out);
        }
        // Otherwise: a button pressed before the recording started.
    }

    /// Writes `move` + `mouse_up` for a held button.
    fn release(
        &mut self,
        button: Button,
        at: Point,
        tag: T,
        now: Duration,
        out: &mut Vec<Finished<T>>,
    ) {
        self.held.retain(|b| *b != button);
        for action in [
            Action::Move { x: at.x, y: at.y },
            Action::MouseUp { button },
        ] {
            out.push(Finished {
                action,
                tag: tag.clone(),
                started: now,
                ended: now,
            });
        }
    }
}

/// Wheel buttons as (dx, dy) notches.
fn wheel(number: u8) -> Option<(i32, i32)> {
    match number {
        4 => Some((0, -1)),
        5 => Some((0, 1)),
        6 => Some((-1, 0)),
        7 => Some((1, 0)),
        _ => None,
    }
}

fn click_action<T>(c: Click<T>) -> Finished<T> {
    Finished {
        action: Action::Click {
            x: Some(c.at.x),
            y: Some(c.at.y),
            button: c.button,
            count: c.count,
            modifiers: c.modifiers,
        },
        tag: c.tag,
        started: c.started,
        ended: c.released,
    }
}

#[cfg(test)]
#[path = "coalesce_tests.rs"]
mod tests;
