//! Downloading full MNIST (only when the user asks: `hw6 data fetch mnist`).
//!
//! The four gzip files are fetched from public mirrors into
//! `<data_dir>/MNIST/raw/` (torchvision's layout, so torchvision finds them
//! too), each checked against its published SHA-256 before it is written.
//! Each file is streamed into a temporary file with an unpredictable name,
//! created exclusively in the same folder, and renamed only once its
//! checksum matches, so an interrupted download leaves no half-written file.
//! The time limits ([`FetchTimeouts`]) are a connect timeout and an idle
//! timeout per read, not one for the whole file: a slow link succeeds as
//! long as data keeps coming.
//! Offline, the error says that the bundled sample is used meanwhile.
//!
//! The checksums and the download need the `download` feature for the
//! network part only; [`verify_mnist_dir`] works without it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

#[cfg(feature = "download")]
use crate::error::DataError;
#[cfg(feature = "download")]
use crate::temp_file::TempFile;

/// One of the four MNIST files as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedFile {
    /// The file name (`train-images-idx3-ubyte.gz`, ...).
    pub name: &'static str,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: &'static str,
}

/// The four MNIST files. These are the published SHA-256 checksums and sizes
/// of the original `.gz` files (the same values torchvision's and
/// TensorFlow's downloaders check).
pub const MNIST_PUBLISHED: [PublishedFile; 4] = [
    PublishedFile {
        name: "train-images-idx3-ubyte.gz",
        bytes: 9_912_422,
        sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    },
    PublishedFile {
        name: "train-labels-idx1-ubyte.gz",
        bytes: 28_881,
        sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    },
    PublishedFile {
        name: "t10k-images-idx3-ubyte.gz",
        bytes: 1_648_877,
        sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    },
    PublishedFile {
        name: "t10k-labels-idx1-ubyte.gz",
        bytes: 4_542,
        sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
];

/// The mirrors tried in order; each serves `<mirror><file name>`.
pub const MNIST_MIRRORS: [&str; 2] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
];

/// What the error of a failed download tells the user to do.
pub const OFFLINE_ADVICE: &str = "check the network connection and run `hw6 data fetch mnist` again; \
until then hw6 uses the bundled MNIST sample in data/mnist-sample (8,000 training + 2,000 test digits)";

/// The SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The folder that [`fetch_mnist`] fills: `<data_dir>/MNIST/raw`.
pub fn mnist_raw_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("MNIST").join("raw")
}

/// Which of the four published files in `dir` are present with the right
/// checksum: one `bool` per entry of [`MNIST_PUBLISHED`].
pub fn verify_mnist_dir(dir: &Path) -> [bool; 4] {
    MNIST_PUBLISHED.map(|f| {
        std::fs::read(dir.join(f.name))
            .map(|b| sha256_hex(&b) == f.sha256)
            .unwrap_or(false)
    })
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchStatus {
    /// It was there already with the right checksum.
    AlreadyPresent,
    /// It was downloaded from this URL.
    Downloaded {
        /// The URL that served it.
        url: String,
    },
}

/// The result of [`fetch_mnist`].
#[derive(Debug, Clone)]
pub struct FetchReport {
    /// The folder holding the four files.
    pub dir: PathBuf,
    /// Each file's name and what happened to it.
    pub files: Vec<(String, FetchStatus)>,
}

/// The time limits of a download. There is deliberately no limit on the
/// whole transfer: a slow link may take as long as it needs, as long as data
/// keeps coming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchTimeouts {
    /// Resolving the host name, and separately establishing the connection
    /// (TCP and TLS).
    pub connect: Duration,
    /// The longest wait for the next piece of data (response headers or
    /// body) or for a write of the request; restarted after every read.
    pub idle: Duration,
}

impl Default for FetchTimeouts {
    /// 30 s to connect, 60 s without data.
    fn default() -> Self {
        FetchTimeouts {
            connect: Duration::from_secs(30),
            idle: Duration::from_secs(60),
        }
    }
}

/// The ureq configuration [`fetch_mnist_from`] uses: connect, resolve and
/// per-read / per-write (idle) timeouts from `timeouts`, no global timeout,
/// HTTP errors (4xx, 5xx) reported as errors.
#[cfg(feature = "download")]
pub fn agent_config(timeouts: &FetchTimeouts) -> ureq::config::Config {
    ureq::Agent::config_builder()
        .timeout_global(None)
        .timeout_resolve(Some(timeouts.connect))
        .timeout_connect(Some(timeouts.connect))
        .timeout_per_read(Some(timeouts.idle))
        .timeout_per_write(Some(timeouts.idle))
        .http_status_as_error(true)
        .build()
}

/// Downloads full MNIST into `<data_dir>/MNIST/raw/` from [`MNIST_MIRRORS`]
/// (files already there with the right checksum are kept), printing one line
/// per file, with [`FetchTimeouts::default`].
///
/// # Errors
/// [`DataError::Download`] when no mirror gives a file with the published
/// checksum (the message names the bundled sample fallback);
/// [`DataError::Io`] when the folder cannot be written.
#[cfg(feature = "download")]
pub fn fetch_mnist(data_dir: &Path) -> Result<FetchReport, DataError> {
    fetch_mnist_from(data_dir, &MNIST_MIRRORS, FetchTimeouts::default())
}

