//! The inputs of the denoising and masked autoencoders, and seeded versions
//! of torch's `randn_like` / `rand` for notebook cells.
//!
//! Every function draws one number per entry, in row-major order, from the
//! given generator: a step a notebook writes with [`randn_like`] and
//! `zip_map` sees the same noise as [`add_noise`].

use hw6_linalg::{MatView, Matrix};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// A matrix shaped like `x` of independent standard normal draws (torch's
/// `randn_like`, from a seeded generator).
pub fn randn_like<'a>(x: impl Into<MatView<'a>>, rng: &mut ChaCha8Rng) -> Matrix {
    normal_draws(x.into(), rng)
}

/// A matrix shaped like `x` of independent uniform draws in `[0, 1)`
/// (torch's `torch.rand(x.shape)`, seeded).
pub fn rand_like<'a>(x: impl Into<MatView<'a>>, rng: &mut ChaCha8Rng) -> Matrix {
    uniform_draws(x.into(), rng)
}

// The bodies of `randn_like` and `rand_like`: not generic, so the draws are
// compiled here, optimised, whatever optimisation a notebook cell has.
fn normal_draws(x: MatView<'_>, rng: &mut ChaCha8Rng) -> Matrix {
    x.map(|_| rng.sample(StandardNormal))
}

fn uniform_draws(x: MatView<'_>, rng: &mut ChaCha8Rng) -> Matrix {
    x.map(|_| rng.random())
}

/// `x + noise_std * N(0, 1)`, entry by entry (the denoising autoencoder's input).
pub fn add_noise(x: MatView<'_>, noise_std: f32, rng: &mut ChaCha8Rng) -> Matrix {
    // BEGIN SOLUTION: the noisy input
    x.map(|v| v + rng.sample::<f32, _>(StandardNormal) * noise_std)
    // END SOLUTION
}

/// `x` with each entry zeroed with probability `mask_prob` (the masked
/// autoencoder's input), one uniform draw per entry.
pub fn apply_mask(x: MatView<'_>, mask_prob: f32, rng: &mut ChaCha8Rng) -> Matrix {
    // BEGIN SOLUTION: the masked input
    x.map(|v| {
        if rng.random::<f32>() > mask_prob {
            v
        } else {
            0.0
        }
    })
    // END SOLUTION
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_notebook_form_draws_the_same_numbers() {
        let x = Matrix::from_fn(3, 4, |r, c| (4 * r + c) as f32);
        let (mut r1, mut r2) = (ChaCha8Rng::seed_from_u64(5), ChaCha8Rng::seed_from_u64(5));
        let noisy = add_noise(x.view(), 0.5, &mut r1);
        let by_hand = x
            .zip_map(&randn_like(&x, &mut r2), |v, n| v + 0.5 * n)
            .unwrap();
        assert_eq!(noisy, by_hand);
        let masked = apply_mask(x.view(), 0.25, &mut r1);
        let u = rand_like(&x, &mut r2);
        let by_hand = x
            .zip_map(&u, |v, u| if u > 0.25 { v } else { 0.0 })
            .unwrap();
        assert_eq!(masked, by_hand);
    }

    #[test]
    fn mask_rate_is_close_to_mask_prob() {
        let x = Matrix::from_fn(100, 100, |_, _| 1.0);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let m = apply_mask(x.view(), 0.25, &mut rng);
        let zeros = m.as_slice().iter().filter(|v| **v == 0.0).count() as f64 / 10_000.0;
        assert!((zeros - 0.25).abs() < 0.02, "{zeros}");
    }
}
