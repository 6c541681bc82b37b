//! Reading a docx file as python-docx 1.1.2 sees it (`Document(path)`).
//!
//! The package's main part is the target of the `officeDocument` relationship in `_rels/.rels`,
//! and its content type (`[Content_Types].xml`: an `Override` for the part, else the `Default`
//! for its extension) must be the WordprocessingML main document's, as python-docx requires;
//! anything else (not a zip, no such part, a template's content type) fails to open, which the
//! metrics score 0. The part is parsed into a small element tree ([`Node`]) with namespace
//! prefixes dropped (`w:p` is `p`).
//!
//! Views kept from python-docx:
//! - `document.paragraphs`: the `w:p` children of `w:body` (not those in tables, text boxes or
//!   `w:sdt`).
//! - `Paragraph.text`: the text of its `w:r` and `w:hyperlink` children (a hyperlink's own `w:r`
//!   children), in order; runs inside `w:ins`, `w:smartTag`, `w:fldSimple` or `w:sdt` are not
//!   counted.
//! - `Run.text`: its `w:t` text, `w:tab` and `w:ptab` as a tab, `w:br` as a newline when its type is
//!   `textWrapping` (the default; page and column breaks give nothing), `w:cr` a newline,
//!   `w:noBreakHyphen` a hyphen.
//! - `document.tables`: the `w:tbl` children of `w:body`; a table's rows are its `w:tr`, its
//!   columns the `w:gridCol`s of `w:tblGrid`; `table.cell(i, j)` walks the `w:tc`s as
//!   python-docx's `_cells` does (a `gridSpan` repeats the cell, `vMerge="continue"` repeats
//!   the one above); a cell's text is its `w:p` children's texts joined by newlines.

use quick_xml::events::Event;
use std::io::Read as _;
use std::path::Path;

/// The WordprocessingML main document part's content type.
const MAIN: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";

/// One XML element: its local name, attributes (local names) and children.
#[derive(Debug, Clone, Default)]
pub(super) struct Node {
    pub(super) name: String,
    pub(super) attrs: Vec<(String, String)>,
    pub(super) children: Vec<Child>,
}

/// An element's child: an element or text.
#[derive(Debug, Clone)]
pub(super) enum Child {
    Element(Node),
    Text(String),
}

impl Node {
    /// The child elements.
    pub(super) fn elements(&self) -> impl Iterator<Item = &Node> {
        self.children.iter().filter_map(|c| match c {
            Child::Element(n) => Some(n),
            Child::Text(_) => None,
        })
    }

    /// The child elements named `name`.
    pub(super) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.elements().filter(move |n| n.name == name)
    }

    /// The first child element named `name`.
    pub(super) fn first(&self, name: &str) -> Option<&Node> {
        self.elements().find(|n| n.name == name)
    }

    /// An attribute by local name.
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The element's own text (lxml's `.text`: the text before its first child element).
    pub(super) fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.children {
            match c {
                Child::Text(t) => out.push_str(t),
                Child::Element(_) => break,
            }
        }
        out
    }
}

/// An opened document: the main part's root element (`w:document`).
#[derive(Debug, Clone)]
pub(super) struct Docx {
    pub(super) root: Node,
}

/// The local part of a qualified name.
fn local(name: &[u8]) -> String {
    let name = match name.iter().position(|b| *b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    String::from_utf8_lossy(name).into_owned()
}

/// Parses XML into its root element; `None` when it is not well-formed.
pub(super) fn parse(xml: &[u8]) -> Option<Node> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Node> = Vec::new();
    let mut root = None;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        match event {
            Event::Start(e) => stack.push(element(&e, reader.decoder())?),
            Event::Empty(e) => {
                let node = element(&e, reader.decoder())?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Child::Element(node)),
                    None => root = Some(node),
                }
            }
            Event::End(_) => {
                let node = stack.pop()?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Child::Element(node)),
                    None => root = Some(node),
                }
            }
            Event::Text(t) => {
                if let Some(parent) = stack.last_mut() {
                    let text = t.decode().ok()?;
                    let text = quick_xml::escape::unescape(&text).ok()?.into_owned();
                    push_text(parent, text);
                }
            }
            Event::CData(t) => {
                if let Some(parent) = stack.last_mut() {
                    push_text(parent, String::from_utf8_lossy(&t).into_owned());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(parent) = stack.last_mut() {
                    let name = r.decode().ok()?;
                    let text = quick_xml::escape::unescape(&format!("&{name};"))
                        .ok()?
                        .into_owned();
                    push_text(parent, text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return None;
    }
    root
}

/// Appends text to an element, joining it with text just before.
fn push_text(parent: &mut Node, text: String) {
    if let Some(Child::Text(last)) = parent.children.last_mut() {
        last.push_str(&text);
    } else {
        parent.children.push(Child::Text(text));
    }
}

fn element(
    e: &quick_xml::events::BytesStart<'_>,
    decoder: quick_xml::encoding::Decoder,
) -> Option<Node> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.ok()?;
        let value = a.decode_and_unescape_value(decoder).ok()?.into_owned();
        attrs.push((local(a.key.as_ref()), value));
    }
    Some(Node {
        name: local(e.name().as_ref()),
        attrs,
        children: Vec::new(),
    })
}

