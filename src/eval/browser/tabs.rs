//! Tabs: connecting to the task's browser, listing, opening, loading, closing and reading
//! pages; the `chrome_open_tabs` and `chrome_close_tabs` steps.

use super::cdp::Cdp;
use super::{BrowserError, launch, url_parts};
use crate::eval::env::TaskEnv;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A short DevTools command.
pub(super) const CALL: Duration = Duration::from_secs(10);
/// How long a page has to load (OSWorld gives Playwright 60 s).
pub(super) const LOAD: Duration = Duration::from_secs(60);

/// A connection to the task's browser if one answers now.
pub(super) fn connect_now(env: &mut TaskEnv<'_>) -> Option<Cdp> {
    if let Some(port) = env.browser.port
        && let Ok(cdp) = Cdp::connect(port, &env.browser.ws_path)
    {
        return Some(cdp);
    }
    launch::connect_named(env)
}

/// A connection to the task's browser: one that answers, or one just started that answers
/// within its deadline; `None` when the task has no browser.
pub(super) fn connect(env: &mut TaskEnv<'_>) -> Result<Option<Cdp>, BrowserError> {
    if let Some(cdp) = connect_now(env) {
        return Ok(Some(cdp));
    }
    if launch::starting(env) {
        return launch::wait_ready(env).map(Some);
    }
    Ok(None)
}

/// A connection to the task's browser, started first if there is none (as OSWorld's steps and
/// getters launch Chrome when they cannot connect).
pub(super) fn ensure(env: &mut TaskEnv<'_>) -> Result<Cdp, BrowserError> {
    match connect(env)? {
        Some(cdp) => Ok(cdp),
        None => launch::start(env),
    }
}

/// A tab.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tab {
    /// Its target id.
    pub id: String,
    /// Its URL.
    pub url: String,
    /// The tab that opened it, if any.
    pub opener: Option<String>,
}

/// The tabs (page targets), in the browser's order (`Target.getTargets`; like Playwright's
/// `context.pages`, not the tab strip's order).
pub(super) fn tabs(cdp: &mut Cdp) -> Result<Vec<Tab>, BrowserError> {
    let got = cdp.call(None, "Target.getTargets", json!({}), CALL)?;
    let tabs: Vec<Tab> = got["targetInfos"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|t| t["type"] == "page")
        .map(|t| Tab {
            id: t["targetId"].as_str().unwrap_or_default().to_owned(),
            url: t["url"].as_str().unwrap_or_default().to_owned(),
            opener: t["openerId"].as_str().map(str::to_owned),
        })
        .collect();
    Ok(tabs)
}

/// A flat session on the tab `id`.
pub(super) fn attach(cdp: &mut Cdp, id: &str) -> Result<String, BrowserError> {
    let got = cdp.call(
        None,
        "Target.attachToTarget",
        json!({"targetId": id, "flatten": true}),
        CALL,
    )?;
    Ok(got["sessionId"].as_str().unwrap_or_default().to_owned())
}

/// Ends a session (quietly: the tab may be gone).
pub(super) fn detach(cdp: &mut Cdp, session: &str) {
    let _ = cdp.call(
        None,
        "Target.detachFromTarget",
        json!({"sessionId": session}),
        CALL,
    );
}

/// The value of the JavaScript `expression` in the session's page (promises awaited), run as
/// if by a user's gesture (so a click may open a popup).
pub(super) fn eval(
    cdp: &mut Cdp,
    session: &str,
    expression: &str,
    deadline: Duration,
) -> Result<Value, BrowserError> {
    let got = cdp.call(
        Some(session),
        "Runtime.evaluate",
        json!({"expression": expression, "returnByValue": true, "awaitPromise": true,
               "userGesture": true}),
        deadline,
    )?;
    if let Some(ex) = got.get("exceptionDetails") {
        let message = ex["exception"]["description"]
            .as_str()
            .or_else(|| ex["text"].as_str())
            .unwrap_or("an exception")
            .to_owned();
        return Err(BrowserError::Script { message });
    }
    Ok(got["result"]["value"].clone())
}

/// How a page load ended.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Loaded {
    /// The lifecycle event waited for came.
    Done,
    /// It did not come in time.
    TimedOut,
    /// The navigation failed (`net::ERR_…`).
    Failed(String),
}

/// The lifecycle event a load waits for.
#[derive(Debug, Clone, Copy)]
pub(super) enum Until {
    /// The `load` event.
    Load,
    /// No network activity for 500 ms after it (Playwright's `networkidle`).
    NetworkIdle,
}

/// Loads `url` in the session's page and waits for `until` (at most `deadline`).
pub(super) fn navigate(
    cdp: &mut Cdp,
    session: &str,
    url: &str,
    until: Until,
    deadline: Duration,
) -> Result<Loaded, BrowserError> {
    cdp.call(Some(session), "Page.enable", json!({}), CALL)?;
    cdp.call(
        Some(session),
        "Page.setLifecycleEventsEnabled",
        json!({"enabled": true}),
        CALL,
    )?;
    let got = cdp.call(
        Some(session),
        "Page.navigate",
        json!({"url": url}),
        deadline,
    )?;
    if let Some(e) = got["errorText"].as_str().filter(|e| !e.is_empty()) {
        return Ok(Loaded::Failed(e.to_owned()));
    }
    let Some(loader) = got["loaderId"].as_str().map(str::to_owned) else {
        return Ok(Loaded::Done);
    };
    let name = match until {
        Until::Load => "load",
        Until::NetworkIdle => "networkIdle",
    };
    let end = Instant::now() + deadline;
    let seen = cdp.wait_event(end, |e| {
        e.session.as_deref() == Some(session)
            && e.method == "Page.lifecycleEvent"
            && e.params["loaderId"] == loader.as_str()
            && e.params["name"] == name
    })?;
    Ok(if seen.is_some() {
        Loaded::Done
    } else {
        Loaded::TimedOut
    })
}

