//! Figure 2 of the homework rebuilt from the numbers in its text.
//!
//! Vocabulary: `neural` (0), `network` (1); sequences of 3 tokens. The text
//! states these conditional log-probabilities:
//!
//! | after prefix      | neural | network |
//! |-------------------|--------|---------|
//! | (start)           | -0.65  | -0.73   |
//! | neural            | -0.8   | -0.6    |
//! | network           | -0.6   |         |
//! | neural network    |        | -0.6    |
//! | network neural    |        | -0.6    |
//! | neural neural     | -0.01  |         |
//! | network network   |        |         |
//!
//! The rest of the tree:
//! - where one child is given, its sibling is `log(1 - exp(given))`
//!   ([`complement_log_prob`]), e.g. `log(1 - e^-0.6) = -0.796`;
//! - where both are given, the text's rounded numbers stand although they do
//!   not sum to probability 1 exactly; the homework's answers are computed
//!   from them;
//! - after `network network` nothing is given: a fair coin (`ln 0.5` each).
//!   No choice there changes an answer of part 5 (a test tries several).

use crate::error::Result;
use crate::tree::{EdgeSource, LogProbTree};

/// `neural`.
pub const NEURAL: usize = 0;
/// `network`.
pub const NETWORK: usize = 1;

/// `log(1 - exp(lp))`: the other word's log-probability in a two-word vocabulary.
pub fn complement_log_prob(lp: f64) -> f64 {
    (-lp.exp()).ln_1p()
}

/// The Figure 2 tree with the `network network` node set to `unknown`
/// (log-probabilities of `neural`, `network`).
pub fn figure2_tree_with(unknown: [f64; 2]) -> Result<LogProbTree> {
    use EdgeSource::*;
    let mut tree = LogProbTree::new(vec!["neural".into(), "network".into()], 3)?;
    let c = complement_log_prob;
    tree.set(&[], vec![(-0.65, Given), (-0.73, Given)])?;
    tree.set(&[NEURAL], vec![(-0.8, Given), (-0.6, Given)])?;
    tree.set(&[NETWORK], vec![(-0.6, Given), (c(-0.6), Complement)])?;
    tree.set(
        &[NEURAL, NEURAL],
        vec![(-0.01, Given), (c(-0.01), Complement)],
    )?;
    tree.set(
        &[NEURAL, NETWORK],
        vec![(c(-0.6), Complement), (-0.6, Given)],
    )?;
    tree.set(
        &[NETWORK, NEURAL],
        vec![(c(-0.6), Complement), (-0.6, Given)],
    )?;
    tree.set(
        &[NETWORK, NETWORK],
        vec![(unknown[0], Assumed), (unknown[1], Assumed)],
    )?;
    Ok(tree)
}

/// The Figure 2 tree (fair coin after `network network`).
pub fn figure2_tree() -> Result<LogProbTree> {
    let half = 0.5f64.ln();
    figure2_tree_with([half, half])
}
