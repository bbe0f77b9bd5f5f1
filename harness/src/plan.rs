//! Turning loaded cases into libtest-mimic trials: one per case and syntax, ignored when the
//! target lacks a capability the case requires or cannot run the syntax, and judged against the
//! target's expected failures.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use edgecase_runtime::Syntax;
use libtest_mimic::{Failed, Trial};

use crate::capability::Capability;
use crate::case::{self, Case, Requirement};
use crate::expectations::{Expectations, PlannedTrial};
use crate::load::{BrokenCase, Loaded};
use crate::record::{self, Outcome, Recorder, TrialRecord};
use crate::run::Runner;
use crate::transcript;
use crate::workspace;

/// The trials of a run, and why some of them are ignored.
pub struct Plan {
    /// One trial per case and syntax, in case order, module first, then one failing trial per
    /// stale expectation.
    pub trials: Vec<Trial>,
    /// The trials flagged as ignored, with the capabilities the target lacks.
    pub ignored: Vec<IgnoredTrial>,
}

/// A trial that is ignored because the target lacks capabilities the case requires, or cannot
/// run the trial's syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoredTrial {
    /// The trial name.
    pub name: String,
    /// The requirements the target does not meet.
    pub missing: Vec<Requirement>,
    /// The reason the target cannot run the trial's syntax, if it cannot.
    pub unsupported_syntax: Option<String>,
}

impl IgnoredTrial {
    /// Returns the note printed for this trial, such as ``ignored basics/evict::module: target
    /// `exec:reference` lacks `eviction` (needed by an `evict` step); ...``.
    pub fn note(&self, target: &str) -> String {
        format!(
            "ignored {}: {}; pass --ignored or --include-ignored to run it anyway",
            self.name,
            self.reason(target)
        )
    }

    /// Returns why the trial is ignored, such as ``target `exec:workerd` lacks `cpu-limit`
    /// (needed by `requires`)``.
    pub fn reason(&self, target: &str) -> String {
        let mut reasons = Vec::new();
        if let Some(syntax) = &self.unsupported_syntax {
            reasons.push(format!(
                "target `{target}` cannot run this syntax: {syntax}"
            ));
        }
        if !self.missing.is_empty() {
            let missing: Vec<String> = self
                .missing
                .iter()
                .map(|need| format!("`{}` (needed by {})", need.capability, need.source))
                .collect();
            reasons.push(format!("target `{target}` lacks {}", missing.join(" and ")));
        }
        reasons.join("; ")
    }
}

/// What decides how each trial is planned and judged.
#[derive(Default)]
pub struct Rules {
    /// The target's name, as notes and messages show it.
    pub target: String,
    /// The target's capabilities.
    pub capabilities: BTreeSet<Capability>,
    /// Syntaxes the target cannot run, with the reason.
    pub unsupported_syntaxes: Vec<(Syntax, String)>,
    /// The target's expected failures, if it has a table.
    pub expectations: Option<Expectations>,
    /// Whether entries that match no trial fail the run. Off when the run loads other case
    /// directories than the shipped ones, whose trials the table does not describe.
    pub check_stale: bool,
    /// The collector of trial records, for the JSON report.
    pub recorder: Option<Arc<Recorder>>,
    /// The target's transcript directory, for the records' transcript paths.
    pub transcript_dir: Option<PathBuf>,
}

/// Builds the trials of a run from the target's capabilities alone.
///
/// Without a runner, as for `--list`, the trials are only names: running one fails.
pub fn plan(
    loaded: Vec<Loaded>,
    capabilities: &BTreeSet<Capability>,
    runner: Option<Arc<Runner>>,
) -> Plan {
    let rules = Rules {
        capabilities: capabilities.clone(),
        ..Rules::default()
    };
    plan_with(loaded, &rules, runner)
}

