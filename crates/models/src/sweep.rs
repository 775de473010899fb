//! A notebook section: every `k` x model x repeat, like the original's
//! cell, and the averages its charts and tables show.

use crate::check::Architecture;
use crate::config::ModelKind;
use crate::error::{Result, invalid};
use crate::run::{Arch, ModelFactory, RunResult, RunSpec, run_once_with};
use crate::stats::EpochStats;
use crate::variants::build_model;
use hw6_datasets::Dataset;
use hw6_kernel_display::Progress;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

/// A notebook section: every `k` x model x repeat, like the original's cell.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Architecture.
    pub arch: Arch,
    /// Bottleneck sizes.
    pub ks: Vec<usize>,
    /// Models, in order (colours follow it).
    pub models: Vec<ModelKind>,
    /// `NUM_REPEATS`.
    pub repeats: usize,
    /// `NUM_EPOCHS` (autoencoder and probe).
    pub epochs: usize,
    /// `BATCH_SIZE`.
    pub batch_size: usize,
    /// Base seed.
    pub seed: u64,
    /// Print one line per model and `k` (means over the repeats).
    pub verbose: bool,
    /// The hidden sizes and activation for each `k` (a notebook's
    /// architecture function); `None` for the crate's ([`Arch::layers`]).
    pub architecture: Option<Architecture>,
}

impl Sweep {
    /// The original's section settings: all four `k`, the three models,
    /// 3 repeats, 10 epochs, batch 100, seed 0, one line per model and `k`.
    pub fn new(arch: Arch) -> Self {
        Self {
            arch,
            ks: vec![5, 10, 100, 1000],
            models: ModelKind::ALL.to_vec(),
            repeats: 3,
            epochs: 10,
            batch_size: 100,
            seed: 0,
            verbose: true,
            architecture: None,
        }
    }

    /// Checks the settings before anything runs: at least one `k` (each
    /// `>= 1`), model, repeat and epoch.
    pub fn check(&self) -> Result<()> {
        if self.ks.is_empty() || self.models.is_empty() {
            return Err(invalid(
                "ks / models",
                "empty",
                "give at least one k and one model",
            ));
        }
        if let Some(&k) = self.ks.iter().find(|&&k| k == 0) {
            return Err(invalid(
                "k",
                k,
                "a bottleneck needs at least one unit; use k >= 1",
            ));
        }
        if self.repeats == 0 {
            return Err(invalid(
                "repeats",
                0,
                "run each configuration at least once",
            ));
        }
        if self.epochs == 0 {
            return Err(invalid(
                "epochs",
                0,
                "train for at least 1 epoch (the original uses 10)",
            ));
        }
        Ok(())
    }

    /// Every run of the sweep, in order: by `k`, then model, then repeat.
    pub fn specs(&self) -> Vec<RunSpec> {
        let mut specs = Vec::new();
        for &k in &self.ks {
            for &model in &self.models {
                for repeat in 0..self.repeats {
                    specs.push(RunSpec {
                        arch: self.arch,
                        k,
                        model,
                        repeat,
                        epochs: self.epochs,
                        batch_size: self.batch_size,
                        seed: self.seed,
                        architecture: self.architecture,
                    });
                }
            }
        }
        specs
    }

    /// Runs everything with models from `factory`. When `verbose`, prints one
    /// line per model and `k`, and in the hw6 kernel a progress bar over all
    /// epochs that redraws in place.
    pub fn run_with(
        &self,
        dataset: &Arc<Dataset>,
        factory: ModelFactory<'_>,
    ) -> Result<SweepResults> {
        self.check()?;
        let start = Instant::now();
        let specs = self.specs();
        let mut bar = self.verbose.then(|| {
            Progress::new(
                &format!("{} sweep", self.arch.name()),
                specs.len() * self.epochs,
            )
        });
        let mut runs = Vec::new();
        for spec in specs {
            let done = runs.len() * self.epochs;
            let label = format!("k = {}, {} #{}", spec.k, spec.model.name(), spec.repeat + 1);
            let mut on_epoch = |e: &EpochStats| {
                if let Some(bar) = bar.as_mut() {
                    let note = format!(
                        "{label}: epoch {}/{}, train loss {:.4}",
                        e.epoch, e.of, e.train_loss
                    );
                    bar.set(done + e.epoch, &note);
                }
            };
            runs.push(run_once_with(dataset, &spec, factory, &mut on_epoch)?);
            if self.verbose && spec.repeat + 1 == self.repeats {
                println!(
                    "{}",
                    summary_line(spec.k, &runs[runs.len() - self.repeats..])
                );
            }
        }
        Ok(SweepResults::new(self, runs, start.elapsed().as_secs_f64()))
    }

    /// Run everything with the crate's reference models.
    pub fn run(&self, dataset: &Arc<Dataset>) -> Result<SweepResults> {
        self.run_with(dataset, &build_model)
    }
}

