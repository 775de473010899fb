//! The beam after each step of a search, from any beam search: the
//! reference's recorded steps, or a notebook's `my_beam_search` run for
//! lengths `1..=T` (the beam after step `t` does not depend on how many steps
//! follow). The step table and the tree drawing read it.

use crate::beam::{BeamConfig, SearchResult};
use crate::error::Result;
use crate::exhaustive::all_sequences;
use crate::hypothesis::Hypothesis;
use crate::step::StepModel;
use serde::Serialize;

/// The beam after steps `1..=T`, each best first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BeamTrace {
    /// `beams[t - 1]` is the beam after step `t`.
    pub beams: Vec<Vec<Hypothesis>>,
}

/// What happened to one prefix at one step, for the step table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Fate {
    /// In the beam after this step.
    Kept,
    /// A candidate (its parent was in the beam) that did not make the cut.
    Dropped,
}

impl BeamTrace {
    /// Runs `search(config)` with `config.length = 1..=length` (same width)
    /// and keeps each returned beam.
    pub fn record(
        config: BeamConfig,
        mut search: impl FnMut(BeamConfig) -> Result<Vec<Hypothesis>>,
    ) -> Result<Self> {
        let beams = (1..=config.length)
            .map(|length| search(BeamConfig { length, ..config }))
            .collect::<Result<_>>()?;
        Ok(Self { beams })
    }

    /// The beams a reference search recorded.
    pub fn of_search(result: &SearchResult) -> Self {
        Self {
            beams: result.steps.iter().map(|s| s.beam().to_vec()).collect(),
        }
    }

    /// The sequence the search returns: the best of the last beam.
    pub fn returned(&self) -> Option<&Hypothesis> {
        self.beams.last().and_then(|b| b.first())
    }

    /// The step (1-based) after which `tokens` was in the beam, if any.
    pub fn kept_at(&self, tokens: &[usize]) -> Option<usize> {
        let step = self.beams.get(tokens.len().checked_sub(1)?)?;
        step.iter()
            .any(|h| h.tokens == tokens)
            .then_some(tokens.len())
    }

    /// Each step's candidates (the length-`t` sequences whose prefix was in
    /// the beam after step `t - 1`), best first, and their fates, scored by
    /// `model` itself.
    pub fn candidates(&self, model: &mut impl StepModel) -> Result<Vec<(Hypothesis, Fate)>> {
        let mut rows = Vec::new();
        for t in 1..=self.beams.len() {
            let (all, _) = all_sequences(model, t)?;
            for h in all {
                let parent = &h.tokens[..t - 1];
                if t > 1 && self.kept_at(parent).is_none() {
                    continue;
                }
                let fate = match self.kept_at(&h.tokens) {
                    Some(_) => Fate::Kept,
                    None => Fate::Dropped,
                };
                rows.push((h, fate));
            }
        }
        Ok(rows)
    }
}
