//! Paths inside the Edgecase workspace, found from the location of this crate.

use std::path::{Path, PathBuf};

/// Returns the workspace root: the parent of this crate's manifest directory at build time.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the harness crate lives in a workspace directory")
}

/// Returns the directory of the shipped cases, `conformance/cases`.
pub fn default_cases_dir() -> PathBuf {
    root().join("conformance").join("cases")
}

/// Returns the JSON Schema of case files, `conformance/schema/case.schema.json`.
pub fn case_schema() -> PathBuf {
    root()
        .join("conformance")
        .join("schema")
        .join("case.schema.json")
}

/// Returns the directory of the expected-failure tables, `conformance/expectations`.
pub fn expectations_dir() -> PathBuf {
    root().join("conformance").join("expectations")
}

/// Returns the directory of the response snapshots, `conformance/snapshots`.
pub fn snapshots_dir() -> PathBuf {
    root().join("conformance").join("snapshots")
}

/// Returns the directory of generated reports, `<target dir>/edgecase`.
pub fn output_dir() -> PathBuf {
    target_dir().join("edgecase")
}

/// Returns cargo's target directory: `CARGO_TARGET_DIR`, resolved against the workspace root
/// when relative, or `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// Resolves a path from a setting against the workspace root. An absolute path stays as it is.
pub fn resolve(path: impl AsRef<Path>) -> PathBuf {
    root().join(path)
}

/// Returns a path for messages: relative to the workspace root when it lies inside it.
pub fn display_path(path: &Path) -> PathBuf {
    path.strip_prefix(root())
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}
