//! `cargo xtask oracle --random N`: the same comparison as the case files, on commands drawn
//! at random from a seed.
//!
//! Case files test what someone thought of; a random walk over the string and collection
//! commands, their options and awkward arguments (negative and huge indexes, `inf`, `(1.5`,
//! empty strings, numbers that overflow) on a handful of shared keys reaches states and
//! combinations nobody wrote down. Both servers get the same command in turn and must send
//! back the same reply, and publish the same keyspace notifications (a [`Listener`] on each
//! collects them after every command). Two clients take turns at random, so one client's
//! writes meet the other's `WATCH`, transaction and selected database. Commands whose reply
//! Redis leaves to chance (`SPOP`, `SRANDMEMBER` …), that read the clock (`TTL`, `EXPIRE …
//! GT` against a relative deadline) or where resplite documents a difference (`OBJECT
//! ENCODING`, Redis 7.2's `ZRANK … WITHSCORE`) are not drawn. After a mismatch both servers
//! are flushed, so one difference is reported once, with the earlier commands that touched
//! the same keys. With `--resp3` the walk runs after `HELLO 3`, so maps, sets, doubles and
//! nulls come back in RESP3's own types.

use std::path::Path;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use resplite_resp::{Frame, Protocol};

use super::listener::Listener;
use super::runner::{describe_reply, escape, sort_array};
use super::wire::{Connection, Reply};
use super::{Summary, storage_check};
use crate::servers::ServerProcess;

/// The keys every command draws from: few, so that commands meet each other's data.
const KEYS: &[&[u8]] = &[b"k1", b"k2", b"k3", b"s1", b"l1", b"h1", b"z1", b"z2", b"x"];

/// Arguments that exercise parsing: integers at the limits, floats, score and lex bounds,
/// empty and binary strings.
const VALUES: &[&[u8]] = &[
    b"",
    b"0",
    b"1",
    b"-1",
    b"10",
    b"3.5",
    b"abc",
    b"a b",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"18446744073709551616",
    b"1e3",
    b"5.0e3",
    b"inf",
    b"-inf",
    b"+inf",
    b"(1",
    b"(2.5",
    b"[a",
    b"(b",
    b"-",
    b"+",
    b"nan",
    b"0x10",
    b" 1",
    b"00",
    b"1.0",
    b"-0",
    b"0.1",
    b"1e308",
    b"\x00\xff",
];

/// Indexes, counts and offsets.
const NUMBERS: &[&[u8]] = &[b"-100", b"-3", b"-2", b"-1", b"0", b"1", b"2", b"3", b"5", b"100"];

/// Commands whose array replies come in no order Redis promises; both sides are sorted.
const UNORDERED: &[&[u8]] =
    &[b"SMEMBERS", b"SINTER", b"SUNION", b"SDIFF", b"HKEYS", b"HVALS", b"HGETALL", b"KEYS"];

/// How many earlier commands on the same keys a mismatch report shows at most.
const SHOWN_HISTORY: usize = 40;

/// One random walk: how many commands, from which seed, in which protocol.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Walk<'a> {
    pub(crate) commands: usize,
    pub(crate) seed: u64,
    pub(crate) protocol: Protocol,
    /// The candidate's resplite binary, whose `check` runs on its database every
    /// [`STORAGE_CHECK_EVERY`] commands (none when the candidate is a second Redis).
    pub(crate) checked_binary: Option<&'a Path>,
}

/// Draws the parts of a command.
struct Draw {
    rng: StdRng,
}

impl Draw {
    fn key(&mut self) -> Vec<u8> {
        self.pick(KEYS)
    }

    fn value(&mut self) -> Vec<u8> {
        self.pick(VALUES)
    }

    fn number(&mut self) -> Vec<u8> {
        self.pick(NUMBERS)
    }

    /// One of 300 numbered members, so collections also grow past Redis's compact sizes.
    fn member(&mut self) -> Vec<u8> {
        format!("m{}", self.rng.random_range(0..300)).into_bytes()
    }

    /// A collection element: one of the numbered members or one of the awkward values.
    fn element(&mut self) -> Vec<u8> {
        if self.rng.random_bool(0.5) { self.member() } else { self.value() }
    }

    /// One to forty words from `draw`: enough to cross the batches resplite looks many keys
    /// or elements up in (`MGET`, `HMGET` …).
    fn several(&mut self, draw: fn(&mut Draw) -> Vec<u8>) -> Vec<Vec<u8>> {
        let count = self.rng.random_range(1..=40);
        (0..count).map(|_| draw(self)).collect()
    }

