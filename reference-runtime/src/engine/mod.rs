//! The JS engine. This is the only module that names rquickjs types, so a second engine means a
//! second module beside this one, not a rewrite of the runtime.

mod allocator;
mod bootstrap;
mod chunks;
mod crypto;
mod host;
mod isolate;
mod natives;
mod outbound;

use bytes::Bytes;

use crate::body::Body;
use crate::stats::EvictionReason;

pub(crate) use isolate::Isolate;
pub(crate) use outbound::{BlockedAddresses, FetchOutcome, perform as perform_fetch};

/// Stack size of isolate threads. The engine's own stack limit stays well below it, because
/// QuickJS aborts the process when its limit is at or above the real stack.
pub(crate) const THREAD_STACK_SIZE: usize = 8 << 20;

/// Result that an isolate hands back to its thread after running.
pub(crate) enum Output {
    /// The response to one request; `failed` marks a script error, a hang or a limit.
    Response {
        request_id: u64,
        response: http::Response<Body>,
        failed: bool,
    },
    /// The isolate must be dropped once its in-flight events settle.
    Evict { reason: EvictionReason },
    /// The request goes to the worker's origin unchanged, and its response to the client.
    Forward { request_id: u64 },
}

/// The 500 that workerd sends when a handler throws: the body `Internal Server Error`, with no
/// content type (measured on workerd 2026-11-23).
pub(crate) fn internal_error_response() -> http::Response<Body> {
    let mut response =
        http::Response::new(Body::full(Bytes::from_static(b"Internal Server Error")));
    *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    response
}

pub(crate) fn status_response(status: http::StatusCode, body: Bytes) -> http::Response<Body> {
    let mut response = http::Response::new(Body::full(body));
    *response.status_mut() = status;
    if !response.body().is_empty() {
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain;charset=UTF-8"),
        );
    }
    response
}