/// Builds the trials of a run under `rules`.
pub fn plan_with(loaded: Vec<Loaded>, rules: &Rules, runner: Option<Arc<Runner>>) -> Plan {
    let mut trials = Vec::new();
    let mut ignored = Vec::new();
    let mut planned: Vec<(String, Syntax, Option<String>)> = Vec::new();

    for item in loaded {
        match item {
            Loaded::Case(case) => {
                let case: Arc<Case> = Arc::from(case);
                let missing = missing_requirements(&case, &rules.capabilities);
                for syntax in case.syntaxes() {
                    let name = case::trial_name(&case.id, syntax);
                    let unsupported_syntax = rules
                        .unsupported_syntaxes
                        .iter()
                        .find(|(unsupported, _)| *unsupported == syntax)
                        .map(|(_, reason)| reason.clone());
                    let is_ignored = !missing.is_empty() || unsupported_syntax.is_some();
                    let ignore_reason = is_ignored.then(|| {
                        let entry = IgnoredTrial {
                            name: name.clone(),
                            missing: missing.clone(),
                            unsupported_syntax,
                        };
                        let reason = entry.reason(&rules.target);
                        ignored.push(entry);
                        reason
                    });
                    planned.push((case.id.clone(), syntax, ignore_reason));

                    let judge = Judge::new(rules, &case, syntax);
                    let trial = case_trial(name, case.clone(), syntax, runner.clone(), judge);
                    trials.push(trial.with_ignored_flag(is_ignored));
                }
            }
            Loaded::Broken(broken) => {
                for syntax in &broken.syntaxes {
                    planned.push((broken.id.clone(), *syntax, None));
                }
                trials.extend(broken_trials(broken, rules.recorder.clone()));
            }
        }
    }

    if let Some(expectations) = rules.expectations.as_ref().filter(|_| rules.check_stale) {
        let view: Vec<PlannedTrial<'_>> = planned
            .iter()
            .map(|(id, syntax, ignored)| PlannedTrial {
                id,
                syntax: *syntax,
                ignored: ignored.clone(),
            })
            .collect();
        for stale in expectations.stale_entries(&view) {
            let file = workspace::display_path(&expectations.file);
            let name = format!("{}::{}", file.display(), stale.key);
            let message = format!("{}: stale entry {stale}", file.display());
            let recorder = rules.recorder.clone();
            trials.push(
                Trial::test(name.clone(), move || {
                    if let Some(recorder) = recorder {
                        recorder.push(failed_record(&name, &stale.key, "expectations", &message));
                    }
                    Err(message.into())
                })
                .with_kind("expectations"),
            );
        }
    }

    Plan { trials, ignored }
}

/// Returns the requirements of a case that the capabilities do not meet.
pub fn missing_requirements(case: &Case, capabilities: &BTreeSet<Capability>) -> Vec<Requirement> {
    case.requirements()
        .into_iter()
        .filter(|need| !capabilities.contains(&need.capability))
        .collect()
}

/// The data a trial needs to turn its result into a verdict and a record.
struct Judge {
    expected_failure: Option<String>,
    expectations_file: Option<PathBuf>,
    recorder: Option<Arc<Recorder>>,
    transcript: Option<PathBuf>,
}

impl Judge {
    fn new(rules: &Rules, case: &Case, syntax: Syntax) -> Judge {
        let expectations = rules.expectations.as_ref();
        Judge {
            expected_failure: expectations
                .and_then(|table| table.reason(&case.id, syntax))
                .map(str::to_string),
            expectations_file: expectations.map(|table| table.file.clone()),
            recorder: rules.recorder.clone(),
            transcript: rules
                .transcript_dir
                .as_ref()
                .map(|dir| transcript::path_for(dir, &case.id, syntax)),
        }
    }