    fn pick(&mut self, from: &[&[u8]]) -> Vec<u8> {
        from.choose(&mut self.rng).map(|item| item.to_vec()).unwrap_or_default()
    }

    /// A command template; while a transaction is queueing, not one with an unordered reply
    /// (it would come back inside `EXEC`'s array, where it is not sorted), and sometimes a
    /// blocking one (which never blocks inside a transaction).
    fn template(&mut self, queueing: bool) -> Option<&'static Template> {
        if queueing && self.rng.random_bool(0.05) {
            return BLOCKING_TEMPLATES.choose(&mut self.rng);
        }
        loop {
            let template = TEMPLATES.choose(&mut self.rng)?;
            if !(queueing && UNORDERED.contains(&template.0.as_bytes())) {
                return Some(template);
            }
        }
    }

    /// One `BITFIELD` operation, sometimes after an `OVERFLOW`, with awkward types and
    /// offsets among the usual ones.
    fn bit_field_operation(&mut self) -> Vec<Vec<u8>> {
        let overflow = self.sometimes(0.3, |d| {
            vec![b"OVERFLOW".to_vec(), d.pick(&[b"WRAP", b"SAT", b"FAIL", b"fail", b"NO"])]
        });
        let operation = self.pick(&[b"GET", b"SET", b"INCRBY"]);
        let field = self.pick(&[b"u1", b"u8", b"i8", b"u5", b"i13", b"i64", b"u63", b"u64"]);
        let offset = self.pick(&[b"0", b"3", b"#1", b"13", b"100", b"-1"]);
        let value = if operation == b"GET" { Vec::new() } else { vec![self.number()] };
        [overflow, vec![operation, field, offset], value].concat()
    }

    /// One of `choices`, or nothing, with even odds.
    fn maybe(&mut self, choices: &[&[u8]]) -> Vec<Vec<u8>> {
        if self.rng.random_bool(0.5) { vec![self.pick(choices)] } else { Vec::new() }
    }

    /// `words` produced by `make`, or nothing, with odds `chance`.
    fn sometimes(
        &mut self,
        chance: f64,
        make: impl FnOnce(&mut Draw) -> Vec<Vec<u8>>,
    ) -> Vec<Vec<u8>> {
        if self.rng.random_bool(chance) { make(self) } else { Vec::new() }
    }
}

