//! Chrome's metrics scored as OSWorld scores them: each one passing, failing, and on the quirks
//! of OSWorld's code (the expected values were checked against OSWorld's Python).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use deskhand_tasks::metrics::{Got, MetricError, score};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

fn s(name: &str, result: Value, rules: Value) -> f64 {
    s_got(name, Got::Json(result), rules)
}

fn s_got(name: &str, result: Got, rules: Value) -> f64 {
    match score(name, Some(&result), Some(&Got::Json(rules)), &Map::new()) {
        Ok(v) => v,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn err(name: &str, result: Value, rules: Value) -> MetricError {
    match score(
        name,
        Some(&Got::Json(result)),
        Some(&Got::Json(rules)),
        &Map::new(),
    ) {
        Ok(v) => panic!("{name} scored {v}, expected an error"),
        Err(e) => e,
    }
}

#[test]
fn active_tab_compares_urls_as_osworld() {
    let m = "is_expected_active_tab";
    let rule = json!({"type": "url", "url": "https://www.drugs.com/npc/"});
    assert_eq!(
        s(
            m,
            json!({"url": "https://drugs.com/npc/", "title": "x"}),
            rule.clone()
        ),
        1.0
    );
    // A bare URL (active_url_from_accessTree) works too; `www.`, the suffix and port go.
    assert_eq!(
        s(
            m,
            json!("http://www.drugs.co.uk:8080/npc/"),
            json!({"type": "url", "url": "http://drugs.com/npc/"})
        ),
        1.0
    );
    assert_eq!(
        s_got(
            m,
            Got::Text("https://www.drugs.com/npc/".into()),
            rule.clone()
        ),
        1.0
    );
    assert_eq!(s(m, json!("https://www.drugs.com/npp/"), rule.clone()), 0.0);
    // The scheme counts.
    assert_eq!(s(m, json!("http://www.drugs.com/npc/"), rule.clone()), 0.0);
    assert_eq!(s(m, Value::Null, rule.clone()), 0.0);
    assert_eq!(s(m, json!({"title": "no url"}), rule.clone()), 0.0);
    // An unknown rule type scores 0 (OSWorld logs it).
    assert_eq!(
        s(
            m,
            json!("https://www.drugs.com/npc/"),
            json!({"type": "title", "url": "x"})
        ),
        0.0
    );
}

#[test]
fn approximate_active_tab_ignores_only_the_query() {
    let m = "is_expected_active_tab_approximate";
    let rule = json!({"type": "url", "url": "chrome://password-manager/passwords"});
    assert_eq!(
        s(
            m,
            json!("chrome://password-manager/passwords?search=x"),
            rule.clone()
        ),
        1.0
    );
    assert_eq!(
        s(m, json!("chrome://password-manager/settings"), rule.clone()),
        0.0
    );
    // No compare_urls here: `www.` counts.
    let rule = json!({"type": "url", "url": "https://a.com/p"});
    assert_eq!(s(m, json!("https://www.a.com/p?x=1"), rule.clone()), 0.0);
    assert_eq!(s(m, json!("https://a.com/p#frag"), rule), 0.0);
}

#[test]
fn url_pattern_match_needs_every_pattern() {
    let m = "is_expected_url_pattern_match";
    let rule = json!({"expected": ["^chrome://settings/appearance/?$"]});
    assert_eq!(
        s(m, json!("chrome://settings/appearance"), rule.clone()),
        1.0
    );
    assert_eq!(
        s(
            m,
            json!({"url": "chrome://settings/appearance/"}),
            rule.clone()
        ),
        1.0
    );
    assert_eq!(s(m, json!("chrome://settings/"), rule.clone()), 0.0);
    let two = json!({"expected": ["/manchester/", "reservation"]});
    assert_eq!(
        s(
            m,
            json!("https://x.com/manchester/reservation"),
            two.clone()
        ),
        1.0
    );
    assert_eq!(s(m, json!("https://x.com/manchester/"), two), 0.0);
    // A dict without "url" scores 0; so does an empty result.
    assert_eq!(s(m, json!({"title": "t"}), rule.clone()), 0.0);
    assert_eq!(s(m, json!(""), rule), 0.0);
    // Quirk: a string of patterns is iterated character by character.
    assert_eq!(s(m, json!("abc"), json!({"expected": "ca"})), 1.0);
    assert_eq!(s(m, json!("abc"), json!({"expected": "cx"})), 0.0);
}

#[test]
fn tabs_are_compared_as_lists_of_urls() {
    let m = "is_expected_tabs";
    let rule = json!({"type": "url", "urls": ["https://www.lonelyplanet.com", "https://www.airbnb.com", "https://www.tripadvisor.com"]});
    let tabs = |urls: &[&str]| {
        Value::Array(
            urls.iter()
                .map(|u| json!({"title": "t", "url": u}))
                .collect(),
        )
    };
    assert_eq!(
        s(
            m,
            tabs(&[
                "https://www.airbnb.com/",
                "https://www.tripadvisor.com/",
                "https://www.lonelyplanet.com/"
            ]),
            rule.clone()
        ),
        1.0
    );
    assert_eq!(
        s(
            m,
            tabs(&["https://www.airbnb.com/", "https://www.tripadvisor.com/"]),
            rule.clone()
        ),
        0.0
    );
    assert_eq!(
        s(
            m,
            tabs(&[
                "https://www.airbnb.com/",
                "https://www.tripadvisor.com/",
                "https://www.example.com/"
            ]),
            rule.clone()
        ),
        0.0
    );
    // Quirk (are_lists_equal): each expected URL needs some tab, not a tab of its own.
    let dup = json!({"type": "url", "urls": ["https://a.com", "https://a.com"]});
    assert_eq!(s(m, tabs(&["https://a.com/", "https://b.com/"]), dup), 1.0);
    assert_eq!(s(m, json!([]), rule), 0.0);
}

fn bookmarks() -> Value {
    json!({
        "bookmark_bar": {"children": [
            {"type": "folder", "name": "Favorites", "children": []},
            {"type": "url", "name": "T", "url": "https://jalammar.github.io/illustrated-transformer/"},
            {"type": "folder", "name": "Liked Authors", "children": [
                {"type": "url", "name": "a", "url": "https://jimfan.me/"},
                {"type": "url", "name": "b", "url": "https://b.com/"}
            ]}
        ]},
        "other": {"children": []}
    })
}

#[test]
fn bookmarks_by_folder_url_and_liked_authors() {
    let m = "is_expected_bookmarks";
    assert_eq!(
        s(
            m,
            bookmarks(),
            json!({"type": "bookmark_bar_folders_names", "names": ["Favorites", "Liked Authors"]})
        ),
        1.0
    );
    assert_eq!(
        s(
            m,
            bookmarks(),
            json!({"type": "bookmark_bar_folders_names", "names": ["Favorites"]})
        ),
        0.0
    );
    assert_eq!(
        s(
            m,
            bookmarks(),
            json!({"type": "bookmark_bar_websites_urls", "urls": ["https://jalammar.github.io/illustrated-transformer/"]})
        ),
        1.0
    );
    // Sets: no compare_urls, so a trailing slash counts.
    assert_eq!(
        s(
            m,
            bookmarks(),
            json!({"type": "bookmark_bar_websites_urls", "urls": ["https://jalammar.github.io/illustrated-transformer"]})
        ),
        0.0
    );
    let liked = json!({"type": "liked_authors_websites_urls", "names": ["Liked Authors"],
        "urls": [["https://x.com/", "https://jimfan.me/"], "https://b.com/"]});
    assert_eq!(s(m, bookmarks(), liked), 1.0);
    let liked = json!({"type": "liked_authors_websites_urls", "urls": [["https://x.com/", "https://jimfan.me/"]]});
    assert_eq!(s(m, bookmarks(), liked), 0.0);
    // The getter's fallback for a missing file.
    assert_eq!(
        s(
            m,
            json!([]),
            json!({"type": "bookmark_bar_folders_names", "names": []})
        ),
        0.0
    );
    assert!(matches!(
        err(m, bookmarks(), json!({"type": "other_folder"})),
        MetricError::Invalid { .. }
    ));
}

#[test]
fn search_query_pattern_in_the_url() {
    let m = "is_expected_search_query";
    let rule = json!({"expect": {"pattern": "(?i)https?://(?:www\\.)?google\\.com/search\\?q=nereida(?:&|$|#)"}});
    assert_eq!(
        s(
            m,
            json!({"url": "https://www.google.com/search?q=Nereida&hl=en"}),
            rule.clone()
        ),
        1.0
    );
    assert_eq!(
        s(
            m,
            json!({"url": "https://www.google.com/search?q=nereidas"}),
            rule.clone()
        ),
        0.0
    );
    assert_eq!(s(m, Value::Null, rule), 0.0);
}

#[test]
fn installed_extensions_subset() {
    let m = "is_expected_installed_extensions";
    let rule = json!({"expected": ["Momentum", "Google Translate"]});
    assert_eq!(
        s(
            m,
            json!(["Google Translate", "Momentum", "Web Store"]),
            rule.clone()
        ),
        1.0
    );
    assert_eq!(s(m, json!(["Momentum"]), rule), 0.0);
    // Quirk: the getter's "Google" fallback is a set of letters.
    assert_eq!(s(m, json!("Google"), json!({"expected": ["G", "e"]})), 1.0);
}

#[test]
fn cookie_deleted_by_domain() {
    let m = "is_cookie_deleted";
    let rule = json!({"type": "domains", "domains": [".amazon.com"]});
    let row = |host: &str| {
        json!([
            13_300_000_000_000_000_i64,
            host,
            "",
            "session",
            "v",
            "",
            "/"
        ])
    };
    assert_eq!(
        s(
            m,
            json!([row(".google.com"), row("example.org")]),
            rule.clone()
        ),
        1.0
    );
    assert_eq!(
        s(
            m,
            json!([row(".google.com"), row("www.amazon.com")]),
            rule.clone()
        ),
        0.0
    );
    assert_eq!(s(m, json!([row(".amazon.co.uk")]), rule.clone()), 0.0);
    assert_eq!(s(m, json!([]), rule.clone()), 1.0);
    // No Cookies file: OSWorld's getter gives None and the metric raises.
    assert_eq!(s(m, Value::Null, rule), 0.0);
}

#[test]
fn history_deleted_by_keyword() {
    let m = "check_history_deleted";
    let rule = json!({"type": "keywords", "keywords": ["youtube"]});
    let h = |u: &str| json!([u, "t", 13_300_000_000_000_000_i64]);
    assert_eq!(
        s(m, json!([h("https://www.nytimes.com/")]), rule.clone()),
        1.0
    );
    assert_eq!(
        s(
            m,
            json!([
                h("https://www.nytimes.com/"),
                h("https://www.youtube.com/watch?v=1")
            ]),
            rule.clone()
        ),
        0.0
    );
    // Case counts: `in` is exact.
    assert_eq!(s(m, json!([h("https://YouTube.com/")]), rule.clone()), 1.0);
    assert_eq!(s(m, Value::Null, rule), 0.0);
}

#[test]
fn font_size_value_and_open_range() {
    let m = "check_font_size";
    assert_eq!(
        s(
            m,
            json!({"default_font_size": 20}),
            json!({"type": "range", "min": 16, "max": 99999})
        ),
        1.0
    );
    // Strict bounds: 16 is not above 16.
    assert_eq!(
        s(
            m,
            json!({"default_font_size": 16, "default_fixed_font_size": 13}),
            json!({"type": "range", "min": 16, "max": 99999})
        ),
        0.0
    );
    assert_eq!(
        s(
            m,
            json!({"default_font_size": 16.0}),
            json!({"type": "value", "value": 16})
        ),
        1.0
    );
    assert_eq!(
        s(
            m,
            json!({"minimum_font_size": 13}),
            json!({"type": "value", "value": 16})
        ),
        0.0
    );
}

#[test]
fn shortcut_on_desktop_by_name_or_exec() {
    let m = "is_shortcut_on_desktop";
    let shortcuts = json!({"game.desktop": "[Desktop Entry]\nName=Play Puzzle Game 2048\nExec=chromium --app=https://play2048.co/\n"});
    assert_eq!(
        s(
            m,
            shortcuts.clone(),
            json!({"type": "name", "name": "Play Puzzle Game 2048"})
        ),
        1.0
    );
    assert_eq!(
        s(
            m,
            shortcuts.clone(),
            json!({"type": "name", "name": "Play Puzzle Game"})
        ),
        0.0
    );
    assert_eq!(
        s(
            m,
            shortcuts.clone(),
            json!({"type": "exec", "exec": "chromium --app=https://play2048.co/"})
        ),
        1.0
    );
    // The line must end with a newline.
    assert_eq!(
        s(
            m,
            json!({"a.desktop": "Name=Play Puzzle Game 2048"}),
            json!({"type": "name", "name": "Play Puzzle Game 2048"})
        ),
        0.0
    );
    assert_eq!(s(m, json!({}), json!({"type": "name", "name": "x"})), 0.0);
    assert!(matches!(
        err(m, shortcuts, json!({"type": "url", "url": "x"})),
        MetricError::Invalid { .. }
    ));
}

#[test]
fn steam_cart_items_in_the_page() {
    let m = "is_added_to_steam_cart";
    let rule = json!({"items": ["The Dota 2 Official Soundtrack"]});
    let page = |c: &str| json!({"title": "Cart", "url": "https://store.steampowered.com/cart/", "content": c});
    assert_eq!(
        s(
            m,
            page("<div>The Dota 2 Official Soundtrack</div>"),
            rule.clone()
        ),
        1.0
    );
    assert_eq!(
        s(m, page("<div>Your cart is empty</div>"), rule.clone()),
        0.0
    );
    assert_eq!(s(m, Value::Null, rule), 0.0);
}

#[test]
fn match_in_list_membership() {
    let m = "match_in_list";
    let rule = json!({"expected": ["Microsoft Bing", "Bing"]});
    assert_eq!(s(m, json!("Bing"), rule.clone()), 1.0);
    assert_eq!(s(m, json!("Google"), rule.clone()), 0.0);
    assert_eq!(s_got(m, Got::Text("Microsoft Bing".into()), rule), 1.0);
    // Quirk: a string of expected values is a substring test.
    assert_eq!(s(m, json!("igh"), json!({"expected": "light"})), 1.0);
}

fn html(dir: &tempfile::TempDir, name: &str, text: &str) -> Got {
    let p: PathBuf = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    Got::File(Some(p))
}

fn htmls(a: &str, b: &str, ignore_sdnum: bool) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let (x, y) = (html(&dir, "a.html", a), html(&dir, "b.html", b));
    let mut options = Map::new();
    if ignore_sdnum {
        options.insert("ignore_sdnum".into(), json!(true));
    }
    score("compare_htmls", Some(&x), Some(&y), &options).unwrap()
}

#[test]
fn compare_htmls_tags_text_and_attributes() {
    let doc = |body: &str| {
        format!("<!DOCTYPE html><html><head><title>T</title></head><body>{body}</body></html>")
    };
    let table = r#"<table><tr><td sdnum="1033;0;0" class="a b">12</td></tr></table>"#;
    assert_eq!(htmls(&doc(table), &doc(table), false), 1.0);
    // Whitespace inside a class list does not count; whitespace text between tags does.
    let spaced_class = table.replace("a b", "a  b");
    assert_eq!(htmls(&doc(table), &doc(&spaced_class), false), 1.0);
    let indented =
        "<table>\n  <tr>\n    <td sdnum=\"1033;0;0\" class=\"a b\">12</td>\n  </tr>\n</table>";
    assert_eq!(htmls(&doc(table), &doc(indented), false), 0.0);
    assert_eq!(
        htmls(&doc("<p>a <b>b</b></p>"), &doc("<p>a\n<b>b</b></p>"), false),
        0.0
    );
    // A script's code is its own text, not its parent's, and it counts.
    let script = |code: &str| doc(&format!("<div><script>{code}</script>hi</div>"));
    assert_eq!(htmls(&script("var x=1"), &script("var x=2"), false), 0.0);
    assert_eq!(htmls(&script("var x=1"), &script("var x=1"), false), 1.0);
    // Comments count.
    assert_eq!(
        htmls(
            &doc("<p>x</p><!-- c -->"),
            &doc("<p>x</p><!-- d -->"),
            false
        ),
        0.0
    );
    assert_eq!(
        htmls(&doc(table), &doc(&table.replace("12", "13")), false),
        0.0
    );
    let other_sdnum = table.replace("1033;0;0", "1033;0;0.00");
    assert_eq!(htmls(&doc(table), &doc(&other_sdnum), false), 0.0);
    assert_eq!(htmls(&doc(table), &doc(&other_sdnum), true), 1.0);
    assert_eq!(htmls(&doc("<p>x</p>"), &doc("<div>x</div>"), false), 0.0);
    // Quirk: the walk stops at the shorter document (an extra empty element passes; extra
    // text does not, as it changes the body's text).
    assert_eq!(htmls(&doc("<p>x</p>"), &doc("<p>x</p><br>"), false), 1.0);
    assert_eq!(
        htmls(&doc("<p>x</p>"), &doc("<p>x</p><p>y</p>"), false),
        0.0
    );
    // libxml2's tree, as lxml builds it: no tbody is implied (an HTML5 parser adds one), the
    // whitespace between html and head is a text node, html and body are implied.
    let bare = doc("<table><tr><td>1</td></tr></table>");
    let explicit = doc("<table><tbody><tr><td>1</td></tr></tbody></table>");
    assert_eq!(htmls(&bare, &explicit, false), 0.0);
    assert_eq!(
        htmls(
            "<html>\n<head><title>T</title></head>\n<body><p>x</p></body>\n</html>",
            "<html><head><title>T</title></head><body><p>x</p></body></html>",
            false
        ),
        0.0
    );
    assert_eq!(
        htmls("<p>x</p>", "<html><body><p>x</p></body></html>", false),
        1.0
    );
    // The file is read as UTF-8 whatever its meta says.
    let latin = "<meta charset=\"latin1\"><p>\u{e9}</p>";
    assert_eq!(htmls(latin, latin, false), 1.0);
    assert_eq!(htmls("<p>\u{e9}</p>", "<p>e</p>", false), 0.0);
    // A missing result file scores 0.
    let dir = tempfile::tempdir().unwrap();
    let gold = html(&dir, "g.html", &doc("<p>x</p>"));
    assert_eq!(
        score(
            "compare_htmls",
            Some(&Got::File(None)),
            Some(&gold),
            &Map::new()
        ),
        Ok(0.0)
    );
}