/// One line for the repeats of one model and `k`: mean losses, mean accuracy
/// (with its range over repeats) and the seconds they took together.
fn summary_line(k: usize, repeats: &[RunResult]) -> String {
    let n = repeats.len().max(1) as f64;
    let mean = |f: &dyn Fn(&RunResult) -> f64| repeats.iter().map(f).sum::<f64>() / n;
    let accuracy = mean(&|r| r.accuracy);
    let range = if repeats.len() > 1 {
        let lo = repeats
            .iter()
            .map(|r| r.accuracy)
            .fold(f64::INFINITY, f64::min);
        let hi = repeats
            .iter()
            .map(|r| r.accuracy)
            .fold(f64::NEG_INFINITY, f64::max);
        format!(" (range {lo:.4}-{hi:.4})")
    } else {
        String::new()
    };
    format!(
        "k = {:<4} {:<8} {} run{}: train loss {:.4}, valid loss {:.4}, accuracy {:.4}{}, {:.2} s",
        k,
        repeats.first().map(|r| r.model).unwrap_or(""),
        repeats.len(),
        if repeats.len() == 1 { "" } else { "s" },
        mean(&|r| r.train_loss as f64),
        mean(&|r| r.valid_loss as f64),
        accuracy,
        range,
        repeats.iter().map(|r| r.seconds).sum::<f64>(),
    )
}

/// All runs of a sweep, with the averages the notebook shows.
#[derive(Clone, Debug, Serialize)]
pub struct SweepResults {
    /// Bottleneck sizes, in order.
    pub ks: Vec<usize>,
    /// Model names, in order.
    pub models: Vec<&'static str>,
    /// Every run.
    pub runs: Vec<RunResult>,
    /// Wall seconds of the whole sweep.
    pub seconds: f64,
}

impl SweepResults {
    /// The results of `sweep`'s runs (in the order of [`Sweep::specs`]).
    pub fn new(sweep: &Sweep, runs: Vec<RunResult>, seconds: f64) -> Self {
        let models = sweep.models.iter().map(|m| m.name()).collect();
        Self {
            ks: sweep.ks.clone(),
            models,
            runs,
            seconds,
        }
    }

    fn select(&self, k: usize, model: &str) -> Vec<&RunResult> {
        self.runs
            .iter()
            .filter(|r| r.k == k && r.model == model)
            .collect()
    }

    /// Per model: `(name, mean train loss per epoch, mean validation loss per epoch)` at `k`
    /// (the original's `np.mean(_train_loss, axis=0)`).
    pub fn loss_curves(&self, k: usize) -> Vec<(&'static str, Vec<f64>, Vec<f64>)> {
        self.models
            .iter()
            .map(|&m| {
                let runs = self.select(k, m);
                let epochs = runs.iter().map(|r| r.train_losses.len()).min().unwrap_or(0);
                let mean = |f: fn(&RunResult) -> &Vec<f32>| -> Vec<f64> {
                    (0..epochs)
                        .map(|e| {
                            runs.iter().map(|r| f(r)[e] as f64).sum::<f64>() / runs.len() as f64
                        })
                        .collect()
                };
                (m, mean(|r| &r.train_losses), mean(|r| &r.valid_losses))
            })
            .collect()
    }

    /// Mean probe accuracy of `model` at `k` (NaN if it did not run).
    pub fn mean_accuracy(&self, k: usize, model: &str) -> f64 {
        let runs = self.select(k, model);
        runs.iter().map(|r| r.accuracy).sum::<f64>() / runs.len() as f64
    }

    /// Per model: `(name, ks, mean accuracies)` for an accuracy-against-k chart.
    pub fn accuracy_series(&self) -> Vec<(&'static str, Vec<f64>, Vec<f64>)> {
        self.models
            .iter()
            .map(|&m| {
                (
                    m,
                    self.ks.iter().map(|&k| k as f64).collect(),
                    self.ks.iter().map(|&k| self.mean_accuracy(k, m)).collect(),
                )
            })
            .collect()
    }

    /// Table columns: `k` and one column of mean accuracies per model.
    pub fn accuracy_columns(&self) -> (Vec<i64>, Vec<(&'static str, Vec<f64>)>) {
        let ks = self.ks.iter().map(|&k| k as i64).collect();
        let cols = self
            .models
            .iter()
            .map(|&m| {
                (
                    m,
                    self.ks.iter().map(|&k| self.mean_accuracy(k, m)).collect(),
                )
            })
            .collect();
        (ks, cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(model: &'static str, accuracy: f64, train_loss: f32, seconds: f64) -> RunResult {
        RunResult {
            model,
            accuracy,
            train_loss,
            valid_loss: 2.0 * train_loss,
            seconds,
            ..RunResult::default()
        }
    }

    #[test]
    fn summary_line_gives_means_range_and_total_time_of_the_repeats() {
        let repeats = [
            run("denoise", 0.5, 1.0, 1.0),
            run("denoise", 0.7, 2.0, 2.0),
            run("denoise", 0.9, 3.0, 0.5),
        ];
        assert_eq!(
            summary_line(10, &repeats),
            "k = 10   denoise  3 runs: train loss 2.0000, valid loss 4.0000, accuracy 0.7000 \
             (range 0.5000-0.9000), 3.50 s"
        );
        assert_eq!(
            summary_line(5, &repeats[..1]),
            "k = 5    denoise  1 run: train loss 1.0000, valid loss 2.0000, accuracy 0.5000, 1.00 s"
        );
    }
}
