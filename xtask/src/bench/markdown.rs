//! `report.md`: the report as Markdown tables, with the ratios and targets first.

use std::fmt::Write;

use super::load::LoadResult;
use super::report::{Report, RuntimeEntry};

/// Renders the report. `charts` are the chart file names, relative to the report.
pub fn render(report: &Report, charts: &[&str]) -> String {
    let mut out = String::new();
    write_header(&mut out, report);
    write_targets(&mut out, report);
    write_reference(&mut out, report);
    write_startup(&mut out, report);
    write_memory(&mut out, report);
    write_throughput(&mut out, report);
    write_other_runtimes(&mut out, report);

    out.push_str("## Charts\n\n");
    for chart in charts {
        let _ = writeln!(out, "![{chart}]({chart})\n");
    }
    out.push_str(
        "Criterion's HTML report of the in-process benches is `target/criterion/report/index.html`.\n",
    );
    out
}

fn write_header(out: &mut String, report: &Report) {
    let machine = &report.machine;
    let _ = writeln!(out, "# Edgecase benchmark report\n");
    let _ = writeln!(
        out,
        "`{}`, started {}, took {:.0} s.\n",
        report.command, report.started_utc, report.duration_s
    );

    let _ = writeln!(
        out,
        "Machine: {} cores ({}), {} memory, {}, kernel {}, {}.",
        machine.cores,
        machine.cpu.as_deref().unwrap_or("unknown CPU"),
        machine.memory_bytes.map_or("unknown".into(), bytes),
        machine.os.as_deref().unwrap_or("unknown OS"),
        machine.kernel.as_deref().unwrap_or("unknown"),
        machine.rustc.as_deref().unwrap_or("unknown rustc"),
    );

    let source = &report.source;
    let commit = source.commit.as_deref().unwrap_or("unknown");
    // The measured code is the reference runtime, so only its changes are named here.
    // report.json lists every path.
    let runtime_paths: Vec<&str> = source
        .uncommitted
        .iter()
        .map(String::as_str)
        .filter(|path| path.starts_with("reference-runtime/"))
        .collect();
    let _ = match (source.uncommitted.len(), runtime_paths.len()) {
        (0, _) => writeln!(out, "Source: commit `{commit}`, no uncommitted changes."),
        (count, 0) => writeln!(
            out,
            "Source: commit `{commit}` with {count} uncommitted paths, none in reference-runtime/."
        ),
        (count, _) => writeln!(
            out,
            "Source: commit `{commit}` with {count} uncommitted paths, in reference-runtime/: {}.",
            runtime_paths.join(", ")
        ),
    };

    let _ = writeln!(
        out,
        "Load average (1, 5, 15 min) at the start: {}; at the end: {}.\n",
        load(report.load_average_start),
        load(report.load_average_end)
    );
    out.push_str(
        "Every runtime was measured on this machine in this run, one after another. Absolute \
         figures move with the machine's load; compare the ratios.\n\n",
    );
}

fn write_targets(out: &mut String, report: &Report) {
    out.push_str("## Targets\n\n| target | goal | measured | met |\n| --- | --- | --- | --- |\n");
    for target in &report.targets {
        let measured = match (target.measured, target.unit) {
            (None, _) => "not measured".to_string(),
            (Some(value), "x") => ratio(value),
            (Some(value), "us") => format!("{value:.1} µs"),
            (Some(value), "bytes") => bytes(value as u64),
            (Some(value), unit) => format!("{value:.2} {unit}"),
        };
        let met = match target.met {
            Some(true) => "yes",
            Some(false) => "no",
            None => "n/a",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {measured} | {met} |",
            target.name, target.goal
        );
    }

    let ratios = &report.ratios;
    out.push_str("\n| ratio | value |\n| --- | --- |\n");
    for (name, value) in [
        ("startup_vs_node", ratios.startup_vs_node),
        ("memory_vs_node", ratios.memory_vs_node),
        ("throughput_vs_workerd", ratios.throughput_vs_workerd),
        ("startup_vs_workerd", ratios.startup_vs_workerd),
        ("memory_vs_workerd", ratios.memory_vs_workerd),
    ] {
        let formatted = value.map_or("not measured".to_string(), ratio);
        let _ = writeln!(out, "| `{name}` | {formatted} |");
    }
    out.push('\n');
}

