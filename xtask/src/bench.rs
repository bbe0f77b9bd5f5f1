//! `cargo xtask bench`: runs the reference runtime's criterion benches, then measures node, Deno,
//! Bun, workerd and the `edgecase-runtime` binary on loopback, one after another in the same run.
//! It writes `target/edgecase/bench/report.{md,json}` with the ratios, and SVG charts.

mod ceiling;
mod charts;
mod criterion;
mod launch;
pub mod load;
mod machine;
mod markdown;
mod measure;
pub mod process;
mod report;
pub mod stats;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};

use crate::command::{self, cargo, workspace_root};
use charts::{BarChart, BarGroup};
use launch::{Prepared, RuntimeName};
use measure::Settings;
use report::{Measured, Ratios, Reference, Report, RuntimeEntry};

/// Options of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run a short smoke version: criterion's --quick without plots, 2 s load runs, 20 starts
    /// per runtime.
    #[arg(long)]
    pub quick: bool,
    /// Reuse the criterion results and memory figures of the last bench run instead of running
    /// the benches again.
    #[arg(long)]
    pub skip_criterion: bool,
    /// Measure only these runtimes; repeat the option or separate names with commas.
    #[arg(long = "runtime", value_enum, value_delimiter = ',')]
    pub runtimes: Vec<RuntimeName>,
}

/// Chart files written beside the report.
const CHARTS: [&str; 3] = ["startup.svg", "memory.svg", "throughput.svg"];

/// Runs the benches and the comparison and writes the report.
///
/// `cargo xtask` builds xtask without optimizations, which would make the load generator the
/// bottleneck, so a debug build runs this command again from a release build of xtask.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        println!("building xtask with optimizations, so the load generator is not the bottleneck");
        let mut release = cargo();
        release.args(["run", "--release", "--quiet", "-p", "xtask", "--", "bench"]);
        release.args(flags(args));
        return command::run(release);
    }

    let root = workspace_root();
    let target_dir = target_dir(&root);
    let out_dir = target_dir.join("edgecase/bench");
    let work_dir = out_dir.join("work");
    let figures_dir = out_dir.join("figures");
    let settings = if args.quick {
        Settings::quick()
    } else {
        Settings::full()
    };
    let selected: Vec<RuntimeName> = if args.runtimes.is_empty() {
        RuntimeName::ALL.to_vec()
    } else {
        RuntimeName::ALL
            .into_iter()
            .filter(|name| args.runtimes.contains(name))
            .collect()
    };

    let started = SystemTime::now();
    let clock = Instant::now();
    let load_average_start = machine::load_average();
    let source = report::Source::read(&root);

    // The binary is built right before the benches compile, so both come from the tree as it
    // was when the run started, unless it changes during those few minutes.
    if selected.contains(&RuntimeName::Edgecase) {
        let mut build = cargo();
        build.args(["build", "--release", "-p", "edgecase-runtime"]);
        command::run(build)?;
    }
    if !args.skip_criterion {
        criterion::run_benches(args.quick, &figures_dir)?;
    }
    let since = (!args.skip_criterion).then_some(started);
    let estimates = criterion::read_estimates(&criterion::criterion_dir(&target_dir), since)?;
    let memory = criterion::read_memory_figures(&figures_dir)?;
    let reference = Reference::new(estimates, &memory)?;

    launch::write_worker_files(&work_dir)?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    println!("load generator: measuring its ceiling on an in-process hello server");
    let load_generator_ceiling = tokio.block_on(measure::measure_ceiling(&settings))?;
    for load in &load_generator_ceiling {
        print_load("load generator ceiling", load);
    }

    let mut runtimes = BTreeMap::new();
    for name in selected {
        let entry = tokio.block_on(measure_runtime(
            name,
            &target_dir,
            &work_dir,
            &settings,
            &reference,
        ));
        runtimes.insert(name.to_string(), entry);
    }

    let ratios = Ratios::compute(&runtimes);
    let targets = report::check_targets(&reference, &ratios);
    let started_unix_s = started
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let report = Report {
        command: command_line(args),
        quick: args.quick,
        started_unix_s,
        started_utc: report::utc_timestamp(started_unix_s),
        duration_s: clock.elapsed().as_secs_f64(),
        machine: machine::Machine::read(),
        source,
        load_average_start,
        load_average_end: machine::load_average(),
        settings,
        reference,
        load_generator_ceiling,
        runtimes,
        ratios,
        targets,
    };
    write_report(&report, &out_dir)?;
    print_summary(&report, &out_dir);

    let failed: Vec<&str> = report
        .runtimes
        .iter()
        .filter(|(_, entry)| matches!(entry, RuntimeEntry::Failed { .. }))
        .map(|(name, _)| name.as_str())
        .collect();
    if !failed.is_empty() {
        bail!(
            "measuring {} failed; the report lists the reason",
            failed.join(", ")
        );
    }
    Ok(())
}

