//! Running cargo from xtask: the workspace root, the cargo binary, and echoing each command.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// Returns the workspace root, the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in a workspace directory")
        .to_path_buf()
}

/// Returns a `cargo` command that runs in the workspace root, using the cargo that runs xtask.
pub fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command.current_dir(workspace_root());
    command
}

/// Returns the command as a shell would read it, with the environment it sets in front.
pub fn display(command: &Command) -> String {
    let mut words: Vec<String> = command
        .get_envs()
        .filter_map(|(name, value)| {
            let value = value?;
            Some(format!(
                "{}={}",
                name.to_string_lossy(),
                value.to_string_lossy()
            ))
        })
        .collect();
    let program = Path::new(command.get_program())
        .file_name()
        .unwrap_or(command.get_program());
    words.push(program.to_string_lossy().into_owned());
    words.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    words.join(" ")
}

/// Prints the command, runs it with inherited output, and fails unless it exits with 0.
pub fn run(mut command: Command) -> anyhow::Result<()> {
    let shown = display(&command);
    println!("$ {shown}");
    let status = command
        .status()
        .with_context(|| format!("failed to start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed with {status}");
    }
    Ok(())
}
