//! A Thunderbird profile without first-run noise in each private HOME, prepared just before a
//! task starts Thunderbird, so that no account wizard, "know your rights" bar, default-client
//! question or donation page stands between an agent and its task.
//!
//! Thunderbird keeps its profiles under `~/.thunderbird`: `profiles.ini` lists them
//! (`[ProfileN]` with `Name`, `IsRelative`, `Path`, `Default=1` on the default one) and names,
//! per installation, the one that installation uses (`[InstallHASH]` with `Default=PATH`, the
//! hash being of the program's folder). OSWorld's Thunderbird tasks unpack a profile made on
//! their VM, whose hash need not be this machine's: Thunderbird would then make a new, empty
//! profile and the task's would never be seen. So the Thunderbird a task's `launch` step starts
//! runs with `MOZ_LEGACY_PROFILES=1` ([`LEGACY_PROFILES`]: it then takes the `Default=1`
//! profile whatever the installation), and [`prepare`] marks as `Default=1` the profile an
//! `[Install…]` section names, if they all name one; else the one marked already, else the
//! first. The same launch gets [`CLASS_ARG`], so that its windows are `Mail.thunderbird` as
//! OSWorld's tasks expect.
//!
//! In that profile it writes the settings of [`QUIET`] to `user.js` (Thunderbird reads that file
//! at every start, and copies its values into `prefs.js`), keeping whatever else `user.js` held;
//! a setting already in `user.js` is not written twice. Where `~/.thunderbird/profiles.ini` is
//! missing it makes a profile, `deskhand.default`, holding only that `user.js`: Thunderbird
//! fills it at its first start, without asking for an account.

use std::path::{Path, PathBuf};

/// The variable that makes Thunderbird take the `Default=1` profile whatever its installation;
/// deskhand sets it to `1` for the Thunderbird a task's `launch` step starts.
pub const LEGACY_PROFILES: &str = "MOZ_LEGACY_PROFILES";

/// The argument that names Thunderbird's windows' class `thunderbird`, as on OSWorld's VM
/// (`WM_CLASS` `Mail.thunderbird`, which its tasks' `close_window` steps name); Debian's build
/// otherwise calls it `thunderbird-default`. deskhand adds it to a `launch` step's argument
/// list (not to a shell command line).
pub const CLASS_ARG: &str = "--class=thunderbird";

/// The folder of Thunderbird's profiles, relative to HOME.
pub const THUNDERBIRD_DIR: &str = ".thunderbird";

/// The profile [`prepare`] makes where there is none, relative to [`THUNDERBIRD_DIR`].
pub const NEW_PROFILE: &str = "deskhand.default";

/// `(pref, value as JavaScript)` written to `user.js`: no account wizard at start, no
/// default-client question, no start page, no rights or data-reporting bars, no donation tab.
pub const QUIET: &[(&str, &str)] = &[
    ("mail.provider.suppress_dialog_on_startup", "true"),
    ("mail.shell.checkDefaultClient", "false"),
    ("mailnews.start_page.enabled", "false"),
    ("mail.rights.version", "1"),
    (
        "datareporting.policy.dataSubmissionPolicyBypassNotification",
        "true",
    ),
    ("toolkit.telemetry.reportingpolicy.firstRun", "false"),
    ("app.donation.eoy.version.viewed", "999"),
];

/// Why the profile could not be prepared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ThunderbirdProfileError {
    /// A file could not be read or written.
    #[error("cannot {what} {}", path.display())]
    Io {
        /// What was being done (`read`, `write`, …).
        what: &'static str,
        /// On what.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `profiles.ini` names no profile.
    #[error("{} lists no profile", path.display())]
    NoProfile {
        /// The file.
        path: PathBuf,
    },
}

/// What [`prepare`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared {
    /// There was no profile: [`NEW_PROFILE`] was made.
    Made,
    /// The profile at this path (relative to [`THUNDERBIRD_DIR`] where it is relative) got the
    /// quiet settings; `pointed`: `profiles.ini` was changed to make it the default.
    Quieted {
        /// The profile's `Path=`.
        profile: String,
        /// Whether `Default=1` had to be moved to it.
        pointed: bool,
    },
}

