//! On-device OCR against known text: desktop-like screens rendered with system fonts and saved
//! as fixtures (`tests/fixtures/desktop_*.png`, the text drawn in the matching `.txt`), so the
//! tests need no display and no fonts.
//!
//! The model tests need `scripts/setup` to have fetched ONNX Runtime and PP-OCRv6 tiny; without
//! them they fail and say so. Regenerate the fixtures (needs DejaVu and Liberation fonts under
//! /usr/share/fonts) with:
//!
//! ```sh
//! cargo test -p deskhand-vision --test ocr -- --ignored regenerate_fixtures
//! ```
//!
//! Timings (release build):
//!
//! ```sh
//! cargo test --release -p deskhand-vision --test ocr -- --ignored --nocapture timing
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use deskhand_vision::ocr::{
    IncrementalOcr, MatchKind, MatchMode, Ocr, OcrError, OcrOptions, OcrPaths, TextElement,
    find_all_text, find_text,
};
use deskhand_vision::{Frame, Rect};

// ---------------------------------------------------------------------------------------------
// Fixtures

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(name: &str) -> (Frame, Vec<String>) {
    let dir = fixtures();
    let png = std::fs::read(dir.join(format!("{name}.png")))
        .unwrap_or_else(|e| panic!("fixture {name}.png: {e}"));
    let txt = std::fs::read_to_string(dir.join(format!("{name}.txt")))
        .unwrap_or_else(|e| panic!("fixture {name}.txt: {e}"));
    let frame = Frame::from_png(&png).unwrap();
    (frame, txt.lines().map(str::to_owned).collect())
}

/// One engine for the whole test binary; a missing model is a clear failure.
fn engine() -> Arc<Ocr> {
    static ENGINE: OnceLock<Arc<Ocr>> = OnceLock::new();
    ENGINE
        .get_or_init(|| match Ocr::load(OcrPaths::from_env()) {
            Ok(ocr) => Arc::new(ocr),
            Err(e) => panic!(
                "these tests need the OCR model and ONNX Runtime: {e}\n\
                 (CI runs scripts/setup before the tests)"
            ),
        })
        .clone()
}

/// Words compared by recall and precision: split on white space, surrounding punctuation
/// trimmed (OCR reads "…" as "..." and vice versa), case kept; words that are only
/// punctuation are skipped.
fn words<'a>(lines: impl IntoIterator<Item = &'a str>) -> HashMap<String, usize> {
    let mut bag = HashMap::new();
    for line in lines {
        for w in line.split_whitespace() {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if !w.is_empty() {
                *bag.entry(w.to_owned()).or_insert(0) += 1;
            }
        }
    }
    bag
}

/// `(recall, precision, missed, extra)` of the words read against the words drawn.
fn score(truth: &[String], read: &[TextElement]) -> (f32, f32, Vec<String>, Vec<String>) {
    let want = words(truth.iter().map(String::as_str));
    let got = words(read.iter().map(|e| e.text.as_str()));
    let total = |b: &HashMap<String, usize>| b.values().sum::<usize>();
    let hit: usize = want
        .iter()
        .map(|(w, n)| (*n).min(got.get(w).copied().unwrap_or(0)))
        .sum();
    let diff = |a: &HashMap<String, usize>, b: &HashMap<String, usize>| {
        let mut v: Vec<String> = a
            .iter()
            .filter(|(w, n)| b.get(*w).copied().unwrap_or(0) < **n)
            .map(|(w, _)| w.clone())
            .collect();
        v.sort();
        v
    };
    (
        hit as f32 / total(&want).max(1) as f32,
        hit as f32 / total(&got).max(1) as f32,
        diff(&want, &got),
        diff(&got, &want),
    )
}

