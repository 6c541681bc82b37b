//! Keycodes to meanings: the server's core keyboard map, kept current, and what each keysym in it
//! is to the recorder — a modifier, a character that types, a named key, or unknown.
//!
//! The core map has `per` keysyms per keycode; column 0 is the plain level, column 1 the shifted
//! one, and (for maps the server derives from XKB) columns 4 and 5 are the AltGr levels. As in
//! Xlib, a keycode whose column 1 is empty shifts to the upper case of column 0.
//!
//! Clients may change the map while the recorder runs (XTEST typers bind spare keycodes to
//! characters the map lacks, with a core `ChangeKeyboardMapping`); the recorder sees those
//! requests in order with the key events and applies them with [`Keymap::change`].

/// A modifier key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// Shift_L, Shift_R.
    Shift,
    /// Control_L, Control_R.
    Ctrl,
    /// Alt_L, Alt_R, Meta_L, Meta_R.
    Alt,
    /// Super_L, Super_R, Hyper_L, Hyper_R.
    Super,
    /// ISO_Level3_Shift (AltGr), Mode_switch.
    AltGr,
    /// Caps_Lock (a toggle).
    CapsLock,
}

impl Modifier {
    /// The name in deskhand's key syntax (see `deskhand_actions::keys`).
    pub fn name(self) -> &'static str {
        match self {
            Modifier::Shift => "shift",
            Modifier::Ctrl => "ctrl",
            Modifier::Alt => "alt",
            Modifier::Super => "super",
            Modifier::AltGr => "altgr",
            Modifier::CapsLock => "capslock",
        }
    }
}

/// What one keysym is to the recorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A modifier.
    Modifier(Modifier),
    /// A key that types this character (space included).
    Char(char),
    /// A key that types nothing, by its name in deskhand's key syntax (`Return`, `Left`, `F5`).
    Named(&'static str),
    /// No keysym, or one the recorder has no name for (the raw keysym).
    Unknown(u32),
}

/// What a keycode means at each level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyMeaning {
    /// Column 0: no modifier.
    pub plain: KeyKind,
    /// With Shift.
    pub shifted: KeyKind,
    /// With AltGr.
    pub altgr: KeyKind,
    /// With AltGr and Shift.
    pub altgr_shifted: KeyKind,
}

#[cfg(test)]
impl KeyMeaning {
    /// A key that means the same at every level.
    pub fn same(kind: KeyKind) -> KeyMeaning {
        KeyMeaning {
            plain: kind,
            shifted: kind,
            altgr: kind,
            altgr_shifted: kind,
        }
    }

    /// A letter or symbol key: `plain` unshifted, `shifted` with Shift.
    pub fn chars(plain: char, shifted: char) -> KeyMeaning {
        KeyMeaning {
            plain: KeyKind::Char(plain),
            shifted: KeyKind::Char(shifted),
            altgr: KeyKind::Char(plain),
            altgr_shifted: KeyKind::Char(shifted),
        }
    }
}

/// The core keyboard map of a display.
#[derive(Debug, Clone)]
pub struct Keymap {
    min: u8,
    per: usize,
    syms: Vec<u32>,
}

impl Keymap {
    /// A map as `GetKeyboardMapping` returns it: keysyms for keycodes `min`, `min + 1`, …, `per`
    /// of them each.
    pub fn new(min: u8, per: u8, syms: Vec<u32>) -> Keymap {
        Keymap {
            min,
            per: usize::from(per.max(1)),
            syms,
        }
    }

    /// Applies a `ChangeKeyboardMapping`: `syms` holds `per` keysyms for each keycode from
    /// `first` on. Keycodes past the end of the map grow it.
    pub fn change(&mut self, first: u8, per: u8, syms: &[u32]) {
        let per_new = usize::from(per.max(1));
        for (i, row) in syms.chunks(per_new).enumerate() {
            let Some(code) = usize::from(first).checked_add(i) else {
                continue;
            };
            let Some(index) = code.checked_sub(usize::from(self.min)) else {
                continue;
            };
            let start = index * self.per;
            if self.syms.len() < start + self.per {
                self.syms.resize(start + self.per, 0);
            }
            for col in 0..self.per {
                self.syms[start + col] = row.get(col).copied().unwrap_or(0);
            }
        }
    }

    fn sym(&self, code: u8, col: usize) -> u32 {
        let Some(index) = usize::from(code).checked_sub(usize::from(self.min)) else {
            return 0;
        };
        if col >= self.per {
            return 0;
        }
        self.syms.get(index * self.per + col).copied().unwrap_or(0)
    }

