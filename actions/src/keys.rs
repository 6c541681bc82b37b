//! Key names: one table mapping the names models use to [`Key`]s.
//!
//! The table covers the vocabularies of the providers deskhand speaks:
//!
//! - **xdotool / X keysyms** (Anthropic's `key` action): `Return`, `KP_Enter`,
//!   `BackSpace`, `Page_Up`/`Prior`, `Page_Down`/`Next`, `super`, `Super_L`,
//!   `ctrl`, `Control_L`, `alt`, `Alt_L`, `shift`, `Shift_L`, `Escape`,
//!   `Tab`, `space`, `Left`, `F1`–`F24`, `minus`, `plus`, `comma`,
//!   `period`, `slash`, `KP_0`, `XF86AudioRaiseVolume`, …
//! - **pyautogui** (OSWorld, UI-TARS): `enter`, `esc`, `backspace`,
//!   `pageup`, `pgdn`, `win`, `winleft`, `command`, `option`, `ctrlleft`,
//!   `up`, `del`, `num0`, `volumeup`, `printscreen`, …
//! - **OpenAI** `keypress`: `CTRL`, `CMD`, `META`, `ALT`, `SHIFT`, `ENTER`,
//!   `ESC`, `SPACE`, `ARROWUP`, `PAGEDOWN`, `SUPER`, `WIN`, …
//!
//! Names are looked up case-insensitively. Any other single character is
//! the key that types it: `lookup("a")` is `Key::Unicode('a')`.
//!
//! ## Letter case in chords
//!
//! A lone letter keeps its case (`A` types a capital A, as `xdotool key A`
//! does). In a chord of two or more keys letters are lower-cased, so
//! `ctrl+S` acts like `ctrl+s`: that is what a person pressing Ctrl and the
//! S key produces, and applications bind shortcuts to the lower-case
//! keysym. Write `ctrl+shift+s` for the shifted shortcut.

/// The key type of the input backend, re-exported from enigo.
pub use enigo::Key;

/// Why a key chord could not be parsed.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum KeyError {
    /// The chord names no key at all.
    #[error("empty key chord")]
    Empty,
    /// A part of the chord is not a known key name.
    #[error("unknown key {name:?} in {chord:?}")]
    Unknown {
        /// The part that is not a key.
        name: String,
        /// The whole chord it was found in.
        chord: String,
    },
}

// X keysyms that enigo has no variant for (values from X11/keysymdef.h).
const KP_ENTER: Key = Key::Other(0xff8d);
const ALT_R: Key = Key::Other(0xffea);
const SUPER_R: Key = Key::Other(0xffec);
const META_L: Key = Key::Other(0xffe7);
const META_R: Key = Key::Other(0xffe8);
const ISO_LEVEL3_SHIFT: Key = Key::Other(0xfe03);
const XF86_HOME_PAGE: Key = Key::Other(0x1008ff18);
const XF86_BACK: Key = Key::Other(0x1008ff26);
const XF86_FORWARD: Key = Key::Other(0x1008ff27);
const XF86_REFRESH: Key = Key::Other(0x1008ff29);

