//! A complete LibreOffice user profile for each private HOME, copied from a template made once
//! per machine, so that no task's LibreOffice ever goes through its first start.
//!
//! A LibreOffice started on an empty profile (or on only the settings [`super::profiles`]
//! writes) does its first start: it copies its presets into the profile, cleans and
//! synchronises its extension caches, and then ends itself with status 81 so that its launcher
//! starts it once more, with the document, on the finished profile. Every task used to pay for
//! that restart, two tasks at once did it side by side, and it is the one path on which
//! LibreOffice was seen to abort while opening a document on a fresh machine (status 134).
//! With a complete profile LibreOffice starts once, directly on the document.
//!
//! The template is made by `libreoffice --headless --terminate_after_init` on an empty profile
//! of its own (no display, a HOME of its own), under a lock, so that two deskhand processes never
//! make it at the same time, in `CACHE/libreoffice-profile/KEY/user`: CACHE is
//! `$DESKHAND_CACHE`, else `~/.cache/deskhand`; KEY names the installed LibreOffice (a hash of
//! its version file and of its program's size and time), so an upgrade makes a new template.
//! A HOME gets a copy of it, with the settings of [`super::profiles`] added at the end of its
//! `registrymodifications.xcu` (later items win), only while its profile is still exactly what
//! [`super::profiles::seed`] wrote: a profile someone has used is never replaced.

use super::process;
use super::profiles::{self, LIBREOFFICE_USER};
use std::ffi::OsString;
use std::fs::File;
use std::io::Write as _;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// How long making the template may take (it takes about a second).
const MAKE_DEADLINE: Duration = Duration::from_secs(90);
/// How long to wait for another process that is making the template.
const LOCK_DEADLINE: Duration = Duration::from_secs(120);

/// Why the template could not be made or copied. One sentence each.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// A file operation failed.
    #[error("cannot {what} {}", path.display())]
    Io {
        /// What was being done (`create`, `copy`, …).
        what: &'static str,
        /// On what.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Another process held the lock too long.
    #[error(
        "another deskhand has been making LibreOffice's profile template for over {waited:?} (lock {})",
        lock.display()
    )]
    Locked {
        /// The lock file.
        lock: PathBuf,
        /// How long this one waited.
        waited: Duration,
    },
    /// LibreOffice ended with a failure, or ran too long, while making the template.
    #[error("LibreOffice could not make a profile ({how}); its output is in {}", log.display())]
    Make {
        /// How it ended.
        how: String,
        /// Its output.
        log: PathBuf,
    },
    /// LibreOffice ended well but left no complete profile.
    #[error("LibreOffice made no complete profile in {}; its output is in {}", dir.display(), log.display())]
    Incomplete {
        /// Where it should be.
        dir: PathBuf,
        /// LibreOffice's output.
        log: PathBuf,
    },
}

/// What [`complete`] did to a HOME's LibreOffice profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completed {
    /// The template was copied in; `made` is how long making the template took, if it was made
    /// now.
    Copied {
        /// Time spent making the template (`None`: it was already there).
        made: Option<Duration>,
    },
    /// The profile is not the bare seed (someone used it): left as it is.
    Kept,
    /// LibreOffice is not installed: nothing to do.
    NoLibreOffice,
}

/// Whether a command line starts LibreOffice: one of its words is a program named
/// `libreoffice…` or `soffice…` (a path or a bare name).
pub fn starts_libreoffice(command_line: &str) -> bool {
    command_line.split_whitespace().any(|word| {
        let name = word.rsplit('/').next().unwrap_or(word);
        name.starts_with("libreoffice") || name.starts_with("soffice")
    })
}

/// The cache folder for the template: `$DESKHAND_CACHE`, else `~/.cache/deskhand`.
pub fn cache_dir() -> PathBuf {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    match (non_empty("DESKHAND_CACHE"), non_empty("HOME")) {
        (Some(c), _) => PathBuf::from(c),
        (None, Some(h)) => PathBuf::from(h).join(".cache/deskhand"),
        (None, None) => std::env::temp_dir().join("deskhand-cache"),
    }
}

