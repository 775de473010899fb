//! Input corruptions of the denoising and masked autoencoders, and seeded
//! replacements for torch's `randn_like` / `rand` that notebook cells use.
//!
//! Both the tensor helpers and the matrix functions draw one number per
//! entry in row-major order from the given generator, so a step written
//! with tensors in a notebook and the crate's fast path see the same noise.

use crate::error::Result;
use crate::matrix::{MatView, Matrix};
use candle_core::Tensor;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// A tensor shaped like `x` of independent standard normal draws (torch's
/// `randn_like`, but from a seeded generator).
///
/// # Shapes
/// Same as `x`; `f32`.
pub fn randn_like(x: &Tensor, rng: &mut ChaCha8Rng) -> Result<Tensor> {
    let n = x.elem_count();
    let v: Vec<f32> = (0..n)
        .map(|_| rng.sample::<f32, _>(StandardNormal))
        .collect();
    Ok(Tensor::from_vec(v, x.shape(), x.device())?)
}

/// A tensor shaped like `x` of independent uniform draws in `[0, 1)`
/// (torch's `torch.rand(x.shape)`, seeded).
///
/// # Shapes
/// Same as `x`; `f32`.
pub fn rand_like(x: &Tensor, rng: &mut ChaCha8Rng) -> Result<Tensor> {
    let n = x.elem_count();
    let v: Vec<f32> = (0..n).map(|_| rng.random::<f32>()).collect();
    Ok(Tensor::from_vec(v, x.shape(), x.device())?)
}

/// `x + noise_std * N(0, 1)` entry by entry (the denoising autoencoder's input).
pub fn add_noise(x: MatView<'_>, noise_std: f32, rng: &mut ChaCha8Rng) -> Matrix {
    let data = x
        .data
        .iter()
        .map(|&v| v + rng.sample::<f32, _>(StandardNormal) * noise_std)
        .collect();
    Matrix {
        rows: x.rows,
        cols: x.cols,
        data,
    }
}

/// `x` with each entry zeroed with probability `mask_prob`: an entry is kept
/// when its uniform draw `u` satisfies `u > mask_prob` (the original's
/// `mask = torch.rand(x.shape) > mask_prob`).
pub fn apply_mask(x: MatView<'_>, mask_prob: f32, rng: &mut ChaCha8Rng) -> Matrix {
    let data = x
        .data
        .iter()
        .map(|&v| {
            if rng.random::<f32>() > mask_prob {
                v
            } else {
                0.0
            }
        })
        .collect();
    Matrix {
        rows: x.rows,
        cols: x.cols,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;
    use rand::SeedableRng;

    #[test]
    fn tensor_helpers_and_matrix_path_draw_the_same_numbers() {
        let x = Matrix {
            rows: 3,
            cols: 4,
            data: (0..12).map(|v| v as f32).collect(),
        };
        let xt = x.to_tensor(&Device::Cpu).unwrap();
        let mut r1 = ChaCha8Rng::seed_from_u64(5);
        let mut r2 = ChaCha8Rng::seed_from_u64(5);
        let noisy = add_noise(x.view(), 0.5, &mut r1);
        let n = randn_like(&xt, &mut r2).unwrap();
        let want = (&xt + (n * 0.5).unwrap())
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert_eq!(noisy.data, want);
        let masked = apply_mask(x.view(), 0.25, &mut r1);
        let u = rand_like(&xt, &mut r2)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        let want: Vec<f32> = x
            .data
            .iter()
            .zip(&u)
            .map(|(v, u)| if *u > 0.25 { *v } else { 0.0 })
            .collect();
        assert_eq!(masked.data, want);
    }

    #[test]
    fn mask_rate_is_close_to_mask_prob() {
        let x = Matrix {
            rows: 100,
            cols: 100,
            data: vec![1.0; 10_000],
        };
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let m = apply_mask(x.view(), 0.25, &mut rng);
        let zeros = m.data.iter().filter(|v| **v == 0.0).count() as f64 / 10_000.0;
        assert!((zeros - 0.25).abs() < 0.02, "{zeros}");
    }
}
