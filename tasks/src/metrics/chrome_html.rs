//! `compare_htmls` (OSWorld's `metrics/chrome.py`): two HTML files walked node by node in
//! document order, pairwise up to the shorter walk (so a file that is a prefix of the other
//! passes, as in OSWorld); elements must agree on name, stripped text and attributes, other
//! nodes on their text.
//!
//! OSWorld parses with BeautifulSoup over lxml, which is libxml2's HTML parser; deskhand parses
//! with libxml2 too (the `libxml` crate, as `check_accessibility_tree` does), so both see the
//! same tree: the same implied `html`/`body`, the same whitespace text nodes, no `tbody` added
//! (an HTML5 parser such as html5ever builds a different tree from the same file, and then
//! pairs that OSWorld finds equal may differ). What BeautifulSoup makes of that tree is rebuilt
//! here:
//! - an element's text is its descendants' text of the element's own kind of string (text
//!   inside `script`, `style`, `template`, `rt` and `rp` is a string of another kind, so a
//!   `div`'s text leaves a script's code out; comments never count);
//! - multi-valued attributes (`class`, `rel`, …) are lists of their whitespace-separated
//!   words, so `class="a  b"` equals `class="a b"`;
//! - with `ignore_sdnum`, attributes that differ are compared without `sdnum`, and that
//!   comparison decides the element (OSWorld skips nothing else once it takes that branch);
//! - the text is handed to the parser as UTF-8 whatever its `meta` says (OSWorld reads the file
//!   as UTF-8 text first), and no default doctype is added (lxml's events to BeautifulSoup
//!   carry none).

use libxml::parser::{Parser, ParserOptions};
use libxml::tree::{Node, NodeType};
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

/// The text of `node`'s subtree that BeautifulSoup counts for an element whose strings are of
/// `kind`: text nodes whose nearest special ancestor (`inside`) gives that same kind.
fn element_text(
    node: &Node,
    kind: Option<&'static str>,
    inside: Option<&'static str>,
    out: &mut String,
) {
    let mut child = node.get_first_child();
    while let Some(c) = child {
        match c.get_type() {
            Some(NodeType::TextNode | NodeType::CDataSectionNode) if inside == kind => {
                out.push_str(&c.get_content());
            }
            Some(NodeType::ElementNode) => {
                let here = string_kind(&c.get_name()).or(inside);
                element_text(&c, kind, here, out);
            }
            _ => {}
        }
        child = c.get_next_sibling();
    }
}

/// Every node under `node`, in document order (BeautifulSoup's `recursiveChildGenerator`).
fn walk_into(node: &Node, out: &mut Vec<Item>) {
    let mut child = node.get_first_child();
    while let Some(c) = child {
        match c.get_type() {
            Some(NodeType::ElementNode) => {
                let name = c.get_name();
                let kind = string_kind(&name);
                let mut text = String::new();
                element_text(&c, kind, kind, &mut text);
                let attrs = c
                    .get_properties()
                    .into_iter()
                    .map(|(k, v)| {
                        let value = if is_multi_valued(&name, &k) {
                            AttrValue::Words(v.split_whitespace().map(str::to_owned).collect())
                        } else {
                            AttrValue::One(v)
                        };
                        (k, value)
                    })
                    .collect();
                out.push(Item::Element { name, text, attrs });
                walk_into(&c, out);
            }
            Some(NodeType::TextNode | NodeType::CDataSectionNode | NodeType::CommentNode) => {
                out.push(Item::Other(c.get_content()));
            }
            Some(NodeType::DTDNode | NodeType::DocumentTypeNode) => {
                out.push(Item::Other(c.get_name()));
            }
            _ => {}
        }
        child = c.get_next_sibling();
    }
}

/// The walk of one document; `None` when libxml2 gives no document at all.
fn walk(text: &str) -> Option<Vec<Item>> {
    let options = ParserOptions {
        recover: true,
        no_def_dtd: true,
        no_error: true,
        no_warning: true,
        no_net: true,
        compact: true,
        encoding: Some("UTF-8"),
        ..ParserOptions::default()
    };
    let doc = Parser::default_html()
        .parse_string_with_options(text.as_bytes(), options)
        .ok()?;
    let mut out = Vec::new();
    walk_into(&doc.as_node(), &mut out);
    Some(out)
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
/// A document libxml2 makes nothing of (empty input) is an empty walk, as BeautifulSoup makes an
/// empty soup of it.
pub(super) fn same_html(a: &str, b: &str, ignore_sdnum: bool) -> bool {
    let (x, y) = (walk(a).unwrap_or_default(), walk(b).unwrap_or_default());
    x.iter().zip(&y).all(|(p, q)| same(p, q, ignore_sdnum))
}
