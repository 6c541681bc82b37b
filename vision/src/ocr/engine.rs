//! The OCR engine: ONNX Runtime sessions for the detector and the recognizer.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ort::session::Session;
use ort::value::TensorRef;

use super::detect::{self, DbParams};
use super::order::reading_order;
use super::recognize::{self, Batch, Dictionary};
use super::runtime::{environment, lock, session};
use super::{OcrError, OcrPaths, TextElement};
use crate::{Frame, Rect};

/// Tuning knobs of [`Ocr`]; [`OcrOptions::default`] is what [`Ocr::load`] uses.
#[derive(Clone, Debug, PartialEq)]
pub struct OcrOptions {
    /// Threads per OCR pass (2): the detector's intra-op threads, the number of
    /// single-threaded recognizer sessions that run batches side by side, and the intra-op
    /// threads of the recognizer session that runs a lone batch.
    pub threads: usize,
    /// At most this many crops per recognizer run (1). Each crop alone is padded only to a
    /// multiple of 8, and its text does not depend on which crops it was batched with; on a
    /// 1280×800 desktop, batches of 1 or 2 took ~6% less CPU than batches of 4 and ~10% less
    /// than 6 (padding to the widest crop of a batch).
    pub batch: usize,
    /// The narrowest recognizer input, in pixels at height 48 (64): shorter words are padded
    /// to it.
    pub min_rec_width: usize,
    /// Lines whose mean character confidence is under this are dropped (0.5).
    pub min_confidence: f32,
    /// Give the sessions one shared ONNX Runtime CPU arena that grows by what is requested
    /// (true). Without it every detector pass maps its large tensors afresh and the kernel
    /// zeroes them (~23 000 page faults at 1280×800, ~47 000 at 1920×1080): ~20% more CPU per
    /// pass. With it the process stays at the largest pass's working set: ~180 MiB after
    /// 1280×800 passes, ~370 MiB after 1920×1080 ones, which is also its peak; without it the
    /// process falls back to ~270 MiB between passes but peaks at ~505 MiB during a 1920×1080
    /// pass. (ONNX Runtime's own per-session arenas, growing by powers of two, held
    /// ~560–625 MiB.)
    pub arena: bool,
}

impl Default for OcrOptions {
    fn default() -> OcrOptions {
        OcrOptions {
            threads: 2,
            batch: 1,
            min_rec_width: 64,
            min_confidence: 0.5,
            arena: true,
        }
    }
}

fn inference(e: impl fmt::Display) -> OcrError {
    OcrError::Inference(e.to_string())
}

