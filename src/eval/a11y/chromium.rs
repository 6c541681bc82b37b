//! `active_url_from_accessTree`: the URL in Chromium's address bar, read off the tree as OSWorld
//! reads it (`getters/chrome.py`): the `entry` named "Address and search bar" under the
//! browser's `application`; `None` when there is none or the last one found is empty; else
//! `goto_prefix` followed by the first one's text (Chromium shows the URL without its scheme,
//! and without `www.`).
//!
//! OSWorld's VM runs Google Chrome (application "Google Chrome"); deskhand runs Chromium
//! (application "Chromium", as OSWorld's selector on ARM machines): both are looked for.
//!
//! Chromium exposes its interface over AT-SPI only when an assistive technology is announced
//! in its environment (the displays' `GNOME_ACCESSIBILITY=1`) and builds the tree of its
//! windows only with [`CHROMIUM_FLAG`].

use deskhand_tasks::sources::a11y::query::{QueryError, Tree};

/// The flag Chromium needs to expose its whole interface (address bar included) over AT-SPI.
pub const CHROMIUM_FLAG: &str = "--force-renderer-accessibility";

/// The address bars of Chromium and of Google Chrome.
const ADDRESS_BAR: &str = r"application[name=Chromium] entry[name=Address\ and\ search\ bar], application[name=Google\ Chrome] entry[name=Address\ and\ search\ bar]";

/// The active tab's URL as OSWorld reads it from the tree `xml`.
pub fn active_url(xml: &str, goto_prefix: &str) -> Result<Option<String>, QueryError> {
    let found = Tree::parse(xml)?.select(ADDRESS_BAR)?;
    let (Some(first), Some(last)) = (found.first(), found.last()) else {
        return Ok(None);
    };
    if last.text().is_none() {
        return Ok(None);
    }
    Ok(first.text().map(|text| format!("{goto_prefix}{text}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_bar_gives_the_url() {
        let xml = r#"<desktop-frame><application name="Chromium"><frame name="t"><entry name="Address and search bar">example.com/a?b=1</entry></frame></application></desktop-frame>"#;
        assert_eq!(
            active_url(xml, "https://www.").unwrap().as_deref(),
            Some("https://www.example.com/a?b=1")
        );
        let empty = r#"<desktop-frame><application name="Chromium"><entry name="Address and search bar"/></application></desktop-frame>"#;
        assert_eq!(active_url(empty, "").unwrap(), None);
        let other = r#"<desktop-frame><application name="Mousepad"><entry name="Address and search bar">x</entry></application></desktop-frame>"#;
        assert_eq!(active_url(other, "").unwrap(), None);
    }
}
