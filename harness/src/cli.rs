//! The `main` of the conformance test binary: read settings, load cases, run the trials.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Conclusion};

use crate::config::Config;
use crate::error::Error;
use crate::load;
use crate::plan::{self, Plan};
use crate::run::Runner;

/// Runs the conformance suite with libtest's command-line arguments and returns the exit code.
///
/// Settings come from the environment (see [`Config`]). Logs go to stderr, filtered by
/// `RUST_LOG` (default [`DEFAULT_LOG_FILTER`]).
pub fn main() -> ExitCode {
    init_logging();
    let args = Arguments::from_args();
    match run(&args) {
        Ok(conclusion) => conclusion.exit_code(),
        Err(error) => {
            print_error(&error);
            ExitCode::FAILURE
        }
    }
}

/// Runs the suite with parsed arguments and the settings of the environment.
pub fn run(args: &Arguments) -> Result<Conclusion, Error> {
    let config = Config::from_env()?;
    let loaded = load::load_dirs(&config.case_dirs)?;
    let capabilities = config.target.capabilities();

    // `--list` (which cargo-nextest runs first) needs only the names, so it opens no target.
    let runner = if args.list {
        None
    } else {
        let target = config.target.open()?;
        Some(Arc::new(Runner::new(target, config.options.clone())?))
    };

    let plan = plan::plan(loaded, &capabilities, runner);
    if !args.list && !args.ignored && !args.include_ignored {
        print_ignored_notes(args, &plan, &config.target.name());
    }
    Ok(libtest_mimic::run(args, plan.trials))
}

/// Default log filter. The in-process runtime logs uncaught exceptions and worker warnings (log
/// target `worker`) at `warn`, and many cases cause them on purpose, so those logs start at
/// `error`.
const DEFAULT_LOG_FILTER: &str = "warn,edgecase_runtime=error,worker=error";

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    // A second initialization, as in a test that calls `main` twice, keeps the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Prints one line per selected ignored trial, naming the capabilities the target lacks.
#[allow(
    clippy::print_stderr,
    reason = "the notes are output of the test binary"
)]
fn print_ignored_notes(args: &Arguments, plan: &Plan, target: &str) {
    let selected: HashSet<&str> = plan
        .trials
        .iter()
        .filter(|trial| !args.is_filtered_out(trial))
        .map(|trial| trial.name())
        .collect();
    for ignored in &plan.ignored {
        if selected.contains(ignored.name.as_str()) {
            eprintln!("note: {}", ignored.note(target));
        }
    }
}

#[allow(
    clippy::print_stderr,
    reason = "the error is output of the test binary"
)]
fn print_error(error: &Error) {
    eprintln!("error: {error}");
}
