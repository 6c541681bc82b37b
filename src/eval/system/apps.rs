//! Getters on other apps' settings and files: `default_video_player`, `content_from_vm_file`,
//! `vscode_config` (see the parent module for what each returns).

use super::{SystemError, TaskEnv, VSCODE_DEADLINE};
use deskhand_actions::{Action, Cancel, EnigoDriver, Hands};
use deskhand_tasks::CommandLine;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::system::{FileContent, xlsx};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

/// OSWorld's list of video types, each written twice but a few (as in its `vlc.py`), so that
/// ties are broken as its `Counter.most_common` breaks them.
const VIDEO_TYPES: &[&str] = &[
    "3gp",
    "3gp",
    "3gpp",
    "3gpp",
    "3gpp2",
    "3gpp2",
    "avi",
    "avi",
    "divx",
    "divx",
    "dv",
    "dv",
    "fli",
    "fli",
    "flv",
    "flv",
    "mp2t",
    "mp2t",
    "mp4",
    "mp4",
    "mp4v-es",
    "mp4v-es",
    "mpeg",
    "mpeg",
    "mpeg-system",
    "mpeg-system",
    "msvideo",
    "msvideo",
    "ogg",
    "ogg",
    "quicktime",
    "quicktime",
    "vnd.divx",
    "vnd.divx",
    "vnd.mpegurl",
    "vnd.mpegurl",
    "vnd.rn-realvideo",
    "vnd.rn-realvideo",
    "webm",
    "webm",
    "x-anim",
    "x-anim",
    "x-avi",
    "x-avi",
    "x-flc",
    "x-flc",
    "x-fli",
    "x-fli",
    "x-flv",
    "x-flv",
    "x-m4v",
    "x-m4v",
    "x-matroska",
    "x-matroska",
    "x-mpeg",
    "x-mpeg",
    "x-mpeg-system",
    "x-mpeg-system",
    "x-mpeg2",
    "x-mpeg2",
    "x-ms-asf",
    "x-ms-asf",
    "x-ms-asf-plugin",
    "x-ms-asf-plugin",
    "x-ms-asx",
    "x-ms-asx",
    "x-ms-wm",
    "x-ms-wm",
    "x-ms-wmv",
    "x-ms-wmv",
    "x-ms-wmx",
    "x-ms-wmx",
    "x-ms-wvx",
    "x-ms-wvx",
    "x-msvideo",
    "x-msvideo",
    "x-nsv",
    "x-nsv",
    "x-ogm",
    "x-ogm",
    "x-ogm+ogg",
    "x-theora",
    "x-theora",
    "x-theora+ogg",
    "x-theora+ogg",
];

const COMMAND_DEADLINE: Duration = Duration::from_secs(20);

/// The desktop file most video types open with (`unknown` when none has one).
pub(super) fn default_video_player(env: &mut TaskEnv<'_>) -> Result<String, SystemError> {
    // Each type is asked once; its answer counts as often as the list names it.
    let mut answers: Vec<(String, usize)> = Vec::new();
    let mut asked: Vec<(&str, String)> = Vec::new();
    for ty in VIDEO_TYPES {
        let app = match asked.iter().find(|(t, _)| t == ty) {
            Some((_, a)) => a.clone(),
            None => {
                let q = CommandLine::Args(
                    ["xdg-mime", "query", "default", &format!("video/{ty}")]
                        .map(String::from)
                        .to_vec(),
                );
                let a = env.run_command(&q, false, COMMAND_DEADLINE)?.stdout;
                asked.push((ty, a.clone()));
                a
            }
        };
        if app.is_empty() {
            continue;
        }
        match answers.iter_mut().find(|(a, _)| *a == app) {
            Some((_, n)) => *n += 1,
            None => answers.push((app, 1)),
        }
    }
    // `most_common(1)`: the highest count, the first seen among equals.
    let mut best: Option<(String, usize)> = None;
    for (app, n) in answers {
        if best.as_ref().is_none_or(|(_, m)| n > *m) {
            best = Some((app, n));
        }
    }
    Ok(best.map_or_else(|| "unknown".to_owned(), |(a, _)| a))
}

/// `content_from_vm_file`.
pub(super) fn content(
    env: &mut TaskEnv<'_>,
    path: &str,
    content: &FileContent,
) -> Result<Got, SystemError> {
    let from = env.desktop_path(path);
    if !from.is_file() {
        return Err(SystemError::NoFile { path: from });
    }
    let name = Path::new(path).file_name().unwrap_or(from.as_os_str());
    let to = env.cache.join(name);
    copy(&from, &to)?;
    match content {
        FileContent::XlsxLastRow => Ok(Got::Json(Value::from(xlsx::last_row(&to)?))),
        FileContent::XlsxOther => Ok(Got::Json(Value::Null)),
    }
}

fn copy(from: &Path, to: &Path) -> Result<(), SystemError> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|source| SystemError::Io {
            path: dir.to_owned(),
            source,
        })?;
    }
    std::fs::copy(from, to).map_err(|source| SystemError::Io {
        path: to.to_owned(),
        source,
    })?;
    Ok(())
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// `vscode_config`.
pub(super) fn vscode_config(
    env: &mut TaskEnv<'_>,
    command: &str,
    path: &str,
    dest: &str,
) -> Result<Got, SystemError> {
    let file = env.desktop_path(path);
    let before = modified(&file);
    let mut hands = Hands::new(EnigoDriver::connect(Some(env.display.name()))?);
    let cancel = Cancel::new();
    for action in [
        Action::Key {
            keys: "ctrl+shift+p".into(),
        },
        Action::TypeText {
            text: command.to_owned(),
        },
        Action::Key {
            keys: "enter".into(),
        },
    ] {
        hands.perform(&action, &cancel)?;
    }
    drop(hands);
    // OSWorld sleeps 1 s and takes the file as it is then; here: until the command has
    // (re)written it, or the deadline.
    let until = Instant::now() + VSCODE_DEADLINE;
    while modified(&file) == before && Instant::now() < until {
        std::thread::park_timeout(Duration::from_millis(20));
    }
    if !file.is_file() {
        return Ok(Got::File(None));
    }
    let to = env.cache.join(dest);
    copy(&file, &to)?;
    Ok(Got::File(Some(to)))
}
