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

/// The reference network: GCN layers of the given sizes, then softmax.
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
    }
}

impl<L: GraphConvolution> NodeClassifier for GcnNetwork<L> {
    fn embedding(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        let mut h = x.clone();
        for layer in &mut self.gcn_layers {
            h = layer.forward(a_hat, &h)?;
        }
        Ok(h)
    }

    fn forward_pass(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        let h = self.embedding(a_hat, x)?;
        self.softmax.forward(&h)
    }

    fn backward(&mut self, optim: &mut GradientDescent, update: bool) -> Result<()> {
        self.softmax.backward(optim, update)?;
        for layer in self.gcn_layers.iter_mut().rev() {
            layer.backward(optim, update)?;
        }
        Ok(())
    }
}

/// A boxed network is a network, so a notebook can hold its own network or
/// the reference [`GcnNetwork`] in one `Box<dyn NodeClassifier>` and train
/// either (see [`implementation_to_use`](hw6_exercise::implementation_to_use)).
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
