//! `compare_archive` (`chrome.py`) and `compare_zip_files` (`vscode.py`).
//!
//! `compare_archive`: both archives are unpacked as `shutil.unpack_archive` does (by the file
//! name: `.zip`, `.tar`, `.tar.gz`/`.tgz`) next to them (`<stem>_pred`, `<stem>_gold`); the
//! sorted names in the folder `file_path` (default: the top) must be equal, then each pair of
//! files is scored by the metric `file_type` names (`text` → `compare_text_file`, `pdf` →
//! `compare_pdfs`, `docx` → `compare_docx_files`, `ppt` → `compare_pptx_files`, `image` →
//! `compare_images`, `csv` → `compare_csv`, `table` → `compare_table`, `audio` →
//! `compare_audios`, `video` → `compare_videos`) with the remaining options, and the score is
//! their mean. OSWorld raises (here: 0) when the result folder holds nothing, or a folder
//! beside the files (the file metric cannot open it).
//!
//! `compare_zip_files`: the sets of entry names must be equal and each entry's bytes too; a
//! `.pdf` entry (by name, any case) passes instead when its text is at least 95 % alike its
//! gold's (`difflib.SequenceMatcher(None, a, b).ratio() >= 0.95`). OSWorld extracts the text
//! with PyPDF2; deskhand with the `pdf-extract` reader `compare_pdfs` uses (see module `pdf`),
//! so only the texts' layout may differ, and both sides go through the same reader. A PDF
//! entry neither reader can read scores 0, as PyPDF2 raises. The entries are written beside
//! the result archive to be read (OSWorld writes `temp.pdf` in its working folder).

use super::super::{Got, MetricError};
use super::{bad, gold, one_file};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};

const ARCHIVE: &str = "compare_archive";
const ZIP: &str = "compare_zip_files";

/// The metric `file_type` names (`text` when absent).
fn inner_metric(file_type: &str) -> Option<&'static str> {
    Some(match file_type {
        "text" => "compare_text_file",
        "pdf" => "compare_pdfs",
        "docx" => "compare_docx_files",
        "ppt" => "compare_pptx_files",
        "image" => "compare_images",
        "csv" => "compare_csv",
        "table" => "compare_table",
        "audio" => "compare_audios",
        "video" => "compare_videos",
        _ => return None,
    })
}

/// `file_path`, the inner metric and the options left for it.
fn split_options(
    options: &Map<String, Value>,
) -> Result<(String, &'static str, Map<String, Value>), MetricError> {
    let mut rest = options.clone();
    let file_path = match rest.remove("file_path") {
        None => String::new(),
        Some(Value::String(s)) => s,
        Some(other) => return Err(bad(ARCHIVE, format!("file_path must be text, got {other}"))),
    };
    let file_type = match rest.remove("file_type") {
        None => "text".to_owned(),
        Some(Value::String(s)) => s,
        Some(other) => return Err(bad(ARCHIVE, format!("file_type must be text, got {other}"))),
    };
    let inner = inner_metric(&file_type)
        .ok_or_else(|| bad(ARCHIVE, format!("not support file type: {file_type}")))?;
    Ok((file_path, inner, rest))
}

/// The options check: a known `file_type` whose metric deskhand runs with these options.
pub(super) fn check_options(options: &Map<String, Value>) -> Result<&'static str, MetricError> {
    let (_, inner, rest) = split_options(options)?;
    super::super::check_options(inner, &rest)?;
    Ok(inner)
}

/// How `shutil.unpack_archive` would read a file, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Zip,
    Tar,
    TarGz,
}

fn format_of(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    if name.ends_with(".zip") {
        Some(Format::Zip)
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        Some(Format::TarGz)
    } else if name.ends_with(".tar") {
        Some(Format::Tar)
    } else {
        None
    }
}

/// Unpacks `archive` into `dir` (made fresh); `None` where Python would raise.
fn unpack(archive: &Path, dir: &Path) -> Option<()> {
    let format = format_of(archive)?;
    if dir.exists() {
        let _ = std::fs::remove_dir_all(dir);
    }
    std::fs::create_dir_all(dir).ok()?;
    let file = File::open(archive).ok()?;
    match format {
        Format::Zip => zip::ZipArchive::new(file).ok()?.extract(dir).ok(),
        Format::Tar => tar::Archive::new(file).unpack(dir).ok(),
        Format::TarGz => tar::Archive::new(flate2::read::GzDecoder::new(file))
            .unpack(dir)
            .ok(),
    }
}

