//! `cargo xtask test`: what CI runs.

use anyhow::bail;

use crate::command::{self, cargo};
use crate::conformance;
use crate::runtimes::{self, RUNTIMES};

/// Real runtimes whose suite runs are part of `cargo xtask test`, each with its expectations.
const TESTED_RUNTIMES: [&str; 3] = ["workerd", "deno", "bun"];

/// Builds every target, runs the workspace tests (which include the conformance suite against
/// the in-process reference runtime), runs the suite against the `edgecase-runtime` binary, and
/// then against each runtime in [`TESTED_RUNTIMES`].
///
/// A runtime that is not installed is skipped with a note, except in CI (`CI=true`), where it
/// is an error, so that CI cannot pass without running it.
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
    })?;

    let in_ci = std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
    let dir = runtimes::runtimes_dir();
    for name in TESTED_RUNTIMES {
        let runtime = RUNTIMES
            .iter()
            .find(|runtime| runtime.name == name)
            .expect("every tested runtime has a launch profile");
        if runtimes::find(runtime, &dir).is_none() {
            if in_ci {
                bail!("`{name}` is not installed: run `cargo xtask runtimes install` first");
            }
            println!(
                "note: skipping the suite on `exec:{name}`, which is not installed: run `cargo \
                 xtask runtimes install`"
            );
            continue;
        }
        conformance::run(&conformance::Args {
            target: Some(format!("exec:{name}")),
            test_args: Vec::new(),
        })?;
    }
    Ok(())
}
