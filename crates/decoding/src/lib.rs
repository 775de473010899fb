//! Decoding an autoregressive model (homework 6, part 5).
//!
//! A model is only its step function ([`StepModel`]): prefix -> next-token
//! log-probabilities. A [`Hypothesis`] is a prefix and its summed
//! log-probability. Searches: [`beam_search`] (and [`greedy_search`], its
//! width-1 case) and [`exhaustive_search`], each counting its work in
//! [`SearchStats`]. The homework's Figure 2 is a [`LogProbTree`]
//! ([`figure2_tree`]); a [`BeamTrace`] holds the beam after each step of any
//! beam search, for the step table and the drawing ([`trace_drawing`]);
//! [`measure_beam_complexity`] measures part 5(e).
//!
//! The notebook's exercise is beam search; [`check_beam_search`] checks it.
//! A student release has `todo!()` in place of this crate's answer to it.
//!
//! ```
//! use hw6_decoding::prelude::*;
//! let mut tree = figure2_tree()?;
//! let greedy = greedy_search(&mut tree, 3)?;
//! let exact = exhaustive_search(&mut tree, 3)?;
//! assert!(greedy.best.log_prob <= exact.best.log_prob);
//! assert_eq!(exact.stats.step_calls, 1 + 2 + 4);
//! # Ok::<(), DecodeError>(())
//! ```

mod beam;
mod check;
mod complexity;
mod drawing;
mod error;
mod exhaustive;
mod figure2;
mod hypothesis;
mod stats;
mod step;
mod trace;
mod tree;

pub use beam::{BeamConfig, BeamStep, SearchResult, beam_search, greedy_search};
pub use check::{check_beam_search, check_reference};
pub use complexity::{
    ComplexityPoint, ComplexitySweep, CountingModel, HashedModel, beam_work, beam_work_with,
    measure_beam_complexity, measure_beam_complexity_with,
};
pub use drawing::{DrawNode, TreeDrawing, trace_drawing, tree_drawing};
pub use error::{DecodeError, Result};
pub use exhaustive::{EXHAUSTIVE_LIMIT, all_sequences, exhaustive_search};
pub use figure2::{NETWORK, NEURAL, complement_log_prob, figure2_tree, figure2_tree_with};
pub use hypothesis::{Hypothesis, rank};
pub use stats::SearchStats;
pub use step::{StepFn, StepModel, Token};
pub use trace::{BeamTrace, Fate};
pub use tree::{EdgeSource, LogProbTree};

/// What notebooks need, with names unique across the hw6 crates.
pub mod prelude {
    pub use crate::{
        BeamConfig, BeamStep, BeamTrace, ComplexityPoint, ComplexitySweep, CountingModel,
        DecodeError, DrawNode, EdgeSource, Fate, HashedModel, Hypothesis, LogProbTree, NETWORK,
        NEURAL, SearchResult, SearchStats, StepFn, StepModel, Token, TreeDrawing, all_sequences,
        beam_search, beam_work, check_beam_search, complement_log_prob, exhaustive_search,
        figure2_tree, figure2_tree_with, greedy_search, measure_beam_complexity,
        measure_beam_complexity_with, rank, trace_drawing, tree_drawing,
    };
    pub use hw6_exercise::{
        CheckReport, Implementation, Unfinished, implementation_to_use, reaches_todo,
    };
}
