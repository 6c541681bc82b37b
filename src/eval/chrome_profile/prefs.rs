//! The getters that read Chromium's `Preferences` (JSON), as OSWorld's do: each value and each
//! fallback (a missing or unreadable file, a key of the wrong type) is OSWorld's, quirks
//! included (several getters fall back to the string `"Google"`, whatever they read).
//!
//! Python's `dict.get(key, default)` on a value that is not a dict raises, and OSWorld's getters
//! catch that and return their fallback: [`get`] returns `Err(NotDict)` for it.

use deskhand_tasks::metrics::truthy;
use serde_json::{Value, json};

/// A lookup on something that is not a JSON object (Python's `AttributeError`).
#[derive(Debug)]
pub(super) struct NotDict;

/// `v.get(key)` in Python: `Ok(None)` when the key is missing, `Err` when `v` is no object.
pub(super) fn get<'v>(v: &'v Value, key: &str) -> Result<Option<&'v Value>, NotDict> {
    match v {
        Value::Object(m) => Ok(m.get(key)),
        _ => Err(NotDict),
    }
}

/// `v.get(key, {})`: an empty object when the key is missing.
fn get_or_empty<'v>(v: &'v Value, key: &str, empty: &'v Value) -> Result<&'v Value, NotDict> {
    Ok(get(v, key)?.unwrap_or(empty))
}

fn yes_no(b: bool) -> Value {
    Value::String(if b { "true" } else { "false" }.to_owned())
}

/// `default_search_engine`: the default provider's `short_name`, else `"Google"`.
pub(super) fn default_search_engine(prefs: Option<&Value>) -> Value {
    let read = |p: &Value| -> Result<Value, NotDict> {
        let empty = json!({});
        let data = get_or_empty(p, "default_search_provider_data", &empty)?;
        let template = get_or_empty(data, "template_url_data", &empty)?;
        Ok(get(template, "short_name")?
            .cloned()
            .unwrap_or_else(|| json!("Google")))
    };
    prefs
        .and_then(|p| read(p).ok())
        .unwrap_or_else(|| json!("Google"))
}

/// `profile_name`: `profile.name`, else `null`.
pub(super) fn profile_name(prefs: Option<&Value>) -> Value {
    let read = |p: &Value| -> Result<Value, NotDict> {
        let empty = json!({});
        let profile = get_or_empty(p, "profile", &empty)?;
        Ok(get(profile, "name")?.cloned().unwrap_or(Value::Null))
    };
    prefs.and_then(|p| read(p).ok()).unwrap_or(Value::Null)
}

/// `chrome_font_size`: `webkit.webprefs`, else Chrome's defaults (two different sets of
/// defaults, as in OSWorld: three sizes when the key is missing, two when the file is).
pub(super) fn chrome_font_size(prefs: Option<&Value>) -> Value {
    let read = |p: &Value| -> Result<Value, NotDict> {
        let empty = json!({});
        let webkit = get_or_empty(p, "webkit", &empty)?;
        Ok(get(webkit, "webprefs")?.cloned().unwrap_or_else(|| {
            json!({"default_fixed_font_size": 13, "default_font_size": 16, "minimum_font_size": 13})
        }))
    };
    prefs
        .and_then(|p| read(p).ok())
        .unwrap_or_else(|| json!({"default_fixed_font_size": 13, "default_font_size": 16}))
}

/// `enable_do_not_track`: `"true"` when `enable_do_not_track` is truthy.
pub(super) fn enable_do_not_track(prefs: Option<&Value>) -> Value {
    let read = |p: &Value| -> Result<bool, NotDict> {
        Ok(get(p, "enable_do_not_track")?.is_some_and(truthy))
    };
    yes_no(prefs.and_then(|p| read(p).ok()).unwrap_or(false))
}

/// `enable_safe_browsing`: `"true"` when `safebrowsing.enhanced` or `.enabled` is truthy.
pub(super) fn enable_safe_browsing(prefs: Option<&Value>) -> Value {
    let read = |p: &Value| -> Result<bool, NotDict> {
        let empty = json!({});
        let sb = get_or_empty(p, "safebrowsing", &empty)?;
        let enhanced = get(sb, "enhanced")?.is_some_and(truthy);
        let enabled = get(sb, "enabled")?.is_some_and(truthy);
        Ok(enhanced || enabled)
    };
    yes_no(prefs.and_then(|p| read(p).ok()).unwrap_or(false))
}

