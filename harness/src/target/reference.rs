//! The reference runtime in this process: one shared `Runtime`, one worker per trial.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use edgecase_runtime::{Runtime, RuntimeConfig, Syntax, WorkerSpec};

use crate::capability::Capability;
use crate::case::Case;
use crate::error::Error;
use crate::response::Response;
use crate::target::{Session, Target};

/// Capabilities of the in-process reference runtime. Workers of `origin` cases pass requests
/// through to the harness's origin stub.
pub const CAPABILITIES: [Capability; 6] = [
    Capability::SingleInstance,
    Capability::MultiInstance,
    Capability::Eviction,
    Capability::Origin,
    Capability::CpuLimit,
    Capability::MemoryLimit,
];

/// Origin that requests to in-process workers use, since `Runtime::fetch` needs absolute URLs.
const ORIGIN: &str = "http://localhost";

/// The reference runtime, shared by every trial of the process.
pub struct ReferenceTarget {
    runtime: Runtime,
    capabilities: BTreeSet<Capability>,
    next_worker: AtomicU64,
}

impl ReferenceTarget {
    /// Starts a reference runtime with the default configuration.
    pub fn new() -> Result<Self, Error> {
        Ok(Self::with_runtime(Runtime::new(RuntimeConfig::default())?))
    }

    /// Uses a runtime that the caller configured.
    pub fn with_runtime(runtime: Runtime) -> Self {
        ReferenceTarget {
            runtime,
            capabilities: CAPABILITIES.into_iter().collect(),
            next_worker: AtomicU64::new(1),
        }
    }

    /// Returns the runtime, for example to read a worker's stats.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }
}

#[async_trait]
impl Target for ReferenceTarget {
    fn name(&self) -> &str {
        "reference"
    }

    fn capabilities(&self) -> &BTreeSet<Capability> {
        &self.capabilities
    }

    fn version(&self) -> String {
        format!(
            "edgecase-runtime {} (in process)",
            env!("CARGO_PKG_VERSION")
        )
    }

    async fn start(&self, case: &Case, syntax: Syntax) -> Result<Box<dyn Session>, Error> {
        let script = case.script(syntax).ok_or_else(|| Error::Unsupported {
            target: self.name().into(),
            action: format!("run `{}` as {syntax}", case.id),
            reason: "the case has no script in that syntax".into(),
        })?;

        // Trials of one case may run at once, so each worker name carries a counter.
        let serial = self.next_worker.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}::{syntax}#{serial}", case.id);

        let mut spec = WorkerSpec::new(&name, script).with_syntax(syntax);
        spec.bindings = case.worker.bindings.clone();
        spec.limits = case.worker.limits.apply(spec.limits);
        if let Some(instances) = case.worker.instances {
            spec.instances = instances;
        }
        if let Some(routing) = case.worker.routing {
            spec.routing = routing;
        }
        if case.requires.contains(&Capability::Origin) {
            spec.origin = Some(crate::origin::shared_origin()?);
        }

        self.runtime.add_worker(spec).await?;
        tracing::debug!(worker = %name, "registered worker");
        Ok(Box::new(ReferenceSession {
            runtime: self.runtime.clone(),
            name,
            closed: false,
        }))
    }
}

struct ReferenceSession {
    runtime: Runtime,
    name: String,
    closed: bool,
}

#[async_trait]
impl Session for ReferenceSession {
    async fn send(&self, request: http::Request<Bytes>) -> Result<Response, Error> {
        let (mut parts, body) = request.into_parts();
        let absolute = format!("{ORIGIN}{}", parts.uri);
        parts.uri = absolute.parse().map_err(|_| Error::Unsupported {
            target: "reference".into(),
            action: format!("send a request to `{absolute}`"),
            reason: "the path does not form a valid URL".into(),
        })?;

        let response = self
            .runtime
            .fetch(&self.name, http::Request::from_parts(parts, body))
            .await?;
        let (parts, body) = response.into_parts();
        Ok(Response {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await,
        })
    }

    async fn evict(&mut self) -> Result<(), Error> {
        self.runtime.evict(&self.name).await?;
        Ok(())
    }

    async fn close(mut self: Box<Self>) -> Result<(), Error> {
        self.closed = true;
        self.runtime.remove_worker(&self.name).await?;
        tracing::debug!(worker = %self.name, "removed worker");
        Ok(())
    }
}

impl Drop for ReferenceSession {
    /// Removes the worker of a trial that ended without `close`, such as one that panicked.
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        let runtime = self.runtime.clone();
        let name = std::mem::take(&mut self.name);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    if let Err(error) = runtime.remove_worker(&name).await {
                        tracing::warn!(worker = %name, %error, "failed to remove worker");
                    }
                });
            }
            Err(_) => {
                tracing::warn!(worker = %name, "worker left registered: no async runtime to remove it");
            }
        }
    }
}
