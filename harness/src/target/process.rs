//! A server process on a free loopback port: started, waited for, and killed by PID when its
//! owner drops it, also when a trial panics.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::Error;

/// Attempts to start a server before a port taken by another process counts as a failure.
const BIND_ATTEMPTS: usize = 3;

/// Interval between checks of a starting server.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Maximum length in bytes of the stderr tail kept per process. Older output is dropped.
const STDERR_LIMIT: usize = 64 * 1024;

/// How long to wait for the stderr reader to finish after the process exits.
const STDERR_DRAIN: Duration = Duration::from_millis(500);

/// A running server process, listening on `127.0.0.1`.
pub(crate) struct ServerProcess {
    program: PathBuf,
    /// In a mutex so that a shared session can check whether the server exited.
    child: Mutex<Child>,
    port: u16,
    stderr: Arc<Mutex<StderrTail>>,
}

#[derive(Default)]
struct StderrTail {
    text: String,
    finished: bool,
}

enum StartError {
    /// Another process took the port between the probe and the server's bind.
    PortTaken(Error),
    /// Anything else.
    Failed(Error),
}

impl ServerProcess {
    /// Starts `program ARGS --host 127.0.0.1 --port PORT` on a free port and waits until its
    /// stderr has a line `listening on http://127.0.0.1:PORT`.
    ///
    /// The port comes from binding port 0 and closing the socket, so another process may take it
    /// first. The server then exits with the port in use, and this retries on a new port.
    pub(crate) async fn start(
        program: &Path,
        args: &[OsString],
        ready_timeout: Duration,
    ) -> Result<ServerProcess, Error> {
        let mut attempt = 1;
        loop {
            let port = free_port()?;
            match Self::start_on(program, args, port, ready_timeout).await {
                Ok(process) => return Ok(process),
                Err(StartError::PortTaken(error)) if attempt < BIND_ATTEMPTS => {
                    tracing::warn!(port, attempt, %error, "port was taken before the server bound it; retrying");
                    attempt += 1;
                }
                Err(StartError::PortTaken(error) | StartError::Failed(error)) => return Err(error),
            }
        }
    }

    async fn start_on(
        program: &Path,
        args: &[OsString],
        port: u16,
        ready_timeout: Duration,
    ) -> Result<ServerProcess, StartError> {
        let mut child = Command::new(program)
            .args(args)
            .arg("--host")
            .arg("127.0.0.1")
            .arg("--port")
            .arg(port.to_string())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| {
                StartError::Failed(Error::Spawn {
                    program: program.to_path_buf(),
                    source,
                })
            })?;
        let stderr = Arc::new(Mutex::new(StderrTail::default()));
        if let Some(pipe) = child.stderr.take() {
            spawn_stderr_reader(pipe, stderr.clone());
        }

