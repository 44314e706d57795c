//! The server process's lifecycle: persistence across restarts, graceful shutdown, crash
//! safety of acknowledged writes (and of the file, by `resplite check`), and clear start-up
//! errors.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{ServerProcess, check, free_port, resplite};
use redis::Commands;

#[test]
fn data_and_deadlines_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("restart.db");
    let mut server = ServerProcess::start(&db, &[]);
    let mut connection = server.connection();
    let _: () = connection.set("plain", "value").unwrap();
    let _: () = connection.set_ex("leased", "soon", 1000).unwrap();
    let _: () = redis::cmd("SELECT").arg(5).query(&mut connection).unwrap();
    let _: () = connection.set("in-db-5", "five").unwrap();
    drop(connection);
    server.signal("TERM");
    assert!(server.wait_for_exit(Duration::from_secs(10)).success());

    let server = ServerProcess::start(&db, &[]);
    let mut connection = server.connection();
    assert_eq!(connection.get::<_, String>("plain").unwrap(), "value");
    let ttl: i64 = connection.ttl("leased").unwrap();
    assert!((990..=1000).contains(&ttl), "ttl after restart: {ttl}");
    let _: () = redis::cmd("SELECT").arg(5).query(&mut connection).unwrap();
    assert_eq!(connection.get::<_, String>("in-db-5").unwrap(), "five");
}

#[test]
fn sigterm_stops_cleanly_and_leaves_one_self_contained_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("term.db");
    let mut server = ServerProcess::start(&db, &[]);
    let mut connection = server.connection();
    let _: () = connection.set("k", "v").unwrap();
    server.signal("TERM");
    let status = server.wait_for_exit(Duration::from_secs(10));
    assert!(status.success(), "exit status {status:?}");
    // The WAL was checkpointed and removed: the database file alone holds the data.
    assert!(!dir.path().join("term.db-wal").exists());
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    let server = ServerProcess::start(&copy, &[]);
    assert_eq!(server.connection().get::<_, String>("k").unwrap(), "v");
}

#[test]
fn kill_minus_nine_under_load_loses_no_acknowledged_write() {
    kill_under_load_then_check(&[]);
}

#[test]
fn kill_minus_nine_under_load_with_full_durability_loses_no_acknowledged_write() {
    kill_under_load_then_check(&["--durability", "full"]);
}

/// Writes from four clients, `kill -9` mid-load, restarts and looks for every write that was
/// acknowledged.
fn kill_under_load_then_check(arguments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let mut server = ServerProcess::start(&db, arguments);
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let url = server.url();
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                let client = redis::Client::open(url).unwrap();
                let mut connection = client.get_connection().unwrap();
                let mut acknowledged = Vec::new();
                let started = Instant::now();
                for index in 0..1_000_000u64 {
                    if stop.load(Ordering::Relaxed) || started.elapsed() > Duration::from_secs(20) {
                        break;
                    }
                    let key = format!("w{writer}:{index}");
                    match connection.set::<_, _, ()>(&key, index) {
                        Ok(()) => acknowledged.push(key.clone()),
                        Err(_) => break,
                    }
                    // Collections too, so that the file checked afterwards holds lengths
                    // and element rows written up to the crash.
                    let collections = redis::pipe()
                        .cmd("ZADD")
                        .arg(format!("z{writer}"))
                        .arg(index)
                        .arg(&key)
                        .cmd("HSET")
                        .arg(format!("h{writer}"))
                        .arg(&key)
                        .arg(index)
                        .cmd("RPUSH")
                        .arg(format!("l{writer}"))
                        .arg(&key)
                        .cmd("SADD")
                        .arg(format!("s{writer}"))
                        .arg(index % 1000)
                        .query::<()>(&mut connection);
                    if collections.is_err() {
                        break;
                    }
                }
                acknowledged
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(700));
    server.signal("KILL");
    server.wait_for_exit(Duration::from_secs(10));
    stop.store(true, Ordering::Relaxed);
    let acknowledged: Vec<String> =
        writers.into_iter().flat_map(|writer| writer.join().unwrap()).collect();
    assert!(acknowledged.len() > 100, "the load produced too few writes: {}", acknowledged.len());

    // The file the crash left keeps every storage invariant (`resplite check` recovers the
    // log the way the server does when it opens the file).
    let (consistent, report) = check(&db);
    assert!(consistent && report.starts_with("ok: "), "{report}");

    let server = ServerProcess::start(&db, &[]);
    let mut connection = server.connection();
    for chunk in acknowledged.chunks(500) {
        let found: usize = redis::cmd("EXISTS").arg(chunk).query(&mut connection).unwrap();
        assert_eq!(found, chunk.len(), "an acknowledged write was lost");
    }
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let output = resplite()
        .args(["serve", "--port", &port.to_string(), "--db"])
        .arg(dir.path().join("x.db"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("already in use"), "stderr: {stderr}");
}

#[test]
fn a_file_that_is_not_a_resplite_database_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "these are not the keys you are looking for\n".repeat(200)).unwrap();
    let output = resplite()
        .args(["serve", "--port", &free_port().to_string(), "--db"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("notes.txt") && stderr.contains("not a resplite database"),
        "stderr: {stderr}"
    );
    // Nothing was written into the user's file.
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("these are not"));
}
