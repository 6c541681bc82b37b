//! Each metric on real files and values, passing and failing, with the option shapes OSWorld's
//! task files give it. Spreadsheets in `fixtures/table` were made with LibreOffice from the
//! csv and fods sources beside them (`regenerate.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use deskhand_tasks::metrics::{Got, MetricError, check_options, score};
use deskhand_tasks::relative_time::try_resolve;
use deskhand_tasks::suite::discover;
use deskhand_tasks::{Source, Task};
use pretty_assertions::assert_eq;
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn file(rel: &str) -> Got {
    let path = fixture(rel);
    assert!(path.is_file(), "{}", path.display());
    Got::File(Some(path))
}

fn files(rels: &[&str]) -> Got {
    Got::Files(rels.iter().map(|r| Some(fixture(r))).collect())
}

fn missing() -> Got {
    Got::File(None)
}

fn rules(v: Value) -> Got {
    Got::Json(v)
}

fn options(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        other => panic!("options must be an object: {other}"),
    }
}

/// Scores, panicking on an error.
fn run(metric: &str, result: Got, expected: Option<Got>, opts: Value) -> f64 {
    score(metric, Some(&result), expected.as_ref(), &options(opts))
        .unwrap_or_else(|e| panic!("{metric}: {e}"))
}

fn run_err(metric: &str, result: Got, expected: Option<Got>, opts: Value) -> MetricError {
    match score(metric, Some(&result), expected.as_ref(), &options(opts)) {
        Ok(s) => panic!("{metric}: scored {s}, expected an error"),
        Err(e) => e,
    }
}

fn is_invalid(e: &MetricError) -> bool {
    matches!(e, MetricError::Invalid { .. })
}

#[test]
fn exact_match() {
    let expected = || Some(rules(json!({"expected": "true\n"})));
    assert_eq!(
        run(
            "exact_match",
            Got::Text("true\n".into()),
            expected(),
            Value::Null
        ),
        1.0
    );
    assert_eq!(
        run(
            "exact_match",
            Got::Text("true".into()),
            expected(),
            Value::Null
        ),
        0.0
    );
    // Python's ==: 1 == 1.0.
    let one = Some(rules(json!({"expected": 1.0})));
    assert_eq!(
        run("exact_match", Got::Json(json!(1)), one, Value::Null),
        1.0
    );
    assert_eq!(run("exact_match", missing(), expected(), Value::Null), 0.0);
    assert!(is_invalid(&run_err(
        "exact_match",
        Got::Text("x".into()),
        None,
        Value::Null
    )));
    assert!(is_invalid(&run_err(
        "exact_match",
        Got::Text("x".into()),
        Some(rules(json!({"want": "x"}))),
        Value::Null
    )));
}

#[test]
fn check_include_exclude() {
    let r = || {
        Some(rules(
            json!({"include": ["no libreoffice is running", "killed from terminal"],
            "exclude": ["libreoffice is still running", "not killed from terminal"]}),
        ))
    };
    let ok = "no libreoffice is running\nkilled from terminal\n";
    let bad = "no libreoffice is running\nnot killed from terminal\n";
    assert_eq!(
        run(
            "check_include_exclude",
            Got::Text(ok.into()),
            r(),
            Value::Null
        ),
        1.0
    );
    assert_eq!(
        run(
            "check_include_exclude",
            Got::Text(bad.into()),
            r(),
            Value::Null
        ),
        0.0
    );
    assert_eq!(
        run(
            "check_include_exclude",
            Got::Text("".into()),
            r(),
            json!({})
        ),
        0.0
    );
    let only_exclude = Some(rules(json!({"include": [], "exclude": ["Error:"]})));
    assert_eq!(
        run(
            "check_include_exclude",
            Got::Text("".into()),
            only_exclude,
            Value::Null
        ),
        1.0
    );
    assert_eq!(
        run("check_include_exclude", missing(), r(), Value::Null),
        0.0
    );
    // A list result: membership, as Python's `in`.
    let in_list = Some(rules(json!({"include": ["vlc.desktop"]})));
    let list = Got::Json(json!(["vlc.desktop", "totem.desktop"]));
    assert_eq!(
        run("check_include_exclude", list, in_list, Value::Null),
        1.0
    );
    assert!(is_invalid(&run_err(
        "check_include_exclude",
        file("text/result.txt"),
        r(),
        Value::Null
    )));
}