        let pid = child.id();
        let mut process = ServerProcess {
            program: program.to_path_buf(),
            child: Mutex::new(child),
            port,
            stderr,
        };
        tracing::debug!(program = %program.display(), pid, port, "started server");
        process.wait_ready(ready_timeout).await?;
        Ok(process)
    }

    async fn wait_ready(&mut self, timeout: Duration) -> Result<(), StartError> {
        let ready_line = format!("listening on http://127.0.0.1:{}", self.port);
        let started = Instant::now();
        loop {
            if has_ready_line(&self.stderr_text(), &ready_line) {
                return Ok(());
            }

            if let Some(status) = self.exit_status() {
                let error = self.exited_error(status).await;
                return Err(if port_is_taken(self.port) {
                    StartError::PortTaken(error)
                } else {
                    StartError::Failed(error)
                });
            }

            if started.elapsed() >= timeout {
                self.kill();
                return Err(StartError::Failed(Error::ServerNotReady {
                    program: self.program.clone(),
                    port: self.port,
                    timeout,
                    stderr: self.stderr_text(),
                }));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Returns the base URL of the server, `http://127.0.0.1:PORT`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Returns the process id.
    pub(crate) fn pid(&self) -> u32 {
        self.lock_child().id()
    }

    /// Returns the exit status if the process has exited.
    pub(crate) fn exit_status(&self) -> Option<ExitStatus> {
        self.lock_child().try_wait().ok().flatten()
    }

    fn lock_child(&self) -> std::sync::MutexGuard<'_, Child> {
        self.child.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Returns the error for a process that exited, with its stderr once the reader has drained
    /// the pipe.
    pub(crate) async fn exited_error(&self, status: ExitStatus) -> Error {
        let started = Instant::now();
        while !self.lock_stderr().finished && started.elapsed() < STDERR_DRAIN {
            tokio::time::sleep(POLL_INTERVAL).await;
        }
        Error::ServerExited {
            program: self.program.clone(),
            status,
            stderr: self.stderr_text(),
        }
    }

    fn stderr_text(&self) -> String {
        self.lock_stderr().text.clone()
    }

    fn lock_stderr(&self) -> std::sync::MutexGuard<'_, StderrTail> {
        self.stderr.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Kills the process by PID and reaps it. A process that already exited is only reaped.
    pub(crate) fn kill(&mut self) {
        if self.exit_status().is_some() {
            return;
        }
        let child = self.child.get_mut().unwrap_or_else(|e| e.into_inner());
        let pid = child.id();
        if let Err(error) = child.kill() {
            tracing::warn!(pid, %error, "failed to kill server");
        }
        if let Err(error) = child.wait() {
            tracing::warn!(pid, %error, "failed to reap server");
        }
        tracing::debug!(pid, port = self.port, "stopped server");
    }
}

impl std::fmt::Debug for ServerProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerProcess")
            .field("program", &self.program)
            .field("pid", &self.pid())
            .field("port", &self.port)
            .finish()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Returns a port that was free a moment ago on 127.0.0.1.
fn free_port() -> Result<u16, Error> {
    let io_error = |source| Error::Io {
        action: "find a free port on 127.0.0.1".into(),
        source,
    };
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(io_error)?;
    let port = listener.local_addr().map_err(io_error)?.port();
    Ok(port)
}

/// Returns whether another process listens on the port, which is why a server that exited
/// early could not bind it.
fn port_is_taken(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_err()
}

/// Returns whether stderr has the ready line, not followed by another digit, so that port 80
/// does not match a line for port 8080.
fn has_ready_line(stderr: &str, ready_line: &str) -> bool {
    stderr.match_indices(ready_line).any(|(start, found)| {
        !stderr[start + found.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

fn spawn_stderr_reader(pipe: ChildStderr, tail: Arc<Mutex<StderrTail>>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
                    tail.text.push_str(&String::from_utf8_lossy(&line));
                    trim_front(&mut tail.text, STDERR_LIMIT);
                }
            }
        }
        tail.lock().unwrap_or_else(|e| e.into_inner()).finished = true;
    });
}

/// Drops whole lines from the front of `text` until it is at most `limit` bytes.
fn trim_front(text: &mut String, limit: usize) {
    if text.len() <= limit {
        return;
    }
    let mut cut = text.len() - limit;
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    let cut = text[cut..]
        .find('\n')
        .map_or(cut, |newline| cut + newline + 1);
    text.replace_range(..cut, "");
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// Writes a shell script that stands in for a server: it reads `--port`, runs `body` with
    /// `$port` set, and is executable.
    fn fake_server(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("server.sh");
        let script = format!(
            "#!/bin/sh\nport=\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --port ]; then port=$2; fi\n  \
             shift\ndone\n{body}\n"
        );
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn start(program: &Path, timeout: Duration) -> Result<ServerProcess, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(ServerProcess::start(program, &[], timeout))
    }

    #[test]
    fn ready_server_is_killed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let program = fake_server(
            dir.path(),
            "echo \"listening on http://127.0.0.1:$port\" >&2\nexec sleep 30",
        );

        let process = start(&program, Duration::from_secs(10)).unwrap();
        let pid = process.pid();

        assert!(process.base_url().starts_with("http://127.0.0.1:"));
        assert!(process.exit_status().is_none());
        assert!(Path::new(&format!("/proc/{pid}")).exists());

        drop(process);

        assert!(!Path::new(&format!("/proc/{pid}")).exists());
    }

    #[test]
    fn early_exit_reports_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let program = fake_server(dir.path(), "echo 'script threw: boom' >&2\nexit 3");

        let error = start(&program, Duration::from_secs(10)).unwrap_err();

        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "`{}` exited with exit status: 3",
                program.display()
            )),
            "{message}"
        );
        assert!(
            message.ends_with("its stderr:\nscript threw: boom\n"),
            "{message}"
        );
    }

    #[test]
    fn silent_server_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let program = fake_server(dir.path(), "echo 'still loading' >&2\nexec sleep 30");

        let error = start(&program, Duration::from_millis(300)).unwrap_err();

        let message = error.to_string();
        assert!(
            message.contains("was not ready after 300 ms on port"),
            "{message}"
        );
        assert!(
            message.ends_with("its stderr:\nstill loading\n"),
            "{message}"
        );
    }

    #[test]
    fn taken_port_is_retried() {
        let dir = tempfile::tempdir().unwrap();
        // The first start has another process take its port, then exits as a server that lost
        // the bind race would. The second start succeeds. The holder sleeps at most 5 s.
        let body = format!(
            "cd {dir}\n\
             if [ ! -e first ]; then\n  touch first\n  \
             python3 -c \"import socket, time; s = socket.socket(); \
             s.bind(('127.0.0.1', $port)); s.listen(); open('bound', 'w').close(); \
             time.sleep(5)\" &\n  echo $! > holder.pid\n  \
             for i in 1 2 3 4 5 6 7 8 9 10; do [ -e bound ] && break; sleep 0.2; done\n  \
             echo 'address in use' >&2\n  exit 1\nfi\n\
             echo \"listening on http://127.0.0.1:$port\" >&2\nexec sleep 30",
            dir = dir.path().display()
        );
        let program = fake_server(dir.path(), &body);

        let result = start(&program, Duration::from_secs(10));

        let holder = std::fs::read_to_string(dir.path().join("holder.pid")).unwrap();
        let _ = Command::new("kill").arg(holder.trim()).status();
        let process = result.unwrap();
        assert!(process.exit_status().is_none());
    }

    #[test]
    fn missing_program_fails_to_spawn() {
        let error = start(
            Path::new("/nonexistent/edgecase-server"),
            Duration::from_secs(1),
        )
        .unwrap_err();

        assert_eq!(
            error.to_string(),
            "failed to start `/nonexistent/edgecase-server`: No such file or directory (os error 2)"
        );
    }

    #[test]
    fn ready_line_needs_exact_port() {
        let stderr = "INFO listening on http://127.0.0.1:8080\n";

        assert!(has_ready_line(stderr, "listening on http://127.0.0.1:8080"));
        assert!(!has_ready_line(stderr, "listening on http://127.0.0.1:808"));
        assert!(!has_ready_line("", "listening on http://127.0.0.1:1"));
    }

    #[test]
    fn tail_keeps_last_whole_lines() {
        let mut text = "aaaa\nbbbb\ncccc\n".to_string();

        trim_front(&mut text, 8);

        assert_eq!(text, "cccc\n");
    }

    #[test]
    fn free_port_is_bindable() {
        let port = free_port().unwrap();

        assert_ne!(port, 0);
        assert!(!port_is_taken(port));
    }

    #[test]
    fn taken_port_is_detected() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();

        assert!(port_is_taken(port));
    }
}
