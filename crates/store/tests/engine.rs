//! The engine's guarantees: durability across reopen, atomic operations in a group commit,
//! schema checks, and visibility of acknowledged writes to every reader.

mod common;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use resplite_store::{
    Deadline, ExpireCondition, FieldExpiry, NewDeadline, SCHEMA_VERSION, SetOptions, Store,
    StoreError, StoreOptions, ZaddFlags,
};

#[test]
fn data_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reopen.db");
    {
        let store = Store::open(&path).unwrap();
        store.set(0, b"kept", b"value").unwrap();
        store.set(3, b"other-db", b"x").unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.get(0, b"kept").unwrap(), Some(b"value".to_vec()));
    assert_eq!(store.get(3, b"other-db").unwrap(), Some(b"x".to_vec()));
    assert_eq!(store.get(0, b"other-db").unwrap(), None);
}

#[test]
fn a_failing_operation_rolls_back_only_itself() {
    let (_dir, store) = common::open();
    let result: Result<(), StoreError> = store.write(|writer| {
        writer.increment(0, b"half-done", 5)?;
        Err(StoreError::NotInteger)
    });
    assert_eq!(result, Err(StoreError::NotInteger));
    assert_eq!(store.get(0, b"half-done").unwrap(), None);
    store.set(0, b"after", b"fine").unwrap();
    assert_eq!(store.get(0, b"after").unwrap(), Some(b"fine".to_vec()));
}

#[test]
fn a_panicking_operation_is_reported_and_rolled_back() {
    let (_dir, store) = common::open();
    let result: Result<(), StoreError> = store.write(|writer| {
        writer.increment(0, b"doomed", 1)?;
        panic!("boom");
    });
    assert!(matches!(result, Err(StoreError::Internal(message)) if message.contains("boom")));
    assert_eq!(store.get(0, b"doomed").unwrap(), None);
    // The writer thread survived.
    store.set(0, b"alive", b"yes").unwrap();
    assert_eq!(store.get(0, b"alive").unwrap(), Some(b"yes".to_vec()));
}

