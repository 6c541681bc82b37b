//! Chromium's profile on disk: bookmarks, history, cookies, preferences, extensions (`bookmarks`, `history`, `update_browse_history`, …).
//!
//! Typed getters and setup steps of this kind; the evaluation side is in deskhand's `eval` module.
//! The profile is the one OSWorld's VM has: `~/.config/google-chrome` with the profile folder
//! `Default`.

use crate::error::TaskError;
use serde::Deserialize;
use serde_json::Value;

/// A getter of this kind. Each reads one file of the profile (or the desktop) and gives what
/// OSWorld's getter of the same name gives, its fallbacks included.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileGetter {
    /// `bookmarks`: the `roots` object of `Default/Bookmarks` (`[]` when the file is missing).
    Bookmarks,
    /// `history`: `[url, title, last_visit_time]` rows of `Default/History`'s `urls` table,
    /// read from a copy named `dest` in the task's cache; `null` when anything fails.
    History {
        /// The copy's name (OSWorld's getter gives `null` without one).
        dest: Option<String>,
    },
    /// `cookie_data`: every row of `Default/Cookies`' `cookies` table (all columns, in table
    /// order), read from a copy named `dest`; `null` when anything fails.
    CookieData {
        /// The copy's name.
        dest: Option<String>,
    },
    /// `profile_name`: `profile.name` of `Default/Preferences`, else `null`.
    ProfileName,
    /// `default_search_engine`: the default search provider's `short_name`, else `"Google"`.
    DefaultSearchEngine,
    /// `chrome_font_size`: `webkit.webprefs` of the preferences, else Chrome's defaults.
    ChromeFontSize,
    /// `chrome_appearance_mode_ui`: `"light"`, `"dark"` or `"system"`, as the preferences say.
    ChromeAppearanceModeUi,
    /// `enable_do_not_track`: `"true"` or `"false"`.
    EnableDoNotTrack,
    /// `enable_safe_browsing`: `"true"` (standard or enhanced protection) or `"false"`.
    EnableSafeBrowsing,
    /// `new_startup_page`: `"true"` when Chrome opens the new tab page on start.
    NewStartupPage,
    /// `data_delete_automacally` (sic): `"true"` when the profile has content-setting defaults.
    DataDeleteAutomacally,
    /// `find_unpacked_extension_path`: the `path` of every extension in the preferences.
    FindUnpackedExtensionPath,
    /// `find_installed_extension_name`: the manifest `name` of every extension.
    FindInstalledExtensionName,
    /// `shortcuts_on_desktop`: `{file name: content}` of every `*.desktop` file on the desktop.
    ShortcutsOnDesktop,
}

#[derive(Deserialize)]
struct DestField {
    #[serde(default)]
    dest: Option<String>,
}

/// The getter `kind` (its whole object `raw`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_getter(kind: &str, raw: &Value) -> Option<Result<ProfileGetter, TaskError>> {
    use crate::getter::typed;
    Some(Ok(match kind {
        "bookmarks" => ProfileGetter::Bookmarks,
        "history" => {
            return Some(
                typed::<DestField>(kind, raw).map(|d| ProfileGetter::History { dest: d.dest }),
            );
        }
        "cookie_data" => {
            return Some(
                typed::<DestField>(kind, raw).map(|d| ProfileGetter::CookieData { dest: d.dest }),
            );
        }
        "profile_name" => ProfileGetter::ProfileName,
        "default_search_engine" => ProfileGetter::DefaultSearchEngine,
        "chrome_font_size" => ProfileGetter::ChromeFontSize,
        "chrome_appearance_mode_ui" => ProfileGetter::ChromeAppearanceModeUi,
        "enable_do_not_track" => ProfileGetter::EnableDoNotTrack,
        "enable_safe_browsing" => ProfileGetter::EnableSafeBrowsing,
        "new_startup_page" => ProfileGetter::NewStartupPage,
        "data_delete_automacally" => ProfileGetter::DataDeleteAutomacally,
        "find_unpacked_extension_path" => ProfileGetter::FindUnpackedExtensionPath,
        "find_installed_extension_name" => ProfileGetter::FindInstalledExtensionName,
        "shortcuts_on_desktop" => ProfileGetter::ShortcutsOnDesktop,
        _ => return None,
    }))
}

/// A setup step of this kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileStep {
    /// `update_browse_history`: replaces `Default/History` with an empty history holding these
    /// visits (one `urls` row and one `visits` row each), as OSWorld does.
    UpdateBrowseHistory {
        /// The visits.
        history: Vec<Visit>,
    },
}

/// One visit of `update_browse_history`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Visit {
    /// The page.
    pub url: String,
    /// Its title.
    pub title: String,
    /// How long ago it was visited, in seconds.
    pub visit_time_from_now_in_seconds: f64,
}

#[derive(Deserialize)]
struct HistoryParams {
    history: Vec<Visit>,
}

/// The setup step `kind` (with its `parameters`) if it is of this kind; `None` when it is not.
pub(crate) fn parse_step(kind: &str, parameters: &Value) -> Option<Result<ProfileStep, TaskError>> {
    match kind {
        "update_browse_history" => Some(
            crate::step::typed::<HistoryParams>(kind, parameters)
                .map(|p| ProfileStep::UpdateBrowseHistory { history: p.history }),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn getters_and_steps_parse() {
        assert_eq!(
            parse_getter("history", &json!({"type": "history", "dest": "h.sqlite"}))
                .map(|g| g.ok()),
            Some(Some(ProfileGetter::History {
                dest: Some("h.sqlite".into())
            }))
        );
        assert_eq!(
            parse_getter("bookmarks", &json!({"type": "bookmarks"})).map(|g| g.ok()),
            Some(Some(ProfileGetter::Bookmarks))
        );
        assert!(parse_getter("active_tab_info", &json!({})).is_none());
        let step = parse_step(
            "update_browse_history",
            &json!({"history": [{"url": "https://a.test/", "title": "A", "visit_time_from_now_in_seconds": 60}]}),
        );
        assert!(
            matches!(step, Some(Ok(ProfileStep::UpdateBrowseHistory { history })) if history.len() == 1)
        );
        assert!(matches!(
            parse_step("update_browse_history", &json!({"history": [{"url": "x"}]})),
            Some(Err(_))
        ));
    }
}