#[test]
fn is_in_list() {
    let r = || {
        Some(rules(
            json!({"expected": "/home/user/Desktop/helloExtension"}),
        ))
    };
    let paths = Got::Json(json!(["/home/user/a", "/home/user/Desktop/helloExtension"]));
    assert_eq!(run("is_in_list", paths, r(), Value::Null), 1.0);
    let other = Got::Json(json!(["/home/user/a"]));
    assert_eq!(run("is_in_list", other, r(), Value::Null), 0.0);
    let text = Got::Text("found /home/user/Desktop/helloExtension\n".into());
    assert_eq!(run("is_in_list", text, r(), Value::Null), 1.0);
    assert_eq!(
        run("is_in_list", Got::Json(Value::Null), r(), Value::Null),
        0.0
    );
}

#[test]
fn literal_match() {
    let result = || Got::Json(json!(["Ada Lovelace", 12, 3.5]));
    let list = json!({"type": "list", "ignore_case": true});
    let wanted = Some(Got::Json(json!(["ada lovelace", "12", "3.5"])));
    assert_eq!(run("literal_match", result(), wanted, list.clone()), 1.0);
    let shorter = Some(Got::Json(json!(["ada lovelace", "12"])));
    assert_eq!(run("literal_match", result(), shorter, list.clone()), 0.0);
    let case = Some(Got::Json(json!(["ada lovelace", "12", "3.5"])));
    assert_eq!(
        run("literal_match", result(), case, json!({"type": "list"})),
        0.0
    );
    // "str": str(result) == str(expected).
    assert_eq!(
        run(
            "literal_match",
            Got::Json(json!(42)),
            Some(Got::Text("42".into())),
            Value::Null
        ),
        1.0
    );
    assert_eq!(
        run(
            "literal_match",
            Got::Json(json!(true)),
            Some(Got::Text("true".into())),
            Value::Null
        ),
        0.0
    );
    assert!(is_invalid(&run_err(
        "literal_match",
        result(),
        Some(result()),
        json!({"type": "set"})
    )));
}

#[test]
fn check_list() {
    // thunderbird a10b69e1's rules: both folders and their .msf files.
    let folders = || {
        Some(rules(
            json!({"expect": ["\\bCOMPANY\\.msf\\b", "\\bCOMPANY/?(?!\\.msf)",
            "\\bUNIVERSITY\\.msf\\b", "\\bUNIVERSITY/?(?!\\.msf)"]}),
        ))
    };
    assert_eq!(
        run(
            "check_list",
            file("list/folders.ls"),
            folders(),
            Value::Null
        ),
        1.0
    );
    assert_eq!(
        run(
            "check_list",
            file("list/folders_missing.ls"),
            folders(),
            Value::Null
        ),
        0.0
    );
    // multi_apps 415ef462: no line at all in the diff.
    let nothing = || Some(rules(json!({"unexpect": [".+"]})));
    assert_eq!(
        run(
            "check_list",
            file("list/empty_diff.out"),
            nothing(),
            json!({})
        ),
        1.0
    );
    assert_eq!(
        run("check_list", file("list/diff.out"), nothing(), json!({})),
        0.0
    );
    assert_eq!(run("check_list", missing(), nothing(), Value::Null), 0.0);
    let bad = Some(rules(json!({"expect": ["(unclosed"]})));
    assert!(is_invalid(&run_err(
        "check_list",
        file("list/diff.out"),
        bad,
        Value::Null
    )));
}

#[test]
fn file_contains() {
    let r = |words: Value| Some(rules(json!({ "expected": words })));
    let cpu = json!([
        "CPU", "%user", "%nice", "%system", "%iowait", "%steal", "%idle"
    ]);
    assert_eq!(
        run(
            "file_contains",
            file("text/report.txt"),
            r(cpu.clone()),
            Value::Null
        ),
        1.0
    );
    let guest = json!(["CPU", "%guest"]);
    assert_eq!(
        run(
            "file_contains",
            file("text/report.txt"),
            r(guest),
            Value::Null
        ),
        0.0
    );
    assert_eq!(run("file_contains", missing(), r(cpu), Value::Null), 0.0);
}

