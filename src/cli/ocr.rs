//! `deskhand ocr IMAGE [--json]` and `deskhand ocr --display :N [--json]`: the text on an image
//! or a live screen, read on-device.
//!
//! Plain output: one line per element, in reading order: `x,y widthxheight confidence text`.
//! With `--json`, JSON lines: one object per element, in the same order:
//! `{"text": …, "box": [x, y, width, height], "confidence": …}`.

use anyhow::{Context, bail};
use clap::Args;
use deskhand_vision::ocr::{Ocr, OcrPaths};
use deskhand_vision::{Frame, ScreenSource, ShmSource};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Read the text on an image or a screen.
#[derive(Debug, Args)]
pub struct OcrArgs {
    /// A PNG or JPEG image.
    #[arg(value_name = "IMAGE", required_unless_present = "display")]
    pub image: Option<PathBuf>,
    /// Read this live X display instead, like `:0`.
    #[arg(long, value_name = ":N", conflicts_with = "image")]
    pub display: Option<String>,
    /// Print the elements as JSON.
    #[arg(long)]
    pub json: bool,
}

fn load_image(path: &PathBuf) -> anyhow::Result<Frame> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let img = image::load_from_memory(&bytes)
        .with_context(|| format!("{} is not an image deskhand can read", path.display()))?
        .into_rgba8();
    let (w, h) = img.dimensions();
    Ok(Frame::from_rgba(w, h, img.into_raw())?)
}

/// Runs `deskhand ocr`.
pub fn run(args: OcrArgs) -> anyhow::Result<ExitCode> {
    let frame = match (&args.image, &args.display) {
        (Some(path), _) => load_image(path)?,
        (None, Some(display)) => ShmSource::connect(Some(display))
            .and_then(|mut s| s.capture())
            .with_context(|| format!("cannot capture display {display}"))?,
        (None, None) => bail!("deskhand ocr needs an IMAGE or --display :N"),
    };
    let started = Instant::now();
    let ocr = Ocr::load(OcrPaths::from_env())?;
    let loaded = started.elapsed();
    let elements = ocr.read(&frame)?;
    let read = started.elapsed() - loaded;
    if args.json {
        for e in &elements {
            let line = json!({"text": e.text, "box": [e.rect.x, e.rect.y, e.rect.width, e.rect.height],
                   "confidence": (f64::from(e.confidence) * 1000.0).round() / 1000.0});
            println!("{line}");
        }
    } else {
        for e in &elements {
            println!(
                "{},{} {}x{} {:.2} {}",
                e.rect.x, e.rect.y, e.rect.width, e.rect.height, e.confidence, e.text
            );
        }
    }
    eprintln!(
        "deskhand ocr: {} elements from a {}x{} image in {} ms (model loaded in {} ms)",
        elements.len(),
        frame.width(),
        frame.height(),
        read.as_millis(),
        loaded.as_millis()
    );
    Ok(ExitCode::SUCCESS)
}
