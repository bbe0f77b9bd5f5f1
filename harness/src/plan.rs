//! Turning loaded cases into libtest-mimic trials: one per case and syntax, ignored when the
//! target lacks a capability the case requires.

use std::collections::BTreeSet;
use std::sync::Arc;

use edgecase_runtime::Syntax;
use libtest_mimic::{Failed, Trial};

use crate::capability::Capability;
use crate::case::{self, Case, Requirement};
use crate::load::{BrokenCase, Loaded};
use crate::run::Runner;

/// The trials of a run, and why some of them are ignored.
pub struct Plan {
    /// One trial per case and syntax, in case order, module first.
    pub trials: Vec<Trial>,
    /// The trials flagged as ignored, with the capabilities the target lacks.
    pub ignored: Vec<IgnoredTrial>,
}

/// A trial that is ignored because the target lacks capabilities the case requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoredTrial {
    /// The trial name.
    pub name: String,
    /// The requirements the target does not meet.
    pub missing: Vec<Requirement>,
}

impl IgnoredTrial {
    /// Returns the note printed for this trial, such as ``ignored basics/evict::module: target
    /// `exec:reference` lacks `eviction` (needed by an `evict` step); ...``.
    pub fn note(&self, target: &str) -> String {
        let missing: Vec<String> = self
            .missing
            .iter()
            .map(|need| format!("`{}` (needed by {})", need.capability, need.source))
            .collect();
        format!(
            "ignored {}: target `{target}` lacks {}; pass --ignored or --include-ignored to run \
             it anyway",
            self.name,
            missing.join(" and ")
        )
    }
}

/// Builds the trials of a run.
///
/// Without a runner, as for `--list`, the trials are only names: running one fails.
pub fn plan(
    loaded: Vec<Loaded>,
    capabilities: &BTreeSet<Capability>,
    runner: Option<Arc<Runner>>,
) -> Plan {
    let mut trials = Vec::new();
    let mut ignored = Vec::new();

    for item in loaded {
        match item {
            Loaded::Case(case) => {
                let case: Arc<Case> = Arc::from(case);
                let missing = missing_requirements(&case, capabilities);
                for syntax in case.syntaxes() {
                    let name = case::trial_name(&case.id, syntax);
                    if !missing.is_empty() {
                        ignored.push(IgnoredTrial {
                            name: name.clone(),
                            missing: missing.clone(),
                        });
                    }
                    let trial = case_trial(name, case.clone(), syntax, runner.clone());
                    trials.push(trial.with_ignored_flag(!missing.is_empty()));
                }
            }
            Loaded::Broken(broken) => trials.extend(broken_trials(broken)),
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

fn case_trial(name: String, case: Arc<Case>, syntax: Syntax, runner: Option<Arc<Runner>>) -> Trial {
    let kind = case.area().unwrap_or_default().to_string();
    Trial::test(name, move || match runner {
        Some(runner) => runner
            .run(&case, syntax)
            .map_err(|failure| Failed::from(failure.to_string())),
        None => Err("no target was opened for this run".into()),
    })
    .with_kind(kind)
}

/// Returns the trials of a file that failed to load: one per syntax it names, or one named by
/// the id alone when even that is unknown. Each fails with the load error.
fn broken_trials(broken: BrokenCase) -> Vec<Trial> {
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
            Trial::test(name, move || Err(message.into())).with_kind(kind.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::error::Error;
    use crate::load;

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
