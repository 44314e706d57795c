//! String values: get and set in all their forms, counters, appends and ranges.

use rusqlite::types::ValueRef;
use rusqlite::{OptionalExtension, params};

use crate::error::{Result, StoreError};
use crate::kind::KeyType;
use crate::long_double::LongDouble;
use crate::lookups::{self, FIRST_SELECTED};
use crate::numbers::{format_i64, parse_i64};
use crate::reader::{Db, KeyRow, Reader};
use crate::writer::Writer;

/// Reads a string key in one lookup.
pub(crate) const GET_SQL: &str =
    "SELECT kind, value, expires_at FROM keys WHERE db = ?1 AND key = ?2";

/// When `SET` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SetCondition {
    /// Always.
    #[default]
    Always,
    /// `NX`: only when the key does not exist.
    IfAbsent,
    /// `XX`: only when the key exists.
    IfPresent,
}

/// What happens to the key's deadline when a value is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NewDeadline {
    /// The key has no deadline afterwards (plain `SET`).
    #[default]
    Clear,
    /// An existing deadline is kept (`KEEPTTL`).
    Keep,
    /// The key expires at this Unix time in milliseconds.
    At(i64),
}

/// Overwrites the value of a string key without a deadline (one that never expires cannot
/// have expired); changes no row otherwise. Kind 0 is a string (see `spec/storage.md`). Only
/// `value` is named, so the key-count triggers on `expires_at` are not even considered.
pub(crate) const OVERWRITE_PLAIN_STRING_SQL: &str = "UPDATE keys SET value = ?3 \
     WHERE db = ?1 AND key = ?2 AND kind = 0 AND expires_at IS NULL";

/// Overwrites the value and deadline (`?4`) of a string key alive at the instant `?5`;
/// changes no row otherwise.
pub(crate) const OVERWRITE_LIVE_STRING_SQL: &str = "UPDATE keys SET value = ?3, expires_at = ?4 \
     WHERE db = ?1 AND key = ?2 AND kind = 0 AND (expires_at IS NULL OR expires_at > ?5)";

/// The options of `SET`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetOptions {
    /// `NX` / `XX`.
    pub condition: SetCondition,
    /// `EX`/`PX`/`EXAT`/`PXAT`/`KEEPTTL`.
    pub deadline: NewDeadline,
    /// `GET`: read the previous value (which must be a string) before writing.
    pub return_previous: bool,
}

/// What `SET` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetOutcome {
    /// Whether the value was written (false when `NX`/`XX` prevented it).
    pub written: bool,
    /// The previous string value, when `return_previous` was asked for and there was one.
    pub previous: Option<Vec<u8>>,
    /// Whether the write created the key (it did not exist, or had expired, before).
    pub created: bool,
}

/// How `GETEX` changes the deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineChange {
    /// `PERSIST`: remove it.
    Persist,
    /// `EX`/`PX`/`EXAT`/`PXAT`: expire at this Unix time in milliseconds.
    At(i64),
}

