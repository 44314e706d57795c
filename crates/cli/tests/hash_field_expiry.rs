//! Deadlines of hash fields (`HEXPIRE` and its kin, Redis 7.4), which the oracle's Redis 7.0
//! does not have: each reply below is what Redis 8.0.2 answered to the same command, byte for
//! byte, and the keyspace events are the ones it published.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{ServerProcess, exchange};

/// Commands and Redis 8.0.2's replies, in order, on one connection. Absolute deadlines are in
/// the year 2100; the one relative `HTTL` (2,300 ms rounded up) holds for 300 ms.
const CASES: &[(&str, &str)] = &[
    ("HSET h a 1 b 2 c 3", ":3\r\n"),
    ("HPEXPIREAT h 4102444800123 FIELDS 1 a", "*1\r\n:1\r\n"),
    ("HEXPIRETIME h FIELDS 3 a b zz", "*3\r\n:4102444801\r\n:-1\r\n:-2\r\n"),
    ("HPEXPIRETIME h FIELDS 3 a b zz", "*3\r\n:4102444800123\r\n:-1\r\n:-2\r\n"),
    (
        "HEXPIRE h 100 FIELDS 2 a",
        "-ERR The `numfields` parameter must match the number of arguments\r\n",
    ),
    (
        "HEXPIRE h 100 FIELDS 1 a extra",
        "-ERR The `numfields` parameter must match the number of arguments\r\n",
    ),
    ("HEXPIRE h 100 FIELDS 0 a", "-ERR Parameter `numFields` should be greater than 0\r\n"),
    ("HEXPIRE h 100 FIELDS x a", "-ERR Parameter `numFields` should be greater than 0\r\n"),
    ("HEXPIRE h 100 FIELDS 01 a", "-ERR Parameter `numFields` should be greater than 0\r\n"),
    (
        "HEXPIRE h 100 NX XX FIELDS 1 a",
        "-ERR Mandatory argument FIELDS is missing or not at the right position\r\n",
    ),
    (
        "HEXPIRE h 100 BAD 1 a",
        "-ERR Mandatory argument FIELDS is missing or not at the right position\r\n",
    ),
    (
        "HEXPIRE h 100 a b c",
        "-ERR Mandatory argument FIELDS is missing or not at the right position\r\n",
    ),
    ("HEXPIRE h 100 FIELDS 1", "-ERR wrong number of arguments for 'hexpire' command\r\n"),
    ("HEXPIRE h -1 FIELDS 1 a", "-ERR invalid expire time, must be >= 0\r\n"),
    ("HEXPIRE h 1.5 FIELDS 1 a", "-ERR value is not an integer or out of range\r\n"),
    ("HEXPIRE h 9999999999999999 FIELDS 1 a", "-ERR invalid expire time in 'hexpire' command\r\n"),
    (
        "HPEXPIRE h 9223372036854775807 FIELDS 1 a",
        "-ERR invalid expire time in 'hpexpire' command\r\n",
    ),
    (
        "HPEXPIREAT h 70368744177664 FIELDS 1 a",
        "-ERR invalid expire time in 'hpexpireat' command\r\n",
    ),
    ("HEXPIREAT h -1 FIELDS 1 a", "-ERR invalid expire time, must be >= 0\r\n"),
    ("HPEXPIREAT h 70368744177663 NX FIELDS 2 a b", "*2\r\n:0\r\n:1\r\n"),
    ("HPEXPIREAT h 4102444800000 GT FIELDS 2 a b", "*2\r\n:0\r\n:0\r\n"),
    ("HPEXPIREAT h 4102444800000 LT FIELDS 2 a b", "*2\r\n:1\r\n:1\r\n"),
    ("HPEXPIREAT h 4102444900000 XX FIELDS 2 a b", "*2\r\n:1\r\n:1\r\n"),
    ("HPEXPIREAT h 4102444900000 nx fields 2 b c", "*2\r\n:0\r\n:1\r\n"),
    (
        "HPEXPIRETIME h FIELDS 3 a b c",
        "*3\r\n:4102444900000\r\n:4102444900000\r\n:4102444900000\r\n",
    ),
    ("HTTL h FIELDS 2", "-ERR wrong number of arguments for 'httl' command\r\n"),
    ("HTTL h FIELDS 0 a", "-ERR Number of fields must be a positive integer\r\n"),
    (
        "HTTL h NOTFIELDS 1 a",
        "-ERR Mandatory argument FIELDS is missing or not at the right position\r\n",
    ),
    ("HPERSIST h FIELDS x a", "-ERR Number of fields must be a positive integer\r\n"),
    ("HPERSIST h FIELDS 3 a zz b", "*3\r\n:1\r\n:-2\r\n:1\r\n"),
    ("HPERSIST h FIELDS 1 a", "*1\r\n:-1\r\n"),
    ("HPEXPIRE h 2300 FIELDS 1 a", "*1\r\n:1\r\n"),
    ("HTTL h FIELDS 1 a", "*1\r\n:3\r\n"),
    ("HSET h a 9", ":0\r\n"),
    ("HTTL h FIELDS 1 a", "*1\r\n:-1\r\n"),
    ("HPEXPIREAT h 4102444800000 FIELDS 1 b", "*1\r\n:1\r\n"),
    ("HINCRBY h b 5", ":7\r\n"),
    ("HINCRBYFLOAT h b 0.5", "$3\r\n7.5\r\n"),
    ("HSETNX h b 1", ":0\r\n"),
    ("HPEXPIRETIME h FIELDS 1 b", "*1\r\n:4102444800000\r\n"),
    ("COPY h h2", ":1\r\n"),
    ("HPEXPIRETIME h2 FIELDS 2 b c", "*2\r\n:4102444800000\r\n:4102444900000\r\n"),
    ("RENAME h2 h3", "+OK\r\n"),
    ("HPEXPIRETIME h3 FIELDS 2 b c", "*2\r\n:4102444800000\r\n:4102444900000\r\n"),
    ("HPEXPIRE h 0 FIELDS 2 a zz", "*2\r\n:2\r\n:-2\r\n"),
    ("HPEXPIREAT h 1 LT FIELDS 2 b c", "*2\r\n:2\r\n:2\r\n"),
    ("EXISTS h", ":0\r\n"),
    ("HEXPIRE missing 100 FIELDS 2 a b", "*2\r\n:-2\r\n:-2\r\n"),
    ("HPERSIST missing FIELDS 1 a", "*1\r\n:-2\r\n"),
    ("HTTL missing FIELDS 1 a", "*1\r\n:-2\r\n"),
    (
        "HTTL missing FIELDS 2 a",
        "-ERR The `numfields` parameter must match the number of arguments\r\n",
    ),
    ("SET s x", "+OK\r\n"),
    (
        "HEXPIRE s abc FIELDS 1 a",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    ("HTTL s FIELDS 2 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (
        "HPERSIST s FIELDS 1 a",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
];

#[test]
fn field_deadline_commands_answer_as_redis_does() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("fields.db"), &[]);
    let commands: Vec<&str> = CASES.iter().map(|(command, _)| *command).collect();
    let replies = exchange(&server, &commands);
    let mut expected: String = CASES.iter().map(|(_, reply)| *reply).collect();
    expected.push_str("+OK\r\n");
    if replies != expected {
        // Name the first case that differs.
        let mut rest = replies.as_str();
        for (command, reply) in CASES {
            assert!(rest.starts_with(reply), "{command}: expected {reply:?}, got {rest:.200?}");
            rest = &rest[reply.len()..];
        }
        panic!("after the cases: {rest:?}");
    }
}

