//! How the three searches relate, on random trees and closures.

use hw6_decoding::prelude::*;
use hw6_exercise::ParamError;
use proptest::prelude::*;

proptest! {
    // Fixed seed: the same 64 cases on every run.
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(182),
        ..ProptestConfig::default()
    })]

    #[test]
    fn full_width_beam_is_exhaustive_and_narrow_beams_never_beat_it(
        m in 1usize..5, t in 1usize..5, seed in any::<u64>()
    ) {
        let mut tree = LogProbTree::random(m, t, seed).unwrap();
        let exact = exhaustive_search(&mut tree, t).unwrap();
        let full = beam_search(&mut tree, BeamConfig { width: m.pow(t as u32), length: t }).unwrap();
        prop_assert_eq!(&full.best, &exact.best);
        let mut best_over_widths = f64::NEG_INFINITY;
        for k in 1..=m.pow(t as u32) {
            let b = beam_search(&mut tree, BeamConfig { width: k, length: t }).unwrap();
            prop_assert!(b.best.log_prob <= exact.best.log_prob);
            // a returned sequence's score is its true log-probability
            let mut lp = 0.0;
            for s in 0..t {
                lp += tree.edge(&b.best.tokens[..s], b.best.tokens[s]).unwrap().0;
            }
            prop_assert_eq!(lp, b.best.log_prob);
            // Width 1 is greedy decoding.
            if k == 1 {
                let g = greedy_search(&mut tree, t).unwrap();
                prop_assert_eq!(&g.best, &b.best);
            }
            best_over_widths = best_over_widths.max(b.best.log_prob);
        }
        prop_assert_eq!(best_over_widths, exact.best.log_prob);
    }

    #[test]
    fn beams_are_sorted_and_sized(m in 2usize..6, t in 1usize..6, k in 1usize..6, seed in any::<u64>()) {
        let mut model = HashedModel { vocab_size: m, seed };
        let r = beam_search(&mut model, BeamConfig { width: k, length: t }).unwrap();
        prop_assert_eq!(r.steps.len(), t);
        for (i, s) in r.steps.iter().enumerate() {
            prop_assert_eq!(s.t, i + 1);
            prop_assert_eq!(s.kept, k.min(m.pow(s.t as u32)));
            prop_assert!(s.candidates.windows(2).all(|w| rank(&w[0], &w[1]).is_le()));
            prop_assert!(s.beam().iter().all(|h| h.tokens.len() == s.t));
        }
        // one step call per kept hypothesis per step
        let calls: u64 = std::iter::once(1).chain(r.steps[..t - 1].iter().map(|s| s.kept as u64)).sum();
        prop_assert_eq!(r.stats.step_calls, calls);
        prop_assert_eq!(&r.best, &r.steps[t - 1].candidates[0]);
    }
}

#[test]
fn exhaustive_lists_every_sequence_once_with_probabilities_summing_to_one() {
    let mut tree = LogProbTree::random(3, 4, 9).unwrap();
    let (all, stats) = all_sequences(&mut tree, 4).unwrap();
    assert_eq!(all.len(), 81);
    let total: f64 = all.iter().map(|h| h.prob()).sum();
    assert!((total - 1.0).abs() < 1e-9);
    assert_eq!(stats.step_calls, 1 + 3 + 9 + 27);
    let mut seqs: Vec<_> = all.iter().map(|h| h.tokens.clone()).collect();
    seqs.sort();
    seqs.dedup();
    assert_eq!(seqs.len(), 81);
}

