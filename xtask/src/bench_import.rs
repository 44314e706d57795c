//! `cargo xtask bench-import`: how fast `resplite import bulk` copies a Redis, and how much
//! memory it takes.
//!
//! Loads a fresh Redis with small keys of every type (a tenth with deadlines), imports them
//! with default settings and reports keys/s, MB/s and the importer's peak resident size;
//! then does the same for one large hash, whose import must stay within bounded memory.
//! Given several `--server` binaries, each imports each dataset in turn from the same
//! source, for a comparison within one run.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::BytesMut;
use resplite_resp::{Frame, encode_command, parse_frame};

use crate::bench::{build_release, status_field_kb};
use crate::redis_install::ensure_redis_server;
use crate::servers::ServerProcess;

/// What to measure.
pub(crate) struct Options {
    /// Small keys of mixed types.
    pub(crate) keys: usize,
    /// Size of the one large hash, in MB (fields of 1 KB).
    pub(crate) hash_mb: usize,
    /// The resplite binaries to compare; none builds and measures this checkout's.
    pub(crate) servers: Vec<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options { keys: 1_000_000, hash_mb: 200, servers: Vec::new() }
    }
}

pub(crate) fn run(options: &Options) -> Result<()> {
    let redis_server = ensure_redis_server()?;
    let binaries = match options.servers.as_slice() {
        [] => vec![build_release()?],
        servers => servers.to_vec(),
    };
    // Each row names its binary only when there are several to tell apart.
    let label = |binary: &Path| match binaries.len() {
        1 => String::new(),
        _ => format!(" ({})", binary.display()),
    };
    println!("| dataset | keys | import time | keys/s | MB/s | importer peak RSS |");
    println!("|---|---:|---:|---:|---:|---:|");

    let source = ServerProcess::redis("import-source", &redis_server)?;
    let mut connection = connect(source.port())?;
    let started = Instant::now();
    load_mixed(&mut connection, options.keys)?;
    eprintln!(
        "bench-import: loaded {} keys in {:.1} s",
        options.keys,
        started.elapsed().as_secs_f64()
    );
    for binary in &binaries {
        let measured = import(binary, source.port(), "mixed")?;
        let dataset = format!("{} small keys, mixed types{}", options.keys, label(binary));
        measured.print(&dataset, options.keys);
    }

    pipeline(&mut connection, &[vec![b"FLUSHALL".to_vec()]])?;
    let fields = options.hash_mb * 1024;
    load_hash(&mut connection, fields)?;
    for binary in &binaries {
        let measured = import(binary, source.port(), "hash")?;
        let dataset =
            format!("one {} MB hash ({fields} fields of 1 KB){}", options.hash_mb, label(binary));
        measured.print(&dataset, 1);
    }
    Ok(())
}

struct Measured {
    elapsed: Duration,
    bytes: u64,
    peak_kb: u64,
}

impl Measured {
    fn print(&self, dataset: &str, keys: usize) {
        let seconds = self.elapsed.as_secs_f64();
        let rate = if keys > 1 { format!("{:.0}", keys as f64 / seconds) } else { "-".into() };
        println!(
            "| {dataset} | {keys} | {seconds:.1} s | {rate} | {:.1} | {:.0} MB |",
            self.bytes as f64 / (1024.0 * 1024.0) / seconds,
            self.peak_kb as f64 / 1024.0
        );
    }
}

/// Runs `resplite import bulk` into a fresh file, sampling its peak resident size.
fn import(resplite: &Path, port: u16, name: &str) -> Result<Measured> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join(format!("{name}.db"));
    let started = Instant::now();
    let mut child = Command::new(resplite)
        .args(["import", "bulk", "--run-id", name, "--from", &format!("redis://127.0.0.1:{port}")])
        .arg("--to")
        .arg(&db)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("could not start resplite import")?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            peak_kb = peak_kb.max(status_field_kb(&status, "VmHWM:"));
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > Duration::from_secs(1800) {
            let _ = child.kill();
            bail!("the import took over 30 minutes");
        }
        sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let mut output = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout.read_to_string(&mut output)?;
    }
    if !status.success() {
        bail!("resplite import failed ({status}): {output}");
    }
    Ok(Measured { elapsed, bytes: json_number(&output, "migrated_bytes"), peak_kb })
}

/// The number after `"name":` in a JSON document (good enough for our own output).
fn json_number(document: &str, name: &str) -> u64 {
    let pattern = format!("\"{name}\":");
    document
        .find(&pattern)
        .map(|at| &document[at + pattern.len()..])
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0)
}

fn connect(port: u16) -> Result<TcpStream> {
    let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    Ok(stream)
}

/// Small keys: 40% strings, 20% hashes of 3 fields, 10% lists of 4, 10% sets of 4, 10%
/// sorted sets of 3, 10% strings with a deadline an hour away.
fn load_mixed(stream: &mut TcpStream, keys: usize) -> Result<()> {
    let mut commands = Vec::with_capacity(1000);
    for index in 0..keys {
        let id = index.to_string();
        let value = format!("value-{index:012}");
        let args: Vec<String> = match index % 10 {
            0..=3 => vec!["SET".into(), format!("s:{id}"), value],
            4 | 5 => ["HSET", &format!("h:{id}"), "name", &value, "n", &id, "kind", "user"]
                .map(String::from)
                .to_vec(),
            6 => ["RPUSH", &format!("l:{id}"), "a", &value, "c", &id].map(String::from).to_vec(),
            7 => ["SADD", &format!("t:{id}"), "a", &value, "c", &id].map(String::from).to_vec(),
            8 => ["ZADD", &format!("z:{id}"), "1.5", "a", &id, &value, "-2", "c"]
                .map(String::from)
                .to_vec(),
            _ => ["SET", &format!("e:{id}"), &value, "PX", "3600000"].map(String::from).to_vec(),
        };
        commands.push(args.into_iter().map(String::into_bytes).collect());
        if commands.len() == 1000 {
            pipeline(stream, &commands)?;
            commands.clear();
        }
    }
    pipeline(stream, &commands)
}

fn load_hash(stream: &mut TcpStream, fields: usize) -> Result<()> {
    let value = vec![b'v'; 1024];
    for start in (0..fields).step_by(500) {
        let mut args = vec![b"HSET".to_vec(), b"big:hash".to_vec()];
        for field in start..(start + 500).min(fields) {
            args.push(format!("field-{field}").into_bytes());
            args.push(value.clone());
        }
        pipeline(stream, &[args])?;
    }
    Ok(())
}

/// Sends the commands at once and reads one reply per command, failing on an error reply.
fn pipeline(stream: &mut TcpStream, commands: &[Vec<Vec<u8>>]) -> Result<()> {
    let mut request = BytesMut::new();
    for args in commands {
        encode_command(args, &mut request);
    }
    stream.write_all(&request)?;
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut replies = 0;
    while replies < commands.len() {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            bail!("the source closed the connection while loading");
        }
        buffer.extend_from_slice(&chunk[..read]);
        let mut offset = 0;
        while let Some((frame, length)) = parse_frame(&buffer[offset..])? {
            if let Frame::Error(message) = frame {
                bail!("the source refused a load command: {}", String::from_utf8_lossy(&message));
            }
            offset += length;
            replies += 1;
        }
        buffer.drain(..offset);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::json_number;

    #[test]
    fn reads_numbers_from_our_json() {
        let document = r#"{"run":{"migrated_bytes":12345,"x":1}}"#;
        assert_eq!(json_number(document, "migrated_bytes"), 12345);
        assert_eq!(json_number(document, "missing"), 0);
    }
}
