//! Part 2 measured: why attention divides by `sqrt(d)`.
//!
//! Part 2 asks for the mean and variance of `qᵀk` for `q, k ~ N(0, I_d)`
//! independent, and for the scale that normalises them. [`scaled_dot_products`]
//! samples both moments for each `d`, before and after dividing by
//! `sqrt(d)`, and what the spread of the logits does to a softmax: its
//! entropy and its largest weight.

use crate::error::Result;
use hw6_exercise::ParamError;
use hw6_linalg::softmax_in_place;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

/// Settings of the part 2 experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalingConfig {
    /// Dimensions `d` to try (each `>= 1`).
    pub dims: Vec<usize>,
    /// Number of independent `(q, k)` pairs per `d` for the mean and variance.
    pub pairs: usize,
    /// Number of softmax trials per `d` (one query against `keys` keys each).
    pub trials: usize,
    /// Keys per softmax trial (`>= 2`); the largest possible entropy is `ln(keys)`.
    pub keys: usize,
    /// Seed; the same seed gives the same numbers.
    pub seed: u64,
}

impl Default for ScalingConfig {
    /// `d = 4, 8, ..., 1024`, 20,000 pairs, 500 trials of 64 keys, seed 0.
    fn default() -> Self {
        Self {
            dims: (2..=10).map(|p| 1usize << p).collect(),
            pairs: 20_000,
            trials: 500,
            keys: 64,
            seed: 0,
        }
    }
}

impl ScalingConfig {
    /// A smaller run with the same dimensions (for quick mode and tests).
    pub fn quick() -> Self {
        Self {
            pairs: 2_000,
            trials: 100,
            ..Self::default()
        }
    }

    fn check(&self) -> Result<()> {
        if self.dims.is_empty() || self.dims.contains(&0) {
            let allowed = "give at least one dimension, each >= 1";
            return Err(ParamError::new("dims", &self.dims, allowed).into());
        }
        if self.pairs < 2 {
            let allowed = "need >= 2 pairs to estimate a variance";
            return Err(ParamError::new("pairs", self.pairs, allowed).into());
        }
        if self.trials == 0 {
            return Err(ParamError::new("trials", self.trials, "need >= 1 softmax trial").into());
        }
        if self.keys < 2 {
            let allowed = "need >= 2 keys for a softmax to choose between";
            return Err(ParamError::new("keys", self.keys, allowed).into());
        }
        Ok(())
    }
}

/// What one dimension `d` showed. Entropies are in nats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DotProductStats {
    pub d: usize,
    /// Sample mean and variance of `qᵀk`.
    pub mean_raw: f64,
    pub var_raw: f64,
    /// Sample mean and variance of `qᵀk / sqrt(d)`.
    pub mean_scaled: f64,
    pub var_scaled: f64,
    /// Mean entropy of `softmax(q Kᵀ)` and of `softmax(q Kᵀ / sqrt(d))`.
    pub entropy_raw: f64,
    pub entropy_scaled: f64,
    /// Mean largest weight of each softmax (`1/keys` is uniform, 1 is one-hot).
    pub max_weight_raw: f64,
    pub max_weight_scaled: f64,
    /// `ln(keys)`, the entropy of uniform weights.
    pub max_entropy: f64,
}

fn normal_vec(rng: &mut ChaCha8Rng, d: usize) -> Vec<f64> {
    (0..d)
        .map(|_| rng.sample::<f64, _>(StandardNormal))
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

/// Entropy (nats) and largest weight of `softmax(logits)`.
fn softmax_entropy_and_max(logits: &[f64]) -> (f64, f64) {
    let mut p = logits.to_vec();
    softmax_in_place(&mut p);
    let entropy = -p
        .iter()
        .filter(|&&pi| pi > 0.0)
        .map(|pi| pi * pi.ln())
        .sum::<f64>();
    (entropy, p.iter().fold(0.0, |m: f64, &pi| m.max(pi)))
}

/// Runs the part 2 experiment: one row per `d` in `config.dims`. Each `d` has
/// its own random stream derived from the seed, so adding a dimension does
/// not change the others' numbers.
pub fn scaled_dot_products(config: &ScalingConfig) -> Result<Vec<DotProductStats>> {
    config.check()?;
    let mut rows = Vec::with_capacity(config.dims.len());
    for &d in &config.dims {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ (d as u64).wrapping_mul(0x9E37_79B9));
        let scale = (d as f64).sqrt();
        let raw: Vec<f64> = (0..config.pairs)
            .map(|_| dot(&normal_vec(&mut rng, d), &normal_vec(&mut rng, d)))
            .collect();
        let scaled: Vec<f64> = raw.iter().map(|x| x / scale).collect();
        let (mean_raw, var_raw) = mean_var(&raw);
        let (mean_scaled, var_scaled) = mean_var(&scaled);
        let (mut h_raw, mut h_scaled, mut w_raw, mut w_scaled) = (0.0, 0.0, 0.0, 0.0);
        for _ in 0..config.trials {
            let q = normal_vec(&mut rng, d);
            let logits: Vec<f64> = (0..config.keys)
                .map(|_| dot(&q, &normal_vec(&mut rng, d)))
                .collect();
            let (h, w) = softmax_entropy_and_max(&logits);
            h_raw += h;
            w_raw += w;
            let logits: Vec<f64> = logits.iter().map(|x| x / scale).collect();
            let (h, w) = softmax_entropy_and_max(&logits);
            h_scaled += h;
            w_scaled += w;
        }
        let t = config.trials as f64;
        rows.push(DotProductStats {
            d,
            mean_raw,
            var_raw,
            mean_scaled,
            var_scaled,
            entropy_raw: h_raw / t,
            entropy_scaled: h_scaled / t,
            max_weight_raw: w_raw / t,
            max_weight_scaled: w_scaled / t,
            max_entropy: (config.keys as f64).ln(),
        });
    }
    Ok(rows)
}
