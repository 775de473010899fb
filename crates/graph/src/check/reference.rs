//! [`check_reference`]: the notebook's checks with the crate's reference as
//! the notebook's code, and the values the notebook's cells fall back on.

use hw6_datasets::load_karate;
use hw6_exercise::CheckReport;

use super::{
    check_a_tilde, check_features, check_gcn_layer, check_network, check_sym_norm, check_training,
    reference_a_hat, reference_a_tilde, reference_features, reference_history,
};
use crate::error::Result;
use crate::gcn::GcnLayer;
use crate::graph::UndirectedGraph;
use crate::modularity::{NodeClasses, greedy_modularity_communities};
use crate::network::GcnNetwork;
use crate::normalize::{add_self_loops, sym_normalize};
use crate::train::{GcnTrainConfig, NodeTask, train_gcn};
use crate::zkc::{KARATE_TEST_NODES, KARATE_WEIGHTS, ZKC_DEFAULT_SEED, node_features};

/// The epochs of the notebook's quick mode (its training cell's
/// `max_epochs: if quick { 300 } else { 20_000 }`).
const QUICK_MAX_EPOCHS: usize = 300;

/// Runs every check of the q_zkc notebook with the crate's reference as the
/// notebook's code, on the inputs the notebook passes (the bundled club,
/// loaded as its cells load it), then computes every value its cells fall
/// back on while an exercise is still a `todo!()`: A~, Â, X and the
/// reference run of its training cell, for its default seed in quick and
/// in full mode. The release command runs this under
/// [`hw6_exercise::recording`] and writes what was computed as the student
/// release's fixtures.
///
/// # Errors
/// The club does not load, or a check of the reference fails (a bug).
pub fn check_reference() -> Result<Vec<CheckReport>> {
    let club = load_karate(None)?;
    let graph = UndirectedGraph::from_karate(&club)?;
    let communities = greedy_modularity_communities(&graph);
    let classes = NodeClasses::from_communities(graph.num_nodes(), &communities)?;
    let n = graph.num_nodes();
    let a = graph.adjacency(KARATE_WEIGHTS);

    let mut reports = vec![check_a_tilde(&a, |a| {
        add_self_loops(a).expect("the club's A is square")
    })?];
    let a_tilde = reference_a_tilde(&a)?;
    reports.push(check_sym_norm(&a_tilde, |m| {
        sym_normalize(m).expect("every degree of A~ is positive")
    })?);
    let a_hat = reference_a_hat(&a_tilde)?;
    reports.push(check_features(node_features, n)?);
    let x = reference_features(n)?;
    reports.push(check_gcn_layer(&a_hat, |n_in, n_out, rng| {
        GcnLayer::new(n_in, n_out, rng).expect("the check's sizes are positive")
    })?);

    let task = NodeTask::new(a_hat, x, classes.one_hot(), &KARATE_TEST_NODES)?;
    let hidden = [16, 2];
    reports.push(check_network(&task, &hidden, |rng| {
        GcnNetwork::new(n, 2, &hidden, rng)
    })?);
    reports.push(check_training(train_gcn)?);

    let full = GcnTrainConfig::default();
    let quick = GcnTrainConfig {
        max_epochs: QUICK_MAX_EPOCHS,
        ..full.clone()
    };
    for config in [quick, full] {
        reference_history(ZKC_DEFAULT_SEED, &config, &task)?;
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::DEFAULT_WARMUP;
    use hw6_exercise::recording;

    #[test]
    fn the_reference_passes_and_records_small_fixtures() {
        // The notebook's training cell: the original's settings.
        let full = GcnTrainConfig::default();
        assert_eq!(
            (full.max_epochs, full.patience, full.warmup, full.log_every),
            (20_000, 50, DEFAULT_WARMUP, 100)
        );
        let (reports, fixtures) = recording(check_reference);
        let reports = reports.unwrap();
        assert_eq!(reports.len(), 6);
        let keys: Vec<&str> = fixtures.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "graph.q1.a_tilde",
                "graph.q2.a_hat",
                "graph.q2.a_hat_weighted_3_nodes",
                "graph.q3.features",
                "graph.q4.step_on_given_a_hat",
                "graph.q4.step_on_non_symmetric_a_hat",
                "graph.q6.network",
                "graph.q8.early_stopping",
                "graph.q8.run_to_max_epochs",
                "graph.zkc.history.20000_epochs",
                "graph.zkc.history.300_epochs",
            ]
        );
        let mut bytes = 0;
        for (key, value) in &fixtures {
            let size = value.to_string().len();
            println!("{key}: {size} bytes");
            bytes += size;
        }
        println!("fixtures: {bytes} bytes");
        assert!(bytes < 200_000, "{bytes} bytes");
    }
}