/// Gives `home` a complete LibreOffice profile (see the module doc), making the template in
/// `cache` first if there is none for the installed LibreOffice.
pub fn complete(home: &Path, cache: &Path) -> Result<Completed, ProfileError> {
    let user = home.join(LIBREOFFICE_USER);
    if !profiles::is_bare_seed(&user) {
        return Ok(Completed::Kept);
    }
    let Some(launcher) = find_launcher() else {
        return Ok(Completed::NoLibreOffice);
    };
    let (template, made) = template(&launcher, cache)?;
    let io = |what, path: &Path| {
        let path = path.to_owned();
        move |source| ProfileError::Io { what, path, source }
    };
    std::fs::remove_dir_all(&user).map_err(io("replace", &user))?;
    copy_dir(&template, &user)?;
    let xcu = user.join(profiles::REGISTRY_FILE);
    let theirs = std::fs::read_to_string(&xcu).map_err(io("read", &xcu))?;
    std::fs::write(&xcu, profiles::with_settings(&theirs)).map_err(io("write", &xcu))?;
    Ok(Completed::Copied { made })
}

/// The template's `user` folder for `launcher`'s LibreOffice, made now if needed (with how long
/// that took).
fn template(launcher: &Path, cache: &Path) -> Result<(PathBuf, Option<Duration>), ProfileError> {
    let root = cache.join("libreoffice-profile");
    let dir = root.join(install_key(launcher));
    let user = dir.join("user");
    if is_complete(&user) {
        return Ok((user, None));
    }
    std::fs::create_dir_all(&root).map_err(|source| ProfileError::Io {
        what: "create",
        path: root.clone(),
        source,
    })?;
    let _lock = lock(&root.join("lock"))?;
    if is_complete(&user) {
        // Made by another process while this one waited.
        return Ok((user, None));
    }
    let started = Instant::now();
    make(launcher, &dir)?;
    Ok((user, Some(started.elapsed())))
}

fn is_complete(user: &Path) -> bool {
    user.join("extensions/buildid").is_file() && user.join(profiles::REGISTRY_FILE).is_file()
}

/// Makes the template in `dir` (through a folder of its own, renamed into place at the end).
fn make(launcher: &Path, dir: &Path) -> Result<(), ProfileError> {
    let part = dir.with_extension(format!("part-{}", std::process::id()));
    let io = |what, path: &Path| {
        let path = path.to_owned();
        move |source| ProfileError::Io { what, path, source }
    };
    if part.exists() {
        std::fs::remove_dir_all(&part).map_err(io("clear", &part))?;
    }
    let home = part.join("home");
    std::fs::create_dir_all(&home).map_err(io("create", &home))?;
    let log = part.join("make.log");
    let out = File::create(&log).map_err(io("create", &log))?;
    let err = out.try_clone().map_err(io("open", &log))?;
    let mut cmd = Command::new(launcher);
    cmd.args([
        "--headless",
        "--terminate_after_init",
        "--norestore",
        "--nologo",
    ])
    .arg(format!("-env:UserInstallation={}", file_url(&part)))
    .env("HOME", &home)
    .env("XDG_CONFIG_HOME", home.join(".config"))
    .env("XDG_CACHE_HOME", home.join(".cache"))
    .env("XDG_DATA_HOME", home.join(".local/share"))
    .env_remove("DISPLAY")
    .env_remove("WAYLAND_DISPLAY")
    .env_remove("DBUS_SESSION_BUS_ADDRESS")
    .current_dir(&home)
    .stdin(Stdio::null())
    .stdout(out)
    .stderr(err);
    process::own_group(&mut cmd);
    let mut child = cmd.spawn().map_err(io("start", launcher))?;
    let until = Instant::now() + MAKE_DEADLINE;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < until => {
                std::thread::park_timeout(Duration::from_millis(20));
            }
            Ok(None) | Err(_) => {
                process::terminate(&mut child, Duration::from_secs(2));
                return Err(ProfileError::Make {
                    how: format!("still running after {MAKE_DEADLINE:?}"),
                    log,
                });
            }
        }
    };
    // The launcher may end before the office itself: wait for the whole group.
    process::terminate(&mut child, Duration::from_secs(5));
    if !status.success() {
        return Err(ProfileError::Make {
            how: super::how_it_ended(status),
            log,
        });
    }
    let user = part.join("user");
    if !is_complete(&user) {
        return Err(ProfileError::Incomplete { dir: user, log });
    }
    // Nothing of the maker's own HOME belongs in the template.
    let _ = std::fs::remove_dir_all(&home);
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io("replace", dir))?;
    }
    std::fs::rename(&part, dir).map_err(io("move into place", dir))?;
    Ok(())
}

