//! GFLOP/s of the gemm crate on the products of one train step of the
//! nonlinear synthetic autoencoder (batch 100, 100 -> 256 -> k), one thread
//! and two, next to a large product.
//! `cargo run --release -p hw6-models --example gemm_shapes`
use std::time::Instant;

fn time_gemm(m: usize, n: usize, k: usize, par: gemm::Parallelism, reps: usize) -> f64 {
    let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect();
    let mut c = vec![0f32; m * n];
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        for _ in 0..reps {
            // SAFETY: row-major buffers of exactly the sizes given.
            unsafe {
                gemm::gemm(
                    m,
                    n,
                    k,
                    c.as_mut_ptr(),
                    1,
                    n as isize,
                    false,
                    a.as_ptr(),
                    1,
                    k as isize,
                    b.as_ptr(),
                    1,
                    n as isize,
                    1.0,
                    1.0,
                    false,
                    false,
                    false,
                    par,
                );
            }
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    2.0 * (m * n * k) as f64 / best / 1e9
}

fn main() {
    for (m, n, k) in [
        (100, 256, 100),
        (256, 100, 100),
        (100, 100, 256),
        (100, 10, 256),
        (100, 256, 10),
        (100, 1000, 256),
        (100, 256, 1000),
        (256, 1000, 100),
        (2048, 256, 100),
        (1024, 1024, 1024),
    ] {
        let reps = (2e8 / (m * n * k) as f64).max(3.0) as usize;
        let one = time_gemm(m, n, k, gemm::Parallelism::None, reps);
        let two = time_gemm(m, n, k, gemm::Parallelism::Rayon(2), reps);
        println!("{m:>5} x {n:>5} x {k:>5}: 1 thread {one:>6.1} GF/s, 2 threads {two:>6.1} GF/s");
    }
}
