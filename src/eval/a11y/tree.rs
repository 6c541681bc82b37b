//! Reading the desktop's accessible objects over AT-SPI, as OSWorld's VM server reads them
//! (`desktop_env/server/main.py`, `_create_atspi_node`): per object its name, role, states,
//! attributes, extents (when visible and showing), text, value, actions, and whether it is an
//! image or a selection; children up to [`MAX_DEPTH`] levels and [`MAX_WIDTH`] per object.
//! A LibreOffice Calc sheet's table (millions of cells) contributes only its showing cells,
//! found as OSWorld finds them.
//!
//! Calls go out concurrently (siblings and an object's own calls in parallel). An object whose
//! name or role cannot be read (gone, or its app hung) is left out with everything under it.

use super::bus::{Bus, NULL_PATH, ObjectRef};
use deskhand_tasks::sources::a11y::query::NAMESPACES;
use futures_util::future::{BoxFuture, join_all, join5};
use std::collections::BTreeMap;
use zbus::zvariant::{ObjectPath, OwnedObjectPath};

/// How deep OSWorld reads (applications are at depth 1).
pub const MAX_DEPTH: usize = 50;
/// How many children of one object OSWorld reads.
pub const MAX_WIDTH: usize = 1024;
/// Columns of a Calc sheet (LibreOffice 7.4 and later; 1024 before), as OSWorld counts them.
const CALC_COLUMNS: i32 = 16384;
/// Rows of a Calc sheet.
const CALC_ROWS: i32 = 1_048_576;

const ACCESSIBLE: &str = "org.a11y.atspi.Accessible";

/// AT-SPI's role names by role number (`AtspiRole`), spaces written as `-`.
const ROLES: [&str; 130] = [
    "invalid",
    "accelerator-label",
    "alert",
    "animation",
    "arrow",
    "calendar",
    "canvas",
    "check-box",
    "check-menu-item",
    "color-chooser",
    "column-header",
    "combo-box",
    "date-editor",
    "desktop-icon",
    "desktop-frame",
    "dial",
    "dialog",
    "directory-pane",
    "drawing-area",
    "file-chooser",
    "filler",
    "focus-traversable",
    "font-chooser",
    "frame",
    "glass-pane",
    "html-container",
    "icon",
    "image",
    "internal-frame",
    "label",
    "layered-pane",
    "list",
    "list-item",
    "menu",
    "menu-bar",
    "menu-item",
    "option-pane",
    "page-tab",
    "page-tab-list",
    "panel",
    "password-text",
    "popup-menu",
    "progress-bar",
    "push-button",
    "radio-button",
    "radio-menu-item",
    "root-pane",
    "row-header",
    "scroll-bar",
    "scroll-pane",
    "separator",
    "slider",
    "spin-button",
    "split-pane",
    "status-bar",
    "table",
    "table-cell",
    "table-column-header",
    "table-row-header",
    "tearoff-menu-item",
    "terminal",
    "text",
    "toggle-button",
    "tool-bar",
    "tool-tip",
    "tree",
    "tree-table",
    "unknown",
    "viewport",
    "window",
    "extended",
    "header",
    "footer",
    "paragraph",
    "ruler",
    "application",
    "autocomplete",
    "editbar",
    "embedded",
    "entry",
    "chart",
    "caption",
    "document-frame",
    "heading",
    "page",
    "section",
    "redundant-object",
    "form",
    "link",
    "input-method-window",
    "table-row",
    "tree-item",
    "document-spreadsheet",
    "document-presentation",
    "document-text",
    "document-web",
    "document-email",
    "comment",
    "list-box",
    "grouping",
    "image-map",
    "notification",
    "info-bar",
    "level-bar",
    "title-bar",
    "block-quote",
    "audio",
    "video",
    "definition",
    "article",
    "landmark",
    "log",
    "marquee",
    "math",
    "rating",
    "timer",
    "static",
    "math-fraction",
    "math-root",
    "subscript",
    "superscript",
    "description-list",
    "description-term",
    "description-value",
    "footnote",
    "content-deletion",
    "content-insertion",
    "mark",
    "suggestion",
    "push-button-menu",
];
/// The role number of `extended` (its name comes from the app).
const ROLE_EXTENDED: u32 = 70;

