//! Prints how long the data sets take to build or load on this machine:
//! `cargo bench -p hw6-datasets --bench data_timing [-- DATA_DIR]`.

use std::time::Instant;

use hw6_datasets::prelude::*;

fn main() -> Result<(), DataError> {
    let data_dir = std::env::args().nth(1).map(std::path::PathBuf::from);

    let t = Instant::now();
    let synthetic = SyntheticConfig::default().build()?;
    println!(
        "synthetic (notebook defaults): {:.3} s, {synthetic}",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    synthetic.train.moments()?;
    println!(
        "synthetic train moments (X^T X / n): {:.3} s",
        t.elapsed().as_secs_f64()
    );

    for kind in [MnistKind::Digits, MnistKind::Fashion] {
        let t = Instant::now();
        match (MnistConfig {
            data_dir: data_dir.clone(),
            ..MnistConfig::new(kind)
        })
        .load_quiet()
        {
            Ok((d, line)) => println!("{:.3} s, {line}; {d}", t.elapsed().as_secs_f64()),
            Err(e) => println!("{kind}: {e}"),
        }
    }
    Ok(())
}
