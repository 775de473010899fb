//! Where MNIST and Fashion-MNIST are looked for, and which copy wins.
//!
//! A folder counts when it holds all four files (`train-images-idx3-ubyte`,
//! `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
//! `t10k-labels-idx1-ubyte`, each raw or with `.gz`; raw wins when both are
//! there). The folders tried, in order, for a data folder `D`
//! (see [`default_data_dir`]):
//!
//! | kind    | folder                                  | source                         |
//! |---------|-----------------------------------------|--------------------------------|
//! | MNIST   | `D/MNIST/raw` (torchvision's layout)    | full MNIST                     |
//! | MNIST   | `D/mnist` (flat)                        | full MNIST                     |
//! | MNIST   | `D` itself (flat)                       | full MNIST                     |
//! | MNIST   | `D/mnist-sample`, then the project's `data/mnist-sample` | bundled sample |
//! | Fashion | `D/FashionMNIST/raw` (torchvision's layout) | Fashion-MNIST              |
//! | Fashion | `D/fashion-mnist` (flat)                | Fashion-MNIST                  |
//! | Fashion | `/usr/share/datasets/fashion-mnist` (Debian's `dataset-fashion-mnist`) | Fashion-MNIST |
//!
//! A folder named `mnist-sample` always counts as the bundled sample (and
//! its files are checked against its `SHA256SUMS` when read). A data folder
//! `D` that does not exist, or is a file, is an error saying how to point hw6
//! at the right one ([`check_data_dir`]), not a silent fall-back to the
//! sample.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::dataset::DataSource;
use crate::error::DataError;
use crate::mnist::MnistKind;

/// The base names of the four files, in the order train images, train
/// labels, test images, test labels.
pub const MNIST_FILE_NAMES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// The folder name of the bundled sample inside a data folder.
pub const SAMPLE_DIR_NAME: &str = "mnist-sample";

/// Where Debian's `dataset-fashion-mnist` package installs the four
/// `.gz` files (from the package's file list, `dpkg -c`).
pub const DEBIAN_FASHION_MNIST_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// The environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "HW6_DATA_DIR";

/// The paths of the four files of one copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MnistFiles {
    /// Training images, `(n, 28, 28)` u8.
    pub train_images: PathBuf,
    /// Training labels, `(n,)` u8.
    pub train_labels: PathBuf,
    /// Test images.
    pub test_images: PathBuf,
    /// Test labels.
    pub test_labels: PathBuf,
}

/// The copy chosen, and what else was seen on the way.
#[derive(Debug, Clone)]
pub struct Located {
    /// Full MNIST, the bundled sample, or Fashion-MNIST.
    pub source: DataSource,
    /// The folder that holds the files.
    pub dir: PathBuf,
    /// The four files.
    pub files: MnistFiles,
    /// Folders tried before this one that held some but not all files,
    /// with the names missing.
    pub incomplete: Vec<(PathBuf, Vec<String>)>,
}

impl Located {
    /// A note on the folders skipped because they were incomplete, or empty.
    pub fn incomplete_note(&self) -> String {
        self.incomplete
            .iter()
            .map(|(dir, missing)| {
                format!(
                    "; skipped {} (missing {})",
                    dir.display(),
                    missing.join(", ")
                )
            })
            .collect()
    }
}

/// What one folder holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirScan {
    /// All four files.
    Complete(MnistFiles),
    /// Some of the files; the names of those missing.
    Partial(Vec<String>),
    /// None of them (or no such folder).
    Empty,
}

/// Looks for the four files in `dir` (raw preferred over `.gz`).
pub fn scan_dir(dir: &Path) -> DirScan {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for name in MNIST_FILE_NAMES {
        let raw = dir.join(name);
        let gz = dir.join(format!("{name}.gz"));
        if raw.is_file() {
            found.push(raw);
        } else if gz.is_file() {
            found.push(gz);
        } else {
            missing.push(name.to_string());
        }
    }
    match (found.len(), missing.is_empty()) {
        (0, _) => DirScan::Empty,
        (_, true) => {
            let mut it = found.into_iter();
            let mut next = || it.next().unwrap_or_default();
            DirScan::Complete(MnistFiles {
                train_images: next(),
                train_labels: next(),
                test_images: next(),
                test_labels: next(),
            })
        }
        _ => DirScan::Partial(missing),
    }
}

/// The data folder: `$HW6_DATA_DIR` if set and not empty; else the
/// project's `data/` (found from where this crate was compiled, then from
/// the current folder and its parents); else `data` relative to the current
/// folder.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    project_data_dir().unwrap_or_else(|| PathBuf::from("data"))
}

/// The project's own `data/` folder, if it can be found.
fn project_data_dir() -> Option<PathBuf> {
    let compiled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    if is_project_data(&compiled) {
        return Some(normalize(&compiled));
    }
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .map(|a| a.join("data"))
        .find(|d| is_project_data(d))
}

fn is_project_data(dir: &Path) -> bool {
    dir.join(SAMPLE_DIR_NAME).is_dir() || dir.join("karate").is_dir()
}

/// `a/b/../c` -> `a/c` without touching the file system (keeps messages short).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The bundled sample's folder: `data_dir/mnist-sample`, else the project's
/// `data/mnist-sample`.
pub fn bundled_sample_dirs(data_dir: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![data_dir.join(SAMPLE_DIR_NAME)];
    if let Some(p) = project_data_dir() {
        dirs.push(p.join(SAMPLE_DIR_NAME));
    }
    dedup(dirs)
}

fn dedup(dirs: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = HashSet::new();
    dirs.into_iter()
        .filter(|d| seen.insert(d.canonicalize().unwrap_or_else(|_| d.clone())))
        .collect()
}

