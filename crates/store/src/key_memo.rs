//! The write connection's memory of the last key row it found in a round.
//!
//! A round often holds many commands on one key (fifty clients adding to one leaderboard,
//! pushing to one queue), and each began with a search of `keys` for the key's row: a
//! statement, about a twentieth of the I/O thread's time for a `ZADD`. [`KeyMemo`] keeps the
//! last row [`Writer::live_row`](crate::writer::Writer::live_row) found and answers the next
//! lookup of the same name from memory, for as long as the row cannot have changed:
//!
//! * every change SQLite makes to a row of `keys` on the write connection (any statement,
//!   trigger or conflict resolution but one, see below) passes SQLite's update hook, which
//!   [`KeyMemo::watch`] installs and which advances the memo's count of changes; a
//!   remembered row carries the count it was read at and is stale once the count moves;
//! * a rollback brings back rows without passing the update hook: a rollback of the whole
//!   transaction, explicit or one SQLite makes by itself after an I/O error, passes its
//!   rollback hook, which [`KeyMemo::watch`] installs too and which advances the count; a
//!   rollback to a savepoint passes neither, so every place that rolls back to one calls
//!   [`KeyMemo::rows_restored`]; and nothing is remembered or recalled in autocommit mode;
//! * the memory is cleared when a round begins, since other processes may write between
//!   rounds, unseen by this connection's hook.
//!
//! The one change the update hook misses is a row deleted by `REPLACE` conflict resolution,
//! which no statement on `keys` uses; the table's triggers rule out SQLite's truncate
//! optimisation, which would skip the hook too.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::Connection;
use rusqlite::hooks::Action;

use crate::error::Result;
use crate::reader::{Db, KeyName, KeyRow};

/// The last key row found in this round on one write connection, if any (see the module
/// documentation).
pub(crate) struct KeyMemo {
    /// Changes to rows of `keys` on the connection, and rollbacks, counted by the hook.
    changes: Arc<AtomicU64>,
    last: RefCell<Remembered>,
}

struct Remembered {
    name: KeyName,
    /// The row of `name`, until forgotten.
    row: Option<KeyRow>,
    /// The count of changes when the row was read.
    changes: u64,
}

