//! Capabilities: what a case requires of a target and what each target provides.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use serde::de::{self, Deserializer};

/// A behavior that some targets have and others lack.
///
/// A case lists the capabilities it depends on in `requires`, and a trial whose target lacks one
/// is ignored unless libtest's `--ignored` or `--include-ignored` is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    /// Every request of a trial reaches the same isolate, so global state persists between them.
    SingleInstance,
    /// The worker can run several isolates at once, set by `worker.instances` and `routing`.
    MultiInstance,
    /// The harness can drop the worker's isolates between steps with an `evict` step.
    Eviction,
    /// Requests that the worker passes through, as after `passThroughOnException()`, reach an
    /// origin server that the target runs.
    Origin,
    /// The target enforces `worker.limits.cpu_ms` and `startup_cpu_ms`.
    CpuLimit,
    /// The target enforces `worker.limits.memory_mb`.
    MemoryLimit,
}

impl Capability {
    /// Every capability, in the order the case format documents them.
    pub const ALL: [Capability; 6] = [
        Capability::SingleInstance,
        Capability::MultiInstance,
        Capability::Eviction,
        Capability::Origin,
        Capability::CpuLimit,
        Capability::MemoryLimit,
    ];

    /// Returns the name used in case files and in `EDGECASE_CAPABILITIES`.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::SingleInstance => "single-instance",
            Capability::MultiInstance => "multi-instance",
            Capability::Eviction => "eviction",
            Capability::Origin => "origin",
            Capability::CpuLimit => "cpu-limit",
            Capability::MemoryLimit => "memory-limit",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Capability {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Capability::ALL
            .into_iter()
            .find(|capability| capability.as_str() == name)
            .ok_or_else(|| {
                let known: Vec<String> = Capability::ALL
                    .iter()
                    .map(|capability| format!("`{capability}`"))
                    .collect();
                format!(
                    "unknown capability `{name}`, expected one of {}",
                    known.join(", ")
                )
            })
    }
}

impl<'de> Deserialize<'de> for Capability {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(de::Error::custom)
    }
}

/// Parses a comma-separated list such as `single-instance,eviction`. Blanks around names and
/// empty entries are skipped.
pub fn parse_list(list: &str) -> Result<BTreeSet<Capability>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(Capability::from_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for capability in Capability::ALL {
            assert_eq!(capability.as_str().parse(), Ok(capability));
        }
    }

    #[test]
    fn unknown_name_lists_known_ones() {
        let error = "multi-isolate".parse::<Capability>().unwrap_err();

        assert_eq!(
            error,
            "unknown capability `multi-isolate`, expected one of `single-instance`, \
             `multi-instance`, `eviction`, `origin`, `cpu-limit`, `memory-limit`"
        );
    }

    #[test]
    fn list_skips_blanks() {
        let parsed = parse_list(" eviction, ,single-instance,").unwrap();

        assert_eq!(
            parsed,
            BTreeSet::from([Capability::SingleInstance, Capability::Eviction])
        );
    }

    #[test]
    fn list_rejects_unknown_name() {
        let error = parse_list("eviction,teleport").unwrap_err();

        assert!(
            error.starts_with("unknown capability `teleport`"),
            "{error}"
        );
    }
}
