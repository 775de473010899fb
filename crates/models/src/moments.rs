//! The reconstruction loss of a *linear* autoencoder from the data's second
//! moments, without running the network over every row.
//!
//! A linear autoencoder (identity activation) is an affine map
//! `x_hat = A x + c` with `A = W_{L-1} ... W_0` (`m x m`, rank <= k). With
//! `B = I - A`, the data's mean `mu` and second moment `S = (1/n) sum x x^T`,
//!
//! ```text
//! mean_i ||x_i - x_hat_i||^2 / m = ( tr(B S B^T) - 2 c^T B mu + ||c||^2 ) / m
//! ```
//!
//! `S` and `mu` are computed once per split and shared by every experiment on
//! the same `Arc<Dataset>`; each evaluation then costs two `m x m` products
//! instead of a forward pass over all rows. [`Experiment`](crate::Experiment)
//! uses this when it is cheaper, and a test checks it against the direct sum.

use crate::autoencoder::Autoencoder;
use crate::config::Activation;
use crate::error::Result;
use crate::matrix::{MatView, Matrix, Op};
use crate::product::gemm_into;
use hw6_datasets::split::{Dataset, Split, SplitKind};
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// Mean and uncentred second moment of a split's rows.
#[derive(Debug)]
pub struct SplitMoments {
    /// `mu`, length `m`.
    pub mean: Vec<f32>,
    /// `S = (1/n) X^T X`, `m x m`.
    pub second: Matrix,
}

impl SplitMoments {
    /// Compute from the rows of a split (`n x m` multiply-adds times `m`).
    pub fn of(split: &Split) -> Result<Self> {
        let (n, m) = (split.len(), split.dim);
        let x = MatView::new(n, m, &split.features)?;
        let mut second = Matrix::zeros(0, 0);
        gemm_into(&mut second, x, Op::T, x, Op::N, false);
        let inv = 1.0 / n.max(1) as f32;
        second.data.iter_mut().for_each(|v| *v *= inv);
        let mut mean = vec![0.0f64; m];
        for row in split.features.chunks_exact(m) {
            for (s, v) in mean.iter_mut().zip(row) {
                *s += *v as f64;
            }
        }
        let mean = mean.iter().map(|s| (*s / n.max(1) as f64) as f32).collect();
        Ok(Self { mean, second })
    }
}

type CacheEntry = (Weak<Dataset>, [Option<Arc<SplitMoments>>; 3]);

fn cache() -> &'static Mutex<Vec<CacheEntry>> {
    static CACHE: OnceLock<Mutex<Vec<CacheEntry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Vec::new()))
}

/// The moments of `dataset`'s split, computed on first use and kept while
/// the dataset lives (a held `Weak` pins the allocation, so pointer identity
/// cannot be reused by another dataset).
pub fn moments_of(dataset: &Arc<Dataset>, which: SplitKind) -> Result<Arc<SplitMoments>> {
    let slot = match which {
        SplitKind::Train => 0,
        SplitKind::Valid => 1,
        SplitKind::Test => 2,
    };
    {
        let mut guard = cache().lock().unwrap_or_else(|p| p.into_inner());
        guard.retain(|(w, _)| w.strong_count() > 0);
        if let Some(m) = guard
            .iter()
            .find(|(w, _)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(dataset)))
            .and_then(|(_, slots)| slots[slot].clone())
        {
            return Ok(m);
        }
    }
    let computed = Arc::new(SplitMoments::of(dataset.split(which))?);
    let mut guard = cache().lock().unwrap_or_else(|p| p.into_inner());
    match guard
        .iter_mut()
        .find(|(w, _)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(dataset)))
    {
        Some((_, slots)) => slots[slot] = Some(computed.clone()),
        None => {
            let mut slots: [Option<Arc<SplitMoments>>; 3] = [None, None, None];
            slots[slot] = Some(computed.clone());
            guard.push((Arc::downgrade(dataset), slots));
        }
    }
    Ok(computed)
}

/// Whether the network is an affine map (so the moment formula applies).
pub fn is_linear(net: &Autoencoder) -> bool {
    net.config().activation == Activation::Identity || net.config().hidden_sizes.len() == 1
}

/// Floating-point operations of [`linear_loss`] for this network.
pub fn linear_loss_flops(net: &Autoencoder) -> f64 {
    let m = net.input_size() as f64;
    let chain: f64 = net
        .layers()
        .iter()
        .skip(1)
        .map(|d| 2.0 * (d.weight.rows * d.weight.cols) as f64 * m)
        .sum();
    chain + 2.0 * m * m * m
}

/// Mean squared reconstruction error per entry over the rows summarised by `moments`.
pub fn linear_loss(net: &Autoencoder, moments: &SplitMoments) -> Result<f32> {
    let m = net.input_size();
    // A = W_{L-1} ... W_0 and c = the image of 0, built layer by layer.
    let layers = net.layers();
    let mut a = layers[0].weight.clone(); // (out x m)
    let mut c: Vec<f32> = layers[0].bias.clone();
    for d in &layers[1..] {
        let mut next = Matrix::zeros(0, 0);
        gemm_into(&mut next, d.weight.view(), Op::N, a.view(), Op::N, false);
        a = next;
        let mut nc = d.bias.clone();
        for (o, row) in nc.iter_mut().zip(d.weight.data.chunks_exact(d.weight.cols)) {
            *o += row.iter().zip(&c).map(|(w, v)| w * v).sum::<f32>();
        }
        c = nc;
    }
    // B = I - A
    let mut b = a;
    b.data.iter_mut().for_each(|v| *v = -*v);
    for i in 0..m {
        b.data[i * m + i] += 1.0;
    }
    let mut bs = Matrix::zeros(0, 0);
    gemm_into(
        &mut bs,
        b.view(),
        Op::N,
        moments.second.view(),
        Op::N,
        false,
    );
    let trace: f64 = bs
        .data
        .iter()
        .zip(&b.data)
        .map(|(x, y)| (*x as f64) * (*y as f64))
        .sum();
    let b_mu: Vec<f64> = b
        .data
        .chunks_exact(m)
        .map(|row| {
            row.iter()
                .zip(&moments.mean)
                .map(|(x, y)| (*x as f64) * (*y as f64))
                .sum()
        })
        .collect();
    let cross: f64 = c.iter().zip(&b_mu).map(|(c, v)| (*c as f64) * v).sum();
    let cc: f64 = c.iter().map(|v| (*v as f64).powi(2)).sum();
    Ok(((trace - 2.0 * cross + cc) / m as f64).max(0.0) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autoencoder::mse;
    use crate::config::AutoencoderConfig;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn moment_formula_equals_the_direct_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let (n, m) = (500, 12);
        let data: Vec<f32> = (0..n * m)
            .map(|i| rng.random_range(-1.0f32..1.0) * (1 + i % 3) as f32 + 0.5)
            .collect();
        let split = Split::new(data.clone(), vec![0; n], m).unwrap();
        let moments = SplitMoments::of(&split).unwrap();
        for cfg in [
            AutoencoderConfig::linear(m, 4),
            AutoencoderConfig::new(m, vec![7, 3], Activation::Identity),
        ] {
            let net = Autoencoder::new(&cfg.with_seed(3)).unwrap();
            let x = MatView::new(n, m, &data).unwrap();
            let direct = mse(&net.forward_view(x).unwrap().data, &data);
            let fast = linear_loss(&net, &moments).unwrap() as f64;
            assert!((direct - fast).abs() < 1e-4 * direct, "{direct} vs {fast}");
        }
    }
}