/// Holds an exclusive lock on `path` until dropped, waiting for it at most [`LOCK_DEADLINE`].
fn lock(path: &Path) -> Result<File, ProfileError> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|source| ProfileError::Io {
            what: "open",
            path: path.to_owned(),
            source,
        })?;
    let until = Instant::now() + LOCK_DEADLINE;
    loop {
        // SAFETY: flock on an fd this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            let mut f = &file;
            let _ = writeln!(f, "{}", std::process::id());
            return Ok(file);
        }
        if Instant::now() >= until {
            return Err(ProfileError::Locked {
                lock: path.to_owned(),
                waited: LOCK_DEADLINE,
            });
        }
        // The holder is making the template, which takes about a second: look again soon.
        std::thread::park_timeout(Duration::from_millis(50));
    }
}

/// `libreoffice` (else `soffice`) on PATH, with its links followed.
fn find_launcher() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/usr/bin:/bin"));
    ["libreoffice", "soffice"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
            .and_then(|p| std::fs::canonicalize(p).ok())
    })
}

/// Names the installed LibreOffice: a hash of its `versionrc` and of its program's size and
/// modification time (FNV-1a, so the name is the same from one deskhand build to the next).
fn install_key(launcher: &Path) -> String {
    let program = launcher.parent().unwrap_or(launcher);
    let mut bytes = program.as_os_str().as_encoded_bytes().to_vec();
    bytes.extend(std::fs::read(program.join("versionrc")).unwrap_or_default());
    for file in [program.join("soffice.bin"), launcher.to_owned()] {
        if let Ok(meta) = std::fs::metadata(&file) {
            bytes.extend(meta.len().to_le_bytes());
            let time = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .unwrap_or_default();
            bytes.extend(time.as_nanos().to_le_bytes());
        }
    }
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// A `file://` URL for `path`, with the bytes a URL cannot hold escaped.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Copies the folder `from` to `to` (which must not exist), links as links.
fn copy_dir(from: &Path, to: &Path) -> Result<(), ProfileError> {
    let io = |what, path: &Path| {
        let path = path.to_owned();
        move |source| ProfileError::Io { what, path, source }
    };
    std::fs::create_dir_all(to).map_err(io("create", to))?;
    for entry in std::fs::read_dir(from).map_err(io("read", from))? {
        let entry = entry.map_err(io("read", from))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(io("read", &src))?;
        if kind.is_dir() {
            copy_dir(&src, &dst)?;
        } else if kind.is_symlink() {
            let target = std::fs::read_link(&src).map_err(io("read", &src))?;
            std::os::unix::fs::symlink(target, &dst).map_err(io("create", &dst))?;
        } else {
            std::fs::copy(&src, &dst).map_err(io("copy", &src))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libreoffice_commands_are_recognised() {
        assert!(starts_libreoffice("libreoffice --calc a.xlsx"));
        assert!(starts_libreoffice("/usr/bin/soffice --writer"));
        assert!(starts_libreoffice(
            "sh -c 'cd ~ && libreoffice7.4 --impress'"
        ));
        assert!(!starts_libreoffice("xterm -e cat libre.txt"));
    }

    #[test]
    fn file_urls_escape_what_a_url_cannot_hold() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/ü%.x")),
            "file:///tmp/a%20b/%C3%BC%25.x"
        );
    }

    #[test]
    fn copy_dir_copies_files_folders_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from");
        std::fs::create_dir_all(from.join("a/b")).unwrap();
        std::fs::write(from.join("a/b/f"), "x").unwrap();
        std::os::unix::fs::symlink("a/b/f", from.join("l")).unwrap();
        let to = dir.path().join("to");
        copy_dir(&from, &to).unwrap();
        assert_eq!(std::fs::read_to_string(to.join("a/b/f")).unwrap(), "x");
        assert_eq!(
            std::fs::read_link(to.join("l")).unwrap(),
            Path::new("a/b/f")
        );
    }

    #[test]
    fn a_used_profile_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        profiles::seed(dir.path()).unwrap();
        let user = dir.path().join(LIBREOFFICE_USER);
        assert!(profiles::is_bare_seed(&user));
        std::fs::create_dir_all(user.join("extensions")).unwrap();
        let cache = dir.path().join("cache");
        assert_eq!(complete(dir.path(), &cache).unwrap(), Completed::Kept);
        assert!(!cache.exists());
    }
}
