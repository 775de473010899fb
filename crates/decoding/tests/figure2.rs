//! Part 5 (a)-(d) on the homework's tree.

use hw6_decoding::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn beam_width_two_reproduces_the_homework_answers() {
    let a = figure2_answers().unwrap();
    let texts = |i: usize| {
        a.beams[i]
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>()
    };
    // (a)
    assert_eq!(texts(0), ["neural", "network"]);
    assert!(close(a.beams[0][0].1, -0.65) && close(a.beams[0][1].1, -0.73));
    // (b)
    assert_eq!(texts(1), ["neural network", "network neural"]);
    assert!(close(a.beams[1][0].1, -1.25) && close(a.beams[1][1].1, -1.33));
    // (c)
    assert_eq!(
        texts(2),
        ["neural network network", "network neural network"]
    );
    assert!(close(a.beams[2][0].1, -1.85) && close(a.beams[2][1].1, -1.93));
    assert_eq!(a.returned.0, "neural network network");
    // (d)
    assert_eq!(a.most_likely.0, "neural neural neural");
    assert!(close(a.most_likely.1, -1.46));
    assert!(!a.beam_found_best);
    assert_eq!(a.best_dropped_at_step, Some(2));
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
fn greedy_takes_neural_then_network() {
    let mut tree = figure2_tree().unwrap();
    let g = greedy_search(&mut tree, 3).unwrap();
    assert_eq!(g.best.tokens, vec![NEURAL, NETWORK, NETWORK]);
    assert_eq!(g.stats.step_calls, 3);
}
