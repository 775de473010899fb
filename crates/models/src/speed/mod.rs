//! What makes training fast without changing a single number: the teaching
//! code (`autoencoder.rs`, `backprop.rs`, `probe.rs`, `experiment.rs`) calls
//! these through a few functions.
//!
//! - [`overlap`]: whether, and how, an epoch's loss evaluation runs on a
//!   second core while the next epoch trains;
//! - [`split_loss`]: the loss over a whole split, in chunks, or from the
//!   split's second moments when the network is linear and that is cheaper;
//! - [`flops`]: floating-point operation counts for the benchmarks.
//!
//! The matrix products and the thread policy are in `hw6-linalg`.

pub mod flops;
mod linear_loss;
pub(crate) mod overlap;

use crate::autoencoder::Autoencoder;
use crate::check::ForwardPass;
use crate::error::{ModelError, Result};
use hw6_datasets::Split;
use hw6_linalg::{MatView, Matrix};

/// Rows per forward pass when a whole split is evaluated.
const EVAL_CHUNK: usize = 2048;

/// The mean squared reconstruction error over every row of `split`, and
/// the floating-point operations spent on it: with `forward` (a notebook's
/// forward pass) when given, otherwise with the network's own (from the
/// split's second moments when the network is linear and that is cheaper).
pub(crate) fn split_loss(
    split: &Split,
    net: &Autoencoder,
    forward: Option<&dyn ForwardPass>,
) -> Result<(f32, f64)> {
    let direct_flops = split.len() as f64 * flops::forward_per_sample(net);
    if let Some(forward) = forward {
        return Ok((notebook_forward_loss(split, net, forward)?, direct_flops));
    }
    if net.is_linear() && flops::linear_loss(net) < 0.5 * direct_flops {
        let loss = linear_loss::from_moments(net, split.moments()?)?;
        return Ok((loss, flops::linear_loss(net)));
    }
    let x = split.features().view();
    let mut sse = 0.0f64;
    for start in (0..split.len()).step_by(EVAL_CHUNK) {
        let chunk = x.rows_view(start..start + EVAL_CHUNK);
        let x_hat = net.reconstruct(chunk)?;
        sse += squared_error(&x_hat, chunk);
    }
    let entries = (split.len() * split.dim()).max(1) as f64;
    Ok(((sse / entries) as f32, direct_flops))
}

/// The sum of `(x_hat - x)^2` over all entries.
fn squared_error(x_hat: &Matrix, x: MatView<'_>) -> f64 {
    let pairs = x_hat.as_slice().iter().zip(x.as_slice());
    pairs.map(|(a, b)| ((a - b) as f64).powi(2)).sum::<f64>()
}

/// [`split_loss`] with a notebook's forward pass, chunk by chunk; its
/// panics and wrongly shaped outputs are errors that name it.
fn notebook_forward_loss(
    split: &Split,
    net: &Autoencoder,
    forward: &dyn ForwardPass,
) -> Result<f32> {
    let x = split.features().view();
    let sse = hw6_exercise::run_student_code(|| -> Result<f64> {
        let mut sse = 0.0f64;
        for start in (0..split.len()).step_by(EVAL_CHUNK) {
            let chunk = x.rows_view(start..start + EVAL_CHUNK).to_matrix();
            let x_hat = forward.forward(net, &chunk)?;
            if x_hat.shape() != chunk.shape() {
                return Err(ModelError::Notebook(format!(
                    "your forward pass returned x_hat of shape {:?} for a batch x of shape {:?}: \
                     the loss compares x_hat with x, so decode back to x's shape",
                    x_hat.shape(),
                    chunk.shape()
                )));
            }
            sse += squared_error(&x_hat, chunk.view());
        }
        Ok(sse)
    })
    .map_err(|panic| {
        ModelError::Notebook(format!(
            "computing the loss with your forward pass: {panic}"
        ))
    })??;
    let entries = (split.len() * split.dim()).max(1) as f64;
    Ok((sse / entries) as f32)
}

/// The encoder's codes of the first `rows` rows of `split`, in chunks.
///
/// # Shapes
/// Returns `(min(rows, len), k)`.
pub(crate) fn encode_rows(net: &Autoencoder, split: &Split, rows: usize) -> Result<Matrix> {
    let rows = rows.min(split.len());
    let k = net.bottleneck();
    let mut codes = Vec::with_capacity(rows * k);
    for start in (0..rows).step_by(EVAL_CHUNK) {
        let chunk = split
            .features()
            .rows_view(start..(start + EVAL_CHUNK).min(rows));
        codes.extend(net.encode(chunk)?.into_vec());
    }
    Ok(Matrix::from_vec(rows, k, codes)?)
}
