//! The slides metrics on pptx decks written here with the zip crate (the parts python-pptx
//! reads: package and presentation relationships, `presentation.xml`, slides, a layout and a
//! master, notes slides): each scoring 1, scoring 0, and OSWorld's quirks. The parity cases
//! (`parity/cases_slides.py`) check the same reader against python-pptx's decks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use deskhand_tasks::metrics::{Got, score};
use serde_json::{Map, Value, json};
use std::io::Write as _;
use std::path::{Path, PathBuf};

const NS: &str = r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main""#;
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// One slide: its shape tree's inner XML, optional notes text and background colour.
struct SlideSpec<'a> {
    shapes: &'a str,
    notes: Option<&'a str>,
    bg: Option<&'a str>,
}

fn slide<'a>(shapes: &'a str) -> SlideSpec<'a> {
    SlideSpec {
        shapes,
        notes: None,
        bg: None,
    }
}

/// A text box at (x, y) sized (w, h) holding the given paragraphs' inner XML.
fn textbox(id: u32, (x, y, w, h): (i64, i64, i64, i64), paras: &[&str]) -> String {
    let ps: String = paras.iter().map(|p| format!("<a:p>{p}</a:p>")).collect();
    format!(
        r#"<p:sp><p:nvSpPr><p:cNvPr id="{id}" name="T{id}"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/></a:xfrm></p:spPr><p:txBody><a:bodyPr/>{ps}</p:txBody></p:sp>"#
    )
}

/// A title placeholder without its own position (inherited from the layout).
fn title(id: u32, text: &str) -> String {
    format!(
        r#"<p:sp><p:nvSpPr><p:cNvPr id="{id}" name="Title"/><p:cNvSpPr/><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp>"#
    )
}

fn deck(dir: &Path, name: &str, size: (i64, i64), slides: &[SlideSpec]) -> PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let mut put = |name: &str, body: String| {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    put(
        "_rels/.rels",
        format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="ppt/presentation.xml"/></Relationships>"#
        ),
    );
    let ids: String = (0..slides.len())
        .map(|i| format!(r#"<p:sldId id="{}" r:id="rId{}"/>"#, 256 + i, i + 10))
        .collect();
    put(
        "ppt/presentation.xml",
        format!(
            r#"<p:presentation {NS}><p:sldIdLst>{ids}</p:sldIdLst><p:sldSz cx="{}" cy="{}"/></p:presentation>"#,
            size.0, size.1
        ),
    );
    let rels: String = (0..slides.len())
        .map(|i| {
            format!(
                r#"<Relationship Id="rId{}" Type="{REL}/slide" Target="slides/slide{}.xml"/>"#,
                i + 10,
                i + 1
            )
        })
        .collect();
    put(
        "ppt/_rels/presentation.xml.rels",
        format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        ),
    );
    put(
        "ppt/slideLayouts/slideLayout1.xml",
        format!(
            r#"<p:sldLayout {NS}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:cNvPr id="2" name="T"/><p:cNvSpPr/><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:spPr/></p:sp></p:spTree></p:cSld></p:sldLayout>"#
        ),
    );
    put(
        "ppt/slideLayouts/_rels/slideLayout1.xml.rels",
        format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/slideMaster" Target="../slideMasters/slideMaster1.xml"/></Relationships>"#
        ),
    );
    put(
        "ppt/slideMasters/slideMaster1.xml",
        format!(
            r#"<p:sldMaster {NS}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:cNvPr id="2" name="T"/><p:cNvSpPr/><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:spPr><a:xfrm><a:off x="457200" y="274638"/><a:ext cx="8229600" cy="1143000"/></a:xfrm></p:spPr></p:sp></p:spTree></p:cSld></p:sldMaster>"#
        ),
    );
    for (i, s) in slides.iter().enumerate() {
        let bg = s.bg.map_or(String::new(), |c| {
            format!(
                r#"<p:bg><p:bgPr><a:solidFill><a:srgbClr val="{c}"/></a:solidFill></p:bgPr></p:bg>"#
            )
        });
        put(
            &format!("ppt/slides/slide{}.xml", i + 1),
            format!(
                r#"<p:sld {NS}><p:cSld>{bg}<p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>{}</p:spTree></p:cSld></p:sld>"#,
                s.shapes
            ),
        );
        let notes_rel = if s.notes.is_some() {
            format!(
                r#"<Relationship Id="rId2" Type="{REL}/notesSlide" Target="../notesSlides/notesSlide{}.xml"/>"#,
                i + 1
            )
        } else {
            String::new()
        };
        put(
            &format!("ppt/slides/_rels/slide{}.xml.rels", i + 1),
            format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/slideLayout" Target="../slideLayouts/slideLayout1.xml"/>{notes_rel}</Relationships>"#
            ),
        );
        if let Some(n) = s.notes {
            put(
                &format!("ppt/notesSlides/notesSlide{}.xml", i + 1),
                format!(
                    r#"<p:notes {NS}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:cNvPr id="3" name="N"/><p:cNvSpPr/><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:t>{n}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>"#
                ),
            );
        }
    }
    zip.finish().unwrap();
    path
}

