//! Finding and loading MNIST: the bundled sample, torchvision's layout, flat
//! folders, and what happens when files are missing or damaged.

use std::path::Path;

use hw6_datasets::DataError;
use hw6_datasets::prelude::*;
use hw6_datasets::write_idx_u8;
use hw6_datasets::{MNIST_FILE_NAMES, locate_mnist};

mod common;
use common::{TempDir, project_data};

/// The label counts of the sample, as listed in data/README.md.
const SAMPLE_TRAIN_HIST: [usize; 10] = [803, 891, 788, 820, 782, 693, 802, 862, 773, 786];
const SAMPLE_TEST_HIST: [usize; 10] = [198, 236, 203, 212, 198, 170, 212, 208, 171, 192];

fn sample_config() -> MnistConfig {
    MnistConfig {
        data_dir: Some(project_data()),
        ..MnistConfig::default()
    }
}

/// Writes a tiny MNIST-shaped copy (`n_train` + `n_test` images of 28 × 28,
/// pixel = (image + position) % 256, label = image % 10) into `dir`.
fn write_fake_mnist(dir: &Path, n_train: usize, n_test: usize, gz: bool) {
    for (prefix, n) in [("train", n_train), ("t10k", n_test)] {
        let pixels: Vec<u8> = (0..n * 784)
            .map(|i| ((i / 784 + i % 784) % 256) as u8)
            .collect();
        let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
        let ext = if gz { ".gz" } else { "" };
        write_idx_u8(
            &dir.join(format!("{prefix}-images-idx3-ubyte{ext}")),
            &[n, 28, 28],
            &pixels,
            gz,
        )
        .unwrap();
        write_idx_u8(
            &dir.join(format!("{prefix}-labels-idx1-ubyte{ext}")),
            &[n],
            &labels,
            gz,
        )
        .unwrap();
    }
}

#[test]
fn bundled_sample_loads_with_the_documented_sizes_and_labels() {
    let (d, line) = sample_config().load_quiet().unwrap();
    assert_eq!(d.source, DataSource::BundledSample);
    assert!(line.contains("bundled MNIST sample"), "{line}");
    assert!(line.contains("hw6 data fetch mnist"), "{line}");
    assert!(!line.contains('\n'));
    // [0.6, 0.4] of the 8,000-image training file; the 2,000 test images.
    assert_eq!(
        (d.train.len(), d.valid.len(), d.test.len()),
        (4_800, 3_200, 2_000)
    );
    assert_eq!(d.input_size(), 784);
    assert_eq!(d.num_classes, 10);

    let mut train_file = d.train.label_histogram(10);
    for (c, v) in train_file.iter_mut().zip(d.valid.label_histogram(10)) {
        *c += v;
    }
    assert_eq!(train_file, SAMPLE_TRAIN_HIST);
    assert_eq!(d.test.label_histogram(10), SAMPLE_TEST_HIST);

    // Pixels are bytes / 255: in [0, 1], and 255 * v is a whole number.
    for &v in d
        .train
        .features()
        .as_slice()
        .iter()
        .chain(d.test.features().as_slice())
    {
        assert!((0.0..=1.0).contains(&v));
        assert!((v * 255.0 - (v * 255.0).round()).abs() < 1e-3);
    }
    // Real digits: about a fifth of the pixels are ink, and every image has some.
    let ink = d
        .test
        .features()
        .as_slice()
        .iter()
        .filter(|&&v| v > 0.5)
        .count() as f64
        / d.test.features().as_slice().len() as f64;
    assert!((0.08..0.25).contains(&ink), "ink fraction {ink}");
    assert!((0..d.test.len()).all(|i| d.test.row(i).iter().any(|&v| v > 0.5)));
}

#[test]
fn limit_keeps_the_first_images_of_each_file() {
    let full = sample_config().load_quiet().unwrap().0;
    let (d, line) = MnistConfig {
        limit: Some(1_000),
        ..sample_config()
    }
    .load_quiet()
    .unwrap();
    assert_eq!(
        (d.train.len(), d.valid.len(), d.test.len()),
        (600, 400, 1_000)
    );
    assert_eq!(d.train, full.train.head(600));
    assert!(line.contains("first 1000 per file"), "{line}");
    assert!(
        MnistConfig {
            limit: Some(0),
            ..sample_config()
        }
        .load_quiet()
        .is_err()
    );
}