/// Whether a launch command line starts Thunderbird (its program is named `thunderbird`).
pub fn starts_thunderbird(command: &str) -> bool {
    command
        .split_whitespace()
        .next()
        .and_then(|program| Path::new(program).file_name())
        .is_some_and(|name| name == "thunderbird" || name == "thunderbird-bin")
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ThunderbirdProfileError {
    let path = path.to_owned();
    move |source| ThunderbirdProfileError::Io { what, path, source }
}

/// One `[Section]` of an ini file, with its lines as written.
struct Section {
    name: String,
    lines: Vec<String>,
}

impl Section {
    fn get(&self, key: &str) -> Option<&str> {
        self.lines.iter().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim())
        })
    }

    fn set_default(&mut self, on: bool) -> bool {
        let had = self.get("Default") == Some("1");
        if had == on {
            return false;
        }
        self.lines
            .retain(|l| l.split_once('=').is_none_or(|(k, _)| k.trim() != "Default"));
        if on {
            self.lines.push("Default=1".to_owned());
        }
        true
    }
}

fn parse_ini(text: &str) -> (Vec<String>, Vec<Section>) {
    let mut head = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            sections.push(Section {
                name: name.to_owned(),
                lines: Vec::new(),
            });
        } else if let Some(s) = sections.last_mut() {
            if !t.is_empty() {
                s.lines.push(line.to_owned());
            }
        } else {
            head.push(line.to_owned());
        }
    }
    (head, sections)
}

fn write_ini(head: &[String], sections: &[Section]) -> String {
    let mut out = String::new();
    for l in head {
        out.push_str(l);
        out.push('\n');
    }
    for s in sections {
        out.push_str(&format!("[{}]\n", s.name));
        for l in &s.lines {
            out.push_str(l);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// Prepares HOME's Thunderbird profile as the module doc says.
pub fn prepare(home: &Path) -> Result<Prepared, ThunderbirdProfileError> {
    let dir = home.join(THUNDERBIRD_DIR);
    let ini = dir.join("profiles.ini");
    if !ini.exists() {
        let profile = dir.join(NEW_PROFILE);
        std::fs::create_dir_all(&profile).map_err(io("create", &profile))?;
        let text = format!(
            "[Profile0]\nName=default\nIsRelative=1\nPath={NEW_PROFILE}\nDefault=1\n\n[General]\nStartWithLastProfile=1\nVersion=2\n"
        );
        std::fs::write(&ini, text).map_err(io("write", &ini))?;
        quiet(&profile)?;
        return Ok(Prepared::Made);
    }
    let text = std::fs::read_to_string(&ini).map_err(io("read", &ini))?;
    let (head, mut sections) = parse_ini(&text);
    let installs: Vec<String> = sections
        .iter()
        .filter(|s| s.name.starts_with("Install"))
        .filter_map(|s| s.get("Default").map(str::to_owned))
        .collect();
    let is_profile = |s: &Section| s.name.starts_with("Profile") && s.get("Path").is_some();
    let by_install = match installs.split_first() {
        Some((first, rest)) if rest.iter().all(|p| p == first) => sections
            .iter()
            .position(|s| is_profile(s) && s.get("Path") == Some(first)),
        _ => None,
    };
    let target = by_install
        .or_else(|| {
            sections
                .iter()
                .position(|s| is_profile(s) && s.get("Default") == Some("1"))
        })
        .or_else(|| sections.iter().position(is_profile))
        .ok_or_else(|| ThunderbirdProfileError::NoProfile { path: ini.clone() })?;
    let mut pointed = false;
    for (i, s) in sections.iter_mut().enumerate() {
        if s.name.starts_with("Profile") {
            pointed |= s.set_default(i == target);
        }
    }
    if pointed {
        std::fs::write(&ini, write_ini(&head, &sections)).map_err(io("write", &ini))?;
    }
    let section = &sections[target];
    let path = section.get("Path").unwrap_or_default().to_owned();
    let folder = if section.get("IsRelative") == Some("0") {
        PathBuf::from(&path)
    } else {
        dir.join(&path)
    };
    std::fs::create_dir_all(&folder).map_err(io("create", &folder))?;
    quiet(&folder)?;
    Ok(Prepared::Quieted {
        profile: path,
        pointed,
    })
}

/// Adds the [`QUIET`] settings that `user.js` in `profile` lacks.
fn quiet(profile: &Path) -> Result<(), ThunderbirdProfileError> {
    let user_js = profile.join("user.js");
    let mut text = match std::fs::read_to_string(&user_js) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io("read", &user_js)(e)),
    };
    let before = text.len();
    for (pref, value) in QUIET {
        if !text.contains(&format!("\"{pref}\"")) {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&format!("user_pref(\"{pref}\", {value});\n"));
        }
    }
    if text.len() != before {
        std::fs::write(&user_js, text).map_err(io("write", &user_js))?;
    }
    Ok(())
}

