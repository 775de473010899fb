//! MNIST and Fashion-MNIST as [`Dataset`]s: flattened 28 × 28 images with
//! pixels scaled to `[0, 1]`, and digit (or garment) labels `0..10`.
//!
//! As in the original notebook, the training file is cut into train and
//! valid by fractions (`[0.6, 0.4]` by default; sizes `int(n * fraction)`,
//! consecutive rows), and the test file is the test split. Which copy is read
//! is decided by [`locate_mnist`](crate::locate_mnist): full MNIST when present,
//! the bundled 10,000-digit sample otherwise (checked against its
//! `SHA256SUMS`, see [`crate::checksums`]). [`MnistConfig::load`] prints one
//! line saying which.
//!
//! ```no_run
//! use hw6_datasets::MnistConfig;
//! let mnist = MnistConfig::default().load()?; // "MNIST: bundled MNIST sample ..."
//! assert_eq!(mnist.input_size(), 784);
//! # Ok::<(), hw6_datasets::DataError>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use crate::checksums::{is_bundled_sample_file, verify_listed};
use crate::dataset::{DataSource, Dataset, split_sizes};
use crate::error::DataError;
use crate::idx::{IdxU8, read_idx_u8};
use crate::locate::{Located, default_data_dir, locate_mnist};
use crate::split::Split;
use hw6_linalg::Matrix;

/// The number of classes in both MNIST and Fashion-MNIST.
pub const MNIST_CLASSES: usize = 10;

/// Which of the two image sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MnistKind {
    /// Handwritten digits.
    Digits,
    /// Zalando's clothing images.
    Fashion,
}

impl fmt::Display for MnistKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MnistKind::Digits => "MNIST",
            MnistKind::Fashion => "Fashion-MNIST",
        })
    }
}

/// How to load MNIST or Fashion-MNIST.
#[derive(Debug, Clone, PartialEq)]
pub struct MnistConfig {
    /// Digits or Fashion.
    pub kind: MnistKind,
    /// The data folder; `None` means [`default_data_dir`].
    pub data_dir: Option<PathBuf>,
    /// Fractions of the training file for train and valid, each in `[0, 1]`
    /// with sum at most 1 (the notebook's `[0.6, 0.4]`).
    pub splits: [f64; 2],
    /// Quick mode: read only the first `n` images of the training file
    /// (before the split) and the first `n` of the test file.
    pub limit: Option<usize>,
}

impl Default for MnistConfig {
    /// Digits, the default data folder, splits `[0.6, 0.4]`, no limit.
    fn default() -> Self {
        MnistConfig {
            kind: MnistKind::Digits,
            data_dir: None,
            splits: [0.6, 0.4],
            limit: None,
        }
    }
}

impl MnistConfig {
    /// The default settings for `kind`.
    pub fn new(kind: MnistKind) -> Self {
        MnistConfig {
            kind,
            ..MnistConfig::default()
        }
    }

    /// The data folder used: [`Self::data_dir`] or [`default_data_dir`].
    pub fn resolved_data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(default_data_dir)
    }

    /// Finds, reads and splits the data set, and prints one line saying
    /// which copy it used (see [`Self::load_quiet`] for the line).
    pub fn load(&self) -> Result<Dataset, DataError> {
        let (dataset, line) = self.load_quiet()?;
        println!("{line}");
        Ok(dataset)
    }

    /// Like [`Self::load`], but returns the line instead of printing it.
    pub fn load_quiet(&self) -> Result<(Dataset, String), DataError> {
        self.validate()?;
        let located = locate_mnist(self.kind, &self.resolved_data_dir())?;
        let dataset = self.load_located(&located)?;
        let line = describe(self.kind, &located, &dataset, self.limit);
        Ok((dataset, line))
    }

    /// Checks the settings; called by the loaders.
    pub fn validate(&self) -> Result<(), DataError> {
        if self.limit == Some(0) {
            return Err(DataError::invalid(
                "limit",
                "is 0; use None for all images or a positive count",
            ));
        }
        // Checks the fractions themselves; sizes are checked again once n is known.
        split_sizes(1_000_000, self.splits).map(|_| ())
    }

    /// Reads the copy that [`locate_mnist`] found.
    pub fn load_located(&self, located: &Located) -> Result<Dataset, DataError> {
        self.validate()?;
        let f = &located.files;
        let train_file = read_images_and_labels(&f.train_images, &f.train_labels, self.limit)?;
        let test = read_images_and_labels(&f.test_images, &f.test_labels, self.limit)?;
        if test.dim() != train_file.dim() {
            return Err(DataError::bad_file(
                &f.test_images,
                format!(
                    "images have {} pixels but the training images have {}",
                    test.dim(),
                    train_file.dim()
                ),
                "use the test file that belongs to the same data set",
            ));
        }
        let [n_train, n_valid] = split_sizes(train_file.len(), self.splits)?;
        Ok(Dataset {
            name: self.kind.to_string(),
            source: match self.kind {
                MnistKind::Fashion => DataSource::FashionMnist,
                MnistKind::Digits => located.source,
            },
            train: train_file.slice(0, n_train),
            valid: train_file.slice(n_train, n_train + n_valid),
            test,
            num_classes: MNIST_CLASSES,
        })
    }
}