#[test]
fn torchvision_layout_wins_over_the_sample() {
    let tmp = TempDir::new("tv");
    let raw = tmp.path().join("MNIST").join("raw");
    std::fs::create_dir_all(&raw).unwrap();
    write_fake_mnist(&raw, 50, 20, true);
    let cfg = MnistConfig {
        data_dir: Some(tmp.path().to_path_buf()),
        splits: [0.5, 0.3],
        ..MnistConfig::default()
    };
    let (d, line) = cfg.load_quiet().unwrap();
    assert_eq!(d.source, DataSource::FullMnist);
    assert!(line.contains("full MNIST"), "{line}");
    assert_eq!((d.train.len(), d.valid.len(), d.test.len()), (25, 15, 20));
    // Row 3 of the valid split is image 28 of the training file.
    assert_eq!(d.valid.labels()[3], 8);
    assert_eq!(d.valid.row(3)[0], 28.0 / 255.0);
    assert_eq!(d.valid.row(3)[1], 29.0 / 255.0);
}

#[test]
fn flat_folders_and_raw_files_are_found() {
    let tmp = TempDir::new("flat");
    write_fake_mnist(tmp.path(), 30, 10, false);
    let loc = locate_mnist(MnistKind::Digits, tmp.path()).unwrap();
    assert_eq!(loc.source, DataSource::FullMnist);
    assert_eq!(loc.dir, tmp.path());
    assert!(loc.files.train_images.ends_with("train-images-idx3-ubyte"));

    let tmp2 = TempDir::new("flat-mnist");
    let sub = tmp2.path().join("mnist");
    std::fs::create_dir_all(&sub).unwrap();
    write_fake_mnist(&sub, 30, 10, true);
    assert_eq!(
        locate_mnist(MnistKind::Digits, tmp2.path()).unwrap().dir,
        sub
    );
}

#[test]
fn fashion_uses_its_own_folders() {
    let tmp = TempDir::new("fashion");
    let raw = tmp.path().join("FashionMNIST").join("raw");
    std::fs::create_dir_all(&raw).unwrap();
    write_fake_mnist(&raw, 20, 10, true);
    let (d, line) = MnistConfig {
        kind: MnistKind::Fashion,
        data_dir: Some(tmp.path().to_path_buf()),
        ..MnistConfig::default()
    }
    .load_quiet()
    .unwrap();
    assert_eq!(d.source, DataSource::FashionMnist);
    assert_eq!(d.name, "Fashion-MNIST");
    assert!(
        line.starts_with("Fashion-MNIST: using the Fashion-MNIST in"),
        "{line}"
    );
}

#[test]
fn an_incomplete_copy_is_skipped_and_reported() {
    let tmp = TempDir::new("partial");
    let raw = tmp.path().join("MNIST").join("raw");
    std::fs::create_dir_all(&raw).unwrap();
    write_fake_mnist(&raw, 10, 10, true);
    std::fs::remove_file(raw.join("t10k-labels-idx1-ubyte.gz")).unwrap();
    let (d, line) = MnistConfig {
        data_dir: Some(tmp.path().to_path_buf()),
        ..MnistConfig::default()
    }
    .load_quiet()
    .unwrap();
    assert_eq!(d.source, DataSource::BundledSample);
    assert!(line.contains("missing t10k-labels-idx1-ubyte"), "{line}");
}

#[test]
fn fashion_not_found_names_every_folder_and_the_debian_package() {
    let tmp = TempDir::new("empty");
    // Fashion has no bundled fallback: an empty folder finds nothing, unless
    // Debian's package is installed on this machine.
    let debian = Path::new(hw6_datasets::DEBIAN_FASHION_MNIST_DIR);
    let result = MnistConfig {
        kind: MnistKind::Fashion,
        data_dir: Some(tmp.path().to_path_buf()),
        ..MnistConfig::default()
    }
    .load_quiet();
    if debian.join("train-images-idx3-ubyte.gz").is_file() {
        let (d, line) = result.unwrap();
        assert!(line.contains(debian.to_str().unwrap()), "{line}");
        // The real Fashion-MNIST: 60,000 + 10,000 images, 1,000 test images per class.
        assert_eq!(d.train.len() + d.valid.len(), 60_000);
        assert_eq!(d.test.label_histogram(10), vec![1_000; 10]);
        return;
    }
    let err = result.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DataError::NotFound { ref tried, .. } if tried.len() == 3));
    assert!(
        msg.contains(&tmp.path().join("FashionMNIST/raw").display().to_string()),
        "{msg}"
    );
    assert!(msg.contains("/usr/share/datasets/fashion-mnist"), "{msg}");
    assert!(
        msg.contains("apt-get install dataset-fashion-mnist"),
        "{msg}"
    );
}