fn write_reference(out: &mut String, report: &Report) {
    let reference = &report.reference;
    out.push_str("## Reference runtime in process\n\n");
    out.push_str("Criterion medians from `cargo bench -p edgecase-benches`, and the memory figures those benches print.\n\n");
    out.push_str("| benchmark | median |\n| --- | --- |\n");
    let rows = [
        (
            "isolate cold start, hello module",
            micros(reference.isolate_cold_start_us),
        ),
        (
            "isolate cold start, hello module, without teardown",
            micros(reference.isolate_cold_start_without_teardown_us),
        ),
        (
            "isolate cold start, hello service worker",
            micros(reference.isolate_cold_start_service_worker_us),
        ),
        (
            "isolate cold start, 200 KB module",
            micros(reference.isolate_cold_start_200kb_us),
        ),
        (
            "isolate cold start beside 1,000 idle isolates",
            micros(reference.cold_start_beside_1000_idle_us),
        ),
        ("warm request, hello", micros(reference.warm_request_us)),
        (
            "thread hop alone: crossbeam channel there, oneshot back",
            micros(reference.channel_round_trip_us),
        ),
        (
            "warm request, 1 KB echo",
            micros(reference.warm_echo_1kb_us),
        ),
        (
            "warm request, 64 KB echo",
            micros(reference.warm_echo_64kb_us),
        ),
        (
            "warm request, JSON round trip",
            micros(reference.warm_json_us),
        ),
        (
            "HTTP keep-alive request, hello",
            micros(reference.http_request_us),
        ),
        (
            "HTTP keep-alive request, 1 KB echo",
            micros(reference.http_echo_1kb_us),
        ),
        (
            "100 requests awaiting a 50 ms timer",
            millis(reference.concurrent_100_batch_ms),
        ),
        (
            "10,000 requests awaiting a 50 ms timer",
            millis(reference.concurrent_10000_batch_ms),
        ),
    ];
    for (name, value) in rows {
        let _ = writeln!(out, "| {name} | {value} |");
    }
    out.push_str("\n| memory | per unit |\n| --- | --- |\n");
    let optional = |value: Option<f64>| value.map_or("not measured".into(), |v| bytes(v as u64));
    let _ = writeln!(
        out,
        "| RSS per idle isolate (1,000 hello workers, started in {} each) | {} |",
        micros(reference.idle_isolate_start_us),
        bytes(reference.idle_isolate_bytes as u64)
    );
    for (count, total, caller) in [
        (
            "100",
            reference.in_flight_bytes_100,
            reference.caller_bytes_100,
        ),
        (
            "10,000",
            reference.in_flight_bytes_10000,
            reference.caller_bytes_10000,
        ),
    ] {
        let _ = writeln!(
            out,
            "| RSS per in-flight request, {count} awaiting a timer | {} |",
            optional(total)
        );
        let _ = writeln!(
            out,
            "| of which the caller's tokio task and reply channel, {count} | {} |",
            optional(caller)
        );
    }
    out.push('\n');
}

fn write_startup(out: &mut String, report: &Report) {
    out.push_str("## Process start to first response\n\n");
    let _ = writeln!(
        out,
        "Spawn to the first `200 Hello World!`, polling `GET /` every {} ms; {} timed starts per runtime after one untimed start.\n",
        report.settings.poll_interval_ms, report.settings.startup_runs
    );
    out.push_str("| runtime | version | median | p90 | min | max | vs isolate cold start |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
    let _ = writeln!(
        out,
        "| edgecase isolate, in process | {} | {} | | | | 1x |",
        env!("CARGO_PKG_VERSION"),
        millis(report.reference.isolate_cold_start_us / 1e3)
    );
    for (name, entry) in report.runtimes_in_order() {
        let Some(m) = entry.measured() else { continue };
        let startup = &m.startup;
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} |",
            m.version,
            millis(startup.median_ms),
            millis(startup.p90_ms),
            millis(startup.min_ms),
            millis(startup.max_ms),
            ratio(m.startup_vs_isolate)
        );
    }
    out.push('\n');
}

fn write_memory(out: &mut String, report: &Report) {
    out.push_str("## Memory\n\n");
    let _ = writeln!(
        out,
        "Summed RSS of the server's process tree {} ms after its first response, and right after the load runs.\n",
        report.settings.idle_wait_ms
    );
    out.push_str("| runtime | idle RSS | processes | RSS after load | idle vs one isolate |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    let _ = writeln!(
        out,
        "| one idle edgecase isolate, in process | {} | | | 1x |",
        bytes(report.reference.idle_isolate_bytes as u64)
    );
    for (name, entry) in report.runtimes_in_order() {
        let Some(m) = entry.measured() else { continue };
        let serving = &m.serving;
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            bytes(serving.idle_rss_bytes),
            serving.processes,
            bytes(serving.rss_after_load_bytes),
            ratio(m.memory_vs_isolate)
        );
    }
    out.push('\n');
}

