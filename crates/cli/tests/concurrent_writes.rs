//! Short writes from many clients at once, through the real binary. Those are gathered over
//! one pass of the I/O thread and committed together on it (`write_gathering`), so what
//! follows from a write (waking blocked clients, `WATCH`, keyspace events) must happen
//! there exactly as on the writer thread.

mod common;

use std::io::{Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use common::ServerProcess;

const CLIENTS: usize = 12;

/// Runs `work(client, connection)` on `CLIENTS` connections at once, each on its own thread.
fn on_every_client(server: &ServerProcess, work: fn(usize, &mut redis::Connection)) {
    let workers: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let mut connection = server.connection();
            thread::spawn(move || work(client, &mut connection))
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
}

#[test]
fn short_writes_from_many_clients_lose_nothing() {
    short_writes_lose_nothing(&[]);
}

/// With two I/O threads each gathers its own batches, and a batch's task may run on either.
#[test]
fn short_writes_from_many_clients_on_two_io_threads_lose_nothing() {
    short_writes_lose_nothing(&["--io-threads", "2"]);
}

fn short_writes_lose_nothing(extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("many.db"), extra);
    on_every_client(&server, |client, connection| {
        for round in 0..200 {
            let _: i64 = redis::cmd("INCR").arg("counter").query(connection).unwrap();
            let _: i64 = redis::cmd("HINCRBY").arg("h").arg("f").arg(2).query(connection).unwrap();
            let _: i64 = redis::cmd("RPUSH")
                .arg(format!("list:{client}"))
                .arg(round)
                .query(connection)
                .unwrap();
            let _: i64 = redis::cmd("SADD")
                .arg("members")
                .arg(client * 1000 + round)
                .query(connection)
                .unwrap();
        }
    });
    let mut connection = server.connection();
    let counter: i64 = redis::cmd("GET").arg("counter").query(&mut connection).unwrap();
    assert_eq!(counter, (CLIENTS * 200) as i64);
    let field: i64 = redis::cmd("HGET").arg("h").arg("f").query(&mut connection).unwrap();
    assert_eq!(field, (CLIENTS * 400) as i64);
    let members: i64 = redis::cmd("SCARD").arg("members").query(&mut connection).unwrap();
    assert_eq!(members, (CLIENTS * 200) as i64);
    for client in 0..CLIENTS {
        let list: Vec<i64> = redis::cmd("LRANGE")
            .arg(format!("list:{client}"))
            .arg(0)
            .arg(-1)
            .query(&mut connection)
            .unwrap();
        assert_eq!(list, (0..200).collect::<Vec<i64>>(), "list:{client} in order");
    }
}

/// Pushes from many clients at once serve the clients blocked on the list, each waiter
/// exactly one element, and no element is lost or given twice.
#[test]
fn pushes_from_many_clients_serve_every_blocked_client_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("blocked.db"), &[]);
    const WAITERS: usize = 6;
    let waiters: Vec<_> = (0..WAITERS)
        .map(|_| {
            let mut connection = server.connection();
            thread::spawn(move || {
                let popped: Option<(String, i64)> =
                    redis::cmd("BLPOP").arg("queue").arg(20).query(&mut connection).unwrap();
                popped.expect("served before the timeout").1
            })
        })
        .collect();
    let mut watcher = server.connection();
    let started = Instant::now();
    loop {
        let info: String = redis::cmd("INFO").arg("clients").query(&mut watcher).unwrap();
        if info.contains(&format!("blocked_clients:{WAITERS}")) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "waiters never blocked");
        thread::sleep(Duration::from_millis(10));
    }
    on_every_client(&server, |client, connection| {
        for item in 0..10 {
            let _: i64 = redis::cmd("LPUSH")
                .arg("queue")
                .arg(client * 100 + item)
                .query(connection)
                .unwrap();
        }
    });
    let mut popped: Vec<i64> = waiters.into_iter().map(|waiter| waiter.join().unwrap()).collect();
    let mut left: Vec<i64> =
        redis::cmd("LRANGE").arg("queue").arg(0).arg(-1).query(&mut watcher).unwrap();
    assert_eq!(left.len(), CLIENTS * 10 - WAITERS);
    left.append(&mut popped);
    left.sort_unstable();
    let pushed: Vec<i64> = (0..CLIENTS as i64)
        .flat_map(|client| (0..10).map(move |item| client * 100 + item))
        .collect();
    assert_eq!(left, pushed, "every element exactly once");
}

/// A write by another client, however it was committed, makes a watching client's `EXEC`
/// fail.
#[test]
fn concurrent_writes_abort_a_watching_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("watch.db"), &[]);
    let mut watching = server.connection();
    let _: () = redis::cmd("WATCH").arg("k").query(&mut watching).unwrap();
    on_every_client(&server, |client, connection| {
        for round in 0..20 {
            let _: () = redis::cmd("SET")
                .arg(if round == 19 && client == 0 { "k" } else { "other" })
                .arg(round)
                .query(connection)
                .unwrap();
        }
    });
    let result: Option<(String,)> =
        redis::pipe().atomic().cmd("SET").arg("k").arg("mine").query(&mut watching).unwrap();
    assert_eq!(result, None, "EXEC ran over a write to a watched key");
}

/// Keyspace events of writes from many clients at once are all published.
#[test]
fn keyspace_events_of_concurrent_writes_are_all_published() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("events.db"), &[]);
    let mut connection = server.connection();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("notify-keyspace-events")
        .arg("E$")
        .query(&mut connection)
        .unwrap();
    let mut subscriber = server.raw();
    subscriber.write_all(b"SUBSCRIBE __keyevent@0__:incrby\r\n").unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    while !contains(&received, b"subscribe") {
        let read = subscriber.read(&mut buffer).unwrap();
        assert!(read > 0, "subscriber closed");
        received.extend_from_slice(&buffer[..read]);
    }
    received.clear();
    on_every_client(&server, |client, connection| {
        for _ in 0..25 {
            let _: i64 =
                redis::cmd("INCRBY").arg(format!("n:{client}")).arg(1).query(connection).unwrap();
        }
    });
    let expected = CLIENTS * 25;
    subscriber.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    while count(&received, b"message") < expected {
        let read = subscriber.read(&mut buffer).expect("events stopped coming");
        assert!(read > 0, "subscriber closed");
        received.extend_from_slice(&buffer[..read]);
    }
    assert_eq!(count(&received, b"message"), expected);
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|window| *window == needle).count()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    count(haystack, needle) > 0
}
