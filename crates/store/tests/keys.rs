//! Key-level operations: rename, copy, enumeration, SCAN's guarantee, database operations.

mod common;

use std::collections::HashSet;

use resplite_store::{KeyType, ScanOptions, StoreError};

fn fill(store: &resplite_store::Store, db: u32, count: usize) {
    store
        .write(move |writer| {
            for index in 0..count {
                writer.set(db, format!("key:{index}").as_bytes(), b"v", Default::default())?;
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn rename_moves_value_and_deadline_and_replaces_the_target() {
    let (_dir, store) = common::open();
    store.set(0, b"from", b"1").unwrap();
    store.set(0, b"to", b"old").unwrap();
    store.expire_in(0, b"from", 100_000).unwrap();
    assert!(store.write(|writer| writer.rename(0, b"from", b"to", false)).unwrap());
    assert_eq!(store.get(0, b"to").unwrap(), Some(b"1".to_vec()));
    assert_eq!(store.get(0, b"from").unwrap(), None);
    assert!(matches!(store.deadline(0, b"to").unwrap(), resplite_store::Deadline::At(_)));
    assert_eq!(
        store.write(|writer| writer.rename(0, b"missing", b"x", false)),
        Err(StoreError::NoSuchKey)
    );
    store.set(0, b"a", b"1").unwrap();
    assert!(!store.write(|writer| writer.rename(0, b"a", b"to", true)).unwrap());
}

#[test]
fn copy_across_databases_respects_replace() {
    let (_dir, store) = common::open();
    store.set(0, b"src", b"value").unwrap();
    store.set(1, b"dst", b"existing").unwrap();
    assert!(!store.write(|writer| writer.copy(0, b"src", 1, b"dst", false)).unwrap());
    assert!(store.write(|writer| writer.copy(0, b"src", 1, b"dst", true)).unwrap());
    assert_eq!(store.get(1, b"dst").unwrap(), Some(b"value".to_vec()));
    assert_eq!(store.get(0, b"src").unwrap(), Some(b"value".to_vec()));
}

#[test]
fn keys_filters_by_glob_and_uses_the_literal_prefix() {
    let (_dir, store) = common::open();
    for key in ["user:1", "user:2", "user:10", "usex", "session:1", "user"] {
        store.set(0, key.as_bytes(), b"v").unwrap();
    }
    let keys = store.read(|reader| reader.keys(0, b"user:?")).unwrap();
    assert_eq!(keys, vec![b"user:1".to_vec(), b"user:2".to_vec()]);
    let keys = store.read(|reader| reader.keys(0, b"*:1*")).unwrap();
    assert_eq!(keys.len(), 3);
}

#[test]
fn scan_returns_every_key_present_throughout_even_while_others_change() {
    let (_dir, store) = common::open();
    fill(&store, 0, 500);
    let mut seen = HashSet::new();
    let mut cursor = 0;
    let mut round = 0;
    loop {
        let page = store
            .read(|reader| reader.scan(0, cursor, &ScanOptions { count: 37, ..Default::default() }))
            .unwrap();
        seen.extend(page.keys);
        // Churn: add new keys and delete-and-recreate others between pages.
        round += 1;
        store.set(0, format!("new:{round}").as_bytes(), b"v").unwrap();
        cursor = page.cursor;
        if cursor == 0 {
            break;
        }
    }
    for index in 0..500 {
        assert!(seen.contains(format!("key:{index}").as_bytes()), "key:{index} missing");
    }
}

#[test]
fn scan_filters_by_pattern_and_type() {
    let (_dir, store) = common::open();
    fill(&store, 0, 50);
    let options =
        ScanOptions { pattern: Some(b"key:1*"), count: 1000, key_type: Some(KeyType::String) };
    let page = store.read(|reader| reader.scan(0, 0, &options)).unwrap();
    assert_eq!(page.cursor, 0);
    assert_eq!(page.keys.len(), 11);
    let options = ScanOptions { count: 1000, key_type: Some(KeyType::Hash), ..Default::default() };
    assert!(store.read(|reader| reader.scan(0, 0, &options)).unwrap().keys.is_empty());
}

#[test]
fn swap_flush_and_sizes_work_per_database() {
    let (_dir, store) = common::open();
    fill(&store, 0, 3);
    fill(&store, 1, 5);
    store.set(0, b"only-in-0", b"v").unwrap();
    store.write(|writer| writer.swap_db(0, 1)).unwrap();
    assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), 5);
    assert_eq!(store.read(|reader| reader.db_size(1)).unwrap(), 4);
    assert_eq!(store.get(1, b"only-in-0").unwrap(), Some(b"v".to_vec()));
    let stats = store.read(|reader| reader.keyspace_stats()).unwrap();
    assert_eq!(
        stats.iter().map(|stats| (stats.db, stats.keys)).collect::<Vec<_>>(),
        [(0, 5), (1, 4)]
    );
    store.write(|writer| writer.flush_db(0)).unwrap();
    assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), 0);
    assert_eq!(store.read(|reader| reader.db_size(1)).unwrap(), 4);
    store.write(|writer| writer.flush_all()).unwrap();
    assert_eq!(store.read(|reader| reader.db_size(1)).unwrap(), 0);
}

