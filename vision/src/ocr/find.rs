//! Grounding: which text element a query such as "Save" or "save as" names (see
//! [`find_text`] for the rule).

use std::fmt;

use super::{TextElement, rect_center};
use crate::Rect;

/// The largest normalised edit distance [`MatchMode::Fuzzy`] accepts.
pub const MAX_FUZZY_DISTANCE: f32 = 0.25;

/// How a query is compared with the text on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchMode {
    /// Same characters (white space runs collapsed).
    Exact,
    /// Same characters ignoring case.
    CaseInsensitive,
    /// Ignoring case and punctuation, and tolerating OCR errors and typos: see [`find_text`].
    Fuzzy,
}

/// How an element matched, best first (the order ranks matches).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// The whole text equals the query.
    Whole,
    /// The query is a run of whole words of the text.
    Words,
    /// The query is inside the text, not on word boundaries.
    Substring,
    /// Close enough under the fuzzy rule.
    Fuzzy,
}

/// One element that matches a query.
#[derive(Clone, Debug, PartialEq)]
pub struct TextMatch<'a> {
    /// The element.
    pub element: &'a TextElement,
    /// How it matched.
    pub kind: MatchKind,
    /// 1 for exact kinds; `1 - normalised edit distance` for fuzzy ones.
    pub similarity: f32,
    /// The part of the element that matched: the whole rectangle, or for a query found inside a
    /// longer text, the slice of it the matched characters take (estimated by character
    /// position).
    pub rect: Rect,
}

impl TextMatch<'_> {
    /// Where to click: the centre of the matched part.
    pub fn click_point(&self) -> (i32, i32) {
        rect_center(&self.rect)
    }
}

/// No element matches a query. The message names the query and the closest texts seen.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct NotFound {
    /// The query as given.
    pub query: String,
    /// The mode it was matched with.
    pub mode: MatchMode,
    /// Up to five texts seen, most similar first, with their similarity in `[0, 1]`.
    pub closest: Vec<(String, f32)>,
}

impl NotFound {
    fn describe(&self) -> String {
        let mode = match self.mode {
            MatchMode::Exact => "exactly",
            MatchMode::CaseInsensitive => "ignoring case",
            MatchMode::Fuzzy => "even fuzzily",
        };
        let mut s = format!("no text on screen matches {:?} {mode}", self.query);
        if self.closest.is_empty() {
            s.push_str("; no text was read at all");
        } else {
            s.push_str("; closest texts seen: ");
            let list: Vec<String> = self
                .closest
                .iter()
                .map(|(t, sim)| format!("{t:?} ({sim:.2})"))
                .collect();
            s.push_str(&list.join(", "));
        }
        s
    }
}

/// The best element for `query`; `hint` (a point in frame pixels) breaks ties in favour of the
/// nearest. Fails with [`NotFound`], which lists the five texts most like the query, when
/// nothing matches.
///
/// # Matching rule
///
/// The query and each element's text are first normalised for the [`MatchMode`]: trimmed with
/// runs of white space collapsed to one space (all modes); lowercased (case-insensitive and fuzzy);
/// punctuation and symbols read as spaces (fuzzy). Then each element is one of these
/// [`MatchKind`]s, best first:
///
/// 1. [`MatchKind::Whole`]: the texts are equal.
/// 2. [`MatchKind::Words`]: the query appears in the text on word boundaries ("Save" in
///    "Save As…").
/// 3. [`MatchKind::Substring`]: the query appears anywhere in the text ("ave" in "Save").
/// 4. [`MatchKind::Fuzzy`] (fuzzy mode only): the normalised edit distance — the optimal string
///    alignment distance (insertions, deletions, substitutions and swaps of two neighbouring
///    characters, each costing 1) divided by the longer length — between the query and either
///    the whole text or a run of consecutive words of the text (as many words as the query,
///    ± 1) is at most [`MAX_FUZZY_DISTANCE`] (0.25). "Sve" matches "Save" (1 edit in 4), "Opne
///    File" matches the first two words of "Open File… Ctrl+O".
///
/// Matches are ranked by kind, then by similarity (1 − that distance; 1 for the other kinds),
/// then by the distance from the hint point to the matched part, or, with no hint, by reading
/// order.
pub fn find_text<'a>(
    elements: &'a [TextElement],
    query: &str,
    hint: Option<(i32, i32)>,
    mode: MatchMode,
) -> Result<TextMatch<'a>, NotFound> {
    find_all_text(elements, query, hint, mode)
        .into_iter()
        .next()
        .ok_or_else(|| NotFound {
            query: query.to_owned(),
            mode,
            closest: closest(elements, query, 5),
        })
}

