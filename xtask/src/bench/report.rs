//! The report of one `cargo xtask bench` run: the reference runtime's in-process figures, the
//! measured runtimes, the ratios between them and the targets, as `report.json` fields.

use std::collections::BTreeMap;

use anyhow::Context;
use serde::Serialize;

use super::criterion::{Estimate, MemoryFigures};
use super::launch::RuntimeName;
use super::load::LoadResult;
use super::machine::Machine;
use super::measure::{ServeFigures, Settings, StartupFigures};

/// Connection count whose throughput the workerd ratio compares.
pub const RATIO_CONNECTIONS: usize = 32;

/// Everything one run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The command that produced the report.
    pub command: String,
    pub quick: bool,
    /// Start of the run, seconds since the Unix epoch, and the same in UTC.
    pub started_unix_s: u64,
    pub started_utc: String,
    pub duration_s: f64,
    pub machine: Machine,
    pub source: Source,
    /// 1, 5 and 15 minute load averages at the start and at the end of the run.
    pub load_average_start: Option<[f64; 3]>,
    pub load_average_end: Option<[f64; 3]>,
    pub settings: Settings,
    pub reference: Reference,
    /// The load generator against a minimal hyper server in the xtask process: the highest rate
    /// the client reaches here, one result per connection count.
    pub load_generator_ceiling: Vec<LoadResult>,
    /// Keyed by runtime name.
    pub runtimes: BTreeMap<String, RuntimeEntry>,
    pub ratios: Ratios,
    pub targets: Vec<TargetCheck>,
}

/// The source tree that was measured.
#[derive(Debug, Serialize)]
pub struct Source {
    /// `git rev-parse HEAD`, or `None` outside a git checkout.
    pub commit: Option<String>,
    /// Paths with uncommitted changes, from `git status --porcelain`.
    pub uncommitted: Vec<String>,
}

impl Source {
    /// Reads the commit and the uncommitted paths of the checkout at `root`.
    pub fn read(root: &std::path::Path) -> Source {
        let git = |args: &[&str]| -> Option<String> {
            let output = std::process::Command::new("git")
                .args(args)
                .current_dir(root)
                .output()
                .ok()?;
            output
                .status
                .success()
                .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
        };
        let commit = git(&["rev-parse", "HEAD"]).map(|text| text.trim().to_string());
        let uncommitted = git(&["status", "--porcelain"])
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.get(3..))
            .map(str::to_string)
            .collect();
        Source {
            commit,
            uncommitted,
        }
    }
}

impl Report {
    /// Returns the runtimes in the order of [`RuntimeName::ALL`], which puts the anchors before
    /// the reference binary.
    pub fn runtimes_in_order(&self) -> Vec<(&'static str, &RuntimeEntry)> {
        RuntimeName::ALL
            .into_iter()
            .filter_map(|name| Some((name.as_str(), self.runtimes.get(name.as_str())?)))
            .collect()
    }
}

/// The reference runtime measured in process by criterion, as medians.
#[derive(Debug, Serialize)]
pub struct Reference {
    /// `isolate_startup/module`: create an isolate, run the hello module's global scope, serve
    /// the first request and drop the isolate.
    pub isolate_cold_start_us: f64,
    /// The same cold start up to the first response, without dropping the isolate.
    pub isolate_cold_start_without_teardown_us: f64,
    pub isolate_cold_start_service_worker_us: f64,
    pub isolate_cold_start_200kb_us: f64,
    /// The same cold start while 1,000 idle isolates share its thread.
    pub cold_start_beside_1000_idle_us: f64,
    /// `warm_request/hello`: one hello-world request to a warm isolate.
    pub warm_request_us: f64,
    /// The thread hop of a warm request without JS: a crossbeam channel to a blocked thread
    /// and a tokio oneshot back.
    pub channel_round_trip_us: f64,
    pub warm_echo_1kb_us: f64,
    pub warm_echo_64kb_us: f64,
    pub warm_json_us: f64,
    /// One request on a keep-alive loopback connection through the HTTP server.
    pub http_request_us: f64,
    pub http_echo_1kb_us: f64,
    /// A batch of requests that each await a 50 ms timer, all in flight at once.
    pub concurrent_100_batch_ms: f64,
    pub concurrent_10000_batch_ms: f64,
    /// Process RSS growth per pending request while the batch awaits its timers.
    pub in_flight_bytes_100: Option<f64>,
    pub in_flight_bytes_10000: Option<f64>,
    /// The caller's share of those: a tokio task and a reply channel per request.
    pub caller_bytes_100: Option<f64>,
    pub caller_bytes_10000: Option<f64>,
    /// Process RSS growth per idle isolate, over 1,000 started hello workers.
    pub idle_isolate_bytes: f64,
    /// Mean time to start each of those isolates.
    pub idle_isolate_start_us: f64,
    /// Every criterion estimate read, by benchmark id.
    pub criterion: BTreeMap<String, Estimate>,
}

