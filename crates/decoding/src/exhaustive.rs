//! Exhaustive search: score all `M^T` sequences, depth first, and return the
//! most likely one, the answer beam search approximates. The number of
//! sequences grows as `M^T`, which is why nobody decodes this way.

use crate::beam::{SearchResult, check_length, check_vocab};
use crate::error::{DecodeError, Result};
use crate::hypothesis::{Hypothesis, rank};
use crate::stats::SearchStats;
use crate::step::{StepModel, checked_step};

/// Largest number of sequences exhaustive search will enumerate.
pub const EXHAUSTIVE_LIMIT: u64 = 1 << 22;

/// Every length-`length` sequence with its log-probability, best first (by
/// [`rank`]), and the work done. Sequences with probability 0 are included.
///
/// # Errors
/// `length == 0`, an empty vocabulary, more than [`EXHAUSTIVE_LIMIT`]
/// sequences, or a bad step function.
pub fn all_sequences(
    model: &mut impl StepModel,
    length: usize,
) -> Result<(Vec<Hypothesis>, SearchStats)> {
    check_length(length)?;
    let m = model.vocab_size();
    check_vocab(m)?;
    let count = (m as f64).powi(length as i32);
    if count > EXHAUSTIVE_LIMIT as f64 {
        return Err(DecodeError::TooLarge {
            sequences: count,
            limit: EXHAUSTIVE_LIMIT,
        });
    }
    let mut stats = SearchStats::default();
    let mut all = Vec::with_capacity(count as usize);
    enumerate(model, Hypothesis::empty(), length, &mut stats, &mut all)?;
    stats.sort_by(&mut all, rank);
    Ok((all, stats))
}

/// Appends every completion of `prefix` to `length` tokens to `out`, depth
/// first: one step call per prefix shorter than `length`.
fn enumerate(
    model: &mut impl StepModel,
    prefix: Hypothesis,
    length: usize,
    stats: &mut SearchStats,
    out: &mut Vec<Hypothesis>,
) -> Result<()> {
    if prefix.tokens.len() == length {
        out.push(prefix);
        return Ok(());
    }
    let lp = checked_step(model, &prefix.tokens)?;
    stats.step_calls += 1;
    stats.scores += lp.len() as u64;
    for (token, &l) in lp.iter().enumerate() {
        enumerate(model, prefix.extend(token, l), length, stats, out)?;
    }
    Ok(())
}

/// The most likely length-`length` sequence, found by enumerating all of
/// them ([`all_sequences`]).
pub fn exhaustive_search(model: &mut impl StepModel, length: usize) -> Result<SearchResult> {
    let (mut all, stats) = all_sequences(model, length)?;
    Ok(SearchResult {
        best: all.swap_remove(0),
        steps: Vec::new(),
        stats,
    })
}