/// The folders tried for `kind` under `data_dir`, in order, with the source
/// each one stands for.
pub fn candidate_dirs(kind: MnistKind, data_dir: &Path) -> Vec<(PathBuf, DataSource)> {
    let classify = |d: PathBuf, default: DataSource| {
        let source = if d.file_name().is_some_and(|n| n == SAMPLE_DIR_NAME) {
            DataSource::BundledSample
        } else {
            default
        };
        (d, source)
    };
    match kind {
        MnistKind::Digits => {
            let mut v: Vec<(PathBuf, DataSource)> = [
                data_dir.join("MNIST").join("raw"),
                data_dir.join("mnist"),
                data_dir.to_path_buf(),
            ]
            .into_iter()
            .map(|d| classify(d, DataSource::FullMnist))
            .collect();
            v.extend(
                bundled_sample_dirs(data_dir)
                    .into_iter()
                    .map(|d| (d, DataSource::BundledSample)),
            );
            v
        }
        MnistKind::Fashion => vec![
            (
                data_dir.join("FashionMNIST").join("raw"),
                DataSource::FashionMnist,
            ),
            (data_dir.join("fashion-mnist"), DataSource::FashionMnist),
            (
                PathBuf::from(DEBIAN_FASHION_MNIST_DIR),
                DataSource::FashionMnist,
            ),
        ],
    }
}

/// Finds the first complete copy of `kind` under `data_dir`.
///
/// # Errors
/// [`DataError::NotFound`] naming every folder tried and what to do; also
/// when `data_dir` itself does not exist or is not a folder (a mistyped
/// `--data-dir` or `HW6_DATA_DIR` is reported, not silently replaced by the
/// bundled sample).
pub fn locate_mnist(kind: MnistKind, data_dir: &Path) -> Result<Located, DataError> {
    check_data_dir(data_dir)?;
    locate_among(kind, data_dir, candidate_dirs(kind, data_dir))
}

/// Checks that the data folder exists and is a folder.
///
/// # Errors
/// [`DataError::NotFound`] saying what to do.
pub fn check_data_dir(data_dir: &Path) -> Result<(), DataError> {
    if data_dir.is_dir() {
        return Ok(());
    }
    let problem = if data_dir.exists() {
        "is not a folder"
    } else {
        "does not exist"
    };
    Err(DataError::NotFound {
        what: format!("the data folder {}", data_dir.display()),
        tried: vec![data_dir.to_path_buf()],
        advice: format!(
            "it {problem}: pass --data-dir (or set {DATA_DIR_ENV}) to an existing folder such as the project's data/, \
or leave both unset to use the project's data/; create the folder and run `hw6 data fetch mnist` to download MNIST into it"
        ),
    })
}

/// [`locate_mnist`] over the given candidate folders.
fn locate_among(
    kind: MnistKind,
    data_dir: &Path,
    candidates: Vec<(PathBuf, DataSource)>,
) -> Result<Located, DataError> {
    let mut incomplete = Vec::new();
    for (dir, source) in &candidates {
        match scan_dir(dir) {
            DirScan::Complete(files) => {
                return Ok(Located {
                    source: *source,
                    dir: dir.clone(),
                    files,
                    incomplete,
                });
            }
            DirScan::Partial(missing) => incomplete.push((dir.clone(), missing)),
            DirScan::Empty => {}
        }
    }
    let partial: String = incomplete
        .iter()
        .map(|(d, m)| format!(" ({} lacks {})", d.display(), m.join(", ")))
        .collect();
    let advice = match kind {
        MnistKind::Digits => format!(
            "run `hw6 data fetch mnist` to download it into {}, or point --data-dir / {DATA_DIR_ENV} at a folder that holds it{partial}",
            data_dir.join("MNIST").join("raw").display()
        ),
        MnistKind::Fashion => format!(
            "install Debian's package (`apt-get install dataset-fashion-mnist`) or put the four files in {}{partial}",
            data_dir.join("FashionMNIST").join("raw").display()
        ),
    };
    Err(DataError::NotFound {
        what: kind.to_string(),
        tried: candidates.into_iter().map(|(d, _)| d).collect(),
        advice,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_drops_parent_components() {
        assert_eq!(normalize(Path::new("/a/b/../../c")), PathBuf::from("/c"));
    }

    #[test]
    fn no_copy_anywhere_names_every_folder_and_the_fetch_command() {
        let root = std::env::temp_dir().join(format!("hw6-locate-none-{}", std::process::id()));
        let partial = root.join("MNIST").join("raw");
        std::fs::create_dir_all(&partial).unwrap();
        std::fs::write(partial.join("train-images-idx3-ubyte.gz"), b"x").unwrap();
        let candidates: Vec<_> = candidate_dirs(MnistKind::Digits, &root)
            .into_iter()
            .take(3) // leave out the bundled sample
            .collect();
        let err = locate_among(MnistKind::Digits, &root, candidates).unwrap_err();
        let msg = err.to_string();
        let _ = std::fs::remove_dir_all(&root);
        for dir in [partial.clone(), root.join("mnist"), root.clone()] {
            assert!(msg.contains(&dir.display().to_string()), "{msg}");
        }
        assert!(msg.contains("run `hw6 data fetch mnist`"), "{msg}");
        assert!(
            msg.contains("lacks train-labels-idx1-ubyte, t10k-images"),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn debian_folder_is_a_fashion_candidate() {
        let c = candidate_dirs(MnistKind::Fashion, Path::new("/x"));
        assert_eq!(c[0].0, PathBuf::from("/x/FashionMNIST/raw"));
        assert!(
            c.iter()
                .any(|(d, _)| d == Path::new("/usr/share/datasets/fashion-mnist"))
        );
    }
}
