//! Errors returned by the embedding API of the reference runtime.

/// Everything that can go wrong when registering a worker or sending it a request.
///
/// A script that throws is not an error here: it yields a 500 response, as in Workers.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No worker of that name is registered.
    #[error("worker `{0}` is not registered: register it with `Runtime::add_worker` first")]
    UnknownWorker(String),
    /// A worker of that name is already registered.
    #[error("worker `{0}` is already registered: choose another name or remove it first")]
    DuplicateWorker(String),
    /// The worker spec is unusable, for example zero instances.
    #[error("invalid worker `{name}`: {reason}")]
    InvalidWorker {
        /// Name of the worker.
        name: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// The script failed while its global scope ran.
    #[error("worker `{name}` failed to start: {message}")]
    Startup {
        /// Name of the worker.
        name: String,
        /// The exception or limit that stopped the global scope.
        message: String,
    },
    /// The request could not be turned into a JS `Request`.
    #[error("invalid request to worker `{worker}`: {reason}")]
    InvalidRequest {
        /// Name of the worker.
        worker: String,
        /// What is wrong with the request.
        reason: String,
    },
    /// An isolate thread stopped, so the request was lost; this is a bug in the runtime.
    #[error(
        "isolate thread {0} stopped before it answered; the runtime is shutting down or crashed"
    )]
    ThreadStopped(usize),
    /// Every isolate the request was routed to was evicted before it arrived.
    #[error(
        "request to worker `{worker}` found its isolate evicted {attempts} times in a row; the worker is being evicted faster than it starts"
    )]
    Unroutable {
        /// Name of the worker.
        worker: String,
        /// Routing attempts made.
        attempts: usize,
    },
    /// The runtime could not start its isolate threads.
    #[error("failed to start isolate thread: {0}")]
    Spawn(#[source] std::io::Error),
}
