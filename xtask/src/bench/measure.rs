//! The side-by-side measurements of one runtime process: start to first response, idle RSS,
//! and hello-world throughput and latency under load.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use super::ceiling::HelloServer;
use super::launch::Prepared;
use super::load::{self, Connection, LoadOptions, LoadResult};
use super::process::{Server, free_port};
use super::stats;

/// How long and how often each measurement runs.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    /// Timed process starts per runtime, after one untimed start that warms the page cache.
    pub startup_runs: usize,
    /// Pause between two `GET /` attempts while a server starts, in ms.
    pub poll_interval_ms: u64,
    /// Time a server may take to send its first response, in ms.
    pub startup_timeout_ms: u64,
    /// Wait between the first response and the idle RSS reading, in ms.
    pub idle_wait_ms: u64,
    /// Untimed load at the highest connection count before the timed runs, in ms.
    pub warm_up_ms: u64,
    /// Length of each timed load run, in ms.
    pub load_ms: u64,
    /// Connection counts of the timed load runs.
    pub connections: Vec<usize>,
    /// Request cap of each load run, across its connections.
    pub max_requests: u64,
}

impl Settings {
    /// Settings of a full run.
    pub fn full() -> Settings {
        Settings {
            startup_runs: 30,
            poll_interval_ms: 3,
            startup_timeout_ms: 20_000,
            idle_wait_ms: 1_500,
            warm_up_ms: 1_000,
            load_ms: 5_000,
            connections: vec![1, 32],
            max_requests: 5_000_000,
        }
    }

    /// Settings of `--quick`: the same startup count, shorter load runs.
    pub fn quick() -> Settings {
        Settings {
            startup_runs: 20,
            idle_wait_ms: 1_000,
            warm_up_ms: 500,
            load_ms: 2_000,
            ..Settings::full()
        }
    }
}

/// Process start to first response, in milliseconds.
#[derive(Clone, Debug, Serialize)]
pub struct StartupFigures {
    pub runs: usize,
    pub median_ms: f64,
    pub p90_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    /// Every timed run in order.
    pub samples_ms: Vec<f64>,
}

/// Memory and load figures of one server process.
#[derive(Clone, Debug, Serialize)]
pub struct ServeFigures {
    /// Summed RSS of the process tree, read `idle_wait_ms` after the first response.
    pub idle_rss_bytes: u64,
    /// Processes in the tree at that moment.
    pub processes: usize,
    /// Summed RSS of the process tree right after the last load run.
    pub rss_after_load_bytes: u64,
    /// One result per connection count.
    pub load: Vec<LoadResult>,
}

/// Starts the runtime `settings.startup_runs + 1` times and times each start to its first
/// response; the first start is not counted.
pub async fn measure_startup(
    runtime: &Prepared,
    settings: &Settings,
    log: &Path,
) -> anyhow::Result<StartupFigures> {
    let mut samples_ms = Vec::with_capacity(settings.startup_runs);
    for run in 0..=settings.startup_runs {
        let (mut server, elapsed, _) = start_server(runtime, settings, log).await?;
        server.stop()?;
        if run > 0 {
            samples_ms.push(elapsed.as_secs_f64() * 1e3);
        }
    }
    let mut sorted = samples_ms.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(StartupFigures {
        runs: samples_ms.len(),
        median_ms: stats::median(&samples_ms),
        p90_ms: stats::percentile(&sorted, 90.0),
        min_ms: sorted.first().copied().unwrap_or(f64::NAN),
        max_ms: sorted.last().copied().unwrap_or(f64::NAN),
        samples_ms,
    })
}

/// Starts the runtime once, reads its idle RSS, then runs the load at each connection count.
pub async fn measure_serving(
    runtime: &Prepared,
    settings: &Settings,
    log: &Path,
) -> anyhow::Result<ServeFigures> {
    let (mut server, _, address) = start_server(runtime, settings, log).await?;
    tokio::time::sleep(Duration::from_millis(settings.idle_wait_ms)).await;
    let (idle_rss_bytes, processes) = server.tree_rss()?;

    let warm_up = LoadOptions {
        connections: settings.connections.iter().copied().max().unwrap_or(1),
        duration: Duration::from_millis(settings.warm_up_ms),
        max_requests: settings.max_requests,
    };
    load::generate(address, warm_up)
        .await
        .context("warm-up load failed")?;

    let mut results = Vec::with_capacity(settings.connections.len());
    for &connections in &settings.connections {
        let options = LoadOptions {
            connections,
            duration: Duration::from_millis(settings.load_ms),
            max_requests: settings.max_requests,
        };
        let result = load::generate(address, options)
            .await
            .with_context(|| format!("load at {connections} connections failed"))?;
        results.push(result);
    }
    server.ensure_running()?;
    let (rss_after_load_bytes, _) = server.tree_rss()?;
    server.stop()?;
    Ok(ServeFigures {
        idle_rss_bytes,
        processes,
        rss_after_load_bytes,
        load: results,
    })
}

/// Runs the load at each connection count against a minimal hyper server in this process, which
/// shows the highest rate the load generator reaches on this machine.
pub async fn measure_ceiling(settings: &Settings) -> anyhow::Result<Vec<LoadResult>> {
    let server = HelloServer::start()?;
    let mut results = Vec::with_capacity(settings.connections.len());
    for &connections in &settings.connections {
        let options = LoadOptions {
            connections,
            duration: Duration::from_millis(settings.load_ms),
            max_requests: settings.max_requests,
        };
        let result = load::generate(server.address, options)
            .await
            .with_context(|| {
                format!("load on the in-process hello server at {connections} connections failed")
            })?;
        results.push(result);
    }
    Ok(results)
}

/// Spawns the runtime on a free loopback port and polls `GET /` until the hello body arrives.
/// Returns the server, the time from just before the spawn to that response, and its address.
async fn start_server(
    runtime: &Prepared,
    settings: &Settings,
    log: &Path,
) -> anyhow::Result<(Server, Duration, SocketAddr)> {
    let port = free_port()?;
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let command = runtime.command(port)?;
    let timeout = Duration::from_millis(settings.startup_timeout_ms);
    let poll_interval = Duration::from_millis(settings.poll_interval_ms);

    let started = Instant::now();
    let mut server = Server::spawn(command, log)?;
    let deadline = started + timeout;
    let mut last_answer = "no connection was accepted".to_string();
    loop {
        server.ensure_running()?;
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            bail!(
                "{} sent no hello response on {address} within {timeout:?} ({last_answer}); \
                 its output is in `{}`",
                runtime.name,
                log.display()
            );
        }
        // A server that accepted the connection responds as soon as it is ready, so a pending
        // attempt may wait until the deadline.
        match tokio::time::timeout(remaining, get_root(address)).await {
            Ok(Ok((status, body)))
                if status == http::StatusCode::OK && body == load::HELLO_BODY =>
            {
                return Ok((server, started.elapsed(), address));
            }
            Ok(Ok((status, body))) => {
                let body = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
                last_answer = format!("the last answer was {status} {body:?}");
            }
            Ok(Err(_)) | Err(_) => {}
        }
        tokio::time::sleep(poll_interval).await;
    }
}

async fn get_root(address: SocketAddr) -> anyhow::Result<(http::StatusCode, bytes::Bytes)> {
    let mut connection = Connection::open(address).await?;
    connection.get("/").await
}
