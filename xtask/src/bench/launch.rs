//! The runtimes that the side-by-side comparison starts: where each binary is found, its
//! version, the hello worker files it runs, and the command that serves them on loopback.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

/// The hello worker that every Workers-style runtime serves.
const HELLO_MODULE: &str = "export default { fetch() { return new Response('Hello World!'); } };\n";

/// Node has no fetch handler, so it serves a plain `node:http` server as its anchor.
const NODE_SERVER: &str = "const http = require('node:http');
const port = Number(process.argv[2]);
http
  .createServer((request, response) => response.end('Hello World!'))
  .listen(port, '127.0.0.1');
";

/// `BUN_PORT=P bun run hello.mjs` would serve the default export on every interface, so this
/// small script binds it to loopback.
const BUN_SERVER: &str = "import worker from './hello.mjs';
const port = Number(process.argv[2]);
Bun.serve({ hostname: '127.0.0.1', port, fetch: (request) => worker.fetch(request) });
";

/// The compatibility date of the workerd config.
const WORKERD_COMPATIBILITY_DATE: &str = "2025-06-01";

/// A runtime the comparison can start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeName {
    /// Node.js with a `node:http` server: the process-per-worker anchor.
    Node,
    /// `deno serve` with the hello module.
    Deno,
    /// `Bun.serve` with the hello module.
    Bun,
    /// workerd with a capnp config that embeds the hello module.
    Workerd,
    /// The reference runtime's release binary, `edgecase-runtime serve`.
    Edgecase,
}

impl RuntimeName {
    /// Every runtime, in report order.
    pub const ALL: [RuntimeName; 5] = [
        RuntimeName::Node,
        RuntimeName::Deno,
        RuntimeName::Bun,
        RuntimeName::Workerd,
        RuntimeName::Edgecase,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeName::Node => "node",
            RuntimeName::Deno => "deno",
            RuntimeName::Bun => "bun",
            RuntimeName::Workerd => "workerd",
            RuntimeName::Edgecase => "edgecase",
        }
    }

    /// Name of the executable, in `target/runtimes/node_modules/.bin` or on `PATH`.
    fn executable(self) -> &'static str {
        match self {
            RuntimeName::Edgecase => "edgecase-runtime",
            other => other.as_str(),
        }
    }

    /// The npm package whose `package.json` gives the installed version.
    fn npm_package(self) -> Option<&'static str> {
        match self {
            RuntimeName::Deno => Some("deno"),
            RuntimeName::Bun => Some("bun"),
            RuntimeName::Workerd => Some("workerd"),
            RuntimeName::Node | RuntimeName::Edgecase => None,
        }
    }
}

impl fmt::Display for RuntimeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A runtime whose binary was found and whose worker files are written.
#[derive(Debug)]
pub struct Prepared {
    pub name: RuntimeName,
    pub binary: PathBuf,
    /// First line of `--version`.
    pub version: String,
    /// Version of the npm package the binary came from, when it came from one.
    pub package_version: Option<String>,
    work_dir: PathBuf,
}

impl Prepared {
    /// Returns the command that serves the hello worker on `127.0.0.1:port`, writing the
    /// per-port workerd config first.
    pub fn command(&self, port: u16) -> anyhow::Result<Command> {
        let mut command = Command::new(&self.binary);
        command.current_dir(&self.work_dir);
        command.args(self.args(port)?);
        command.env("DENO_NO_UPDATE_CHECK", "1");
        command.env("DENO_DIR", self.work_dir.join("deno-dir"));
        command.env("NO_COLOR", "1");
        command.stdin(Stdio::null());
        Ok(command)
    }

    /// Returns the command line for the report, with `PORT` in place of the port.
    pub fn command_line(&self) -> String {
        let args = match self.name {
            RuntimeName::Workerd => vec!["serve".into(), "workerd.capnp".into(), "config".into()],
            _ => self.args_for("PORT"),
        };
        let mut words = vec![self.name.executable().to_string()];
        words.extend(args.iter().map(|arg| arg.to_string_lossy().into_owned()));
        words.join(" ")
    }

    fn args(&self, port: u16) -> anyhow::Result<Vec<OsString>> {
        if self.name == RuntimeName::Workerd {
            let config = self.work_dir.join("workerd.capnp");
            std::fs::write(&config, workerd_config(port))
                .with_context(|| format!("failed to write `{}`", config.display()))?;
            return Ok(vec!["serve".into(), config.into(), "config".into()]);
        }
        Ok(self.args_for(&port.to_string()))
    }

