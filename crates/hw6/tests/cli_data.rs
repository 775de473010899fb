//! `hw6 data` as a user runs it: the bundled sample and the karate club are
//! reported, and damaged input is a one-line error with a non-zero exit.

use std::path::PathBuf;
use std::process::Output;

mod common;
use common::{hw6, project_data};

/// A fresh folder holding a copy of the bundled sample in torchvision's layout.
fn copy_of_sample(tag: &str) -> (PathBuf, PathBuf) {
    let root = std::env::temp_dir().join(format!("hw6-cli-data-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let raw = root.join("MNIST").join("raw");
    std::fs::create_dir_all(&raw).unwrap();
    for name in [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ] {
        std::fs::copy(
            project_data().join("mnist-sample").join(name),
            raw.join(name),
        )
        .unwrap();
    }
    (root, raw)
}

fn one_line_error(out: &Output, must_contain: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected failure, stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for s in must_contain {
        assert!(err.contains(s), "{s:?} missing from: {err}");
    }
}

#[test]
fn json_reports_the_sample_and_the_karate_club() {
    let data = project_data();
    let out = hw6(&["data", "--data-dir", data.to_str().unwrap(), "--json", "-"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sample = v["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == "sample")
        .unwrap();
    assert_eq!(sample["found"], true);
    assert_eq!(sample["training_file_images"], 8000);
    assert_eq!(sample["test_file_images"], 2000);
    assert_eq!(sample["images"]["train"], 4800);
    assert_eq!(sample["images"]["valid"], 3200);
    let hist: Vec<u64> = sample["label_histogram"]["test"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(hist, [198, 236, 203, 212, 198, 170, 212, 208, 171, 192]);
    assert_eq!(v["karate"]["members"], 34);
    assert_eq!(v["karate"]["edges"], 78);
}

#[test]
fn truncated_file_wrong_magic_and_missing_folder_fail_cleanly() {
    let (root, raw) = copy_of_sample("bad");
    let root_s = root.to_str().unwrap();

    // Truncated: half of a gzip file.
    let labels = raw.join("train-labels-idx1-ubyte.gz");
    let bytes = std::fs::read(&labels).unwrap();
    std::fs::write(&labels, &bytes[..bytes.len() / 2]).unwrap();
    one_line_error(
        &hw6(&["data", "--data-dir", root_s]),
        &["train-labels-idx1-ubyte.gz", "truncated"],
    );

    // Wrong magic number: a raw file (raw wins over .gz) starting with "PK".
    std::fs::write(&labels, &bytes).unwrap();
    let raw_labels = raw.join("t10k-labels-idx1-ubyte");
    std::fs::write(&raw_labels, b"PK\x03\x04 not an idx file").unwrap();
    one_line_error(
        &hw6(&["data", "--data-dir", root_s]),
        &["t10k-labels-idx1-ubyte", "wrong magic number 50 4b 03 04"],
    );

    // A data folder that does not exist.
    let missing = root.join("no-such-folder");
    one_line_error(
        &hw6(&["data", "--data-dir", missing.to_str().unwrap()]),
        &["no-such-folder", "does not exist", "hw6 data fetch mnist"],
    );
    let _ = std::fs::remove_dir_all(&root);
}