/// One zip member's bytes.
fn member(archive: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Option<Vec<u8>> {
    let mut entry = archive.by_name(name).ok()?;
    let mut buf = Vec::new();
    entry.read_to_end(&mut buf).ok()?;
    Some(buf)
}

impl Docx {
    /// Opens a docx file as `Document(path)` does; `None` where python-docx raises.
    pub(super) fn open(path: &Path) -> Option<Docx> {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(path).ok()?).ok()?;
        let rels = parse(&member(&mut archive, "_rels/.rels")?)?;
        let target = rels
            .all("Relationship")
            .find(|r| {
                r.attr("Type")
                    .is_some_and(|t| t.ends_with("/officeDocument"))
                    && r.attr("TargetMode") != Some("External")
            })?
            .attr("Target")?
            .trim_start_matches('/')
            .to_owned();
        let types = parse(&member(&mut archive, "[Content_Types].xml")?)?;
        let part_name = format!("/{target}");
        let content_type = types
            .all("Override")
            .find(|o| {
                o.attr("PartName")
                    .is_some_and(|p| p.eq_ignore_ascii_case(&part_name))
            })
            .and_then(|o| o.attr("ContentType"))
            .or_else(|| {
                let ext = target.rsplit_once('.').map(|(_, e)| e)?;
                types
                    .all("Default")
                    .find(|d| {
                        d.attr("Extension")
                            .is_some_and(|x| x.eq_ignore_ascii_case(ext))
                    })
                    .and_then(|d| d.attr("ContentType"))
            })?;
        if content_type != MAIN {
            return None;
        }
        let root = parse(&member(&mut archive, &target)?)?;
        Some(Docx { root })
    }

    /// `w:body`.
    pub(super) fn body(&self) -> Option<&Node> {
        self.root.first("body")
    }

    /// `document.paragraphs`' elements.
    pub(super) fn paragraphs(&self) -> Vec<&Node> {
        self.body()
            .map(|b| b.all("p").collect())
            .unwrap_or_default()
    }

    /// `[p.text for p in document.paragraphs]`.
    pub(super) fn paragraph_texts(&self) -> Vec<String> {
        self.paragraphs().into_iter().map(paragraph_text).collect()
    }

    /// `document.tables`' elements.
    pub(super) fn tables(&self) -> Vec<Table<'_>> {
        self.body()
            .map(|b| b.all("tbl").map(Table::new).collect())
            .unwrap_or_default()
    }
}

/// `Run.text` of a `w:r`.
pub(super) fn run_text(r: &Node) -> String {
    let mut out = String::new();
    for e in r.elements() {
        match e.name.as_str() {
            "t" => out.push_str(&e.text()),
            "tab" | "ptab" => out.push('\t'),
            "cr" => out.push('\n'),
            "br" if e.attr("type").is_none_or(|t| t == "textWrapping") => out.push('\n'),
            "noBreakHyphen" => out.push('-'),
            _ => {}
        }
    }
    out
}

/// `Paragraph.text` of a `w:p`.
pub(super) fn paragraph_text(p: &Node) -> String {
    let mut out = String::new();
    for e in p.elements() {
        match e.name.as_str() {
            "r" => out.push_str(&run_text(e)),
            "hyperlink" => {
                for r in e.all("r") {
                    out.push_str(&run_text(r));
                }
            }
            _ => {}
        }
    }
    out
}

/// A `w:tbl` with python-docx's cell grid.
#[derive(Debug, Clone)]
pub(super) struct Table<'a> {
    /// Rows (`w:tr`).
    pub(super) rows: usize,
    /// Columns (`w:gridCol`).
    pub(super) columns: usize,
    /// `_cells`: one `w:tc` per grid position, row-major; `None` where python-docx raises
    /// building it.
    cells: Option<Vec<&'a Node>>,
}

impl<'a> Table<'a> {
    fn new(tbl: &'a Node) -> Table<'a> {
        let columns = tbl.first("tblGrid").map_or(0, |g| g.all("gridCol").count());
        let rows = tbl.all("tr").count();
        let mut cells: Vec<&'a Node> = Vec::new();
        let mut broken = false;
        for tr in tbl.all("tr") {
            for tc in tr.all("tc") {
                let pr = tc.first("tcPr");
                let span = pr
                    .and_then(|p| p.first("gridSpan"))
                    .and_then(|g| g.attr("val"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(1);
                let merge = pr
                    .and_then(|p| p.first("vMerge"))
                    .map(|m| m.attr("val").unwrap_or("continue"));
                for i in 0..span {
                    if merge == Some("continue") {
                        // python-docx takes `cells[-col_count]`: an IndexError near the top.
                        let at = if columns == 0 {
                            Some(0)
                        } else {
                            cells.len().checked_sub(columns)
                        };
                        match at.and_then(|k| cells.get(k)).copied() {
                            Some(above) => cells.push(above),
                            None => broken = true,
                        }
                    } else if i > 0 {
                        match cells.last().copied() {
                            Some(last) => cells.push(last),
                            None => broken = true,
                        }
                    } else {
                        cells.push(tc);
                    }
                }
            }
        }
        Table {
            rows,
            columns,
            cells: if broken { None } else { Some(cells) },
        }
    }

    /// `table.cell(row, col).text`; `None` where python-docx raises (an index past the cells).
    pub(super) fn cell_text(&self, row: usize, col: usize) -> Option<String> {
        let tc = self.cells.as_ref()?.get(row * self.columns + col)?;
        let texts: Vec<String> = tc.all("p").map(paragraph_text).collect();
        Some(texts.join("\n"))
    }
}