fn compare(a: &Path, b: &Path, options: Value) -> f64 {
    let options: Map<String, Value> = match options {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    score(
        "compare_pptx_files",
        Some(&Got::File(Some(a.to_owned()))),
        Some(&Got::File(Some(b.to_owned()))),
        &options,
    )
    .unwrap()
}

const BOX: (i64, i64, i64, i64) = (914400, 914400, 3000000, 800000);
const W: (i64, i64) = (9144000, 6858000);

#[test]
fn same_deck_scores_1_and_changed_text_0() {
    let dir = tempfile::tempdir().unwrap();
    let shapes = textbox(2, BOX, &["<a:r><a:t>Hello</a:t></a:r>"]);
    let changed = textbox(2, BOX, &["<a:r><a:t>Hullo</a:t></a:r>"]);
    let a = deck(dir.path(), "a.pptx", W, &[slide(&shapes)]);
    let b = deck(dir.path(), "b.pptx", W, &[slide(&shapes)]);
    let c = deck(dir.path(), "c.pptx", W, &[slide(&changed)]);
    assert_eq!(compare(&a, &b, json!({})), 1.0);
    assert_eq!(compare(&a, &c, json!({})), 0.0);
    // the bullets check compares paragraph texts too, as OSWorld's does
    assert_eq!(compare(&a, &c, json!({"examine_text": false})), 0.0);
    assert_eq!(
        compare(
            &a,
            &c,
            json!({"examine_text": false, "examine_bullets": false})
        ),
        1.0
    );
}

#[test]
fn shape_moves_within_tolerance_and_beyond() {
    let dir = tempfile::tempdir().unwrap();
    let p = ["<a:r><a:t>x</a:t></a:r>"];
    let a = deck(dir.path(), "a.pptx", W, &[slide(&textbox(2, BOX, &p))]);
    let near = (BOX.0 + 2000, BOX.1, BOX.2, BOX.3);
    let far = (BOX.0 + 200000, BOX.1, BOX.2, BOX.3);
    let b = deck(dir.path(), "b.pptx", W, &[slide(&textbox(2, near, &p))]);
    let c = deck(dir.path(), "c.pptx", W, &[slide(&textbox(2, far, &p))]);
    assert_eq!(compare(&a, &b, json!({})), 1.0);
    assert_eq!(compare(&a, &c, json!({})), 0.0);
    assert_eq!(compare(&a, &c, json!({"examine_shape": false})), 1.0);
    // "false" is a truthy string in Python: the shape is still examined
    assert_eq!(compare(&a, &c, json!({"examine_shape": "false"})), 0.0);
}

#[test]
fn bold_none_equals_false_but_not_true() {
    let dir = tempfile::tempdir().unwrap();
    let run = |attrs: &str| format!(r#"<a:r><a:rPr lang="en-US"{attrs}/><a:t>x</a:t></a:r>"#);
    let none = deck(
        dir.path(),
        "n.pptx",
        W,
        &[slide(&textbox(2, BOX, &[&run("")]))],
    );
    let f = deck(
        dir.path(),
        "f.pptx",
        W,
        &[slide(&textbox(2, BOX, &[&run(r#" b="0""#)]))],
    );
    let t = deck(
        dir.path(),
        "t.pptx",
        W,
        &[slide(&textbox(2, BOX, &[&run(r#" b="1""#)]))],
    );
    assert_eq!(compare(&none, &f, json!({})), 1.0);
    assert_eq!(compare(&none, &t, json!({})), 0.0);
    assert_eq!(compare(&none, &t, json!({"examine_font_bold": false})), 1.0);
    // underline: None against "none" (False) is no difference, against "sng" (True) it is
    let u0 = deck(
        dir.path(),
        "u0.pptx",
        W,
        &[slide(&textbox(2, BOX, &[&run(r#" u="none""#)]))],
    );
    let u1 = deck(
        dir.path(),
        "u1.pptx",
        W,
        &[slide(&textbox(2, BOX, &[&run(r#" u="sng""#)]))],
    );
    assert_eq!(compare(&none, &u0, json!({})), 1.0);
    assert_eq!(compare(&none, &u1, json!({})), 0.0);
}

#[test]
fn alignment_none_is_left_and_slide_count_matters() {
    let dir = tempfile::tempdir().unwrap();
    let plain = textbox(2, BOX, &["<a:r><a:t>x</a:t></a:r>"]);
    let left = textbox(2, BOX, &[r#"<a:pPr algn="l"/><a:r><a:t>x</a:t></a:r>"#]);
    let ctr = textbox(2, BOX, &[r#"<a:pPr algn="ctr"/><a:r><a:t>x</a:t></a:r>"#]);
    let a = deck(dir.path(), "a.pptx", W, &[slide(&plain)]);
    let l = deck(dir.path(), "l.pptx", W, &[slide(&left)]);
    let c = deck(dir.path(), "c.pptx", W, &[slide(&ctr)]);
    let two = deck(dir.path(), "two.pptx", W, &[slide(&plain), slide(&plain)]);
    assert_eq!(compare(&a, &l, json!({})), 1.0);
    assert_eq!(compare(&a, &c, json!({})), 0.0);
    assert_eq!(compare(&a, &c, json!({"examine_alignment": false})), 1.0);
    assert_eq!(compare(&a, &two, json!({})), 0.0);
    assert_eq!(
        compare(&a, &two, json!({"examine_number_of_slides": false})),
        1.0
    );
}

#[test]
fn notes_background_and_inherited_placeholder_position() {
    let dir = tempfile::tempdir().unwrap();
    let t = title(2, "Agenda");
    let notes = |n| SlideSpec {
        shapes: &t,
        notes: n,
        bg: None,
    };
    let a = deck(dir.path(), "a.pptx", W, &[notes(Some(" hi "))]);
    let b = deck(dir.path(), "b.pptx", W, &[notes(Some("hi"))]);
    let c = deck(dir.path(), "c.pptx", W, &[notes(Some("bye"))]);
    let none = deck(dir.path(), "n.pptx", W, &[notes(None)]);
    assert_eq!(compare(&a, &b, json!({})), 1.0);
    assert_eq!(compare(&a, &c, json!({})), 0.0);
    assert_eq!(compare(&a, &c, json!({"examine_note": false})), 1.0);
    assert_eq!(compare(&a, &none, json!({"examine_note": false})), 1.0);
    // the title inherits its position from the master: the same as an explicit one there
    let explicit = textbox(
        2,
        (457200, 274638, 8229600, 1143000),
        &["<a:r><a:t>Agenda</a:t></a:r>"],
    )
    .replace(
        r#"<p:cNvSpPr txBox="1"/><p:nvPr/>"#,
        r#"<p:cNvSpPr/><p:nvPr><p:ph type="title"/></p:nvPr>"#,
    );
    let e = deck(dir.path(), "e.pptx", W, &[slide(&explicit)]);
    let plain = deck(dir.path(), "p.pptx", W, &[slide(&t)]);
    assert_eq!(compare(&plain, &e, json!({})), 1.0);
    let bg = |c| SlideSpec {
        shapes: &t,
        notes: None,
        bg: c,
    };
    let red = deck(dir.path(), "r.pptx", W, &[bg(Some("FF0000"))]);
    let blue = deck(dir.path(), "bl.pptx", W, &[bg(Some("0000FF"))]);
    assert_eq!(compare(&red, &blue, json!({})), 0.0);
    assert_eq!(
        compare(&red, &blue, json!({"examine_background_color": false})),
        1.0
    );
}

#[test]
fn missing_or_broken_result_scores_0() {
    let dir = tempfile::tempdir().unwrap();
    let a = deck(dir.path(), "a.pptx", W, &[slide("")]);
    let junk = dir.path().join("junk.pptx");
    std::fs::write(&junk, "junk").unwrap();
    assert_eq!(compare(&junk, &a, json!({})), 0.0);
    let s = score(
        "compare_pptx_files",
        Some(&Got::File(None)),
        Some(&Got::File(Some(a.clone()))),
        &Map::new(),
    )
    .unwrap();
    assert_eq!(s, 0.0);
}

#[test]
fn portrait_orientation() {
    let dir = tempfile::tempdir().unwrap();
    let tall = deck(dir.path(), "t.pptx", (6858000, 9144000), &[slide("")]);
    let wide = deck(dir.path(), "w.pptx", W, &[slide("")]);
    let s = |p: &Path| {
        score(
            "check_slide_orientation_Portrait",
            Some(&Got::File(Some(p.to_owned()))),
            None,
            &Map::new(),
        )
        .unwrap()
    };
    assert_eq!(s(&tall), 1.0);
    assert_eq!(s(&wide), 0.0);
}

#[test]
fn twenty_slide_deck_is_quick() {
    let dir = tempfile::tempdir().unwrap();
    let shapes: String = (0..6)
        .map(|i| {
            textbox(
                i + 2,
                (100000 * i64::from(i), 0, 900000, 300000),
                &["<a:r><a:t>text</a:t></a:r>"; 3],
            )
        })
        .collect();
    let slides: Vec<SlideSpec> = (0..20).map(|_| slide(&shapes)).collect();
    let a = deck(dir.path(), "a.pptx", W, &slides);
    let b = deck(dir.path(), "b.pptx", W, &slides);
    let start = std::time::Instant::now();
    assert_eq!(compare(&a, &b, json!({})), 1.0);
    let took = start.elapsed();
    eprintln!("compare_pptx_files on two 20-slide decks: {took:?}");
    assert!(took.as_secs() < 5, "took {took:?}");
}

fn rule_score(metric: &str, path: &Path, rules: Value) -> f64 {
    score(
        metric,
        Some(&Got::File(Some(path.to_owned()))),
        Some(&Got::Json(rules)),
        &Map::new(),
    )
    .unwrap()
}

#[test]
fn registry_metrics_read_libreoffice_settings() {
    let dir = tempfile::tempdir().unwrap();
    let xcu = |body: &str| {
        let p = dir.path().join(format!("r{}.xcu", body.len()));
        std::fs::write(
            &p,
            format!(
                r#"<oor:items xmlns:oor="http://openoffice.org/2001/registry">{body}</oor:items>"#
            ),
        )
        .unwrap();
        p
    };
    let off = xcu(
        r#"<item oor:path="/org.openoffice.Office.Impress/Misc/Start"><prop oor:name="EnablePresenterScreen"><value>False</value></prop></item>"#,
    );
    let on = xcu(
        r#"<item oor:path="/org.openoffice.Office.Impress/Misc/Start"><prop oor:name="EnablePresenterScreen"><value>true</value></prop></item>"#,
    );
    let s = |p: &Path| {
        score(
            "check_presenter_console_disable",
            Some(&Got::File(Some(p.to_owned()))),
            None,
            &Map::new(),
        )
        .unwrap()
    };
    assert_eq!(s(&off), 1.0);
    assert_eq!(s(&on), 0.0);
    let save = xcu(
        r#"<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="AutoSaveTimeIntervall"><value>3</value></prop></item>"#,
    );
    assert_eq!(
        rule_score("check_auto_saving_time", &save, json!({"minutes": 3})),
        1.0
    );
    assert_eq!(
        rule_score("check_auto_saving_time", &save, json!({"minutes": 5})),
        0.0
    );
    // a string is never equal to Python's int
    assert_eq!(
        rule_score("check_auto_saving_time", &save, json!({"minutes": "3"})),
        0.0
    );
}

#[test]
fn transition_and_page_number_colour() {
    let dir = tempfile::tempdir().unwrap();
    let pptx = |name: &str, member: &str, body: &str| {
        let p = dir.path().join(name);
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
        zip.start_file(member, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(format!(r#"<p:root {NS}>{body}</p:root>"#).as_bytes())
            .unwrap();
        zip.finish().unwrap();
        p
    };
    let d = pptx(
        "d.pptx",
        "ppt/slides/slide1.xml",
        "<p:transition><p:dissolve/></p:transition>",
    );
    let rules = json!({"slide_idx": 0, "transition_type": "dissolve"});
    assert_eq!(rule_score("check_transition", &d, rules.clone()), 1.0);
    let f = pptx(
        "f.pptx",
        "ppt/slides/slide1.xml",
        "<p:transition><p:fade/></p:transition>",
    );
    assert_eq!(rule_score("check_transition", &f, rules), 0.0);
    let fills = |cs: &[&str]| -> String {
        cs.iter()
            .map(|c| format!(r#"<a:solidFill><a:srgbClr val="{c}"/></a:solidFill>"#))
            .collect()
    };
    let master = "ppt/slideMasters/slideMaster1.xml";
    let red = pptx("r.pptx", master, &fills(&["000000", "FF0000", "000000"]));
    let blue = pptx("b.pptx", master, &fills(&["000000", "0000FF", "000000"]));
    assert_eq!(
        rule_score("check_page_number_colors", &red, json!({"color": "red"})),
        1.0
    );
    assert_eq!(
        rule_score("check_page_number_colors", &blue, json!({"color": "red"})),
        0.0
    );
}

#[test]
fn fill_distance_to_rgb() {
    let dir = tempfile::tempdir().unwrap();
    let bg = |c| SlideSpec {
        shapes: "",
        notes: None,
        bg: c,
    };
    let red = deck(dir.path(), "r.pptx", W, &[bg(Some("FF0000"))]);
    let m = "evaluate_presentation_fill_to_rgb_distance";
    assert_eq!(rule_score(m, &red, json!({"rgb": [255, 0, 0]})), 1.0);
    // a slide still at the original colour counts as the farthest
    let rules = json!({"rgb": [255, 0, 0], "original_rgb": [255, 0, 0]});
    assert_eq!(rule_score(m, &red, rules), 0.0);
    // no background fill (and none on the master) is distance 1
    let none = deck(dir.path(), "n.pptx", W, &[bg(None), bg(Some("FF0000"))]);
    assert_eq!(rule_score(m, &none, json!({"rgb": [255, 0, 0]})), 0.5);
}
