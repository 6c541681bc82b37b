//! The live browser (issue 14): OSWorld's `google-chrome` launches run Chromium with a DevTools
//! port deskhand owns, `socat` forwarding is skipped, `chrome_open_tabs`/`chrome_close_tabs`
//! shape the tabs, and every browser getter gives OSWorld's value. Each task below runs under
//! `deskhand eval --policy none` on its own virtual display with a real Chromium; pages come from
//! a loopback server that Chromium reaches by their own names (`--host-resolver-rules` through
//! `-c chrome.args=`). Getter values are checked whole with `exact_match` (or
//! `check_direct_json_object`), so a wrong key, order or value scores 0.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::deskhand;
use support::static_server::StaticServer;

const EVENT: &str =
    "<!DOCTYPE html><html><head><title>Event</title></head><body><p>On 5 January</p></body></html>";

/// The sites, as `(path under the server's root, content)`.
fn pages() -> Vec<(&'static str, String)> {
    vec![
        ("shop/a.html", "<!DOCTYPE html><title>Page A</title><p>A".into()),
        ("shop/b.html", "<!DOCTYPE html><title>Page B</title><p>B".into()),
        ("shop/events/2024-01-05.html", EVENT.into()),
        (
            "shop/form.html",
            r#"<!DOCTYPE html><html><head><title>Order form</title></head><body>
<p class="price"> $42 </p><p class="price">$7</p>
<ul><li class="item">one</li><li class="item">two</li><li class="item">three</li></ul>
<div class="route">SEA<div class="sep"></div>NYC</div>
<div class="card"><h3> Heading one </h3><p>x</p></div><div class="card"><p>no heading</p></div>
<span class="chip">Black</span><span class="chip">On sale</span><span class="chip">Large</span>
<a class="filter">Women</a><a class="filter">Nike</a>
<div class="crumbs"><ul><li class="catAllProducts"><span>Toys</span></li><li class="catAllProducts"><span>Kids</span></li><li class="other"><span>Hidden</span></li></ul></div>
<div id="geo"><h2 data-automation="geo">  Lisbon </h2></div>
<div><span>Total due: $42</span></div>
<form><input type="text" value="typed-over"><input type="email"></form>
<script>
document.querySelector('input[type=text]').value = ' Robin Park ';
document.querySelector('input[type=email]').value = 'robin@example.test';
</script>
</body></html>"#
                .into(),
        ),
        (
            "shop/shop/mens-clothing/shirts/Men_regular_size_t,Price_discount_range/M,50_PERCENT_ off & more/index.html",
            "<!DOCTYPE html><title>Shirts</title><p>shirts".into(),
        ),
        (
            "scholar/profile.html",
            r#"<!DOCTYPE html><title>Profile</title><div id="name">Ada  Lovelace</div>
<table id="stats"><tbody><tr><td>Citations</td><td>1843</td></tr></tbody></table>
<div id="paper"><a href="paper.html">Notes on the Engine</a></div>"#
                .into(),
        ),
        (
            "scholar/paper.html",
            r#"<!DOCTYPE html><title>Paper</title><div id="title"><a href="/pdf/notes.pdf">Notes on the Engine</a></div>"#
                .into(),
        ),
        (
            "www/index.html",
            r#"<!DOCTYPE html><title>Recreation</title>
<input id="hero-search-input"><button class="nav-search-button">Search</button>
<div id="results"></div>
<script>
document.querySelector('.nav-search-button').onclick = () => {
  if (document.querySelector('#hero-search-input').value !== 'Diamond') return;
  document.querySelector('#results').innerHTML =
    '<a class="search-result-highlight--success" href="camp.html" target="_blank">Diamond Lake</a>';
};
</script>"#
                .into(),
        ),
        (
            "www/camp.html",
            r#"<!DOCTYPE html><title>Diamond Lake</title>
<button class="next-available">Next available</button><table><tr id="head"></tr></table>
<script>
document.querySelector('.next-available').onclick = () => {
  document.querySelector('#head').innerHTML =
    '<th class="camp-sortable-column-header">Site</th><th class="camp-sortable-column-header">Loop</th><th class="camp-sortable-column-header"> Jan 5 </th>';
};
</script>"#
                .into(),
        ),
    ]
}

