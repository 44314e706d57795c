//! Starting and stopping the servers under test: free loopback ports, scratch directories,
//! waiting for PING, and a guard that kills the process however the run ends.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tempfile::TempDir;

/// How long a server may take to answer its first PING.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// The database file's name inside a resplite server's scratch directory.
const RESPLITE_DATABASE: &str = "oracle.db";

/// A server process we started, with the scratch directory it works in.
///
/// Dropping it kills the process and waits for it, then removes the directory, so neither a
/// failed case nor a panic leaves a server behind.
pub(crate) struct ServerProcess {
    name: String,
    port: u16,
    child: Child,
    /// Removed when dropped, which happens after `Drop` below has stopped the process.
    dir: TempDir,
}

impl ServerProcess {
    /// Starts a real Redis with persistence off, working in a fresh scratch directory.
    pub(crate) fn redis(name: &str, redis_server: &Path) -> Result<ServerProcess> {
        ServerProcess::redis_with(name, redis_server, &[])
    }

    /// Starts a real Redis with persistence off unless `extra` options turn some on.
    pub(crate) fn redis_with(
        name: &str,
        redis_server: &Path,
        extra: &[&str],
    ) -> Result<ServerProcess> {
        let dir = scratch_dir(name)?;
        let port = free_port()?;
        let mut command = Command::new(redis_server);
        command
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(extra)
            .arg("--dir")
            .arg(dir.path());
        ServerProcess::spawn(name, command, port, dir)
    }

    /// Starts resplite on a database file inside a fresh scratch directory.
    pub(crate) fn resplite(name: &str, binary: &Path) -> Result<ServerProcess> {
        ServerProcess::resplite_with(name, binary, &[])
    }

    /// Starts resplite with extra `serve` options.
    pub(crate) fn resplite_with(
        name: &str,
        binary: &Path,
        extra_args: &[&str],
    ) -> Result<ServerProcess> {
        let dir = scratch_dir(name)?;
        let port = free_port()?;
        let mut command = Command::new(binary);
        command
            .args(["serve", "--port", &port.to_string(), "--bind", "127.0.0.1", "--db"])
            .arg(dir.path().join(RESPLITE_DATABASE))
            .args(extra_args);
        ServerProcess::spawn(name, command, port, dir)
    }

    fn spawn(name: &str, mut command: Command, port: u16, dir: TempDir) -> Result<ServerProcess> {
        let log_path = dir.path().join("server.log");
        let log = File::create(&log_path).context("could not create the server log")?;
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("could not start {name} ({:?})", command.get_program()))?;
        let mut server = ServerProcess { name: name.to_owned(), port, child, dir };
        server.wait_until_ready()?;
        Ok(server)
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The database file of a server started by [`ServerProcess::resplite_with`].
    pub(crate) fn resplite_database(&self) -> PathBuf {
        self.dir.path().join(RESPLITE_DATABASE)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Polls with PING until the server answers `+PONG`, it exits, or the timeout passes.
    fn wait_until_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("{} exited during startup ({status}){}", self.name, self.log_tail());
            }
            if ping(self.port) {
                // Another process may have taken the port between `free_port` and our bind,
                // and answer in our server's place.
                return match serving_process(self.port) {
                    Some(pid) if pid != self.child.id() => bail!(
                        "127.0.0.1:{} is answered by process {pid}, not by {} (process {})",
                        self.port,
                        self.name,
                        self.child.id()
                    ),
                    _ => Ok(()),
                };
            }
            if Instant::now() >= deadline {
                bail!(
                    "{} did not answer PING on 127.0.0.1:{} within {}s{}",
                    self.name,
                    self.port,
                    STARTUP_TIMEOUT.as_secs(),
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The end of the server's own output, to explain a failed start.
    fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(self.dir.path().join("server.log")) {
            let _ = file.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(20)..];
        if tail.is_empty() { String::new() } else { format!("; its output:\n{}", tail.join("\n")) }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Errors mean the process is already gone, which is what we want anyway.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scratch_dir(name: &str) -> Result<TempDir> {
    tempfile::Builder::new()
        .prefix(&format!("xtask-oracle-{name}-"))
        .tempdir()
        .context("could not create a scratch directory")
}

/// A loopback port that was free a moment ago: the OS picks it when we bind port 0.
///
/// Another process could take it before the server binds; the startup check (which asks the
/// answering server for its process id) then fails with a clear message rather than testing
/// the wrong server.
pub(crate) fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .context("could not bind a loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// The `process_id` the server on `port` gives in `INFO server`, if it gives one (a server
/// behind a password does not).
fn serving_process(port: u16) -> Option<u32> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_millis(200)).ok()?;
    stream.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    stream.write_all(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n").ok()?;
    let mut reply = Vec::new();
    let mut buffer = [0u8; 4096];
    // `process_id` comes before `run_id`, early in the section.
    while !String::from_utf8_lossy(&reply).contains("\nrun_id:") {
        let read = stream.read(&mut buffer).ok().filter(|&read| read > 0)?;
        reply.extend_from_slice(&buffer[..read]);
        if reply.starts_with(b"-") || reply.len() > 64 * 1024 {
            return None;
        }
    }
    let text = String::from_utf8_lossy(&reply);
    text.lines().find_map(|line| line.strip_prefix("process_id:")?.trim().parse().ok())
}

/// One PING on a fresh connection; true only for a `+PONG` reply.
fn ping(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"*1\r\n$4\r\nPING\r\n").is_err() {
        return false;
    }
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).is_ok() && &reply == b"+PONG\r\n"
}

#[cfg(test)]
mod tests {
    use super::free_port;

    #[test]
    fn free_ports_are_nonzero() {
        assert_ne!(free_port().unwrap(), 0);
    }
}
