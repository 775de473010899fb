//! Seeded random inputs for the checks, the tests and the timings.

use crate::error::Result;
use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Seeded queries, keys and values; Q and K are scaled by `d^(-1/4)` so
/// `qᵀk` has unit variance, like normalised activations.
///
/// # Shapes
/// -> `Q: (n, d)`, `K: (n, d)`, `V: (n, m)`.
pub fn random_qkv(n: usize, d: usize, m: usize, seed: u64) -> Result<(Tensor, Tensor, Tensor)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let s = (d as f32).powf(-0.25);
    let mut draw = |rows: usize, cols: usize, scale: f32| {
        let data: Vec<f32> = (0..rows * cols)
            .map(|_| rng.sample::<f32, _>(StandardNormal) * scale)
            .collect();
        Tensor::from_vec(data, (rows, cols), &Device::Cpu)
    };
    Ok((draw(n, d, s)?, draw(n, d, s)?, draw(n, m, 1.0)?))
}
