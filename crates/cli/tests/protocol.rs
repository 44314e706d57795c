//! The protocol handshake through the real binary: `HELLO`, RESP3 replies as a RESP3 client
//! library reads them, and `AUTH`.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::ServerProcess;
use redis::Value;

/// Reads from `stream` until `expected` bytes have arrived (or five seconds pass).
fn read_exactly(stream: &mut std::net::TcpStream, expected: usize) -> Vec<u8> {
    let mut received = vec![0u8; expected];
    stream.read_exact(&mut received).unwrap();
    received
}

#[test]
fn a_resp3_client_gets_maps_sets_doubles_and_nulls() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("resp3.db"), &[]);
    let client = redis::Client::open(format!("{}?protocol=resp3", server.url())).unwrap();
    let mut connection = client.get_connection_with_timeout(Duration::from_secs(5)).unwrap();
    let _: i64 =
        redis::cmd("HSET").arg("h").arg(&["f", "v", "g", "w"]).query(&mut connection).unwrap();
    let _: i64 = redis::cmd("SADD").arg("s").arg(&["a", "b"]).query(&mut connection).unwrap();
    let _: i64 =
        redis::cmd("ZADD").arg("z").arg(&["1.5", "m", "2", "n"]).query(&mut connection).unwrap();

    let hash: Value = redis::cmd("HGETALL").arg("h").query(&mut connection).unwrap();
    let Value::Map(pairs) = hash else { panic!("HGETALL gave {hash:?}") };
    let pairs: HashMap<String, String> = pairs
        .into_iter()
        .map(|(field, value)| {
            (redis::from_redis_value(field).unwrap(), redis::from_redis_value(value).unwrap())
        })
        .collect();
    assert_eq!(pairs, HashMap::from([("f".into(), "v".into()), ("g".into(), "w".into())]));

    let members: Value = redis::cmd("SMEMBERS").arg("s").query(&mut connection).unwrap();
    let Value::Set(members) = members else { panic!("SMEMBERS gave {members:?}") };
    let members: BTreeSet<String> =
        members.into_iter().map(|member| redis::from_redis_value(member).unwrap()).collect();
    assert_eq!(members, BTreeSet::from(["a".to_owned(), "b".to_owned()]));

    let score: Value = redis::cmd("ZSCORE").arg("z").arg("m").query(&mut connection).unwrap();
    assert_eq!(score, Value::Double(1.5));
    let missing: Value = redis::cmd("GET").arg("nothing").query(&mut connection).unwrap();
    assert_eq!(missing, Value::Nil);

    // WITHSCORES pairs are nested arrays in RESP3.
    let range: Value = redis::cmd("ZRANGE")
        .arg("z")
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query(&mut connection)
        .unwrap();
    assert_eq!(
        range,
        Value::Array(vec![
            Value::Array(vec![Value::BulkString(b"m".to_vec()), Value::Double(1.5)]),
            Value::Array(vec![Value::BulkString(b"n".to_vec()), Value::Double(2.0)]),
        ])
    );
}

#[test]
fn hello_switches_protocol_mid_pipeline_and_describes_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("hello.db"), &[]);
    let mut stream = server.raw();
    // A null before HELLO 3 is RESP2's; the same null after it is RESP3's.
    stream
        .write_all(b"GET missing\r\nHELLO 3 SETNAME tester\r\nGET missing\r\nHELLO 2\r\n")
        .unwrap();
    let started = Instant::now();
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    while !received.ends_with(b"modules\r\n*0\r\n")
        || received.windows(7).filter(|w| w == b"modules").count() < 2
    {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "got {:?}",
            String::from_utf8_lossy(&received)
        );
        let read = stream.read(&mut chunk).unwrap();
        assert!(read > 0, "closed");
        received.extend_from_slice(&chunk[..read]);
    }
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("$-1\r\n%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"), "{text}");
    assert!(text.contains("$5\r\nproto\r\n:3\r\n"), "{text}");
    assert!(text.contains("modules\r\n*0\r\n_\r\n*14\r\n"), "{text}");
    assert!(text.contains("$5\r\nproto\r\n:2\r\n"), "{text}");

    stream.write_all(b"CLIENT GETNAME\r\nHELLO 4\r\n").unwrap();
    let expected = b"$6\r\ntester\r\n-NOPROTO unsupported protocol version\r\n";
    assert_eq!(read_exactly(&mut stream, expected.len()), expected);
}

#[test]
fn a_password_keeps_out_clients_until_they_authenticate() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("auth.db"), &["--requirepass", "s3cret"]);
    let mut stream = server.raw();
    stream.write_all(b"GET a\r\nPING\r\nAUTH wrong\r\nAUTH s3cret\r\nPING\r\n").unwrap();
    let expected: &[u8] =
        b"-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n\
        -WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n+PONG\r\n";
    assert_eq!(read_exactly(&mut stream, expected.len()), expected);

    // HELLO can authenticate and switch protocol at once; client libraries do just that.
    let client = redis::Client::open(format!(
        "redis://default:s3cret@127.0.0.1:{}/?protocol=resp3",
        server.port
    ))
    .unwrap();
    let mut connection = client.get_connection_with_timeout(Duration::from_secs(5)).unwrap();
    let pong: String = redis::cmd("PING").query(&mut connection).unwrap();
    assert_eq!(pong, "PONG");
    let refused = redis::Client::open(format!("redis://default:nope@127.0.0.1:{}/", server.port))
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(5));
    assert!(refused.is_err());
}

#[test]
fn repeated_wrong_passwords_are_answered_ever_more_slowly() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("guess.db"), &["--requirepass", "s3cret"]);
    let mut stream = server.raw();
    let started = Instant::now();
    let reply = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    // 20 + 40 + 80 + 160 + 320 ms of delays.
    for _ in 0..5 {
        stream.write_all(b"AUTH guess\r\n").unwrap();
        assert_eq!(read_exactly(&mut stream, reply.len()), reply);
    }
    assert!(started.elapsed() >= Duration::from_millis(600), "{:?}", started.elapsed());
}