/// The OCR engine: PP-OCRv6 tiny detector and recognizer on ONNX Runtime (CPU).
///
/// `read` takes `&self`: the engine can be shared between threads (runs are serialised per
/// session). Load it once and keep it: loading takes ~0.1 s and brings the process to ~45 MiB
/// (ONNX Runtime included); reading grows it to ~180–370 MiB (see [`OcrOptions::arena`]).
pub struct Ocr {
    det: Mutex<Session>,
    /// One single-threaded recognizer session per thread, each with its reusable input buffer.
    rec: Vec<Mutex<RecWorker>>,
    /// A recognizer session with all the threads, for a lone batch (a re-read after a small
    /// change): `None` with one thread.
    solo: Option<Mutex<RecWorker>>,
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
        let (env, shared) = environment(&paths.runtime)?;
        let arena = options.arena && shared;
        let det = session(&env, &paths.detector, options.threads, arena)?;
        let rec = (0..options.threads.max(1))
            .map(|_| {
                let session = session(&env, &paths.recognizer, 1, arena)?;
                Ok(Mutex::new(RecWorker {
                    session,
                    input: Vec::new(),
                }))
            })
            .collect::<Result<Vec<_>, OcrError>>()?;
        let solo = if options.threads > 1 {
            Some(Mutex::new(RecWorker {
                session: session(&env, &paths.recognizer, options.threads, arena)?,
                input: Vec::new(),
            }))
        } else {
            None
        };
        Ok(Ocr {
            det: Mutex::new(det),
            rec,
            solo,
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
    /// read. The batches run on [`OcrOptions::threads`] single-threaded recognizer sessions
    /// side by side, the most expensive first (independent runs keep both cores busy, where
    /// intra-op threads wait on each other between the many small operators); a lone batch
    /// runs on one session with all the threads.
    pub(crate) fn recognize(
        &self,
        frame: &Frame,
        boxes: &[Rect],
    ) -> Result<Vec<Option<TextElement>>, OcrError> {
        let widths: Vec<usize> = boxes.iter().map(recognize::resized_width).collect();
        let mut batches =
            recognize::plan_batches(&widths, self.options.batch, self.options.min_rec_width);
        batches.sort_by_key(|b| std::cmp::Reverse(b.width * b.items.len()));
        let next = AtomicUsize::new(0);
        let job = RecJob {
            frame,
            boxes,
            batches: &batches,
            next: &next,
        };
        let workers = &self.rec[..self.rec.len().min(batches.len())];
        let results: Vec<Result<Vec<(usize, TextElement)>, OcrError>> = match (workers, &self.solo)
        {
            ([], _) => Vec::new(),
            ([one], solo) => vec![self.rec_worker(solo.as_ref().unwrap_or(one), &job)],
            ([first, rest @ ..], _) => std::thread::scope(|s| {
                let job = &job;
                let helpers: Vec<_> = rest
                    .iter()
                    .map(|w| s.spawn(move || self.rec_worker(w, job)))
                    .collect();
                let mut all = vec![self.rec_worker(first, job)];
                all.extend(helpers.into_iter().map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(OcrError::Inference("a recognizer thread panicked".into()))
                    })
                }));
                all
            }),
        };
        let mut out: Vec<Option<TextElement>> = vec![None; boxes.len()];
        for result in results {
            for (i, element) in result? {
                out[i] = Some(element);
            }
        }
        Ok(out)
    }

    /// Run batches of `job` on `worker` until none is left.
    fn rec_worker(
        &self,
        worker: &Mutex<RecWorker>,
        job: &RecJob<'_>,
    ) -> Result<Vec<(usize, TextElement)>, OcrError> {
        let mut out = Vec::new();
        let mut worker = lock(worker);
        let RecWorker { session, input } = &mut *worker;
        loop {
            let k = job.next.fetch_add(1, Ordering::Relaxed);
            let Some(batch) = job.batches.get(k) else {
                return Ok(out);
            };
            recognize::fill_batch(job.frame, job.boxes, batch, input);
            let shape = [batch.items.len(), 3, recognize::REC_HEIGHT, batch.width];
            let tensor =
                TensorRef::from_array_view((shape, input.as_slice())).map_err(inference)?;
            let outputs = session.run(ort::inputs![tensor]).map_err(inference)?;
            let Some(output) = outputs.values().next() else {
                return Err(OcrError::Inference(
                    "the recognizer returned nothing".into(),
                ));
            };
            let (shape, probs) = output.try_extract_tensor::<f32>().map_err(inference)?;
            let decoded = recognize::decode_batch(shape, probs, batch, &self.dict)?;
            for (&i, (text, confidence)) in batch.items.iter().zip(decoded) {
                if !text.is_empty() && confidence >= self.options.min_confidence {
                    out.push((
                        i,
                        TextElement {
                            text,
                            rect: job.boxes[i],
                            confidence,
                        },
                    ));
                }
            }
        }
    }
}

/// A recognizer session and its input buffer, reused between batches.
struct RecWorker {
    session: Session,
    input: Vec<f32>,
}

/// The batches of one [`Ocr::recognize`] call, shared by its workers.
struct RecJob<'a> {
    frame: &'a Frame,
    boxes: &'a [Rect],
    batches: &'a [Batch],
    /// The next batch to take.
    next: &'a AtomicUsize,
}
