//! Launch profiles of real worker runtimes, `EDGECASE_TARGET=exec:NAME`: where each runtime's
//! binary is found, its version, its capabilities, and how one trial's server is started.
//!
//! `cargo xtask runtimes install` puts pinned versions under `<target dir>/runtimes` as an npm
//! project. A profile looks for its executable in `<target dir>/runtimes/node_modules/.bin`
//! first, then on `PATH`. Every server binds 127.0.0.1 only.

mod scripted;
mod workerd;
mod wrangler;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use edgecase_runtime::Syntax;

use crate::capability::Capability;
use crate::case::Case;
use crate::error::Error;
use crate::target::launched::LaunchedSession;
use crate::target::process::Launch;
use crate::target::{Session, Target};
use crate::workspace;

/// A real runtime that the harness can launch once per trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Profile {
    /// Cloudflare's open-source Workers runtime, `workerd serve` with a generated capnp config.
    Workerd,
    /// `wrangler dev` in local mode, which runs its own workerd behind a miniflare proxy.
    Wrangler,
    /// `deno serve` for modules, and a shim that dispatches fetch events for service workers.
    Deno,
    /// `Bun.serve` through a launcher script, which binds 127.0.0.1 only.
    Bun,
    /// Vercel's edge-runtime CLI, which runs service-worker scripts.
    EdgeRuntime,
}

/// How a profile runs one script syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxSupport {
    /// The runtime runs the syntax itself.
    Native,
    /// A script in `harness/shims` adapts the syntax, so results are not native behaviour.
    Shim(&'static str),
    /// The runtime cannot run the syntax; trials in it are ignored with this reason.
    Unsupported(&'static str),
}

impl Profile {
    /// Every profile, in the order reports list them.
    pub const ALL: [Profile; 5] = [
        Profile::Workerd,
        Profile::Wrangler,
        Profile::Deno,
        Profile::Bun,
        Profile::EdgeRuntime,
    ];

    /// Returns the name in `exec:NAME` and in expectation files.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Workerd => "workerd",
            Profile::Wrangler => "wrangler",
            Profile::Deno => "deno",
            Profile::Bun => "bun",
            Profile::EdgeRuntime => "edge-runtime",
        }
    }

    /// Returns the executable's name in `node_modules/.bin` and on `PATH`.
    pub fn executable(self) -> &'static str {
        self.as_str()
    }

    /// Returns the npm package that installs the runtime.
    pub fn npm_package(self) -> &'static str {
        self.as_str()
    }

    /// Returns the capabilities of the profile.
    ///
    /// Every profile starts one process per trial, which runs one isolate, so each is
    /// single-instance and evicts by restarting the process. Only workerd forwards pass-through
    /// requests to an origin (its `globalOutbound`), and none of them enforces a CPU or memory
    /// limit that a case sets: standalone workerd has no limit enforcer at all.
    pub fn capabilities(self) -> BTreeSet<Capability> {
        let mut capabilities = BTreeSet::from([Capability::SingleInstance, Capability::Eviction]);
        if self == Profile::Workerd {
            capabilities.insert(Capability::Origin);
        }
        capabilities
    }

    /// Returns how the profile runs a syntax.
    pub fn syntax_support(self, syntax: Syntax) -> SyntaxSupport {
        match (self, syntax) {
            (Profile::Workerd | Profile::Wrangler, _) => SyntaxSupport::Native,
            (Profile::Deno, Syntax::Module) => SyntaxSupport::Native,
            (Profile::Deno, Syntax::ServiceWorker) => SyntaxSupport::Shim(scripted::DENO_SHIM),
            (Profile::Bun, Syntax::Module) => SyntaxSupport::Shim(scripted::BUN_SHIM),
            (Profile::Bun, Syntax::ServiceWorker) => SyntaxSupport::Shim(scripted::BUN_SHIM),
            (Profile::EdgeRuntime, Syntax::ServiceWorker) => SyntaxSupport::Native,
            (Profile::EdgeRuntime, Syntax::Module) => SyntaxSupport::Unsupported(
                "edge-runtime's CLI runs only service-worker scripts, and no shim adapts modules",
            ),
        }
    }

    /// Returns how long a launched server may take to report its port.
    fn ready_timeout(self) -> Duration {
        match self {
            // wrangler dev starts five processes and bundles the script first, about 1.2 s.
            Profile::Wrangler => Duration::from_secs(60),
            _ => Duration::from_secs(20),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Profile {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|profile| profile.as_str() == name)
            .ok_or_else(|| {
                let known: Vec<String> = Profile::ALL
                    .iter()
                    .map(|profile| format!("`exec:{profile}`"))
                    .collect();
                format!(
                    "unknown profile `{name}`, expected `exec:reference` or one of {}",
                    known.join(", ")
                )
            })
    }
}

