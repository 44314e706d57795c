//! A real `redis-server` on a free loopback port, as the source of a migration.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::common::free_port;

/// A `redis-server` process; killed (by PID) when dropped.
pub(crate) struct RedisSource {
    child: Child,
    pub(crate) port: u16,
}

fn redis_server_program() -> PathBuf {
    if let Some(path) = std::env::var_os("RESPLITE_TEST_REDIS_SERVER") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").expect("PATH is set");
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
        .expect("redis-server is not installed: run these tests through `cargo xtask ci`")
}

impl RedisSource {
    /// Starts an empty in-memory Redis with every keyspace notification class on.
    pub(crate) fn start() -> RedisSource {
        RedisSource::start_with(&[])
    }

    /// Like [`RedisSource::start`], with more `redis-server` options.
    pub(crate) fn start_with(options: &[&str]) -> RedisSource {
        let port = free_port();
        let child = Command::new(redis_server_program())
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no", "--notify-keyspace-events", "AE"])
            .args(options)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let source = RedisSource { child, port };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
                let mut reply = [0u8; 7];
                if stream.write_all(b"PING\r\n").is_ok()
                    && stream.read_exact(&mut reply).is_ok()
                    && &reply == b"+PONG\r\n"
                {
                    return source;
                }
            }
            sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not start on port {port}");
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub(crate) fn connection(&self, db: u32) -> redis::Connection {
        let client = redis::Client::open(format!("{}/{db}", self.url())).unwrap();
        let connection = client.get_connection_with_timeout(Duration::from_secs(5)).unwrap();
        connection.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        connection
    }
}

impl Drop for RedisSource {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
