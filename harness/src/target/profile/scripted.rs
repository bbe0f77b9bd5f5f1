//! The Deno, Bun and edge-runtime profiles, whose servers bind a port that the system picks
//! and print a line that names it.
//!
//! Deno serves modules natively with `deno serve`. Service workers on Deno, and both syntaxes on
//! Bun, go through the scripts in `harness/shims`. edge-runtime's CLI serves service workers
//! natively.

use std::path::Path;

use edgecase_runtime::Syntax;
use regex::Regex;

use super::{TrialFiles, base_launch, shims_dir};
use crate::error::Error;
use crate::target::process::{Launch, PortSource};

/// The shim that serves service workers on Deno.
pub(super) const DENO_SHIM: &str = "deno-service-worker.mjs";

/// The launcher that serves both syntaxes on Bun.
pub(super) const BUN_SHIM: &str = "bun-serve.mjs";

/// Matches the listening line of `deno serve` (`Listening on http://127.0.0.1:PORT/`), of the
/// shims (`listening on http://127.0.0.1:PORT`) and of edge-runtime (`Waiting incoming
/// requests at `http://127.0.0.1:PORT/``).
fn listening_line() -> Regex {
    Regex::new(r"(?i)(?:listening on|requests at `?)\s*http://127\.0\.0\.1:(\d+)")
        .expect("the pattern is valid")
}

fn announced(mut launch: Launch) -> Launch {
    launch.port = PortSource::Announced(listening_line());
    launch
}

/// Writes the trial's bindings as a JSON object and returns the file's path.
fn write_bindings(trial: &TrialFiles<'_>) -> Result<std::path::PathBuf, Error> {
    let bindings = serde_json::to_string(&trial.case.worker.bindings)
        .expect("a map of strings serializes to JSON");
    trial.write("bindings.json", &bindings)
}

/// Returns the launch of a Deno trial.
pub(super) fn deno(executable: &Path, trial: &TrialFiles<'_>) -> Result<Launch, Error> {
    let script = trial.write("worker.js", trial.script)?;
    let mut launch = base_launch(executable, trial.dir);
    launch.args = match trial.syntax {
        Syntax::Module => vec![
            "serve".into(),
            "--host".into(),
            "127.0.0.1".into(),
            "--port".into(),
            "0".into(),
            "--allow-net=127.0.0.1".into(),
            script.into_os_string(),
        ],
        Syntax::ServiceWorker => {
            let bindings = write_bindings(trial)?;
            vec![
                "run".into(),
                "--allow-net=127.0.0.1".into(),
                "--allow-read".into(),
                shims_dir().join(DENO_SHIM).into_os_string(),
                script.into_os_string(),
                bindings.into_os_string(),
            ]
        }
    };
    Ok(announced(launch))
}

/// Returns the launch of a Bun trial.
pub(super) fn bun(executable: &Path, trial: &TrialFiles<'_>) -> Result<Launch, Error> {
    let script = trial.write("worker.js", trial.script)?;
    let bindings = write_bindings(trial)?;
    let mut launch = base_launch(executable, trial.dir);
    launch.args = vec![
        "run".into(),
        shims_dir().join(BUN_SHIM).into_os_string(),
        script.into_os_string(),
        trial.syntax.as_str().into(),
        bindings.into_os_string(),
    ];
    Ok(announced(launch))
}

/// Returns the launch of an edge-runtime trial: its CLI with the script, on port 0.
///
/// NOTE: the CLI has no way to set text bindings, so cases that use bindings fail here.
pub(super) fn edge_runtime(executable: &Path, trial: &TrialFiles<'_>) -> Result<Launch, Error> {
    let script = trial.write("worker.js", trial.script)?;
    let mut launch = base_launch(executable, trial.dir);
    launch.args = vec![
        "--listen".into(),
        "--host".into(),
        "127.0.0.1".into(),
        "--port".into(),
        "0".into(),
        script.into_os_string(),
    ];
    Ok(announced(launch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(line: &str) -> Option<u16> {
        listening_line()
            .captures(line)
            .and_then(|captures| captures[1].parse().ok())
    }

    #[test]
    fn listening_lines_give_port() {
        assert_eq!(
            port("deno serve: Listening on http://127.0.0.1:40297/"),
            Some(40297)
        );
        assert_eq!(port("listening on http://127.0.0.1:5000"), Some(5000));
        assert_eq!(
            port("ƒ Waiting incoming requests at `http://127.0.0.1:37315/`"),
            Some(37315)
        );
        assert_eq!(port("Listening on http://0.0.0.0:8000/"), None);
    }
}
