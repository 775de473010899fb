//! Similarity functions `sim(q, k)` for the generic attention of equation (3).
//! Each takes one query row and one key row (both of length `D`).

use crate::feature_map::{EluPlusOne, FeatureMap};

/// `qᵀk`, accumulated in `f64` so reference computations stay accurate.
pub fn dot(q: &[f32], k: &[f32]) -> f64 {
    q.iter().zip(k).map(|(&a, &b)| a as f64 * b as f64).sum()
}

/// The softmax similarity of equation (4): `exp(qᵀk / sqrt(D))`. Kernel
/// attention with it is softmax attention.
pub fn softmax_similarity(d: usize) -> impl Fn(&[f32], &[f32]) -> f64 + Copy {
    let scale = 1.0 / (d.max(1) as f64).sqrt();
    move |q, k| (dot(q, k) * scale).exp()
}

/// The quadratic (degree-2 polynomial) kernel of part 3(b)i: `(qᵀk + 1)²`.
/// Always `>= 0`; equals `φ(q)·φ(k)` for [`QuadraticFeatures`](crate::QuadraticFeatures).
pub fn quadratic_similarity(q: &[f32], k: &[f32]) -> f64 {
    let s = dot(q, k) + 1.0;
    s * s
}

/// The kernel of the elu+1 features: `φ(q)·φ(k)` with `φ = elu + 1`
/// ([`EluPlusOne`]), accumulated in `f64`. Always `> 0`.
pub fn elu_similarity(q: &[f32], k: &[f32]) -> f64 {
    let (pq, pk) = (EluPlusOne.map_row(q), EluPlusOne.map_row(k));
    pq.iter().zip(&pk).map(|(x, y)| *x as f64 * *y as f64).sum()
}
