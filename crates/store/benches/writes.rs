//! The store's write path as the server drives it: a burst of concurrent single-command
//! writes, committed together by the writer thread (group commit), and point reads.
//!
//! `cargo bench -p resplite-store` — per-operation times, for comparing changes to the
//! writer, the schema or the statements (whole-server figures come from `cargo xtask bench`).

use std::sync::mpsc;

use criterion::{Criterion, criterion_group, criterion_main};
use resplite_store::{NewDeadline, SetOptions, Store, StoreOptions};

/// Writes queued at once, about what 50 benchmark clients keep in flight.
const BURST: usize = 20;
/// Distinct keys the writes spread over.
const KEYS: u64 = 100_000;

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open_with(StoreOptions::new(dir.path().join("bench.db"))).expect("open");
    (dir, store)
}

/// Queues `BURST` writes, `submit(n, done)` queuing one for the pseudo-random number `n`
/// that sends whether it succeeded to `done`, and waits until all are committed.
fn burst(counter: &mut u64, mut submit: impl FnMut(u64, mpsc::Sender<bool>)) {
    let (sender, receiver) = mpsc::channel();
    for _ in 0..BURST {
        *counter = counter.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        submit(*counter >> 33, sender.clone());
    }
    for _ in 0..BURST {
        assert!(receiver.recv().expect("answer"));
    }
}

/// A write's `done` callback that reports success to `sender`.
fn report<R>(sender: mpsc::Sender<bool>) -> impl FnOnce(resplite_store::Result<R>) {
    move |result| {
        let _ = sender.send(result.is_ok());
    }
}

fn writes(c: &mut Criterion) {
    let (_dir, store) = open();
    // Every key exists from the start, so that each variant measures the same overwrites.
    fill(&store);
    let mut counter = 1u64;
    let mut group = c.benchmark_group("burst of 20 writes");
    // Replayable writes run without a savepoint each, as the server's commands do.
    group.bench_function("SET random key", |b| {
        b.iter(|| {
            burst(&mut counter, |n, done| {
                let key = format!("key:{}", n % KEYS);
                store.write_replayable_then(
                    move |writer| writer.set(0, key.as_bytes(), b"xxx", Default::default()),
                    report(done),
                )
            })
        })
    });
    group.bench_function("SET random key, savepoint each (write_then)", |b| {
        b.iter(|| {
            burst(&mut counter, |n, done| {
                let key = format!("key:{}", n % KEYS);
                store.write_then(
                    move |writer| writer.set(0, key.as_bytes(), b"xxx", Default::default()),
                    report(done),
                )
            })
        })
    });
    group.bench_function("SET random key with a deadline (EX)", |b| {
        b.iter(|| {
            burst(&mut counter, |n, done| {
                let key = format!("key:{}", n % KEYS);
                let deadline = NewDeadline::At(resplite_store::now_ms() + 1_000_000);
                let options = SetOptions { deadline, ..Default::default() };
                store.write_replayable_then(
                    move |writer| writer.set(0, key.as_bytes(), b"xxx", options),
                    report(done),
                )
            })
        })
    });
    group.bench_function("INCR one key", |b| {
        b.iter(|| {
            burst(&mut counter, |_, done| {
                store.write_replayable_then(
                    |writer| writer.increment(0, b"counter", 1),
                    report(done),
                )
            })
        })
    });
    group.bench_function("HSET random field", |b| {
        b.iter(|| {
            burst(&mut counter, |n, done| {
                let field = format!("f:{}", n % KEYS);
                store.write_replayable_then(
                    move |writer| writer.hash_set(0, b"hash", &[(field.as_bytes(), b"v")]),
                    report(done),
                )
            })
        })
    });
    group.bench_function("ZADD random member, random score", |b| {
        b.iter(|| {
            burst(&mut counter, |n, done| {
                let member = format!("element:{}", n % KEYS);
                let score = ((n >> 17) % KEYS) as f64;
                store.write_replayable_then(
                    move |writer| {
                        writer.zset_add(
                            0,
                            b"zset",
                            Default::default(),
                            &[(score, member.as_bytes())],
                        )
                    },
                    report(done),
                )
            })
        })
    });
    group.finish();
}

fn fill(store: &Store) {
    store
        .write(|writer| {
            for n in 0..KEYS {
                writer.set(0, format!("key:{n}").as_bytes(), b"xxx", Default::default())?;
            }
            Ok(())
        })
        .expect("fill");
}

fn reads(c: &mut Criterion) {
    let (_dir, store) = open();
    fill(&store);
    let mut n = 0u64;
    c.bench_function("GET hit", |b| {
        b.iter(|| {
            n = (n + 7919) % KEYS;
            let key = format!("key:{n}");
            store.read(|reader| reader.get(0, key.as_bytes())).expect("read")
        })
    });
}

criterion_group!(benches, writes, reads);
criterion_main!(benches);
