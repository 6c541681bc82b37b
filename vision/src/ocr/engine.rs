//! The OCR engine: ONNX Runtime sessions for the detector and the recognizer.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ort::session::Session;
use ort::value::TensorRef;

use super::detect::{self, DbParams};
use super::order::reading_order;
use super::recognize::{self, Batch, Dictionary};
use super::runtime::{ArenaStats, arena_stats, environment, lock, session};
use super::{OcrError, OcrPaths, TextElement};
use crate::{Frame, Rect};

/// Tuning knobs of [`Ocr`]; [`OcrOptions::default`] is what [`Ocr::load`] uses.
#[derive(Clone, Debug, PartialEq)]
pub struct OcrOptions {
    /// Threads per OCR pass (2): the detector's intra-op threads, the number of recognizer
    /// sessions that run batches side by side, and the intra-op threads of the first of them,
    /// which runs a lone batch alone (the others have one thread each: a separate session with
    /// all the threads for lone batches cost 6 MiB and no measurable time).
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
    /// Give the sessions one shared ONNX Runtime CPU arena (true), whose pages stay mapped
    /// from pass to pass. Without it every detector run maps its large tensors afresh and the
    /// kernel zeroes them (~23 000 page faults per 1280×800 pass when frames were read whole):
    /// ~20% more CPU per pass. With it, and the detector reading tiles
    /// ([`OcrOptions::tile_pixels`]), the process holds ~75 MiB more than after loading once
    /// it has read 1280×800 and 1920×1080 frames, which is also its peak: ~50 MiB of tensors
    /// touched in the arena, a tile's input (7 MiB) and the frame's probability map (8 MiB at
    /// 1920×1080). (Reading whole frames, it held ~180 MiB more after 1280×800 passes and
    /// ~320 MiB after 1920×1080 ones.)
    pub arena: bool,
    /// The detector reads a frame in tiles of at most this many input pixels (614 400, as
    /// 1920 × 320), each with 32 pixels of context on its cut sides that it does not keep, so
    /// that its working memory is bounded by the tile rather than the screen: a whole
    /// 1920×1080 frame in one run holds ~150 MiB of ONNX Runtime tensors at once (the
    /// 128-channel feature concatenation at a quarter of the resolution alone is 64 MiB), a
    /// tile ~41 MiB. The tiles of a 1920×1080 frame are 2 × 2 of 992 × 576 (9% more pixels than
    /// the frame), of a 1280×800 one 2 × 1 of 672 × 800 (5% more); a full pass took no longer
    /// than reading the whole frame at once (smaller tensors stay in cache). The detector pools
    /// over each tile (8 GlobalAveragePool nodes), so a box can come out a few pixels
    /// different from a whole-frame read, and rarely a character of its text. 0 reads the
    /// whole frame in one run.
    pub tile_pixels: usize,
}

impl Default for OcrOptions {
    fn default() -> OcrOptions {
        OcrOptions {
            threads: 2,
            batch: 1,
            min_rec_width: 64,
            min_confidence: 0.5,
            arena: true,
            tile_pixels: 1920 * 320,
        }
    }
}

fn inference(e: impl fmt::Display) -> OcrError {
    OcrError::Inference(e.to_string())
}

