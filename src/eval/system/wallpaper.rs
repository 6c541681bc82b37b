//! `vm_wallpaper`: the image file the desktop's background setting names.
//!
//! OSWorld's server runs `gsettings get org.gnome.desktop.background picture-uri`, strips the
//! answer, removes `file://` and the quotes (no URL decoding: a `%20` stays), and sends the
//! file's bytes; without them the getter writes an empty file. deskhand asks the same setting
//! in the task's own session (its D-Bus and HOME, where dconf keeps it), so a task sets the
//! wallpaper as on OSWorld's VM: `gsettings set org.gnome.desktop.background picture-uri
//! file:///path/to/image.png`. openbox draws no wallpaper: the setting is what is read, not
//! the pixels behind the windows. The file is copied to the cache as `dest`; a setting that
//! cannot be read or names no readable file gives an empty file, as in OSWorld.

use super::{SystemError, TaskEnv};
use deskhand_tasks::CommandLine;
use deskhand_tasks::metrics::Got;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(20);

pub(super) fn get(env: &mut TaskEnv<'_>, dest: &str) -> Result<Got, SystemError> {
    let ask = CommandLine::Args(
        [
            "gsettings",
            "get",
            "org.gnome.desktop.background",
            "picture-uri",
        ]
        .map(String::from)
        .to_vec(),
    );
    let content = match env.run_command(&ask, false, DEADLINE) {
        Ok(out) if out.code == Some(0) => {
            let path = out.stdout.trim().replace("file://", "").replace('\'', "");
            std::fs::read(env.map_home(&path)).unwrap_or_default()
        }
        Ok(_) | Err(_) => Vec::new(),
    };
    let to = env.cache.join(dest);
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|source| SystemError::Io {
            path: dir.to_owned(),
            source,
        })?;
    }
    std::fs::write(&to, content).map_err(|source| SystemError::Io {
        path: to.clone(),
        source,
    })?;
    Ok(Got::File(Some(to)))
}