    fn args_for(&self, port: &str) -> Vec<OsString> {
        let words: Vec<&str> = match self.name {
            RuntimeName::Node => vec!["hello-node.cjs", port],
            RuntimeName::Deno => vec!["serve", "--host", "127.0.0.1", "--port", port, "hello.mjs"],
            RuntimeName::Bun => vec!["run", "hello-bun.mjs", port],
            RuntimeName::Workerd => vec!["serve", "workerd.capnp", "config"],
            // One isolate thread: the hello worker has one instance, so more threads would
            // only add idle memory.
            RuntimeName::Edgecase => vec!["serve", "hello.mjs", "--port", port, "--threads", "1"],
        };
        words.into_iter().map(OsString::from).collect()
    }
}

fn workerd_config(port: u16) -> String {
    format!(
        "using Workerd = import \"/workerd/workerd.capnp\";\n\
         const config :Workerd.Config = (\n  \
           services = [ (name = \"main\", worker = .mainWorker) ],\n  \
           sockets = [ (name = \"http\", address = \"127.0.0.1:{port}\", http = (), service = \"main\") ],\n\
         );\n\
         const mainWorker :Workerd.Worker = (\n  \
           modules = [ (name = \"worker\", esModule = embed \"hello.mjs\") ],\n  \
           compatibilityDate = \"{WORKERD_COMPATIBILITY_DATE}\",\n\
         );\n"
    )
}

/// Writes the worker files that every runtime serves into `work_dir`.
pub fn write_worker_files(work_dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(work_dir)
        .with_context(|| format!("failed to create `{}`", work_dir.display()))?;
    for (file, text) in [
        ("hello.mjs", HELLO_MODULE),
        ("hello-node.cjs", NODE_SERVER),
        ("hello-bun.mjs", BUN_SERVER),
    ] {
        let path = work_dir.join(file);
        std::fs::write(&path, text)
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    Ok(())
}

/// Reason a runtime was left out of the comparison.
#[derive(Debug)]
pub struct Skipped(pub String);

/// Finds the runtime's binary and reads its version.
///
/// The reference binary is expected at `target/release/edgecase-runtime`, and its absence is
/// an error. Any other runtime is looked up in `target/runtimes/node_modules/.bin`, then on
/// `PATH`, and a missing one is skipped.
pub fn prepare(
    name: RuntimeName,
    target_dir: &Path,
    work_dir: &Path,
) -> anyhow::Result<Result<Prepared, Skipped>> {
    let runtimes = target_dir.join("runtimes");
    let installed = runtimes.join("node_modules/.bin").join(name.executable());
    let binary = if name == RuntimeName::Edgecase {
        let binary = target_dir.join("release").join(name.executable());
        if !binary.is_file() {
            bail!(
                "`{}` is missing: build it with `cargo build --release -p edgecase-runtime`",
                binary.display()
            );
        }
        binary
    } else {
        let found = installed
            .is_file()
            .then(|| installed.clone())
            .or_else(|| find_on_path(name.executable()));
        match found {
            Some(binary) => binary,
            None => {
                return Ok(Err(Skipped(format!(
                    "`{}` is neither in `{}` nor on PATH: run `cargo xtask runtimes install`",
                    name.executable(),
                    runtimes.join("node_modules/.bin").display()
                ))));
            }
        }
    };

    let version = match read_version(&binary) {
        Ok(version) => version,
        Err(error) => {
            return Ok(Err(Skipped(format!(
                "`{} --version` failed: {error:#}",
                binary.display()
            ))));
        }
    };
    let package_version = name
        .npm_package()
        .filter(|_| binary == installed)
        .and_then(|package| read_package_version(&runtimes, package));
    Ok(Ok(Prepared {
        name,
        binary,
        version,
        package_version,
        work_dir: work_dir.to_path_buf(),
    }))
}

fn find_on_path(executable: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(executable))
        .find(|candidate| candidate.is_file())
}

/// Runs `binary --version` with a 20 s limit and returns the first line of its output.
fn read_version(binary: &Path) -> anyhow::Result<String> {
    let mut child = Command::new(binary)
        .arg("--version")
        .env("DENO_NO_UPDATE_CHECK", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("failed to start it")?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if Instant::now() >= deadline {
            // The child is ours and has not exited, so its PID is still valid.
            child.kill().ok();
            child.wait().ok();
            bail!("timed out after 20 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!("exited with {}", output.status);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let first = text.lines().next().unwrap_or_default().trim();
    if first.is_empty() {
        bail!("printed nothing");
    }
    Ok(first.to_string())
}

fn read_package_version(runtimes: &Path, package: &str) -> Option<String> {
    let path = runtimes
        .join("node_modules")
        .join(package)
        .join("package.json");
    let text = std::fs::read_to_string(path).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    manifest.get("version")?.as_str().map(str::to_string)
}
