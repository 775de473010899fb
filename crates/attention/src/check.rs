//! Checkers for the notebook's exercises. Each runs the notebook's code on
//! seeded inputs and compares it with values of this crate's reference,
//! which a student release reads from its fixtures
//! ([`hw6_exercise::expected`]); where a mistake can be told apart from the
//! numbers, the message names it. A `todo!()` fails the check instead of
//! panicking ([`hw6_exercise::checked`]).

use crate::error::{AttentionError, Result};
use crate::feature_map::{EluPlusOne, FeatureMap, QuadraticFeatures};
use crate::inputs::random_qkv;
use crate::kernel::{Masking, kernel_attention};
use crate::linear::linear_attention;
use crate::shapes::to_rows;
use crate::similarity::{feature_similarity, quadratic_similarity};
use candle_core::Tensor;
use hw6_exercise::{CheckFailure, CheckReport, checked, expected, expected_on};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

const FEATURE_MAP: &str = "quadratic feature map (3(b) ii)";
const LINEAR: &str = "linear attention";

/// Relative error up to which a check accepts a value.
const TOLERANCE: f64 = 1e-4;

/// Expected values are recorded as their bit patterns: exact, and no
/// number in the fixtures can read as an answer of a written question.
fn bits64(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

fn from_bits64(bits: &[u64]) -> Vec<f64> {
    bits.iter().map(|&b| f64::from_bits(b)).collect()
}

fn bits32(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

fn from_bits32(bits: &[u32]) -> Vec<f32> {
    bits.iter().map(|&b| f32::from_bits(b)).collect()
}

/// The feature map check's `(q, k)` pairs: three probes of width 1 (zero,
/// equal, opposite), then 20 seeded pairs for each `D` from 1 to 8 and 16.
fn feature_map_pairs() -> Vec<(Vec<f32>, Vec<f32>)> {
    let mut pairs = vec![
        (vec![0.0], vec![0.0]),
        (vec![1.0], vec![1.0]),
        (vec![1.0], vec![-1.0]),
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(182);
    for d in (1..=8).chain([16]) {
        for _ in 0..20 {
            let mut row = || -> Vec<f32> { (0..d).map(|_| rng.sample(StandardNormal)).collect() };
            pairs.push((row(), row()));
        }
    }
    pairs
}

fn inner(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
}

fn differs(got: f64, want: f64) -> bool {
    let rel = (got - want).abs() / want.abs().max(1.0);
    rel.is_nan() || rel > TOLERANCE
}

/// What the three width-1 probes say about a wrong map: `got` and `want` are
/// `φ(q)·φ(k)` and the kernel at (0, 0), (1, 1) and (1, -1).
fn probe_mistake(got: &[f64], want: &[f64]) -> Option<String> {
    if differs(got[0], want[0]) {
        return Some(format!(
            "with D = 1, φ(0)·φ(0) = {:.4} but the kernel of 3(b) i at q = k = 0 is {:.4}: the constant feature is wrong or missing",
            got[0], want[0]
        ));
    }
    // Flipping the sign of k changes only the odd (linear) terms.
    let odd = |v: &[f64]| (v[1] - v[2]) / 2.0;
    if differs(odd(got), odd(want)) {
        return Some(format!(
            "with D = 1, the linear features are off: half the change of φ(q)·φ(k) from q = k = 1 to q = 1, k = -1 (which only the linear terms make) is {:.4}, the kernel's is {:.4}; check the linear features and their scale",
            odd(got),
            odd(want)
        ));
    }
    let even = |v: &[f64]| (v[1] + v[2]) / 2.0 - v[0];
    if differs(even(got), even(want)) {
        return Some(format!(
            "with D = 1, the square features are off: they add {:.4} to φ(q)·φ(k) at q = k = 1 where the kernel's even part adds {:.4}",
            even(got),
            even(want)
        ));
    }
    None
}

/// Checks a quadratic feature map `phi` (one row in, its features out):
/// `phi(q)·phi(k)` must equal the quadratic kernel of part 3(b) i, to 1e-4
/// relative, on three probes of width 1 and on seeded random pairs of
/// widths 1 to 8 and 16.
pub fn check_quadratic_feature_map(phi: impl Fn(&[f32]) -> Vec<f32>) -> Result<CheckReport> {
    let fail = |reason: String| -> AttentionError { CheckFailure::new(FEATURE_MAP, reason).into() };
    checked(FEATURE_MAP, |report| {
        let pairs = feature_map_pairs();
        let want = from_bits64(&expected("attention.quadratic_features.kernel", || {
            let kernel: Vec<f64> = pairs
                .iter()
                .map(|(q, k)| quadratic_similarity(q, k))
                .collect();
            Ok::<_, AttentionError>(bits64(&kernel))
        })?);
        let mut got = Vec::with_capacity(pairs.len());
        for (q, k) in &pairs {
            let (pq, pk) = (phi(q), phi(k));
            if pq.len() != pk.len() {
                let d = q.len();
                let (a, b) = (pq.len(), pk.len());
                return Err(fail(format!(
                    "φ gave {a} and {b} features for two inputs of width {d}: its length must depend on D only"
                )));
            }
            got.push(inner(&pq, &pk));
        }
        if let Some(mistake) = probe_mistake(&got[..3], &want[..3]) {
            return Err(fail(mistake));
        }
        let mut worst = 0f64;
        for (((q, k), &g), &w) in pairs.iter().zip(&got).zip(&want).skip(3) {
            if differs(g, w) {
                let d = q.len();
                let place = format!(
                    "D = {d}, q = {q:?}, k = {k:?}: φ(q)·φ(k) = {g:.6} but the kernel is {w:.6}"
                );
                return Err(fail(if d == 1 {
                    format!("{place}; check each feature against the kernel's expansion for D = 1")
                } else {
                    format!(
                        "right for D = 1 but not for D = {d}: {place}; check the features that mix two coordinates (and their scale) and that every coordinate is used"
                    )
                }));
            }
            worst = worst.max((g - w).abs() / w.abs().max(1.0));
        }
        report.figure("cases", pairs.len() as f64);
        report.figure("largest relative error", worst);
        Ok(())
    })
}

/// `φ(x) = [1, exp(x_1), ..., exp(x_D)]`: a positive map of width `D + 1`
/// that no exercise asks for, so the linear attention check does not depend
/// on the quadratic one.
#[derive(Debug, Clone, Copy)]
struct OnePlusExp;

impl FeatureMap for OnePlusExp {
    fn name(&self) -> &'static str {
        "[1, exp(x)]"
    }

    fn dim(&self, d: usize) -> usize {
        d + 1
    }

    fn map_into(&self, x: &[f32], out: &mut [f32]) {
        out[0] = 1.0;
        for (o, xi) in out[1..].iter_mut().zip(x) {
            *o = xi.exp();
        }
    }
}

/// One problem of the linear attention check.
struct LinearCase {
    /// `(N, L, D, M)`.
    sizes: [usize; 4],
    map: &'static dyn FeatureMap,
    /// Seeded `Q: (N, D)`, `K: (L, D)`, `V: (L, M)`.
    qkv: [Tensor; 3],
}

/// The linear attention check's problems, each shape with each feature map.
/// The case with `M = 1` comes last (every row is proportional to the right
/// one there, so it cannot tell a normaliser mistake).
fn linear_cases() -> Result<Vec<LinearCase>> {
    let shapes = [(4, 7, 3, 2), (32, 32, 8, 4), (50, 20, 5, 6), (1, 1, 1, 1)];
    let maps: [&'static dyn FeatureMap; 2] = [&EluPlusOne, &OnePlusExp];
    let mut cases = Vec::new();
    for (i, &(n, l, d, m)) in shapes.iter().enumerate() {
        for (j, &map) in maps.iter().enumerate() {
            let seed = 10 * i as u64 + j as u64;
            let (q, _, _) = random_qkv(n, d, m, 100 + seed)?;
            let (_, k, v) = random_qkv(l, d, m, 200 + seed)?;
            cases.push(LinearCase {
                sizes: [n, l, d, m],
                map,
                qkv: [q, k, v],
            });
        }
    }
    Ok(cases)
}

/// Whether each row of `got` is its row of `want` times a factor (not all
/// 1): what a missing or wrong normaliser gives. `m` values per row, `m >= 2`.
fn rows_scaled(got: &[f32], want: &[f32], m: usize) -> bool {
    let mut factors = Vec::new();
    for (g, w) in got.chunks_exact(m).zip(want.chunks_exact(m)) {
        let (gw, ww) = (inner(g, w), inner(w, w));
        if ww == 0.0 {
            continue;
        }
        let c = gw / ww;
        let off = g
            .iter()
            .zip(w)
            .fold(0f64, |a, (x, y)| a.max((*x as f64 - c * *y as f64).abs()));
        let scale = w.iter().fold(0f64, |a, y| a.max(y.abs() as f64)).max(1e-12);
        if off / scale > 1e-3 {
            return false;
        }
        factors.push(c);
    }
    m >= 2 && factors.iter().any(|c| (c - 1.0).abs() > 1e-3)
}

/// How far `out`, the notebook's output for `case`, is from `want` (relative
/// to its largest entry), or what is wrong with it.
fn compare_linear(
    case: &LinearCase,
    out: &Tensor,
    want: &[f32],
) -> std::result::Result<f64, String> {
    let [n, l, d, m] = case.sizes;
    if out.dims() != [n, m] {
        return Err(format!(
            "output shape {:?}, expected ({n}, {m}) for Q ({n}, {d}), K ({l}, {d}), V ({l}, {m})",
            out.dims()
        ));
    }
    let got = to_rows(out).map_err(|e| e.to_string())?;
    let scale = want
        .iter()
        .fold(0f64, |a, x| a.max(x.abs() as f64))
        .max(1e-12);
    let rel = hw6_linalg::max_abs_diff(&got, want) as f64 / scale;
    if rel.is_nan() || rel > TOLERANCE {
        let why = if rows_scaled(&got, want, m) {
            "each output row is the right row times a factor: the normaliser φ(Q_i)ᵀz is missing or wrong (divide φ(Q) S by φ(Q) z, row by row)".to_string()
        } else {
            format!("first row: got {:?}, expected {:?}", &got[..m], &want[..m])
        };
        return Err(format!(
            "largest relative difference {rel:.2e} from equation (3) with the kernel φ(q)·φ(k); {why}"
        ));
    }
    Ok(rel)
}

/// Checks a linear attention `f(Q, K, V, φ)`: its output must equal
/// equation (3) with the kernel `φ(q)·φ(k)` to 1e-4 relative, for two
/// feature maps (elu+1 and `[1, exp(x)]`) on seeded problems of several
/// shapes including `N != L`.
pub fn check_linear_attention(
    f: impl Fn(&Tensor, &Tensor, &Tensor, &dyn FeatureMap) -> Result<Tensor>,
) -> Result<CheckReport> {
    checked(LINEAR, |report| {
        let cases = linear_cases()?;
        let recorded: Vec<Vec<u32>> = expected("attention.linear_attention.outputs", || {
            let reference = |c: &LinearCase| {
                let [q, k, v] = &c.qkv;
                let sim = feature_similarity(c.map);
                Ok(bits32(&to_rows(&kernel_attention(
                    q,
                    k,
                    v,
                    sim,
                    Masking::Full,
                )?)?))
            };
            cases.iter().map(reference).collect::<Result<_>>()
        })?;
        let want: Vec<Vec<f32>> = recorded.iter().map(|b| from_bits32(b)).collect();
        let mut worst = 0f64;
        for (case, want) in cases.iter().zip(&want) {
            let [n, l, d, m] = case.sizes;
            let problem = format!(
                "N = {n}, L = {l}, D = {d}, M = {m}, φ = {}",
                case.map.name()
            );
            let [q, k, v] = &case.qkv;
            let rel = f(q, k, v, case.map)
                .map_err(|e| format!("your code returned an error: {e}"))
                .and_then(|out| compare_linear(case, &out, want))
                .map_err(|why| CheckFailure::new(LINEAR, format!("{problem}: {why}")))?;
            worst = worst.max(rel);
        }
        report.figure("cases", cases.len() as f64);
        report.figure("largest relative error", worst);
        Ok(())
    })
}

/// Equation (3) with the quadratic kernel of part 3(b) i on
/// [`random_qkv`]`(n, d, m, seed)`: the reference the notebook compares its
/// linear attention with. In a student release the value is the one
/// recorded for the notebook's inputs (others are an error).
///
/// # Shapes
/// -> `(n, m)`.
pub fn quadratic_kernel_attention(n: usize, d: usize, m: usize, seed: u64) -> Result<Tensor> {
    let rows = expected_on(
        "attention.identities.quadratic_kernel",
        &(n, d, m, seed),
        || {
            let (q, k, v) = random_qkv(n, d, m, seed)?;
            let out = kernel_attention(&q, &k, &v, quadratic_similarity, Masking::Full)?;
            Ok::<_, AttentionError>(bits32(&to_rows(&out)?))
        },
    )?;
    Ok(Tensor::from_vec(
        from_bits32(&rows),
        (n, m),
        &candle_core::Device::Cpu,
    )?)
}

/// The notebook's inputs of [`quadratic_kernel_attention`]: `(N, D, M, seed)`.
pub const IDENTITIES_PROBLEM: (usize, usize, usize, u64) = (200, 8, 4, 0);

/// Every check of the notebook run with this crate's reference as the
/// notebook's code, and every fixture value the notebook reads: what the
/// release command records (under [`hw6_exercise::recording`]).
pub fn check_reference() -> Result<Vec<CheckReport>> {
    let (n, d, m, seed) = IDENTITIES_PROBLEM;
    quadratic_kernel_attention(n, d, m, seed)?;
    Ok(vec![
        check_quadratic_feature_map(|x| QuadraticFeatures.map_row(x))?,
        check_linear_attention(|q, k, v, phi| linear_attention(q, k, v, phi))?,
    ])
}
