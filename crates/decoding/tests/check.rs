//! The notebook's beam search check: the reference passes, and each typical
//! mistake fails with a message that names it.

use hw6_decoding::check_reference;
use hw6_decoding::prelude::*;
use hw6_exercise::recording;

/// A beam search as the notebook's hint describes it, with `keep(width)`
/// hypotheses kept per step and `order` applied before cutting.
fn search(
    tree: &mut LogProbTree,
    config: BeamConfig,
    keep: fn(usize) -> usize,
    worst_first: bool,
) -> Result<Vec<Hypothesis>, DecodeError> {
    let mut beam = vec![Hypothesis::empty()];
    for _ in 0..config.length {
        let mut next = Vec::new();
        for h in &beam {
            let lp = tree.next_log_probs(&h.tokens)?;
            next.extend(lp.iter().enumerate().map(|(w, &l)| h.extend(w, l)));
        }
        next.sort_by(rank);
        if worst_first {
            next.reverse();
        }
        next.truncate(keep(config.width));
        beam = next;
    }
    Ok(beam)
}

fn failure(result: Result<CheckReport, DecodeError>) -> String {
    result.expect_err("the check should fail").to_string()
}

#[test]
fn the_reference_and_the_hints_algorithm_pass_and_record_one_small_fixture() {
    let (reports, fixtures) = recording(check_reference);
    let reports = reports.unwrap();
    assert_eq!(
        reports[0].value("cases that agree with the reference"),
        Some(100.0)
    );
    assert_eq!(
        fixtures.keys().collect::<Vec<_>>(),
        ["decoding.beam_search.beams"]
    );
    let bytes: usize = fixtures.values().map(|v| v.to_string().len()).sum();
    assert!(bytes < 64 << 10, "fixtures of {bytes} bytes");
    check_beam_search(|tree, config| search(tree, config, |k| k, false)).unwrap();
}

#[test]
fn a_beam_search_mistake_is_named() {
    // One hypothesis too few.
    let msg = failure(check_beam_search(|tree, config| {
        search(tree, config, |k| k - 1, false)
    }));
    assert!(msg.contains("one too few"), "{msg}");
    // The worst candidates kept.
    let msg = failure(check_beam_search(|tree, config| {
        search(tree, config, |k| k, true)
    }));
    assert!(msg.contains("less likely than every one"), "{msg}");
    // The right beam, worst first.
    let msg = failure(check_beam_search(|tree, config| {
        let mut beam = search(tree, config, |k| k, false)?;
        beam.reverse();
        Ok(beam)
    }));
    assert!(msg.contains("wrong order"), "{msg}");
    // Scores that are probabilities, not log-probabilities.
    let msg = failure(check_beam_search(|tree, config| {
        let mut beam = search(tree, config, |k| k, false)?;
        beam.iter_mut().for_each(|h| h.log_prob = h.log_prob.exp());
        Ok(beam)
    }));
    assert!(msg.contains("log-probabilities are not"), "{msg}");
    // Greedy decoding is beam search of width 1 only.
    let msg = failure(check_beam_search(|tree, config| {
        Ok(vec![greedy_search(tree, config.length)?.best])
    }));
    assert!(msg.contains("width 2"), "{msg}");
    // A todo!() is a failed check, not a panic.
    let msg = failure(check_beam_search(|_, _| todo!()));
    assert!(msg.contains("todo!()"), "{msg}");
}
