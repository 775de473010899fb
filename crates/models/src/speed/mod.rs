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
use crate::error::Result;
use hw6_datasets::Split;
use hw6_linalg::Matrix;

/// Rows per forward pass when a whole split is evaluated.
const EVAL_CHUNK: usize = 2048;

/// The mean squared reconstruction error over every row of `split`, and
/// the floating-point operations spent on it.
pub(crate) fn split_loss(split: &Split, net: &Autoencoder) -> Result<(f32, f64)> {
    let direct_flops = split.len() as f64 * flops::forward_per_sample(net);
    if net.is_linear() && flops::linear_loss(net) < 0.5 * direct_flops {
        let loss = linear_loss::from_moments(net, split.moments()?)?;
        return Ok((loss, flops::linear_loss(net)));
    }
    let x = split.features().view();
    let mut sse = 0.0f64;
    for start in (0..split.len()).step_by(EVAL_CHUNK) {
        let chunk = x.rows_view(start..start + EVAL_CHUNK);
        let x_hat = net.forward(chunk)?;
        let pairs = x_hat.as_slice().iter().zip(chunk.as_slice());
        sse += pairs.map(|(a, b)| ((a - b) as f64).powi(2)).sum::<f64>();
    }
    let entries = (split.len() * split.dim()).max(1) as f64;
    Ok(((sse / entries) as f32, direct_flops))
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
