//! Checkers for the notebook's solution cells: each compares a student's
//! implementation with this crate's reference on seeded random inputs and
//! says where they first disagree (a `todo!()` fails the check instead of
//! panicking; see [`hw6_exercise::checked`]).

use crate::error::Result;
use crate::inputs::random_qkv;
use crate::kernel::{Masking, kernel_attention};
use crate::shapes::to_rows;
use crate::similarity::{dot, quadratic_similarity};
use candle_core::Tensor;
use hw6_exercise::{CheckFailure, CheckReport, checked};
use hw6_linalg::max_abs_diff;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Checks a quadratic feature map: `phi(q)·phi(k)` must equal `(qᵀk + 1)²`
/// for random `q, k` with `D` from 1 to 8 and 16, to 1e-4 relative.
pub fn check_quadratic_feature_map(phi: impl Fn(&[f32]) -> Vec<f32>) -> Result<CheckReport> {
    let exercise = "quadratic feature map";
    let fail = |reason: String| CheckFailure::new(exercise, reason);
    checked(exercise, |report| {
        let mut rng = ChaCha8Rng::seed_from_u64(182);
        let (mut cases, mut worst) = (0, 0f64);
        for d in (1..=8).chain([16]) {
            for _ in 0..20 {
                let q: Vec<f32> = (0..d).map(|_| rng.sample(StandardNormal)).collect();
                let k: Vec<f32> = (0..d).map(|_| rng.sample(StandardNormal)).collect();
                let (pq, pk) = (phi(&q), phi(&k));
                if pq.len() != pk.len() {
                    return Err(fail(format!(
                        "phi gave {} and {} features for two inputs of width {d}",
                        pq.len(),
                        pk.len()
                    ))
                    .into());
                }
                let got: f64 = pq.iter().zip(&pk).map(|(a, b)| *a as f64 * *b as f64).sum();
                let want = quadratic_similarity(&q, &k);
                let rel = (got - want).abs() / want.abs().max(1.0);
                if rel.is_nan() || rel > 1e-4 {
                    return Err(fail(format!(
                        "D = {d}, q = {q:?}, k = {k:?}: phi(q).phi(k) = {got:.6} but (q.k + 1)^2 = {want:.6} (q.k = {:.6}); \
                         remember the sqrt(2) on the cross terms and on the linear terms",
                        dot(&q, &k)
                    ))
                    .into());
                }
                worst = worst.max(rel);
                cases += 1;
            }
        }
        report.figure("cases", cases as f64);
        report.figure("largest relative error", worst);
        Ok(())
    })
}

/// Checks a linear attention `f(Q, K, V)` that uses the quadratic feature
/// map: it must equal quadratic kernel attention (equation (3) with
/// `(qᵀk + 1)²`) to 1e-4 relative, over several shapes including `N != L`.
pub fn check_linear_attention(
    f: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor>,
) -> Result<CheckReport> {
    let exercise = "linear attention";
    let fail = |reason: String| CheckFailure::new(exercise, reason);
    checked(exercise, |report| {
        let (mut cases, mut worst) = (0, 0f64);
        for (i, &(n, l, d, m)) in [(1, 1, 1, 1), (4, 7, 3, 2), (32, 32, 8, 4), (50, 20, 5, 6)]
            .iter()
            .enumerate()
        {
            let (q, _, _) = random_qkv(n, d, m, 10 + i as u64)?;
            let (_, k, v) = random_qkv(l, d, m, 20 + i as u64)?;
            let got = f(&q, &k, &v)?;
            if got.dims() != [n, m] {
                return Err(fail(format!(
                    "output shape {:?}, expected ({n}, {m}) for Q ({n}, {d}), K ({l}, {d}), V ({l}, {m})",
                    got.dims()
                ))
                .into());
            }
            let want = kernel_attention(&q, &k, &v, quadratic_similarity, Masking::Full)?;
            let (g, w) = (to_rows(&got)?, to_rows(&want)?);
            let scale = w.iter().fold(0f64, |a, x| a.max(x.abs() as f64)).max(1e-12);
            let rel = max_abs_diff(&g, &w) as f64 / scale;
            if rel.is_nan() || rel > 1e-4 {
                return Err(fail(format!(
                    "N = {n}, L = {l}, D = {d}, M = {m}: largest relative difference {rel:.2e} from equation (3)"
                ))
                .into());
            }
            worst = worst.max(rel);
            cases += 1;
        }
        report.figure("cases", cases as f64);
        report.figure("largest relative error", worst);
        Ok(())
    })
}
