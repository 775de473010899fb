//! Facts about the karate club GCN that would catch a wrong implementation.

use std::path::PathBuf;

use hw6_graph::prelude::*;
use hw6_graph::{GcnLayer, add_self_loops, sym_normalize, sym_normalize_by_matrix_functions};
use nalgebra::SymmetricEigen;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

fn karate() -> KarateData {
    KarateData::load(Some(&data_dir())).expect("the shipped karate files load")
}

/// networkx 3.6.1, `greedy_modularity_communities` on the unweighted
/// `karate_club_graph()`: three communities, largest first.
const NETWORKX_COMMUNITIES: [&[usize]; 3] = [
    &[
        8, 14, 15, 18, 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33,
    ],
    &[1, 2, 3, 7, 9, 12, 13, 17, 21],
    &[0, 4, 5, 6, 10, 11, 16, 19],
];

#[test]
fn modularity_partition_matches_networkx() {
    let data = karate();
    let expected: Vec<Vec<usize>> = NETWORKX_COMMUNITIES.iter().map(|c| c.to_vec()).collect();
    assert_eq!(data.communities, expected);
    // networkx.community.modularity of that partition: 0.3806706114398422.
    let q = modularity(&data.graph, &data.communities).unwrap();
    assert!((q - 0.380_670_611_439_842_2).abs() < 1e-12, "{q}");
    // The third community joins the second.
    assert_eq!(data.classes.nodes_of(0), NETWORKX_COMMUNITIES[0].to_vec());
    assert_eq!(
        data.classes.nodes_of(1),
        vec![0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16, 17, 19, 21]
    );
}

#[test]
fn normalised_adjacency_facts() {
    let data = karate();
    let binary = data.graph.adjacency(EdgeWeights::Binary);
    let weighted = data.graph.adjacency(EdgeWeights::Weighted);
    assert_eq!(binary.sum(), 2.0 * 78.0);
    // Twice Zachary's total of 231 interaction contexts.
    assert_eq!(weighted.sum(), 462.0);
    assert_eq!(
        data.adjacency, weighted,
        "the homework's run uses KARATE_WEIGHTS"
    );
    for a in [&binary, &weighted] {
        let a_tilde = add_self_loops(a).unwrap();
        let a_hat = sym_normalize(&a_tilde).unwrap();
        let routed = sym_normalize_by_matrix_functions(&a_tilde).unwrap();
        assert!((&a_hat - routed).abs().max() < 1e-12);
        let eig = SymmetricEigen::new(a_hat).eigenvalues;
        assert!(
            (eig.max() - 1.0).abs() < 1e-12,
            "largest eigenvalue {}",
            eig.max()
        );
        assert!(eig.min() > -1.0);
    }
    // Node 0 has 16 friends: in the binary Â, its self weight is 1/17.
    let a_hat = sym_normalize(&add_self_loops(&binary).unwrap()).unwrap();
    assert!((a_hat[(0, 0)] - 1.0 / 17.0).abs() < 1e-15);
    assert_eq!(&data.task.a_hat, &sym_normalize(&data.a_tilde).unwrap());
}

#[test]
fn split_follows_the_original() {
    let data = karate();
    assert_eq!(
        data.task.test_nodes,
        vec![0, 1, 8, 3, 15, 16, 20, 25, 28, 30]
    );
    assert_eq!(data.task.train_nodes.len(), 24);
}

fn gradient_test_network(seed: u64, hidden: &[usize]) -> GcnNetwork {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    GcnNetwork::new(34, 2, hidden, &mut rng).unwrap()
}

