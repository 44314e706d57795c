//! Transactions through the real binary: what needs several clients at once, which the
//! oracle's replayed case files cannot race.

mod common;

use std::thread;

use common::ServerProcess;

/// The classic optimistic-locking loop: read, compute, and write in MULTI/EXEC guarded by
/// WATCH, retrying when EXEC answers null. If WATCH ever missed a concurrent write, an
/// increment would be lost and the final count would come up short.
#[test]
fn watch_guarded_increments_from_several_clients_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("watch.db"), &[]);
    const CLIENTS: usize = 4;
    const INCREMENTS: usize = 150;
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let mut connection = server.connection();
            thread::spawn(move || {
                let mut retries = 0u64;
                for _ in 0..INCREMENTS {
                    loop {
                        let _: () =
                            redis::cmd("WATCH").arg("counter").query(&mut connection).unwrap();
                        let current: Option<i64> =
                            redis::cmd("GET").arg("counter").query(&mut connection).unwrap();
                        let next = current.unwrap_or(0) + 1;
                        let result: Option<(String,)> = redis::pipe()
                            .atomic()
                            .cmd("SET")
                            .arg("counter")
                            .arg(next)
                            .query(&mut connection)
                            .unwrap();
                        if result.is_some() {
                            break;
                        }
                        retries += 1;
                        assert!(retries < 100_000, "no progress");
                    }
                }
                retries
            })
        })
        .collect();
    let retries: u64 = workers.into_iter().map(|worker| worker.join().unwrap()).sum();
    let mut connection = server.connection();
    let total: i64 = redis::cmd("GET").arg("counter").query(&mut connection).unwrap();
    assert_eq!(total, (CLIENTS * INCREMENTS) as i64, "after {retries} retries");
}

/// EXEC runs its commands with no other client's write in between: a transaction that
/// moves a unit between two keys never lets a concurrent reader see the sum change.
#[test]
fn no_reader_sees_a_transaction_half_done() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("atomic.db"), &[]);
    let mut setup = server.connection();
    let _: () = redis::cmd("MSET").arg(&["a", "1000", "b", "0"]).query(&mut setup).unwrap();
    let mut mover = server.connection();
    let moving = thread::spawn(move || {
        for _ in 0..300 {
            let _: (i64, i64) = redis::pipe()
                .atomic()
                .cmd("DECR")
                .arg("a")
                .cmd("INCR")
                .arg("b")
                .query(&mut mover)
                .unwrap();
        }
    });
    let mut reader = server.connection();
    for _ in 0..300 {
        let (a, b): (i64, i64) = redis::cmd("MGET").arg(&["a", "b"]).query(&mut reader).unwrap();
        assert_eq!(a + b, 1000);
    }
    moving.join().unwrap();
    let (a, b): (i64, i64) = redis::cmd("MGET").arg(&["a", "b"]).query(&mut reader).unwrap();
    assert_eq!((a, b), (700, 300));
}
