//! The versions of this project and of the libraries it is built on, read
//! from the workspace's Cargo.lock when the crate is compiled.

/// This crate's version.
pub const HW6: &str = env!("CARGO_PKG_VERSION");

/// `(library, version)` for hw6 and the main libraries it was built with.
pub fn libraries() -> Vec<(&'static str, &'static str)> {
    vec![
        ("hw6", HW6),
        ("candle-core", env!("HW6_VERSION_CANDLE_CORE")),
        ("candle-nn", env!("HW6_VERSION_CANDLE_NN")),
        ("plotters", env!("HW6_VERSION_PLOTTERS")),
        ("polars", env!("HW6_VERSION_POLARS")),
        ("nalgebra", env!("HW6_VERSION_NALGEBRA")),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_come_from_the_lock_file() {
        let libs = super::libraries();
        let candle = libs.iter().find(|(n, _)| *n == "candle-core").unwrap().1;
        assert!(candle.starts_with("0.11."), "candle-core {candle}");
        assert!(libs.iter().all(|(_, v)| *v != "unknown"), "{libs:?}");
    }
}
