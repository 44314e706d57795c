//! Datasets and a background writer for the migration tests.

use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{JoinHandle, sleep};
use std::time::{Duration, Instant};

use crate::common::ServerProcess;
use crate::redis_source::RedisSource;

/// Scores whose text must survive bit for bit.
const SPECIAL_SCORES: &[(&str, &str)] = &[
    ("0.30000000000000004", "tenths"),
    ("1e-300", "tiny"),
    ("inf", "top"),
    ("-inf", "bottom"),
    ("-0", "negative-zero"),
    ("123456789.123456789", "long"),
];

/// Loads `count` keys of each type into db 0 (a seventh with deadlines), binary keys into
/// db 1, a few keys into db 15, and one collection of each type larger than a read chunk.
pub(crate) fn load_every_type(source: &RedisSource, count: usize) {
    let mut connection = source.connection(0);
    for start in (0..count).step_by(500) {
        let mut pipe = redis::pipe();
        for i in start..(start + 500).min(count) {
            pipe.cmd("SET").arg(format!("s:{i}")).arg(format!("value-{i}")).ignore();
            pipe.cmd("HSET").arg(format!("h:{i}")).arg("a").arg(i).arg("b").arg("x").ignore();
            pipe.cmd("RPUSH").arg(format!("l:{i}")).arg(&["1", "2", "3", "2", "1"]).ignore();
            pipe.cmd("SADD").arg(format!("t:{i}")).arg(&["a", "b", "c"]).arg(i).ignore();
            pipe.cmd("ZADD")
                .arg(format!("z:{i}"))
                .arg(i as f64 / 3.0)
                .arg("a")
                .arg(-(i as f64))
                .arg("b")
                .ignore();
            if i % 7 == 0 {
                pipe.cmd("PEXPIRE").arg(format!("s:{i}")).arg(3_600_000).ignore();
                pipe.cmd("PEXPIRE").arg(format!("h:{i}")).arg(7_200_000).ignore();
            }
        }
        pipe.exec(&mut connection).unwrap();
    }
    let mut special = redis::cmd("ZADD");
    special.arg("z:special");
    for (score, member) in SPECIAL_SCORES {
        special.arg(score).arg(member);
    }
    special.exec(&mut connection).unwrap();
    let big: Vec<String> = (0..2_500).map(|i| format!("element-{i}")).collect();
    redis::cmd("RPUSH").arg("big:list").arg(&big).exec(&mut connection).unwrap();
    redis::cmd("SADD").arg("big:set").arg(&big).exec(&mut connection).unwrap();
    let pairs: Vec<(String, String)> =
        big.iter().map(|e| (e.clone(), format!("{e}-value"))).collect();
    redis::cmd("HSET").arg("big:hash").arg(&pairs).exec(&mut connection).unwrap();
    let scored: Vec<(f64, String)> =
        big.iter().enumerate().map(|(i, e)| (i as f64 * 0.1, e.clone())).collect();
    redis::cmd("ZADD").arg("big:zset").arg(&scored).exec(&mut connection).unwrap();
    // A `-0` written once the set is a skiplist keeps its sign in Redis; the copy is read
    // and written while it is small, where a `ZADD` would store `0`.
    let mut skiplist = redis::cmd("ZADD");
    skiplist.arg("zset:negative-zero");
    for index in 0..128 {
        skiplist.arg(index).arg(format!("m{index}"));
    }
    skiplist.exec(&mut connection).unwrap();
    redis::cmd("ZADD").arg("zset:negative-zero").arg("-0").arg("nz").exec(&mut connection).unwrap();

    let mut binary = source.connection(1);
    for i in 0..50u8 {
        let key = [b'b', 0, 0xff, i, b'\r', b'\n'];
        let value = [0u8, 1, 2, 0xfe, i];
        redis::cmd("SET").arg(&key[..]).arg(&value[..]).exec(&mut binary).unwrap();
    }
    let mut last = source.connection(15);
    redis::cmd("SET").arg("in-db-15").arg("yes").exec(&mut last).unwrap();
    redis::cmd("LPUSH").arg("queue-15").arg(&["c", "b", "a"]).exec(&mut last).unwrap();
}

/// Keys in every database of the source.
pub(crate) fn total_keys(source: &RedisSource) -> u64 {
    (0..16)
        .map(|db| {
            let mut connection = source.connection(db);
            redis::cmd("DBSIZE").query::<u64>(&mut connection).unwrap()
        })
        .sum()
}

