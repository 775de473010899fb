//! GFLOP/s of the gemm crate on the products of one train step (batch 100,
//! 100 -> 256 -> k -> 256 -> 100, and the linear 100 -> k -> 100), with the
//! operand layouts the step uses (weights stored `out x in`): on one thread,
//! on two through gemm's own split, and cut in two by rows or by columns
//! (what `hw6-models` does), next to a large product.
//! `cargo run --release -p hw6-models --example gemm_shapes -- [k]`
use std::ops::Range;
use std::time::Instant;

/// How a timed product runs.
#[derive(Clone, Copy)]
enum How {
    /// One gemm call with this parallelism.
    Whole(gemm::Parallelism),
    /// Two single-thread gemm calls on the two halves of the rows (or
    /// columns) of `c`, side by side through `rayon::join`.
    RowHalves,
    ColumnHalves,
}

/// GFLOP/s of `c (m x n) = op(a) (m x k) * op(b) (k x n)` (best of 5);
/// `ta` / `tb`: operand stored transposed.
fn gflops(m: usize, n: usize, k: usize, ta: bool, tb: bool, how: How) -> f64 {
    let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect();
    let mut c = vec![0f32; m * n];
    // (row stride, col stride) of op(x) for row-major storage.
    let (a_rs, a_cs) = if ta { (1, m as isize) } else { (k as isize, 1) };
    let (b_rs, b_cs) = if tb { (1, k as isize) } else { (n as isize, 1) };
    let block = |c: usize, rows: Range<usize>, cols: Range<usize>, par: gemm::Parallelism| {
        // SAFETY: row-major buffers of exactly the sizes given; blocks run
        // side by side are disjoint.
        unsafe {
            gemm::gemm(
                rows.len(),
                cols.len(),
                k,
                (c as *mut f32).add(rows.start * n + cols.start),
                1,
                n as isize,
                false,
                a.as_ptr().offset(rows.start as isize * a_rs),
                a_cs,
                a_rs,
                b.as_ptr().offset(cols.start as isize * b_cs),
                b_cs,
                b_rs,
                1.0,
                1.0,
                false,
                false,
                false,
                par,
            );
        }
    };
    let one = gemm::Parallelism::None;
    let reps = (1e8 / (m * n * k) as f64).max(3.0) as usize;
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..reps {
            let cp = c.as_mut_ptr() as usize;
            let (hm, hn) = (m / 2, n / 2);
            match how {
                How::Whole(par) => block(cp, 0..m, 0..n, par),
                How::RowHalves => {
                    rayon::join(
                        || block(cp, 0..hm, 0..n, one),
                        || block(cp, hm..m, 0..n, one),
                    );
                }
                How::ColumnHalves => {
                    rayon::join(
                        || block(cp, 0..m, 0..hn, one),
                        || block(cp, 0..m, hn..n, one),
                    );
                }
            }
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    2.0 * (m * n * k) as f64 / best / 1e9
}

fn main() {
    let kb: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let (b, m, h) = (100, 100, 256);
    // (name, m, n, k, lhs transposed, rhs transposed)
    let mut shapes = Vec::new();
    for (l, (i, o)) in [(m, h), (h, kb), (kb, h), (h, m)].into_iter().enumerate() {
        shapes.push((format!("fwd  {l}: X W^T"), b, o, i, false, true));
        shapes.push((format!("dW   {l}: D^T X"), o, i, b, true, false));
        if l > 0 {
            shapes.push((format!("dX   {l}: D W  "), b, i, o, false, false));
        }
    }
    // The linear autoencoder's products (100 -> k -> 100).
    for (l, (i, o)) in [(m, kb), (kb, m)].into_iter().enumerate() {
        shapes.push((format!("linear fwd {l}"), b, o, i, false, true));
        shapes.push((format!("linear dW  {l}"), o, i, b, true, false));
        if l > 0 {
            shapes.push((format!("linear dX  {l}"), b, i, o, false, false));
        }
    }
    shapes.push(("plain 1024^3".into(), 1024, 1024, 1024, false, false));
    for (name, m, n, k, ta, tb) in shapes {
        let one = gflops(m, n, k, ta, tb, How::Whole(gemm::Parallelism::None));
        let two = gflops(m, n, k, ta, tb, How::Whole(gemm::Parallelism::Rayon(2)));
        let split_m = gflops(m, n, k, ta, tb, How::RowHalves);
        let split_n = gflops(m, n, k, ta, tb, How::ColumnHalves);
        println!(
            "{name} {m:>5} x {n:>5} x {k:>5}: 1 thread {one:>6.1}, 2 threads {two:>6.1}, rows split {split_m:>6.1}, columns split {split_n:>6.1} GF/s"
        );
    }
}
