//! Writer's metrics (`compare_docx_files`, `compare_docx_files_and_ignore_new_lines`,
//! `compare_docx_tables`) on docx files written here: the smallest package python-docx opens
//! (`[Content_Types].xml`, `_rels/.rels`, `word/document.xml`) around the body XML each test
//! gives.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use deskhand_tasks::metrics::{Got, MetricError, score};
use serde_json::{Map, Value, json};
use std::io::Write as _;
use std::path::PathBuf;
use tempfile::TempDir;

const TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// A docx in `dir` named `name` whose body is `body` (WordprocessingML, `w:` prefix).
fn docx(dir: &TempDir, name: &str, body: &str) -> Got {
    docx_with(dir, name, body, TYPES)
}

fn docx_with(dir: &TempDir, name: &str, body: &str, types: &str) -> Got {
    let path: PathBuf = dir.path().join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for (member, text) in [
        ("[Content_Types].xml", types.to_owned()),
        ("_rels/.rels", RELS.to_owned()),
        (
            "word/document.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
            ),
        ),
    ] {
        zip.start_file(member, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    Got::File(Some(path))
}

/// Paragraphs of one run each.
fn paras(texts: &[&str]) -> String {
    texts
        .iter()
        .map(|t| format!(r#"<w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>"#))
        .collect()
}

fn opts(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("options must be an object"),
    }
}

fn run(metric: &str, a: &Got, b: &Got, options: Value) -> f64 {
    score(metric, Some(a), Some(b), &opts(options)).unwrap()
}

#[test]
fn compare_docx_files_default_ignores_blanks() {
    let dir = TempDir::new().unwrap();
    let gold = docx(&dir, "gold.docx", &paras(&["Hello  World", "second"]));
    let same = docx(&dir, "same.docx", &paras(&["Hello World ", "", "second"]));
    let other = docx(&dir, "other.docx", &paras(&["Hello World", "Second"]));
    assert_eq!(run("compare_docx_files", &same, &gold, json!({})), 1.0);
    assert_eq!(run("compare_docx_files", &other, &gold, json!({})), 0.0);
    assert_eq!(
        run(
            "compare_docx_files",
            &other,
            &gold,
            json!({"ignore_case": true})
        ),
        1.0
    );
    // Without ignore_blanks the paragraph counts and texts must match exactly.
    assert_eq!(
        run(
            "compare_docx_files",
            &same,
            &gold,
            json!({"ignore_blanks": false})
        ),
        0.0
    );
    // "false" is a truthy string in Python: blanks are still ignored.
    assert_eq!(
        run(
            "compare_docx_files",
            &same,
            &gold,
            json!({"ignore_blanks": "false"})
        ),
        1.0
    );
}

#[test]
fn compare_docx_files_order_fuzzy_and_content() {
    let dir = TempDir::new().unwrap();
    let gold = docx(&dir, "gold.docx", &paras(&["b", "a", "c"]));
    let shuffled = docx(&dir, "s.docx", &paras(&["a", "", "c", "b"]));
    let o = json!({"ignore_blanks": false, "ignore_order": true, "delete_empty_lines": true});
    assert_eq!(run("compare_docx_files", &shuffled, &gold, o), 1.0);
    let near = docx(&dir, "near.docx", &paras(&["b", "a", "d"]));
    let fuzzy = run(
        "compare_docx_files",
        &near,
        &gold,
        json!({"fuzzy_match": true}),
    );
    // "b a d" vs "b a c": rapidfuzz's ratio 2 * 4 / 10.
    assert!((fuzzy - 0.8).abs() < 1e-9, "{fuzzy}");
    let per = run(
        "compare_docx_files",
        &near,
        &gold,
        json!({"ignore_blanks": false, "fuzzy_match": true}),
    );
    assert!((per - 2.0 / 3.0).abs() < 1e-9, "{per}");
    let content = run(
        "compare_docx_files",
        &near,
        &gold,
        json!({"content_only": true}),
    );
    assert!((content - 0.8).abs() < 1e-9, "{content}");
}

#[test]
fn compare_docx_files_reads_text_as_python_docx() {
    let dir = TempDir::new().unwrap();
    // A hyperlink's runs count, a tracked insertion's do not, a page break gives nothing, a
    // line break a newline, a tab a tab; runs in a table are not body paragraphs.
    let body = concat!(
        r#"<w:p><w:hyperlink><w:r><w:t>link</w:t></w:r></w:hyperlink><w:ins><w:r><w:t>new</w:t></w:r></w:ins>"#,
        r#"<w:r><w:br w:type="page"/><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c&amp;</w:t></w:r></w:p>"#,
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#
    );
    let quirky = docx(&dir, "q.docx", body);
    let gold = docx(&dir, "g.docx", &paras(&["linka\tb\nc&amp;"]));
    assert_eq!(
        run(
            "compare_docx_files",
            &quirky,
            &gold,
            json!({"ignore_blanks": false})
        ),
        1.0
    );
}

#[test]
fn compare_docx_files_zero_cases() {
    let dir = TempDir::new().unwrap();
    let gold = docx(&dir, "g.docx", &paras(&["a"]));
    assert_eq!(
        score(
            "compare_docx_files",
            Some(&Got::File(None)),
            Some(&gold),
            &Map::new()
        )
        .unwrap(),
        0.0
    );
    // A docx file under another name, a file that is not a zip, a template's content type.
    let named = docx(&dir, "g.txt", &paras(&["a"]));
    assert_eq!(run("compare_docx_files", &named, &gold, json!({})), 0.0);
    let junk = dir.path().join("junk.docx");
    std::fs::write(&junk, "not a zip").unwrap();
    assert_eq!(
        run(
            "compare_docx_files",
            &Got::File(Some(junk)),
            &gold,
            json!({})
        ),
        0.0
    );
    let template = docx_with(
        &dir,
        "t.docx",
        &paras(&["a"]),
        &TYPES.replace("document.main+xml", "template.main+xml"),
    );
    assert_eq!(run("compare_docx_files", &template, &gold, json!({})), 0.0);
    // odt is not read yet: an error, never a score.
    let odt = dir.path().join("a.odt");
    std::fs::write(&odt, "x").unwrap();
    let odt = Got::File(Some(odt));
    assert!(matches!(
        score("compare_docx_files", Some(&odt), Some(&odt), &Map::new()),
        Err(MetricError::Unsupported(_))
    ));
}

#[test]
fn ignore_new_lines_drops_empty_paragraphs() {
    let dir = TempDir::new().unwrap();
    let m = "compare_docx_files_and_ignore_new_lines";
    let gold = docx(&dir, "g.docx", &paras(&["a", "b"]));
    let spaced = docx(&dir, "s.docx", &paras(&["", "a", "", "b", ""]));
    let blank = docx(&dir, "b.docx", &paras(&[" ", "a", "b"]));
    assert_eq!(run(m, &spaced, &gold, json!({"ignore_blanks": false})), 1.0);
    assert_eq!(run(m, &blank, &gold, json!({"ignore_blanks": false})), 0.0);
    assert_eq!(run(m, &blank, &gold, json!({})), 1.0);
    let other = docx(&dir, "o.docx", &paras(&["a", "c"]));
    assert_eq!(run(m, &other, &gold, json!({})), 0.0);
}

fn table(rows: &[&[&str]], grid: usize) -> String {
    let cols: String = (0..grid).map(|_| "<w:gridCol/>").collect();
    let trs: String = rows
        .iter()
        .map(|r| {
            let tcs: String = r.iter().map(|c| format!("<w:tc>{c}</w:tc>")).collect();
            format!("<w:tr>{tcs}</w:tr>")
        })
        .collect();
    format!("<w:tbl><w:tblGrid>{cols}</w:tblGrid>{trs}</w:tbl>")
}

#[test]
fn compare_docx_tables_cells_and_merges() {
    let dir = TempDir::new().unwrap();
    let m = "compare_docx_tables";
    let cell = |t: &str| paras(&[t]);
    let (a, b, c) = (cell("a "), cell("b"), cell("c"));
    let gold = docx(&dir, "g.docx", &table(&[&[&a, &b], &[&c, &b]], 2));
    let same = docx(&dir, "s.docx", &table(&[&[&cell("a"), &b], &[&c, &b]], 2));
    assert_eq!(run(m, &same, &gold, json!({})), 1.0);
    let other = docx(&dir, "o.docx", &table(&[&[&a, &b], &[&c, &c]], 2));
    assert_eq!(run(m, &other, &gold, json!({})), 0.0);
    // A gridSpan repeats the cell: "a" then "a" again where the gold has "b".
    let span = format!("<w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr>{a}");
    let spanned = docx(&dir, "sp.docx", &table(&[&[&span], &[&c, &b]], 2));
    assert_eq!(run(m, &spanned, &gold, json!({})), 0.0);
    let gold_span = docx(&dir, "gs.docx", &table(&[&[&a, &a], &[&c, &b]], 2));
    assert_eq!(run(m, &spanned, &gold_span, json!({})), 1.0);
    // vMerge continue repeats the cell above ("b" above "b").
    let cont = format!("<w:tcPr><w:vMerge/></w:tcPr>{c}");
    let merged = docx(&dir, "m.docx", &table(&[&[&a, &b], &[&c, &cont]], 2));
    assert_eq!(run(m, &merged, &gold, json!({})), 1.0);
    // A vMerge continuing above the first row: python-docx raises, 0 here.
    let top = docx(&dir, "t.docx", &table(&[&[&cont, &b], &[&c, &b]], 2));
    assert_eq!(run(m, &top, &gold, json!({})), 0.0);
    // No tables on both sides is a match; a missing file is not.
    let none = docx(&dir, "n.docx", &paras(&["x"]));
    assert_eq!(run(m, &none, &none, json!({})), 1.0);
    assert_eq!(run(m, &Got::File(None), &gold, json!({})), 0.0);
}

#[test]
fn ten_page_document_scores_quickly() {
    // About ten pages: 300 paragraphs of 16 words, each in three runs, and a 30x4 table.
    let dir = TempDir::new().unwrap();
    let mut body = String::new();
    for i in 0..300 {
        body.push_str(&format!(
            "<w:p><w:r><w:t xml:space=\"preserve\">Paragraph {i} of the report, </w:t></w:r><w:r><w:t xml:space=\"preserve\">with words enough to fill a line </w:t></w:r><w:r><w:t>and a little more.</w:t></w:r></w:p>"
        ));
    }
    let cell = paras(&["cell"]);
    let row: Vec<&str> = vec![&cell; 4];
    let rows: Vec<&[&str]> = vec![&row; 30];
    body.push_str(&table(&rows, 4));
    let a = docx(&dir, "a.docx", &body);
    let b = docx(&dir, "b.docx", &body);
    for (metric, options) in [
        ("compare_docx_files", json!({})),
        (
            "compare_docx_files",
            json!({"ignore_blanks": false, "fuzzy_match": true}),
        ),
        ("compare_docx_files", json!({"content_only": true})),
        ("compare_docx_files_and_ignore_new_lines", json!({})),
        ("compare_docx_tables", json!({})),
    ] {
        let start = std::time::Instant::now();
        assert_eq!(run(metric, &a, &b, options.clone()), 1.0);
        let took = start.elapsed();
        println!("{metric} {options}: {took:?}");
        assert!(
            took < std::time::Duration::from_secs(5),
            "{metric}: {took:?}"
        );
    }
}