#[test]
fn concurrent_writers_lose_no_increment_and_readers_see_acknowledged_writes() {
    let (_dir, store) = common::open();
    let store = Arc::new(store);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let store = Arc::clone(&store);
            thread::spawn(move || {
                for _ in 0..200 {
                    let value = store.write(|writer| writer.increment(0, b"counter", 1)).unwrap();
                    // Acknowledged means visible to any later read.
                    let seen = store.get(0, b"counter").unwrap().unwrap();
                    let seen: i64 = String::from_utf8(seen).unwrap().parse().unwrap();
                    assert!(seen >= value, "read {seen} after acknowledged {value}");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(store.get(0, b"counter").unwrap(), Some(b"1600".to_vec()));
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let error = Store::open(&path).err().expect("garbage must be refused");
    assert!(error.to_string().contains("garbage.db"), "{error}");
}

#[test]
fn a_sqlite_file_of_another_application_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection.execute_batch("CREATE TABLE unrelated (x INTEGER);").unwrap();
    drop(connection);
    let error = Store::open(&path).err().expect("foreign database must be refused");
    assert!(matches!(error, StoreError::NotResplite { .. }), "{error}");
}

#[test]
fn a_file_from_a_newer_schema_is_refused_with_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    drop(Store::open(&path).unwrap());
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    drop(connection);
    match Store::open(&path) {
        Err(StoreError::NewerSchema { found, supported, .. }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected NewerSchema, got {:?}", other.err()),
    }
}

#[test]
fn fixture_databases_of_every_schema_version_open() {
    // A file this build creates has the current version.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let store = Store::open(&path).unwrap();
    store.set(0, b"k", b"v").unwrap();
    drop(store);
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    assert_eq!(Store::open(&path).unwrap().get(0, b"k").unwrap(), Some(b"v".to_vec()));

    // Version 1, written by the server before rank fences (`tests/fixtures/schema_v1.db`):
    // a string, a hash, a list, a set, a sorted set of 3 and one of 1,100 members
    // (`board`, member `player:N` scoring `N * 7919 % 1100`), closed cleanly.
    let path = dir.path().join("v1.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema_v1.db"), &path)
        .unwrap();
    assert_eq!(user_version(&path), 1);
    let store = Store::open(&path).unwrap();
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    assert_eq!(store.get(0, b"greeting").unwrap(), Some(b"hello".to_vec()));
    let violations = store.read(|reader| reader.check_invariants(10)).unwrap().violations;
    assert_eq!(violations, vec![]);
    let mut order: Vec<(i64, String)> =
        (0..1100).map(|n| (n * 7919 % 1100, format!("player:{n}"))).collect();
    order.sort();
    for rank in [0usize, 1, 300, 599, 600, 850, 1099] {
        let (score, member) = order[rank].clone();
        let found = store
            .read(move |reader| reader.zset_rank(0, b"board", member.as_bytes(), false))
            .unwrap();
        assert_eq!(found, Some((rank as i64, score as f64)));
    }
    store
        .write(|writer| writer.zset_add(0, b"small", ZaddFlags::default(), &[(4.0, b"four")]))
        .unwrap();
    assert_eq!(store.read(|reader| reader.zset_len(0, b"small")).unwrap(), 4);
    // The ranks asked for fences (the file had none), built before the write above ran.
    let fences = store.read(|reader| reader.query_sql("SELECT count(*) FROM zset_fences", &[]));
    assert_eq!(fences.unwrap(), vec![vec![resplite_store::SqlValue::Integer(2)]]);
    assert_eq!(store.read(|reader| reader.check_invariants(10)).unwrap().violations, vec![]);
    let (score, member) = order[777].clone();
    let found = store.read(|reader| reader.zset_rank(0, b"board", member.as_bytes(), true));
    assert_eq!(found.unwrap(), Some((1099 - 777, score as f64)));
    // Version 3 gave hash fields deadlines: the old hash `h` (fields f1, f2) takes them.
    let at = resplite_store::now_ms() + 3_600_000;
    let condition = ExpireCondition::default();
    let done =
        store.write(move |writer| writer.hash_expire_fields(0, b"h", at, condition, &[b"f1"]));
    assert_eq!(done.unwrap().outcomes, vec![FieldExpiry::Set]);
    let deadlines = store.read(|reader| reader.hash_field_deadlines(0, b"h", &[b"f1", b"f2"]));
    assert_eq!(deadlines.unwrap(), vec![Deadline::At(at), Deadline::Persistent]);
    assert_eq!(store.read(|reader| reader.hash_get(0, b"h", b"f2")).unwrap(), Some(b"v2".to_vec()));
    assert_eq!(store.read(|reader| reader.check_invariants(10)).unwrap().violations, vec![]);
    // Version 4 split the key-count trigger so that `SET … EX`, one upsert, can give the old
    // string a deadline (with version 1's trigger the upsert fails) and the counts follow.
    let expiring = SetOptions { deadline: NewDeadline::At(at), ..Default::default() };
    let outcome = store.write(move |writer| writer.set(0, b"greeting", b"hi", expiring));
    assert!(!outcome.unwrap().created);
    assert_eq!(store.deadline(0, b"greeting").unwrap(), Deadline::At(at));
    assert_eq!(store.read(|reader| reader.check_invariants(10)).unwrap().violations, vec![]);
}

fn user_version(path: &std::path::Path) -> i64 {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap()
}

#[test]
fn two_stores_on_one_file_see_each_others_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let first = Store::open_with(StoreOptions::new(&path)).unwrap();
    let second = Store::open_with(StoreOptions::new(&path)).unwrap();
    first.set(0, b"from-first", b"1").unwrap();
    second.set(0, b"from-second", b"2").unwrap();
    assert_eq!(second.get(0, b"from-first").unwrap(), Some(b"1".to_vec()));
    assert_eq!(first.get(0, b"from-second").unwrap(), Some(b"2".to_vec()));
}

#[test]
fn stores_opened_together_on_a_new_file_all_open_it() {
    // Processes racing to open one brand-new file (an import and its status command) must
    // not both create the schema: one creates it, the others find it.
    for attempt in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("race-{attempt}.db"));
        let start = Arc::new(std::sync::Barrier::new(4));
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let (path, start) = (path.clone(), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    Store::open(&path).map(drop)
                })
            })
            .collect();
        for opener in openers {
            opener.join().unwrap().unwrap_or_else(|error| panic!("attempt {attempt}: {error}"));
        }
        let store = Store::open(&path).unwrap();
        store.set(0, b"k", b"v").unwrap();
        assert_eq!(store.get(0, b"k").unwrap(), Some(b"v".to_vec()));
    }
}

