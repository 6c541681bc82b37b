//! The OCR engine: ONNX Runtime sessions for the detector and the recognizer.

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use ort::environment::Environment;
use ort::ep;
use ort::session::Session;
use ort::session::builder::{GraphOptimizationLevel, SessionBuilder};
use ort::value::TensorRef;

use super::detect::{self, DbParams};
use super::order::reading_order;
use super::recognize::{self, Dictionary, REC_HEIGHT};
use super::{OcrError, OcrPaths, TextElement};
use crate::{Frame, Rect};

/// Tuning knobs of [`Ocr`]; [`OcrOptions::default`] is what [`Ocr::load`] uses.
#[derive(Clone, Debug, PartialEq)]
pub struct OcrOptions {
    /// Intra-op threads of each ONNX Runtime session (2).
    pub threads: usize,
    /// At most this many crops per recognizer run (4: on 2 cores, bigger batches were no
    /// faster, and they pad more).
    pub batch: usize,
    /// The narrowest recognizer batch, in pixels at height 48 (64): shorter words are padded
    /// to it.
    pub min_rec_width: usize,
    /// Lines whose mean character confidence is under this are dropped (0.5).
    pub min_confidence: f32,
    /// Keep ONNX Runtime's CPU memory arena (false). The arena keeps the largest tensors of
    /// every run: after passes at 1280×800 and 1920×1080 the process held ~560–625 MiB with it
    /// and ~200–320 MiB without, for ~10–15% more CPU time per pass without (page faults).
    pub arena: bool,
}

impl Default for OcrOptions {
    fn default() -> OcrOptions {
        OcrOptions {
            threads: 2,
            batch: 4,
            min_rec_width: 64,
            min_confidence: 0.5,
            arena: false,
        }
    }
}

/// The ONNX Runtime environment, created once per process: the library can be loaded only once,
/// so the first successful [`Ocr::load`] decides which library file is used.
static ENVIRONMENT: Mutex<Option<Environment>> = Mutex::new(None);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn environment(runtime: &Path) -> Result<Environment, OcrError> {
    let mut slot = lock(&ENVIRONMENT);
    if let Some(env) = slot.as_ref() {
        return Ok(env.clone());
    }
    let runtime_err = |reason: String| OcrError::Runtime {
        path: runtime.to_path_buf(),
        reason,
    };
    let env = ort::init_from(runtime)
        .map_err(|e| runtime_err(e.to_string()))?
        .with_name("deskhand-ocr")
        .with_telemetry(false)
        .build()
        .map_err(|e| runtime_err(e.to_string()))?;
    *slot = Some(env.clone());
    Ok(env)
}

fn session(
    env: &Environment,
    path: &Path,
    threads: usize,
    arena: bool,
) -> Result<Session, OcrError> {
    let model_err = |reason: String| OcrError::Model {
        path: path.to_path_buf(),
        reason,
    };
    let builder_err = |e: ort::Error<SessionBuilder>| model_err(e.to_string());
    Session::builder(env)
        .map_err(|e| model_err(e.to_string()))?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(builder_err)?
        .with_intra_threads(threads.max(1))
        .map_err(builder_err)?
        .with_inter_threads(1)
        .map_err(builder_err)?
        // Spinning workers would burn a core between runs on a small machine.
        .with_intra_op_spinning(false)
        .map_err(builder_err)?
        .with_execution_providers([ep::CPU::default().with_arena_allocator(arena).build()])
        .map_err(builder_err)?
        .commit_from_file(path)
        .map_err(|e| model_err(e.to_string()))
}

fn inference(e: impl fmt::Display) -> OcrError {
    OcrError::Inference(e.to_string())
}

/// The OCR engine: PP-OCRv6 tiny detector and recognizer on ONNX Runtime (CPU).
///
/// `read` takes `&self`: the engine can be shared between threads (runs are serialised per
/// model). Load it once and keep it: loading takes ~0.1 s and brings the process to ~45 MiB
/// (ONNX Runtime included); reading grows it to ~200–320 MiB (see [`OcrOptions::arena`]).
pub struct Ocr {
    det: Mutex<Session>,
    rec: Mutex<Session>,
    dict: Dictionary,
    options: OcrOptions,
    db: DbParams,
}

impl fmt::Debug for Ocr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ocr")
            .field("options", &self.options)
            .field("classes", &self.dict.classes())
            .finish_non_exhaustive()
    }
}

impl Ocr {
    /// Load the engine with the default options. Fails with [`OcrError::Missing`] (naming every
    /// missing file and saying to run `scripts/setup`) when a file is absent, and with
    /// [`OcrError::Runtime`] or [`OcrError::Model`] when one cannot be loaded. Loading again in
    /// the same process works; ONNX Runtime itself is loaded once, from the first library that
    /// loads.
    pub fn load(paths: OcrPaths) -> Result<Ocr, OcrError> {
        Ocr::load_with(paths, OcrOptions::default())
    }