fn rule(expected: Value) -> Value {
    json!({"type": "rule", "rules": {"expected": expected}})
}

/// Every tab of `open` open (as `{title, url}`), none of `closed`. The browser lists tabs in
/// an order of its own, so the list is checked as a set.
fn tabs_rule(open: &[(&str, &str)], closed: &[(&str, &str)]) -> Value {
    let tab = |(title, url): &(&str, &str)| json!({"title": title, "url": url});
    json!({"type": "rule", "rules": {
        "include": open.iter().map(tab).collect::<Vec<_>>(),
        "exclude": closed.iter().map(tab).collect::<Vec<_>>(),
    }})
}

fn task(id: &str, config: Value, checks: &[(&str, Value, Value)]) -> Value {
    json!({
        "id": id,
        "snapshot": "chrome",
        "instruction": "Nothing to do: the getters are under test.",
        "source": "deskhand",
        "config": config,
        "related_apps": ["chrome"],
        "evaluator": {
            "func": checks.iter().map(|c| c.0).collect::<Vec<_>>(),
            "conj": "and",
            "result": checks.iter().map(|c| c.1.clone()).collect::<Vec<_>>(),
            "expected": checks.iter().map(|c| c.2.clone()).collect::<Vec<_>>(),
        }
    })
}

fn open_tabs(urls: &[&str]) -> Value {
    json!({"type": "chrome_open_tabs", "parameters": {"urls_to_open": urls}})
}

/// Runs the tasks under `--policy none`; the results by task id, and the output folder.
fn eval(tasks: &[Value], root: &Path) -> (Vec<Value>, tempfile::TempDir) {
    let suite = tempfile::tempdir().unwrap();
    for t in tasks {
        let dir = suite.path().join(t["id"].as_str().unwrap());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("task.json"), t.to_string()).unwrap();
    }
    let server = StaticServer::start(root);
    let rules = format!(
        "{}, MAP www.recreation.gov 127.0.0.1:{}",
        server.host_rules(),
        server.port
    );
    let out = tempfile::tempdir().unwrap();
    let o = deskhand()
        .arg("eval")
        .arg(suite.path())
        .args(["--policy", "none", "-j", "2", "--out"])
        .arg(out.path())
        .arg("-c")
        .arg(format!("chrome.args=--host-resolver-rules={rules}"))
        .output()
        .unwrap();
    let text = std::fs::read_to_string(out.path().join("results.json")).unwrap_or_else(|e| {
        panic!(
            "no results ({e}): {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let results: Value = serde_json::from_str(&text).unwrap();
    (results["tasks"].as_array().unwrap().clone(), out)
}

fn site() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    for (path, content) in pages() {
        let p = root.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    root
}

fn by_id<'a>(results: &'a [Value], id: &str) -> &'a Value {
    results.iter().find(|r| r["id"] == id).unwrap()
}

fn read(out: &Path, r: &Value, file: &str) -> String {
    std::fs::read_to_string(out.join(r["run_dir"].as_str().unwrap()).join(file)).unwrap_or_default()
}

