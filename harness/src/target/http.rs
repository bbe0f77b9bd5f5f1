//! A server that is already running, reached over HTTP at a URL template, and the HTTP client
//! that the exec target shares.

use std::collections::BTreeSet;

use async_trait::async_trait;
use bytes::Bytes;
use edgecase_runtime::Syntax;

use crate::capability::Capability;
use crate::case::Case;
use crate::error::Error;
use crate::response::Response;
use crate::target::{Session, Target};

/// A URL target: every trial sends its steps to the template with `{case}` and `{syntax}`
/// filled in.
///
/// The harness cannot configure a server it did not start, so bindings and limits are whatever
/// the server was deployed with.
pub struct HttpTarget {
    template: String,
    capabilities: BTreeSet<Capability>,
    client: reqwest::Client,
}

impl HttpTarget {
    /// Creates the target; `template` is an http:// or https:// URL without query or fragment.
    pub fn new(template: &str, capabilities: BTreeSet<Capability>) -> Result<Self, Error> {
        validate_template(template).map_err(|reason| Error::InvalidSetting {
            name: "EDGECASE_TARGET",
            value: template.to_string(),
            reason,
        })?;
        Ok(HttpTarget {
            template: template.to_string(),
            capabilities,
            client: client()?,
        })
    }

    /// Returns the base URL of one trial: the template with `{case}` replaced by the case id with
    /// `/` turned into `-`, and `{syntax}` by the syntax.
    pub fn base_url(&self, case_id: &str, syntax: Syntax) -> String {
        fill_template(&self.template, case_id, syntax)
    }
}

fn fill_template(template: &str, case_id: &str, syntax: Syntax) -> String {
    template
        .replace("{case}", &case_id.replace('/', "-"))
        .replace("{syntax}", syntax.as_str())
}

/// Checks that a URL template, once filled in, is an http:// or https:// URL without query or
/// fragment, because each step appends its own path and query.
pub(crate) fn validate_template(template: &str) -> Result<(), String> {
    let sample = fill_template(template, "area-name", Syntax::Module);
    let url = url::Url::parse(&sample).map_err(|error| format!("not a valid URL: {error}"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err("the URL must start with http:// or https://".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(
            "the URL must have no query or fragment, because each step appends its path and query"
                .into(),
        );
    }
    Ok(())
}

/// Builds the HTTP client of the URL and exec targets.
///
/// It follows no redirects, so that cases see 3xx responses as a worker sent them, and it
/// ignores proxy settings.
pub(crate) fn client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(Error::HttpClient)
}

/// Sends a request whose URI is a path and query to `base` and reads the whole response.
pub(crate) async fn send(
    client: &reqwest::Client,
    base: &str,
    request: http::Request<Bytes>,
) -> Result<Response, Error> {
    let (parts, body) = request.into_parts();
    let url = format!("{}{}", base.trim_end_matches('/'), parts.uri);
    let http_error = |source| Error::Http {
        url: url.clone(),
        source,
    };

    let response = client
        .request(parts.method, &url)
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(http_error)?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(http_error)?;
    Ok(Response {
        status,
        headers,
        body,
    })
}

#[async_trait]
impl Target for HttpTarget {
    fn name(&self) -> &str {
        &self.template
    }

    fn capabilities(&self) -> &BTreeSet<Capability> {
        &self.capabilities
    }

    async fn start(&self, case: &Case, syntax: Syntax) -> Result<Box<dyn Session>, Error> {
        Ok(Box::new(HttpSession {
            target: self.template.clone(),
            base: self.base_url(&case.id, syntax),
            client: self.client.clone(),
        }))
    }
}

struct HttpSession {
    target: String,
    base: String,
    client: reqwest::Client,
}

#[async_trait]
impl Session for HttpSession {
    async fn send(&self, request: http::Request<Bytes>) -> Result<Response, Error> {
        send(&self.client, &self.base, request).await
    }

    async fn evict(&mut self) -> Result<(), Error> {
        Err(Error::Unsupported {
            target: self.target.clone(),
            action: "evict the worker".into(),
            reason: "the harness does not control a server it did not start".into(),
        })
    }

    async fn close(self: Box<Self>) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_fills_case_and_syntax() {
        let target =
            HttpTarget::new("http://127.0.0.1:9/{case}/{syntax}", BTreeSet::new()).unwrap();

        assert_eq!(
            target.base_url("basics/hello", Syntax::ServiceWorker),
            "http://127.0.0.1:9/basics-hello/service-worker"
        );
    }

    #[test]
    fn template_with_query_is_rejected() {
        let error = validate_template("http://127.0.0.1:9/?case={case}").unwrap_err();

        assert!(error.contains("no query or fragment"), "{error}");
    }

    #[test]
    fn template_needs_http_scheme() {
        let error = validate_template("ftp://127.0.0.1/").unwrap_err();

        assert_eq!(error, "the URL must start with http:// or https://");
    }

    #[test]
    fn template_must_parse() {
        let error = validate_template("http://[::1/").unwrap_err();

        assert!(error.starts_with("not a valid URL"), "{error}");
    }
}
