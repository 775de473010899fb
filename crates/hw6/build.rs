//! Reads the exact versions of the main libraries from the workspace's
//! Cargo.lock, so `hw6::versions` reports what was really built.

use std::path::Path;

const TRACKED: [&str; 5] = ["candle-core", "candle-nn", "plotters", "polars", "nalgebra"];

fn main() {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line
            .strip_prefix("name = \"")
            .and_then(|s| s.strip_suffix('"'))
        else {
            continue;
        };
        if !TRACKED.contains(&name) {
            continue;
        }
        let version = lines
            .next()
            .and_then(|l| l.strip_prefix("version = \""))
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or("unknown");
        let key = name.replace('-', "_").to_uppercase();
        println!("cargo:rustc-env=HW6_VERSION_{key}={version}");
    }
    for name in TRACKED {
        let key = name.replace('-', "_").to_uppercase();
        if !text.contains(&format!("name = \"{name}\"")) {
            println!("cargo:rustc-env=HW6_VERSION_{key}=unknown");
        }
    }
}
