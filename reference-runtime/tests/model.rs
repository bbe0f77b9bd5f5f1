//! The Workers execution model on the embedding API: isolation, limits, eviction, instances.

use std::time::{Duration, Instant};

use bytes::Bytes;
use edgecase_runtime::{
    Error, EvictionReason, Limits, Routing, Runtime, RuntimeConfig, Syntax, WorkerSpec,
};

fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig::default()).expect("runtime starts")
}

fn get(path: &str) -> http::Request<Bytes> {
    http::Request::builder()
        .uri(format!("http://localhost{path}"))
        .body(Bytes::new())
        .expect("valid request")
}

async fn text(runtime: &Runtime, worker: &str, path: &str) -> (u16, String) {
    let response = runtime.fetch(worker, get(path)).await.expect("fetch");
    let status = response.status().as_u16();
    let body = response.into_body().collect().await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn module(name: &str, script: &str) -> WorkerSpec {
    WorkerSpec::new(name, script).with_syntax(Syntax::Module)
}

#[tokio::test]
async fn isolates_share_no_globals() {
    let rt = runtime();
    let writer = r#"
        globalThis.leak = "from writer";
        Array.prototype.leaked = () => "from writer";
        export let moduleState = "writer";
        export default { fetch() { return new Response("written"); } };
    "#;
    let reader = r#"
        export default { fetch() {
            const seen = [typeof globalThis.leak, typeof [].leaked, typeof moduleState];
            return new Response(seen.join(","));
        } };
    "#;
    rt.add_worker(module("writer", writer)).await.unwrap();
    rt.add_worker(module("reader", reader)).await.unwrap();

    assert_eq!(text(&rt, "writer", "/").await, (200, "written".into()));
    assert_eq!(
        text(&rt, "reader", "/").await,
        (200, "undefined,undefined,undefined".into())
    );
}

#[tokio::test]
async fn bindings_stay_with_their_worker() {
    let rt = runtime();
    let owner = module(
        "owner",
        "export default { fetch(r, env) { return new Response(env.SECRET); } };",
    )
    .with_binding("SECRET", "owner-only");
    let other = module(
        "other",
        "export default { fetch(r, env) { return new Response(String(env.SECRET) + ',' + typeof SECRET); } };",
    );
    rt.add_worker(owner).await.unwrap();
    rt.add_worker(other).await.unwrap();

    assert_eq!(text(&rt, "owner", "/").await.1, "owner-only");
    assert_eq!(text(&rt, "other", "/").await.1, "undefined,undefined");
}

#[tokio::test]
async fn scripts_reach_no_host_resources() {
    let rt = runtime();
    let script = r#"export default { async fetch() {
        const seen = {
            process: typeof process,
            require: typeof require,
            Deno: typeof Deno,
            Bun: typeof Bun,
            std: typeof std,
            os: typeof os,
            scriptArgs: typeof scriptArgs,
        };
        try { await import("fs"); seen.importFs = "loaded"; }
        catch (error) { seen.importFs = "failed"; }
        try { await import("/etc/passwd"); seen.importFile = "loaded"; }
        catch (error) { seen.importFile = "failed"; }
        return new Response(JSON.stringify(seen));
    } };"#;
    rt.add_worker(module("sandbox", script)).await.unwrap();

    let (status, body) = text(&rt, "sandbox", "/").await;
    assert_eq!(status, 200);
    let seen: serde_json::Value = serde_json::from_str(&body).unwrap();
    for name in [
        "process",
        "require",
        "Deno",
        "Bun",
        "std",
        "os",
        "scriptArgs",
    ] {
        assert_eq!(seen[name], "undefined", "{name} is visible: {body}");
    }
    assert_eq!(seen["importFs"], "failed");
    assert_eq!(seen["importFile"], "failed");
}

#[tokio::test]
async fn global_state_persists_until_eviction() {
    let rt = runtime();
    let counter =
        "let n = 0; export default { fetch() { n += 1; return new Response(String(n)); } };";
    rt.add_worker(module("counter", counter)).await.unwrap();

    assert_eq!(text(&rt, "counter", "/").await.1, "1");
    assert_eq!(text(&rt, "counter", "/").await.1, "2");
    rt.evict("counter").await.unwrap();
    assert_eq!(text(&rt, "counter", "/").await.1, "1");

    let stats = rt.stats("counter").unwrap();
    assert_eq!(stats.isolates_started, 2);
    assert_eq!(stats.evictions.get(&EvictionReason::Explicit), Some(&1));
}