/// Returns `CARGO_TARGET_DIR`, relative to the workspace root when relative, or `target`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn command_line(args: &Args) -> String {
    let mut words = vec!["cargo xtask bench".to_string()];
    words.extend(flags(args));
    words.join(" ")
}

/// Returns the command-line flags that produce `args`.
fn flags(args: &Args) -> Vec<String> {
    let mut words = Vec::new();
    if args.quick {
        words.push("--quick".into());
    }
    if args.skip_criterion {
        words.push("--skip-criterion".into());
    }
    if !args.runtimes.is_empty() {
        let names: Vec<&str> = args.runtimes.iter().map(|name| name.as_str()).collect();
        words.push("--runtime".into());
        words.push(names.join(","));
    }
    words
}

/// Measures one runtime. A missing runtime is skipped; a failed measurement is recorded with
/// its reason, so the other runtimes still run.
async fn measure_runtime(
    name: RuntimeName,
    target_dir: &Path,
    work_dir: &Path,
    settings: &Settings,
    reference: &Reference,
) -> RuntimeEntry {
    let prepared = match launch::prepare(name, target_dir, work_dir) {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(skipped)) => {
            println!("skipping {name}: {}", skipped.0);
            return RuntimeEntry::Skipped { reason: skipped.0 };
        }
        Err(error) => {
            println!("{name} failed: {error:#}");
            return RuntimeEntry::Failed {
                version: None,
                reason: format!("{error:#}"),
            };
        }
    };
    match measure_prepared(&prepared, work_dir, settings, reference).await {
        Ok(measured) => RuntimeEntry::Measured(Box::new(measured)),
        Err(error) => {
            println!("{name} failed: {error:#}");
            RuntimeEntry::Failed {
                version: Some(prepared.version),
                reason: format!("{error:#}"),
            }
        }
    }
}

async fn measure_prepared(
    runtime: &Prepared,
    work_dir: &Path,
    settings: &Settings,
    reference: &Reference,
) -> anyhow::Result<Measured> {
    let name = runtime.name;
    let log = work_dir.join(format!("{name}.log"));
    std::fs::write(&log, "").with_context(|| format!("failed to create `{}`", log.display()))?;

    println!(
        "{name} ({}): timing {} starts to first response",
        runtime.version, settings.startup_runs
    );
    let startup = measure::measure_startup(runtime, settings, &log).await?;
    println!(
        "{name}: start to first response median {:.1} ms, p90 {:.1} ms",
        startup.median_ms, startup.p90_ms
    );

    println!(
        "{name}: idle RSS, then load at {:?} connections",
        settings.connections
    );
    let serving = measure::measure_serving(runtime, settings, &log).await?;
    for load in &serving.load {
        print_load(name.as_str(), load);
    }

    Ok(Measured {
        version: runtime.version.clone(),
        package_version: runtime.package_version.clone(),
        binary: runtime.binary.display().to_string(),
        command: runtime.command_line(),
        startup_vs_isolate: startup.median_ms * 1e3 / reference.isolate_cold_start_us,
        memory_vs_isolate: serving.idle_rss_bytes as f64 / reference.idle_isolate_bytes,
        startup,
        serving,
    })
}

fn print_load(name: &str, load: &load::LoadResult) {
    println!(
        "{name}: {} connections, {} req/s, p50 {}, p99 {}, {} errors",
        load.connections,
        markdown::grouped(load.requests_per_second),
        markdown::micros(load.latency_p50_us),
        markdown::micros(load.latency_p99_us),
        load.errors
    );
}