#[test]
fn every_gradient_check_passes() {
    let data = karate();
    let t = &data.task;
    // The original's gradient test: 34 -> 2 GCN layer, softmax 2 -> 2, wd 1, all nodes.
    let report = check_gradients(
        &gradient_test_network(100, &[2]),
        &t.a_hat,
        &t.x,
        &t.labels,
        None,
        1.0,
    )
    .unwrap();
    println!("{report}");
    assert_eq!(report.checks.len(), 3);
    assert!(report.all_passed(), "{report}");
    // The homework's network, masked to the training nodes, its weight decay.
    let report = check_gradients(
        &gradient_test_network(0, &[16, 2]),
        &t.a_hat,
        &t.x,
        &t.labels,
        Some(&t.train_nodes),
        2.5e-2,
    )
    .unwrap();
    println!("{report}");
    assert_eq!(report.checks.len(), 4);
    assert!(report.all_passed(), "{report}");
    assert!(report.worst() < 1e-8);
}

/// A known mistake in a GCN layer's backward pass, made on top of the
/// reference (see `src/check/wrong.rs` for the checkers' own).
#[derive(Clone, Copy)]
enum Fault {
    /// Sums the weight gradient over the batch instead of averaging it.
    SkipsBatchMean,
    /// Leaves the weight decay out of the weight gradient.
    NoDecay,
}

/// The reference layer with one mistake in its backward pass.
#[derive(Clone)]
struct Faulty(GcnLayer, Fault);

impl GraphConvolution for Faulty {
    fn forward(
        &mut self,
        a_hat: &DMatrix<f64>,
        x: &DMatrix<f64>,
    ) -> Result<DMatrix<f64>, GraphError> {
        self.0.forward(a_hat, x)
    }
    fn backward(
        &mut self,
        optim: &mut GradientDescent,
        update: bool,
    ) -> Result<DMatrix<f64>, GraphError> {
        let batch = optim.batch_size as f64;
        match self.1 {
            Fault::SkipsBatchMean => Ok(self.0.backward(optim, update)? * batch),
            Fault::NoDecay => {
                let decay = &self.0.w * (optim.weight_decay / batch);
                Ok(self.0.backward(optim, update)? - decay)
            }
        }
    }
    fn weight(&self) -> &DMatrix<f64> {
        &self.0.w
    }
    fn weight_mut(&mut self) -> &mut DMatrix<f64> {
        &mut self.0.w
    }
}

/// `net` with every GCN layer given `fault`.
fn with_fault(net: &GcnNetwork, fault: Fault) -> GcnNetwork<Faulty> {
    GcnNetwork {
        gcn_layers: net
            .gcn_layers
            .iter()
            .map(|l| Faulty(l.clone(), fault))
            .collect(),
        softmax: net.softmax.clone(),
    }
}

#[test]
fn a_wrong_backward_pass_fails_the_check() {
    let data = karate();
    let t = &data.task;
    let net = gradient_test_network(3, &[16, 2]);
    let sums = with_fault(&net, Fault::SkipsBatchMean);
    let report = check_gradients(&sums, &t.a_hat, &t.x, &t.labels, None, 1.0).unwrap();
    println!("{report}");
    // The softmax layer is right; both GCN layers are wrong.
    assert!(report.checks[0].passed() && report.checks[1].passed());
    assert!(
        !report.checks[2].passed() && !report.checks[3].passed(),
        "{report}"
    );
    assert!(report.clone().require_passed().is_err());

    let no_decay = with_fault(&net, Fault::NoDecay);
    let report = check_gradients(&no_decay, &t.a_hat, &t.x, &t.labels, None, 1.0).unwrap();
    assert!(!report.all_passed(), "{report}");
    assert!(report.checks[2].difference > 1e-4);

    // The exercise checker rejects it too.
    let err = check_gcn_layer(&t.a_hat, |i, o, rng| {
        Faulty(GcnLayer::new(i, o, rng).unwrap(), Fault::SkipsBatchMean)
    })
    .unwrap_err();
    assert!(err.to_string().contains("Q4"), "{err}");
}

