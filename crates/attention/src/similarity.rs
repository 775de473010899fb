//! Similarity functions `sim(q, k)` for the generic attention of equation (3).
//! Each takes one query row and one key row (both of length `D`) and
//! accumulates in `f64`, so reference computations stay accurate.

use crate::feature_map::{EluPlusOne, FeatureMap};

/// `qᵀk`, accumulated in `f64`.
pub fn dot(q: &[f32], k: &[f32]) -> f64 {
    q.iter().zip(k).map(|(&a, &b)| a as f64 * b as f64).sum()
}

/// The softmax similarity of equation (4): `exp(qᵀk / sqrt(D))`. Kernel
/// attention with it is softmax attention.
pub fn softmax_similarity(d: usize) -> impl Fn(&[f32], &[f32]) -> f64 + Copy {
    let scale = 1.0 / (d.max(1) as f64).sqrt();
    move |q, k| (dot(q, k) * scale).exp()
}

/// The quadratic kernel of part 3(b) i (the polynomial kernel of degree 2,
/// constants 1), in closed form. It is what the notebook's feature map
/// must reproduce, so a student release has a `todo!()` here; its checks
/// read the kernel's values from the release's fixtures.
pub fn quadratic_similarity(q: &[f32], k: &[f32]) -> f64 {
    // BEGIN SOLUTION: the kernel of part 3(b) i
    let s = dot(q, k) + 1.0;
    s * s
    // END SOLUTION
}

/// Relative size, against `Σ_c |φ(q)_c φ(k)_c|`, below which a negative
/// `φ(q)·φ(k)` is `f32` rounding of a zero (the features are `f32`).
const ROUNDING: f64 = 1e-5;

/// The kernel `φ(q)·φ(k)` of any feature map `phi`, accumulated in `f64`.
/// A negative value within the features' `f32` rounding of zero (as the
/// quadratic kernel gives where it is zero) counts as zero.
pub fn feature_similarity<P: FeatureMap + ?Sized>(phi: &P) -> impl Fn(&[f32], &[f32]) -> f64 + '_ {
    move |q, k| {
        let (pq, pk) = (phi.map_row(q), phi.map_row(k));
        let terms = pq.iter().zip(&pk).map(|(x, y)| *x as f64 * *y as f64);
        let (sum, size) = terms.fold((0.0, 0.0), |(s, a), t| (s + t, a + t.abs()));
        if sum < 0.0 && -sum <= ROUNDING * size {
            0.0
        } else {
            sum
        }
    }
}

/// The kernel of the elu+1 features: `φ(q)·φ(k)` with `φ = elu + 1`
/// ([`EluPlusOne`]). Always `> 0`.
pub fn elu_similarity(q: &[f32], k: &[f32]) -> f64 {
    feature_similarity(&EluPlusOne)(q, k)
}
