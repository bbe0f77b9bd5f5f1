//! The session of a server that the harness launched for one trial: requests go to its port,
//! and an eviction restarts the process.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::error::Error;
use crate::response::Response;
use crate::target::process::{Launch, ServerProcess};
use crate::target::{Session, http};

/// A launched server and the temporary directory of its files.
pub(crate) struct LaunchedSession {
    launch: Launch,
    ready_timeout: Duration,
    process: ServerProcess,
    client: reqwest::Client,
    /// Directory of the trial's files, deleted when the session drops. Fields drop in
    /// declaration order, so `process` is killed before its files go away.
    _dir: tempfile::TempDir,
}

impl LaunchedSession {
    /// Starts the server and waits until it reports its port.
    pub(crate) async fn start(
        launch: Launch,
        ready_timeout: Duration,
        dir: tempfile::TempDir,
    ) -> Result<LaunchedSession, Error> {
        let process = ServerProcess::launch(&launch, ready_timeout).await?;
        Ok(LaunchedSession {
            launch,
            ready_timeout,
            process,
            client: http::client()?,
            _dir: dir,
        })
    }
}

#[async_trait]
impl Session for LaunchedSession {
    async fn send(&self, request: ::http::Request<Bytes>) -> Result<Response, Error> {
        let result = http::send(&self.client, &self.process.base_url(), request).await;
        if result.is_err() {
            // A refused connection usually means that the server crashed, and its output says
            // why.
            if let Some(status) = self.process.exit_status() {
                return Err(self.process.exited_error(status).await);
            }
        }
        result
    }

    /// Restarts the server, which drops the isolate and its global state.
    async fn evict(&mut self) -> Result<(), Error> {
        self.process.kill();
        self.process = ServerProcess::launch(&self.launch, self.ready_timeout).await?;
        Ok(())
    }

    async fn close(mut self: Box<Self>) -> Result<(), Error> {
        self.process.kill();
        Ok(())
    }

    fn output(&self) -> Option<String> {
        Some(self.process.output_text())
    }
}
