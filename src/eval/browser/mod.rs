//! The live browser a task drives: Chromium started for OSWorld's `google-chrome` launch
//! commands, with a DevTools port deskhand owns; the browser setup steps and getters.
//!
//! **Launches.** A `launch` of `google-chrome`, `chrome`, `chromium` or `chromium-browser` (as an
//! argument list or a shell string) runs Chromium with quiet flags, the profile
//! `$HOME/.config/google-chrome` (profile `Default`, where OSWorld's Chrome keeps it), every
//! `[chrome] args`, and the command's own other arguments (URLs, …). OSWorld's fixed debugging
//! port (`--remote-debugging-port=1337`, forwarded to 9222 by `socat`) becomes
//! `--remote-debugging-port=0`: Chromium binds a free port itself and writes it to the profile's
//! `DevToolsActivePort`, so tasks running side by side never race for a port; `socat` launches
//! are skipped, and `pkill chrome` stops this task's browser only. The port is kept in [`State`]
//! once the DevTools endpoint answers; every step and getter waits for that (30 s at most).
//!
//! **Why a thin client.** The protocol is JSON over one WebSocket, and the eval code is
//! synchronous; the handful of commands deskhand needs (`Target.*`, `Page.navigate` with
//! lifecycle events, `Runtime.evaluate`, `Page.printToPDF`) fit in a small client ([`cdp`]) on
//! `tungstenite`'s blocking WebSocket (maintained, small, no TLS or async runtime needed for a
//! loopback socket). The full-protocol crates are async (chromiumoxide, on its own runtime, with
//! a generated protocol that takes minutes to compile here) or launch and own the browser
//! themselves (headless_chrome), where deskhand must drive the browser the task's own launch
//! started.
//!
//! **Why no HTML parser.** OSWorld's `active_tab_html_parse` and `info_from_website` query the
//! live page through Playwright (`query_selector_all`, XPath locators, `text_content`,
//! `inner_text`, `input_value`, `text=` locators); the values depend on the live DOM (what the
//! user typed into an input is in no HTML source). So deskhand runs the same queries in the page
//! itself with `Runtime.evaluate` (`document.querySelectorAll`, `document.evaluate`), which is
//! exactly what Playwright does, instead of re-parsing serialized HTML with a crate such as
//! scraper (which has no XPath and no live input values).
//!
//! **The active tab.** OSWorld reads the active tab's URL off the address bar in the
//! accessibility tree and puts `goto_prefix` in front; deskhand asks the browser: the page whose
//! document is visible (the focused window's first, when several windows show one), with its
//! full URL. A New Tab page (an empty address bar) is no URL, as in OSWorld (the getters give
//! JSON null).

mod cdp;
mod html_parse;
mod launch;
mod pages;
mod tabs;
pub mod url_parts;
mod website;

use super::env::{EnvError, TaskEnv};
use deskhand_tasks::CommandLine;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::browser::{BrowserGetter, BrowserStep};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use launch::{open_html_command, rewrite_launch};

/// The browser of one task, once a setup step started it.
#[derive(Debug, Default)]
pub struct State {
    /// Its DevTools port, once it answered.
    pub port: Option<u16>,
    /// Its browser target's WebSocket path (from `DevToolsActivePort`).
    ws_path: String,
    /// Its profile folder (`--user-data-dir`), when a launch named one of its own.
    profile: Option<PathBuf>,
    /// When deskhand last started it and has not seen it answer yet.
    started: Option<Instant>,
}

