//! Starting and stopping the real `resplite` binary for black-box tests.

#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A `resplite serve` process on a free loopback port; killed when dropped.
pub struct ServerProcess {
    pub child: Child,
    pub port: u16,
    pub db: PathBuf,
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Who answers on loopback `port`: `Some(true)` when it is the process `pid` (its
/// `INFO server` says so), `Some(false)` when it is another server that took the port
/// between `free_port` and the start of ours, `None` while nothing answers yet or the
/// server wants a password (a `-NOAUTH` answer cannot tell).
pub fn answering_process_is(port: u16, pid: u32) -> Option<bool> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.write_all(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n").ok()?;
    let mut reply = Vec::new();
    let mut buffer = [0u8; 4096];
    // Enough of the reply to hold the `process_id` line, which comes early.
    while !String::from_utf8_lossy(&reply).contains("\nrun_id:") {
        let read = stream.read(&mut buffer).ok().filter(|&read| read > 0)?;
        reply.extend_from_slice(&buffer[..read]);
        if reply.starts_with(b"-") || reply.len() > 64 * 1024 {
            return None;
        }
    }
    let text = String::from_utf8_lossy(&reply);
    let process = text.lines().find_map(|line| line.strip_prefix("process_id:"))?;
    Some(process.trim() == pid.to_string())
}

/// The command that runs the binary under test.
pub fn resplite() -> Command {
    Command::new(env!("CARGO_BIN_EXE_resplite"))
}

impl ServerProcess {
    /// Starts a server on `db` and waits until it answers PING. Should another server take
    /// the free port first (tests run in parallel), it starts again on another.
    pub fn start(db: &Path, extra: &[&str]) -> ServerProcess {
        for _ in 0..5 {
            let port = free_port();
            let child = resplite()
                .args(["serve", "--port", &port.to_string(), "--db"])
                .arg(db)
                .args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start resplite");
            let mut server = ServerProcess { child, port, db: db.to_path_buf() };
            server.wait_until_ready();
            match answering_process_is(port, server.child.id()) {
                Some(false) => continue,
                // Behind a password only our own process's survival can tell.
                None if server.child.try_wait().ok().flatten().is_some() => continue,
                _ => return server,
            }
        }
        panic!("no free port kept for resplite in five tries");
    }

    fn wait_until_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(15) {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                // A server with a password answers -NOAUTH, which still says it is up.
                if stream.write_all(b"PING\r\n").is_ok() {
                    let mut reply = [0u8; 7];
                    if stream.read_exact(&mut reply).is_ok()
                        && (&reply == b"+PONG\r\n" || reply.starts_with(b"-NOAUTH"))
                    {
                        return;
                    }
                }
            }
            sleep(Duration::from_millis(20));
        }
        panic!("resplite did not answer PING on port {}", self.port);
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn connection(&self) -> redis::Connection {
        let client = redis::Client::open(self.url()).unwrap();
        client.get_connection_with_timeout(Duration::from_secs(5)).unwrap()
    }

    pub fn raw(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        stream
    }

    /// Sends `signal` (e.g. "TERM", "KILL") to the process by its PID.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits for the process to exit, at most `limit`.
    pub fn wait_for_exit(&mut self, limit: Duration) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < limit, "resplite did not exit within {limit:?}");
            sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads from `stream` until it closes or `limit` passes with no data.
pub fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Vec<u8> {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return received,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

/// Sends `commands` (inline) to `server` on a new connection, followed by QUIT, and answers
/// everything the server said.
pub fn exchange(server: &ServerProcess, commands: &[&str]) -> String {
    let mut stream = server.raw();
    let mut request = String::new();
    for command in commands {
        request.push_str(command);
        request.push_str("\r\n");
    }
    request.push_str("QUIT\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    String::from_utf8(read_until_closed(&mut stream, Duration::from_secs(5))).unwrap()
}

/// Runs `resplite check` on `db`: whether it exited with success, and its standard output
/// (with its standard error after it).
pub fn check(db: &Path) -> (bool, String) {
    let output = resplite().args(["check", "--db"]).arg(db).output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    (output.status.success(), report.into_owned())
}
