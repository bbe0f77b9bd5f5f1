//! Per-worker counters that the harness and the benchmarks read.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

use serde::Serialize;

/// Why an isolate was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvictionReason {
    /// The embedder called [`crate::Runtime::evict`].
    Explicit,
    /// A request ran past its CPU limit.
    CpuLimit,
    /// The isolate's heap reached its memory limit.
    MemoryLimit,
    /// The process-wide memory budget was exceeded and this isolate was least recently used.
    MemoryPressure,
    /// The isolate served no request for the idle timeout.
    IdleTimeout,
    /// The isolate overran its limits again and again.
    Suspicious,
}

impl fmt::Display for EvictionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            EvictionReason::Explicit => "explicit",
            EvictionReason::CpuLimit => "cpu-limit",
            EvictionReason::MemoryLimit => "memory-limit",
            EvictionReason::MemoryPressure => "memory-pressure",
            EvictionReason::IdleTimeout => "idle-timeout",
            EvictionReason::Suspicious => "suspicious",
        };
        f.write_str(name)
    }
}

/// A snapshot of one worker's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WorkerStats {
    /// Isolates started for this worker, over its lifetime.
    pub isolates_started: u64,
    /// Requests dispatched to this worker.
    pub requests: u64,
    /// Requests that ended in an uncaught exception, a hang or a limit.
    pub failed_requests: u64,
    /// Evictions by reason.
    pub evictions: BTreeMap<EvictionReason, u64>,
}

/// Shared, thread-safe counters behind [`WorkerStats`].
#[derive(Debug, Default)]
pub(crate) struct StatsCell(Mutex<WorkerStats>);

impl StatsCell {
    pub(crate) fn update(&self, change: impl FnOnce(&mut WorkerStats)) {
        let mut stats = self.0.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut stats);
    }

    pub(crate) fn snapshot(&self) -> WorkerStats {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