/// Returns `<target dir>/runtimes`, where `cargo xtask runtimes install` puts the runtimes.
pub fn runtimes_dir() -> PathBuf {
    workspace::target_dir().join("runtimes")
}

/// Finds a profile's executable: `<target dir>/runtimes/node_modules/.bin/NAME`, then `PATH`.
pub fn find_executable(profile: Profile) -> Result<PathBuf, Error> {
    find_executable_in(profile, &runtimes_dir(), std::env::var_os("PATH"))
}

fn find_executable_in(
    profile: Profile,
    runtimes: &Path,
    path: Option<OsString>,
) -> Result<PathBuf, Error> {
    let bin_dir = runtimes.join("node_modules").join(".bin");
    let installed = bin_dir.join(profile.executable());
    if installed.is_file() {
        return Ok(installed);
    }
    let on_path = path.and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(profile.executable()))
            .find(|candidate| candidate.is_file())
    });
    on_path.ok_or_else(|| Error::RuntimeNotInstalled {
        runtime: profile.as_str(),
        bin_dir,
    })
}

/// Returns the version that reports show, such as `workerd 2026-11-23 (npm workerd
/// 1.20261123.1)`: the first line of `--version`, and the npm package's version when the
/// executable is the installed one.
pub fn read_version(profile: Profile, executable: &Path) -> String {
    let package_version = read_package_version(profile, &runtimes_dir());
    let reported = match profile {
        // The edge-runtime CLI has no --version, and its package version is its version.
        Profile::EdgeRuntime => None,
        _ => run_version(executable)
            .ok()
            .map(|line| tidy_version(profile.as_str(), &line)),
    };
    let installed = executable.starts_with(runtimes_dir());
    match (reported, package_version.filter(|_| installed)) {
        (Some(reported), Some(package)) => {
            format!("{reported} (npm {} {package})", profile.npm_package())
        }
        (Some(reported), None) => reported,
        (None, Some(package)) => format!("{} {package}", profile.npm_package()),
        (None, None) => format!("{} (unknown version)", profile.as_str()),
    }
}

