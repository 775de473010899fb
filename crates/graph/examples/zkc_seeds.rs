//! Trains the homework's network once per seed and prints how each run ended,
//! then a summary: `cargo run --release -p hw6-graph --example zkc_seeds --
//! 0 100 [binary] [warmup=N]` (seeds 0 to 99; Zachary's weights unless
//! `binary`; the default warm-up unless `warmup=N`, 0 being the original's
//! rule).

use hw6_graph::prelude::*;

fn main() -> Result<(), GraphError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let (from, to) = match numbers.as_slice() {
        [a, b] => (*a, *b),
        _ => (0, 10),
    };
    let weights = if args.iter().any(|a| a == "binary") {
        EdgeWeights::Binary
    } else {
        EdgeWeights::Weighted
    };
    let warmup = args
        .iter()
        .find_map(|a| a.strip_prefix("warmup=")?.parse().ok())
        .unwrap_or(GcnTrainConfig::default().warmup);
    let data = KarateData::new(load_karate(None)?, weights)?;
    let (mut full, mut on_plateau) = (0, 0);
    let mut epochs = Vec::new();
    for seed in from..to {
        let config = ZkcConfig {
            seed,
            train: GcnTrainConfig {
                log_every: 0,
                warmup,
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
        if let Some(pred) = run.history.predictions.last() {
            let wrong: Vec<usize> = data
                .task
                .test_nodes
                .iter()
                .copied()
                .filter(|&i| (pred[(i, 1)] > pred[(i, 0)]) != (data.classes.class_of[i] == 1))
                .collect();
            if !wrong.is_empty() {
                println!("          misclassified test nodes: {wrong:?}");
            }
        }
        full += usize::from(acc == 1.0);
        // Stopped as soon as the rule allows: the test loss never improved
        // after the warm-up.
        on_plateau += usize::from(n == warmup + config.train.patience + 2);
        epochs.push(n);
    }
    epochs.sort_unstable();
    println!(
        "warm-up {warmup}: {full} of {} seeds reach 100% test accuracy; {on_plateau} stop as soon as the rule allows; median {} epochs",
        to - from,
        epochs.get(epochs.len() / 2).copied().unwrap_or(0)
    );
    Ok(())
}
