//! `active_tab_html_parse`: texts of elements of the active tab's page, found by class, XPath,
//! label text or input, run in the live page (`html_parse.js` beside this file holds the
//! queries, one for one with OSWorld's Playwright code). The result is OSWorld's object (keys
//! as the task names them, `""` for what is not found); JSON null without a browser or on a
//! New Tab page.

use super::BrowserError;
use super::tabs::{self, CALL};
use crate::eval::env::TaskEnv;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::browser::HtmlParse;
use serde_json::Value;
use std::time::Duration;

const QUERIES: &str = include_str!("html_parse.js");

/// How long the page has to finish loading first (OSWorld waits up to 60 s).
const SETTLE: Duration = Duration::from_secs(60);

/// Runs the getter on the active tab.
pub(super) fn get(env: &mut TaskEnv<'_>, p: &HtmlParse) -> Result<Got, BrowserError> {
    let Some(mut cdp) = tabs::connect(env)? else {
        return Ok(Got::Json(Value::Null));
    };
    let Some(tab) = tabs::active(&mut cdp)?.filter(|t| !tabs::no_address(&t.url)) else {
        return Ok(Got::Json(Value::Null));
    };
    let session = tabs::attach(&mut cdp, &tab.id)?;
    let loaded = format!(
        "new Promise(r => {{ if (document.readyState === 'complete') r(true); else {{ addEventListener('load', () => r(true), {{once: true}}); setTimeout(() => r(false), {}); }} }})",
        SETTLE.as_millis()
    );
    let got = tabs::eval(&mut cdp, &session, &loaded, SETTLE + CALL).and_then(|_| {
        tabs::eval(
            &mut cdp,
            &session,
            &format!("({QUERIES})({})", p.config),
            CALL,
        )
    });
    tabs::detach(&mut cdp, &session);
    Ok(Got::Json(got?))
}
