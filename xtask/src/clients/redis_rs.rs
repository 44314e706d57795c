//! The redis-rs scenario of `cargo xtask clients`, run in this process.
//!
//! Drives a server through the `redis` crate's own API — its typed conversions
//! (`FromRedisValue` into maps, tuples, `Option<f64>`), `pipe()` and `pipe().atomic()`,
//! `redis::transaction` (WATCH and retry), pub/sub, SCAN iterators, and RESP3 through
//! `?protocol=resp3` — and writes one line per step, like the other scenarios. Unordered
//! replies (maps, sets, hash fields) are sorted before they are shown.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Debug;
use std::fmt::Write as _;
use std::time::Duration;

use redis::{Commands, Connection, RedisResult, Value};

/// Runs the scenario against 127.0.0.1:`port`: its output, and whether it ran to the end.
pub(crate) fn run(port: u16) -> (String, bool) {
    let mut out = Output::default();
    let finished = scenario(port, &mut out);
    if let Err(error) = &finished {
        let _ = writeln!(out.text, "(stopped: {error})");
    }
    (out.text, finished.is_ok())
}

#[derive(Default)]
struct Output {
    text: String,
}

impl Output {
    fn section(&mut self, name: &str) {
        let _ = writeln!(self.text, "== {name}");
    }

    /// One step: its name and the value it produced, or the error redis-rs returned.
    fn step<T: Debug>(&mut self, name: &str, result: RedisResult<T>) {
        let shown = match result {
            Ok(value) => format!("{value:?}"),
            Err(error) => format!("!! {error}"),
        };
        let _ = writeln!(self.text, "{name}: {shown}");
    }
}

fn connect(port: u16, resp3: bool) -> RedisResult<Connection> {
    let protocol = if resp3 { "?protocol=resp3" } else { "" };
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}/{protocol}"))?;
    let connection = client.get_connection()?;
    connection.set_read_timeout(Some(Duration::from_secs(10)))?;
    Ok(connection)
}

fn scenario(port: u16, out: &mut Output) -> RedisResult<()> {
    for resp3 in [false, true] {
        let _ = writeln!(out.text, "=== {}", if resp3 { "RESP3" } else { "RESP2" });
        let mut con = connect(port, resp3)?;
        redis::cmd("FLUSHALL").exec(&mut con)?;
        strings_and_keys(&mut con, out);
        collections(&mut con, out);
        pipelines(port, resp3, &mut con, out)?;
        pubsub(port, resp3, &mut con, out)?;
        raw_values(&mut con, out);
        redis::cmd("FLUSHALL").exec(&mut con)?;
    }
    out.section("end");
    Ok(())
}

fn strings_and_keys(con: &mut Connection, out: &mut Output) {
    out.section("strings and keys");
    out.step("set get", con.set::<_, _, ()>("s", "hello").and_then(|()| con.get::<_, String>("s")));
    out.step("get missing", con.get::<_, Option<String>>("missing"));
    out.step("get as number", con.get::<_, i64>("s"));
    out.step(
        "set nx ex get",
        redis::cmd("SET")
            .arg("s")
            .arg("x")
            .arg("NX")
            .arg("EX")
            .arg(100)
            .query::<Option<String>>(con),
    );
    out.step("incr", con.incr::<_, _, i64>("n", 5));
    out.step("incrbyfloat", redis::cmd("INCRBYFLOAT").arg("f").arg(1.5).query::<f64>(con));
    out.step("incr error", con.incr::<_, _, i64>("s", 1));
    out.step("mset mget", {
        let _: RedisResult<()> = con.mset(&[("a", "1"), ("b", "2")]);
        con.mget::<_, Vec<Option<String>>>(&["a", "missing", "b"])
    });
    out.step("binary", {
        let _: RedisResult<()> = con.set(b"\x00\xffkey", b"\x01\x00\xfe");
        con.get::<_, Vec<u8>>(b"\x00\xffkey")
    });
    out.step("append getrange", {
        let _: RedisResult<usize> = con.append("s", " world");
        con.getrange::<_, String>("s", -5, -1)
    });
    out.step("exists del", {
        let exists: RedisResult<usize> = redis::cmd("EXISTS").arg(&["a", "a", "zz"]).query(con);
        exists.and_then(|count| Ok((count, con.del::<_, usize>(&["a", "zz"])?)))
    });
    out.step("key type", redis::cmd("TYPE").arg("b").query::<String>(con));
    out.step("expire ttl", {
        let _: RedisResult<bool> = con.expire("b", 100);
        con.ttl::<_, i64>("b").map(|ttl| (99..=100).contains(&ttl))
    });
    out.step("expireat expiretime", {
        let _: RedisResult<bool> = con.expire_at("b", 4_102_444_800);
        redis::cmd("EXPIRETIME").arg("b").query::<i64>(con)
    });
    out.step("persist", con.persist::<_, bool>("b"));
    out.step("rename missing", con.rename::<_, _, ()>("nothing", "x"));
    out.step("scan_match", {
        let _: RedisResult<()> = con.mset(&[("k:1", "a"), ("k:2", "b"), ("k:3", "c")]);
        con.scan_match::<_, String>("k:*")
            .and_then(|keys| keys.collect::<RedisResult<BTreeSet<_>>>())
    });
    out.step("keys", con.keys::<_, BTreeSet<String>>("k:*"));
    out.step("dbsize", redis::cmd("DBSIZE").query::<i64>(con));
}

