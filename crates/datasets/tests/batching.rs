//! Mini-batch orders: reproducible, complete, and different between epochs.

use std::collections::HashSet;

use hw6_datasets::prelude::*;
use hw6_linalg::Matrix;

#[test]
fn shuffled_epochs_are_permutations_when_batches_divide_n() {
    let order = Order::Shuffled { seed: 42 };
    for epoch in 0..5 {
        let batches = epoch_batches(1_000, 50, order, epoch).unwrap();
        assert_eq!(batches.len(), 20);
        assert!(batches.iter().all(|b| b.len() == 50));
        let mut all: Vec<usize> = batches.concat();
        all.sort_unstable();
        assert_eq!(all, (0..1_000).collect::<Vec<_>>());
    }
}

#[test]
fn shuffled_epochs_drop_a_different_remainder() {
    let order = Order::Shuffled { seed: 3 };
    let mut dropped = HashSet::new();
    for epoch in 0..20 {
        let batches = epoch_batches(105, 10, order, epoch).unwrap();
        assert_eq!(batches.len(), 10);
        let seen: HashSet<usize> = batches.concat().into_iter().collect();
        assert_eq!(seen.len(), 100, "indices repeat within an epoch");
        assert!(seen.iter().all(|&i| i < 105));
        dropped.extend((0..105).filter(|i| !seen.contains(i)));
    }
    // Over 20 epochs the 5 rows left out vary, so every row gets its turn.
    assert!(
        dropped.len() > 40,
        "only {} rows were ever left out",
        dropped.len()
    );
}

#[test]
fn same_seed_and_epoch_same_order_otherwise_different() {
    let a = epoch_batches(500, 25, Order::Shuffled { seed: 9 }, 4).unwrap();
    assert_eq!(
        a,
        epoch_batches(500, 25, Order::Shuffled { seed: 9 }, 4).unwrap()
    );
    assert_ne!(
        a,
        epoch_batches(500, 25, Order::Shuffled { seed: 9 }, 5).unwrap()
    );
    assert_ne!(
        a,
        epoch_batches(500, 25, Order::Shuffled { seed: 10 }, 4).unwrap()
    );
    let seq = epoch_batches(500, 25, Order::Sequential, 0).unwrap();
    assert_ne!(a, seq);
    assert_eq!(seq[3], (75..100).collect::<Vec<_>>());
    assert_eq!(seq, epoch_batches(500, 25, Order::Sequential, 7).unwrap());
}

#[test]
fn gathered_batches_have_the_documented_shapes() {
    let data = SyntheticConfig {
        samples: 300,
        input_size: 8,
        num_high_var_dims: 2,
        ..SyntheticConfig::default()
    }
    .build()
    .unwrap();
    let batches = epoch_batches(data.train.len(), 64, Order::Shuffled { seed: 1 }, 0).unwrap();
    assert_eq!(batches.len(), 210 / 64);
    let mut x = Matrix::default();
    x.gather(data.train.features().view(), &batches[0]).unwrap();
    assert_eq!(x.shape(), (64, 8));
    let first = batches[0][0];
    assert_eq!(x.row(0).unwrap(), data.train.row(first));
}
