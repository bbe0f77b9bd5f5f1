//! The HTTP front end: serves the workers of a [`Runtime`] on a TCP listener with hyper. One
//! worker takes every request; several are chosen by the first label of the `Host` header, as
//! `NAME.localhost` names worker `NAME`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::Runtime;
use crate::body::Body;

/// Settings of the HTTP front end.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Largest request body accepted, in bytes; a larger one gets 413 (Workers: 100 MB on the
    /// Free and Pro plans).
    pub max_body_bytes: usize,
    /// Largest request line plus headers, in bytes; a larger one gets 431 (Workers: 128 KB).
    pub max_header_bytes: usize,
    /// Maximum wait for a client to send its request head. A slower client is disconnected.
    pub header_read_timeout: Duration,
    /// Maximum wait, after a shutdown signal, for in-flight requests and `waitUntil` tasks.
    pub shutdown_grace: Duration,
    /// Lets the worker's `fetch()` reach this server's own address; off by default, so a
    /// worker cannot loop through the front door.
    pub allow_self_fetch: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_body_bytes: 100 << 20,
            max_header_bytes: 128 << 10,
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
            allow_self_fetch: false,
        }
    }
}

/// Counts reported when the server stops.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Connections accepted over the server's life.
    pub connections: u64,
    /// Connections still open when the grace period ran out.
    pub abandoned_connections: usize,
    /// True when the worker's in-flight events and `waitUntil` tasks settled in time.
    pub drained: bool,
}

/// Accepts connections and sends every request to `worker` until the listener fails.
pub async fn serve(
    listener: TcpListener,
    runtime: Runtime,
    worker: String,
    options: ServeOptions,
) -> std::io::Result<()> {
    serve_until(listener, runtime, worker, options, std::future::pending()).await?;
    Ok(())
}

/// Serves like [`serve`] until `shutdown` completes, then stops accepting, lets open
/// connections finish their requests and lets the worker's `waitUntil` tasks settle, each
/// within [`ServeOptions::shutdown_grace`].
pub async fn serve_until(
    listener: TcpListener,
    runtime: Runtime,
    worker: String,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<ShutdownReport> {
    let router = WorkerRouter::single(worker);
    serve_workers_until(listener, runtime, router, options, shutdown).await
}

/// Which worker serves a request.
#[derive(Clone, Debug)]
pub struct WorkerRouter {
    names: Vec<String>,
}

impl WorkerRouter {
    /// Sends every request to one worker.
    pub fn single(name: impl Into<String>) -> Self {
        WorkerRouter {
            names: vec![name.into()],
        }
    }

    /// Chooses among several workers by the first label of the `Host` header.
    pub fn by_host(names: Vec<String>) -> Self {
        WorkerRouter { names }
    }

    /// Names of the routed workers.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Returns the worker for a request to `host`, or the reason none matches.
    fn route(&self, host: &str) -> Result<&str, String> {
        if let [only] = self.names.as_slice() {
            return Ok(only);
        }
        let label = host.split(['.', ':']).next().unwrap_or_default();
        self.names
            .iter()
            .find(|name| name.eq_ignore_ascii_case(label))
            .map(String::as_str)
            .ok_or_else(|| {
                format!(
                    "no worker named `{label}` (from Host `{host}`): send Host NAME.localhost, \
                     where NAME is one of {}\n",
                    self.names.join(", ")
                )
            })
    }
}

/// Serves several workers like [`serve_until`], routing each request with `router`.
pub async fn serve_workers_until(
    listener: TcpListener,
    runtime: Runtime,
    router: WorkerRouter,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<ShutdownReport> {
    let grace = options.shutdown_grace;
    if !options.allow_self_fetch {
        runtime.block_outbound(listener.local_addr()?);
    }
    let shared = Arc::new(Shared {
        runtime,
        router,
        options,
        next_connection: AtomicU64::new(1),
    });
    let connections = GracefulShutdown::new();
    tokio::pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Running out of file descriptors is temporary, so wait and go on.
                    tracing::warn!(%error, "failed to accept a connection");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(shared.options.header_read_timeout)
            .max_buf_size(shared.options.max_header_bytes.max(MIN_BUFFER_BYTES))
            .serve_connection(TokioIo::new(stream), Service::new(shared.clone(), peer));
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(connection = id, %peer, %error, "connection ended with an error");
            }
        });
    }

    let accepted = shared.next_connection.load(Ordering::Relaxed) - 1;
    let open = connections.count();
    tracing::info!(
        connections = accepted,
        open,
        grace_ms = grace.as_millis() as u64,
        "shutting down: no new connections, waiting for open ones"
    );
    let deadline = tokio::time::Instant::now() + grace;
    let abandoned = match tokio::time::timeout_at(deadline, connections.shutdown()).await {
        Ok(()) => 0,
        Err(_) => open,
    };
    let drain_all = async {
        for name in shared.router.names() {
            shared.runtime.evict(name).await?;
        }
        Ok::<(), crate::Error>(())
    };
    let drained = tokio::time::timeout_at(deadline, drain_all)
        .await
        .is_ok_and(|result| result.is_ok());
    let report = ShutdownReport {
        connections: accepted,
        abandoned_connections: abandoned,
        drained,
    };
    tracing::info!(connections = accepted, abandoned, drained, "server stopped");
    Ok(report)
}