#[test]
fn reference_implementations_pass_their_own_checkers() {
    let data = karate();
    let t = &data.task;
    check_a_tilde(&data.adjacency, |_| data.a_tilde.clone()).unwrap();
    assert!(check_a_tilde(&data.adjacency, |a| a.clone()).is_err());
    check_sym_norm(&data.a_tilde, |m| sym_normalize(m).unwrap()).unwrap();
    assert!(check_sym_norm(&data.a_tilde, |m| m.clone()).is_err());
    check_features(|_| t.x.clone(), 34).unwrap();
    let report = check_gcn_layer(&t.a_hat, |i, o, rng| GcnLayer::new(i, o, rng).unwrap()).unwrap();
    println!("{report}");
    check_network(t, &[16, 2], |rng| GcnNetwork::new(34, 2, &[16, 2], rng)).unwrap();
    let report = check_training(hw6_graph::train_gcn).unwrap();
    println!("{report}");
}

#[test]
fn the_warm_up_carries_seed_0_past_the_initial_plateau() {
    let data = karate();
    let run = |warmup| {
        let config = ZkcConfig {
            seed: 0,
            train: GcnTrainConfig {
                log_every: 0,
                warmup,
                ..GcnTrainConfig::default()
            },
            ..ZkcConfig::default()
        };
        config.run(&data).unwrap()
    };
    // The original's rule: the test loss rises from epoch 0 while the bias
    // drifts to the training majority, so patience 50 ends the run after 52
    // epochs with every test node in class 1 (4 of 10 right).
    let original = run(0);
    assert_eq!(original.history.epochs(), 52);
    assert_eq!(original.test_accuracy, 0.4);
    let first = original.history.test_losses[0];
    assert!(original.history.test_losses[1..].iter().all(|&l| l > first));
    // With the warm-up the run trains past the plateau, and stops by early
    // stopping, within 50 epochs of its lowest test loss.
    let warm = run(DEFAULT_WARMUP);
    assert_eq!(warm.test_accuracy, 1.0);
    let h = &warm.history;
    assert!(h.epochs() > DEFAULT_WARMUP + 51 && h.epochs() < 20_000);
    let best = (0..h.epochs())
        .min_by(|&i, &j| h.test_losses[i].total_cmp(&h.test_losses[j]))
        .unwrap();
    assert_eq!(h.epochs(), best + 52);
}

#[test]
fn default_training_reaches_full_test_accuracy_deterministically() {
    let data = karate();
    let config = ZkcConfig {
        train: GcnTrainConfig {
            log_every: 0,
            ..GcnTrainConfig::default()
        },
        ..ZkcConfig::default()
    };
    let a = config.run(&data).unwrap();
    let b = config.run(&data).unwrap();
    println!(
        "epochs {}, test accuracy {}, last losses {:?}",
        a.history.epochs(),
        a.test_accuracy,
        a.history.last()
    );
    assert_eq!(a.test_accuracy, 1.0);
    assert_eq!(a.history.epochs(), b.history.epochs());
    assert_eq!(a.history.train_losses, b.history.train_losses);
    assert_eq!(a.network, b.network);
    assert!(
        a.history.epochs() < 20_000,
        "early stopping should end training"
    );
    let (train, test, _) = a.history.last().unwrap();
    assert!(train < 0.5 && test < 0.5, "{train} {test}");
    assert_eq!(a.history.embeddings.len(), a.history.epochs());
    assert_eq!(a.history.embeddings[0].shape(), (34, 2));
}

#[test]
fn with_the_binary_adjacency_node_8_lands_in_the_wrong_class() {
    let data =
        KarateData::new(load_karate(Some(&data_dir())).unwrap(), EdgeWeights::Binary).unwrap();
    let config = ZkcConfig {
        train: GcnTrainConfig {
            log_every: 0,
            ..GcnTrainConfig::default()
        },
        ..ZkcConfig::default()
    };
    let run = config.run(&data).unwrap();
    let pred = run.history.predictions.last().unwrap();
    assert_eq!(run.test_accuracy, 0.9);
    // Node 8 belongs to class 0 but gets class 1.
    assert_eq!(data.classes.class_of[8], 0);
    assert!(pred[(8, 1)] > pred[(8, 0)]);
}
