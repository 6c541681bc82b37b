//! rapidfuzz's `fuzz.ratio`, which OSWorld's metrics use for fuzzy text, through the
//! `rapidfuzz` crate (the same normalized InDel similarity over code points).

/// `fuzz.ratio(a, b)` as Python's rapidfuzz returns it: from 0 to 100 (100 for two empty
/// strings). OSWorld usually divides it by 100: write that division too, for the same bits.
pub(crate) fn ratio(a: &str, b: &str) -> f64 {
    rapidfuzz::fuzz::ratio(a.chars(), b.chars()) * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_python_rapidfuzz() {
        // Values printed by rapidfuzz 3.
        assert_eq!(
            ratio("this is a test", "this is a test!"),
            96.55172413793103
        );
        assert_eq!(ratio("abc", "abd") / 100.0, 0.6666666666666667);
        assert_eq!(
            ratio("kitten sitting", "sitting kitten") / 100.0,
            0.6428571428571428
        );
        assert_eq!(ratio("Zürich ∑", "Zurich ∑x") / 100.0, 0.8235294117647058);
        assert_eq!(ratio("", ""), 100.0);
        assert_eq!(ratio("abc", ""), 0.0);
    }
}