/// [`fetch_mnist`] with the mirrors (each a URL prefix ending in `/`) and the
/// time limits given.
///
/// Each file is streamed into a new temporary file with an unpredictable
/// name (`.<name>.partial-<random>`, created exclusively) in the destination
/// folder while its SHA-256 is computed, and renamed to its final name only
/// when the checksum matches; otherwise the temporary file is removed.
#[cfg(feature = "download")]
pub fn fetch_mnist_from(
    data_dir: &Path,
    mirrors: &[&str],
    timeouts: FetchTimeouts,
) -> Result<FetchReport, DataError> {
    if mirrors.is_empty() {
        return Err(DataError::invalid(
            "mirrors",
            "no mirror given; pass at least one URL prefix",
        ));
    }
    if timeouts.connect.is_zero() || timeouts.idle.is_zero() {
        return Err(DataError::invalid(
            "timeouts",
            format!("{timeouts:?} holds a zero duration; give each at least a second"),
        ));
    }
    let dir = mnist_raw_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|e| DataError::io(&dir, "creating the folder", e))?;
    let agent = ureq::Agent::new_with_config(agent_config(&timeouts));
    let present = verify_mnist_dir(&dir);
    let mut files = Vec::new();
    for (file, ok) in MNIST_PUBLISHED.iter().zip(present) {
        if ok {
            println!("{}: already present, checksum ok", file.name);
            files.push((file.name.to_string(), FetchStatus::AlreadyPresent));
            continue;
        }
        let mut problems = Vec::new();
        let mut done = None;
        for mirror in mirrors {
            let url = format!("{mirror}{}", file.name);
            println!("{}: downloading {url}", file.name);
            match download_to(&agent, &url, file, &dir.join(file.name), &timeouts)? {
                Ok(()) => {
                    done = Some(url);
                    break;
                }
                Err(problem) => problems.push(format!("{url}: {problem}")),
            }
        }
        match done {
            Some(url) => files.push((file.name.to_string(), FetchStatus::Downloaded { url })),
            None => {
                // Leave no empty MNIST/raw behind (remove_dir only removes empty folders).
                if std::fs::remove_dir(&dir).is_ok() {
                    let _ = std::fs::remove_dir(data_dir.join("MNIST"));
                }
                return Err(DataError::Download {
                    file: file.name.to_string(),
                    problem: problems.join("; "),
                    advice: OFFLINE_ADVICE.to_string(),
                });
            }
        }
    }
    Ok(FetchReport { dir, files })
}

/// Streams `url` into a temporary file beside `dest`, checks its SHA-256
/// against `file`, and renames it to `dest`. The outer error is a local
/// failure (the folder cannot be written: stop); the inner one is what went
/// wrong with this mirror (try the next).
#[cfg(feature = "download")]
fn download_to(
    agent: &ureq::Agent,
    url: &str,
    file: &PublishedFile,
    dest: &Path,
    timeouts: &FetchTimeouts,
) -> Result<Result<(), String>, DataError> {
    use std::io::{Read, Write};

    let describe = |e: &dyn std::fmt::Display, timed_out: bool| {
        if timed_out {
            format!(
                "{e} (no data for {} s; the limit is per read, \
so a slow link is fine as long as data keeps coming)",
                timeouts.idle.as_secs_f64()
            )
        } else {
            e.to_string()
        }
    };
    let mut response = match agent.get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::Timeout(t @ (ureq::Timeout::Connect | ureq::Timeout::Resolve))) => {
            return Ok(Err(format!(
                "timeout: {t} (no connection within {} s)",
                timeouts.connect.as_secs_f64()
            )));
        }
        Err(e) => {
            let timed_out = matches!(e, ureq::Error::Timeout(_));
            return Ok(Err(describe(&e, timed_out)));
        }
    };
    // Twice the published size is plenty; a larger body is not the file.
    let limit = file.bytes.saturating_mul(2).max(1 << 20);
    let mut body = response.body_mut().with_config().limit(limit).reader();
    let mut tmp = TempFile::beside(dest)?;
    let mut hasher = Sha256::new();
    let mut received: u64 = 0;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let timed_out =
                    e.kind() == std::io::ErrorKind::TimedOut || e.to_string().contains("timeout");
                return Ok(Err(format!(
                    "failed after {received} bytes: {}",
                    describe(&e, timed_out)
                )));
            }
        };
        hasher.update(&buf[..n]);
        tmp.file
            .write_all(&buf[..n])
            .map_err(|e| DataError::io(&tmp.path, "writing", e))?;
        received += n as u64;
    }
    let got: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if got != file.sha256 {
        // Dropping `tmp` removes the temporary file.
        return Ok(Err(format!(
            "gave {received} bytes with SHA-256 {got}, not the published {}",
            file.sha256
        )));
    }
    tmp.persist(dest)?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn published_table_is_well_formed() {
        for f in MNIST_PUBLISHED {
            assert_eq!(f.sha256.len(), 64);
            assert!(f.sha256.bytes().all(|c| c.is_ascii_hexdigit()));
            assert!(f.name.ends_with(".gz"));
        }
    }
}
