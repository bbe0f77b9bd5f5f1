//! Requests over loopback through the reference runtime's HTTP server, started in process on a
//! 127.0.0.1 port that the OS picks, from a hyper client on one keep-alive connection.
//!
//! Each sample opens a fresh connection, then times its requests one after another, so the
//! figure is the latency of one request on a warm connection: client, TCP loopback, hyper
//! server, `Runtime::fetch` and back.

// criterion_group! and criterion_main! generate undocumented public items.
#![allow(missing_docs)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use edgecase_benches::{ECHO_MODULE, HELLO_MODULE, payload};
use edgecase_runtime::serve::{ServeOptions, serve};
use edgecase_runtime::{Runtime, RuntimeConfig, Syntax, WorkerSpec};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{SendRequest, handshake};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

/// One keep-alive HTTP/1.1 connection to a server on loopback.
struct Connection {
    address: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    async fn open(address: SocketAddr) -> Connection {
        let stream = TcpStream::connect(address)
            .await
            .expect("server accepts connections");
        stream.set_nodelay(true).expect("TCP_NODELAY can be set");
        let (sender, connection) = handshake(TokioIo::new(stream))
            .await
            .expect("HTTP/1.1 handshake succeeds");
        tokio::spawn(connection);
        Connection { address, sender }
    }

    /// Sends one request and returns the whole response body.
    async fn send(&mut self, method: http::Method, body: Bytes) -> Bytes {
        let request = http::Request::builder()
            .method(method)
            .uri("/")
            .header(http::header::HOST, self.address.to_string())
            .body(Full::new(body))
            .expect("static request is valid");
        self.sender.ready().await.expect("connection stays open");
        let response = self
            .sender
            .send_request(request)
            .await
            .expect("request gets a response");
        assert_eq!(response.status(), 200);
        response
            .into_body()
            .collect()
            .await
            .expect("response body is read")
            .to_bytes()
    }
}

/// Serves `script` on a fresh 127.0.0.1 port and returns the address.
fn start_server(tokio: &tokio::runtime::Runtime, name: &str, script: &str) -> SocketAddr {
    tokio.block_on(async {
        let runtime = Runtime::new(RuntimeConfig {
            threads: 1,
            ..RuntimeConfig::default()
        })
        .expect("runtime starts");
        let spec = WorkerSpec::new(name, script).with_syntax(Syntax::Module);
        runtime.add_worker(spec).await.expect("worker starts");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let address = listener.local_addr().expect("listener has an address");
        tokio::spawn(serve(
            listener,
            runtime,
            name.to_string(),
            ServeOptions::default(),
        ));
        address
    })
}

async fn time_requests(
    address: SocketAddr,
    method: http::Method,
    body: Bytes,
    iters: u64,
) -> Duration {
    let mut connection = Connection::open(address).await;
    let expected = connection.send(method.clone(), body.clone()).await;
    let started = Instant::now();
    for _ in 0..iters {
        let received = connection.send(method.clone(), body.clone()).await;
        debug_assert_eq!(received, expected);
    }
    started.elapsed()
}

fn http_request(c: &mut Criterion) {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio starts");
    let hello = start_server(&tokio, "hello", HELLO_MODULE);
    let echo = start_server(&tokio, "echo", ECHO_MODULE);
    let first = tokio.block_on(async {
        let mut connection = Connection::open(hello).await;
        connection.send(http::Method::GET, Bytes::new()).await
    });
    assert_eq!(first, "Hello World!");

    let mut group = c.benchmark_group("http_request");
    group.bench_function("hello_keep_alive", |b| {
        b.to_async(&tokio)
            .iter_custom(|iters| time_requests(hello, http::Method::GET, Bytes::new(), iters))
    });
    let body = payload(1024);
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("echo_1kb_keep_alive", |b| {
        b.to_async(&tokio)
            .iter_custom(|iters| time_requests(echo, http::Method::POST, body.clone(), iters))
    });
    group.finish();
}

criterion_group!(benches, http_request);
criterion_main!(benches);