    /// Records the result and returns the verdict: an expected failure passes, and a trial that
    /// is expected to fail but passes fails with a message to remove its entry.
    fn judge(
        &self,
        name: &str,
        case: &Case,
        syntax: Syntax,
        result: Result<(), String>,
        started: Instant,
    ) -> Result<(), Failed> {
        let (outcome, report) = match &result {
            Ok(()) => (Outcome::Passed, None),
            Err(report) => (Outcome::Failed, Some(report.clone())),
        };
        if let Some(recorder) = &self.recorder {
            recorder.push(TrialRecord {
                name: name.to_string(),
                id: case.id.clone(),
                syntax: syntax.as_str().to_string(),
                area: case.area().unwrap_or_default().to_string(),
                title: case.title.clone(),
                outcome,
                expected_failure: self.expected_failure.is_some(),
                expected_failure_reason: self.expected_failure.clone(),
                ignore_reason: None,
                failure_summary: report.as_deref().map(record::summarize),
                failure: report.clone(),
                transcript: self
                    .transcript
                    .as_ref()
                    .map(|path| workspace::display_path(path).display().to_string()),
                duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            });
        }

        match (result, &self.expected_failure) {
            (Ok(()), None) | (Err(_), Some(_)) => Ok(()),
            (Err(report), None) => Err(report.into()),
            (Ok(()), Some(reason)) => {
                let file = self
                    .expectations_file
                    .as_deref()
                    .map(workspace::display_path)
                    .unwrap_or_default();
                Err(format!(
                    "{name} passed, but {} lists it as expected to fail ({reason}): remove the \
                     entry, because the difference is gone",
                    file.display()
                )
                .into())
            }
        }
    }
}

fn case_trial(
    name: String,
    case: Arc<Case>,
    syntax: Syntax,
    runner: Option<Arc<Runner>>,
    judge: Judge,
) -> Trial {
    let kind = case.area().unwrap_or_default().to_string();
    Trial::test(name.clone(), move || match runner {
        Some(runner) => {
            let started = Instant::now();
            let result = runner
                .run(&case, syntax)
                .map_err(|failure| failure.to_string());
            judge.judge(&name, &case, syntax, result, started)
        }
        None => Err("no target was opened for this run".into()),
    })
    .with_kind(kind)
}

/// Returns the trials of a file that failed to load: one per syntax it names, or one named by
/// the id alone when even that is unknown. Each fails with the load error.
fn broken_trials(broken: BrokenCase, recorder: Option<Arc<Recorder>>) -> Vec<Trial> {
    let message = broken.error.to_string();
    let kind = case::area_of(&broken.id).unwrap_or_default().to_string();
    let names: Vec<String> = if broken.syntaxes.is_empty() {
        vec![broken.id.clone()]
    } else {
        broken
            .syntaxes
            .iter()
            .map(|syntax| case::trial_name(&broken.id, *syntax))
            .collect()
    };

    names
        .into_iter()
        .map(|name| {
            let message = message.clone();
            let recorder = recorder.clone();
            let id = broken.id.clone();
            let area = kind.clone();
            Trial::test(name.clone(), move || {
                if let Some(recorder) = recorder {
                    recorder.push(failed_record(&name, &id, &area, &message));
                }
                Err(message.into())
            })
            .with_kind(kind.clone())
        })
        .collect()
}

/// Returns the record of a trial that fails before any case runs: a broken file or a stale
/// expectation.
fn failed_record(name: &str, id: &str, area: &str, message: &str) -> TrialRecord {
    let syntax = name
        .rsplit_once("::")
        .map(|(_, syntax)| syntax)
        .filter(|syntax| syntax.parse::<Syntax>().is_ok())
        .unwrap_or_default();
    TrialRecord {
        name: name.to_string(),
        id: id.to_string(),
        syntax: syntax.to_string(),
        area: area.to_string(),
        title: String::new(),
        outcome: Outcome::Failed,
        expected_failure: false,
        expected_failure_reason: None,
        ignore_reason: None,
        failure_summary: Some(record::summarize(message)),
        failure: Some(message.to_string()),
        transcript: None,
        duration_ms: 0,
    }
}

