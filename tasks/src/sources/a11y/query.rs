//! The accessibility tree's XML, and the queries OSWorld runs on it.
//!
//! # Format (written by deskhand's `accessibility_tree` getter, as OSWorld's VM server writes it)
//!
//! One root element `desktop-frame` declaring the namespaces of [`NAMESPACES`]; under it one
//! element per application, and under each, its accessible objects as nested elements. Each
//! element is named after the object's role (AT-SPI's role name, spaces turned into `-`:
//! `push-button`, `page-tab-list`; `unknown` when empty) and carries:
//!
//! - `name`: the object's name;
//! - `st:NAME="true"` for each state it is in (`st:focused`, `st:showing`, `st:multi_line`);
//! - `attr:KEY="VALUE"` for each of its object attributes (`attr:id`, `attr:class`, `attr:tag`);
//! - `cp:screencoord="(x, y)"` and `cp:size="(w, h)"` (screen pixels) when it is visible and
//!   showing and has a component;
//! - `image="true"` and `selection="true"` when it has those interfaces;
//! - `val:value`, `val:min`, `val:max`, `val:step` (Python's `str` of the number) for a value;
//! - `act:ACTION_desc` and `act:ACTION_kb` for each action (spaces in its name turned into `-`);
//! - its text (the Text interface's whole text, U+FFFC and U+FFFD removed) as element text.
//!
//! ```xml
//! <desktop-frame xmlns:st="https://accessibility.ubuntu.example.org/ns/state" …>
//!   <application name="Mousepad" …>
//!     <frame name="Untitled 1 - Mousepad" st:active="true" cp:screencoord="(0, 0)" cp:size="(640, 480)">
//!       …<text name="" st:editable="true" st:focused="true">hello</text>…
//! ```
//!
//! # Queries
//!
//! OSWorld parses that XML with lxml and queries it with XPath and with CSS selectors
//! (`lxml.cssselect`, which translates them to XPath). lxml's XPath is libxml2's, so [`Tree`]
//! holds a libxml2 document and evaluates XPath in libxml2; CSS selectors are first translated
//! the way `cssselect` translates them ([`css_to_xpath`]), lxml's lower-casing for
//! `:contains()` done with `translate()` ([`Tree::select`]). Both run with the root element as
//! context node and [`NAMESPACES`] as prefixes, as OSWorld's `check_accessibility_tree` does.

#[path = "css.rs"]
mod css;

pub use css::{CssError, to_xpath as css_to_xpath};
use libxml::parser::{Parser, ParserOptions};
use libxml::readonly::RoNode;
use libxml::tree::{Document, NodeType};
use libxml::xpath::Context;

/// The namespace prefixes of the tree and their URIs (OSWorld's map for Ubuntu), in the order
/// the root element declares them.
pub const NAMESPACES: &[(&str, &str)] = &[
    ("st", "https://accessibility.ubuntu.example.org/ns/state"),
    (
        "attr",
        "https://accessibility.ubuntu.example.org/ns/attributes",
    ),
    (
        "cp",
        "https://accessibility.ubuntu.example.org/ns/component",
    ),
    (
        "doc",
        "https://accessibility.ubuntu.example.org/ns/document",
    ),
    (
        "docattr",
        "https://accessibility.ubuntu.example.org/ns/document/attributes",
    ),
    ("txt", "https://accessibility.ubuntu.example.org/ns/text"),
    ("val", "https://accessibility.ubuntu.example.org/ns/value"),
    ("act", "https://accessibility.ubuntu.example.org/ns/action"),
];

/// Why a tree or a query could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The tree is not well-formed XML.
    #[error("the accessibility tree is not well-formed XML: {0}")]
    Xml(String),
    /// A CSS selector could not be translated.
    #[error(transparent)]
    Css(#[from] CssError),
    /// An XPath expression is malformed, or does not select nodes.
    #[error("XPath {xpath:?}: {reason}")]
    XPath {
        /// The expression.
        xpath: String,
        /// What is wrong.
        reason: String,
    },
}

/// A node a query selected.
#[derive(Debug, Clone, PartialEq)]
pub enum Selected {
    /// An element, with its text as lxml's `.text` reads it (the text before its first child
    /// that is not text; `None` when there is none).
    Element {
        /// The element's name.
        name: String,
        /// Its text.
        text: Option<String>,
    },
    /// Something else (an attribute, a text node), as its string value.
    Other(String),
}