/// Opens a tab on `about:blank` (in the foreground unless `background`); its id.
pub(super) fn new_tab(cdp: &mut Cdp, background: bool) -> Result<String, BrowserError> {
    let got = cdp.call(
        None,
        "Target.createTarget",
        json!({"url": "about:blank", "background": background}),
        CALL,
    )?;
    Ok(got["targetId"].as_str().unwrap_or_default().to_owned())
}

/// Closes the tab `id` and waits until it is gone.
pub(super) fn close_tab(cdp: &mut Cdp, id: &str) -> Result<(), BrowserError> {
    cdp.call(
        None,
        "Target.setDiscoverTargets",
        json!({"discover": true}),
        CALL,
    )?;
    cdp.call(None, "Target.closeTarget", json!({"targetId": id}), CALL)?;
    let end = Instant::now() + CALL;
    let gone = cdp.wait_event(end, |e| {
        e.method == "Target.targetDestroyed" && e.params["targetId"] == id
    })?;
    match gone {
        Some(_) => Ok(()),
        None => Err(BrowserError::Timeout {
            what: format!("tab {id} to close"),
            waited: CALL,
        }),
    }
}

/// Brings the tab `id` to the front.
pub(super) fn activate(cdp: &mut Cdp, id: &str) -> Result<(), BrowserError> {
    cdp.call(None, "Target.activateTarget", json!({"targetId": id}), CALL)
        .map(drop)
}

/// The active tab: the one whose document is visible, the focused window's first.
pub(super) fn active(cdp: &mut Cdp) -> Result<Option<Tab>, BrowserError> {
    let all = tabs(cdp)?;
    let mut visible = Vec::new();
    for tab in &all {
        let Ok(session) = attach(cdp, &tab.id) else {
            continue;
        };
        let state = eval(
            cdp,
            &session,
            "[document.visibilityState, document.hasFocus()]",
            Duration::from_secs(5),
        );
        detach(cdp, &session);
        if let Ok(v) = state
            && v[0] == "visible"
        {
            visible.push((v[1] == true, tab.clone()));
        }
    }
    visible.sort_by_key(|(focused, _)| !focused);
    Ok(visible
        .into_iter()
        .next()
        .map(|(_, t)| t)
        .or_else(|| all.into_iter().next()))
}

/// Whether the address bar shows no URL for `url` (a New Tab page).
pub(super) fn no_address(url: &str) -> bool {
    url.is_empty()
        || url.starts_with("chrome://newtab")
        || url.starts_with("chrome://new-tab-page")
        || url.starts_with("chrome-search://")
}

/// The active tab's URL; `None` without a browser or on a New Tab page.
pub(super) fn active_url(env: &mut TaskEnv<'_>) -> Result<Option<String>, BrowserError> {
    let Some(mut cdp) = connect(env)? else {
        return Ok(None);
    };
    Ok(active(&mut cdp)?.map(|t| t.url).filter(|u| !no_address(u)))
}

/// The page's HTML as Playwright's `page.content()` gives it: the doctype, then the root
/// element's outer HTML.
pub(super) const CONTENT: &str = "(() => { let r = ''; if (document.doctype) r = new XMLSerializer().serializeToString(document.doctype); if (document.documentElement) r += document.documentElement.outerHTML; return r; })()";

/// `chrome_open_tabs`: each URL in a new tab, loaded (a failed or slow load is logged and the
/// next URL goes on, as in OSWorld); after the first, the tab the browser had first is closed.
pub(super) fn open_tabs(env: &mut TaskEnv<'_>, urls: &[String]) -> Result<(), BrowserError> {
    let mut cdp = ensure(env)?;
    let before = tabs(&mut cdp)?;
    for (i, url) in urls.iter().enumerate() {
        let id = new_tab(&mut cdp, false)?;
        let session = attach(&mut cdp, &id)?;
        let loaded = navigate(&mut cdp, &session, url, Until::Load, LOAD)?;
        detach(&mut cdp, &session);
        cdp.clear_events();
        if loaded != Loaded::Done {
            env.log(&format!("chrome_open_tabs: {url}: {loaded:?}"));
        }
        if i == 0
            && let Some(first) = before.first()
        {
            close_tab(&mut cdp, &first.id)?;
        }
    }
    Ok(())
}

/// `chrome_close_tabs`: for each URL, the first tab whose URL is the same (OSWorld's
/// `compare_urls`) is closed.
pub(super) fn close_tabs(env: &mut TaskEnv<'_>, urls: &[String]) -> Result<(), BrowserError> {
    let mut cdp = ensure(env)?;
    for url in urls {
        let open = tabs(&mut cdp)?;
        match open.iter().find(|t| url_parts::same_url(&t.url, url)) {
            Some(t) => close_tab(&mut cdp, &t.id)?,
            None => env.log(&format!("chrome_close_tabs: no tab shows {url}")),
        }
    }
    Ok(())
}
