//! The attention forms part 3(c) compares, what each is predicted to cost
//! (multiply-adds and buffer bytes, counted from its algorithm: the
//! benchmark's "predicted" columns), and the quadratic reference each must
//! agree with.
//!
//! The linear forms run a [`LinearAttentionCode`]: the notebook's own linear
//! attention and quadratic feature map, or this crate's
//! ([`LinearAttentionCode::reference`], what `hw6 attention` times).

use crate::error::Result;
use crate::feature_map::{EluPlusOne, FeatureMap, QuadraticFeatures};
use crate::kernel::{Masking, kernel_attention};
use crate::linear::linear_attention;
use crate::similarity::{elu_similarity, feature_similarity, softmax_similarity};
use crate::softmax::softmax_attention;
use candle_core::Tensor;
use serde::Serialize;

/// A linear attention that takes its feature map, `(Q, K, V, φ) -> V'`.
///
/// # Shapes
/// `Q: (N, D)`, `K: (L, D)`, `V: (L, M)` -> `(N, M)`.
pub type LinearAttentionFn<'a> =
    dyn Fn(&Tensor, &Tensor, &Tensor, &dyn FeatureMap) -> Result<Tensor> + 'a;

/// The code the linear methods run: a linear attention and the quadratic
/// feature map of part 3(b) ii.
#[derive(Clone, Copy)]
pub struct LinearAttentionCode<'a> {
    /// Equation (5) for a given feature map.
    pub attention: &'a LinearAttentionFn<'a>,
    /// The quadratic feature map ([`AttentionMethod::LinearQuadratic`]).
    pub quadratic: &'a dyn FeatureMap,
}

fn reference_linear(q: &Tensor, k: &Tensor, v: &Tensor, phi: &dyn FeatureMap) -> Result<Tensor> {
    linear_attention(q, k, v, phi)
}

impl LinearAttentionCode<'static> {
    /// This crate's [`linear_attention`] and [`QuadraticFeatures`].
    pub fn reference() -> Self {
        Self {
            attention: &reference_linear,
            quadratic: &QuadraticFeatures,
        }
    }
}

impl std::fmt::Debug for LinearAttentionCode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "LinearAttentionCode {{ quadratic: {:?} }}",
            self.quadratic.name()
        )
    }
}

/// The attention forms whose cost part 3(c) compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AttentionMethod {
    /// Equation (2).
    Softmax,
    /// Equation (5) with the quadratic feature map.
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

    /// Feature width `C` for query width `d` with this crate's feature maps
    /// (`None` for softmax).
    pub fn features(self, d: usize) -> Option<usize> {
        self.features_with(d, LinearAttentionCode::reference())
    }

    /// Feature width `C` for query width `d` with `code`'s feature maps.
    pub fn features_with(self, d: usize, code: LinearAttentionCode<'_>) -> Option<usize> {
        match self {
            Self::Softmax => None,
            Self::LinearQuadratic => Some(code.quadratic.dim(d)),
            Self::LinearElu => Some(EluPlusOne.dim(d)),
        }
    }

    /// Predicted multiply-adds for `n` queries and keys, with this crate's
    /// feature maps.
    pub fn predicted_flops(self, n: usize, d: usize, m: usize) -> f64 {
        predicted_flops(self.features(d), n, d, m)
    }

    /// Bytes of the buffers the algorithm allocates beyond its inputs, at
    /// their peak (f32 = 4 bytes), with this crate's feature maps.
    pub fn model_bytes(self, n: usize, d: usize, m: usize) -> u64 {
        model_bytes(self.features(d), n, d, m)
    }

    /// Runs this crate's implementation once.
    ///
    /// # Shapes
    /// `q: (N, D)`, `k: (L, D)`, `v: (L, M)` -> `(N, M)`.
    pub fn run(self, q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
        self.run_with(q, k, v, LinearAttentionCode::reference())
    }

    /// Runs the method once, the linear forms with `code`.
    ///
    /// # Shapes
    /// As [`AttentionMethod::run`].
    pub fn run_with(
        self,
        q: &Tensor,
        k: &Tensor,
        v: &Tensor,
        code: LinearAttentionCode<'_>,
    ) -> Result<Tensor> {
        match self {
            Self::Softmax => softmax_attention(q, k, v),
            Self::LinearQuadratic => (code.attention)(q, k, v, code.quadratic),
            Self::LinearElu => (code.attention)(q, k, v, &EluPlusOne),
        }
    }

    /// The quadratic-time reference (equation (3)) this method must agree
    /// with, the quadratic form with the kernel of `code`'s feature map.
    ///
    /// # Shapes
    /// As [`AttentionMethod::run`].
    pub fn reference_with(
        self,
        q: &Tensor,
        k: &Tensor,
        v: &Tensor,
        code: LinearAttentionCode<'_>,
    ) -> Result<Tensor> {
        let d = q.dims2()?.1;
        match self {
            Self::Softmax => kernel_attention(q, k, v, softmax_similarity(d), Masking::Full),
            Self::LinearQuadratic => {
                kernel_attention(q, k, v, feature_similarity(code.quadratic), Masking::Full)
            }
            Self::LinearElu => kernel_attention(q, k, v, elu_similarity, Masking::Full),
        }
    }
}

/// Predicted multiply-adds of `n` queries against `n` keys: the score
/// matrix and the weighted sum for softmax (`c = None`), the feature
/// matrices' products for a linear form with `c` features.
pub(crate) fn predicted_flops(c: Option<usize>, n: usize, d: usize, m: usize) -> f64 {
    let (n, d, m) = (n as f64, d as f64, m as f64);
    match c {
        None => n * n * (d + m),
        Some(c) => 2.0 * n * c as f64 * (m + 1.0),
    }
}

/// Peak bytes of an algorithm's own buffers (f32 = 4 bytes).
///
/// Softmax (`c = None`): scaled Q `(N, D)`, scores `(N, N)` and their
/// softmax `(N, N)` alive together, then the output `(N, M)`. Linear: φ(Q),
/// φ(K) `(N, C)` with the row copies they are made from `(N, D)`, S `(C, M)`,
/// z `(C,)`, numerator and output `(N, M)`, denominator `(N,)`.
pub(crate) fn model_bytes(c: Option<usize>, n: usize, d: usize, m: usize) -> u64 {
    let f = 4u64;
    let (n, d, m) = (n as u64, d as u64, m as u64);
    match c {
        None => f * (n * d + 2 * n * n + n * m),
        Some(c) => {
            let c = c as u64;
            f * (2 * n * c + n * d + c * m + c + 2 * n * m + n)
        }
    }
}
