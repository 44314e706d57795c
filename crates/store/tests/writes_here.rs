//! Writes run on the caller's thread (`Store::write_now_or_then`): together in one commit
//! when the write connection is free, handed to the writer thread whenever running them
//! here would mean waiting, and with the same guarantees either way.

mod common;

use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use resplite_store::{Durability, PendingWrite, Store, StoreError};

/// What each test write reports: its index and its result.
type Answers = Receiver<(usize, Result<(), StoreError>)>;

/// `count` writes that each set `k{index}` to `v`, except that the one at `failing` (if any)
/// increments its key and then fails; each reports `(index, result)` on the receiver.
fn writes(count: usize, failing: Option<usize>) -> (Vec<PendingWrite>, Answers) {
    let (sender, receiver) = mpsc::channel();
    let writes = (0..count)
        .map(|index| {
            let sender = sender.clone();
            let key = format!("k{index}");
            PendingWrite::replayable(
                move |writer| {
                    if Some(index) == failing {
                        writer.increment(0, key.as_bytes(), 1)?;
                        return Err(StoreError::NotInteger);
                    }
                    writer.set(0, key.as_bytes(), b"v", Default::default()).map(drop)
                },
                move |result| sender.send((index, result)).unwrap(),
            )
        })
        .collect();
    (writes, receiver)
}

/// A store whose writer thread holds the write connection only for the writes it is given
/// (no expiry sweep is due for an hour), so that whether a batch runs here is up to the test.
fn quiet() -> (tempfile::TempDir, Store) {
    common::open_with(|options| options.sweep_interval = Duration::from_secs(3600))
}

fn assert_written(store: &Store, count: usize, failing: Option<usize>) {
    for index in 0..count {
        let expected = (Some(index) != failing).then(|| b"v".to_vec());
        assert_eq!(store.get(0, format!("k{index}").as_bytes()).unwrap(), expected, "k{index}");
    }
}

#[test]
fn writes_run_here_together_when_the_write_connection_is_free() {
    let (_dir, store) = quiet();
    let (batch, results) = writes(20, None);
    assert!(store.write_now_or_then(batch), "the writer thread was idle");
    // Every write was answered before the call returned.
    let answered: Vec<_> = results.try_iter().collect();
    assert_eq!(answered.len(), 20);
    assert!(answered.iter().all(|(_, result)| result.is_ok()));
    assert_written(&store, 20, None);
}

#[test]
fn a_write_failing_here_after_a_change_is_undone_and_the_others_kept() {
    let (_dir, store) = quiet();
    let (batch, results) = writes(10, Some(4));
    assert!(store.write_now_or_then(batch));
    for (index, result) in results.try_iter() {
        let expected = if index == 4 { Err(StoreError::NotInteger) } else { Ok(()) };
        assert_eq!(result, expected, "write {index}");
    }
    assert_written(&store, 10, Some(4));
}

#[test]
fn while_the_writer_thread_holds_the_connection_the_writes_go_to_it() {
    let (_dir, store) = quiet();
    let (started, running) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    store.write_then(
        move |writer| {
            started.send(()).unwrap();
            released.recv().unwrap();
            writer.set(0, b"first", b"1", Default::default())
        },
        |_| {},
    );
    running.recv().unwrap();
    let (batch, results) = writes(5, None);
    assert!(!store.write_now_or_then(batch), "ran while the writer thread held the connection");
    assert!(results.try_recv().is_err(), "answered before it could have run");
    release.send(()).unwrap();
    let answered: Vec<_> = results.iter().take(5).collect();
    assert!(answered.iter().all(|(_, result)| result.is_ok()));
    assert_written(&store, 5, None);
    assert_eq!(store.get(0, b"first").unwrap(), Some(b"1".to_vec()));
}

