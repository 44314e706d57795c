//! `cargo xtask bench --clients`: what idle blocked clients cost, and pub/sub fan-out.
//!
//! * **Blocked clients.** 1,000 connections each wait in `BLPOP` on a key of their own. The
//!   server's CPU time over two idle seconds shows whether waiting costs anything (nothing
//!   should poll), and `redis-benchmark -t get,set -c 50` runs with them and again without
//!   them: the ratio shows whether they slow everyone else down.
//! * **Fan-out.** 100 subscribers on one channel; one publisher sends messages pipelined, and
//!   the figure is messages delivered per second (messages × subscribers / time until the
//!   last subscriber has read the last one).
//!
//! Redis and resplite run the same steps, one after the other, and the tables show both.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::BytesMut;
use resplite_resp::encode_command;

use crate::bench::{benchmark_tests, cpu_seconds, median};
use crate::servers::ServerProcess;

const BLOCKED_CLIENTS: usize = 1_000;
const SUBSCRIBERS: usize = 100;
const MESSAGES: usize = 20_000;
const MESSAGE_BYTES: usize = 32;
/// A whole run gives up past this, rather than hang on a server that stops answering.
const DEADLINE: Duration = Duration::from_secs(120);

pub(crate) fn run(redis_server: &Path, resplite: &Path, benchmark: &Path) -> Result<()> {
    let servers = [
        ServerProcess::redis("redis", redis_server)?,
        ServerProcess::resplite("resplite", resplite)?,
    ];
    println!(
        "\n| {BLOCKED_CLIENTS} clients blocked in BLPOP | CPU while idle | GET with / without | SET with / without |"
    );
    println!("|---|---:|---:|---:|");
    for server in &servers {
        let (idle_cpu, get, set) = blocked_clients(server, benchmark)?;
        println!(
            "| {} | {:.1}% of one core (at most) | {get:.2}x | {set:.2}x |",
            server.name(),
            idle_cpu * 100.0
        );
    }
    println!(
        "\n| fan-out: 1 publisher, {SUBSCRIBERS} subscribers, {MESSAGES} messages of {MESSAGE_BYTES} bytes | delivered messages/s |"
    );
    println!("|---|---:|");
    let mut rates = Vec::new();
    for server in &servers {
        let rate = fan_out(server.port())?;
        println!("| {} | {rate:.0} |", server.name());
        rates.push(rate);
    }
    if let [redis, resplite] = rates[..] {
        println!("| resplite / redis | {:.2}x |", resplite / redis);
    }
    Ok(())
}

/// Rounds of GET/SET with and without the blocked clients, alternating; medians compared.
const ROUNDS: usize = 3;

/// Blocks the clients, measures idle CPU, then GET/SET throughput with and without them.
fn blocked_clients(server: &ServerProcess, benchmark: &Path) -> Result<(f64, f64, f64)> {
    let mut without = Vec::new();
    let mut with = Vec::new();
    let mut idle_cpu = 0.0;
    for _ in 0..ROUNDS {
        without.push(benchmark_tests(benchmark, server.port(), "get,set", 50, 1, 100_000)?);
        let mut blocked = Vec::with_capacity(BLOCKED_CLIENTS);
        for index in 0..BLOCKED_CLIENTS {
            let mut stream = connect(server.port())?;
            let mut request = BytesMut::new();
            encode_command(&["BLPOP", &format!("bench:blocked:{index}"), "0"], &mut request);
            stream.write_all(&request)?;
            blocked.push(stream);
        }
        thread::sleep(Duration::from_secs(1));
        let before = cpu_seconds(server.pid())?;
        thread::sleep(Duration::from_secs(2));
        idle_cpu = f64::max(idle_cpu, (cpu_seconds(server.pid())? - before) / 2.0);
        with.push(benchmark_tests(benchmark, server.port(), "get,set", 50, 1, 100_000)?);
        drop(blocked);
    }
    let ratio = |test: &str| {
        let rates = |runs: &[Vec<(String, f64)>]| {
            let figures: Vec<f64> = runs
                .iter()
                .filter_map(|run| run.iter().find(|(name, _)| name == test).map(|(_, rate)| *rate))
                .collect();
            median(&figures)
        };
        rates(&with) / rates(&without).max(1.0)
    };
    Ok((idle_cpu, ratio("GET"), ratio("SET")))
}

/// Publishes to subscribers and answers delivered messages per second.
fn fan_out(port: u16) -> Result<f64> {
    let channel = "bench:fanout";
    let mut readers = Vec::with_capacity(SUBSCRIBERS);
    for _ in 0..SUBSCRIBERS {
        let mut stream = connect(port)?;
        let mut request = BytesMut::new();
        encode_command(&["SUBSCRIBE", channel], &mut request);
        stream.write_all(&request)?;
        // The confirmation: *3 $9 subscribe $12 bench:fanout :1.
        let confirmation = b"*3\r\n$9\r\nsubscribe\r\n$12\r\nbench:fanout\r\n:1\r\n".len();
        read_bytes(&mut stream, confirmation)?;
        readers.push(stream);
    }
    let payload = "x".repeat(MESSAGE_BYTES);
    let message_len = format!(
        "*3\r\n$7\r\nmessage\r\n${}\r\n{channel}\r\n${MESSAGE_BYTES}\r\n{payload}\r\n",
        channel.len()
    )
    .len();
    let started = Instant::now();
    let readers: Vec<_> = readers
        .into_iter()
        .map(|mut stream| thread::spawn(move || read_bytes(&mut stream, message_len * MESSAGES)))
        .collect();
    let mut publisher = connect(port)?;
    let mut batch = BytesMut::new();
    for sent in 1..=MESSAGES {
        encode_command(&["PUBLISH", channel, &payload], &mut batch);
        if sent % 100 == 0 {
            publisher.write_all(&batch)?;
            batch.clear();
            // Each PUBLISH answers `:100\r\n`.
            read_bytes(&mut publisher, 100 * b":100\r\n".len())?;
        }
    }
    for reader in readers {
        reader.join().map_err(|_| anyhow::anyhow!("a subscriber thread panicked"))??;
    }
    Ok((MESSAGES * SUBSCRIBERS) as f64 / started.elapsed().as_secs_f64())
}

fn connect(port: u16) -> Result<TcpStream> {
    let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).context("connect")?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Reads exactly `count` bytes (bounded by [`DEADLINE`]).
fn read_bytes(stream: &mut TcpStream, count: usize) -> Result<()> {
    let started = Instant::now();
    let mut left = count;
    let mut chunk = vec![0u8; 64 * 1024];
    while left > 0 {
        if started.elapsed() > DEADLINE {
            bail!("gave up waiting for {left} bytes");
        }
        let read = stream.read(&mut chunk[..left.min(64 * 1024)])?;
        if read == 0 {
            bail!("the server closed the connection with {left} bytes to go");
        }
        left -= read;
    }
    Ok(())
}
