//! [`GradientDescent`]: the original's optimiser object. Besides the learning
//! rate and weight decay it carries the state the backward passes share: the
//! current predictions and targets, the training nodes, the batch size, and
//! `output`, the gradient flowing backwards from layer to layer.

use nalgebra::DMatrix;

use crate::error::{GraphError, Result, check_nodes, dims};

/// Plain gradient descent with L2 weight decay, and the backward-pass state.
#[derive(Clone, Debug, PartialEq)]
pub struct GradientDescent {
    /// Step size (>= 0; 0 for gradient checks).
    pub lr: f64,
    /// L2 weight decay (>= 0): each weight matrix W adds `wd / 2 * |W|² /
    /// batch_size` to the loss, so `wd * W / batch_size` to its gradient.
    pub weight_decay: f64,
    /// Softmax output of the last forward pass. (nodes, classes).
    pub y_pred: DMatrix<f64>,
    /// One-hot targets. (nodes, classes).
    pub y_true: DMatrix<f64>,
    /// The nodes whose loss is trained on; the others are masked out.
    pub train_nodes: Vec<usize>,
    /// Number of training nodes (the loss is a mean over them).
    pub batch_size: usize,
    /// The gradient of the loss with respect to the output of the layer whose
    /// backward pass runs next. Each backward pass reads it and replaces it
    /// with the gradient for the layer before. (nodes, features).
    pub output: DMatrix<f64>,
}

impl GradientDescent {
    /// An optimiser with learning rate `lr` and weight decay `weight_decay`.
    ///
    /// # Errors
    /// Either is negative or not finite.
    pub fn new(lr: f64, weight_decay: f64) -> Result<Self> {
        if !(lr.is_finite() && lr >= 0.0) {
            return Err(GraphError::param(
                "lr",
                lr,
                "the learning rate must be >= 0 and finite (the original trains with 2e-2)",
            ));
        }
        if !(weight_decay.is_finite() && weight_decay >= 0.0) {
            return Err(GraphError::param(
                "weight_decay",
                weight_decay,
                "weight decay must be >= 0 and finite (the original trains with 2.5e-2)",
            ));
        }
        Ok(Self {
            lr,
            weight_decay,
            y_pred: DMatrix::zeros(0, 0),
            y_true: DMatrix::zeros(0, 0),
            train_nodes: Vec::new(),
            batch_size: 0,
            output: DMatrix::zeros(0, 0),
        })
    }

    /// Stores the predictions and targets of this step and the training nodes
    /// (`None`: every node), before the backward passes. The batch size
    /// becomes the number of training nodes.
    ///
    /// # Shapes
    /// `y_pred`, `y_true`: (nodes, classes).
    ///
    /// # Errors
    /// Different shapes, no training nodes, or a node id out of range.
    pub fn set_targets(
        &mut self,
        y_pred: &DMatrix<f64>,
        y_true: &DMatrix<f64>,
        train_nodes: Option<&[usize]>,
    ) -> Result<()> {
        if y_pred.shape() != y_true.shape() {
            return Err(GraphError::shape(
                "y_pred vs y_true",
                dims(y_true),
                dims(y_pred),
            ));
        }
        let nodes: Vec<usize> = match train_nodes {
            Some(nodes) => nodes.to_vec(),
            None => (0..y_pred.nrows()).collect(),
        };
        if nodes.is_empty() {
            return Err(GraphError::param(
                "train_nodes",
                nodes,
                "give at least one training node",
            ));
        }
        check_nodes("train_nodes", &nodes, y_pred.nrows())?;
        self.y_pred = y_pred.clone();
        self.y_true = y_true.clone();
        self.batch_size = nodes.len();
        self.train_nodes = nodes;
        Ok(())
    }

    /// Batch size as a float, or an error if `set_targets` was not called.
    pub(crate) fn batch(&self, layer: &'static str) -> Result<f64> {
        if self.batch_size == 0 {
            return Err(GraphError::NoForwardPass { layer });
        }
        Ok(self.batch_size as f64)
    }
}
