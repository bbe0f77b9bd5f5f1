//! Cold start of one isolate: create it, run the hello worker's global scope, serve the first
//! request, then drop it. `module_without_teardown` times the same cold start up to the first
//! response and leaves dropping the isolate out of the timing.

// criterion_group! and criterion_main! generate undocumented public items.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use edgecase_benches::{HELLO_MODULE, HELLO_SERVICE_WORKER, get, padded_module};
use edgecase_runtime::{Runtime, RuntimeConfig, Syntax, WorkerSpec};

static NEXT_WORKER: AtomicU64 = AtomicU64::new(0);

async fn cold_start(runtime: &Runtime, script: &str, syntax: Syntax) {
    let name = format!("bench-{}", NEXT_WORKER.fetch_add(1, Ordering::Relaxed));
    let spec = WorkerSpec::new(name.clone(), script).with_syntax(syntax);
    runtime.add_worker(spec).await.expect("hello worker starts");
    let response = runtime
        .fetch(&name, get("/"))
        .await
        .expect("request gets a response");
    assert_eq!(response.status(), 200);
    runtime
        .remove_worker(&name)
        .await
        .expect("worker is removed");
}

/// Times `iters` cold starts up to their first response; each removal runs untimed.
async fn cold_starts_without_teardown(runtime: &Runtime, iters: u64) -> Duration {
    let mut timed = Duration::ZERO;
    for _ in 0..iters {
        let name = format!("bench-{}", NEXT_WORKER.fetch_add(1, Ordering::Relaxed));
        let spec = WorkerSpec::new(name.clone(), HELLO_MODULE).with_syntax(Syntax::Module);
        let started = Instant::now();
        runtime.add_worker(spec).await.expect("hello worker starts");
        let response = runtime
            .fetch(&name, get("/"))
            .await
            .expect("request gets a response");
        timed += started.elapsed();
        assert_eq!(response.status(), 200);
        runtime
            .remove_worker(&name)
            .await
            .expect("worker is removed");
    }
    timed
}

fn isolate_startup(c: &mut Criterion) {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio starts");
    let runtime = Runtime::new(RuntimeConfig {
        threads: 1,
        ..RuntimeConfig::default()
    })
    .expect("runtime starts");
    let large = padded_module(200 * 1024);

    let mut group = c.benchmark_group("isolate_startup");
    group.bench_function("module", |b| {
        b.to_async(&tokio)
            .iter(|| cold_start(&runtime, HELLO_MODULE, Syntax::Module))
    });
    group.bench_function("service_worker", |b| {
        b.to_async(&tokio)
            .iter(|| cold_start(&runtime, HELLO_SERVICE_WORKER, Syntax::ServiceWorker))
    });
    group.bench_function("module_without_teardown", |b| {
        b.to_async(&tokio)
            .iter_custom(|iters| cold_starts_without_teardown(&runtime, iters))
    });
    group.bench_function("module_200kb", |b| {
        b.to_async(&tokio)
            .iter(|| cold_start(&runtime, &large, Syntax::Module))
    });
    group.finish();
}

criterion_group!(benches, isolate_startup);
criterion_main!(benches);
