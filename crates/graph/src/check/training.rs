//! Q8: the training loop.
//!
//! The loop is checked on a model and a task of its own, so that the check
//! needs none of the other exercises: a softmax layer (given, not an
//! exercise) on the propagated features Â X of a small seeded graph, whose
//! "embedding" is its class probabilities, so that it changes with every
//! update. One test node is labelled against the trend of the others, so
//! the test loss falls and then rises: early stopping ends the run.

use hw6_exercise::{CheckReport, checked, expected};
use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{Grid, agree};
use crate::error::{GraphError, Result};
use crate::network::NodeClassifier;
use crate::optim::GradientDescent;
use crate::softmax::{SoftmaxLayer, softmax_forward};
use crate::train::{GcnHistory, GcnTrainConfig, NodeTask, train_gcn};

const TRAINING: &str = "Q8 (training loop)";

/// The model the loop is checked on (see the module doc).
#[derive(Clone, Debug)]
struct SoftmaxOnGraph {
    softmax: SoftmaxLayer,
}

impl NodeClassifier for SoftmaxOnGraph {
    fn embedding(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        softmax_forward(&(a_hat * x), &self.softmax.w, &self.softmax.b)
    }

    fn forward_pass(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        self.softmax.forward(&(a_hat * x))
    }

    fn backward(&mut self, optim: &mut GradientDescent, update: bool) -> Result<()> {
        self.softmax.backward(optim, update).map(|_| ())
    }
}

/// Nodes of the check's task, and its test nodes; the first test node is
/// labelled against the trend.
const NODES: usize = 16;
const TEST_NODES: [usize; 5] = [2, 11, 5, 8, 14];
const FEATURES: usize = 3;

/// The check's task: a ring of [`NODES`] nodes, each tied to its two
/// neighbours (Â = I + 0.3 A), random features, labels by the side of a
/// plane through the propagated features.
fn check_task() -> Result<NodeTask> {
    let n = NODES;
    let a_hat = DMatrix::from_fn(n, n, |i, j| {
        if i == j {
            1.0
        } else if (i + 1) % n == j || (j + 1) % n == i {
            0.3
        } else {
            0.0
        }
    });
    let mut rng = ChaCha8Rng::seed_from_u64(88);
    let values: Vec<f64> = (0..n * FEATURES)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let x = DMatrix::from_row_slice(n, FEATURES, &values);
    let ax = &a_hat * &x;
    let labels = DMatrix::from_fn(n, 2, |i, j| {
        let side = ax[(i, 0)] + 0.5 * ax[(i, 1)] - 0.25 * ax[(i, 2)] > 0.0;
        let against = i == TEST_NODES[0];
        if (side != against) == (j == 1) {
            1.0
        } else {
            0.0
        }
    });
    NodeTask::new(a_hat, x, labels, &TEST_NODES)
}

/// One run the loop is checked on.
struct Run {
    key: &'static str,
    name: &'static str,
    config: GcnTrainConfig,
    seed: u64,
}

/// A short run cut by `max_epochs`, and one that ends by early stopping
/// after its warm-up.
fn runs() -> [Run; 2] {
    [
        Run {
            key: "graph.q8.run_to_max_epochs",
            name: "run to max_epochs",
            config: GcnTrainConfig {
                max_epochs: 60,
                patience: 1000,
                warmup: 0,
                log_every: 0,
            },
            seed: 11,
        },
        Run {
            key: "graph.q8.early_stopping",
            name: "early stopping",
            config: GcnTrainConfig {
                max_epochs: 3000,
                patience: 30,
                warmup: 100,
                log_every: 0,
            },
            seed: 12,
        },
    ]
}

/// The model and optimiser a run starts from.
fn start(run: &Run) -> Result<(SoftmaxOnGraph, GradientDescent)> {
    let mut rng = ChaCha8Rng::seed_from_u64(run.seed);
    let model = SoftmaxOnGraph {
        softmax: SoftmaxLayer::new(FEATURES, 2, &mut rng)?,
    };
    Ok((model, GradientDescent::new(0.2, 0.0)?))
}

/// What a run recorded, and the model's probabilities after it.
#[derive(Serialize, Deserialize)]
struct RunOutcome {
    /// (train loss, test loss, accuracy) per epoch.
    series: Vec<[f64; 3]>,
    embeddings: usize,
    predictions: usize,
    last_embedding: Option<Grid>,
    last_prediction: Option<Grid>,
    after: Grid,
}

impl RunOutcome {
    fn new(history: &GcnHistory, after: &DMatrix<f64>) -> Self {
        Self {
            series: (0..history.epochs())
                .map(|i| {
                    [
                        history.train_losses[i],
                        history.test_losses[i],
                        history.accuracies[i],
                    ]
                })
                .collect(),
            embeddings: history.embeddings.len(),
            predictions: history.predictions.len(),
            last_embedding: history.embeddings.last().map(Grid::from),
            last_prediction: history.predictions.last().map(Grid::from),
            after: Grid::from(after),
        }
    }
}