/// A command template: the command name and how to draw its arguments.
type Template = (&'static str, fn(&mut Draw) -> Vec<Vec<u8>>);

/// Every command the walk draws from, with the shapes of arguments it tries.
const TEMPLATES: &[Template] = &[
    ("SET", |d| [vec![d.key(), d.value()], d.maybe(&[b"NX", b"XX", b"GET", b"KEEPTTL"])].concat()),
    ("GET", |d| vec![d.key()]),
    ("GETSET", |d| vec![d.key(), d.value()]),
    ("SETNX", |d| vec![d.key(), d.value()]),
    ("MSET", |d| vec![d.key(), d.value(), d.key(), d.value()]),
    ("MSETNX", |d| vec![d.key(), d.value(), d.key(), d.value()]),
    ("MGET", |d| vec![d.key(), d.key(), d.key()]),
    ("MGET", |d| d.several(Draw::key)),
    ("INCR", |d| vec![d.key()]),
    ("DECR", |d| vec![d.key()]),
    ("INCRBY", |d| vec![d.key(), d.value()]),
    ("DECRBY", |d| vec![d.key(), d.value()]),
    ("INCRBYFLOAT", |d| vec![d.key(), d.value()]),
    ("APPEND", |d| vec![d.key(), d.value()]),
    ("STRLEN", |d| vec![d.key()]),
    ("GETRANGE", |d| vec![d.key(), d.number(), d.number()]),
    ("SUBSTR", |d| vec![d.key(), d.number(), d.number()]),
    ("SETRANGE", |d| vec![d.key(), d.pick(&[b"0", b"2", b"-1"]), d.value()]),
    ("GETDEL", |d| vec![d.key()]),
    ("GETEX", |d| [vec![d.key()], d.maybe(&[b"PERSIST"])].concat()),
    ("SETEX", |d| vec![d.key(), d.pick(&[b"100", b"0", b"-1", b"x"]), d.value()]),
    ("SETBIT", |d| {
        vec![d.key(), d.pick(&[b"0", b"7", b"100", b"-1"]), d.pick(&[b"0", b"1", b"2"])]
    }),
    ("GETBIT", |d| vec![d.key(), d.number()]),
    ("BITCOUNT", |d| {
        let range = d.sometimes(0.6, |d| vec![d.number(), d.number()]);
        let unit = if range.is_empty() { Vec::new() } else { d.maybe(&[b"BYTE", b"BIT"]) };
        [vec![d.key()], range, unit].concat()
    }),
    ("BITPOS", |d| {
        let range = d.sometimes(0.6, |d| vec![d.number(), d.number()]);
        [vec![d.key(), d.pick(&[b"0", b"1"])], range].concat()
    }),
    ("BITOP", |d| {
        let operation = d.pick(&[b"AND", b"OR", b"XOR", b"NOT"]);
        [vec![operation, d.key(), d.key()], d.sometimes(0.5, |d| vec![d.key()])].concat()
    }),
    ("BITFIELD", |d| {
        let count = d.rng.random_range(0..4);
        let operations = (0..count).flat_map(|_| d.bit_field_operation()).collect::<Vec<_>>();
        [vec![d.key()], operations].concat()
    }),
    ("BITFIELD_RO", |d| {
        let operation = d.sometimes(0.9, |d| d.bit_field_operation());
        [vec![d.key()], operation].concat()
    }),
    ("LCS", |d| [vec![d.key(), d.key()], d.maybe(&[b"LEN", b"IDX"])].concat()),
    ("LPUSH", |d| vec![d.key(), d.value(), d.value()]),
    ("RPUSH", |d| vec![d.key(), d.value()]),
    ("LPUSHX", |d| vec![d.key(), d.value()]),
    ("RPUSHX", |d| vec![d.key(), d.value(), d.value()]),
    ("LPOP", |d| [vec![d.key()], d.sometimes(0.5, |d| vec![d.number()])].concat()),
    ("RPOP", |d| [vec![d.key()], d.sometimes(0.5, |d| vec![d.number()])].concat()),
    ("LLEN", |d| vec![d.key()]),
    ("LRANGE", |d| vec![d.key(), d.number(), d.number()]),
    ("LINDEX", |d| vec![d.key(), d.number()]),
    ("LSET", |d| vec![d.key(), d.number(), d.value()]),
    ("LINSERT", |d| vec![d.key(), d.pick(&[b"BEFORE", b"AFTER", b"X"]), d.value(), d.value()]),
    ("LREM", |d| vec![d.key(), d.number(), d.value()]),
    ("LTRIM", |d| vec![d.key(), d.number(), d.number()]),
    ("LPOS", |d| {
        let options =
            d.sometimes(0.5, |d| vec![d.pick(&[b"RANK", b"COUNT", b"MAXLEN"]), d.number()]);
        [vec![d.key(), d.value()], options].concat()
    }),
    ("LMOVE", |d| {
        let ends: &[&[u8]] = &[b"LEFT", b"RIGHT"];
        vec![d.key(), d.key(), d.pick(ends), d.pick(ends)]
    }),
    ("RPOPLPUSH", |d| vec![d.key(), d.key()]),
    ("LMPOP", |d| {
        let count = d.sometimes(0.5, |d| vec![b"COUNT".to_vec(), d.number()]);
        [vec![b"2".to_vec(), d.key(), d.key(), d.pick(&[b"LEFT", b"RIGHT"])], count].concat()
    }),
    ("HSET", |d| vec![d.key(), d.value(), d.value()]),
    ("HMSET", |d| vec![d.key(), d.value(), d.value()]),
    ("HSETNX", |d| vec![d.key(), d.value(), d.value()]),
    ("HGET", |d| vec![d.key(), d.value()]),
    ("HMGET", |d| vec![d.key(), d.value(), d.value()]),
    ("HMGET", |d| [vec![d.key()], d.several(Draw::element)].concat()),
    ("HDEL", |d| vec![d.key(), d.value()]),
    ("HLEN", |d| vec![d.key()]),
    ("HEXISTS", |d| vec![d.key(), d.value()]),
    ("HSTRLEN", |d| vec![d.key(), d.value()]),
    ("HINCRBY", |d| vec![d.key(), d.value(), d.value()]),
    ("HINCRBYFLOAT", |d| vec![d.key(), d.value(), d.value()]),
    ("HGETALL", |d| vec![d.key()]),
    ("HKEYS", |d| vec![d.key()]),
    ("HVALS", |d| vec![d.key()]),
    ("SADD", |d| vec![d.key(), d.value(), d.value()]),
    ("SREM", |d| vec![d.key(), d.value()]),
    ("SISMEMBER", |d| vec![d.key(), d.value()]),
    ("SMISMEMBER", |d| vec![d.key(), d.value(), d.value()]),
    ("SMISMEMBER", |d| [vec![d.key()], d.several(Draw::element)].concat()),
    ("SCARD", |d| vec![d.key()]),
    ("SMEMBERS", |d| vec![d.key()]),
    ("SMOVE", |d| vec![d.key(), d.key(), d.value()]),
    ("SINTER", |d| vec![d.key(), d.key()]),
    ("SUNION", |d| vec![d.key(), d.key()]),
    ("SDIFF", |d| vec![d.key(), d.key()]),
    ("SINTERSTORE", |d| vec![d.key(), d.key(), d.key()]),
    ("SUNIONSTORE", |d| vec![d.key(), d.key(), d.key()]),
    ("SDIFFSTORE", |d| vec![d.key(), d.key(), d.key()]),
    // Always ALPHA and STORE: Redis 7.0 compares numeric weights after `strtod` with a stale
    // `errno` (spec/oracle/sort.txt), and without STORE it compares as C strings, where two
    // set members can tie and come out in the set's own order.
    ("SORT", |d| {
        [
            vec![d.key()],
            d.sometimes(0.3, |_| vec![b"BY".to_vec(), b"nosort".to_vec()]),
            d.sometimes(0.3, |d| vec![b"LIMIT".to_vec(), d.number(), d.number()]),
            d.sometimes(0.3, |_| vec![b"GET".to_vec(), b"#".to_vec()]),
            vec![b"ALPHA".to_vec()],
            d.maybe(&[b"DESC", b"ASC"]),
            vec![b"STORE".to_vec(), d.key()],
        ]
        .concat()
    }),
    ("SINTERCARD", |d| {
        let limit = d.sometimes(0.5, |d| vec![b"LIMIT".to_vec(), d.number()]);
        [vec![d.pick(&[b"0", b"1", b"2", b"3", b"x"]), d.key(), d.key()], limit].concat()
    }),
    ("ZADD", |d| {
        [
            vec![d.key()],
            d.maybe(&[b"NX", b"XX"]),
            d.maybe(&[b"GT", b"LT"]),
            d.maybe(&[b"CH"]),
            d.maybe(&[b"INCR"]),
            vec![d.value(), d.value()],
        ]
        .concat()
    }),
    ("ZINCRBY", |d| vec![d.key(), d.value(), d.value()]),
    ("ZREM", |d| vec![d.key(), d.value(), d.value()]),
    ("ZSCORE", |d| vec![d.key(), d.value()]),
    ("ZMSCORE", |d| vec![d.key(), d.value(), d.value()]),
    ("ZMSCORE", |d| [vec![d.key()], d.several(Draw::element)].concat()),
    ("ZCARD", |d| vec![d.key()]),
    ("ZRANK", |d| vec![d.key(), d.value()]),
    ("ZREVRANK", |d| vec![d.key(), d.value()]),
    ("ZCOUNT", |d| vec![d.key(), d.value(), d.value()]),
    ("ZLEXCOUNT", |d| vec![d.key(), d.value(), d.value()]),
    ("ZRANGE", |d| {
        [
            vec![d.key(), d.value(), d.value()],
            d.maybe(&[b"BYSCORE", b"BYLEX"]),
            d.maybe(&[b"REV"]),
            d.maybe(&[b"WITHSCORES"]),
            d.sometimes(0.3, |d| vec![b"LIMIT".to_vec(), d.number(), d.number()]),
        ]
        .concat()
    }),
    ("ZRANGESTORE", |d| {
        [
            vec![d.key(), d.key(), d.value(), d.value()],
            d.maybe(&[b"BYSCORE", b"BYLEX"]),
            d.maybe(&[b"REV"]),
            d.sometimes(0.3, |d| vec![b"LIMIT".to_vec(), d.number(), d.number()]),
        ]
        .concat()
    }),
    ("ZREVRANGE", |d| [vec![d.key(), d.number(), d.number()], d.maybe(&[b"WITHSCORES"])].concat()),
    ("ZRANGEBYSCORE", |d| {
        let limit = d.sometimes(0.3, |d| vec![b"LIMIT".to_vec(), d.number(), d.number()]);
        [vec![d.key(), d.value(), d.value()], d.maybe(&[b"WITHSCORES"]), limit].concat()
    }),
    ("ZREVRANGEBYSCORE", |d| {
        let limit = d.sometimes(0.3, |d| vec![b"LIMIT".to_vec(), d.number(), d.number()]);
        [vec![d.key(), d.value(), d.value()], d.maybe(&[b"WITHSCORES"]), limit].concat()
    }),
    ("ZRANGEBYLEX", |d| {
        let limit = d.sometimes(0.3, |d| vec![b"LIMIT".to_vec(), d.number(), d.number()]);
        [vec![d.key(), d.value(), d.value()], limit].concat()
    }),
    ("ZREVRANGEBYLEX", |d| vec![d.key(), d.value(), d.value()]),
    ("ZREMRANGEBYSCORE", |d| vec![d.key(), d.value(), d.value()]),
    ("ZREMRANGEBYRANK", |d| vec![d.key(), d.number(), d.number()]),
    ("ZREMRANGEBYLEX", |d| vec![d.key(), d.value(), d.value()]),
    ("ZPOPMIN", |d| [vec![d.key()], d.sometimes(0.5, |d| vec![d.number()])].concat()),
    ("ZPOPMAX", |d| [vec![d.key()], d.sometimes(0.5, |d| vec![d.number()])].concat()),
    ("ZMPOP", |d| {
        let count = d.sometimes(0.5, |d| vec![b"COUNT".to_vec(), d.number()]);
        [vec![b"2".to_vec(), d.key(), d.key(), d.pick(&[b"MIN", b"MAX"])], count].concat()
    }),
    ("ZUNION", |d| {
        let weights = d.sometimes(0.4, |d| vec![b"WEIGHTS".to_vec(), d.value(), d.value()]);
        [vec![b"2".to_vec(), d.key(), d.key()], weights, d.maybe(&[b"WITHSCORES"])].concat()
    }),
    ("ZINTER", |d| [vec![b"2".to_vec(), d.key(), d.key()], d.maybe(&[b"WITHSCORES"])].concat()),
    ("ZDIFF", |d| [vec![b"2".to_vec(), d.key(), d.key()], d.maybe(&[b"WITHSCORES"])].concat()),
    ("ZUNIONSTORE", |d| {
        let aggregate = d.sometimes(0.5, |d| {
            vec![b"AGGREGATE".to_vec(), d.pick(&[b"MIN", b"MAX", b"SUM", b"X"])]
        });
        [vec![d.key(), b"2".to_vec(), d.key(), d.key()], aggregate].concat()
    }),
    ("ZINTERSTORE", |d| {
        let weights = d.sometimes(0.4, |d| vec![b"WEIGHTS".to_vec(), d.value(), d.value()]);
        [vec![d.key(), b"2".to_vec(), d.key(), d.key()], weights].concat()
    }),
    ("ZDIFFSTORE", |d| vec![d.key(), b"2".to_vec(), d.key(), d.key()]),
    ("ZINTERCARD", |d| {
        let limit = d.sometimes(0.5, |d| vec![b"LIMIT".to_vec(), d.number()]);
        [vec![b"2".to_vec(), d.key(), d.key()], limit].concat()
    }),
    ("PFADD", |d| vec![d.key(), d.value()]),
    ("PFCOUNT", |d| vec![d.key()]),
    ("PFMERGE", |d| vec![d.key(), d.key(), d.key()]),
    ("TYPE", |d| vec![d.key()]),
    ("EXISTS", |d| vec![d.key(), d.key()]),
    ("DEL", |d| vec![d.key()]),
    ("RENAME", |d| vec![d.key(), d.key()]),
    ("RENAMENX", |d| vec![d.key(), d.key()]),
    ("COPY", |d| [vec![d.key(), d.key()], d.maybe(&[b"REPLACE"])].concat()),
    // GT and LT compare deadlines: only with absolute ones (2100-01-01 and later), since two
    // relative deadlines set a few milliseconds apart compare differently on each server.
    ("EXPIRE", |d| {
        let seconds = d.pick(&[b"100", b"-1", b"0", b"x"]);
        [vec![d.key(), seconds], d.maybe(&[b"NX", b"XX"])].concat()
    }),
    ("EXPIREAT", |d| {
        let at = d.pick(&[b"4102444800", b"4102444900", b"1", b"0", b"x"]);
        [vec![d.key(), at], d.maybe(&[b"NX", b"XX", b"GT", b"LT"])].concat()
    }),
    ("PEXPIRE", |d| vec![d.key(), d.pick(&[b"100000", b"-5", b"0"])]),
    ("PEXPIREAT", |d| {
        let at = d.pick(&[b"4102444800000", b"4102444800001", b"5", b"-1", b"1.5"]);
        [vec![d.key(), at], d.maybe(&[b"NX", b"XX", b"GT", b"LT"])].concat()
    }),
    ("PERSIST", |d| vec![d.key()]),
    // SET and GETEX with absolute deadlines: in the future or invalid, never in the past
    // (Redis 7.0 then keeps the key, expired, in its DBSIZE until its expiry cycle runs).
    ("SET", |d| {
        let deadline = if d.rng.random_bool(0.5) {
            vec![b"EXAT".to_vec(), d.pick(&[b"4102444800", b"0", b"-3", b"x"])]
        } else {
            vec![b"PXAT".to_vec(), d.pick(&[b"4102444800123", b"0", b"x"])]
        };
        [vec![d.key(), d.value()], deadline, d.maybe(&[b"NX", b"XX", b"GET"])].concat()
    }),
    ("GETEX", |d| vec![d.key(), d.pick(&[b"EXAT", b"PXAT"]), d.pick(&[b"4102444800000", b"0"])]),
    // Some commands again, on numbered members, so that collections grow large.
    ("SADD", |d| vec![d.key(), d.member(), d.member(), d.member()]),
    ("HSET", |d| vec![d.key(), d.member(), d.value(), d.member(), d.member()]),
    ("ZADD", |d| vec![d.key(), d.number(), d.member(), d.value(), d.member()]),
    ("RPUSH", |d| vec![d.key(), d.member(), d.member()]),
    ("SREM", |d| vec![d.key(), d.member(), d.member()]),
    ("ZREM", |d| vec![d.key(), d.member()]),
    ("ZRANK", |d| vec![d.key(), d.member()]),
    ("ZSCORE", |d| vec![d.key(), d.member()]),
    ("HDEL", |d| vec![d.key(), d.member(), d.member()]),
    ("LREM", |d| vec![d.key(), d.number(), d.member()]),
    ("MULTI", |_| Vec::new()),
    ("WATCH", |d| vec![d.key()]),
    ("UNWATCH", |_| Vec::new()),
    ("EXEC", |_| Vec::new()),
    ("DISCARD", |_| Vec::new()),
    ("UNLINK", |d| vec![d.key(), d.key()]),
    ("TOUCH", |d| vec![d.key(), d.key()]),
    ("KEYS", |d| vec![d.pick(&[b"*", b"k*", b"?1", b"[kz]1", b"[^k]*", b"\\k1"])]),
    ("DBSIZE", |_| Vec::new()),
    ("FLUSHDB", |d| d.maybe(&[b"ASYNC", b"SYNC"])),
    ("FLUSHALL", |d| d.maybe(&[b"ASYNC", b"SYNC"])),
    ("PSETEX", |d| vec![d.key(), d.pick(&[b"100000", b"0", b"-1", b"x"]), d.value()]),
    ("PING", |d| d.sometimes(0.5, |d| vec![d.value()])),
    ("ECHO", |d| vec![d.value()]),
    // Back to a fresh connection's state: database 0, no transaction or watch, RESP2.
    ("RESET", |_| Vec::new()),
    ("SELECT", |d| vec![d.pick(&[b"0", b"1", b"16", b"x"])]),
    ("MOVE", |d| vec![d.key(), d.pick(&[b"0", b"1", b"16", b"x"])]),
    ("SWAPDB", |d| vec![d.pick(&[b"0", b"1"]), d.pick(&[b"0", b"1", b"16"])]),
    ("COPY", |d| {
        let database = vec![b"DB".to_vec(), d.pick(&[b"0", b"1", b"16"])];
        [vec![d.key(), d.key()], database, d.maybe(&[b"REPLACE"])].concat()
    }),
];

/// How many clients the walk runs on each server; each command goes to one of them, so
/// one client's writes meet another's `WATCH`, transaction and selected database.
const CLIENTS: usize = 2;

/// How many commands of the walk run between two storage checks of the candidate's file.
const STORAGE_CHECK_EVERY: usize = 10_000;

/// One client of the walk: its connection to each server and whether it is in `MULTI`.
struct Client {
    reference: Connection,
    candidate: Connection,
    queueing: bool,
}

/// The blocking commands, drawn only inside `MULTI`, where they answer at once like their
/// plain forms (outside, an empty key would make the walk wait for its timeout).
const BLOCKING_TEMPLATES: &[Template] = &[
    ("BLPOP", |d| vec![d.key(), d.key(), d.pick(&[b"0", b"0.5", b"-1", b"x"])]),
    ("BRPOP", |d| vec![d.key(), d.key(), d.pick(&[b"0", b"1"])]),
    ("BRPOPLPUSH", |d| vec![d.key(), d.key(), d.pick(&[b"0", b"1"])]),
    ("BLMOVE", |d| {
        let ends: &[&[u8]] = &[b"LEFT", b"RIGHT"];
        vec![d.key(), d.key(), d.pick(ends), d.pick(ends), d.pick(&[b"0", b"2"])]
    }),
    ("BLMPOP", |d| {
        let count = d.sometimes(0.5, |d| vec![b"COUNT".to_vec(), d.number()]);
        let ends: &[&[u8]] = &[b"LEFT", b"RIGHT"];
        [vec![b"0".to_vec(), b"2".to_vec(), d.key(), d.key(), d.pick(ends)], count].concat()
    }),
    ("BZPOPMIN", |d| vec![d.key(), d.key(), d.pick(&[b"0", b"1"])]),
    ("BZPOPMAX", |d| vec![d.key(), d.key(), d.pick(&[b"0", b"1"])]),
    ("BZMPOP", |d| {
        let count = d.sometimes(0.5, |d| vec![b"COUNT".to_vec(), d.number()]);
        [vec![b"0".to_vec(), b"2".to_vec(), d.key(), d.key(), d.pick(&[b"MIN", b"MAX"])], count]
            .concat()
    }),
];

/// Runs `commands` random commands from `seed` on both servers and counts each command as
/// a passed or failed case.
pub(crate) fn run(
    reference: &ServerProcess,
    candidate: &ServerProcess,
    walk: Walk,
    summary: &mut Summary,
) {
    let checked_binary = walk.checked_binary;
    let Walk { commands, seed, protocol, .. } = walk;
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        match (Connection::open(reference.port()), Connection::open(candidate.port())) {
            (Ok(reference), Ok(candidate)) => {
                clients.push(Client { reference, candidate, queueing: false });
            }
            (left, right) => {
                println!("random: could not connect: {:?} / {:?}", left.err(), right.err());
                summary.failed += 1;
                return;
            }
        }
    }
    let mut listeners = match listen(reference, candidate, &mut clients) {
        Ok(listeners) => listeners,
        Err(error) => {
            println!("random: could not listen for notifications: {error}");
            summary.failed += 1;
            return;
        }
    };
    flush(&mut clients, &mut listeners);
    if protocol == Protocol::Resp3 {
        // The replies name each server and its version, so they are not compared.
        for client in &mut clients {
            for connection in [&mut client.reference, &mut client.candidate] {
                let _ = connection.command(&[b"HELLO".to_vec(), b"3".to_vec()]);
            }
        }
    }
    let mut draw = Draw { rng: StdRng::seed_from_u64(seed) };
    let mut history: Vec<(usize, Vec<Vec<u8>>)> = Vec::new();
    let mut failed = 0;
    let mut heard_count = 0;
    for index in 0..commands {
        if index > 0
            && index % STORAGE_CHECK_EVERY == 0
            && let Some(binary) = checked_binary
        {
            storage_check::run(binary, candidate, summary);
        }
        let number = draw.rng.random_range(0..CLIENTS);
        let client = &mut clients[number];
        let Some((name, arguments)) = draw.template(client.queueing) else { break };
        let command = [vec![name.as_bytes().to_vec()], arguments(&mut draw)].concat();
        let (expected, got) =
            (client.reference.command(&command), client.candidate.command(&command));
        match *name {
            "MULTI" => client.queueing = true,
            "EXEC" | "DISCARD" | "RESET" => client.queueing = false,
            _ => {}
        }
        let (expected, got) = if UNORDERED.contains(&name.as_bytes()) {
            (sort_array(expected), sort_array(got))
        } else {
            (expected, got)
        };
        let heard = (listeners.0.published(), listeners.1.published());
        heard_count += heard.0.as_ref().map_or(0, Vec::len);
        let replies = if expected != got {
            let shown = |reply: &Reply| described(reply, protocol);
            Some([(reference, shown(&expected)), (candidate, shown(&got))])
        } else if heard.0 != heard.1 {
            let shown = |heard: &Result<Vec<Frame>, Reply>| match heard {
                Ok(frames) => notifications(frames),
                Err(failure) => describe_reply(failure),
            };
            Some([(reference, shown(&heard.0)), (candidate, shown(&heard.1))])
        } else {
            None
        };
        if let Some(replies) = replies {
            failed += 1;
            report(index, seed, (number, &command), &history, &replies);
            let usable = |reply: &Reply| matches!(reply, Reply::Frame(_));
            if !(usable(&expected) && usable(&got) && heard.0.is_ok() && heard.1.is_ok()) {
                println!("random: a connection broke; stopping");
                break;
            }
            flush(&mut clients, &mut listeners);
            history.clear();
            continue;
        }
        history.push((number, command));
    }
    summary.passed += commands - failed;
    summary.failed += failed;
    let resp = if protocol == Protocol::Resp3 { ", RESP3" } else { "" };
    println!(
        "random (seed {seed}{resp}): {} passed, {failed} failed ({heard_count} notifications \
         compared)",
        commands - failed
    );
}