#[test]
fn closures_are_step_models_and_bad_outputs_are_errors() {
    // A model that always prefers token 2 of 3.
    let mut model = StepFn::new(3, |_: &[Token]| vec![-2.0, -1.5, -0.5]);
    let r = beam_search(
        &mut model,
        BeamConfig {
            width: 2,
            length: 3,
        },
    )
    .unwrap();
    assert_eq!(r.best.tokens, vec![2, 2, 2]);
    assert!((r.best.log_prob + 1.5).abs() < 1e-12);

    let mut wrong_len = StepFn::new(3, |_: &[Token]| vec![-1.0, -1.0]);
    assert!(matches!(
        beam_search(
            &mut wrong_len,
            BeamConfig {
                width: 1,
                length: 1
            }
        ),
        Err(DecodeError::BadStep { .. })
    ));
    let mut positive = StepFn::new(2, |p: &[Token]| {
        if p.is_empty() {
            vec![-0.1, -2.0]
        } else {
            vec![0.5, -1.0]
        }
    });
    let err = greedy_search(&mut positive, 2).unwrap_err();
    assert!(err.to_string().contains("[0]"), "{err}");
    let mut nan = StepFn::new(2, |_: &[Token]| vec![f64::NAN, -1.0]);
    assert!(exhaustive_search(&mut nan, 1).is_err());
    // Bad settings fail before any step call.
    let mut ok = StepFn::new(2, |_: &[Token]| vec![-0.7, -0.7]);
    assert!(matches!(
        beam_search(
            &mut ok,
            BeamConfig {
                width: 0,
                length: 2
            }
        ),
        Err(DecodeError::Param(ParamError { name: "width", .. }))
    ));
    assert!(greedy_search(&mut ok, 0).is_err());
    assert!(matches!(
        exhaustive_search(&mut ok, 40),
        Err(DecodeError::TooLarge { .. })
    ));
    // A tree asked beyond its depth says so.
    let mut tree = LogProbTree::random(2, 2, 0).unwrap();
    assert!(matches!(
        greedy_search(&mut tree, 3),
        Err(DecodeError::MissingPrefix { .. })
    ));
}

#[test]
fn impossible_tokens_are_allowed_and_never_chosen_over_possible_ones() {
    let mut model = StepFn::new(3, |_: &[Token]| vec![f64::NEG_INFINITY, -0.1, -2.4]);
    let r = beam_search(
        &mut model,
        BeamConfig {
            width: 3,
            length: 2,
        },
    )
    .unwrap();
    assert_eq!(r.best.tokens, vec![1, 1]);
    assert!(r.steps[1].beam().iter().all(|h| h.log_prob.is_finite()));
}

#[test]
fn work_grows_as_part_5e_predicts() {
    let sweeps = measure_beam_complexity(
        (16, 4, 64),
        &[8, 16, 32, 64],
        &[2, 4, 8, 16],
        &[32, 64, 128, 256],
        1,
    )
    .unwrap();
    let by = |v: &str| sweeps.iter().find(|s| s.varied == v).unwrap();
    // Linear in T (the first step has one hypothesis, so slightly above 1).
    assert!((by("T").step_calls_slope - 1.0).abs() < 0.1);
    assert!((by("T").comparisons_slope - 1.0).abs() < 0.1);
    // Linear in k while k << M.
    assert!((by("k").step_calls_slope - 1.0).abs() < 0.1);
    assert!((by("k").comparisons_slope - 1.0).abs() < 0.25);
    // M log M in M: step calls do not depend on M; comparisons slope above 1.
    assert!(by("M").step_calls_slope.abs() < 1e-9);
    let s = by("M").comparisons_slope;
    assert!(s > 1.0 && s < 1.4, "comparisons vs M slope {s}");
    for sw in &sweeps {
        for p in &sw.points {
            let ratio = p.comparisons as f64 / p.predicted_comparisons;
            assert!(ratio > 0.3 && ratio < 1.5, "{p:?}");
        }
    }
}

#[test]
fn a_notebooks_search_is_measured_through_the_model_and_rank() {
    // A search written as the notebook's hint says: extend every kept
    // hypothesis by every token, sort with rank, keep the width.
    let search = |model: &mut CountingModel, config: BeamConfig| {
        let mut beam = vec![Hypothesis::empty()];
        for _ in 0..config.length {
            let mut next = Vec::new();
            for h in &beam {
                let lp = model.next_log_probs(&h.tokens)?;
                next.extend(lp.iter().enumerate().map(|(w, &l)| h.extend(w, l)));
            }
            next.sort_by(rank);
            next.truncate(config.width);
            beam = next;
        }
        Ok(beam)
    };
    let sweeps = measure_beam_complexity_with(
        (8, 4, 32),
        &[8, 16, 32],
        &[2, 4, 8],
        &[16, 32, 64],
        1,
        search,
    )
    .unwrap();
    let by = |v: &str| sweeps.iter().find(|s| s.varied == v).unwrap();
    assert!((by("T").step_calls_slope - 1.0).abs() < 0.1);
    assert!(by("M").step_calls_slope.abs() < 1e-9);
    assert!(by("M").comparisons_slope > 1.0);
    let p = &by("T").points[0];
    assert_eq!(p.step_calls, 1 + 4 * 7);
    assert!(p.comparisons > 0);
}
