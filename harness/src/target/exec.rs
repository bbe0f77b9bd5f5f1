//! The `edgecase-runtime` binary, launched once per trial with `serve` on a free loopback port.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use edgecase_runtime::{Routing, Syntax};

use crate::capability::Capability;
use crate::case::Case;
use crate::error::Error;
use crate::target::launched::LaunchedSession;
use crate::target::process::Launch;
use crate::target::{Session, Target};
use crate::workspace;

/// Capabilities of the launched binary. Eviction restarts the process, and `serve` options set
/// the instances, routing and the `cpu_ms` and `memory_mb` limits.
///
/// NOTE: `serve` has no option for `startup_cpu_ms` or `subrequests`, so a case that sets them
/// fails to start here.
pub const CAPABILITIES: [Capability; 6] = [
    Capability::SingleInstance,
    Capability::MultiInstance,
    Capability::Eviction,
    Capability::Origin,
    Capability::CpuLimit,
    Capability::MemoryLimit,
];

/// How long a launched server may take to print its listening line.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(10);

const NAME: &str = "exec:reference";

/// Finds the `edgecase-runtime` binary: `EDGECASE_RUNTIME_BIN` if set, else the newer of
/// `<target dir>/debug/edgecase-runtime` and `<target dir>/release/edgecase-runtime`.
pub fn find_runtime_binary() -> Result<PathBuf, Error> {
    find_binary(
        std::env::var_os("EDGECASE_RUNTIME_BIN"),
        &workspace::target_dir(),
    )
}

fn find_binary(configured: Option<OsString>, target_dir: &Path) -> Result<PathBuf, Error> {
    if let Some(path) = configured.filter(|path| !path.is_empty()) {
        let path = workspace::resolve(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(Error::RuntimeBinaryNotFound { tried: vec![path] })
        };
    }

    let file = format!("edgecase-runtime{}", std::env::consts::EXE_SUFFIX);
    let tried = vec![
        target_dir.join("debug").join(&file),
        target_dir.join("release").join(&file),
    ];
    let newest = tried
        .iter()
        .filter_map(|path| {
            let modified = std::fs::metadata(path).ok()?.modified().ok()?;
            Some((modified, path))
        })
        .max_by_key(|(modified, _)| *modified)
        .map(|(_, path)| path.clone());
    newest.ok_or(Error::RuntimeBinaryNotFound { tried })
}

/// The exec target.
pub struct ExecTarget {
    binary: PathBuf,
    capabilities: BTreeSet<Capability>,
    ready_timeout: Duration,
}

impl ExecTarget {
    /// Creates a target that launches `binary`.
    pub fn new(binary: PathBuf) -> Self {
        ExecTarget {
            binary,
            capabilities: CAPABILITIES.into_iter().collect(),
            ready_timeout: DEFAULT_READY_TIMEOUT,
        }
    }

    /// Sets how long a launched server may take to print its listening line.
    pub fn with_ready_timeout(mut self, timeout: Duration) -> Self {
        self.ready_timeout = timeout;
        self
    }

    /// Returns the binary this target launches.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    fn unsupported(&self, action: &str, reason: &str) -> Error {
        Error::Unsupported {
            target: NAME.into(),
            action: action.into(),
            reason: reason.into(),
        }
    }
}

#[async_trait]
impl Target for ExecTarget {
    fn name(&self) -> &str {
        NAME
    }

    fn capabilities(&self) -> &BTreeSet<Capability> {
        &self.capabilities
    }