/// AT-SPI's state names by bit (`AtspiStateType`), as pyatspi names them, lower-cased.
const STATES: [&str; 44] = [
    "invalid",
    "active",
    "armed",
    "busy",
    "checked",
    "collapsed",
    "defunct",
    "editable",
    "enabled",
    "expandable",
    "expanded",
    "focusable",
    "focused",
    "has_tooltip",
    "horizontal",
    "iconified",
    "modal",
    "multi_line",
    "multiselectable",
    "opaque",
    "pressed",
    "resizable",
    "selectable",
    "selected",
    "sensitive",
    "showing",
    "single_line",
    "stale",
    "transient",
    "vertical",
    "visible",
    "manages_descendants",
    "indeterminate",
    "required",
    "truncated",
    "animated",
    "invalid_entry",
    "supports_autocompletion",
    "selectable_text",
    "is_default",
    "visited",
    "checkable",
    "has_popup",
    "read_only",
];
const SHOWING: u32 = 25;
const VISIBLE: u32 = 30;

/// One accessible object: its element name (the role), attributes (qualified names, in
/// OSWorld's order), text and children.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The role name.
    pub role: String,
    /// `name`, `st:…`, `attr:…`, `cp:…`, `image`, `selection`, `val:…`, `act:…`.
    pub attributes: Vec<(String, String)>,
    /// The text, if the object has text.
    pub text: String,
    /// The children read.
    pub children: Vec<Node>,
}

impl Node {
    /// How many objects this subtree holds.
    pub fn count(&self) -> usize {
        1 + self.children.iter().map(Node::count).sum::<usize>()
    }
}

/// Where an object sits, for OSWorld's special cases.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Flag {
    None,
    Calc,
}

/// The applications registered on the bus, each with its objects.
pub async fn read_desktop(bus: &Bus) -> Option<Vec<Node>> {
    let root: ObjectRef = (
        "org.a11y.atspi.Registry".to_owned(),
        ObjectPath::from_static_str_unchecked("/org/a11y/atspi/accessible/root").into(),
    );
    let apps: Vec<ObjectRef> = bus.call(&root, ACCESSIBLE, "GetChildren", &()).await?;
    let apps = apps.iter().filter(|a| a.1.as_str() != NULL_PATH);
    let nodes = join_all(apps.map(|app| read(bus, app, 1, Flag::None))).await;
    Some(nodes.into_iter().flatten().collect())
}

