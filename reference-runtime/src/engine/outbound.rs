//! Outbound `fetch()`: the natives that start a subrequest, and the HTTP exchange that runs on
//! the pool's I/O runtime while the isolate serves other events.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::rc::Rc;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use rquickjs::{Ctx, Exception, Function, Object, TypedArray};

use super::host::HostState;

/// Redirect handling that the request asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RedirectMode {
    Follow,
    Manual,
    Error,
}

/// A subrequest that JS started and the pool must perform.
#[derive(Debug)]
pub(crate) struct OutboundFetch {
    pub id: u64,
    pub method: http::Method,
    pub url: url::Url,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub redirect: RedirectMode,
}

/// Outcome of a subrequest.
#[derive(Debug)]
pub(crate) enum FetchOutcome {
    Response {
        status: u16,
        status_text: String,
        headers: Vec<(String, String)>,
        body: Bytes,
        url_list: Vec<String>,
    },
    Failed(String),
}

/// Maximum redirects one fetch follows, as the Fetch standard sets.
const MAX_REDIRECTS: usize = 20;

/// Addresses that subrequests must not reach: the runtime's own listeners, so that a worker
/// cannot call itself or the runtime's other workers through the front door.
#[derive(Clone, Debug, Default)]
pub(crate) struct BlockedAddresses(Arc<RwLock<Vec<SocketAddr>>>);

impl BlockedAddresses {
    pub(crate) fn add(&self, address: SocketAddr) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(address);
    }

    /// Returns the blocked listener that `url` points at, if any. A loopback or unspecified
    /// listener is reached through every loopback address and `localhost`.
    fn blocks(&self, url: &url::Url) -> Option<SocketAddr> {
        let port = url.port_or_known_default()?;
        let target_ips: Vec<IpAddr> = match url.host()? {
            url::Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
            url::Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
            url::Host::Domain(name) if name.eq_ignore_ascii_case("localhost") => {
                vec![
                    IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(Ipv6Addr::LOCALHOST),
                ]
            }
            url::Host::Domain(_) => return None,
        };
        let listeners = self.0.read().unwrap_or_else(|e| e.into_inner());
        listeners.iter().copied().find(|listener| {
            listener.port() == port
                && target_ips.iter().any(|ip| {
                    *ip == listener.ip()
                        || (ip.is_loopback() || ip.is_unspecified())
                            && (listener.ip().is_loopback() || listener.ip().is_unspecified())
                })
        })
    }
}

/// Performs one subrequest, following redirects itself so that it can report the URL list.
pub(crate) async fn perform(
    client: &reqwest::Client,
    blocked: &BlockedAddresses,
    fetch: OutboundFetch,
) -> FetchOutcome {
    let mut method = fetch.method;
    let mut url = fetch.url;
    let mut body = fetch.body;
    let mut url_list = vec![url.to_string()];

    for _ in 0..=MAX_REDIRECTS {
        if let Some(listener) = blocked.blocks(&url) {
            return FetchOutcome::Failed(format!(
                "fetch to {url} is not allowed: {listener} is this runtime's own listener \
                 (start the server with --allow-self-fetch to allow it)"
            ));
        }
        let mut request = client.request(method.clone(), url.clone());
        for (name, value) in &fetch.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if !body.is_empty() {
            request = request.body(body.clone());
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return FetchOutcome::Failed(format!("Network connection lost: {error}")),
        };

        let status = response.status();
        let location = response
            .headers()
            .get(http::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| url.join(value).ok());
        if status.is_redirection() && fetch.redirect != RedirectMode::Manual {
            if let Some(next) = location {
                if fetch.redirect == RedirectMode::Error {
                    return FetchOutcome::Failed(format!(
                        "fetch to {url} was redirected to {next}, and the request's redirect mode is \"error\""
                    ));
                }
                // 303, and 301 or 302 after POST, turn into a GET without a body.
                let to_get = status == http::StatusCode::SEE_OTHER
                    || (method == http::Method::POST && matches!(status.as_u16(), 301 | 302));
                if to_get {
                    method = http::Method::GET;
                    body = Bytes::new();
                }
                url = next;
                url_list.push(url.to_string());
                continue;
            }
        }

        let status_text = status.canonical_reason().unwrap_or("").to_string();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let text = value.as_bytes().iter().map(|&b| char::from(b)).collect();
                (name.as_str().to_string(), text)
            })
            .collect();
        return match response.bytes().await {
            Ok(body) => FetchOutcome::Response {
                status: status.as_u16(),
                status_text,
                headers,
                body,
                url_list,
            },
            Err(error) => FetchOutcome::Failed(format!("Network connection lost: {error}")),
        };
    }
    FetchOutcome::Failed(format!("fetch to {url} exceeded {MAX_REDIRECTS} redirects"))
}

/// Defines `host.fetchStart` and `host.fetchCancel`.
pub(crate) fn register<'js>(
    ctx: &Ctx<'js>,
    host: &Object<'js>,
    state: &Rc<HostState>,
    subrequest_limit: u32,
) -> rquickjs::Result<()> {
    let s = state.clone();
    host.set(
        "fetchStart",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  id: f64,
                  method: String,
                  url: String,
                  headers: Vec<String>,
                  body: Option<TypedArray<'js, u8>>,
                  redirect: String|
                  -> rquickjs::Result<()> {
                let owner = s.current.get();
                let url = url::Url::parse(&url)
                    .map_err(|_| Exception::throw_type(&ctx, &format!("Invalid URL: {url}")))?;
                if !matches!(url.scheme(), "http" | "https") {
                    let message = format!("Fetch API cannot load: {url}");
                    return Err(Exception::throw_type(&ctx, &message));
                }
                let method = http::Method::from_bytes(method.as_bytes()).map_err(|_| {
                    Exception::throw_type(&ctx, &format!("Invalid method: {method}"))
                })?;
                let redirect = match redirect.as_str() {
                    "manual" => RedirectMode::Manual,
                    "error" => RedirectMode::Error,
                    _ => RedirectMode::Follow,
                };
                // SAFETY: the bytes are copied before any JS runs.
                let body = body
                    .and_then(|b| unsafe { b.as_bytes() }.map(Bytes::copy_from_slice))
                    .unwrap_or_default();
                let headers = headers
                    .chunks(2)
                    .filter_map(|pair| match pair {
                        [name, value] => Some((name.clone(), value.clone())),
                        _ => None,
                    })
                    .collect();

                s.start_fetch(
                    owner,
                    subrequest_limit,
                    OutboundFetch {
                        id: id as u64,
                        method,
                        url,
                        headers,
                        body,
                        redirect,
                    },
                )
                .map_err(|message| Exception::throw_message(&ctx, &message))
            },
        )?,
    )?;

    let s = state.clone();
    host.set(
        "fetchCancel",
        Function::new(ctx.clone(), move |id: f64| s.cancel_fetch(id as u64))?,
    )?;
    Ok(())
}
