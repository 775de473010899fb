//! `hw6 ae`: sweep autoencoders over bottleneck sizes, models and repeats
//! (a [`Sweep`], as a notebook section runs it), train each, score it with a
//! linear probe, and report losses, accuracy and speed. `--bench` adds a
//! speed table and a plain large matrix product's GFLOP/s measured in the
//! same process.

mod progress;
mod report;

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use hw6_datasets::{Dataset, MnistConfig, MnistKind, SyntheticConfig};
use hw6_models::{
    Arch, DEFAULT_MASK_PROB, DEFAULT_NOISE_STD, ModelKind, RunResult, Sweep, SweepResults, run_once,
};
use progress::Progress;

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

/// The sweep the arguments ask for, checked (messages name the flags).
fn sweep_of(args: &Args) -> anyhow::Result<Sweep> {
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
        ArchArg::Nonlinear if args.hidden == 0 => {
            bail!("--hidden 0: the first hidden layer needs at least one unit (the default is 256)")
        }
        ArchArg::Nonlinear => Arch::Nonlinear {
            hidden: args.hidden,
        },
    };
    let nonlinear_mnist = is_mnist && args.arch == ArchArg::Nonlinear;
    let repeats = args.repeats.unwrap_or(if nonlinear_mnist { 5 } else { 3 });
    if repeats == 0 {
        bail!("--repeats 0: run each configuration at least once");
    }
    let sweep = Sweep {
        ks: args.k.clone(),
        models,
        repeats,
        epochs: args.epochs,
        batch_size: args.batch_size.unwrap_or(if is_mnist { 200 } else { 100 }),
        seed: args.seed,
        verbose: false,
        ..Sweep::new(arch)
    };
    sweep.check()?;
    Ok(sweep)
}

pub fn run(args: &Args, common: &super::Common) -> anyhow::Result<()> {
    let sweep = sweep_of(args)?;
    // With --bench, a plain product timed before the first run and after
    // every run: the machine's state (other jobs on the cores) changes
    // within minutes, so each run is compared with the products beside it.
    let mut matmul_marks: Vec<f64> = Vec::new();
    if args.bench {
        matmul_marks.push(report::plain_matmul_gflops(3)?);
    }
    let t_load = Instant::now();
    let dataset = Arc::new(load(args, common)?);
    let load_seconds = t_load.elapsed().as_secs_f64();
    let err = common.json_on_stdout();
    let mut json = common.json_writer()?;
    let specs = sweep.specs();
    let progress = Progress::new(specs.len() * sweep.epochs);
    let t_all = Instant::now();
    let mut runs: Vec<RunResult> = Vec::new();
    for spec in specs {
        let label = format!(
            "{} k={} {} #{}",
            spec.arch.name(),
            spec.k,
            spec.model.name(),
            spec.repeat
        );
        progress.start(&label);
        let result = run_once(&dataset, &spec, &mut |e| progress.epoch(&label, e))
            .with_context(|| format!("run {label} on {}", dataset.name))?;
        if args.bench {
            matmul_marks.push(report::plain_matmul_gflops(2)?);
        }
        progress.line(&report::run_line(&result), err)?;
        if let Some(j) = json.as_mut() {
            j.write(&result)?;
        }
        runs.push(result);
    }
    progress.finish();
    let results = SweepResults::new(&sweep, runs, t_all.elapsed().as_secs_f64());
    report::accuracy_table(&results, sweep.repeats, load_seconds, err)?;
    if let Some(dir) = common.svg_dir()? {
        report::charts(&results, &dataset, sweep.arch, dir)?;
    }
    if args.bench {
        report::speed_table(&results, &matmul_marks, json.as_mut(), err)?;
    }
    Ok(())
}
