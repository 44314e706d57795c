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
