//! Which rows go into which mini-batch, epoch by epoch.
//!
//! Like the original notebook's loops (`num_batches = n // batch_size`), an
//! epoch is `n / batch_size` full batches; the `n % batch_size` rows left over
//! are skipped in that epoch (with shuffling, different rows each epoch).
//!
//! ```
//! use hw6_datasets::{epoch_batches, Order};
//! let batches = epoch_batches(10, 4, Order::Sequential, 0)?;
//! assert_eq!(batches, vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7]]);
//! let a = epoch_batches(10, 4, Order::Shuffled { seed: 7 }, 3)?;
//! let b = epoch_batches(10, 4, Order::Shuffled { seed: 7 }, 3)?;
//! assert_eq!(a, b); // same seed and epoch, same batches
//! # Ok::<(), hw6_datasets::DataError>(())
//! ```

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::DataError;

/// The order in which an epoch visits the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Rows `0, 1, 2, ...` every epoch (the synthetic notebook's `get_batch`).
    Sequential,
    /// A fresh permutation each epoch, determined by `seed` and the epoch
    /// number (like a shuffling `DataLoader`, but reproducible).
    Shuffled {
        /// The seed; epoch `e` uses ChaCha8 stream `e` of this seed.
        seed: u64,
    },
}

/// The row indices of every batch of one epoch.
///
/// Returns `n / batch_size` batches of exactly `batch_size` indices each, all
/// distinct and below `n`.
///
/// # Errors
/// If `batch_size` is 0 or larger than `n` (there would be no full batch).
pub fn epoch_batches(
    n: usize,
    batch_size: usize,
    order: Order,
    epoch: usize,
) -> Result<Vec<Vec<usize>>, DataError> {
    if batch_size == 0 {
        return Err(DataError::invalid(
            "batch_size",
            "is 0; use a batch size of at least 1",
        ));
    }
    if batch_size > n {
        return Err(DataError::invalid(
            "batch_size",
            format!(
                "{batch_size} is larger than the {n} rows available, so there is no full batch; use at most {n}"
            ),
        ));
    }
    let mut order_of_rows: Vec<usize> = (0..n).collect();
    if let Order::Shuffled { seed } = order {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(epoch as u64);
        order_of_rows.shuffle(&mut rng);
    }
    let batches = n / batch_size;
    Ok(order_of_rows
        .chunks_exact(batch_size)
        .take(batches)
        .map(<[usize]>::to_vec)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_is_consecutive_and_drops_the_tail() {
        let b = epoch_batches(7, 3, Order::Sequential, 5).unwrap();
        assert_eq!(b, vec![vec![0, 1, 2], vec![3, 4, 5]]);
    }

    #[test]
    fn bad_batch_sizes_fail() {
        assert!(epoch_batches(7, 0, Order::Sequential, 0).is_err());
        assert!(epoch_batches(7, 8, Order::Sequential, 0).is_err());
        assert!(epoch_batches(7, 7, Order::Sequential, 0).is_ok());
    }
}