    /// [`Ocr::load`] with explicit options.
    pub fn load_with(paths: OcrPaths, options: OcrOptions) -> Result<Ocr, OcrError> {
        let missing: Vec<(&'static str, std::path::PathBuf)> = paths
            .labelled()
            .into_iter()
            .filter(|(_, p)| !p.is_file())
            .map(|(what, p)| (what, p.to_path_buf()))
            .collect();
        if !missing.is_empty() {
            return Err(OcrError::Missing { files: missing });
        }
        let dict = Dictionary::load(&paths.dictionary)?;
        let env = environment(&paths.runtime)?;
        let det = session(&env, &paths.detector, options.threads, options.arena)?;
        let rec = session(&env, &paths.recognizer, options.threads, options.arena)?;
        Ok(Ocr {
            det: Mutex::new(det),
            rec: Mutex::new(rec),
            dict,
            options,
            db: DbParams::default(),
        })
    }

    /// The options the engine was loaded with.
    pub fn options(&self) -> &OcrOptions {
        &self.options
    }

    /// Read all the text in `frame`, in reading order (top-to-bottom lines, left to right
    /// within a line). An empty frame gives no elements.
    pub fn read(&self, frame: &Frame) -> Result<Vec<TextElement>, OcrError> {
        if frame.width() == 0 || frame.height() == 0 {
            return Ok(Vec::new());
        }
        let scale = detect::det_scale(frame.width(), frame.height());
        let boxes = self.detect(frame, Rect::from_size(frame.size()), scale)?;
        let mut elements: Vec<TextElement> = self
            .recognize(frame, &boxes)?
            .into_iter()
            .flatten()
            .collect();
        reading_order(&mut elements, |e| e.rect);
        Ok(elements)
    }

    /// Text boxes inside `region` of `frame`, detected at `scale`, in frame pixels.
    pub(crate) fn detect(
        &self,
        frame: &Frame,
        region: Rect,
        scale: f32,
    ) -> Result<Vec<Rect>, OcrError> {
        if region.is_empty() {
            return Ok(Vec::new());
        }
        let input = detect::prepare(frame, region, scale);
        let tensor = TensorRef::from_array_view((
            [1usize, 3, input.height, input.width],
            input.data.as_slice(),
        ))
        .map_err(inference)?;
        let mut det = lock(&self.det);
        let outputs = det.run(ort::inputs![tensor]).map_err(inference)?;
        let Some(output) = outputs.values().next() else {
            return Err(OcrError::Inference("the detector returned nothing".into()));
        };
        let (shape, prob) = output.try_extract_tensor::<f32>().map_err(inference)?;
        let dims: &[i64] = shape;
        let (h, w) = match dims {
            [1, 1, h, w] => (*h as usize, *w as usize),
            other => {
                return Err(OcrError::Inference(format!(
                    "the detector returned shape {other:?}, expected [1, 1, H, W]"
                )));
            }
        };
        let boxes = detect::boxes_from_map(prob, w, h, input.valid, &self.db);
        Ok(boxes
            .iter()
            .filter_map(|b| detect::to_frame_rect(b, region, scale))
            .collect())
    }

    /// Recognize the text in each box: one entry per box, `None` where nothing confident was
    /// read.
    pub(crate) fn recognize(
        &self,
        frame: &Frame,
        boxes: &[Rect],
    ) -> Result<Vec<Option<TextElement>>, OcrError> {
        let mut out: Vec<Option<TextElement>> = vec![None; boxes.len()];
        let widths: Vec<usize> = boxes.iter().map(recognize::resized_width).collect();
        let batches =
            recognize::plan_batches(&widths, self.options.batch, self.options.min_rec_width);
        let classes = self.dict.classes();
        for batch in batches {
            let n = batch.items.len();
            let slot = 3 * REC_HEIGHT * batch.width;
            let mut data = vec![0.0f32; n * slot];
            for (k, &i) in batch.items.iter().enumerate() {
                recognize::fill_crop(
                    frame,
                    &boxes[i],
                    &mut data[k * slot..(k + 1) * slot],
                    batch.width,
                );
            }
            let tensor =
                TensorRef::from_array_view(([n, 3, REC_HEIGHT, batch.width], data.as_slice()))
                    .map_err(inference)?;
            let mut rec = lock(&self.rec);
            let outputs = rec.run(ort::inputs![tensor]).map_err(inference)?;
            let Some(output) = outputs.values().next() else {
                return Err(OcrError::Inference(
                    "the recognizer returned nothing".into(),
                ));
            };
            let (shape, probs) = output.try_extract_tensor::<f32>().map_err(inference)?;
            let dims: &[i64] = shape;
            let steps = match dims {
                [b, t, c] if *b as usize == n && *c as usize == classes => *t as usize,
                other => {
                    return Err(OcrError::Inference(format!(
                        "the recognizer returned shape {other:?}, expected [{n}, T, {classes}] \
                         (does dict.txt belong to rec.onnx?)"
                    )));
                }
            };
            let row = steps * classes;
            for (k, &i) in batch.items.iter().enumerate() {
                let (text, confidence) =
                    recognize::ctc_decode(&probs[k * row..(k + 1) * row], classes, &self.dict);
                if !text.is_empty() && confidence >= self.options.min_confidence {
                    out[i] = Some(TextElement {
                        text,
                        rect: boxes[i],
                        confidence,
                    });
                }
            }
        }
        Ok(out)
    }
}