/// `new_startup_page`: `"true"` with no `session` key at all (a fresh profile), else whether
/// `session.restore_on_startup` is 5; `"Google"` on an unreadable file.
pub(super) fn new_startup_page(prefs: Option<&Value>) -> Value {
    let read = |p: &Value| -> Result<Value, NotDict> {
        let Some(session) = get(p, "session")? else {
            return Ok(yes_no(true));
        };
        let restore = get(session, "restore_on_startup")?;
        Ok(yes_no(restore.is_some_and(|r| r.as_f64() == Some(5.0))))
    };
    prefs
        .and_then(|p| read(p).ok())
        .unwrap_or_else(|| json!("Google"))
}

/// `data_delete_automacally`: `"true"` when `profile.default_content_setting_values` is
/// there (even `null` counts as missing); `"Google"` when `profile` is missing.
pub(super) fn data_delete_automacally(prefs: Option<&Value>) -> Value {
    let read = |p: &Value| -> Result<Value, NotDict> {
        let profile = get(p, "profile")?.ok_or(NotDict)?;
        let state = get(profile, "default_content_setting_values")?;
        Ok(yes_no(state.is_some_and(|s| !s.is_null())))
    };
    prefs
        .and_then(|p| read(p).ok())
        .unwrap_or_else(|| json!("Google"))
}

/// The `extensions.settings` entries, each mapped by `field`; `"Google"` when one lacks it.
fn extensions(prefs: Option<&Value>, field: fn(&Value) -> Option<Value>) -> Value {
    let read = |p: &Value| -> Result<Value, NotDict> {
        let empty = json!({});
        let ext = get_or_empty(p, "extensions", &empty)?;
        let settings = get_or_empty(ext, "settings", &empty)?;
        let Value::Object(all) = settings else {
            return Err(NotDict);
        };
        all.values()
            .map(|e| field(e).ok_or(NotDict))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array)
    };
    prefs
        .and_then(|p| read(p).ok())
        .unwrap_or_else(|| json!("Google"))
}

/// `find_unpacked_extension_path`: every extension's `path`.
pub(super) fn unpacked_extension_paths(prefs: Option<&Value>) -> Value {
    extensions(prefs, |e| e.get("path").cloned())
}

/// `find_installed_extension_name`: every extension's `manifest.name`.
pub(super) fn installed_extension_names(prefs: Option<&Value>) -> Value {
    extensions(prefs, |e| e.get("manifest")?.get("name").cloned())
}

/// The colour scheme one `Preferences` file says (`get_chrome_color_scheme`'s reading):
/// `browser.theme.color_scheme2` (else `color_scheme`) as 0/1/2 or a name; `"light"` whenever
/// `extensions.theme.system_theme` is 0, `"0"` or false; `"system"` when unknown.
pub(super) fn color_scheme(prefs: &Value) -> Result<&'static str, NotDict> {
    let empty = json!({});
    let browser = get_or_empty(prefs, "browser", &empty)?;
    let theme = get_or_empty(browser, "theme", &empty)?;
    let raw = match get(theme, "color_scheme2")? {
        Some(v) => Some(v),
        None => get(theme, "color_scheme")?,
    };
    let mode = raw.and_then(|v| match v {
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "system" | "default" | "0" => Some("system"),
            "light" | "1" => Some("light"),
            "dark" | "2" => Some("dark"),
            _ => None,
        },
        // Python's int() truncates toward zero; bools are ints too.
        Value::Number(n) => match n.as_f64().map(f64::trunc) {
            Some(0.0) => Some("system"),
            Some(1.0) => Some("light"),
            Some(2.0) => Some("dark"),
            _ => None,
        },
        Value::Bool(b) => Some(if *b { "light" } else { "system" }),
        _ => None,
    });
    let ext = get_or_empty(prefs, "extensions", &empty)?;
    let ext_theme = get_or_empty(ext, "theme", &empty)?;
    let system_theme = get(ext_theme, "system_theme")?;
    let light_flag = match system_theme {
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::String(s)) => s == "0",
        Some(Value::Bool(b)) => !b,
        _ => false,
    };
    if light_flag {
        return Ok("light");
    }
    Ok(mode.unwrap_or("system"))
}

/// One reading of every candidate profile (newest first): the first explicit `"light"` or
/// `"dark"`, else the first profile's mode; `None` when none could be read.
pub(super) fn best_mode(profiles: &[Value]) -> Option<&'static str> {
    let mut best = None;
    for p in profiles {
        let Ok(mode) = color_scheme(p) else { continue };
        if mode == "light" || mode == "dark" {
            return Some(mode);
        }
        best.get_or_insert(mode);
    }
    best
}
