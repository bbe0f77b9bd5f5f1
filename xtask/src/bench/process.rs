//! Server processes that the comparison starts: spawning one with its output in a log file,
//! reading the RSS of its process tree from `/proc`, and stopping the tree by PID.

use std::collections::HashMap;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// How long a stopped server may take to exit after SIGTERM before it gets SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// A running server process that this run started. Dropping it stops the process tree.
pub struct Server {
    child: Option<Child>,
    pid: u32,
    log: PathBuf,
}

impl Server {
    /// Spawns `command` with stdout and stderr appended to `log`.
    pub fn spawn(mut command: Command, log: &Path) -> anyhow::Result<Server> {
        let file = File::options()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("failed to open log `{}`", log.display()))?;
        command.stdout(Stdio::from(file.try_clone()?));
        command.stderr(Stdio::from(file));
        let child = command.spawn().with_context(|| {
            format!(
                "failed to start `{}`",
                command.get_program().to_string_lossy()
            )
        })?;
        Ok(Server {
            pid: child.id(),
            child: Some(child),
            log: log.to_path_buf(),
        })
    }

    /// Returns the PID of the server process.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Fails when the process has already exited, naming the log to read.
    pub fn ensure_running(&mut self) -> anyhow::Result<()> {
        let Some(child) = self.child.as_mut() else {
            bail!("server {} was already stopped", self.pid);
        };
        if let Some(status) = child.try_wait()? {
            self.child = None;
            bail!(
                "server {} exited with {status}; its output is in `{}`",
                self.pid,
                self.log.display()
            );
        }
        Ok(())
    }

    /// Returns the summed `VmRSS` of the server and its descendants in bytes, and how many
    /// processes that is.
    pub fn tree_rss(&self) -> anyhow::Result<(u64, usize)> {
        let pids = process_tree(self.pid);
        let mut total = 0;
        for pid in &pids {
            // A descendant that exits between the scan and this read is counted as 0.
            total += resident_bytes(*pid).unwrap_or(0);
        }
        if total == 0 {
            bail!("no RSS readable for server {} in /proc", self.pid);
        }
        Ok((total, pids.len()))
    }

    /// Stops the server and its descendants: SIGTERM, then SIGKILL to whatever is left after
    /// the grace period.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };

        let tree = process_tree(self.pid);
        let start_times: HashMap<u32, u64> = tree
            .iter()
            .filter_map(|pid| Some((*pid, start_time(*pid)?)))
            .collect();
        for pid in &tree {
            signal(*pid, libc::SIGTERM);
        }

        let deadline = Instant::now() + STOP_GRACE;
        while child.try_wait()?.is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        if child.try_wait()?.is_none() {
            // Still our unreaped child, so the PID cannot have been reused.
            child.kill().ok();
        }
        child
            .wait()
            .with_context(|| format!("failed to wait for server {}", self.pid))?;

        // Descendants that outlived the root and ignored SIGTERM. A PID whose start time
        // changed belongs to a new process that reused it, so it is left alone.
        for pid in tree.iter().skip(1) {
            if let Some(started) = start_times.get(pid)
                && start_time(*pid) == Some(*started)
            {
                signal(*pid, libc::SIGKILL);
            }
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop().ok();
    }
}

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
///
/// The port is released before the server binds it, so another process could take it in
/// between. A server that fails to start then names the port in its log.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("failed to bind a loopback port")?;
    Ok(listener.local_addr()?.port())
}

fn signal(pid: u32, signal: libc::c_int) {
    // SAFETY: kill has no memory-safety preconditions. Every PID passed here belongs to a
    // process this run started or one of its descendants.
    unsafe {
        libc::kill(pid as libc::pid_t, signal);
    }
}

/// Returns `root` followed by every live descendant, found through the parent PIDs in
/// `/proc/*/stat`.
fn process_tree(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if let Some(parent) = parent_pid(pid) {
                children.entry(parent).or_default().push(pid);
            }
        }
    }
    let mut tree = vec![root];
    let mut index = 0;
    while index < tree.len() {
        if let Some(kids) = children.get(&tree[index]) {
            tree.extend(kids);
        }
        index += 1;
    }
    tree
}

/// Returns field `index` of `/proc/PID/stat`, counted from 1 as in proc(5). The command name
/// in field 2 may contain spaces and brackets, so fields after it are counted from the last `)`.
fn stat_field(pid: u32, index: usize) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace()
        .nth(index.checked_sub(3)?)?
        .parse()
        .ok()
}

fn parent_pid(pid: u32) -> Option<u32> {
    stat_field(pid, 4).and_then(|ppid| u32::try_from(ppid).ok())
}

/// Start time of the process in clock ticks after boot. It differs between a process and a
/// later one that reused its PID.
fn start_time(pid: u32) -> Option<u64> {
    stat_field(pid, 22)
}

/// Reads `VmRSS` of one process in bytes.
pub fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}
