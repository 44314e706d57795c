//! The write handle: everything a write operation may do, inside the writer's transaction.
//!
//! Only the writer thread creates a [`Writer`], so holding one means holding SQLite's write
//! lock. Row-level helpers here are the single place where key rows are created and deleted,
//! so later per-type tables have one place to hook their cleanup.

use std::cell::RefCell;
use std::ops::Deref;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Result, StoreError};
use crate::increments;
use crate::key_memo::KeyMemo;
use crate::kind::KeyType;
use crate::options::{Expired, ExpiryListener, Filled};
use crate::reader::{Db, KeyRow, Reader};
use crate::upserts::{self, Upserted};

/// Finds a key's row and string payload by name (the writer's read-modify-write lookup).
pub(crate) const LIVE_STRING_SQL: &str = "SELECT id, kind, expires_at, length, list_head, \
     earliest_field_deadline, value \
     FROM keys WHERE db = ?1 AND key = ?2";

/// The claims of [`Writer::claim_in_transaction`]: a table of the connection's own, in
/// memory, created at first use (and again after a rollback undid its creation).
const CLAIMS_TABLE_SQL: &str = "CREATE TEMP TABLE IF NOT EXISTS resplite_claims \
     (id INTEGER PRIMARY KEY, round INTEGER NOT NULL)";

/// Write access to the keyspace, with read access through [`Deref`] to [`Reader`].
pub struct Writer<'a> {
    reader: Reader<'a>,
    max_string_len: usize,
    /// In an optimistic run (see `writer_thread`), [`Writer::atomically`] takes no savepoint
    /// and only notes when a failing operation had already changed something.
    optimistic: bool,
    needs_replay: bool,
    on_expired: Option<&'a ExpiryListener>,
    /// The writer thread's log of keys that may have gained elements this round.
    filled: Option<&'a RefCell<Vec<Filled>>>,
    /// The number of the round (transaction) this writer works in.
    round: u64,
    /// The write connection's memory of the key row it last found this round.
    key_memo: Option<&'a KeyMemo>,
}

impl<'a> Deref for Writer<'a> {
    type Target = Reader<'a>;

    fn deref(&self) -> &Reader<'a> {
        &self.reader
    }
}