impl Reader<'_> {
    /// The string value of `key`; [`StoreError::WrongType`] when it holds another type.
    pub fn get(&self, db: Db, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let mut statement = self.connection.prepare_cached(GET_SQL)?;
        let found = statement
            .query_row(params![db, key], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Option<Vec<u8>>>(1)?, row.get(2)?))
            })
            .optional()?;
        match found {
            Some((_, _, expires_at)) if self.is_expired(expires_at) => Ok(None),
            Some((kind, value, _)) if kind == KeyType::String.code() => {
                Ok(Some(value.unwrap_or_default()))
            }
            Some(_) => Err(StoreError::WrongType),
            None => Ok(None),
        }
    }

    /// The values of several keys; keys that are missing or not strings give `None`, as
    /// `MGET` answers.
    pub fn get_many<K: AsRef<[u8]>>(&self, db: Db, keys: &[K]) -> Result<Vec<Option<Vec<u8>>>> {
        let mut values = Vec::with_capacity(keys.len());
        self.string_values_each(db, keys, |value| values.push(value.map(<[u8]>::to_vec)))?;
        Ok(values)
    }

    /// `MGET` for a caller that copies the values out itself: shows `visit` each key's value
    /// as SQLite holds it (`None` for a key that is missing or not a string), in the order
    /// asked; the keys are looked up in batches (see `lookups.rs`).
    pub fn string_values_each<K: AsRef<[u8]>>(
        &self,
        db: Db,
        keys: &[K],
        mut visit: impl FnMut(Option<&[u8]>),
    ) -> Result<()> {
        self.look_up_keys(&lookups::KEYS, db, keys, |found| {
            let Some(row) = found else {
                visit(None);
                return Ok(());
            };
            let kind: i64 = row.get(FIRST_SELECTED)?;
            let expires_at: Option<i64> = row.get(FIRST_SELECTED + 2)?;
            if kind != KeyType::String.code() || self.is_expired(expires_at) {
                visit(None);
                return Ok(());
            }
            match row.get_ref(FIRST_SELECTED + 1)? {
                ValueRef::Blob(value) => visit(Some(value)),
                ValueRef::Null => visit(Some(&[])),
                other => {
                    let kind = other.data_type();
                    return Err(StoreError::Internal(format!("a string value stored as {kind}")));
                }
            }
            Ok(())
        })
    }

    /// The length of the string at `key` (0 when missing).
    pub fn string_len(&self, db: Db, key: &[u8]) -> Result<usize> {
        let row = self.string_row(db, key)?;
        let Some(row) = row else { return Ok(0) };
        let length: i64 = self
            .connection
            .prepare_cached("SELECT length(value) FROM keys WHERE id = ?1")?
            .query_row([row.id], |row| row.get::<_, Option<i64>>(0))?
            .unwrap_or(0);
        Ok(usize::try_from(length).unwrap_or(0))
    }

    /// The bytes from `start` to `end` inclusive, with `GETRANGE`'s index rules: negative
    /// indexes count from the end, and out-of-range ones are clamped.
    pub fn get_range(&self, db: Db, key: &[u8], start: i64, end: i64) -> Result<Vec<u8>> {
        let length = i64::try_from(self.string_len(db, key)?).unwrap_or(i64::MAX);
        if start < 0 && end < 0 && start > end {
            return Ok(Vec::new());
        }
        let start = if start < 0 { (length + start).max(0) } else { start };
        let end = if end < 0 { (length + end).max(0) } else { end }.min(length - 1);
        if start > end || length == 0 {
            return Ok(Vec::new());
        }
        let slice: Option<Vec<u8>> = self
            .connection
            .prepare_cached(
                "SELECT substr(value, ?3 + 1, ?4) FROM keys WHERE db = ?1 AND key = ?2",
            )?
            .query_row(params![db, key, start, end - start + 1], |row| row.get(0))
            .optional()?
            .flatten();
        Ok(slice.unwrap_or_default())
    }

    /// The live row of `key` when it is a string; [`StoreError::WrongType`] otherwise.
    pub(crate) fn string_row(&self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        match self.lookup(db, key)? {
            Some(row) if row.kind != KeyType::String => Err(StoreError::WrongType),
            row => Ok(row),
        }
    }
}

