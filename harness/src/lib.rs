//! Edgecase's conformance harness: loads JSON case files and runs them against a worker runtime
//! as libtest-mimic trials, one per case and script syntax.
//!
//! The test target `conformance` calls [`cli::main`]. Settings come from the environment:
//!
//! - `EDGECASE_TARGET`: `reference` (default, the runtime in this process), `exec:reference`
//!   (the `edgecase-runtime` binary per trial), `exec:NAME` for a real runtime's launch profile
//!   (`workerd`, `wrangler`, `deno`, `bun`, `edge-runtime`), or an http:// or https:// URL
//!   template with optional `{case}` and `{syntax}`.
//! - `EDGECASE_CAPABILITIES`: the capabilities of a URL target, comma-separated, default none.
//! - `EDGECASE_CASES`: case directories separated by `:`, default `conformance/cases`.
//! - `EDGECASE_STEP_TIMEOUT_MS`: maximum wait for one step in milliseconds, default 30,000.
//! - `EDGECASE_RUNTIME_BIN`: the binary for `exec:reference`, default
//!   `<target dir>/{debug,release}/edgecase-runtime`.
//! - `EDGECASE_EXPECTATIONS`: the expected-failure table to enforce, default
//!   `conformance/expectations/<target>.json` (see [`expectations`]).
//! - `EDGECASE_REPORT`: a path for the JSON report of the run (see [`record`]).
//! - `EDGECASE_TRANSCRIPTS`: `1` writes every exchange to a transcript (see [`transcript`]).
//!
//! A case whose requirements the target lacks is ignored, and a note on stderr names the missing
//! capability. A case file that fails to load fails its own trials.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod capability;
pub mod case;
pub mod cli;
pub mod config;
mod de;
pub mod error;
pub mod expect;
pub mod expectations;
pub mod load;
pub mod normalize;
pub mod origin;
pub mod plan;
pub mod record;
pub mod report;
pub mod response;
pub mod run;
pub mod snapshot;
pub mod step;
pub mod target;
pub mod transcript;
pub mod workspace;

pub use capability::Capability;
pub use case::Case;
pub use config::Config;
pub use error::Error;
pub use load::{Loaded, load_dirs};
pub use plan::{Plan, plan};
pub use report::Failure;
pub use run::{RunOptions, Runner, run_case};
pub use target::{Session, Target, TargetSpec};
