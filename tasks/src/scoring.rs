//! Combining metric scores into a task's score, as OSWorld does.
//!
//! - `infeasible`: 1 only when the agent's last action was FAIL, else 0.
//! - Otherwise a last action of FAIL scores 0.
//! - `conj: "and"` (the default): the first 0 gives 0, else the mean.
//! - `conj: "or"`: the first 1 gives 1, else the maximum.

use crate::task::Conj;

/// Whether an evaluator is the `infeasible` one.
pub fn is_infeasible(func: &[String]) -> bool {
    func.len() == 1 && func[0] == "infeasible"
}

/// The task's score from each comparison's score.
pub fn combine(conj: Conj, scores: &[f64]) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    match conj {
        Conj::And => {
            if scores.contains(&0.0) {
                0.0
            } else {
                scores.iter().sum::<f64>() / scores.len() as f64
            }
        }
        Conj::Or => {
            if scores.iter().any(|s| *s >= 1.0) {
                1.0
            } else {
                scores.iter().copied().fold(0.0, f64::max)
            }
        }
    }
}

/// The score when the agent's last action decides it without running metrics: `Some(score)`
/// for an infeasible task or a last FAIL, `None` when the metrics must run.
pub fn decided_by_last_action(func: &[String], last_was_fail: bool) -> Option<f64> {
    if is_infeasible(func) {
        Some(if last_was_fail { 1.0 } else { 0.0 })
    } else if last_was_fail {
        Some(0.0)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combines_as_osworld() {
        assert_eq!(combine(Conj::And, &[1.0, 0.5]), 0.75);
        assert_eq!(combine(Conj::And, &[1.0, 0.0]), 0.0);
        assert_eq!(combine(Conj::Or, &[0.0, 1.0]), 1.0);
        assert_eq!(combine(Conj::Or, &[0.2, 0.4]), 0.4);
        assert_eq!(combine(Conj::And, &[]), 0.0);
        let inf = vec!["infeasible".to_owned()];
        assert_eq!(decided_by_last_action(&inf, true), Some(1.0));
        assert_eq!(decided_by_last_action(&inf, false), Some(0.0));
        let m = vec!["exact_match".to_owned()];
        assert_eq!(decided_by_last_action(&m, true), Some(0.0));
        assert_eq!(decided_by_last_action(&m, false), None);
    }
}
