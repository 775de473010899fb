//! A small row-major `f32` matrix and the matrix products the autoencoders
//! need, computed by the `gemm` crate (the same kernels candle's CPU backend
//! calls) without candle's per-operation overhead.
//!
//! Why not candle tensors with autograd for training? A train step of a
//! 100 -> 5 -> 100 autoencoder at batch 100 is a few hundred thousand
//! floating-point operations; candle spends more time creating tensors,
//! recording the graph and running AdamW as ~12 tensor ops per parameter than
//! doing that arithmetic. The forward and backward passes here are written
//! out by hand instead (see `autoencoder.rs`), and checked against candle's
//! autograd in the tests.

use crate::error::{ModelError, Result};
use candle_core::{Device, Tensor};

/// A dense row-major `f32` matrix.
///
/// # Shapes
/// `rows x cols`, element `(r, c)` at `data[r * cols + c]`. The fields are
/// private so that `data.len() == rows * cols` always holds: the products
/// below hand these buffers to `unsafe` code.
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

/// Number of threads the matrix products may use (2 on the course machine).
///
/// Taken from `HW6_THREADS`, else `RAYON_NUM_THREADS`, else the number of
/// available cores; products smaller than about two million multiply-adds
/// run on one thread because handing work to another costs more than it
/// saves.
pub fn num_threads() -> usize {
    use std::sync::OnceLock;
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| {
        for var in ["HW6_THREADS", "RAYON_NUM_THREADS"] {
            if let Some(n) = std::env::var(var)
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
                .filter(|&n| n > 0)
            {
                return n;
            }
        }
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// Products with fewer multiply-adds than this (2^21, about two million: a
/// `100 x 256 x 100` product is split, a `100 x 100 x 100` one is not) run on
/// one thread (`HW6_PARALLEL_MIN_MACS` overrides it, for measuring).
pub(crate) fn parallel_min_macs() -> usize {
    use std::sync::OnceLock;
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| {
        std::env::var("HW6_PARALLEL_MIN_MACS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1 << 21)
    })
}

thread_local! {
    static SINGLE_THREADED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` with every matrix product of this thread on this thread alone
/// (for work that runs beside another thread that has the other core).
pub(crate) fn single_threaded<R>(f: impl FnOnce() -> R) -> R {
    let before = SINGLE_THREADED.with(|c| c.replace(true));
    let out = f();
    SINGLE_THREADED.with(|c| c.set(before));
    out
}

/// How many threads a piece of work of `macs` multiply-adds should be
/// shared between: all of them ([`num_threads`]) from
/// [`parallel_min_macs`] on, except inside [`single_threaded`]; else 1.
pub(crate) fn threads_for(macs: usize) -> usize {
    let threads = num_threads();
    if threads > 1 && macs >= parallel_min_macs() && !SINGLE_THREADED.with(|c| c.get()) {
        threads
    } else {
        1
    }
}

/// Blocks a product is cut into: [`PRODUCT_PARTS`] from
/// [`parallel_min_macs`] multiply-adds on, else 1. Decided by the shape
/// alone, never by the number of threads, so that every entry is summed in
/// the same order on any machine: gemm itself blocks the inner dimension
/// differently for small outputs (at most 64 x 64 with `k > 512`), so a cut
/// that followed the thread count would change the last bits.
fn parts_for(m: usize, n: usize, k: usize) -> usize {
    let macs = m.saturating_mul(n).saturating_mul(k);
    if macs >= parallel_min_macs() && m.max(n) >= 2 * PRODUCT_PARTS {
        PRODUCT_PARTS
    } else {
        1
    }
}

/// Blocks of a large product: one per core of the course machine. The blocks
/// run on two threads when there are two or more, one after the other
/// otherwise.
const PRODUCT_PARTS: usize = 2;

/// `dst = op(a) op(b)`, or `dst += op(a) op(b)` when `accumulate`.
///
/// # Shapes
/// `op(a)`: `m x k`, `op(b)`: `k x n`, `dst`: `m x n`; `dst` is resized.
pub(crate) fn gemm_into(
    dst: &mut Matrix,
    a: MatView<'_>,
    ta: Op,
    b: MatView<'_>,
    tb: Op,
    accumulate: bool,
) {
    let (m, ka) = match ta {
        Op::N => (a.rows, a.cols),
        Op::T => (a.cols, a.rows),
    };
    let (kb, n) = match tb {
        Op::N => (b.rows, b.cols),
        Op::T => (b.cols, b.rows),
    };
    assert_eq!(
        ka, kb,
        "inner dimensions of a matrix product (internal caller bug)"
    );
    if accumulate {
        assert_eq!((dst.rows, dst.cols), (m, n));
    } else {
        dst.reshape_for(m, n);
    }
    // Guards for the unsafe call below: every buffer holds its whole shape,
    // with sizes multiplied without wrapping.
    let holds =
        |len: usize, rows: usize, cols: usize| rows.checked_mul(cols).is_some_and(|n| len >= n);
    assert!(
        holds(a.data.len(), a.rows, a.cols)
            && holds(b.data.len(), b.rows, b.cols)
            && holds(dst.data.len(), m, n),
        "a matrix buffer is shorter than its shape (internal caller bug)"
    );
    let k = ka;
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst.data.iter_mut().for_each(|v| *v = 0.0);
        }
        return;
    }
    let product = Product::new(dst, a, ta, b, tb, accumulate);
    let parts = parts_for(m, n, k);
    let parallel = parts > 1 && threads_for(m.saturating_mul(n).saturating_mul(k)) > 1;
    run_in_parts(&product, m, n, parts, parallel);
}

/// Run `product` (`m x n` output) as `parts` blocks along its larger output
/// dimension: each a task of rayon's pool when `parallel`, else one after
/// the other on this thread. The blocks, and so the bits of the result, are
/// the same either way.
fn run_in_parts(product: &Product, m: usize, n: usize, parts: usize, parallel: bool) {
    // SAFETY: every pointer/stride pair addresses exactly the entries of a
    // live, correctly sized buffer (checked above), `dst` does not alias `a`
    // or `b` (it is borrowed mutably while they are borrowed shared), and the
    // blocks below are disjoint.
    unsafe {
        if parts == 1 {
            product.block(0..m, 0..n);
        } else if !parallel {
            let (along_rows, len) = if m >= n { (true, m) } else { (false, n) };
            for w in split_points(len, parts).windows(2) {
                if along_rows {
                    product.block(w[0]..w[1], 0..n);
                } else {
                    product.block(0..m, w[0]..w[1]);
                }
            }
        } else if m >= n {
            let bounds = split_points(m, parts);
            rayon::scope(|s| {
                for w in bounds.windows(2).skip(1) {
                    let (rows, product) = (w[0]..w[1], product);
                    s.spawn(move |_| product.block(rows, 0..n));
                }
                product.block(0..bounds[1], 0..n);
            });
        } else {
            let bounds = split_points(n, parts);
            rayon::scope(|s| {
                for w in bounds.windows(2).skip(1) {
                    let (cols, product) = (w[0]..w[1], product);
                    s.spawn(move |_| product.block(0..m, cols));
                }
                product.block(0..m, 0..bounds[1]);
            });
        }
    }
}

/// `0 = p_0 < p_1 < ... < p_parts = len`, near-equal pieces whose inner
/// boundaries are multiples of 8 (one AVX register of `f32`) when possible.
fn split_points(len: usize, parts: usize) -> Vec<usize> {
    let mut points: Vec<usize> = (0..=parts)
        .map(|i| {
            let p = len * i / parts;
            if i == 0 || i == parts || len < 8 * parts {
                p
            } else {
                (p + 4) / 8 * 8
            }
        })
        .collect();
    points.dedup();
    points
}

/// A raw pointer that may be shared between the threads of one product
/// (each writes its own block).
#[derive(Clone, Copy)]
struct SharedPtr(*mut f32);
// SAFETY: only used by `Product::block`, whose callers hand every thread a
// disjoint block of the destination.
unsafe impl Send for SharedPtr {}
unsafe impl Sync for SharedPtr {}

/// One product `dst (m x n) (+)= op(a) (m x k) op(b) (k x n)` as raw
/// pointers and strides, so that blocks of it can run on different threads.
struct Product {
    dst: SharedPtr,
    dst_rs: isize,
    a: *const f32,
    a_rs: isize,
    a_cs: isize,
    b: *const f32,
    b_rs: isize,
    b_cs: isize,
    k: usize,
    accumulate: bool,
}
// SAFETY: `a` and `b` are only read, and `dst` is written in disjoint blocks.
unsafe impl Sync for Product {}

impl Product {
    /// `dst (+)= op(a) op(b)` for row-major operands (shapes checked by the caller).
    fn new(
        dst: &mut Matrix,
        a: MatView<'_>,
        ta: Op,
        b: MatView<'_>,
        tb: Op,
        accumulate: bool,
    ) -> Self {
        // (row stride, column stride) of op(x) inside x's row-major storage.
        let strides = |x: &MatView<'_>, t: Op| -> (isize, isize) {
            match t {
                Op::N => (x.cols as isize, 1),
                Op::T => (1, x.cols as isize),
            }
        };
        let (a_rs, a_cs) = strides(&a, ta);
        let (b_rs, b_cs) = strides(&b, tb);
        Self {
            dst: SharedPtr(dst.data.as_mut_ptr()),
            dst_rs: dst.cols as isize,
            a: a.data.as_ptr(),
            a_rs,
            a_cs,
            b: b.data.as_ptr(),
            b_rs,
            b_cs,
            k: if ta == Op::N { a.cols } else { a.rows },
            accumulate,
        }
    }

    /// Compute the block `rows x cols` of the destination on this thread.
    ///
    /// # Safety
    /// The pointers must address live buffers of the product's shapes, and
    /// no other thread may touch this block of `dst` meanwhile.
    unsafe fn block(&self, rows: std::ops::Range<usize>, cols: std::ops::Range<usize>) {
        let (r0, c0) = (rows.start as isize, cols.start as isize);
        // SAFETY: the offsets stay inside the buffers (rows < m, cols < n).
        unsafe {
            gemm::gemm(
                rows.len(),
                cols.len(),
                self.k,
                self.dst.0.offset(r0 * self.dst_rs + c0),
                1,
                self.dst_rs,
                self.accumulate,
                self.a.offset(r0 * self.a_rs),
                self.a_cs,
                self.a_rs,
                self.b.offset(c0 * self.b_cs),
                self.b_cs,
                self.b_rs,
                1.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    }
}

/// `op(a) op(b)` as a new matrix.
#[cfg(test)]
pub(crate) fn matmul(a: &Matrix, ta: Op, b: &Matrix, tb: Op) -> Matrix {
    let mut out = Matrix::zeros(0, 0);
    gemm_into(&mut out, a.view(), ta, b.view(), tb, false);
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &Matrix, ta: Op, b: &Matrix, tb: Op) -> Matrix {
        let get = |x: &Matrix, t: Op, i: usize, j: usize| match t {
            Op::N => x.data[i * x.cols + j],
            Op::T => x.data[j * x.cols + i],
        };
        let (m, k) = if ta == Op::N {
            (a.rows, a.cols)
        } else {
            (a.cols, a.rows)
        };
        let n = if tb == Op::N { b.cols } else { b.rows };
        let mut out = Matrix::zeros(m, n);
        for i in 0..m {
            for j in 0..n {
                out.data[i * n + j] = (0..k).map(|p| get(a, ta, i, p) * get(b, tb, p, j)).sum();
            }
        }
        out
    }

    #[test]
    fn products_match_the_textbook_definition_for_all_transposes() {
        let a = Matrix::from_vec(3, 4, (0..12).map(|v| v as f32 * 0.5 - 2.0).collect()).unwrap();
        let b = Matrix::from_vec(4, 2, (0..8).map(|v| 1.0 - v as f32).collect()).unwrap();
        let at =
            Matrix::from_vec(4, 3, (0..12).map(|i| a.data[(i % 3) * 4 + i / 3]).collect()).unwrap();
        let bt =
            Matrix::from_vec(2, 4, (0..8).map(|i| b.data[(i % 4) * 2 + i / 4]).collect()).unwrap();
        let want = naive(&a, Op::N, &b, Op::N);
        assert_eq!(matmul(&a, Op::N, &b, Op::N), want);
        assert_eq!(matmul(&at, Op::T, &b, Op::N), want);
        assert_eq!(matmul(&a, Op::N, &bt, Op::T), want);
        assert_eq!(matmul(&at, Op::T, &bt, Op::T), want);
        let mut acc = want.clone();
        gemm_into(&mut acc, a.view(), Op::N, b.view(), Op::N, true);
        let doubled: Vec<f32> = want.data.iter().map(|v| 2.0 * v).collect();
        assert_eq!(acc.data, doubled);
    }

    /// The blocks of a product give the same bits whether they run on
    /// several threads or one after the other, for both split directions,
    /// every transpose, accumulation, and inner sizes on both sides of
    /// gemm's small-output path (`k > 512`).
    #[test]
    fn blocks_give_the_same_bits_on_one_thread_and_on_several() {
        let data = |len: usize, seed: usize| -> Vec<f32> {
            (0..len)
                .map(|i| (((i * 7919 + seed * 104_729) % 1000) as f32 - 500.0) * 1e-3)
                .collect()
        };
        for (m, n, k) in [
            (100, 256, 100),
            (256, 100, 37),
            (13, 9, 300),
            (64, 64, 64),
            (200, 64, 784),
            (48, 128, 1000),
        ] {
            for (ta, tb) in [
                (Op::N, Op::N),
                (Op::N, Op::T),
                (Op::T, Op::N),
                (Op::T, Op::T),
            ] {
                let (ar, ac) = if ta == Op::N { (m, k) } else { (k, m) };
                let (br, bc) = if tb == Op::N { (k, n) } else { (n, k) };
                let a = Matrix::from_vec(ar, ac, data(ar * ac, 1)).unwrap();
                let b = Matrix::from_vec(br, bc, data(br * bc, 2)).unwrap();
                let start = Matrix::from_vec(m, n, data(m * n, 3)).unwrap();
                for accumulate in [false, true] {
                    let run = |parts: usize, parallel: bool| {
                        let mut dst = start.clone();
                        let product =
                            Product::new(&mut dst, a.view(), ta, b.view(), tb, accumulate);
                        run_in_parts(&product, m, n, parts, parallel);
                        dst.data.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                    };
                    for parts in [2, 3, 4] {
                        assert_eq!(
                            run(parts, true),
                            run(parts, false),
                            "{m}x{n}x{k} {ta:?}{tb:?} acc={accumulate} parts={parts}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_cut_of_a_product_depends_on_its_shape_only() {
        assert_eq!(parts_for(100, 256, 100), PRODUCT_PARTS);
        assert_eq!(parts_for(100, 100, 100), 1);
        assert_eq!(parts_for(1, 1, usize::MAX), 1);
        assert_eq!(parts_for(usize::MAX, usize::MAX, 2), PRODUCT_PARTS);
    }

    #[test]
    fn split_points_cover_the_range_in_order() {
        assert_eq!(split_points(100, 2), vec![0, 48, 100]);
        assert_eq!(split_points(1000, 2), vec![0, 504, 1000]);
        assert_eq!(split_points(10, 2), vec![0, 5, 10]);
        assert_eq!(split_points(1, 2), vec![0, 1]);
        for (len, parts) in [(256, 3), (17, 4), (1000, 7)] {
            let p = split_points(len, parts);
            assert_eq!((p[0], *p.last().unwrap()), (0, len));
            assert!(p.windows(2).all(|w| w[0] < w[1]), "{p:?}");
        }
    }
}