#[tokio::test]
async fn eviction_waits_for_in_flight_requests() {
    let rt = runtime();
    let slow = r#"export default { async fetch() {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return new Response("finished");
    } };"#;
    rt.add_worker(module("slow", slow)).await.unwrap();

    let in_flight = tokio::spawn({
        let rt = rt.clone();
        async move { text(&rt, "slow", "/").await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    rt.evict("slow").await.unwrap();

    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "evict returned before the request settled"
    );
    assert_eq!(in_flight.await.unwrap(), (200, "finished".into()));
}

#[tokio::test]
async fn runaway_script_gets_503_while_others_answer() {
    let rt = runtime();
    let mut spinner = module("spinner", "export default { fetch() { while (true) {} } };");
    spinner.limits = Limits {
        cpu_ms: 100,
        ..Limits::default()
    };
    rt.add_worker(spinner).await.unwrap();
    rt.add_worker(module(
        "steady",
        "export default { fetch() { return new Response('ok'); } };",
    ))
    .await
    .unwrap();

    let spinning = tokio::spawn({
        let rt = rt.clone();
        async move { text(&rt, "spinner", "/").await }
    });
    for _ in 0..5 {
        assert_eq!(text(&rt, "steady", "/").await, (200, "ok".into()));
    }
    let (status, body) = tokio::time::timeout(Duration::from_secs(10), spinning)
        .await
        .expect("the runaway request ends")
        .unwrap();
    assert_eq!(status, 503);
    assert!(body.contains("exceeded CPU time limit"), "body: {body}");
}

#[tokio::test]
async fn repeated_cpu_overruns_evict_as_suspicious() {
    let rt = runtime();
    let mut spinner = module(
        "suspect",
        "let n = 0; export default { fetch() { n++; while (true) {} } };",
    );
    spinner.limits.cpu_ms = 20;
    rt.add_worker(spinner).await.unwrap();

    for _ in 0..3 {
        assert_eq!(text(&rt, "suspect", "/").await.0, 503);
    }
    // The eviction happens once the last request settles, so give the thread a moment.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stats = rt.stats("suspect").unwrap();
    assert_eq!(stats.evictions.get(&EvictionReason::Suspicious), Some(&1));
}

#[tokio::test]
async fn memory_limit_fails_requests_and_evicts() {
    let rt = runtime();
    let hog = r#"
        const kept = [];
        export default { fetch(request) {
            if (new URL(request.url).pathname === "/grow") {
                for (;;) { kept.push("x".repeat(1024) + kept.length); }
            }
            return new Response("kept " + kept.length);
        } };
    "#;
    let mut spec = module("hog", hog);
    spec.limits.memory_mb = 16;
    rt.add_worker(spec).await.unwrap();

    let (status, body) = text(&rt, "hog", "/grow").await;
    assert_eq!(status, 503, "body: {body}");
    assert!(body.contains("exceeded memory limit"), "body: {body}");
    tokio::time::sleep(Duration::from_millis(50)).await;

    assert_eq!(text(&rt, "hog", "/").await, (200, "kept 0".into()));
    let stats = rt.stats("hog").unwrap();
    assert_eq!(stats.evictions.get(&EvictionReason::MemoryLimit), Some(&1));
}

#[tokio::test]
async fn hung_request_fails_fast_and_timer_request_succeeds() {
    let rt = runtime();
    let script = r#"export default { fetch(request) {
        if (request.url.endsWith("/never")) return new Promise(() => {});
        return new Promise((resolve) => setTimeout(() => resolve(new Response("timer")), 100));
    } };"#;
    rt.add_worker(module("hang", script)).await.unwrap();

    let started = Instant::now();
    assert_eq!(text(&rt, "hang", "/never").await.0, 500);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(text(&rt, "hang", "/timer").await, (200, "timer".into()));
}