/// Returns the record of an ignored trial.
pub fn ignored_record(case: &Case, syntax: Syntax, reason: String) -> TrialRecord {
    TrialRecord {
        name: case::trial_name(&case.id, syntax),
        id: case.id.clone(),
        syntax: syntax.as_str().to_string(),
        area: case.area().unwrap_or_default().to_string(),
        title: case.title.clone(),
        outcome: Outcome::Ignored,
        expected_failure: false,
        expected_failure_reason: None,
        ignore_reason: Some(reason),
        failure_summary: None,
        failure: None,
        transcript: None,
        duration_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::error::Error;
    use crate::load;

    fn failing(report: &str) -> Result<(), String> {
        Err(report.to_string())
    }

    fn sample_case() -> Case {
        let Loaded::Case(case) = evicting_case() else {
            panic!("the sample case loads");
        };
        *case
    }

    fn judge(expected: Option<&str>, recorder: Option<Arc<Recorder>>) -> Judge {
        Judge {
            expected_failure: expected.map(str::to_string),
            expectations_file: Some(PathBuf::from("conformance/expectations/workerd.json")),
            recorder,
            transcript: None,
        }
    }

    #[test]
    fn expected_failure_passes_and_is_recorded() {
        let recorder = Arc::new(Recorder::default());
        let case = sample_case();

        let verdict = judge(Some("real clock"), Some(recorder.clone())).judge(
            "state/evict::module",
            &case,
            Syntax::Module,
            failing("case file: x\nstatus\n  expected: 200"),
            Instant::now(),
        );

        assert!(verdict.is_ok());
        let records = recorder.records();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].outcome, Outcome::Failed);
        assert!(records[0].expected_failure);
        assert_eq!(
            records[0].expected_failure_reason.as_deref(),
            Some("real clock")
        );
        assert_eq!(
            records[0].failure_summary.as_deref(),
            Some("status\n  expected: 200")
        );
    }

    #[test]
    fn expected_failure_that_passes_fails() {
        let case = sample_case();

        let verdict = judge(Some("real clock"), None).judge(
            "state/evict::module",
            &case,
            Syntax::Module,
            Ok(()),
            Instant::now(),
        );

        let message = verdict
            .unwrap_err()
            .message()
            .unwrap_or_default()
            .to_string();
        assert_eq!(
            message,
            "state/evict::module passed, but conformance/expectations/workerd.json lists it as \
             expected to fail (real clock): remove the entry, because the difference is gone"
        );
    }

    #[test]
    fn unexpected_failure_keeps_report() {
        let case = sample_case();

        let verdict = judge(None, None).judge(
            "state/evict::module",
            &case,
            Syntax::Module,
            failing("the report"),
            Instant::now(),
        );

        assert_eq!(verdict.unwrap_err().message(), Some("the report"));
    }

    fn loaded(id: &str, json: &str) -> Loaded {
        let file = PathBuf::from(format!("cases/{id}.json"));
        let case = load::parse_case(id, &file, json, Path::new(".")).unwrap();
        Loaded::Case(Box::new(case))
    }

    fn evicting_case() -> Loaded {
        loaded(
            "state/evict",
            r#"{"title": "t", "worker": {"module": "m", "service-worker": "s"},
                "steps": [{"evict": true}]}"#,
        )
    }

    #[test]
    fn trial_per_syntax_with_area_kind() {
        let plan = plan(
            vec![evicting_case()],
            &BTreeSet::from([Capability::Eviction]),
            None,
        );

        let names: Vec<&str> = plan.trials.iter().map(Trial::name).collect();
        assert_eq!(
            names,
            ["state/evict::module", "state/evict::service-worker"]
        );
        assert!(plan.trials.iter().all(|trial| trial.kind() == "state"));
        assert!(plan.trials.iter().all(|trial| !trial.has_ignored_flag()));
        assert!(plan.ignored.is_empty());
    }

    #[test]
    fn missing_capability_ignores_trials() {
        let plan = plan(vec![evicting_case()], &BTreeSet::new(), None);

        assert!(plan.trials.iter().all(Trial::has_ignored_flag));
        assert_eq!(plan.ignored.len(), 2);
        assert_eq!(
            plan.ignored[0].note("exec:reference"),
            "ignored state/evict::module: target `exec:reference` lacks `eviction` (needed by an \
             `evict` step); pass --ignored or --include-ignored to run it anyway"
        );
    }

    #[test]
    fn note_lists_every_missing_capability() {
        let case = loaded(
            "limits/cpu",
            r#"{"title": "t", "requires": ["single-instance"],
                "worker": {"module": "m", "limits": {"cpu_ms": 10}}, "steps": [{"sleep_ms": 0}]}"#,
        );

        let plan = plan(vec![case], &BTreeSet::new(), None);

        assert_eq!(
            plan.ignored[0].note("reference"),
            "ignored limits/cpu::module: target `reference` lacks `single-instance` (needed by \
             `requires`) and `cpu-limit` (needed by `worker.limits.cpu_ms`); pass --ignored or \
             --include-ignored to run it anyway"
        );
    }

    #[test]
    fn unsupported_syntax_is_ignored() {
        let rules = Rules {
            target: "exec:edge-runtime".into(),
            capabilities: BTreeSet::from([Capability::Eviction]),
            unsupported_syntaxes: vec![(Syntax::Module, "modules are not served".into())],
            ..Rules::default()
        };

        let plan = plan_with(vec![evicting_case()], &rules, None);

        assert!(plan.trials[0].has_ignored_flag());
        assert!(!plan.trials[1].has_ignored_flag());
        assert_eq!(
            plan.ignored[0].note("exec:edge-runtime"),
            "ignored state/evict::module: target `exec:edge-runtime` cannot run this syntax: \
             modules are not served; pass --ignored or --include-ignored to run it anyway"
        );
    }

    #[test]
    fn stale_expectation_becomes_failing_trial() {
        let expectations = Expectations::parse(
            Path::new("conformance/expectations/workerd.json"),
            r#"{"expected_failures": {"state/renamed": "old reason"}}"#,
        )
        .unwrap();
        let rules = Rules {
            capabilities: BTreeSet::from([Capability::Eviction]),
            expectations: Some(expectations),
            check_stale: true,
            ..Rules::default()
        };

        let plan = plan_with(vec![evicting_case()], &rules, None);

        let names: Vec<&str> = plan.trials.iter().map(Trial::name).collect();
        assert_eq!(
            names,
            [
                "state/evict::module",
                "state/evict::service-worker",
                "conformance/expectations/workerd.json::state/renamed"
            ]
        );
        assert_eq!(plan.trials[2].kind(), "expectations");
    }

    #[test]
    fn stale_check_can_be_off() {
        let expectations = Expectations::parse(
            Path::new("x.json"),
            r#"{"expected_failures": {"state/renamed": "old reason"}}"#,
        )
        .unwrap();
        let rules = Rules {
            expectations: Some(expectations),
            check_stale: false,
            ..Rules::default()
        };

        let plan = plan_with(vec![evicting_case()], &rules, None);

        assert_eq!(plan.trials.len(), 2);
    }

    #[test]
    fn broken_case_without_syntaxes_keeps_id() {
        let broken = Loaded::Broken(BrokenCase {
            id: "top".into(),
            file: PathBuf::from("cases/top.json"),
            syntaxes: Vec::new(),
            error: Error::Syntax {
                file: PathBuf::from("cases/top.json"),
                message: "EOF while parsing a value at line 1 column 0".into(),
            },
        });

        let plan = plan(vec![broken], &BTreeSet::new(), None);

        assert_eq!(plan.trials.len(), 1);
        assert_eq!(plan.trials[0].name(), "top");
        assert_eq!(plan.trials[0].kind(), "");
        assert!(!plan.trials[0].has_ignored_flag());
    }
}
