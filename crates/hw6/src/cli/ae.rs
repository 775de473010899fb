//! `hw6 ae`: sweep autoencoders over bottleneck sizes, models and repeats,
//! train each, score it with a linear probe, and report losses, accuracy and
//! speed. `--bench` adds a speed table and a plain large matrix product's
//! GFLOP/s measured in the same process.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use hw6_datasets::mnist::{MnistConfig, MnistKind};
use hw6_datasets::split::Dataset;
use hw6_datasets::synthetic::SyntheticConfig;
use hw6_models::config::{DEFAULT_MASK_PROB, DEFAULT_NOISE_STD, ModelKind};
use hw6_models::run::{Arch, RunResult, RunSpec, run_once};
use hw6_viz::ae_charts::{accuracy_vs_k_chart, loss_chart};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatasetArg {
    /// 20,000 x 100 Gaussian samples, 20 high-variance directions (sections 1.1, 1.2).
    Synthetic,
    /// MNIST digits (full download, else the bundled sample) (sections 1.3, 1.4).
    Mnist,
    /// Fashion-MNIST, same format.
    FashionMnist,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchArg {
    /// Hidden sizes [k], identity activation.
    Linear,
    /// Hidden sizes [HIDDEN, k] with ReLU.
    Nonlinear,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Which data.
    #[arg(long, value_enum, default_value = "synthetic")]
    pub dataset: DatasetArg,
    /// Linear ([k]) or nonlinear ([HIDDEN, k], ReLU).
    #[arg(long, value_enum, default_value = "linear")]
    pub arch: ArchArg,
    /// Bottleneck sizes, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "5,10,100,1000")]
    pub k: Vec<usize>,
    /// Models, comma separated: vanilla, denoise, masking.
    #[arg(long, value_delimiter = ',', default_value = "vanilla,denoise,masking")]
    pub models: Vec<String>,
    /// Repeats per (k, model). Default: the original's (3; 5 for nonlinear MNIST).
    #[arg(long)]
    pub repeats: Option<usize>,
    /// Epochs of the autoencoder and of the probe (NUM_EPOCHS).
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// Base seed; every run derives its own from it.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Width of the first hidden layer of the nonlinear autoencoder.
    #[arg(long, default_value_t = 256)]
    pub hidden: usize,
    /// Rows per train step. Default: the original's (100 synthetic, 200 MNIST).
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Synthetic data: number of samples (default the original's 20,000).
    #[arg(long)]
    pub samples: Option<usize>,
    /// MNIST: read only the first N training and test images (quick runs).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Denoising autoencoder: standard deviation of the input noise.
    #[arg(long, default_value_t = DEFAULT_NOISE_STD)]
    pub noise_std: f64,
    /// Masked autoencoder: probability of zeroing an input entry.
    #[arg(long, default_value_t = DEFAULT_MASK_PROB)]
    pub mask_prob: f64,
    /// Also print a speed table and a plain large matrix product's GFLOP/s.
    #[arg(long)]
    pub bench: bool,
}

fn parse_models(args: &Args) -> anyhow::Result<Vec<ModelKind>> {
    let mut out = Vec::new();
    for name in &args.models {
        let kind = match ModelKind::parse(name)? {
            ModelKind::Vanilla => ModelKind::Vanilla,
            ModelKind::Denoising { .. } => ModelKind::Denoising {
                noise_std: args.noise_std,
            },
            ModelKind::Masked { .. } => ModelKind::Masked {
                mask_prob: args.mask_prob,
            },
        };
        kind.check()?;
        out.push(kind);
    }
    if out.is_empty() {
        bail!("--models is empty: name at least one of vanilla, denoise, masking");
    }
    Ok(out)
}

fn load(args: &Args, common: &super::Common) -> anyhow::Result<Dataset> {
    Ok(match args.dataset {
        DatasetArg::Synthetic => {
            let mut cfg = SyntheticConfig {
                seed: args.seed,
                ..SyntheticConfig::default()
            };
            if let Some(n) = args.samples {
                cfg.samples = n;
            }
            let ds = cfg.build().context("building the synthetic data")?;
            eprintln!(
                "{}: {} train / {} valid / {} test rows of {}",
                ds.name,
                ds.train.len(),
                ds.valid.len(),
                ds.test.len(),
                ds.input_size()
            );
            ds
        }
        DatasetArg::Mnist | DatasetArg::FashionMnist => {
            let kind = if args.dataset == DatasetArg::Mnist {
                MnistKind::Digits
            } else {
                MnistKind::Fashion
            };
            let cfg = MnistConfig {
                kind,
                data_dir: common.data_dir.clone(),
                splits: [0.6, 0.4],
                limit: args.limit,
            };
            let (ds, line) = cfg.load_quiet().context("loading MNIST (see `hw6 data`)")?;
            eprintln!("{line}");
            ds
        }
    })
}

/// GFLOP/s of a plain 2048 x 2048 x 2048 f32 matrix product through candle
/// (the gemm crate, all threads), best of `reps` after a warm-up.
pub fn plain_matmul_gflops(reps: usize) -> anyhow::Result<f64> {
    use candle_core::{Device, Tensor};
    let n = 2048;
    let a = Tensor::randn(0f32, 1.0, (n, n), &Device::Cpu)?;
    let b = Tensor::randn(0f32, 1.0, (n, n), &Device::Cpu)?;
    let mut best = f64::INFINITY;
    let _ = a.matmul(&b)?; // warm up
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let c = a.matmul(&b)?;
        let _ = c.dims();
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(2.0 * (n as f64).powi(3) / best / 1e9)
}

pub fn run(args: &Args, common: &super::Common) -> anyhow::Result<()> {
    let models = parse_models(args)?;
    if args.k.is_empty() {
        bail!("--k is empty: give at least one bottleneck size, e.g. --k 5,10,100,1000");
    }
    if let Some(&k) = args.k.iter().find(|&&k| k == 0) {
        bail!("--k {k}: a bottleneck needs at least one unit; use k >= 1");
    }
    if args.epochs == 0 {
        bail!("--epochs 0: train for at least 1 epoch (the original uses 10)");
    }
    let is_mnist = args.dataset != DatasetArg::Synthetic;
    let arch = match args.arch {
        ArchArg::Linear => Arch::Linear,
        ArchArg::Nonlinear => {
            if args.hidden == 0 {
                bail!(
                    "--hidden 0: the first hidden layer needs at least one unit (the default is 256)"
                );
            }
            Arch::Nonlinear {
                hidden: args.hidden,
            }
        }
    };
    let repeats = args
        .repeats
        .unwrap_or(if is_mnist && args.arch == ArchArg::Nonlinear {
            5
        } else {
            3
        });
    if repeats == 0 {
        bail!("--repeats 0: run each configuration at least once");
    }
    let batch_size = args.batch_size.unwrap_or(if is_mnist { 200 } else { 100 });
    // With --bench, a plain product timed before the first run and after
    // every run; each run is compared with the mean of the two beside it,
    // because the machine's state (other jobs on the two cores) changes
    // within minutes.
    let mut matmul_marks: Vec<f64> = Vec::new();
    if args.bench {
        matmul_marks.push(plain_matmul_gflops(3)?);
    }

    let t_load = Instant::now();
    let dataset = Arc::new(load(args, common)?);
    let load_seconds = t_load.elapsed().as_secs_f64();
    let err = common.json_on_stdout();
    let mut json = common.json_writer()?;
    let svg_dir = common.svg_dir()?;

    let total_runs = args.k.len() * models.len() * repeats;
    let terminal = std::io::stderr().is_terminal();
    let bar = if terminal {
        let bar = ProgressBar::new((total_runs * args.epochs) as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:30} {pos}/{len} epochs [{elapsed_precise} < {eta_precise}] {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };

    let t_all = Instant::now();
    let mut results: Vec<RunResult> = Vec::new();
    for &k in &args.k {
        for &model in &models {
            for repeat in 0..repeats {
                let spec = RunSpec {
                    arch,
                    k,
                    model,
                    repeat,
                    epochs: args.epochs,
                    batch_size,
                    seed: args.seed,
                };
                let label = format!("{} k={k} {} #{repeat}", arch.name(), model.name());
                if let Some(bar) = &bar {
                    bar.set_message(label.clone());
                }
                let mut on_epoch = |e: &hw6_models::experiment::EpochStats| match &bar {
                    Some(bar) => bar.inc(1),
                    None => eprintln!(
                        "{label}: epoch {}/{} train {:.4} valid {:.4} ({:.3} s)",
                        e.epoch, e.of, e.train_loss, e.valid_loss, e.seconds
                    ),
                };
                let result = run_once(&dataset, &spec, &mut on_epoch)
                    .with_context(|| format!("run {label} on {}", dataset.name))?;
                if args.bench {
                    matmul_marks.push(plain_matmul_gflops(2)?);
                }
                let line = format!(
                    "{} {} {:>8} k={:<5} repeat {}: train {:.4} valid {:.4} accuracy {:.4} ({:.2} s)",
                    result.dataset,
                    result.arch,
                    result.model,
                    result.k,
                    result.repeat,
                    result.train_loss,
                    result.valid_loss,
                    result.accuracy,
                    result.seconds
                );
                match &bar {
                    Some(bar) => bar.println(line),
                    None => say!(err, "{line}"),
                }
                if let Some(j) = json.as_mut() {
                    j.write(&result)?;
                }
                results.push(result);
            }
        }
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let total_seconds = t_all.elapsed().as_secs_f64();

    // Mean accuracy per (model, k), like the original's report.
    let mut acc: BTreeMap<(usize, &str), Vec<f64>> = BTreeMap::new();
    for r in &results {
        acc.entry((r.k, r.model)).or_default().push(r.accuracy);
    }
    say!(
        err,
        "\nmean probe accuracy on the test split ({} repeats):",
        repeats
    );
    say_part!(err, "{:>8}", "k");
    for m in &models {
        say_part!(err, "{:>10}", m.name());
    }
    say!(err, "");
    for &k in &args.k {
        say_part!(err, "{k:>8}");
        for m in &models {
            let v = &acc[&(k, m.name())];
            say_part!(err, "{:>10.4}", v.iter().sum::<f64>() / v.len() as f64);
        }
        say!(err, "");
    }
    say!(
        err,
        "{} runs in {:.2} s (data {:.2} s)",
        results.len(),
        total_seconds,
        load_seconds
    );

    if let Some(dir) = svg_dir {
        let stem = format!("ae_{}_{}", dataset.source.key(), arch.name());
        for &k in &args.k {
            let curves: Vec<(&str, Vec<f64>, Vec<f64>)> = models
                .iter()
                .map(|m| {
                    let runs: Vec<&RunResult> = results
                        .iter()
                        .filter(|r| r.k == k && r.model == m.name())
                        .collect();
                    let mean = |f: &dyn Fn(&RunResult) -> &Vec<f32>| -> Vec<f64> {
                        (0..args.epochs)
                            .map(|e| {
                                runs.iter().map(|r| f(r)[e] as f64).sum::<f64>() / runs.len() as f64
                            })
                            .collect()
                    };
                    (
                        m.name(),
                        mean(&|r| &r.train_losses),
                        mean(&|r| &r.valid_losses),
                    )
                })
                .collect();
            let title = format!("{} {} autoencoders, k = {k}", dataset.name, arch.name());
            let path = dir.join(format!("{stem}_k{k}.svg"));
            loss_chart(&title, &curves)?.save(&path)?;
            eprintln!("wrote {}", path.display());
        }
        let acc_series: Vec<(&str, Vec<f64>, Vec<f64>)> = models
            .iter()
            .map(|m| {
                let ys = args.k.iter().map(|&k| {
                    let v = &acc[&(k, m.name())];
                    v.iter().sum::<f64>() / v.len() as f64
                });
                (
                    m.name(),
                    args.k.iter().map(|&k| k as f64).collect(),
                    ys.collect(),
                )
            })
            .collect();
        let path = dir.join(format!("{stem}_accuracy.svg"));
        accuracy_vs_k_chart(
            &format!("{} {}: probe accuracy against k", dataset.name, arch.name()),
            &acc_series,
        )?
        .save(&path)?;
        eprintln!("wrote {}", path.display());
    }

    if args.bench {
        say!(
            err,
            "\nspeed ({} threads for matrix products):",
            hw6_models::num_threads()
        );
        say!(
            err,
            "{:>10} {:>9} {:>6} {:>5} {:>9} {:>10} {:>8} {:>9} {:>9} {:>9} {:>7} {:>8}",
            "dataset",
            "arch",
            "model",
            "k",
            "s/epoch",
            "samples/s",
            "GFLOP/s",
            "steps GF",
            "best ep",
            "plain GF",
            "steps %",
            "run s"
        );
        // The faster of the two products timed around each run: like the
        // fastest epoch, the one least disturbed by other work.
        let plain_per_run: Vec<f64> = matmul_marks.windows(2).map(|w| w[0].max(w[1])).collect();
        for (r, plain) in results.iter().zip(&plain_per_run) {
            say!(
                err,
                "{:>10} {:>9} {:>6} {:>5} {:>9.4} {:>10.0} {:>8.1} {:>9.1} {:>9.1} {:>9.1} {:>6.0}% {:>8.3}",
                r.dataset.chars().take(10).collect::<String>(),
                r.arch,
                &r.model[..r.model.len().min(6)],
                r.k,
                r.seconds_per_epoch,
                r.samples_per_second,
                r.gflops,
                r.step_gflops,
                r.best_epoch_step_gflops,
                plain,
                100.0 * r.best_epoch_step_gflops / plain,
                r.seconds
            );
        }
        say!(
            err,
            "GFLOP/s: whole training (steps and per-epoch losses); steps GF: train steps alone, \
             whole run; best ep: train steps of the fastest epoch; plain GF: a plain 2048^3 f32 \
             product (candle/gemm, same threads), the faster of one timed right before and one \
             right after the run, each the best of 2-3; steps % = best ep / plain GF (fastest \
             against fastest, so that another program's load on the machine counts on neither side)."
        );
        if let Some(j) = json.as_mut() {
            j.write(&serde_json::json!({
                "event": "bench", "matmul_gflops_marks": matmul_marks,
                "matmul_gflops_per_run": plain_per_run,
                "threads": hw6_models::num_threads(), "total_seconds": total_seconds,
            }))?;
        }
    }
    Ok(())
}
