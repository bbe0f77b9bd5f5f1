//! Settings read from the environment: which target, which cases, how long a step may take.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;
use crate::run::RunOptions;
use crate::target::TargetSpec;
use crate::workspace;

/// Everything the conformance runner takes from the environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// `EDGECASE_TARGET` and, for URL targets, `EDGECASE_CAPABILITIES`.
    pub target: TargetSpec,
    /// `EDGECASE_CASES`: directories separated by `:` (`;` on Windows), resolved against the
    /// workspace root, or `conformance/cases` when unset.
    pub case_dirs: Vec<PathBuf>,
    /// `EDGECASE_STEP_TIMEOUT_MS`, 30,000 ms when unset, the target's snapshot directory, and
    /// its transcript directory when `EDGECASE_TRANSCRIPTS` is `1` or `true`.
    pub options: RunOptions,
    /// Whether the case directories are the shipped `conformance/cases` alone, so that the
    /// expectations file describes every trial.
    pub default_cases: bool,
    /// `EDGECASE_EXPECTATIONS`: the expected-failure table to enforce, resolved against the
    /// workspace root, or the target's own `conformance/expectations/<name>.json` when unset.
    pub expectations: Option<PathBuf>,
    /// `EDGECASE_REPORT`: where to write the JSON report of the run.
    pub report: Option<PathBuf>,
}

impl Config {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Config, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`, which returns a variable's value if it is set.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let target = TargetSpec::parse(
            lookup("EDGECASE_TARGET").as_deref(),
            lookup("EDGECASE_CAPABILITIES").as_deref(),
        )?;

        let case_dirs: Vec<PathBuf> =
            match lookup("EDGECASE_CASES").filter(|dirs| !dirs.trim().is_empty()) {
                Some(dirs) => std::env::split_paths(&dirs)
                    .filter(|dir| !dir.as_os_str().is_empty())
                    .map(workspace::resolve)
                    .collect(),
                None => vec![workspace::default_cases_dir()],
            };
        let default_cases = case_dirs == [workspace::default_cases_dir()];

        let expectations = match lookup("EDGECASE_EXPECTATIONS").filter(|path| !path.is_empty()) {
            Some(path) => Some(workspace::resolve(path)),
            None => target
                .expectations_name()
                .map(crate::expectations::Expectations::path_for),
        };
        let report = lookup("EDGECASE_REPORT")
            .filter(|path| !path.is_empty())
            .map(workspace::resolve);

        let mut options = RunOptions {
            snapshot_dir: workspace::snapshots_dir().join(target.snapshot_name()),
            ..RunOptions::default()
        };
        if let Some(value) = lookup("EDGECASE_TRANSCRIPTS") {
            let enabled = match value.trim() {
                "1" | "true" => true,
                "" | "0" | "false" => false,
                _ => {
                    return Err(Error::InvalidSetting {
                        name: "EDGECASE_TRANSCRIPTS",
                        value,
                        reason: "expected `1` or `true` to write transcripts, or `0` or `false`"
                            .into(),
                    });
                }
            };
            if enabled {
                options.transcript_dir = Some(
                    workspace::output_dir()
                        .join("transcripts")
                        .join(target.file_name()),
                );
            }
        }
        if let Some(value) = lookup("EDGECASE_STEP_TIMEOUT_MS") {
            let millis = value
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|millis| *millis > 0)
                .ok_or_else(|| Error::InvalidSetting {
                    name: "EDGECASE_STEP_TIMEOUT_MS",
                    value: value.clone(),
                    reason: "expected a whole number of milliseconds greater than 0, such as 30000"
                        .into(),
                })?;
            options.step_timeout = Duration::from_millis(millis);
        }

        Ok(Config {
            target,
            case_dirs,
            options,
            default_cases,
            expectations,
            report,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, Error> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_without_variables() {
        let config = config(&[]).unwrap();

        assert_eq!(config.target, TargetSpec::Reference);
        assert_eq!(config.case_dirs, [workspace::default_cases_dir()]);
        assert_eq!(config.options.step_timeout, Duration::from_secs(30));
    }

    #[test]
    fn case_dirs_split_and_resolve() {
        let config = config(&[("EDGECASE_CASES", "extra/cases:/abs/cases")]).unwrap();

        assert_eq!(
            config.case_dirs,
            [
                workspace::root().join("extra/cases"),
                PathBuf::from("/abs/cases")
            ]
        );
    }

    #[test]
    fn step_timeout_is_read() {
        let config = config(&[("EDGECASE_STEP_TIMEOUT_MS", "1500")]).unwrap();

        assert_eq!(config.options.step_timeout, Duration::from_millis(1500));
    }

    #[test]
    fn profile_has_own_expectations_and_snapshots() {
        let config = config(&[("EDGECASE_TARGET", "exec:workerd")]).unwrap();

        assert_eq!(
            config.expectations,
            Some(workspace::root().join("conformance/expectations/workerd.json"))
        );
        assert_eq!(
            config.options.snapshot_dir,
            workspace::root().join("conformance/snapshots/workerd")
        );
        assert!(config.default_cases);
    }

    #[test]
    fn reference_targets_share_snapshots() {
        let in_process = config(&[]).unwrap();
        let exec = config(&[("EDGECASE_TARGET", "exec:reference")]).unwrap();

        assert_eq!(in_process.options.snapshot_dir, exec.options.snapshot_dir);
        assert_eq!(
            exec.expectations,
            Some(workspace::root().join("conformance/expectations/reference.json"))
        );
    }

    #[test]
    fn transcripts_go_under_target_name() {
        let config = config(&[
            ("EDGECASE_TARGET", "exec:workerd"),
            ("EDGECASE_TRANSCRIPTS", "1"),
        ])
        .unwrap();

        assert_eq!(
            config.options.transcript_dir,
            Some(workspace::output_dir().join("transcripts/exec-workerd"))
        );
    }

    #[test]
    fn bad_transcripts_value_is_rejected() {
        let error = config(&[("EDGECASE_TRANSCRIPTS", "yes")]).unwrap_err();

        assert!(
            error
                .to_string()
                .starts_with("invalid EDGECASE_TRANSCRIPTS=`yes`"),
            "{error}"
        );
    }

    #[test]
    fn other_case_dirs_are_not_default() {
        let config = config(&[("EDGECASE_CASES", "extra/cases")]).unwrap();

        assert!(!config.default_cases);
    }

    #[test]
    fn zero_step_timeout_is_rejected() {
        let error = config(&[("EDGECASE_STEP_TIMEOUT_MS", "0")]).unwrap_err();

        assert_eq!(
            error.to_string(),
            "invalid EDGECASE_STEP_TIMEOUT_MS=`0`: expected a whole number of milliseconds \
             greater than 0, such as 30000"
        );
    }
}
