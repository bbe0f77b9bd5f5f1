//! After an isolate that ran out of heap is evicted, the process gives the memory back. This is
//! its own test binary so that no other test allocates while RSS is read.

use std::time::Duration;

use bytes::Bytes;
use edgecase_runtime::{EvictionReason, Runtime, RuntimeConfig, Syntax, WorkerSpec};

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs is mounted");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .expect("VmRSS is listed");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("VmRSS is a number of kB");
    kib * 1024
}

#[tokio::test]
async fn rss_returns_after_memory_eviction() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let hog = r#"
        const kept = [];
        export default { fetch(request) {
            if (new URL(request.url).pathname === "/grow") {
                for (;;) { kept.push(new Array(1024).fill(kept.length)); }
            }
            return new Response("kept " + kept.length);
        } };
    "#;
    let mut spec = WorkerSpec::new("hog", hog).with_syntax(Syntax::Module);
    spec.limits.memory_mb = 96;
    runtime.add_worker(spec).await.unwrap();
    let get = |path: &str| {
        http::Request::builder()
            .uri(format!("http://localhost{path}"))
            .body(Bytes::new())
            .unwrap()
    };
    runtime.fetch("hog", get("/")).await.unwrap();
    let before = rss_bytes();

    let response = runtime.fetch("hog", get("/grow")).await.unwrap();
    assert_eq!(response.status(), 503);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stats = runtime.stats("hog").unwrap();
    assert_eq!(stats.evictions.get(&EvictionReason::MemoryLimit), Some(&1));

    let after = rss_bytes();
    let grown = after.saturating_sub(before);
    assert!(
        grown < 24 << 20,
        "RSS grew by {} MiB after the eviction (before {} MiB, after {} MiB)",
        grown >> 20,
        before >> 20,
        after >> 20
    );
}
