//! Measures how close a trained linear autoencoder's decoder span gets to
//! the PCA subspace on the synthetic data (used to choose the bound in
//! tests/pca_connection.rs). `cargo run --release -p hw6-models --example pca_angles`
use hw6_datasets::prelude::*;
use hw6_models::matrix::MatView;
use hw6_models::prelude::*;
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for samples in [5_000usize, 20_000] {
        let data = Arc::new(
            SyntheticConfig {
                samples,
                ..SyntheticConfig::default()
            }
            .build()?,
        );
        let tr = &data.train;
        let pca = Pca::fit(MatView::new(tr.len(), tr.dim, &tr.features)?)?;
        for k in [5usize, 20] {
            for seed in 0..3u64 {
                let cfg = AutoencoderConfig::linear(100, k).with_seed(seed);
                let mut exp = Experiment::new(
                    data.clone(),
                    Autoencoder::new(&cfg)?,
                    ExperimentConfig {
                        seed,
                        ..Default::default()
                    },
                )?;
                let stats = exp.train(10)?;
                let (w1, w2) = exp.network().linear_maps()?;
                let u20 = pca.components(20)?;
                let angle_dec = largest_principal_angle_degrees(&w2, &u20)?;
                let angle_enc = largest_principal_angle_degrees(&w1.transpose(), &u20)?;
                let res = optimality_residuals(&pca.covariance, &w1, &w2)?;
                println!(
                    "n={samples} k={k} seed={seed}: loss {:.3} (bound {:.3}) largest angle to U_20: decoder {:.2} deg, encoder {:.2} deg; residual {:.2e}",
                    stats.train_losses.last().unwrap(),
                    pca.reconstruction_bound(k),
                    angle_dec,
                    angle_enc,
                    res.max_relative()
                );
            }
        }
    }
    Ok(())
}
