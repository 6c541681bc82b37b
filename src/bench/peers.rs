//! The peers' side: runs the shared peers script on the same display and reads its JSON.

use super::{BenchArgs, Stat};
use crate::display::Display;
use anyhow::Context;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

/// A peer's measurement: a timing, or a plain number (sizes, counts).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum PeerValue {
    /// A timing summary.
    Stat(Stat),
    /// Anything else the script reports.
    Other(serde_json::Value),
}

/// Runs the peers' script; an empty map (with a note) when it or its Python is missing.
pub fn measure(display: &Display, args: &BenchArgs) -> anyhow::Result<BTreeMap<String, PeerValue>> {
    if !args.peers.is_file() {
        eprintln!(
            "bench: peers skipped: {} not found (pass --peers PATH)",
            args.peers.display()
        );
        return Ok(BTreeMap::new());
    }
    let python = args.python.clone().unwrap_or_else(default_python);
    if !python.exists() {
        eprintln!(
            "bench: peers skipped: {} not found (run scripts/setup --bench)",
            python.display()
        );
        return Ok(BTreeMap::new());
    }
    let number = display.name().trim_start_matches(':').to_owned();
    let mut cmd = Command::new(&python);
    cmd.arg(&args.peers)
        .arg(&number)
        .arg(args.runs.to_string())
        .arg("demo,pyag,osworld,floor");
    for (k, v) in display.env() {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {}", args.peers.display()))?;
    if !out.status.success() {
        anyhow::bail!(
            "the peers' script failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let start = text
        .find('{')
        .context("the peers' script printed no JSON")?;
    serde_json::from_str(&text[start..]).context("the peers' script printed bad JSON")
}

pub(super) fn default_python() -> PathBuf {
    let cache = std::env::var_os("DESKHAND_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/deskhand")))
        .unwrap_or_else(|| PathBuf::from(".cache/deskhand"));
    cache.join("peers-venv/bin/python")
}