impl Reference {
    /// Picks the report's figures out of criterion's estimates and the memory figures.
    pub fn new(
        estimates: BTreeMap<String, Estimate>,
        memory: &MemoryFigures,
    ) -> anyhow::Result<Reference> {
        let median_ns = |id: &str| -> anyhow::Result<f64> {
            estimates
                .get(id)
                .map(|estimate| estimate.median_ns)
                .with_context(|| format!("criterion has no estimate for `{id}`"))
        };
        let in_flight = |count: u64| memory.in_flight.get(&count).map(|m| m.bytes_per_request);
        let caller = |count: u64| {
            memory
                .in_flight
                .get(&count)
                .and_then(|m| m.caller_bytes_per_request)
        };
        Ok(Reference {
            isolate_cold_start_us: median_ns("isolate_startup/module")? / 1e3,
            isolate_cold_start_without_teardown_us: median_ns(
                "isolate_startup/module_without_teardown",
            )? / 1e3,
            isolate_cold_start_service_worker_us: median_ns("isolate_startup/service_worker")?
                / 1e3,
            isolate_cold_start_200kb_us: median_ns("isolate_startup/module_200kb")? / 1e3,
            cold_start_beside_1000_idle_us: median_ns(
                "isolate_memory/cold_start_beside_1000_idle",
            )? / 1e3,
            warm_request_us: median_ns("warm_request/hello")? / 1e3,
            channel_round_trip_us: median_ns("warm_request/channel_round_trip")? / 1e3,
            warm_echo_1kb_us: median_ns("warm_request/echo_1kb")? / 1e3,
            warm_echo_64kb_us: median_ns("warm_request/echo_64kb")? / 1e3,
            warm_json_us: median_ns("warm_request/json")? / 1e3,
            http_request_us: median_ns("http_request/hello_keep_alive")? / 1e3,
            http_echo_1kb_us: median_ns("http_request/echo_1kb_keep_alive")? / 1e3,
            concurrent_100_batch_ms: median_ns("concurrent_requests/timer_50ms/100")? / 1e6,
            concurrent_10000_batch_ms: median_ns("concurrent_requests/timer_50ms/10000")? / 1e6,
            in_flight_bytes_100: in_flight(100),
            in_flight_bytes_10000: in_flight(10_000),
            caller_bytes_100: caller(100),
            caller_bytes_10000: caller(10_000),
            idle_isolate_bytes: memory.idle_isolate.bytes_per_isolate,
            idle_isolate_start_us: memory.idle_isolate.start_us_per_isolate,
            criterion: estimates,
        })
    }
}

/// One runtime of the comparison.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum RuntimeEntry {
    Measured(Box<Measured>),
    /// Not installed, or its version could not be read.
    Skipped {
        reason: String,
    },
    /// Installed, but a measurement failed.
    Failed {
        version: Option<String>,
        reason: String,
    },
}

/// The figures of a runtime that was measured.
#[derive(Debug, Serialize)]
pub struct Measured {
    pub version: String,
    pub package_version: Option<String>,
    pub binary: String,
    /// Command line, run in the work folder, with `PORT` for the port.
    pub command: String,
    pub startup: StartupFigures,
    pub serving: ServeFigures,
    /// Median process start to first response, divided by the reference isolate cold start.
    pub startup_vs_isolate: f64,
    /// Idle RSS divided by the memory of one reference isolate.
    pub memory_vs_isolate: f64,
}

impl RuntimeEntry {
    pub fn measured(&self) -> Option<&Measured> {
        match self {
            RuntimeEntry::Measured(measured) => Some(measured),
            _ => None,
        }
    }
}

impl Measured {
    /// Returns the throughput at `connections`, if that load ran.
    pub fn requests_per_second(&self, connections: usize) -> Option<f64> {
        self.serving
            .load
            .iter()
            .find(|load| load.connections == connections)
            .map(|load| load.requests_per_second)
    }
}

/// The ratios the run is for. Each is `null` when a runtime it needs was not measured.
#[derive(Debug, Serialize)]
pub struct Ratios {
    /// Node's median process start to first response divided by the reference isolate cold
    /// start: how many times faster an isolate starts than a Node process.
    pub startup_vs_node: Option<f64>,
    /// Node's idle RSS divided by the memory of one idle reference isolate.
    pub memory_vs_node: Option<f64>,
    /// Reference binary's req/s divided by workerd's, at 32 connections.
    pub throughput_vs_workerd: Option<f64>,
    /// workerd's median process start divided by the reference isolate cold start.
    pub startup_vs_workerd: Option<f64>,
    /// workerd's idle RSS divided by the memory of one idle reference isolate.
    pub memory_vs_workerd: Option<f64>,
}

