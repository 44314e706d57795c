//! `cargo xtask bench --sizes`: does a single-element operation cost the same on a collection
//! of 10 elements as on one of a million?
//!
//! For each collection type, one key is filled with 10 elements and another with `elements`
//! (1,000,000 by default); then each operation runs 20,000 times, pipelined 100 deep on one
//! connection, against each key, in five rounds that alternate between the two keys (each
//! round on elements of its own where the collection has them), and the table shows the
//! median time per operation and the ratio large/small of the medians. The operations come
//! in pairs that leave the collection as they found it (`LPUSH`+`LPOP`, `SADD`+`SREM` of a
//! fresh member …), so both keys keep their size, and every write changes what it touches
//! (a new value, a new score) on both keys alike. Redis runs the same steps for reference.
//! Last, each large collection is deleted while another client keeps writing, to show that a
//! big `DEL` does not stall the others.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::BytesMut;
use resplite_resp::{Frame, encode_command, parse_frame};

use crate::bench::median;
use crate::servers::ServerProcess;

/// Operations per measurement.
const OPERATIONS: usize = 20_000;
/// Measurements per operation and size, alternating between the sizes; the median counts.
/// One round alone swung by a third from run to run on the project's VM (the 10-element
/// side most, its operations costing a few microseconds), enough to move a ratio across 2×.
const ROUNDS: usize = 5;
/// Commands per pipelined batch.
const PIPELINE: usize = 100;
/// Elements per command while filling.
const FILL_BATCH: usize = 1_000;

/// A measured operation: a name and the commands of one step, built from the key, the key's
/// size and the step number.
struct Operation {
    name: &'static str,
    step: fn(key: &str, size: usize, step: usize) -> Vec<Vec<String>>,
}