fn read_package_version(profile: Profile, runtimes: &Path) -> Option<String> {
    let manifest = runtimes
        .join("node_modules")
        .join(profile.npm_package())
        .join("package.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    manifest["version"].as_str().map(str::to_string)
}

/// Runs `executable --version` for at most 20 s and returns the first line it printed.
fn run_version(executable: &Path) -> Result<String, String> {
    let mut child = Command::new(executable)
        .arg("--version")
        .env("DENO_NO_UPDATE_CHECK", "1")
        .env("WRANGLER_SEND_METRICS", "false")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| error.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while child
        .try_wait()
        .map_err(|error| error.to_string())?
        .is_none()
    {
        if Instant::now() >= deadline {
            // The child has not been reaped, so its PID is still ours.
            let _ = child.kill();
            let _ = child.wait();
            return Err("timed out after 20 s".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let output = child
        .wait_with_output()
        .map_err(|error| error.to_string())?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .map(str::to_string)
        .ok_or_else(|| "printed nothing".into())
}

/// Returns a `--version` line as `NAME VERSION`: build details in brackets are dropped, and
/// the name is put in front when the line is only a version, as Bun and wrangler print it.
pub fn tidy_version(name: &str, line: &str) -> String {
    let line = line.trim().trim_start_matches("⛅️").trim();
    let line = line.split(" (").next().unwrap_or(line).trim();
    if line
        .to_ascii_lowercase()
        .starts_with(&name.to_ascii_lowercase())
    {
        line.to_string()
    } else {
        format!("{name} {line}")
    }
}

/// A target that launches one real runtime per trial.
pub struct ProfileTarget {
    profile: Profile,
    executable: PathBuf,
    version: String,
    name: String,
    capabilities: BTreeSet<Capability>,
}

impl ProfileTarget {
    /// Finds the profile's executable and reads its version.
    pub fn open(profile: Profile) -> Result<ProfileTarget, Error> {
        let executable = find_executable(profile)?;
        let version = read_version(profile, &executable);
        Ok(ProfileTarget {
            profile,
            executable,
            version,
            name: format!("exec:{profile}"),
            capabilities: profile.capabilities(),
        })
    }

    /// Returns the executable this target launches.
    pub fn executable(&self) -> &Path {
        &self.executable
    }

    fn unsupported(&self, action: String, reason: &str) -> Error {
        Error::Unsupported {
            target: self.name.clone(),
            action,
            reason: reason.into(),
        }
    }
}

#[async_trait]
impl Target for ProfileTarget {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &BTreeSet<Capability> {
        &self.capabilities
    }

    fn version(&self) -> String {
        self.version.clone()
    }

    async fn start(&self, case: &Case, syntax: Syntax) -> Result<Box<dyn Session>, Error> {
        let script = case.script(syntax).ok_or_else(|| {
            self.unsupported(
                format!("run `{}` as {syntax}", case.id),
                "the case has no script in that syntax",
            )
        })?;
        if let SyntaxSupport::Unsupported(reason) = self.profile.syntax_support(syntax) {
            return Err(self.unsupported(format!("run `{}` as {syntax}", case.id), reason));
        }

        let dir = tempfile::Builder::new()
            .prefix("edgecase-case-")
            .tempdir()
            .map_err(|source| Error::Io {
                action: "create a temporary directory for the worker".into(),
                source,
            })?;
        let origin = if case.requires.contains(&Capability::Origin) {
            Some(crate::origin::shared_origin()?)
        } else {
            None
        };
        let trial = TrialFiles {
            dir: dir.path(),
            case,
            syntax,
            script,
            origin: origin.as_ref(),
        };
        let launch = match self.profile {
            Profile::Workerd => workerd::launch(&self.executable, &trial)?,
            Profile::Wrangler => wrangler::launch(&self.executable, &trial)?,
            Profile::Deno => scripted::deno(&self.executable, &trial)?,
            Profile::Bun => scripted::bun(&self.executable, &trial)?,
            Profile::EdgeRuntime => scripted::edge_runtime(&self.executable, &trial)?,
        };
        let session = LaunchedSession::start(launch, self.profile.ready_timeout(), dir).await?;
        Ok(Box::new(session))
    }
}

/// What a profile needs to write and launch one trial's server.
pub(crate) struct TrialFiles<'a> {
    /// The trial's temporary directory, deleted when the session ends.
    pub dir: &'a Path,
    /// The case.
    pub case: &'a Case,
    /// The syntax of the trial.
    pub syntax: Syntax,
    /// The script in that syntax.
    pub script: &'a str,
    /// The origin stub's URL, for cases that require an origin.
    pub origin: Option<&'a url::Url>,
}

impl TrialFiles<'_> {
    /// Writes a file into the trial's directory and returns its path.
    pub(crate) fn write(&self, name: &str, contents: &str) -> Result<PathBuf, Error> {
        let path = self.dir.join(name);
        std::fs::write(&path, contents).map_err(|source| Error::Io {
            action: format!("write `{}`", path.display()),
            source,
        })?;
        Ok(path)
    }
}

/// Returns the directory of the shims and launcher scripts, `harness/shims`.
pub fn shims_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("shims")
}

/// Returns a launch with the environment that every profile sets: no update checks, no
/// metrics, and no downloads of `Request.cf` data.
pub(crate) fn base_launch(program: &Path, dir: &Path) -> Launch {
    let mut launch = Launch::with_port_flags(program, &[]);
    launch.current_dir = Some(dir.to_path_buf());
    launch.env = [
        ("DENO_NO_UPDATE_CHECK", "1"),
        ("WRANGLER_SEND_METRICS", "false"),
        ("CLOUDFLARE_CF_FETCH_ENABLED", "false"),
    ]
    .into_iter()
    .map(|(name, value)| (name.into(), value.into()))
    .collect();
    launch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for profile in Profile::ALL {
            assert_eq!(profile.as_str().parse(), Ok(profile));
        }
    }

    #[test]
    fn unknown_profile_lists_known_ones() {
        let error = "node".parse::<Profile>().unwrap_err();

        assert_eq!(
            error,
            "unknown profile `node`, expected `exec:reference` or one of `exec:workerd`, \
             `exec:wrangler`, `exec:deno`, `exec:bun`, `exec:edge-runtime`"
        );
    }

    #[test]
    fn missing_runtime_names_install_command() {
        let dir = tempfile::tempdir().unwrap();

        let error = find_executable_in(Profile::Workerd, dir.path(), None).unwrap_err();

        assert_eq!(
            error.to_string(),
            format!(
                "`workerd` is not installed: it is neither in `{}` nor on PATH; run `cargo \
                 xtask runtimes install`",
                dir.path().join("node_modules/.bin").display()
            )
        );
    }

    #[test]
    fn installed_runtime_comes_before_path() {
        let runtimes = tempfile::tempdir().unwrap();
        let bin = runtimes.path().join("node_modules/.bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("deno"), "").unwrap();
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join("deno"), "").unwrap();

        let found = find_executable_in(
            Profile::Deno,
            runtimes.path(),
            Some(other.path().as_os_str().to_owned()),
        )
        .unwrap();

        assert_eq!(found, bin.join("deno"));
    }

    #[test]
    fn path_is_searched_second() {
        let runtimes = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join("bun"), "").unwrap();

        let found = find_executable_in(
            Profile::Bun,
            runtimes.path(),
            Some(other.path().as_os_str().to_owned()),
        )
        .unwrap();

        assert_eq!(found, other.path().join("bun"));
    }

    #[test]
    fn only_workerd_has_an_origin() {
        for profile in Profile::ALL {
            let capabilities = profile.capabilities();
            assert!(
                capabilities.contains(&Capability::SingleInstance),
                "{profile}"
            );
            assert!(capabilities.contains(&Capability::Eviction), "{profile}");
            assert!(!capabilities.contains(&Capability::CpuLimit), "{profile}");
            assert!(
                !capabilities.contains(&Capability::MemoryLimit),
                "{profile}"
            );
            assert!(
                !capabilities.contains(&Capability::MultiInstance),
                "{profile}"
            );
            assert_eq!(
                capabilities.contains(&Capability::Origin),
                profile == Profile::Workerd,
                "{profile}"
            );
        }
    }

    #[test]
    fn version_lines_are_tidied() {
        assert_eq!(
            tidy_version(
                "deno",
                "deno 2.9.6 (stable, release, x86_64-unknown-linux-gnu)"
            ),
            "deno 2.9.6"
        );
        assert_eq!(tidy_version("bun", "1.4.5"), "bun 1.4.5");
        assert_eq!(
            tidy_version("wrangler", " ⛅️ wrangler 4.86.0"),
            "wrangler 4.86.0"
        );
        assert_eq!(
            tidy_version("workerd", "workerd 2026-11-23"),
            "workerd 2026-11-23"
        );
    }

    #[test]
    fn edge_runtime_ignores_modules() {
        assert!(matches!(
            Profile::EdgeRuntime.syntax_support(Syntax::Module),
            SyntaxSupport::Unsupported(_)
        ));
        assert_eq!(
            Profile::EdgeRuntime.syntax_support(Syntax::ServiceWorker),
            SyntaxSupport::Native
        );
    }
}