#[test]
fn random_key_finds_the_only_key_and_none_in_an_empty_database() {
    let (_dir, store) = common::open();
    assert_eq!(store.read(|reader| reader.random_key(0)).unwrap(), None);
    fill(&store, 2, 20);
    store.set(0, b"lonely", b"v").unwrap();
    for _ in 0..20 {
        assert_eq!(store.read(|reader| reader.random_key(0)).unwrap(), Some(b"lonely".to_vec()));
    }
}

#[test]
fn binary_keys_and_values_round_trip() {
    let (_dir, store) = common::open();
    let key = [0u8, 255, 10, 13, 0];
    let value: Vec<u8> = (0..=255).collect();
    store.set(0, &key, &value).unwrap();
    assert_eq!(store.get(0, &key).unwrap(), Some(value));
    assert_eq!(store.read(|reader| reader.keys(0, b"*")).unwrap(), vec![key.to_vec()]);
}

/// One change applied through the writer.
type Step =
    Box<dyn Fn(&mut resplite_store::Writer<'_>) -> resplite_store::Result<()> + Send + Sync>;

/// The per-database counters kept by triggers must agree with a plain count of live rows
/// after every kind of change: create, overwrite, expire, persist, rename, copy, swap,
/// move, delete, flush, `SET … EX` over nothing, a live string with or without a deadline,
/// an expired one and a hash, and `INCRBY` creating its key, adding to it, and replacing it
/// once expired.
#[test]
fn key_counters_agree_with_a_full_count_after_every_kind_of_change() {
    use resplite_store::{DbStats, ExpireCondition, NewDeadline, SetOptions};

    let (_dir, store) = common::open();
    let brute_force = |store: &resplite_store::Store| -> Vec<DbStats> {
        let connection = rusqlite::Connection::open(&store.options().path).unwrap();
        let mut statement = connection
            .prepare(
                "SELECT db, count(*), count(expires_at) FROM keys \
                 WHERE expires_at IS NULL OR expires_at > ?1 GROUP BY db ORDER BY db",
            )
            .unwrap();
        statement
            .query_map([resplite_store::now_ms()], |row| {
                let count = |index| row.get::<_, i64>(index).map(|count| count as u64);
                Ok(DbStats { db: row.get(0)?, keys: count(1)?, expires: count(2)? })
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let far = resplite_store::now_ms() + 1_000_000;
    let expiring = SetOptions { deadline: NewDeadline::At(far), ..Default::default() };
    // A deadline already passed is written and leaves the row behind until it is swept or
    // met: the way to an expired row that is still there.
    let expired = SetOptions { deadline: NewDeadline::At(1), ..Default::default() };
    let steps: Vec<Step> = vec![
        Box::new(|w| {
            (0..20).try_for_each(|i| {
                w.set(0, format!("k{i}").as_bytes(), b"v", Default::default()).map(drop)
            })
        }),
        Box::new(move |w| {
            (0..5).try_for_each(|i| {
                w.expire_at(0, format!("k{i}").as_bytes(), far, ExpireCondition::default())
                    .map(drop)
            })
        }),
        Box::new(|w| w.set(0, b"k0", b"overwritten", Default::default()).map(drop)),
        Box::new(|w| w.persist(0, b"k1").map(drop)),
        Box::new(|w| w.rename(0, b"k2", b"renamed", false).map(drop)),
        Box::new(|w| w.rename(0, b"k3", b"k10", false).map(drop)),
        Box::new(|w| w.copy(0, b"k4", 1, b"copied", false).map(drop)),
        Box::new(|w| w.swap_db(0, 1)),
        Box::new(|w| w.delete(1, &[&b"k11"[..], b"k12", b"missing"]).map(drop)),
        Box::new(|w| w.expire_at(1, b"k13", 1, ExpireCondition::default()).map(drop)),
        Box::new(|w| w.flush_db(0)),
        Box::new(|w| w.set(5, b"lonely", b"v", Default::default()).map(drop)),
        Box::new(move |w| w.set(5, b"cached", b"v", expiring).map(drop)),
        Box::new(move |w| w.set(5, b"lonely", b"w", expiring).map(drop)),
        Box::new(move |w| w.set(5, b"cached", b"w", expiring).map(drop)),
        Box::new(move |w| w.set(5, b"cached", b"x", expired).map(drop)),
        Box::new(move |w| w.set(5, b"cached", b"y", expiring).map(drop)),
        Box::new(|w| w.hash_set(5, b"h", &[(b"f", b"v")]).map(drop)),
        Box::new(move |w| w.set(5, b"h", b"v", expiring).map(drop)),
        Box::new(|w| w.move_key(5, b"h", 9).map(drop)),
        Box::new(|w| w.move_key(5, b"lonely", 9).map(drop)),
        Box::new(|w| w.increment(6, b"counter", 5).map(drop)),
        Box::new(|w| w.increment(6, b"counter", 5).map(drop)),
        Box::new(move |w| w.set(6, b"counter", b"10", expired).map(drop)),
        Box::new(|w| w.increment(6, b"counter", -2).map(drop)),
        Box::new(|w| w.flush_all()),
    ];
    for (index, step) in steps.into_iter().enumerate() {
        store.write(move |writer| step(writer)).unwrap();
        let counted = store.read(|reader| reader.keyspace_stats()).unwrap();
        assert_eq!(counted, brute_force(&store), "after step {index}");
    }
}
