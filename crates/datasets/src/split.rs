//! One split of a data set: a feature [`Matrix`] with one label per row, and
//! the rows' [`Moments`], computed on first use and kept with the split.

use std::fmt;
use std::sync::OnceLock;

use hw6_linalg::{Matrix, Op, gemm_into};

use crate::error::DataError;

/// `n` rows of `dim` features and their class labels.
///
/// # Shapes
/// `features`: `(n, dim)`, row `i` is example `i`; `labels`: `n` class
/// indices. The fields are private so that the two always agree.
#[derive(Clone)]
pub struct Split {
    features: Matrix,
    labels: Vec<u32>,
    moments: OnceLock<Moments>,
}

/// The mean and uncentred second moment of a split's rows `x_i`:
///
/// ```text
/// mu = (1/n) sum_i x_i        S = (1/n) sum_i x_i x_i^T = X^T X / n
/// ```
///
/// # Shapes
/// `mean`: `dim` values; `second`: `(dim, dim)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Moments {
    /// `mu`, accumulated in `f64`.
    pub mean: Vec<f32>,
    /// `S = X^T X / n`.
    pub second: Matrix,
}

impl Moments {
    /// The moments of the rows of `x` (`(n, dim)`; zeros for no rows).
    fn of(x: &Matrix) -> Result<Self, DataError> {
        let inv = 1.0 / x.rows().max(1) as f32;
        let mut second = Matrix::default();
        gemm_into(&mut second, x.view(), Op::T, x.view(), Op::N, false)?;
        second.map_in_place(|v| v * inv);
        let mean = x.column_means().into_iter().map(|m| m as f32).collect();
        Ok(Self { mean, second })
    }
}

impl Split {
    /// A split from its feature matrix and one label per row.
    ///
    /// # Errors
    /// When `features` has no columns, or its row count differs from
    /// `labels.len()`.
    pub fn new(features: Matrix, labels: Vec<u32>) -> Result<Self, DataError> {
        if features.cols() == 0 {
            return Err(DataError::invalid(
                "features",
                "have 0 columns; every row needs at least 1 feature",
            ));
        }
        if features.rows() != labels.len() {
            return Err(DataError::invalid(
                "features",
                format!(
                    "{} rows for {} labels; pass one label per row",
                    features.rows(),
                    labels.len()
                ),
            ));
        }
        Ok(Split {
            features,
            labels,
            moments: OnceLock::new(),
        })
    }

    /// The features.
    ///
    /// # Shapes
    /// `(len, dim)`.
    pub fn features(&self) -> &Matrix {
        &self.features
    }

    /// One class index per row.
    pub fn labels(&self) -> &[u32] {
        &self.labels
    }

    /// The number of features per row (784 for MNIST).
    pub fn dim(&self) -> usize {
        self.features.cols()
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
        match self.features.row(i) {
            Some(row) => row,
            None => panic!("{}", out_of_range(i, self.len())),
        }
    }

    /// The features of row `i` (`dim` values), or an error saying the valid
    /// range.
    pub fn get_row(&self, i: usize) -> Result<&[f32], DataError> {
        self.features
            .row(i)
            .ok_or_else(|| out_of_range(i, self.len()))
    }

    /// A copy of the first `n` rows (all rows if `n >= len()`).
    pub fn head(&self, n: usize) -> Split {
        self.slice(0, n)
    }

    /// A copy of rows `start..end` (clamped to the split, so never a panic).
    pub fn slice(&self, start: usize, end: usize) -> Split {
        let end = end.min(self.len());
        let start = start.min(end);
        Split {
            features: self.features.rows_view(start..end).to_matrix(),
            labels: self.labels[start..end].to_vec(),
            moments: OnceLock::new(),
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

    /// The rows' mean and second moment, computed on the first call
    /// (`n * dim²` multiply-adds) and kept with the split.
    pub fn moments(&self) -> Result<&Moments, DataError> {
        if let Some(m) = self.moments.get() {
            return Ok(m);
        }
        let computed = Moments::of(&self.features)?;
        Ok(self.moments.get_or_init(|| computed))
    }
}

/// Splits are equal when their features and labels are (whether their
/// moments are computed yet does not matter).
impl PartialEq for Split {
    fn eq(&self, other: &Self) -> bool {
        self.features == other.features && self.labels == other.labels
    }
}

impl fmt::Debug for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Split")
            .field("features", &self.features)
            .field("labels", &self.labels)
            .finish_non_exhaustive()
    }
}

/// The error for row `i` of a split of `n` rows.
fn out_of_range(i: usize, n: usize) -> DataError {
    DataError::invalid(
        "indices",
        format!("row {i} is out of range for a split of {n} rows; use indices below {n}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Split {
        let x = Matrix::from_fn(4, 3, |r, c| (3 * r + c) as f32);
        Split::new(x, vec![0, 1, 1, 2]).unwrap()
    }

    #[test]
    fn rows_head_slice_and_histogram() {
        let s = toy();
        assert_eq!((s.len(), s.dim()), (4, 3));
        assert_eq!(s.row(2), &[6.0, 7.0, 8.0]);
        assert!(s.get_row(4).is_err());
        let h = s.head(2);
        assert_eq!(h.len(), 2);
        assert_eq!(h.features().as_slice(), &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.head(10), s);
        assert_eq!(s.slice(1, 3).labels(), &[1, 1]);
        assert_eq!(s.slice(3, 1).len(), 0);
        assert_eq!(s.label_histogram(3), vec![1, 2, 1]);
    }

    #[test]
    #[should_panic(expected = "row 4 is out of range")]
    fn row_panics_past_the_end() {
        toy().row(4);
    }

    #[test]
    fn new_rejects_mismatched_shapes() {
        assert!(Split::new(Matrix::zeros(3, 2), vec![0, 1]).is_err());
        assert!(Split::new(Matrix::zeros(2, 0), vec![0, 1]).is_err());
    }

    #[test]
    fn moments_are_the_mean_and_x_t_x_over_n_and_are_kept() {
        let s = toy();
        let m = s.moments().unwrap();
        assert_eq!(m.mean, vec![4.5, 5.5, 6.5]);
        // S[0][1] = (0*1 + 3*4 + 6*7 + 9*10) / 4
        assert_eq!(m.second.shape(), (3, 3));
        assert_eq!(m.second.as_slice()[1], 144.0 / 4.0);
        assert!(std::ptr::eq(m, s.moments().unwrap()));
        assert_eq!(s.clone(), s);
    }
}
