//! A [`LogProbTree`] and a search's outcome flattened into numbered nodes,
//! ready for any tree-drawing code (the notebook and `hw6 beam` hand it to
//! `hw6_viz::TreeChart`). Kept free of plotting so this crate does not
//! depend on the chart crate.

use crate::beam::SearchResult;
use crate::step::Token;
use crate::trace::BeamTrace;
use crate::tree::{EdgeSource, LogProbTree};
use serde::Serialize;

/// One node: the prefix it stands for, its parent's index, and labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrawNode {
    pub prefix: Vec<Token>,
    pub parent: Option<usize>,
    /// Last word and the prefix's total log-probability, on two lines.
    pub label: String,
    /// The edge's conditional log-probability, with `*` for a complement
    /// (`log(1 - p)` of the stated sibling) and `?` for an assumed value.
    pub edge_label: String,
    /// Step at which beam search kept this prefix, if it did.
    pub kept_at: Option<usize>,
}

/// All nodes (root first, breadth-first) and the two paths worth showing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreeDrawing {
    pub nodes: Vec<DrawNode>,
    /// Node indices from the root to the sequence beam search returned.
    pub returned_path: Vec<usize>,
    /// Node indices from the root to the most likely sequence.
    pub best_path: Vec<usize>,
}

/// Flattens `tree`, marking what the reference search `beam` kept, the
/// sequence it returned and the sequence `best` (usually exhaustive search's
/// answer).
pub fn tree_drawing(tree: &LogProbTree, beam: &SearchResult, best: &[Token]) -> TreeDrawing {
    trace_drawing(tree, &BeamTrace::of_search(beam), best)
}

/// Flattens `tree`, marking the prefixes in `trace`'s beams, the sequence it
/// returned and the sequence `best`.
pub fn trace_drawing(tree: &LogProbTree, trace: &BeamTrace, best: &[Token]) -> TreeDrawing {
    let mut nodes = vec![DrawNode {
        prefix: Vec::new(),
        parent: None,
        label: "<start>\n0".into(),
        edge_label: String::new(),
        kept_at: Some(0),
    }];
    let mut totals = vec![0.0f64];
    for (prefix, token, lp, source) in tree.edges() {
        let Some(parent) = nodes.iter().position(|n| n.prefix == prefix) else {
            continue;
        };
        let mut full = prefix.clone();
        full.push(token);
        let total = totals[parent] + lp;
        let mark = match source {
            EdgeSource::Complement => "*",
            EdgeSource::Assumed => "?",
            EdgeSource::Given | EdgeSource::Random => "",
        };
        let word = tree.vocab().get(token).map_or("?", |w| w.as_str());
        nodes.push(DrawNode {
            kept_at: trace.kept_at(&full),
            prefix: full,
            parent: Some(parent),
            label: format!("{word}\n{total:.2}"),
            edge_label: format!("{lp:.2}{mark}"),
        });
        totals.push(total);
    }
    let path_to = |tokens: &[Token]| -> Vec<usize> {
        (0..=tokens.len())
            .filter_map(|t| nodes.iter().position(|n| n.prefix == tokens[..t]))
            .collect()
    };
    let returned = trace.returned().map_or(&[][..], |h| &h.tokens[..]);
    TreeDrawing {
        returned_path: path_to(returned),
        best_path: path_to(best),
        nodes,
    }
}
