//! `cargo xtask fuzz`: runs the cargo fuzz targets of `fuzz/` for a bounded time each.

use std::process::Command;

use anyhow::{Context, bail};

use crate::command::{self, workspace_root};

/// Fuzz targets, each with its corpus in `fuzz/corpus/<target>`.
const TARGETS: [&str; 2] = ["case_loader", "matchers"];

/// Options of `cargo xtask fuzz`.
#[derive(clap::Args)]
pub struct Args {
    /// Run each target for 20 seconds, as a smoke test.
    #[arg(long)]
    quick: bool,
    /// Seconds to run each target; overrides --quick.
    #[arg(long)]
    seconds: Option<u64>,
    /// Targets to run; all of them when omitted.
    targets: Vec<String>,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let seconds = args.seconds.unwrap_or(if args.quick { 20 } else { 600 });
    let targets: Vec<&str> = if args.targets.is_empty() {
        TARGETS.to_vec()
    } else {
        args.targets.iter().map(String::as_str).collect()
    };
    for target in &targets {
        if !TARGETS.contains(target) {
            bail!(
                "unknown fuzz target `{target}`: use one of {}",
                TARGETS.join(", ")
            );
        }
    }

    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !installed {
        bail!("cargo-fuzz is not installed: run `cargo install cargo-fuzz --locked`");
    }

    let fuzz_dir = workspace_root().join("fuzz");
    for target in targets {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("failed to create corpus folder `{}`", corpus.display()))?;
        let mut fuzz = Command::new("cargo");
        // cargo fuzz passes unstable flags to rustc; this lets the stable toolchain accept them.
        fuzz.env("RUSTC_BOOTSTRAP", "1")
            .current_dir(&fuzz_dir)
            .args(["fuzz", "run", "--sanitizer", "none", target])
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg("-max_len=4096");
        command::run(fuzz)?;
    }
    Ok(())
}