/// The table: lower-case names and their keys. Several vocabularies share
/// most names; each name appears once.
const NAMES: &[(&str, Key)] = &[
    // Enter / Return.
    ("return", Key::Return),
    ("enter", Key::Return),
    ("ret", Key::Return),
    ("kp_enter", KP_ENTER),
    ("linefeed", Key::Linefeed),
    // Editing.
    ("backspace", Key::Backspace),
    ("back_space", Key::Backspace),
    ("bksp", Key::Backspace),
    ("tab", Key::Tab),
    ("escape", Key::Escape),
    ("esc", Key::Escape),
    ("space", Key::Space),
    ("spacebar", Key::Space),
    ("delete", Key::Delete),
    ("del", Key::Delete),
    ("insert", Key::Insert),
    ("ins", Key::Insert),
    ("undo", Key::Undo),
    ("redo", Key::Redo),
    ("find", Key::Find),
    ("help", Key::Help),
    ("clear", Key::Clear),
    ("select", Key::Select),
    ("execute", Key::Execute),
    ("cancel", Key::Cancel),
    ("menu", Key::LMenu),
    ("apps", Key::LMenu),
    ("contextmenu", Key::LMenu),
    // Navigation.
    ("home", Key::Home),
    ("end", Key::End),
    ("page_up", Key::PageUp),
    ("pageup", Key::PageUp),
    ("pgup", Key::PageUp),
    ("prior", Key::PageUp),
    ("page_down", Key::PageDown),
    ("pagedown", Key::PageDown),
    ("pgdn", Key::PageDown),
    ("next", Key::PageDown),
    ("left", Key::LeftArrow),
    ("right", Key::RightArrow),
    ("up", Key::UpArrow),
    ("down", Key::DownArrow),
    ("arrowleft", Key::LeftArrow),
    ("arrowright", Key::RightArrow),
    ("arrowup", Key::UpArrow),
    ("arrowdown", Key::DownArrow),
    ("arrow_left", Key::LeftArrow),
    ("arrow_right", Key::RightArrow),
    ("arrow_up", Key::UpArrow),
    ("arrow_down", Key::DownArrow),
    // Modifiers.
    ("ctrl", Key::Control),
    ("control", Key::Control),
    ("control_l", Key::Control),
    ("ctrlleft", Key::Control),
    ("ctrl_l", Key::Control),
    ("lctrl", Key::Control),
    ("control_r", Key::RControl),
    ("ctrlright", Key::RControl),
    ("ctrl_r", Key::RControl),
    ("rctrl", Key::RControl),
    ("shift", Key::Shift),
    ("shift_l", Key::Shift),
    ("shiftleft", Key::Shift),
    ("lshift", Key::Shift),
    ("shift_r", Key::RShift),
    ("shiftright", Key::RShift),
    ("rshift", Key::RShift),
    ("alt", Key::Alt),
    ("alt_l", Key::Alt),
    ("altleft", Key::Alt),
    ("lalt", Key::Alt),
    ("option", Key::Alt),
    ("optionleft", Key::Alt),
    ("opt", Key::Alt),
    ("alt_r", ALT_R),
    ("altright", ALT_R),
    ("ralt", ALT_R),
    ("optionright", ALT_R),
    ("altgr", ISO_LEVEL3_SHIFT),
    ("iso_level3_shift", ISO_LEVEL3_SHIFT),
    ("super", Key::Meta),
    ("super_l", Key::Meta),
    ("super_r", SUPER_R),
    ("win", Key::Meta),
    ("winleft", Key::Meta),
    ("winright", SUPER_R),
    ("windows", Key::Meta),
    ("cmd", Key::Meta),
    ("command", Key::Meta),
    ("meta", Key::Meta),
    ("meta_l", META_L),
    ("meta_r", META_R),
    // Locks and system keys.
    ("capslock", Key::CapsLock),
    ("caps_lock", Key::CapsLock),
    ("numlock", Key::Numlock),
    ("num_lock", Key::Numlock),
    ("scrolllock", Key::ScrollLock),
    ("scroll_lock", Key::ScrollLock),
    ("print", Key::PrintScr),
    ("printscreen", Key::PrintScr),
    ("printscrn", Key::PrintScr),
    ("prntscrn", Key::PrintScr),
    ("prtsc", Key::PrintScr),
    ("prtscr", Key::PrintScr),
    ("print_screen", Key::PrintScr),
    ("sys_req", Key::SysReq),
    ("sysreq", Key::SysReq),
    ("pause", Key::Pause),
    ("break", Key::Break),
    // Function keys.
    ("f1", Key::F1),
    ("f2", Key::F2),
    ("f3", Key::F3),
    ("f4", Key::F4),
    ("f5", Key::F5),
    ("f6", Key::F6),
    ("f7", Key::F7),
    ("f8", Key::F8),
    ("f9", Key::F9),
    ("f10", Key::F10),
    ("f11", Key::F11),
    ("f12", Key::F12),
    ("f13", Key::F13),
    ("f14", Key::F14),
    ("f15", Key::F15),
    ("f16", Key::F16),
    ("f17", Key::F17),
    ("f18", Key::F18),
    ("f19", Key::F19),
    ("f20", Key::F20),
    ("f21", Key::F21),
    ("f22", Key::F22),
    ("f23", Key::F23),
    ("f24", Key::F24),
    // Keypad.
    ("kp_0", Key::Numpad0),
    ("kp_1", Key::Numpad1),
    ("kp_2", Key::Numpad2),
    ("kp_3", Key::Numpad3),
    ("kp_4", Key::Numpad4),
    ("kp_5", Key::Numpad5),
    ("kp_6", Key::Numpad6),
    ("kp_7", Key::Numpad7),
    ("kp_8", Key::Numpad8),
    ("kp_9", Key::Numpad9),
    ("num0", Key::Numpad0),
    ("num1", Key::Numpad1),
    ("num2", Key::Numpad2),
    ("num3", Key::Numpad3),
    ("num4", Key::Numpad4),
    ("num5", Key::Numpad5),
    ("num6", Key::Numpad6),
    ("num7", Key::Numpad7),
    ("num8", Key::Numpad8),
    ("num9", Key::Numpad9),
    ("kp_add", Key::Add),
    ("add", Key::Add),
    ("kp_subtract", Key::Subtract),
    ("subtract", Key::Subtract),
    ("kp_multiply", Key::Multiply),
    ("multiply", Key::Multiply),
    ("kp_divide", Key::Divide),
    ("divide", Key::Divide),
    ("kp_decimal", Key::Decimal),
    ("decimal", Key::Decimal),
    // Punctuation by keysym name.
    ("minus", Key::Unicode('-')),
    ("hyphen", Key::Unicode('-')),
    ("plus", Key::Unicode('+')),
    ("equal", Key::Unicode('=')),
    ("equals", Key::Unicode('=')),
    ("comma", Key::Unicode(',')),
    ("period", Key::Unicode('.')),
    ("dot", Key::Unicode('.')),
    ("slash", Key::Unicode('/')),
    ("backslash", Key::Unicode('\\')),
    ("semicolon", Key::Unicode(';')),
    ("colon", Key::Unicode(':')),
    ("apostrophe", Key::Unicode('\'')),
    ("quoteright", Key::Unicode('\'')),
    ("quotedbl", Key::Unicode('"')),
    ("grave", Key::Unicode('`')),
    ("quoteleft", Key::Unicode('`')),
    ("backtick", Key::Unicode('`')),
    ("asciitilde", Key::Unicode('~')),
    ("tilde", Key::Unicode('~')),
    ("bracketleft", Key::Unicode('[')),
    ("bracketright", Key::Unicode(']')),
    ("braceleft", Key::Unicode('{')),
    ("braceright", Key::Unicode('}')),
    ("parenleft", Key::Unicode('(')),
    ("parenright", Key::Unicode(')')),
    ("less", Key::Unicode('<')),
    ("greater", Key::Unicode('>')),
    ("question", Key::Unicode('?')),
    ("exclam", Key::Unicode('!')),
    ("at", Key::Unicode('@')),
    ("numbersign", Key::Unicode('#')),
    ("dollar", Key::Unicode('$')),
    ("percent", Key::Unicode('%')),
    ("asciicircum", Key::Unicode('^')),
    ("ampersand", Key::Unicode('&')),
    ("asterisk", Key::Unicode('*')),
    ("underscore", Key::Unicode('_')),
    ("bar", Key::Unicode('|')),
    // Media keys.
    ("volumeup", Key::VolumeUp),
    ("volumedown", Key::VolumeDown),
    ("volumemute", Key::VolumeMute),
    ("xf86audioraisevolume", Key::VolumeUp),
    ("xf86audiolowervolume", Key::VolumeDown),
    ("xf86audiomute", Key::VolumeMute),
    ("playpause", Key::MediaPlayPause),
    ("xf86audioplay", Key::MediaPlayPause),
    ("nexttrack", Key::MediaNextTrack),
    ("xf86audionext", Key::MediaNextTrack),
    ("prevtrack", Key::MediaPrevTrack),
    ("xf86audioprev", Key::MediaPrevTrack),
    ("stop", Key::MediaStop),
    ("xf86audiostop", Key::MediaStop),
    ("browserback", XF86_BACK),
    ("xf86back", XF86_BACK),
    ("browserforward", XF86_FORWARD),
    ("xf86forward", XF86_FORWARD),
    ("browserrefresh", XF86_REFRESH),
    ("xf86refresh", XF86_REFRESH),
    ("browserhome", XF86_HOME_PAGE),
    ("xf86homepage", XF86_HOME_PAGE),
];

