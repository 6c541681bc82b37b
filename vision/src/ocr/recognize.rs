//! The recognizer's input (crops of height 48, batched by width) and greedy CTC decoding.

use std::path::Path;

use super::OcrError;
use super::detect::{NORM_HALF, Window, sample_bilinear};
use crate::{Frame, Rect};

/// Height of the recognizer's input.
pub(crate) const REC_HEIGHT: usize = 48;
/// Batch widths are rounded up to a multiple of this (the recognizer's horizontal stride).
const WIDTH_STEP: usize = 8;

/// The recognizer's classes: 0 is the CTC blank, `i` is `chars[i - 1]`, the last is a space.
#[derive(Debug)]
pub(crate) struct Dictionary {
    chars: Vec<String>,
}

impl Dictionary {
    /// Read `dict.txt`: one character per line. The file ships with CRLF line ends; both kinds
    /// are accepted.
    pub(crate) fn load(path: &Path) -> Result<Dictionary, OcrError> {
        let text = std::fs::read_to_string(path).map_err(|e| OcrError::Model {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let dict = Dictionary::parse(&text);
        if dict.chars.is_empty() {
            return Err(OcrError::Model {
                path: path.to_path_buf(),
                reason: "the dictionary is empty".into(),
            });
        }
        Ok(dict)
    }

    pub(crate) fn parse(text: &str) -> Dictionary {
        let chars = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        Dictionary { chars }
    }

    /// Number of classes the recognizer must output: blank, the characters, space.
    pub(crate) fn classes(&self) -> usize {
        self.chars.len() + 2
    }

    fn get(&self, class: usize) -> Option<&str> {
        match class {
            0 => None,
            c if c <= self.chars.len() => Some(&self.chars[c - 1]),
            c if c == self.chars.len() + 1 => Some(" "),
            _ => None,
        }
    }
}

/// Width of `rect` once resized to height 48 keeping its aspect ratio.
pub(crate) fn resized_width(rect: &Rect) -> usize {
    let w = rect.width.max(1) as f32;
    let h = rect.height.max(1) as f32;
    ((REC_HEIGHT as f32 * w / h).ceil() as usize).max(1)
}

/// One batch: indices into the crop list and the padded width of the batch.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Batch {
    pub(crate) items: Vec<usize>,
    pub(crate) width: usize,
}

/// Split crops of the given resized widths into batches of at most `max_batch`, sorted by width
/// so that little of each batch is padding. Each batch is as wide as its widest crop (rounded up
/// to 8) and at least `min_width`.
pub(crate) fn plan_batches(widths: &[usize], max_batch: usize, min_width: usize) -> Vec<Batch> {
    let mut order: Vec<usize> = (0..widths.len()).collect();
    order.sort_by_key(|&i| widths[i]);
    order
        .chunks(max_batch.max(1))
        .map(|chunk| {
            let widest = chunk.iter().map(|&i| widths[i]).max().unwrap_or(1);
            Batch {
                items: chunk.to_vec(),
                width: widest.max(min_width).div_ceil(WIDTH_STEP) * WIDTH_STEP,
            }
        })
        .collect()
}

/// Fill `input` with the `[n, 3, 48, width]` tensor of `batch`: each crop of `boxes` resized,
/// zero padding on the right.
pub(crate) fn fill_batch(frame: &Frame, boxes: &[Rect], batch: &Batch, input: &mut Vec<f32>) {
    let slot = 3 * REC_HEIGHT * batch.width;
    input.clear();
    input.resize(batch.items.len() * slot, 0.0);
    for (&i, chunk) in batch.items.iter().zip(input.chunks_exact_mut(slot)) {
        if let Some(rect) = boxes.get(i) {
            fill_crop(frame, rect, chunk, batch.width);
        }
    }
}

/// Decode the recognizer's `[n, T, classes]` output for `batch`: one `(text, confidence)` per
/// item, in the batch's order.
pub(crate) fn decode_batch(
    shape: &[i64],
    probs: &[f32],
    batch: &Batch,
    dict: &Dictionary,
) -> Result<Vec<(String, f32)>, OcrError> {
    let n = batch.items.len();
    let classes = dict.classes();
    let steps = match shape {
        [b, t, c] if *b as usize == n && *c as usize == classes => *t as usize,
        other => {
            return Err(OcrError::Inference(format!(
                "the recognizer returned shape {other:?}, expected [{n}, T, {classes}] \
                 (does dict.txt belong to rec.onnx?)"
            )));
        }
    };
    let row = steps * classes;
    if probs.len() < n * row {
        return Err(OcrError::Inference(
            "the recognizer returned too few values".into(),
        ));
    }
    Ok((0..n)
        .map(|k| ctc_decode(&probs[k * row..(k + 1) * row], classes, dict))
        .collect())
}

/// Write the crop `rect` of `frame`, resized to `48 x min(resized_width, batch_width)`, into one
/// `[3, 48, batch_width]` slot of a batch (already zeroed: zero is the padding).
pub(crate) fn fill_crop(frame: &Frame, rect: &Rect, slot: &mut [f32], batch_width: usize) {
    let w = resized_width(rect).min(batch_width);
    let src = Window {
        x: rect.x as f32,
        y: rect.y as f32,
        width: rect.width as f32,
        height: rect.height as f32,
    };
    sample_bilinear(
        frame,
        src,
        w,
        REC_HEIGHT,
        slot,
        batch_width,
        REC_HEIGHT,
        &NORM_HALF,
    );
}

/// Greedy CTC decoding of one `[steps, classes]` row of probabilities: best class per step,
/// repeats merged, blanks dropped. Returns the text (trimmed) and the mean probability of the
/// characters kept (0 when none).
pub(crate) fn ctc_decode(probs: &[f32], classes: usize, dict: &Dictionary) -> (String, f32) {
    let mut text = String::new();
    let mut sum = 0.0f32;
    let mut kept = 0usize;
    let mut prev = 0usize;
    for step in probs.chunks_exact(classes) {
        let (best, p) = argmax(step);
        if best != 0
            && best != prev
            && let Some(ch) = dict.get(best)
        {
            text.push_str(ch);
            sum += p;
            kept += 1;
        }
        prev = best;
    }
    let confidence = if kept == 0 { 0.0 } else { sum / kept as f32 };
    (text.trim().to_owned(), confidence)
}

/// Index and value of the first largest element (`(0, f32::MIN)` for an empty slice). The
/// maximum is found first with a loop the compiler vectorises (the recognizer's 6906 classes
/// per step make this the hot loop of decoding), then its first position.
fn argmax(v: &[f32]) -> (usize, f32) {
    const LANES: usize = 16;
    let mut lanes = [f32::MIN; LANES];
    let chunks = v.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (m, &x) in lanes.iter_mut().zip(chunk) {
            *m = if x > *m { x } else { *m };
        }
    }
    let max = lanes
        .iter()
        .chain(tail)
        .fold(f32::MIN, |m, &x| if x > m { x } else { m });
    let best = v.iter().position(|&x| x == max).unwrap_or(0);
    (best, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_with_crlf() {
        let d = Dictionary::parse("a\r\nb\r\nc\r\n");
        assert_eq!(d.classes(), 5);
        assert_eq!(d.get(0), None);
        assert_eq!(d.get(1), Some("a"));
        assert_eq!(d.get(3), Some("c"));
        assert_eq!(d.get(4), Some(" "));
        assert_eq!(d.get(5), None);
    }

    fn one_hot(seq: &[(usize, f32)], classes: usize) -> Vec<f32> {
        let mut v = vec![0.0; seq.len() * classes];
        for (t, &(c, p)) in seq.iter().enumerate() {
            v[t * classes + c] = p;
        }
        v
    }

    #[test]
    fn ctc_merges_repeats_and_drops_blanks() {
        let d = Dictionary::parse("a\nb\n");
        let classes = d.classes();
        // a a _ a b space b _ => "aab b"
        let probs = one_hot(
            &[
                (1, 0.9),
                (1, 0.9),
                (0, 0.9),
                (1, 0.6),
                (2, 0.9),
                (3, 0.9),
                (2, 0.6),
                (0, 1.0),
            ],
            classes,
        );
        let (text, conf) = ctc_decode(&probs, classes, &d);
        assert_eq!(text, "aab b");
        assert!((conf - (0.9 + 0.6 + 0.9 + 0.9 + 0.6) / 5.0).abs() < 1e-6);
        let (text, conf) = ctc_decode(&one_hot(&[(0, 1.0)], classes), classes, &d);
        assert_eq!((text.as_str(), conf), ("", 0.0));
    }

    #[test]
    fn argmax_takes_the_first_largest() {
        let mut v: Vec<f32> = (0..100).map(|i| (i % 7) as f32 * 0.1).collect();
        assert_eq!(argmax(&v), (6, 6.0f32 * 0.1));
        v[77] = 2.0;
        v[90] = 2.0;
        assert_eq!(argmax(&v), (77, 2.0));
        assert_eq!(argmax(&[0.5]), (0, 0.5));
        assert_eq!(argmax(&[]), (0, f32::MIN));
    }

    #[test]
    fn batches_sorted_by_width() {
        let b = plan_batches(&[500, 100, 90, 700, 40], 2, 64);
        assert_eq!(
            b,
            vec![
                Batch {
                    items: vec![4, 2],
                    width: 96
                },
                Batch {
                    items: vec![1, 0],
                    width: 504
                },
                Batch {
                    items: vec![3],
                    width: 704
                },
            ]
        );
    }

    #[test]
    fn resized_width_keeps_ratio() {
        assert_eq!(resized_width(&Rect::new(0, 0, 100, 16)), 300);
        assert_eq!(resized_width(&Rect::new(0, 0, 10, 96)), 5);
    }
}