fn words(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

/// The element (field, member or score) of index `index` in a filled collection.
fn element(index: usize) -> String {
    format!("e{index}")
}

const OPERATIONS_TABLE: &[Operation] = &[
    Operation { name: "HGET", step: |k, n, i| vec![words(&["HGET", k, &element(i % n)])] },
    Operation { name: "HEXISTS", step: |k, n, i| vec![words(&["HEXISTS", k, &element(i % n)])] },
    // A value of its own per step: SQLite leaves a row alone when an update rewrites the
    // bytes it already holds, so rewriting one value would time no write at all on the
    // 10-field side after its first batch.
    Operation {
        name: "HSET (overwrite)",
        step: |k, n, i| vec![words(&["HSET", k, &element(i % n), &format!("w{i}")])],
    },
    Operation {
        name: "HSET+HDEL (new field)",
        step: |k, _, i| {
            let field = format!("new{i}");
            vec![words(&["HSET", k, &field, "v"]), words(&["HDEL", k, &field])]
        },
    },
    Operation {
        name: "LPUSH+LPOP",
        step: |k, _, _| vec![words(&["LPUSH", k, "x"]), words(&["LPOP", k])],
    },
    Operation {
        name: "RPUSH+RPOP",
        step: |k, _, _| vec![words(&["RPUSH", k, "x"]), words(&["RPOP", k])],
    },
    Operation { name: "LINDEX 0", step: |k, _, _| vec![words(&["LINDEX", k, "0"])] },
    Operation { name: "LINDEX -1", step: |k, _, _| vec![words(&["LINDEX", k, "-1"])] },
    Operation {
        name: "SISMEMBER",
        step: |k, n, i| vec![words(&["SISMEMBER", k, &element(i % n)])],
    },
    Operation {
        name: "SADD+SREM (new member)",
        step: |k, _, i| {
            let member = format!("new{i}");
            vec![words(&["SADD", k, &member]), words(&["SREM", k, &member])]
        },
    },
    Operation { name: "ZSCORE", step: |k, n, i| vec![words(&["ZSCORE", k, &element(i % n)])] },
    Operation {
        name: "ZADD+ZREM (new member)",
        step: |k, _, i| {
            let member = format!("new{i}");
            let score = (i % 1000).to_string();
            vec![words(&["ZADD", k, &score, &member]), words(&["ZREM", k, &member])]
        },
    },
    // An increment that changes the score, as an application's does: one of 0 leaves the
    // member where it is and writes nothing.
    Operation {
        name: "ZINCRBY",
        step: |k, n, i| vec![words(&["ZINCRBY", k, "1", &element(i % n)])],
    },
    Operation {
        name: "ZRANGEBYSCORE (5)",
        step: |k, _, i| {
            let low = (i % 5).to_string();
            vec![words(&["ZRANGEBYSCORE", k, &low, "+inf", "LIMIT", "0", "5"])]
        },
    },
    Operation {
        name: "ZRANK (top 5)",
        step: |k, _, i| vec![words(&["ZRANK", k, &element(i % 5)])],
    },
];

/// Fills `key` of each type with `size` elements named `e0`, `e1` … (scores 0, 1 …).
fn fill(connection: &mut Client, prefix: &str, size: usize) -> Result<()> {
    for start in (0..size).step_by(FILL_BATCH) {
        let end = (start + FILL_BATCH).min(size);
        let mut hash = words(&["HSET", &format!("{prefix}:hash")]);
        let mut list = words(&["RPUSH", &format!("{prefix}:list")]);
        let mut set = words(&["SADD", &format!("{prefix}:set")]);
        let mut zset = words(&["ZADD", &format!("{prefix}:zset")]);
        for index in start..end {
            hash.extend([element(index), "v".to_owned()]);
            list.push(element(index));
            set.push(element(index));
            zset.extend([index.to_string(), element(index)]);
        }
        connection.run(&[hash, list, set, zset])?;
    }
    Ok(())
}

/// The key an operation works on, by the type its name starts with.
fn key_for(operation: &str, prefix: &str) -> String {
    let kind = match operation.as_bytes()[0] {
        b'H' => "hash",
        b'L' | b'R' => "list",
        b'S' => "set",
        _ => "zset",
    };
    format!("{prefix}:{kind}")
}

/// Microseconds per step of `operation` on the collection `key` of `size` elements, over
/// [`OPERATIONS`] steps numbered from `first`.
fn measure(
    connection: &mut Client,
    operation: &Operation,
    key: &str,
    size: usize,
    first: usize,
) -> Result<f64> {
    let started = Instant::now();
    let end = first + OPERATIONS;
    let mut step = first;
    while step < end {
        let mut batch = Vec::with_capacity(PIPELINE * 2);
        for _ in 0..PIPELINE.min(end - step) {
            batch.extend((operation.step)(key, size, step));
            step += 1;
        }
        connection.run(&batch)?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / OPERATIONS as f64)
}

pub(crate) fn run(redis_server: &Path, resplite: &Path, elements: usize) -> Result<()> {
    let servers = [
        ServerProcess::redis("redis", redis_server)?,
        ServerProcess::resplite("resplite", resplite)?,
    ];
    let mut figures = Vec::new();
    let mut deletions = Vec::new();
    for server in &servers {
        let mut connection = Client::open(server.port())?;
        let started = Instant::now();
        fill(&mut connection, "small", 10)?;
        fill(&mut connection, "large", elements)?;
        println!(
            "bench: {} filled 4 x {elements} elements in {:.1} s",
            server.name(),
            started.elapsed().as_secs_f64()
        );
        let mut rows = Vec::new();
        for operation in OPERATIONS_TABLE {
            let (small_key, large_key) =
                (key_for(operation.name, "small"), key_for(operation.name, "large"));
            let mut small = Vec::with_capacity(ROUNDS);
            let mut large = Vec::with_capacity(ROUNDS);
            for round in 0..ROUNDS {
                let first = round * OPERATIONS;
                small.push(measure(&mut connection, operation, &small_key, 10, first)?);
                large.push(measure(&mut connection, operation, &large_key, elements, first)?);
            }
            rows.push((median(&small), median(&large)));
        }
        figures.push(rows);
        deletions.push(measure_deletions(server.port())?);
    }
    println!();
    println!(
        "| operation | Redis, 10 | Redis, {elements} | resplite, 10 | resplite, {elements} | \
         resplite large/small |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (index, operation) in OPERATIONS_TABLE.iter().enumerate() {
        let (redis_small, redis_large) = figures[0][index];
        let (small, large) = figures[1][index];
        println!(
            "| {} | {redis_small:.1} µs | {redis_large:.1} µs | {small:.1} µs | {large:.1} µs | \
             {:.2}x |",
            operation.name,
            large / small
        );
    }
    println!();
    println!(
        "| DEL of a {elements}-element key | Redis: DEL | Redis: worst SET meanwhile | \
         resplite: DEL | resplite: worst SET meanwhile |"
    );
    println!("|---|---:|---:|---:|---:|");
    for (index, kind) in ["hash", "list", "set", "zset"].iter().enumerate() {
        let (redis_delete, redis_worst) = deletions[0][index];
        let (delete, worst) = deletions[1][index];
        println!(
            "| {kind} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
            redis_delete * 1e3,
            redis_worst * 1e3,
            delete * 1e3,
            worst * 1e3
        );
    }
    Ok(())
}

/// Deletes each large collection while another client keeps writing a small key; answers,
/// per type, the DEL's own time and the slowest SET of the other client from the DEL until
/// three seconds after it (while resplite is still reclaiming the elements), in seconds.
/// The probe writes because reads never wait for resplite's writer.
fn measure_deletions(port: u16) -> Result<Vec<(f64, f64)>> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let mut results = Vec::new();
    for kind in ["hash", "list", "set", "zset"] {
        let mut probe = Client::open(port)?;
        probe.run(&[words(&["SET", "probe", "v"])])?;
        let stop = Arc::new(AtomicBool::new(false));
        let prober = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || -> Result<f64> {
                let mut worst = 0f64;
                // Bounded in time by `stop` and in count as a safety net.
                for _ in 0..1_000_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let started = Instant::now();
                    probe.run(&[words(&["SET", "probe", "v"])])?;
                    worst = worst.max(started.elapsed().as_secs_f64());
                }
                Ok(worst)
            })
        };
        let mut connection = Client::open(port)?;
        std::thread::sleep(Duration::from_millis(100));
        let started = Instant::now();
        connection.run(&[words(&["DEL", &format!("large:{kind}")])])?;
        let delete = started.elapsed().as_secs_f64();
        std::thread::sleep(Duration::from_secs(3));
        stop.store(true, Ordering::Relaxed);
        let worst = prober.join().map_err(|_| anyhow::anyhow!("the probe thread panicked"))??;
        results.push((delete, worst));
    }
    Ok(results)
}

