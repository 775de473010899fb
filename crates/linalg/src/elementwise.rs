//! Entry-by-entry and row/column operations on [`Matrix`] and [`MatView`].

use crate::error::Result;
use crate::matrix::{MatView, Matrix};
use hw6_exercise::ShapeError;

impl MatView<'_> {
    /// `f` applied to every entry.
    pub fn map(&self, mut f: impl FnMut(f32) -> f32) -> Matrix {
        let data = self.as_slice().iter().map(|&v| f(v)).collect();
        Matrix::from_vec(self.rows(), self.cols(), data).expect("same shape")
    }

    /// `f(self[i, j], other[i, j])` for every entry; errors when the shapes
    /// differ.
    ///
    /// The loop is compiled once, optimised, with this crate (`f` is called
    /// through a `dyn` pointer): a notebook cell compiled without
    /// optimisation still runs it at full speed.
    pub fn zip_map<'b>(
        &self,
        other: impl Into<MatView<'b>>,
        mut f: impl FnMut(f32, f32) -> f32,
    ) -> Result<Matrix> {
        zip_map_dyn(*self, other.into(), &mut f)
    }

    /// Column means, accumulated in `f64` (zeros for no rows).
    ///
    /// # Shapes
    /// `(n, d)` -> `d` values.
    pub fn column_means(&self) -> Vec<f64> {
        let mut mean = vec![0f64; self.cols()];
        for row in self.as_slice().chunks_exact(self.cols().max(1)) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += *v as f64;
            }
        }
        let n = self.rows().max(1) as f64;
        mean.iter_mut().for_each(|m| *m /= n);
        mean
    }

    /// Column sums written into `out`.
    ///
    /// # Shapes
    /// `(n, d)` -> `out`: `d` values (a shorter `out` gets the first columns).
    pub fn column_sums_into(&self, out: &mut [f32]) {
        out.iter_mut().for_each(|v| *v = 0.0);
        for row in self.as_slice().chunks_exact(self.cols().max(1)) {
            for (o, v) in out.iter_mut().zip(row) {
                *o += *v;
            }
        }
    }
}

/// [`MatView::zip_map`]'s body: not generic, so it is compiled here.
fn zip_map_dyn(
    a: MatView<'_>,
    b: MatView<'_>,
    f: &mut dyn FnMut(f32, f32) -> f32,
) -> Result<Matrix> {
    if a.shape() != b.shape() {
        return Err(ShapeError::new(
            "zip_map",
            format!("two matrices of shape {:?}", a.shape()),
            format!("{:?}", b.shape()),
        )
        .into());
    }
    let data = (a.as_slice().iter().zip(b.as_slice()))
        .map(|(&x, &y)| f(x, y))
        .collect();
    Ok(Matrix::from_vec(a.rows(), a.cols(), data).expect("same shape"))
}

impl Matrix {
    /// `f` applied to every entry.
    pub fn map(&self, f: impl FnMut(f32) -> f32) -> Matrix {
        self.view().map(f)
    }

    /// `f` applied to every entry, in place.
    pub fn map_in_place(&mut self, mut f: impl FnMut(f32) -> f32) {
        self.as_mut_slice().iter_mut().for_each(|v| *v = f(*v));
    }

    /// `f(self[i, j], other[i, j])` for every entry; errors when the shapes
    /// differ.
    pub fn zip_map<'b>(
        &self,
        other: impl Into<MatView<'b>>,
        f: impl FnMut(f32, f32) -> f32,
    ) -> Result<Matrix> {
        self.view().zip_map(other, f)
    }

    /// Adds `v` to every row (a bias).
    ///
    /// # Shapes
    /// `self`: `(n, d)`, `v`: `d` values (a shorter `v` reaches the first columns).
    pub fn add_to_rows(&mut self, v: &[f32]) {
        let cols = self.cols().max(1);
        for row in self.as_mut_slice().chunks_exact_mut(cols) {
            for (x, b) in row.iter_mut().zip(v) {
                *x += *b;
            }
        }
    }

    /// Column means, accumulated in `f64`.
    pub fn column_means(&self) -> Vec<f64> {
        self.view().column_means()
    }

    /// Column sums written into `out` (`cols` values).
    pub fn column_sums_into(&self, out: &mut [f32]) {
        self.view().column_sums_into(out)
    }
}

/// Mean of squared differences of two equally long slices, accumulated in
/// `f64` (0 for empty slices).
pub fn mse(a: &[f32], b: &[f32]) -> f64 {
    let sse: f64 = a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
    sse / a.len().max(1) as f64
}

/// The largest `|a_i - b_i|`; NaN when any difference is NaN (so a check
/// comparing it with a tolerance fails).
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, |m, d| {
            if d.is_nan() || m.is_nan() {
                f32::NAN
            } else {
                m.max(d)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_rows_and_columns() {
        let m = Matrix::from_fn(2, 3, |r, c| (r * 3 + c) as f32);
        assert_eq!(m.map(|v| 2.0 * v).as_slice(), &[0., 2., 4., 6., 8., 10.]);
        let s = m.zip_map(&m, |a, b| a * b).unwrap();
        assert_eq!(s.as_slice(), &[0., 1., 4., 9., 16., 25.]);
        assert!(m.zip_map(&Matrix::zeros(3, 2), |a, _| a).is_err());
        assert_eq!(m.column_means(), vec![1.5, 2.5, 3.5]);
        let mut sums = [9.0; 3];
        m.column_sums_into(&mut sums);
        assert_eq!(sums, [3., 5., 7.]);
        let mut b = m.clone();
        b.add_to_rows(&[1., 0., -1.]);
        assert_eq!(b.as_slice(), &[1., 1., 1., 4., 4., 4.]);
    }

    #[test]
    fn mse_and_max_abs_diff() {
        assert_eq!(mse(&[1., 2.], &[1., 4.]), 2.0);
        assert_eq!(mse(&[], &[]), 0.0);
        assert_eq!(max_abs_diff(&[1., -2.], &[1.5, 1.]), 3.0);
        assert!(max_abs_diff(&[f32::NAN, 1.], &[0., 1.]).is_nan());
    }
}
