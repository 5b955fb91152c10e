//! Integration tests for haven-needs: golden figures from the seeds and
//! property tests. One test binary (see STYLE.md "Tests layout").
mod golden;
mod props;

use std::fs::File;
use std::path::PathBuf;

/// A file in docs/examples/needs.
pub fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/needs").join(name)
}

pub fn open(name: &str) -> File {
    File::open(example(name)).unwrap_or_else(|e| panic!("{}: {e}", example(name).display()))
}
