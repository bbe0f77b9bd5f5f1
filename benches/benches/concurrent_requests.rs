//! Many requests in flight on one isolate at once, each awaiting a `setTimeout`: the time for a
//! batch of 100 and of 10,000, and the memory each pending request keeps.
//!
//! Before criterion's timings, a memory pass sends each batch with a timer long enough that all
//! requests are pending together, and prints the growth of the process RSS divided by the batch
//! size. The figure covers the memory a pending request keeps in this process: its JS request
//! context, promise and timer, the isolate thread's bookkeeping, and the caller's tokio task with
//! its reply channel. A control pass measures that caller side alone, so the rest is what the
//! runtime keeps in memory per request.

// criterion_group! and criterion_main! generate undocumented public items.
#![allow(missing_docs)]
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use edgecase_benches::{TIMER_MODULE, get, record_figures, release_free_memory, resident_bytes};
use edgecase_runtime::{Body, Runtime, RuntimeConfig, Syntax, WorkerSpec};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

const WORKER: &str = "timer";

/// Timer each request of a timed batch awaits.
const DELAY_MS: u64 = 50;

/// Timer of the memory pass. It must outlast sending the whole batch, which the pass checks.
const HOLD_MS: u64 = 4_000;

const BATCH_SIZES: [usize; 2] = [100, 10_000];

/// Spawns `count` requests for `/wait/{delay_ms}` and returns once every one of them has sent
/// its command to the isolate thread.
async fn spawn_batch(runtime: &Runtime, count: usize, delay_ms: u64) -> JoinSet<()> {
    let sent = Arc::new(AtomicUsize::new(0));
    let path = format!("/wait/{delay_ms}");
    let mut batch = JoinSet::new();
    for _ in 0..count {
        let runtime = runtime.clone();
        let sent = sent.clone();
        let request = get(&path);
        batch.spawn(async move {
            // The first poll of this task counts, then polls `Runtime::fetch`, which sends its
            // command before its first await. Polls do not interleave on a current-thread
            // runtime, so a full count means every command has been sent.
            sent.fetch_add(1, Ordering::Relaxed);
            let response = runtime
                .fetch(WORKER, request)
                .await
                .expect("request gets a response");
            assert_eq!(response.status(), 200);
            assert_eq!(response.into_body().collect().await, "done");
        });
    }
    while sent.load(Ordering::Relaxed) < count {
        tokio::task::yield_now().await;
    }
    batch
}

async fn run_batch(runtime: &Runtime, count: usize) {
    let mut batch = spawn_batch(runtime, count, DELAY_MS).await;
    while let Some(done) = batch.join_next().await {
        done.expect("request task succeeds");
    }
}

/// Returns the RSS growth per pending request while `count` requests await a timer together.
async fn measure_in_flight(runtime: &Runtime, count: usize) -> serde_json::Value {
    release_free_memory();
    let before = resident_bytes();
    let started = Instant::now();
    let mut batch = spawn_batch(runtime, count, HOLD_MS).await;

    // The isolate thread handles commands in order, so once this response arrives every request
    // of the batch has been dispatched and is awaiting its timer.
    let probe = runtime
        .fetch(WORKER, get("/"))
        .await
        .expect("probe gets a response");
    assert_eq!(probe.into_body().collect().await, "ready");
    let dispatched = started.elapsed();
    let pending = resident_bytes();
    assert!(
        dispatched < Duration::from_millis(HOLD_MS),
        "dispatching {count} requests took {dispatched:?}, longer than their {HOLD_MS} ms \
         timer, so they were not all pending at once: raise HOLD_MS"
    );

    while let Some(done) = batch.join_next().await {
        done.expect("request task succeeds");
    }
    let growth = pending.saturating_sub(before);
    let per_request = growth as f64 / count as f64;
    println!(
        "concurrent_requests/timer/{count}: {:.2} KiB RSS per in-flight request \
         ({:.1} MiB over {count} requests, dispatched in {:.1} ms)",
        per_request / 1024.0,
        growth as f64 / (1 << 20) as f64,
        dispatched.as_secs_f64() * 1e3,
    );
    serde_json::json!({
        "requests": count,
        "rss_before_bytes": before,
        "rss_pending_bytes": pending,
        "bytes_per_request": per_request,
        "dispatch_ms": dispatched.as_secs_f64() * 1e3,
    })
}

/// Returns the RSS growth per task of `count` tokio tasks that each await a reply channel of
/// the type `Runtime::fetch` uses, with no runtime behind them.
async fn measure_caller_side(count: usize) -> f64 {
    release_free_memory();
    let before = resident_bytes();
    let mut replies = Vec::with_capacity(count);
    let mut tasks = JoinSet::new();
    for _ in 0..count {
        let (reply, answered) = oneshot::channel::<http::Response<Body>>();
        replies.push(reply);
        tasks.spawn(async move {
            let _ = answered.await;
        });
    }
    tokio::task::yield_now().await;
    let pending = resident_bytes();
    drop(replies);
    while tasks.join_next().await.is_some() {}
    let per_task = pending.saturating_sub(before) as f64 / count as f64;
    println!(
        "concurrent_requests/caller_side/{count}: {:.2} KiB RSS per awaiting task and reply \
         channel, with no runtime",
        per_task / 1024.0
    );
    per_task
}

fn concurrent_requests(c: &mut Criterion) {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio starts");
    let runtime = Runtime::new(RuntimeConfig {
        threads: 1,
        ..RuntimeConfig::default()
    })
    .expect("runtime starts");

    let figures = tokio.block_on(async {
        let spec = WorkerSpec::new(WORKER, TIMER_MODULE).with_syntax(Syntax::Module);
        runtime.add_worker(spec).await.expect("timer worker starts");
        let warm = runtime
            .fetch(WORKER, get("/"))
            .await
            .expect("request gets a response");
        assert_eq!(warm.into_body().collect().await, "ready");

        let mut figures = serde_json::Map::new();
        for count in BATCH_SIZES {
            let mut measured = measure_in_flight(&runtime, count).await;
            measured["caller_bytes_per_request"] = measure_caller_side(count).await.into();
            figures.insert(count.to_string(), measured);
        }
        serde_json::Value::Object(figures)
    });
    record_figures("concurrent_requests", &figures);

    let mut group = c.benchmark_group("concurrent_requests");
    // A batch of 10,000 takes a good part of a second, so every sample runs one batch.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    for count in BATCH_SIZES {
        group.bench_with_input(
            BenchmarkId::new(format!("timer_{DELAY_MS}ms"), count),
            &count,
            |b, &count| b.to_async(&tokio).iter(|| run_batch(&runtime, count)),
        );
    }
    group.finish();
}

criterion_group!(benches, concurrent_requests);
criterion_main!(benches);
