//! What the integration tests of the `hw6` program share.
// Each test file uses some of these helpers, not all.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `hw6` program, with `HW6_DATA_DIR` unset so that a test names its data.
pub fn hw6_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hw6"));
    cmd.env_remove("HW6_DATA_DIR");
    cmd
}

/// Run `hw6 args...` to the end.
pub fn hw6(args: &[&str]) -> Output {
    hw6_command().args(args).output().expect("run hw6")
}

/// The project's `data/` folder.
pub fn project_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}
