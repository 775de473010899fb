//! A data set and its three splits: train, valid, test.
//!
//! A [`Split`] is a plain row-major matrix of `f32` features with one `u32`
//! label per row; [`Split::batch`] turns chosen rows into candle tensors.
//! A [`Dataset`] bundles the three splits with a name, where the data came
//! from ([`DataSource`]) and the number of classes.

use candle_core::{Device, Tensor};
use std::fmt;

use crate::error::DataError;

/// One split of a data set: `len` rows of `dim` features and their labels.
///
/// # Shapes
/// `features` holds `len * dim` values, row-major (row `i` is
/// `features[i * dim..(i + 1) * dim]`); `labels` holds `len` class indices.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// `len * dim` feature values, row-major.
    pub features: Vec<f32>,
    /// One class index per row.
    pub labels: Vec<u32>,
    /// The number of features per row.
    pub dim: usize,
}

impl Split {
    /// A split from its parts, checking that the lengths agree.
    pub fn new(features: Vec<f32>, labels: Vec<u32>, dim: usize) -> Result<Self, DataError> {
        if dim == 0 {
            return Err(DataError::invalid("dim", "must be at least 1"));
        }
        if features.len() != labels.len() * dim {
            return Err(DataError::invalid(
                "features",
                format!(
                    "{} values do not make {} rows of {dim} features; pass len * dim values",
                    features.len(),
                    labels.len()
                ),
            ));
        }
        Ok(Split {
            features,
            labels,
            dim,
        })
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the split has no rows.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The features of row `i` (`dim` values).
    ///
    /// # Panics
    /// If `i >= len()`, like slice indexing; [`Self::get_row`] returns an
    /// error instead.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.features[i * self.dim..(i + 1) * self.dim]
    }

    /// The features of row `i` (`dim` values), or an error saying the valid
    /// range when `i` is out of range (or the split's fields, which are
    /// public, disagree about its size).
    pub fn get_row(&self, i: usize) -> Result<&[f32], DataError> {
        let n = self.len();
        i.checked_mul(self.dim)
            .zip(i.checked_add(1).and_then(|j| j.checked_mul(self.dim)))
            .filter(|_| i < n)
            .and_then(|(a, b)| self.features.get(a..b))
            .ok_or_else(|| out_of_range(i, n))
    }

    /// The given rows as tensors.
    ///
    /// # Shapes
    /// Returns features `(n, dim)` `f32` and labels `(n,)` `u32`, where
    /// `n = indices.len()`, in the order of `indices`.
    ///
    /// # Errors
    /// [`DataError::InvalidConfig`] (`indices`) for an index `>= len()`.
    pub fn batch(&self, indices: &[usize], device: &Device) -> Result<(Tensor, Tensor), DataError> {
        let n = self.len();
        let mut xs = Vec::with_capacity(indices.len().saturating_mul(self.dim));
        let mut ys = Vec::with_capacity(indices.len());
        for &i in indices {
            xs.extend_from_slice(self.get_row(i)?);
            ys.push(*self.labels.get(i).ok_or_else(|| out_of_range(i, n))?);
        }
        let x = Tensor::from_vec(xs, (indices.len(), self.dim), device)?;
        let y = Tensor::from_vec(ys, indices.len(), device)?;
        Ok((x, y))
    }

    /// All features as one tensor.
    ///
    /// # Shapes
    /// `(len, dim)` `f32`.
    pub fn features_tensor(&self, device: &Device) -> Result<Tensor, DataError> {
        Ok(Tensor::from_slice(
            &self.features,
            (self.len(), self.dim),
            device,
        )?)
    }

    /// All labels as one tensor.
    ///
    /// # Shapes
    /// `(len,)` `u32`.
    pub fn labels_tensor(&self, device: &Device) -> Result<Tensor, DataError> {
        Ok(Tensor::from_slice(&self.labels, self.len(), device)?)
    }

    /// A copy of the first `n` rows (all rows if `n >= len()`).
    pub fn head(&self, n: usize) -> Split {
        self.slice(0, n)
    }

