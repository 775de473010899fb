//! Datasets for hw6: synthetic Gaussian data, MNIST / Fashion-MNIST read from
//! IDX files (full download or the bundled sample), Zachary's karate club, and
//! batching.
//!
//! The data flow: a config ([`SyntheticConfig`], [`MnistConfig`]) builds a
//! [`Dataset`] of three [`Split`]s, each a feature [`Matrix`](hw6_linalg::Matrix) with one label
//! per row; [`epoch_batches`] says which rows form each mini-batch, and
//! [`Matrix::gather`](hw6_linalg::Matrix::gather) copies them out.
//!
//! ```
//! use hw6_datasets::prelude::*;
//! use hw6_linalg::Matrix;
//! let data = SyntheticConfig { samples: 1_000, ..SyntheticConfig::default() }.build()?;
//! let mut x = Matrix::default();
//! for rows in epoch_batches(data.train.len(), 100, Order::Shuffled { seed: 0 }, 0)? {
//!     x.gather(data.train.features().view(), &rows)?;
//!     assert_eq!(x.shape(), (100, 100));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Data sets and their splits.
mod dataset;
mod error;
mod split;
mod synthetic;

// MNIST: the file format, where copies are found, loading, downloading.
mod checksums;
mod fetch;
mod idx;
mod idx_write;
mod locate;
mod mnist;
mod stream;
mod temp_file;

// The karate club graph.
mod karate;
mod karate_parse;

// Mini-batches.
mod batching;

pub use batching::{Order, epoch_batches};
pub use checksums::{
    SUMS_FILE, is_bundled_sample_file, parse_sha256sums, sha256_file, verify_listed,
};
pub use dataset::{DataSource, Dataset, SplitKind};
pub use error::DataError;
pub use fetch::{
    FetchReport, FetchStatus, FetchTimeouts, MNIST_MIRRORS, MNIST_PUBLISHED, OFFLINE_ADVICE,
    PublishedFile, mnist_raw_dir, sha256_hex, verify_mnist_dir,
};
#[cfg(feature = "download")]
pub use fetch::{agent_config, fetch_mnist, fetch_mnist_from};
pub use idx::{IdxType, IdxU8, MAX_IDX_BYTES, parse_idx_u8, read_idx_u8, read_idx_u8_from};
pub use idx_write::{encode_idx_u8, encode_idx_u8_gz, write_idx_u8};
pub use karate::{
    Club, EDGES_FILE, KarateClub, MEMBERS_FILE, Member, ZACHARY_MEMBERS, ZACHARY_TIES, load_karate,
};
pub use locate::{
    DATA_DIR_ENV, DEBIAN_FASHION_MNIST_DIR, DirScan, Located, MNIST_FILE_NAMES, MnistFiles,
    SAMPLE_DIR_NAME, bundled_sample_dirs, candidate_dirs, check_data_dir, default_data_dir,
    locate_mnist, scan_dir,
};
pub use mnist::{
    MNIST_CLASSES, MnistConfig, MnistKind, images_and_labels_to_split, read_images_and_labels,
};
pub use split::{Moments, Split};
pub use stream::GZIP_MAGIC;
pub use synthetic::{MAX_INPUT_SIZE, MAX_VALUES, SyntheticConfig, SyntheticDataset};

/// What notebooks need: `use hw6_datasets::prelude::*;` (also re-exported by
/// `hw6::prelude`).
pub mod prelude {
    pub use crate::{
        Club, DataError, DataSource, Dataset, KarateClub, Member, MnistConfig, MnistKind, Moments,
        Order, Split, SplitKind, SyntheticConfig, SyntheticDataset, default_data_dir,
        epoch_batches, load_karate,
    };
}
