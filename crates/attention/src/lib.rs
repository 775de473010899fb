//! Attention as kernels (homework 6, parts 2 and 3).
//!
//! The story, one file each: softmax attention ([`softmax_attention`],
//! equation (2)) is kernel attention ([`kernel_attention`], equation (3)) with
//! `sim = exp(qᵀk / sqrt(D))`; a kernel with a [`FeatureMap`] `φ` lets
//! equation (3) be regrouped into linear attention ([`linear_attention`],
//! equation (5)), which never forms the `N x L` weights. [`scaled_dot_products`]
//! samples part 2 (why divide by `sqrt(d)`); [`AttentionMethod`] predicts
//! part 3(c)'s costs and [`run_cost_benchmark`] measures them (time, and heap
//! with the [`CountingAllocator`]), on this crate's code or on the
//! notebook's ([`run_cost_benchmark_with`]).
//!
//! The notebook's exercises are the quadratic feature map
//! ([`QuadraticFeatures`]) and linear attention; [`check_quadratic_feature_map`]
//! and [`check_linear_attention`] check them. A student release has
//! `todo!()` in place of this crate's answers to them.
//!
//! Every function takes row-major `f32` candle tensors on the CPU: queries
//! `Q: (N, D)`, keys `K: (L, D)`, values `V: (L, M)`, output `(N, M)`.
//!
//! ```
//! use hw6_attention::prelude::*;
//! use candle_core::{Device, Tensor};
//! let q = Tensor::new(&[[1f32, 0.], [0., 1.]], &Device::Cpu)?;
//! let v = Tensor::new(&[[1f32], [3.]], &Device::Cpu)?;
//! let out = kernel_attention(&q, &q, &v, elu_similarity, Masking::Full)?;
//! // elu(x)+1 features: rows (2, 1) and (1, 2), so row 0 weighs the values
//! // 5 : 4, giving (5 * 1 + 4 * 3) / 9.
//! assert!((out.to_vec2::<f32>()?[0][0] - 17.0 / 9.0).abs() < 1e-6);
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

pub use check::{
    IDENTITIES_PROBLEM, check_linear_attention, check_quadratic_feature_map, check_reference,
    quadratic_kernel_attention,
};
pub use cost::{AttentionMethod, LinearAttentionCode, LinearAttentionFn};
pub use error::{AttentionError, Result};
pub use feature_map::{EluPlusOne, FeatureFn, FeatureMap, QuadraticFeatures};
pub use fit::{Crossover, PowerLaw, ScanPoint, crossover_from_scan, fit_power_law};
pub use inputs::random_qkv;
pub use kernel::{Masking, kernel_attention, kernel_weights};
pub use linear::{causal_linear_attention, linear_attention};
pub use memory::{CountingAllocator, HeapUse, counting_allocator_installed, measure_heap};
pub use scaling::{DotProductStats, ScalingConfig, scaled_dot_products};
pub use similarity::{
    dot, elu_similarity, feature_similarity, quadratic_similarity, softmax_similarity,
};
pub use softmax::{causal_softmax_attention, softmax_attention, softmax_weights};
pub use timing::{CostConfig, CostReport, CostRow, run_cost_benchmark, run_cost_benchmark_with};

/// What notebooks need, with names unique across the hw6 crates.
pub mod prelude {
    pub use crate::{
        AttentionError, AttentionMethod, CostConfig, CostReport, CostRow, Crossover,
        DotProductStats, EluPlusOne, FeatureFn, FeatureMap, IDENTITIES_PROBLEM,
        LinearAttentionCode, Masking, PowerLaw, QuadraticFeatures, ScalingConfig, ScanPoint,
        causal_linear_attention, causal_softmax_attention, check_linear_attention,
        check_quadratic_feature_map, elu_similarity, feature_similarity, fit_power_law,
        kernel_attention, kernel_weights, linear_attention, quadratic_kernel_attention,
        quadratic_similarity, random_qkv, run_cost_benchmark, run_cost_benchmark_with,
        scaled_dot_products, softmax_attention, softmax_similarity, softmax_weights,
    };
    pub use hw6_exercise::{
        CheckReport, Implementation, Unfinished, implementation_to_use, reaches_todo,
    };
}
