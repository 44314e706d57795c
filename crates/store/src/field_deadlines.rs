//! Deadlines of single hash fields (Redis 7.4's `HEXPIRE` family): setting, reading and
//! clearing them, hiding fields whose deadline has passed, and deleting those fields.
//!
//! A field's deadline is `hash_fields.expires_at` (Unix milliseconds, NULL for never). Two
//! partial indexes hold only the fields that have one, so a database that never uses field
//! deadlines pays nothing for them but a NULL column: `hash_fields_by_expiry` orders them by
//! deadline for the sweeper, and `hash_fields_by_key_expiry` by hash, for a read that must know
//! how many of one hash's fields have expired. The hash's key row keeps a lower bound of its
//! fields' deadlines, `keys.earliest_field_deadline` (NULL while no field has one), which
//! every key lookup reads anyway: a hash whose fields cannot have expired, or have no
//! deadline at all, is told without a look at its fields, so its reads and writes cost what
//! they cost before field deadlines existed.
//!
//! An expired field stays on disk until the sweeper or a write that touches it deletes it,
//! and every read hides it meanwhile: the reads' statements keep only the rows that pass
//! [`live_field!`], which compares a deadline with `resplite_now()`, an SQL function
//! answering the instant of the operation running on this thread (set by `Reader::new`), so
//! a field and its key are judged at one instant. As in Redis, `HLEN` counts a hash's fields
//! whether or not some have expired and not yet been deleted.

use std::cell::Cell;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension, params};

use crate::collections::{GRAVEYARD_DB, element_hash};
use crate::error::{Result, StoreError};
use crate::expiry::{Deadline, ExpireCondition};
use crate::kind::KeyType;
use crate::options::Expired;
use crate::reader::{Db, KeyRow, Reader};
use crate::writer::Writer;

/// Schema version 3: the deadline column, its two partial indexes, and the key rows' bound.
pub(crate) const SCHEMA: &str = "
ALTER TABLE keys ADD COLUMN earliest_field_deadline INTEGER;
ALTER TABLE hash_fields ADD COLUMN expires_at INTEGER;
CREATE INDEX hash_fields_by_expiry ON hash_fields (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX hash_fields_by_key_expiry ON hash_fields (key_id, expires_at)
    WHERE expires_at IS NOT NULL;
";

/// The SQL function that answers the running operation's instant (see the module
/// documentation).
const NOW_FUNCTION: &str = "resplite_now";

/// A condition that keeps the rows of `hash_fields` whose deadline has not passed, for the
/// reads' statements; `live_field!("found.")` names the columns of the table `found`.
macro_rules! live_field {
    () => {
        "(expires_at IS NULL OR expires_at > resplite_now())"
    };
    ($table:literal) => {
        concat!("(", $table, "expires_at IS NULL OR ", $table, "expires_at > resplite_now())")
    };
}
pub(crate) use live_field;

/// A field's deadline, whether or not it has passed (`None` for a missing field, `Some(None)`
/// for a field without one).
const FIELD_DEADLINE_SQL: &str =
    "SELECT expires_at FROM hash_fields WHERE key_id = ?1 AND hash = ?2 AND field = ?3";
const SET_FIELD_DEADLINE_SQL: &str =
    "UPDATE hash_fields SET expires_at = ?4 WHERE key_id = ?1 AND hash = ?2 AND field = ?3";
const DELETE_FIELD_SQL: &str =
    "DELETE FROM hash_fields WHERE key_id = ?1 AND hash = ?2 AND field = ?3";
const DELETE_EXPIRED_FIELD_SQL: &str = "DELETE FROM hash_fields \
     WHERE key_id = ?1 AND hash = ?2 AND field = ?3 AND expires_at <= ?4";
/// The earliest deadline of one hash's fields, through `hash_fields_by_key_expiry`.
pub(crate) const EARLIEST_IN_HASH_SQL: &str = "SELECT min(expires_at) FROM hash_fields \
     INDEXED BY hash_fields_by_key_expiry WHERE key_id = ?1 AND expires_at IS NOT NULL";
const SET_EARLIEST_SQL: &str = "UPDATE keys SET earliest_field_deadline = ?2 WHERE id = ?1";
/// How many fields of one hash have expired, through `hash_fields_by_key_expiry`.
pub(crate) const EXPIRED_IN_HASH_SQL: &str = "SELECT count(*) FROM hash_fields \
     INDEXED BY hash_fields_by_key_expiry WHERE key_id = ?1 AND expires_at <= ?2";
/// The fields whose deadline passed longest ago, through `hash_fields_by_expiry`.
pub(crate) const SWEEP_FIELDS_SQL: &str = "SELECT key_id, hash, field FROM hash_fields \
     INDEXED BY hash_fields_by_expiry WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2";
/// The key row of a swept field, with its database and name.
const KEY_OF_FIELD_SQL: &str = "SELECT id, kind, expires_at, length, list_head, \
     earliest_field_deadline, db, key FROM keys WHERE id = ?1";

/// The largest deadline a field may have, in Unix milliseconds, as in Redis (2^46 - 1, in
/// the year 4199); a later one is an invalid expire time.
pub const MAX_FIELD_DEADLINE: i64 = (1 << 46) - 1;

thread_local! {
    /// The instant `resplite_now()` answers on this thread.
    static OPERATION_NOW: Cell<i64> = const { Cell::new(0) };
}

/// Makes `now` the instant that `resplite_now()` answers on this thread, for the operation
/// about to run here.
pub(crate) fn set_operation_now(now: i64) {
    OPERATION_NOW.set(now);
}

/// Registers `resplite_now()` on `connection`, for resplite's own statements only (not the
/// schema: no trigger, view or index may depend on the instant).
pub(crate) fn register(connection: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    connection.create_scalar_function(NOW_FUNCTION, 0, flags, |_| Ok(OPERATION_NOW.get()))
}

/// What `HEXPIRE` and its kin did to one field, with Redis's reply codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldExpiry {
    /// No such field (or no such hash): -2.
    NoField,
    /// The `NX`/`XX`/`GT`/`LT` condition was not met: 0.
    ConditionNotMet,
    /// The deadline was set: 1.
    Set,
    /// The deadline had passed already, so the field was deleted: 2.
    Deleted,
}

