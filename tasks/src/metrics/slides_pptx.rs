//! A typed model of a pptx deck holding what python-pptx 1.0.2 exposes to OSWorld's
//! `compare_pptx_files`: slides in `sldIdLst` order, each slide's shapes in tree order
//! (`sp`, `grpSp`, `graphicFrame`, `cxnSp`, `pic`, `contentPart`), their offsets and sizes in
//! EMU (a placeholder without its own `xfrm` inherits from the layout placeholder of its
//! `idx`, and that one from the master placeholder of its type, as python-pptx does), text
//! frames, paragraphs, runs and fonts, tables, the notes text and the background colour.
//!
//! No maintained Rust crate reads pptx the way python-pptx does, so this reads the zip and its
//! XML parts directly (the `zip` and `quick-xml` crates the tasks crate already uses).

use super::xml::{El, Package};
use std::path::Path;

/// A deck.
#[derive(Debug)]
pub(super) struct Deck {
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub slides: Vec<Slide>,
}

/// A colour as python-pptx's `fore_color.rgb` reads it: `Rgb` for `srgbClr` (upper-case hex),
/// `NoRgb` where `.rgb` raises `AttributeError`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Color {
    Rgb(String),
    NoRgb,
}

/// A slide.
#[derive(Debug)]
pub(super) struct Slide {
    pub shapes: Vec<Shape>,
    /// The notes text (`None`: the notes slide has no body placeholder, python-pptx raises).
    pub notes: Option<String>,
    /// `Err(())` where OSWorld's background lookup raises (a solid non-RGB fill).
    pub background: Result<Option<String>, ()>,
    /// Every `a:p` of the slide part in document order, for the bullets check.
    pub all_paras: Vec<BulletPara>,
}

/// What OSWorld's `_extract_bullets` reads of one `a:p`.
#[derive(Debug, Clone)]
pub(super) struct BulletPara {
    pub has_ppr: bool,
    pub lvl: Option<String>,
    pub chr: Option<String>,
    pub text: String,
}

/// A shape on a slide or in a group.
#[derive(Debug)]
pub(super) struct Shape {
    /// python-pptx's `shape_type` where this metric looks at it (5, 13, 14, 19), else 0.
    pub shape_type: i64,
    pub left: Option<i64>,
    pub top: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// For `sp`: the text frame's paragraphs (`hasattr(shape, "text")`).
    pub paras: Option<Vec<Para>>,
    /// For a table: its rows of cells of paragraphs, and the number of grid columns.
    pub table: Option<(Vec<Vec<Vec<Para>>>, usize)>,
    pub children: Vec<Shape>,
}

/// A paragraph.
#[derive(Debug, Clone)]
pub(super) struct Para {
    /// Index into [`Slide::all_paras`].
    pub gidx: usize,
    pub align: Option<String>,
    pub level: i64,
    pub text: String,
    pub runs: Vec<Run>,
}

/// A run's font.
#[derive(Debug, Clone)]
pub(super) struct Run {
    pub name: Option<String>,
    pub size: Option<i64>,
    pub bold: Option<bool>,
    pub italic: Option<bool>,
    /// `None`; `Some("none")` is False, `Some("sng")` True, others an enum member.
    pub underline: Option<String>,
    pub strike: String,
    pub color: Color,
}

