//! The read handle: a connection plus the instant the operation runs at.
//!
//! Every read method lives on [`Reader`]; the write handle dereferences to it, so a write
//! operation reads its own uncommitted changes through the very same methods.

use std::cell::RefCell;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::field_deadlines;
use crate::kind::KeyType;

/// Finds a key's row by name.
pub(crate) const LOOKUP_SQL: &str = "SELECT id, kind, expires_at, length, list_head, earliest_field_deadline FROM keys \
     WHERE db = ?1 AND key = ?2";

/// Finds a key's row by its id, if the row still has that name: one search of the table
/// instead of the name index and then the table.
pub(crate) const LOOKUP_BY_ID_SQL: &str = "SELECT id, kind, expires_at, length, list_head, \
     earliest_field_deadline FROM keys \
     WHERE id = ?1 AND db = ?2 AND key = ?3";

thread_local! {
    /// The last key this thread found by name, and its row id: a stream of commands on one
    /// collection (a queue, a leaderboard, a session hash) finds the row by id after the
    /// first. Only a guess: the row is looked up by id *and* name, so a key deleted, renamed
    /// or created anew since (or a key of another database file) just falls back to the
    /// name. Names longer than [`REMEMBERED_KEY_BYTES`] are not kept.
    static LAST_FOUND: RefCell<LastFound> =
        const { RefCell::new(LastFound { name: KeyName::new(), id: None }) };
}

struct LastFound {
    name: KeyName,
    id: Option<i64>,
}

/// The id [`LAST_FOUND`] holds for `key`, if it holds `key`.
fn recent_id(db: Db, key: &[u8]) -> Option<i64> {
    LAST_FOUND.with_borrow(|last| last.id.filter(|_| last.name.is(db, key)))
}

/// Drops the guess [`LAST_FOUND`] holds.
fn forget() {
    LAST_FOUND.with_borrow_mut(|last| last.id = None);
}

/// Records that `key` was found with row `id`.
fn remember(db: Db, key: &[u8], id: i64) {
    LAST_FOUND.with_borrow_mut(|last| {
        if last.name.set(db, key) {
            last.id = Some(id);
        }
    });
}

/// The longest key name a [`KeyName`] keeps, so that one huge name does not stay in memory.
const REMEMBERED_KEY_BYTES: usize = 1024;

/// A key's name (database and bytes) kept from one lookup to the next, by [`LAST_FOUND`] and
/// by the write connection's `KeyMemo`; its buffer is reused from name to name.
pub(crate) struct KeyName {
    db: Db,
    key: Vec<u8>,
}

impl KeyName {
    pub(crate) const fn new() -> KeyName {
        KeyName { db: 0, key: Vec::new() }
    }

    /// Whether this is the name of `key` in `db`.
    pub(crate) fn is(&self, db: Db, key: &[u8]) -> bool {
        self.db == db && self.key == key
    }

    /// Becomes the name of `key` in `db`; a name longer than [`REMEMBERED_KEY_BYTES`] is not
    /// kept (`false`, and this name is left as it was).
    pub(crate) fn set(&mut self, db: Db, key: &[u8]) -> bool {
        if key.len() > REMEMBERED_KEY_BYTES {
            return false;
        }
        if !self.is(db, key) {
            self.db = db;
            self.key.clear();
            self.key.extend_from_slice(key);
        }
        true
    }
}

/// A logical database number (`SELECT`): 0 to 15 in a default server.
pub type Db = u32;

/// Read access to the keyspace at one instant.
///
/// Keys whose deadline is at or before [`Reader::now`] are invisible, whether or not the
/// sweeper has deleted them yet.
pub struct Reader<'a> {
    pub(crate) connection: &'a Connection,
    pub(crate) now: i64,
}

/// The bookkeeping row of one live key.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyRow {
    pub(crate) id: i64,
    pub(crate) kind: KeyType,
    pub(crate) expires_at: Option<i64>,
    /// How many elements a collection holds (0 for strings).
    pub(crate) length: i64,
    /// The position of a list's first element (`None` for other types).
    pub(crate) list_head: Option<i64>,
    /// For a hash: no field's deadline is earlier than this, so a hash whose fields may
    /// have expired is told by one comparison (`None`: no field has a deadline).
    pub(crate) earliest_field_deadline: Option<i64>,
}