/// The OCR engine: PP-OCRv6 tiny detector and recognizer on ONNX Runtime (CPU).
///
/// `read` takes `&self`: the engine can be shared between threads (runs are serialised per
/// session). Load it once and keep it: loading takes ~0.1 s and adds ~50 MiB to the process
/// (ONNX Runtime's library 17 MiB, the sessions the rest); reading adds ~75 MiB more (see
/// [`OcrOptions::arena`]).
pub struct Ocr {
    det: Mutex<DetWorker>,
    /// One recognizer session per thread, each with its reusable input buffer: the first with
    /// all the threads (it runs a lone batch, as a re-read after a small change has), the
    /// others with one.
    rec: Vec<Mutex<RecWorker>>,
    dict: Dictionary,
    options: OcrOptions,
    db: DbParams,
    /// Whether the sessions share the environment's arena.
    arena: bool,
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
        // The first recognizer session has all the threads (a lone batch runs there), the
        // others one each.
        let rec = (0..options.threads.max(1))
            .map(|i| {
                let threads = if i == 0 { options.threads } else { 1 };
                let session = session(&env, &paths.recognizer, threads, arena)?;
                Ok(Mutex::new(RecWorker {
                    session,
                    input: Vec::new(),
                }))
            })
            .collect::<Result<Vec<_>, OcrError>>()?;
        Ok(Ocr {
            det: Mutex::new(DetWorker {
                session: det,
                input: Vec::new(),
                map: Vec::new(),
            }),
            rec,
            dict,
            options,
            db: DbParams::default(),
            arena,
        })
    }

    /// ONNX Runtime's counters for the memory arena the sessions share (it is shared by every
    /// engine in the process); `None` without one.
    pub fn arena_stats(&self) -> Option<ArenaStats> {
        if !self.arena {
            return None;
        }
        arena_stats(&lock(&self.det).session)
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
        let geometry = detect::DetGeometry::of(region, scale);
        let (width, height) = (geometry.width, geometry.height);
        let budget = self.options.tile_pixels;
        // A band across the frame is cut into the frame's columns, so that it sees the same
        // context sideways as a full pass does.
        let across = region.x == 0 && region.width == frame.width();
        let cols = if across {
            let full = detect::DetGeometry::of(Rect::from_size(frame.size()), scale);
            detect::columns(full.height, full.width, budget)
        } else {
            detect::columns(height, width, budget)
        };
        let plan = detect::tiles(height, width, cols, budget);
        let mut guard = lock(&self.det);
        let DetWorker {
            session,
            input,
            map,
        } = &mut *guard;
        let boxes = if let [tile] = plan.as_slice() {
            // One run: the map is the detector's output itself.
            let outputs = run_detector(session, frame, region, scale, &geometry, tile, input)?;
            let prob = detector_map(&outputs, tile)?;
            detect::boxes_from_map(prob, width, height, geometry.valid, &self.db)
        } else {
            map.clear();
            map.resize(width * height, 0.0);
            for tile in &plan {
                let outputs = run_detector(session, frame, region, scale, &geometry, tile, input)?;
                let prob = detector_map(&outputs, tile)?;
                let (r, c) = (tile.rows, tile.cols);
                let keep = c.keep_end - c.keep_start;
                for y in r.keep_start..r.keep_end {
                    let from = (y - r.input_start) * c.len + (c.keep_start - c.input_start);
                    let to = y * width + c.keep_start;
                    map[to..to + keep].copy_from_slice(&prob[from..from + keep]);
                }
            }
            detect::boxes_from_map(map, width, height, geometry.valid, &self.db)
        };
        Ok(boxes
            .iter()
            .filter_map(|b| detect::to_frame_rect(b, region, scale))
            .collect())
    }

    /// Recognize the text in each box: one entry per box, `None` where nothing confident was
    /// read. The batches run on [`OcrOptions::threads`] recognizer sessions side by side, the
    /// most expensive first (independent runs keep both cores busy, where intra-op threads wait
    /// on each other between the many small operators); a lone batch runs on the first session,
    /// which has all the threads.
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
        let results: Vec<Result<Vec<(usize, TextElement)>, OcrError>> = match workers {
            [] => Vec::new(),
            [one] => vec![self.rec_worker(one, &job)],
            [first, rest @ ..] => std::thread::scope(|s| {
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

/// The detector session and its buffers (one tile's input, the whole probability map), reused
/// between runs.
struct DetWorker {
    session: Session,
    input: Vec<f32>,
    map: Vec<f32>,
}

/// Runs the detector on `tile` of the input for `region`.
fn run_detector<'s>(
    session: &'s mut Session,
    frame: &Frame,
    region: Rect,
    scale: f32,
    geometry: &detect::DetGeometry,
    tile: &detect::Tile,
    input: &mut Vec<f32>,
) -> Result<ort::session::SessionOutputs<'s>, OcrError> {
    detect::prepare_tile(frame, region, scale, geometry, tile, input);
    let tensor =
        TensorRef::from_array_view(([1usize, 3, tile.rows.len, tile.cols.len], input.as_slice()))
            .map_err(inference)?;
    session.run(ort::inputs![tensor]).map_err(inference)
}

/// The probability map in the detector's outputs, checked to be `[1, 1, rows, cols]` of `tile`.
fn detector_map<'a>(
    outputs: &'a ort::session::SessionOutputs<'_>,
    tile: &detect::Tile,
) -> Result<&'a [f32], OcrError> {
    let (rows, cols) = (tile.rows.len, tile.cols.len);
    let Some(output) = outputs.keys().next().and_then(|k| outputs.get(k)) else {
        return Err(OcrError::Inference("the detector returned nothing".into()));
    };
    let (shape, prob) = output.try_extract_tensor::<f32>().map_err(inference)?;
    let dims: &[i64] = shape;
    match dims {
        [1, 1, h, w] if *h as usize == rows && *w as usize == cols && prob.len() >= rows * cols => {
            Ok(prob)
        }
        other => Err(OcrError::Inference(format!(
            "the detector returned shape {other:?}, expected [1, 1, {rows}, {cols}]"
        ))),
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
