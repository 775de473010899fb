//! Everything a notebook needs, in one import: `use hw6::prelude::*;`.
//!
//! Each library crate has a prelude of its own; this one gathers them, plus
//! the candle and polars names the notebooks use.

pub use crate::versions;
pub use candle_core::{DType, Device, Tensor};
pub use hw6_attention::prelude::*;
pub use hw6_datasets::prelude::*;
pub use hw6_decoding::prelude::*;
pub use hw6_exercise::{CheckReport, Implementation, implementation_to_use};
pub use hw6_graph::prelude::*;
pub use hw6_models::prelude::*;
pub use hw6_viz::prelude::*;
pub use polars::df;
pub use polars::prelude::DataFrame;
