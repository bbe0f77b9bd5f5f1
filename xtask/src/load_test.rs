//! `cargo xtask load-test`: a bounded load on one `edgecase-runtime` process that serves many
//! workers. It fails unless every request succeeds and the server's peak RSS stays within a
//! stated bound.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use crate::bench::load::{Connection, HELLO_BODY};
use crate::bench::process::{Server, free_port, resident_bytes};
use crate::bench::stats::percentile;
use crate::command::{self, cargo, workspace_root};

/// Options of `cargo xtask load-test`.
#[derive(clap::Args)]
pub struct Args {
    /// Requests to send in all.
    #[arg(long, default_value_t = 10_000)]
    requests: u64,
    /// Workers in the server process; each request goes to the next one.
    #[arg(long, default_value_t = 100)]
    workers: usize,
    /// Connections sending at once, one request in flight each.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Largest peak RSS of the server accepted, in MiB. The default allows 100 idle isolates of
    /// about 1.5 MiB each, the runtime itself and the in-flight requests, with room to spare.
    #[arg(long, default_value_t = 256)]
    max_rss_mib: u64,
    /// Longest the run may take, in seconds, after which it stops and fails.
    #[arg(long, default_value_t = 120)]
    timeout_seconds: u64,
}

/// Figures of one run, also written to `target/edgecase/load/report.json`.
#[derive(Debug, Serialize)]
struct Report {
    requests: u64,
    workers: usize,
    concurrency: usize,
    errors: u64,
    seconds: f64,
    requests_per_second: f64,
    latency_p50_ms: f64,
    latency_p99_ms: f64,
    latency_max_ms: f64,
    idle_rss_mib: f64,
    peak_rss_mib: f64,
    max_rss_mib: u64,
}

const HELLO_WORKER: &str = "export default { fetch() { return new Response('Hello World!'); } };\n";

pub fn run(args: &Args) -> anyhow::Result<()> {
    if args.workers == 0 || args.concurrency == 0 || args.requests == 0 {
        bail!("--workers, --concurrency and --requests must each be at least 1");
    }
    let mut build = cargo();
    build.args(["build", "--release", "-p", "edgecase-runtime"]);
    command::run(build)?;

    let out_dir = workspace_root().join("target/edgecase/load");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("failed to create `{}`", out_dir.display()))?;
    let script = out_dir.join("hello.mjs");
    std::fs::write(&script, HELLO_WORKER)
        .with_context(|| format!("failed to write `{}`", script.display()))?;

    let port = free_port()?;
    let binary = workspace_root().join("target/release/edgecase-runtime");
    let mut serve = Command::new(&binary);
    serve
        .arg("serve")
        .arg(&script)
        .args(["--replicas", &args.workers.to_string()])
        .args(["--port", &port.to_string()])
        .env("RUST_LOG", "warn");
    let mut server = Server::spawn(serve, &out_dir.join("server.log"))?;

    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = tokio.block_on(drive(args, &mut server, port));
    server.stop()?;
    let report = result?;

    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(out_dir.join("report.json"), &json)?;
    println!(
        "{} requests to {} workers at concurrency {}: {} errors, {:.0} req/s, p50 {:.2} ms, \
         p99 {:.2} ms, max {:.2} ms; server RSS idle {:.1} MiB, peak {:.1} MiB (bound {} MiB)",
        report.requests,
        report.workers,
        report.concurrency,
        report.errors,
        report.requests_per_second,
        report.latency_p50_ms,
        report.latency_p99_ms,
        report.latency_max_ms,
        report.idle_rss_mib,
        report.peak_rss_mib,
        report.max_rss_mib
    );
    println!("report: {}", out_dir.join("report.json").display());

    if report.errors > 0 {
        bail!(
            "{} of {} requests failed: see target/edgecase/load/server.log",
            report.errors,
            report.requests
        );
    }
    if report.peak_rss_mib > report.max_rss_mib as f64 {
        bail!(
            "peak RSS {:.1} MiB is over the bound of {} MiB",
            report.peak_rss_mib,
            report.max_rss_mib
        );
    }
    Ok(())
}

async fn drive(args: &Args, server: &mut Server, port: u16) -> anyhow::Result<Report> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    wait_until_ready(address, server).await?;
    let pid = server.pid();
    let idle_rss = resident_bytes(pid).unwrap_or(0);

    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let peak = Arc::new(AtomicU64::new(idle_rss));
    let deadline = Instant::now() + Duration::from_secs(args.timeout_seconds);

    let sampler = tokio::spawn({
        let peak = peak.clone();
        async move {
            while Instant::now() < deadline {
                if let Some(rss) = resident_bytes(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let next = next.clone();
        let errors = errors.clone();
        let (total, workers) = (args.requests, args.workers);
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut connection = Connection::open(address).await?;
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= total || Instant::now() >= deadline {
                    break;
                }
                let host = format!("hello-{}.localhost", index as usize % workers + 1);
                let sent = Instant::now();
                match connection.get_from(&host, "/").await {
                    Ok((status, body)) if status == 200 && body == HELLO_BODY => {
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        connection = Connection::open(address).await?;
                    }
                }
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        latencies.extend(joined.context("a load connection panicked")??);
    }
    let seconds = started.elapsed().as_secs_f64();
    sampler.abort();
    if let Some(rss) = resident_bytes(pid) {
        peak.fetch_max(rss, Ordering::Relaxed);
    }

    let sent = next.load(Ordering::Relaxed).min(args.requests);
    let unsent = args.requests - sent;
    latencies.sort_by(f64::total_cmp);
    let mib = |bytes: u64| bytes as f64 / (1 << 20) as f64;
    Ok(Report {
        requests: args.requests,
        workers: args.workers,
        concurrency: args.concurrency,
        errors: errors.load(Ordering::Relaxed) + unsent,
        seconds,
        requests_per_second: latencies.len() as f64 / seconds,
        latency_p50_ms: percentile(&latencies, 50.0),
        latency_p99_ms: percentile(&latencies, 99.0),
        latency_max_ms: latencies.last().copied().unwrap_or(f64::NAN),
        idle_rss_mib: mib(idle_rss),
        peak_rss_mib: mib(peak.load(Ordering::Relaxed)),
        max_rss_mib: args.max_rss_mib,
    })
}

/// Polls the first worker until it answers, for at most 10 seconds.
async fn wait_until_ready(address: SocketAddr, server: &mut Server) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        server.ensure_running()?;
        if let Ok(mut connection) = Connection::open(address).await
            && let Ok((status, _)) = connection.get_from("hello-1.localhost", "/").await
            && status == 200
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bail!("the server on {address} did not answer within 10 s: see target/edgecase/load/server.log")
}
