//! The `main` of the conformance test binary: read settings, load cases, run the trials.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;

use edgecase_runtime::Syntax;
use libtest_mimic::{Arguments, Conclusion};

use crate::config::Config;
use crate::error::Error;
use crate::expectations::Expectations;
use crate::load::{self, Loaded};
use crate::plan::{self, Plan, Rules};
use crate::record::{self, Recorder, RunReport};
use crate::run::Runner;
use crate::workspace;

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
///
/// The target's expected failures are enforced, and with `EDGECASE_REPORT` set, a JSON report
/// of the selected trials is written after the run.
pub fn run(args: &Arguments) -> Result<Conclusion, Error> {
    let config = Config::from_env()?;
    let loaded = load::load_dirs(&config.case_dirs)?;
    let expectations = config
        .expectations
        .as_deref()
        .map(Expectations::load)
        .transpose()?;

    // `--list` (which cargo-nextest runs first) needs only the names, so it opens no target.
    let runner = if args.list {
        None
    } else {
        let target = config.target.open()?;
        print_target_line(target.name(), &target.version());
        Some(Arc::new(Runner::new(target, config.options.clone())?))
    };
    let version = runner.as_ref().map(|runner| runner.target().version());

    let recorder = config
        .report
        .as_ref()
        .map(|_| Arc::new(Recorder::default()));
    let target_name = config.target.name();
    let rules = Rules {
        target: target_name.clone(),
        capabilities: config.target.capabilities(),
        unsupported_syntaxes: [Syntax::Module, Syntax::ServiceWorker]
            .into_iter()
            .filter_map(|syntax| {
                let reason = config.target.unsupported_syntax(syntax)?;
                Some((syntax, reason.to_string()))
            })
            .collect(),
        expectations: expectations.clone(),
        check_stale: config.default_cases,
        recorder: recorder.clone(),
        transcript_dir: config.options.transcript_dir.clone(),
    };

    let cases: Vec<Arc<crate::Case>> = loaded
        .iter()
        .filter_map(|item| match item {
            Loaded::Case(case) => Some(Arc::new((**case).clone())),
            Loaded::Broken(_) => None,
        })
        .collect();
    let plan = plan::plan_with(loaded, &rules, runner);
    let selected: HashSet<String> = plan
        .trials
        .iter()
        .filter(|trial| !args.is_filtered_out(trial))
        .map(|trial| trial.name().to_string())
        .collect();
    if !args.list && !args.ignored && !args.include_ignored {
        print_ignored_notes(&selected, &plan, &target_name);
    }
    let ignored = plan.ignored.clone();
    let conclusion = libtest_mimic::run(args, plan.trials);

    if args.list {
        return Ok(conclusion);
    }
    if let Some(table) = &expectations {
        let running: HashSet<String> = selected
            .iter()
            .filter(|name| !ignored.iter().any(|entry| &entry.name == *name))
            .cloned()
            .collect();
        print_expectations_line(table, &running);
    }
    if let (Some(path), Some(recorder)) = (&config.report, &recorder) {
        if !args.ignored && !args.include_ignored {
            for entry in ignored
                .iter()
                .filter(|entry| selected.contains(&entry.name))
            {
                let found = cases.iter().find_map(|case| {
                    case.syntaxes()
                        .into_iter()
                        .find(|syntax| crate::case::trial_name(&case.id, *syntax) == entry.name)
                        .map(|syntax| (case, syntax))
                });
                if let Some((case, syntax)) = found {
                    recorder.push(plan::ignored_record(
                        case,
                        syntax,
                        entry.reason(&target_name),
                    ));
                }
            }
        }
        let report = RunReport {
            target: target_name,
            version: version.unwrap_or_default(),
            expectations: expectations
                .as_ref()
                .map(|table| workspace::display_path(&table.file).display().to_string()),
            capabilities: config
                .target
                .capabilities()
                .iter()
                .map(|capability| capability.to_string())
                .collect(),
            trials: recorder.records(),
        };
        record::write(path, &report)?;
    }
    Ok(conclusion)
}

/// Prints how many of the trials that ran the target's table expects to fail.
#[allow(clippy::print_stderr, reason = "the line is output of the test binary")]
fn print_expectations_line(table: &Expectations, selected: &HashSet<String>) {
    let expected = selected
        .iter()
        .filter(|name| {
            name.rsplit_once("::")
                .and_then(|(id, syntax)| Some((id, syntax.parse::<Syntax>().ok()?)))
                .is_some_and(|(id, syntax)| table.reason(id, syntax).is_some())
        })
        .count();
    eprintln!(
        "expectations: {expected} trials that ran are expected to fail, as listed in {}",
        workspace::display_path(&table.file).display()
    );
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
fn print_ignored_notes(selected: &HashSet<String>, plan: &Plan, target: &str) {
    for ignored in &plan.ignored {
        if selected.contains(&ignored.name) {
            eprintln!("note: {}", ignored.note(target));
        }
    }
}

/// Prints the line that opens every run, with the target's name and runtime version.
#[allow(clippy::print_stderr, reason = "the line is output of the test binary")]
fn print_target_line(name: &str, version: &str) {
    eprintln!("target: {name}: {version}");
}

#[allow(
    clippy::print_stderr,
    reason = "the error is output of the test binary"
)]
fn print_error(error: &Error) {
    eprintln!("error: {error}");
}
