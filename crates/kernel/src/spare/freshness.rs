//! Whether a spare's build is still current: a fingerprint (path, size,
//! modification time) of every file of the project's path packages, taken
//! before the spare starts building. An edited crate changes it; the spare is
//! then never served, and is replaced by one that builds the edit.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::UNIX_EPOCH;

/// The sources a spare was built from.
pub struct Freshness {
    /// Folders of the path packages (walked, `target` and hidden folders left out).
    packages: Vec<PathBuf>,
    /// Single files read too (the workspaces' manifests and lock files).
    files: Vec<PathBuf>,
    fingerprint: [u8; 32],
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    workspace_root: PathBuf,
}

#[derive(Deserialize)]
struct Package {
    source: Option<String>,
    manifest_path: PathBuf,
}

impl Freshness {
    /// The fingerprint now of the path packages reachable from `dependencies`
    /// (the folders of the prelude's path dependencies), their workspaces'
    /// manifests and lock files, and `also` (the kernel's settings).
    pub fn snapshot(dependencies: &[PathBuf], also: &[PathBuf]) -> Result<Freshness> {
        let mut packages = Vec::new();
        let mut files = also.to_vec();
        for dependency in dependencies {
            let metadata = metadata(&dependency.join("Cargo.toml"))?;
            for name in ["Cargo.toml", "Cargo.lock"] {
                files.push(metadata.workspace_root.join(name));
            }
            packages.extend(
                metadata
                    .packages
                    .into_iter()
                    .filter(|p| p.source.is_none())
                    .filter_map(|p| p.manifest_path.parent().map(Path::to_path_buf)),
            );
        }
        packages.sort();
        packages.dedup();
        files.sort();
        files.dedup();
        let fingerprint = fingerprint(&packages, &files);
        Ok(Freshness {
            packages,
            files,
            fingerprint,
        })
    }

    /// Whether no file changed since the snapshot.
    pub fn is_current(&self) -> bool {
        self.now() == self.fingerprint
    }

    /// Whether `fingerprint` is the one of the snapshot.
    pub fn is(&self, fingerprint: &[u8; 32]) -> bool {
        *fingerprint == self.fingerprint
    }

    /// The fingerprint as it is now.
    pub fn now(&self) -> [u8; 32] {
        fingerprint(&self.packages, &self.files)
    }

    /// How many package folders are watched.
    pub fn package_count(&self) -> usize {
        self.packages.len()
    }
}

/// `cargo metadata` of one manifest (offline: the lock file decides).
fn metadata(manifest: &Path) -> Result<Metadata> {
    let output = Command::new("cargo")
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata --manifest-path {} failed: {}",
            manifest.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout).context("cargo metadata gave unexpected JSON")
}

fn fingerprint(packages: &[PathBuf], files: &[PathBuf]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for file in files {
        add_file(&mut hash, file);
    }
    for package in packages {
        walk(&mut hash, package);
    }
    hash.finalize().into()
}

fn add_file(hash: &mut Sha256, path: &Path) {
    hash.update(path.as_os_str().as_bytes());
    hash.update([0]);
    if let Ok(meta) = std::fs::metadata(path) {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        hash.update(meta.len().to_le_bytes());
        hash.update(modified.to_le_bytes());
    }
}

/// Every file under `dir` in name order, `target` and hidden folders left out.
fn walk(hash: &mut Sha256, dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => {
                if name != "target" && !name.as_bytes().starts_with(b".") {
                    walk(hash, &path);
                }
            }
            Ok(_) => add_file(hash, &path),
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_or_a_new_file_changes_the_fingerprint_but_target_does_not() {
        let dir = std::env::temp_dir().join(format!("hw6-kernel-fresh-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("target")).unwrap();
        std::fs::write(dir.join("src/lib.rs"), "pub fn f() -> u8 { 1 }").unwrap();
        let packages = vec![dir.clone()];
        let before = fingerprint(&packages, &[]);
        std::fs::write(dir.join("target/out"), "built").unwrap();
        assert_eq!(
            fingerprint(&packages, &[]),
            before,
            "target/ is not a source"
        );
        std::fs::write(dir.join("src/lib.rs"), "pub fn f() -> u8 { 22 }").unwrap();
        let edited = fingerprint(&packages, &[]);
        assert_ne!(edited, before);
        std::fs::write(dir.join("src/new.rs"), "").unwrap();
        assert_ne!(fingerprint(&packages, &[]), edited);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
