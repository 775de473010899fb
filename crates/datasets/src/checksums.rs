//! The bundled MNIST sample's `SHA256SUMS`, checked whenever the sample is
//! read.
//!
//! `data/mnist-sample/SHA256SUMS` lists one `<sha256 hex>  <file name>` line
//! per file, the format `sha256sum` writes and `sha256sum -c` checks. Files
//! read from a folder named `mnist-sample` (the name [`crate::locate`] treats
//! as the bundled sample) must be listed there with their exact SHA-256;
//! otherwise loading fails with an error naming the file and how to restore
//! it. A file is hashed once per process (again if its size or modification
//! time change).

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::error::DataError;
use crate::locate::SAMPLE_DIR_NAME;

/// The checksum list's file name inside the sample folder.
pub const SUMS_FILE: &str = "SHA256SUMS";

/// What the errors tell the user to do.
const RESTORE: &str = "the bundled MNIST sample is damaged or was modified: restore it with \
`git checkout -- data/mnist-sample` (or a fresh checkout of the project), \
or run `hw6 data fetch mnist` to use full MNIST instead";

/// A verified file: its canonical path, size and modification time.
type FileKey = (PathBuf, u64, Option<SystemTime>);

/// Files already verified in this process.
static VERIFIED: Mutex<Option<HashSet<FileKey>>> = Mutex::new(None);

/// Whether `path` lies directly in a folder named `mnist-sample`, and so
/// must match that folder's `SHA256SUMS`.
pub fn is_bundled_sample_file(path: &Path) -> bool {
    path.parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == SAMPLE_DIR_NAME)
}

/// Parses `SHA256SUMS` text into `(file name, lower-case hex digest)` pairs.
/// Blank lines are skipped; a `*` before the name (binary mode) is allowed.
/// `path` only names the file in errors.
pub fn parse_sha256sums(text: &str, path: &Path) -> Result<Vec<(String, String)>, DataError> {
    let mut sums = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let parsed = line.split_once(' ').and_then(|(hex, rest)| {
            let name = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*'))?;
            let ok = hex.len() == 64 && hex.bytes().all(|c| c.is_ascii_hexdigit());
            (ok && !name.is_empty()).then(|| (name.to_string(), hex.to_ascii_lowercase()))
        });
        match parsed {
            Some(pair) => sums.push(pair),
            None => {
                return Err(DataError::bad_file(
                    path,
                    format!(
                        "line {} is not '<64 hex digits>  <file name>' as sha256sum writes it",
                        i + 1
                    ),
                    RESTORE,
                ));
            }
        }
    }
    Ok(sums)
}

/// The SHA-256 of a file's content, lower-case hex, read in 64 KiB pieces.
pub fn sha256_file(path: &Path) -> Result<String, DataError> {
    let mut file = File::open(path).map_err(|e| DataError::io(path, "opening", e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(DataError::io(path, "reading", e)),
        }
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Checks `file` against the `SHA256SUMS` of its own folder.
///
/// # Errors
/// [`DataError::BadFile`] naming the file (or `SHA256SUMS`) when the list is
/// missing or malformed, the file is not listed, or its SHA-256 differs; the
/// message says how to restore the sample.
pub fn verify_listed(file: &Path) -> Result<(), DataError> {
    let meta = std::fs::metadata(file).map_err(|e| DataError::io(file, "reading", e))?;
    let key = (
        file.canonicalize().unwrap_or_else(|_| file.to_path_buf()),
        meta.len(),
        meta.modified().ok(),
    );
    if lock().as_ref().is_some_and(|set| set.contains(&key)) {
        return Ok(());
    }
    let dir = file.parent().unwrap_or(Path::new("."));
    let sums_path = dir.join(SUMS_FILE);
    let text = match std::fs::read_to_string(&sums_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(DataError::bad_file(
                &sums_path,
                format!(
                    "missing: the bundled sample's checksum list is needed to check {}",
                    file.display()
                ),
                RESTORE,
            ));
        }
        Err(e) => return Err(DataError::io(&sums_path, "reading", e)),
    };
    let sums = parse_sha256sums(&text, &sums_path)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((_, expected)) = sums.iter().find(|(n, _)| *n == name) else {
        return Err(DataError::bad_file(
            file,
            format!(
                "not listed in {} (it lists {})",
                sums_path.display(),
                sums.iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            RESTORE,
        ));
    };
    let got = sha256_file(file)?;
    if got != *expected {
        return Err(DataError::bad_file(
            file,
            format!(
                "SHA-256 is {got} but {} lists {expected}",
                sums_path.display()
            ),
            RESTORE,
        ));
    }
    lock().get_or_insert_with(HashSet::new).insert(key);
    Ok(())
}

/// The cache, even if another thread panicked while holding it.
fn lock() -> std::sync::MutexGuard<'static, Option<HashSet<FileKey>>> {
    VERIFIED.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sha256sum_output() {
        let hex = "ab".repeat(32);
        let text = format!("{hex}  a.gz\n\n{} *b.gz\r\n", hex.to_uppercase());
        let sums = parse_sha256sums(&text, Path::new("S")).unwrap();
        assert_eq!(
            sums,
            vec![("a.gz".into(), hex.clone()), ("b.gz".into(), hex.clone())]
        );
        let err = parse_sha256sums("xyz  a.gz\n", Path::new("S")).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn only_files_in_a_sample_folder_are_checked() {
        assert!(is_bundled_sample_file(Path::new("data/mnist-sample/x.gz")));
        assert!(!is_bundled_sample_file(Path::new("data/MNIST/raw/x.gz")));
        assert!(!is_bundled_sample_file(Path::new("x.gz")));
    }

    #[test]
    fn the_shipped_sample_matches_its_list() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist-sample");
        for name in crate::locate::MNIST_FILE_NAMES {
            verify_listed(&dir.join(format!("{name}.gz"))).unwrap();
        }
    }
}
