//! Chromium's profile on disk: the getters that read it and the steps that write it.
//!
//! The profile is where OSWorld's VM keeps Chrome's: `HOME/.config/google-chrome`, profile
//! folder `Default` (deskhand starts Chromium with that `--user-data-dir`). Each getter gives
//! the JSON value OSWorld's getter of the same name gives (see
//! [`deskhand_tasks::sources::chrome_profile::ProfileGetter`]), fallbacks included: `prefs` holds
//! the `Preferences` readers, `sqlite` the `History` and `Cookies` ones. SQLite files are
//! copied into the task's cache (under the getter's `dest`) before they are read, since a
//! running Chromium holds them.

mod prefs;
mod sqlite;

use super::env::TaskEnv;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::chrome_profile::{ProfileGetter, ProfileStep};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why a profile step or getter failed. One sentence each; the cause, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// A profile file could not be read (OSWorld's getter fails here too).
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file that must be JSON is not (OSWorld's getter fails here too).
    #[error("{} is not JSON", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// A desktop shortcut is not UTF-8 text.
    #[error("{} is not UTF-8 text", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
    },
    /// The profile folder or a copy could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The new History database could not be written.
    #[error("cannot write the browsing history {}", path.display())]
    History {
        /// The database.
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

/// How long `chrome_appearance_mode_ui` waits for a running Chromium to write a light scheme:
/// OSWorld reads the live settings page first, and Chromium writes its preferences at most
/// 10 s after a change, so a little longer than that.
const APPEARANCE_DEADLINE: Duration = Duration::from_secs(12);
/// Between two readings of the preferences while waiting.
const APPEARANCE_POLL: Duration = Duration::from_millis(250);

/// Chromium's user data folder in the task's HOME.
fn user_data(env: &TaskEnv<'_>) -> PathBuf {
    env.home.join(".config/google-chrome")
}

/// A file of the `Default` profile.
fn profile_file(env: &TaskEnv<'_>, name: &str) -> PathBuf {
    user_data(env).join("Default").join(name)
}

/// `Default/Preferences` parsed; `None` when missing or not JSON (every OSWorld getter that
/// reads it then falls back).
fn preferences(env: &TaskEnv<'_>) -> Option<Value> {
    read_json(&profile_file(env, "Preferences"))
}

fn read_json(path: &Path) -> Option<Value> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Runs a profile setup step.
pub fn run_step(env: &mut TaskEnv<'_>, step: &ProfileStep) -> Result<(), ProfileError> {
    match step {
        ProfileStep::UpdateBrowseHistory { history } => {
            let dir = user_data(env).join("Default");
            std::fs::create_dir_all(&dir).map_err(|source| ProfileError::Write {
                path: dir.clone(),
                source,
            })?;
            let path = dir.join("History");
            // OSWorld uploads a whole new file: nothing of the old history survives.
            for stale in ["History", "History-journal", "History-wal", "History-shm"] {
                let p = dir.join(stale);
                match std::fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(source) => return Err(ProfileError::Write { path: p, source }),
                }
            }
            sqlite::write_history(&path, history, sqlite::chrome_now())
                .map_err(|source| ProfileError::History { path, source })?;
            env.log(&format!(
                "update_browse_history: {} visits written",
                history.len()
            ));
            Ok(())
        }
    }
}

/// How long a getter waits for a Chromium that is shutting down to let go of its profile.
const RELEASE_DEADLINE: Duration = Duration::from_secs(15);
/// Between two looks at the processes while waiting.
const RELEASE_POLL: Duration = Duration::from_millis(50);

/// Whether any process has a file of the `Default` profile folder open.
fn profile_held(profile: &Path) -> bool {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return false;
    };
    for p in procs.flatten() {
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|t| t.starts_with(profile)) {
                return true;
            }
        }
    }
    false
}

/// Waits, at most [`RELEASE_DEADLINE`], while a Chromium that has begun to shut down (its
/// `SingletonLock` gone) still holds files of the profile: it writes History, Cookies and
/// Preferences last. A running Chromium (the lock there) is not waited for: its files are
/// read as they are, as OSWorld reads them.
fn wait_for_shutdown(env: &mut TaskEnv<'_>) {
    let root = user_data(env);
    if std::fs::symlink_metadata(root.join("SingletonLock")).is_ok() {
        return;
    }
    let profile = root.join("Default");
    let started = Instant::now();
    while profile_held(&profile) {
        if started.elapsed() >= RELEASE_DEADLINE {
            env.log("chrome profile: still held by a process; read as it is");
            return;
        }
        std::thread::sleep(RELEASE_POLL);
    }
}

