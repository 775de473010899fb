//! Checker for the notebook's beam-search solution cell: a student's beam
//! search must return what the reference returns, on Figure 2 and on seeded
//! random trees, for several widths (a `todo!()` fails the check instead of
//! panicking; see [`hw6_exercise::checked`]).

use crate::beam::{BeamConfig, beam_search};
use crate::error::Result;
use crate::figure2::figure2_tree;
use crate::hypothesis::Hypothesis;
use crate::tree::LogProbTree;
use hw6_exercise::{CheckFailure, CheckReport, checked};

/// Runs `f(tree, config)` against [`beam_search`] on Figure 2 (widths 1 to
/// 4, length 3) and on 20 random trees (vocabulary 2 to 5, length 1 to 4,
/// widths 1 to 5). Sequences must match exactly and log-probabilities to 1e-9.
pub fn check_beam_search(
    f: impl Fn(&mut LogProbTree, BeamConfig) -> Result<Hypothesis>,
) -> Result<CheckReport> {
    let exercise = "beam search";
    checked(exercise, |report| {
        let mut cases = 0;
        let mut trees = vec![(figure2_tree()?, 3usize)];
        for seed in 0..20u64 {
            let (m, t) = (2 + (seed % 4) as usize, 1 + (seed % 4) as usize);
            trees.push((LogProbTree::random(m, t, seed)?, t));
        }
        for (i, (tree, length)) in trees.iter().enumerate() {
            for width in 1..=5 {
                let config = BeamConfig {
                    width,
                    length: *length,
                };
                let want = beam_search(&mut tree.clone(), config)?.best;
                let got = f(&mut tree.clone(), config)?;
                let vocab = tree.vocab();
                if got.tokens != want.tokens || (got.log_prob - want.log_prob).abs() > 1e-9 {
                    return Err(CheckFailure::new(
                        exercise,
                        format!(
                            "{} with width {width}, length {length}: got \"{}\" ({:.4}), expected \"{}\" ({:.4})",
                            if i == 0 {
                                "Figure 2".to_string()
                            } else {
                                format!("random tree {i}")
                            },
                            got.text(vocab),
                            got.log_prob,
                            want.text(vocab),
                            want.log_prob
                        ),
                    )
                    .into());
                }
                cases += 1;
            }
        }
        report.figure("cases that agree with the reference", cases as f64);
        Ok(())
    })
}
