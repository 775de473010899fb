//! Seed sweep of the homework's run: trains the network once per seed and
//! prints how each run ended, then a summary (the figures behind
//! `DEFAULT_WARMUP`, `KARATE_WEIGHTS` and `ZKC_DEFAULT_SEED`; see
//! docs/findings.md, "The karate club GCN").
//!
//! `cargo bench -p hw6-graph --bench zkc_seeds -- 0 100 [binary] [warmup=N]`:
//! seeds 0 to 99; Zachary's weights unless `binary`; the default warm-up
//! unless `warmup=N` (0 is the original's rule).

use hw6_graph::prelude::*;

/// Command-line settings: the seed range, the adjacency and the warm-up.
struct Sweep {
    seeds: std::ops::Range<u64>,
    weights: EdgeWeights,
    warmup: usize,
}

fn parse_args() -> Sweep {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let seeds = match numbers.as_slice() {
        [a, b] => *a..*b,
        _ => 0..10,
    };
    let weights = if args.iter().any(|a| a == "binary") {
        EdgeWeights::Binary
    } else {
        EdgeWeights::Weighted
    };
    let warmup = args
        .iter()
        .find_map(|a| a.strip_prefix("warmup=")?.parse().ok())
        .unwrap_or(DEFAULT_WARMUP);
    Sweep {
        seeds,
        weights,
        warmup,
    }
}

/// The test nodes on the wrong side of 1/2 at the end of `run`.
fn misclassified(data: &KarateData, run: &ZkcRun) -> Vec<usize> {
    let Some(pred) = run.history.predictions.last() else {
        return Vec::new();
    };
    (data.task.test_nodes.iter().copied())
        .filter(|&i| (pred[(i, 1)] > pred[(i, 0)]) != (data.classes.class_of[i] == 1))
        .collect()
}

fn main() -> Result<(), GraphError> {
    let sweep = parse_args();
    let data = KarateData::new(load_karate(None)?, sweep.weights)?;
    let (mut full, mut on_plateau) = (0, 0);
    let mut epochs = Vec::new();
    for seed in sweep.seeds.clone() {
        let config = ZkcConfig {
            seed,
            train: GcnTrainConfig {
                log_every: 0,
                warmup: sweep.warmup,
                ..GcnTrainConfig::default()
            },
            ..ZkcConfig::default()
        };
        let run = config.run(&data)?;
        let (train, test, acc) = run.history.last().unwrap_or_default();
        let first = run.history.test_losses.first().copied().unwrap_or(f64::NAN);
        let n = run.history.epochs();
        println!(
            "seed {seed:>3}: {n:>5} epochs, test accuracy {acc:.2}, train loss {train:.4}, test loss {first:.4} -> {test:.4}"
        );
        let wrong = misclassified(&data, &run);
        if !wrong.is_empty() {
            println!("          misclassified test nodes: {wrong:?}");
        }
        full += usize::from(acc == 1.0);
        // Stopped as soon as the rule allows: the test loss never improved
        // after the warm-up.
        on_plateau += usize::from(n == sweep.warmup + config.train.patience + 2);
        epochs.push(n);
    }
    epochs.sort_unstable();
    println!(
        "warm-up {}: {full} of {} seeds reach 100% test accuracy; {on_plateau} stop as soon as the rule allows; median {} epochs",
        sweep.warmup,
        sweep.seeds.end - sweep.seeds.start,
        epochs.get(epochs.len() / 2).copied().unwrap_or(0)
    );
    Ok(())
}
