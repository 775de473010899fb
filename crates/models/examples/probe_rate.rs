//! Time of the linear probe's training alone, on random features of the
//! sizes the runs use (synthetic: 4,000 x k, 2 classes, batch 100; bundled
//! MNIST: 3,200 x k, 10 classes, batch 200), with the default 2,400 steps.
//! `cargo run --release -p hw6-models --example probe_rate`
use hw6_models::prelude::*;
use rand::Rng;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    println!(
        "{:>6} {:>5} {:>8} {:>10} {:>10}",
        "rows", "k", "classes", "seconds", "us/step"
    );
    for (n, classes, batch_size) in [(4000usize, 2usize, 100usize), (3200, 10, 200)] {
        for k in [10usize, 100, 1000] {
            let z = Matrix::from_vec(
                n,
                k,
                (0..n * k).map(|_| rng.random_range(-1.0..1.0)).collect(),
            )?;
            let labels: Vec<u32> = (0..n).map(|i| (i % classes) as u32).collect();
            let cfg = ProbeConfig {
                batch_size,
                ..Default::default()
            };
            let t = Instant::now();
            let fitted = hw6_models::probe::LinearProbe::fit_counted(&z, &labels, classes, &cfg)?;
            let s = t.elapsed().as_secs_f64();
            println!(
                "{n:>6} {k:>5} {classes:>8} {s:>10.3} {:>10.1}",
                s / fitted.steps as f64 * 1e6
            );
        }
    }
    Ok(())
}
