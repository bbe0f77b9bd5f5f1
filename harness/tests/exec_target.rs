//! The exec target against the real `edgecase-runtime` binary.
//!
//! The binary must be built first. `cargo test --workspace` builds it, and so does
//! `cargo build -p edgecase-runtime`.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use edgecase_harness::target::Target;
use edgecase_harness::target::exec::{ExecTarget, find_runtime_binary};
use edgecase_harness::{Case, RunOptions, load, run_case};
use edgecase_runtime::Syntax;

fn target() -> ExecTarget {
    let binary = find_runtime_binary().unwrap_or_else(|error| panic!("{error}"));
    ExecTarget::new(binary)
}

fn case(worker: &str, steps: &str) -> Case {
    let json = format!(r#"{{"title": "t", "worker": {worker}, "steps": {steps}}}"#);
    load::parse_case(
        "exec/sample",
        Path::new("cases/exec/sample.json"),
        &json,
        Path::new("."),
    )
    .unwrap()
}

fn options() -> RunOptions {
    RunOptions {
        step_timeout: Duration::from_secs(20),
        ..RunOptions::default()
    }
}

const COUNTER_MODULE: &str = "let n = 0; export default { fetch(request, env) { n += 1; \
    return new Response(env.GREETING + ' ' + n, { headers: { 'x-port': new URL(request.url).port } }) } }";

const COUNTER_SERVICE_WORKER: &str = "let n = 0; addEventListener('fetch', (event) => { n += 1; \
    event.respondWith(new Response(GREETING + ' ' + n)) })";

fn counter_worker() -> String {
    serde_json::json!({
        "module": COUNTER_MODULE,
        "service-worker": COUNTER_SERVICE_WORKER,
        "bindings": {"GREETING": "hi"}
    })
    .to_string()
}

#[tokio::test]
async fn state_persists_until_evict_restarts() {
    let target = target();
    let case = case(
        &counter_worker(),
        r#"[
            {"request": {}, "expect": {"status": 200, "body": "hi 1"}},
            {"request": {"path": "/again"}, "expect": {"body": "hi 2"}},
            {"evict": true},
            {"request": {}, "expect": {"body": "hi 1"}}
        ]"#,
    );

    for syntax in [Syntax::Module, Syntax::ServiceWorker] {
        let result = run_case(&target, &case, syntax, &options()).await;

        assert!(result.is_ok(), "{syntax}: {}", result.unwrap_err());
    }
}

#[tokio::test]
async fn startup_error_shows_stderr() {
    let target = target();
    let case = case(
        r#"{"module": "throw new Error('broken global scope'); export default {}"}"#,
        r#"[{"request": {}, "expect": {"status": 200}}]"#,
    );

    let failure = run_case(&target, &case, Syntax::Module, &options())
        .await
        .unwrap_err();
    let report = failure.to_string();

    assert!(report.contains("failed to start the worker: `"), "{report}");
    assert!(report.contains("` exited with "), "{report}");
    // NOTE: the binary aborts in `JS_FreeRuntime` after this startup error before it prints the
    // exception, so only the stderr block is checked, not the exception text.
    assert!(report.contains("; its output:\n"), "{report}");
}

async fn port_of(session: &dyn edgecase_harness::Session) -> u16 {
    let request = http::Request::get("/").body(Bytes::new()).unwrap();
    let response = session.send(request).await.unwrap();
    response.header("x-port").unwrap().parse().unwrap()
}

fn is_listening(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(1),
    )
    .is_ok()
}

#[tokio::test]
async fn close_stops_the_server() {
    let target = target();
    let case = case(&counter_worker(), r#"[{"evict": true}]"#);
    let session = target.start(&case, Syntax::Module).await.unwrap();
    let port = port_of(session.as_ref()).await;
    assert!(is_listening(port));

    session.close().await.unwrap();

    assert!(!is_listening(port));
}

#[tokio::test]
async fn panicking_trial_stops_the_server() {
    let target = target();
    let case = case(&counter_worker(), r#"[{"evict": true}]"#);
    let session = target.start(&case, Syntax::Module).await.unwrap();
    let port = port_of(session.as_ref()).await;

    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _session = session;
        panic!("the trial panicked");
    }));

    assert!(unwound.is_err());
    assert!(!is_listening(port));
}

#[tokio::test]
async fn evict_moves_to_a_new_process() {
    let target = target();
    let case = case(&counter_worker(), r#"[{"evict": true}]"#);
    let mut session = target.start(&case, Syntax::Module).await.unwrap();
    let first = port_of(session.as_ref()).await;

    session.evict().await.unwrap();
    let second = port_of(session.as_ref()).await;

    assert!(!is_listening(first) || first == second);
    assert!(is_listening(second));
    session.close().await.unwrap();
}

#[tokio::test]
async fn instances_and_limits_become_options() {
    let target = target();
    let case = case(
        r#"{"module": "let n = 0; export default { fetch() { n += 1; return new Response(String(n)) } }",
            "instances": 2, "routing": "round-robin", "limits": {"cpu_ms": 5000, "memory_mb": 64}}"#,
        r#"[
            {"request": {}, "expect": {"body": "1"}},
            {"request": {}, "expect": {"body": "1"}},
            {"request": {}, "expect": {"body": "2"}}
        ]"#,
    );

    let result = run_case(&target, &case, Syntax::Module, &options()).await;

    assert!(result.is_ok(), "{}", result.unwrap_err());
}

#[tokio::test]
async fn startup_cpu_limit_is_unsupported() {
    let target = target();
    let case = case(
        r#"{"module": "export default {}", "limits": {"startup_cpu_ms": 10}}"#,
        r#"[{"request": {}, "expect": {}}]"#,
    );

    let report = run_case(&target, &case, Syntax::Module, &options())
        .await
        .unwrap_err()
        .to_string();

    assert!(
        report.contains(
            "failed to start the worker: target `exec:reference` cannot apply \
             `worker.limits.startup_cpu_ms` or `worker.limits.subrequests`"
        ),
        "{report}"
    );
}
