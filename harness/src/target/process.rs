//! A server process on a loopback port: started, waited for, and killed by PID when its owner
//! drops it, also when a trial panics.
//!
//! A server learns its port in one of three ways ([`PortSource`]): the harness picks a free port
//! and passes it, the server writes the port it bound to a control pipe (workerd's
//! `--control-fd`), or the server prints a line that names the port.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use regex::Regex;

use crate::error::Error;

/// Attempts to start a server before a port taken by another process counts as a failure.
const BIND_ATTEMPTS: usize = 3;

/// Interval between checks of a starting server.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Maximum length in bytes of the output tail kept per process. Older output is dropped.
const STDERR_LIMIT: usize = 64 * 1024;

/// How long to wait for the output readers to finish after the process exits.
const STDERR_DRAIN: Duration = Duration::from_millis(500);

/// File descriptor on which a [`PortSource::ControlFd`] server finds its control pipe.
pub(crate) const CONTROL_FD: i32 = 3;

/// How to start a server: the command, and how the harness learns its port.
#[derive(Clone, Debug)]
pub(crate) struct Launch {
    /// The program to run.
    pub program: PathBuf,
    /// Its arguments, before any that [`PortSource::HostPortFlags`] appends.
    pub args: Vec<OsString>,
    /// Variables added to the inherited environment.
    pub env: Vec<(OsString, OsString)>,
    /// Working directory, or the harness's own when `None`.
    pub current_dir: Option<PathBuf>,
    /// How the harness learns the port.
    pub port: PortSource,
    /// How long to wait after SIGTERM before SIGKILL, for servers that stop child processes
    /// only on SIGTERM. `None` sends SIGKILL at once.
    pub stop_grace: Option<Duration>,
}

/// How the harness learns the port of a server it started.
#[derive(Clone, Debug)]
pub(crate) enum PortSource {
    /// The harness binds port 0 to find a free port, appends `--host 127.0.0.1 --port PORT`, and
    /// waits for the line `listening on http://127.0.0.1:PORT` on stderr.
    HostPortFlags,
    /// The server binds its own port and writes one JSON line per socket to file descriptor
    /// [`CONTROL_FD`], such as `{"event":"listen","socket":"http","port":40123}`, as
    /// `workerd serve --control-fd 3` does. The harness waits for the line of `socket`.
    ControlFd {
        /// The socket name in the config.
        socket: String,
    },
    /// The server binds its own port and prints a line on stdout or stderr that this regex
    /// matches, with the port in its first capture group.
    Announced(Regex),
}

impl Launch {
    /// Returns a launch of `program ARGS` with the port passed as `--host` and `--port`.
    pub(crate) fn with_port_flags(program: &Path, args: &[OsString]) -> Launch {
        Launch {
            program: program.to_path_buf(),
            args: args.to_vec(),
            env: Vec::new(),
            current_dir: None,
            port: PortSource::HostPortFlags,
            stop_grace: None,
        }
    }
}

/// A running server process, listening on `127.0.0.1`.
pub(crate) struct ServerProcess {
    program: PathBuf,
    /// In a mutex so that a shared session can check whether the server exited.
    child: Mutex<Child>,
    port: u16,
    output: Arc<Mutex<OutputTail>>,
    stop_grace: Option<Duration>,
}

/// The tail of a server's stdout and stderr, merged, and what its control pipe reported.
#[derive(Default)]
struct OutputTail {
    text: String,
    /// How many of the output readers have reached the end of their pipe.
    finished_readers: usize,
    /// How many output readers there are.
    readers: usize,
    /// The lines read from the control pipe.
    control: String,
}

impl OutputTail {
    fn finished(&self) -> bool {
        self.finished_readers >= self.readers
    }
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
    #[cfg(test)]
    pub(crate) async fn start(
        program: &Path,
        args: &[OsString],
        ready_timeout: Duration,
    ) -> Result<ServerProcess, Error> {
        Self::launch(&Launch::with_port_flags(program, args), ready_timeout).await
    }

    /// Starts a server and waits until it reports its port.
    ///
    /// With [`PortSource::HostPortFlags`] the port comes from binding port 0 and closing the
    /// socket, so another process may take it first. The server then exits with the port in
    /// use, and this retries on a new port. The other sources let the server bind port 0
    /// itself, so they need no retry.
    pub(crate) async fn launch(
        launch: &Launch,
        ready_timeout: Duration,
    ) -> Result<ServerProcess, Error> {
        if !matches!(launch.port, PortSource::HostPortFlags) {
            return match Self::start_on(launch, None, ready_timeout).await {
                Ok(process) => Ok(process),
                Err(StartError::PortTaken(error) | StartError::Failed(error)) => Err(error),
            };
        }
        let mut attempt = 1;
        loop {
            let port = free_port()?;
            match Self::start_on(launch, Some(port), ready_timeout).await {
                Ok(process) => return Ok(process),
                Err(StartError::PortTaken(error)) if attempt < BIND_ATTEMPTS => {
                    tracing::warn!(port, attempt, %error, "port was taken before the server bound it; retrying");
                    attempt += 1;
                }
                Err(StartError::PortTaken(error) | StartError::Failed(error)) => return Err(error),
            }
        }
    }

