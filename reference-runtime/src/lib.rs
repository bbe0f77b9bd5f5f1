//! Edgecase's reference runtime: many QuickJS isolates in one process that run Cloudflare Workers
//! scripts in module or service-worker syntax, each with its own heap, limits and event loop.
//!
//! [`Runtime`] is the embedding API; [`serve`] puts a runtime behind an HTTP server.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod body;
mod config;
mod engine;
mod error;
mod forward;
mod pool;
mod runtime;
pub mod serve;
mod stats;

pub use body::Body;
pub use config::{Limits, Routing, RuntimeConfig, Syntax, WorkerSpec};
pub use error::Error;
pub use pool::IsolateId;
pub use runtime::Runtime;
pub use stats::{EvictionReason, WorkerStats};
