//! The JSON report of a run, written when `EDGECASE_REPORT=path.json` is set: the target, its
//! version and one record per selected trial, for `cargo xtask matrix` and other tools.

use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The report of one run against one target.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunReport {
    /// The target's name, such as `exec:workerd`.
    pub target: String,
    /// The runtime's version, such as `workerd 2026-11-23 (npm workerd 1.20261123.1)`.
    pub version: String,
    /// The expectations file the run enforced, relative to the workspace root.
    pub expectations: Option<String>,
    /// The target's capabilities.
    pub capabilities: Vec<String>,
    /// One record per trial that the run selected, in plan order.
    pub trials: Vec<TrialRecord>,
}

/// The result of a trial, before expected failures are taken into account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every step passed.
    Passed,
    /// A step failed, or the worker did not start.
    Failed,
    /// The target lacks what the trial needs, so it did not run.
    Ignored,
}

/// The record of one trial.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrialRecord {
    /// The trial name, `<case id>::<syntax>`.
    pub name: String,
    /// The case id, such as `basics/hello`.
    pub id: String,
    /// The syntax, `module` or `service-worker`, or empty for a trial that is not a case's.
    pub syntax: String,
    /// The case's area, the first directory of its id.
    pub area: String,
    /// The case's title.
    pub title: String,
    /// What happened.
    pub outcome: Outcome,
    /// Whether the expectations file lists the trial as expected to fail.
    pub expected_failure: bool,
    /// The reason the expectations file gives.
    pub expected_failure_reason: Option<String>,
    /// The reason the trial was ignored.
    pub ignore_reason: Option<String>,
    /// The first lines of the failure report.
    pub failure_summary: Option<String>,
    /// The whole failure report.
    pub failure: Option<String>,
    /// The transcript file, when the run wrote transcripts.
    pub transcript: Option<String>,
    /// How long the trial took, in milliseconds.
    pub duration_ms: u64,
}

impl TrialRecord {
    /// Returns whether the trial counts as passed for libtest: a pass that is not expected to
    /// fail, or a failure that is.
    pub fn verdict_passed(&self) -> bool {
        match self.outcome {
            Outcome::Passed => !self.expected_failure,
            Outcome::Failed => self.expected_failure,
            Outcome::Ignored => true,
        }
    }
}

/// Collects trial records from the test threads.
#[derive(Default)]
pub struct Recorder {
    records: Mutex<Vec<TrialRecord>>,
}

impl Recorder {
    /// Adds a record.
    pub fn push(&self, record: TrialRecord) {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record);
    }

    /// Returns the records so far, sorted by trial name.
    pub fn records(&self) -> Vec<TrialRecord> {
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        records.sort_by(|a, b| a.name.cmp(&b.name));
        records
    }
}

/// Returns the first lines of a failure report, which describe the difference: the report without its
/// `case file`, `syntax` and `target` header, at most six lines.
pub fn summarize(report: &str) -> String {
    let lines: Vec<&str> = report
        .lines()
        .filter(|line| {
            !line.starts_with("case file:")
                && !line.starts_with("syntax:")
                && !line.starts_with("target:")
                && !line.trim().is_empty()
        })
        .take(6)
        .collect();
    lines.join("\n")
}

/// Writes a report as pretty JSON, creating its directory.
pub fn write(path: &Path, report: &RunReport) -> Result<(), Error> {
    let io_error = |source| Error::WriteReport {
        file: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(io_error)?;
    }
    let json = serde_json::to_string_pretty(report).expect("a report serializes to JSON");
    std::fs::write(path, json + "\n").map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(outcome: Outcome, expected_failure: bool) -> TrialRecord {
        TrialRecord {
            name: "basics/hello::module".into(),
            id: "basics/hello".into(),
            syntax: "module".into(),
            area: "basics".into(),
            title: "Hello".into(),
            outcome,
            expected_failure,
            expected_failure_reason: None,
            ignore_reason: None,
            failure_summary: None,
            failure: None,
            transcript: None,
            duration_ms: 1,
        }
    }

    #[test]
    fn expected_failure_inverts_verdict() {
        assert!(record(Outcome::Passed, false).verdict_passed());
        assert!(!record(Outcome::Failed, false).verdict_passed());
        assert!(record(Outcome::Failed, true).verdict_passed());
        assert!(!record(Outcome::Passed, true).verdict_passed());
        assert!(record(Outcome::Ignored, false).verdict_passed());
    }

    #[test]
    fn summary_skips_header() {
        let report = "case file: a.json\nsyntax:    module\ntarget:    reference\n\nstep:      \
                      steps[0]\nrequest:   GET /\n\nstatus\n  expected: 200\n  actual:   500\n  \
                      more\n";

        assert_eq!(
            summarize(report),
            "step:      steps[0]\nrequest:   GET /\nstatus\n  expected: 200\n  actual:   500\n  more"
        );
    }

    #[test]
    fn outcome_serializes_lowercase() {
        let json = serde_json::to_value(record(Outcome::Ignored, false)).unwrap();

        assert_eq!(json["outcome"], "ignored");
        assert_eq!(json["expected_failure"], false);
    }

    #[test]
    fn write_creates_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/run.json");
        let report = RunReport {
            target: "reference".into(),
            version: "edgecase-runtime 0.1.0".into(),
            expectations: None,
            capabilities: vec!["eviction".into()],
            trials: vec![record(Outcome::Passed, false)],
        };

        write(&path, &report).unwrap();

        let read: RunReport =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(read.trials.len(), 1);
        assert_eq!(read.target, "reference");
    }
}