fn write_throughput(out: &mut String, report: &Report) {
    let settings = &report.settings;
    out.push_str("## Hello-world throughput and latency\n\n");
    let _ = writeln!(
        out,
        "`GET /` on keep-alive connections from one hyper client on one thread, {} ms per run after {} ms of warm-up, at most {} requests per run.\n",
        settings.load_ms, settings.warm_up_ms, settings.max_requests
    );
    out.push_str("| runtime | connections | req/s | p50 | p90 | p99 | max | errors |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (name, entry) in report.runtimes_in_order() {
        let Some(m) = entry.measured() else { continue };
        for load in &m.serving.load {
            write_load_row(out, name, load);
        }
    }
    for load in &report.load_generator_ceiling {
        write_load_row(out, "ceiling: hyper server in xtask", load);
    }
    out.push_str(
        "\nThe ceiling rows are the load generator against a minimal hyper server on another \
         thread of the xtask process: a runtime near that rate is limited by the client, not by \
         itself.\n\n",
    );

    out.push_str("| runtime | version | binary | command |\n| --- | --- | --- | --- |\n");
    for (name, entry) in report.runtimes_in_order() {
        let Some(m) = entry.measured() else { continue };
        let version = match &m.package_version {
            Some(package) => format!("{} (npm {package})", m.version),
            None => m.version.clone(),
        };
        let _ = writeln!(
            out,
            "| {name} | {version} | `{}` | `{}` |",
            m.binary, m.command
        );
    }
    out.push('\n');
}

fn write_load_row(out: &mut String, name: &str, load: &LoadResult) {
    let _ = writeln!(
        out,
        "| {name} | {} | {} | {} | {} | {} | {} | {} |",
        load.connections,
        grouped(load.requests_per_second),
        micros(load.latency_p50_us),
        micros(load.latency_p90_us),
        micros(load.latency_p99_us),
        micros(load.latency_max_us),
        load.errors
    );
}

fn write_other_runtimes(out: &mut String, report: &Report) {
    let mut lines = String::new();
    for (name, entry) in report.runtimes_in_order() {
        match entry {
            RuntimeEntry::Measured(_) => {}
            RuntimeEntry::Skipped { reason } => {
                let _ = writeln!(lines, "- {name}: skipped, {reason}");
            }
            RuntimeEntry::Failed { reason, .. } => {
                let _ = writeln!(lines, "- {name}: failed, {reason}");
            }
        }
    }
    if !lines.is_empty() {
        out.push_str("## Runtimes not measured\n\n");
        out.push_str(&lines);
        out.push('\n');
    }
}

fn load(average: Option<[f64; 3]>) -> String {
    average.map_or("unknown".into(), |[one, five, fifteen]| {
        format!("{one:.2}, {five:.2}, {fifteen:.2}")
    })
}

/// Formats a ratio with three significant digits at most: `1.23x`, `45.6x`, `789x`.
pub fn ratio(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}x")
    } else if value >= 10.0 {
        format!("{value:.1}x")
    } else {
        format!("{value:.2}x")
    }
}

/// Formats microseconds, switching to milliseconds from 1 ms up.
pub fn micros(value: f64) -> String {
    if value >= 1_000.0 {
        format!("{:.1} ms", value / 1e3)
    } else {
        format!("{value:.1} µs")
    }
}

pub fn millis(value: f64) -> String {
    format!("{value:.1} ms")
}

/// Formats a byte count in KiB below 1 MiB and in MiB above.
pub fn bytes(value: u64) -> String {
    let value = value as f64;
    if value >= (1u64 << 30) as f64 {
        format!("{:.1} GiB", value / (1u64 << 30) as f64)
    } else if value >= (1 << 20) as f64 {
        format!("{:.1} MiB", value / (1 << 20) as f64)
    } else {
        format!("{:.1} KiB", value / 1024.0)
    }
}

/// Formats a rate as a whole number with thousands separators.
pub fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_thousands() {
        assert_eq!(grouped(0.0), "0");
        assert_eq!(grouped(999.4), "999");
        assert_eq!(grouped(1234.0), "1,234");
        assert_eq!(grouped(1_234_567.0), "1,234,567");
    }

    #[test]
    fn bytes_units() {
        assert_eq!(bytes(512), "0.5 KiB");
        assert_eq!(bytes(3 << 20), "3.0 MiB");
    }

    #[test]
    fn micros_switch_to_millis() {
        assert_eq!(micros(999.94), "999.9 µs");
        assert_eq!(micros(1234.0), "1.2 ms");
    }

    #[test]
    fn ratio_digits() {
        assert_eq!(ratio(1.234), "1.23x");
        assert_eq!(ratio(45.67), "45.7x");
        assert_eq!(ratio(789.4), "789x");
    }
}
