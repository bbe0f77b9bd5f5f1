//! Runs a fixed set of cases through libtest-mimic against a loopback server, once on one
//! thread with the output compared exactly, and once in parallel with the lines compared in any
//! order.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::TestServer;
use edgecase_harness::plan::IgnoredTrial;
use edgecase_harness::target::http::HttpTarget;
use edgecase_harness::{Capability, RunOptions, Runner, load_dirs, plan};
use libtest_mimic::{Arguments, Conclusion};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/selftest")
}

/// Runs the fixture cases against `server` with libtest-mimic arguments, and returns the
/// conclusion, the output with ports and timings replaced, and the ignored trials.
fn run_suite(server: &TestServer, args: &[&str]) -> (Conclusion, String, Vec<IgnoredTrial>) {
    let target = Arc::new(HttpTarget::new(&server.url(), BTreeSet::new()).unwrap());
    let runner = Arc::new(Runner::new(target, RunOptions::default()).unwrap());
    let loaded = load_dirs(&[cases_dir()]).unwrap();
    let plan = plan(loaded, &BTreeSet::<Capability>::new(), Some(runner));

    let log = tempfile::NamedTempFile::new().unwrap();
    let mut argv = vec!["selftest"];
    argv.extend_from_slice(args);
    let mut arguments = Arguments::from_iter(argv);
    arguments.logfile = Some(log.path().display().to_string());

    let conclusion = libtest_mimic::run(&arguments, plan.trials);
    let output = std::fs::read_to_string(log.path()).unwrap();
    (conclusion, normalize(&output, server), plan.ignored)
}

/// Replaces what changes between runs: the server's port and the run time.
fn normalize(output: &str, server: &TestServer) -> String {
    let timing = regex::Regex::new(r"finished in \d+\.\d+s").unwrap();
    let output = output.replace(&server.url(), "http://127.0.0.1:PORT");
    timing
        .replace_all(&output, "finished in N.NNs")
        .into_owned()
}

const FAILURES: &str = "
failures:

---- basics/wrong-status::module ----
case file: harness/tests/fixtures/selftest/basics/wrong-status.json
syntax:    module
target:    http://127.0.0.1:PORT

step:      steps[0]
request:   GET /status/500

status
  expected: 200
  actual:   500


---- broken/not-json ----
harness/tests/fixtures/selftest/broken/not-json.json: invalid JSON: EOF while parsing a value at line 2 column 0

---- broken/typo::module ----
harness/tests/fixtures/selftest/broken/typo.json: at steps[0].expect: unknown field `stauts`, expected one of `status`, `headers`, `body`

---- broken/typo::service-worker ----
harness/tests/fixtures/selftest/broken/typo.json: at steps[0].expect: unknown field `stauts`, expected one of `status`, `headers`, `body`


failures:
    basics/wrong-status::module
    broken/not-json
    broken/typo::module
    broken/typo::service-worker

test result: FAILED. 2 passed; 4 failed; 1 ignored; 0 measured; 0 filtered out; finished in N.NNs

";

/// Splits the failures part of the output into its sorted blocks: each failure's message, the
/// names in the failure list, and the result line.
fn failure_blocks(failures: &str) -> Vec<String> {
    let (messages, list) = failures
        .rsplit_once("\nfailures:\n")
        .expect("the output lists failures");
    let mut blocks: Vec<String> = messages
        .split("\n---- ")
        .map(|block| block.trim().to_string())
        .filter(|block| !block.is_empty() && block != "failures:")
        .collect();
    blocks.extend(list.lines().map(|line| line.trim().to_string()));
    blocks.retain(|block| !block.is_empty());
    blocks.sort();
    blocks
}

#[test]
fn one_thread_output_is_exact() {
    let server = TestServer::start();

    let (conclusion, output, ignored) = run_suite(&server, &["--test-threads", "1"]);

    let expected = format!(
        "
running 7 tests
test [basics] basics/hello::module          ... ok
test [basics] basics/hello::service-worker  ... ok
test [basics] basics/needs-eviction::module ... ignored
test [basics] basics/wrong-status::module   ... FAILED
test [broken] broken/not-json               ... FAILED
test [broken] broken/typo::module           ... FAILED
test [broken] broken/typo::service-worker   ... FAILED
{FAILURES}"
    );
    assert_eq!(output, expected);
    assert_eq!(conclusion.num_passed, 2);
    assert_eq!(conclusion.num_failed, 4);
    assert_eq!(conclusion.num_ignored, 1);
    assert_eq!(server.hits(), 3, "the ignored case must send nothing");

    assert_eq!(ignored.len(), 1);
    assert_eq!(
        ignored[0].note("http://127.0.0.1:PORT"),
        "ignored basics/needs-eviction::module: target `http://127.0.0.1:PORT` lacks `eviction` \
         (needed by an `evict` step); pass --ignored or --include-ignored to run it anyway"
    );
}

#[test]
fn parallel_output_has_same_lines() {
    let server = TestServer::start();

    let (conclusion, output, _) = run_suite(&server, &["--test-threads", "4"]);

    let (head, tail) = output
        .split_once("\nfailures:\n")
        .expect("the run has failures");
    let mut lines: Vec<&str> = head.lines().filter(|line| !line.is_empty()).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "running 7 tests",
            "test [basics] basics/hello::module          ... ok",
            "test [basics] basics/hello::service-worker  ... ok",
            "test [basics] basics/needs-eviction::module ... ignored",
            "test [basics] basics/wrong-status::module   ... FAILED",
            "test [broken] broken/not-json               ... FAILED",
            "test [broken] broken/typo::module           ... FAILED",
            "test [broken] broken/typo::service-worker   ... FAILED",
        ]
    );
    // Failures are listed in the order the trials finished, so compare them as sets.
    let expected_blocks = failure_blocks(FAILURES);
    assert_eq!(
        expected_blocks.len(),
        9,
        "4 messages, 4 names and the result line"
    );
    assert_eq!(
        failure_blocks(&format!("\nfailures:\n{tail}")),
        expected_blocks
    );
    assert_eq!(conclusion.num_failed, 4);
    assert_eq!(server.hits(), 3);
}

#[test]
fn ignored_flag_runs_ignored_trial() {
    let server = TestServer::start();

    let (conclusion, output, _) = run_suite(&server, &["--ignored", "--test-threads", "1"]);

    assert_eq!(conclusion.num_failed, 1, "{output}");
    assert_eq!(conclusion.num_passed, 0, "{output}");
    assert!(
        output.contains(
            "error: target `http://127.0.0.1:PORT` cannot evict the worker: the harness does not \
             control a server it did not start"
        ),
        "{output}"
    );
}

#[test]
fn exact_filter_selects_one_trial() {
    let server = TestServer::start();

    let (conclusion, output, _) = run_suite(
        &server,
        &[
            "--exact",
            "basics/hello::service-worker",
            "--test-threads",
            "1",
        ],
    );

    assert_eq!(conclusion.num_passed, 1, "{output}");
    assert_eq!(conclusion.num_filtered_out, 6, "{output}");
    assert_eq!(server.hits(), 1);
}