fn read<'a>(
    bus: &'a Bus,
    obj: &'a ObjectRef,
    depth: usize,
    flag: Flag,
) -> BoxFuture<'a, Option<Node>> {
    Box::pin(async move {
        let (name, state, attributes, role, interfaces) = join5(
            bus.property::<String>(obj, ACCESSIBLE, "Name"),
            bus.call::<_, Vec<u32>>(obj, ACCESSIBLE, "GetState", &()),
            bus.call::<_, BTreeMap<String, String>>(obj, ACCESSIBLE, "GetAttributes", &()),
            bus.call::<_, u32>(obj, ACCESSIBLE, "GetRole", &()),
            bus.call::<_, Vec<String>>(obj, ACCESSIBLE, "GetInterfaces", &()),
        )
        .await;
        let name = name?;
        let role = role?;
        let raw_role = match ROLES.get(role as usize) {
            Some(r) if role != ROLE_EXTENDED => r.replace('-', " "),
            _ => bus
                .call::<_, String>(obj, ACCESSIBLE, "GetRoleName", &())
                .await
                .unwrap_or_default()
                .trim()
                .to_owned(),
        };
        let interfaces = interfaces.unwrap_or_default();
        let has = |i: &str| interfaces.iter().any(|x| x == i);

        let mut attrs = vec![("name".to_owned(), name)];
        let bits = state.map_or(0u64, |words| {
            words
                .iter()
                .take(2)
                .enumerate()
                .fold(0, |acc, (i, w)| acc | (u64::from(*w) << (32 * i)))
        });
        for (bit, state) in STATES.iter().enumerate() {
            if bits & (1 << bit) != 0 {
                attrs.push((format!("st:{state}"), "true".into()));
            }
        }
        for (key, value) in attributes.unwrap_or_default() {
            if !key.is_empty() {
                attrs.push((format!("attr:{key}"), value));
            }
        }
        let showing = bits & (1 << VISIBLE) != 0 && bits & (1 << SHOWING) != 0;
        let extents = async {
            if showing && has("org.a11y.atspi.Component") {
                bus.call::<_, (i32, i32, i32, i32)>(
                    obj,
                    "org.a11y.atspi.Component",
                    "GetExtents",
                    &0u32,
                )
                .await
            } else {
                None
            }
        };
        let text = async {
            if has("org.a11y.atspi.Text") {
                bus.call::<_, String>(obj, "org.a11y.atspi.Text", "GetText", &(0i32, -1i32))
                    .await
            } else {
                None
            }
        };
        let value = async {
            if !has("org.a11y.atspi.Value") {
                return Vec::new();
            }
            // One property at a time, as pyatspi reads them: Properties.GetAll on a Value
            // crashes Chromium (its AT-SPI bridge aborts on the reply).
            let keys = [
                ("value", "CurrentValue"),
                ("min", "MinimumValue"),
                ("max", "MaximumValue"),
                ("step", "MinimumIncrement"),
            ];
            let got = join_all(
                keys.iter()
                    .map(|(_, p)| bus.property::<f64>(obj, "org.a11y.atspi.Value", p)),
            )
            .await;
            keys.iter()
                .zip(got)
                .filter_map(|((key, _), v)| Some((*key, v?)))
                .collect::<Vec<_>>()
        };
        let actions = async {
            if !has("org.a11y.atspi.Action") {
                return Vec::new();
            }
            const ACTION: &str = "org.a11y.atspi.Action";
            // By index, as pyatspi reads them: GetActions has localized names ("Click") and,
            // from Gecko, other descriptions.
            let count = bus
                .property::<i32>(obj, ACTION, "NActions")
                .await
                .unwrap_or(0);
            let one = |i: i32| async move {
                let (name, description, keybinding) = futures_util::future::join3(
                    bus.call::<_, String>(obj, ACTION, "GetName", &i),
                    bus.call::<_, String>(obj, ACTION, "GetDescription", &i),
                    bus.call::<_, String>(obj, ACTION, "GetKeyBinding", &i),
                )
                .await;
                Some((name?, description?, keybinding?))
            };
            join_all((0..count.max(0)).map(one))
                .await
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
        };
        let (extents, text, value, actions) =
            futures_util::future::join4(extents, text, value, actions).await;
        if let Some((x, y, w, h)) = extents {
            attrs.push(("cp:screencoord".into(), format!("({x}, {y})")));
            attrs.push(("cp:size".into(), format!("({w}, {h})")));
        }
        let text = text
            .unwrap_or_default()
            .replace(['\u{fffc}', '\u{fffd}'], "");
        if has("org.a11y.atspi.Image") {
            attrs.push(("image".into(), "true".into()));
        }
        if has("org.a11y.atspi.Selection") {
            attrs.push(("selection".into(), "true".into()));
        }
        for (key, v) in value {
            attrs.push((format!("val:{key}"), python_float(v)));
        }
        for (action, description, keybinding) in actions {
            let action = action.replace(' ', "-");
            attrs.push((format!("act:{action}_desc"), description));
            attrs.push((format!("act:{action}_kb"), keybinding));
        }

        let flag = match (flag, raw_role.as_str()) {
            (Flag::None, "document spreadsheet") => Flag::Calc,
            (flag, _) => flag,
        };
        let element = if raw_role.is_empty() {
            "unknown".to_owned()
        } else {
            raw_role.replace(' ', "-")
        };
        let children = if depth == MAX_DEPTH {
            Vec::new()
        } else if flag == Flag::Calc && element == "table" {
            calc_cells(bus, obj, depth, flag).await
        } else {
            let children: Vec<ObjectRef> = bus
                .call(obj, ACCESSIBLE, "GetChildren", &())
                .await
                .unwrap_or_default();
            let children = children
                .iter()
                .take(MAX_WIDTH)
                .filter(|c| c.1.as_str() != NULL_PATH);
            join_all(children.map(|c| read(bus, c, depth + 1, flag)))
                .await
                .into_iter()
                .flatten()
                .collect()
        };
        Some(Node {
            role: element,
            attributes: attrs,
            text,
            children,
        })
    })
}

