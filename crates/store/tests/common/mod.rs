//! Helpers shared by the store's integration tests.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use resplite_store::{Store, StoreOptions};
use tempfile::TempDir;

/// A store in a fresh temporary directory; keep the directory alive as long as the store.
pub fn open() -> (TempDir, Store) {
    open_with(|_| {})
}

/// Like [`open`], with options adjusted by `adjust`.
pub fn open_with(adjust: impl FnOnce(&mut StoreOptions)) -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut options = StoreOptions::new(dir.path().join("test.db"));
    options.sweep_interval = Duration::from_millis(20);
    adjust(&mut options);
    let store = Store::open_with(options).expect("open store");
    (dir, store)
}

/// What breaks the storage invariants in `store`'s file (see `spec/storage.md`): empty when
/// it is consistent.
pub fn violations(store: &Store) -> Vec<resplite_store::Violation> {
    store.read(|reader| reader.check_invariants(20)).expect("check").violations
}
