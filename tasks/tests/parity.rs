//! Differential test: every generated case scored by OSWorld's own metric code
//! (`desktop-env==1.0.2`, run by `tests/parity/driver.py` in the venv `scripts/parity-env`
//! makes) and by `deskhand_tasks::metrics::score` must agree, case by case.
//!
//! Agreement: OSWorld's score and deskhand's are equal (to 1e-9). Where OSWorld's function
//! raises (the task would crash there), deskhand must score 0 or refuse with an error; which
//! of the two is pinned by deskhand's unit tests, not here.
//!
//! The venv and the unzipped wheel live under `$DESKHAND_CACHE` (default
//! `~/.cache/deskhand`): `parity-venv/` and `desktop-env-1.0.2/`. Without them the test fails
//! and says to run `scripts/parity-env`; it is never skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use deskhand_tasks::metrics::{Got, score, supported};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One case of the driver's output (its format is documented in `tests/parity/driver.py`).
#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    metric: String,
    name: String,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    expected: Option<Value>,
    #[serde(default)]
    options: Map<String, Value>,
    osworld: Outcome,
}

/// Where deskhand scores differently on purpose: (metric, case name, why). Each must still
/// disagree (else it leaves this list); they are printed, never hidden.
const KNOWN: &[(&str, &str, &str)] = &[(
    "compare_table",
    "csv result (openpyxl refuses csv)",
    "deskhand reads csv and ods workbooks, which openpyxl cannot open (OSWorld scores 0); \
     no OSWorld task hands compare_table anything but xlsx",
)];

/// Metrics that can only agree approximately: (metric, largest difference, why). A case of
/// theirs that is not equal but within the difference counts as "approx", not "agreed".
const APPROX: &[(&str, f64, &str)] = &[
    (
        "compare_pdfs",
        0.06,
        "deskhand reads a PDF's text with pdf-extract, OSWorld with PyMuPDF: their spacing and line \
         breaks differ (metrics/pdf.rs), so fuzz.ratio moves by a few hundredths",
    ),
    (
        "compare_images",
        0.005,
        "compare_images returns the SSIM itself; on JPEGs the image crate's decoder and Pillow's \
         libjpeg differ by about 1 per pixel, which moves the SSIM by up to a few thousandths",
    ),
];

/// Disagreements found in metrics owned elsewhere and reported to their owners, not fixed yet:
/// (metric, case name, what). Printed on every run. One that agrees again (fixed by its owner)
/// is checked like any other case and printed as such, to be taken out of this list.
const OPEN: &[(&str, &str, &str)] = &[];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Score(f64),
    Raises(String),
}

fn cache() -> PathBuf {
    match std::env::var_os("DESKHAND_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            let home = std::env::var_os("HOME").expect("HOME is not set");
            Path::new(&home).join(".cache/deskhand")
        }
    }
}

/// A value description as `Got`.
fn got(desc: &Value) -> Got {
    let path = |v: &Value| v.as_str().map(PathBuf::from);
    match desc {
        Value::Object(o) if o.contains_key("file") => Got::File(path(&o["file"])),
        Value::Object(o) if o.contains_key("files") => Got::Files(
            o["files"]
                .as_array()
                .expect("files must be a list")
                .iter()
                .map(path)
                .collect(),
        ),
        Value::Object(o) if o.contains_key("text") => Got::Text(
            o["text"]
                .as_str()
                .expect("text must be a string")
                .to_owned(),
        ),
        Value::Object(o) if o.contains_key("json") => Got::Json(o["json"].clone()),
        other => panic!("bad value description {other}"),
    }
}

fn ours(case: &Case) -> Result<f64, String> {
    let result = case.result.as_ref().map(got);
    let expected = case.expected.as_ref().map(got);
    score(
        &case.metric,
        result.as_ref(),
        expected.as_ref(),
        &case.options,
    )
    .map_err(|e| e.to_string())
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Score(s) => format!("scores {s}"),
        Outcome::Raises(e) => format!("raises {e}"),
    }
}

fn agrees(osworld: &Outcome, ours: &Result<f64, String>, tolerance: f64) -> bool {
    match (osworld, ours) {
        (Outcome::Score(a), Ok(b)) => (a - b).abs() <= tolerance,
        (Outcome::Score(_), Err(_)) => false,
        (Outcome::Raises(_), Ok(b)) => *b == 0.0,
        (Outcome::Raises(_), Err(_)) => true,
    }
}