impl KeyMemo {
    /// A memo for `connection`, the write connection, whose update and rollback hooks it
    /// installs (a connection has one of each).
    pub(crate) fn watch(connection: &Connection) -> Result<KeyMemo> {
        let changes = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&changes);
        connection.update_hook(Some(move |_: Action, database: &str, table: &str, _: i64| {
            if table == "keys" && database == "main" {
                counted.fetch_add(1, Ordering::Relaxed);
            }
        }))?;
        let counted = Arc::clone(&changes);
        connection.rollback_hook(Some(move || {
            counted.fetch_add(1, Ordering::Relaxed);
        }))?;
        let last = Remembered { name: KeyName::new(), row: None, changes: 0 };
        Ok(KeyMemo { changes, last: RefCell::new(last) })
    }

    /// Says that a rollback may have brought back rows of `keys` that the memo still
    /// describes as changed; called right after every `ROLLBACK TO` on the connection (a
    /// whole transaction's rollback passes the rollback hook).
    pub(crate) fn rows_restored(&self) {
        self.changes.fetch_add(1, Ordering::Relaxed);
    }

    /// The row of `key` as last found, if nothing can have changed it since.
    pub(crate) fn recall(&self, connection: &Connection, db: Db, key: &[u8]) -> Option<KeyRow> {
        let last = self.last.borrow();
        let row = last.row?;
        let current = last.name.is(db, key)
            && last.changes == self.changes.load(Ordering::Relaxed)
            && !connection.is_autocommit();
        current.then_some(row)
    }

    /// Remembers `row` as the row of `key`, as it stands now in the open transaction (none
    /// open, nothing is remembered: another process could change the row before the next).
    /// A name too long to keep leaves the memory as it was.
    pub(crate) fn keep(&self, connection: &Connection, db: Db, key: &[u8], row: KeyRow) {
        if connection.is_autocommit() {
            return;
        }
        let mut last = self.last.borrow_mut();
        if last.name.set(db, key) {
            last.row = Some(row);
            last.changes = self.changes.load(Ordering::Relaxed);
        }
    }

    /// The count of changes now, to hand to [`KeyMemo::after_own_update`].
    pub(crate) fn changes_now(&self) -> u64 {
        self.changes.load(Ordering::Relaxed)
    }

    /// After the caller changed the row `id` with one statement (`before` being
    /// [`KeyMemo::changes_now`] just before it): if the memo described that row up to the
    /// statement and the statement was the only change since, `apply` makes the same change
    /// to the remembered copy (the columns the statement wrote, nothing else).
    pub(crate) fn after_own_update(&self, before: u64, id: i64, apply: impl FnOnce(&mut KeyRow)) {
        let now = self.changes.load(Ordering::Relaxed);
        let mut last = self.last.borrow_mut();
        let current = last.changes == before && now == before + 1;
        if let Some(row) = last.row.as_mut()
            && row.id == id
            && current
        {
            apply(row);
            last.changes = now;
        }
    }

    /// Forgets the remembered row (a round begins).
    pub(crate) fn clear(&self) {
        self.last.borrow_mut().row = None;
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::KeyMemo;
    use crate::kind::KeyType;
    use crate::reader::{KeyRow, Reader};

    fn row_of(connection: &Connection, key: &[u8]) -> KeyRow {
        Reader::new(connection, 0).lookup_any(0, key).unwrap().unwrap()
    }

    fn store_file() -> (tempfile::TempDir, Connection, KeyMemo) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memo.db");
        drop(crate::Store::open(&path).unwrap());
        let connection = Connection::open(&path).unwrap();
        let memo = KeyMemo::watch(&connection).unwrap();
        connection
            .execute(
                "INSERT INTO keys (db, key, kind, length) VALUES (0, x'6b', ?1, 3)",
                [KeyType::Hash.code()],
            )
            .unwrap();
        (dir, connection, memo)
    }

    /// A remembered row answers only inside a transaction, only for its own name, and only
    /// until a row of `keys` changes or a rollback happens.
    #[test]
    fn a_remembered_row_is_forgotten_by_any_change_to_keys_or_a_rollback() {
        let (_dir, connection, memo) = store_file();
        connection.execute_batch("BEGIN").unwrap();
        memo.keep(&connection, 0, b"k", row_of(&connection, b"k"));
        assert_eq!(memo.recall(&connection, 0, b"k").map(|row| row.length), Some(3));
        assert!(memo.recall(&connection, 1, b"k").is_none(), "another database");
        assert!(memo.recall(&connection, 0, b"other").is_none(), "another name");

        // A change to another key's row is enough to forget.
        connection.execute("INSERT INTO keys (db, key, kind) VALUES (0, x'6a', 0)", []).unwrap();
        assert!(memo.recall(&connection, 0, b"k").is_none());
        memo.keep(&connection, 0, b"k", row_of(&connection, b"k"));
        connection.execute("UPDATE keys SET length = 4 WHERE key = x'6b'", []).unwrap();
        assert!(memo.recall(&connection, 0, b"k").is_none(), "its own row changed");

        // A rollback brings back the old row without the hook: the caller says so.
        connection.execute_batch("SAVEPOINT operation").unwrap();
        connection.execute("UPDATE keys SET length = 9 WHERE key = x'6b'", []).unwrap();
        memo.keep(&connection, 0, b"k", row_of(&connection, b"k"));
        connection.execute_batch("ROLLBACK TO operation; RELEASE operation").unwrap();
        memo.rows_restored();
        assert!(memo.recall(&connection, 0, b"k").is_none(), "rolled back");
        assert_eq!(row_of(&connection, b"k").length, 4);

        // Outside a transaction nothing is recalled; a cleared memo recalls nothing.
        memo.keep(&connection, 0, b"k", row_of(&connection, b"k"));
        assert!(memo.recall(&connection, 0, b"k").is_some());
        connection.execute_batch("COMMIT").unwrap();
        assert!(memo.recall(&connection, 0, b"k").is_none(), "autocommit");
        connection.execute_batch("BEGIN").unwrap();
        assert!(memo.recall(&connection, 0, b"k").is_some());
        memo.clear();
        assert!(memo.recall(&connection, 0, b"k").is_none(), "cleared");
        connection.execute_batch("COMMIT").unwrap();
    }

    /// A rollback of the whole transaction (explicit here; SQLite makes one by itself after
    /// an I/O error) forgets through the rollback hook, with no call from the caller; and a
    /// row found outside a transaction is not remembered at all.
    #[test]
    fn a_transaction_rolled_back_or_no_transaction_leaves_nothing_to_recall() {
        let (_dir, connection, memo) = store_file();
        connection.execute_batch("BEGIN").unwrap();
        connection.execute("UPDATE keys SET length = 8 WHERE key = x'6b'", []).unwrap();
        memo.keep(&connection, 0, b"k", row_of(&connection, b"k"));
        connection.execute_batch("ROLLBACK; BEGIN").unwrap();
        assert!(memo.recall(&connection, 0, b"k").is_none(), "rolled back");
        assert_eq!(row_of(&connection, b"k").length, 3);
        connection.execute_batch("COMMIT").unwrap();

        memo.clear();
        memo.keep(&connection, 0, b"k", row_of(&connection, b"k"));
        connection.execute_batch("BEGIN").unwrap();
        assert!(memo.recall(&connection, 0, b"k").is_none(), "found in autocommit mode");
        connection.execute_batch("COMMIT").unwrap();
    }

    /// The caller's own one-row update keeps the memory current; any other change since the
    /// row was remembered (or a statement that changed more than that row) does not.
    #[test]
    fn an_own_update_of_the_remembered_row_keeps_it_current() {
        let (_dir, connection, memo) = store_file();
        connection.execute_batch("BEGIN").unwrap();
        let row = row_of(&connection, b"k");
        memo.keep(&connection, 0, b"k", row);
        let before = memo.changes_now();
        connection.execute("UPDATE keys SET length = 5 WHERE key = x'6b'", []).unwrap();
        memo.after_own_update(before, row.id, |row| row.length = 5);
        assert_eq!(memo.recall(&connection, 0, b"k").map(|row| row.length), Some(5));

        let before = memo.changes_now();
        connection.execute("INSERT INTO keys (db, key, kind) VALUES (0, x'6a', 0)", []).unwrap();
        connection.execute("UPDATE keys SET length = 6 WHERE key = x'6b'", []).unwrap();
        memo.after_own_update(before, row.id, |row| row.length = 6);
        assert!(memo.recall(&connection, 0, b"k").is_none(), "another row changed too");
        connection.execute_batch("COMMIT").unwrap();
    }

    /// A change made by another connection's transaction never reaches this connection's
    /// hook; it is the round's start that must forget (see `KeyMemo::clear`). This pins down
    /// why: a memory kept across transactions would answer with the other writer's old row.
    #[test]
    fn another_connection_changes_rows_unseen_by_the_hook() {
        let (dir, connection, memo) = store_file();
        connection.execute_batch("BEGIN").unwrap();
        memo.keep(&connection, 0, b"k", row_of(&connection, b"k"));
        connection.execute_batch("COMMIT").unwrap();
        let other = Connection::open(dir.path().join("memo.db")).unwrap();
        other.execute("UPDATE keys SET length = 7 WHERE key = x'6b'", []).unwrap();
        connection.execute_batch("BEGIN").unwrap();
        assert_eq!(memo.recall(&connection, 0, b"k").map(|row| row.length), Some(3));
        memo.clear();
        assert!(memo.recall(&connection, 0, b"k").is_none());
        assert_eq!(row_of(&connection, b"k").length, 7);
        connection.execute_batch("COMMIT").unwrap();
    }
}