impl<'a> Writer<'a> {
    pub(crate) fn new(
        connection: &'a Connection,
        now: i64,
        max_string_len: usize,
        on_expired: Option<&'a ExpiryListener>,
        filled: Option<&'a RefCell<Vec<Filled>>>,
        round: u64,
        key_memo: Option<&'a KeyMemo>,
    ) -> Writer<'a> {
        Writer {
            reader: Reader::new(connection, now),
            max_string_len,
            optimistic: false,
            needs_replay: false,
            on_expired,
            filled,
            round,
            key_memo,
        }
    }

    /// Claims `id` for this transaction: answers `true`, or `false` when it is claimed
    /// already by work of this transaction that still stands. A claim is rolled back with the
    /// work that made it (a failed operation, a replayed round), and one made in an earlier
    /// transaction no longer counts.
    ///
    /// This keeps one-time decisions in step with the transaction: the server claims a
    /// blocked client before a write hands it an element, so that a later write of the same
    /// round cannot hand it a second one before the first is delivered, while a hand-over
    /// that was rolled back leaves the client free to be served again.
    pub fn claim_in_transaction(&mut self, id: i64) -> Result<bool> {
        self.connection().prepare_cached(CLAIMS_TABLE_SQL)?.execute([])?;
        let round = self.round_number();
        let claimed: Option<i64> = self
            .connection()
            .prepare_cached("SELECT round FROM temp.resplite_claims WHERE id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional()?;
        if claimed == Some(round) {
            return Ok(false);
        }
        self.execute("DELETE FROM temp.resplite_claims WHERE round <> ?1", [round])?;
        self.execute("INSERT INTO temp.resplite_claims (id, round) VALUES (?1, ?2)", [id, round])?;
        Ok(true)
    }

    /// Gives up a claim of this transaction (the claimed work turned out not to happen).
    pub fn release_claim(&mut self, id: i64) -> Result<()> {
        self.execute("DELETE FROM temp.resplite_claims WHERE id = ?1", [id])?;
        Ok(())
    }

    fn round_number(&self) -> i64 {
        i64::try_from(self.round).unwrap_or(i64::MAX)
    }

    /// Notes that `key` in `db` may have gained list or sorted-set elements (see
    /// [`FillListener`](crate::FillListener)).
    pub(crate) fn note_filled(&self, db: Db, key: &[u8]) {
        if let Some(filled) = self.filled {
            filled.borrow_mut().push(Filled::Key(db, key.to_vec()));
        }
    }

    /// Notes that any key of `db` may have gained elements.
    pub(crate) fn note_filled_database(&self, db: Db) {
        if let Some(filled) = self.filled {
            filled.borrow_mut().push(Filled::Database(db));
        }
    }

    /// This writer with `listener` told of what expires instead of the store's own.
    pub(crate) fn with_expiry_listener(self, listener: &'a ExpiryListener) -> Writer<'a> {
        Writer { on_expired: Some(listener), ..self }
    }

    /// A writer for an optimistic run: operations take no savepoint of their own, because
    /// the writer thread can replay the whole run under savepoints if one of them fails after
    /// changing something (see `writer_thread`).
    pub(crate) fn optimistic(self) -> Writer<'a> {
        Writer { optimistic: true, ..self }
    }

    /// Deletes the row of a key whose deadline has passed, telling the expiry listener.
    pub(crate) fn delete_expired(&mut self, db: Db, key: &[u8], row: KeyRow) -> Result<()> {
        self.delete_row(row)?;
        self.tell_expired(db, key, Expired::Key);
        Ok(())
    }

    /// Tells the expiry listener, if there is one, that `what` expired at `key`.
    pub(crate) fn tell_expired(&self, db: Db, key: &[u8], what: Expired) {
        if let Some(listener) = self.on_expired {
            (listener.0)(db, key, what);
        }
    }

    /// Whether an operation of this optimistic run failed after changing the database, so
    /// that the run must be rolled back and replayed with savepoints.
    pub(crate) fn needs_replay(&self) -> bool {
        self.needs_replay
    }

    /// How many rows this writer has inserted, updated or deleted so far. Compare the count
    /// before and after an operation to learn whether it changed anything.
    pub fn changes(&self) -> u64 {
        self.connection().total_changes()
    }

    /// The longest string a write may produce.
    pub(crate) fn max_string_len(&self) -> usize {
        self.max_string_len
    }

    fn connection(&self) -> &'a Connection {
        self.reader.connection
    }

    /// Runs `operation` under a savepoint: when it fails or panics, exactly its own changes
    /// are rolled back and the rest of the batch is untouched. Every write operation already
    /// runs this way; call it to make parts of one operation atomic on their own (a server
    /// running a client's pipeline in one write, for example).
    pub fn atomically<R>(
        &mut self,
        operation: impl FnOnce(&mut Writer<'a>) -> Result<R>,
    ) -> Result<R> {
        let connection = self.connection();
        if self.optimistic {
            // Most operations succeed, and most that fail do so before writing anything; a
            // savepoint (and the copy of every page it first touches) is wasted on both.
            // Completed statements count in total_changes, so a failure after a change is
            // detected, and the writer thread replays the run with savepoints.
            let before = connection.total_changes();
            let result = match catch_unwind(AssertUnwindSafe(|| operation(self))) {
                Ok(result) => result,
                Err(panic) => {
                    self.needs_replay = true;
                    Err(StoreError::Internal(panic_message(panic.as_ref())))
                }
            };
            if result.is_err() && connection.total_changes() != before {
                self.needs_replay = true;
            }
            return result;
        }
        connection.prepare_cached("SAVEPOINT operation")?.execute([])?;
        let result = match catch_unwind(AssertUnwindSafe(|| operation(self))) {
            Ok(result) => result,
            Err(panic) => Err(StoreError::Internal(panic_message(panic.as_ref()))),
        };
        if result.is_err() {
            let rolled_back =
                connection.prepare_cached("ROLLBACK TO operation").and_then(|mut s| s.execute([]));
            self.rows_restored();
            rolled_back?;
        }
        connection.prepare_cached("RELEASE operation")?.execute([])?;
        result
    }

    /// The row of `key` if it is live; an expired row is deleted first, so the caller may
    /// treat the key as absent and create it afresh.
    pub(crate) fn live_row(&mut self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        let recalled = self.key_memo.and_then(|memo| memo.recall(self.connection(), db, key));
        let found = match recalled {
            Some(row) => Some(row),
            None => {
                let found = self.lookup_any(db, key)?;
                if let (Some(memo), Some(row)) = (self.key_memo, found) {
                    memo.keep(self.connection(), db, key, row);
                }
                found
            }
        };
        match found {
            Some(row) if self.is_expired(row.expires_at) => {
                self.delete_expired(db, key, row)?;
                Ok(None)
            }
            row => Ok(row),
        }
    }

    /// The live string at `key` with its row, in one lookup: an expired row is deleted first
    /// (the key is then absent), and a key of another type is [`StoreError::WrongType`].
    pub(crate) fn live_string(&mut self, db: Db, key: &[u8]) -> Result<Option<(KeyRow, Vec<u8>)>> {
        let found = self
            .connection()
            .prepare_cached(LIVE_STRING_SQL)?
            .query_row(params![db, key], |row| {
                Ok((KeyRow::from_sql(row)?, row.get::<_, Option<Vec<u8>>>(6)?))
            })
            .optional()?;
        match found {
            Some((row, _)) if self.is_expired(row.expires_at) => {
                self.delete_expired(db, key, row)?;
                Ok(None)
            }
            Some((row, _)) if row.kind != KeyType::String => Err(StoreError::WrongType),
            Some((row, value)) => Ok(Some((row, value.unwrap_or_default()))),
            None => Ok(None),
        }
    }

    /// Deletes a key row and everything that belongs to it: the one place keys are deleted.
    pub(crate) fn delete_row(&mut self, row: KeyRow) -> Result<()> {
        if row.kind != KeyType::String {
            return self.delete_collection(row);
        }
        self.connection().prepare_cached("DELETE FROM keys WHERE id = ?1")?.execute([row.id])?;
        Ok(())
    }

    /// Creates a string key that does not exist yet.
    pub(crate) fn insert_string(
        &mut self,
        db: Db,
        key: &[u8],
        value: &[u8],
        expires_at: Option<i64>,
    ) -> Result<()> {
        self.connection()
            .prepare_cached(
                "INSERT INTO keys (db, key, kind, value, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![db, key, KeyType::String.code(), value, expires_at])?;
        Ok(())
    }

    /// Creates the string key `key` holding `value` (with the deadline `expires_at`) unless
    /// a row of that name is there, live or expired, of any type; answers whether it did.
    /// Without a lookup first: a missing key costs one search of the name index.
    pub(crate) fn create_string(
        &mut self,
        db: Db,
        key: &[u8],
        value: &[u8],
        expires_at: Option<i64>,
    ) -> Result<bool> {
        let created = self
            .connection()
            .prepare_cached(
                "INSERT INTO keys (db, key, kind, value, expires_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (db, key) DO NOTHING",
            )?
            .execute(params![db, key, KeyType::String.code(), value, expires_at])?;
        Ok(created == 1)
    }

    /// Replaces the value and deadline of the string key in row `id`, keeping its identity
    /// (and so its place in a running `SCAN`).
    pub(crate) fn update_string(
        &mut self,
        id: i64,
        value: &[u8],
        expires_at: Option<i64>,
    ) -> Result<()> {
        self.connection()
            .prepare_cached("UPDATE keys SET value = ?2, expires_at = ?3 WHERE id = ?1")?
            .execute(params![id, value, expires_at])?;
        Ok(())
    }

    /// Turns any existing key into the string `value`, replacing a key of another type.
    pub(crate) fn put_string(
        &mut self,
        db: Db,
        key: &[u8],
        existing: Option<KeyRow>,
        value: &[u8],
        expires_at: Option<i64>,
    ) -> Result<()> {
        match existing {
            // The common overwrite leaves the deadline as it is; not naming `expires_at` in
            // the UPDATE keeps the key-count trigger from even being considered.
            Some(row) if row.kind == KeyType::String && row.expires_at == expires_at => {
                self.connection()
                    .prepare_cached("UPDATE keys SET value = ?2 WHERE id = ?1")?
                    .execute(params![row.id, value])?;
                Ok(())
            }
            Some(row) if row.kind == KeyType::String => {
                self.update_string(row.id, value, expires_at)
            }
            Some(row) => {
                self.delete_row(row)?;
                self.insert_string(db, key, value, expires_at)
            }
            None => self.insert_string(db, key, value, expires_at),
        }
    }

    /// Writes `value` over the string whose row is `existing` (creating the key when there is
    /// none), keeping its deadline: the last step of every in-place edit and counter.
    pub(crate) fn put_string_keeping_deadline(
        &mut self,
        db: Db,
        key: &[u8],
        existing: Option<KeyRow>,
        value: &[u8],
    ) -> Result<()> {
        let expires_at = existing.and_then(|row| row.expires_at);
        self.put_string(db, key, existing, value, expires_at)
    }

    /// Sets or clears the deadline of the key in row `id`.
    pub(crate) fn set_deadline(&mut self, id: i64, expires_at: Option<i64>) -> Result<()> {
        self.connection()
            .prepare_cached("UPDATE keys SET expires_at = ?2 WHERE id = ?1")?
            .execute(params![id, expires_at])?;
        Ok(())
    }

    /// Runs one SQL statement with parameters; for the key-level operations in this crate.
    pub(crate) fn execute(
        &mut self,
        sql: &str,
        parameters: impl rusqlite::Params,
    ) -> Result<usize> {
        Ok(self.connection().prepare_cached(sql)?.execute(parameters)?)
    }

    /// Runs `sql`, an upsert of one element whose update branch marks itself (see
    /// `upserts`), and answers whether it added, changed or left the element.
    pub(crate) fn upsert(
        &mut self,
        sql: &str,
        parameters: impl rusqlite::Params,
    ) -> Result<Upserted> {
        upserts::run(self.connection(), sql, parameters)
    }

    /// Adds `delta` to the live string at `key` in one statement (see `increments`); `None`
    /// when there is no such string and nothing changed.
    pub(crate) fn increment_live_string(
        &mut self,
        db: Db,
        key: &[u8],
        delta: i64,
    ) -> Result<Option<i64>> {
        increments::increment_live_string(self.connection(), db, key, delta, self.now())
    }

    /// Runs `sql`, an `UPDATE` of at most one row through the integer adder of `increments`;
    /// the sum written, or `None` when no row matched.
    pub(crate) fn add_to_integer(
        &mut self,
        sql: &str,
        parameters: impl rusqlite::Params,
    ) -> Result<Option<i64>> {
        increments::run(self.connection(), sql, parameters)
    }

    /// Runs `sql`, a statement that changes the row `id` of `keys` (no other) the way `apply`
    /// changes a [`KeyRow`], and keeps the key memo's copy of that row current (see
    /// `key_memo`).
    pub(crate) fn update_key_row(
        &mut self,
        id: i64,
        sql: &str,
        parameters: impl rusqlite::Params,
        apply: impl FnOnce(&mut KeyRow),
    ) -> Result<usize> {
        let Some(memo) = self.key_memo else {
            return self.execute(sql, parameters);
        };
        let before = memo.changes_now();
        let changed = self.execute(sql, parameters)?;
        memo.after_own_update(before, id, apply);
        Ok(changed)
    }

    /// Tells the key memo that a rollback may have brought back rows of `keys`.
    pub(crate) fn rows_restored(&self) {
        if let Some(memo) = self.key_memo {
            memo.rows_restored();
        }
    }
}

/// The text of a caught panic.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "operation panicked".to_string()
    }
}