#[test]
fn deskhand_scores_as_osworld() {
    let cache = cache();
    let python = cache.join("parity-venv/bin/python");
    let osworld = cache.join("desktop-env-1.0.2");
    assert!(
        python.is_file() && osworld.join("desktop_env/evaluators/metrics").is_dir(),
        "the parity venv or OSWorld's metric code is missing under {}: run scripts/parity-env",
        cache.display()
    );
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("cases.json");
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/driver.py");
    let run = Command::new(&python)
        .arg(&driver)
        .arg("--osworld")
        .arg(&osworld)
        .arg("--work")
        .arg(work.path())
        .arg("--out")
        .arg(&out)
        // Text files open as UTF-8 whatever the locale, as on OSWorld's hosts.
        .env("PYTHONUTF8", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("run the parity driver");
    assert!(
        run.status.success(),
        "the parity driver failed ({}); run scripts/parity-env if the venv is stale:\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    let cases: Vec<Case> =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).expect("the driver's JSON");
    assert!(!cases.is_empty(), "the driver produced no cases");

    // metric -> (cases, agreed, OSWorld raised, listed in KNOWN or OPEN, within APPROX)
    let mut table: BTreeMap<&str, (usize, usize, usize, usize, usize)> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut stale = Vec::new();
    for case in &cases {
        let ours = ours(case);
        let ok = agrees(&case.osworld, &ours, 1e-9);
        let approx = APPROX
            .iter()
            .find(|(m, ..)| *m == case.metric)
            .is_some_and(|(_, tolerance, _)| agrees(&case.osworld, &ours, *tolerance));
        let row = table.entry(&case.metric).or_default();
        row.0 += 1;
        row.1 += usize::from(ok);
        if !ok && approx {
            row.4 += 1;
            continue;
        }
        row.2 += usize::from(matches!(case.osworld, Outcome::Raises(_)));
        let listed = |list: &[(&str, &str, &'static str)]| {
            list.iter()
                .find(|(m, n, _)| *m == case.metric && *n == case.name)
                .map(|(_, _, why)| *why)
        };
        let mut is_listed = false;
        for (list, name) in [(KNOWN, "KNOWN"), (OPEN, "OPEN")] {
            let Some(why) = listed(list) else { continue };
            if ok && name == "OPEN" {
                // Fixed by its owner: checked like any other case from now on.
                println!(
                    "OPEN {} ({}) agrees now: remove it from OPEN",
                    case.id, case.name
                );
                continue;
            }
            if ok {
                stale.push(format!(
                    "{} ({}) agrees now: take it out of {name}",
                    case.id, case.name
                ));
            }
            println!(
                "{name} {} ({}): OSWorld {}, deskhand {:?}: {why}",
                case.id,
                case.name,
                describe(&case.osworld),
                ours
            );
            is_listed = true;
        }
        if is_listed {
            row.3 += 1;
            continue;
        }
        if !ok {
            disagreements.push(format!(
                "{} ({}): OSWorld {}, deskhand {:?}\n    result {}\n    expected {}\n    options {}",
                case.id,
                case.name,
                describe(&case.osworld),
                ours,
                case.result.as_ref().map_or("-".to_owned(), Value::to_string),
                case.expected
                    .as_ref()
                    .map_or("-".to_owned(), Value::to_string),
                Value::Object(case.options.clone()),
            ));
        }
    }
    for (metric, tolerance, why) in APPROX {
        println!("APPROX {metric}: cases within {tolerance} count as approx: {why}");
    }
    println!(
        "{:<34} {:>6} {:>7} {:>7} {:>14} {:>6}",
        "metric", "cases", "agreed", "approx", "OSWorld raised", "listed"
    );
    for (metric, (n, agreed, raised, listed, approx)) in &table {
        println!("{metric:<34} {n:>6} {agreed:>7} {approx:>7} {raised:>14} {listed:>6}");
    }
    let total: usize = table.values().map(|r| r.0).sum();
    let agreed: usize = table.values().map(|r| r.1).sum();
    let listed: usize = table.values().map(|r| r.3).sum();
    let approx: usize = table.values().map(|r| r.4).sum();
    println!(
        "{:<34} {total:>6} {agreed:>7} {approx:>7} {:>14} {listed:>6}",
        "all", ""
    );
    let uncovered: Vec<&str> = supported()
        .into_iter()
        .filter(|m| !table.contains_key(m))
        .collect();
    println!(
        "metrics deskhand supports without parity cases ({}): {}",
        uncovered.len(),
        uncovered.join(", ")
    );
    assert!(stale.is_empty(), "{}", stale.join("\n"));
    assert!(
        disagreements.is_empty(),
        "{} of {total} cases disagree with OSWorld:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
