//! Trains the homework's network once per seed and prints how each run ended:
//! `cargo run -p hw6-graph --example zkc_seeds -- 0 20 [binary]` (seeds 0 to
//! 19; Zachary's weights unless `binary`).

use hw6_graph::prelude::*;

fn main() -> Result<(), GraphError> {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (from, to) = match args.as_slice() {
        [a, b] => (*a, *b),
        _ => (0, 10),
    };
    let weights = if std::env::args().any(|a| a == "binary") {
        EdgeWeights::Binary
    } else {
        EdgeWeights::Weighted
    };
    let data = KarateData::new(load_karate(None)?, weights)?;
    let mut full = 0;
    for seed in from..to {
        let config = ZkcConfig {
            seed,
            train: GcnTrainConfig {
                log_every: 0,
                ..GcnTrainConfig::default()
            },
            ..ZkcConfig::default()
        };
        let run = config.run(&data)?;
        let (train, test, acc) = run.history.last().unwrap_or_default();
        let first = run.history.test_losses.first().copied().unwrap_or(f64::NAN);
        println!(
            "seed {seed:>3}: {:>5} epochs, test accuracy {acc:.2}, train loss {train:.4}, test loss {first:.4} -> {test:.4}",
            run.history.epochs()
        );
        if let Some(pred) = run.history.predictions.last() {
            let wrong: Vec<usize> = data
                .task
                .test_nodes
                .iter()
                .copied()
                .filter(|&i| (pred[(i, 1)] > pred[(i, 0)]) != (data.classes.class_of[i] == 1))
                .collect();
            println!("          misclassified test nodes: {wrong:?}");
        }
        if acc == 1.0 {
            full += 1;
        }
    }
    println!("{full} of {} seeds reach 100% test accuracy", to - from);
    Ok(())
}
