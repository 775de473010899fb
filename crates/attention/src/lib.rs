//! Attention as kernels (homework 6, parts 2 and 3).
//!
//! The story, one file each: [`softmax`] attention (equation (2)) is
//! [`kernel`] attention (equation (3)) with `sim = exp(qᵀk / sqrt(D))`; a
//! kernel with a [`feature_map`] `φ` lets equation (3) be regrouped into
//! [`linear`] attention (equation (5)), `O(N)` instead of `O(N²)`. The
//! [`scaling`] experiment measures part 2 (why divide by `sqrt(d)`), and
//! [`cost`] measures part 3(c) (time and [`memory`] against `N`).
//!
//! Every function takes row-major `f32` candle tensors on the CPU: queries
//! `Q: (N, D)`, keys `K: (L, D)`, values `V: (L, M)`, output `(N, M)`.
//!
//! ```
//! use hw6_attention::prelude::*;
//! use candle_core::{Device, Tensor};
//! let q = Tensor::new(&[[1f32, 0.], [0., 1.]], &Device::Cpu)?;
//! let v = Tensor::new(&[[1f32], [3.]], &Device::Cpu)?;
//! let out = linear_attention(&q, &q, &v, &QuadraticFeatures)?;
//! // (q.k + 1)^2 weights: row 0 is (4 * 1 + 1 * 3) / (4 + 1) = 1.4
//! assert!((out.to_vec2::<f32>()?[0][0] - 1.4).abs() < 1e-6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod check;
pub mod cost;
pub mod error;
pub mod feature_map;
pub mod kernel;
pub mod linear;
pub mod memory;
pub mod scaling;
pub mod shapes;
pub mod similarity;
pub mod softmax;

/// What notebooks need, with names unique across the hw6 crates.
pub mod prelude {
    pub use crate::check::{check_linear_attention, check_quadratic_feature_map};
    pub use crate::cost::{
        CostConfig, CostReport, CostRow, Crossover, Method as AttentionMethod, PowerLaw, ScanPoint,
        fit_power_law, random_qkv, run_cost_benchmark,
    };
    pub use crate::error::AttentionError;
    pub use crate::feature_map::{EluPlusOne, FeatureMap, QuadraticFeatures};
    pub use crate::kernel::{Masking, kernel_attention, kernel_weights};
    pub use crate::linear::{causal_linear_attention, linear_attention};
    pub use crate::memory::{
        CountingAllocator, HeapUse, counting_allocator_installed, measure_heap,
    };
    pub use crate::scaling::{DotProductStats, ScalingConfig, scaled_dot_products};
    pub use crate::similarity::{quadratic_similarity, softmax_similarity};
    pub use crate::softmax::{causal_softmax_attention, softmax_attention, softmax_weights};
    pub use hw6_exercise::{CheckReport, Implementation, implementation_to_use};
}
