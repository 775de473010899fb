//! Part 3(c) on paper: what each attention form costs, predicted from its
//! algorithm, and the quadratic reference each must agree with.
//!
//! Multiply-adds for `N` queries and `L = N` keys:
//! softmax `N² (D + M)`, linear `2 N C (M + 1)` with `C = (D+1)(D+2)/2` for
//! the quadratic map. Linear wins once `N` exceeds about `D²`.

use crate::error::Result;
use crate::feature_map::{EluPlusOne, FeatureMap, QuadraticFeatures};
use crate::kernel::{Masking, kernel_attention};
use crate::linear::linear_attention;
use crate::similarity::{elu_similarity, quadratic_similarity, softmax_similarity};
use crate::softmax::softmax_attention;
use candle_core::Tensor;
use serde::Serialize;

/// The attention forms whose cost part 3(c) compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AttentionMethod {
    /// Equation (2).
    Softmax,
    /// Equation (5) with [`QuadraticFeatures`].
    LinearQuadratic,
    /// Equation (5) with [`EluPlusOne`].
    LinearElu,
}

impl AttentionMethod {
    /// All methods, in report order.
    pub const ALL: [AttentionMethod; 3] = [Self::Softmax, Self::LinearQuadratic, Self::LinearElu];

    /// Name used in tables, JSON and charts.
    pub fn name(self) -> &'static str {
        match self {
            Self::Softmax => "softmax",
            Self::LinearQuadratic => "linear (quadratic)",
            Self::LinearElu => "linear (elu+1)",
        }
    }

    /// Feature width `C` for query width `d` (`None` for softmax).
    pub fn features(self, d: usize) -> Option<usize> {
        match self {
            Self::Softmax => None,
            Self::LinearQuadratic => Some(QuadraticFeatures.dim(d)),
            Self::LinearElu => Some(EluPlusOne.dim(d)),
        }
    }

    /// Predicted multiply-adds for `n` queries and keys.
    pub fn predicted_flops(self, n: usize, d: usize, m: usize) -> f64 {
        let (n, d, m) = (n as f64, d as f64, m as f64);
        match self.features(d as usize) {
            None => n * n * (d + m),
            Some(c) => 2.0 * n * c as f64 * (m + 1.0),
        }
    }

    /// Bytes of the buffers the algorithm allocates beyond its inputs, at
    /// their peak (f32 = 4 bytes).
    ///
    /// Softmax: scaled Q `(N, D)`, scores `(N, N)` and their softmax `(N, N)`
    /// alive together, then the output `(N, M)`. Linear: φ(Q), φ(K) `(N, C)`
    /// with the row copies they are made from `(N, D)`, S `(C, M)`, z `(C,)`,
    /// numerator and output `(N, M)`, denominator `(N,)`.
    pub fn model_bytes(self, n: usize, d: usize, m: usize) -> u64 {
        let f = 4u64;
        let (n, d, m) = (n as u64, d as u64, m as u64);
        match self.features(d as usize) {
            None => f * (n * d + 2 * n * n + n * m),
            Some(c) => {
                let c = c as u64;
                f * (2 * n * c + n * d + c * m + c + 2 * n * m + n)
            }
        }
    }

    /// Runs the method once.
    ///
    /// # Shapes
    /// `q: (N, D)`, `k: (L, D)`, `v: (L, M)` -> `(N, M)`.
    pub fn run(self, q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
        match self {
            Self::Softmax => softmax_attention(q, k, v),
            Self::LinearQuadratic => linear_attention(q, k, v, &QuadraticFeatures),
            Self::LinearElu => linear_attention(q, k, v, &EluPlusOne),
        }
    }

    /// The quadratic-time reference (equation (3)) this method must agree with.
    ///
    /// # Shapes
    /// As [`AttentionMethod::run`].
    pub fn reference(self, q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
        let d = q.dims2()?.1;
        match self {
            Self::Softmax => kernel_attention(q, k, v, softmax_similarity(d), Masking::Full),
            Self::LinearQuadratic => kernel_attention(q, k, v, quadratic_similarity, Masking::Full),
            Self::LinearElu => kernel_attention(q, k, v, elu_similarity, Masking::Full),
        }
    }
}
