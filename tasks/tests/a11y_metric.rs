//! `check_accessibility_tree` scored on a tree in OSWorld's format; every expected score is what
//! OSWorld's own `check_accessibility_tree` (desktop-env 1.0.2, lxml 6, cssselect 1.6, rapidfuzz
//! 3) gives on the same tree and rules.

use deskhand_tasks::metrics::{Got, MetricError, score};
use serde_json::{Map, Value, json};

const TREE: &str = r#"<desktop-frame xmlns:st="https://accessibility.ubuntu.example.org/ns/state" xmlns:attr="https://accessibility.ubuntu.example.org/ns/attributes" xmlns:cp="https://accessibility.ubuntu.example.org/ns/component" xmlns:doc="https://accessibility.ubuntu.example.org/ns/document" xmlns:docattr="https://accessibility.ubuntu.example.org/ns/document/attributes" xmlns:txt="https://accessibility.ubuntu.example.org/ns/text" xmlns:val="https://accessibility.ubuntu.example.org/ns/value" xmlns:act="https://accessibility.ubuntu.example.org/ns/action"><application name="Thunderbird" st:enabled="true"><frame name="Inbox - Mozilla Thunderbird" st:active="true" cp:screencoord="(0, 0)" cp:size="(1280, 800)"><page-tab-list name="" attr:id="tabmail-tabs"><page-tab name="Inbox" st:selected="true"/><page-tab name="About Profiles"/></page-tab-list><tool-bar name="" attr:id="MsgHeadersToolbar"><label name="To">To</label><section name="" attr:class="address-pill"><label name="Fox &lt;fox@someuniversity.edu&gt;" attr:class="pill-label">Fox</label></section><section name="" attr:class="address-pill"><label name="iron@someuniversity.edu" attr:class="pill-label">Iron Man</label></section></tool-bar><entry name="Password" st:focused="true" val:value="0.0">hunter2</entry><label name="anonym">anonym-x2024@outlook.com</label></frame></application><application name="Chromium"><frame name="x"><entry name="Address and search bar">example.com/a</entry></frame></application></desktop-frame>"#;

fn check(rules: Value) -> Result<f64, MetricError> {
    score(
        "check_accessibility_tree",
        Some(&Got::Text(TREE.to_owned())),
        Some(&Got::Json(rules)),
        &Map::new(),
    )
}

#[test]
fn scores_as_osworld_scores() {
    let cases = [
        (
            "corpus tabs",
            json!([{"selectors": ["application[name=Thunderbird] page-tab-list[attr|id=\"tabmail-tabs\"]>page-tab[name=\"About Profiles\"]"]}]),
            1.0,
        ),
        (
            "corpus tabs absent",
            json!([{"selectors": ["application[name=Thunderbird] page-tab-list[attr|id=\"tabmail-tabs\"]>page-tab[name=\"Settings\"]"]}]),
            0.0,
        ),
        (
            "corpus pills",
            json!([{"selectors": ["tool-bar[attr|id=MsgHeadersToolbar] label[name=To]~[attr|class=\"address-pill\"]>label[attr|class=\"pill-label\"][name*=\"fox@someuniversity.edu\"]"]}, {"selectors": ["tool-bar[attr|id=MsgHeadersToolbar] label[name=To]~[attr|class=\"address-pill\"]>label[attr|class=\"pill-label\"][name*=\"iron@someuniversity.edu\"]"]}]),
            1.0,
        ),
        (
            "corpus pills one missing",
            json!([{"selectors": ["tool-bar[attr|id=MsgHeadersToolbar] label[name=To]~[attr|class=\"address-pill\"]>label[attr|class=\"pill-label\"][name*=\"fox@someuniversity.edu\"]"]}, {"selectors": ["tool-bar[attr|id=MsgHeadersToolbar] label[name=To]~[attr|class=\"address-pill\"]>label[attr|class=\"pill-label\"][name*=\"nancy@someuniversity.edu\"]"]}]),
            0.0,
        ),
        (
            "corpus xpath",
            json!([{"xpath": "//application[@name='Thunderbird']//*[contains(text(), 'anonym-x2024@outlook.com') or contains(@name, 'anonym-x2024@outlook.com')]"}, {"xpath": "//application[@name='Thunderbird']//*[contains(@name, 'password') or contains(@name, 'Password')]"}]),
            1.0,
        ),
        (
            "xpath no match",
            json!([{"xpath": "//application[@name='Thunderbird']//*[contains(@name, 'nobody@example.org')]"}]),
            0.0,
        ),
        (
            "namespaced state xpath",
            json!([{"xpath": "//entry[@st:focused='true']"}]),
            1.0,
        ),
        (
            "namespaced state css",
            json!([{"selectors": ["entry[st|focused=true][val|value=\"0.0\"]"]}]),
            1.0,
        ),
        (
            "text exact",
            json!([{"selectors": ["entry[name=Password]"], "text": "hunter2", "exact": true}]),
            1.0,
        ),
        (
            "text exact wrong",
            json!([{"selectors": ["entry[name=Password]"], "text": "hunter3", "exact": true}]),
            0.0,
        ),
        (
            "text fuzzy",
            json!([{"selectors": ["entry[name=Password]"], "text": "hunter3", "exact": false}]),
            0.8571428571428572,
        ),
        (
            "text fuzzy best of several",
            json!([{"selectors": ["label[attr|class=pill-label]"], "text": "Iron Mask", "exact": false}]),
            0.8235294117647058,
        ),
        (
            "text fuzzy no text",
            json!([{"selectors": ["page-tab"], "text": "Inbox", "exact": false}]),
            0.0,
        ),
        (
            "two selectors joined",
            json!([{"selectors": ["page-tab[name=Nope]", "entry[name=Address\\ and\\ search\\ bar]"], "text": "example.com/a", "exact": 1}]),
            1.0,
        ),
        (
            "product of fuzzy",
            json!([{"selectors": ["entry[name=Password]"], "text": "hunter", "exact": false}, {"selectors": ["label[name=To]"], "text": "Tx", "exact": false}]),
            0.4615384615384615,
        ),
    ];
    for (name, rules, want) in cases {
        let got = check(rules).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!((got - want).abs() < 1e-12, "{name}: {got} != {want}");
    }
}

