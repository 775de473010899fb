//! The one matrix type of hw6 and the machinery that makes it fast.
//!
//! A [`Matrix`] is a dense row-major `f32` matrix; a [`MatView`] borrows one
//! (or a block of rows of one). Every step from a dataset split to the
//! probe's accuracy computes on them:
//!
//! - [`matrix`](Matrix): the type, its rows, one gather of chosen rows;
//! - [`elementwise`](Matrix::zip_map): `map`, `zip_map`, row and column helpers;
//! - [`gemm_into`]: products `op(a) op(b)` on the `gemm` crate's kernels,
//!   cut into blocks by shape alone (the same bits on any thread count);
//! - [`threads`](num_threads): how many threads a product may use;
//! - [`log_sum_exp`] and [`softmax_in_place`]: the numerically stable forms,
//!   for `f32` and `f64`, written once for every crate; [`fit_line`], the
//!   least-squares line behind the log-log slopes of the cost measurements;
//! - candle [`Tensor`](candle_core::Tensor)s convert both ways with
//!   `TryFrom`, for notebooks that compute with tensors.
//!
//! ```
//! use hw6_linalg::{Matrix, Op, gemm_into};
//! let a = Matrix::from_vec(2, 3, vec![1., 2., 3., 4., 5., 6.])?;
//! let mut aat = Matrix::default();
//! gemm_into(&mut aat, a.view(), Op::N, a.view(), Op::T, false)?;
//! assert_eq!(aat.as_slice(), &[14., 32., 32., 77.]);
//! let t = candle_core::Tensor::try_from(&a)?;
//! assert_eq!(Matrix::try_from(&t)?, a);
//! # Ok::<(), hw6_linalg::LinalgError>(())
//! ```

mod elementwise;
mod error;
mod fit;
mod matrix;
mod product;
mod softmax;
mod tensor;
mod threads;

pub use elementwise::{max_abs_diff, mse};
pub use error::{LinalgError, Result};
pub use fit::fit_line;
pub use matrix::{MatView, Matrix};
pub use product::{Op, gemm_into, matmul};
pub use softmax::{Real, log_sum_exp, softmax_in_place};
pub use threads::{num_threads, single_threaded, threads_for};
