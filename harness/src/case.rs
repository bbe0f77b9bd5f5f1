//! A loaded case: the worker to start and the steps to run against it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use edgecase_runtime::{Limits, Routing, Syntax};
use serde::Deserialize;

use crate::capability::Capability;
use crate::step::{Action, Step};

/// One case file, with its scripts read and every value checked.
#[derive(Clone, Debug)]
pub struct Case {
    /// Path of the file relative to its cases directory, without `.json`, such as
    /// `basics/hello`.
    pub id: String,
    /// The case file, relative to the workspace root when it lies inside it.
    pub file: PathBuf,
    /// One-line summary.
    pub title: String,
    /// Explanation of the behavior under test and of why Workers behaves that way, or empty.
    pub description: String,
    /// Free-form labels.
    pub tags: Vec<String>,
    /// Capabilities listed in `requires`, in file order.
    pub requires: Vec<Capability>,
    /// The worker to start for each trial.
    pub worker: Worker,
    /// The steps, in order. The loader rejects a case without steps.
    pub steps: Vec<Step>,
}

/// The worker of a case.
#[derive(Clone, Debug, Default)]
pub struct Worker {
    /// Source of the module-syntax script, if the case has one.
    pub module: Option<String>,
    /// Source of the service-worker-syntax script, if the case has one.
    pub service_worker: Option<String>,
    /// Text bindings: `env.NAME` in a module, the global `NAME` in a service worker.
    pub bindings: BTreeMap<String, String>,
    /// Limits that differ from the target's defaults.
    pub limits: LimitOverrides,
    /// Number of isolates that serve the worker at once, or `None` for the target's default.
    pub instances: Option<usize>,
    /// Routing policy among the instances, or `None` for the target's default.
    pub routing: Option<Routing>,
}

/// Per-worker limits that a case sets. A field left out keeps the target's default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    /// CPU time one request may use, in milliseconds.
    #[serde(default, deserialize_with = "crate::de::positive")]
    pub cpu_ms: Option<u64>,
    /// Heap size of one isolate, in MiB.
    #[serde(default, deserialize_with = "crate::de::positive")]
    pub memory_mb: Option<u64>,
    /// CPU time the global scope may use at startup, in milliseconds.
    #[serde(default, deserialize_with = "crate::de::positive")]
    pub startup_cpu_ms: Option<u64>,
    /// Outbound `fetch()` calls one request may make.
    #[serde(default, deserialize_with = "crate::de::some")]
    pub subrequests: Option<u32>,
}

impl LimitOverrides {
    /// Returns true when the case sets no limit.
    pub fn is_empty(&self) -> bool {
        *self == LimitOverrides::default()
    }

    /// Returns `defaults` with the fields that the case sets replaced.
    pub fn apply(&self, defaults: Limits) -> Limits {
        Limits {
            cpu_ms: self.cpu_ms.unwrap_or(defaults.cpu_ms),
            memory_mb: self.memory_mb.unwrap_or(defaults.memory_mb),
            startup_cpu_ms: self.startup_cpu_ms.unwrap_or(defaults.startup_cpu_ms),
            subrequests: self.subrequests.unwrap_or(defaults.subrequests),
        }
    }
}

/// A capability that a case needs, and where the need comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Requirement {
    /// The capability.
    pub capability: Capability,
    /// The part of the case that needs it, such as `requires` or `an evict step`.
    pub source: &'static str,
}

impl Case {
    /// Returns the area of the case: the first directory of its id, such as `basics`.
    ///
    /// A case directly in a cases directory has no area.
    pub fn area(&self) -> Option<&str> {
        area_of(&self.id)
    }

    /// Returns the syntaxes the case has a script for, module first.
    pub fn syntaxes(&self) -> Vec<Syntax> {
        let mut syntaxes = Vec::new();
        if self.worker.module.is_some() {
            syntaxes.push(Syntax::Module);
        }
        if self.worker.service_worker.is_some() {
            syntaxes.push(Syntax::ServiceWorker);
        }
        syntaxes
    }

    /// Returns the script source for one syntax.
    pub fn script(&self, syntax: Syntax) -> Option<&str> {
        match syntax {
            Syntax::Module => self.worker.module.as_deref(),
            Syntax::ServiceWorker => self.worker.service_worker.as_deref(),
        }
    }

    /// Returns the capabilities the case needs: those in `requires`, plus those its worker
    /// and steps imply.
    ///
    /// An `evict` step implies `eviction`, more than one instance implies `multi-instance`, and
    /// CPU or memory limits imply `cpu-limit` or `memory-limit`. A capability is listed once,
    /// with its first source.
    pub fn requirements(&self) -> Vec<Requirement> {
        let mut found: Vec<Requirement> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut add = |capability: Capability, source: &'static str| {
            if seen.insert(capability) {
                found.push(Requirement { capability, source });
            }
        };

        for capability in &self.requires {
            add(*capability, "`requires`");
        }
        if self
            .steps
            .iter()
            .any(|step| matches!(step.action, Action::Evict))
        {
            add(Capability::Eviction, "an `evict` step");
        }
        if self.worker.instances.is_some_and(|count| count > 1) {
            add(Capability::MultiInstance, "`worker.instances`");
        }
        if self.worker.limits.cpu_ms.is_some() {
            add(Capability::CpuLimit, "`worker.limits.cpu_ms`");
        }
        if self.worker.limits.startup_cpu_ms.is_some() {
            add(Capability::CpuLimit, "`worker.limits.startup_cpu_ms`");
        }
        if self.worker.limits.memory_mb.is_some() {
            add(Capability::MemoryLimit, "`worker.limits.memory_mb`");
        }
        found
    }
}

/// Returns the area of a case id: its first directory, if it has one.
pub fn area_of(id: &str) -> Option<&str> {
    id.split_once('/').map(|(area, _)| area)
}

/// Returns the trial name of a case run in one syntax, such as `basics/hello::module`.
pub fn trial_name(id: &str, syntax: Syntax) -> String {
    format!("{id}::{syntax}")
}
