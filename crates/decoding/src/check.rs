//! Checker for the notebook's beam search: on seeded random trees and
//! several widths, the beam a student's search ends with must be the one
//! this crate's reference ends with, which a student release reads from its
//! fixtures ([`hw6_exercise::expected`]). Where the numbers tell a mistake
//! apart, the message names it; a `todo!()` fails the check instead of
//! panicking ([`hw6_exercise::checked`]).

use crate::beam::{BeamConfig, beam_search};
use crate::error::{DecodeError, Result};
use crate::hypothesis::Hypothesis;
use crate::tree::LogProbTree;
use hw6_exercise::{CheckFailure, CheckReport, checked, expected};

const BEAM: &str = "beam search";

/// Widths every tree is searched with.
const WIDTHS: std::ops::RangeInclusive<usize> = 1..=5;

/// The check's trees and lengths: 20 seeded random trees, vocabulary 2 to
/// 5 and length 1 to 4.
fn beam_trees() -> Result<Vec<(LogProbTree, usize)>> {
    (0..20u64)
        .map(|seed| {
            let (m, t) = (
                2 + (seed % 4) as usize,
                1 + ((seed + seed / 4) % 4) as usize,
            );
            Ok((LogProbTree::random(m, t, seed)?, t))
        })
        .collect()
}

/// A hypothesis as the fixtures hold it: tokens and the bit pattern of its
/// log-probability (exact, and no number that could read as an answer).
type Recorded = (Vec<usize>, u64);

fn record(h: &Hypothesis) -> Recorded {
    (h.tokens.clone(), h.log_prob.to_bits())
}

fn replay((tokens, bits): Recorded) -> Hypothesis {
    Hypothesis {
        tokens,
        log_prob: f64::from_bits(bits),
    }
}

fn show(beam: &[Hypothesis], vocab: &[String]) -> String {
    let items: Vec<String> = beam
        .iter()
        .map(|h| format!("\"{}\" ({:.4})", h.text(vocab), h.log_prob))
        .collect();
    format!("[{}]", items.join(", "))
}

/// What is wrong with `got`, a beam that differs from `want`, if the
/// numbers say.
fn beam_mistake(got: &[Hypothesis], want: &[Hypothesis], config: BeamConfig) -> Option<String> {
    if let Some(h) = got.iter().find(|h| h.tokens.len() != config.length) {
        return Some(format!(
            "it holds a hypothesis of {} tokens, but after config.length = {} steps every one has {} tokens",
            h.tokens.len(),
            config.length,
            config.length
        ));
    }
    if got.len() != want.len() {
        let hint = match got.len() + 1 == want.len() {
            true => "one too few: keep config.width hypotheses at every step, not config.width - 1",
            false if got.len() > want.len() => {
                "too many: keep only the config.width best at every step"
            }
            false => "keep config.width hypotheses at every step (all of them while fewer exist)",
        };
        return Some(format!(
            "it holds {} hypotheses where it should hold {}: {hint}",
            got.len(),
            want.len()
        ));
    }
    let tokens = |b: &[Hypothesis]| {
        let mut t: Vec<Vec<usize>> = b.iter().map(|h| h.tokens.clone()).collect();
        t.sort();
        t
    };
    let same_sequences = tokens(got) == tokens(want);
    if same_sequences && got.iter().zip(want).all(|(g, w)| g.tokens == w.tokens) {
        return Some("the sequences are right but their log-probabilities are not: a hypothesis' score is the sum of its tokens' log-probabilities (h.extend adds them)".into());
    }
    if same_sequences {
        return Some("the right hypotheses in the wrong order: return the beam best first (rank sorts that way)".into());
    }
    let worst = want.last().map_or(f64::NEG_INFINITY, |h| h.log_prob);
    if got.iter().any(|h| h.log_prob < worst - 1e-9) {
        return Some(format!(
            "it holds a hypothesis less likely than every one of the right beam (below {worst:.4}): keep the best candidates, ranked over every extension of every kept hypothesis"
        ));
    }
    None
}

/// Checks a beam search `f(tree, config)`, which returns the beam after
/// `config.length` steps, best first: on 20 seeded random trees with widths
/// 1 to 5, the beam must hold the reference's sequences in its order, and
/// their log-probabilities to 1e-9.
pub fn check_beam_search(
    f: impl Fn(&mut LogProbTree, BeamConfig) -> Result<Vec<Hypothesis>>,
) -> Result<CheckReport> {
    checked(BEAM, |report| {
        let trees = beam_trees()?;
        let configs = |length: usize| WIDTHS.map(move |width| BeamConfig { width, length });
        let recorded: Vec<Vec<Recorded>> = expected("decoding.beam_search.beams", || {
            let mut beams = Vec::new();
            for (tree, length) in &trees {
                for config in configs(*length) {
                    let result = beam_search(&mut tree.clone(), config)?;
                    beams.push(result.final_beam().iter().map(record).collect());
                }
            }
            Ok::<_, DecodeError>(beams)
        })?;
        let want: Vec<Vec<Hypothesis>> = recorded
            .into_iter()
            .map(|beam| beam.into_iter().map(replay).collect())
            .collect();
        let mut want = want.iter();
        let mut cases = 0;
        for (i, (tree, length)) in trees.iter().enumerate() {
            for config in configs(*length) {
                let want = want.next().ok_or_else(|| {
                    CheckFailure::new(BEAM, "the recorded beams are fewer than the cases")
                })?;
                let (m, width) = (tree.vocab().len(), config.width);
                let place = format!("random tree {i} (M = {m}), width {width}, length {length}");
                let got = f(&mut tree.clone(), config).map_err(|e| {
                    CheckFailure::new(BEAM, format!("{place}: your code returned an error: {e}"))
                })?;
                let agrees = got.len() == want.len()
                    && got.iter().zip(want).all(|(g, w)| {
                        g.tokens == w.tokens && (g.log_prob - w.log_prob).abs() <= 1e-9
                    });
                if !agrees {
                    let vocab = tree.vocab();
                    let why = beam_mistake(&got, want, config)
                        .map_or(String::new(), |why| format!("; {why}"));
                    let reason = format!(
                        "{place}: your beam is {}, the right one {}{why}",
                        show(&got, vocab),
                        show(want, vocab)
                    );
                    return Err(CheckFailure::new(BEAM, reason).into());
                }
                cases += 1;
            }
        }
        report.figure("cases that agree with the reference", cases as f64);
        Ok(())
    })
}

/// The check of the notebook run with this crate's reference as its code:
/// what the release command records (under [`hw6_exercise::recording`]). The
/// notebook reads no other fixture.
pub fn check_reference() -> Result<Vec<CheckReport>> {
    let reference =
        |tree: &mut LogProbTree, config| Ok(beam_search(tree, config)?.final_beam().to_vec());
    Ok(vec![check_beam_search(reference)?])
}
