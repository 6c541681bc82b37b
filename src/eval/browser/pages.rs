//! Getters that read whole pages: `active_tab_info`, `open_tabs_info`, `page_info`,
//! `pdf_from_url`. Values are shaped as OSWorld's: `{title, url, content}` objects (`content`
//! as Playwright's `page.content()`), `[{title, url}]` lists, JSON null where OSWorld returns
//! `None`. A page a getter loads gets a tab of its own, in the background, closed afterwards
//! (OSWorld leaves Playwright's pages open; deskhand leaves the tabs as the agent left them).

use super::BrowserError;
use super::cdp::Cdp;
use super::tabs::{self, CALL, CONTENT, LOAD, Loaded, Until};
use crate::eval::env::TaskEnv;
use base64::Engine as _;
use deskhand_tasks::metrics::Got;
use serde_json::{Value, json};
use std::time::Duration;

/// How long `open_tabs_info` waits for each tab's load (OSWorld: 30 s).
const TAB_LOAD: Duration = Duration::from_secs(30);

/// Runs `f` on a tab of its own (in the background unless `foreground`), closed afterwards; a
/// foreground tab gives the front back to the tab that had it.
pub(super) fn in_new_tab<T>(
    cdp: &mut Cdp,
    foreground: bool,
    f: impl FnOnce(&mut Cdp, &str, &str) -> Result<T, BrowserError>,
) -> Result<T, BrowserError> {
    let front = if foreground { tabs::active(cdp)? } else { None };
    let id = tabs::new_tab(cdp, !foreground)?;
    let session = tabs::attach(cdp, &id)?;
    let out = f(cdp, &session, &id);
    tabs::detach(cdp, &session);
    let closed = tabs::close_tab(cdp, &id);
    if let Some(front) = front {
        let _ = tabs::activate(cdp, &front.id);
    }
    cdp.clear_events();
    let out = out?;
    closed?;
    Ok(out)
}

/// The page's `{title, url, content}`.
fn page_of(cdp: &mut Cdp, session: &str, title: Option<&str>) -> Result<Value, BrowserError> {
    let v = tabs::eval(
        cdp,
        session,
        &format!("[document.title, location.href, {CONTENT}]"),
        CALL,
    )?;
    Ok(json!({"title": title.map_or(v[0].clone(), |t| json!(t)), "url": v[1], "content": v[2]}))
}

/// `active_tab_info`: the active tab's URL loaded afresh in a tab of its own; null without
/// a browser, on a New Tab page, or when the load fails; `"Load timeout"` as the title when
/// the page never settles.
pub(super) fn active_tab_info(env: &mut TaskEnv<'_>) -> Result<Got, BrowserError> {
    let Some(url) = tabs::active_url(env)? else {
        return Ok(Got::Json(Value::Null));
    };
    let Some(mut cdp) = tabs::connect(env)? else {
        return Ok(Got::Json(Value::Null));
    };
    let v = in_new_tab(&mut cdp, false, |cdp, session, _| {
        match tabs::navigate(cdp, session, &url, Until::NetworkIdle, LOAD)? {
            Loaded::Done => page_of(cdp, session, None),
            Loaded::TimedOut => page_of(cdp, session, Some("Load timeout")),
            Loaded::Failed(_) => Ok(Value::Null),
        }
    })?;
    Ok(Got::Json(v))
}

/// `open_tabs_info`: every tab's `{title, url}`, each once it has loaded (`"Load timeout"`
/// after 30 s, `"Error encountered"` when it cannot be read).
pub(super) fn open_tabs_info(env: &mut TaskEnv<'_>) -> Result<Got, BrowserError> {
    let mut cdp = tabs::ensure(env)?;
    let mut out = Vec::new();
    let wait = format!(
        "new Promise(r => {{ const done = () => r(document.title); if (document.readyState === 'complete') done(); else {{ addEventListener('load', done, {{once: true}}); setTimeout(() => r(null), {}); }} }})",
        TAB_LOAD.as_millis()
    );
    for tab in tabs::tabs(&mut cdp)? {
        let title = match tabs::attach(&mut cdp, &tab.id) {
            Ok(session) => {
                let t = tabs::eval(&mut cdp, &session, &wait, TAB_LOAD + CALL);
                tabs::detach(&mut cdp, &session);
                match t {
                    Ok(Value::String(t)) => t,
                    Ok(_) => "Load timeout".to_owned(),
                    Err(_) => "Error encountered".to_owned(),
                }
            }
            Err(_) => "Error encountered".to_owned(),
        };
        out.push(json!({"title": title, "url": tab.url}));
    }
    Ok(Got::Json(Value::Array(out)))
}

/// `page_info`: `url` loaded in a tab of its own: `{title, url, content}`; a load that fails
/// or never settles is `{"title": "Connection failed", "url": url, "content": ""}`.
pub(super) fn page_info(env: &mut TaskEnv<'_>, url: &str) -> Result<Got, BrowserError> {
    let failed = json!({"title": "Connection failed", "url": url, "content": ""});
    let mut cdp = match tabs::ensure(env) {
        Ok(c) => c,
        Err(e) => {
            env.log(&format!("page_info: {e}"));
            return Ok(Got::Json(failed));
        }
    };
    let v = in_new_tab(&mut cdp, false, |cdp, session, _| {
        match tabs::navigate(cdp, session, url, Until::NetworkIdle, LOAD)? {
            Loaded::Done => page_of(cdp, session, None),
            Loaded::TimedOut | Loaded::Failed(_) => Ok(failed.clone()),
        }
    });
    Ok(Got::Json(match v {
        Ok(v) => v,
        Err(e) => {
            env.log(&format!("page_info: {e}"));
            failed
        }
    }))
}

/// `pdf_from_url`: `url` loaded in a tab of its own and printed as Playwright's `page.pdf()`
/// prints (Letter, no margins, no backgrounds) to `dest` in the cache; when that fails, the
/// file holds an empty PDF (`%PDF-1.4`, `%EOF`), as OSWorld writes.
pub(super) fn pdf_from_url(
    env: &mut TaskEnv<'_>,
    url: &str,
    dest: &str,
) -> Result<Got, BrowserError> {
    let path = env.cache.join(dest);
    let printed = tabs::ensure(env).and_then(|mut cdp| {
        in_new_tab(&mut cdp, false, |cdp, session, _| {
            match tabs::navigate(cdp, session, url, Until::NetworkIdle, LOAD)? {
                Loaded::Done => {}
                other => {
                    return Err(BrowserError::Script {
                        message: format!("{url} did not load: {other:?}"),
                    });
                }
            }
            let got = cdp.call(
                Some(session),
                "Page.printToPDF",
                json!({"paperWidth": 8.5, "paperHeight": 11, "marginTop": 0, "marginBottom": 0,
                       "marginLeft": 0, "marginRight": 0, "printBackground": false,
                       "preferCSSPageSize": false}),
                LOAD,
            )?;
            base64::engine::general_purpose::STANDARD
                .decode(got["data"].as_str().unwrap_or_default())
                .map_err(|e| BrowserError::Script {
                    message: format!("the PDF is not base64: {e}"),
                })
        })
    });
    let bytes = match printed {
        Ok(b) => b,
        Err(e) => {
            env.log(&format!("pdf_from_url {url}: {e}; writing an empty PDF"));
            b"%PDF-1.4\n%EOF\n".to_vec()
        }
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(&path, bytes).map_err(|source| BrowserError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(Got::File(Some(path)))
}
