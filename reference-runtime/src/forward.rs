//! Pass-through to the origin: the request goes out unchanged and the origin's response goes
//! back to the client, as Workers does for fail-open and for a listener without `respondWith`.

use bytes::Bytes;

use crate::body::Body;
use crate::engine::status_response;

/// The parts of an incoming request kept until it is answered, in case it is forwarded.
#[derive(Clone, Debug)]
pub(crate) struct ForwardRequest {
    pub method: http::Method,
    pub uri: http::Uri,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl ForwardRequest {
    pub(crate) fn copy_of(request: &http::Request<Bytes>) -> Self {
        ForwardRequest {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
            body: request.body().clone(),
        }
    }
}

/// Sends `request` to `origin`, keeping its path and query; any failure becomes a 502.
pub(crate) async fn forward(
    client: &reqwest::Client,
    origin: &url::Url,
    request: ForwardRequest,
    worker: &str,
    request_id: u64,
) -> http::Response<Body> {
    let path = request
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let target = match origin.join(&path) {
        Ok(url) => url,
        Err(error) => {
            return bad_gateway(
                worker,
                request_id,
                &format!("invalid origin path `{path}`: {error}"),
            );
        }
    };

    let mut headers = request.headers;
    headers.remove(http::header::HOST);
    let sent = client
        .request(request.method, target.clone())
        .headers(headers)
        .body(request.body)
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(error) => {
            return bad_gateway(
                worker,
                request_id,
                &format!("origin {target} failed: {error}"),
            );
        }
    };

    let status = response.status();
    let headers = response.headers().clone();
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(error) => {
            return bad_gateway(
                worker,
                request_id,
                &format!("origin {target} body failed: {error}"),
            );
        }
    };
    let mut forwarded = http::Response::new(Body::full(body));
    *forwarded.status_mut() = status;
    *forwarded.headers_mut() = headers;
    forwarded
}

fn bad_gateway(worker: &str, request_id: u64, reason: &str) -> http::Response<Body> {
    tracing::warn!(
        worker,
        request_id,
        error = reason,
        "pass-through to the origin failed"
    );
    status_response(http::StatusCode::BAD_GATEWAY, Bytes::new())
}

/// Returns the 502 for a request that should pass through when the worker has no origin.
pub(crate) fn no_origin(worker: &str, request_id: u64) -> http::Response<Body> {
    tracing::warn!(
        worker,
        request_id,
        "request passed through, but the worker has no origin: set one with --origin"
    );
    let body = Bytes::from_static(
        b"The worker passed this request through to its origin, but no origin is configured.\n",
    );
    status_response(http::StatusCode::BAD_GATEWAY, body)
}