/// Turns every class of keyspace notifications on in both servers (`KEAm`: `A` leaves key
/// misses out) and subscribes a listener to each.
fn listen(
    reference: &ServerProcess,
    candidate: &ServerProcess,
    clients: &mut [Client],
) -> Result<(Listener, Listener), String> {
    let client = &mut clients[0];
    for connection in [&mut client.reference, &mut client.candidate] {
        let _ = connection.command(&words("CONFIG SET notify-keyspace-events KEAm"));
    }
    Ok((Listener::open(reference.port())?, Listener::open(candidate.port())?))
}

/// Ends every client's transaction and watches, takes each back to database 0, empties
/// both servers and forgets what the listeners heard meanwhile.
fn flush(clients: &mut [Client], listeners: &mut (Listener, Listener)) {
    for client in clients.iter_mut() {
        for connection in [&mut client.reference, &mut client.candidate] {
            for command in ["DISCARD", "UNWATCH", "SELECT 0", "FLUSHALL"] {
                let _ = connection.command(&words(command));
            }
        }
        client.queueing = false;
    }
    let _ = (listeners.0.published(), listeners.1.published());
}

fn words(command: &str) -> Vec<Vec<u8>> {
    command.split(' ').map(|word| word.as_bytes().to_vec()).collect()
}

