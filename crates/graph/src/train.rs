//! Full-batch training of a [`NodeClassifier`] with early stopping, keeping
//! a history of losses, accuracies, embeddings and predictions (Q8).
//!
//! Each epoch: forward pass; the optimiser takes the predictions, targets and
//! training nodes; backward pass with update; the embedding is recorded
//! (after the update); accuracy on the test nodes, mean cross-entropy on the
//! training and on the test nodes (of the predictions before the update).
//! Training stops when the test loss has not improved on its best for more
//! than `patience` epochs in a row, or after `max_epochs`.
//!
//! Early stopping watches the test loss only from epoch `warmup` on (the idea
//! of Keras's `start_from_epoch`); `warmup = 0` is the original's rule. At
//! the start the softmax bias drifts towards the training nodes' majority
//! class, which raises the test loss for a few hundred epochs; the warm-up
//! carries training past that plateau.

use nalgebra::DMatrix;

use crate::error::{GraphError, Result, check_nodes, dims};
use crate::loss::{cross_entropy_rows, mean_over, node_accuracy};
use crate::network::NodeClassifier;
use crate::optim::GradientDescent;

/// Training settings; `Default` is the original's (at most 20,000 epochs,
/// patience 50, a progress line every 100 epochs) plus a warm-up of
/// [`DEFAULT_WARMUP`] epochs before early stopping watches the test loss (the
/// original has none: set `warmup: 0` for its rule).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GcnTrainConfig {
    /// Upper bound on the number of epochs (>= 1).
    pub max_epochs: usize,
    /// Stop once the test loss has not improved for more than this many epochs.
    pub patience: usize,
    /// Epochs before early stopping starts to watch the test loss; the best
    /// test loss is the best seen from this epoch on. 0 is the original's rule.
    pub warmup: usize,
    /// Print a progress line every this many epochs (0: never).
    pub log_every: usize,
}

/// The default warm-up in epochs: longer than the initial plateau of the
/// test loss.
pub const DEFAULT_WARMUP: usize = 400;

impl Default for GcnTrainConfig {
    fn default() -> Self {
        Self {
            max_epochs: 20_000,
            patience: 50,
            warmup: DEFAULT_WARMUP,
            log_every: 100,
        }
    }
}

impl GcnTrainConfig {
    /// Fails if `max_epochs` is 0.
    pub fn validate(&self) -> Result<()> {
        if self.max_epochs == 0 {
            return Err(GraphError::param(
                "max_epochs",
                0,
                "train for at least 1 epoch (the original allows 20,000)",
            ));
        }
        Ok(())
    }
}

/// What is trained on: the normalised adjacency, the features, the one-hot
/// labels and the split of the nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTask {
    /// Â = D~^-1/2 A~ D~^-1/2. (nodes, nodes).
    pub a_hat: DMatrix<f64>,
    /// Node features. (nodes, n_in).
    pub x: DMatrix<f64>,
    /// One-hot labels. (nodes, classes).
    pub labels: DMatrix<f64>,
    /// The nodes whose labels are trained on, increasing.
    pub train_nodes: Vec<usize>,
    /// The held-out nodes, distinct, in the order first listed.
    pub test_nodes: Vec<usize>,
}

impl NodeTask {
    /// A task whose test nodes are `test_nodes` (repeats dropped) and whose
    /// training nodes are all the others.
    ///
    /// # Errors
    /// Mismatched shapes, a test node out of range, or no node left to train on.
    pub fn new(
        a_hat: DMatrix<f64>,
        x: DMatrix<f64>,
        labels: DMatrix<f64>,
        test_nodes: &[usize],
    ) -> Result<Self> {
        let n = a_hat.nrows();
        if a_hat.ncols() != n {
            return Err(GraphError::shape("Â", "a square matrix", dims(&a_hat)));
        }
        if x.nrows() != n {
            return Err(GraphError::shape("X", format!("({n}, features)"), dims(&x)));
        }
        if labels.nrows() != n || labels.ncols() == 0 {
            return Err(GraphError::shape(
                "labels",
                format!("({n}, classes)"),
                dims(&labels),
            ));
        }
        check_nodes("test_nodes", test_nodes, n)?;
        let mut test = Vec::new();
        for &i in test_nodes {
            if !test.contains(&i) {
                test.push(i);
            }
        }
        let train: Vec<usize> = (0..n).filter(|i| !test.contains(i)).collect();
        if train.is_empty() {
            return Err(GraphError::param(
                "test_nodes",
                test,
                "leave at least one node to train on",
            ));
        }
        Ok(Self {
            a_hat,
            x,
            labels,
            train_nodes: train,
            test_nodes: test,
        })
    }
}