#[test]
fn compare_text_file() {
    // Text mode reads \r\n as \n.
    let gold = || Some(file("text/gold_crlf.txt"));
    assert_eq!(
        run(
            "compare_text_file",
            file("text/result.txt"),
            gold(),
            Value::Null
        ),
        1.0
    );
    assert_eq!(
        run(
            "compare_text_file",
            file("text/spaced.txt"),
            gold(),
            Value::Null
        ),
        0.0
    );
    let loose = json!({"ignore_blanks": true, "ignore_case": true});
    assert_eq!(
        run(
            "compare_text_file",
            file("text/spaced.txt"),
            gold(),
            loose.clone()
        ),
        1.0
    );
    assert_eq!(
        run("compare_text_file", file("text/script.py"), gold(), loose),
        0.0
    );
    assert_eq!(
        run("compare_text_file", missing(), gold(), Value::Null),
        0.0
    );
    assert!(is_invalid(&run_err(
        "compare_text_file",
        file("text/result.txt"),
        Some(missing()),
        Value::Null
    )));
}

#[test]
fn diff_text_file() {
    // difflib.SequenceMatcher(a=lines, b=gold_lines).ratio() == 0.75 (3 of 4 lines the same).
    let gold = || Some(file("text/script_gold.py"));
    assert_eq!(
        run(
            "diff_text_file",
            file("text/script.py"),
            gold(),
            Value::Null
        ),
        0.75
    );
    assert_eq!(
        run(
            "diff_text_file",
            file("text/script_gold.py"),
            gold(),
            Value::Null
        ),
        1.0
    );
    assert_eq!(run("diff_text_file", missing(), gold(), Value::Null), 0.0);
}

#[test]
fn compare_csv() {
    // The gold has a BOM and \r\n line ends. As in OSWorld (tests/parity.rs), the BOM stays at
    // the start of the first line, so no file without one matches it, however loose.
    let gold = || Some(file("csv/contacts_gold.csv"));
    assert_eq!(
        run("compare_csv", file("csv/contacts.csv"), gold(), Value::Null),
        0.0
    );
    assert_eq!(
        run(
            "compare_csv",
            file("csv/contacts_loose.csv"),
            gold(),
            json!({})
        ),
        0.0
    );
    let loose = json!({"strict": false, "ignore_case": true});
    assert_eq!(
        run("compare_csv", file("csv/contacts_loose.csv"), gold(), loose),
        0.0
    );
    assert_eq!(
        run(
            "compare_csv",
            file("csv/contacts_reordered.csv"),
            gold(),
            Value::Null
        ),
        0.0
    );
    // Several gold files (multi_apps 3680a5ee): any one matching will do, missing ones skipped.
    let any = Got::Files(vec![
        None,
        Some(fixture("csv/contacts_gold.csv")),
        Some(fixture("csv/contacts.csv")),
    ]);
    assert_eq!(
        run(
            "compare_csv",
            file("csv/contacts.csv"),
            Some(any),
            Value::Null
        ),
        1.0
    );
    let none = files(&["csv/contacts_reordered.csv"]);
    assert_eq!(
        run(
            "compare_csv",
            file("csv/contacts.csv"),
            Some(none),
            Value::Null
        ),
        0.0
    );
    assert_eq!(run("compare_csv", missing(), gold(), Value::Null), 0.0);
}

#[test]
fn check_json_settings() {
    let r = |v: Value| Some(rules(json!({ "expected": v })));
    let settings = || file("json/settings.json");
    assert_eq!(
        run(
            "check_json_settings",
            settings(),
            r(json!({"editor.wordWrapColumn": 50})),
            Value::Null
        ),
        1.0
    );
    let both = json!({"files.autoSave": "afterDelay", "editor.wordWrapColumn": 50});
    assert_eq!(
        run("check_json_settings", settings(), r(both), Value::Null),
        1.0
    );
    assert_eq!(
        run(
            "check_json_settings",
            settings(),
            r(json!({"files.autoSave": "off"})),
            Value::Null
        ),
        0.0
    );
    // Top-level keys compare whole: the file's files.exclude has one more entry.
    let nested = json!({"files.exclude": {"**/__pycache__": true}});
    assert_eq!(
        run("check_json_settings", settings(), r(nested), Value::Null),
        0.0
    );
    // Comments are not JSON to Python's json.load.
    let wrap = json!({"editor.wordWrapColumn": 50});
    assert_eq!(
        run(
            "check_json_settings",
            file("json/settings_comments.json"),
            r(wrap.clone()),
            Value::Null
        ),
        0.0
    );
    assert_eq!(
        run("check_json_settings", missing(), r(wrap), Value::Null),
        0.0
    );
}

