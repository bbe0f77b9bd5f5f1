//! `cargo xtask test`: what CI runs.

use crate::command::{self, cargo};
use crate::conformance;

/// Builds every target, runs the workspace tests (which include the conformance suite against
/// the in-process reference runtime), then runs the suite against the `edgecase-runtime` binary.
pub fn run() -> anyhow::Result<()> {
    let mut build = cargo();
    build.args(["build", "--workspace", "--all-targets"]);
    command::run(build)?;

    let mut test = cargo();
    test.args(["test", "--workspace"]);
    command::run(test)?;

    conformance::run(&conformance::Args {
        target: Some("exec:reference".into()),
        test_args: Vec::new(),
    })
}