/// Runs a profile getter.
pub fn get(env: &mut TaskEnv<'_>, getter: &ProfileGetter) -> Result<Got, ProfileError> {
    if !matches!(getter, ProfileGetter::ShortcutsOnDesktop) {
        wait_for_shutdown(env);
    }
    let json = match getter {
        ProfileGetter::Bookmarks => bookmarks(&profile_file(env, "Bookmarks"))?,
        ProfileGetter::History { dest } => sqlite_rows(
            env,
            "History",
            dest.as_deref(),
            "SELECT url, title, last_visit_time FROM urls",
        ),
        ProfileGetter::CookieData { dest } => {
            sqlite_rows(env, "Cookies", dest.as_deref(), "SELECT * FROM cookies")
        }
        ProfileGetter::ProfileName => prefs::profile_name(preferences(env).as_ref()),
        ProfileGetter::DefaultSearchEngine => {
            prefs::default_search_engine(preferences(env).as_ref())
        }
        ProfileGetter::ChromeFontSize => prefs::chrome_font_size(preferences(env).as_ref()),
        ProfileGetter::ChromeAppearanceModeUi => Value::String(appearance_mode(env).to_owned()),
        ProfileGetter::EnableDoNotTrack => prefs::enable_do_not_track(preferences(env).as_ref()),
        ProfileGetter::EnableSafeBrowsing => prefs::enable_safe_browsing(preferences(env).as_ref()),
        ProfileGetter::NewStartupPage => prefs::new_startup_page(preferences(env).as_ref()),
        ProfileGetter::DataDeleteAutomacally => {
            prefs::data_delete_automacally(preferences(env).as_ref())
        }
        ProfileGetter::FindUnpackedExtensionPath => {
            prefs::unpacked_extension_paths(preferences(env).as_ref())
        }
        ProfileGetter::FindInstalledExtensionName => {
            prefs::installed_extension_names(preferences(env).as_ref())
        }
        ProfileGetter::ShortcutsOnDesktop => shortcuts(&env.home.join("Desktop"))?,
    };
    let shown = json.to_string();
    let cut = shown
        .char_indices()
        .nth(300)
        .map_or(shown.len(), |(i, _)| i);
    env.log(&format!("chrome profile getter: {}", &shown[..cut]));
    Ok(Got::Json(json))
}

/// `bookmarks`: the `roots` object (`{}` without one), `[]` for a missing or empty file.
fn bookmarks(path: &Path) -> Result<Value, ProfileError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Value::Array(Vec::new())),
        Err(source) => {
            return Err(ProfileError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    if bytes.is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    let data: Value = serde_json::from_slice(&bytes).map_err(|source| ProfileError::Json {
        path: path.to_owned(),
        source,
    })?;
    match prefs::get(&data, "roots") {
        Ok(Some(roots)) => Ok(roots.clone()),
        Ok(None) => Ok(Value::Object(Map::new())),
        // Python: AttributeError on a file whose top level is no object.
        Err(prefs::NotDict) => Err(ProfileError::Json {
            path: path.to_owned(),
            source: serde::de::Error::custom("the top level is not an object"),
        }),
    }
}

/// The rows of `query` on a copy of the profile's `file` named `dest` in the cache; `null`
/// when anything fails (no `dest`, no file, not a database), as OSWorld's getters give.
fn sqlite_rows(env: &mut TaskEnv<'_>, file: &str, dest: Option<&str>, query: &str) -> Value {
    let Some(dest) = dest else {
        env.log(&format!("{file}: the getter names no dest"));
        return Value::Null;
    };
    let from = profile_file(env, file);
    let to = env.cache.join(dest);
    let copied = std::fs::create_dir_all(&env.cache).and_then(|()| std::fs::copy(&from, &to));
    if let Err(e) = copied {
        env.log(&format!("{file}: cannot copy {}: {e}", from.display()));
        return Value::Null;
    }
    match sqlite::rows(&to, query) {
        Ok(rows) => Value::Array(rows),
        Err(e) => {
            env.log(&format!("{file}: {e}"));
            Value::Null
        }
    }
}

/// The Preferences files of every profile in the user data folder, newest first.
fn profile_preferences(env: &TaskEnv<'_>) -> Vec<PathBuf> {
    let root = user_data(env);
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name == "Default" || name == "Guest Profile" || name.starts_with("Profile ") {
                let p = e.path().join("Preferences");
                if let Ok(meta) = std::fs::metadata(&p)
                    && meta.is_file()
                {
                    found.push((meta.modified().unwrap_or(std::time::UNIX_EPOCH), p));
                }
            }
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, p)| p).collect()
}

/// `chrome_appearance_mode_ui`, read from the profiles' preferences as OSWorld's fallback
/// (`get_chrome_color_scheme`) does: `"light"` as soon as one says so, else, while Chromium
/// runs, what the last reading said once the deadline passed (`"system"` when nothing could
/// be read). OSWorld's first choice, probing the live `chrome://settings/appearance` page,
/// is not done: the preferences say the same once Chromium has written them.
fn appearance_mode(env: &TaskEnv<'_>) -> &'static str {
    let started = Instant::now();
    let mut mode = "system";
    loop {
        let mut paths = profile_preferences(env);
        if paths.is_empty() {
            paths.push(profile_file(env, "Preferences"));
        }
        let profiles: Vec<Value> = paths.iter().filter_map(|p| read_json(p)).collect();
        if let Some(best) = prefs::best_mode(&profiles) {
            mode = best;
        }
        // With no Chromium running the files are final: one reading is the answer.
        let running = std::fs::symlink_metadata(user_data(env).join("SingletonLock")).is_ok();
        if mode == "light" || !running || started.elapsed() >= APPEARANCE_DEADLINE {
            return mode;
        }
        std::thread::sleep(APPEARANCE_POLL);
    }
}

/// `shortcuts_on_desktop`: `{name: content}` for every entry of the desktop whose name ends
/// in `.desktop`.
fn shortcuts(desktop: &Path) -> Result<Value, ProfileError> {
    let entries = std::fs::read_dir(desktop).map_err(|source| ProfileError::Read {
        path: desktop.to_owned(),
        source,
    })?;
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".desktop"))
        .collect();
    names.sort();
    let mut out = Map::new();
    for name in names {
        let path = desktop.join(&name);
        let bytes = std::fs::read(&path).map_err(|source| ProfileError::Read {
            path: path.clone(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ProfileError::NotText { path })?;
        out.insert(name, Value::String(text));
    }
    Ok(Value::Object(out))
}
