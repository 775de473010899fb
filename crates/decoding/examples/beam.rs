//! Beam search in a few lines: decode the homework's Figure 2 with widths 1
//! to 3, compare with the most likely sequence, and decode a model given as
//! a closure.
//!
//! `cargo run -p hw6-decoding --example beam`

use hw6_decoding::Result;
use hw6_decoding::prelude::*;

fn main() -> Result<()> {
    // Figure 2: a tree of next-word log-probabilities over {neural, network}.
    let mut tree = figure2_tree()?;
    let vocab = tree.vocab().to_vec();
    let exact = exhaustive_search(&mut tree, 3)?.best;
    println!(
        "most likely: \"{}\" ({:.2})",
        exact.text(&vocab),
        exact.log_prob
    );
    for width in 1..=3 {
        let result = beam_search(&mut tree, BeamConfig { width, length: 3 })?;
        println!(
            "beam width {width}: \"{}\" ({:.2}), {} step calls",
            result.best.text(&vocab),
            result.best.log_prob,
            result.stats.step_calls
        );
        // Each step's candidates, best first; the first `kept` form the beam.
        for step in &result.steps {
            let beam: Vec<String> = step.beam().iter().map(|h| h.text(&vocab)).collect();
            println!("  after step {}: {}", step.t, beam.join(" | "));
        }
    }

    // Any model is a step function: prefix -> next-token log-probabilities.
    // This one prefers the token after the last one (mod 3).
    let mut model = StepFn::new(3, |prefix: &[Token]| {
        let favourite = prefix.last().map_or(0, |t| (t + 1) % 3);
        (0..3)
            .map(|w| {
                if w == favourite {
                    0.8f64.ln()
                } else {
                    0.1f64.ln()
                }
            })
            .collect()
    });
    let greedy = greedy_search(&mut model, 5)?;
    println!(
        "closure model, greedy: {:?} ({:.3})",
        greedy.best.tokens, greedy.best.log_prob
    );
    Ok(())
}
