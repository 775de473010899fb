//! [`Matrix`], the dense row-major `f32` matrix every hw6 computation from a
//! dataset split to the probe uses, and [`MatView`], a borrowed one.

use crate::error::Result;
use hw6_exercise::ShapeError;
use std::ops::Range;

/// A dense row-major `f32` matrix.
///
/// # Shapes
/// `rows x cols`, element `(r, c)` at `as_slice()[r * cols + c]`. The fields
/// are private so that the buffer always holds exactly `rows * cols` values:
/// the products hand it to `unsafe` code.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

/// A borrowed row-major matrix: a whole [`Matrix`] or a block of its rows.
///
/// # Shapes
/// `rows x cols`, like [`Matrix`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MatView<'a> {
    rows: usize,
    cols: usize,
    data: &'a [f32],
}

/// `rows()`, `cols()` and `shape()`, the same for [`Matrix`] and [`MatView`].
macro_rules! shape_accessors {
    () => {
        /// Number of rows.
        pub fn rows(&self) -> usize {
            self.rows
        }

        /// Number of columns.
        pub fn cols(&self) -> usize {
            self.cols
        }

        /// `(rows, cols)`.
        pub fn shape(&self) -> (usize, usize) {
            (self.rows, self.cols)
        }
    };
}

/// `rows * cols`, or a shape error when it overflows `usize`.
fn checked_len(what: &'static str, rows: usize, cols: usize) -> Result<usize> {
    rows.checked_mul(cols).ok_or_else(|| {
        ShapeError::new(
            what,
            "a number of entries that fits in memory",
            format!("{rows} x {cols}"),
        )
        .into()
    })
}

/// Checks that `len` values make `rows x cols`.
fn check_len(what: &'static str, rows: usize, cols: usize, len: usize) -> Result<()> {
    let want = checked_len(what, rows, cols)?;
    if len != want {
        return Err(ShapeError::new(
            what,
            format!("{rows} x {cols} = {want} values"),
            format!("{len} values"),
        )
        .into());
    }
    Ok(())
}

impl Matrix {
    /// An all-zero `rows x cols` matrix.
    ///
    /// # Panics
    /// When `rows * cols` overflows `usize` ("capacity overflow", as for a
    /// `Vec` of that length).
    pub fn zeros(rows: usize, cols: usize) -> Self {
        let len = rows.checked_mul(cols).expect("capacity overflow");
        Self {
            rows,
            cols,
            data: vec![0.0; len],
        }
    }

    /// Wraps row-major data; errors when `data.len() != rows * cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f32>) -> Result<Self> {
        check_len("Matrix::from_vec", rows, cols, data.len())?;
        Ok(Self { rows, cols, data })
    }

    /// Entry `(r, c)` is `f(r, c)`.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f32) -> Self {
        let mut m = Self::zeros(rows, cols);
        for (i, v) in m.data.iter_mut().enumerate() {
            *v = f(i / cols, i % cols);
        }
        m
    }

    shape_accessors!();

    /// The row-major entries, `rows * cols` of them.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// The row-major entries, to change in place (the shape stays).
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// The row-major entries, taking them out of the matrix.
    pub fn into_vec(self) -> Vec<f32> {
        self.data
    }

    /// Row `r` (`cols` values), or `None` when `r >= rows`.
    pub fn row(&self, r: usize) -> Option<&[f32]> {
        self.view().row(r)
    }

    /// Borrows the whole matrix.
    pub fn view(&self) -> MatView<'_> {
        MatView {
            rows: self.rows,
            cols: self.cols,
            data: &self.data,
        }
    }

    /// Borrows rows `range` (clamped to the matrix).
    pub fn rows_view(&self, range: Range<usize>) -> MatView<'_> {
        self.view().rows_view(range)
    }

    /// Makes this a `rows x cols` matrix, reusing its buffer; the entries are
    /// unspecified until written.
    ///
    /// # Panics
    /// When `rows * cols` overflows `usize`, as [`Matrix::zeros`].
    pub fn resize(&mut self, rows: usize, cols: usize) {
        let len = rows.checked_mul(cols).expect("capacity overflow");
        self.rows = rows;
        self.cols = cols;
        self.data.resize(len, 0.0);
    }

    /// Makes this matrix the rows `indices` of `src`, in that order (reusing
    /// its buffer: the batches of a training loop).
    ///
    /// # Shapes
    /// `src`: `(n, d)` -> `self`: `(indices.len(), d)`. Errors for an index
    /// `>= n`.
    pub fn gather(&mut self, src: MatView<'_>, indices: &[usize]) -> Result<()> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= src.rows) {
            return Err(ShapeError::new(
                "Matrix::gather",
                format!("row indices below {}", src.rows),
                format!("row {bad}"),
            )
            .into());
        }
        self.resize(indices.len(), src.cols);
        for (dst, &i) in self.data.chunks_exact_mut(src.cols.max(1)).zip(indices) {
            dst.copy_from_slice(&src.data[i * src.cols..(i + 1) * src.cols]);
        }
        Ok(())
    }
}

impl<'a> MatView<'a> {
    /// Views `data` as `rows x cols`; errors on a length mismatch.
    pub fn new(rows: usize, cols: usize, data: &'a [f32]) -> Result<Self> {
        check_len("MatView::new", rows, cols, data.len())?;
        Ok(Self { rows, cols, data })
    }

    shape_accessors!();

    /// The row-major entries.
    pub fn as_slice(&self) -> &'a [f32] {
        self.data
    }

    /// Row `r`, or `None` when `r >= rows`.
    pub fn row(&self, r: usize) -> Option<&'a [f32]> {
        (r < self.rows).then(|| &self.data[r * self.cols..(r + 1) * self.cols])
    }

    /// Rows `range` of this view (clamped to it).
    pub fn rows_view(&self, range: Range<usize>) -> MatView<'a> {
        let end = range.end.min(self.rows);
        let start = range.start.min(end);
        MatView {
            rows: end - start,
            cols: self.cols,
            data: &self.data[start * self.cols..end * self.cols],
        }
    }

    /// An owned copy.
    pub fn to_matrix(&self) -> Matrix {
        Matrix {
            rows: self.rows,
            cols: self.cols,
            data: self.data.to_vec(),
        }
    }
}

impl<'a> From<&'a Matrix> for MatView<'a> {
    fn from(m: &'a Matrix) -> Self {
        m.view()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_checked_and_rows_follow_the_layout() {
        assert!(Matrix::from_vec(2, 3, vec![0.0; 5]).is_err());
        assert!(Matrix::from_vec(usize::MAX, 2, vec![]).is_err());
        let m = Matrix::from_fn(3, 2, |r, c| (10 * r + c) as f32);
        assert_eq!(m.row(2), Some(&[20.0, 21.0][..]));
        assert_eq!(m.row(3), None);
        assert_eq!(m.rows_view(1..9).as_slice(), &[10.0, 11.0, 20.0, 21.0]);
        assert_eq!(MatView::from(&m).to_matrix(), m);
    }

    #[test]
    fn gather_takes_rows_in_order_and_rejects_missing_rows() {
        let m = Matrix::from_fn(4, 2, |r, c| (10 * r + c) as f32);
        let mut b = Matrix::default();
        b.gather(m.view(), &[3, 0, 3]).unwrap();
        assert_eq!(b.shape(), (3, 2));
        assert_eq!(b.as_slice(), &[30.0, 31.0, 0.0, 1.0, 30.0, 31.0]);
        let e = b.gather(m.view(), &[1, 4]).unwrap_err().to_string();
        assert!(e.contains("row 4"), "{e}");
    }
}