impl Shape {
    /// The text frame's text (`shape.text`).
    pub fn text(&self) -> Option<String> {
        self.paras.as_ref().map(|ps| {
            ps.iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }
}

fn xsd_bool(v: Option<&str>) -> Option<bool> {
    v.map(|v| matches!(v, "1" | "true"))
}

fn int(v: Option<&str>) -> Option<i64> {
    v.and_then(|v| v.trim().parse().ok())
}

fn color_of(parent: Option<&El>) -> Color {
    match parent.and_then(|p| p.child("solidFill")) {
        Some(fill) => match fill.child("srgbClr").and_then(|c| c.attr("val")) {
            Some(v) => Color::Rgb(v.to_uppercase()),
            None => Color::NoRgb,
        },
        None => Color::NoRgb,
    }
}

fn run_of(r: &El) -> Run {
    let rpr = r.child("rPr");
    let attr = |k: &str| rpr.and_then(|p| p.attr(k));
    Run {
        name: rpr
            .and_then(|p| p.child("latin"))
            .and_then(|l| l.attr("typeface"))
            .map(str::to_owned),
        size: int(attr("sz")),
        bold: xsd_bool(attr("b")),
        italic: xsd_bool(attr("i")),
        underline: attr("u").map(str::to_owned),
        strike: attr("strike").unwrap_or("noStrike").to_owned(),
        color: color_of(rpr),
    }
}

/// Collects the `a:p` elements of a slide in document order.
fn collect_paras(el: &El, out: &mut Vec<BulletPara>) {
    if el.name == "p" {
        let ppr = el.child("pPr");
        let mut text = String::new();
        all_t(el, &mut text);
        out.push(BulletPara {
            has_ppr: ppr.is_some(),
            lvl: ppr.and_then(|p| p.attr("lvl")).map(str::to_owned),
            chr: ppr
                .and_then(|p| p.child("buChar"))
                .and_then(|b| b.attr("char"))
                .map(str::to_owned),
            text,
        });
    }
    for c in &el.children {
        collect_paras(c, out);
    }
}

fn all_t(el: &El, out: &mut String) {
    for c in &el.children {
        if c.name == "t" {
            out.push_str(&c.text);
        }
        all_t(c, out);
    }
}

/// Numbers `a:p` elements in document order while building the shape model.
struct Counter {
    next: usize,
}

impl Counter {
    /// Counts every `a:p` below `el` (for parts of the tree the model skips).
    fn skip(&mut self, el: &El) {
        if el.name == "p" {
            self.next += 1;
        }
        for c in &el.children {
            self.skip(c);
        }
    }
}

fn paras_of(body: Option<&El>, counter: &mut Counter) -> Vec<Para> {
    let Some(body) = body else {
        // python-pptx adds a txBody with one empty paragraph
        return vec![Para {
            gidx: usize::MAX,
            align: None,
            level: 0,
            text: String::new(),
            runs: Vec::new(),
        }];
    };
    let mut out = Vec::new();
    for c in &body.children {
        if c.name != "p" {
            counter.skip(c);
            continue;
        }
        let gidx = counter.next;
        counter.next += 1;
        for inner in &c.children {
            counter.skip_inner(inner);
        }
        let ppr = c.child("pPr");
        let mut text = String::new();
        let mut runs = Vec::new();
        for item in &c.children {
            match item.name.as_str() {
                "r" => {
                    text.push_str(item.child("t").map_or("", |t| t.text.as_str()));
                    runs.push(run_of(item));
                }
                "fld" => text.push_str(item.child("t").map_or("", |t| t.text.as_str())),
                "br" => text.push('\u{b}'),
                _ => {}
            }
        }
        out.push(Para {
            gidx,
            align: ppr.and_then(|p| p.attr("algn")).map(str::to_owned),
            level: int(ppr.and_then(|p| p.attr("lvl"))).unwrap_or(0),
            text,
            runs,
        });
    }
    out
}

impl Counter {
    fn skip_inner(&mut self, el: &El) {
        self.skip(el);
    }
}

/// A placeholder's key: (`idx`, `type`).
fn ph_of(el: &El) -> Option<(i64, String)> {
    let nv = el.children.iter().find(|c| c.name.starts_with("nv"))?;
    let ph = nv.path(&["nvPr", "ph"])?;
    Some((
        int(ph.attr("idx")).unwrap_or(0),
        ph.attr("type").unwrap_or("obj").to_owned(),
    ))
}

type Xfrm = [Option<i64>; 4];

fn xfrm_of(el: &El) -> Xfrm {
    let x = match el.name.as_str() {
        "graphicFrame" => el.child("xfrm"),
        "grpSp" => el.path(&["grpSpPr", "xfrm"]),
        _ => el.path(&["spPr", "xfrm"]),
    };
    let off = x.and_then(|x| x.child("off"));
    let ext = x.and_then(|x| x.child("ext"));
    [
        int(off.and_then(|o| o.attr("x"))),
        int(off.and_then(|o| o.attr("y"))),
        int(ext.and_then(|o| o.attr("cx"))),
        int(ext.and_then(|o| o.attr("cy"))),
    ]
}

/// Placeholders of a layout or master: key and own xfrm.
fn placeholders(tree: Option<&El>) -> Vec<((i64, String), Xfrm)> {
    let Some(tree) = tree else {
        return Vec::new();
    };
    tree.children
        .iter()
        .filter_map(|c| Some((ph_of(c)?, xfrm_of(c))))
        .collect()
}

fn master_type(t: &str) -> &str {
    match t {
        "ctrTitle" | "title" => "title",
        "dt" => "dt",
        "ftr" => "ftr",
        "sldNum" => "sldNum",
        _ => "body",
    }
}

struct Inherit {
    layout: Vec<((i64, String), Xfrm)>,
    master: Vec<((i64, String), Xfrm)>,
}

impl Inherit {
    fn xfrm(&self, key: &(i64, String), own: Xfrm) -> Xfrm {
        let layout = self.layout.iter().find(|(k, _)| k.0 == key.0);
        let mut out = own;
        for (i, v) in out.iter_mut().enumerate() {
            if v.is_some() {
                continue;
            }
            if let Some((lk, lx)) = layout {
                *v = lx[i].or_else(|| {
                    let t = master_type(&lk.1);
                    self.master
                        .iter()
                        .find(|(k, _)| k.1 == t)
                        .and_then(|(_, mx)| mx[i])
                });
            }
        }
        out
    }
}

fn shape_of(el: &El, inherit: Option<&Inherit>, counter: &mut Counter) -> Shape {
    let own = xfrm_of(el);
    let ph = ph_of(el);
    let [left, top, width, height] = match (&ph, inherit) {
        (Some(key), Some(inh))
            if el.name == "sp" || el.name == "pic" || el.name == "graphicFrame" =>
        {
            inh.xfrm(key, own)
        }
        _ => own,
    };
    let mut shape = Shape {
        shape_type: 0,
        left,
        top,
        width,
        height,
        paras: None,
        table: None,
        children: Vec::new(),
    };
    match el.name.as_str() {
        "sp" => {
            shape.shape_type = if ph.is_some() {
                14
            } else if el.path(&["spPr", "custGeom"]).is_some() {
                5
            } else {
                1
            };
            for c in &el.children {
                if c.name != "txBody" {
                    counter.skip(c);
                }
            }
            shape.paras = Some(paras_of(el.child("txBody"), counter));
        }
        "pic" => {
            shape.shape_type = if ph.is_some() { 14 } else { 13 };
            counter.skip(el);
        }
        "graphicFrame" => {
            let tbl = el.path(&["graphic", "graphicData", "tbl"]);
            match tbl {
                Some(tbl) => {
                    shape.shape_type = 19;
                    let cols = tbl.child("tblGrid").map_or(0, |g| g.all("gridCol").count());
                    let mut rows = Vec::new();
                    for c in &el.children {
                        if c.name != "graphic" {
                            counter.skip(c);
                        }
                    }
                    for tr in tbl.all("tr") {
                        let mut cells = Vec::new();
                        for tc in tr.all("tc") {
                            cells.push(paras_of(tc.child("txBody"), counter));
                        }
                        rows.push(cells);
                    }
                    shape.table = Some((rows, cols));
                }
                None => counter.skip(el),
            }
        }
        "grpSp" => {
            shape.shape_type = 6;
            for c in &el.children {
                if is_shape(&c.name) {
                    shape.children.push(shape_of(c, None, counter));
                } else {
                    counter.skip(c);
                }
            }
        }
        _ => counter.skip(el),
    }
    shape
}

fn is_shape(name: &str) -> bool {
    matches!(
        name,
        "sp" | "grpSp" | "graphicFrame" | "cxnSp" | "pic" | "contentPart"
    )
}

fn background(csld: Option<&El>) -> Option<&El> {
    csld?.path(&["bg", "bgPr"])
}

/// Opens a deck; `None` when it is not a pptx python-pptx could open.
pub(super) fn open(path: &Path) -> Option<Deck> {
    let mut pkg = Package::open(path)?;
    let root_rels = pkg.rels("");
    let pres_name = root_rels
        .iter()
        .find(|(_, kind, _)| kind == "officeDocument")
        .map(|(_, _, t)| t.clone())?;
    let pres = pkg.xml(&pres_name)?;
    let pres_rels = pkg.rels(&pres_name);
    let size = pres.child("sldSz");
    let mut deck = Deck {
        width: int(size.and_then(|s| s.attr("cx"))),
        height: int(size.and_then(|s| s.attr("cy"))),
        slides: Vec::new(),
    };
    let ids: Vec<String> = pres
        .child("sldIdLst")
        .map(|l| {
            l.all("sldId")
                .filter_map(|s| s.attr("id").map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    // `r:id` and `id` both end up as local name `id`; the relationship id is the last one
    let rids: Vec<String> = pres
        .child("sldIdLst")
        .map(|l| {
            l.all("sldId")
                .filter_map(|s| {
                    s.attrs
                        .iter()
                        .rev()
                        .find(|(k, _)| k == "id")
                        .map(|(_, v)| v.clone())
                })
                .collect()
        })
        .unwrap_or_default();
    let _ = ids;
    for rid in rids {
        let target = pres_rels.iter().find(|(id, _, _)| *id == rid)?.2.clone();
        deck.slides.push(slide(&mut pkg, &target)?);
    }
    Some(deck)
}

fn slide(pkg: &mut Package, name: &str) -> Option<Slide> {
    let xml = pkg.xml(name)?;
    let rels = pkg.rels(name);
    let layout_name = rels
        .iter()
        .find(|(_, k, _)| k == "slideLayout")
        .map(|(_, _, t)| t.clone());
    let layout = layout_name.as_deref().and_then(|n| pkg.xml(n));
    let master = layout_name
        .as_deref()
        .map(|n| pkg.rels(n))
        .and_then(|r| r.into_iter().find(|(_, k, _)| k == "slideMaster"))
        .and_then(|(_, _, t)| pkg.xml(&t));
    let inherit = Inherit {
        layout: placeholders(layout.as_ref().and_then(|l| l.path(&["cSld", "spTree"]))),
        master: placeholders(master.as_ref().and_then(|m| m.path(&["cSld", "spTree"]))),
    };
    let mut all_paras = Vec::new();
    collect_paras(&xml, &mut all_paras);
    let mut counter = Counter { next: 0 };
    let csld = xml.child("cSld");
    let mut shapes = Vec::new();
    // count paragraphs before the shape tree (a `bg` holds none)
    if let Some(csld) = csld {
        for c in &csld.children {
            if c.name == "spTree" {
                for s in &c.children {
                    if is_shape(&s.name) {
                        shapes.push(shape_of(s, Some(&inherit), &mut counter));
                    } else {
                        counter.skip(s);
                    }
                }
            } else {
                counter.skip(c);
            }
        }
    }
    let background = match background(csld).map(fill_kind) {
        Some(Fill::Solid(c)) => solid(c),
        Some(Fill::Other) => Ok(None),
        None | Some(Fill::None) => {
            match background(master.as_ref().and_then(|m| m.child("cSld"))).map(fill_kind) {
                Some(Fill::Solid(c)) => solid(c),
                _ => Ok(None),
            }
        }
    };
    let notes_name = rels
        .iter()
        .find(|(_, k, _)| k == "notesSlide")
        .map(|(_, _, t)| t.clone());
    let notes = match notes_name {
        None => Some(String::new()),
        Some(n) => notes_text(&pkg.xml(&n)?),
    };
    Some(Slide {
        shapes,
        notes,
        background,
        all_paras,
    })
}

fn solid(c: Color) -> Result<Option<String>, ()> {
    match c {
        Color::Rgb(v) => Ok(Some(v)),
        Color::NoRgb => Err(()),
    }
}

enum Fill {
    Solid(Color),
    None,
    Other,
}

fn fill_kind(bgpr: &El) -> Fill {
    if bgpr.child("solidFill").is_some() {
        Fill::Solid(color_of(Some(bgpr)))
    } else if bgpr.child("noFill").is_some() {
        Fill::None
    } else {
        Fill::Other
    }
}

fn notes_text(notes: &El) -> Option<String> {
    let tree = notes.path(&["cSld", "spTree"])?;
    let body = tree
        .children
        .iter()
        .find(|c| ph_of(c).is_some_and(|(_, t)| t == "body"))?;
    let mut counter = Counter { next: 0 };
    let paras = paras_of(body.child("txBody"), &mut counter);
    Some(
        paras
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}
