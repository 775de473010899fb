//! Checkers for the notebook's solution cells: each compares a student's
//! implementation with this crate's reference on seeded random inputs and
//! says where they first disagree (a `todo!()` fails the check instead of
//! panicking; see `hw6_exercise`).

use crate::cost::random_qkv;
use crate::error::{AttentionError, Result};
use crate::kernel::{Masking, kernel_attention};
use crate::shapes::to_rows;
use crate::similarity::{dot, quadratic_similarity};
use candle_core::Tensor;
use hw6_exercise::{CheckReport, run_check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Runs a check through [`run_check`]: a panic in the notebook's code (a
/// `todo!()`) fails it with an [`AttentionError::CheckFailed`].
fn checked(
    what: &'static str,
    body: impl FnOnce(&mut CheckReport) -> Result<()>,
) -> Result<CheckReport> {
    run_check(
        what,
        |detail| AttentionError::CheckFailed { what, detail },
        body,
    )
}

/// Checks a quadratic feature map: `phi(q)·phi(k)` must equal `(qᵀk + 1)²`
/// for random `q, k` with `D` from 1 to 8 and 16, to 1e-4 relative.
pub fn check_quadratic_feature_map(phi: impl Fn(&[f32]) -> Vec<f32>) -> Result<CheckReport> {
    let what = "quadratic feature map";
    checked(what, |report| {
        let mut rng = ChaCha8Rng::seed_from_u64(182);
        let (mut cases, mut worst) = (0, 0f64);
        for d in (1..=8).chain([16]) {
            for _ in 0..20 {
                let q: Vec<f32> = (0..d).map(|_| rng.sample(StandardNormal)).collect();
                let k: Vec<f32> = (0..d).map(|_| rng.sample(StandardNormal)).collect();
                let (pq, pk) = (phi(&q), phi(&k));
                if pq.len() != pk.len() {
                    return Err(AttentionError::CheckFailed {
                        what,
                        detail: format!(
                            "phi gave {} and {} features for two inputs of width {d}",
                            pq.len(),
                            pk.len()
                        ),
                    });
                }
                let got: f64 = pq.iter().zip(&pk).map(|(a, b)| *a as f64 * *b as f64).sum();
                let want = quadratic_similarity(&q, &k);
                let rel = (got - want).abs() / want.abs().max(1.0);
                if rel.is_nan() || rel > 1e-4 {
                    return Err(AttentionError::CheckFailed {
                        what,
                        detail: format!(
                            "D = {d}, q = {q:?}, k = {k:?}: phi(q).phi(k) = {got:.6} but (q.k + 1)^2 = {want:.6} (q.k = {:.6}); \
                         remember the sqrt(2) on the cross terms and on the linear terms",
                            dot(&q, &k)
                        ),
                    });
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
    let what = "linear attention";
    checked(what, |report| {
        let (mut cases, mut worst) = (0, 0f64);
        for (i, &(n, l, d, m)) in [(1, 1, 1, 1), (4, 7, 3, 2), (32, 32, 8, 4), (50, 20, 5, 6)]
            .iter()
            .enumerate()
        {
            let (q, _, _) = random_qkv(n, d, m, 10 + i as u64)?;
            let (_, k, v) = random_qkv(l, d, m, 20 + i as u64)?;
            let got = f(&q, &k, &v)?;
            if got.dims() != [n, m] {
                return Err(AttentionError::CheckFailed {
                    what,
                    detail: format!(
                        "output shape {:?}, expected ({n}, {m}) for Q ({n}, {d}), K ({l}, {d}), V ({l}, {m})",
                        got.dims()
                    ),
                });
            }
            let want = kernel_attention(&q, &k, &v, quadratic_similarity, Masking::Full)?;
            let (g, w) = (to_rows(&got)?, to_rows(&want)?);
            let scale = w.iter().fold(0f64, |a, x| a.max(x.abs() as f64)).max(1e-12);
            let diff = g
                .iter()
                .zip(&w)
                .fold(0f64, |a, (x, y)| a.max((x - y).abs() as f64));
            let rel = diff / scale;
            if rel.is_nan() || rel > 1e-4 {
                return Err(AttentionError::CheckFailed {
                    what,
                    detail: format!(
                        "N = {n}, L = {l}, D = {d}, M = {m}: largest relative difference {rel:.2e} from equation (3)"
                    ),
                });
            }
            worst = worst.max(rel);
            cases += 1;
        }
        report.figure("cases", cases as f64);
        report.figure("largest relative error", worst);
        Ok(())
    })
}