/// Notifications as `channel message` pairs, escaped.
fn notifications(frames: &[Frame]) -> String {
    let shown: Vec<String> = frames
        .iter()
        .map(|frame| match frame {
            Frame::Array(items) if items.len() == 4 => {
                let text = |item: &Frame| match item {
                    Frame::Bulk(bytes) => escape(bytes),
                    other => format!("{other:?}"),
                };
                format!("{} {}", text(&items[2]), text(&items[3]))
            }
            other => format!("{other:?}"),
        })
        .collect();
    format!("notifications [{}]", shown.join(", "))
}

/// Prints a mismatch: the command, the earlier ones on its keys and each server's reply.
/// Commands of the second client are marked `@2`, as in the case files.
fn report(
    index: usize,
    seed: u64,
    (client, command): (usize, &[Vec<u8>]),
    history: &[(usize, Vec<Vec<u8>>)],
    replies: &[(&ServerProcess, String); 2],
) {
    // A command without keys (EXEC, DBSIZE …) depends on everything before it.
    let keys: Vec<&Vec<u8>> =
        command[1..].iter().filter(|word| KEYS.contains(&word.as_slice())).collect();
    let related: Vec<&(usize, Vec<Vec<u8>>)> = history
        .iter()
        .filter(|(_, earlier)| {
            keys.is_empty() || earlier[1..].iter().any(|word| keys.contains(&word))
        })
        .collect();
    let marked = |client: usize, command: &[Vec<u8>]| {
        let mark = if client == 0 { String::new() } else { format!("@{} ", client + 1) };
        format!("{mark}{}", shown(command))
    };
    println!("MISMATCH random (seed {seed}) command {index}: {}", marked(client, command));
    for (number, earlier) in &related[related.len().saturating_sub(SHOWN_HISTORY)..] {
        println!("    after: {}", marked(*number, earlier));
    }
    let width = replies.iter().map(|(server, _)| server.name().len()).max().unwrap_or(0) + 1;
    for (server, reply) in replies {
        let label = format!("{}:", server.name());
        println!("    {label:width$} {reply}");
    }
}

/// A reply as escaped bytes in the walk's protocol.
fn described(reply: &Reply, protocol: Protocol) -> String {
    match reply {
        Reply::Frame(frame) => format!("\"{}\"", escape(&frame.to_bytes_as(protocol))),
        other => describe_reply(other),
    }
}

/// A command as a line of words: quoted when empty or holding a space, with bytes that are
/// not printable written as `\xNN`.
fn shown(command: &[Vec<u8>]) -> String {
    let words: Vec<String> = command
        .iter()
        .map(|word| {
            let text: String = word
                .iter()
                .map(|&byte| match byte {
                    b' '..=b'~' if byte != b'"' && byte != b'\\' => char::from(byte).to_string(),
                    _ => format!("\\x{byte:02x}"),
                })
                .collect();
            if text.is_empty() || text.contains(' ') { format!("\"{text}\"") } else { text }
        })
        .collect();
    words.join(" ")
}
