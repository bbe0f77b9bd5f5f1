//! Steps of a case and the requests they send.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};
use serde::Deserialize;

use crate::expect::Expect;

/// One step of a case, with its optional `comment`.
#[derive(Clone, Debug)]
pub struct Step {
    /// The action of the step.
    pub action: Action,
    /// A note for readers of the case, shown when the step fails.
    pub comment: Option<String>,
}

/// The action of a step.
#[derive(Clone, Debug)]
pub enum Action {
    /// Send one request and check its response.
    Exchange(Exchange),
    /// Send all requests at once, then check each response. The list is never empty.
    Concurrent(Vec<Exchange>),
    /// Drop the worker's isolates, so the next request starts a fresh one.
    Evict,
    /// Wait, for example for `waitUntil` work to finish.
    Sleep(Duration),
}

/// A request and what its response must look like.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// The request to send.
    #[serde(deserialize_with = "crate::de::object")]
    pub request: Request,
    /// The checks on its response.
    #[serde(deserialize_with = "crate::de::object")]
    pub expect: Expect,
    /// A note for readers of the case, shown when the exchange fails.
    #[serde(default, deserialize_with = "crate::de::some")]
    pub comment: Option<String>,
}

/// A request to the worker, before a target turns it into a URL.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The method, `GET` when left out.
    #[serde(default = "default_method", deserialize_with = "crate::de::method")]
    pub method: Method,
    /// Path and query, such as `/items?id=1`, or `/` when left out.
    #[serde(default = "default_path", deserialize_with = "crate::de::path")]
    pub path: String,
    /// Headers in file order. A name given twice is sent twice.
    #[serde(default, deserialize_with = "crate::de::request_headers")]
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body.
    #[serde(default)]
    pub body: RequestBody,
}

/// The body of a request.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum RequestBody {
    /// No body.
    #[default]
    Empty,
    /// Text, sent as UTF-8.
    Text(String),
    /// Bytes, written in the case as base64.
    Bytes(Vec<u8>),
    /// A JSON value, sent serialized with `content-type: application/json` unless the request
    /// sets a content type.
    Json(serde_json::Value),
}

fn default_method() -> Method {
    Method::GET
}

fn default_path() -> String {
    "/".to_string()
}

impl Request {
    /// Builds the request that targets send: the URI is the path and query only, and each target
    /// puts its own scheme and authority in front.
    pub fn to_http(&self) -> http::Request<Bytes> {
        let body = match &self.body {
            RequestBody::Empty => Bytes::new(),
            RequestBody::Text(text) => Bytes::from(text.clone()),
            RequestBody::Bytes(bytes) => Bytes::from(bytes.clone()),
            RequestBody::Json(value) => Bytes::from(value.to_string()),
        };

        let mut request = http::Request::new(body);
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self
            .path
            .parse()
            .expect("the loader accepts only paths that parse as a URI");

        let headers = request.headers_mut();
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        if matches!(self.body, RequestBody::Json(_))
            && !headers.contains_key(http::header::CONTENT_TYPE)
        {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        request
    }

    /// Returns `METHOD path`, as failure reports show the request.
    pub fn summary(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> Request {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn defaults_to_get_root() {
        let built = request("{}").to_http();

        assert_eq!(built.method(), Method::GET);
        assert_eq!(built.uri(), "/");
        assert!(built.headers().is_empty());
        assert!(built.body().is_empty());
    }

    #[test]
    fn json_body_sets_content_type() {
        let built =
            request(r#"{"method": "POST", "path": "/items?x=1", "body": {"json": {"a": [1, 2]}}}"#)
                .to_http();

        assert_eq!(built.uri(), "/items?x=1");
        assert_eq!(built.headers()["content-type"], "application/json");
        assert_eq!(built.body().as_ref(), br#"{"a":[1,2]}"#);
    }

    #[test]
    fn json_body_keeps_given_content_type() {
        let built = request(
            r#"{"headers": {"Content-Type": "application/vnd.api+json"}, "body": {"json": 1}}"#,
        )
        .to_http();

        let types: Vec<_> = built.headers().get_all("content-type").iter().collect();
        assert_eq!(types, ["application/vnd.api+json"]);
    }

    #[test]
    fn base64_body_is_decoded() {
        let built = request(r#"{"body": {"base64": "AP8="}}"#).to_http();

        assert_eq!(built.body().as_ref(), [0x00, 0xff]);
    }

    #[test]
    fn repeated_header_is_appended() {
        let built = request(r#"{"headers": {"x-a": "1", "X-A": "2"}}"#).to_http();

        let values: Vec<_> = built.headers().get_all("x-a").iter().collect();
        assert_eq!(values, ["1", "2"]);
    }
}