fn assert_scored(r: &Value, want: f64, out: &Path) {
    assert!(
        r["status"] == "scored" && r["score"].as_f64() == Some(want),
        "{r:#}\nsetup.log:\n{}\napps.log (end):\n{}",
        read(out, r, "setup.log"),
        read(out, r, "apps.log")
            .lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The start tab of a Chromium without Google's services.
const NEW_TAB: &str = "chrome://new-tab-page-third-party/";
const A: &str = "http://shop.deskhand.test/a.html";
const B: &str = "http://shop.deskhand.test/b.html?q=red+shoes&size=9";
const C: &str = "http://shop.deskhand.test/events/2024-01-05.html?id=7";

/// OSWorld's launch pair becomes one Chromium on deskhand's port (socat skipped), on the
/// profile in `~/.config/google-chrome`; tabs open (the first replacing the start tab) and
/// close as OSWorld's steps do; the tab and URL getters read them.
#[test]
fn launch_tabs_and_url_getters() {
    let root = site();
    let tabs = task(
        "tabs",
        json!([
            {"type": "launch", "parameters": {"command": ["google-chrome", "--remote-debugging-port=1337"]}},
            {"type": "launch", "parameters": {"command": ["socat", "tcp-listen:9222,fork", "tcp:localhost:1337"]}},
            open_tabs(&[A, B, C]),
            {"type": "chrome_close_tabs", "parameters": {"urls_to_close": [A]}},
        ]),
        &[
            (
                "check_include_exclude",
                json!({"type": "open_tabs_info"}),
                tabs_rule(
                    &[("Page B", B), ("Event", C)],
                    &[("Page A", A), ("New Tab", NEW_TAB)],
                ),
            ),
            (
                "exact_match",
                json!({"type": "active_tab_url_parse", "goto_prefix": "https://www.",
                       "parse_keys": ["id", "missing"], "replace": {"id": "event"}}),
                rule(json!({"missing": "", "event": "7"})),
            ),
            (
                "exact_match",
                json!({"type": "url_dashPart", "goto_prefix": "https://www.", "partIndex": -1,
                       "needDeleteId": true, "returnType": "json", "key": "file"}),
                rule(json!({"file": "2024-01-05.html"})),
            ),
            (
                "exact_match",
                json!({"type": "url_dashPart", "partIndex": 2, "needDeleteId": false,
                       "returnType": "string"}),
                rule(json!("shop.deskhand.test")),
            ),
            (
                "exact_match",
                json!({"type": "active_tab_info", "goto_prefix": "https://www."}),
                rule(json!({"title": "Event", "url": C, "content": EVENT})),
            ),
            (
                "exact_match",
                json!({"type": "vm_command_line", "shell": true,
                       "command": "test -d /home/user/.config/google-chrome/Default && echo profile"}),
                rule(json!("profile\n")),
            ),
        ],
    );
    // The active tab after a tab switch: the switch is a `launch` of the browser with a URL,
    // which the running browser opens in a new, active tab.
    let url_path = "http://shop.deskhand.test/shop/mens-clothing/shirts/Men_regular_size_t,Price_discount_range/M,50_PERCENT_%20off%20%26%20more/";
    let path_parse = task(
        "path-parse",
        json!([
            open_tabs(&[A]),
            {"type": "launch", "parameters": {"command": ["google-chrome", url_path]}},
        ]),
        &[
            (
                "exact_match",
                json!({"type": "url_path_parse", "goto_prefix": "https://www.",
                       "parse_keys": ["mens_clothing", "shirts", "Men_regular_size_t",
                                      "Price_discount_range", "short_sleeve"]}),
                rule(
                    json!({"mens_clothing": true, "shirts": true, "short_sleeve": null,
                            "Men_regular_size_t": "M",
                            "Price_discount_range": "50_PERCENT_ off & more"}),
                ),
            ),
            (
                "check_include_exclude",
                json!({"type": "open_tabs_info"}),
                tabs_rule(&[("Page A", A), ("Shirts", url_path)], &[]),
            ),
        ],
    );
    // `pkill chrome` stops this task's browser: the next launch starts afresh, without A.
    let restart = task(
        "restart",
        json!([
            {"type": "launch", "parameters": {"command": ["google-chrome", "--remote-debugging-port=1337"]}},
            open_tabs(&[A]),
            {"type": "launch", "parameters": {"command": ["pkill", "chrome"]}},
            {"type": "launch", "parameters": {"command": "google-chrome --remote-debugging-port=1337 http://shop.deskhand.test/b.html", "shell": true}},
        ]),
        &[(
            "check_include_exclude",
            json!({"type": "open_tabs_info"}),
            tabs_rule(
                &[("Page B", "http://shop.deskhand.test/b.html")],
                &[("Page A", A)],
            ),
        )],
    );
    // An `open` of an HTML file shows it in the task's browser, which the getters reach.
    let open_html = task(
        "open-html",
        json!([
            {"type": "execute", "parameters": {"shell": true, "command":
                "printf '<!DOCTYPE html><title>Local</title><p class=note>kept here</p>' > /home/user/page.html"}},
            {"type": "open", "parameters": {"path": "/home/user/page.html"}},
        ]),
        &[(
            "exact_match",
            json!({"type": "active_tab_html_parse", "category": "class",
                   "class_singleObject": {"note": "note"}}),
            rule(json!({"note": "kept here"})),
        )],
    );
    let (results, out) = eval(&[tabs, path_parse, restart, open_html], root.path());
    let restart = by_id(&results, "restart");
    assert_scored(restart, 1.0, out.path());
    let setup = read(out.path(), restart, "setup.log");
    assert!(
        setup.contains("browser: stopped this task's browser"),
        "{setup}"
    );
    assert_scored(by_id(&results, "open-html"), 1.0, out.path());
    let tabs = by_id(&results, "tabs");
    assert_scored(tabs, 1.0, out.path());
    assert_scored(by_id(&results, "path-parse"), 1.0, out.path());
    let setup = read(out.path(), tabs, "setup.log");
    assert!(
        setup.contains(
            "step launch socat tcp-listen:9222,fork tcp:localhost:1337: served by deskhand itself"
        ),
        "{setup}"
    );
    let ready = setup
        .lines()
        .find(|l| l.starts_with("browser: DevTools on port"))
        .unwrap_or_else(|| panic!("{setup}"));
    eprintln!("tabs: {ready}");
    let apps = read(out.path(), tabs, "apps.log");
    assert!(apps.contains("--remote-debugging-port=0"), "{apps}");
    assert!(!apps.contains("--remote-debugging-port=1337"), "{apps}");
    assert!(
        apps.contains("--host-resolver-rules=MAP *.deskhand.test"),
        "{apps}"
    );
    assert!(apps.contains("/.config/google-chrome"), "{apps}");
}

/// `active_tab_html_parse` in each of the corpus's categories, on the live page (input values
/// set by the page's script, not its HTML); a browser is started by `chrome_open_tabs` itself.
#[test]
fn html_parse_categories() {
    let root = site();
    let form = "http://shop.deskhand.test/form.html";
    let html = task(
        "html",
        json!([open_tabs(&[form])]),
        &[
            (
                "exact_match",
                json!({"type": "active_tab_html_parse", "goto_prefix": "https://www.",
                       "category": "class",
                       "class_singleObject": {"price": "price", "nothing": "none"},
                       "class_multiObject": {"item": {"0": "first", "2": "third", "-1": "last", "5": "far"}},
                       "class_multiObject_child": {"route": {"0": "from", "1": "to"}},
                       "class_multiObject_only_child": {"card": {"0": "heading", "1": "second"}},
                       "class_multiObject_search_exist": {"chip": ["Black", "Red", "is_other_exist"]}}),
                rule(
                    json!({"price": "$42", "none": "", "first": "one", "third": "three",
                            "last": "three", "far": "", "from": "SEA", "to": "NYC",
                            "heading": "Heading one", "second": "", "Black": true, "Red": false,
                            "is_other_exist": true}),
                ),
            ),
            (
                "exact_match",
                json!({"type": "active_tab_html_parse", "category": "xpath",
                       "xpathObject": {"//h2[@data-automation='geo']": "city", "//h4": "none"}}),
                rule(json!({"city": "Lisbon", "none": ""})),
            ),
            (
                "exact_match",
                json!({"type": "active_tab_html_parse", "category": "input",
                       "inputObject": {"/html/body/form/input[1]": "name",
                                       "/html/body/form/input[2]": "mail",
                                       "//h2": "not_an_input"}}),
                rule(
                    json!({"name": "Robin Park", "mail": "robin@example.test", "not_an_input": ""}),
                ),
            ),
            (
                "exact_match",
                json!({"type": "active_tab_html_parse", "category": "label",
                       "labelObject": {"total DUE": "total"}}),
                rule(json!({"total": "Total due: $42"})),
            ),
            (
                "exact_match",
                json!({"type": "active_tab_html_parse", "category": "class&url",
                       "class_multiObject": {"filter": ["women", "nike", "adidas"]},
                       "class_multiObject_li": {"crumbs": ["Toys", "Kids", "Games"]},
                       "url_include_expected": ["FORM", "cart"],
                       "url_include_expected_multichoice": {"shop.": "Shop", "shoes": "Shoes"}}),
                rule(json!({"women": true, "nike": true, "is_other_exist": false,
                            "toys": true, "kids": true,
                            "form": true, "cart": false, "shop": true, "shoes": false})),
            ),
        ],
    );
    let (results, out) = eval(&[html], root.path());
    assert_scored(by_id(&results, "html"), 1.0, out.path());
}

/// Getters that load pages of their own: `page_info`, `pdf_from_url` (against Chromium's own
/// print of the page), `info_from_website` (clicks through a link; `backups` when an element
/// is missing), and the recreation.gov flow (a popup, a button, a cell), with no browser
/// started by the setup.
#[test]
fn page_getters() {
    let root = site();
    let event = "http://shop.deskhand.test/events/2024-01-05.html";
    let profile = "http://scholar.deskhand.test/profile.html";
    let pages = task(
        "pages",
        json!([]),
        &[
            (
                "exact_match",
                json!({"type": "page_info", "url": event}),
                rule(json!({"title": "Event", "url": event, "content": EVENT})),
            ),
            (
                "exact_match",
                json!({"type": "page_info", "url": "http://127.0.0.1:1/"}),
                rule(
                    json!({"title": "Connection failed", "url": "http://127.0.0.1:1/", "content": ""}),
                ),
            ),
            (
                "exact_match",
                json!({"type": "info_from_website", "url": profile, "infos": [
                    {"action": "inner_text", "selector": "#name"},
                    {"action": "inner_text", "selector": "#stats > tbody > tr:nth-child(1) > td:nth-child(2)"},
                    {"action": "attribute", "selector": "#paper a", "attribute": "href"},
                    {"action": "attribute", "selector": "#paper a", "attribute": "title"},
                    {"action": "click_and_inner_text", "selector": ["#paper a", "#title"]},
                    {"action": "click_and_attribute", "selector": ["#paper > a", "#title a"], "attribute": "href"}
                ], "backups": ["backup"]}),
                rule(json!([
                    "Ada Lovelace",
                    "1843",
                    "paper.html",
                    null,
                    "Notes on the Engine",
                    "/pdf/notes.pdf"
                ])),
            ),
            (
                "exact_match",
                json!({"type": "info_from_website", "url": profile, "infos": [
                    {"action": "inner_text", "selector": "#name"},
                    {"action": "inner_text", "selector": "#missing"}
                ], "backups": ["backup"]}),
                rule(json!(["backup"])),
            ),
            (
                "exact_match",
                json!({"type": "gotoRecreationPage_and_get_html_content", "selector": "class",
                       "class": "camp-sortable-column-header", "order": "2"}),
                rule(json!({"expected": {"camp-sortable-column-header": "Jan 5"}})),
            ),
            (
                "exact_match",
                json!({"type": "open_tabs_info"}),
                rule(json!([{"title": "New Tab", "url": NEW_TAB}])),
            ),
        ],
    );
    // The gold PDF: Chromium's own print of the page.
    let gold_dir = tempfile::tempdir().unwrap();
    let gold = gold_dir.path().join("gold.pdf");
    let server = StaticServer::start(root.path());
    let printed = std::process::Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--no-pdf-header-footer"])
        .arg(format!("--host-resolver-rules={}", server.host_rules()))
        .arg(format!(
            "--user-data-dir={}",
            gold_dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", gold.display()))
        .arg(event)
        .output()
        .unwrap();
    assert!(
        gold.is_file(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let pdf = |id: &str, url: &str| {
        let mut t = task(
            id,
            json!([]),
            &[(
                "compare_pdfs",
                json!({"type": "pdf_from_url", "path": url, "dest": "page.pdf"}),
                json!({"type": "cloud_file", "path": gold.display().to_string(), "dest": "gold.pdf"}),
            )],
        );
        t["snapshot"] = json!("chrome");
        t
    };
    let (results, out) = eval(
        &[pages, pdf("pdf", event), pdf("pdf-other", profile)],
        root.path(),
    );
    assert_scored(by_id(&results, "pages"), 1.0, out.path());
    let same = by_id(&results, "pdf")["score"].as_f64().unwrap();
    let other = by_id(&results, "pdf-other")["score"].as_f64().unwrap();
    assert!(
        same > 0.95 && other < 0.5,
        "pdf {same}, other page {other}: {results:#?}"
    );
}
