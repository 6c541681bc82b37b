//! The accessibility tree end to end: `deskhand eval` runs OSWorld-format tasks on private
//! displays with real apps (mousepad, Thunderbird, Chromium), reads the desktop's AT-SPI tree
//! from the display's own D-Bus session (`accessibility_tree`, `active_url_from_accessTree`)
//! and scores it with `check_accessibility_tree`; the tree each task read is kept in its run
//! directory and checked here for the apps' windows, widgets, names, roles, states, extents and
//! text; a Calc sheet gives only its showing cells. An app that stops answering must not hang
//! the getter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use deskhand_tasks::sources::a11y::query::{Selected, Tree};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Instant;
use support::deskhand;
use support::static_server::StaticServer;

const PROBE: &str = "deskhand a11y probe\nsecond line\n";

/// A suite folder with one task per `(id, task.json)`, each with `probe.txt` next to it.
fn suite(tasks: &[(&str, Value)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (id, task) in tasks {
        let t = dir.path().join(id);
        std::fs::create_dir_all(&t).unwrap();
        let mut task = task.clone();
        task["id"] = json!(id);
        std::fs::write(t.join("task.json"), task.to_string()).unwrap();
        std::fs::write(t.join("probe.txt"), PROBE).unwrap();
    }
    dir
}

/// Runs the suite untouched (`--policy none`); the results by task id.
fn eval(suite: &Path, out: &Path, extra: &[&str]) -> Value {
    let o = deskhand()
        .arg("eval")
        .arg(suite)
        .arg("--out")
        .arg(out)
        .args(["--policy", "none", "-j", "1"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

fn task<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {results}"))
}

fn run_dir(out: &Path, id: &str) -> PathBuf {
    out.join("suite").join(id)
}

/// The tree a task read.
fn kept_tree(out: &Path, id: &str) -> (String, Tree) {
    let xml = std::fs::read_to_string(run_dir(out, id).join("cache/accessibility_tree.xml"))
        .unwrap_or_else(|e| panic!("{id}: no kept tree: {e}"));
    let tree = Tree::parse(&xml).unwrap();
    (xml, tree)
}

/// The getter's line in the task's setup log: "accessibility tree: N objects in M ms".
fn tree_line(out: &Path, id: &str) -> String {
    let log = std::fs::read_to_string(run_dir(out, id).join("setup.log")).unwrap();
    log.lines()
        .find(|l| l.starts_with("accessibility tree:"))
        .unwrap_or_else(|| panic!("{id}: no tree line in {log}"))
        .to_owned()
}

fn a_tree_task(config: Value, rules: Value) -> Value {
    json!({
        "id": "x",
        "instruction": "Nothing to do: the start state is what is checked.",
        "config": config,
        "evaluator": {
            "func": "check_accessibility_tree",
            "result": {"type": "accessibility_tree"},
            "expected": {"type": "rule", "rules": rules}
        }
    })
}

fn open_probe() -> Value {
    json!([
        {"type": "download", "parameters": {"files": [{"url": "probe.txt", "path": "/home/user/probe.txt"}]}},
        {"type": "open", "parameters": {"path": "/home/user/probe.txt"}}
    ])
}

fn one(found: Vec<Selected>, what: &str) -> Selected {
    assert_eq!(found.len(), 1, "{what}: {found:?}");
    found.into_iter().next().unwrap()
}

#[test]
fn mousepads_window_widgets_states_and_text_are_in_the_tree() {
    let matching = a_tree_task(
        open_probe(),
        json!([
            {"selectors": ["application[name=mousepad] frame[st|active=true] text[st|editable=true][st|focused=true]"]},
            {"xpath": "//application[@name='mousepad']//*[contains(text(), 'deskhand a11y probe') or contains(@name, 'deskhand a11y probe')]"},
            {"selectors": ["application[name=mousepad] text"], "text": PROBE, "exact": true}
        ]),
    );
    let missing = a_tree_task(
        open_probe(),
        json!([
            {"selectors": ["application[name=mousepad] frame[st|active=true]"]},
            {"selectors": ["application[name=mousepad] text[name*=\"not there\"]"]}
        ]),
    );
    let s = suite(&[("a11y-mousepad", matching), ("a11y-mousepad-miss", missing)]);
    let out = tempfile::tempdir().unwrap();
    let r = eval(s.path(), out.path(), &[]);
    let t = task(&r, "a11y-mousepad");
    assert_eq!(t["status"], "scored", "{t}");
    assert_eq!(t["score"], 1.0, "{t}");
    let t = task(&r, "a11y-mousepad-miss");
    assert_eq!(t["score"], 0.0, "{t}");

    let (xml, tree) = kept_tree(out.path(), "a11y-mousepad");
    assert!(xml.starts_with(
        "<desktop-frame xmlns:st=\"https://accessibility.ubuntu.example.org/ns/state\""
    ));
    let frame = one(
        tree.xpath("/desktop-frame/application[@name='mousepad']/frame[@st:active='true' and @st:showing='true']")
            .unwrap(),
        "the active window",
    );
    assert!(matches!(frame, Selected::Element { .. }));
    let names = tree
        .xpath("/desktop-frame/application[@name='mousepad']/frame/@name")
        .unwrap();
    assert!(
        names
            .iter()
            .any(|n| matches!(n, Selected::Other(s) if s.ends_with("probe.txt - Mousepad"))),
        "{names:?}"
    );
    let size = tree
        .xpath("/desktop-frame/application[@name='mousepad']/frame/@cp:size")
        .unwrap();
    let Some(Selected::Other(size)) = size.first() else {
        panic!("no size: {size:?}")
    };
    let (w, h) = size
        .trim_matches(['(', ')'])
        .split_once(", ")
        .map(|(w, h)| (w.parse::<i32>().unwrap(), h.parse::<i32>().unwrap()))
        .unwrap();
    assert!(w > 100 && h > 100, "{size}");
    // The text view: its whole text, its states.
    let text = one(
        tree.select("application[name=mousepad] text[st|editable=true][st|multi_line=true]")
            .unwrap(),
        "the text view",
    );
    assert_eq!(text.text(), Some(PROBE));
    // The menus, with their actions as OSWorld names them.
    let file = one(
        tree.select("menu-bar>menu[name=File][act|click_desc]")
            .unwrap(),
        "the File menu",
    );
    assert_eq!(file.text(), None);
    assert!(
        !tree
            .select("menu[name=File]>menu-item[name*=Save][st|enabled=true]")
            .unwrap()
            .is_empty()
    );
    eprintln!("mousepad: {}", tree_line(out.path(), "a11y-mousepad"));
}

#[test]
fn chromiums_address_bar_and_thunderbirds_window_are_read() {
    let www = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(www.path().join("docs/guide")).unwrap();
    std::fs::write(
        www.path().join("docs/guide/page.html"),
        "<html><head><title>A11y page</title></head><body><h1>Reachable</h1><button>Press me</button></body></html>",
    )
    .unwrap();
    let server = StaticServer::start(www.path());
    let url = "http://docs.deskhand.test/guide/page.html";
    let chrome = json!({
        "id": "a11y-chrome",
        "instruction": "Nothing to do.",
        "config": [
            {"type": "launch", "parameters": {"command": ["google-chrome", "--remote-debugging-port=1337"]}},
            {"type": "chrome_open_tabs", "parameters": {"urls_to_open": [url]}}
        ],
        "evaluator": {
            "func": ["exact_match", "check_accessibility_tree"],
            "conj": "and",
            "result": [
                {"type": "active_url_from_accessTree", "goto_prefix": "http://"},
                {"type": "accessibility_tree"}
            ],
            "expected": [
                {"type": "rule", "rules": {"expected": url}},
                {"type": "rule", "rules": [
                    {"selectors": ["application[name=Chromium] frame[st|active=true] entry[name=Address\\ and\\ search\\ bar][st|editable=true]"]},
                    {"xpath": "//application[@name='Chromium']//document-web//heading[@name='Reachable']"},
                    {"selectors": ["application[name=Chromium] document-web push-button[name=\"Press me\"]"]}
                ]}
            ]
        }
    });
    let thunderbird = a_tree_task(
        json!([{"type": "launch", "parameters": {"command": ["thunderbird"]}}]),
        json!([{"selectors": ["application[name=Thunderbird] frame"]}]),
    );
    let s = suite(&[("a11y-chrome", chrome), ("a11y-thunderbird", thunderbird)]);
    let out = tempfile::tempdir().unwrap();
    let rules = format!("chrome.args=--host-resolver-rules={}", server.host_rules());
    let r = eval(s.path(), out.path(), &["-c", &rules]);
    let t = task(&r, "a11y-chrome");
    assert_eq!(t["score"], 1.0, "{t}");
    let t = task(&r, "a11y-thunderbird");
    assert_eq!(t["score"], 1.0, "{t}");

    let (_, tree) = kept_tree(out.path(), "a11y-chrome");
    let bar = one(
        tree.select(r"application[name=Chromium] entry[name=Address\ and\ search\ bar]")
            .unwrap(),
        "the address bar",
    );
    assert_eq!(bar.text(), Some("docs.deskhand.test/guide/page.html"));
    let (_, tree) = kept_tree(out.path(), "a11y-thunderbird");
    assert!(
        !tree
            .xpath("//application[@name='Thunderbird']/frame[@st:showing='true']")
            .unwrap()
            .is_empty()
    );
    eprintln!("chromium: {}", tree_line(out.path(), "a11y-chrome"));
    eprintln!("thunderbird: {}", tree_line(out.path(), "a11y-thunderbird"));
}

#[test]
fn an_app_that_stops_answering_does_not_hang_the_getter() {
    // mousepad under `timeout`, so that it is killed even while stopped; then stopped.
    let config = json!([
        {"type": "download", "parameters": {"files": [{"url": "probe.txt", "path": "/home/user/probe.txt"}]}},
        {"type": "execute", "parameters": {"command": "timeout -s KILL 60 mousepad ~/probe.txt >/dev/null 2>&1 & echo $! > ~/timeout.pid", "shell": true}},
        {"type": "activate_window", "parameters": {"window_name": "probe.txt - Mousepad"}},
        {"type": "execute", "parameters": {"command": "pkill -STOP -P \"$(cat ~/timeout.pid)\"", "shell": true}}
    ]);
    let stopped = a_tree_task(config, json!([{"xpath": "/desktop-frame"}]));
    let s = suite(&[("a11y-stopped", stopped)]);
    let out = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let r = eval(s.path(), out.path(), &[]);
    let t = task(&r, "a11y-stopped");
    assert_eq!(t["status"], "scored", "{t}");
    assert_eq!(t["score"], 1.0, "{t}");
    let line = tree_line(out.path(), "a11y-stopped");
    assert!(line.contains("no answer from"), "{line}");
    // One call deadline (2 s) for the stopped app, not one per object or a hang.
    assert!(start.elapsed().as_secs() < 45, "{:?}", start.elapsed());
    let (_, tree) = kept_tree(out.path(), "a11y-stopped");
    assert!(
        tree.xpath("//application[@name='mousepad']//text")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_calc_sheet_gives_its_showing_cells_only() {
    let sales = Path::new(env!("CARGO_MANIFEST_DIR")).join("tasks/suite/calc-add-total/sales.xlsx");
    let calc = a_tree_task(
        json!([
            {"type": "download", "parameters": {"files": [{"url": "sales.xlsx", "path": "/home/user/sales.xlsx"}]}},
            {"type": "open", "parameters": {"path": "/home/user/sales.xlsx"}}
        ]),
        json!([
            {"selectors": ["document-spreadsheet table-cell[name=A1]"], "text": "Region", "exact": true},
            {"selectors": ["document-spreadsheet table-cell[name=A3]"], "text": "Sauth", "exact": false}
        ]),
    );
    let s = suite(&[("a11y-calc", calc)]);
    std::fs::copy(&sales, s.path().join("a11y-calc/sales.xlsx")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = eval(s.path(), out.path(), &[]);
    let t = task(&r, "a11y-calc");
    // "South" against "Sauth": rapidfuzz's ratio 0.8.
    assert_eq!(t["score"], 0.8, "{t}");
    let (_, tree) = kept_tree(out.path(), "a11y-calc");
    let cells = tree
        .select("document-spreadsheet table > table-cell")
        .unwrap();
    // The sheet's window shows some hundreds of its 17 billion cells.
    assert!((50..5000).contains(&cells.len()), "{}", cells.len());
    assert_eq!(
        one(
            tree.select("table-cell[name=B2][st|showing=true]").unwrap(),
            "B2"
        )
        .text(),
        one(tree.xpath("//table-cell[@name='B2']").unwrap(), "B2").text()
    );
    assert!(tree.select("table-cell[name=A5000]").unwrap().is_empty());
    eprintln!("calc: {}", tree_line(out.path(), "a11y-calc"));
}
