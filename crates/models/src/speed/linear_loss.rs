//! The reconstruction loss of a *linear* autoencoder from the data's second
//! moments, without running the network over every row.
//!
//! A linear autoencoder is an affine map `x_hat = A x + c` with
//! `A = W_{L-1} ... W_0` (`m x m`, rank <= k). With `B = I - A`, the data's
//! mean `mu` and second moment `S = (1/n) sum x x^T`,
//!
//! ```text
//! mean_i ||x_i - x_hat_i||^2 / m = ( tr(B S B^T) - 2 c^T B mu + ||c||^2 ) / m
//! ```
//!
//! `S` and `mu` are computed once per split (cached in the split); each
//! evaluation then costs two `m x m` products instead of a forward pass over
//! all rows.

use crate::autoencoder::Autoencoder;
use crate::error::Result;
use hw6_datasets::Moments;
use hw6_linalg::{Matrix, Op, gemm_into};

/// Mean squared reconstruction error per entry over the rows summarised by
/// `moments` (the network must be linear: [`Autoencoder::is_linear`]).
pub(crate) fn from_moments(net: &Autoencoder, moments: &Moments) -> Result<f32> {
    let m = net.input_size();
    let (b, c) = affine_map(net)?;
    let mut bs = Matrix::default();
    gemm_into(
        &mut bs,
        b.view(),
        Op::N,
        moments.second.view(),
        Op::N,
        false,
    )?;
    let trace: f64 = (bs.as_slice().iter().zip(b.as_slice()))
        .map(|(x, y)| (*x as f64) * (*y as f64))
        .sum();
    let b_mu = b.as_slice().chunks_exact(m).map(|row| {
        let products = row.iter().zip(&moments.mean);
        products
            .map(|(x, y)| (*x as f64) * (*y as f64))
            .sum::<f64>()
    });
    let cross: f64 = c.iter().zip(b_mu).map(|(c, v)| (*c as f64) * v).sum();
    let cc: f64 = c.iter().map(|v| (*v as f64).powi(2)).sum();
    Ok(((trace - 2.0 * cross + cc) / m as f64).max(0.0) as f32)
}

/// `B = I - A` and `c` of the network's map `x -> A x + c`, built layer by layer.
fn affine_map(net: &Autoencoder) -> Result<(Matrix, Vec<f32>)> {
    let layers = net.layers();
    let mut a = layers[0].weight.clone(); // (out x m)
    let mut c: Vec<f32> = layers[0].bias.clone();
    for d in &layers[1..] {
        let mut next = Matrix::default();
        gemm_into(&mut next, d.weight.view(), Op::N, a.view(), Op::N, false)?;
        a = next;
        let mut nc = d.bias.clone();
        for (o, row) in nc
            .iter_mut()
            .zip(d.weight.as_slice().chunks_exact(d.fan_in()))
        {
            *o += row.iter().zip(&c).map(|(w, v)| w * v).sum::<f32>();
        }
        c = nc;
    }
    let m = net.input_size();
    let mut b = a;
    b.map_in_place(|v| -v);
    for i in 0..m {
        b.as_mut_slice()[i * m + i] += 1.0;
    }
    Ok((b, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Activation, AutoencoderConfig};
    use hw6_datasets::Split;
    use hw6_linalg::mse;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn moment_formula_equals_the_direct_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let (n, m) = (500, 12);
        let x = Matrix::from_fn(n, m, |_, c| {
            rng.random_range(-1.0f32..1.0) * (1 + c % 3) as f32 + 0.5
        });
        let split = Split::new(x.clone(), vec![0; n]).unwrap();
        for cfg in [
            AutoencoderConfig::linear(m, 4),
            AutoencoderConfig::new(m, vec![7, 3], Activation::Identity),
        ] {
            let net = Autoencoder::new(&cfg.with_seed(3)).unwrap();
            let direct = mse(net.reconstruct(x.view()).unwrap().as_slice(), x.as_slice());
            let fast = from_moments(&net, split.moments().unwrap()).unwrap() as f64;
            assert!((direct - fast).abs() < 1e-4 * direct, "{direct} vs {fast}");
        }
    }
}
