//! The store's listeners: keys that expired, and keys that may have gained elements.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use resplite_store::{
    Expired, ExpiryListener, FillListener, Filled, ListEnd, NewDeadline, SetOptions, Store,
    StoreOptions, ZaddFlags,
};

#[test]
fn commits_report_the_keys_that_may_have_gained_elements() {
    let dir = tempfile::tempdir().unwrap();
    let heard = Arc::new(Mutex::new(Vec::new()));
    let mut options = StoreOptions::new(dir.path().join("filled.db"));
    let log = Arc::clone(&heard);
    options.on_filled = Some(FillListener(Arc::new(move |filled: &[Filled]| {
        log.lock().unwrap().extend_from_slice(filled);
    })));
    let store = Store::open_with(options).unwrap();
    store.write(|writer| writer.list_push(0, b"list", ListEnd::Left, &[b"a"], false)).unwrap();
    store
        .write(|writer| writer.zset_add(1, b"board", ZaddFlags::default(), &[(1.0, b"m")]))
        .unwrap();
    // Nothing new in a sorted set: nothing to report.
    store
        .write(|writer| writer.zset_add(1, b"board", ZaddFlags::default(), &[(2.0, b"m")]))
        .unwrap();
    store.write(|writer| writer.rename(0, b"list", b"renamed", false)).unwrap();
    store.write(|writer| writer.swap_db(0, 1)).unwrap();
    // A write that fails and changes nothing reports nothing either.
    let refused =
        store.write(|writer| writer.list_push(0, b"board", ListEnd::Left, &[b"x"], false));
    assert!(refused.is_err());
    assert_eq!(
        *heard.lock().unwrap(),
        vec![
            Filled::Key(0, b"list".to_vec()),
            Filled::Key(1, b"board".to_vec()),
            Filled::Key(0, b"renamed".to_vec()),
            Filled::Database(0),
            Filled::Database(1),
        ]
    );
}

#[test]
fn keys_deleted_because_they_expired_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let heard = Arc::new(Mutex::new(Vec::new()));
    let mut options = StoreOptions::new(dir.path().join("expired.db"));
    options.sweep_interval = Duration::from_millis(10);
    let log = Arc::clone(&heard);
    options.on_expired = Some(ExpiryListener(Arc::new(move |db, key: &[u8], what| {
        log.lock().unwrap().push((db, key.to_vec(), what));
    })));
    let store = Store::open_with(options).unwrap();
    let soon = resplite_store::now_ms() + 20;
    let options = SetOptions { deadline: NewDeadline::At(soon), ..SetOptions::default() };
    store.write(move |writer| writer.set(3, b"brief", b"v", options)).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while heard.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the sweeper never reported the key");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(*heard.lock().unwrap(), vec![(3, b"brief".to_vec(), Expired::Key)]);
}

#[test]
fn the_sweeper_reports_expired_keys_once_their_deletion_is_committed() {
    // A subscriber told of an expired key must not find it still there: the report comes
    // after the commit, when any other connection already sees the key gone.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("committed.db");
    let seen_by_others = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen_by_others);
    let mut options = StoreOptions::new(&path);
    options.sweep_interval = Duration::from_millis(10);
    let looked_at = path.clone();
    options.on_expired = Some(ExpiryListener(Arc::new(move |_, key: &[u8], what| {
        let other = rusqlite::Connection::open(&looked_at).unwrap();
        let rows: i64 = other
            .query_row("SELECT count(*) FROM keys WHERE key = ?1", [key], |row| row.get(0))
            .unwrap();
        log.lock().unwrap().push((key.to_vec(), what, rows));
    })));
    let store = Store::open_with(options).unwrap();
    let soon = resplite_store::now_ms() + 20;
    let options = SetOptions { deadline: NewDeadline::At(soon), ..SetOptions::default() };
    store.write(move |writer| writer.set(0, b"brief", b"v", options)).unwrap();
    store.write(|writer| writer.hash_set(0, b"h", &[(b"f", b"v")])).unwrap();
    let condition = resplite_store::ExpireCondition::default();
    store
        .write(move |writer| writer.hash_expire_fields(0, b"h", soon, condition, &[b"f"]))
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while seen_by_others.lock().unwrap().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "the sweeper never reported both");
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut seen = seen_by_others.lock().unwrap().clone();
    seen.sort_by(|one, other| one.0.cmp(&other.0));
    assert_eq!(
        seen,
        vec![
            (b"brief".to_vec(), Expired::Key, 0),
            (b"h".to_vec(), Expired::Fields { fields: 1, hash_deleted: true }, 0),
        ]
    );
}
