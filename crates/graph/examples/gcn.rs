//! Builds the homework's GCN (34 -> [16, 2] -> 2 classes) for Zachary's
//! karate club, checks its hand-written gradients and trains it:
//! `cargo run -p hw6-graph --example gcn`.

use hw6_graph::prelude::*;
use hw6_graph::train_gcn;

fn main() -> Result<(), GraphError> {
    // The club, its two modularity classes, Â = D~^-1/2 (A + I) D~^-1/2,
    // X = I and the original's train/test split.
    let data = KarateData::load(None)?;
    let task = &data.task;
    println!(
        "{} nodes, {} edges; {} training and {} test nodes",
        data.graph.num_nodes(),
        data.graph.num_edges(),
        task.train_nodes.len(),
        task.test_nodes.len()
    );

    // Two GCN layers H = tanh(Â X Wᵀ), then a softmax layer.
    let mut rng = ChaCha8Rng::seed_from_u64(ZKC_DEFAULT_SEED);
    let mut network = GcnNetwork::new(task.x.ncols(), task.labels.ncols(), &[16, 2], &mut rng)?;

    // The backward passes against central differences.
    let (lr, weight_decay) = (2e-2, 2.5e-2);
    let (a_hat, x, labels) = (&task.a_hat, &task.x, &task.labels);
    let report = check_gradients(
        &network,
        a_hat,
        x,
        labels,
        Some(&task.train_nodes),
        weight_decay,
    )?;
    print!("{}", report.require_passed()?);

    // Full-batch gradient descent with early stopping on the test loss.
    let mut optim = GradientDescent::new(lr, weight_decay)?;
    let config = GcnTrainConfig {
        log_every: 500,
        ..GcnTrainConfig::default()
    };
    let history = train_gcn(&mut network, &mut optim, task, &config)?;
    if let Some((train, test, accuracy)) = history.last() {
        println!(
            "{} epochs: train loss {train:.4}, test loss {test:.4}, test accuracy {accuracy:.2}",
            history.epochs()
        );
    }
    Ok(())
}