#[test]
fn a_lock_held_by_another_connection_sends_the_writes_to_the_writer_thread_at_once() {
    let (dir, store) = quiet();
    let other = rusqlite::Connection::open(dir.path().join("test.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (batch, results) = writes(3, None);
    // Not run here, and not waited for here (the writer thread waits up to five seconds for
    // a lock; this call must not wait at all).
    let started = Instant::now();
    assert!(!store.write_now_or_then(batch));
    assert!(started.elapsed() < Duration::from_secs(2), "waited for the lock");
    assert!(results.recv_timeout(Duration::from_millis(50)).is_err(), "wrote past the lock");
    other.execute_batch("COMMIT").unwrap();
    let answered: Vec<_> = results.iter().take(3).collect();
    assert!(answered.iter().all(|(_, result)| result.is_ok()));
    assert_written(&store, 3, None);
}

#[test]
fn with_full_durability_every_write_goes_to_the_writer_thread() {
    let (_dir, store) = common::open_with(|options| {
        options.sweep_interval = Duration::from_secs(3600);
        options.durability = Durability::Full;
    });
    let (batch, results) = writes(3, None);
    assert!(!store.write_now_or_then(batch));
    assert_eq!(results.iter().take(3).filter(|(_, result)| result.is_ok()).count(), 3);
    assert_written(&store, 3, None);
}

#[test]
fn a_callback_of_a_write_run_here_cannot_wait_for_another_write() {
    let (_dir, store) = quiet();
    let (sender, receiver) = mpsc::channel();
    let inner = store.clone();
    let write = PendingWrite::replayable(
        |writer| writer.increment(0, b"n", 1),
        move |_| sender.send(inner.write(|writer| writer.increment(0, b"n", 1))).unwrap(),
    );
    assert!(store.write_now_or_then(vec![write]));
    // Waiting would wait for the connection this thread holds: refused, not a deadlock.
    assert!(matches!(receiver.recv().unwrap(), Err(StoreError::Internal(_))));
    assert_eq!(store.write(|writer| writer.increment(0, b"n", 1)).unwrap(), 2);
}

/// Claims last as long as the work that made them: within one round a second claim of the
/// same id is refused, a claim rolled back with its failed write is not, and a new round
/// starts with none.
#[test]
fn claims_follow_the_transaction() {
    let (_dir, store) = quiet();
    let (sender, receiver) = mpsc::channel();
    let claim = |name: &'static str, id: i64, fail: bool| {
        let sender = sender.clone();
        PendingWrite::replayable(
            move |writer| {
                let claimed = writer.claim_in_transaction(id)?;
                if fail {
                    return Err(StoreError::NotInteger);
                }
                Ok(claimed)
            },
            move |result| sender.send((name, result)).unwrap(),
        )
    };
    let round = vec![
        claim("first", 8, false),
        claim("again", 8, false),
        claim("failed", 7, true),
        claim("after the failure", 7, false),
    ];
    assert!(store.write_now_or_then(round));
    let answers: Vec<_> = receiver.try_iter().collect();
    assert_eq!(
        answers,
        vec![
            ("first", Ok(true)),
            ("again", Ok(false)),
            ("failed", Err(StoreError::NotInteger)),
            ("after the failure", Ok(true)),
        ]
    );
    assert!(store.write_now_or_then(vec![claim("next round", 8, false)]));
    assert_eq!(receiver.try_recv().unwrap(), ("next round", Ok(true)));
}

#[test]
fn writes_that_change_nothing_do_not_keep_a_wanted_copy_of_the_log_on_the_writer_thread() {
    let (_dir, store) = quiet();
    // One commit leaves a log of about 2,000 frames, too much of it new for the writer to copy
    // it itself; once the checkpointer has copied it, the next commit should copy what is
    // left and let the log start over, so callers' rounds go to the writer thread meanwhile.
    let value = vec![b'x'; 1_500];
    store
        .write(move |writer| {
            for index in 0..2_000 {
                writer.set(0, format!("big{index}").as_bytes(), &value, Default::default())?;
            }
            Ok(())
        })
        .unwrap();
    // Setting `k0` to the value it already has writes nothing to the log, and SQLite's WAL
    // hook runs only for commits that do: one such round may go to the writer thread, after
    // which the copy is made and they run here again.
    let deadline = Instant::now() + Duration::from_millis(1_500);
    let (mut handed_over, mut most_handed_over_in_a_row) = (0, 0);
    while Instant::now() < deadline {
        let (batch, results) = writes(1, None);
        let here = store.write_now_or_then(batch);
        results.recv().unwrap().1.unwrap();
        handed_over = if here { 0 } else { handed_over + 1 };
        most_handed_over_in_a_row = most_handed_over_in_a_row.max(handed_over);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        most_handed_over_in_a_row <= 2,
        "{most_handed_over_in_a_row} rounds in a row handed over"
    );
}
