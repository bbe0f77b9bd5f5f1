//! `cargo xtask runtimes`: installs the pinned worker runtimes from the npm registry into
//! `target/runtimes`, and lists what is installed with versions.
//!
//! `xtask/runtimes/package.json` and its `package-lock.json` pin the versions. `install` copies
//! both to `target/runtimes` and runs `npm ci` there, so nothing is installed globally, and the
//! executables end up in `target/runtimes/node_modules/.bin`, where the launch profiles and the
//! benchmarks look first.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::command::{self, workspace_root};

/// Subcommands of `cargo xtask runtimes`.
#[derive(clap::Subcommand)]
pub enum Action {
    /// Install the pinned runtimes into target/runtimes with `npm ci` and print their versions.
    Install {
        /// Reinstall even when target/runtimes already matches the pinned lockfile.
        #[arg(long)]
        force: bool,
    },
    /// Print each runtime that a launch profile finds, with its version and path.
    List,
}

/// A runtime with a launch profile: its profile name, npm package and executable.
pub struct Runtime {
    /// The profile name, as in `EDGECASE_TARGET=exec:NAME`.
    pub name: &'static str,
    /// The npm package that installs it.
    pub package: &'static str,
    /// Whether `--version` prints its version. The edge-runtime CLI has no such option.
    pub reports_version: bool,
}

/// Every runtime with a launch profile, in the order reports list them.
pub const RUNTIMES: [Runtime; 5] = [
    Runtime {
        name: "workerd",
        package: "workerd",
        reports_version: true,
    },
    Runtime {
        name: "wrangler",
        package: "wrangler",
        reports_version: true,
    },
    Runtime {
        name: "deno",
        package: "deno",
        reports_version: true,
    },
    Runtime {
        name: "bun",
        package: "bun",
        reports_version: true,
    },
    Runtime {
        name: "edge-runtime",
        package: "edge-runtime",
        reports_version: false,
    },
];

/// Returns `target/runtimes`, the npm project that `install` fills.
pub fn runtimes_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|dir| !dir.is_empty())
        .map(|dir| workspace_root().join(dir))
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("runtimes")
}

/// Runs a `runtimes` subcommand.
pub fn run(action: &Action) -> anyhow::Result<()> {
    match action {
        Action::Install { force } => {
            install(*force)?;
            list()
        }
        Action::List => list(),
    }
}

fn install(force: bool) -> anyhow::Result<()> {
    let pinned = workspace_root().join("xtask").join("runtimes");
    let dir = runtimes_dir();
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("failed to create `{}`", dir.display()))?;

    let lock = std::fs::read(pinned.join("package-lock.json")).with_context(|| {
        format!(
            "failed to read `{}`",
            pinned.join("package-lock.json").display()
        )
    })?;
    let installed_lock = std::fs::read(dir.join("package-lock.json")).ok();
    // npm writes node_modules/.package-lock.json at the end of a successful install.
    let complete = dir
        .join("node_modules")
        .join(".package-lock.json")
        .is_file();
    if !force && complete && installed_lock.as_deref() == Some(lock.as_slice()) {
        println!(
            "runtimes: `{}` already matches the pinned lockfile; pass --force to reinstall",
            dir.display()
        );
        return Ok(());
    }

    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(pinned.join(file), dir.join(file))
            .with_context(|| format!("failed to copy `{file}` to `{}`", dir.display()))?;
    }
    let started = Instant::now();
    let mut npm = Command::new("npm");
    npm.args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir);
    command::run(npm).context("`npm ci` failed: Node.js 20 and npm must be on PATH")?;
    println!(
        "runtimes: installed into `{}` in {:.1} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn list() -> anyhow::Result<()> {
    let dir = runtimes_dir();
    println!("{:<14} {:<52} executable", "runtime", "version");
    for runtime in &RUNTIMES {
        match find(runtime, &dir) {
            Some(executable) => {
                let version = version(runtime, &executable, &dir);
                println!(
                    "{:<14} {version:<52} {}",
                    runtime.name,
                    executable.display()
                );
            }
            None => println!(
                "{:<14} {:<52} run `cargo xtask runtimes install`",
                runtime.name, "not installed"
            ),
        }
    }
    Ok(())
}

