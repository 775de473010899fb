//! Beam search (Algorithm 1 of part 5) and greedy decoding.
//!
//! Beam search keeps the `k` best prefixes after each of `T` steps, starting
//! from the empty prefix; greedy decoding keeps one. [`beam_search`] is the
//! notebook's exercise (`my_beam_search`), so a student release has a
//! `todo!()` there; it records every step's candidates ([`BeamStep`]) and
//! counts its work ([`SearchStats`]) for `hw6 beam`.

use crate::error::Result;
use crate::hypothesis::Hypothesis;
use crate::stats::SearchStats;
use crate::step::{StepModel, checked_step};
use hw6_exercise::ParamError;
use serde::Serialize;

/// Beam search settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BeamConfig {
    /// Beam width `k >= 1` (hypotheses kept per step).
    pub width: usize,
    /// Sequence length `T >= 1` (tokens decoded).
    pub length: usize,
}

impl BeamConfig {
    fn check(&self) -> Result<()> {
        if self.width == 0 {
            let allowed = "the beam must keep at least one hypothesis (width >= 1)";
            return Err(ParamError::new("width", self.width, allowed).into());
        }
        check_length(self.length)
    }
}

pub(crate) fn check_length(length: usize) -> Result<()> {
    if length == 0 {
        let allowed = "decode at least one token (length >= 1)";
        return Err(ParamError::new("length", length, allowed).into());
    }
    Ok(())
}

/// One step of the search, for tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BeamStep {
    /// Step number, 1-based (the length of the hypotheses).
    pub t: usize,
    /// Every candidate considered at this step, best first.
    pub candidates: Vec<Hypothesis>,
    /// How many of `candidates` (a prefix) were kept.
    pub kept: usize,
}

impl BeamStep {
    /// The kept hypotheses (the beam after this step).
    pub fn beam(&self) -> &[Hypothesis] {
        &self.candidates[..self.kept]
    }
}

/// What a search returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    /// The returned sequence (the best hypothesis in the final beam).
    pub best: Hypothesis,
    /// Each step's candidates and beam (empty for exhaustive search).
    pub steps: Vec<BeamStep>,
    pub stats: SearchStats,
}

impl SearchResult {
    /// The beam after the last step, best first (empty for exhaustive
    /// search, which keeps no beam).
    pub fn final_beam(&self) -> &[Hypothesis] {
        self.steps.last().map_or(&[], BeamStep::beam)
    }
}

/// Beam search of width `config.width` for `config.length` tokens, ties
/// broken by [`rank`](crate::rank). The beam after the last step is
/// [`SearchResult::final_beam`], best first; `result.best` is its first.
///
/// # Errors
/// Width or length 0; a step function that returns a wrong-length or non
/// log-probability vector; a vocabulary of size 0.
pub fn beam_search(model: &mut impl StepModel, config: BeamConfig) -> Result<SearchResult> {
    config.check()?;
    check_vocab(model.vocab_size())?;
    // BEGIN SOLUTION: keep the config.width best prefixes at every step
    // Algorithm 1: at each of T steps, every one of the k kept hypotheses is
    // expanded by one call of the step function (M log-probabilities); its
    // tokens are sorted (O(M log M)) and its best k extensions become
    // candidates; the k² candidates are sorted (O(k² log k)) and the best k
    // are kept. Total O(T (k M log M + k² log k)) = O(T k M log M) for
    // k <= M. Taking only k tokens per hypothesis loses nothing: at most k
    // children of one parent can survive the cut.
    use crate::hypothesis::rank;
    use crate::step::Token;
    let k = config.width;
    let mut stats = SearchStats::default();
    let mut beam = vec![Hypothesis::empty()];
    let mut steps = Vec::with_capacity(config.length);
    for t in 1..=config.length {
        let mut candidates = Vec::with_capacity(beam.len() * k.min(model.vocab_size()));
        for hyp in &beam {
            let lp = checked_step(model, &hyp.tokens)?;
            stats.step_calls += 1;
            stats.scores += lp.len() as u64;
            // Sort this hypothesis' M next tokens: higher log-prob first, then
            // the smaller token id.
            let mut order: Vec<Token> = (0..lp.len()).collect();
            stats.sort_by(&mut order, |&a, &b| lp[b].total_cmp(&lp[a]).then(a.cmp(&b)));
            candidates.extend(order.iter().take(k).map(|&w| hyp.extend(w, lp[w])));
        }
        stats.sort_by(&mut candidates, rank);
        let kept = k.min(candidates.len());
        beam = candidates[..kept].to_vec();
        steps.push(BeamStep {
            t,
            candidates,
            kept,
        });
    }
    Ok(SearchResult {
        best: beam.swap_remove(0),
        steps,
        stats,
    })
    // END SOLUTION
}

pub(crate) fn check_vocab(m: usize) -> Result<()> {
    if m == 0 {
        let allowed = "the model needs at least one token";
        return Err(ParamError::new("vocab_size", m, allowed).into());
    }
    Ok(())
}

/// Greedy decoding: at each step take the single most likely next token
/// (ties to the smaller id). `O(T M)`; the same sequence as width-1 beam
/// search, written separately so the two can check each other.
pub fn greedy_search(model: &mut impl StepModel, length: usize) -> Result<SearchResult> {
    check_length(length)?;
    check_vocab(model.vocab_size())?;
    let mut stats = SearchStats::default();
    let mut hyp = Hypothesis::empty();
    let mut steps = Vec::with_capacity(length);
    for t in 1..=length {
        let lp = checked_step(model, &hyp.tokens)?;
        stats.step_calls += 1;
        stats.scores += lp.len() as u64;
        let mut best = 0;
        for w in 1..lp.len() {
            stats.comparisons += 1;
            if lp[w] > lp[best] {
                best = w;
            }
        }
        hyp = hyp.extend(best, lp[best]);
        steps.push(BeamStep {
            t,
            candidates: vec![hyp.clone()],
            kept: 1,
        });
    }
    Ok(SearchResult {
        best: hyp,
        steps,
        stats,
    })
}
