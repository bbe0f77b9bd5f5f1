//! The wrangler profile: `wrangler dev` in local mode, from a generated `wrangler.json`.
//!
//! wrangler runs as a tree of processes (node, esbuild, two workerd), and the tree exits when
//! the top process gets SIGTERM, so the session stops it with SIGTERM before SIGKILL.
//!
//! The script sits in `src/` with additional modules turned off. Without that, wrangler
//! attaches the other files of the directory (its own logs among them) as modules of an
//! unbundled service worker, and reloads each time one changes.

use std::path::Path;
use std::time::Duration;

use edgecase_runtime::Syntax;
use regex::Regex;

use super::workerd::COMPATIBILITY_DATE;
use super::{TrialFiles, base_launch};
use crate::error::Error;
use crate::target::process::{Launch, PortSource};

/// How long wrangler may take to stop its process tree after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Writes the script and `wrangler.json` into the trial directory and returns the launch.
pub(super) fn launch(executable: &Path, trial: &TrialFiles<'_>) -> Result<Launch, Error> {
    let source_dir = trial.dir.join("src");
    std::fs::create_dir_all(&source_dir).map_err(|source| Error::Io {
        action: format!("create `{}`", source_dir.display()),
        source,
    })?;
    trial.write("src/worker.js", trial.script)?;
    let config = serde_json::json!({
        "name": "edgecase",
        "main": "src/worker.js",
        "compatibility_date": COMPATIBILITY_DATE,
        // wrangler detects service-worker syntax only in scripts it does not bundle.
        "no_bundle": trial.syntax == Syntax::ServiceWorker,
        "find_additional_modules": false,
        "vars": trial.case.worker.bindings,
    });
    trial.write("wrangler.json", &config.to_string())?;

    let mut launch = base_launch(executable, trial.dir);
    launch.args = [
        "dev",
        "--ip",
        "127.0.0.1",
        "--port",
        "0",
        "--inspector-port",
        "0",
        "--show-interactive-dev-session=false",
    ]
    .into_iter()
    .map(Into::into)
    .collect();
    launch.env.push((
        "WRANGLER_LOG_PATH".into(),
        trial.dir.join("logs").into_os_string(),
    ));
    launch.port = PortSource::Announced(
        Regex::new(r"Ready on http://127\.0\.0\.1:(\d+)").expect("the pattern is valid"),
    );
    launch.stop_grace = Some(STOP_GRACE);
    Ok(launch)
}
