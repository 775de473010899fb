//! The node classifier: GCN layers followed by a softmax layer.
//!
//! ```text
//! H0 = X,   H(l+1) = tanh(Â H(l) W(l)ᵀ),   P = softmax(H(L) Wsᵀ + bsᵀ)
//! ```
//!
//! The last GCN layer's output H(L) is the embedding the notebook draws
//! (2-d in the homework's network 34 -> [16, 2] -> 2 classes).

use nalgebra::DMatrix;
use rand::Rng;

use crate::error::{GraphError, Result};
use crate::gcn::{GcnLayer, GraphConvolution};
use crate::optim::GradientDescent;
use crate::softmax::SoftmaxLayer;

/// What a network must do for the training loop (Q6 implements it).
pub trait NodeClassifier {
    /// The output of the last GCN layer (every layer but the softmax).
    ///
    /// # Shapes
    /// `a_hat`: (nodes, nodes), `x`: (nodes, n_in) -> (nodes, last hidden size).
    fn embedding(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>>;

    /// Class probabilities: every layer, softmax last.
    ///
    /// # Shapes
    /// `a_hat`: (nodes, nodes), `x`: (nodes, n_in) -> (nodes, classes).
    fn forward_pass(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>>;

    /// Every layer's backward pass, softmax first, then the GCN layers from
    /// last to first (call `optim.set_targets` before).
    fn backward(&mut self, optim: &mut GradientDescent, update: bool) -> Result<()>;
}

/// GCN layers, then a softmax layer: the reference network (Q6's answer,
/// with [`GcnLayer`]s) and, with a notebook's own layer type `L`, the
/// network [`check_gradients`](crate::check_gradients) checks.
#[derive(Clone, Debug, PartialEq)]
pub struct GcnNetwork<L = GcnLayer> {
    /// The GCN layers, input side first.
    pub gcn_layers: Vec<L>,
    /// The output layer.
    pub softmax: SoftmaxLayer,
}

impl GcnNetwork<GcnLayer> {
    /// `n_inputs -> hidden[0] -> ... -> hidden[last] -> n_outputs` classes.
    /// Weights are drawn from `rng` layer by layer, input side first, the
    /// softmax layer last.
    ///
    /// # Errors
    /// `hidden` empty or any size zero.
    pub fn new<R: Rng + ?Sized>(
        n_inputs: usize,
        n_outputs: usize,
        hidden: &[usize],
        rng: &mut R,
    ) -> Result<Self> {
        if hidden.is_empty() {
            return Err(GraphError::param(
                "hidden",
                hidden,
                "give at least one GCN layer size (the homework uses [16, 2])",
            ));
        }
        // BEGIN SOLUTION: the reference answer to Q6 is left out of the student release
        let mut gcn_layers = Vec::with_capacity(hidden.len());
        let mut n_in = n_inputs;
        for &n_out in hidden {
            gcn_layers.push(GcnLayer::new(n_in, n_out, rng)?);
            n_in = n_out;
        }
        let softmax = SoftmaxLayer::new(n_in, n_outputs, rng)?;
        Ok(Self {
            gcn_layers,
            softmax,
        })
        // END SOLUTION
    }
}

impl<L: GraphConvolution> NodeClassifier for GcnNetwork<L> {
    fn embedding(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        // BEGIN SOLUTION: the reference answer to Q6 is left out of the student release
        let mut h = x.clone();
        for layer in &mut self.gcn_layers {
            h = layer.forward(a_hat, &h)?;
        }
        Ok(h)
        // END SOLUTION
    }

    fn forward_pass(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        // BEGIN SOLUTION: the reference answer to Q6 is left out of the student release
        let h = self.embedding(a_hat, x)?;
        self.softmax.forward(&h)
        // END SOLUTION
    }

    fn backward(&mut self, optim: &mut GradientDescent, update: bool) -> Result<()> {
        // BEGIN SOLUTION: the reference answer to Q6 is left out of the student release
        self.softmax.backward(optim, update)?;
        for layer in self.gcn_layers.iter_mut().rev() {
            layer.backward(optim, update)?;
        }
        Ok(())
        // END SOLUTION
    }
}

/// A boxed network is a network, so one training loop takes the notebook's
/// own network and the model [`check_training`](crate::check_training) checks
/// it on, each as a `Box<dyn NodeClassifier>`.
impl<M: NodeClassifier + ?Sized> NodeClassifier for Box<M> {
    fn embedding(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        (**self).embedding(a_hat, x)
    }
    fn forward_pass(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        (**self).forward_pass(a_hat, x)
    }
    fn backward(&mut self, optim: &mut GradientDescent, update: bool) -> Result<()> {
        (**self).backward(optim, update)
    }
}