fn dump(elements: &[TextElement]) -> String {
    elements
        .iter()
        .map(|e| {
            format!(
                "{:>4},{:>4} {:>4}x{:<3} {:.2} {:?}",
                e.rect.x, e.rect.y, e.rect.width, e.rect.height, e.confidence, e.text
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------------
// Loading

#[test]
fn missing_files_are_named_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let err = Ocr::load(OcrPaths::in_cache(dir.path())).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, OcrError::Missing { ref files } if files.len() == 4),
        "{msg}"
    );
    for name in [
        "libonnxruntime.so.1.31.1",
        "det.onnx",
        "rec.onnx",
        "dict.txt",
    ] {
        assert!(msg.contains(name), "{msg}");
    }
    assert!(msg.contains("run scripts/setup"), "{msg}");

    // Only the detector missing: only it is named (the others need only exist for this).
    let mut paths = OcrPaths::in_cache(dir.path());
    std::fs::create_dir_all(paths.recognizer.parent().unwrap()).unwrap();
    for p in [&paths.runtime, &paths.recognizer, &paths.dictionary] {
        std::fs::write(p, b"").unwrap();
    }
    paths.detector = dir.path().join("nowhere/det.onnx");
    let msg = Ocr::load(paths).unwrap_err().to_string();
    assert!(
        msg.contains("text detector model") && msg.contains("nowhere/det.onnx"),
        "{msg}"
    );
    assert!(!msg.contains("rec.onnx"), "{msg}");
}

#[test]
fn a_broken_model_is_an_error_not_a_panic() {
    engine(); // ONNX Runtime itself must load for this to reach the model.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("det.onnx");
    std::fs::write(&bad, b"not a model").unwrap();
    let mut paths = OcrPaths::from_env();
    paths.detector = bad.clone();
    match Ocr::load(paths) {
        Err(OcrError::Model { path, .. }) => assert_eq!(path, bad),
        other => panic!("expected a model error, got {other:?}"),
    }
}

#[test]
fn loads_twice_in_one_process() {
    let a = engine();
    let b = Ocr::load(OcrPaths::from_env()).unwrap();
    let (frame, _) = fixture("desktop_1280x800");
    let crop = frame.crop(Rect::new(0, 0, 640, 200)).unwrap();
    assert_eq!(a.read(&crop).unwrap(), b.read(&crop).unwrap());
}

// ---------------------------------------------------------------------------------------------
// Reading

#[test]
fn reads_a_desktop_with_high_recall_and_precision() {
    let ocr = engine();
    for name in ["desktop_1280x800", "desktop_1920x1080"] {
        let (frame, truth) = fixture(name);
        let read = ocr.read(&frame).unwrap();
        let (recall, precision, missed, extra) = score(&truth, &read);
        println!(
            "{name}: recall {recall:.3} precision {precision:.3}\n{}",
            dump(&read)
        );
        println!("  missed {missed:?}\n  extra {extra:?}");
        assert!(
            recall >= 0.9 && precision >= 0.9,
            "{name}: recall {recall:.3}, precision {precision:.3}\nmissed {missed:?}\nextra \
             {extra:?}\n{}",
            dump(&read)
        );
        for e in &read {
            assert!(!e.text.is_empty() && e.confidence >= 0.5, "{e:?}");
            assert!(e.rect.right() <= u64::from(frame.width()), "{e:?}");
            assert!(e.rect.bottom() <= u64::from(frame.height()), "{e:?}");
        }
    }
}

#[test]
fn elements_come_in_reading_order() {
    let (frame, _) = fixture("desktop_1280x800");
    let read = engine().read(&frame).unwrap();
    let pos = |text: &str| {
        read.iter()
            .position(|e| e.text == text)
            .unwrap_or_else(|| panic!("{text:?} not read:\n{}", dump(&read)))
    };
    // The menu bar, left to right, then the toolbar under it.
    assert!(pos("File") < pos("Edit"));
    assert!(pos("Edit") < pos("Search"));
    assert!(pos("Help") < pos("Save"));
    // The sidebar top to bottom.
    assert!(pos("Documents") < pos("Downloads"));
    // Elements on one line (overlapping by half the smaller height) are left to right; lines
    // top to bottom.
    for pair in read.windows(2) {
        let (a, b) = (&pair[0].rect, &pair[1].rect);
        let overlap = (a.y + a.height)
            .min(b.y + b.height)
            .saturating_sub(a.y.max(b.y));
        let same_line = overlap * 2 >= a.height.min(b.height);
        assert!(
            if same_line {
                a.x < b.x
            } else {
                a.y <= b.y + b.height
            },
            "{pair:?}"
        );
    }
}

#[test]
fn an_empty_or_blank_frame_has_no_text() {
    let ocr = engine();
    assert_eq!(
        ocr.read(&Frame::from_rgba(0, 0, vec![]).unwrap()).unwrap(),
        vec![]
    );
    let blank = Frame::from_rgba(300, 200, [240, 240, 240, 255].repeat(300 * 200)).unwrap();
    assert_eq!(ocr.read(&blank).unwrap(), vec![]);
}

// ---------------------------------------------------------------------------------------------
// Incremental

fn same_elements(a: &[TextElement], b: &[TextElement]) -> bool {
    close_elements(a, b, 2)
}

/// The same texts in boxes whose sides are at most `px` apart.
fn close_elements(a: &[TextElement], b: &[TextElement], px: u32) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.text == y.text
                && x.rect.x.abs_diff(y.rect.x) <= px
                && x.rect.y.abs_diff(y.rect.y) <= px
                && x.rect.width.abs_diff(y.rect.width) <= px
                && x.rect.height.abs_diff(y.rect.height) <= px
        })
}

