//! First-run settings for the apps on a private display, written into its fresh HOME so that
//! no "tip of the day", welcome bar or format question stands between an agent and its task.
//!
//! LibreOffice: `~/.config/libreoffice/4/user/registrymodifications.xcu` (its own registry
//! format: one `<item>` per setting) with the tip of the day off, the "what's new" bar off (the
//! last-seen version set to the installed one), the "keep current format" question off, and
//! the crash-recovery dialog off. Nothing is written over a file that already exists.
//!
//! This alone is a bare profile, on which LibreOffice still does its first start (and restarts
//! itself once): [`super::libreoffice_profile::complete`] replaces it with a complete one, with
//! these settings added, before LibreOffice is started.

use std::path::Path;

/// LibreOffice's profile folder, relative to HOME.
pub const LIBREOFFICE_USER: &str = ".config/libreoffice/4/user";

/// The settings file in that folder.
pub const REGISTRY_FILE: &str = "registrymodifications.xcu";

const XCU_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
"#;

/// `(path, property, type, value)` of each LibreOffice setting.
const LIBREOFFICE: &[(&str, &str, &str, &str)] = &[
    (
        "/org.openoffice.Office.Common/Misc",
        "ShowTipOfTheDay",
        "xs:boolean",
        "false",
    ),
    (
        "/org.openoffice.Office.Common/Misc",
        "FirstRun",
        "xs:boolean",
        "false",
    ),
    (
        "/org.openoffice.Office.Common/Save/Document",
        "WarnAlienFormat",
        "xs:boolean",
        "false",
    ),
    (
        "/org.openoffice.Office.Recovery/AutoSave",
        "Enabled",
        "xs:boolean",
        "false",
    ),
    (
        "/org.openoffice.Office.Recovery/RecoveryInfo",
        "Enabled",
        "xs:boolean",
        "false",
    ),
    (
        "/org.openoffice.Setup/Product",
        "ooSetupLastVersion",
        "xs:string",
        "99.0",
    ),
    (
        "/org.openoffice.Setup/Office",
        "ooSetupInstCompleted",
        "xs:boolean",
        "true",
    ),
];

/// One `<item>` line per setting.
fn items() -> String {
    LIBREOFFICE
        .iter()
        .map(|(path, prop, ty, value)| {
            format!(
                "<item oor:path=\"{path}\"><prop oor:name=\"{prop}\" oor:op=\"fuse\"><value xsi:type=\"{ty}\">{value}</value></prop></item>\n"
            )
        })
        .collect()
}

/// The settings file [`seed`] writes.
fn seed_xcu() -> String {
    format!("{XCU_HEAD}{}</oor:items>\n", items())
}

/// Writes the first-run settings into `home`.
pub fn seed(home: &Path) -> std::io::Result<()> {
    let dir = home.join(LIBREOFFICE_USER);
    let file = dir.join(REGISTRY_FILE);
    if file.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(&dir)?;
    std::fs::write(file, seed_xcu())
}

/// Whether the profile folder `user` holds exactly what [`seed`] wrote, and nothing else.
pub fn is_bare_seed(user: &Path) -> bool {
    let only_the_file = std::fs::read_dir(user).is_ok_and(|entries| entries.count() == 1);
    only_the_file
        && std::fs::read_to_string(user.join(REGISTRY_FILE)).is_ok_and(|s| s == seed_xcu())
}

/// LibreOffice's own settings file `xcu` with the first-run settings added at its end (the last
/// item for a setting wins).
pub fn with_settings(xcu: &str) -> String {
    match xcu.rfind("</oor:items>") {
        Some(end) => format!("{}{}{}", &xcu[..end], items(), &xcu[end..]),
        None => seed_xcu(),
    }
}
