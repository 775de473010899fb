//! Matrices in the form the fixtures of a student release hold them.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

/// A matrix as a fixture records it: its shape and its entries row by row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Grid {
    rows: usize,
    cols: usize,
    values: Vec<f64>,
}

impl From<&DMatrix<f64>> for Grid {
    fn from(m: &DMatrix<f64>) -> Self {
        Self {
            rows: m.nrows(),
            cols: m.ncols(),
            values: m.transpose().iter().copied().collect(),
        }
    }
}

impl Grid {
    /// The matrix. (rows, cols).
    pub(crate) fn matrix(&self) -> DMatrix<f64> {
        DMatrix::from_row_slice(self.rows, self.cols, &self.values)
    }

    /// The same matrix with every entry rounded by [`rounded`].
    pub(crate) fn rounded(mut self) -> Self {
        self.values = rounded(&self.values);
        self
    }
}

/// Numbers rounded to 6 significant digits, for long records that are only
/// drawn or printed with 4 decimals: their JSON is a third as long.
pub(crate) fn rounded(values: &[f64]) -> Vec<f64> {
    values
        .iter()
        .map(|v| format!("{v:.5e}").parse().unwrap_or(*v))
        .collect()
}

/// A fingerprint of a matrix the notebook passes to a check: its shape, its
/// row sums and its row sums weighted by the column number (1, 2, ...). A
/// fixture records it instead of the whole matrix, to tell whether the
/// notebook's input is the one the expected value was computed from.
///
/// # Shapes
/// (n, m) -> 2 + 2n values.
pub(crate) fn digest(m: &DMatrix<f64>) -> Vec<f64> {
    let mut out = vec![m.nrows() as f64, m.ncols() as f64];
    out.extend(m.row_iter().map(|r| r.sum()));
    out.extend(m.row_iter().map(|r| {
        r.iter()
            .enumerate()
            .map(|(j, v)| (j + 1) as f64 * v)
            .sum::<f64>()
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_keeps_the_matrix_and_a_digest_tells_a_transpose() {
        let m = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.5]);
        assert_eq!(Grid::from(&m).matrix(), m);
        assert_eq!(Grid::from(&m).rounded().matrix(), m);
        assert_eq!(rounded(&[0.123_456_789, -2.5e-7]), [0.123_457, -2.5e-7]);
        assert_eq!(rounded(&[2.0f64.sqrt()])[0].to_string(), "1.41421");
        let s = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
        assert_ne!(digest(&s), digest(&s.transpose()));
        assert_eq!(digest(&s), vec![2.0, 2.0, 3.0, 7.0, 5.0, 11.0]);
    }
}