#[test]
fn incremental_after_a_one_line_change_equals_a_full_pass() {
    let ocr = engine();
    let (before, _) = fixture("desktop_1280x800");
    let (after, truth_after) = fixture("desktop_1280x800_edited");
    let mut inc = IncrementalOcr::new(ocr.clone());

    let first = inc.read(&before).unwrap();
    assert!(inc.last_stats().full_pass);
    assert_eq!(first, ocr.read(&before).unwrap());

    // Nothing changed: nothing is read.
    assert_eq!(inc.read(&before).unwrap(), first);
    assert!(!inc.last_stats().full_pass && inc.last_stats().recognized == 0);

    let t = Instant::now();
    let got = inc.read(&after).unwrap();
    let took = t.elapsed();
    let stats = inc.last_stats().clone();
    let full = ocr.read(&after).unwrap();
    println!("incremental: {took:?}, {stats:?}");
    assert!(!stats.full_pass, "{stats:?}");
    assert!(stats.recognized >= 1 && stats.recognized <= 3, "{stats:?}");
    assert!(stats.kept > full.len() / 2, "{stats:?}");
    assert!(
        same_elements(&got, &full),
        "incremental:\n{}\nfull pass:\n{}",
        dump(&got),
        dump(&full)
    );
    // The changed line is read.
    assert!(
        got.iter().any(|e| e.text.contains("forecast")),
        "{}",
        dump(&got)
    );
    let (recall, precision, ..) = score(&truth_after, &got);
    assert!(recall >= 0.9 && precision >= 0.9, "{recall} {precision}");

    // And back again.
    let back = inc.read(&before).unwrap();
    assert!(same_elements(&back, &first), "{}", dump(&back));

    // Text that disappears: the dialog's question painted over with the dialog's background.
    let mut rgba = before.rgba().to_vec();
    for y in 600..640 {
        for x in 840..1200 {
            let i = (y * 1280 + x) * 4;
            rgba[i..i + 4].copy_from_slice(&[250, 250, 250, 255]);
        }
    }
    let erased = Frame::from_rgba(1280, 800, rgba).unwrap();
    let got = inc.read(&erased).unwrap();
    assert!(!inc.last_stats().full_pass, "{:?}", inc.last_stats());
    assert!(
        !got.iter().any(|e| e.text.contains("closing")),
        "{}",
        dump(&got)
    );
    // The detector pools over each tile it reads (8 GlobalAveragePool nodes; a 1280x800 frame
    // is two tiles side by side, see `OcrOptions::tile_pixels`), so a bigger change moves other
    // boxes of its tile in a *full* pass by a few pixels (here the dialog's buttons, under the
    // erased line, by up to 4) and can flip a space in their text; the incremental result keeps
    // them as they were. Compare words, and the band's texts with their boxes within 4 pixels.
    let full = ocr.read(&erased).unwrap();
    let full_text: Vec<String> = full.iter().map(|e| e.text.clone()).collect();
    let (recall, precision, missed, extra) = score(&full_text, &got);
    assert!(
        recall >= 0.95 && precision >= 0.95,
        "{recall} {precision} {missed:?} {extra:?}\nincremental:\n{}\nfull pass:\n{}",
        dump(&got),
        dump(&full)
    );
    let band = inc.last_stats().bands[0];
    let in_band = |v: &[TextElement]| -> Vec<TextElement> {
        v.iter()
            .filter(|e| band.intersects(&e.rect))
            .cloned()
            .collect()
    };
    assert!(
        close_elements(&in_band(&got), &in_band(&full), 4),
        "incremental:\n{}\nfull pass:\n{}",
        dump(&in_band(&got)),
        dump(&in_band(&full))
    );

    // Another size: a full pass.
    let small = before.crop(Rect::new(0, 0, 1280, 400)).unwrap();
    inc.read(&small).unwrap();
    assert!(inc.last_stats().full_pass);
}

