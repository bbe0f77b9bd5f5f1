//! The HTTP front end: serves one worker of a [`Runtime`] on a TCP listener with hyper.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::Runtime;
use crate::body::Body;

/// Settings of the HTTP front end.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Largest request body accepted, in bytes; a larger one gets 413.
    pub max_body_bytes: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_body_bytes: 100 << 20,
        }
    }
}

/// Accepts connections until the listener fails, sending every request to `worker`.
pub async fn serve(
    listener: TcpListener,
    runtime: Runtime,
    worker: String,
    options: ServeOptions,
) -> std::io::Result<()> {
    let shared = Arc::new(Shared {
        runtime,
        worker,
        options,
        next_connection: AtomicU64::new(1),
    });
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Running out of file descriptors is temporary; anything else ends the server.
                tracing::warn!(%error, "failed to accept a connection");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let shared = shared.clone();
        let connection = shared.next_connection.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(shared.handle(request, peer).await) }
            });
            if let Err(error) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(connection, %peer, %error, "connection ended with an error");
            }
        });
    }
}

struct Shared {
    runtime: Runtime,
    worker: String,
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

        let request = http::Request::from_parts(parts, body);
        match self.runtime.fetch(&self.worker, request).await {
            Ok(response) => response,
            Err(error) => {
                tracing::error!(worker = %self.worker, %error, "request failed inside the runtime");
                plain(http::StatusCode::INTERNAL_SERVER_ERROR, String::new())
            }
        }
    }
}

fn plain(status: http::StatusCode, message: String) -> http::Response<Body> {
    crate::engine::status_response(status, Bytes::from(message))
}
