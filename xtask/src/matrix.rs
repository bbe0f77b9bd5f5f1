//! `cargo xtask matrix`: runs the conformance suite against the reference runtime and every
//! installed runtime, and writes a compatibility matrix to `target/edgecase/matrix.html` and
//! `matrix.md` (and `matrix.json` with `--format json`).
//!
//! Each run writes the harness's JSON report (`EDGECASE_REPORT`) and transcripts
//! (`EDGECASE_TRANSCRIPTS=1`), and the matrix is built from the reports: rows are trials grouped
//! by area, columns are runtimes with their versions.

mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::command::{self, cargo};
use crate::runtimes::{self, RUNTIMES};

/// Options of `cargo xtask matrix`.
#[derive(clap::Args)]
pub struct Args {
    /// Targets to run, comma-separated, such as `reference,exec:workerd`. By default the
    /// reference runtime and every installed runtime except wrangler, which is slow to start.
    #[arg(long, value_delimiter = ',')]
    pub targets: Vec<String>,
    /// Also write `target/edgecase/matrix.json`: `--format json`.
    #[arg(long, value_parser = ["json"])]
    pub format: Option<String>,
    /// Take a screenshot of the page with headless Chromium into `target/edgecase/matrix.png`.
    #[arg(long)]
    pub screenshot: bool,
    /// Build the matrix from the reports of an earlier run, without running the suite.
    #[arg(long)]
    pub no_run: bool,
}

/// One runtime's run: its report, as the harness wrote it.
pub struct Column {
    /// The target, such as `exec:workerd`.
    pub target: String,
    /// The runtime's version.
    pub version: String,
    /// The expectations file the run enforced.
    pub expectations: Option<String>,
    /// Records by trial name.
    pub trials: BTreeMap<String, Value>,
}

/// Returns the output directory, `target/edgecase`.
fn output_dir() -> PathBuf {
    runtimes::runtimes_dir()
        .parent()
        .expect("the runtimes directory is inside the target directory")
        .join("edgecase")
}

/// Returns a target's name as a file name, as the harness names its transcript directory.
pub fn file_name(target: &str) -> String {
    target.replace(':', "-")
}

/// Runs the suite against each target and writes the matrix.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let targets = if args.targets.is_empty() {
        default_targets()
    } else {
        args.targets.clone()
    };
    let out = output_dir();
    let reports = out.join("reports");
    std::fs::create_dir_all(&reports)
        .with_context(|| format!("failed to create `{}`", reports.display()))?;

    if !args.no_run {
        let mut build = cargo();
        build.args([
            "test",
            "-p",
            "edgecase-harness",
            "--test",
            "conformance",
            "--no-run",
        ]);
        command::run(build)?;
        let mut binary = cargo();
        binary.args(["build", "-p", "edgecase-runtime"]);
        command::run(binary)?;
    }

    let mut columns = Vec::new();
    for target in &targets {
        let report = reports.join(format!("{}.json", file_name(target)));
        if !args.no_run {
            run_target(target, &report, &out)?;
        }
        columns.push(read_column(&report).with_context(|| {
            format!("no report of `{target}`: run the matrix without --no-run first")
        })?);
    }

    let matrix = render::Matrix::new(columns);
    let html = out.join("matrix.html");
    let markdown = out.join("matrix.md");
    write(&html, &matrix.html())?;
    write(&markdown, &matrix.markdown())?;
    println!(
        "matrix: wrote {} and {}",
        html.display(),
        markdown.display()
    );
    if args.format.as_deref() == Some("json") {
        let json = out.join("matrix.json");
        let text = serde_json::to_string_pretty(&matrix.json()).expect("the matrix is JSON");
        write(&json, &(text + "\n"))?;
        println!("matrix: wrote {}", json.display());
    }
    if args.screenshot {
        screenshot(&html, &out.join("matrix.png"))?;
    }
    Ok(())
}

/// Returns the reference runtime and every installed runtime other than wrangler.
fn default_targets() -> Vec<String> {
    let dir = runtimes::runtimes_dir();
    let mut targets = vec!["reference".to_string()];
    for runtime in RUNTIMES.iter().filter(|runtime| runtime.name != "wrangler") {
        if runtimes::find(runtime, &dir).is_some() {
            targets.push(format!("exec:{}", runtime.name));
        } else {
            println!(
                "matrix: skipping `exec:{}`, which is not installed: run `cargo xtask runtimes \
                 install`",
                runtime.name
            );
        }
    }
    targets
}

/// Runs the suite against one target, writing its report and transcripts. Failing trials are
/// what the matrix shows, so only a missing report is an error.
fn run_target(target: &str, report: &Path, out: &Path) -> anyhow::Result<()> {
    let transcripts = out.join("transcripts").join(file_name(target));
    if transcripts.exists() {
        std::fs::remove_dir_all(&transcripts)
            .with_context(|| format!("failed to remove `{}`", transcripts.display()))?;
    }
    if report.exists() {
        std::fs::remove_file(report)
            .with_context(|| format!("failed to remove `{}`", report.display()))?;
    }

    let mut test = cargo();
    test.args([
        "test",
        "-p",
        "edgecase-harness",
        "--test",
        "conformance",
        "--",
        "-q",
    ])
    .env("EDGECASE_TARGET", target)
    .env("EDGECASE_REPORT", report)
    .env("EDGECASE_TRANSCRIPTS", "1");
    let shown = command::display(&test);
    println!("$ {shown}");
    let started = Instant::now();
    let status = test
        .status()
        .with_context(|| format!("failed to start `{shown}`"))?;
    println!(
        "matrix: `{target}` finished with {status} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if !report.is_file() {
        bail!("`{shown}` wrote no report at `{}`", report.display());
    }
    Ok(())
}

fn read_column(report: &Path) -> anyhow::Result<Column> {
    let text = std::fs::read_to_string(report)
        .with_context(|| format!("failed to read `{}`", report.display()))?;
    let json: Value = serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not valid JSON", report.display()))?;
    let trials = json["trials"]
        .as_array()
        .with_context(|| format!("`{}` has no `trials` array", report.display()))?
        .iter()
        .filter_map(|trial| Some((trial["name"].as_str()?.to_string(), trial.clone())))
        .collect();
    Ok(Column {
        target: json["target"].as_str().unwrap_or_default().to_string(),
        version: json["version"].as_str().unwrap_or_default().to_string(),
        expectations: json["expectations"].as_str().map(str::to_string),
        trials,
    })
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("failed to write `{}`", path.display()))
}

/// Takes a screenshot of the page with headless Chromium, which must be on PATH (Debian
/// package `chromium`). Chromium gets at most 90 s.
fn screenshot(html: &Path, png: &Path) -> anyhow::Result<()> {
    let profile = std::env::temp_dir().join(format!("edgecase-chromium-{}", std::process::id()));
    let mut chromium = Command::new("chromium");
    chromium
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1400,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());

    let shown = command::display(&chromium);
    println!("$ {shown}");
    let mut child = chromium.spawn().with_context(|| {
        "failed to start `chromium`: install it with `apt-get install -y chromium`".to_string()
    })?;

    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            // Not reaped yet, so the PID is still this child's.
            child.kill().ok();
            child.wait().ok();
            bail!("chromium took longer than 90 s to take the screenshot");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    std::fs::remove_dir_all(&profile).ok();

    if !status.success() || !png.is_file() {
        bail!("`{shown}` failed with {status} and wrote no screenshot");
    }
    println!("matrix: wrote {}", png.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_has_no_colon() {
        assert_eq!(file_name("exec:workerd"), "exec-workerd");
        assert_eq!(file_name("reference"), "reference");
    }
}