/// A minimal pipelining client: sends a batch, reads exactly one reply per command, and
/// fails on any error reply.
struct Client {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Client {
    fn open(port: u16) -> Result<Client> {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
        stream.set_read_timeout(Some(Duration::from_secs(120)))?;
        stream.set_nodelay(true)?;
        Ok(Client { stream, buffer: Vec::new() })
    }

    fn run(&mut self, commands: &[Vec<String>]) -> Result<()> {
        let mut request = BytesMut::new();
        for command in commands {
            encode_command(command, &mut request);
        }
        self.stream.write_all(&request)?;
        let mut replies = 0;
        let mut chunk = vec![0u8; 64 * 1024];
        while replies < commands.len() {
            while let Some((frame, length)) = parse_frame(&self.buffer)? {
                self.buffer.drain(..length);
                if let Frame::Error(message) = frame {
                    let message = String::from_utf8_lossy(&message);
                    bail!("{:?} answered {message}", commands[replies]);
                }
                replies += 1;
                if replies == commands.len() {
                    break;
                }
            }
            if replies == commands.len() {
                break;
            }
            let read = self.stream.read(&mut chunk).context("reading replies")?;
            if read == 0 {
                bail!("the server closed the connection");
            }
            self.buffer.extend_from_slice(&chunk[..read]);
        }
        Ok(())
    }
}
