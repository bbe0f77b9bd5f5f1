//! The HTTP load generator that measures every runtime: keep-alive HTTP/1.1 connections from
//! hyper's client, each sending `GET /` one request after another, for a fixed time and at most
//! a fixed number of requests. It runs on the caller's tokio runtime, which for `cargo xtask
//! bench` is a current-thread runtime, so the generator uses one core as `wrk -t1` would.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::{SendRequest, handshake};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use super::stats;

/// The body every hello worker sends.
pub const HELLO_BODY: &str = "Hello World!";

/// Failed requests after which one connection gives up; the run then reports the errors.
const MAX_ERRORS_PER_CONNECTION: u64 = 100;

/// One keep-alive HTTP/1.1 connection to a server on 127.0.0.1.
pub struct Connection {
    host: String,
    sender: SendRequest<Empty<Bytes>>,
}

impl Connection {
    /// Connects to `address`, which must be a loopback address.
    pub async fn open(address: SocketAddr) -> anyhow::Result<Connection> {
        if !address.ip().is_loopback() {
            bail!(
                "invalid load target {address}: the load generator sends only to loopback addresses"
            );
        }
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = handshake(TokioIo::new(stream)).await?;
        // The connection task ends when the sender is dropped or the server closes.
        tokio::spawn(connection);
        Ok(Connection {
            host: address.to_string(),
            sender,
        })
    }

    /// Sends `GET path` and returns the status and the whole body.
    pub async fn get(&mut self, path: &str) -> anyhow::Result<(http::StatusCode, Bytes)> {
        let host = self.host.clone();
        self.get_from(&host, path).await
    }

    /// Sends `GET path` with the given `Host` header, which picks the worker on a server that
    /// routes by host.
    pub async fn get_from(
        &mut self,
        host: &str,
        path: &str,
    ) -> anyhow::Result<(http::StatusCode, Bytes)> {
        let request = http::Request::get(path)
            .header(http::header::HOST, host)
            .body(Empty::new())
            .context("invalid request path")?;
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// How much load to send.
#[derive(Clone, Copy, Debug)]
pub struct LoadOptions {
    /// Connections, each with one request in flight at a time.
    pub connections: usize,
    /// Time after which no connection starts another request.
    pub duration: Duration,
    /// Requests after which no connection starts another, across all connections.
    pub max_requests: u64,
}

/// Figures of one load run. Latencies are in microseconds, over successful requests.
#[derive(Clone, Debug, Serialize)]
pub struct LoadResult {
    pub connections: usize,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub latency_p50_us: f64,
    pub latency_p90_us: f64,
    pub latency_p99_us: f64,
    pub latency_max_us: f64,
}

/// Sends `GET /` to `address` on `options.connections` connections until the duration or the
/// request count runs out, and checks that every response is 200 with the hello body.
pub async fn generate(address: SocketAddr, options: LoadOptions) -> anyhow::Result<LoadResult> {
    let mut connections = Vec::with_capacity(options.connections);
    for _ in 0..options.connections {
        let connection = Connection::open(address)
            .await
            .with_context(|| format!("failed to connect to {address}"))?;
        connections.push(connection);
    }

    let started = Instant::now();
    let deadline = started + options.duration;
    let issued = Arc::new(AtomicU64::new(0));
    let mut tasks = JoinSet::new();
    for connection in connections {
        let issued = issued.clone();
        tasks.spawn(drive(
            connection,
            address,
            deadline,
            options.max_requests,
            issued,
        ));
    }

    let mut latencies_ns = Vec::new();
    let mut errors = 0;
    while let Some(done) = tasks.join_next().await {
        let outcome = done.context("a load connection panicked")?;
        latencies_ns.extend(outcome.latencies_ns);
        errors += outcome.errors;
    }
    let seconds = started.elapsed().as_secs_f64();

    latencies_ns.sort_unstable();
    let micros: Vec<f64> = latencies_ns.iter().map(|ns| *ns as f64 / 1e3).collect();
    let requests = micros.len() as u64;
    if requests == 0 {
        bail!("no request to {address} succeeded ({errors} failed)");
    }
    Ok(LoadResult {
        connections: options.connections,
        requests,
        errors,
        seconds,
        requests_per_second: requests as f64 / seconds,
        latency_p50_us: stats::percentile(&micros, 50.0),
        latency_p90_us: stats::percentile(&micros, 90.0),
        latency_p99_us: stats::percentile(&micros, 99.0),
        latency_max_us: micros.last().copied().unwrap_or_default(),
    })
}

struct Outcome {
    latencies_ns: Vec<u64>,
    errors: u64,
}

/// Runs one connection's request loop. A failed request counts as an error, and the loop
/// reconnects after a connection error.
async fn drive(
    mut connection: Connection,
    address: SocketAddr,
    deadline: Instant,
    max_requests: u64,
    issued: Arc<AtomicU64>,
) -> Outcome {
    let mut outcome = Outcome {
        latencies_ns: Vec::with_capacity(1 << 16),
        errors: 0,
    };
    while Instant::now() < deadline
        && issued.fetch_add(1, Ordering::Relaxed) < max_requests
        && outcome.errors < MAX_ERRORS_PER_CONNECTION
    {
        let sent = Instant::now();
        match connection.get("/").await {
            Ok((status, body)) if status == http::StatusCode::OK && body == HELLO_BODY => {
                outcome.latencies_ns.push(sent.elapsed().as_nanos() as u64);
            }
            Ok(_) => outcome.errors += 1,
            Err(_) => {
                outcome.errors += 1;
                match Connection::open(address).await {
                    Ok(fresh) => connection = fresh,
                    Err(_) => break,
                }
            }
        }
    }
    outcome
}
