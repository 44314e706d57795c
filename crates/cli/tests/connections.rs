//! Connection-level behaviour: pipelining, protocol errors, isolation and client limits.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{ServerProcess, read_until_closed};
use redis::Commands;

#[test]
fn a_pipeline_is_answered_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("pipe.db"), &[]);
    let mut stream = server.raw();
    let mut request = Vec::new();
    for index in 0..200 {
        request.extend_from_slice(
            format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n{index}\r\n", index.to_string().len())
                .as_bytes(),
        );
        request.extend_from_slice(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    }
    request.extend_from_slice(b"QUIT\r\n");
    stream.write_all(&request).unwrap();
    let reply = read_until_closed(&mut stream, Duration::from_secs(5));
    let mut expected = Vec::new();
    for index in 0..200 {
        expected.extend_from_slice(b"+OK\r\n");
        expected
            .extend_from_slice(format!("${}\r\n{index}\r\n", index.to_string().len()).as_bytes());
    }
    expected.extend_from_slice(b"+OK\r\n");
    assert_eq!(String::from_utf8_lossy(&reply), String::from_utf8_lossy(&expected));
}

#[test]
fn a_protocol_error_is_answered_then_closes_only_that_connection() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("garbage.db"), &[]);
    let mut healthy = server.connection();
    let _: () = healthy.set("survivor", "yes").unwrap();

    let mut broken = server.raw();
    broken.write_all(b"PING\r\n*1\r\n$x\r\n").unwrap();
    let reply = read_until_closed(&mut broken, Duration::from_secs(5));
    assert_eq!(reply, b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");

    let mut garbage = server.raw();
    garbage.write_all(&[0xff, 0x00, b'*', b'\r', b'\n', b'"', b'\n']).unwrap();
    let _ = read_until_closed(&mut garbage, Duration::from_secs(2));

    assert_eq!(healthy.get::<_, String>("survivor").unwrap(), "yes");
    let _: () = healthy.set("still", "working").unwrap();
}

#[test]
fn a_client_that_disconnects_mid_command_harms_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("half.db"), &[]);
    {
        let mut half = server.raw();
        half.write_all(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$100\r\nonly-some").unwrap();
    }
    let mut connection = server.connection();
    assert_eq!(connection.exists::<_, i64>("half").unwrap(), 0);
    let _: () = connection.set("after", "ok").unwrap();
    assert_eq!(connection.get::<_, String>("after").unwrap(), "ok");
}

#[test]
fn connections_past_maxclients_are_refused_with_redis_text() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("max.db"), &["--maxclients", "2"]);
    let first = server.connection();
    let second = server.connection();
    let mut third = server.raw();
    let reply = read_until_closed(&mut third, Duration::from_secs(5));
    assert_eq!(reply, b"-ERR max number of clients reached\r\n");
    drop((first, second));
}

#[test]
fn clients_of_different_databases_do_not_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("dbs.db"), &[]);
    let mut zero = server.connection();
    let mut three = server.connection();
    let _: () = redis::cmd("SELECT").arg(3).query(&mut three).unwrap();
    let _: () = zero.set("k", "zero").unwrap();
    let _: () = three.set("k", "three").unwrap();
    assert_eq!(zero.get::<_, String>("k").unwrap(), "zero");
    assert_eq!(three.get::<_, String>("k").unwrap(), "three");
}

#[test]
fn a_mixed_pipeline_keeps_order_across_reads_writes_select_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("mixed.db"), &[]);
    let mut stream = server.raw();
    let pipeline = [
        "SET a 1",
        "INCR a",
        "GET a",
        "SELECT 2",
        "GET a",
        "SET a two",
        "INCR a",
        "GET a",
        "SELECT 0",
        "GET a",
        "NOSUCH x",
        "DEL a",
        "EXISTS a",
        "QUIT",
        "SET after-quit 1",
    ];
    let request: String = pipeline.iter().map(|line| format!("{line}\r\n")).collect();
    stream.write_all(request.as_bytes()).unwrap();
    let reply = read_until_closed(&mut stream, Duration::from_secs(5));
    let expected = "+OK\r\n:2\r\n$1\r\n2\r\n+OK\r\n$-1\r\n+OK\r\n\
                    -ERR value is not an integer or out of range\r\n$3\r\ntwo\r\n+OK\r\n$1\r\n2\r\n\
                    -ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n:1\r\n:0\r\n+OK\r\n";
    assert_eq!(String::from_utf8_lossy(&reply), expected);
    let mut connection = server.connection();
    assert_eq!(connection.exists::<_, i64>("after-quit").unwrap(), 0, "a command after QUIT ran");
}