    /// A copy of rows `start..end` (clamped to the split, so never a panic).
    pub fn slice(&self, start: usize, end: usize) -> Split {
        // Rows that exist in both fields (they agree unless built by hand).
        let rows = self
            .labels
            .len()
            .min(self.features.len().checked_div(self.dim).unwrap_or(0));
        let end = end.min(rows);
        let start = start.min(end);
        Split {
            features: self.features[start * self.dim..end * self.dim].to_vec(),
            labels: self.labels[start..end].to_vec(),
            dim: self.dim,
        }
    }

    /// How many rows carry each label `0..num_classes`; labels at or above
    /// `num_classes` are not counted.
    pub fn label_histogram(&self, num_classes: usize) -> Vec<usize> {
        let mut counts = vec![0; num_classes];
        for &y in &self.labels {
            if let Some(c) = counts.get_mut(y as usize) {
                *c += 1;
            }
        }
        counts
    }
}

/// The error for row `i` of a split of `n` rows.
fn out_of_range(i: usize, n: usize) -> DataError {
    DataError::invalid(
        "indices",
        format!("row {i} is out of range for a split of {n} rows; use indices below {n}"),
    )
}

/// Which of the three splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SplitKind {
    /// The rows the model is trained on.
    Train,
    /// The rows used to watch for overfitting.
    Valid,
    /// The held-out rows for the final figures.
    Test,
}

impl SplitKind {
    /// All three, in the order train, valid, test.
    pub const ALL: [SplitKind; 3] = [SplitKind::Train, SplitKind::Valid, SplitKind::Test];

    /// `"train"`, `"valid"` or `"test"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SplitKind::Train => "train",
            SplitKind::Valid => "valid",
            SplitKind::Test => "test",
        }
    }
}

impl fmt::Display for SplitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a data set's rows came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataSource {
    /// Generated by [`crate::synthetic::SyntheticConfig`].
    Synthetic,
    /// The 10,000-digit MNIST sample shipped in `data/mnist-sample/`.
    BundledSample,
    /// The full MNIST (60,000 + 10,000 digits) found on disk.
    FullMnist,
    /// Fashion-MNIST found on disk.
    FashionMnist,
}

impl DataSource {
    /// A short machine-readable name: `synthetic`, `sample`, `full`, `fashion`.
    pub fn key(&self) -> &'static str {
        match self {
            DataSource::Synthetic => "synthetic",
            DataSource::BundledSample => "sample",
            DataSource::FullMnist => "full",
            DataSource::FashionMnist => "fashion",
        }
    }
}

impl fmt::Display for DataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DataSource::Synthetic => "synthetic",
            DataSource::BundledSample => "bundled MNIST sample",
            DataSource::FullMnist => "full MNIST",
            DataSource::FashionMnist => "Fashion-MNIST",
        })
    }
}

/// A data set: three splits of the same width, and what they are.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// A display name (`synthetic`, `MNIST`, `Fashion-MNIST`).
    pub name: String,
    /// Where the rows came from.
    pub source: DataSource,
    /// Training rows.
    pub train: Split,
    /// Validation rows.
    pub valid: Split,
    /// Test rows.
    pub test: Split,
    /// Labels are `0..num_classes`.
    pub num_classes: usize,
}

impl Dataset {
    /// The number of features per row (784 for MNIST).
    pub fn input_size(&self) -> usize {
        self.train.dim
    }

    /// One of the three splits.
    pub fn split(&self, which: SplitKind) -> &Split {
        match which {
            SplitKind::Train => &self.train,
            SplitKind::Valid => &self.valid,
            SplitKind::Test => &self.test,
        }
    }
}

impl fmt::Display for Dataset {
    /// One line: name, source, rows per split and width.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): train {}, valid {}, test {} rows of {} features, {} classes",
            self.name,
            self.source,
            self.train.len(),
            self.valid.len(),
            self.test.len(),
            self.input_size(),
            self.num_classes
        )
    }
}

