//! Getters that work a website as a user would: `info_from_website` (read texts and
//! attributes, clicking through links first) and `gotoRecreationPage_and_get_html_content`
//! (recreation.gov's campsite search, as OSWorld scripts it). Each runs in a tab of its own, in
//! the foreground as OSWorld's Playwright page is, closed afterwards. Selectors are CSS, or
//! XPath when they start with `//` (as Playwright guesses). Waiting for an element is done in
//! the page with a `MutationObserver` and a deadline (OSWorld: 10 s for `info_from_website`).

use super::BrowserError;
use super::cdp::Cdp;
use super::pages::in_new_tab;
use super::tabs::{self, CALL, LOAD, Loaded, Until};
use crate::eval::env::TaskEnv;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::browser::{RecreationPage, WebsiteInfo, WebsiteRead};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// How long `info_from_website` waits for an element (Playwright's `timeout=10000`).
const ELEMENT: Duration = Duration::from_secs(10);
/// How long the recreation.gov flow waits for an element (OSWorld: 60 s).
const RECREATION_ELEMENT: Duration = Duration::from_secs(60);
/// How long it tries each selector of the "next available" button.
const NEXT_BUTTON: Duration = Duration::from_secs(10);

/// JavaScript that finds the first element for `sel` (a JSON string), or null.
fn find(sel: &str) -> String {
    let s = json!(sel);
    format!(
        "(() => {{ const s = {s}; try {{ return s.startsWith('//') ? document.evaluate(s, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue : document.querySelector(s); }} catch (e) {{ return null; }} }})()"
    )
}

/// Runs `expression` in the page, again while a navigation replaces the document under it,
/// until `until`.
fn eval_through_navigation(
    cdp: &mut Cdp,
    session: &str,
    expression: &str,
    until: Instant,
) -> Result<Value, BrowserError> {
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match tabs::eval(cdp, session, expression, left + CALL) {
            Ok(v) => return Ok(v),
            Err(BrowserError::Script { .. } | BrowserError::Protocol { .. })
                if Instant::now() < until =>
            {
                // The document went away mid-script; the next one is on its way.
                std::thread::park_timeout(Duration::from_millis(10));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Waits (at most `deadline`) until `sel` is in the page (and shown, with `visible`).
fn wait_for(
    cdp: &mut Cdp,
    session: &str,
    sel: &str,
    visible: bool,
    deadline: Duration,
) -> Result<bool, BrowserError> {
    let until = Instant::now() + deadline;
    let ms = deadline.as_millis();
    let found = find(sel);
    let js = format!(
        "new Promise((resolve) => {{
            const ok = () => {{ const el = {found}; if (!el) return false; if (!{visible}) return true;
                const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; }};
            if (ok()) return resolve(true);
            const o = new MutationObserver(() => {{ if (ok()) {{ o.disconnect(); resolve(true); }} }});
            o.observe(document, {{subtree: true, childList: true, attributes: true, characterData: true}});
            setTimeout(() => {{ o.disconnect(); resolve(ok()); }}, {ms});
        }})"
    );
    Ok(eval_through_navigation(cdp, session, &js, until)? == true)
}

/// Waits (at most `deadline`) until the page's document has loaded.
fn wait_loaded(cdp: &mut Cdp, session: &str, deadline: Duration) -> Result<(), BrowserError> {
    let js = format!(
        "new Promise(r => {{ if (document.readyState === 'complete') r(true); else {{ addEventListener('load', () => r(true), {{once: true}}); setTimeout(() => r(false), {}); }} }})",
        deadline.as_millis()
    );
    eval_through_navigation(cdp, session, &js, Instant::now() + deadline).map(drop)
}

fn missing(sel: &str) -> BrowserError {
    BrowserError::Script {
        message: format!("no element for {sel:?} in time"),
    }
}

