//! Why the linear probe standardises its features and takes at least
//! `min_steps` steps (see `hw6_models::probe`): train an autoencoder per
//! `(arch, k)` for 10 epochs, then probe the same frozen features four ways:
//!
//! - `raw 10`: raw features, `epochs` = 10 only (the former recipe: 160 steps
//!   on the bundled MNIST sample);
//! - `std 10`: standardised, 10 epochs only;
//! - `default`: standardised and at least 2,400 steps (the crate's default);
//! - `lr 1e-2 x300`: standardised, lr 1e-2, 300 epochs (close to the
//!   converged logistic regression: what the features allow).
//!
//! `cargo run --release -p hw6-models --example probe_scale -- [mnist|synthetic]`
use hw6_datasets::mnist::{MnistConfig, MnistKind};
use hw6_datasets::synthetic::SyntheticConfig;
use hw6_models::prelude::*;
use hw6_models::probe::DEFAULT_MIN_PROBE_STEPS;
use hw6_models::run::Arch;
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let which = std::env::args().nth(1).unwrap_or_else(|| "mnist".into());
    let (ds, batch_size) = if which == "mnist" {
        let cfg = MnistConfig {
            kind: MnistKind::Digits,
            data_dir: None,
            splits: [0.6, 0.4],
            limit: None,
        };
        (cfg.load_quiet()?.0, 200)
    } else {
        (SyntheticConfig::default().build()?, 100)
    };
    let ds = Arc::new(ds);
    let n_sub = ds.valid.len().min(ds.train.len());
    let labels = &ds.train.labels[..n_sub];
    println!(
        "{which}: {n_sub} labelled rows, batch {batch_size}; probe accuracy on {} test rows",
        ds.test.len()
    );
    let recipes = [
        ("raw 10", false, 1e-3, 10, 0),
        ("std 10", true, 1e-3, 10, 0),
        ("default", true, 1e-3, 10, DEFAULT_MIN_PROBE_STEPS),
        ("lr 1e-2 x300", true, 1e-2, 300, 0),
    ];
    print!("{:>10} {:>5} {:>14}", "arch", "k", "feature sd");
    for r in &recipes {
        print!(" {:>13}", r.0);
    }
    println!();
    for arch in [Arch::Linear, Arch::Nonlinear { hidden: 256 }] {
        for k in [5usize, 10, 100, 1000] {
            let model = Autoencoder::new(&arch.config(ds.input_size(), k).with_seed(1))?;
            let mut exp = Experiment::new(
                ds.clone(),
                model,
                ExperimentConfig {
                    batch_size,
                    ..Default::default()
                },
            )?;
            exp.train(10)?;
            let z = exp.features(&ds.train, n_sub)?;
            let zt = exp.features(&ds.test, ds.test.len())?;
            let st = hw6_models::probe::Standardiser::fit(&z);
            let mean_sd = st.inv_std.iter().map(|s| 1.0 / s).sum::<f32>() / k as f32;
            print!("{:>10} {k:>5} {mean_sd:>14.3}", arch.name());
            for &(_, standardise, lr, epochs, min_steps) in &recipes {
                let cfg = ProbeConfig {
                    lr,
                    epochs,
                    batch_size,
                    seed: 3,
                    standardise,
                    min_steps,
                };
                let (p, loss) = LinearProbe::fit(&z, labels, ds.num_classes, &cfg)?;
                let acc = p.accuracy(zt.view(), &ds.test.labels)?;
                print!(" {acc:>6.3} ({loss:>4.2})");
            }
            println!();
        }
    }
    Ok(())
}
