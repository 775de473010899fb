//! The graph convolution layer with hand-written forward and backward passes.
//!
//! ```text
//! forward:   Z = Â X Wᵀ          H = tanh(Z)
//! backward:  G = dL/dH            (optim.output, from the layer above)
//!            -> dL/dX             passed on to the layer below (optim.output)
//!            -> dW                with weight decay wd W / batch
//!            W <- W - lr dW       (when asked to update)
//! ```
//!
//! The loss is a mean over the batch of training nodes, which is why the
//! weight gradient is divided by the batch size (the gradient passed on is
//! not: it is divided once, where it meets a weight). The backward pass is
//! the notebook's Q4: it is derived and written out, equation by equation,
//! in [`GcnLayer`]'s `backward`.
//!
//! [`GraphConvolution`] is the trait a notebook's own layer implements (Q4);
//! [`GcnLayer`] is the crate's reference implementation of it.

use nalgebra::DMatrix;
use rand::Rng;

use crate::error::{GraphError, Result, dims};
use crate::init::glorot_init;
use crate::optim::GradientDescent;

/// What a GCN layer must do: the forward pass (caching what the backward
/// pass needs) and the backward pass (reading and replacing
/// `optim.output`), plus access to its weight for gradient checks.
pub trait GraphConvolution {
    /// H = tanh(Â X Wᵀ); caches Â, Â X and H.
    ///
    /// # Shapes
    /// `a_hat`: (nodes, nodes), `x`: (nodes, n_in) -> H: (nodes, n_out).
    fn forward(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>>;

    /// Reads dL/dH from `optim.output` (nodes, n_out), writes dL/dX
    /// (nodes, n_in) there, returns the weight gradient including weight
    /// decay (n_out, n_in), and takes a gradient step when `update` is true.
    fn backward(&mut self, optim: &mut GradientDescent, update: bool) -> Result<DMatrix<f64>>;

    /// The weight W. (n_out, n_in).
    fn weight(&self) -> &DMatrix<f64>;

    /// The weight W, to overwrite (gradient checks perturb it).
    fn weight_mut(&mut self) -> &mut DMatrix<f64>;
}

/// Reference GCN layer: `H = tanh(Â X Wᵀ)`.
#[derive(Clone, Debug, PartialEq)]
pub struct GcnLayer {
    /// Weight, (n_out, n_in).
    pub w: DMatrix<f64>,
    a_hat: Option<DMatrix<f64>>,
    ax: Option<DMatrix<f64>>,
    h: Option<DMatrix<f64>>,
}

impl GcnLayer {
    /// A layer from `n_in` to `n_out` features, W drawn by
    /// [`glorot_init`] from `rng`.
    ///
    /// # Errors
    /// A size of zero.
    pub fn new<R: Rng + ?Sized>(n_in: usize, n_out: usize, rng: &mut R) -> Result<Self> {
        if n_in == 0 || n_out == 0 {
            return Err(GraphError::param(
                "layer size",
                (n_in, n_out),
                "both sizes (n_in, n_out) must be at least 1",
            ));
        }
        Ok(Self::from_weight(glorot_init(n_out, n_in, rng)))
    }

    /// A layer with the given weight (n_out, n_in).
    pub fn from_weight(w: DMatrix<f64>) -> Self {
        Self {
            w,
            a_hat: None,
            ax: None,
            h: None,
        }
    }

    /// The output H of the last forward pass, if any. (nodes, n_out).
    pub fn output(&self) -> Option<&DMatrix<f64>> {
        self.h.as_ref()
    }
}

/// Checks the shapes of a GCN forward pass with weight `w`.
fn check_forward_shapes(a_hat: &DMatrix<f64>, x: &DMatrix<f64>, w: &DMatrix<f64>) -> Result<()> {
    if a_hat.nrows() != a_hat.ncols() {
        return Err(GraphError::shape(
            "Â",
            "a square (nodes, nodes) matrix",
            dims(a_hat),
        ));
    }
    if x.nrows() != a_hat.nrows() || x.ncols() != w.ncols() {
        return Err(GraphError::shape(
            "GCN layer input X",
            format!("({}, {}) (nodes, n_in)", a_hat.nrows(), w.ncols()),
            dims(x),
        ));
    }
    Ok(())
}

impl GraphConvolution for GcnLayer {
    fn forward(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        check_forward_shapes(a_hat, x, &self.w)?;
        // BEGIN SOLUTION: the reference answer to Q4 is left out of the student release
        let ax = a_hat * x; // (nodes, n_in)
        let h = (&ax * self.w.transpose()).map(f64::tanh); // (nodes, n_out)
        self.a_hat = Some(a_hat.clone());
        self.ax = Some(ax);
        self.h = Some(h.clone());
        Ok(h)
        // END SOLUTION
    }

    fn backward(&mut self, optim: &mut GradientDescent, update: bool) -> Result<DMatrix<f64>> {
        let (Some(a_hat), Some(ax), Some(h)) = (&self.a_hat, &self.ax, &self.h) else {
            return Err(GraphError::NoForwardPass { layer: "GCN layer" });
        };
        let batch = optim.batch("GCN layer")?;
        if optim.output.shape() != h.shape() {
            return Err(GraphError::shape(
                "gradient arriving at the GCN layer (optim.output)",
                dims(h),
                dims(&optim.output),
            ));
        }
        // BEGIN SOLUTION: the reference answer to Q4 is left out of the student release
        // With Z = Â X Wᵀ and H = tanh(Z):
        //   dZ    = G ⊙ (1 - H²)                       tanh' = 1 - tanh²
        //   dL/dX = Âᵀ dZ W                             passed on to the layer below
        //   dW    = dZᵀ (Â X) / batch + wd W / batch    with the weight decay
        let dz = optim.output.component_mul(&h.map(|v| 1.0 - v * v));
        // Gradient for the layer below, with W before this step's update.
        optim.output = a_hat.transpose() * &dz * &self.w;
        let dw = dz.transpose() * ax / batch + &self.w * (optim.weight_decay / batch);
        if update {
            self.w -= &dw * optim.lr;
        }
        Ok(dw)
        // END SOLUTION
    }

    fn weight(&self) -> &DMatrix<f64> {
        &self.w
    }

    fn weight_mut(&mut self) -> &mut DMatrix<f64> {
        &mut self.w
    }
}