impl FieldExpiry {
    /// The code Redis answers for this outcome.
    pub fn code(self) -> i64 {
        match self {
            FieldExpiry::NoField => -2,
            FieldExpiry::ConditionNotMet => 0,
            FieldExpiry::Set => 1,
            FieldExpiry::Deleted => 2,
        }
    }
}

/// What `HPERSIST` did to one field, with Redis's reply codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldPersist {
    /// No such field (or no such hash): -2.
    NoField,
    /// The field has no deadline: -1.
    NoDeadline,
    /// The deadline was removed: 1.
    Removed,
}

impl FieldPersist {
    /// The code Redis answers for this outcome.
    pub fn code(self) -> i64 {
        match self {
            FieldPersist::NoField => -2,
            FieldPersist::NoDeadline => -1,
            FieldPersist::Removed => 1,
        }
    }
}

/// What one `HEXPIRE`-family command did to a hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldExpiries {
    /// One outcome per field named, in order.
    pub outcomes: Vec<FieldExpiry>,
    /// Whether deleting fields left the hash empty, so that it was deleted.
    pub hash_deleted: bool,
}

impl Reader<'_> {
    /// The deadline of each of `fields` in the hash `key` (`HTTL`, `HPEXPIRETIME` …):
    /// [`Deadline::Missing`] for a field that is not there (or has expired, or when the hash
    /// is not), [`Deadline::Persistent`] for one without a deadline.
    pub fn hash_field_deadlines<F: AsRef<[u8]>>(
        &self,
        db: Db,
        key: &[u8],
        fields: &[F],
    ) -> Result<Vec<Deadline>> {
        let Some(row) = self.collection(db, key, KeyType::Hash)? else {
            return Ok(vec![Deadline::Missing; fields.len()]);
        };
        fields
            .iter()
            .map(|field| {
                Ok(match self.stored_field_deadline(row.id, field.as_ref())? {
                    None => Deadline::Missing,
                    Some(None) => Deadline::Persistent,
                    Some(Some(at)) if at <= self.now() => Deadline::Missing,
                    Some(Some(at)) => Deadline::At(at),
                })
            })
            .collect()
    }

    /// The stored deadline of `field` in the hash in row `id`, passed or not: `None` when
    /// there is no such row.
    fn stored_field_deadline(&self, id: i64, field: &[u8]) -> Result<Option<Option<i64>>> {
        let mut statement = self.connection.prepare_cached(FIELD_DEADLINE_SQL)?;
        Ok(statement
            .query_row(params![id, element_hash(field), field], |row| row.get(0))
            .optional()?)
    }

    /// The hash `key`'s row with `length` counting only the fields that have not expired,
    /// for the reads that pick fields by rank or page through them; `None` when the hash does
    /// not exist or all its fields have expired.
    pub(crate) fn live_hash_row(&self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        let Some(mut row) = self.collection(db, key, KeyType::Hash)? else { return Ok(None) };
        if self.fields_may_have_expired(&row) {
            row.length -= self.count(EXPIRED_IN_HASH_SQL, &[&row.id, &self.now()])?;
        }
        Ok((row.length > 0).then_some(row))
    }

    /// Whether some field of the hash of `row` may have expired (its key row's bound says
    /// whether one can have).
    pub(crate) fn fields_may_have_expired(&self, row: &KeyRow) -> bool {
        row.earliest_field_deadline.is_some_and(|at| at <= self.now())
    }
}