/// The one line [`MnistConfig::load`] prints.
fn describe(kind: MnistKind, located: &Located, d: &Dataset, limit: Option<usize>) -> String {
    let fetch_hint = match (kind, located.source) {
        (MnistKind::Digits, DataSource::BundledSample) => {
            "; `hw6 data fetch mnist` downloads the full 70,000"
        }
        _ => "",
    };
    let limit_note = limit.map_or(String::new(), |n| format!(", first {n} per file"));
    format!(
        "{kind}: using the {} in {} (train {}, valid {}, test {}{limit_note}){fetch_hint}{}",
        match (kind, located.source) {
            (MnistKind::Fashion, _) => "Fashion-MNIST".to_string(),
            (_, s) => s.to_string(),
        },
        located.dir.display(),
        d.train.len(),
        d.valid.len(),
        d.test.len(),
        located.incomplete_note()
    )
}

/// Reads one images file and its labels file into a [`Split`] with pixels
/// scaled to `[0, 1]`. Files in a folder named `mnist-sample` (the bundled
/// sample) are first checked against that folder's `SHA256SUMS`
/// ([`verify_listed`](crate::verify_listed)).
///
/// # Shapes
/// The images file must be `(n, rows, cols)` u8 and the labels file `(n,)`
/// u8 with every label below 10; the split has `dim = rows * cols`. With
/// `limit = Some(m)` only the first `min(m, n)` images are kept.
pub fn read_images_and_labels(
    images_path: &Path,
    labels_path: &Path,
    limit: Option<usize>,
) -> Result<Split, DataError> {
    for path in [images_path, labels_path] {
        if is_bundled_sample_file(path) {
            verify_listed(path)?;
        }
    }
    let images = read_idx_u8(images_path)?;
    let labels = read_idx_u8(labels_path)?;
    images_and_labels_to_split(&images, images_path, &labels, labels_path, limit)
}

/// The checks and scaling of [`read_images_and_labels`] on parsed arrays.
pub fn images_and_labels_to_split(
    images: &IdxU8,
    images_path: &Path,
    labels: &IdxU8,
    labels_path: &Path,
    limit: Option<usize>,
) -> Result<Split, DataError> {
    let (n, dim) = image_shape(images, images_path)?;
    check_labels(labels, labels_path, n, images_path)?;
    let keep = limit.map_or(n, |m| m.min(n));
    let features = images
        .data
        .iter()
        .take(keep * dim)
        .map(|&b| f32::from(b) / 255.0)
        .collect();
    let labels = labels
        .data
        .iter()
        .take(keep)
        .map(|&y| u32::from(y))
        .collect();
    Split::new(Matrix::from_vec(keep, dim, features)?, labels)
}

const ADVICE: &str = "use the images/labels files of MNIST or Fashion-MNIST as published";

/// `(n, rows * cols)` of an images array declared `(n, rows, cols)`, after
/// checking that its data fills that shape.
fn image_shape(images: &IdxU8, images_path: &Path) -> Result<(usize, usize), DataError> {
    let [n, rows, cols] = images.dims[..] else {
        return Err(DataError::bad_file(
            images_path,
            format!(
                "images must have 3 dimensions (count, rows, columns) but the header declares {:?}",
                images.dims
            ),
            ADVICE,
        ));
    };
    if rows == 0 || cols == 0 {
        return Err(DataError::bad_file(
            images_path,
            format!("images are {rows} x {cols} pixels; both must be at least 1"),
            ADVICE,
        ));
    }
    // Arrays built by hand (the fields are public) may disagree with their dims.
    let dim = rows.checked_mul(cols);
    match dim.zip(dim.and_then(|d| d.checked_mul(n))) {
        Some((dim, pixels)) if pixels == images.data.len() => Ok((n, dim)),
        _ => Err(DataError::bad_file(
            images_path,
            format!(
                "{} pixel values do not fill dimensions {:?}",
                images.data.len(),
                images.dims
            ),
            ADVICE,
        )),
    }
}

/// Checks that `labels` is `(n,)` with every label below 10.
fn check_labels(
    labels: &IdxU8,
    labels_path: &Path,
    n: usize,
    images_path: &Path,
) -> Result<(), DataError> {
    let [n_labels] = labels.dims[..] else {
        return Err(DataError::bad_file(
            labels_path,
            format!(
                "labels must have 1 dimension but the header declares {:?}",
                labels.dims
            ),
            ADVICE,
        ));
    };
    if n_labels != n {
        return Err(DataError::bad_file(
            labels_path,
            format!(
                "{n_labels} labels for the {n} images in {}",
                images_path.display()
            ),
            "use the labels file that belongs to these images",
        ));
    }
    if let Some((i, &y)) = labels
        .data
        .iter()
        .enumerate()
        .find(|&(_, &y)| y as usize >= MNIST_CLASSES)
    {
        return Err(DataError::bad_file(
            labels_path,
            format!("label {i} is {y}; labels must be 0 to 9"),
            ADVICE,
        ));
    }
    if labels.data.len() != n_labels {
        return Err(DataError::bad_file(
            labels_path,
            format!(
                "{} label values for dimension [{n_labels}]",
                labels.data.len()
            ),
            ADVICE,
        ));
    }
    Ok(())
}
