//! How deskhand reads the text a terminal shows (the `vm_terminal_output` getter).
//!
//! OSWorld reads GNOME Terminal's text over AT-SPI. The terminal on deskhand's displays is
//! xterm, which has no accessibility interface but can print its screen: the Media Copy
//! sequence `CSI ? 11 i` ("print all pages": the saved lines and the screen) makes xterm pipe
//! its text, without attributes, into its `printerCommand`. Every private display's HOME gets
//! an `~/.Xdefaults` (read by xterm because the private X server has no `RESOURCE_MANAGER`
//! property) that sets:
//!
//! ```text
//! *printerCommand: cat > "$HOME/.deskhand-terminal.part" && mv "$HOME/.deskhand-terminal.part" "$HOME/.deskhand-terminal.txt"
//! *printAttributes: 0
//! *printerAutoClose: true
//! ```
//!
//! so that a print lands whole in [`PRINT_FILE`] (the rename happens when xterm closes the
//! pipe, at the end of the print). An `~/.Xdefaults` that already exists is left alone.

use std::path::Path;

/// Where a terminal's print lands, relative to HOME.
pub const PRINT_FILE: &str = ".deskhand-terminal.txt";

/// The Media Copy sequence that makes xterm print its saved lines and screen.
pub const PRINT_ALL: &[u8] = b"\x1b[?11i";

const XDEFAULTS: &str = "! deskhand: xterm prints its text for the vm_terminal_output getter.\n\
*printerCommand: cat > \"$HOME/.deskhand-terminal.part\" && mv \"$HOME/.deskhand-terminal.part\" \"$HOME/.deskhand-terminal.txt\"\n\
*printAttributes: 0\n\
*printerAutoClose: true\n";

/// Writes `~/.Xdefaults` into a fresh private HOME (not over an existing one).
pub fn seed(home: &Path) -> std::io::Result<()> {
    let file = home.join(".Xdefaults");
    if file.exists() {
        return Ok(());
    }
    std::fs::write(file, XDEFAULTS)
}