/// Finds a runtime's executable as its launch profile does: in `node_modules/.bin` of the
/// runtimes directory, then on `PATH`.
pub fn find(runtime: &Runtime, runtimes_dir: &Path) -> Option<PathBuf> {
    let installed = runtimes_dir
        .join("node_modules")
        .join(".bin")
        .join(runtime.name);
    if installed.is_file() {
        return Some(installed);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(runtime.name))
        .find(|candidate| candidate.is_file())
}

/// Returns the runtime's version: the first line of `--version`, with the npm package's
/// version when the executable is the installed one.
pub fn version(runtime: &Runtime, executable: &Path, runtimes_dir: &Path) -> String {
    let package = executable
        .starts_with(runtimes_dir)
        .then(|| package_version(runtime.package, runtimes_dir))
        .flatten();
    let reported = runtime
        .reports_version
        .then(|| version_line(executable))
        .and_then(Result::ok)
        .map(|line| tidy_version(runtime.name, &line));
    match (reported, package) {
        (Some(reported), Some(package)) => {
            format!("{reported} (npm {} {package})", runtime.package)
        }
        (Some(reported), None) => reported,
        (None, Some(package)) => format!("{} {package}", runtime.package),
        (None, None) => "unknown version".into(),
    }
}

fn package_version(package: &str, runtimes_dir: &Path) -> Option<String> {
    let manifest = runtimes_dir
        .join("node_modules")
        .join(package)
        .join("package.json");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(manifest).ok()?).ok()?;
    manifest["version"].as_str().map(str::to_string)
}

/// Runs `executable --version` for at most 20 s and returns its first line.
fn version_line(executable: &Path) -> anyhow::Result<String> {
    let mut child = Command::new(executable)
        .arg("--version")
        .env("DENO_NO_UPDATE_CHECK", "1")
        .env("WRANGLER_SEND_METRICS", "false")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("failed to start `{}`", executable.display()))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait()?.is_none() {
        if Instant::now() >= deadline {
            // The child is not reaped yet, so its PID is still ours.
            child.kill().ok();
            child.wait().ok();
            bail!("`{} --version` timed out after 20 s", executable.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let output = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .map(str::to_string)
        .context("`--version` printed nothing")
}

/// Returns a `--version` line as `NAME VERSION`, as the launch profiles show it: build
/// details in brackets are dropped, and the name is put in front of a bare version.
fn tidy_version(name: &str, line: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_executable_is_found_first() {
        let dir = tempfile_dir();
        let bin = dir.join("node_modules/.bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("workerd"), "").unwrap();

        let found = find(&RUNTIMES[0], &dir);

        assert_eq!(found, Some(bin.join("workerd")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn package_version_is_read() {
        let dir = tempfile_dir();
        let package = dir.join("node_modules/deno");
        std::fs::create_dir_all(&package).unwrap();
        std::fs::write(package.join("package.json"), r#"{"version": "2.9.6"}"#).unwrap();

        assert_eq!(package_version("deno", &dir).as_deref(), Some("2.9.6"));
        assert_eq!(package_version("bun", &dir), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bare_version_gets_name() {
        assert_eq!(tidy_version("bun", "1.4.5"), "bun 1.4.5");
        assert_eq!(
            tidy_version(
                "deno",
                "deno 2.9.6 (stable, release, x86_64-unknown-linux-gnu)"
            ),
            "deno 2.9.6"
        );
    }

    #[test]
    fn pinned_versions_are_exact() {
        let manifest = workspace_root().join("xtask/runtimes/package.json");
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(manifest).unwrap()).unwrap();

        for runtime in &RUNTIMES {
            let version = manifest["dependencies"][runtime.package]
                .as_str()
                .unwrap_or_else(|| panic!("{} is not pinned", runtime.package));
            assert!(
                version.chars().all(|c| c.is_ascii_digit() || c == '.'),
                "{} is pinned to a range, `{version}`, not a version",
                runtime.package
            );
        }
    }

    /// Returns a new empty directory under the system's temporary directory.
    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "edgecase-xtask-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