impl KeyRow {
    /// Reads a row selected as `id, kind, expires_at, length, list_head,
    /// earliest_field_deadline` (in that order, from the first column on).
    pub(crate) fn from_sql(row: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRow> {
        Ok(KeyRow {
            id: row.get(0)?,
            kind: KeyType::from_code(row.get(1)?)?,
            expires_at: row.get(2)?,
            length: row.get(3)?,
            list_head: row.get(4)?,
            earliest_field_deadline: row.get(5)?,
        })
    }
}

impl<'a> Reader<'a> {
    pub(crate) fn new(connection: &'a Connection, now: i64) -> Reader<'a> {
        field_deadlines::set_operation_now(now);
        Reader { connection, now }
    }

    /// The instant, in Unix milliseconds, that this operation treats as "now".
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The one integer that `sql` (a cached statement, say a `count(*)`) answers.
    pub(crate) fn count(&self, sql: &str, parameters: &[&dyn rusqlite::ToSql]) -> Result<i64> {
        let mut statement = self.connection.prepare_cached(sql)?;
        Ok(statement.query_row(parameters, |row| row.get(0))?)
    }

    /// Whether a deadline has passed at this operation's instant.
    pub(crate) fn is_expired(&self, expires_at: Option<i64>) -> bool {
        expires_at.is_some_and(|deadline| deadline <= self.now)
    }

    /// The row of `key` if it exists and has not expired.
    pub(crate) fn lookup(&self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        let row = self.lookup_any(db, key)?;
        Ok(row.filter(|row| !self.is_expired(row.expires_at)))
    }

    /// The row of `key` even when its deadline has passed (writers delete those).
    pub(crate) fn lookup_any(&self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        if let Some(id) = recent_id(db, key) {
            let mut statement = self.connection.prepare_cached(LOOKUP_BY_ID_SQL)?;
            let row = statement.query_row(params![id, db, key], KeyRow::from_sql).optional()?;
            if row.is_some() {
                return Ok(row);
            }
            // Gone or renamed: a worker polling an emptied queue must not pay for the stale
            // guess on every poll.
            forget();
        }
        let mut statement = self.connection.prepare_cached(LOOKUP_SQL)?;
        let row = statement.query_row(params![db, key], KeyRow::from_sql).optional()?;
        if let Some(row) = &row {
            remember(db, key, row.id);
        }
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two databases in one thread, their keys created so that the same row id names
    /// different keys, then renamed and deleted: every lookup answers from the database it
    /// is made in, whatever the thread's last guess was.
    #[test]
    fn a_guessed_row_id_never_answers_for_another_key() {
        let dir = tempfile::tempdir().unwrap();
        let paths = [dir.path().join("a.db"), dir.path().join("b.db")];
        for path in &paths {
            drop(crate::Store::open(path).unwrap());
        }
        let a = Connection::open(&paths[0]).unwrap();
        let b = Connection::open(&paths[1]).unwrap();
        let insert = "INSERT INTO keys (db, key, kind, value) VALUES (0, ?1, 0, x'00')";
        a.execute(insert, [b"k".as_slice()]).unwrap();
        b.execute(insert, [b"other".as_slice()]).unwrap();
        b.execute(insert, [b"k".as_slice()]).unwrap();
        let id_in = |connection: &Connection, key: &[u8]| {
            Reader::new(connection, 0).lookup_any(0, key).unwrap().map(|row| row.id)
        };
        assert_eq!(id_in(&a, b"k"), Some(1));
        assert_eq!(id_in(&b, b"k"), Some(2), "row 1 of b is another key");
        assert_eq!(id_in(&a, b"k"), Some(1));
        a.execute("UPDATE keys SET key = x'72656e616d6564' WHERE id = 1", []).unwrap();
        assert_eq!(id_in(&a, b"k"), None, "renamed away");
        assert_eq!(recent_id(0, b"k"), None, "a guess that failed is dropped");
        a.execute(insert, [b"k".as_slice()]).unwrap();
        assert_eq!(id_in(&a, b"k"), Some(2), "created again under a new id");
        a.execute("DELETE FROM keys WHERE id = 2", []).unwrap();
        assert_eq!(id_in(&a, b"k"), None, "deleted");
        assert_eq!(id_in(&a, b"renamed"), Some(1));
        assert_eq!(
            Reader::new(&a, 0).lookup_any(1, b"renamed").unwrap().map(|row| row.id),
            None,
            "another database number"
        );
    }
}