/// Every element that matches `query`, best first (the rule and ranking of [`find_text`]).
pub fn find_all_text<'a>(
    elements: &'a [TextElement],
    query: &str,
    hint: Option<(i32, i32)>,
    mode: MatchMode,
) -> Vec<TextMatch<'a>> {
    let q = normalize(query, mode);
    if q.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(usize, TextMatch<'a>)> = elements
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match_one(e, &q, mode).map(|m| (i, m)))
        .collect();
    let dist = |m: &TextMatch<'_>| -> i64 {
        let Some((hx, hy)) = hint else { return 0 };
        let (cx, cy) = m.click_point();
        let (dx, dy) = (i64::from(cx) - i64::from(hx), i64::from(cy) - i64::from(hy));
        dx * dx + dy * dy
    };
    found.sort_by(|(ia, a), (ib, b)| {
        a.kind
            .cmp(&b.kind)
            .then(b.similarity.total_cmp(&a.similarity))
            .then(dist(a).cmp(&dist(b)))
            .then(ia.cmp(ib))
    });
    found.into_iter().map(|(_, m)| m).collect()
}

/// The text in the form the mode compares: trimmed, white space collapsed, and per mode
/// lowercased and with punctuation read as spaces.
fn normalize(s: &str, mode: MatchMode) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    let mut space = false;
    for ch in s.trim().chars() {
        // Punctuation is where OCR slips most ("…" read as "...", quotes, dashes): fuzzy
        // matching reads it as a word break.
        if ch.is_whitespace() || (mode == MatchMode::Fuzzy && !ch.is_alphanumeric()) {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match mode {
            MatchMode::Exact => out.push(ch),
            MatchMode::CaseInsensitive | MatchMode::Fuzzy => out.extend(ch.to_lowercase()),
        }
    }
    out
}

fn match_one<'a>(e: &'a TextElement, q: &[char], mode: MatchMode) -> Option<TextMatch<'a>> {
    let t = normalize(&e.text, mode);
    let whole = |kind, similarity| TextMatch {
        element: e,
        kind,
        similarity,
        rect: e.rect,
    };
    if t == q {
        return Some(whole(MatchKind::Whole, 1.0));
    }
    let part = |kind, similarity, start: usize, end: usize| TextMatch {
        element: e,
        kind,
        similarity,
        rect: slice_rect(&e.rect, start, end, t.len()),
    };
    let hits = find_all(&t, q);
    if let Some(&s) = hits
        .iter()
        .find(|&&s| on_word_boundaries(&t, s, s + q.len()))
    {
        return Some(part(MatchKind::Words, 1.0, s, s + q.len()));
    }
    if let Some(&s) = hits.first() {
        return Some(part(MatchKind::Substring, 1.0, s, s + q.len()));
    }
    if mode != MatchMode::Fuzzy {
        return None;
    }
    let (sim, start, end) = best_fuzzy(&t, q);
    (1.0 - sim <= MAX_FUZZY_DISTANCE + 1e-6).then(|| {
        if start == 0 && end == t.len() {
            whole(MatchKind::Fuzzy, sim)
        } else {
            part(MatchKind::Fuzzy, sim, start, end)
        }
    })
}

/// Start indices of every occurrence of `q` in `t`.
fn find_all(t: &[char], q: &[char]) -> Vec<usize> {
    if q.len() > t.len() {
        return Vec::new();
    }
    (0..=t.len() - q.len())
        .filter(|&s| t[s..s + q.len()] == *q)
        .collect()
}

fn on_word_boundaries(t: &[char], start: usize, end: usize) -> bool {
    let word = |c: &char| c.is_alphanumeric();
    let before = start == 0 || !word(&t[start - 1]) || !word(&t[start]);
    let after = end == t.len() || !word(&t[end]) || !word(&t[end - 1]);
    before && after
}

/// The best similarity between `q` and the whole of `t` or a run of its words (as many as the
/// query's, ± 1), with the matched character range.
fn best_fuzzy(t: &[char], q: &[char]) -> (f32, usize, usize) {
    let mut best = (similarity(t, q), 0, t.len());
    let words = word_spans(t);
    let q_words = word_spans(q).len().max(1);
    for n in q_words.saturating_sub(1).max(1)..=q_words + 1 {
        for run in words.windows(n) {
            let (start, end) = (run[0].0, run[n - 1].1);
            let sim = similarity(&t[start..end], q);
            if sim > best.0 {
                best = (sim, start, end);
            }
        }
    }
    best
}

