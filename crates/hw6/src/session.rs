//! [`init`]: the first call of every notebook. Checks that the data folder is
//! there and prints one line saying what this kernel will use.

use hw6_datasets::{DataError, MnistKind, default_data_dir, locate_mnist};

/// Prints the hw6 and candle versions, the number of compute threads, the
/// data folder and which MNIST copy it holds. Errors if the data folder does
/// not exist, saying how to point hw6 at one.
pub fn init() -> Result<(), DataError> {
    let dir = default_data_dir();
    if !dir.is_dir() {
        return Err(DataError::NotFound {
            what: "the data folder".to_string(),
            tried: vec![dir],
            advice: "set HW6_DATA_DIR to the project's data/ folder".to_string(),
        });
    }
    let mnist = match locate_mnist(MnistKind::Digits, &dir) {
        Ok(found) => found.source.to_string(),
        Err(_) => "no MNIST found".to_string(),
    };
    println!(
        "hw6 {} · candle {} · {} threads · data: {} ({mnist})",
        crate::versions::HW6,
        env!("HW6_VERSION_CANDLE_CORE"),
        candle_core::utils::get_num_threads(),
        dir.display(),
    );
    Ok(())
}