#[test]
fn malformed_rules_and_trees_are_errors() {
    let no_exact = json!([{"selectors": ["entry"], "text": "x"}]);
    assert!(matches!(check(no_exact), Err(MetricError::Invalid { .. })));
    let bad_css = json!([{"selectors": ["entry["]}]);
    assert!(matches!(check(bad_css), Err(MetricError::Invalid { .. })));
    let bad_xpath = json!([{"xpath": "//entry["}]);
    assert!(matches!(check(bad_xpath), Err(MetricError::Invalid { .. })));
    let neither = json!([{"text": "x", "exact": true}]);
    assert!(matches!(check(neither), Err(MetricError::Invalid { .. })));
    let not_xml = score(
        "check_accessibility_tree",
        Some(&Got::Text("<desktop-frame>".into())),
        Some(&Got::Json(json!([{"xpath": "//x"}]))),
        &Map::new(),
    );
    assert!(matches!(not_xml, Err(MetricError::Invalid { .. })));
}

/// Every rule of every corpus task scored by `check_accessibility_tree` translates and runs.
#[test]
fn every_corpus_rule_parses() {
    use deskhand_tasks::sources::a11y::query::{Tree, css_to_xpath};
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("osworld");
    let tree = Tree::parse(TREE).unwrap();
    let mut tasks = 0;
    let mut rules = 0;
    for entry in deskhand_tasks::suite::discover(&corpus).unwrap() {
        let task: Value =
            serde_json::from_str(&std::fs::read_to_string(&entry.path).unwrap()).unwrap();
        let ev = &task["evaluator"];
        let funcs: Vec<Value> = match &ev["func"] {
            Value::Array(f) => f.clone(),
            f => vec![f.clone()],
        };
        for (i, func) in funcs.iter().enumerate() {
            if func != "check_accessibility_tree" {
                continue;
            }
            tasks += 1;
            let expected = match &ev["expected"] {
                Value::Array(e) => e[i].clone(),
                e => e.clone(),
            };
            for rule in expected["rules"].as_array().unwrap() {
                rules += 1;
                let found = match (&rule["xpath"], &rule["selectors"]) {
                    (Value::String(xpath), _) => tree.xpath(xpath),
                    (_, Value::Array(selectors)) => {
                        let css: Vec<&str> =
                            selectors.iter().map(|s| s.as_str().unwrap()).collect();
                        let css = css.join(", ");
                        css_to_xpath(&css).unwrap_or_else(|e| panic!("{}: {e}", entry.name));
                        tree.select(&css)
                    }
                    _ => panic!("{}: {rule}", entry.name),
                };
                found.unwrap_or_else(|e| panic!("{}: {e}", entry.name));
            }
        }
    }
    assert_eq!((tasks, rules), (3, 7));
}
