//! Deadlines: reading, setting and clearing them, and the sweeper that deletes expired keys.

use rusqlite::params;

use crate::error::Result;
use crate::reader::{Db, KeyRow, Reader};
use crate::writer::Writer;

/// The oldest expired rows, for the sweeper.
pub(crate) const SWEEP_SQL: &str = "SELECT id, kind, expires_at, length, list_head, \
     earliest_field_deadline, db, key FROM keys \
     WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2";

/// The deadline state of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    /// There is no such key.
    Missing,
    /// The key exists and never expires.
    Persistent,
    /// The key expires at this Unix time in milliseconds.
    At(i64),
}

/// Gives the key `?2` of database `?1` the deadline `?3` if it is alive at the instant `?4`;
/// changes no row otherwise.
pub(crate) const EXPIRE_LIVE_KEY_SQL: &str = "UPDATE keys SET expires_at = ?3 \
     WHERE db = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?4)";

/// The `NX`/`XX`/`GT`/`LT` conditions of `EXPIRE` and friends. The caller rejects the
/// combinations Redis rejects; `XX` may be combined with `GT` or `LT`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExpireCondition {
    /// `NX`: only when the key has no deadline.
    pub only_if_none: bool,
    /// `XX`: only when the key has a deadline.
    pub only_if_some: bool,
    /// `GT`: only when the new deadline is later (no deadline counts as infinitely late).
    pub only_if_later: bool,
    /// `LT`: only when the new deadline is earlier (no deadline counts as infinitely late).
    pub only_if_earlier: bool,
}

impl ExpireCondition {
    pub(crate) fn allows(self, current: Option<i64>, proposed: i64) -> bool {
        if self.only_if_none && current.is_some() {
            return false;
        }
        if self.only_if_some && current.is_none() {
            return false;
        }
        if self.only_if_later && current.is_none_or(|current| proposed <= current) {
            return false;
        }
        if self.only_if_earlier && current.is_some_and(|current| proposed >= current) {
            return false;
        }
        true
    }
}

impl Reader<'_> {
    /// The deadline of `key`.
    pub fn deadline(&self, db: Db, key: &[u8]) -> Result<Deadline> {
        Ok(match self.lookup(db, key)? {
            None => Deadline::Missing,
            Some(KeyRow { expires_at: None, .. }) => Deadline::Persistent,
            Some(KeyRow { expires_at: Some(at), .. }) => Deadline::At(at),
        })
    }

    /// The deadline stored for `key` (Unix ms), even one that has passed while no write and
    /// no sweep has reached the key yet. Every read treats such a key as missing; `WATCH`
    /// needs the deadline, because Redis fails an `EXEC` whose watched key expired since.
    pub fn stored_deadline(&self, db: Db, key: &[u8]) -> Result<Option<i64>> {
        Ok(self.lookup_any(db, key)?.and_then(|row| row.expires_at))
    }
}

impl Writer<'_> {
    /// Gives `key` the deadline `at` (Unix ms) when `condition` allows; a deadline that has
    /// already passed deletes the key. Answers whether the key was changed.
    pub fn expire_at(
        &mut self,
        db: Db,
        key: &[u8],
        at: i64,
        condition: ExpireCondition,
    ) -> Result<bool> {
        // The common `EXPIRE` (no condition, a deadline ahead) of a live key in one statement
        // instead of a lookup and an update. When it changes nothing the key is missing or
        // has expired, and the lookup below tells which (and deletes an expired one).
        let now = self.now();
        if condition == ExpireCondition::default()
            && at > now
            && self.execute(EXPIRE_LIVE_KEY_SQL, params![db, key, at, now])? == 1
        {
            return Ok(true);
        }
        let Some(row) = self.live_row(db, key)? else { return Ok(false) };
        if !condition.allows(row.expires_at, at) {
            return Ok(false);
        }
        if at <= now {
            self.delete_row(row)?;
        } else {
            self.set_deadline(row.id, Some(at))?;
        }
        Ok(true)
    }

    /// Removes the deadline of `key`; answers whether it had one.
    pub fn persist(&mut self, db: Db, key: &[u8]) -> Result<bool> {
        match self.live_row(db, key)? {
            Some(row) if row.expires_at.is_some() => {
                self.set_deadline(row.id, None)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Deletes up to `limit` keys whose deadline has passed, oldest deadline first, through
    /// the deadline index (never a scan of all keys), then up to the rest of `limit` expired
    /// hash fields the same way. Answers how many keys and fields it deleted.
    pub(crate) fn sweep_expired(&mut self, limit: usize) -> Result<usize> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let expired: Vec<(KeyRow, Db, Vec<u8>)> = {
            let mut statement = self.connection.prepare_cached(SWEEP_SQL)?;
            let rows = statement.query_map(params![self.now(), limit], |row| {
                Ok((KeyRow::from_sql(row)?, row.get(6)?, row.get(7)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let count = expired.len();
        for (row, db, key) in expired {
            self.delete_expired(db, &key, row)?;
        }
        let fields = self.sweep_expired_fields(usize::try_from(limit).unwrap_or(0) - count)?;
        Ok(count + fields)
    }
}