#[test]
fn check_direct_json_object() {
    let m = "check_direct_json_object";
    let parsed = || Got::Json(json!({"list_price_max": "50000", "zip": "10001", "extra": 1}));
    let wanted = || {
        Some(rules(
            json!({"expected": {"list_price_max": "50000", "zip": "10001"}}),
        ))
    };
    assert_eq!(run(m, parsed(), wanted(), Value::Null), 1.0);
    let other = Some(rules(json!({"expected": {"zip": "10002"}})));
    assert_eq!(run(m, parsed(), other, Value::Null), 0.0);
    // A command's output, with Python-style quotes.
    let text = Got::Text(" {'abc.jpg': ['Kili', 'kili.jpg']}\n".into());
    let names = Some(rules(
        json!({"expected": {"abc.jpg": ["Kili", "kili.jpg"]}}),
    ));
    assert_eq!(run(m, text, names, Value::Null), 1.0);
    assert_eq!(
        run(m, Got::Text("not json".into()), wanted(), Value::Null),
        0.0
    );
    // expect_in_result: a string within the result's, or one of a list.
    let in_result = Some(rules(
        json!({"expected": {"q": "coffee", "time": ["2024-03-18", "x"]},
        "expect_in_result": true}),
    ));
    let got = Got::Json(json!({"q": "drip coffee maker", "time": ["2024-03-18"]}));
    assert_eq!(run(m, got, in_result.clone(), Value::Null), 1.0);
    let got = Got::Json(json!({"q": "tea", "time": ["2024-03-18"]}));
    assert_eq!(run(m, got, in_result, Value::Null), 0.0);
    // ignore_list_order beside expected (chrome f5d96daf) does nothing in OSWorld, which reads
    // it from inside expected (tests/parity.rs).
    let unordered = Some(rules(
        json!({"expected": {"modelList": ["b", "a"]}, "ignore_list_order": true}),
    ));
    assert_eq!(
        run(
            m,
            Got::Json(json!({"modelList": ["a", "b"]})),
            unordered,
            Value::Null
        ),
        0.0
    );
    let ordered = Some(rules(json!({"expected": {"modelList": ["b", "a"]}})));
    assert_eq!(
        run(
            m,
            Got::Json(json!({"modelList": ["a", "b"]})),
            ordered,
            Value::Null
        ),
        0.0
    );
    let failed = Some(rules(json!({"expected": {"zip": "__EVALUATION_FAILED__"}})));
    assert_eq!(run(m, parsed(), failed, Value::Null), 0.0);
}

fn table_rules(rules: Value) -> Value {
    json!({ "rules": rules })
}

