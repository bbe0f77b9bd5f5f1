//! Memory of idle isolates: 1,000 hello-world workers, each with its first isolate started,
//! and the growth of the process RSS per isolate. Printed beside criterion's output, with the
//! time it took to start them.
//!
//! The criterion timing is one more cold start (add, first request, remove) while the 1,000
//! idle isolates stay resident, to show whether a busy isolate thread starts isolates slower.

// criterion_group! and criterion_main! generate undocumented public items.
#![allow(missing_docs)]
#![allow(clippy::print_stdout)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use edgecase_benches::{HELLO_MODULE, get, record_figures, release_free_memory, resident_bytes};
use edgecase_runtime::{Runtime, RuntimeConfig, Syntax, WorkerSpec};

const IDLE_ISOLATES: usize = 1_000;

static NEXT_WORKER: AtomicU64 = AtomicU64::new(0);

async fn start_hello(runtime: &Runtime, prefix: &str) -> String {
    let name = format!("{prefix}-{}", NEXT_WORKER.fetch_add(1, Ordering::Relaxed));
    let spec = WorkerSpec::new(name.clone(), HELLO_MODULE).with_syntax(Syntax::Module);
    runtime.add_worker(spec).await.expect("hello worker starts");
    name
}

async fn cold_start(runtime: &Runtime) {
    let name = start_hello(runtime, "extra").await;
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

/// Starts the idle isolates and returns their RSS growth and start time.
async fn start_idle(runtime: &Runtime) -> serde_json::Value {
    // One isolate first, so the bootstrap bytecode, which is compiled once per process, and the
    // thread's first allocations stay out of the per-isolate figure.
    let first = start_hello(runtime, "warm-up").await;
    runtime
        .remove_worker(&first)
        .await
        .expect("worker is removed");

    release_free_memory();
    let before = resident_bytes();
    let started = Instant::now();
    for _ in 0..IDLE_ISOLATES {
        start_hello(runtime, "idle").await;
    }
    let elapsed = started.elapsed();
    let after = resident_bytes();

    let growth = after.saturating_sub(before);
    let per_isolate = growth as f64 / IDLE_ISOLATES as f64;
    let start_us = elapsed.as_secs_f64() * 1e6 / IDLE_ISOLATES as f64;
    println!(
        "isolate_memory/idle: {:.1} KiB RSS per idle isolate ({:.1} MiB over \
         {IDLE_ISOLATES} isolates); started in {:.0} ms, {start_us:.0} us each",
        per_isolate / 1024.0,
        growth as f64 / (1 << 20) as f64,
        elapsed.as_secs_f64() * 1e3,
    );
    serde_json::json!({
        "isolates": IDLE_ISOLATES,
        "rss_before_bytes": before,
        "rss_after_bytes": after,
        "bytes_per_isolate": per_isolate,
        "start_total_ms": elapsed.as_secs_f64() * 1e3,
        "start_us_per_isolate": start_us,
    })
}

fn isolate_memory(c: &mut Criterion) {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio starts");
    let runtime = Runtime::new(RuntimeConfig {
        threads: 1,
        ..RuntimeConfig::default()
    })
    .expect("runtime starts");

    let figures = tokio.block_on(start_idle(&runtime));
    record_figures("isolate_memory", &figures);

    let mut group = c.benchmark_group("isolate_memory");
    group.bench_function("cold_start_beside_1000_idle", |b| {
        b.to_async(&tokio).iter(|| cold_start(&runtime))
    });
    group.finish();
}

criterion_group!(benches, isolate_memory);
criterion_main!(benches);
