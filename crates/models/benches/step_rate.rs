//! Train steps per second of one network on one fixed batch (no data
//! loading, no evaluation): the step's own cost, per configuration, with
//! user CPU time beside wall time so a busy machine shows.
//! `cargo bench -p hw6-models --bench step_rate -- [linear|nonlinear|all] [k] [steps]`
//! (all configurations by default; give one to profile it alone).
use hw6_models::Arch;
use hw6_models::prelude::*;
use std::time::Instant;

fn cpu_seconds() -> f64 {
    // utime + stime of this process, in clock ticks (100 per second on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (m, batch) = (100, 100);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    use rand::Rng;
    let x = Matrix::from_fn(batch, m, |_, _| rng.random_range(-3.0..3.0));
    println!(
        "{:>10} {:>5} {:>10} {:>9} {:>9}",
        "arch", "k", "us/step", "wall GF", "CPU GF"
    );
    let args: Vec<String> = std::env::args().skip(1).collect();
    let archs = match args.first().map(String::as_str) {
        None | Some("all") => vec![Arch::Linear, Arch::Nonlinear { hidden: 256 }],
        Some("linear") => vec![Arch::Linear],
        Some("nonlinear") => vec![Arch::Nonlinear { hidden: 256 }],
        Some(other) => {
            return Err(format!("unknown arch '{other}': use linear, nonlinear or all").into());
        }
    };
    let number = |i: usize, what: &str| -> Result<Option<usize>, String> {
        args.get(i)
            .map(|s| {
                s.parse::<usize>()
                    .ok()
                    .filter(|&v| v > 0)
                    .ok_or(format!("{what} '{s}': use a positive whole number"))
            })
            .transpose()
    };
    let ks: Vec<usize> = match number(1, "k")? {
        Some(k) => vec![k],
        None => vec![5, 10, 100, 1000],
    };
    let steps_arg = number(2, "steps")?;
    for &arch in &archs {
        for &k in &ks {
            let mut ae = Autoencoder::new(&arch.config(m, k))?;
            let mut opt = ae.optimizer(5e-4)?;
            let steps = steps_arg.unwrap_or(if k >= 1000 { 300 } else { 2000 });
            for _ in 0..20 {
                ae.step(&x, &x, &mut opt)?;
            }
            let (t, c) = (Instant::now(), cpu_seconds());
            // On a worker of rayon's pool, as `Experiment::train` runs them.
            rayon::scope(
                |_| -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
                    for _ in 0..steps {
                        ae.step(&x, &x, &mut opt)?;
                    }
                    Ok(())
                },
            )
            .map_err(|e| e.to_string())?;
            let wall = t.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - c;
            let flops = hw6_models::flops::train_per_sample(&ae) * (batch * steps) as f64;
            println!(
                "{:>10} {k:>5} {:>10.1} {:>9.1} {:>9.1}",
                arch.name(),
                wall / steps as f64 * 1e6,
                flops / wall / 1e9,
                flops / cpu.max(1e-9) / 1e9
            );
        }
    }
    Ok(())
}