#[test]
fn the_project_sample_is_the_last_resort() {
    // An existing data folder without MNIST falls back to the project's sample.
    let tmp = TempDir::new("nowhere");
    let found = locate_mnist(MnistKind::Digits, tmp.path()).unwrap();
    assert_eq!(found.source, DataSource::BundledSample);
    // A data folder that does not exist is a mistake, reported as such.
    let missing = tmp.path().join("MNIST-nowhere");
    let msg = locate_mnist(MnistKind::Digits, &missing)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("MNIST-nowhere"), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");
}

#[test]
fn digit_folders_go_from_torchvision_to_flat_to_the_sample() {
    let c = hw6_datasets::candidate_dirs(MnistKind::Digits, Path::new("/d"));
    let dirs: Vec<_> = c.iter().map(|(p, _)| p.display().to_string()).collect();
    assert_eq!(
        dirs[..4],
        ["/d/MNIST/raw", "/d/mnist", "/d", "/d/mnist-sample"]
    );
    assert_eq!(c[0].1, DataSource::FullMnist);
    assert!(c[3..].iter().all(|(_, s)| *s == DataSource::BundledSample));
}

#[test]
fn damaged_files_are_errors_that_name_them() {
    let tmp = TempDir::new("damaged");
    let raw = tmp.path().join("MNIST").join("raw");
    std::fs::create_dir_all(&raw).unwrap();
    write_fake_mnist(&raw, 10, 10, false);
    let cfg = MnistConfig {
        data_dir: Some(tmp.path().to_path_buf()),
        ..MnistConfig::default()
    };
    let images = raw.join(MNIST_FILE_NAMES[0]);
    let good = std::fs::read(&images).unwrap();

    std::fs::write(&images, &good[..good.len() - 100]).unwrap();
    let msg = cfg.load_quiet().unwrap_err().to_string();
    assert!(msg.starts_with(&images.display().to_string()), "{msg}");
    assert!(msg.contains("truncated"), "{msg}");

    let mut wrong = good.clone();
    wrong[0] = 0x50;
    std::fs::write(&images, &wrong).unwrap();
    let msg = cfg.load_quiet().unwrap_err().to_string();
    assert!(msg.contains("wrong magic number 50 00 08 03"), "{msg}");

    // Labels that do not match the images.
    std::fs::write(&images, &good).unwrap();
    write_idx_u8(&raw.join(MNIST_FILE_NAMES[1]), &[9], &[0; 9], false).unwrap();
    let msg = cfg.load_quiet().unwrap_err().to_string();
    assert!(msg.contains("9 labels for the 10 images"), "{msg}");

    // A label out of range.
    write_idx_u8(
        &raw.join(MNIST_FILE_NAMES[1]),
        &[10],
        &[0, 1, 2, 3, 4, 5, 6, 7, 8, 10],
        false,
    )
    .unwrap();
    let msg = cfg.load_quiet().unwrap_err().to_string();
    assert!(msg.contains("label 9 is 10"), "{msg}");

    // Images with the wrong number of dimensions.
    write_idx_u8(&images, &[10, 784], &vec![0; 7840], false).unwrap();
    let msg = cfg.load_quiet().unwrap_err().to_string();
    assert!(msg.contains("3 dimensions"), "{msg}");
}

#[test]
fn bad_split_fractions_fail_before_reading() {
    for splits in [[0.7, 0.4], [-0.1, 0.5], [0.0, 0.5]] {
        let err = MnistConfig {
            splits,
            ..sample_config()
        }
        .load_quiet()
        .unwrap_err();
        assert!(err.to_string().starts_with("invalid splits"), "{err}");
    }
}
