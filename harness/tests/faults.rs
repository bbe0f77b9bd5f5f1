//! Broken targets: a server that resets connections, answers with garbage or stops mid-case.
//! Each fails its own trial with a message that says what went wrong, and never hangs.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use edgecase_harness::target::http::HttpTarget;
use edgecase_harness::{Case, RunOptions, load, run_case};
use edgecase_runtime::Syntax;

fn case(steps: &str) -> Case {
    let json = format!(r#"{{"title": "t", "worker": {{"module": "m"}}, "steps": {steps}}}"#);
    load::parse_case(
        "faults/sample",
        Path::new("cases/faults/sample.json"),
        &json,
        Path::new("."),
    )
    .unwrap()
}

/// Starts a fake server on 127.0.0.1 that handles `connections` connections with `handle`.
fn fake_server(
    connections: usize,
    handle: impl Fn(std::net::TcpStream) + Send + 'static,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections).flatten() {
            handle(stream);
        }
    });
    url
}

fn read_head(stream: &mut std::net::TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut buffer = [0u8; 4096];
    let _ = stream.read(&mut buffer);
}

async fn failure_text(url: &str, steps: &str) -> String {
    let target = HttpTarget::new(url, BTreeSet::new()).unwrap();
    let options = RunOptions {
        step_timeout: Duration::from_secs(5),
        ..RunOptions::default()
    };
    let case = case(steps);
    let run = run_case(&target, &case, Syntax::Module, &options);
    let result = tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("a broken target fails the trial instead of hanging it");
    result.unwrap_err().to_string()
}

#[tokio::test]
async fn reset_connection_fails_the_trial() {
    let url = fake_server(4, |mut stream| {
        read_head(&mut stream);
        drop(stream);
    });

    let report = failure_text(
        &url,
        r#"[{"request": {"path": "/"}, "expect": {"status": 200}}]"#,
    )
    .await;

    assert!(report.contains("HTTP request to"), "{report}");
    assert!(report.contains("failed"), "{report}");
}

#[tokio::test]
async fn garbage_response_fails_the_trial() {
    let url = fake_server(4, |mut stream| {
        read_head(&mut stream);
        let _ = stream.write_all(b"THIS IS NOT HTTP\r\n\r\n");
    });

    let report = failure_text(
        &url,
        r#"[{"request": {"path": "/"}, "expect": {"status": 200}}]"#,
    )
    .await;

    assert!(report.contains("HTTP request to"), "{report}");
    assert!(report.contains("failed"), "{report}");
}

#[tokio::test]
async fn server_that_stops_mid_case_fails_the_later_step() {
    // The first connection gets a good answer, then the server is gone.
    let url = fake_server(1, |mut stream| {
        read_head(&mut stream);
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    });
    let steps = r#"[
        {"request": {"path": "/"}, "expect": {"status": 200, "body": "ok"}},
        {"request": {"path": "/"}, "expect": {"status": 200}}
    ]"#;

    let report = failure_text(&url, steps).await;

    assert!(report.contains("steps[1]"), "{report}");
    assert!(report.contains("failed"), "{report}");
}
