//! Expected failures: one table per target, `conformance/expectations/<target>.json`, that lists
//! each trial known to fail on that runtime with the reason.
//!
//! The table is strict. A listed trial that passes fails the run, and so does an entry that names
//! no trial of the suite or a trial that the target ignores, so the table never goes stale.
//!
//! ```json
//! {
//!   "expected_failures": {
//!     "model/time/frozen-during-execution": "standalone workerd reads the real clock",
//!     "model/module/handler-arguments::module": "no env or ctx arguments"
//!   }
//! }
//! ```
//!
//! A key is a trial name, `<case id>::<syntax>`, or a case id, which covers every syntax of the
//! case. Each reason is one line that names the real difference.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use edgecase_runtime::Syntax;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use crate::case;
use crate::error::Error;
use crate::workspace;

/// The expected failures of one target.
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    /// The file the table was read from, as messages show it.
    pub file: PathBuf,
    /// Reasons by key: a trial name or a case id.
    pub expected_failures: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(rename = "$schema", default)]
    #[allow(dead_code, reason = "read only so that the field is allowed")]
    schema: Option<String>,
    #[serde(deserialize_with = "entries")]
    expected_failures: BTreeMap<String, Reason>,
}

/// A reason: one line of text that is not blank.
struct Reason(String);

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.trim().is_empty() {
            return Err(de::Error::custom(
                "the reason must not be empty: name the difference, such as \"no env or ctx \
                 arguments\"",
            ));
        }
        if text.contains('\n') {
            return Err(de::Error::custom("the reason must be one line"));
        }
        Ok(Reason(text))
    }
}

/// Reads the entries and checks each key, so that the error's path names the bad key.
fn entries<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, Reason>, D::Error> {
    let entries = BTreeMap::<String, Reason>::deserialize(deserializer)?;
    for key in entries.keys() {
        check_key(key).map_err(de::Error::custom)?;
    }
    Ok(entries)
}

fn check_key(key: &str) -> Result<(), String> {
    let (id, syntax) = match key.split_once("::") {
        Some((id, syntax)) => (id, Some(syntax)),
        None => (key, None),
    };
    if id.is_empty() || id.starts_with('/') || id.ends_with('/') || id.contains(' ') {
        return Err(format!(
            "invalid key `{key}`: a key is a case id such as `basics/hello` or a trial name such \
             as `basics/hello::module`"
        ));
    }
    if let Some(syntax) = syntax {
        if syntax != Syntax::Module.as_str() && syntax != Syntax::ServiceWorker.as_str() {
            return Err(format!(
                "invalid key `{key}`: the syntax after `::` must be `module` or `service-worker`"
            ));
        }
    }
    Ok(())
}

/// A planned trial, as input to the stale-entry check.
#[derive(Clone, Debug)]
pub struct PlannedTrial<'a> {
    /// The case id.
    pub id: &'a str,
    /// The syntax.
    pub syntax: Syntax,
    /// The reason the target ignores the trial, or `None` when it runs it.
    pub ignored: Option<String>,
}

/// An entry that no longer matches what the suite runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleEntry {
    /// The key of the entry.
    pub key: String,
    /// The problem with the entry, and the fix.
    pub problem: String,
}

impl fmt::Display for StaleEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.key, self.problem)
    }
}

impl Expectations {
    /// Returns the path of a target's table: `conformance/expectations/<name>.json`.
    pub fn path_for(name: &str) -> PathBuf {
        workspace::expectations_dir().join(format!("{name}.json"))
    }