impl Ratios {
    pub fn compute(runtimes: &BTreeMap<String, RuntimeEntry>) -> Ratios {
        let measured = |name: RuntimeName| runtimes.get(name.as_str())?.measured();
        let node = measured(RuntimeName::Node);
        let workerd = measured(RuntimeName::Workerd);
        let edgecase = measured(RuntimeName::Edgecase);
        let throughput_vs_workerd = edgecase
            .and_then(|e| e.requests_per_second(RATIO_CONNECTIONS))
            .zip(workerd.and_then(|w| w.requests_per_second(RATIO_CONNECTIONS)))
            .map(|(reference, workerd)| reference / workerd);
        Ratios {
            startup_vs_node: node.map(|n| n.startup_vs_isolate),
            memory_vs_node: node.map(|n| n.memory_vs_isolate),
            throughput_vs_workerd,
            startup_vs_workerd: workerd.map(|w| w.startup_vs_isolate),
            memory_vs_workerd: workerd.map(|w| w.memory_vs_isolate),
        }
    }
}

/// One target of the reference runtime and whether this run met it.
#[derive(Debug, Serialize)]
pub struct TargetCheck {
    pub name: &'static str,
    pub goal: &'static str,
    pub measured: Option<f64>,
    pub unit: &'static str,
    /// `null` when the figure was not measured.
    pub met: Option<bool>,
}

/// Checks the measured figures against the targets.
pub fn check_targets(reference: &Reference, ratios: &Ratios) -> Vec<TargetCheck> {
    let at_least = |value: Option<f64>, goal: f64| value.map(|v| v >= goal);
    let below = |value: Option<f64>, goal: f64| value.map(|v| v < goal);
    vec![
        TargetCheck {
            name: "isolate cold start vs node process start",
            goal: ">= 200x faster",
            measured: ratios.startup_vs_node,
            unit: "x",
            met: at_least(ratios.startup_vs_node, 200.0),
        },
        TargetCheck {
            name: "idle isolate vs node idle RSS",
            goal: ">= 50x smaller",
            measured: ratios.memory_vs_node,
            unit: "x",
            met: at_least(ratios.memory_vs_node, 50.0),
        },
        TargetCheck {
            name: "warm in-process hello world, median",
            goal: "< 10 us",
            measured: Some(reference.warm_request_us),
            unit: "us",
            met: below(Some(reference.warm_request_us), 10.0),
        },
        TargetCheck {
            name: "memory per request, 10,000 awaiting at once",
            goal: "< 2 KiB",
            measured: reference.in_flight_bytes_10000,
            unit: "bytes",
            met: below(reference.in_flight_bytes_10000, 2048.0),
        },
        TargetCheck {
            name: "HTTP throughput at 32 connections vs workerd",
            goal: ">= 1x",
            measured: ratios.throughput_vs_workerd,
            unit: "x",
            met: at_least(ratios.throughput_vs_workerd, 1.0),
        },
    ]
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DD HH:MM UTC`.
pub fn utc_timestamp(unix_s: u64) -> String {
    let days = unix_s / 86_400;
    let seconds_of_day = unix_s % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        seconds_of_day / 3600,
        seconds_of_day % 3600 / 60
    )
}

/// Converts days since 1970-01-01 to a Gregorian year, month and day by walking years and
/// then months. A date in this century takes about 60 steps.
fn civil_from_days(mut days: u64) -> (u64, u32, u32) {
    let is_leap = |year: u64| {
        (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
    };
    let mut year = 1970;
    loop {
        let length = if is_leap(year) { 366 } else { 365 };
        if days < length {
            break;
        }
        days -= length;
        year += 1;
    }
    let february = if is_leap(year) { 29 } else { 28 };
    let lengths = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 1;
    for length in lengths {
        if days < length {
            break;
        }
        days -= length;
        month += 1;
    }
    (year, month, days as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_timestamp_epoch() {
        assert_eq!(utc_timestamp(0), "1970-01-01 00:00 UTC");
    }

    #[test]
    fn utc_timestamp_leap_day() {
        // 2024-02-29 12:34:56 UTC
        assert_eq!(utc_timestamp(1_709_210_096), "2024-02-29 12:34 UTC");
    }

    #[test]
    fn utc_timestamp_new_year() {
        // 2026-01-01 00:00:00 UTC
        assert_eq!(utc_timestamp(1_767_225_600), "2026-01-01 00:00 UTC");
    }
}