/// Q8: a training loop (the notebook's `train`) must record the same history
/// as the reference loop, for a run that ends at `max_epochs` and one that
/// ends by early stopping, on the check's own model and task (see the
/// module doc). Progress lines are turned off (`log_every = 0`).
pub fn check_training(
    mut train: impl FnMut(
        &mut Box<dyn NodeClassifier>,
        &mut GradientDescent,
        &NodeTask,
        &GcnTrainConfig,
    ) -> Result<GcnHistory>,
) -> Result<CheckReport> {
    checked(TRAINING, |report| {
        let task = check_task()?;
        for run in runs() {
            let want: RunOutcome = expected(run.key, || {
                let (mut model, mut optim) = start(&run)?;
                let history = train_gcn(&mut model, &mut optim, &task, &run.config)?;
                let after = model.forward_pass(&task.a_hat, &task.x)?;
                Ok::<_, GraphError>(RunOutcome::new(&history, &after))
            })?;
            let (model, mut optim) = start(&run)?;
            let mut model: Box<dyn NodeClassifier> = Box::new(model);
            let history = train(&mut model, &mut optim, &task, &run.config)?;
            let after = model.forward_pass(&task.a_hat, &task.x)?;
            outcomes_agree(report, run.name, &RunOutcome::new(&history, &after), &want)?;
        }
        Ok(())
    })
}

/// The same epochs, losses, accuracies, records and model after training;
/// the first difference is reported.
fn outcomes_agree(
    report: &mut CheckReport,
    name: &str,
    got: &RunOutcome,
    want: &RunOutcome,
) -> Result<()> {
    let fail = |reason: String| Err(GraphError::check(TRAINING, format!("{name}: {reason}")));
    let what = ["train loss", "test loss", "test accuracy"];
    for (epoch, (g, w)) in got.series.iter().zip(&want.series).enumerate() {
        if let Some(k) = (0..3).find(|&k| (g[k] - w[k]).abs() > super::AGREEMENT || g[k].is_nan()) {
            return fail(format!(
                "at epoch {epoch} the {} is {:.6}, the reference's {:.6}",
                what[k], g[k], w[k]
            ));
        }
    }
    if got.series.len() != want.series.len() {
        return fail(format!(
            "the loop ran {} epochs, the reference {}; stop after `max_epochs`, or when, from epoch `warmup` on, the test loss has not improved on its best for more than `patience` epochs",
            got.series.len(),
            want.series.len()
        ));
    }
    report.figure(format!("{name}: epochs"), got.series.len() as f64);
    if (got.embeddings, got.predictions) != (want.embeddings, want.predictions) {
        return fail(format!(
            "{} embeddings and {} predictions recorded for {} epochs: record one of each per epoch",
            got.embeddings,
            got.predictions,
            got.series.len()
        ));
    }
    let pairs = [
        (
            "the last recorded prediction (record the epoch's forward pass)",
            &got.last_prediction,
            &want.last_prediction,
        ),
        (
            "the last recorded embedding (record it after the update)",
            &got.last_embedding,
            &want.last_embedding,
        ),
    ];
    for (what, g, w) in pairs {
        if let (Some(g), Some(w)) = (g, w) {
            agree(report, &format!("{name}: {what}"), &g.matrix(), &w.matrix())?;
        }
    }
    agree(
        report,
        &format!("{name}: the model after training (one update per epoch)"),
        &got.after.matrix(),
        &want.after.matrix(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_task_falls_then_rises_so_warm_up_and_patience_matter() {
        let task = check_task().unwrap();
        let [short, stopping] = runs();
        let (mut model, mut optim) = start(&stopping).unwrap();
        let config = GcnTrainConfig {
            max_epochs: 300,
            patience: usize::MAX,
            warmup: 0,
            log_every: 0,
        };
        let h = train_gcn(&mut model, &mut optim, &task, &config).unwrap();
        let best = (0..h.epochs())
            .min_by(|&i, &j| h.test_losses[i].total_cmp(&h.test_losses[j]))
            .unwrap();
        // Lowest before the warm-up ends, rising after it.
        assert!(best > 5 && best + stopping.config.patience < stopping.config.warmup);
        assert!(h.test_losses[best..].windows(2).all(|w| w[1] > w[0]));
        assert_ne!(h.accuracies[0], h.accuracies[best]);
        let (mut model, mut optim) = start(&stopping).unwrap();
        let h = train_gcn(&mut model, &mut optim, &task, &stopping.config).unwrap();
        assert_eq!(
            h.epochs(),
            stopping.config.warmup + stopping.config.patience + 2
        );
        assert_eq!(short.config.max_epochs, 60);
    }
}
