//! A partial sequence and its total log-probability, and the one order every
//! search uses to rank them. [`rank`] counts its calls (per thread), so the
//! work of a notebook's beam search can be measured without touching it.

use crate::step::Token;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::cmp::Ordering;

thread_local! {
    static RANK_CALLS: Cell<u64> = const { Cell::new(0) };
}

/// Calls of [`rank`] made on this thread so far.
pub(crate) fn rank_calls() -> u64 {
    RANK_CALLS.with(Cell::get)
}

/// A (partial) output sequence with `log p(y_1..y_t) = Σ_s log p(y_s | y_<s)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hypothesis {
    pub tokens: Vec<Token>,
    pub log_prob: f64,
}

impl Hypothesis {
    /// The empty prefix, log-probability 0.
    pub fn empty() -> Self {
        Self {
            tokens: Vec::new(),
            log_prob: 0.0,
        }
    }

    /// This prefix followed by `token`, whose conditional log-probability is
    /// `step_log_prob`. Sums are accumulated left to right in every search,
    /// so equal sequences get bit-equal scores.
    pub fn extend(&self, token: Token, step_log_prob: f64) -> Self {
        let mut tokens = Vec::with_capacity(self.tokens.len() + 1);
        tokens.extend_from_slice(&self.tokens);
        tokens.push(token);
        Self {
            tokens,
            log_prob: self.log_prob + step_log_prob,
        }
    }

    /// The tokens as words, space separated (`"?"` for out-of-range ids).
    pub fn text(&self, vocab: &[impl AsRef<str>]) -> String {
        self.tokens
            .iter()
            .map(|&t| vocab.get(t).map_or("?", |w| w.as_ref()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Probability `exp(log_prob)`.
    pub fn prob(&self) -> f64 {
        self.log_prob.exp()
    }
}

/// The ranking: higher log-probability first; ties go to the
/// lexicographically smaller token sequence, so results are deterministic.
/// `Less` means `a` ranks before `b`.
pub fn rank(a: &Hypothesis, b: &Hypothesis) -> Ordering {
    RANK_CALLS.with(|calls| calls.set(calls.get() + 1));
    b.log_prob
        .total_cmp(&a.log_prob)
        .then_with(|| a.tokens.cmp(&b.tokens))
}
