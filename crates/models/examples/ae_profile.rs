//! Where the time of one `hw6 ae` run goes: train steps, per-epoch loss
//! evaluation and the probe, per configuration, on the synthetic data (or
//! the bundled MNIST sample with `mnist` as the first argument).
//!
//! `cargo run --release -p hw6-models --example ae_profile -- [synthetic|mnist] [linear|nonlinear] [k,k,..] [repeats]`
use hw6_datasets::mnist::{MnistConfig, MnistKind};
use hw6_datasets::synthetic::SyntheticConfig;
use hw6_models::config::ModelKind;
use hw6_models::run::{Arch, RunSpec, run_once};
use std::sync::Arc;

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
            let r = run_once(&ds, &spec, &mut |_| {})?;
            let steps = (r.epochs * (ds.train.len() / batch_size) * batch_size) as f64
                / r.samples_per_second;
            println!(
                "{:>5} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.1} {:>9.4}{}",
                k,
                r.seconds,
                steps,
                r.seconds_train - steps,
                r.seconds_probe,
                r.step_gflops,
                r.accuracy,
                if repeat == 0 { "" } else { " (again)" }
            );
        }
    }
    Ok(())
}