/// hyper rejects a read buffer smaller than this, in bytes.
const MIN_BUFFER_BYTES: usize = 8192;

/// The per-connection service: each request goes to the worker.
#[derive(Clone)]
struct Service {
    shared: Arc<Shared>,
    peer: SocketAddr,
}

impl Service {
    fn new(shared: Arc<Shared>, peer: SocketAddr) -> Self {
        Service { shared, peer }
    }
}

impl hyper::service::Service<http::Request<Incoming>> for Service {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future =
        std::pin::Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: http::Request<Incoming>) -> Self::Future {
        let shared = self.shared.clone();
        let peer = self.peer;
        Box::pin(async move { Ok(shared.handle(request, peer).await) })
    }
}

struct Shared {
    runtime: Runtime,
    router: WorkerRouter,
    options: ServeOptions,
    next_connection: AtomicU64,
}

impl Shared {
    async fn handle(
        &self,
        request: http::Request<Incoming>,
        peer: SocketAddr,
    ) -> http::Response<Body> {
        let (mut parts, body) = request.into_parts();
        let body = match Limited::new(body, self.options.max_body_bytes)
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(error) => {
                let too_large = error
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some();
                if too_large {
                    let message = format!(
                        "request body is larger than the limit of {} bytes\n",
                        self.options.max_body_bytes
                    );
                    return plain(http::StatusCode::PAYLOAD_TOO_LARGE, message);
                }
                tracing::debug!(%peer, %error, "failed to read the request body");
                return plain(
                    http::StatusCode::BAD_REQUEST,
                    "failed to read the request body\n".into(),
                );
            }
        };

        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| peer.to_string());
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        match format!("http://{host}{path}").parse() {
            Ok(uri) => parts.uri = uri,
            Err(_) => {
                return plain(
                    http::StatusCode::BAD_REQUEST,
                    format!("invalid Host header `{host}`\n"),
                );
            }
        }

        let worker = match self.router.route(&host) {
            Ok(worker) => worker,
            Err(message) => return plain(http::StatusCode::NOT_FOUND, message),
        };
        let request = http::Request::from_parts(parts, body);
        match self.runtime.fetch(worker, request).await {
            Ok(response) => response,
            Err(error) => {
                tracing::error!(worker, %error, "request failed inside the runtime");
                plain(http::StatusCode::INTERNAL_SERVER_ERROR, String::new())
            }
        }
    }
}

fn plain(status: http::StatusCode, message: String) -> http::Response<Body> {
    crate::engine::status_response(status, Bytes::from(message))
}
