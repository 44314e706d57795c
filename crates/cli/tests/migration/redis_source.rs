//! A real `redis-server` on a free loopback port, as the source of a migration.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::common::{answering_process_is, free_port};

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

/// A Redis 8, for what Redis 7.0 lacks (hash fields with deadlines): `cargo xtask ci`
/// fetches one and names it in `RESPLITE_TEST_REDIS8_SERVER`.
fn redis8_server_program() -> PathBuf {
    std::env::var_os("RESPLITE_TEST_REDIS8_SERVER")
        .map(PathBuf::from)
        .expect("RESPLITE_TEST_REDIS8_SERVER is not set: run these tests through `cargo xtask ci`")
}

impl RedisSource {
    /// Starts an empty in-memory Redis with every keyspace notification class on.
    pub(crate) fn start() -> RedisSource {
        RedisSource::start_with(&[])
    }

    /// Like [`RedisSource::start`], with a Redis 8.
    pub(crate) fn start_redis8() -> RedisSource {
        RedisSource::start_program(&redis8_server_program(), &[])
    }

    /// Like [`RedisSource::start`], with more `redis-server` options. Should another server
    /// take the free port first (tests run in parallel), it starts again on another.
    pub(crate) fn start_with(options: &[&str]) -> RedisSource {
        RedisSource::start_program(&redis_server_program(), options)
    }

    fn start_program(program: &Path, options: &[&str]) -> RedisSource {
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new(program)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
                .args(["--appendonly", "no", "--notify-keyspace-events", "AE"])
                .args(options)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start redis-server");
            let mut source = RedisSource { child, port };
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                match answering_process_is(port, source.child.id()) {
                    Some(true) => return source,
                    Some(false) => break,
                    // Ours exited: it could not bind the port.
                    None if source.child.try_wait().ok().flatten().is_some() => break,
                    None => sleep(Duration::from_millis(20)),
                }
            }
        }
        panic!("redis-server did not start on a port of its own in five tries");
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