/// The showing cells of a Calc sheet's table, scanned row by row from the first showing cell
/// as OSWorld scans them (it gives up after 500 rows or columns without one).
async fn calc_cells(bus: &Bus, table: &ObjectRef, depth: usize, flag: Flag) -> Vec<Node> {
    let cells = showing_cells(bus, table).await;
    join_all(cells.iter().map(|c| read(bus, c, depth + 1, flag)))
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// The showing cells of a Calc table, in OSWorld's order.
async fn showing_cells(bus: &Bus, table: &ObjectRef) -> Vec<ObjectRef> {
    let mut cells = Vec::new();
    let mut index_base: i32 = 0;
    let mut column_base: Option<i32> = None;
    for row in 0..CALC_ROWS {
        let mut column = column_base.unwrap_or(0);
        while column < CALC_COLUMNS {
            let Some(index) = index_base.checked_add(column) else {
                return cells;
            };
            let Some(cell) = bus
                .call::<_, (String, OwnedObjectPath)>(table, ACCESSIBLE, "GetChildAtIndex", &index)
                .await
            else {
                return cells;
            };
            let state: Vec<u32> = bus
                .call(&cell, ACCESSIBLE, "GetState", &())
                .await
                .unwrap_or_default();
            let showing = state.first().is_some_and(|w| w & (1 << SHOWING) != 0);
            if showing {
                cells.push(cell);
                column_base.get_or_insert(column);
            } else if column_base.is_some() || column >= 500 {
                break;
            }
            column += 1;
        }
        match column_base {
            Some(base) if column == base => break,
            None if row >= 500 => break,
            _ => {}
        }
        index_base = index_base.saturating_add(CALC_COLUMNS);
    }
    cells
}

/// The document OSWorld's server writes: the root `desktop-frame` declaring the namespaces,
/// the applications under it (format: `deskhand_tasks::sources::a11y::query`).
pub fn to_xml(apps: &[Node]) -> String {
    let mut out = String::from("<desktop-frame");
    for (prefix, uri) in NAMESPACES {
        out.push_str(&format!(" xmlns:{prefix}=\"{}\"", escape(uri, true)));
    }
    if apps.is_empty() {
        out.push_str("/>");
        return out;
    }
    out.push('>');
    for app in apps {
        write_node(&mut out, app);
    }
    out.push_str("</desktop-frame>");
    out
}

fn write_node(out: &mut String, node: &Node) {
    out.push('<');
    out.push_str(&node.role);
    for (name, value) in &node.attributes {
        if !is_qualified_name(name) {
            // lxml refuses such a name (an app's attribute key with a space, say).
            continue;
        }
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(&escape(value, true));
        out.push('"');
    }
    if node.text.is_empty() && node.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    out.push_str(&escape(&node.text, false));
    for child in &node.children {
        write_node(out, child);
    }
    out.push_str("</");
    out.push_str(&node.role);
    out.push('>');
}

/// `name` or `prefix:name`, each part an XML name without a colon.
fn is_qualified_name(name: &str) -> bool {
    let ncname = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{b7}'))
    };
    match name.split_once(':') {
        Some((prefix, local)) => ncname(prefix) && ncname(local),
        None => ncname(name),
    }
}

/// `s` escaped for XML text or (`attribute`) a double-quoted attribute value, as lxml writes
/// them; characters XML cannot hold are left out.
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' if attribute => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Python's `str(float)`: the shortest repr, `.0` on whole numbers, exponent form outside
/// 1e-4 ≤ |v| < 1e16 (`1e+16`, `1.5e-05`).
pub fn python_float(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let abs = v.abs();
    if v == 0.0 || (1e-4..1e16).contains(&abs) {
        let s = format!("{v}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        let s = format!("{v:e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match exponent.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exponent),
        };
        format!("{mantissa}e{sign}{digits:0>2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_prints_them() {
        for (v, want) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (0.1, "0.1"),
            (2.5e-5, "2.5e-05"),
            (1e16, "1e+16"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (123456.789, "123456.789"),
        ] {
            assert_eq!(python_float(v), want, "{v}");
        }
    }

    #[test]
    fn xml_is_escaped_and_namespaced() {
        let app = Node {
            role: "application".into(),
            attributes: vec![
                ("name".into(), "a \"b\" <c> & d\n".into()),
                ("attr:bad key".into(), "x".into()),
                ("st:focused".into(), "true".into()),
            ],
            text: "x < y\u{1}".into(),
            children: vec![],
        };
        let xml = to_xml(&[app]);
        assert!(xml.starts_with(
            "<desktop-frame xmlns:st=\"https://accessibility.ubuntu.example.org/ns/state\""
        ));
        assert!(
            xml.ends_with(
                "><application name=\"a &quot;b&quot; &lt;c&gt; &amp; d&#10;\" st:focused=\"true\">x &lt; y</application></desktop-frame>"
            ),
            "{xml}"
        );
        let tree = deskhand_tasks::sources::a11y::query::Tree::parse(&xml).unwrap();
        assert_eq!(
            tree.select("application[st|focused=true]").unwrap().len(),
            1
        );
    }
}
