//! A small element tree over quick-xml, and the zip member reader, for the pptx model in
//! `slides_pptx.rs`. Names keep only their local part (`a:p` is `p`); attributes too
//! (`r:id` is `id`), which is unambiguous in the parts of a deck read here.

use std::io::Read;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

/// One XML element: local name, attributes (local names), children and its direct text.
#[derive(Debug, Clone, Default)]
pub(super) struct El {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<El>,
    pub text: String,
}

impl El {
    /// The value of attribute `key` (local name).
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The children named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a path of child names.
    pub fn path(&self, names: &[&str]) -> Option<&El> {
        names.iter().try_fold(self, |el, n| el.child(n))
    }
}

fn local(name: &[u8]) -> String {
    let name = match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    String::from_utf8_lossy(name).into_owned()
}

fn element(e: &BytesStart, decoder: quick_xml::encoding::Decoder) -> El {
    let attrs = e
        .attributes()
        .flatten()
        .map(|a| {
            let value = a
                .decode_and_unescape_value(decoder)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
            (local(a.key.as_ref()), value)
        })
        .collect();
    El {
        name: local(e.name().as_ref()),
        attrs,
        ..El::default()
    }
}

/// Parses `xml` into its root element; `None` when it is not well-formed.
pub(super) fn parse(xml: &[u8]) -> Option<El> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut stack: Vec<El> = vec![El::default()];
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        match event {
            Event::Start(e) => stack.push(element(&e, reader.decoder())),
            Event::Empty(e) => {
                let el = element(&e, reader.decoder());
                stack.last_mut()?.children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop()?;
                stack.last_mut()?.children.push(el);
            }
            Event::Text(t) => {
                let text = t.xml_content().ok()?;
                stack.last_mut()?.text.push_str(&text);
            }
            Event::CData(t) => {
                let text = String::from_utf8_lossy(&t).into_owned();
                stack.last_mut()?.text.push_str(&text);
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                let ch = match name.as_str() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                if let Some(c) = ch {
                    stack.last_mut()?.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let mut root = stack.pop()?;
    if !stack.is_empty() {
        return None;
    }
    root.children.pop()
}

/// An opened zip archive.
pub(super) struct Package {
    zip: zip::ZipArchive<std::fs::File>,
}

impl Package {
    /// Opens `path` as a zip; `None` when it is not one.
    pub fn open(path: &Path) -> Option<Package> {
        let file = std::fs::File::open(path).ok()?;
        let zip = zip::ZipArchive::new(file).ok()?;
        Some(Package { zip })
    }

    /// The parsed member `name`; `None` when absent or not XML.
    pub fn xml(&mut self, name: &str) -> Option<El> {
        let mut member = self.zip.by_name(name).ok()?;
        let mut bytes = Vec::new();
        member.read_to_end(&mut bytes).ok()?;
        parse(&bytes)
    }

    /// The relationships of part `part` (id to resolved target part name).
    pub fn rels(&mut self, part: &str) -> Vec<(String, String, String)> {
        let (dir, file) = match part.rfind('/') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => ("", part),
        };
        let rels_name = if dir.is_empty() {
            format!("_rels/{file}.rels")
        } else {
            format!("{dir}/_rels/{file}.rels")
        };
        let Some(root) = self.xml(&rels_name) else {
            return Vec::new();
        };
        root.all("Relationship")
            .filter_map(|r| {
                let id = r.attr("Id")?.to_owned();
                let kind = r.attr("Type").unwrap_or_default();
                let kind = kind.rsplit('/').next().unwrap_or_default().to_owned();
                let target = resolve(dir, r.attr("Target")?);
                Some((id, kind, target))
            })
            .collect()
    }
}

/// `target` relative to folder `dir`, as a part name without a leading slash.
fn resolve(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_owned();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for piece in target.split('/') {
        match piece {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}
