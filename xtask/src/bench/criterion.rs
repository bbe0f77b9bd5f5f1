//! The criterion benches of the reference runtime (`benches/`): running them, and reading their
//! medians from `target/criterion` and the memory figures they write beside them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::command;

/// Environment variable through which the benches learn where to write their figures; it must
/// match `edgecase_benches::FIGURES_DIR_VAR`.
const FIGURES_DIR_VAR: &str = "EDGECASE_BENCH_FIGURES";

/// Every criterion benchmark the report reads, as `group/function[/parameter]`.
pub const BENCHMARKS: &[&str] = &[
    "isolate_startup/module",
    "isolate_startup/module_without_teardown",
    "isolate_startup/service_worker",
    "isolate_startup/module_200kb",
    "warm_request/hello",
    "warm_request/channel_round_trip",
    "warm_request/echo_1kb",
    "warm_request/echo_64kb",
    "warm_request/json",
    "concurrent_requests/timer_50ms/100",
    "concurrent_requests/timer_50ms/10000",
    "http_request/hello_keep_alive",
    "http_request/echo_1kb_keep_alive",
    "isolate_memory/cold_start_beside_1000_idle",
];

/// Runs `cargo bench -p edgecase-benches`, with criterion's `--quick` and `--noplot` when
/// `quick` is set, and the figures written to `figures_dir`.
pub fn run_benches(quick: bool, figures_dir: &Path) -> anyhow::Result<()> {
    if figures_dir.exists() {
        std::fs::remove_dir_all(figures_dir)
            .with_context(|| format!("failed to clear `{}`", figures_dir.display()))?;
    }
    let mut bench = command::cargo();
    bench.args(["bench", "-p", "edgecase-benches", "--"]);
    if quick {
        bench.args(["--quick", "--noplot"]);
    }
    bench.env(FIGURES_DIR_VAR, figures_dir);
    command::run(bench)
}

/// Returns criterion's output folder: `CRITERION_HOME`, or `criterion` in the target folder.
pub fn criterion_dir(target_dir: &Path) -> PathBuf {
    std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir.join("criterion"))
}

/// Criterion's estimate of one benchmark, in nanoseconds per iteration.
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    pub median_ns: f64,
    /// 95 % confidence interval of the median.
    pub median_lower_ns: f64,
    pub median_upper_ns: f64,
    pub mean_ns: f64,
}

#[derive(Deserialize)]
struct EstimatesFile {
    mean: PointEstimate,
    median: PointEstimate,
}

#[derive(Deserialize)]
struct PointEstimate {
    point_estimate: f64,
    confidence_interval: ConfidenceInterval,
}

#[derive(Deserialize)]
struct ConfidenceInterval {
    lower_bound: f64,
    upper_bound: f64,
}

/// Reads `<criterion_dir>/<benchmark>/new/estimates.json` for every entry of [`BENCHMARKS`].
/// With `since`, a file older than that instant is an error, so a bench that failed to run
/// cannot leave an earlier run's result in the report.
pub fn read_estimates(
    criterion_dir: &Path,
    since: Option<SystemTime>,
) -> anyhow::Result<BTreeMap<String, Estimate>> {
    let mut estimates = BTreeMap::new();
    for benchmark in BENCHMARKS {
        let path = criterion_dir.join(benchmark).join("new/estimates.json");
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "failed to read `{}`: run `cargo bench -p edgecase-benches` first",
                path.display()
            )
        })?;
        if let Some(since) = since {
            let modified = std::fs::metadata(&path)?.modified()?;
            if modified < since {
                bail!(
                    "`{}` is older than this run, so criterion did not run `{benchmark}`",
                    path.display()
                );
            }
        }
        let file: EstimatesFile = serde_json::from_str(&text)
            .with_context(|| format!("invalid criterion estimates in `{}`", path.display()))?;
        estimates.insert(
            benchmark.to_string(),
            Estimate {
                median_ns: file.median.point_estimate,
                median_lower_ns: file.median.confidence_interval.lower_bound,
                median_upper_ns: file.median.confidence_interval.upper_bound,
                mean_ns: file.mean.point_estimate,
            },
        );
    }
    Ok(estimates)
}

/// Figures file of `benches/benches/isolate_memory.rs`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct IsolateMemory {
    pub isolates: u64,
    pub bytes_per_isolate: f64,
    pub start_us_per_isolate: f64,
}

/// Figures of `benches/benches/concurrent_requests.rs` for one batch size.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct InFlightMemory {
    pub requests: u64,
    pub bytes_per_request: f64,
    /// The share of the caller's tokio task and reply channel, measured without a runtime.
    /// Figures files from before this control existed lack it.
    #[serde(default)]
    pub caller_bytes_per_request: Option<f64>,
    pub dispatch_ms: f64,
}

/// The memory figures that the benches print beside criterion's timings.
#[derive(Clone, Debug, Serialize)]
pub struct MemoryFigures {
    pub idle_isolate: IsolateMemory,
    /// Keyed by batch size.
    pub in_flight: BTreeMap<u64, InFlightMemory>,
}

/// Reads the figures files that the last bench run wrote to `figures_dir`.
pub fn read_memory_figures(figures_dir: &Path) -> anyhow::Result<MemoryFigures> {
    let idle_isolate = read_json(&figures_dir.join("isolate_memory.json"))?;
    let by_size: BTreeMap<String, InFlightMemory> =
        read_json(&figures_dir.join("concurrent_requests.json"))?;
    let in_flight = by_size
        .into_values()
        .map(|figures| (figures.requests, figures))
        .collect();
    Ok(MemoryFigures {
        idle_isolate,
        in_flight,
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "failed to read `{}`: the benches write it when {FIGURES_DIR_VAR} is set, so run \
             `cargo xtask bench` without --skip-criterion",
            path.display()
        )
    })?;
    serde_json::from_str(&text).with_context(|| format!("invalid figures in `{}`", path.display()))
}