impl Writer<'_> {
    /// `HEXPIRE`, `HPEXPIRE`, `HEXPIREAT`, `HPEXPIREAT`: gives each of `fields` in the hash
    /// `key` the deadline `at` (Unix ms) where `condition` allows; a deadline at or before now
    /// deletes the field, and the hash when it was the last.
    pub fn hash_expire_fields<F: AsRef<[u8]>>(
        &mut self,
        db: Db,
        key: &[u8],
        at: i64,
        condition: ExpireCondition,
        fields: &[F],
    ) -> Result<FieldExpiries> {
        let touched = fields.iter().map(AsRef::as_ref);
        let Some(mut row) = self.hash_for_write(db, key, touched)? else {
            let outcomes = vec![FieldExpiry::NoField; fields.len()];
            return Ok(FieldExpiries { outcomes, hash_deleted: false });
        };
        let mut outcomes = Vec::with_capacity(fields.len());
        let mut deleted = 0;
        for field in fields {
            let field = field.as_ref();
            let hash = element_hash(field);
            let outcome = match self.stored_field_deadline(row.id, field)? {
                None => FieldExpiry::NoField,
                Some(current) if !condition.allows(current, at) => FieldExpiry::ConditionNotMet,
                Some(_) if at <= self.now() => {
                    self.execute(DELETE_FIELD_SQL, params![row.id, hash, field])?;
                    deleted += 1;
                    FieldExpiry::Deleted
                }
                Some(_) => {
                    self.execute(SET_FIELD_DEADLINE_SQL, params![row.id, hash, field, at])?;
                    self.lower_earliest_field_deadline(&mut row, at)?;
                    FieldExpiry::Set
                }
            };
            outcomes.push(outcome);
        }
        self.change_length(&mut row, -deleted)?;
        Ok(FieldExpiries { outcomes, hash_deleted: row.length == 0 })
    }

    /// Gives fields of the hash `key` the deadlines a copy from elsewhere had (an import):
    /// each as given, even one already passed, which then reads as expired until the
    /// sweeper deletes it (as the source would have), with no condition and no event.
    /// Fields that are not there are left out; so is a hash that is not there.
    pub fn hash_restore_field_deadlines<F: AsRef<[u8]>>(
        &mut self,
        db: Db,
        key: &[u8],
        deadlines: &[(F, i64)],
    ) -> Result<()> {
        let Some(mut row) = self.collection_for_write(db, key, KeyType::Hash)? else {
            return Ok(());
        };
        for (field, at) in deadlines {
            let field = field.as_ref();
            let parameters = params![row.id, element_hash(field), field, at];
            if self.execute(SET_FIELD_DEADLINE_SQL, parameters)? > 0 {
                self.lower_earliest_field_deadline(&mut row, *at)?;
            }
        }
        Ok(())
    }

    /// Keeps the bound in the hash's key row at or below `at`, a deadline just given to one
    /// of its fields.
    fn lower_earliest_field_deadline(&mut self, row: &mut KeyRow, at: i64) -> Result<()> {
        if row.earliest_field_deadline.is_some_and(|earliest| earliest <= at) {
            return Ok(());
        }
        self.update_key_row(row.id, SET_EARLIEST_SQL, params![row.id, at], |memo| {
            memo.earliest_field_deadline = Some(at);
        })?;
        row.earliest_field_deadline = Some(at);
        Ok(())
    }

    /// `HPERSIST`: removes the deadline of each of `fields` in the hash `key`.
    pub fn hash_persist_fields<F: AsRef<[u8]>>(
        &mut self,
        db: Db,
        key: &[u8],
        fields: &[F],
    ) -> Result<Vec<FieldPersist>> {
        let touched = fields.iter().map(AsRef::as_ref);
        let Some(row) = self.hash_for_write(db, key, touched)? else {
            return Ok(vec![FieldPersist::NoField; fields.len()]);
        };
        let mut outcomes = Vec::with_capacity(fields.len());
        for field in fields {
            let field = field.as_ref();
            let outcome = match self.stored_field_deadline(row.id, field)? {
                None => FieldPersist::NoField,
                Some(None) => FieldPersist::NoDeadline,
                Some(Some(_)) => {
                    let none: Option<i64> = None;
                    let parameters = params![row.id, element_hash(field), field, none];
                    self.execute(SET_FIELD_DEADLINE_SQL, parameters)?;
                    FieldPersist::Removed
                }
            };
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// The live hash `key` for a write that touches `fields`: `None` when it does not exist,
    /// [`StoreError::WrongType`] for a key of another type. Touched fields that have expired
    /// are deleted first, as Redis's lazy expiry does, so the write sees them as absent (and
    /// the hash as absent when they were all it had).
    pub(crate) fn hash_for_write<'f>(
        &mut self,
        db: Db,
        key: &[u8],
        fields: impl Iterator<Item = &'f [u8]>,
    ) -> Result<Option<KeyRow>> {
        let Some(mut row) = self.collection_for_write(db, key, KeyType::Hash)? else {
            return Ok(None);
        };
        if !self.fields_may_have_expired(&row) {
            return Ok(Some(row));
        }
        let mut deleted = 0;
        for field in fields {
            let parameters = params![row.id, element_hash(field), field, self.now()];
            deleted += self.execute(DELETE_EXPIRED_FIELD_SQL, parameters)?;
        }
        if deleted == 0 {
            return Ok(Some(row));
        }
        self.change_length(&mut row, -i64::try_from(deleted).unwrap_or(i64::MAX))?;
        let hash_deleted = row.length == 0;
        let fields = u64::try_from(deleted).unwrap_or(u64::MAX);
        self.tell_expired(db, key, Expired::Fields { fields, hash_deleted });
        Ok((!hash_deleted).then_some(row))
    }

    /// The hash `key` for a write that touches `fields` and may create it: as
    /// [`Writer::hash_for_write`], and created empty when missing.
    pub(crate) fn hash_or_create<'f>(
        &mut self,
        db: Db,
        key: &[u8],
        fields: impl Iterator<Item = &'f [u8]>,
    ) -> Result<KeyRow> {
        match self.hash_for_write(db, key, fields)? {
            Some(row) => Ok(row),
            None => self.collection_or_create(db, key, KeyType::Hash),
        }
    }

    /// Deletes up to `limit` hash fields whose deadline has passed, the longest expired
    /// first, through the deadline index; a hash left empty is deleted, and the expiry
    /// listener hears of each hash that lost fields. Answers how many fields it deleted.
    pub(crate) fn sweep_expired_fields(&mut self, limit: usize) -> Result<usize> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut expired: Vec<(i64, i64, Vec<u8>)> = {
            let mut statement = self.connection.prepare_cached(SWEEP_FIELDS_SQL)?;
            let rows = statement.query_map(params![self.now(), limit], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        expired.sort_unstable_by_key(|found| found.0);
        let count = expired.len();
        let mut start = 0;
        while start < expired.len() {
            let id = expired[start].0;
            let end = start + expired[start..].iter().take_while(|found| found.0 == id).count();
            for (_, hash, field) in &expired[start..end] {
                self.execute(DELETE_FIELD_SQL, params![id, hash, field])?;
            }
            self.fields_swept(id, i64::try_from(end - start).unwrap_or(i64::MAX))?;
            start = end;
        }
        Ok(count)
    }

    /// Settles the key of a hash (row `id`) that the sweeper took `deleted` expired fields
    /// from: its length, the hash itself when emptied, and the expiry listener. Fields of a
    /// buried hash need none of that (the graveyard takes no count of its elements).
    fn fields_swept(&mut self, id: i64, deleted: i64) -> Result<()> {
        let found = self
            .connection
            .prepare_cached(KEY_OF_FIELD_SQL)?
            .query_row([id], |row| Ok((KeyRow::from_sql(row)?, row.get(6)?, row.get(7)?)))
            .optional()?;
        let Some((mut row, db, key)) = found else { return Ok(()) };
        let (db, key): (i64, Vec<u8>) = (db, key);
        if db == GRAVEYARD_DB || row.kind != KeyType::Hash {
            return Ok(());
        }
        let db = Db::try_from(db).map_err(|_| StoreError::Internal("bad database".into()))?;
        if self.is_expired(row.expires_at) {
            // The whole key has expired too: it goes as an expired key.
            row.length -= deleted;
            return self.delete_expired(db, &key, row);
        }
        self.change_length(&mut row, -deleted)?;
        if row.length > 0 {
            // The bound moves up to the earliest deadline left (NULL when none is).
            let earliest: Option<i64> = self
                .connection
                .prepare_cached(EARLIEST_IN_HASH_SQL)?
                .query_row([id], |found| found.get(0))?;
            self.update_key_row(id, SET_EARLIEST_SQL, params![id, earliest], |memo| {
                memo.earliest_field_deadline = earliest;
            })?;
        }
        let (fields, hash_deleted) = (u64::try_from(deleted).unwrap_or(0), row.length == 0);
        self.tell_expired(db, &key, Expired::Fields { fields, hash_deleted });
        Ok(())
    }
}
