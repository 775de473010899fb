//! Where the time of one `hw6 ae` run goes: train steps, per-epoch loss
//! evaluation and the probe, per configuration, on the synthetic data (or
//! the bundled MNIST sample with `mnist` as the first argument).
//!
//! `cargo run --release -p hw6-models --example ae_profile -- [synthetic|mnist] [linear|nonlinear] [k,k,..] [repeats] [overlap: auto|0|1]`
//!
//! The last argument forces `ExperimentConfig::overlap_eval` (losses on a
//! second thread beside training) on or off; `HW6_PARALLEL_MIN_MACS` sets
//! the size from which products are split between threads.
use hw6_datasets::mnist::{MnistConfig, MnistKind};
use hw6_datasets::synthetic::SyntheticConfig;
use hw6_models::config::ModelKind;
use hw6_models::experiment::{Experiment, ExperimentConfig};
use hw6_models::run::{Arch, RunSpec};
use hw6_models::variants::build_model;
use std::sync::Arc;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = args.first().map(String::as_str).unwrap_or("synthetic");
    let arch = match args.get(1).map(String::as_str).unwrap_or("nonlinear") {
        "linear" => Arch::Linear,
        _ => Arch::Nonlinear { hidden: 256 },
    };
    let ks: Vec<usize> = args
        .get(2)
        .map(|s| s.split(',').map(|v| v.parse().unwrap_or(10)).collect())
        .unwrap_or_else(|| vec![5, 10, 100]);
    let repeats: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2);
    let overlap_eval = match args.get(4).map(String::as_str) {
        Some("0") => Some(false),
        Some("1") => Some(true),
        _ => None,
    };
    let (ds, batch_size) = if data == "mnist" {
        let cfg = MnistConfig {
            kind: MnistKind::Digits,
            data_dir: None,
            splits: [0.6, 0.4],
            limit: None,
        };
        (Arc::new(cfg.load_quiet()?.0), 200)
    } else {
        (Arc::new(SyntheticConfig::default().build()?), 100)
    };
    println!(
        "{:>5} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9}",
        "k", "run s", "steps s", "eval s", "probe s", "step GF", "accuracy"
    );
    for &k in &ks {
        for repeat in 0..repeats {
            let spec = RunSpec {
                arch,
                k,
                model: ModelKind::Vanilla,
                repeat: 0,
                epochs: 10,
                batch_size,
                seed: 0,
            };
            // What run_once does, with the overlap setting exposed.
            let t = Instant::now();
            let config = spec
                .arch
                .config(ds.input_size(), k)
                .with_seed(spec.run_seed());
            let ecfg = ExperimentConfig {
                batch_size,
                seed: spec.run_seed(),
                overlap_eval,
                ..ExperimentConfig::default()
            };
            let mut exp =
                Experiment::new_boxed(ds.clone(), build_model(spec.model, &config)?, ecfg)?;
            let train = exp.train(spec.epochs)?;
            let probe = exp.evaluate_with_linear_probe(spec.epochs)?;
            println!(
                "{:>5} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.1} {:>9.4}{}",
                k,
                t.elapsed().as_secs_f64(),
                train.step_seconds,
                train.seconds - train.step_seconds,
                probe.seconds,
                train.step_flops / train.step_seconds / 1e9,
                probe.accuracy,
                if repeat == 0 { "" } else { " (again)" }
            );
        }
    }
    Ok(())
}
