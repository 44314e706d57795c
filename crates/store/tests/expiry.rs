//! Deadlines: lazy invisibility, active sweeping, and the EXPIRE conditions.

mod common;

use std::thread::sleep;
use std::time::{Duration, Instant};

use resplite_store::{Deadline, ExpireCondition};

#[test]
fn a_key_is_invisible_from_its_deadline_on() {
    let (_dir, store) =
        common::open_with(|options| options.sweep_interval = Duration::from_secs(3600));
    store.set(0, b"short", b"lived").unwrap();
    store.expire_in(0, b"short", 50).unwrap();
    assert_eq!(store.get(0, b"short").unwrap(), Some(b"lived".to_vec()));
    sleep(Duration::from_millis(80));
    // The sweeper is effectively off: invisibility comes from the lookup itself.
    assert_eq!(store.get(0, b"short").unwrap(), None);
    assert_eq!(store.deadline(0, b"short").unwrap(), Deadline::Missing);
    assert_eq!(store.read(|reader| reader.exists(0, &[b"short"])).unwrap(), 0);
    assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), 0);
}

#[test]
fn the_sweeper_deletes_expired_keys_without_any_client_touching_them() {
    let (_dir, store) = common::open_with(|options| options.sweep_batch = 100);
    store
        .write(|writer| {
            let at = writer.now() + 30;
            for index in 0..1000 {
                let key = format!("key:{index}");
                writer.set(0, key.as_bytes(), b"v", Default::default())?;
                writer.expire_at(0, key.as_bytes(), at, ExpireCondition::default())?;
            }
            Ok(())
        })
        .unwrap();
    let rows = |store: &resplite_store::Store| {
        let path = store.options().path.clone();
        let connection = rusqlite::Connection::open(path).unwrap();
        connection.query_row("SELECT count(*) FROM keys", [], |row| row.get::<_, i64>(0)).unwrap()
    };
    assert_eq!(rows(&store), 1000);
    let started = Instant::now();
    while rows(&store) > 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "sweeper did not drain the keys");
        sleep(Duration::from_millis(20));
    }
}

/// A plain `EXPIRE` (one `UPDATE` when the key is alive) sets the deadline of a key of any
/// type, and answers false for a missing key and for one already past its deadline, which
/// stays gone.
#[test]
fn plain_expire_sets_live_keys_only() {
    let (_dir, store) =
        common::open_with(|options| options.sweep_interval = Duration::from_secs(3600));
    let far = resplite_store::now_ms() + 1_000_000;
    let expire = |key: &'static [u8], at: i64| {
        store.write(move |writer| writer.expire_at(0, key, at, ExpireCondition::default())).unwrap()
    };
    store.set(0, b"string", b"v").unwrap();
    store.write(|writer| writer.hash_set(0, b"hash", &[(b"f", b"v")])).unwrap();
    store.set(0, b"short", b"v").unwrap();
    store.expire_in(0, b"short", 30).unwrap();
    assert!(expire(b"string", far));
    assert!(expire(b"hash", far));
    assert!(!expire(b"missing", far));
    assert_eq!(store.deadline(0, b"string").unwrap(), Deadline::At(far));
    assert_eq!(store.deadline(0, b"hash").unwrap(), Deadline::At(far));
    sleep(Duration::from_millis(50));
    assert!(!expire(b"short", far), "a key past its deadline is not given a new one");
    assert_eq!(store.deadline(0, b"short").unwrap(), Deadline::Missing);
    let stats = store.read(|reader| reader.keyspace_stats()).unwrap();
    assert_eq!((stats[0].keys, stats[0].expires), (2, 2));
}

#[test]
fn expire_conditions_follow_redis() {
    let (_dir, store) = common::open();
    let nx = ExpireCondition { only_if_none: true, ..Default::default() };
    let xx = ExpireCondition { only_if_some: true, ..Default::default() };
    let gt = ExpireCondition { only_if_later: true, ..Default::default() };
    let lt = ExpireCondition { only_if_earlier: true, ..Default::default() };
    store.set(0, b"k", b"v").unwrap();
    let far = resplite_store::now_ms() + 1_000_000;
    let expire = |at: i64, condition| {
        store.write(move |writer| writer.expire_at(0, b"k", at, condition)).unwrap()
    };
    assert!(!expire(far, xx), "XX needs an existing deadline");
    assert!(!expire(far, gt), "no deadline counts as infinite, so GT fails");
    assert!(expire(far, lt), "no deadline counts as infinite, so LT succeeds");
    assert!(!expire(far + 1, nx), "NX needs no deadline");
    assert!(expire(far + 1, gt));
    assert!(!expire(far, gt));
    assert!(expire(far - 1, lt));
    assert_eq!(store.deadline(0, b"k").unwrap(), Deadline::At(far - 1));
    assert!(expire(0, ExpireCondition::default()), "a past deadline deletes");
    assert_eq!(store.get(0, b"k").unwrap(), None);
}

#[test]
fn persist_and_plain_set_clear_deadlines() {
    let (_dir, store) = common::open();
    store.set(0, b"k", b"v").unwrap();
    store.expire_in(0, b"k", 100_000).unwrap();
    assert!(store.write(|writer| writer.persist(0, b"k")).unwrap());
    assert_eq!(store.deadline(0, b"k").unwrap(), Deadline::Persistent);
    store.expire_in(0, b"k", 100_000).unwrap();
    store.set(0, b"k", b"again").unwrap();
    assert_eq!(store.deadline(0, b"k").unwrap(), Deadline::Persistent);
}
