//! The HTTP front end over real loopback sockets: malformed and oversized requests, slow
//! clients, and graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use edgecase_runtime::serve::{ServeOptions, ShutdownReport, serve_until};
use edgecase_runtime::{Runtime, RuntimeConfig, Syntax, WorkerSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

struct Server {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<ShutdownReport>>,
}

impl Server {
    async fn start(script: &str, options: ServeOptions) -> Server {
        let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime starts");
        let spec = WorkerSpec::new("served", script).with_syntax(Syntax::Module);
        runtime.add_worker(spec).await.expect("worker starts");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_until(
            listener,
            runtime,
            "served".into(),
            options,
            async move {
                let _ = stopped.await;
            },
        ));
        Server {
            address,
            stop: Some(stop),
            task,
        }
    }

    async fn stop(mut self) -> ShutdownReport {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("server stops within its grace period")
            .unwrap()
            .unwrap()
    }
}

const HELLO: &str = "export default { fetch() { return new Response('hello'); } };";

/// Sends raw bytes and returns everything the server sends back before closing, bounded in time.
async fn exchange(address: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response)).await;
    String::from_utf8_lossy(&response).into_owned()
}

fn status_line(response: &str) -> &str {
    response.lines().next().unwrap_or("")
}

#[tokio::test]
async fn malformed_request_gets_400() {
    let server = Server::start(HELLO, ServeOptions::default()).await;

    let response = exchange(server.address, b"NOT HTTP AT ALL\r\n\r\n").await;
    assert!(status_line(&response).contains("400"), "{response}");

    let valid = exchange(
        server.address,
        b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(status_line(&valid).contains("200"), "{valid}");
    server.stop().await;
}

#[tokio::test]
async fn oversized_headers_get_431() {
    let options = ServeOptions {
        max_header_bytes: 16 * 1024,
        ..ServeOptions::default()
    };
    let server = Server::start(HELLO, options).await;

    let big = "a".repeat(64 * 1024);
    let request = format!("GET / HTTP/1.1\r\nhost: x\r\nx-big: {big}\r\n\r\n");
    let response = exchange(server.address, request.as_bytes()).await;
    assert!(
        status_line(&response).contains("431"),
        "{}",
        status_line(&response)
    );
    server.stop().await;
}

#[tokio::test]
async fn oversized_body_gets_413() {
    let options = ServeOptions {
        max_body_bytes: 1024,
        ..ServeOptions::default()
    };
    let echo = "export default { async fetch(r) { return new Response(await r.text()); } };";
    let server = Server::start(echo, options).await;

    let body = "b".repeat(4096);
    let request = format!(
        "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let response = exchange(server.address, request.as_bytes()).await;
    assert!(status_line(&response).contains("413"), "{response}");

    let small = "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\nconnection: close\r\n\r\nping";
    let response = exchange(server.address, small.as_bytes()).await;
    assert!(response.ends_with("ping"), "{response}");
    server.stop().await;
}

#[tokio::test]
async fn slow_client_is_disconnected() {
    let options = ServeOptions {
        header_read_timeout: Duration::from_millis(300),
        ..ServeOptions::default()
    };
    let server = Server::start(HELLO, options).await;

    let mut stream = TcpStream::connect(server.address).await.unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nhost:").await.unwrap();
    let mut response = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response)).await;
    assert!(read.is_ok(), "the server kept a stalled client open");

    let valid = exchange(
        server.address,
        b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(status_line(&valid).contains("200"), "{valid}");
    server.stop().await;
}

#[tokio::test]
async fn shutdown_waits_for_wait_until_tasks() {
    let script = r#"
        let finished = false;
        export default { fetch(request, env, ctx) {
            ctx.waitUntil(new Promise((resolve) => setTimeout(() => { finished = true; resolve(); }, 300)));
            return new Response("accepted");
        } };
    "#;
    let server = Server::start(script, ServeOptions::default()).await;

    let response = exchange(
        server.address,
        b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(response.ends_with("accepted"), "{response}");
    let report = server.stop().await;

    assert!(report.drained, "{report:?}");
    assert_eq!(report.connections, 1);
    assert_eq!(report.abandoned_connections, 0);
}

#[tokio::test]
async fn shutdown_gives_up_after_the_grace_period() {
    let script = r#"export default { fetch(request, env, ctx) {
        ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 60000)));
        return new Response("accepted");
    } };"#;
    let options = ServeOptions {
        shutdown_grace: Duration::from_millis(200),
        ..ServeOptions::default()
    };
    let server = Server::start(script, options).await;

    let response = exchange(
        server.address,
        b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(response.ends_with("accepted"), "{response}");
    let report = server.stop().await;
    assert!(!report.drained, "{report:?}");
}

