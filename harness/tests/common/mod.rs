//! A small HTTP server on 127.0.0.1 for tests of the HTTP-based targets.
//!
//! Each route responds with a fixed shape:
//!
//! - `/hello`: `hello` as text.
//! - `/echo`: JSON with the method, path, query, `x-` headers and body of the request.
//! - `/count`: the number of requests the server has received so far.
//! - `/binary`: two bytes that are not UTF-8.
//! - `/status/N`: status N.
//! - `/redirect`: 302 to `/hello`.
//! - `/slow`: `late`, after two seconds.
//! - any other path: 404, with the path in the body and in `x-path`.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// A running test server, which stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    hits: Arc<AtomicU64>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts the server on a free port of 127.0.0.1, on its own thread and tokio runtime.
    pub fn start() -> TestServer {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicU64::new(0));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();

        let server_hits = hits.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(serve(listener, server_hits, stopped));
        });

        TestServer {
            addr,
            hits,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Returns `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Returns how many requests the server has received.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    hits: Arc<AtomicU64>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stopped => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let hits = hits.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| respond(request, hits.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn respond(
    request: hyper::Request<Incoming>,
    hits: Arc<AtomicU64>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let count = hits.fetch_add(1, Ordering::SeqCst) + 1;
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_string();

    let response = hyper::Response::builder();
    let response = match path.as_str() {
        "/hello" => response
            .header("content-type", "text/plain;charset=UTF-8")
            .body(Full::new(Bytes::from_static(b"hello"))),
        "/echo" => {
            let headers: serde_json::Map<String, serde_json::Value> = parts
                .headers
                .iter()
                .filter(|(name, _)| name.as_str().starts_with("x-") || *name == "content-type")
                .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").into()))
                .collect();
            let echo = serde_json::json!({
                "method": parts.method.as_str(),
                "path": path,
                "query": parts.uri.query(),
                "headers": headers,
                "body": String::from_utf8_lossy(&body),
            });
            response
                .header("content-type", "application/json")
                .header("x-repeat", "a")
                .header("x-repeat", "b")
                .body(Full::new(Bytes::from(echo.to_string())))
        }
        "/count" => response.body(Full::new(Bytes::from(count.to_string()))),
        "/binary" => response.body(Full::new(Bytes::from_static(&[0xff, 0x00]))),
        "/redirect" => response
            .status(302)
            .header("location", "/hello")
            .body(Full::new(Bytes::new())),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            response.body(Full::new(Bytes::from_static(b"late")))
        }
        other => match other
            .strip_prefix("/status/")
            .and_then(|n| n.parse::<u16>().ok())
        {
            Some(status) => response.status(status).body(Full::new(Bytes::new())),
            None => response
                .status(404)
                .header("x-path", other)
                .body(Full::new(Bytes::from(other.to_string()))),
        },
    };
    Ok(response.unwrap())
}