/// Why a browser step or getter failed. One sentence each; the cause, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrowserError {
    /// Chromium could not be started.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// Chromium never wrote its DevTools port, or it never answered.
    #[error("Chromium's DevTools did not answer within {waited:?} ({} never named a live port)", file.display())]
    NotReady {
        /// The `DevToolsActivePort` file.
        file: PathBuf,
        /// How long it was waited for.
        waited: Duration,
    },
    /// The DevTools port refused the connection.
    #[error("cannot connect to Chromium's DevTools on port {port}")]
    Connect {
        /// The port.
        port: u16,
        #[source]
        source: std::io::Error,
    },
    /// The WebSocket handshake failed.
    #[error("the DevTools WebSocket handshake on port {port} failed")]
    Handshake {
        /// The port.
        port: u16,
        #[source]
        source: tungstenite::Error,
    },
    /// The WebSocket failed.
    #[error("the DevTools connection failed")]
    Socket(#[source] tungstenite::Error),
    /// The browser closed the connection.
    #[error("the browser closed the DevTools connection")]
    Closed,
    /// A message that is not JSON.
    #[error("a DevTools message is not JSON")]
    Reply(#[source] serde_json::Error),
    /// A command got an error reply.
    #[error("DevTools {method} failed: {message}")]
    Protocol {
        /// The command.
        method: String,
        /// The browser's message.
        message: String,
    },
    /// No reply in time.
    #[error("no answer to {what} within {waited:?}")]
    Timeout {
        /// What was waited for.
        what: String,
        /// How long.
        waited: Duration,
    },
    /// A script in the page threw.
    #[error("a script in the page failed: {message}")]
    Script {
        /// The exception's description.
        message: String,
    },
    /// A file could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What a `launch` step runs instead of its command as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Launch {
    /// The command as written.
    Keep,
    /// This command instead.
    Replace {
        /// The command.
        command: CommandLine,
        /// Run through `sh -c`.
        shell: bool,
    },
    /// Nothing: the step's purpose is served by deskhand itself.
    Skip,
}

/// Runs a browser setup step.
pub fn run_step(env: &mut TaskEnv<'_>, step: &BrowserStep) -> Result<(), BrowserError> {
    match step {
        BrowserStep::OpenTabs { urls } => tabs::open_tabs(env, urls),
        BrowserStep::CloseTabs { urls } => tabs::close_tabs(env, urls),
    }
}

/// Runs a browser getter; setup.log shows the value (its first 400 characters).
pub fn get(env: &mut TaskEnv<'_>, getter: &BrowserGetter) -> Result<Got, BrowserError> {
    let got = value(env, getter)?;
    let shown = match &got {
        Got::Json(v) => v.to_string(),
        Got::Text(t) => serde_json::Value::from(t.as_str()).to_string(),
        Got::File(f) => format!("{f:?}"),
        Got::Files(f) => format!("{f:?}"),
    };
    let cut: String = shown.chars().take(400).collect();
    env.log(&format!("browser getter: {cut}"));
    Ok(got)
}

fn value(env: &mut TaskEnv<'_>, getter: &BrowserGetter) -> Result<Got, BrowserError> {
    match getter {
        BrowserGetter::ActiveTabInfo => pages::active_tab_info(env),
        BrowserGetter::ActiveTabUrlParse(p) => {
            let url = tabs::active_url(env)?;
            Ok(Got::Json(url.map_or(serde_json::Value::Null, |u| {
                url_parts::query_params(&u, p)
            })))
        }
        BrowserGetter::UrlDashPart(d) => {
            let url = tabs::active_url(env)?;
            Ok(match url.and_then(|u| url_parts::dash_part(&u, d)) {
                Some(v) => v,
                None => Got::Json(serde_json::Value::Null),
            })
        }
        BrowserGetter::UrlPathParse { parse_keys } => {
            let url = tabs::active_url(env)?;
            Ok(Got::Json(url.map_or(serde_json::Value::Null, |u| {
                url_parts::product_path(&u, parse_keys)
            })))
        }
        BrowserGetter::ActiveTabHtmlParse(p) => html_parse::get(env, p),
        BrowserGetter::OpenTabsInfo => pages::open_tabs_info(env),
        BrowserGetter::PageInfo { url } => pages::page_info(env, url),
        BrowserGetter::PdfFromUrl { url, dest } => pages::pdf_from_url(env, url, dest),
        BrowserGetter::InfoFromWebsite(w) => website::info_from_website(env, w),
        BrowserGetter::RecreationPage(r) => website::recreation_page(env, r),
    }
}
