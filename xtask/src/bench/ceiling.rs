//! The load generator's own ceiling: the same load against a minimal hyper server that runs in
//! this process on its own thread. A runtime whose throughput comes close to this figure is
//! limited by the client, not by itself.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::thread::JoinHandle;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::load::HELLO_BODY;

/// A hello server on 127.0.0.1 that stops when dropped.
pub struct HelloServer {
    pub address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl HelloServer {
    /// Starts the server on a free loopback port, on a thread with a current-thread runtime.
    pub fn start() -> anyhow::Result<HelloServer> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .context("failed to bind a loopback port")?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("hello-server".into())
            .spawn(move || serve(listener, stopped))
            .context("failed to start the hello server thread")?;
        Ok(HelloServer {
            address,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for HelloServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: std::net::TcpListener, mut stopped: oneshot::Receiver<()>) {
    let tokio = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(tokio) => tokio,
        Err(error) => {
            eprintln!("hello server: failed to start the async runtime: {error}");
            return;
        }
    };
    tokio.block_on(async move {
        let listener = match TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("hello server: failed to register the listener: {error}");
                return;
            }
        };
        loop {
            let stream = tokio::select! {
                _ = &mut stopped => return,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Running out of file descriptors passes once connections close.
                        eprintln!("hello server: failed to accept a connection: {error}");
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                        continue;
                    }
                },
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(|_request| async {
                    Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(
                        HELLO_BODY.as_bytes(),
                    ))))
                });
                // A connection error only ends that connection; the load run counts it.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
