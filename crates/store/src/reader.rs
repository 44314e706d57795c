//! The read handle: a connection plus the instant the operation runs at.
//!
//! Every read method lives on [`Reader`]; the write handle dereferences to it, so a write
//! operation reads its own uncommitted changes through the very same methods.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::kind::KeyType;

/// Finds a key's row by name.
pub(crate) const LOOKUP_SQL: &str =
    "SELECT id, kind, expires_at, length, list_head FROM keys WHERE db = ?1 AND key = ?2";

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
}

impl KeyRow {
    /// Reads a row selected as `id, kind, expires_at, length, list_head` (in that order, from
    /// the first column on).
    pub(crate) fn from_sql(row: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRow> {
        Ok(KeyRow {
            id: row.get(0)?,
            kind: KeyType::from_code(row.get(1)?)?,
            expires_at: row.get(2)?,
            length: row.get(3)?,
            list_head: row.get(4)?,
        })
    }
}

impl<'a> Reader<'a> {
    pub(crate) fn new(connection: &'a Connection, now: i64) -> Reader<'a> {
        Reader { connection, now }
    }

    /// The instant, in Unix milliseconds, that this operation treats as "now".
    pub fn now(&self) -> i64 {
        self.now
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
        let mut statement = self.connection.prepare_cached(LOOKUP_SQL)?;
        let row = statement.query_row(params![db, key], KeyRow::from_sql).optional()?;
        Ok(row)
    }
}
