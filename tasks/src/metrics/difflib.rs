//! `difflib.SequenceMatcher(None, a, b).ratio()` from Python's standard library, which
//! `diff_text_file` scores with: the same longest-match recursion and the same "autojunk"
//! heuristic (in a `b` of 200 or more items, an item found more than 1% + 1 times is not used to
//! start a match), so ratios agree with Python's to the last bit.

use std::collections::HashMap;
use std::hash::Hash;

/// `2 * M / (len(a) + len(b))`, `M` the items in matching blocks; 1.0 when both are empty.
pub(crate) fn ratio<T: Eq + Hash>(a: &[T], b: &[T]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    let matcher = Matcher::new(a, b);
    let matches = matcher.matching_total();
    2.0 * matches as f64 / total as f64
}

struct Matcher<'s, T> {
    a: &'s [T],
    b: &'s [T],
    /// Where each (non-popular) item of `b` occurs, ascending.
    b2j: HashMap<&'s T, Vec<usize>>,
}

impl<'s, T: Eq + Hash> Matcher<'s, T> {
    fn new(a: &'s [T], b: &'s [T]) -> Self {
        let mut b2j: HashMap<&T, Vec<usize>> = HashMap::new();
        for (j, item) in b.iter().enumerate() {
            b2j.entry(item).or_default().push(j);
        }
        let n = b.len();
        if n >= 200 {
            let ntest = n / 100 + 1;
            b2j.retain(|_, idxs| idxs.len() <= ntest);
        }
        Matcher { a, b, b2j }
    }

    /// `find_longest_match(alo, ahi, blo, bhi)` → (i, j, size).
    fn longest_match(
        &self,
        alo: usize,
        ahi: usize,
        blo: usize,
        bhi: usize,
    ) -> (usize, usize, usize) {
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0usize);
        let mut j2len: HashMap<usize, usize> = HashMap::new();
        for i in alo..ahi {
            let mut new_j2len: HashMap<usize, usize> = HashMap::new();
            if let Some(js) = self.b2j.get(&self.a[i]) {
                for &j in js {
                    if j < blo {
                        continue;
                    }
                    if j >= bhi {
                        break;
                    }
                    let k = j
                        .checked_sub(1)
                        .and_then(|p| j2len.get(&p))
                        .copied()
                        .unwrap_or(0)
                        + 1;
                    new_j2len.insert(j, k);
                    if k > bestsize {
                        besti = i + 1 - k;
                        bestj = j + 1 - k;
                        bestsize = k;
                    }
                }
            }
            j2len = new_j2len;
        }
        // No junk function: extend over equal items on both sides (popular items included).
        while besti > alo && bestj > blo && self.a[besti - 1] == self.b[bestj - 1] {
            besti -= 1;
            bestj -= 1;
            bestsize += 1;
        }
        while besti + bestsize < ahi
            && bestj + bestsize < bhi
            && self.a[besti + bestsize] == self.b[bestj + bestsize]
        {
            bestsize += 1;
        }
        (besti, bestj, bestsize)
    }

    /// The sum of the sizes of `get_matching_blocks()`.
    fn matching_total(&self) -> usize {
        let mut queue = vec![(0, self.a.len(), 0, self.b.len())];
        let mut total = 0;
        while let Some((alo, ahi, blo, bhi)) = queue.pop() {
            let (i, j, k) = self.longest_match(alo, ahi, blo, bhi);
            if k > 0 {
                total += k;
                if alo < i && blo < j {
                    queue.push((alo, i, blo, j));
                }
                if i + k < ahi && j + k < bhi {
                    queue.push((i + k, ahi, j + k, bhi));
                }
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn ratios_match_python() {
        // difflib.SequenceMatcher(None, "abcd", "bcde").ratio() == 0.75
        assert_eq!(ratio(&chars("abcd"), &chars("bcde")), 0.75);
        // SequenceMatcher(None, "private Thread currentThread;",
        //   "private volatile Thread currentThread;").ratio() == 0.8656716417910447
        // (the docs' example, without the junk function)
        let r = ratio(
            &chars("private Thread currentThread;"),
            &chars("private volatile Thread currentThread;"),
        );
        assert!((r - 0.8656716417910447).abs() < 1e-15, "{r}");
        assert_eq!(ratio::<char>(&[], &[]), 1.0);
        assert_eq!(ratio(&chars("a"), &[]), 0.0);
        let a = ["x", "y", "z"];
        let b = ["x", "z"];
        assert_eq!(ratio(&a, &b), 0.8);
    }

    #[test]
    fn autojunk_applies_to_long_sequences() {
        // Python: SequenceMatcher(None, ["x"] + ["l"] * 250, ["l"] * 250).ratio() == 0.0
        // (1.0 - 1/501 * 2 without autojunk): no match may start on the popular "l".
        let mut a = vec!["x"];
        a.extend(vec!["l"; 250]);
        assert_eq!(ratio(&a, &vec!["l"; 250]), 0.0);
        // But a match found at the start extends over popular items: 1.0 in Python too.
        assert_eq!(ratio(&vec!["l"; 300], &vec!["l"; 300]), 1.0);
        let short = vec!["l"; 100];
        assert_eq!(ratio(&short, &short), 1.0);
    }
}