/// The key a name stands for, or `None` if the name is unknown.
///
/// Names are matched case-insensitively against the table in this module's
/// documentation. A single character is the key that types it, with its
/// case kept (`"A"` types a capital A; `" "` is the space bar).
///
/// ```
/// use deskhand_actions::keys::{lookup, Key};
/// assert_eq!(lookup("Return"), Some(Key::Return));
/// assert_eq!(lookup("pgdn"), Some(Key::PageDown));
/// assert_eq!(lookup("CTRL"), Some(Key::Control));
/// assert_eq!(lookup("é"), Some(Key::Unicode('é')));
/// assert_eq!(lookup("nosuchkey"), None);
/// ```
pub fn lookup(name: &str) -> Option<Key> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(match c {
            ' ' => Key::Space,
            '\n' | '\r' => Key::Return,
            '\t' => Key::Tab,
            c if c.is_control() => return None,
            c => Key::Unicode(c),
        });
    }
    let lower = name.to_ascii_lowercase();
    NAMES.iter().find(|(n, _)| *n == lower).map(|&(_, key)| key)
}

/// Parses a key chord into the keys to press, in order.
///
/// Keys are joined by `+` (`ctrl+shift+t`), with optional spaces around each
/// `+`. The `+` key itself is written `plus` or as a literal `+` where it
/// cannot be mistaken for a separator: `+` alone, or last as in `ctrl++`.
/// A chord without `+` that contains spaces is split on the spaces, the
/// UI-TARS `hotkey(key='ctrl c')` form. In a chord of two or more keys,
/// letters are lower-cased (see the module documentation).
///
/// ```
/// use deskhand_actions::keys::{parse_chord, Key};
/// assert_eq!(
///     parse_chord("ctrl+shift+T").unwrap(),
///     vec![Key::Control, Key::Shift, Key::Unicode('t')]
/// );
/// assert_eq!(parse_chord("ctrl + plus").unwrap(), vec![Key::Control, Key::Unicode('+')]);
/// assert_eq!(parse_chord("+").unwrap(), vec![Key::Unicode('+')]);
/// assert!(parse_chord("ctrl+nosuchkey").is_err());
/// ```
///
/// # Errors
///
/// [`KeyError::Empty`] when the chord names no key, [`KeyError::Unknown`]
/// naming the first part that is not a key.
pub fn parse_chord(chord: &str) -> Result<Vec<Key>, KeyError> {
    let names = split_chord(chord)?;
    let mut keys = Vec::with_capacity(names.len());
    for name in &names {
        let key = lookup(name).ok_or_else(|| KeyError::Unknown {
            name: (*name).to_owned(),
            chord: chord.to_owned(),
        })?;
        keys.push(key);
    }
    if keys.len() > 1 {
        for key in &mut keys {
            if let Key::Unicode(c) = *key
                && c.is_uppercase()
            {
                let mut lower = c.to_lowercase();
                if let (Some(l), None) = (lower.next(), lower.next()) {
                    *key = Key::Unicode(l);
                }
            }
        }
    }
    Ok(keys)
}

