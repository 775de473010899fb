//! A model given as an explicit tree of next-token log-probabilities, like
//! Figure 2 of the homework, and random trees for tests.

use crate::error::{DecodeError, Result};
use crate::step::{StepModel, Token};
use hw6_exercise::ParamError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// Where one edge's log-probability came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EdgeSource {
    /// Stated in the homework text.
    Given,
    /// Not stated; its sibling's was, so it is `log(1 - exp(sibling))`.
    Complement,
    /// Neither sibling is stated; chosen (and shown not to matter).
    Assumed,
    /// Drawn at random.
    Random,
}

/// Next-token log-probabilities for every prefix shorter than `depth`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogProbTree {
    vocab: Vec<String>,
    depth: usize,
    nodes: BTreeMap<Vec<Token>, Vec<(f64, EdgeSource)>>,
}

impl LogProbTree {
    /// An empty tree over `vocab` for sequences of up to `depth` tokens.
    pub fn new(vocab: Vec<String>, depth: usize) -> Result<Self> {
        if vocab.is_empty() || depth == 0 {
            let problem = format!(
                "{} words, depth {depth}: a tree needs at least one word and depth >= 1",
                vocab.len()
            );
            return Err(ParamError::field("vocab/depth", problem).into());
        }
        Ok(Self {
            vocab,
            depth,
            nodes: BTreeMap::new(),
        })
    }

    /// Sets the log-probabilities (one per word, with their sources) after `prefix`.
    pub fn set(&mut self, prefix: &[Token], log_probs: Vec<(f64, EdgeSource)>) -> Result<()> {
        if prefix.len() >= self.depth || prefix.iter().any(|&t| t >= self.vocab.len()) {
            let allowed = "prefixes are shorter than the depth and use token ids < vocabulary size";
            return Err(ParamError::new("prefix", prefix, allowed).into());
        }
        if log_probs.len() != self.vocab.len()
            || log_probs.iter().any(|(l, _)| l.is_nan() || *l > 0.0)
        {
            return Err(DecodeError::BadStep {
                prefix: prefix.to_vec(),
                reason: format!("{:?} is not one log-probability <= 0 per word", log_probs),
            });
        }
        self.nodes.insert(prefix.to_vec(), log_probs);
        Ok(())
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &[String] {
        &self.vocab
    }

    /// Longest sequence the tree covers.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Log-probability and source of `token` after `prefix`, if set.
    pub fn edge(&self, prefix: &[Token], token: Token) -> Option<(f64, EdgeSource)> {
        self.nodes.get(prefix).and_then(|v| v.get(token)).copied()
    }

    /// Every edge `(prefix, token, log_prob, source)` in breadth-first,
    /// then lexicographic order: the tree's drawing order.
    pub fn edges(&self) -> Vec<(Vec<Token>, Token, f64, EdgeSource)> {
        let mut out: Vec<_> = self
            .nodes
            .iter()
            .flat_map(|(p, lps)| {
                lps.iter()
                    .enumerate()
                    .map(move |(w, &(l, s))| (p.clone(), w, l, s))
            })
            .collect();
        out.sort_by(|a, b| (a.0.len(), &a.0, a.1).cmp(&(b.0.len(), &b.0, b.1)));
        out
    }

    /// A random complete tree: after every prefix, probabilities drawn
    /// uniformly from the simplex (normalised exponential draws). Seeded.
    pub fn random(vocab_size: usize, depth: usize, seed: u64) -> Result<Self> {
        let vocab = (0..vocab_size).map(|w| format!("w{w}")).collect();
        let mut tree = Self::new(vocab, depth)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut level = vec![Vec::new()];
        for _ in 0..depth {
            let mut next = Vec::new();
            for prefix in level {
                let e: Vec<f64> = (0..vocab_size)
                    .map(|_| -(1.0 - rng.random::<f64>()).ln())
                    .collect();
                let z: f64 = e.iter().sum();
                let lps = e
                    .iter()
                    .map(|x| ((x / z).ln().min(0.0), EdgeSource::Random))
                    .collect();
                tree.set(&prefix, lps)?;
                for w in 0..vocab_size {
                    let mut p = prefix.clone();
                    p.push(w);
                    next.push(p);
                }
            }
            level = next;
        }
        Ok(tree)
    }
}

impl StepModel for LogProbTree {
    fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    fn next_log_probs(&mut self, prefix: &[Token]) -> Result<Vec<f64>> {
        self.nodes
            .get(prefix)
            .map(|v| v.iter().map(|(l, _)| *l).collect())
            .ok_or_else(|| DecodeError::MissingPrefix {
                prefix: prefix.to_vec(),
                depth: self.depth,
            })
    }
}