#[test]
fn write_then_calls_back_after_commit() {
    let (_dir, store) = common::open();
    let (sender, receiver) = std::sync::mpsc::channel();
    store.write_then(
        |writer| writer.increment(0, b"async", 7),
        move |result| sender.send(result).unwrap(),
    );
    assert_eq!(receiver.recv().unwrap(), Ok(7));
    assert_eq!(store.get(0, b"async").unwrap(), Some(b"7".to_vec()));
}

#[test]
fn read_then_sees_acknowledged_writes_and_survives_a_panicking_read() {
    let (_dir, store) = common::open();
    store.set(0, b"seen", b"yes").unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    let panicking = sender.clone();
    store.read_then(
        |_| -> Result<(), StoreError> { panic!("read exploded") },
        move |result| {
            panicking.send(result.map(|()| None)).unwrap();
        },
    );
    let first = receiver.recv().unwrap();
    assert!(matches!(first, Err(StoreError::Internal(message)) if message.contains("exploded")));
    // The reader threads are still there to serve the next read.
    for _ in 0..4 {
        let sender = sender.clone();
        store
            .read_then(|reader| reader.get(0, b"seen"), move |result| sender.send(result).unwrap());
        assert_eq!(receiver.recv().unwrap(), Ok(Some(b"yes".to_vec())));
    }
}

/// Regression: reader threads batch queued reads into one read transaction; a read queued
/// after that snapshot began must not be pulled into it, or it misses acknowledged writes.
/// The first read's callback runs inside the batch, so it writes (and waits for the commit)
/// and queues the second read while the first batch's transaction is still open.
#[test]
fn batched_reads_never_miss_a_write_acknowledged_before_they_were_queued() {
    let (_dir, store) = common::open_with(|options| options.reader_threads = 1);
    store.set(0, b"k", b"before").unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    let inner_store = store.clone();
    store.read_then(
        |reader| reader.get(0, b"k"),
        move |first| {
            inner_store.set(0, b"k", b"after").unwrap();
            inner_store.read_then(
                |reader| reader.get(0, b"k"),
                move |second| sender.send((first, second)).unwrap(),
            );
        },
    );
    let (first, second) = receiver.recv().unwrap();
    assert_eq!(first.unwrap(), Some(b"before".to_vec()));
    assert_eq!(second.unwrap(), Some(b"after".to_vec()), "stale read");
}

#[test]
fn a_panicking_callback_leaves_the_writer_and_readers_running() {
    let (_dir, store) = common::open_with(|options| options.reader_threads = 1);
    store.write_then(|writer| writer.increment(0, b"n", 1), |_| panic!("callback exploded"));
    store.read_then(|reader| reader.get(0, b"n"), |_| panic!("callback exploded"));
    // Both threads still serve: the write committed and later work goes through.
    assert_eq!(store.write(|writer| writer.increment(0, b"n", 1)).unwrap(), 2);
    let (sender, receiver) = std::sync::mpsc::channel();
    store.read_then(|reader| reader.get(0, b"n"), move |result| sender.send(result).unwrap());
    assert_eq!(receiver.recv().unwrap(), Ok(Some(b"2".to_vec())));
}