fn collections(con: &mut Connection, out: &mut Output) {
    out.section("collections");
    out.step("hset_multiple hgetall", {
        let _: RedisResult<()> = con.hset_multiple("h", &[("f1", "1"), ("f2", "2")]);
        con.hgetall::<_, HashMap<String, String>>("h").map(sorted_map)
    });
    out.step("hincr hget", {
        let _: RedisResult<i64> = con.hincr("h", "f1", 41);
        con.hget::<_, _, Option<i64>>("h", "f1")
    });
    out.step(
        "hgetall as tuples",
        redis::cmd("HGETALL").arg("h").query::<Vec<(String, String)>>(con).map(|mut pairs| {
            pairs.sort();
            pairs
        }),
    );
    out.step(
        "hscan",
        con.hscan::<_, (String, String)>("h")
            .and_then(|items| items.collect::<RedisResult<BTreeSet<_>>>()),
    );
    out.step(
        "hdel hlen",
        con.hdel::<_, _, usize>("h", &["f1", "nope"])
            .and_then(|deleted| Ok((deleted, con.hlen::<_, usize>("h")?))),
    );
    out.step("list", {
        let _: RedisResult<usize> = con.rpush("l", &["a", "b", "c", "d"]);
        con.lrange::<_, Vec<String>>("l", 0, -1)
    });
    out.step("lpop count", redis::cmd("LPOP").arg("l").arg(2).query::<Vec<String>>(con));
    out.step("rpop one", redis::cmd("RPOP").arg("l").query::<Option<String>>(con));
    out.step("lset out of range", con.lset::<_, _, ()>("l", 10, "x"));
    out.step("lindex", con.lindex::<_, Option<String>>("l", -1));
    out.step(
        "blpop ready",
        redis::cmd("BLPOP").arg(&["none", "l"]).arg(1).query::<Option<(String, String)>>(con),
    );
    out.step(
        "blpop times out",
        redis::cmd("BLPOP").arg("none").arg(0.1).query::<Option<(String, String)>>(con),
    );
    let sets = |con: &mut Connection| -> RedisResult<_> {
        let _: usize = con.sadd("s1", &["a", "b", "c"])?;
        let _: usize = con.sadd("s2", &["b", "c", "d"])?;
        Ok((
            con.smembers::<_, HashSet<String>>("s1").map(sorted_set)?,
            con.sinter::<_, HashSet<String>>(&["s1", "s2"]).map(sorted_set)?,
            con.sunion::<_, HashSet<String>>(&["s1", "s2"]).map(sorted_set)?,
            con.sismember::<_, _, bool>("s1", "a")?,
            con.scard::<_, usize>("s1")?,
        ))
    };
    out.step("sets", sets(con));
    out.step(
        "smismember",
        redis::cmd("SMISMEMBER").arg("s1").arg(&["a", "z"]).query::<Vec<bool>>(con),
    );
    out.step("zadd zrange_withscores", {
        let _: RedisResult<usize> =
            con.zadd_multiple("z", &[(1.5, "a"), (2.0, "b"), (f64::NEG_INFINITY, "c")]);
        con.zrange_withscores::<_, Vec<(String, f64)>>("z", 0, -1)
    });
    out.step("zscore", con.zscore::<_, _, Option<f64>>("z", "a"));
    out.step("zscore missing", con.zscore::<_, _, Option<f64>>("z", "zz"));
    out.step("zincr", con.zincr::<_, _, _, f64>("z", "a", 0.25));
    out.step("zrank", con.zrank::<_, _, Option<usize>>("z", "a"));
    out.step(
        "zrangebyscore limit",
        redis::cmd("ZRANGEBYSCORE")
            .arg("z")
            .arg("-inf")
            .arg("+inf")
            .arg("LIMIT")
            .arg(1)
            .arg(2)
            .query::<Vec<String>>(con),
    );
    out.step("zpopmin", redis::cmd("ZPOPMIN").arg("z").arg(2).query::<Vec<(String, f64)>>(con));
    out.step(
        "zunionstore weights",
        con.zunionstore_weights::<_, _, _, usize>("zu", &[("z", 2), ("s1", 1)]),
    );
    out.step("zrange zu", con.zrange_withscores::<_, Vec<(String, f64)>>("zu", 0, -1));
    out.step("hyperloglog", {
        let _: RedisResult<bool> = con.pfadd("hll", &["a", "b", "c", "a"]);
        con.pfcount::<_, usize>("hll")
    });
    out.step("wrongtype", con.lpush::<_, _, usize>("h", "x"));
}