/// A connection subscribed to every key event of database 0.
fn subscriber(server: &ServerProcess) -> BufReader<TcpStream> {
    let mut stream = server.raw();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream.write_all(b"PSUBSCRIBE __keyevent@0__:*\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    let confirmation = next_words(&mut reader, 3);
    assert_eq!(confirmation[0], "psubscribe");
    reader
}

/// Reads one array reply of `count` bulk strings or integers, as words.
fn next_words(reader: &mut BufReader<TcpStream>, count: usize) -> Vec<String> {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line.trim_end(), format!("*{count}"));
    (0..count)
        .map(|_| {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line.starts_with('$') {
                line.clear();
                reader.read_line(&mut line).unwrap();
            }
            line.trim_end().trim_start_matches(':').to_owned()
        })
        .collect()
}

/// The next key event: its name and key.
fn next_event(reader: &mut BufReader<TcpStream>) -> (String, String) {
    let words = next_words(reader, 4);
    let name = words[2].trim_start_matches("__keyevent@0__:").to_owned();
    (name, words[3].clone())
}

#[test]
fn field_deadlines_publish_the_events_redis_publishes() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("events.db"), &[]);
    let mut connection = server.connection();
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("notify-keyspace-events")
        .arg("KEA")
        .exec(&mut connection)
        .unwrap();
    let mut events = subscriber(&server);
    let replies = exchange(
        &server,
        &[
            "HSET h a 1 b 2 c 3",
            "HEXPIRE h 100 FIELDS 2 a zz",
            "HEXPIRE h 100 NX FIELDS 1 a",
            "HEXPIRE h 100 FIELDS 1 zz",
            "HPERSIST h FIELDS 1 a",
            "HPERSIST h FIELDS 1 a",
            "HPEXPIRE h 0 FIELDS 1 a",
            "HPEXPIRE h 0 FIELDS 2 b c",
            "HSET g x 1 y 2",
            "HPEXPIRE g 50 FIELDS 1 x",
            "HPEXPIRE g 60 FIELDS 1 y",
        ],
    );
    assert!(!replies.lines().any(|line| line.starts_with('-')), "{replies}");
    let mut heard = Vec::new();
    for _ in 0..9 {
        heard.push(next_event(&mut events));
    }
    let expected = [
        ("hset", "h"),
        ("hexpire", "h"),
        ("hpersist", "h"),
        ("hdel", "h"),
        ("hdel", "h"),
        ("del", "h"),
        ("hset", "g"),
        ("hexpire", "g"),
        ("hexpire", "g"),
    ];
    let expected: Vec<(String, String)> =
        expected.iter().map(|(name, key)| (name.to_string(), key.to_string())).collect();
    assert_eq!(heard, expected);
    // The sweeper deletes the two fields, and the hash with the last one.
    let mut expired = Vec::new();
    let give_up = Instant::now() + Duration::from_secs(5);
    while !expired.contains(&("del".to_owned(), "g".to_owned())) {
        assert!(Instant::now() < give_up, "no del after {expired:?}");
        expired.push(next_event(&mut events));
    }
    assert!(expired.iter().all(|(name, key)| key == "g" && (name == "hexpired" || name == "del")));
    assert_eq!(expired.last().unwrap().0, "del");
    let exists: i64 = redis::cmd("EXISTS").arg("g").query(&mut connection).unwrap();
    assert_eq!(exists, 0);
}

