//! The workerd profile: one `workerd serve` per trial, from a generated capnp config.
//!
//! The config binds socket `http` to `127.0.0.1:0`, and workerd writes the port it bound to the
//! control pipe (`--control-fd`), so no port is guessed. A worker's `globalOutbound` is the
//! origin stub for `origin` cases, and otherwise a network service that allows no address, so
//! a worker's `fetch()` never leaves the machine. Allowing loopback instead would let a request
//! that workerd forwards by default (a service worker that never calls `respondWith`) reach
//! workerd's own socket again, in a loop.

use std::fmt::Write as _;
use std::path::Path;

use edgecase_runtime::Syntax;

use super::{TrialFiles, base_launch};
use crate::error::Error;
use crate::target::process::{CONTROL_FD, Launch, PortSource};

/// The compatibility date of every worker: a fixed date, so that a newer workerd does not
/// change behaviour behind the cases' backs.
pub const COMPATIBILITY_DATE: &str = "2025-06-01";

/// Writes the script and its config into the trial directory and returns the launch.
pub(super) fn launch(executable: &Path, trial: &TrialFiles<'_>) -> Result<Launch, Error> {
    trial.write("worker.js", trial.script)?;
    let origin = trial.origin.map(|url| {
        format!(
            "{}:{}",
            url.host_str().unwrap_or("127.0.0.1"),
            url.port().unwrap_or(80)
        )
    });
    let config = config(trial.syntax, &trial.case.worker.bindings, origin.as_deref());
    let config_path = trial.write("config.capnp", &config)?;

    let mut launch = base_launch(executable, trial.dir);
    launch.args = vec![
        "serve".into(),
        config_path.into_os_string(),
        "config".into(),
        "--socket-addr".into(),
        "http=127.0.0.1:0".into(),
        "--control-fd".into(),
        CONTROL_FD.to_string().into(),
    ];
    launch.port = PortSource::ControlFd {
        socket: "http".into(),
    };
    Ok(launch)
}

/// Returns the capnp config of one worker, with `worker.js` beside it. `origin` is the
/// `host:port` of the origin stub.
pub(crate) fn config(
    syntax: Syntax,
    bindings: &std::collections::BTreeMap<String, String>,
    origin: Option<&str>,
) -> String {
    let mut out = String::new();
    out.push_str("using Workerd = import \"/workerd/workerd.capnp\";\n\n");
    out.push_str("const config :Workerd.Config = (\n  services = [\n");
    out.push_str("    (name = \"main\", worker = .mainWorker),\n");
    match origin {
        Some(address) => {
            let _ = writeln!(
                out,
                "    (name = \"origin\", external = (address = {}, http = ())),",
                quote(address)
            );
        }
        None => out.push_str("    (name = \"no-network\", network = (allow = [])),\n"),
    }
    out.push_str("  ],\n");
    // The address is replaced by `--socket-addr http=127.0.0.1:0`.
    out.push_str(
        "  sockets = [(name = \"http\", address = \"127.0.0.1:0\", http = (), service = \
         \"main\")],\n);\n\n",
    );

    out.push_str("const mainWorker :Workerd.Worker = (\n");
    match syntax {
        Syntax::Module => {
            out.push_str("  modules = [(name = \"worker.js\", esModule = embed \"worker.js\")],\n")
        }
        Syntax::ServiceWorker => out.push_str("  serviceWorkerScript = embed \"worker.js\",\n"),
    }
    if !bindings.is_empty() {
        out.push_str("  bindings = [\n");
        for (name, value) in bindings {
            let _ = writeln!(
                out,
                "    (name = {}, text = {}),",
                quote(name),
                quote(value)
            );
        }
        out.push_str("  ],\n");
    }
    let outbound = if origin.is_some() {
        "origin"
    } else {
        "no-network"
    };
    let _ = writeln!(out, "  compatibilityDate = {},", quote(COMPATIBILITY_DATE));
    let _ = writeln!(out, "  globalOutbound = {},", quote(outbound));
    out.push_str(");\n");
    out
}

/// Returns a capnp text literal: double quotes, with backslash escapes for quotes, backslashes
/// and control characters.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn quote_escapes_specials() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("line\nnext\u{1}"), "\"line\\nnext\\x01\"");
        assert_eq!(quote("ünïcode"), "\"ünïcode\"");
    }

    #[test]
    fn module_config_has_bindings_and_origin() {
        let bindings = BTreeMap::from([("GREETING".to_string(), "hi \"there\"".to_string())]);

        let config = config(Syntax::Module, &bindings, Some("127.0.0.1:4000"));

        assert!(
            config.contains(
                "(name = \"origin\", external = (address = \"127.0.0.1:4000\", http = ())),"
            ),
            "{config}"
        );
        assert!(
            config.contains("esModule = embed \"worker.js\""),
            "{config}"
        );
        assert!(
            config.contains("(name = \"GREETING\", text = \"hi \\\"there\\\"\"),"),
            "{config}"
        );
        assert!(config.contains("globalOutbound = \"origin\","), "{config}");
        assert!(
            config.contains("compatibilityDate = \"2025-06-01\","),
            "{config}"
        );
    }

    #[test]
    fn service_worker_config_has_no_network() {
        let config = config(Syntax::ServiceWorker, &BTreeMap::new(), None);

        assert!(
            config.contains("serviceWorkerScript = embed \"worker.js\","),
            "{config}"
        );
        assert!(
            config.contains("(name = \"no-network\", network = (allow = [])),"),
            "{config}"
        );
        assert!(
            config.contains("globalOutbound = \"no-network\","),
            "{config}"
        );
        assert!(!config.contains("bindings"), "{config}");
    }
}
