//! The URL target against a loopback server that each test starts.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use common::TestServer;
use edgecase_harness::report::Detail;
use edgecase_harness::target::http::HttpTarget;
use edgecase_harness::{Case, Failure, RunOptions, load, run_case};
use edgecase_runtime::Syntax;

fn case(steps: &str) -> Case {
    let json = format!(
        r#"{{"title": "t", "worker": {{"module": "m", "service-worker": "s"}}, "steps": {steps}}}"#
    );
    load::parse_case(
        "basics/sample",
        Path::new("cases/basics/sample.json"),
        &json,
        Path::new("."),
    )
    .unwrap()
}

fn target(url: &str) -> HttpTarget {
    HttpTarget::new(url, BTreeSet::new()).unwrap()
}

fn options(step_timeout: Duration) -> RunOptions {
    RunOptions {
        step_timeout,
        ..RunOptions::default()
    }
}

async fn run(target: &HttpTarget, case: &Case) -> Result<(), Failure> {
    run_case(
        target,
        case,
        Syntax::Module,
        &options(Duration::from_secs(10)),
    )
    .await
}

#[tokio::test]
async fn matching_responses_pass() {
    let server = TestServer::start();
    let case = case(
        r#"[
            {"request": {"path": "/hello"},
             "expect": {"status": 200, "headers": {"content-type": {"contains": "text/plain"},
                        "x-missing": null}, "body": "hello"}},
            {"request": {"method": "POST", "path": "/echo?a=1", "headers": {"X-Trace": "t1"},
                         "body": {"json": {"n": 1}}},
             "expect": {"headers": {"x-repeat": "a, b"},
                        "body": {"json": {"method": "POST", "path": "/echo", "query": "a=1",
                                 "headers": {"x-trace": "t1", "content-type": "application/json"},
                                 "body": "{\"n\":1}"}}}},
            {"request": {"path": "/binary"}, "expect": {"body": {"base64": "/wA="}}},
            {"sleep_ms": 1}
        ]"#,
    );

    let result = run(&target(&server.url()), &case).await;

    assert!(result.is_ok(), "{}", result.unwrap_err());
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn mismatch_report_shows_each_difference() {
    let server = TestServer::start();
    let case = case(
        r#"[
            {"request": {"path": "/hello"}, "expect": {"status": 200}},
            {"comment": "wrong on purpose", "request": {"method": "POST", "path": "/hello"},
             "expect": {"status": 201, "headers": {"content-type": "text/html"},
                        "body": "hello\nworld"}},
            {"request": {"path": "/never-sent"}, "expect": {}}
        ]"#,
    );

    let failure = run(&target(&server.url()), &case).await.unwrap_err();
    let report = failure.to_string();

    assert_eq!(server.hits(), 2, "the run must stop at the failing step");
    assert_eq!(
        report,
        format!(
            "case file: cases/basics/sample.json\n\
             syntax:    module\n\
             target:    {}\n\
             \n\
             step:      steps[1]\n\
             request:   POST /hello\n\
             comment:   wrong on purpose\n\
             \n\
             status\n  expected: 201\n  actual:   200\n\
             \n\
             header `content-type`\n  expected: \"text/html\"\n  actual:   \
             \"text/plain;charset=UTF-8\"\n\
             \n\
             body (-expected +actual)\n\
             --- expected\n+++ actual\n@@ -1,2 +1 @@\n hello\n-world\n",
            server.url()
        )
    );
}

#[tokio::test]
async fn binary_body_is_reported_as_base64() {
    let server = TestServer::start();
    let case = case(r#"[{"request": {"path": "/binary"}, "expect": {"body": "text"}}]"#);

    let report = run(&target(&server.url()), &case)
        .await
        .unwrap_err()
        .to_string();

    assert!(report.contains("-text\n+base64: /wA=\n"), "{report}");
}

#[tokio::test]
async fn template_fills_case_and_syntax() {
    let server = TestServer::start();
    let case = case(
        r#"[{"request": {"path": "/x?q=1"},
             "expect": {"status": 404, "headers": {"x-path": "/basics-sample/service-worker/x"}}}]"#,
    );
    let target = target(&format!("{}/{{case}}/{{syntax}}/", server.url()));

    let result = run_case(
        &target,
        &case,
        Syntax::ServiceWorker,
        &options(Duration::from_secs(10)),
    )
    .await;

    assert!(result.is_ok(), "{}", result.unwrap_err());
}

#[tokio::test]
async fn redirect_is_not_followed() {
    let server = TestServer::start();
    let case = case(
        r#"[{"request": {"path": "/redirect"},
             "expect": {"status": 302, "headers": {"location": "/hello"}, "body": ""}}]"#,
    );

    let result = run(&target(&server.url()), &case).await;

    assert!(result.is_ok(), "{}", result.unwrap_err());
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn concurrent_requests_are_each_checked() {
    let server = TestServer::start();
    let case = case(
        r#"[{"concurrent": [
            {"request": {"path": "/count"}, "expect": {"status": 200}},
            {"request": {"path": "/status/503"}, "expect": {"status": 200}},
            {"request": {"path": "/count"}, "expect": {"status": 200}},
            {"request": {"path": "/status/418"}, "expect": {"status": 418}}
        ]}]"#,
    );

    let failure = run(&target(&server.url()), &case).await.unwrap_err();

    assert_eq!(server.hits(), 4);
    assert_eq!(failure.problems.len(), 1, "{failure}");
    assert_eq!(failure.problems[0].location.concurrent, Some(1));
    assert!(
        failure
            .to_string()
            .contains("step:      steps[0].concurrent[1]\nrequest:   GET /status/503\n"),
        "{failure}"
    );
}

#[tokio::test]
async fn slow_response_times_out() {
    let server = TestServer::start();
    let case = case(r#"[{"request": {"path": "/slow"}, "expect": {"status": 200}}]"#);

    let failure = run_case(
        &target(&server.url()),
        &case,
        Syntax::Module,
        &options(Duration::from_millis(200)),
    )
    .await
    .unwrap_err();

    assert!(
        matches!(
            failure.problems[0].detail,
            Detail::Timeout {
                waiting_for: "the response",
                ..
            }
        ),
        "{failure}"
    );
    assert!(
        failure
            .to_string()
            .contains("timed out after 200 ms waiting for the response"),
        "{failure}"
    );
}

#[tokio::test]
async fn refused_connection_names_the_url() {
    let port = {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        listener.local_addr().unwrap().port()
    };
    let case = case(r#"[{"request": {"path": "/hello"}, "expect": {}}]"#);

    let failure = run(&target(&format!("http://127.0.0.1:{port}")), &case)
        .await
        .unwrap_err();
    let report = failure.to_string();

    assert!(
        report.contains(&format!(
            "error: HTTP request to http://127.0.0.1:{port}/hello failed: "
        )),
        "{report}"
    );
}

#[tokio::test]
async fn evict_is_unsupported() {
    let server = TestServer::start();
    let case = case(r#"[{"evict": true}]"#);

    let report = run(&target(&server.url()), &case)
        .await
        .unwrap_err()
        .to_string();

    assert!(
        report.contains(&format!(
            "error: target `{}` cannot evict the worker: the harness does not control a server \
             it did not start",
            server.url()
        )),
        "{report}"
    );
}
