//! Errors of the harness: broken case files, bad settings and targets that fail to run a step.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can stop a case from loading or a target from serving a trial.
///
/// A response that differs from the expectation is not an `Error`: it is a [`crate::Failure`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A cases directory does not exist or cannot be listed.
    #[error("failed to read cases directory `{dir}`: {source}: check EDGECASE_CASES")]
    CasesDir {
        /// The directory as configured.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The origin stub for `origin` cases could not start.
    #[error("failed to start the origin stub on 127.0.0.1: {reason}")]
    OriginStub {
        /// The I/O error, as text because the stub starts once per process.
        reason: String,
    },
    /// A case file cannot be read.
    #[error("{file}: failed to read: {source}")]
    ReadCase {
        /// The case file.
        file: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A case file is not valid JSON.
    #[error("{file}: invalid JSON: {message}")]
    Syntax {
        /// The case file.
        file: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A case file is valid JSON but not a valid case.
    #[error("{file}: {}{message}", at_path(path))]
    InvalidCase {
        /// The case file.
        file: PathBuf,
        /// JSON path of the invalid value, such as `steps[0].expect`, or empty for the whole file.
        path: String,
        /// Description of the problem and of what belongs there.
        message: String,
    },
    /// A script that a case names with `{"file": ...}` cannot be read.
    #[error("{file}: at {path}: failed to read script `{script}`: {source}")]
    ReadScript {
        /// The case file.
        file: PathBuf,
        /// JSON path of the reference, such as `worker.module.file`.
        path: String,
        /// The script path, resolved against the case file's directory.
        script: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Two cases directories contain a case with the same id.
    #[error("{file}: duplicate case id `{id}`, already loaded from {first}: rename one of them")]
    DuplicateCase {
        /// The case id.
        id: String,
        /// The file loaded second.
        file: PathBuf,
        /// The file loaded first.
        first: PathBuf,
    },
    /// An expectations file cannot be read.
    #[error("{file}: failed to read: {source}")]
    ReadExpectations {
        /// The expectations file.
        file: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An expectations file is not a valid table of expected failures.
    #[error("{file}: invalid expectations: {}{message}", at_path(path))]
    InvalidExpectations {
        /// The expectations file.
        file: PathBuf,
        /// JSON path of the invalid value, or empty for the whole file.
        path: String,
        /// Description of the problem.
        message: String,
    },
    /// The JSON report of a run could not be written.
    #[error("failed to write the report `{file}`: {source}")]
    WriteReport {
        /// The report file, from `EDGECASE_REPORT`.
        file: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An environment variable has a value the harness cannot use.
    #[error("invalid {name}=`{value}`: {reason}")]
    InvalidSetting {
        /// The variable, such as `EDGECASE_TARGET`.
        name: &'static str,
        /// Its value.
        value: String,
        /// Description of the problem and of a valid value.
        reason: String,
    },
    /// The `edgecase-runtime` binary for the exec target was not found.
    #[error(
        "edgecase-runtime binary not found at {}: run `cargo build -p edgecase-runtime` \
         or set EDGECASE_RUNTIME_BIN",
        list_paths(tried)
    )]
    RuntimeBinaryNotFound {
        /// The paths that were checked.
        tried: Vec<PathBuf>,
    },
    /// A real runtime's executable was not found for its launch profile.
    #[error(
        "`{runtime}` is not installed: it is neither in `{}` nor on PATH; run `cargo xtask \
         runtimes install`",
        bin_dir.display()
    )]
    RuntimeNotInstalled {
        /// The profile's executable, such as `workerd`.
        runtime: &'static str,
        /// The directory that `cargo xtask runtimes install` fills.
        bin_dir: PathBuf,
    },
    /// A target lacks a feature that the case needs.
    #[error("target `{target}` cannot {action}: {reason}")]
    Unsupported {
        /// The target's name.
        target: String,
        /// The operation, such as `evict the worker`.
        action: String,
        /// Why, and what to do about it.
        reason: String,
    },
    /// The in-process reference runtime returned an error.
    #[error("reference runtime: {0}")]
    Runtime(#[from] edgecase_runtime::Error),
    /// A server process could not be started.
    #[error("failed to start `{program}`: {source}")]
    Spawn {
        /// The program that was run.
        program: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A server process exited before it was ready or while it served a case.
    #[error("`{program}` exited with {status}; its output:\n{stderr}")]
    ServerExited {
        /// The program that was run.
        program: PathBuf,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// The tail of its stdout and stderr, merged.
        stderr: String,
    },
    /// A server process did not report that it was listening in time.
    #[error(
        "`{program}` was not ready after {} ms on port {port}; its output:\n{stderr}",
        timeout.as_millis()
    )]
    ServerNotReady {
        /// The program that was run.
        program: PathBuf,
        /// The port it was asked to listen on.
        port: u16,
        /// How long the harness waited.
        timeout: Duration,
        /// The tail of its stdout and stderr, merged.
        stderr: String,
    },
    /// An HTTP request to the target failed before a response arrived.
    #[error("HTTP request to {url} failed: {}", error_chain(source))]
    Http {
        /// The request URL.
        url: String,
        /// The client's error.
        #[source]
        source: reqwest::Error,
    },
    /// The HTTP client could not be built, for example because TLS failed to initialize.
    #[error("failed to build the HTTP client: {}", error_chain(.0))]
    HttpClient(#[source] reqwest::Error),
    /// A file or process operation of a target failed.
    #[error("{action}: {source}")]
    Io {
        /// The operation, such as `write script to /tmp/x/worker.js`.
        action: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

fn at_path(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("at {path}: ")
    }
}

fn list_paths(paths: &[PathBuf]) -> String {
    let quoted: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
    quoted.join(" or ")
}

/// Joins an error with its sources, because reqwest puts the useful part (connection refused,
/// certificate invalid) in a source rather than in its own message.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