/// `[start, end)` of each space-separated word.
fn word_spans(t: &[char]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in t.iter().enumerate() {
        match (c == &' ', start) {
            (true, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, t.len()));
    }
    spans
}

/// `1 - edit_distance(a, b) / max(len)`, in `[0, 1]`.
fn similarity(a: &[char], b: &[char]) -> f32 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - edit_distance(a, b) as f32 / longest as f32
}

/// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
/// of adjacent characters each cost 1.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, slot) in d.iter_mut().take(w).enumerate() {
        *slot = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j - 1] + cost)
                .min(d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// The part of `rect` that characters `[start, end)` of `len` take, assuming equal widths.
fn slice_rect(rect: &Rect, start: usize, end: usize, len: usize) -> Rect {
    if len == 0 || end <= start {
        return *rect;
    }
    let w = u64::from(rect.width);
    let x0 = w * start as u64 / len as u64;
    let x1 = (w * end as u64).div_ceil(len as u64);
    Rect::new(
        rect.x + x0 as u32,
        rect.y,
        (x1 - x0).max(1) as u32,
        rect.height,
    )
}

/// The `n` texts most similar to `query` (fuzzy normalisation, best of whole text and word
/// runs), distinct, most similar first.
fn closest(elements: &[TextElement], query: &str, n: usize) -> Vec<(String, f32)> {
    let q = normalize(query, MatchMode::Fuzzy);
    let mut scored: Vec<(String, f32)> = Vec::new();
    for e in elements {
        if scored.iter().any(|(t, _)| t == &e.text) {
            continue;
        }
        let t = normalize(&e.text, MatchMode::Fuzzy);
        let sim = if q.is_empty() {
            0.0
        } else {
            best_fuzzy(&t, &q).0
        };
        scored.push((e.text.clone(), sim));
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored.truncate(n);
    scored
}

impl fmt::Display for MatchMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatchMode::Exact => "exact",
            MatchMode::CaseInsensitive => "case-insensitive",
            MatchMode::Fuzzy => "fuzzy",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(text: &str, x: u32, y: u32) -> TextElement {
        TextElement {
            text: text.into(),
            rect: Rect::new(x, y, 10 * text.chars().count() as u32, 20),
            confidence: 0.9,
        }
    }

    #[test]
    fn edit_distance_basics() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&c("kitten"), &c("sitting")), 3);
        assert_eq!(edit_distance(&c(""), &c("abc")), 3);
        assert_eq!(edit_distance(&c("opne"), &c("open")), 1);
        assert_eq!(similarity(&c("save"), &c("sve")), 0.75);
    }

    #[test]
    fn word_boundaries() {
        let t: Vec<char> = "save as...".chars().collect();
        assert!(on_word_boundaries(&t, 0, 4));
        assert!(!on_word_boundaries(&t, 1, 4));
        assert!(on_word_boundaries(&t, 5, 7));
        assert_eq!(word_spans(&t), vec![(0, 4), (5, 10)]);
    }

    #[test]
    fn substring_rect_is_the_matched_slice() {
        let els = [el("Save As", 100, 0)]; // 70 px wide, 7 chars
        let m = find_text(&els, "As", None, MatchMode::Exact).unwrap();
        assert_eq!(m.kind, MatchKind::Words);
        assert_eq!(m.rect, Rect::new(150, 0, 20, 20));
        assert_eq!(m.click_point(), (160, 10));
    }

    #[test]
    fn fuzzy_word_run() {
        let els = [el("Open File… Ctrl+O", 0, 0)];
        let m = find_text(&els, "Opne File", None, MatchMode::Fuzzy).unwrap();
        assert_eq!(m.kind, MatchKind::Fuzzy);
        assert!(m.similarity >= 0.75, "{m:?}");
        assert!(find_text(&els, "Close File", None, MatchMode::Fuzzy).is_err());
    }

    #[test]
    fn empty_query_matches_nothing() {
        let els = [el("Save", 0, 0)];
        let err = find_text(&els, "  ", None, MatchMode::Fuzzy).unwrap_err();
        assert_eq!(err.closest, vec![("Save".to_owned(), 0.0)]);
        let err = find_text(&[], "Save", None, MatchMode::Fuzzy).unwrap_err();
        assert!(err.to_string().contains("no text was read"), "{err}");
    }
}
