//! Pub/sub through the real binary: what the oracle cannot check, a subscriber that stops
//! reading.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::ServerProcess;

/// A subscriber that never reads is disconnected once its queued output passes the pubsub
/// hard limit, instead of making the server hold every message; publishing goes on.
#[test]
fn a_subscriber_that_stops_reading_is_cut_off_at_its_output_limit() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("slow.db"), &[]);
    let mut publisher = server.connection();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("client-output-buffer-limit")
        .arg("pubsub 1mb 0 0")
        .query(&mut publisher)
        .unwrap();
    let mut subscriber = server.raw();
    subscriber.write_all(b"SUBSCRIBE firehose\r\n").unwrap();
    let mut confirmation = [0u8; 40];
    let read = subscriber.read(&mut confirmation).unwrap();
    assert!(confirmation[..read].starts_with(b"*3\r\n$9\r\nsubscribe\r\n"));

    let payload = vec![b'x'; 100 * 1024];
    let started = Instant::now();
    let mut receivers = 1;
    let mut published = 0;
    while receivers > 0 {
        assert!(published < 2_000, "still delivering after {published} messages of 100 KB");
        assert!(started.elapsed() < Duration::from_secs(30));
        receivers =
            redis::cmd("PUBLISH").arg("firehose").arg(&payload).query(&mut publisher).unwrap();
        published += 1;
    }
    // The server closed the subscriber: reading drains what was sent, then ends.
    subscriber.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut sink = vec![0u8; 1 << 20];
    let mut total = 0usize;
    loop {
        match subscriber.read(&mut sink) {
            Ok(0) => break,
            Ok(read) => total += read,
            Err(error) => {
                panic!("the subscriber was not disconnected: {error} after {total} bytes")
            }
        }
    }
    // Far less than everything published reached it.
    assert!(total < published * payload.len(), "{total} of {} bytes", published * payload.len());
    // Its subscription goes with its connection, once the server has finished closing it.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let numsub: (String, i64) =
            redis::cmd("PUBSUB").arg("NUMSUB").arg("firehose").query(&mut publisher).unwrap();
        if numsub.1 == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the subscription outlived its connection");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// MONITOR shows other clients' commands as Redis's text lines, passwords hidden and admin
/// commands (and subcommands) left out.
#[test]
fn monitor_streams_every_command_as_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("monitor.db"), &[]);
    let mut monitor = server.raw();
    monitor.write_all(b"MONITOR\r\n").unwrap();
    let mut ok = [0u8; 5];
    monitor.read_exact(&mut ok).unwrap();
    assert_eq!(&ok, b"+OK\r\n");
    let mut client = server.connection();
    let _: () = redis::cmd("SET").arg("greeting").arg("a \"b\"").query(&mut client).unwrap();
    let _: Vec<String> = redis::cmd("CONFIG").arg("GET").arg("port").query(&mut client).unwrap();
    // As in Redis: admin subcommands are left out, the others of the same command shown, and
    // FLUSHALL (a write, not an admin command) shown.
    let _: String = redis::cmd("CLIENT").arg("LIST").query(&mut client).unwrap();
    let _: i64 = redis::cmd("CLIENT").arg("ID").query(&mut client).unwrap();
    let _: () = redis::cmd("FLUSHALL").query(&mut client).unwrap();
    let _: String = redis::cmd("PING").query(&mut client).unwrap();
    let mut seen = Vec::new();
    let started = Instant::now();
    while !String::from_utf8_lossy(&seen).contains("\"PING\"\r\n") {
        assert!(started.elapsed() < Duration::from_secs(5), "{}", String::from_utf8_lossy(&seen));
        let mut chunk = [0u8; 1024];
        let read = monitor.read(&mut chunk).unwrap();
        seen.extend_from_slice(&chunk[..read]);
    }
    let text = String::from_utf8_lossy(&seen);
    let lines: Vec<&str> = text.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert!(lines.iter().all(|line| line.starts_with('+')), "{text}");
    assert!(lines.iter().any(|line| line.ends_with(r#"] "SET" "greeting" "a \"b\"""#)), "{text}");
    assert!(!text.contains("CONFIG"), "{text}");
    assert!(!text.contains(r#""CLIENT" "LIST""#), "{text}");
    assert!(text.contains(r#"] "CLIENT" "ID""#), "{text}");
    assert!(text.contains(r#"] "FLUSHALL""#), "{text}");
}