    /// Reads a table. A file that does not exist is an empty table.
    pub fn load(path: &Path) -> Result<Expectations, Error> {
        let file = workspace::display_path(path);
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Expectations {
                    file,
                    expected_failures: BTreeMap::new(),
                });
            }
            Err(source) => {
                return Err(Error::ReadExpectations { file, source });
            }
        };
        Self::parse(&file, &text)
    }

    /// Parses the text of a table. `file` is the path that errors name.
    pub fn parse(file: &Path, text: &str) -> Result<Expectations, Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let document: Document =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
                let path = error.path().to_string();
                let inner = error.into_inner();
                let message = inner.to_string();
                let position = format!(" at line {} column {}", inner.line(), inner.column());
                Error::InvalidExpectations {
                    file: file.to_path_buf(),
                    path: if path == "." { String::new() } else { path },
                    message: message
                        .strip_suffix(&position)
                        .unwrap_or(&message)
                        .to_string(),
                }
            })?;
        deserializer
            .end()
            .map_err(|error| Error::InvalidExpectations {
                file: file.to_path_buf(),
                path: String::new(),
                message: error.to_string(),
            })?;
        Ok(Expectations {
            file: file.to_path_buf(),
            expected_failures: document
                .expected_failures
                .into_iter()
                .map(|(key, Reason(reason))| (key, reason))
                .collect(),
        })
    }

    /// Returns the reason a trial is expected to fail, from its own entry or its case's.
    pub fn reason(&self, id: &str, syntax: Syntax) -> Option<&str> {
        self.expected_failures
            .get(&case::trial_name(id, syntax))
            .or_else(|| self.expected_failures.get(id))
            .map(String::as_str)
    }

    /// Returns the entries that match no trial of `trials`, or only trials the target ignores.
    pub fn stale_entries(&self, trials: &[PlannedTrial<'_>]) -> Vec<StaleEntry> {
        let mut stale = Vec::new();
        for key in self.expected_failures.keys() {
            let matching: Vec<&PlannedTrial<'_>> = trials
                .iter()
                .filter(|trial| trial.id == key || case::trial_name(trial.id, trial.syntax) == *key)
                .collect();
            if matching.is_empty() {
                stale.push(StaleEntry {
                    key: key.clone(),
                    problem: format!(
                        "no trial of the suite has this name, so the case was renamed or \
                         removed: rename or remove the entry in {}",
                        self.file.display()
                    ),
                });
                continue;
            }
            if let Some(reason) = matching
                .iter()
                .find_map(|trial| trial.ignored.as_deref())
                .filter(|_| matching.iter().all(|trial| trial.ignored.is_some()))
            {
                stale.push(StaleEntry {
                    key: key.clone(),
                    problem: format!(
                        "the target ignores this trial ({reason}), so it cannot fail: remove \
                         the entry from {}",
                        self.file.display()
                    ),
                });
            }
        }
        stale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Expectations, String> {
        Expectations::parse(Path::new("conformance/expectations/workerd.json"), text)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn empty_table_parses() {
        let table = parse(r#"{"expected_failures": {}}"#).unwrap();

        assert!(table.expected_failures.is_empty());
    }

    #[test]
    fn case_key_covers_every_syntax() {
        let table = parse(r#"{"expected_failures": {"model/time/frozen": "real clock"}}"#).unwrap();

        assert_eq!(
            table.reason("model/time/frozen", Syntax::Module),
            Some("real clock")
        );
        assert_eq!(
            table.reason("model/time/frozen", Syntax::ServiceWorker),
            Some("real clock")
        );
        assert_eq!(table.reason("model/time/other", Syntax::Module), None);
    }

    #[test]
    fn trial_key_covers_one_syntax() {
        let table = parse(r#"{"expected_failures": {"basics/hello::module": "no env"}}"#).unwrap();

        assert_eq!(table.reason("basics/hello", Syntax::Module), Some("no env"));
        assert_eq!(table.reason("basics/hello", Syntax::ServiceWorker), None);
    }

    #[test]
    fn unknown_field_is_rejected() {
        let error = parse(r#"{"expected_failures": {}, "notes": 1}"#).unwrap_err();

        assert!(
            error.starts_with(
                "conformance/expectations/workerd.json: invalid expectations: at notes: unknown \
                 field `notes`, expected `$schema` or `expected_failures`"
            ),
            "{error}"
        );
    }

    #[test]
    fn empty_reason_names_its_key() {
        let error = parse(r#"{"expected_failures": {"basics/hello": " "}}"#).unwrap_err();

        assert!(
            error.starts_with(
                "conformance/expectations/workerd.json: invalid expectations: at \
                 expected_failures.basics/hello: the reason must not be empty"
            ),
            "{error}"
        );
    }

    #[test]
    fn bad_syntax_in_key_is_rejected() {
        let error = parse(r#"{"expected_failures": {"basics/hello::sw": "x"}}"#).unwrap_err();

        assert!(
            error.contains("the syntax after `::` must be `module` or `service-worker`"),
            "{error}"
        );
    }

    #[test]
    fn missing_table_is_empty() {
        let dir = tempfile::tempdir().unwrap();

        let table = Expectations::load(&dir.path().join("none.json")).unwrap();

        assert!(table.expected_failures.is_empty());
    }

    #[test]
    fn renamed_case_is_stale() {
        let table = parse(r#"{"expected_failures": {"basics/old": "x"}}"#).unwrap();
        let trials = [PlannedTrial {
            id: "basics/new",
            syntax: Syntax::Module,
            ignored: None,
        }];

        let stale = table.stale_entries(&trials);

        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].key, "basics/old");
        assert!(
            stale[0]
                .problem
                .starts_with("no trial of the suite has this name")
        );
    }

    #[test]
    fn ignored_trial_is_stale() {
        let table = parse(r#"{"expected_failures": {"limits/cpu::module": "x"}}"#).unwrap();
        let trials = [PlannedTrial {
            id: "limits/cpu",
            syntax: Syntax::Module,
            ignored: Some("lacks `cpu-limit`".into()),
        }];

        let stale = table.stale_entries(&trials);

        assert_eq!(stale.len(), 1);
        assert!(
            stale[0]
                .problem
                .starts_with("the target ignores this trial (lacks `cpu-limit`)"),
            "{}",
            stale[0].problem
        );
    }

    #[test]
    fn running_trial_is_not_stale() {
        let table = parse(r#"{"expected_failures": {"basics/hello": "x"}}"#).unwrap();
        let trials = [
            PlannedTrial {
                id: "basics/hello",
                syntax: Syntax::Module,
                ignored: None,
            },
            PlannedTrial {
                id: "basics/hello",
                syntax: Syntax::ServiceWorker,
                ignored: Some("unsupported".into()),
            },
        ];

        assert!(table.stale_entries(&trials).is_empty());
    }
}
