//! Bad input through the two doors users have: the `hw6` program and the
//! notebook prelude. Every case ends in an error that says what is wrong
//! (the program: one line on stderr and a non-zero exit), never a panic.
//! The datasets crate's own `tests/bad_input.rs` goes through the file
//! formats case by case; here each kind of damage is seen from the CLI.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use hw6::prelude::*;

mod common;
use common::{hw6, hw6_command, project_data};

/// A fresh, empty folder for one test.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hw6-bad-input-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}

/// The program failed with one error line on stderr (after any progress
/// lines) holding every `needle`; clap's usage errors add a usage hint.
fn fails_with(out: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected a failure; stderr: {err}");
    assert!(!err.contains("panicked"), "a panic: {err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "not one error line: {err}");
    for needle in needles {
        assert!(errors[0].contains(needle), "{needle:?} missing from: {err}");
    }
}

/// A data folder holding the bundled MNIST sample with one file replaced.
fn sample_with(tag: &str, name: &str, bytes: &[u8]) -> PathBuf {
    let root = scratch(tag);
    let raw = root.join("MNIST").join("raw");
    std::fs::create_dir_all(&raw).unwrap();
    for entry in std::fs::read_dir(project_data().join("mnist-sample")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "gz") {
            std::fs::copy(&path, raw.join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(raw.join(name), bytes).unwrap();
    root
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn ae_on(data: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "ae",
        "--dataset",
        "mnist",
        "--arch",
        "linear",
        "--k",
        "5",
        "--models",
        "vanilla",
        "--repeats",
        "1",
        "--epochs",
        "1",
        "--limit",
        "200",
        "--data-dir",
        data.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    hw6(&args)
}

#[test]
fn cli_truncated_idx_file() {
    let images =
        std::fs::read(project_data().join("mnist-sample/train-images-idx3-ubyte.gz")).unwrap();
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&images[..])
        .read_to_end(&mut raw)
        .unwrap();
    let data = sample_with(
        "truncated",
        "train-images-idx3-ubyte.gz",
        &gzip(&raw[..raw.len() / 2]),
    );
    fails_with(&ae_on(&data, &[]), &["train-images-idx3-ubyte"]);
}

#[test]
fn cli_wrong_magic() {
    let mut bytes = vec![0u8; 16 + 28 * 28];
    bytes[..4].copy_from_slice(&[0x12, 0x34, 0x56, 0x78]);
    let data = sample_with("magic", "train-images-idx3-ubyte.gz", &gzip(&bytes));
    fails_with(&ae_on(&data, &[]), &["train-images-idx3-ubyte", "magic"]);
}

#[test]
fn cli_gzip_bomb() {
    // The header declares one 28 x 28 image; the payload inflates to 64 MiB.
    let mut bytes = vec![0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28];
    bytes.resize(64 << 20, 0);
    let data = sample_with("bomb", "train-images-idx3-ubyte.gz", &gzip(&bytes));
    fails_with(&ae_on(&data, &[]), &["train-images-idx3-ubyte"]);
}

#[test]
fn cli_missing_data_folder() {
    let missing = scratch("missing").join("no-such-folder");
    fails_with(&ae_on(&missing, &[]), &["no-such-folder"]);
    let out = hw6(&["zkc", "--data-dir", missing.to_str().unwrap()]);
    fails_with(&out, &["no-such-folder"]);
}

#[test]
fn cli_malformed_karate_files() {
    let dir = scratch("karate");
    let karate = dir.join("karate");
    std::fs::create_dir_all(&karate).unwrap();
    std::fs::copy(
        project_data().join("karate/members.tsv"),
        karate.join("members.tsv"),
    )
    .unwrap();
    let edges = std::fs::read_to_string(project_data().join("karate/edges.tsv")).unwrap();
    let broken = edges.replacen('\t', "\tnot-a-number", 3);
    std::fs::write(karate.join("edges.tsv"), broken).unwrap();
    fails_with(
        &hw6(&["zkc", "--data-dir", dir.to_str().unwrap()]),
        &["edges.tsv"],
    );
}

#[test]
fn cli_impossible_hyperparameters() {
    let data = project_data();
    let data = data.to_str().unwrap();
    let ae = |extra: &[&str]| {
        let mut args = vec![
            "ae",
            "--data-dir",
            data,
            "--samples",
            "500",
            "--repeats",
            "1",
        ];
        args.extend_from_slice(extra);
        hw6(&args)
    };
    fails_with(&ae(&["--k", "0"]), &["k"]);
    fails_with(
        &ae(&["--models", "masking", "--mask-prob", "1.5"]),
        &["mask_prob", "[0, 1)"],
    );
    fails_with(
        &ae(&["--models", "denoise", "--noise-std=-1"]),
        &["noise_std"],
    );
    fails_with(&ae(&["--epochs", "0"]), &["epochs"]);
    fails_with(&ae(&["--batch-size", "0"]), &["batch"]);
    fails_with(&ae(&["--models", "dropout"]), &["dropout"]);
}

#[test]
fn cli_bad_attention_shapes() {
    for (flag, value) in [("--n", "0"), ("--d", "0"), ("--m", "0")] {
        let out = hw6(&["attention", flag, value, "--no-scan", "--repeats", "1"]);
        fails_with(&out, &[flag.trim_start_matches('-')]);
    }
}

#[test]
fn cli_closed_stdout_ends_quietly() {
    let data = project_data();
    let mut child = hw6_command()
        .args(["zkc", "--data-dir", data.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hw6");
    // Close the reading end before the program has printed anything (it
    // loads the club first), so its first line already meets a closed pipe.
    // Reading some output first would let a fast program write everything
    // into the pipe's buffer and never see the closed end.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.success(), "exit {:?}: {err}", out.status);
}

#[test]
fn api_mismatched_optimiser_changes_nothing() {
    let mut ae = Autoencoder::new(&AutoencoderConfig::linear(10, 3)).unwrap();
    let other = Autoencoder::new(&AutoencoderConfig::linear(10, 4)).unwrap();
    let mut wrong = other.optimizer(1e-3).unwrap();
    let before = ae.clone();
    let x = Matrix::from_fn(4, 10, |_, _| 1.0);
    let e = ae.step(&x, &x, &mut wrong).unwrap_err().to_string();
    assert!(
        e.contains("optimizer") && e.contains("model.optimizer"),
        "{e}"
    );
    assert_eq!(
        ae.layers(),
        before.layers(),
        "a failed step must not update the model"
    );

    let mut probe = LinearProbe::new(3, 2, 0).unwrap();
    let mut wrong = Adam::new(1e-3, &[5, 2]).unwrap();
    let z = Matrix::from_vec(2, 3, vec![0.5; 6]).unwrap();
    let e = probe
        .train_step(z.view(), &[0, 1], &mut wrong)
        .unwrap_err()
        .to_string();
    assert!(e.contains("optimizer"), "{e}");
}

#[test]
fn api_diverging_learning_rate() {
    let data = std::sync::Arc::new(
        SyntheticConfig {
            samples: 1_000,
            ..SyntheticConfig::default()
        }
        .build()
        .unwrap(),
    );
    let config = ExperimentConfig {
        lr: 1e36,
        ..ExperimentConfig::default()
    };
    let model = Autoencoder::new(&AutoencoderConfig::linear(100, 5)).unwrap();
    let e = Experiment::new(data, model, config)
        .and_then(|mut x| x.train(3))
        .expect_err("a learning rate of 1e36 diverges")
        .to_string();
    assert!(
        e.contains("diverged") && e.contains("smaller learning rate"),
        "{e}"
    );
}

#[test]
fn api_bad_attention_shapes() {
    let (q, k, v) = random_qkv(8, 4, 3, 0).unwrap();
    let (q2, _, _) = random_qkv(8, 5, 3, 0).unwrap();
    for e in [
        linear_attention(&q2, &k, &v, &QuadraticFeatures).unwrap_err(),
        softmax_attention(&q, &k.t().unwrap(), &v).unwrap_err(),
        linear_attention(&q.flatten_all().unwrap(), &k, &v, &QuadraticFeatures).unwrap_err(),
    ] {
        assert!(
            e.to_string().contains("shape") || e.to_string().contains("dim"),
            "{e}"
        );
    }
}

#[test]
fn api_matrix_sizes_that_overflow() {
    let e = Matrix::from_vec(1 << 62, 8, vec![0.0; 4])
        .unwrap_err()
        .to_string();
    assert!(e.contains("fits in memory"), "{e}");
    assert!(MatView::new(usize::MAX, 2, &[0.0; 2]).is_err());
    let m = Matrix::zeros(2, 3);
    assert!(m.row(2).is_none());
    assert_eq!(m.row(1), Some(&[0.0; 3][..]));
}

#[test]
fn api_graph_losses_out_of_range() {
    let losses = vec![0.1, 0.2];
    assert!(mean_over(&losses, &[0, 5]).is_err());
    let empty = DMatrix::<f64>::zeros(3, 0);
    assert!(cross_entropy_rows(&empty, &empty).is_err());
}
