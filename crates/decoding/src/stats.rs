//! Work counters, so the complexity of part 5(e) can be measured rather than
//! asserted.

use serde::Serialize;
use std::cmp::Ordering;

/// What a search did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SearchStats {
    /// Calls of the step function (one RNN step for one hypothesis; each
    /// produces `M` log-probabilities, so `O(M)` work).
    pub step_calls: u64,
    /// Log-probabilities produced (`step_calls * M`).
    pub scores: u64,
    /// Comparisons made while sorting and selecting.
    pub comparisons: u64,
}

impl SearchStats {
    /// Sorts `items` with `cmp`, counting each comparison.
    pub(crate) fn sort_by<T>(&mut self, items: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
        let mut count = 0u64;
        items.sort_by(|a, b| {
            count += 1;
            cmp(a, b)
        });
        self.comparisons += count;
    }
}