#[test]
fn the_engine_can_be_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Ocr>();
    let ocr = engine();
    let (frame, _) = fixture("desktop_1280x800");
    let top = frame.crop(Rect::new(0, 0, 1280, 160)).unwrap();
    let alone = ocr.read(&top).unwrap();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (ocr, top) = (ocr.clone(), top.clone());
            std::thread::spawn(move || ocr.read(&top).unwrap())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), alone);
    }
}

// ---------------------------------------------------------------------------------------------
// Grounding

fn el(text: &str, x: u32, y: u32, w: u32) -> TextElement {
    TextElement {
        text: text.into(),
        rect: Rect::new(x, y, w, 20),
        confidence: 0.95,
    }
}

fn toolbar() -> Vec<TextElement> {
    vec![
        el("File", 10, 10, 30),
        el("Save As…", 60, 10, 70),
        el("Save", 150, 10, 40),
        el("Downloads", 10, 100, 90),
        el("Open File…", 10, 200, 90),
        el("Save", 900, 700, 40),
        el("Cancel", 960, 700, 60),
    ]
}

#[test]
fn find_text_exact_prefers_the_whole_text() {
    let els = toolbar();
    let m = find_text(&els, "Save", None, MatchMode::Exact).unwrap();
    assert_eq!(
        (m.element.text.as_str(), m.kind),
        ("Save", MatchKind::Whole)
    );
    assert_eq!(
        m.element.rect.x, 150,
        "first in reading order without a hint"
    );
    assert_eq!(m.click_point(), (170, 20));
    // "Save As…" also matches, ranked after both exact "Save"s.
    let all = find_all_text(&els, "Save", None, MatchMode::Exact);
    let kinds: Vec<(&str, MatchKind)> = all
        .iter()
        .map(|m| (m.element.text.as_str(), m.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("Save", MatchKind::Whole),
            ("Save", MatchKind::Whole),
            ("Save As…", MatchKind::Words)
        ]
    );
    // Exact is case-sensitive.
    assert!(find_text(&els, "save", None, MatchMode::Exact).is_err());
}

#[test]
fn find_text_ignoring_case_and_within_a_longer_text() {
    let els = toolbar();
    let m = find_text(&els, "save as…", None, MatchMode::CaseInsensitive).unwrap();
    assert_eq!(
        (m.element.text.as_str(), m.kind),
        ("Save As…", MatchKind::Whole)
    );
    let m = find_text(&els, "as", None, MatchMode::CaseInsensitive).unwrap();
    assert_eq!(m.element.text, "Save As…");
    assert_eq!(m.kind, MatchKind::Words);
    // The click lands on "As", right of the element's centre.
    assert!(m.click_point().0 > m.element.click_point().0, "{m:?}");
}

