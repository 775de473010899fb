//! Loading the data sets and reading a split's matrix:
//! `cargo run -p hw6-datasets --example load`.

use hw6_datasets::prelude::*;
use hw6_linalg::Matrix;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The synthetic data: 20,000 rows of 100 features, split 70/20/10.
    let synthetic = SyntheticConfig::default().build()?;
    println!("{synthetic}");

    // MNIST: full MNIST when it is on disk, else the bundled 10,000-digit
    // sample; `load` prints which copy it read.
    let mnist = MnistConfig::new(MnistKind::Digits).load()?;
    let train = &mnist.train;

    // A split is an (n, 784) matrix of pixels in [0, 1] and one label per row.
    let x: &Matrix = train.features();
    println!(
        "train: {:?} features, {} labels",
        x.shape(),
        train.labels().len()
    );
    println!(
        "first label {}, its brightest pixel {:.3}",
        train.labels()[0],
        train.row(0).iter().copied().fold(0.0, f32::max)
    );
    println!("labels 0-9: {:?}", train.label_histogram(10));

    // Its moments, computed once and kept with the split.
    let m = train.moments()?;
    println!(
        "mean pixel {:.4}, S is {:?}",
        m.mean.iter().sum::<f32>() / 784.0,
        m.second.shape()
    );

    // One shuffled epoch of mini-batches of 128 rows.
    let mut batch = Matrix::default();
    let batches = epoch_batches(train.len(), 128, Order::Shuffled { seed: 0 }, 0)?;
    for rows in &batches {
        batch.gather(x.view(), rows)?;
    }
    println!("{} batches of {:?}", batches.len(), batch.shape());

    // The karate club graph.
    let club = load_karate(None)?;
    println!(
        "karate club: {} members, {} ties",
        club.num_members(),
        club.num_edges()
    );
    Ok(())
}