    /// What `code` means at each level.
    pub fn meaning(&self, code: u8) -> KeyMeaning {
        let (plain, shifted) = pair(self.sym(code, 0), self.sym(code, 1));
        let (g3, g4) = (self.sym(code, 4), self.sym(code, 5));
        let (altgr, altgr_shifted) = if g3 == 0 && g4 == 0 {
            (plain, shifted)
        } else {
            pair(g3, g4)
        };
        KeyMeaning {
            plain: kind_of(plain),
            shifted: kind_of(shifted),
            altgr: kind_of(altgr),
            altgr_shifted: kind_of(altgr_shifted),
        }
    }
}

/// Xlib's rule for a pair of columns: an empty second column is the first's upper case (for a
/// letter) or the first itself.
fn pair(a: u32, b: u32) -> (u32, u32) {
    if b != 0 {
        return (a, b);
    }
    match char_of(a) {
        Some(c) if c.is_lowercase() => {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => (a, keysym_of(u)),
                _ => (a, a),
            }
        }
        _ => (a, a),
    }
}

fn keysym_of(c: char) -> u32 {
    let cp = u32::from(c);
    if (0x20..=0x7e).contains(&cp) || (0xa0..=0xff).contains(&cp) {
        cp
    } else {
        0x0100_0000 | cp
    }
}

/// The character a keysym types, for Latin-1 and Unicode keysyms.
fn char_of(sym: u32) -> Option<char> {
    match sym {
        0x20..=0x7e | 0xa0..=0xff => char::from_u32(sym),
        0x0100_0100..=0x0110_ffff => char::from_u32(sym - 0x0100_0000),
        _ => None,
    }
}

/// Keysyms that type nothing, with their names in deskhand's key syntax (values from
/// X11/keysymdef.h). Keypad keys act as their main-keyboard twins (Num Lock is not tracked).
const NAMED: &[(u32, &str)] = &[
    (0xff08, "BackSpace"),
    (0xff09, "Tab"),
    (0xfe20, "Tab"), // ISO_Left_Tab: Shift+Tab
    (0xff0d, "Return"),
    (0xff13, "Pause"),
    (0xff14, "Scroll_Lock"),
    (0xff1b, "Escape"),
    (0xff50, "Home"),
    (0xff51, "Left"),
    (0xff52, "Up"),
    (0xff53, "Right"),
    (0xff54, "Down"),
    (0xff55, "Page_Up"),
    (0xff56, "Page_Down"),
    (0xff57, "End"),
    (0xff61, "Print"),
    (0xff63, "Insert"),
    (0xff67, "Menu"),
    (0xff7f, "Num_Lock"),
    (0xff8d, "KP_Enter"),
    (0xff95, "Home"),
    (0xff96, "Left"),
    (0xff97, "Up"),
    (0xff98, "Right"),
    (0xff99, "Down"),
    (0xff9a, "Page_Up"),
    (0xff9b, "Page_Down"),
    (0xff9c, "End"),
    (0xff9e, "Insert"),
    (0xff9f, "Delete"),
    (0xffff, "Delete"),
];

/// The F-keys F1..F24 are 0xffbe..0xffd5.
const F1: u32 = 0xffbe;

/// What a keysym is to the recorder.
pub fn kind_of(sym: u32) -> KeyKind {
    let modifier = match sym {
        0xffe1 | 0xffe2 => Some(Modifier::Shift),
        0xffe3 | 0xffe4 => Some(Modifier::Ctrl),
        0xffe7..=0xffea => Some(Modifier::Alt),
        0xffeb..=0xffee => Some(Modifier::Super),
        0xfe03 | 0xff7e => Some(Modifier::AltGr),
        0xffe5 => Some(Modifier::CapsLock),
        _ => None,
    };
    if let Some(m) = modifier {
        return KeyKind::Modifier(m);
    }
    if let Some(&(_, name)) = NAMED.iter().find(|(s, _)| *s == sym) {
        return KeyKind::Named(name);
    }
    if (F1..F1 + 24).contains(&sym) {
        return KeyKind::Named(F_KEYS[usize::try_from(sym - F1).unwrap_or(0)]);
    }
    // Keypad characters: KP_Space, KP_Multiply … KP_Divide, KP_0 … KP_9, KP_Equal.
    let keypad = match sym {
        0xff80 => Some(' '),
        0xffaa..=0xffb9 => char::from_u32(sym - 0xff80),
        0xffbd => Some('='),
        _ => None,
    };
    if let Some(c) = keypad.filter(|c| *c != ',') {
        return KeyKind::Char(c);
    }
    match char_of(sym) {
        Some(c) if !c.is_control() => KeyKind::Char(c),
        _ => KeyKind::Unknown(sym),
    }
}