#[test]
fn find_text_fuzzy_tolerates_ocr_slips() {
    let els = toolbar();
    let m = find_text(&els, "Downlods", None, MatchMode::Fuzzy).unwrap();
    assert_eq!(
        (m.element.text.as_str(), m.kind),
        ("Downloads", MatchKind::Fuzzy)
    );
    assert!(m.similarity >= 0.75 && m.similarity < 1.0);
    let m = find_text(&els, "open file...", None, MatchMode::Fuzzy).unwrap();
    assert_eq!(m.element.text, "Open File…");
    assert_eq!(m.kind, MatchKind::Whole, "punctuation is ignored");
    let m = find_text(&els, "Cancle", None, MatchMode::Fuzzy).unwrap();
    assert_eq!(m.element.text, "Cancel");
    assert!(find_text(&els, "Cancle", None, MatchMode::CaseInsensitive).is_err());
}

#[test]
fn find_text_hint_picks_the_nearest() {
    let els = toolbar();
    let m = find_text(&els, "Save", Some((950, 650)), MatchMode::Exact).unwrap();
    assert_eq!(m.element.rect.x, 900);
    let m = find_text(&els, "Save", Some((0, 0)), MatchMode::Exact).unwrap();
    assert_eq!(m.element.rect.x, 150);
    // A hint never promotes a worse kind of match over a better one.
    let m = find_text(&els, "Save", Some((95, 20)), MatchMode::Exact).unwrap();
    assert_eq!(m.element.text, "Save");
}

#[test]
fn find_text_not_found_lists_the_closest_texts() {
    let els = toolbar();
    let err = find_text(&els, "Save Al", None, MatchMode::Exact).unwrap_err();
    assert_eq!(err.query, "Save Al");
    assert_eq!(err.closest.len(), 5);
    assert_eq!(err.closest[0].0, "Save As…");
    let msg = err.to_string();
    assert!(msg.contains("\"Save Al\""), "{msg}");
    assert!(msg.contains("\"Save As…\""), "{msg}");
    assert!(msg.starts_with("no text on screen matches"), "{msg}");
    let err = find_text(&els, "Frobnicate", None, MatchMode::Fuzzy).unwrap_err();
    assert!(err.to_string().contains("closest texts seen"), "{err}");
}

#[test]
fn grounding_on_a_real_screen() {
    let (frame, _) = fixture("desktop_1280x800");
    let read = engine().read(&frame).unwrap();
    let m = find_text(&read, "Save", None, MatchMode::Exact)
        .unwrap_or_else(|e| panic!("{e}\n{}", dump(&read)));
    assert_eq!(m.kind, MatchKind::Whole);
    // The toolbar's Save (y < 150) is first in reading order; the dialog's is nearest to a
    // hint at the bottom right.
    assert!(m.element.rect.y < 150, "{m:?}");
    let m = find_text(&read, "Save", Some((1200, 780)), MatchMode::Exact).unwrap();
    assert!(m.element.rect.y > 600, "{m:?}");
    let (x, y) = m.click_point();
    assert!(m.element.rect.contains(x as u32, y as u32));
    let m = find_text(&read, "save as", None, MatchMode::CaseInsensitive).unwrap();
    assert!(m.element.text.starts_with("Save As"), "{m:?}");
    let m = find_text(&read, "Dowloads", None, MatchMode::Fuzzy).unwrap();
    assert_eq!(m.element.text, "Downloads");
}

// ---------------------------------------------------------------------------------------------
// Timing (ignored; run in release with --nocapture)

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore = "timing; run in release with --nocapture"]
fn timing() {
    println!("RSS before loading: {:.0} MiB", rss_mib());
    // The default engine first (its RSS is the one that matters), then one keeping ONNX
    // Runtime's memory arena.
    for options in [
        OcrOptions::default(),
        OcrOptions {
            arena: true,
            ..OcrOptions::default()
        },
    ] {
        println!("== arena: {}", options.arena);
        let t = Instant::now();
        let ocr = Arc::new(Ocr::load_with(OcrPaths::from_env(), options).unwrap());
        println!("load: {:?}, RSS {:.0} MiB", t.elapsed(), rss_mib());
        for name in ["desktop_1280x800", "desktop_1920x1080"] {
            let (frame, truth) = fixture(name);
            let mut read = Vec::new();
            let runs: Vec<Duration> = (0..5)
                .map(|_| {
                    let t = Instant::now();
                    read = ocr.read(&frame).unwrap();
                    t.elapsed()
                })
                .collect();
            let (recall, precision, ..) = score(&truth, &read);
            println!(
                "{name}: full pass {:?} (median of 5), {} elements, word recall {recall:.3}, \
                 precision {precision:.3}",
                median(runs),
                read.len()
            );
        }
        let (before, _) = fixture("desktop_1280x800");
        let (after, _) = fixture("desktop_1280x800_edited");
        let mut inc = IncrementalOcr::new(ocr.clone());
        let runs: Vec<Duration> = (0..5)
            .map(|_| {
                inc.read(&before).unwrap();
                let t = Instant::now();
                inc.read(&after).unwrap();
                t.elapsed()
            })
            .collect();
        println!(
            "one-line change: incremental {:?} (median of 5), {:?}",
            median(runs),
            inc.last_stats()
        );
        println!("RSS with OCR loaded and used: {:.0} MiB", rss_mib());
    }
}