fn write_report(report: &Report, out_dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("failed to create `{}`", out_dir.display()))?;
    let json = serde_json::to_string_pretty(report).context("failed to serialize the report")?;
    let json_path = out_dir.join("report.json");
    std::fs::write(&json_path, json + "\n")
        .with_context(|| format!("failed to write `{}`", json_path.display()))?;

    let charts = draw_charts(report, out_dir)?;
    let markdown_path = out_dir.join("report.md");
    std::fs::write(&markdown_path, markdown::render(report, &charts))
        .with_context(|| format!("failed to write `{}`", markdown_path.display()))?;
    Ok(())
}

/// Draws the charts and returns the names of the files written. The throughput chart needs at
/// least one measured runtime.
fn draw_charts(report: &Report, out_dir: &Path) -> anyhow::Result<Vec<&'static str>> {
    for chart in CHARTS {
        let path = out_dir.join(chart);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("failed to remove `{}`", path.display()))?;
        }
    }
    let measured: Vec<(&str, &Measured)> = report
        .runtimes_in_order()
        .into_iter()
        .filter_map(|(name, entry)| Some((name, entry.measured()?)))
        .collect();

    let mut startup = vec![BarGroup {
        label: "edgecase isolate".into(),
        values: vec![Some(report.reference.isolate_cold_start_us / 1e3)],
        whiskers: vec![None],
    }];
    startup.extend(measured.iter().map(|(name, m)| BarGroup {
        label: name.to_string(),
        values: vec![Some(m.startup.median_ms)],
        whiskers: vec![Some(m.startup.p90_ms)],
    }));
    charts::draw_bar_chart(
        &out_dir.join(CHARTS[0]),
        &BarChart {
            title: "Start to first response (median, whisker to p90)",
            y_label: "milliseconds",
            series: &["process start to first response; in-process cold start for the isolate"],
            groups: startup,
            format_value: |ms| format!("{ms:.1} ms"),
        },
    )?;

    let mib = |value: f64| value / f64::from(1 << 20);
    let mut memory = vec![BarGroup {
        label: "edgecase isolate".into(),
        values: vec![Some(mib(report.reference.idle_isolate_bytes))],
        whiskers: vec![None],
    }];
    memory.extend(measured.iter().map(|(name, m)| BarGroup {
        label: name.to_string(),
        values: vec![Some(mib(m.serving.idle_rss_bytes as f64))],
        whiskers: vec![None],
    }));
    charts::draw_bar_chart(
        &out_dir.join(CHARTS[1]),
        &BarChart {
            title: "Idle memory with the hello worker",
            y_label: "MiB",
            series: &["RSS of the process tree; RSS growth per isolate for the isolate"],
            groups: memory,
            format_value: |value| format!("{value:.1} MiB"),
        },
    )?;

    if measured.is_empty() {
        return Ok(CHARTS[..2].to_vec());
    }
    let series: Vec<String> = report
        .settings
        .connections
        .iter()
        .map(|c| format!("{c} connection{}", if *c == 1 { "" } else { "s" }))
        .collect();
    let series: Vec<&str> = series.iter().map(String::as_str).collect();
    let throughput = measured
        .iter()
        .map(|(name, m)| BarGroup {
            label: name.to_string(),
            values: report
                .settings
                .connections
                .iter()
                .map(|c| m.requests_per_second(*c))
                .collect(),
            whiskers: Vec::new(),
        })
        .collect();
    charts::draw_bar_chart(
        &out_dir.join(CHARTS[2]),
        &BarChart {
            title: "Hello-world throughput",
            y_label: "requests per second",
            series: &series,
            groups: throughput,
            format_value: |rate| format!("{:.1}k", rate / 1e3),
        },
    )?;
    Ok(CHARTS.to_vec())
}

fn print_summary(report: &Report, out_dir: &Path) {
    println!();
    for target in &report.targets {
        let met = match target.met {
            Some(true) => "met",
            Some(false) => "not met",
            None => "not measured",
        };
        let measured = target.measured.map_or(String::new(), |value| {
            format!(" ({value:.2} {})", target.unit)
        });
        println!("target {} {}: {met}{measured}", target.name, target.goal);
    }
    println!("report: {}", out_dir.join("report.md").display());
}