    async fn start(&self, case: &Case, syntax: Syntax) -> Result<Box<dyn Session>, Error> {
        let script = case.script(syntax).ok_or_else(|| {
            self.unsupported(
                &format!("run `{}` as {syntax}", case.id),
                "the case has no script in that syntax",
            )
        })?;
        let limits = &case.worker.limits;
        if limits.startup_cpu_ms.is_some() || limits.subrequests.is_some() {
            return Err(self.unsupported(
                "apply `worker.limits.startup_cpu_ms` or `worker.limits.subrequests`",
                "`edgecase-runtime serve` has no option for them",
            ));
        }

        let dir = tempfile::Builder::new()
            .prefix("edgecase-case-")
            .tempdir()
            .map_err(|source| Error::Io {
                action: "create a temporary directory for the script".into(),
                source,
            })?;
        let script_path = dir.path().join("worker.js");
        std::fs::write(&script_path, script).map_err(|source| Error::Io {
            action: format!("write script to `{}`", script_path.display()),
            source,
        })?;

        let mut args: Vec<OsString> = vec![
            "serve".into(),
            script_path.into_os_string(),
            "--syntax".into(),
            syntax.as_str().into(),
        ];
        for (name, value) in &case.worker.bindings {
            args.push("--binding".into());
            args.push(format!("{name}={value}").into());
        }
        args.extend(worker_flags(case));
        if case.requires.contains(&Capability::Origin) {
            args.push("--origin".into());
            args.push(crate::origin::shared_origin()?.as_str().into());
        }

        let launch = Launch::with_port_flags(&self.binary, &args);
        let session = LaunchedSession::start(launch, self.ready_timeout, dir).await?;
        Ok(Box::new(session))
    }

    fn version(&self) -> String {
        binary_version(&self.binary)
    }
}

/// Returns the first line of `binary --version`, such as `edgecase-runtime 0.1.0`, or the
/// binary's path when it prints none.
fn binary_version(binary: &Path) -> String {
    let output = std::process::Command::new(binary)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    output
        .ok()
        .and_then(|output| {
            let text = String::from_utf8_lossy(&output.stdout);
            text.lines().next().map(|line| line.trim().to_string())
        })
        .filter(|line| !line.is_empty())
        .unwrap_or_else(|| format!("{} (unknown version)", binary.display()))
}

/// Returns the `serve` options for the instances, routing and limits that a case sets.
fn worker_flags(case: &Case) -> Vec<OsString> {
    let mut flags: Vec<OsString> = Vec::new();
    let worker = &case.worker;
    if let Some(instances) = worker.instances {
        flags.extend(["--instances".into(), instances.to_string().into()]);
    }
    if let Some(routing) = worker.routing {
        let routing = match routing {
            Routing::RoundRobin => "round-robin".to_string(),
            Routing::Sticky => "sticky".to_string(),
            Routing::Random { seed } => format!("random:{seed}"),
        };
        flags.extend(["--routing".into(), routing.into()]);
    }
    if let Some(cpu_ms) = worker.limits.cpu_ms {
        flags.extend(["--cpu-ms".into(), cpu_ms.to_string().into()]);
    }
    if let Some(memory_mb) = worker.limits.memory_mb {
        flags.extend(["--memory-mb".into(), memory_mb.to_string().into()]);
    }
    flags
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    #[test]
    fn missing_binary_names_build_command() {
        let dir = tempfile::tempdir().unwrap();

        let error = find_binary(None, dir.path()).unwrap_err();

        let debug = dir.path().join("debug/edgecase-runtime");
        let release = dir.path().join("release/edgecase-runtime");
        assert_eq!(
            error.to_string(),
            format!(
                "edgecase-runtime binary not found at `{}` or `{}`: run `cargo build -p \
                 edgecase-runtime` or set EDGECASE_RUNTIME_BIN",
                debug.display(),
                release.display()
            )
        );
    }

    #[test]
    fn newer_build_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        for profile in ["debug", "release"] {
            std::fs::create_dir_all(dir.path().join(profile)).unwrap();
            std::fs::write(dir.path().join(profile).join("edgecase-runtime"), "").unwrap();
        }
        let old = SystemTime::now() - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(dir.path().join("debug/edgecase-runtime"))
            .unwrap()
            .set_modified(old)
            .unwrap();

        let found = find_binary(None, dir.path()).unwrap();

        assert_eq!(found, dir.path().join("release/edgecase-runtime"));
    }

    #[test]
    fn configured_binary_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let configured = dir.path().join("nope");

        let error = find_binary(Some(configured.clone().into()), dir.path()).unwrap_err();

        assert!(
            error.to_string().starts_with(&format!(
                "edgecase-runtime binary not found at `{}`",
                configured.display()
            )),
            "{error}"
        );
    }

    #[test]
    fn configured_binary_wins() {
        let dir = tempfile::tempdir().unwrap();
        let configured = dir.path().join("my-runtime");
        std::fs::write(&configured, "").unwrap();

        let found = find_binary(Some(configured.clone().into()), dir.path()).unwrap();

        assert_eq!(found, configured);
    }
}
