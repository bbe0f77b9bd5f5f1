//! `cargo xtask`: project tasks for Edgecase. Each command lives in its own module.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "xtask is a command-line tool whose output is its interface"
)]

mod bench;
mod command;
mod conformance;
mod fuzz;
mod load_test;
mod matrix;
mod runtimes;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Project tasks for Edgecase")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Run the criterion benches, then measure node, Deno, Bun, workerd and the reference binary
    /// side by side, and write target/edgecase/bench/report.md and .json.
    Bench(bench::Args),
    /// Run the conformance suite and print a summary per area.
    Conformance(conformance::Args),
    /// Send a bounded load to one server process with many workers, and check errors and RSS.
    LoadTest(load_test::Args),
    /// Run the cargo fuzz targets for a bounded time each (needs cargo-fuzz).
    Fuzz(fuzz::Args),
    /// Run the suite on every installed runtime and write target/edgecase/matrix.html and .md.
    Matrix(matrix::Args),
    /// Install the pinned worker runtimes into target/runtimes, or list them.
    #[command(subcommand)]
    Runtimes(runtimes::Action),
    /// Build everything, run `cargo test --workspace`, then the conformance suite against the
    /// `edgecase-runtime` binary and on the installed workerd, Deno and Bun.
    Test,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Task::Bench(args) => bench::run(&args),
        Task::Conformance(args) => conformance::run(&args),
        Task::Fuzz(args) => fuzz::run(&args),
        Task::LoadTest(args) => load_test::run(&args),
        Task::Matrix(args) => matrix::run(&args),
        Task::Runtimes(action) => runtimes::run(&action),
        Task::Test => test::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
