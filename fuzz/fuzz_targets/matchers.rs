//! Checks arbitrary responses against expectations parsed from arbitrary case text: matching
//! must never panic, whatever the body bytes, header values or patterns are.
#![no_main]

use std::path::Path;

use edgecase_harness::expect::check;
use edgecase_harness::response::Response;
use edgecase_harness::step::Action;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first line is an EXPECT object; the rest is the response body.
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (expect, body) = data.split_at(split);
    let Ok(expect) = std::str::from_utf8(expect) else {
        return;
    };
    let case = format!(
        r#"{{"title": "fuzz", "worker": {{"module": "export default {{}}"}},
            "steps": [{{"request": {{}}, "expect": {expect}}}]}}"#
    );
    let Ok(case) = edgecase_harness::load::parse_case(
        "fuzz/matchers",
        Path::new("fuzz/matchers.json"),
        &case,
        Path::new("/nonexistent"),
    ) else {
        return;
    };

    let mut headers = http::HeaderMap::new();
    if let Ok(value) = http::HeaderValue::from_bytes(body.get(..body.len().min(64)).unwrap_or(&[]))
    {
        headers.insert("content-type", value.clone());
        headers.append("set-cookie", value);
    }
    let response = Response {
        status: http::StatusCode::OK,
        headers,
        body: bytes::Bytes::copy_from_slice(body),
    };
    for step in &case.steps {
        if let Action::Exchange(exchange) = &step.action {
            let _ = check(&exchange.expect, &response);
        }
    }
});
