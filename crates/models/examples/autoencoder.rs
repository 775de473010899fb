//! Train a linear autoencoder on the homework's synthetic data, probe its
//! codes, and compare its loss with the PCA bound.
//!
//! `cargo run --release -p hw6-models --example autoencoder`

use hw6_datasets::SyntheticConfig;
use hw6_models::prelude::*;
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 4,000 samples of the original's 100-dimensional data.
    let data = Arc::new(
        SyntheticConfig {
            samples: 4_000,
            ..Default::default()
        }
        .build()?,
    );
    let k = 20;

    // The network and its training: 5 epochs of Adam, batches of 100.
    let net = Autoencoder::new(&AutoencoderConfig::linear(data.input_size(), k).with_seed(1))?;
    let mut experiment = Experiment::new(data.clone(), net, ExperimentConfig::default())?;
    let stats = experiment.train(5)?;
    for (epoch, (train, valid)) in stats
        .train_losses
        .iter()
        .zip(&stats.valid_losses)
        .enumerate()
    {
        println!("epoch {}: train {train:.4}, valid {valid:.4}", epoch + 1);
    }

    // A linear autoencoder can do no better than PCA with k components.
    let pca = Pca::fit(data.train.features())?;
    println!("PCA bound at k = {k}: {:.4}", pca.reconstruction_bound(k));

    // How well a linear classifier reads the labels from the codes.
    let probe = experiment.evaluate_with_linear_probe(5)?;
    println!("probe accuracy on the test split: {:.3}", probe.accuracy);
    Ok(())
}