/// Queues `count` replayable writes at once (so that they share rounds); the one at
/// `failing` increments its key and then fails, the others set theirs. Mixed in when
/// `with_plain` is a plain write, which splits the round into stretches.
fn burst_with_a_late_failure(count: usize, failing: usize, with_plain: bool) {
    let (_dir, store) = common::open();
    let (sender, receiver) = std::sync::mpsc::channel();
    for index in 0..count {
        let sender = sender.clone();
        let key = format!("k{index}");
        if with_plain && index == count / 2 {
            let sender = sender.clone();
            store.write_then(
                |writer| writer.increment(0, b"plain", 1),
                move |result| sender.send((usize::MAX, result.map(drop))).unwrap(),
            );
        }
        store.write_replayable_then(
            move |writer| {
                if index == failing {
                    writer.increment(0, key.as_bytes(), 1)?;
                    return Err(StoreError::NotInteger);
                }
                writer.set(0, key.as_bytes(), b"v", Default::default()).map(drop)
            },
            move |result| sender.send((index, result)).unwrap(),
        );
    }
    drop(sender);
    let results: Vec<_> = receiver.iter().collect();
    assert_eq!(results.len(), count + usize::from(with_plain));
    for (index, result) in results {
        if index == usize::MAX {
            assert_eq!(result, Ok(()));
        } else if index == failing {
            assert_eq!(result, Err(StoreError::NotInteger));
        } else {
            assert_eq!(result, Ok(()), "write {index}");
        }
    }
    for index in 0..count {
        let expected = (index != failing).then(|| b"v".to_vec());
        assert_eq!(store.get(0, format!("k{index}").as_bytes()).unwrap(), expected);
    }
    let plain = with_plain.then(|| b"1".to_vec());
    assert_eq!(store.get(0, b"plain").unwrap(), plain);
}

#[test]
fn a_replayable_write_failing_after_a_change_is_undone_and_its_round_kept() {
    burst_with_a_late_failure(200, 137, false);
    burst_with_a_late_failure(200, 0, false);
}

#[test]
fn a_replayed_stretch_leaves_plain_writes_of_the_round_alone() {
    burst_with_a_late_failure(200, 150, true);
    burst_with_a_late_failure(200, 30, true);
}

#[test]
fn a_panicking_replayable_write_is_reported_and_undone() {
    let (_dir, store) = common::open();
    let (sender, receiver) = std::sync::mpsc::channel();
    store.write_replayable_then(
        |writer| -> Result<(), StoreError> {
            writer.increment(0, b"doomed", 1)?;
            panic!("boom");
        },
        move |result| sender.send(result).unwrap(),
    );
    let result = receiver.recv().unwrap();
    assert!(matches!(result, Err(StoreError::Internal(message)) if message.contains("boom")));
    assert_eq!(store.get(0, b"doomed").unwrap(), None);
    store.set(0, b"alive", b"yes").unwrap();
    assert_eq!(store.get(0, b"alive").unwrap(), Some(b"yes".to_vec()));
}

/// Reclaiming a deleted sorted set deletes random entries of its score index, a page each,
/// round after round. Unpaced, the log never started over and grew until the writer's
/// backstop checkpoint stalled client commits; reclaiming now waits for the checkpointer
/// once the log holds 10,000 frames (about 20 MiB), so the `-wal` file stays near that.
#[test]
fn reclaiming_a_big_sorted_set_keeps_the_log_short() {
    let (dir, store) = common::open();
    for batch in 0..40 {
        let members: Vec<(f64, Vec<u8>)> = (0..1_000)
            .map(|index| {
                let number = batch * 1_000 + index;
                (f64::from(number), format!("member:{number}").into_bytes())
            })
            .collect();
        store
            .write(move |writer| writer.zset_add(0, b"big", ZaddFlags::default(), &members))
            .unwrap();
    }
    // Start from an empty `-wal` file, so that its size afterwards is the longest the log
    // has been while reclaiming (the file keeps its high-water size).
    let connection = rusqlite::Connection::open(dir.path().join("test.db")).unwrap();
    let log = dir.path().join("test.db-wal");
    let log_size = || std::fs::metadata(&log).map_or(0, |metadata| metadata.len());
    let deadline = Instant::now() + Duration::from_secs(20);
    while log_size() > 0 {
        assert!(Instant::now() < deadline, "the log was never emptied");
        connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(store.write(|writer| writer.delete(0, &[b"big"])).unwrap(), 1);
    let members = || -> i64 {
        connection.query_row("SELECT count(*) FROM zset_members", [], |row| row.get(0)).unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while members() > 0 {
        assert!(Instant::now() < deadline, "the sorted set was not reclaimed");
        thread::sleep(Duration::from_millis(20));
    }
    let largest = log_size();
    assert!(largest < 32 << 20, "the log reached {largest} bytes while reclaiming");
}