/// A line for the setup log saying what [`prepare`] did.
pub fn prepare_line(home: &Path) -> String {
    match prepare(home) {
        Ok(Prepared::Made) => format!("thunderbird profile: made {NEW_PROFILE}, quiet"),
        Ok(Prepared::Quieted { profile, pointed }) => format!(
            "thunderbird profile: {profile} quiet{}",
            if pointed { ", made the default" } else { "" }
        ),
        Err(e) => format!("thunderbird profile: {e}; starting as it is"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_that_start_thunderbird() {
        assert!(starts_thunderbird("/usr/bin/thunderbird"));
        assert!(starts_thunderbird("thunderbird -compose"));
        assert!(!starts_thunderbird("tar -xzf thunderbird-profile.tar.gz"));
    }

    #[test]
    fn makes_a_profile_where_there_is_none() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(prepare(home.path()).unwrap(), Prepared::Made);
        let ini = std::fs::read_to_string(home.path().join(".thunderbird/profiles.ini")).unwrap();
        assert!(ini.contains("Path=deskhand.default\nDefault=1"), "{ini}");
        let js = home.path().join(".thunderbird/deskhand.default/user.js");
        let js = std::fs::read_to_string(js).unwrap();
        assert!(js.contains("user_pref(\"mail.shell.checkDefaultClient\", false);"));
    }

    #[test]
    fn the_installs_profile_becomes_the_default() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join(".thunderbird");
        std::fs::create_dir_all(dir.join("t5q2a5hp.default-release")).unwrap();
        std::fs::write(
            dir.join("t5q2a5hp.default-release/user.js"),
            "user_pref(\"mail.rights.version\", 1);",
        )
        .unwrap();
        let ini = "[Profile1]\nName=default\nIsRelative=1\nPath=old.default\nDefault=1\n\n[Profile0]\nName=default-release\nIsRelative=1\nPath=t5q2a5hp.default-release\n\n[General]\nStartWithLastProfile=1\nVersion=2\n\n[Install4F96D1932A9F858E]\nDefault=t5q2a5hp.default-release\nLocked=1\n";
        std::fs::write(dir.join("profiles.ini"), ini).unwrap();
        assert_eq!(
            prepare(home.path()).unwrap(),
            Prepared::Quieted {
                profile: "t5q2a5hp.default-release".into(),
                pointed: true
            }
        );
        let ini = std::fs::read_to_string(dir.join("profiles.ini")).unwrap();
        assert!(ini.contains("Path=old.default\n\n"), "{ini}");
        assert!(
            ini.contains("Path=t5q2a5hp.default-release\nDefault=1\n"),
            "{ini}"
        );
        let js = std::fs::read_to_string(dir.join("t5q2a5hp.default-release/user.js")).unwrap();
        assert_eq!(js.matches("mail.rights.version").count(), 1, "{js}");
        assert!(js.contains("mail.provider.suppress_dialog_on_startup"));
        // A second time changes nothing.
        assert_eq!(
            prepare(home.path()).unwrap(),
            Prepared::Quieted {
                profile: "t5q2a5hp.default-release".into(),
                pointed: false
            }
        );
    }
}