/// The sizes `int(n * fraction)` of consecutive splits, as Python's `int()`
/// computes them (floor of the `f64` product), after checking the fractions:
/// each finite and in `[0, 1]`, the sum at most 1 (within `1e-9`), and the
/// first split non-empty.
pub(crate) fn split_sizes<const K: usize>(
    n: usize,
    fractions: [f64; K],
) -> Result<[usize; K], DataError> {
    let mut sum = 0.0;
    for &f in &fractions {
        if !f.is_finite() || !(0.0..=1.0).contains(&f) {
            return Err(DataError::invalid(
                "splits",
                format!("{fractions:?} holds {f}; every fraction must be between 0 and 1"),
            ));
        }
        sum += f;
    }
    if sum > 1.0 + 1e-9 {
        return Err(DataError::invalid(
            "splits",
            format!("{fractions:?} sums to {sum}; the fractions must add up to at most 1"),
        ));
    }
    let sizes = fractions.map(|f| (n as f64 * f).floor() as usize);
    if sizes[0] == 0 {
        return Err(DataError::invalid(
            "splits",
            format!(
                "the training fraction {} of {n} rows leaves no training rows; raise it or use more rows",
                fractions[0]
            ),
        ));
    }
    // A sum within the 1e-9 slack above 1 could still ask for one row too many.
    let total: usize = sizes.iter().sum();
    if total > n {
        return Err(DataError::invalid(
            "splits",
            format!("{fractions:?} of {n} rows asks for {total} rows; lower the fractions"),
        ));
    }
    Ok(sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Split {
        Split::new((0..12).map(|v| v as f32).collect(), vec![0, 1, 1, 2], 3).unwrap()
    }

    #[test]
    fn rows_and_batches_follow_the_indices() {
        let s = toy();
        assert_eq!(s.len(), 4);
        assert_eq!(s.row(2), &[6.0, 7.0, 8.0]);
        let (x, y) = s.batch(&[3, 0], &Device::Cpu).unwrap();
        assert_eq!(x.dims(), &[2, 3]);
        assert_eq!(
            x.to_vec2::<f32>().unwrap(),
            vec![vec![9.0, 10.0, 11.0], vec![0.0, 1.0, 2.0]]
        );
        assert_eq!(y.to_vec1::<u32>().unwrap(), vec![2, 0]);
        assert!(s.batch(&[4], &Device::Cpu).is_err());
    }

    #[test]
    fn whole_split_tensors_and_head() {
        let s = toy();
        assert_eq!(s.features_tensor(&Device::Cpu).unwrap().dims(), &[4, 3]);
        assert_eq!(
            s.labels_tensor(&Device::Cpu)
                .unwrap()
                .to_vec1::<u32>()
                .unwrap(),
            vec![0, 1, 1, 2]
        );
        let h = s.head(2);
        assert_eq!(h.len(), 2);
        assert_eq!(h.features, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.head(10), s);
        assert_eq!(s.slice(1, 3).labels, vec![1, 1]);
        assert_eq!(s.label_histogram(3), vec![1, 2, 1]);
    }

    #[test]
    fn new_rejects_mismatched_lengths() {
        assert!(Split::new(vec![0.0; 5], vec![0, 1], 3).is_err());
        assert!(Split::new(vec![], vec![], 0).is_err());
    }

    #[test]
    fn split_sizes_floor_like_python() {
        assert_eq!(
            split_sizes(20_000, [0.7, 0.2, 0.1]).unwrap(),
            [14_000, 4_000, 2_000]
        );
        assert_eq!(split_sizes(60_000, [0.6, 0.4]).unwrap(), [36_000, 24_000]);
        assert_eq!(split_sizes(10, [0.55, 0.25]).unwrap(), [5, 2]);
        assert!(split_sizes(10, [0.7, 0.4]).is_err());
        assert!(split_sizes(10, [-0.1, 0.4]).is_err());
        assert!(split_sizes(10, [f64::NAN, 0.4]).is_err());
        assert!(split_sizes(10, [0.05, 0.4]).is_err());
    }
}