// ---------------------------------------------------------------------------------------------
// Fixture generation (ignored: the PNGs are committed)

mod scene {
    use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};

    pub struct Fonts {
        pub sans: FontVec,
        pub liberation: FontVec,
        pub mono: FontVec,
        pub bold: FontVec,
    }

    fn font(path: &str) -> FontVec {
        let bytes = std::fs::read(path).unwrap_or_else(|e| {
            panic!("{path}: {e} (install fonts-dejavu-core fonts-liberation2)")
        });
        FontVec::try_from_vec(bytes).unwrap()
    }

    impl Fonts {
        pub fn load() -> Fonts {
            Fonts {
                sans: font("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                liberation: font(
                    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
                ),
                mono: font("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
                bold: font("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
            }
        }
    }

    pub struct Canvas {
        pub width: u32,
        pub height: u32,
        pub rgba: Vec<u8>,
        /// Every string drawn, in drawing order.
        pub text: Vec<String>,
    }

    impl Canvas {
        pub fn new(width: u32, height: u32, bg: [u8; 3]) -> Canvas {
            let mut c = Canvas {
                width,
                height,
                rgba: vec![255; (width * height * 4) as usize],
                text: Vec::new(),
            };
            c.fill(0, 0, width, height, bg);
            c
        }

        pub fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, rgb: [u8; 3]) {
            for yy in y..(y + h).min(self.height) {
                for xx in x..(x + w).min(self.width) {
                    let i = ((yy * self.width + xx) * 4) as usize;
                    self.rgba[i..i + 3].copy_from_slice(&rgb);
                }
            }
        }

        pub fn frame_rect(&mut self, x: u32, y: u32, w: u32, h: u32, rgb: [u8; 3]) {
            self.fill(x, y, w, 1, rgb);
            self.fill(x, y + h - 1, w, 1, rgb);
            self.fill(x, y, 1, h, rgb);
            self.fill(x + w - 1, y, 1, h, rgb);
        }

        fn blend(&mut self, x: i32, y: i32, cov: f32, rgb: [u8; 3]) {
            if x < 0 || y < 0 || x >= self.width as i32 || y >= self.height as i32 {
                return;
            }
            let i = ((y as u32 * self.width + x as u32) * 4) as usize;
            let a = cov.clamp(0.0, 1.0);
            for (dst, &fg) in self.rgba[i..i + 3].iter_mut().zip(&rgb) {
                let bg = f32::from(*dst);
                *dst = (bg + (f32::from(fg) - bg) * a).round() as u8;
            }
        }

        /// Width of `text` in pixels at `px`.
        pub fn measure(font: &FontVec, px: f32, text: &str) -> f32 {
            let sf = font.as_scaled(PxScale::from(px));
            let mut w = 0.0;
            let mut prev = None;
            for ch in text.chars() {
                let id = sf.glyph_id(ch);
                if let Some(p) = prev {
                    w += sf.kern(p, id);
                }
                w += sf.h_advance(id);
                prev = Some(id);
            }
            w
        }

        /// Draw `text` with its top-left at `(x, y)`; returns its width. Recorded as truth.
        pub fn text(
            &mut self,
            font: &FontVec,
            px: f32,
            x: u32,
            y: u32,
            rgb: [u8; 3],
            text: &str,
        ) -> u32 {
            let scale = PxScale::from(px);
            let sf = font.as_scaled(scale);
            let baseline = (y as f32 + sf.ascent()).round();
            let mut caret = x as f32;
            let mut prev = None;
            for ch in text.chars() {
                let id = sf.glyph_id(ch);
                if let Some(p) = prev {
                    caret += sf.kern(p, id);
                }
                let g = id.with_scale_and_position(scale, point(caret.round(), baseline));
                caret += sf.h_advance(id);
                prev = Some(id);
                if let Some(outline) = font.outline_glyph(g) {
                    let b = outline.px_bounds();
                    let mut hits = Vec::new();
                    outline.draw(|gx, gy, cov| {
                        hits.push((b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32, cov))
                    });
                    for (px, py, cov) in hits {
                        self.blend(px, py, cov, rgb);
                    }
                }
            }
            self.text.push(text.to_owned());
            (caret - x as f32).ceil() as u32
        }

        /// A push button: a bordered box with its label centred.
        pub fn button(&mut self, font: &FontVec, px: f32, x: u32, y: u32, w: u32, label: &str) {
            let h = (px * 1.9) as u32;
            self.fill(x, y, w, h, [246, 245, 244]);
            self.frame_rect(x, y, w, h, [192, 191, 188]);
            let tw = Canvas::measure(font, px, label) as u32;
            let tx = x + w.saturating_sub(tw) / 2;
            let ty = y + (h - px as u32) / 2;
            self.text(font, px, tx, ty, [46, 52, 54], label);
        }
    }

    pub const BODY: [&str; 16] = [
        "Quarterly report draft for the northern region",
        "Revenue grew by 12 percent compared with last year",
        "Operating costs stayed flat at 4.2 million euros",
        "The new warehouse in Leipzig opened in March",
        "Customer complaints fell to 31 per month on average",
        "Hiring plan: two engineers and one support lead",
        "Risks include supplier delays and currency swings",
        "Next review meeting is scheduled for 14 October",
        "Action items are tracked in the shared spreadsheet",
        "Please send comments to Maria before Friday noon",
        "fn main() { println!(\"hello world\"); }",
        "let total = price * quantity + shipping;",
        "Appendix A lists all regional sales figures",
        "Appendix B describes the survey methodology",
        "Draft version 7 saved automatically at 09:41",
        "Contact: finance-team@example.org or ext 2231",
    ];

    /// A desktop: top panel, an editor window with menu, toolbar, sidebar and text, a dialog
    /// and a status bar. `edited` changes one line of the text.
    pub fn desktop(fonts: &Fonts, width: u32, height: u32, edited: bool) -> Canvas {
        let big = width > 1500;
        let k = if big { 1.2 } else { 1.0 };
        let ui = 17.0 * k;
        let body = 18.0 * k;
        let small = 15.0 * k;
        let mut c = Canvas::new(width, height, [53, 132, 228]);
        // Top panel.
        let panel = (28.0 * k) as u32;
        c.fill(0, 0, width, panel, [36, 36, 36]);
        c.text(&fonts.sans, small, 12, 6, [238, 238, 236], "Activities");
        c.text(
            &fonts.sans,
            small,
            width / 2 - 50,
            6,
            [238, 238, 236],
            "Tue 14:32",
        );
        c.text(
            &fonts.sans,
            small,
            width - 110,
            6,
            [238, 238, 236],
            "English",
        );
        // Window.
        let (wx, wy) = (40u32, panel + 20);
        let (ww, wh) = (width - 80, height - panel - 60);
        c.fill(wx, wy, ww, wh, [255, 255, 255]);
        c.frame_rect(wx, wy, ww, wh, [154, 153, 150]);
        let title_h = (36.0 * k) as u32;
        c.fill(wx + 1, wy + 1, ww - 2, title_h, [235, 235, 235]);
        c.text(
            &fonts.bold,
            ui,
            wx + ww / 2 - 150,
            wy + 9,
            [46, 52, 54],
            "report-draft.txt - Mousepad",
        );
        // Menu bar.
        let my = wy + title_h + 6;
        let mut mx = wx + 12;
        for item in ["File", "Edit", "Search", "View", "Document", "Help"] {
            let w = c.text(&fonts.sans, ui, mx, my, [46, 52, 54], item);
            mx += w + (28.0 * k) as u32;
        }
        // Toolbar.
        let ty = my + (30.0 * k) as u32;
        let bw = (110.0 * k) as u32;
        let mut bx = wx + 12;
        for label in ["Save", "Save As…", "Open File…", "Print"] {
            c.button(&fonts.liberation, ui, bx, ty, bw, label);
            bx += bw + 10;
        }
        // Sidebar.
        let sy = ty + (46.0 * k) as u32;
        let sw = (200.0 * k) as u32;
        c.fill(wx + 1, sy, sw, wh - (sy - wy) - 1, [246, 245, 244]);
        let mut y = sy + 14;
        for item in [
            "Recent",
            "Documents",
            "Downloads",
            "Pictures",
            "Music",
            "Trash",
        ] {
            c.text(&fonts.sans, ui, wx + 20, y, [46, 52, 54], item);
            y += (32.0 * k) as u32;
        }
        // Body text.
        let tx = wx + sw + 24;
        let mut y = sy + 14;
        let line = (26.0 * k) as u32;
        let rows = if big { 16 } else { 14 };
        for (i, text) in BODY.iter().take(rows).enumerate() {
            let text = if edited && i == 1 {
                "Revenue grew by 15 percent compared with the forecast"
            } else {
                text
            };
            let font = if (10..12).contains(&i) {
                &fonts.mono
            } else if i % 3 == 2 {
                &fonts.liberation
            } else {
                &fonts.sans
            };
            c.text(font, body, tx, y, [30, 30, 30], text);
            y += line;
        }
        // A dialog at the bottom right with its own Save.
        let dw = (380.0 * k) as u32;
        let dh = (120.0 * k) as u32;
        let (dx, dy) = (wx + ww - dw - 30, wy + wh - dh - 50);
        c.fill(dx, dy, dw, dh, [250, 250, 250]);
        c.frame_rect(dx, dy, dw, dh, [120, 120, 120]);
        c.text(
            &fonts.sans,
            ui,
            dx + 20,
            dy + 16,
            [46, 52, 54],
            "Save changes before closing?",
        );
        let bw = (100.0 * k) as u32;
        c.button(
            &fonts.liberation,
            ui,
            dx + dw - 2 * bw - 30,
            dy + dh - (48.0 * k) as u32,
            bw,
            "Cancel",
        );
        c.button(
            &fonts.liberation,
            ui,
            dx + dw - bw - 20,
            dy + dh - (48.0 * k) as u32,
            bw,
            "Save",
        );
        // Status bar.
        let by = wy + wh - (30.0 * k) as u32;
        c.fill(wx + 1, by, ww - 2, (29.0 * k) as u32, [240, 240, 240]);
        c.text(
            &fonts.sans,
            small,
            wx + 16,
            by + 7,
            [80, 80, 80],
            "Line 14, Column 27",
        );
        c.text(
            &fonts.sans,
            small,
            wx + ww - 300,
            by + 7,
            [80, 80, 80],
            "UTF-8",
        );
        c.text(
            &fonts.sans,
            small,
            wx + ww - 180,
            by + 7,
            [80, 80, 80],
            "Spaces: 4",
        );
        c
    }
}

#[test]
#[ignore = "writes tests/fixtures; needs system fonts"]
fn regenerate_fixtures() {
    let fonts = scene::Fonts::load();
    let dir = fixtures();
    std::fs::create_dir_all(&dir).unwrap();
    for (name, w, h, edited) in [
        ("desktop_1280x800", 1280, 800, false),
        ("desktop_1280x800_edited", 1280, 800, true),
        ("desktop_1920x1080", 1920, 1080, false),
    ] {
        let c = scene::desktop(&fonts, w, h, edited);
        let frame = Frame::from_rgba(c.width, c.height, c.rgba).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), frame.to_png().unwrap()).unwrap();
        std::fs::write(dir.join(format!("{name}.txt")), c.text.join("\n") + "\n").unwrap();
    }
}
