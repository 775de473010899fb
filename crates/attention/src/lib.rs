//! Attention as kernels (homework 6, parts 2 and 3).
//!
//! The story, one file each: softmax attention ([`softmax_attention`],
//! equation (2)) is kernel attention ([`kernel_attention`], equation (3)) with
//! `sim = exp(qᵀk / sqrt(D))`; a kernel with a [`FeatureMap`] `φ` lets
//! equation (3) be regrouped into linear attention ([`linear_attention`],
//! equation (5)), `O(N)` instead of `O(N²)`. [`scaled_dot_products`] samples
//! part 2 (why divide by `sqrt(d)`); [`AttentionMethod`] predicts part 3(c)'s
//! costs and [`run_cost_benchmark`] measures them (time, and heap with the
//! [`CountingAllocator`]).
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

mod check;
mod cost;
mod error;
mod feature_map;
mod fit;
mod inputs;
mod kernel;
mod linear;
mod memory;
mod scaling;
mod shapes;
mod similarity;
mod softmax;
mod timing;

pub use check::{check_linear_attention, check_quadratic_feature_map};
pub use cost::AttentionMethod;
pub use error::{AttentionError, Result};
pub use feature_map::{EluPlusOne, FeatureMap, QuadraticFeatures};
pub use fit::{Crossover, PowerLaw, ScanPoint, crossover_from_scan, fit_power_law};
pub use inputs::random_qkv;
pub use kernel::{Masking, kernel_attention, kernel_weights};
pub use linear::{causal_linear_attention, linear_attention};
pub use memory::{CountingAllocator, HeapUse, counting_allocator_installed, measure_heap};
pub use scaling::{DotProductStats, ScalingConfig, scaled_dot_products};
pub use similarity::{dot, elu_similarity, quadratic_similarity, softmax_similarity};
pub use softmax::{causal_softmax_attention, softmax_attention, softmax_weights};
pub use timing::{CostConfig, CostReport, CostRow, run_cost_benchmark};

/// What notebooks need, with names unique across the hw6 crates.
pub mod prelude {
    pub use crate::{
        AttentionError, AttentionMethod, CostConfig, CostReport, CostRow, Crossover,
        DotProductStats, EluPlusOne, FeatureMap, Masking, PowerLaw, QuadraticFeatures,
        ScalingConfig, ScanPoint, causal_linear_attention, causal_softmax_attention,
        check_linear_attention, check_quadratic_feature_map, elu_similarity, fit_power_law,
        kernel_attention, kernel_weights, linear_attention, quadratic_similarity, random_qkv,
        run_cost_benchmark, scaled_dot_products, softmax_attention, softmax_similarity,
        softmax_weights,
    };
    pub use hw6_exercise::{CheckReport, Implementation, implementation_to_use};
}