/// `os.path.splitext(path)[0] + suffix`.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let stem = match path.extension() {
        Some(_) => path.with_extension(""),
        None => path.to_owned(),
    };
    PathBuf::from(format!("{}{suffix}", stem.display()))
}

/// `sorted(os.listdir(dir))`; `None` when it is not a folder.
fn sorted_names(dir: &Path) -> Option<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    Some(names)
}

pub(super) fn compare_archive(
    result: Option<&Got>,
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    let (file_path, inner, rest) = split_options(options)?;
    let gold_path = gold(ARCHIVE, expected)?;
    let Some(pred_path) = one_file(ARCHIVE, "result", result)? else {
        return Ok(0.0);
    };
    let pred_dir = beside(pred_path, "_pred");
    if unpack(pred_path, &pred_dir).is_none() {
        return Ok(0.0);
    }
    let gold_dir = beside(gold_path, "_gold");
    if !gold_dir.exists() && unpack(gold_path, &gold_dir).is_none() {
        return Err(bad(
            ARCHIVE,
            format!("cannot unpack the gold archive {}", gold_path.display()),
        ));
    }
    let (pred_dir, gold_dir) = (pred_dir.join(&file_path), gold_dir.join(&file_path));
    let Some(pred_files) = sorted_names(&pred_dir) else {
        return Ok(0.0);
    };
    let gold_files = sorted_names(&gold_dir).ok_or_else(|| {
        bad(
            ARCHIVE,
            format!("the gold archive has no folder {file_path:?}"),
        )
    })?;
    if pred_files != gold_files || pred_files.is_empty() {
        return Ok(0.0);
    }
    // OSWorld hands a listed folder to the file metric, which raises on it: the whole metric
    // fails, scored 0.
    if pred_files
        .iter()
        .any(|n| pred_dir.join(n).is_dir() || gold_dir.join(n).is_dir())
    {
        return Ok(0.0);
    }
    let mut total = 0.0;
    for name in &pred_files {
        let a = Got::File(Some(pred_dir.join(name)));
        let b = Got::File(Some(gold_dir.join(name)));
        total += super::super::score(inner, Some(&a), Some(&b), &rest)?;
    }
    Ok(total / pred_files.len() as f64)
}

/// Every entry of a zip archive by name (the last one of a name wins, as Python's `read`).
fn zip_entries(path: &Path) -> Option<(BTreeSet<String>, zip::ZipArchive<File>)> {
    let archive = zip::ZipArchive::new(File::open(path).ok()?).ok()?;
    let names = archive.file_names().map(str::to_owned).collect();
    Some((names, archive))
}

fn read_entry(archive: &mut zip::ZipArchive<File>, name: &str) -> Option<Vec<u8>> {
    let mut entry = archive.by_name(name).ok()?;
    let mut buf = Vec::new();
    entry.read_to_end(&mut buf).ok()?;
    Some(buf)
}

/// OSWorld's `compare_pdf_content(a, b, 0.95)`: the two PDFs' texts are at least 95 % alike.
fn pdfs_alike(beside: &Path, a: &[u8], b: &[u8]) -> bool {
    let text = |bytes: &[u8], suffix: &str| {
        let file = beside.with_extension(format!("entry-{suffix}.pdf"));
        std::fs::write(&file, bytes).ok()?;
        let text = super::super::pdf::text_of(Some(&file));
        let _ = std::fs::remove_file(&file);
        text
    };
    let (Some(a), Some(b)) = (text(a, "result"), text(b, "gold")) else {
        return false;
    };
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    super::super::difflib::ratio(&a, &b) >= 0.95
}

pub(super) fn compare_zip_files(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    let gold_path = gold(ZIP, expected)?;
    let Some(path) = one_file(ZIP, "result", result)? else {
        return Ok(0.0);
    };
    let Some((names, mut mine)) = zip_entries(path) else {
        return Ok(0.0);
    };
    let (gold_names, mut theirs) = zip_entries(gold_path).ok_or_else(|| {
        bad(
            ZIP,
            format!("cannot read the gold zip {}", gold_path.display()),
        )
    })?;
    if names != gold_names {
        return Ok(0.0);
    }
    for name in &names {
        let (Some(a), Some(b)) = (read_entry(&mut mine, name), read_entry(&mut theirs, name))
        else {
            return Ok(0.0);
        };
        if name.to_lowercase().ends_with(".pdf") {
            if !pdfs_alike(path, &a, &b) {
                return Ok(0.0);
            }
        } else if a != b {
            return Ok(0.0);
        }
    }
    Ok(1.0)
}
