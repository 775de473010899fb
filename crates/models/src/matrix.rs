//! A small row-major `f32` matrix: the one type the autoencoders' forward
//! and backward passes, the probe and PCA compute with. Its products are in
//! `product.rs`, computed by the `gemm` crate (the same kernels candle's CPU
//! backend calls) without candle's per-operation overhead.
//!
//! Why not candle tensors with autograd for training? A train step of a
//! 100 -> 5 -> 100 autoencoder at batch 100 is a few hundred thousand
//! floating-point operations; candle spends more time creating tensors,
//! recording the graph and running AdamW as ~12 tensor ops per parameter than
//! doing that arithmetic. The forward and backward passes are written out by
//! hand instead (see `autoencoder.rs`), and checked against candle's autograd
//! in the tests.

use crate::error::{ModelError, Result};
use candle_core::{Device, Tensor};

/// A dense row-major `f32` matrix.
///
/// # Shapes
/// `rows x cols`, element `(r, c)` at `data[r * cols + c]`. The fields are
/// private so that `data.len() == rows * cols` always holds: the products
/// (`product.rs`) hand these buffers to `unsafe` code.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matrix {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) data: Vec<f32>,
}

/// `rows * cols`, or a shape error when it overflows `usize`.
fn checked_len(context: &'static str, rows: usize, cols: usize) -> Result<usize> {
    rows.checked_mul(cols).ok_or_else(|| ModelError::Shape {
        context,
        expected: "a matrix whose number of entries fits in memory".into(),
        got: format!("{rows} x {cols}"),
    })
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

    /// Wrap row-major data; errors when `data.len() != rows * cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f32>) -> Result<Self> {
        let len = checked_len("Matrix::from_vec", rows, cols)?;
        if data.len() != len {
            return Err(ModelError::Shape {
                context: "Matrix::from_vec",
                expected: format!("{rows} x {cols} = {len} values"),
                got: format!("{} values", data.len()),
            });
        }
        Ok(Self { rows, cols, data })
    }

    /// Copy a 2-D `f32` tensor `(rows, cols)`.
    pub fn from_tensor(t: &Tensor) -> Result<Self> {
        let (rows, cols) = t.dims2().map_err(|_| ModelError::Shape {
            context: "Matrix::from_tensor",
            expected: "a 2-D tensor (batch, features)".into(),
            got: format!("{:?}", t.dims()),
        })?;
        let data = t
            .to_dtype(candle_core::DType::F32)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        Ok(Self { rows, cols, data })
    }

    /// A `(rows, cols)` f32 tensor holding a copy of this matrix.
    pub fn to_tensor(&self, device: &Device) -> Result<Tensor> {
        Ok(Tensor::from_slice(
            &self.data,
            (self.rows, self.cols),
            device,
        )?)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

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

    /// Row `r` as a slice, or `None` when `r >= rows`.
    pub fn row(&self, r: usize) -> Option<&[f32]> {
        (r < self.rows).then(|| &self.data[r * self.cols..(r + 1) * self.cols])
    }

    /// Resize in place to `rows x cols` (contents unspecified afterwards).
    pub(crate) fn reshape_for(&mut self, rows: usize, cols: usize) {
        let len = rows.checked_mul(cols).expect("capacity overflow");
        self.rows = rows;
        self.cols = cols;
        self.data.resize(len, 0.0);
    }
}

/// A borrowed row-major matrix (e.g. a block of rows of a dataset split).
#[derive(Clone, Copy, Debug)]
pub struct MatView<'a> {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) data: &'a [f32],
}

impl<'a> MatView<'a> {
    /// View `data` as `rows x cols`; errors on a length mismatch.
    pub fn new(rows: usize, cols: usize, data: &'a [f32]) -> Result<Self> {
        let len = checked_len("MatView::new", rows, cols)?;
        if data.len() != len {
            return Err(ModelError::Shape {
                context: "MatView::new",
                expected: format!("{rows} x {cols} = {len} values"),
                got: format!("{} values", data.len()),
            });
        }
        Ok(Self { rows, cols, data })
    }
}

impl Matrix {
    /// Borrow as a view.
    pub fn view(&self) -> MatView<'_> {
        MatView {
            rows: self.rows,
            cols: self.cols,
            data: &self.data,
        }
    }
}

/// Whether an operand of a product is used as stored or transposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// As stored.
    N,
    /// Transposed.
    T,
}

/// Add `bias` (length `x.cols`) to every row of `x`.
pub(crate) fn add_row_vector(x: &mut Matrix, bias: &[f32]) {
    for row in x.data.chunks_exact_mut(x.cols) {
        for (v, b) in row.iter_mut().zip(bias) {
            *v += *b;
        }
    }
}

/// Column sums of `x` written into `out` (length `x.cols`).
pub(crate) fn column_sums(x: &Matrix, out: &mut [f32]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    for row in x.data.chunks_exact(x.cols) {
        for (o, v) in out.iter_mut().zip(row) {
            *o += *v;
        }
    }
}