/// Splits a chord into key names, resolving a literal `+`.
fn split_chord(chord: &str) -> Result<Vec<&str>, KeyError> {
    if chord.is_empty() {
        return Err(KeyError::Empty);
    }
    if chord.trim().is_empty() {
        // Only spaces: the space bar itself.
        return Ok(vec![" "]);
    }
    if !chord.contains('+') {
        return Ok(chord.split_whitespace().collect());
    }
    let parts: Vec<&str> = chord.split('+').map(str::trim).collect();
    let mut names = Vec::with_capacity(parts.len());
    let mut i = 0;
    while i < parts.len() {
        let part = parts[i];
        if !part.is_empty() {
            names.push(part);
            i += 1;
        } else if parts.get(i + 1).is_some_and(|next| next.is_empty()) {
            // Two empty parts in a row: a literal `+` between separators.
            names.push("+");
            i += 2;
        } else {
            return Err(KeyError::Unknown {
                name: String::new(),
                chord: chord.to_owned(),
            });
        }
    }
    if names.is_empty() {
        return Err(KeyError::Empty);
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdotool_names() {
        for (name, key) in [
            ("Return", Key::Return),
            ("KP_Enter", Key::Other(0xff8d)),
            ("BackSpace", Key::Backspace),
            ("Page_Up", Key::PageUp),
            ("Prior", Key::PageUp),
            ("Page_Down", Key::PageDown),
            ("Next", Key::PageDown),
            ("super", Key::Meta),
            ("Super_L", Key::Meta),
            ("ctrl", Key::Control),
            ("Control_L", Key::Control),
            ("Control_R", Key::RControl),
            ("alt", Key::Alt),
            ("Alt_L", Key::Alt),
            ("shift", Key::Shift),
            ("Shift_L", Key::Shift),
            ("Escape", Key::Escape),
            ("Tab", Key::Tab),
            ("space", Key::Space),
            ("Left", Key::LeftArrow),
            ("Right", Key::RightArrow),
            ("Up", Key::UpArrow),
            ("Down", Key::DownArrow),
            ("F1", Key::F1),
            ("F12", Key::F12),
            ("Home", Key::Home),
            ("End", Key::End),
            ("Insert", Key::Insert),
            ("Delete", Key::Delete),
            ("Menu", Key::LMenu),
            ("Print", Key::PrintScr),
            ("minus", Key::Unicode('-')),
            ("plus", Key::Unicode('+')),
            ("comma", Key::Unicode(',')),
            ("period", Key::Unicode('.')),
            ("slash", Key::Unicode('/')),
            ("KP_5", Key::Numpad5),
            ("XF86AudioRaiseVolume", Key::VolumeUp),
        ] {
            assert_eq!(lookup(name), Some(key), "{name}");
        }
    }

    #[test]
    fn pyautogui_names() {
        for (name, key) in [
            ("enter", Key::Return),
            ("esc", Key::Escape),
            ("backspace", Key::Backspace),
            ("pageup", Key::PageUp),
            ("pgdn", Key::PageDown),
            ("win", Key::Meta),
            ("winleft", Key::Meta),
            ("command", Key::Meta),
            ("option", Key::Alt),
            ("ctrl", Key::Control),
            ("ctrlleft", Key::Control),
            ("shift", Key::Shift),
            ("alt", Key::Alt),
            ("up", Key::UpArrow),
            ("down", Key::DownArrow),
            ("left", Key::LeftArrow),
            ("right", Key::RightArrow),
            ("f5", Key::F5),
            ("space", Key::Space),
            ("delete", Key::Delete),
            ("del", Key::Delete),
            ("num7", Key::Numpad7),
            ("printscreen", Key::PrintScr),
            ("capslock", Key::CapsLock),
        ] {
            assert_eq!(lookup(name), Some(key), "{name}");
        }
    }

    #[test]
    fn openai_names() {
        for (name, key) in [
            ("CTRL", Key::Control),
            ("CMD", Key::Meta),
            ("META", Key::Meta),
            ("ALT", Key::Alt),
            ("SHIFT", Key::Shift),
            ("ENTER", Key::Return),
            ("RETURN", Key::Return),
            ("ESC", Key::Escape),
            ("ESCAPE", Key::Escape),
            ("SPACE", Key::Space),
            ("TAB", Key::Tab),
            ("BACKSPACE", Key::Backspace),
            ("DELETE", Key::Delete),
            ("ARROWUP", Key::UpArrow),
            ("ARROWDOWN", Key::DownArrow),
            ("ARROWLEFT", Key::LeftArrow),
            ("ARROWRIGHT", Key::RightArrow),
            ("UP", Key::UpArrow),
            ("PAGEUP", Key::PageUp),
            ("PAGEDOWN", Key::PageDown),
            ("HOME", Key::Home),
            ("END", Key::End),
            ("SUPER", Key::Meta),
            ("WIN", Key::Meta),
        ] {
            assert_eq!(lookup(name), Some(key), "{name}");
        }
    }

    #[test]
    fn single_characters_keep_case() {
        assert_eq!(lookup("a"), Some(Key::Unicode('a')));
        assert_eq!(lookup("A"), Some(Key::Unicode('A')));
        assert_eq!(lookup("7"), Some(Key::Unicode('7')));
        assert_eq!(lookup("ü"), Some(Key::Unicode('ü')));
        assert_eq!(lookup(" "), Some(Key::Space));
        assert_eq!(lookup("\u{1b}"), None);
        assert_eq!(lookup(""), None);
        assert_eq!(lookup("nosuchkey"), None);
    }

    #[test]
    fn table_names_are_lowercase_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for (name, _) in NAMES {
            assert_eq!(*name, name.to_ascii_lowercase());
            assert!(seen.insert(*name), "{name} twice");
            assert!(
                name.chars().count() > 1,
                "{name}: single chars are not in the table"
            );
        }
    }

    #[test]
    fn chords() {
        assert_eq!(
            parse_chord("ctrl+shift+t").unwrap(),
            vec![Key::Control, Key::Shift, Key::Unicode('t')]
        );
        assert_eq!(
            parse_chord("ctrl+S").unwrap(),
            vec![Key::Control, Key::Unicode('s')]
        );
        assert_eq!(
            parse_chord(" ctrl + alt + Delete ").unwrap(),
            vec![Key::Control, Key::Alt, Key::Delete]
        );
        assert_eq!(
            parse_chord("ctrl+plus").unwrap(),
            vec![Key::Control, Key::Unicode('+')]
        );
        assert_eq!(
            parse_chord("ctrl++").unwrap(),
            vec![Key::Control, Key::Unicode('+')]
        );
        assert_eq!(parse_chord("+").unwrap(), vec![Key::Unicode('+')]);
        assert_eq!(parse_chord("A").unwrap(), vec![Key::Unicode('A')]);
        assert_eq!(parse_chord("Return").unwrap(), vec![Key::Return]);
        assert_eq!(parse_chord(" ").unwrap(), vec![Key::Space]);
        assert_eq!(
            parse_chord("ctrl c").unwrap(),
            vec![Key::Control, Key::Unicode('c')]
        );
        assert_eq!(
            parse_chord("super+KP_Enter").unwrap(),
            vec![Key::Meta, Key::Other(0xff8d)]
        );
    }

    #[test]
    fn chord_errors_name_the_bad_part() {
        assert_eq!(parse_chord(""), Err(KeyError::Empty));
        let err = parse_chord("ctrl+shfit+t").unwrap_err();
        assert_eq!(
            err,
            KeyError::Unknown {
                name: "shfit".into(),
                chord: "ctrl+shfit+t".into()
            }
        );
        assert_eq!(err.to_string(), r#"unknown key "shfit" in "ctrl+shfit+t""#);
        assert!(matches!(
            parse_chord("ctrl+"),
            Err(KeyError::Unknown { name, .. }) if name.is_empty()
        ));
        assert!(parse_chord("+ctrl").is_err());
        assert!(parse_chord("++").is_err());
    }
}