/// A tiny deterministic generator, so a failure can be replayed.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// Mutates, deletes, expires and recreates keys (in small pipelines) until `stop` is set,
/// for at most 60 s or 200,000 changes; answers how many it made.
pub(crate) fn spawn_writer(source: &RedisSource, stop: Arc<AtomicBool>) -> JoinHandle<u64> {
    let mut connection = source.connection(0);
    let mut other_db = source.connection(1);
    std::thread::spawn(move || {
        let mut random = Xorshift(0x5eed_1234_abcd_9876);
        let started = Instant::now();
        let mut changes = 0u64;
        while !stop.load(Ordering::Relaxed)
            && started.elapsed() < Duration::from_secs(60)
            && changes < 200_000
        {
            let mut pipe = redis::pipe();
            for _ in 0..10 {
                let i = random.next(3_000);
                match random.next(10) {
                    0 => pipe.cmd("SET").arg(format!("s:{i}")).arg(format!("changed-{changes}")),
                    1 => pipe.cmd("DEL").arg(format!("h:{i}")),
                    2 => pipe.cmd("HSET").arg(format!("h:{i}")).arg("c").arg(changes),
                    3 => pipe.cmd("RPUSH").arg(format!("l:{i}")).arg(changes),
                    4 => pipe.cmd("LPOP").arg(format!("l:{i}")),
                    5 => pipe.cmd("ZADD").arg(format!("z:{i}")).arg(changes as f64 / 7.0).arg("c"),
                    6 => pipe.cmd("PEXPIRE").arg(format!("t:{i}")).arg(40),
                    7 => pipe.cmd("SREM").arg(format!("t:{i}")).arg("a"),
                    8 => pipe.cmd("RENAME").arg(format!("s:{i}")).arg(format!("renamed:{i}")),
                    _ => pipe.cmd("SADD").arg(format!("t:{i}")).arg(format!("new-{changes}")),
                };
                changes += 1;
            }
            // RENAME of a missing key fails; that is part of normal traffic.
            let _: redis::RedisResult<Vec<redis::Value>> =
                pipe.ignore_errors().query(&mut connection);
            if random.next(5) == 0 {
                let key = [b'b', 0, 0xff, random.next(50) as u8, b'\r', b'\n'];
                let _: redis::RedisResult<()> =
                    redis::cmd("APPEND").arg(&key[..]).arg("+").query(&mut other_db);
                changes += 1;
            }
            sleep(Duration::from_micros(500));
        }
        changes
    })
}

/// Reads a few values through a resplite server on the migrated file and compares them
/// with the source, as a client would see them.
pub(crate) fn check_fidelity(source: &RedisSource, server: &ServerProcess) {
    let mut from_redis = source.connection(0);
    let mut from_resplite = server.connection();
    for (_, member) in SPECIAL_SCORES {
        let expected: String =
            redis::cmd("ZSCORE").arg("z:special").arg(member).query(&mut from_redis).unwrap();
        let got: String =
            redis::cmd("ZSCORE").arg("z:special").arg(member).query(&mut from_resplite).unwrap();
        assert_eq!(got, expected, "score of {member}");
    }
    let list = |connection: &mut redis::Connection| -> Vec<String> {
        redis::cmd("LRANGE").arg("big:list").arg(0).arg(-1).query(connection).unwrap()
    };
    assert_eq!(list(&mut from_resplite), list(&mut from_redis));
    let mut binary_redis = source.connection(1);
    redis::cmd("SELECT").arg(1).exec(&mut from_resplite).unwrap();
    for i in 0..50u8 {
        let key = [b'b', 0, 0xff, i, b'\r', b'\n'];
        let expected: Option<Vec<u8>> =
            redis::cmd("GET").arg(&key[..]).query(&mut binary_redis).unwrap();
        let got: Option<Vec<u8>> =
            redis::cmd("GET").arg(&key[..]).query(&mut from_resplite).unwrap();
        assert_eq!(got, expected);
    }
    redis::cmd("SELECT").arg(15).exec(&mut from_resplite).unwrap();
    let queue: Vec<String> =
        redis::cmd("LRANGE").arg("queue-15").arg(0).arg(-1).query(&mut from_resplite).unwrap();
    assert_eq!(queue, ["a", "b", "c"]);
}

/// Fills one hash with `fields` fields of `value_len` bytes.
pub(crate) fn load_big_hash(source: &RedisSource, key: &str, fields: usize, value_len: usize) {
    let mut connection = source.connection(0);
    let value = "v".repeat(value_len);
    for start in (0..fields).step_by(1000) {
        let mut command = redis::cmd("HSET");
        command.arg(key);
        for i in start..(start + 1000).min(fields) {
            command.arg(format!("field-{i}")).arg(&value);
        }
        command.exec(&mut connection).unwrap();
    }
}

/// The most memory a process used, read from `/proc` while it ran.
pub(crate) struct Peak {
    /// Peak anonymous (heap and stack) resident memory, in KB.
    pub(crate) anonymous_kb: u64,
    /// Peak resident memory (`VmHWM`), in KB, including mapped file pages.
    pub(crate) resident_kb: u64,
    pub(crate) success: bool,
}

/// Samples `/proc/<pid>/status` every 10 ms until the process exits (at most 120 s).
pub(crate) fn peak_memory_until_exit(mut child: Child) -> Peak {
    let path = format!("/proc/{}/status", child.id());
    let started = Instant::now();
    let mut peak = Peak { anonymous_kb: 0, resident_kb: 0, success: false };
    loop {
        if let Ok(status) = std::fs::read_to_string(&path) {
            for line in status.lines() {
                let value = |line: &str| -> u64 {
                    line.split_whitespace().nth(1).and_then(|kb| kb.parse().ok()).unwrap_or(0)
                };
                if line.starts_with("RssAnon:") {
                    peak.anonymous_kb = peak.anonymous_kb.max(value(line));
                } else if line.starts_with("VmHWM:") {
                    peak.resident_kb = peak.resident_kb.max(value(line));
                }
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            peak.success = status.success();
            return peak;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the import took over 120 s");
        sleep(Duration::from_millis(10));
    }
}
