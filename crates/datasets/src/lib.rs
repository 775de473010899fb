//! Datasets for hw6: synthetic Gaussian data, MNIST / Fashion-MNIST read from
//! IDX files (full download or the bundled sample), Zachary's karate club, and
//! batching.
//!
//! The data flow: a config ([`synthetic::SyntheticConfig`],
//! [`mnist::MnistConfig`]) builds a [`split::Dataset`] of three
//! [`split::Split`]s; [`batching::epoch_batches`] says which rows form each
//! mini-batch; [`split::Split::batch`] turns them into candle tensors.
//!
//! ```
//! use hw6_datasets::prelude::*;
//! let data = SyntheticConfig { samples: 1_000, ..SyntheticConfig::default() }.build()?;
//! let device = hw6_datasets::candle_core::Device::Cpu;
//! for rows in epoch_batches(data.train.len(), 100, Order::Shuffled { seed: 0 }, 0)? {
//!     let (x, y) = data.train.batch(&rows, &device)?; // (100, 100) f32, (100,) u32
//!     assert_eq!(x.dims(), &[100, 100]);
//!     assert_eq!(y.dims(), &[100]);
//! }
//! # Ok::<(), DataError>(())
//! ```

pub use candle_core;

// Data sets and their splits.
pub mod error;
pub mod split;
pub mod synthetic;

// MNIST: the file format, where copies are found, loading, downloading.
pub mod checksums;
pub mod fetch;
pub mod idx;
pub mod locate;
pub mod mnist;
mod temp_file;

// The karate club graph (owned by the graph module's author).
pub mod karate;

// Mini-batches.
pub mod batching;

/// What notebooks need: `use hw6_datasets::prelude::*;` (also re-exported by
/// `hw6::prelude`).
pub mod prelude {
    pub use crate::batching::{Order, epoch_batches};
    pub use crate::error::DataError;
    pub use crate::karate::{Club, KarateClub, Member, load_karate};
    pub use crate::locate::default_data_dir;
    pub use crate::mnist::{MnistConfig, MnistKind};
    pub use crate::split::{DataSource, Dataset, Split, SplitKind};
    pub use crate::synthetic::{SyntheticConfig, SyntheticDataset};
}
