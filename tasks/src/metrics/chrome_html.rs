//! `compare_htmls` (OSWorld's `metrics/chrome.py`): two HTML files walked node by node in
//! document order, pairwise up to the shorter walk (so a file that is a prefix of the other
//! passes, as in OSWorld); elements must agree on name, stripped text and attributes, other
//! nodes on their text.
//!
//! OSWorld parses with BeautifulSoup over lxml (libxml2's HTML parser); deskhand parses with
//! `scraper` (html5ever, the WHATWG algorithm browsers use; pure Rust and maintained by the
//! Servo project's successors), so what BeautifulSoup sees is rebuilt here:
//! - an element's text is its descendants' text of the element's own kind of string (text
//!   inside `script`, `style`, `template`, `rt` and `rp` is a string of another kind, so a
//!   `div`'s text leaves a script's code out; comments never count);
//! - multi-valued attributes (`class`, `rel`, …) are lists of their whitespace-separated
//!   words, so `class="a  b"` equals `class="a b"`;
//! - with `ignore_sdnum`, attributes that differ are compared without `sdnum`, and that
//!   comparison decides the element (OSWorld skips nothing else once it takes that branch).
//!
//! Text nodes count even when they are only whitespace, as with lxml (so re-indented HTML
//! differs). Where the two parsers build different trees for the same file (html5ever adds a
//! `tbody` to a bare table row, as browsers do; libxml2 does not), both files get the same
//! treatment, so equal files stay equal; a pair that differs only there may score otherwise.

use scraper::{Html, Node};
use std::collections::BTreeMap;

/// An attribute value as BeautifulSoup holds it.
#[derive(Debug, PartialEq)]
enum AttrValue {
    One(String),
    Words(Vec<String>),
}

/// Attributes BeautifulSoup splits into words (`HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES`).
fn is_multi_valued(tag: &str, attr: &str) -> bool {
    matches!(attr, "class" | "accesskey" | "dropzone")
        || matches!(
            (tag, attr),
            ("a" | "link", "rel" | "rev")
                | ("td" | "th", "headers")
                | ("form", "accept-charset")
                | ("object", "archive")
                | ("area", "rel")
                | ("icon", "sizes")
                | ("iframe", "sandbox")
                | ("output", "for")
        )
}

/// The kind of string BeautifulSoup makes of text directly inside `tag`'s subtree.
fn string_kind(tag: &str) -> Option<&'static str> {
    match tag {
        "rt" => Some("rt"),
        "rp" => Some("rp"),
        "style" => Some("style"),
        "script" => Some("script"),
        "template" => Some("template"),
        _ => None,
    }
}

/// One node of the walk.
#[derive(Debug)]
enum Item {
    Element {
        name: String,
        text: String,
        attrs: BTreeMap<String, AttrValue>,
    },
    /// Text, a comment or a doctype: compared as strings.
    Other(String),
}

fn walk(doc: &Html) -> Vec<Item> {
    let root = doc.tree.root();
    let mut out = Vec::new();
    for node in root.descendants().skip(1) {
        match node.value() {
            Node::Element(e) => {
                let name = e.name().to_owned();
                let own_kind = string_kind(&name);
                let mut text = String::new();
                for d in node.descendants() {
                    if let Node::Text(t) = d.value() {
                        let kind = d
                            .ancestors()
                            .filter_map(|a| a.value().as_element())
                            .find_map(|a| string_kind(a.name()));
                        if kind == own_kind {
                            text.push_str(t);
                        }
                    }
                }
                let attrs = e
                    .attrs()
                    .map(|(k, v)| {
                        let value = if is_multi_valued(&name, k) {
                            AttrValue::Words(v.split_whitespace().map(str::to_owned).collect())
                        } else {
                            AttrValue::One(v.to_owned())
                        };
                        (k.to_owned(), value)
                    })
                    .collect();
                out.push(Item::Element { name, text, attrs });
            }
            Node::Text(t) => out.push(Item::Other(t.to_string())),
            Node::Comment(c) => out.push(Item::Other(c.to_string())),
            Node::Doctype(d) => out.push(Item::Other(d.name().to_owned())),
            _ => {}
        }
    }
    out
}

fn same(a: &Item, b: &Item, ignore_sdnum: bool) -> bool {
    match (a, b) {
        (
            Item::Element {
                name: n1,
                text: t1,
                attrs: a1,
            },
            Item::Element {
                name: n2,
                text: t2,
                attrs: a2,
            },
        ) => {
            if n1 != n2 || t1.trim() != t2.trim() {
                return false;
            }
            if a1 != a2 {
                if ignore_sdnum {
                    let drop = |m: &BTreeMap<String, AttrValue>| {
                        m.iter()
                            .filter(|(k, _)| *k != "sdnum")
                            .map(|(k, v)| (k.clone(), format!("{v:?}")))
                            .collect::<Vec<_>>()
                    };
                    return drop(a1) == drop(a2);
                }
                return false;
            }
            true
        }
        (Item::Other(x), Item::Other(y)) => x == y,
        _ => false,
    }
}

/// Whether two HTML documents compare equal as OSWorld's `compare_htmls` compares them.
pub(super) fn same_html(a: &str, b: &str, ignore_sdnum: bool) -> bool {
    let (x, y) = (
        walk(&Html::parse_document(a)),
        walk(&Html::parse_document(b)),
    );
    x.iter().zip(&y).all(|(p, q)| same(p, q, ignore_sdnum))
}