/// Clicks `sel` (waiting for it first, at most `deadline`).
fn click(
    cdp: &mut Cdp,
    session: &str,
    sel: &str,
    visible: bool,
    deadline: Duration,
) -> Result<(), BrowserError> {
    if !wait_for(cdp, session, sel, visible, deadline)? {
        return Err(missing(sel));
    }
    let js = format!(
        "(() => {{ const el = {}; el.scrollIntoView({{block: 'center'}}); el.click(); return true; }})()",
        find(sel)
    );
    tabs::eval(cdp, session, &js, CALL).map(drop)
}

/// The element's rendered text (`innerText`) or one attribute (null when it has none).
fn read(
    cdp: &mut Cdp,
    session: &str,
    sel: &str,
    attribute: Option<&str>,
) -> Result<Value, BrowserError> {
    if !wait_for(cdp, session, sel, false, ELEMENT)? {
        return Err(missing(sel));
    }
    let what = match attribute {
        Some(a) => format!("el.getAttribute({})", json!(a)),
        None => "el.innerText".to_owned(),
    };
    let js = format!("(() => {{ const el = {}; return {what}; }})()", find(sel));
    tabs::eval(cdp, session, &js, CALL)
}

fn current_url(cdp: &mut Cdp, id: &str) -> Result<String, BrowserError> {
    let got = cdp.call(None, "Target.getTargetInfo", json!({"targetId": id}), CALL)?;
    Ok(got["targetInfo"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

fn load(cdp: &mut Cdp, session: &str, url: &str) -> Result<(), BrowserError> {
    match tabs::navigate(cdp, session, url, Until::Load, LOAD)? {
        Loaded::Done => Ok(()),
        other => Err(BrowserError::Script {
            message: format!("{url} did not load: {other:?}"),
        }),
    }
}

/// `info_from_website`: the list of what each of `infos` read; `backups` (null when there
/// are none) when anything fails, as in OSWorld.
pub(super) fn info_from_website(
    env: &mut TaskEnv<'_>,
    w: &WebsiteInfo,
) -> Result<Got, BrowserError> {
    let got = tabs::ensure(env).and_then(|mut cdp| {
        in_new_tab(&mut cdp, true, |cdp, session, id| {
            load(cdp, session, &w.url)?;
            let mut infos = Vec::new();
            for info in &w.infos {
                if current_url(cdp, id)? != w.url {
                    load(cdp, session, &w.url)?;
                }
                let (sels, attribute): (&[String], _) = match info {
                    WebsiteRead::InnerText { selector } => (std::slice::from_ref(selector), None),
                    WebsiteRead::Attribute {
                        selector,
                        attribute,
                    } => (std::slice::from_ref(selector), Some(attribute.as_str())),
                    WebsiteRead::ClickAndInnerText { selector } => (selector, None),
                    WebsiteRead::ClickAndAttribute {
                        selector,
                        attribute,
                    } => (selector, Some(attribute.as_str())),
                };
                let Some((last, clicks)) = sels.split_last() else {
                    return Err(missing(""));
                };
                for sel in clicks {
                    click(cdp, session, sel, false, ELEMENT)?;
                    wait_loaded(cdp, session, LOAD)?;
                }
                infos.push(read(cdp, session, last, attribute)?);
            }
            Ok(Value::Array(infos))
        })
    });
    Ok(Got::Json(match got {
        Ok(v) => v,
        Err(e) => {
            env.log(&format!(
                "info_from_website {}: {e}; the backups instead",
                w.url
            ));
            w.backups.clone().unwrap_or(Value::Null)
        }
    }))
}

/// Where OSWorld's recreation.gov flow starts, tried in order.
const RECREATION: &[&str] = &[
    "https://www.recreation.gov/",
    "http://www.recreation.gov/",
    "https://recreation.gov/",
];

/// OSWorld's value when the flow fails.
const FAILED: &str = "__EVALUATION_FAILED__";

/// `gotoRecreationPage_and_get_html_content`: search recreation.gov for "Diamond", open the
/// first result (a popup), ask for the next available dates, and read the text of the
/// `order`-th element of `class`: `{"expected": {class: text}}`, or OSWorld's failure
/// objects.
pub(super) fn recreation_page(
    env: &mut TaskEnv<'_>,
    r: &RecreationPage,
) -> Result<Got, BrowserError> {
    let got = tabs::ensure(env).and_then(|mut cdp| {
        in_new_tab(&mut cdp, true, |cdp, session, id| {
            recreation_flow(cdp, session, id, r)
        })
    });
    Ok(Got::Json(match got {
        Ok(v) => v,
        Err(e) => {
            env.log(&format!("gotoRecreationPage_and_get_html_content: {e}"));
            json!({"expected": {"error": FAILED, "error_message": format!("Failed: {e}")}})
        }
    }))
}

fn recreation_flow(
    cdp: &mut Cdp,
    session: &str,
    id: &str,
    r: &RecreationPage,
) -> Result<Value, BrowserError> {
    let mut started = false;
    for url in RECREATION {
        if tabs::navigate(cdp, session, url, Until::Load, LOAD)? == Loaded::Done {
            started = true;
            break;
        }
    }
    if !started {
        return Err(BrowserError::Script {
            message: "Failed to navigate to any recreation.gov URL variant".to_owned(),
        });
    }
    let input = "input#hero-search-input";
    if !wait_for(cdp, session, input, true, RECREATION_ELEMENT)? {
        return Err(missing(input));
    }
    // Playwright's fill: focus, the value set as typing sets it, `input` and `change` sent.
    let fill = format!(
        "(() => {{ const el = {}; el.focus(); Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, 'Diamond'); el.dispatchEvent(new Event('input', {{bubbles: true}})); el.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()",
        find(input)
    );
    tabs::eval(cdp, session, &fill, CALL)?;
    click(
        cdp,
        session,
        "button.nav-search-button",
        true,
        RECREATION_ELEMENT,
    )?;
    cdp.call(
        None,
        "Target.setDiscoverTargets",
        json!({"discover": true}),
        CALL,
    )?;
    cdp.clear_events();
    click(
        cdp,
        session,
        ".search-result-highlight--success",
        true,
        RECREATION_ELEMENT,
    )?;
    let until = Instant::now() + RECREATION_ELEMENT;
    let popup = cdp
        .wait_event(until, |e| {
            e.method == "Target.targetCreated"
                && e.params["targetInfo"]["type"] == "page"
                && e.params["targetInfo"]["openerId"] == id
        })?
        .and_then(|e| {
            e.params["targetInfo"]["targetId"]
                .as_str()
                .map(str::to_owned)
        })
        .ok_or_else(|| BrowserError::Script {
            message: "the search result opened no popup".to_owned(),
        })?;
    let popup_session = tabs::attach(cdp, &popup)?;
    let read = read_popup(cdp, &popup_session, r);
    tabs::detach(cdp, &popup_session);
    let _ = tabs::close_tab(cdp, &popup);
    read
}

fn read_popup(cdp: &mut Cdp, session: &str, r: &RecreationPage) -> Result<Value, BrowserError> {
    wait_loaded(cdp, session, LOAD)?;
    for sel in [
        "button.next-available",
        "button[class*='next-available']",
        "button[class*='next']",
        ".next-available",
        "[data-testid*='next']",
    ] {
        if wait_for(cdp, session, sel, true, NEXT_BUTTON)? {
            click(cdp, session, sel, true, NEXT_BUTTON)?;
            break;
        }
    }
    let js = format!(
        "(() => {{ const els = document.querySelectorAll({}); const el = els[{}]; return el ? (el.textContent || '').trim() : null; }})()",
        json!(format!(".{}", r.class)),
        r.order.unwrap_or(0)
    );
    let text = tabs::eval(cdp, session, &js, CALL)?;
    let text = if text.is_null() { json!(FAILED) } else { text };
    Ok(json!({"expected": {r.class.clone(): text}}))
}
