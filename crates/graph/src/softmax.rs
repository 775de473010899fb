//! The output layer: an affine map followed by a softmax over classes, with
//! the cross-entropy gradient masked to the training nodes (given, not an
//! exercise, in the original).
//!
//! ```text
//! forward:   P = softmax_rows(X Wᵀ + bᵀ)
//! backward:  dL/dS = (P - Y) on training rows, 0 elsewhere     (S = X Wᵀ + bᵀ)
//!            dL/dX = dL/dS W                                   passed on
//!            dW = dL/dSᵀ X / batch + wd W / batch
//!            db = column sums of dL/dS / batch                 (no decay)
//! ```

use hw6_linalg::softmax_in_place;
use nalgebra::DMatrix;
use rand::Rng;

use crate::error::{GraphError, Result, dims};
use crate::init::glorot_init;
use crate::optim::GradientDescent;

/// Softmax classifier layer.
#[derive(Clone, Debug, PartialEq)]
pub struct SoftmaxLayer {
    /// Weight, (n_out, n_in).
    pub w: DMatrix<f64>,
    /// Bias, (n_out, 1); starts at zero.
    pub b: DMatrix<f64>,
    x: Option<DMatrix<f64>>,
}

/// The gradients one softmax backward pass computed.
#[derive(Clone, Debug, PartialEq)]
pub struct SoftmaxGrads {
    /// dLoss/dW including weight decay, (n_out, n_in).
    pub w: DMatrix<f64>,
    /// dLoss/db, (n_out, 1).
    pub b: DMatrix<f64>,
}

impl SoftmaxLayer {
    /// A layer from `n_in` features to `n_out` classes; W by
    /// [`glorot_init`] from `rng`, b = 0.
    ///
    /// # Errors
    /// A size of zero.
    pub fn new<R: Rng + ?Sized>(n_in: usize, n_out: usize, rng: &mut R) -> Result<Self> {
        if n_in == 0 || n_out == 0 {
            return Err(GraphError::param(
                "softmax layer size",
                (n_in, n_out),
                "both sizes (n_in, n_out) must be at least 1",
            ));
        }
        Ok(Self {
            w: glorot_init(n_out, n_in, rng),
            b: DMatrix::zeros(n_out, 1),
            x: None,
        })
    }

    /// Class probabilities for each row of `x`; caches `x` for the backward pass.
    ///
    /// # Shapes
    /// `x`: (nodes, n_in) -> (nodes, n_out), rows summing to 1.
    pub fn forward(&mut self, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        let p = softmax_forward(x, &self.w, &self.b)?;
        self.x = Some(x.clone());
        Ok(p)
    }

    /// The backward pass: reads `optim.y_pred`, `optim.y_true` and the
    /// training nodes, writes dL/dX (nodes, n_in) to `optim.output`, returns
    /// the gradients and, when `update` is true, takes a gradient step.
    pub fn backward(&mut self, optim: &mut GradientDescent, update: bool) -> Result<SoftmaxGrads> {
        let Some(x) = &self.x else {
            return Err(GraphError::NoForwardPass {
                layer: "softmax layer",
            });
        };
        let batch = optim.batch("softmax layer")?;
        if optim.y_pred.shape() != (x.nrows(), self.w.nrows()) {
            return Err(GraphError::shape(
                "optim.y_pred at the softmax layer",
                format!("({}, {})", x.nrows(), self.w.nrows()),
                dims(&optim.y_pred),
            ));
        }
        let mut ds = DMatrix::zeros(x.nrows(), self.w.nrows());
        for &i in &optim.train_nodes {
            ds.set_row(i, &(optim.y_pred.row(i) - optim.y_true.row(i)));
        }
        optim.output = &ds * &self.w;
        let dw = ds.transpose() * x / batch + &self.w * (optim.weight_decay / batch);
        let db = DMatrix::from_iterator(ds.ncols(), 1, ds.row_sum().iter().map(|v| v / batch));
        if update {
            self.w -= &dw * optim.lr;
            self.b -= &db * optim.lr;
        }
        Ok(SoftmaxGrads { w: dw, b: db })
    }
}

/// `softmax_rows(X Wᵀ + bᵀ)` without touching any cache (gradient checks
/// call it with perturbed parameters). Each row goes through the stable
/// [`softmax_in_place`] of `hw6-linalg`.
///
/// # Shapes
/// `x`: (nodes, n_in), `w`: (n_out, n_in), `b`: (n_out, 1) -> (nodes, n_out).
pub fn softmax_forward(
    x: &DMatrix<f64>,
    w: &DMatrix<f64>,
    b: &DMatrix<f64>,
) -> Result<DMatrix<f64>> {
    if x.ncols() != w.ncols() {
        return Err(GraphError::shape(
            "softmax layer input",
            format!("(nodes, {})", w.ncols()),
            dims(x),
        ));
    }
    if b.shape() != (w.nrows(), 1) {
        return Err(GraphError::shape(
            "softmax bias",
            format!("({}, 1)", w.nrows()),
            dims(b),
        ));
    }
    let mut s = x * w.transpose();
    let mut scores = Vec::with_capacity(s.ncols());
    for mut row in s.row_iter_mut() {
        scores.clear();
        scores.extend(row.iter().zip(b.iter()).map(|(v, bj)| v + bj));
        softmax_in_place(&mut scores);
        row.iter_mut().zip(&scores).for_each(|(v, p)| *v = *p);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_distributions_even_for_large_scores() {
        let x = DMatrix::from_row_slice(2, 1, &[1000.0, -3.0]);
        let w = DMatrix::from_row_slice(2, 1, &[1.0, 2.0]);
        let b = DMatrix::from_row_slice(2, 1, &[0.5, 0.0]);
        let p = softmax_forward(&x, &w, &b).unwrap();
        for i in 0..2 {
            assert!((p.row(i).sum() - 1.0).abs() < 1e-12);
        }
        assert!(p[(0, 1)] > 0.999);
        // Row 1: scores -2.5 and -6: p0 = 1 / (1 + e^-3.5).
        assert!((p[(1, 0)] - 1.0 / (1.0 + (-3.5f64).exp())).abs() < 1e-12);
    }
}
