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
    /// `EDGECASE_STEP_TIMEOUT_MS`, 30,000 ms when unset.
    pub options: RunOptions,
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

        let case_dirs = match lookup("EDGECASE_CASES").filter(|dirs| !dirs.trim().is_empty()) {
            Some(dirs) => std::env::split_paths(&dirs)
                .filter(|dir| !dir.as_os_str().is_empty())
                .map(workspace::resolve)
                .collect(),
            None => vec![workspace::default_cases_dir()],
        };

        let mut options = RunOptions::default();
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
    fn zero_step_timeout_is_rejected() {
        let error = config(&[("EDGECASE_STEP_TIMEOUT_MS", "0")]).unwrap_err();

        assert_eq!(
            error.to_string(),
            "invalid EDGECASE_STEP_TIMEOUT_MS=`0`: expected a whole number of milliseconds \
             greater than 0, such as 30000"
        );
    }
}