impl Writer<'_> {
    /// `SET` with all its options.
    pub fn set(
        &mut self,
        db: Db,
        key: &[u8],
        value: &[u8],
        options: SetOptions,
    ) -> Result<SetOutcome> {
        // The most common SETs overwrite a live string or create a key, with no deadline or
        // a new one (`EX` and the like): an `UPDATE` finds and rewrites the row, or, when it
        // changes nothing, an insert that gives way to any row of that name creates the key
        // (a lookup first would search the key's index and its row twice). When neither
        // changes anything, the key holds another type or has expired, or a plain `SET` has
        // a deadline to clear, and the general path below runs.
        if let Some(created) = self.write_string_directly(db, key, value, options)? {
            return Ok(SetOutcome { written: true, previous: None, created });
        }
        // With GET the previous value is needed (and must be a string); without it, a key of
        // any type is simply replaced, so the cheaper row lookup is enough.
        let (existing, previous) = if options.return_previous {
            match self.live_string(db, key)? {
                Some((row, value)) => (Some(row), Some(value)),
                None => (None, None),
            }
        } else {
            (self.live_row(db, key)?, None)
        };
        let blocked = match options.condition {
            SetCondition::Always => false,
            SetCondition::IfAbsent => existing.is_some(),
            SetCondition::IfPresent => existing.is_none(),
        };
        if blocked {
            return Ok(SetOutcome { written: false, previous, created: false });
        }
        let expires_at = match options.deadline {
            NewDeadline::Clear => None,
            NewDeadline::Keep => existing.and_then(|row| row.expires_at),
            NewDeadline::At(at) => Some(at),
        };
        let created = existing.is_none();
        self.put_string(db, key, existing, value, expires_at)?;
        Ok(SetOutcome { written: true, previous, created })
    }

    /// The direct `SET` (see [`Writer::set`]) of a value with no condition, no `GET` and no
    /// `KEEPTTL`: `Some(created)` once written, `None` when it changed nothing.
    ///
    /// An existing string is overwritten by an `UPDATE`, and only a miss tries the insert.
    /// One upsert for both (`INSERT … ON CONFLICT DO UPDATE`, as `HSET` does) was measured:
    /// a new key cost 1.3 µs less, but an overwrite, the more common, more (its insert
    /// branch makes a row id and a record before it meets the conflict), and pipelined
    /// `SET`s of existing keys ran 15% slower in two full benchmark runs.
    fn write_string_directly(
        &mut self,
        db: Db,
        key: &[u8],
        value: &[u8],
        options: SetOptions,
    ) -> Result<Option<bool>> {
        if options.condition != SetCondition::Always || options.return_previous {
            return Ok(None);
        }
        let (overwritten, expires_at) = match options.deadline {
            NewDeadline::Clear => {
                (self.execute(OVERWRITE_PLAIN_STRING_SQL, params![db, key, value])?, None)
            }
            NewDeadline::At(at) => {
                let now = self.now();
                let parameters = params![db, key, value, at, now];
                (self.execute(OVERWRITE_LIVE_STRING_SQL, parameters)?, Some(at))
            }
            NewDeadline::Keep => return Ok(None),
        };
        if overwritten == 1 {
            return Ok(Some(false));
        }
        Ok(self.create_string(db, key, value, expires_at)?.then_some(true))
    }

    /// `MSET` (`only_if_none_exist == false`) and `MSETNX` (`true`): writes all pairs, or
    /// with `MSETNX` none when any key exists. Answers whether the pairs were written.
    pub fn set_many<K: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        db: Db,
        pairs: &[(K, V)],
        only_if_none_exist: bool,
    ) -> Result<bool> {
        if only_if_none_exist {
            for (key, _) in pairs {
                if self.live_row(db, key.as_ref())?.is_some() {
                    return Ok(false);
                }
            }
        }
        // Each pair is a plain `SET`, so the common overwrite of a string without a deadline
        // takes its single statement and a new key two; a key named twice ends with its last
        // value.
        for (key, value) in pairs {
            self.set(db, key.as_ref(), value.as_ref(), SetOptions::default())?;
        }
        Ok(true)
    }

    /// `GETDEL`: the string value, and the key is deleted.
    pub fn get_delete(&mut self, db: Db, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let Some((row, value)) = self.live_string(db, key)? else { return Ok(None) };
        self.delete_row(row)?;
        Ok(Some(value))
    }

    /// `GETEX`: the string value, with its deadline changed as asked; a deadline already
    /// passed deletes the key.
    pub fn get_change_deadline(
        &mut self,
        db: Db,
        key: &[u8],
        change: Option<DeadlineChange>,
    ) -> Result<Option<Vec<u8>>> {
        let Some((row, value)) = self.live_string(db, key)? else { return Ok(None) };
        match change {
            None => {}
            // Like Redis, removing a deadline the key does not have is no write (and no
            // change for WATCH).
            Some(DeadlineChange::Persist) if row.expires_at.is_none() => {}
            Some(DeadlineChange::Persist) => self.set_deadline(row.id, None)?,
            Some(DeadlineChange::At(at)) if at <= self.now() => self.delete_row(row)?,
            Some(DeadlineChange::At(at)) => self.set_deadline(row.id, Some(at))?,
        }
        Ok(Some(value))
    }

    /// `INCRBY`: adds `delta` to the integer at `key` (0 when missing), keeping its deadline.
    pub fn increment(&mut self, db: Db, key: &[u8], delta: i64) -> Result<i64> {
        // The common cases: a counter that exists, in one statement, and a key not there at
        // all, created by the insert that follows (one upsert for both would cost an existing
        // counter about 1 µs more, as for `SET`: see `write_string_directly`).
        if let Some(updated) = self.increment_live_string(db, key, delta)? {
            return Ok(updated);
        }
        if self.create_string(db, key, &format_i64(delta), None)? {
            return Ok(delta);
        }
        let found = self.live_string(db, key)?;
        let current = match &found {
            Some((_, value)) => parse_i64(value).ok_or(StoreError::NotInteger)?,
            None => 0,
        };
        let updated = current.checked_add(delta).ok_or(StoreError::Overflow)?;
        let existing = found.map(|(row, _)| row);
        self.put_string_keeping_deadline(db, key, existing, &format_i64(updated))?;
        Ok(updated)
    }

    /// `INCRBYFLOAT`: adds the number written in `delta` with Redis's long-double arithmetic
    /// and formatting; answers the new value's text.
    pub fn increment_float(&mut self, db: Db, key: &[u8], delta: &[u8]) -> Result<Vec<u8>> {
        let found = self.live_string(db, key)?;
        let current = match &found {
            Some((_, value)) => LongDouble::parse(value).ok_or(StoreError::NotFloat)?,
            None => LongDouble::from_i64(0),
        };
        let existing = found.map(|(row, _)| row);
        let delta = LongDouble::parse(delta).ok_or(StoreError::NotFloat)?;
        let updated = current.add(delta);
        if !updated.is_finite() {
            return Err(StoreError::NanOrInfinity);
        }
        let text = updated.to_human_string().unwrap_or_default().into_bytes();
        self.put_string_keeping_deadline(db, key, existing, &text)?;
        Ok(text)
    }

    /// `APPEND`: answers the new length.
    pub fn append(&mut self, db: Db, key: &[u8], suffix: &[u8]) -> Result<usize> {
        let (existing, mut value) = self.split_string(db, key)?;
        self.check_length(value.len().saturating_add(suffix.len()))?;
        value.extend_from_slice(suffix);
        self.put_string_keeping_deadline(db, key, existing, &value)?;
        Ok(value.len())
    }

    /// `SETRANGE`: overwrites from `offset`, padding with zero bytes; answers the new length.
    /// An empty `value` changes nothing (and creates no key).
    pub fn set_range(&mut self, db: Db, key: &[u8], offset: usize, value: &[u8]) -> Result<usize> {
        if value.is_empty() {
            return match self.string_row(db, key)? {
                Some(_) => self.string_len(db, key),
                None => Ok(0),
            };
        }
        let end = offset.checked_add(value.len()).ok_or(StoreError::StringTooLong)?;
        let (existing, mut bytes) = self.split_string(db, key)?;
        self.check_length(end)?;
        if bytes.len() < end {
            bytes.resize(end, 0);
        }
        bytes[offset..end].copy_from_slice(value);
        self.put_string_keeping_deadline(db, key, existing, &bytes)?;
        Ok(bytes.len())
    }

    /// The live string at `key` as (its row, its bytes), or (none, empty) when missing: the
    /// starting point of every in-place edit.
    pub(crate) fn split_string(&mut self, db: Db, key: &[u8]) -> Result<(Option<KeyRow>, Vec<u8>)> {
        Ok(match self.live_string(db, key)? {
            Some((row, value)) => (Some(row), value),
            None => (None, Vec::new()),
        })
    }

    pub(crate) fn check_length(&self, length: usize) -> Result<()> {
        if length > self.max_string_len() { Err(StoreError::StringTooLong) } else { Ok(()) }
    }
}