/// Everything recorded during training, one entry per epoch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GcnHistory {
    /// Mean cross-entropy over the training nodes.
    pub train_losses: Vec<f64>,
    /// Mean cross-entropy over the test nodes.
    pub test_losses: Vec<f64>,
    /// Accuracy on the test nodes.
    pub accuracies: Vec<f64>,
    /// The embedding (last GCN layer's output) after the epoch's update. (nodes, hidden).
    pub embeddings: Vec<DMatrix<f64>>,
    /// The class probabilities the epoch trained on. (nodes, classes).
    pub predictions: Vec<DMatrix<f64>>,
}

impl GcnHistory {
    /// Number of epochs run.
    pub fn epochs(&self) -> usize {
        self.train_losses.len()
    }

    /// The last epoch's (train loss, test loss, accuracy), if any epoch ran.
    pub fn last(&self) -> Option<(f64, f64, f64)> {
        let i = self.epochs().checked_sub(1)?;
        Some((
            self.train_losses[i],
            self.test_losses[i],
            self.accuracies[i],
        ))
    }

    /// The progress line for `epoch` (0-based).
    pub fn progress_line(&self, epoch: usize) -> String {
        format!(
            "epoch {epoch:>5}  train loss {:.5}  test loss {:.5}  test accuracy {:.3}",
            self.train_losses.get(epoch).copied().unwrap_or(f64::NAN),
            self.test_losses.get(epoch).copied().unwrap_or(f64::NAN),
            self.accuracies.get(epoch).copied().unwrap_or(f64::NAN)
        )
    }

    /// Appends one epoch's records, after checking the losses are finite.
    pub fn push_epoch(
        &mut self,
        train_loss: f64,
        test_loss: f64,
        accuracy: f64,
        embedding: DMatrix<f64>,
        prediction: DMatrix<f64>,
    ) -> Result<()> {
        let epoch = self.epochs();
        for (which, value) in [("training", train_loss), ("test", test_loss)] {
            if !value.is_finite() {
                return Err(GraphError::NonFinite {
                    which,
                    value,
                    epoch,
                });
            }
        }
        self.train_losses.push(train_loss);
        self.test_losses.push(test_loss);
        self.accuracies.push(accuracy);
        self.embeddings.push(embedding);
        self.predictions.push(prediction);
        Ok(())
    }
}

/// Trains `model` on `task` (see the module doc) and returns the history.
pub fn train_gcn<M: NodeClassifier + ?Sized>(
    model: &mut M,
    optim: &mut GradientDescent,
    task: &NodeTask,
    config: &GcnTrainConfig,
) -> Result<GcnHistory> {
    config.validate()?;
    let mut history = GcnHistory::default();
    // BEGIN SOLUTION: the reference answer to Q8 is left out of the student release
    let mut best = f64::INFINITY;
    let mut since_best = 0;
    for epoch in 0..config.max_epochs {
        let y_pred = model.forward_pass(&task.a_hat, &task.x)?;
        optim.set_targets(&y_pred, &task.labels, Some(&task.train_nodes))?;
        model.backward(optim, true)?;
        let embedding = model.embedding(&task.a_hat, &task.x)?;

        let accuracy = node_accuracy(&y_pred, &task.labels, &task.test_nodes)?;
        let losses = cross_entropy_rows(&y_pred, &task.labels)?;
        let train_loss = mean_over(&losses, &task.train_nodes)?;
        let test_loss = mean_over(&losses, &task.test_nodes)?;
        history.push_epoch(train_loss, test_loss, accuracy, embedding, y_pred)?;

        if config.log_every > 0 && epoch % config.log_every == 0 {
            println!("{}", history.progress_line(epoch));
        }
        if epoch < config.warmup {
            continue;
        }
        if test_loss < best {
            best = test_loss;
            since_best = 0;
        } else {
            since_best += 1;
            if since_best > config.patience {
                break;
            }
        }
    }
    Ok(history)
    // END SOLUTION
}
