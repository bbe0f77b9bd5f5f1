//! `cargo xtask`: project tasks for Edgecase. Each command lives in its own module.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "xtask is a command-line tool whose output is its interface"
)]

mod command;
mod conformance;
mod fuzz;
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
    /// Run the conformance suite and print a summary per area.
    Conformance(conformance::Args),
    /// Run the cargo fuzz targets for a bounded time each (needs cargo-fuzz).
    Fuzz(fuzz::Args),
    /// Build everything, run `cargo test --workspace`, then the conformance suite against the
    /// `edgecase-runtime` binary.
    Test,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Task::Conformance(args) => conformance::run(&args),
        Task::Fuzz(args) => fuzz::run(&args),
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
