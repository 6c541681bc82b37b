//! First-run settings for the apps on a private display, written into its fresh HOME so that
//! no "tip of the day", welcome bar or format question stands between an agent and its task.
//!
//! LibreOffice: `~/.config/libreoffice/4/user/registrymodifications.xcu` (its own registry
//! format: one `<item>` per setting) with the tip of the day off, the "what's new" bar off (the
//! last-seen version set to the installed one), the "keep current format" question off, and
//! the crash-recovery dialog off. Nothing is written over a file that already exists.

use std::path::Path;

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

/// Writes the first-run settings into `home`.
pub fn seed(home: &Path) -> std::io::Result<()> {
    let dir = home.join(".config/libreoffice/4/user");
    let file = dir.join("registrymodifications.xcu");
    if file.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(&dir)?;
    let mut xcu = String::from(XCU_HEAD);
    for (path, prop, ty, value) in LIBREOFFICE {
        xcu.push_str(&format!(
            "<item oor:path=\"{path}\"><prop oor:name=\"{prop}\" oor:op=\"fuse\"><value xsi:type=\"{ty}\">{value}</value></prop></item>\n"
        ));
    }
    xcu.push_str("</oor:items>\n");
    std::fs::write(file, xcu)
}
