//! The origin stub for cases that declare `"requires": ["origin"]`: a loopback HTTP server that
//! answers every request with status 200, the body `origin: METHOD PATH` and the header
//! `x-edgecase-origin: 1`, so a case can tell a forwarded request from the worker's own answer.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::OnceLock;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use crate::error::Error;

/// Header that marks a response from the origin stub.
pub const ORIGIN_HEADER: &str = "x-edgecase-origin";

/// Returns the URL of the process-wide origin stub, starting it on first use.
pub fn shared_origin() -> Result<url::Url, Error> {
    static ORIGIN: OnceLock<Result<SocketAddr, String>> = OnceLock::new();
    let address = ORIGIN
        .get_or_init(|| start().map_err(|error| error.to_string()))
        .clone()
        .map_err(|reason| Error::OriginStub { reason })?;
    let url = format!("http://{address}/");
    Ok(url::Url::parse(&url).expect("a socket address forms a valid URL"))
}

/// Starts the stub on its own thread, so it outlives every trial's async runtime.
fn start() -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("edgecase-origin".into())
        .spawn(move || runtime.block_on(serve(listener)))?;
    tracing::debug!(%address, "origin stub listening");
    Ok(address)
}

async fn serve(listener: std::net::TcpListener) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, "origin stub failed to start");
            return;
        }
    };
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(%error, "origin stub failed to accept a connection");
                continue;
            }
        };
        tokio::spawn(async move {
            let service = service_fn(|request: http::Request<hyper::body::Incoming>| async move {
                Ok::<_, Infallible>(answer(request.method(), request.uri()))
            });
            if let Err(error) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%error, "origin stub connection failed");
            }
        });
    }
}

fn answer(method: &http::Method, uri: &http::Uri) -> http::Response<Full<Bytes>> {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let body = format!("origin: {method} {path}");
    http::Response::builder()
        .header(ORIGIN_HEADER, "1")
        .header(http::header::CONTENT_TYPE, "text/plain;charset=UTF-8")
        .body(Full::new(Bytes::from(body)))
        .expect("static response parts are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stub_names_method_and_path() {
        let origin = shared_origin().unwrap();
        let response = reqwest::Client::new()
            .post(origin.join("/some/path?q=1").unwrap())
            .body("ignored")
            .send()
            .await
            .unwrap();

        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[ORIGIN_HEADER], "1");
        assert_eq!(
            response.text().await.unwrap(),
            "origin: POST /some/path?q=1"
        );
    }
}
