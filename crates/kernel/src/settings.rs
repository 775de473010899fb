//! The project's kernel settings: `kernel.toml`, found in the kernel's
//! working folder (the notebook's) or the nearest parent that has one.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings file's name.
pub const FILE_NAME: &str = "kernel.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub prelude: Prelude,
    #[serde(default)]
    pub build: Build,
    #[serde(default)]
    pub spare: Spare,
    /// The folder holding the settings file (relative paths start there);
    /// None when no file was found.
    #[serde(skip)]
    pub root: Option<PathBuf>,
}

/// What a kernel builds and runs as soon as it starts, before the first cell.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prelude {
    /// `:dep` lines without the `:dep`, e.g. `hw6 = { path = "crates/hw6" }`.
    #[serde(default)]
    pub dependencies: Vec<String>,
    /// Code run after the dependencies, e.g. `use hw6::prelude::*;`.
    #[serde(default)]
    pub code: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Build {
    /// Optimisation of every dependency, the project's path crates included.
    #[serde(default = "default_dependency_opt_level")]
    pub opt_level: String,
    /// Optimisation of each cell's own code.
    #[serde(default = "default_cell_opt_level")]
    pub cell_opt_level: String,
    /// The most kernels that build at the same time, each in its own folder.
    #[serde(default = "default_slots")]
    pub slots: usize,
}

fn default_dependency_opt_level() -> String {
    "3".into()
}
fn default_cell_opt_level() -> String {
    "0".into()
}
fn default_slots() -> usize {
    8
}

impl Default for Build {
    fn default() -> Self {
        Build {
            opt_level: default_dependency_opt_level(),
            cell_opt_level: default_cell_opt_level(),
            slots: default_slots(),
        }
    }
}

/// Warm spare kernels: processes that have already built and loaded the
/// prelude and take over the next kernel Jupyter starts (see `spare`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Spare {
    /// Spares kept ready per project (0: none; each holds about 1.4 GB).
    #[serde(default = "default_spare_count")]
    pub count: usize,
    /// A spare exits after this many seconds in which no kernel of its
    /// project ran.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout: u64,
}

fn default_spare_count() -> usize {
    2
}
fn default_idle_timeout() -> u64 {
    600
}

impl Default for Spare {
    fn default() -> Self {
        Spare {
            count: default_spare_count(),
            idle_timeout: default_idle_timeout(),
        }
    }
}

const OPT_LEVELS: &[&str] = &["0", "1", "2", "3", "s", "z"];

impl Settings {
    /// The settings from the nearest `kernel.toml` at or above `start`, or
    /// the defaults if there is none.
    pub fn find(start: &Path) -> Result<Settings> {
        for dir in start.ancestors() {
            let path = dir.join(FILE_NAME);
            if path.is_file() {
                return Settings::read(&path);
            }
        }
        Ok(Settings::default())
    }

    pub fn read(path: &Path) -> Result<Settings> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut settings: Settings =
            toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?;
        for (name, level) in [
            ("opt-level", &settings.build.opt_level),
            ("cell-opt-level", &settings.build.cell_opt_level),
        ] {
            if !OPT_LEVELS.contains(&level.as_str()) {
                bail!(
                    "{}: [build] {name} = {level:?}; use one of {}",
                    path.display(),
                    OPT_LEVELS.join(", ")
                );
            }
        }
        if settings.build.slots == 0 {
            bail!("{}: [build] slots must be at least 1", path.display());
        }
        let root = path.parent().unwrap_or(Path::new(".")).canonicalize()?;
        settings.root = Some(root);
        Ok(settings)
    }

    /// The prelude's `:dep` commands, relative paths made absolute the way
    /// evcxr does it for a notebook's own `:dep` (so both give one Cargo.toml).
    pub fn dep_commands(&self) -> Result<Vec<String>> {
        let root = self.root.as_deref().unwrap_or(Path::new("."));
        self.prelude
            .dependencies
            .iter()
            .map(|dep| Ok(format!(":dep {}", absolute_paths(dep, root)?)))
            .collect()
    }
}

impl Settings {
    /// The folders of the prelude's path dependencies (absolute).
    pub fn path_dependencies(&self) -> Result<Vec<PathBuf>> {
        let root = self.root.as_deref().unwrap_or(Path::new("."));
        let mut found = Vec::new();
        for dep in &self.prelude.dependencies {
            if let Some((_, path, _)) = split_path(dep)? {
                found.push(root.join(path).canonicalize().with_context(|| {
                    format!("the prelude dependency path {path} does not exist")
                })?);
            }
        }
        Ok(found)
    }
}

/// `(before, path, after)` of a dependency line with `path = "..."`.
fn split_path(dep: &str) -> Result<Option<(&str, &str, &str)>> {
    let Some(start) = dep.find("path") else {
        return Ok(None);
    };
    let rest = &dep[start + 4..];
    let Some(open) = rest.find('"') else {
        return Ok(None);
    };
    let between = rest[..open].trim();
    if !between.starts_with('=') || !between.trim_start_matches('=').trim().is_empty() {
        return Ok(None);
    }
    let after = &rest[open + 1..];
    let close = after
        .find('"')
        .with_context(|| format!("unclosed path in {dep:?}"))?;
    Ok(Some((&dep[..start], &after[..close], &after[close + 1..])))
}

/// `name = { path = "rel" ... }` with `rel` resolved against `root`.
fn absolute_paths(dep: &str, root: &Path) -> Result<String> {
    let Some((before, path, after)) = split_path(dep)? else {
        return Ok(dep.to_owned());
    };
    let path = Path::new(path);
    if path.is_absolute() {
        return Ok(dep.to_owned());
    }
    let full = root.join(path);
    let full = full.canonicalize().with_context(|| {
        format!(
            "the prelude dependency path {} does not exist",
            full.display()
        )
    })?;
    let escaped = full
        .to_string_lossy()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    Ok(format!("{before}path = \"{escaped}\"{after}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_dependency_path_becomes_absolute_and_the_rest_is_kept() {
        let root = std::env::temp_dir().canonicalize().unwrap();
        let dir = root.join(format!("hw6-kernel-settings-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("crates/hw6")).unwrap();
        let dep = r#"hw6 = { path = "crates/hw6", default-features = false }"#;
        let made = absolute_paths(dep, &dir).unwrap();
        assert_eq!(
            made,
            format!(
                r#"hw6 = {{ path = "{}", default-features = false }}"#,
                dir.join("crates/hw6").display()
            )
        );
        assert_eq!(
            absolute_paths(r#"rand = "0.9""#, &dir).unwrap(),
            r#"rand = "0.9""#
        );
        assert!(absolute_paths(r#"x = { path = "missing" }"#, &dir).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_bad_opt_level_is_named() {
        let dir =
            std::env::temp_dir().join(format!("hw6-kernel-settings-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE_NAME);
        std::fs::write(&path, "[build]\nopt-level = \"fast\"\n").unwrap();
        let error = Settings::read(&path).unwrap_err().to_string();
        assert!(error.contains("opt-level"), "{error}");
        std::fs::write(&path, "[build]\nopt-level = \"2\"\n").unwrap();
        let settings = Settings::read(&path).unwrap();
        assert_eq!(settings.build.opt_level, "2");
        assert_eq!(settings.build.cell_opt_level, "0");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