    /// Spawns the server and waits for its port. `port` is the port to pass with
    /// [`PortSource::HostPortFlags`], and `None` for the other sources.
    async fn start_on(
        launch: &Launch,
        port: Option<u16>,
        ready_timeout: Duration,
    ) -> Result<ServerProcess, StartError> {
        let program = &launch.program;
        let failed = |source| {
            StartError::Failed(Error::Spawn {
                program: program.to_path_buf(),
                source,
            })
        };
        let mut command = Command::new(program);
        command.args(&launch.args);
        if let Some(port) = port {
            command.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
        }
        command
            .envs(launch.env.iter().map(|(name, value)| (name, value)))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = &launch.current_dir {
            command.current_dir(dir);
        }

        // A run stopped by a signal never drops its sessions, so each server also gets
        // SIGTERM from the kernel when the harness thread that started it exits.
        #[cfg(target_os = "linux")]
        // SAFETY: the closure runs in the forked child before exec and calls only prctl, which
        // is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }

        let control = match launch.port {
            PortSource::ControlFd { .. } => Some(std::io::pipe().map_err(failed)?),
            _ => None,
        };
        if let Some((_, writer)) = &control {
            let writer_fd = std::os::fd::AsRawFd::as_raw_fd(writer);
            // SAFETY: the closure runs in the forked child before exec and calls only dup2 and
            // fcntl, which are async-signal-safe. dup2 clears close-on-exec on the new
            // descriptor, so the server inherits the pipe's write end as CONTROL_FD. When the
            // write end already is CONTROL_FD, dup2 does nothing and fcntl clears the flag.
            unsafe {
                command.pre_exec(move || {
                    let result = if writer_fd == CONTROL_FD {
                        libc::fcntl(CONTROL_FD, libc::F_SETFD, 0)
                    } else {
                        libc::dup2(writer_fd, CONTROL_FD)
                    };
                    if result < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }

        let mut child = command.spawn().map_err(failed)?;
        let output = Arc::new(Mutex::new(OutputTail::default()));
        if let Some(pipe) = child.stdout.take() {
            spawn_output_reader(pipe, output.clone());
        }
        if let Some(pipe) = child.stderr.take() {
            spawn_output_reader(pipe, output.clone());
        }
        if let Some((reader, writer)) = control {
            // The parent's copy of the write end must close, or the reader never sees the end.
            drop(writer);
            spawn_control_reader(reader, output.clone());
        }

        let pid = child.id();
        let mut process = ServerProcess {
            program: program.to_path_buf(),
            child: Mutex::new(child),
            port: port.unwrap_or(0),
            output,
            stop_grace: launch.stop_grace,
        };
        tracing::debug!(program = %program.display(), pid, ?port, "started server");
        process.wait_ready(&launch.port, ready_timeout).await?;
        tracing::debug!(pid, port = process.port, "server is ready");
        Ok(process)
    }

    async fn wait_ready(
        &mut self,
        source: &PortSource,
        timeout: Duration,
    ) -> Result<(), StartError> {
        let ready_line = format!("listening on http://127.0.0.1:{}", self.port);
        let started = Instant::now();
        loop {
            let found = match source {
                PortSource::HostPortFlags => {
                    has_ready_line(&self.output_text(), &ready_line).then_some(self.port)
                }
                PortSource::ControlFd { socket } => {
                    control_port(&self.lock_output().control, socket)
                }
                PortSource::Announced(pattern) => announced_port(&self.output_text(), pattern),
            };
            if let Some(port) = found {
                self.port = port;
                return Ok(());
            }

            if let Some(status) = self.exit_status() {
                let error = self.exited_error(status).await;
                let taken = matches!(source, PortSource::HostPortFlags) && port_is_taken(self.port);
                return Err(if taken {
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
                    stderr: self.output_text(),
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

    /// Returns the error for a process that exited, with its output once the readers have
    /// drained the pipes.
    pub(crate) async fn exited_error(&self, status: ExitStatus) -> Error {
        let started = Instant::now();
        while !self.lock_output().finished() && started.elapsed() < STDERR_DRAIN {
            tokio::time::sleep(POLL_INTERVAL).await;
        }
        Error::ServerExited {
            program: self.program.clone(),
            status,
            stderr: self.output_text(),
        }
    }

    /// Returns the tail of the server's stdout and stderr, merged in arrival order.
    pub(crate) fn output_text(&self) -> String {
        self.lock_output().text.clone()
    }

    fn lock_output(&self) -> std::sync::MutexGuard<'_, OutputTail> {
        self.output.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops the process by PID and reaps it: SIGTERM first when the launch set a grace
    /// period, then SIGKILL. A process that already exited is only reaped.
    pub(crate) fn kill(&mut self) {
        if self.exit_status().is_some() {
            return;
        }
        if let Some(grace) = self.stop_grace {
            self.terminate(grace);
            if self.exit_status().is_some() {
                tracing::debug!(port = self.port, "server stopped on SIGTERM");
                return;
            }
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

impl ServerProcess {
    /// Sends SIGTERM to the process and waits up to `grace` for it to exit.
    fn terminate(&mut self, grace: Duration) {
        let pid = self.pid();
        let Ok(raw_pid) = libc::pid_t::try_from(pid) else {
            return;
        };
        // SAFETY: kill has no memory-safety preconditions. The PID is our unreaped child's, so
        // no other process can have it.
        if unsafe { libc::kill(raw_pid, libc::SIGTERM) } != 0 {
            tracing::warn!(pid, error = %std::io::Error::last_os_error(), "failed to send SIGTERM");
            return;
        }
        let started = Instant::now();
        while started.elapsed() < grace {
            if self.exit_status().is_some() {
                return;
            }
            std::thread::sleep(POLL_INTERVAL);
        }
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

/// Returns the port that a control pipe reported for `socket`, from lines such as
/// `{"event":"listen","socket":"http","port":40123}`.
fn control_port(control: &str, socket: &str) -> Option<u16> {
    control.lines().find_map(|line| {
        let event: serde_json::Value = serde_json::from_str(line).ok()?;
        if event["event"] != "listen" || event["socket"] != socket {
            return None;
        }
        u16::try_from(event["port"].as_u64()?).ok()
    })
}

/// Returns the port in the first line of `output` that `pattern` matches.
fn announced_port(output: &str, pattern: &Regex) -> Option<u16> {
    output
        .lines()
        .find_map(|line| pattern.captures(line)?.get(1)?.as_str().parse().ok())
}

fn spawn_output_reader(pipe: impl Read + Send + 'static, tail: Arc<Mutex<OutputTail>>) {
    tail.lock().unwrap_or_else(|e| e.into_inner()).readers += 1;
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
        tail.lock()
            .unwrap_or_else(|e| e.into_inner())
            .finished_readers += 1;
    });
}

fn spawn_control_reader(pipe: std::io::PipeReader, tail: Arc<Mutex<OutputTail>>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = String::new();
        // The server keeps the pipe open while it runs, so this thread ends when it exits.
        while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
            let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
            tail.control.push_str(&line);
            trim_front(&mut tail.control, STDERR_LIMIT);
            line.clear();
        }
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
            message.ends_with("its output:\nscript threw: boom\n"),
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
            message.ends_with("its output:\nstill loading\n"),
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
    fn control_line_gives_port() {
        let control = "{\"event\":\"listen\",\"socket\":\"other\",\"port\":1}\n\
                       {\"event\":\"listen\",\"socket\":\"http\",\"port\":40123}\n";

        assert_eq!(control_port(control, "http"), Some(40123));
        assert_eq!(control_port(control, "admin"), None);
        assert_eq!(control_port("not json\n", "http"), None);
    }

    #[test]
    fn announced_line_gives_port() {
        let pattern = Regex::new(r"Listening on http://127\.0\.0\.1:(\d+)/").unwrap();

        assert_eq!(
            announced_port("loading\nListening on http://127.0.0.1:8123/\n", &pattern),
            Some(8123)
        );
        assert_eq!(
            announced_port("Listening on http://[::1]:8123/\n", &pattern),
            None
        );
    }

    #[test]
    fn control_fd_server_reports_port() {
        let dir = tempfile::tempdir().unwrap();
        let program = fake_server(
            dir.path(),
            "echo '{\"event\":\"listen\",\"socket\":\"http\",\"port\":4321}' >&3\nexec sleep 30",
        );
        let launch = Launch {
            port: PortSource::ControlFd {
                socket: "http".into(),
            },
            ..Launch::with_port_flags(&program, &[])
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();

        let process = runtime
            .block_on(ServerProcess::launch(&launch, Duration::from_secs(10)))
            .unwrap();

        assert_eq!(process.base_url(), "http://127.0.0.1:4321");
    }

    #[test]
    fn sigterm_stops_server_in_grace() {
        let dir = tempfile::tempdir().unwrap();
        let program = fake_server(
            dir.path(),
            "trap 'exit 0' TERM\necho \"listening on http://127.0.0.1:$port\" >&2\n\
             while true; do sleep 0.1; done",
        );
        let launch = Launch {
            stop_grace: Some(Duration::from_secs(5)),
            ..Launch::with_port_flags(&program, &[])
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut process = runtime
            .block_on(ServerProcess::launch(&launch, Duration::from_secs(10)))
            .unwrap();

        process.kill();

        let status = process.exit_status().expect("the server exited");
        assert!(status.success(), "{status}");
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