#[test]
fn compare_table_sheet_data_across_formats() {
    let m = "compare_table";
    let data =
        || table_rules(json!([{"type": "sheet_data", "sheet_idx0": 0, "sheet_idx1": "EI0"}]));
    let gold = || Some(file("table/sales_gold.xlsx"));
    // The gold's 0.333334 and the result's 0.33333 are equal to 4 decimals.
    assert_eq!(run(m, file("table/sales.xlsx"), gold(), data()), 1.0);
    assert_eq!(run(m, file("table/sales.ods"), gold(), data()), 1.0);
    assert_eq!(run(m, file("table/sales.csv"), gold(), data()), 1.0);
    assert_eq!(run(m, file("table/sales_wrong.xlsx"), gold(), data()), 0.0);
    assert_eq!(
        run(
            m,
            file("table/sales_wrong.csv"),
            Some(file("table/sales.ods")),
            data()
        ),
        0.0
    );
    // With 6 decimals they differ.
    let precise = table_rules(
        json!([{"type": "sheet_data", "sheet_idx0": 0, "sheet_idx1": "EI0", "precision": 6}]),
    );
    assert_eq!(run(m, file("table/sales.xlsx"), gold(), precise), 0.0);
    // Sheets by name, across formats: xlsx result, ods gold.
    let by_name = table_rules(json!([
        {"type": "sheet_name"},
        {"type": "sheet_data", "sheet_idx0": "RNData", "sheet_idx1": "ENData"},
        {"type": "sheet_data", "sheet_idx0": "RI1", "sheet_idx1": "ENSummary"}
    ]));
    assert_eq!(
        run(
            m,
            file("table/book.xlsx"),
            Some(file("table/book.ods")),
            by_name
        ),
        1.0
    );
    let crossed = table_rules(
        json!([{"type": "sheet_data", "sheet_idx0": "RNData", "sheet_idx1": "ENSummary"}]),
    );
    assert_eq!(
        run(
            m,
            file("table/book.xlsx"),
            Some(file("table/book.ods")),
            crossed
        ),
        0.0
    );
    let names = table_rules(json!([{"type": "sheet_name"}]));
    assert_eq!(
        run(
            m,
            file("table/sales.xlsx"),
            Some(file("table/book.ods")),
            names
        ),
        0.0
    );
    // A sheet the result does not have, a result that is missing or not a workbook: 0.
    let absent =
        table_rules(json!([{"type": "sheet_data", "sheet_idx0": "RNNope", "sheet_idx1": "EI0"}]));
    assert_eq!(
        run(
            m,
            file("table/book.xlsx"),
            Some(file("table/book.ods")),
            absent
        ),
        0.0
    );
    assert_eq!(run(m, missing(), gold(), data()), 0.0);
    assert_eq!(run(m, file("text/report.txt"), gold(), data()), 0.0);
    // A sheet the gold does not have is a task mistake.
    let no_gold_sheet =
        table_rules(json!([{"type": "sheet_data", "sheet_idx0": 0, "sheet_idx1": "ENNope"}]));
    assert!(is_invalid(&run_err(
        m,
        file("table/book.xlsx"),
        Some(file("table/book.ods")),
        no_gold_sheet
    )));
}

#[test]
fn compare_table_sheet_print() {
    let m = "compare_table";
    let print =
        || table_rules(json!([{"type": "sheet_print", "sheet_idx0": 0, "sheet_idx1": "EI0"}]));
    // Each workbook comes with its csv export, `<stem>-<sheet>.csv`, as multi getters hand them.
    let result = || files(&["table/sales.xlsx", "table/sales-sales.csv"]);
    let twin = files(&["table/sales_twin.xlsx", "table/sales_twin-sales_twin.csv"]);
    assert_eq!(run(m, result(), Some(twin), print()), 1.0);
    // Same data, printed differently (0.333334 against 0.33333).
    let gold = files(&["table/sales_gold.xlsx", "table/sales_gold-sales_gold.csv"]);
    assert_eq!(run(m, result(), Some(gold), print()), 0.0);
    // No export beside the result: 0.
    assert_eq!(
        run(
            m,
            file("table/sales_wrong.xlsx"),
            Some(file("table/sales.xlsx")),
            print()
        ),
        0.0
    );
}

