//! Part 5 (a)-(d) on the homework's tree. (These tests state the answers: a
//! student release leaves out every crate's tests.)

use hw6_decoding::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn beam_width_two_reproduces_the_homework_answers() {
    let mut tree = figure2_tree().unwrap();
    let vocab = tree.vocab().to_vec();
    let config = BeamConfig {
        width: 2,
        length: 3,
    };
    let beam = beam_search(&mut tree, config).unwrap();
    let trace = BeamTrace::of_search(&beam);
    let texts = |t: usize| {
        trace.beams[t]
            .iter()
            .map(|h| (h.text(&vocab), h.log_prob))
            .collect::<Vec<_>>()
    };
    let expect = |t: usize, want: [(&str, f64); 2]| {
        let got = texts(t);
        assert_eq!(got.len(), 2);
        for ((text, lp), (w_text, w_lp)) in got.iter().zip(want) {
            assert_eq!(text, w_text);
            assert!(close(*lp, w_lp), "{text}: {lp}");
        }
    };
    expect(0, [("neural", -0.65), ("network", -0.73)]); // (a)
    expect(1, [("neural network", -1.25), ("network neural", -1.33)]); // (b)
    expect(
        2,
        [
            ("neural network network", -1.85),
            ("network neural network", -1.93),
        ],
    ); // (c)
    assert_eq!(beam.best.text(&vocab), "neural network network");
    // (d)
    let exact = exhaustive_search(&mut tree, 3).unwrap().best;
    assert_eq!(exact.text(&vocab), "neural neural neural");
    assert!(close(exact.log_prob, -1.46));
    assert_eq!(trace.kept_at(&exact.tokens[..1]), Some(1));
    assert_eq!(trace.kept_at(&exact.tokens[..2]), None);
    // The same beams, recorded from runs of lengths 1, 2 and 3.
    let recorded = BeamTrace::record(config, |c| {
        Ok(beam_search(&mut tree, c)?.final_beam().to_vec())
    })
    .unwrap();
    assert_eq!(recorded, trace);
}

#[test]
fn the_unstated_node_does_not_change_the_answers() {
    let vocab = ["neural", "network"];
    for p in [1e-6f64, 0.1, 0.5, 0.9, 1.0 - 1e-6] {
        let unknown = [p.ln(), (1.0 - p).ln()];
        let mut tree = figure2_tree_with(unknown).unwrap();
        let beam = beam_search(
            &mut tree,
            BeamConfig {
                width: 2,
                length: 3,
            },
        )
        .unwrap();
        let exact = exhaustive_search(&mut tree, 3).unwrap();
        assert_eq!(beam.best.text(&vocab), "neural network network");
        assert_eq!(exact.best.text(&vocab), "neural neural neural");
    }
}

#[test]
fn complements_make_two_word_distributions() {
    let tree = figure2_tree().unwrap();
    assert!(close(
        complement_log_prob(-0.6),
        (1.0 - (-0.6f64).exp()).ln()
    ));
    for (prefix, _, _, source) in tree.edges() {
        if source == EdgeSource::Complement {
            let p: f64 = (0..2).map(|w| tree.edge(&prefix, w).unwrap().0.exp()).sum();
            assert!(close(p, 1.0), "prefix {prefix:?} sums to {p}");
        }
    }
    assert_eq!(tree.edges().len(), 14);
}

#[test]
fn greedy_decoding_on_figure_2() {
    let mut tree = figure2_tree().unwrap();
    let g = greedy_search(&mut tree, 3).unwrap();
    assert_eq!(g.best.tokens, vec![NEURAL, NETWORK, NETWORK]);
    assert_eq!(g.stats.step_calls, 3);
}

#[test]
fn the_step_table_lists_each_steps_candidates_and_their_fates() {
    let mut tree = figure2_tree().unwrap();
    // A made-up beam of width 1 that keeps "network" then "network neural".
    let trace = BeamTrace {
        beams: vec![
            vec![Hypothesis::empty().extend(NETWORK, -0.73)],
            vec![
                Hypothesis::empty()
                    .extend(NETWORK, -0.73)
                    .extend(NEURAL, -0.6),
            ],
        ],
    };
    let rows = trace.candidates(&mut tree).unwrap();
    let fates: Vec<(Vec<usize>, Fate)> = rows.iter().map(|(h, f)| (h.tokens.clone(), *f)).collect();
    assert_eq!(
        fates,
        [
            (vec![NEURAL], Fate::Dropped),
            (vec![NETWORK], Fate::Kept),
            (vec![NETWORK, NEURAL], Fate::Kept),
            (vec![NETWORK, NETWORK], Fate::Dropped),
        ]
    );
    let drawing = trace_drawing(&tree, &trace, &[NEURAL]);
    let kept: Vec<usize> = drawing.nodes.iter().filter_map(|n| n.kept_at).collect();
    assert_eq!(kept, [0, 1, 2]);
    assert_eq!(drawing.returned_path.len(), 3);
}
