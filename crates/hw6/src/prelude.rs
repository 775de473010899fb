//! Everything a notebook needs, in one import: `use hw6::prelude::*;`.

pub use crate::versions;
pub use candle_core::{DType, Device, Tensor};
pub use hw6_datasets::prelude::*;
pub use hw6_viz::prelude::*;
pub use polars::prelude::DataFrame;
pub use polars::df;