#[test]
fn compare_table_check_cell() {
    let m = "compare_table";
    let cell = |coordinate: &str, props: Value| {
        table_rules(
            json!([{"type": "check_cell", "sheet_idx": "RNSummary", "coordinate": coordinate, "props": props}]),
        )
    };
    let book = || file("table/book.xlsx");
    let title = json!({"value": {"method": "eq", "ref": "Investment Summary"}, "merge": {"method": "eq", "ref": false}});
    assert_eq!(run(m, book(), None, cell("A1", title)), 1.0);
    assert_eq!(
        run(
            m,
            book(),
            None,
            cell("B1", json!({"merge": {"method": "eq", "ref": true}}))
        ),
        1.0
    );
    assert_eq!(
        run(
            m,
            book(),
            None,
            cell("A2", json!({"merge": {"method": "eq", "ref": true}}))
        ),
        0.0
    );
    let total = json!({"value": {"method": "approx:0.001", "ref": 1.3333}});
    assert_eq!(run(m, book(), None, cell("B2", total)), 1.0);
    let wrong = json!({"value": {"method": "approx:0.001", "ref": 1.34}});
    assert_eq!(run(m, book(), None, cell("B2", wrong)), 0.0);
    // An empty cell's value is None: comparing it with `lt` raises in Python, which scores 0.
    assert_eq!(
        run(
            m,
            book(),
            None,
            cell("F9", json!({"value": {"method": "lt", "ref": 3}}))
        ),
        0.0
    );
    assert_eq!(
        run(
            m,
            file("table/book.ods"),
            None,
            cell(
                "A1",
                json!({"value": {"method": "eq", "ref": "Investment Summary"}})
            )
        ),
        1.0
    );
    // A date cell reads as its serial number, in xlsx and ods alike.
    let date = || cell("C2", json!({"value": {"method": "eq", "ref": 45322}}));
    assert_eq!(run(m, book(), None, date()), 1.0);
    assert_eq!(run(m, file("table/book.ods"), None, date()), 1.0);
    // ods gives no merged ranges to calamine.
    let merge = cell("B1", json!({"merge": {"method": "eq", "ref": true}}));
    assert!(matches!(
        run_err(m, file("table/book.ods"), None, merge),
        MetricError::Unsupported(_)
    ));
}

#[test]
fn compare_table_unsupported_rules_are_named() {
    let m = "compare_table";
    let freeze = table_rules(json!([
        {"type": "sheet_data", "sheet_idx0": 0, "sheet_idx1": "EI0"},
        {"type": "freeze", "sheet_idx0": 0, "sheet_idx1": "EI0"}
    ]));
    let e = run_err(
        m,
        file("table/sales.xlsx"),
        Some(file("table/sales.xlsx")),
        freeze.clone(),
    );
    assert_eq!(
        e,
        MetricError::Unsupported("compare_table rule freeze".into())
    );
    assert_eq!(
        e.to_string(),
        "unsupported: metric compare_table rule freeze"
    );
    assert_eq!(check_options(m, &options(freeze)), Err(e));
    let bold = table_rules(
        json!([{"type": "check_cell", "sheet_idx": 0, "coordinate": "A1",
        "props": {"font_bold": {"method": "eq", "ref": true}}}]),
    );
    assert_eq!(
        check_options(m, &options(bold)),
        Err(MetricError::Unsupported(
            "compare_table rule check_cell prop font_bold".into()
        ))
    );
    assert!(is_invalid(
        &check_options(m, &options(table_rules(json!([{"type": "nonsense"}])))).unwrap_err()
    ));
    assert!(is_invalid(&check_options(m, &Map::new()).unwrap_err()));
}

/// Every option shape OSWorld's tasks give the implemented metrics is accepted, or named as
/// unsupported; every relative-time rule resolves, leaving no placeholder.
#[test]
fn osworld_option_shapes_and_relative_times() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("osworld");
    let now = time::macros::datetime!(2024-03-15 12:00 UTC);
    let (mut checked, mut unsupported, mut resolved) = (0, 0, 0);
    for entry in discover(&corpus).unwrap() {
        let task = Task::from_file(&entry.path).unwrap();
        let ev = &task.evaluator;
        for (func, opts) in ev.func.iter().zip(&ev.options) {
            if !deskhand_tasks::metrics::is_supported(func) {
                continue;
            }
            match check_options(func, opts) {
                Ok(()) => checked += 1,
                Err(MetricError::Unsupported(what)) => {
                    assert!(what.starts_with("compare_table rule "), "{what}");
                    unsupported += 1;
                }
                Err(e) => panic!("{}: {e}", task.id),
            }
        }
        for getter in ev.expected.iter().flatten() {
            if let Source::RuleRelativeTime(rules) = &getter.source {
                let out = try_resolve(rules, now).unwrap_or_else(|e| panic!("{}: {e}", task.id));
                let text = out["expected"].to_string();
                for p in ["{Year}", "{Month", "{Day", "{DoW", "{month}"] {
                    assert!(!text.contains(p), "{}: {text}", task.id);
                }
                resolved += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
    assert!(unsupported > 5, "{unsupported}");
    assert!(resolved >= 8, "{resolved}");
}