#[tokio::test]
async fn concurrent_requests_interleave_on_one_isolate() {
    let rt = runtime();
    let script = r#"
        let release;
        const gate = new Promise((resolve) => { release = resolve; });
        const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
        export default { async fetch(request) {
            if (request.url.endsWith("/open")) { release("opened"); return new Response("opener"); }
            const result = await Promise.race([gate, sleep(5000).then(() => "timed out")]);
            return new Response(result);
        } };
    "#;
    rt.add_worker(module("gate", script)).await.unwrap();

    let waiters: Vec<_> = (0..20)
        .map(|_| {
            let rt = rt.clone();
            tokio::spawn(async move { text(&rt, "gate", "/wait").await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(text(&rt, "gate", "/open").await, (200, "opener".into()));
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap(), (200, "opened".into()));
    }
}

#[tokio::test]
async fn instances_diverge_under_round_robin() {
    let rt = runtime();
    let counter =
        "let n = 0; export default { fetch() { n += 1; return new Response(String(n)); } };";
    let mut spec = module("spread", counter);
    spec.instances = 3;
    spec.routing = Routing::RoundRobin;
    rt.add_worker(spec).await.unwrap();

    let mut seen = Vec::new();
    for _ in 0..6 {
        seen.push(text(&rt, "spread", "/").await.1);
    }
    assert_eq!(seen, ["1", "1", "1", "2", "2", "2"]);
}

#[tokio::test]
async fn sticky_routing_keeps_one_counter() {
    let rt = runtime();
    let counter =
        "let n = 0; export default { fetch() { n += 1; return new Response(String(n)); } };";
    let mut spec = module("sticky", counter);
    spec.instances = 3;
    spec.routing = Routing::Sticky;
    rt.add_worker(spec).await.unwrap();

    for expected in ["1", "2", "3"] {
        assert_eq!(text(&rt, "sticky", "/").await.1, expected);
    }
}

#[tokio::test]
async fn stack_overflow_is_a_range_error() {
    let rt = runtime();
    let script = r#"
        function down(n) { return down(n + 1) + 1; }
        export default { fetch() {
            try { down(0); return new Response("returned"); }
            catch (error) { return new Response(error.constructor.name + ": " + error.message); }
        } };
    "#;
    rt.add_worker(module("deep", script)).await.unwrap();

    let (status, body) = text(&rt, "deep", "/").await;
    assert_eq!(status, 200);
    assert!(body.starts_with("RangeError"), "body: {body}");
    assert_eq!(text(&rt, "deep", "/").await.0, 200);
}

#[tokio::test]
async fn startup_failures_are_errors() {
    let rt = runtime();

    let broken = rt.add_worker(module("broken", "export default {")).await;
    assert!(matches!(broken, Err(Error::Startup { .. })), "{broken:?}");

    let mut spinning = module("slow-start", "while (true) {} export default {};");
    spinning.limits.startup_cpu_ms = 50;
    match rt.add_worker(spinning).await {
        Err(Error::Startup { message, .. }) => {
            assert!(message.contains("exceeded CPU time limit"), "{message}");
        }
        other => panic!("expected a startup error, got {other:?}"),
    }

    let zero = WorkerSpec {
        instances: 0,
        ..module("zero", "export default {};")
    };
    assert!(matches!(
        rt.add_worker(zero).await,
        Err(Error::InvalidWorker { .. })
    ));
}

#[tokio::test]
async fn idle_isolates_are_evicted() {
    let rt = Runtime::new(RuntimeConfig {
        idle_timeout: Some(Duration::from_millis(100)),
        ..RuntimeConfig::default()
    })
    .unwrap();
    let counter =
        "let n = 0; export default { fetch() { n += 1; return new Response(String(n)); } };";
    rt.add_worker(module("idle", counter)).await.unwrap();

    assert_eq!(text(&rt, "idle", "/").await.1, "1");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(text(&rt, "idle", "/").await.1, "1");
    let stats = rt.stats("idle").unwrap();
    assert!(
        stats
            .evictions
            .get(&EvictionReason::IdleTimeout)
            .is_some_and(|&n| n >= 1)
    );
}

#[tokio::test]
async fn memory_budget_evicts_least_recently_used() {
    let rt = Runtime::new(RuntimeConfig {
        threads: 1,
        memory_budget: Some(24 << 20),
        ..RuntimeConfig::default()
    })
    .unwrap();
    let hold = r#"
        let kept = null;
        export default { fetch() {
            if (kept === null) { kept = new Uint8Array(10 << 20).fill(1); return new Response("filled"); }
            return new Response("kept");
        } };
    "#;
    for name in ["first", "second", "third"] {
        rt.add_worker(module(name, hold)).await.unwrap();
        assert_eq!(text(&rt, name, "/").await.1, "filled");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    let first = rt.stats("first").unwrap();
    assert_eq!(
        first.evictions.get(&EvictionReason::MemoryPressure),
        Some(&1)
    );
    let third = rt.stats("third").unwrap();
    assert!(third.evictions.is_empty(), "{third:?}");
    assert_eq!(text(&rt, "third", "/").await.1, "kept");
}
