//! What the binary's tests share: a fresh working directory and the command with a clean settings
//! environment.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Settings a developer's shell or CI may have set that would leak into the child's configuration.
pub const SETTINGS_VARIABLES: &[&str] = &[
    "DATABASE_URL",
    "FERMENT_LISTEN",
    "FERMENT_DATA_DIR",
    "FERMENT_CONFIG",
    "FERMENT_ADMIN_PASSWORD",
    "FERMENT_SECURE_COOKIES",
    "FERMENT_SESSION_HOURS",
];

/// A new empty directory for one test, also the child's working directory (so no stray
/// `ferment.toml` is picked up).
pub fn fresh_dir() -> PathBuf {
    let dir = std::env::temp_dir()
        .join("ferment-cli-tests")
        .join(uuid::Uuid::new_v4().to_string());
    std::fs::create_dir_all(&dir).expect("creating the test directory");
    dir
}

/// `ferment ARGS` in `dir` with a clean settings environment.
pub fn ferment(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferment"));
    command.args(args).current_dir(dir);
    for name in SETTINGS_VARIABLES {
        command.env_remove(name);
    }
    command
}