fn pipelines(port: u16, resp3: bool, con: &mut Connection, out: &mut Output) -> RedisResult<()> {
    out.section("pipelines and transactions");
    out.step(
        "pipe",
        redis::pipe().set("p", 1).ignore().incr("p", 2).get("p").query::<(i64, String)>(con),
    );
    out.step(
        "pipe with an error",
        redis::pipe().set("p", "x").ignore().incr("p", 1).get("p").query::<(i64, String)>(con),
    );
    out.step(
        "atomic",
        redis::pipe().atomic().set("t", 1).ignore().incr("t", 5).get("t").query::<(i64, i64)>(con),
    );
    out.step(
        "atomic with a refused command",
        redis::pipe().atomic().set("t", 2).add_command(redis::cmd("GET")).query::<Value>(con),
    );
    out.step("after the refused transaction", con.get::<_, i64>("t"));
    let mut other = connect(port, resp3)?;
    let mut attempts = 0;
    let result: RedisResult<(i64,)> = redis::transaction(con, &["w"], |con, pipe| {
        let value: Option<i64> = con.get("w")?;
        attempts += 1;
        if attempts == 1 {
            other.set::<_, _, ()>("w", 100)?;
        }
        pipe.set("w", value.unwrap_or(0) + 1).ignore().get("w").query(con)
    });
    out.step("transaction retries", result.map(|value| (value, attempts)));
    Ok(())
}

fn pubsub(port: u16, resp3: bool, con: &mut Connection, out: &mut Output) -> RedisResult<()> {
    out.section("pubsub");
    let mut subscriber = connect(port, resp3)?;
    let mut pubsub = subscriber.as_pubsub();
    pubsub.set_read_timeout(Some(Duration::from_secs(5)))?;
    pubsub.subscribe("news")?;
    pubsub.psubscribe("n*")?;
    out.step("publish", con.publish::<_, _, usize>("news", "hello"));
    let mut messages = Vec::new();
    for _ in 0..2 {
        let message = pubsub.get_message()?;
        let pattern: Option<String> = message.get_pattern().ok();
        messages.push((
            message.get_channel_name().to_owned(),
            pattern,
            message.get_payload::<String>()?,
        ));
    }
    messages.sort();
    out.step("messages", Ok::<_, redis::RedisError>(messages));
    pubsub.unsubscribe("news")?;
    pubsub.punsubscribe("n*")?;
    out.step(
        "numsub after",
        redis::cmd("PUBSUB").arg("NUMSUB").arg("news").query::<Vec<(String, i64)>>(con),
    );
    Ok(())
}

/// Replies as the crate's `Value`, which shows the protocol's own types (RESP3 maps, sets,
/// doubles). What Redis leaves unordered is sorted by its text: maps and sets, and in RESP2
/// the flat arrays of `HGETALL` (by field and value pairs) and `SMEMBERS`.
fn raw_values(con: &mut Connection, out: &mut Output) {
    out.section("raw values");
    let _: RedisResult<()> = con.hset_multiple("rh", &[("a", "1"), ("b", "2")]);
    let _: RedisResult<usize> = con.sadd("rs", &["x", "y"]);
    let _: RedisResult<usize> = con.zadd("rz", "m", 1.5);
    for (name, unordered, command) in [
        ("hgetall", Some(2), redis::cmd("HGETALL").arg("rh").clone()),
        ("smembers", Some(1), redis::cmd("SMEMBERS").arg("rs").clone()),
        ("zscore", None, redis::cmd("ZSCORE").arg("rz").arg("m").clone()),
        (
            "zrange withscores",
            None,
            redis::cmd("ZRANGE").arg("rz").arg(0).arg(-1).arg("WITHSCORES").clone(),
        ),
        ("get missing", None, redis::cmd("GET").arg("nothing").clone()),
        ("config get", None, redis::cmd("CONFIG").arg("GET").arg("databases").clone()),
        ("error", None, redis::cmd("INCR").arg("rh").clone()),
    ] {
        let shown = command.query::<Value>(con).map(|value| match (value, unordered) {
            (Value::Array(items), Some(group)) => sorted_array(items, group),
            (value, _) => canonical(value),
        });
        out.step(name, shown);
    }
}

/// A `Value` as text with maps and sets in sorted order.
fn canonical(value: Value) -> String {
    match value {
        Value::Map(entries) => {
            let mut shown: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{} => {}", canonical(k), canonical(v)))
                .collect();
            shown.sort();
            format!("Map[{}]", shown.join(", "))
        }
        Value::Set(items) => {
            let mut shown: Vec<String> = items.into_iter().map(canonical).collect();
            shown.sort();
            format!("Set[{}]", shown.join(", "))
        }
        Value::Array(items) => {
            format!("Array[{}]", items.into_iter().map(canonical).collect::<Vec<_>>().join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// An array whose groups of `group` items come in no order, sorted by group.
fn sorted_array(items: Vec<Value>, group: usize) -> String {
    let shown: Vec<String> = items.into_iter().map(canonical).collect();
    let mut groups: Vec<String> = shown.chunks(group).map(|chunk| chunk.join(", ")).collect();
    groups.sort();
    format!("Array[{}]", groups.join(", "))
}

fn sorted_map(map: HashMap<String, String>) -> BTreeMap<String, String> {
    map.into_iter().collect()
}

fn sorted_set(set: HashSet<String>) -> BTreeSet<String> {
    set.into_iter().collect()
}