impl Selected {
    /// The element's text; `None` for a node that is not an element too.
    pub fn text(&self) -> Option<&str> {
        match self {
            Selected::Element { text, .. } => text.as_deref(),
            Selected::Other(_) => None,
        }
    }
}

/// A parsed tree.
pub struct Tree {
    doc: Document,
}

impl std::fmt::Debug for Tree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tree")
    }
}

impl Tree {
    /// Parses `xml` (as `lxml.etree.fromstring` would).
    pub fn parse(xml: &str) -> Result<Tree, QueryError> {
        // lxml's parser: no recovery from errors, no network.
        let options = ParserOptions {
            recover: false,
            no_net: true,
            ..ParserOptions::default()
        };
        let doc = Parser::default()
            .parse_string_with_options(xml, options)
            .map_err(|e| QueryError::Xml(format!("{e:?}")))?;
        if doc.get_root_element().is_none() {
            return Err(QueryError::Xml("no root element".into()));
        }
        Ok(Tree { doc })
    }

    /// The nodes `xpath` selects, in document order.
    pub fn xpath(&self, xpath: &str) -> Result<Vec<Selected>, QueryError> {
        let fail = |reason: &str| QueryError::XPath {
            xpath: xpath.to_owned(),
            reason: reason.to_owned(),
        };
        let mut context = Context::new(&self.doc).map_err(|()| fail("no XPath context"))?;
        for (prefix, uri) in NAMESPACES {
            context
                .register_namespace(prefix, uri)
                .map_err(|()| fail("cannot register the namespaces"))?;
        }
        let root = self
            .doc
            .get_root_element()
            .ok_or_else(|| fail("no root element"))?;
        context
            .set_context_node(&root)
            .map_err(|()| fail("cannot set the context node"))?;
        let found = context
            .evaluate_checked(xpath)
            .map_err(|e| fail(&e.to_string()))?;
        let nodes = found.get_readonly_nodes_as_vec();
        if nodes.is_empty() {
            // libxml2 reports a number, a string or a boolean as no nodes; lxml hands those back
            // as values, on which OSWorld's `len()` and `.text` fail. Tell them apart.
            if context
                .evaluate_checked(&format!("count({xpath})"))
                .is_err()
            {
                return Err(fail("does not select nodes"));
            }
        }
        Ok(nodes.into_iter().map(selected).collect())
    }

    /// The nodes the CSS selector list `css` selects (lxml's `CSSSelector(css)(root)`).
    pub fn select(&self, css: &str) -> Result<Vec<Selected>, QueryError> {
        let text = self.lower_case();
        let lower = css::Lowering {
            text: &text,
            fold_sigma: true,
        };
        self.xpath(&css::to_xpath_lowering(css, &lower)?)
    }

    /// An XPath 1.0 stand-in for lxml's [`css::LXML_LOWER_CASE`] (Python's `str.lower` of the
    /// element's text) on this tree: `translate()` from every character of the tree's text that
    /// lower-cases to another single character. It differs from Python only where lower-casing
    /// depends on more than the character: U+0130 (whose lower case is two characters, here
    /// just `i`) and the sigma, whose final form Python writes `ς` by its place in the word:
    /// here `Σ`, `σ` and `ς` all become `σ`, in the text and in the `:contains()` value alike,
    /// so a sigma matches a sigma whatever its place (where Python wants the same form).
    fn lower_case(&self) -> String {
        let text = self
            .doc
            .get_root_element()
            .map(|root| root.get_content())
            .unwrap_or_default();
        let pairs: std::collections::BTreeMap<char, char> = text
            .chars()
            .filter_map(|c| {
                if c == 'ς' {
                    return Some((c, 'σ'));
                }
                let mut lower = c.to_lowercase();
                let first = lower.next()?;
                (first != c).then_some((c, first))
            })
            .collect();
        if pairs.is_empty() {
            return "string(.)".to_owned();
        }
        let from: String = pairs.keys().collect();
        let to: String = pairs.values().collect();
        format!(
            "translate(string(.), {}, {})",
            css::literal(&from),
            css::literal(&to)
        )
    }
}

