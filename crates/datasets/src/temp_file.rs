//! Temporary files for writes that must appear whole or not at all.
//!
//! A temporary file is created next to its destination (same folder, so the
//! final rename stays on one file system) under an unpredictable name,
//! `.<destination name>.partial-<16 random hex digits>`, opened with
//! `create_new`: an existing file or symbolic link of that name is never
//! followed, truncated or reused; another random name is tried instead.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::error::DataError;

/// How many random names are tried before giving up.
const ATTEMPTS: usize = 16;

/// A temporary file beside its destination; removed on drop unless
/// [`TempFile::persist`] renamed it.
#[derive(Debug)]
pub(crate) struct TempFile {
    /// The open file, for writing.
    pub file: File,
    /// Its current (temporary) path.
    pub path: PathBuf,
    persisted: bool,
}

impl TempFile {
    /// Creates a new, empty temporary file in the folder of `dest` (which is
    /// created if needed).
    pub fn beside(dest: &Path) -> Result<TempFile, DataError> {
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&dir).map_err(|e| DataError::io(&dir, "creating the folder", e))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".to_string());
        let mut last = None;
        for _ in 0..ATTEMPTS {
            let path = dir.join(format!(".{name}.partial-{:016x}", rand::random::<u64>()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(TempFile {
                        file,
                        path,
                        persisted: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(DataError::io(&path, "creating a temporary file", e)),
            }
        }
        let e = last.unwrap_or_else(|| io::Error::other("no temporary name was free"));
        Err(DataError::io(&dir, "creating a temporary file", e))
    }

    /// Flushes the file to disk and renames it to `dest`.
    pub fn persist(mut self, dest: &Path) -> Result<(), DataError> {
        self.file
            .sync_all()
            .map_err(|e| DataError::io(&self.path, "writing", e))?;
        fs::rename(&self.path, dest).map_err(|e| DataError::io(dest, "writing", e))?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hw6-tempfile-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn names_are_fresh_hidden_and_in_the_destination_folder() {
        let dir = scratch("names");
        let dest = dir.join("x.gz");
        let a = TempFile::beside(&dest).unwrap();
        let b = TempFile::beside(&dest).unwrap();
        assert_ne!(a.path, b.path);
        for t in [&a, &b] {
            assert_eq!(t.path.parent(), Some(dir.as_path()));
            let n = t.path.file_name().unwrap().to_string_lossy().into_owned();
            let suffix = n.strip_prefix(".x.gz.partial-").unwrap();
            assert_eq!(suffix.len(), 16);
            assert!(suffix.bytes().all(|c| c.is_ascii_hexdigit()));
        }
        drop((a, b));
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            0,
            "dropped files remain"
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn persist_renames_and_drop_removes() {
        let dir = scratch("persist");
        let dest = dir.join("out.bin");
        let mut t = TempFile::beside(&dest).unwrap();
        t.file.write_all(b"hello").unwrap();
        let tmp = t.path.clone();
        t.persist(&dest).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"hello");
        assert!(!tmp.exists());
        let _ = fs::remove_dir_all(&dir);
    }
}