#[tokio::test]
async fn worker_cannot_fetch_its_own_server() {
    let script = r#"export default { async fetch(request) {
        const url = new URL(request.url);
        if (url.pathname === "/inner") return new Response("inner");
        const target = `http://${url.searchParams.get("host")}/inner`;
        try {
            const response = await fetch(target);
            return new Response("reached " + await response.text());
        } catch (error) {
            return new Response("blocked: " + error.message);
        }
    } };"#;
    let server = Server::start(script, ServeOptions::default()).await;

    for host in [
        format!("127.0.0.1:{}", server.address.port()),
        format!("localhost:{}", server.address.port()),
    ] {
        let request =
            format!("GET /outer?host={host} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
        let response = exchange(server.address, request.as_bytes()).await;
        assert!(response.contains("blocked: fetch to"), "{host}: {response}");
    }
    server.stop().await;
}

#[tokio::test]
async fn several_workers_route_by_host() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    for name in ["alpha", "beta"] {
        let script = format!("export default {{ fetch() {{ return new Response('{name}'); }} }};");
        let spec = WorkerSpec::new(name, script).with_syntax(Syntax::Module);
        runtime.add_worker(spec).await.unwrap();
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router =
        edgecase_runtime::serve::WorkerRouter::by_host(vec!["alpha".into(), "beta".into()]);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(edgecase_runtime::serve::serve_workers_until(
        listener,
        runtime,
        router,
        ServeOptions::default(),
        async move {
            let _ = stopped.await;
        },
    ));

    for (host, expected) in [
        ("alpha.localhost", "alpha"),
        ("BETA.localhost:8787", "beta"),
    ] {
        let request = format!("GET / HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
        let response = exchange(address, request.as_bytes()).await;
        assert!(response.ends_with(expected), "{host}: {response}");
    }
    let unknown = exchange(
        address,
        b"GET / HTTP/1.1\r\nhost: gamma.localhost\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(status_line(&unknown).contains("404"), "{unknown}");
    assert!(unknown.contains("alpha, beta"), "{unknown}");

    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn client_disconnect_cancels_the_stream() {
    let script = r#"
        let cancelled = "no";
        export default { fetch(request) {
            if (new URL(request.url).pathname === "/status") return new Response(cancelled);
            let sent = 0;
            const stream = new ReadableStream({
                async pull(controller) {
                    await new Promise((resolve) => setTimeout(resolve, 20));
                    controller.enqueue(new TextEncoder().encode(`chunk ${sent++}\n`));
                },
                cancel(reason) { cancelled = "yes: " + (reason && reason.name); },
            });
            return new Response(stream);
        } };
    "#;
    let server = Server::start(script, ServeOptions::default()).await;

    let mut stream = TcpStream::connect(server.address).await.unwrap();
    stream
        .write_all(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut head = vec![0u8; 256];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut head))
        .await
        .expect("the stream starts")
        .unwrap();
    let head = String::from_utf8_lossy(&head[..read]).into_owned();
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    drop(stream);

    let mut status = String::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        status = exchange(
            server.address,
            b"GET /status HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
        )
        .await;
        if status.contains("yes") {
            break;
        }
    }
    assert!(status.contains("yes: AbortError"), "{status}");
    server.stop().await;
}