fn selected(node: RoNode) -> Selected {
    if node.get_type() != Some(NodeType::ElementNode) {
        return Selected::Other(node.get_content());
    }
    let mut text = String::new();
    let mut child = node.get_first_child();
    while let Some(c) = child {
        match c.get_type() {
            Some(NodeType::TextNode | NodeType::CDataSectionNode) => {
                text.push_str(&c.get_content())
            }
            _ => break,
        }
        child = c.get_next_sibling();
    }
    Selected::Element {
        name: node.get_name(),
        text: (!text.is_empty()).then_some(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// Each corpus selector (and a few more shapes), and what lxml's translator (cssselect 1.2 to
    /// 1.6) translates it to.
    #[test]
    fn selectors_translate_as_cssselect_does() {
        let cases = [
            (
                r#"application[name=Thunderbird] page-tab-list[attr|id="tabmail-tabs"]>page-tab[name="About Profiles"]"#,
                "descendant-or-self::application[@name = 'Thunderbird']/descendant::page-tab-list[@attr:id = 'tabmail-tabs']/page-tab[@name = 'About Profiles']",
            ),
            (
                r#"tool-bar[attr|id=MsgHeadersToolbar] label[name=To]~[attr|class="address-pill"]>label[attr|class="pill-label"][name*="fox@someuniversity.edu"]"#,
                "descendant-or-self::tool-bar[@attr:id = 'MsgHeadersToolbar']/descendant::label[@name = 'To']/following-sibling::*[@attr:class = 'address-pill']/label[(@attr:class = 'pill-label') and (@name and contains(@name, 'fox@someuniversity.edu'))]",
            ),
            (
                r"application[name=Google\ Chrome] entry[name=Address\ and\ search\ bar]",
                "descendant-or-self::application[@name = 'Google Chrome']/descendant::entry[@name = 'Address and search bar']",
            ),
            (
                "a + b, c:first-child, d.x#y, [q^=''], [r$=ab], f:contains(\"it's\"), g:hover, h *",
                "descendant-or-self::a/following-sibling::*[(self::b) and (position() = 1)] | descendant-or-self::c[count(preceding-sibling::*) = 0] | descendant-or-self::d[(@class and contains(@class, 'x') and contains(concat(' ', normalize-space(@class), ' '), ' x ')) and (@id = 'y')] | descendant-or-self::*[0] | descendant-or-self::*[@r and substring(@r, string-length(@r)-1) = 'ab'] | descendant-or-self::f[contains(__lxml_internal_css:lower-case(string(.)), \"it's\")] | descendant-or-self::g[0] | descendant-or-self::h/descendant-or-self::*/*",
            ),
        ];
        for (css, xpath) in cases {
            assert_eq!(css_to_xpath(css).as_deref(), Ok(xpath), "{css}");
        }
        assert!(css_to_xpath("a[").is_err());
        assert!(css_to_xpath("a:nth-child(x)").is_err());
        assert!(css_to_xpath("*:nth-of-type(2)").is_err());
        assert!(css_to_xpath("a:nth-child(\"2\")").is_err());
        assert!(css_to_xpath("a:frobnicate(2)").is_err());
        // Numbers are not identifiers to cssselect.
        assert!(css_to_xpath("[name=42]").is_err());
        assert!(css_to_xpath("[name=-1]").is_err());
        assert!(css_to_xpath(":contains(42)").is_err());
        assert!(css_to_xpath("4a").is_err());
        assert!(css_to_xpath(":contains(-a)").is_ok());
        assert!(css_to_xpath(":contains(_1)").is_ok());
        assert!(css_to_xpath(r":contains(\34 2)").is_ok());
        assert!(css_to_xpath("a:nth-child(2N+1)").is_err());
        assert!(css_to_xpath("").is_err());
    }

    /// The structural functions and `:contains()`, as lxml's translator (cssselect 1.2)
    /// writes them.
    #[test]
    fn nth_and_contains_translate_as_lxml_does() {
        let cases = [
            (
                r#"label:nth-child(3)"#,
                r#"descendant-or-self::label[count(preceding-sibling::*) = 2]"#,
            ),
            (
                r#"a:nth-child(odd)"#,
                r#"descendant-or-self::a[count(preceding-sibling::*) mod 2 = 0]"#,
            ),
            (
                r#"a:nth-child(even)"#,
                r#"descendant-or-self::a[(count(preceding-sibling::*) +1) mod 2 = 0]"#,
            ),
            (r#"a:nth-child(n)"#, r#"descendant-or-self::a"#),
            (
                r#"a:nth-child(-n+3)"#,
                r#"descendant-or-self::a[count(preceding-sibling::*) <= 2]"#,
            ),
            (
                r#"a:nth-child(-2n+5)"#,
                r#"descendant-or-self::a[(count(preceding-sibling::*) <= 4) and (count(preceding-sibling::*) mod -2 = 0)]"#,
            ),
            (
                r#"a:nth-child(3n-1)"#,
                r#"descendant-or-self::a[(count(preceding-sibling::*) +2) mod 3 = 0]"#,
            ),
            (r#"a:nth-child(-n-1)"#, r#"descendant-or-self::a[0]"#),
            (
                r#"a:nth-child(+ n + 2)"#,
                r#"descendant-or-self::a[count(preceding-sibling::*) >= 1]"#,
            ),
            (
                r#"a:nth-last-child(2n+1)"#,
                r#"descendant-or-self::a[count(following-sibling::*) mod 2 = 0]"#,
            ),
            (
                r#"section:nth-of-type(1)"#,
                r#"descendant-or-self::section[count(preceding-sibling::section) = 0]"#,
            ),
            (
                r#"b:nth-last-of-type(-3n+7)"#,
                r#"descendant-or-self::b[(count(following-sibling::b) <= 6) and (count(following-sibling::b) mod -3 = 0)]"#,
            ),
            (
                r#"c:NTH-CHILD(1_0)"#,
                r#"descendant-or-self::c[count(preceding-sibling::*) = 9]"#,
            ),
            (
                r#"a:nth-child(0n+0)"#,
                r#"descendant-or-self::a[count(preceding-sibling::*) = -1]"#,
            ),
            (
                r#"x:contains("HeLLo Ü")"#,
                r#"descendant-or-self::x[contains(__lxml_internal_css:lower-case(string(.)), 'hello ü')]"#,
            ),
            (
                r#"x:contains(Ab)"#,
                r#"descendant-or-self::x[contains(__lxml_internal_css:lower-case(string(.)), 'ab')]"#,
            ),
        ];
        for (css, xpath) in cases {
            assert_eq!(css_to_xpath(css).as_deref(), Ok(xpath), "{css}");
        }
    }

    #[test]
    fn contains_lower_cases_both_sides() {
        let tree = Tree::parse(
            "<desktop-frame><label name='a'>Say HeLLo</label><label name='b'>ÜBER</label><label name='c'>bye</label></desktop-frame>",
        )
        .unwrap();
        let names = |css: &str| -> Vec<String> {
            tree.select(css)
                .unwrap()
                .into_iter()
                .map(|s| match s {
                    Selected::Element { text, .. } => text.unwrap_or_default(),
                    Selected::Other(o) => o,
                })
                .collect()
        };
        assert_eq!(names(r#"label:contains("hello")"#), ["Say HeLLo"]);
        assert_eq!(names("label:contains(HELLO)"), ["Say HeLLo"]);
        assert_eq!(names(r#"label:contains("über")"#), ["ÜBER"]);
        // A word's final capital sigma is `ς` to Python, in the text and the value alike.
        let greek = Tree::parse("<desktop-frame><a>ΟΔΟΣ</a><a>οδος</a></desktop-frame>").unwrap();
        assert_eq!(greek.select(r#"a:contains("ΟΔΟΣ")"#).unwrap().len(), 2);
        assert_eq!(greek.select(r#"a:contains("οδος")"#).unwrap().len(), 2);
        assert_eq!(names("label:nth-child(2)"), ["ÜBER"]);
        assert_eq!(names("label:nth-last-child(odd)"), ["Say HeLLo", "bye"]);
        let empty = Tree::parse("<desktop-frame><a/></desktop-frame>").unwrap();
        assert_eq!(empty.select("a:contains('')").unwrap().len(), 1);
    }

    #[test]
    fn text_is_lxml_text_and_non_nodes_are_refused() {
        let tree = Tree::parse(
            r#"<desktop-frame xmlns:st="https://accessibility.ubuntu.example.org/ns/state"><a st:focused="true" name="x">one<b/>two</a><a name="y"/></desktop-frame>"#,
        )
        .unwrap();
        assert_eq!(
            tree.xpath("//a[@st:focused='true']").unwrap(),
            vec![Selected::Element {
                name: "a".into(),
                text: Some("one".into())
            }]
        );
        assert_eq!(tree.select("a[name=y]").unwrap()[0].text(), None);
        assert_eq!(
            tree.xpath("//a/@name").unwrap(),
            vec![Selected::Other("x".into()), Selected::Other("y".into())]
        );
        assert!(tree.xpath("count(//a)").is_err());
        assert!(tree.xpath("//a[").is_err());
        assert_eq!(tree.xpath("//zzz").unwrap(), vec![]);
        assert!(Tree::parse("<a>").is_err());
    }
}