#[test]
fn client_list_describes_each_connection_like_redis() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("clients.db"), &[]);
    let mut connection = server.connection();
    let _: () = redis::cmd("CLIENT").arg("SETNAME").arg("probe").query(&mut connection).unwrap();
    let _: () = redis::cmd("SELECT").arg(3).query(&mut connection).unwrap();
    let list: String = redis::cmd("CLIENT").arg("LIST").query(&mut connection).unwrap();
    let line = list.lines().find(|line| line.contains("name=probe")).expect("own line");
    for field in ["db=3", "cmd=client|list", "flags=N", "resp=2"] {
        assert!(line.split(' ').any(|part| part == field), "missing {field} in {line}");
    }
    let own_id: i64 = redis::cmd("CLIENT").arg("ID").query(&mut connection).unwrap();
    assert!(line.starts_with(&format!("id={own_id} ")), "{line}");
}

#[test]
fn idle_clients_are_closed_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("idle.db"), &["--timeout", "1"]);
    let mut idle = server.raw();
    idle.write_all(b"PING\r\n").unwrap();
    let mut pong = [0u8; 7];
    idle.read_exact(&mut pong).unwrap();
    let started = std::time::Instant::now();
    // The server closes the connection: the read ends instead of timing out (5 s).
    let mut rest = [0u8; 16];
    assert_eq!(idle.read(&mut rest).unwrap(), 0);
    let waited = started.elapsed();
    assert!(waited >= std::time::Duration::from_millis(900), "closed after {waited:?}");
    // A subscriber is never timed out.
    let mut subscriber = server.raw();
    subscriber.write_all(b"SUBSCRIBE news\r\n").unwrap();
    let mut confirmation = [0u8; 33];
    subscriber.read_exact(&mut confirmation).unwrap();
    subscriber.set_read_timeout(Some(std::time::Duration::from_millis(1_800))).unwrap();
    let error = subscriber.read(&mut rest).unwrap_err();
    assert!(matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut));
}

#[test]
fn client_unblock_ends_a_blocked_pop_as_a_timeout_or_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("unblock.db"), &[]);
    let mut admin = server.connection();
    let mut blocked = server.raw();
    blocked.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    blocked.write_all(b"CLIENT ID\r\n").unwrap();
    let id = read_exactly(&mut blocked, 0);
    let id: i64 = id.trim_start_matches(':').trim_end().parse().unwrap();

    let endings: [(&str, &str); 2] =
        [("TIMEOUT", "*-1\r\n"), ("ERROR", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")];
    for (reason, expected) in endings {
        blocked.write_all(b"BLPOP nothing 0\r\n").unwrap();
        // 0 until the pop has found nothing and registered; then 1, once.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let unblocked: i64 =
                redis::cmd("CLIENT").arg("UNBLOCK").arg(id).arg(reason).query(&mut admin).unwrap();
            if unblocked == 1 {
                break;
            }
            assert!(Instant::now() < deadline, "the BLPOP never blocked");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(read_exactly(&mut blocked, expected.len()), expected);
    }
    let unblocked: i64 = redis::cmd("CLIENT").arg("UNBLOCK").arg(id).query(&mut admin).unwrap();
    assert_eq!(unblocked, 0);
    // The unblocked client goes on as usual, and a later push is nobody's.
    let _: () = admin.rpush("nothing", "kept").unwrap();
    blocked.write_all(b"LRANGE nothing 0 -1\r\n").unwrap();
    let expected = "*1\r\n$4\r\nkept\r\n";
    assert_eq!(read_exactly(&mut blocked, expected.len()), expected);
}

/// Reads `length` bytes, or with `length` 0 one line (up to its `\n`).
fn read_exactly(stream: &mut std::net::TcpStream, length: usize) -> String {
    let mut bytes = vec![0u8; length];
    if length > 0 {
        stream.read_exact(&mut bytes).unwrap();
    } else {
        let mut byte = [0u8; 1];
        while bytes.last() != Some(&b'\n') {
            stream.read_exact(&mut byte).unwrap();
            bytes.push(byte[0]);
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
