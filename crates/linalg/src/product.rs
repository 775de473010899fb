//! Matrix products `dst (+)= op(a) op(b)` over [`Matrix`] buffers, by the
//! `gemm` crate, with large products cut into blocks that run on two threads.

use crate::error::Result;
use crate::matrix::{MatView, Matrix};
use crate::threads::{parallel_min_macs, threads_for};
use hw6_exercise::ShapeError;

/// Whether an operand of a product is used as stored or transposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// As stored.
    N,
    /// Transposed.
    T,
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
/// `op(a)`: `m x k`, `op(b)`: `k x n`, `dst`: `m x n` (resized unless
/// `accumulate`). Errors when the inner dimensions differ, or when
/// accumulating into a `dst` of another shape.
pub fn gemm_into(
    dst: &mut Matrix,
    a: MatView<'_>,
    ta: Op,
    b: MatView<'_>,
    tb: Op,
    accumulate: bool,
) -> Result<()> {
    let (m, k) = oriented(a, ta);
    let (kb, n) = oriented(b, tb);
    if k != kb {
        let got = format!("op(a) {m} x {k} and op(b) {kb} x {n}");
        return Err(ShapeError::new("gemm_into", "equal inner dimensions", got).into());
    }
    if accumulate && dst.shape() != (m, n) {
        let got = format!("{:?}", dst.shape());
        return Err(ShapeError::new(
            "gemm_into (accumulate)",
            format!("dst of shape ({m}, {n})"),
            got,
        )
        .into());
    }
    dst.resize(m, n);
    if m == 0 || n == 0 {
        return Ok(());
    }
    if k == 0 {
        if !accumulate {
            dst.as_mut_slice().iter_mut().for_each(|v| *v = 0.0);
        }
        return Ok(());
    }
    let product = Product::new(dst, a, ta, b, tb, accumulate);
    let parts = parts_for(m, n, k);
    let parallel = parts > 1 && threads_for(m.saturating_mul(n).saturating_mul(k)) > 1;
    run_in_parts(&product, m, n, parts, parallel);
    Ok(())
}

/// `(rows, cols)` of `op(x)`.
fn oriented(x: MatView<'_>, t: Op) -> (usize, usize) {
    match t {
        Op::N => x.shape(),
        Op::T => (x.cols(), x.rows()),
    }
}

/// `op(a) op(b)` as a new matrix (errors as [`gemm_into`]).
pub fn matmul(a: &Matrix, ta: Op, b: &Matrix, tb: Op) -> Result<Matrix> {
    let mut out = Matrix::default();
    gemm_into(&mut out, a.view(), ta, b.view(), tb, false)?;
    Ok(out)
}

/// Run `product` (`m x n` output) as `parts` blocks along its larger output
/// dimension: each a task of rayon's pool when `parallel`, else one after
/// the other on this thread. The blocks, and so the bits of the result, are
/// the same either way.
fn run_in_parts(product: &Product, m: usize, n: usize, parts: usize, parallel: bool) {
    // SAFETY: every pointer/stride pair addresses exactly the entries of a
    // live buffer of its shape (a `Matrix` or `MatView` always holds
    // `rows * cols` values, and `gemm_into` checked how the shapes meet), `dst` does not alias `a`
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
                Op::N => (x.cols() as isize, 1),
                Op::T => (1, x.cols() as isize),
            }
        };
        let (a_rs, a_cs) = strides(&a, ta);
        let (b_rs, b_cs) = strides(&b, tb);
        Self {
            dst_rs: dst.cols() as isize,
            dst: SharedPtr(dst.as_mut_slice().as_mut_ptr()),
            a: a.as_slice().as_ptr(),
            a_rs,
            a_cs,
            b: b.as_slice().as_ptr(),
            b_rs,
            b_cs,
            k: oriented(a, ta).1,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &Matrix, ta: Op, b: &Matrix, tb: Op) -> Matrix {
        let get = |x: &Matrix, t: Op, i: usize, j: usize| match t {
            Op::N => x.as_slice()[i * x.cols() + j],
            Op::T => x.as_slice()[j * x.cols() + i],
        };
        let (m, k) = if ta == Op::N {
            (a.rows(), a.cols())
        } else {
            (a.cols(), a.rows())
        };
        let n = if tb == Op::N { b.cols() } else { b.rows() };
        let mut out = Matrix::zeros(m, n);
        for i in 0..m {
            for j in 0..n {
                out.as_mut_slice()[i * n + j] =
                    (0..k).map(|p| get(a, ta, i, p) * get(b, tb, p, j)).sum();
            }
        }
        out
    }

    #[test]
    fn products_match_the_textbook_definition_for_all_transposes() {
        let a = Matrix::from_vec(3, 4, (0..12).map(|v| v as f32 * 0.5 - 2.0).collect()).unwrap();
        let b = Matrix::from_vec(4, 2, (0..8).map(|v| 1.0 - v as f32).collect()).unwrap();
        let at = Matrix::from_vec(
            4,
            3,
            (0..12).map(|i| a.as_slice()[(i % 3) * 4 + i / 3]).collect(),
        )
        .unwrap();
        let bt = Matrix::from_vec(
            2,
            4,
            (0..8).map(|i| b.as_slice()[(i % 4) * 2 + i / 4]).collect(),
        )
        .unwrap();
        let want = naive(&a, Op::N, &b, Op::N);
        assert_eq!(matmul(&a, Op::N, &b, Op::N).unwrap(), want);
        assert_eq!(matmul(&at, Op::T, &b, Op::N).unwrap(), want);
        assert_eq!(matmul(&a, Op::N, &bt, Op::T).unwrap(), want);
        assert_eq!(matmul(&at, Op::T, &bt, Op::T).unwrap(), want);
        let mut acc = want.clone();
        gemm_into(&mut acc, a.view(), Op::N, b.view(), Op::N, true).unwrap();
        let doubled: Vec<f32> = want.as_slice().iter().map(|v| 2.0 * v).collect();
        assert_eq!(acc.as_slice(), &doubled[..]);
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
                        dst.as_slice()
                            .iter()
                            .map(|v| v.to_bits())
                            .collect::<Vec<_>>()
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
    fn mismatched_shapes_are_errors() {
        let a = Matrix::zeros(2, 3);
        let e = matmul(&a, Op::N, &a, Op::N).unwrap_err().to_string();
        assert!(e.contains("inner dimensions"), "{e}");
        let mut dst = Matrix::zeros(3, 3);
        let e = gemm_into(&mut dst, a.view(), Op::N, a.view(), Op::T, true).unwrap_err();
        assert!(e.to_string().contains("accumulate"), "{e}");
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