const F_KEYS: [&str; 24] = [
    "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12", "F13", "F14", "F15",
    "F16", "F17", "F18", "F19", "F20", "F21", "F22", "F23", "F24",
];

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn keysyms_to_kinds() {
        assert_eq!(kind_of(0x61), KeyKind::Char('a'));
        assert_eq!(kind_of(0x20), KeyKind::Char(' '));
        assert_eq!(kind_of(0xe9), KeyKind::Char('é'));
        assert_eq!(kind_of(0x0100_20ac), KeyKind::Char('€'));
        assert_eq!(kind_of(0xff0d), KeyKind::Named("Return"));
        assert_eq!(kind_of(0xffbe), KeyKind::Named("F1"));
        assert_eq!(kind_of(0xffd5), KeyKind::Named("F24"));
        assert_eq!(kind_of(0xffe3), KeyKind::Modifier(Modifier::Ctrl));
        assert_eq!(kind_of(0xffeb), KeyKind::Modifier(Modifier::Super));
        assert_eq!(kind_of(0xffb7), KeyKind::Char('7'));
        assert_eq!(kind_of(0xffab), KeyKind::Char('+'));
        assert_eq!(kind_of(0xfe52), KeyKind::Unknown(0xfe52)); // dead_circumflex
        assert_eq!(kind_of(0), KeyKind::Unknown(0));
    }

    #[test]
    fn every_name_is_a_deskhand_key() {
        for (_, name) in NAMED {
            assert!(deskhand_actions::lookup(name).is_some(), "{name}");
        }
        for name in F_KEYS {
            assert!(deskhand_actions::lookup(name).is_some(), "{name}");
        }
        for m in [
            Modifier::Shift,
            Modifier::Ctrl,
            Modifier::Alt,
            Modifier::Super,
            Modifier::AltGr,
            Modifier::CapsLock,
        ] {
            assert!(deskhand_actions::lookup(m.name()).is_some(), "{m:?}");
        }
    }

    #[test]
    fn levels_follow_xlib() {
        // keycode 38: a A; keycode 10: 1 exclam; keycode 50: Shift_L; keycode 26: e E € (AltGr).
        let per = 6;
        let mut syms = vec![0u32; (60 - 8 + 1) * per];
        let mut set = |code: usize, row: &[u32]| {
            for (i, s) in row.iter().enumerate() {
                syms[(code - 8) * per + i] = *s;
            }
        };
        set(38, &[0x61]);
        set(10, &[0x31, 0x21, 0x31, 0x21]);
        set(50, &[0xffe1]);
        set(26, &[0x65, 0x45, 0x65, 0x45, 0x0100_20ac, 0]);
        let map = Keymap::new(8, 6, syms);
        assert_eq!(map.meaning(38), KeyMeaning::chars('a', 'A'));
        assert_eq!(map.meaning(10), KeyMeaning::chars('1', '!'));
        assert_eq!(
            map.meaning(50),
            KeyMeaning::same(KeyKind::Modifier(Modifier::Shift))
        );
        let e = map.meaning(26);
        assert_eq!(e.altgr, KeyKind::Char('€'));
        assert_eq!(e.altgr_shifted, KeyKind::Char('€'));
        assert_eq!(map.meaning(7).plain, KeyKind::Unknown(0));
        assert_eq!(map.meaning(200).plain, KeyKind::Unknown(0));
    }

    #[test]
    fn changes_apply_in_place_and_grow() {
        let mut map = Keymap::new(8, 2, vec![0x61, 0x41, 0, 0]);
        assert_eq!(map.meaning(9).plain, KeyKind::Unknown(0));
        // An XTEST typer binds keycode 9 to ✓ (both columns), with 2 keysyms per keycode.
        map.change(9, 2, &[0x0100_2713, 0x0100_2713]);
        assert_eq!(map.meaning(9), KeyMeaning::chars('✓', '✓'));
        // Past the end: the map grows; a narrower change clears the other columns.
        map.change(12, 1, &[0x62]);
        assert_eq!(map.meaning(12), KeyMeaning::chars('b', 'B'));
        assert_eq!(map.meaning(8), KeyMeaning::chars('a', 'A'));
    }
}