#[test]
fn fields_expire_while_the_rest_of_the_hash_stays() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("expire.db"), &[]);
    let mut connection = server.connection();
    let _: i64 = redis::cmd("HSET")
        .arg("h")
        .arg(&["a", "1", "b", "2", "c", "3"][..])
        .query(&mut connection)
        .unwrap();
    let set: Vec<i64> = redis::cmd("HPEXPIRE")
        .arg("h")
        .arg(80)
        .arg("FIELDS")
        .arg(2)
        .arg(&["a", "b"][..])
        .query(&mut connection)
        .unwrap();
    assert_eq!(set, vec![1, 1]);
    std::thread::sleep(Duration::from_millis(100));
    // Hidden at once, whether or not the sweeper has deleted them yet.
    let all: Vec<String> = redis::cmd("HGETALL").arg("h").query(&mut connection).unwrap();
    assert_eq!(all, vec!["c", "3"]);
    let ttl: Vec<i64> = redis::cmd("HTTL")
        .arg("h")
        .arg("FIELDS")
        .arg(3)
        .arg(&["a", "b", "c"][..])
        .query(&mut connection)
        .unwrap();
    assert_eq!(ttl, vec![-2, -2, -1]);
    let give_up = Instant::now() + Duration::from_secs(5);
    loop {
        let length: i64 = redis::cmd("HLEN").arg("h").query(&mut connection).unwrap();
        if length == 1 {
            break;
        }
        assert!(Instant::now() < give_up, "HLEN stayed at {length}");
        std::thread::sleep(Duration::from_millis(20));
    }
    // INFO stats counts them as Redis 7.4 does.
    let info: String = redis::cmd("INFO").arg("stats").query(&mut connection).unwrap();
    assert!(info.contains("\r\nexpired_subkeys:2\r\nexpired_keys:0\r\n"), "{info}");
}
