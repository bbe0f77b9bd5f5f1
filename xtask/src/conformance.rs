//! `cargo xtask conformance`: runs the conformance test binary with libtest's JSON output and
//! prints each result, the failure reports, and a summary per area.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::command::{self, cargo};

/// Options of `cargo xtask conformance`.
#[derive(clap::Args)]
pub struct Args {
    /// Target to run against: `reference`, `exec:reference` or an http:// URL; sets
    /// EDGECASE_TARGET, which is otherwise taken from the environment.
    #[arg(long)]
    pub target: Option<String>,
    /// Arguments for the test binary after `--`, such as a name filter or `--include-ignored`.
    #[arg(last = true)]
    pub test_args: Vec<String>,
}

/// Results of one area, the first directory of the case ids.
#[derive(Default)]
struct Counts {
    passed: usize,
    failed: usize,
    ignored: usize,
}

/// Runs the suite and fails if any trial failed or the test binary did not run.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let mut test = cargo();
    test.args([
        "test",
        "-p",
        "edgecase-harness",
        "--test",
        "conformance",
        "--",
    ]);
    test.args(["--format", "json"]);
    test.args(&args.test_args);
    if let Some(target) = &args.target {
        test.env("EDGECASE_TARGET", target);
    }
    let shown = command::display(&test);
    println!("$ {shown}");

    let mut child = test
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("failed to start `{shown}`"))?;
    let stdout = child
        .stdout
        .take()
        .context("the test binary's stdout is not piped")?;

    let mut areas: BTreeMap<String, Counts> = BTreeMap::new();
    let mut failures: Vec<(String, String)> = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("failed to read the test binary's output")?;
        record_event(&line, &mut areas, &mut failures);
    }
    let status = child
        .wait()
        .with_context(|| format!("failed to wait for `{shown}`"))?;

    print_failures(&failures);
    print_summary(&areas);

    let failed: usize = areas.values().map(|counts| counts.failed).sum();
    if failed > 0 {
        bail!("{failed} conformance trials failed");
    }
    if !status.success() {
        bail!("`{shown}` failed with {status}");
    }
    Ok(())
}

/// Reads one line of libtest JSON output and records a finished trial. A line that is not JSON
/// is printed as it is, and other events, such as `started` and the suite summary, are skipped.
fn record_event(
    line: &str,
    areas: &mut BTreeMap<String, Counts>,
    failures: &mut Vec<(String, String)>,
) {
    let Ok(event) = serde_json::from_str::<Value>(line) else {
        println!("{line}");
        return;
    };
    if event["type"] != "test" {
        return;
    }
    let Some(name) = event["name"].as_str() else {
        return;
    };
    let outcome = event["event"].as_str().unwrap_or_default();
    let counts = areas.entry(area(name).to_string()).or_default();
    match outcome {
        "ok" => counts.passed += 1,
        "failed" => {
            counts.failed += 1;
            failures.push((name.to_string(), failure_message(&event)));
        }
        "ignored" => counts.ignored += 1,
        _ => return,
    }
    println!("test {name} ... {outcome}");
}

/// Returns the area of a trial name: the case id's first directory, or `-` for a case at the
/// top of a cases directory.
fn area(name: &str) -> &str {
    let id = name.split("::").next().unwrap_or(name);
    id.split_once('/').map_or("-", |(area, _)| area)
}

/// Returns the failure report of a `failed` event. libtest-mimic writes it into `stdout` as
/// `Error: "REPORT"` followed by a newline.
fn failure_message(event: &Value) -> String {
    let stdout = event["stdout"].as_str().unwrap_or_default();
    stdout
        .trim_end_matches('\n')
        .strip_prefix("Error: \"")
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(stdout)
        .to_string()
}

fn print_failures(failures: &[(String, String)]) {
    if failures.is_empty() {
        return;
    }
    println!();
    println!("failures:");
    for (name, message) in failures {
        println!();
        println!("---- {name} ----");
        println!("{}", message.trim_end());
    }
}

fn print_summary(areas: &BTreeMap<String, Counts>) {
    let width = areas
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("total".len());
    let mut total = Counts::default();

    println!();
    println!(
        "{:<width$}  {:>7}  {:>7}  {:>7}",
        "area", "passed", "failed", "ignored"
    );
    for (area, counts) in areas {
        println!(
            "{area:<width$}  {:>7}  {:>7}  {:>7}",
            counts.passed, counts.failed, counts.ignored
        );
        total.passed += counts.passed;
        total.failed += counts.failed;
        total.ignored += counts.ignored;
    }
    println!(
        "{:<width$}  {:>7}  {:>7}  {:>7}",
        "total", total.passed, total.failed, total.ignored
    );
    println!();
    println!(
        "conformance: {} passed, {} failed, {} ignored",
        total.passed, total.failed, total.ignored
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_is_first_directory() {
        assert_eq!(area("basics/hello::module"), "basics");
        assert_eq!(area("model/limits/cpu::service-worker"), "model");
        assert_eq!(area("top::module"), "-");
        assert_eq!(area("broken/not-json"), "broken");
    }

    #[test]
    fn events_are_counted_per_area() {
        let mut areas = BTreeMap::new();
        let mut failures = Vec::new();
        let lines = [
            r#"{ "type": "suite", "event": "started", "test_count": 3 }"#,
            r#"{ "type": "test", "event": "started", "name": "a/x::module" }"#,
            r#"{ "type": "test", "name": "a/x::module", "event": "ok" }"#,
            r#"{ "type": "test", "name": "a/y::module", "event": "ignored" }"#,
            r#"{ "type": "test", "name": "b/z::module", "event": "failed", "stdout": "Error: \"case file: b/z.json\nstatus\"\n" }"#,
        ];

        for line in lines {
            record_event(line, &mut areas, &mut failures);
        }

        assert_eq!(areas["a"].passed, 1);
        assert_eq!(areas["a"].ignored, 1);
        assert_eq!(areas["b"].failed, 1);
        assert_eq!(
            failures,
            [(
                "b/z::module".to_string(),
                "case file: b/z.json\nstatus".to_string()
            )]
        );
    }
}
