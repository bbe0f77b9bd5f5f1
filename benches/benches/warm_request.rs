//! One request to a warm isolate, in process: the hello worker, a POST body echoed back at 1 KB
//! and 64 KB, and a JSON round trip through `request.json()` and `Response.json`.
//!
//! Each iteration builds the request, sends it through `Runtime::fetch` to the isolate thread
//! and reads the whole response body, so the figure includes the hop between threads.
//! `channel_round_trip` times that hop alone: a crossbeam channel to a thread blocked on it and
//! a tokio oneshot back, as `Runtime::fetch` uses them, with no JS on the other side.

// criterion_group! and criterion_main! generate undocumented public items.
#![allow(missing_docs)]

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use edgecase_benches::{ECHO_MODULE, HELLO_MODULE, JSON_DOCUMENT, JSON_MODULE, get, payload, post};
use edgecase_runtime::{Runtime, RuntimeConfig, Syntax, WorkerSpec};
use tokio::sync::oneshot;

async fn send(runtime: &Runtime, worker: &str, request: http::Request<Bytes>) -> Bytes {
    let response = runtime
        .fetch(worker, request)
        .await
        .expect("request gets a response");
    assert_eq!(response.status(), 200, "worker `{worker}` failed");
    response.into_body().collect().await
}

fn warm_request(c: &mut Criterion) {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio starts");
    let runtime = Runtime::new(RuntimeConfig {
        threads: 1,
        ..RuntimeConfig::default()
    })
    .expect("runtime starts");
    tokio.block_on(async {
        for (name, script) in [
            ("hello", HELLO_MODULE),
            ("echo", ECHO_MODULE),
            ("json", JSON_MODULE),
        ] {
            let spec = WorkerSpec::new(name, script).with_syntax(Syntax::Module);
            runtime.add_worker(spec).await.expect("worker starts");
        }

        // Check each worker once, so a broken fixture fails before any timing starts.
        assert_eq!(send(&runtime, "hello", get("/")).await, "Hello World!");
        let small = payload(1024);
        let echoed = send(&runtime, "echo", post("/", "text/plain", small.clone())).await;
        assert_eq!(echoed, small);
        let document = Bytes::from_static(JSON_DOCUMENT.as_bytes());
        let round_trip = send(&runtime, "json", post("/", "application/json", document)).await;
        assert_eq!(round_trip, JSON_DOCUMENT);
    });

    let mut group = c.benchmark_group("warm_request");
    group.bench_function("hello", |b| {
        b.to_async(&tokio)
            .iter(|| send(&runtime, "hello", get("/")))
    });

    let (commands, receiver) = crossbeam_channel::unbounded::<oneshot::Sender<()>>();
    std::thread::spawn(move || {
        // Ends when the bench drops `commands`.
        while let Ok(reply) = receiver.recv() {
            let _ = reply.send(());
        }
    });
    group.bench_function("channel_round_trip", |b| {
        b.to_async(&tokio).iter(|| {
            let (reply, answered) = oneshot::channel();
            commands.send(reply).expect("echo thread is running");
            async move { answered.await.expect("echo thread replies") }
        })
    });

    for (id, len) in [("echo_1kb", 1024), ("echo_64kb", 64 * 1024)] {
        let body = payload(len);
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function(id, |b| {
            b.to_async(&tokio)
                .iter(|| send(&runtime, "echo", post("/", "text/plain", body.clone())))
        });
    }
    let document = Bytes::from_static(JSON_DOCUMENT.as_bytes());
    group.throughput(Throughput::Bytes(document.len() as u64));
    group.bench_function("json", |b| {
        b.to_async(&tokio).iter(|| {
            send(
                &runtime,
                "json",
                post("/", "application/json", document.clone()),
            )
        })
    });

    group.finish();
}

criterion_group!(benches, warm_request);
criterion_main!(benches);
