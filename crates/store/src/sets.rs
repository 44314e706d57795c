//! Sets: unordered collections of distinct members (`SADD`, `SREM`, `SISMEMBER`, `SPOP`,
//! `SMOVE`, `SSCAN` …). The commands over several sets live in `set_algebra.rs`.
//!
//! Each member is one row of `set_members`, keyed by `(key_id, hash, member)` where `hash` is
//! the member's [`element_hash`]: adding, removing or testing a member is one index search
//! whatever the set's size, and `SSCAN` cursors walk the hash order.

use rusqlite::{OptionalExtension, params};

use crate::collections::{
    ElementPage, ElementScan, HashedElements, element_bytes, element_hash, names_in_hash_order,
};
use crate::error::Result;
use crate::kind::KeyType;
use crate::lookups;
use crate::reader::{Db, KeyRow, Reader};
use crate::writer::Writer;

/// Whether a member belongs to a set.
pub(crate) const SET_CONTAINS_SQL: &str =
    "SELECT 1 FROM set_members WHERE key_id = ?1 AND hash = ?2 AND member = ?3";
/// Every member of a set with its hash, in hash order.
pub(crate) const SET_ALL_SQL: &str =
    "SELECT hash, member FROM set_members WHERE key_id = ?1 ORDER BY hash, member";
/// Adds a member; does nothing when it is already there.
pub(crate) const SET_INSERT_SQL: &str =
    "INSERT OR IGNORE INTO set_members (key_id, hash, member) VALUES (?1, ?2, ?3)";
/// Removes a member.
pub(crate) const SET_DELETE_SQL: &str =
    "DELETE FROM set_members WHERE key_id = ?1 AND hash = ?2 AND member = ?3";
/// How scans and random picks read members (see `names_in_hash_order`).
pub(crate) const SET_ELEMENTS: HashedElements<Vec<u8>> =
    names_in_hash_order!("set_members", "member");

/// A member with its [`element_hash`].
pub(crate) type HashedMember = (i64, Vec<u8>);

impl Reader<'_> {
    /// The row of the live set `key`; a key of another type is
    /// [`StoreError::WrongType`](crate::StoreError::WrongType).
    pub(crate) fn set_row(&self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        self.collection(db, key, KeyType::Set)
    }

    /// Whether the set in row `id` holds `member` (whose hash is `hash`).
    pub(crate) fn set_contains(&self, id: i64, hash: i64, member: &[u8]) -> Result<bool> {
        let mut statement = self.connection.prepare_cached(SET_CONTAINS_SQL)?;
        Ok(statement.query_row(params![id, hash, member], |_| Ok(())).optional()?.is_some())
    }

    /// Every member of the set in row `id`, with its hash, in hash order.
    pub(crate) fn set_all(&self, id: i64) -> Result<Vec<HashedMember>> {
        let mut statement = self.connection.prepare_cached(SET_ALL_SQL)?;
        let rows = statement.query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every member of the set in row `id`, in hash order.
    fn set_members_of(&self, id: i64) -> Result<Vec<Vec<u8>>> {
        let mut members = Vec::new();
        self.each_member(id, |member| members.push(member.to_vec()))?;
        Ok(members)
    }

    /// Shows `visit` each member of the set in row `id`, in hash order, as SQLite holds it.
    fn each_member(&self, id: i64, mut visit: impl FnMut(&[u8])) -> Result<()> {
        let mut statement = self.connection.prepare_cached(SET_ALL_SQL)?;
        let mut rows = statement.query([id])?;
        while let Some(row) = rows.next()? {
            visit(element_bytes(row, 1)?);
        }
        Ok(())
    }

    /// `SISMEMBER`.
    pub fn set_is_member(&self, db: Db, key: &[u8], member: &[u8]) -> Result<bool> {
        match self.set_row(db, key)? {
            Some(row) => self.set_contains(row.id, element_hash(member), member),
            None => Ok(false),
        }
    }

    /// `SMISMEMBER`: whether each member belongs to the set, in order.
    pub fn set_are_members<M: AsRef<[u8]>>(
        &self,
        db: Db,
        key: &[u8],
        members: &[M],
    ) -> Result<Vec<bool>> {
        let Some(row) = self.set_row(db, key)? else { return Ok(vec![false; members.len()]) };
        let mut found = Vec::with_capacity(members.len());
        self.look_up_elements(&lookups::SET_MEMBERS, row.id, members, |row| {
            found.push(row.is_some());
            Ok(())
        })?;
        Ok(found)
    }

    /// `SCARD`: how many members the set has.
    pub fn set_len(&self, db: Db, key: &[u8]) -> Result<i64> {
        self.collection_length(db, key, KeyType::Set)
    }

    /// `SMEMBERS`: every member, in hash order.
    pub fn set_members(&self, db: Db, key: &[u8]) -> Result<Vec<Vec<u8>>> {
        let Some(row) = self.set_row(db, key)? else { return Ok(Vec::new()) };
        self.set_members_of(row.id)
    }

    /// `SMEMBERS` for a caller that copies the members out itself: shows `visit` each member
    /// (in hash order) as SQLite holds it, without a copy of its own per member.
    pub fn set_members_each(&self, db: Db, key: &[u8], visit: impl FnMut(&[u8])) -> Result<()> {
        let Some(row) = self.set_row(db, key)? else { return Ok(()) };
        self.each_member(row.id, visit)
    }

    /// `SRANDMEMBER`: `None` when the key does not exist; otherwise members chosen with
    /// Redis's count rules (see `choose_random`), one when `count` is `None`.
    pub fn set_random_members(
        &self,
        db: Db,
        key: &[u8],
        count: Option<i64>,
    ) -> Result<Option<Vec<Vec<u8>>>> {
        let Some(row) = self.set_row(db, key)? else { return Ok(None) };
        Ok(Some(self.choose_members(row, count.unwrap_or(1))?))
    }

    fn choose_members(&self, row: KeyRow, count: i64) -> Result<Vec<Vec<u8>>> {
        self.random_elements(row, count, &SET_ELEMENTS, |id| self.set_members_of(id))
    }

    /// `SSCAN`: one page of members.
    pub fn set_scan(
        &self,
        db: Db,
        key: &[u8],
        cursor: u64,
        options: ElementScan<'_>,
    ) -> Result<ElementPage<Vec<u8>>> {
        let row = self.set_row(db, key)?;
        self.element_page(row, cursor, options, &SET_ELEMENTS, |id| self.set_members_of(id))
    }
}

impl Writer<'_> {
    /// Adds `member` (whose hash is `hash`) to the set in row `id`; answers whether it is new.
    pub(crate) fn set_insert(&mut self, id: i64, hash: i64, member: &[u8]) -> Result<bool> {
        Ok(self.execute(SET_INSERT_SQL, params![id, hash, member])? == 1)
    }

    /// Removes `member` from the set in row `id`; answers whether it was there. The caller
    /// records the change with [`Writer::change_length`].
    pub(crate) fn set_remove_member(&mut self, id: i64, hash: i64, member: &[u8]) -> Result<bool> {
        Ok(self.execute(SET_DELETE_SQL, params![id, hash, member])? == 1)
    }

    /// `SADD`: adds the members; answers how many were new.
    pub fn set_add<M: AsRef<[u8]>>(&mut self, db: Db, key: &[u8], members: &[M]) -> Result<i64> {
        let mut row = self.collection_or_create(db, key, KeyType::Set)?;
        let mut added = 0;
        for member in members {
            let member = member.as_ref();
            added += i64::from(self.set_insert(row.id, element_hash(member), member)?);
        }
        self.change_length(&mut row, added)?;
        Ok(added)
    }

    /// `SREM`: removes the members; answers how many were there. The set goes when emptied.
    pub fn set_remove<M: AsRef<[u8]>>(&mut self, db: Db, key: &[u8], members: &[M]) -> Result<i64> {
        let Some(mut row) = self.collection_for_write(db, key, KeyType::Set)? else {
            return Ok(0);
        };
        let mut removed = 0;
        for member in members {
            let member = member.as_ref();
            removed += i64::from(self.set_remove_member(row.id, element_hash(member), member)?);
        }
        self.change_length(&mut row, -removed)?;
        Ok(removed)
    }

    /// `SPOP`: removes and answers members chosen at random, one when `count` is `None`, at
    /// most `count` distinct ones otherwise; `None` when the key does not exist. Popping
    /// every member deletes the set.
    pub fn set_pop(
        &mut self,
        db: Db,
        key: &[u8],
        count: Option<u64>,
    ) -> Result<Option<Vec<Vec<u8>>>> {
        let Some(mut row) = self.collection_for_write(db, key, KeyType::Set)? else {
            return Ok(None);
        };
        let count = i64::try_from(count.unwrap_or(1)).unwrap_or(i64::MAX);
        if count >= row.length {
            // Everything goes: read the members, then drop the key the cheap way (a big set
            // is reclaimed in the background).
            let members = self.set_members_of(row.id)?;
            self.delete_row(row)?;
            return Ok(Some(members));
        }
        let chosen = self.choose_members(row, count)?;
        for member in &chosen {
            self.set_remove_member(row.id, element_hash(member), member)?;
        }
        self.change_length(&mut row, -i64::try_from(chosen.len()).unwrap_or(i64::MAX))?;
        Ok(Some(chosen))
    }

    /// `SMOVE`: moves `member` from set `source` to set `destination`; answers whether it was
    /// in `source`. As in Redis, a missing source answers `false` before any type check, and
    /// a destination of another type is an error even when the member is absent.
    pub fn set_move(
        &mut self,
        db: Db,
        source: &[u8],
        destination: &[u8],
        member: &[u8],
    ) -> Result<bool> {
        let Some(mut from) = self.live_row(db, source)? else { return Ok(false) };
        if from.kind != KeyType::Set {
            return Err(crate::StoreError::WrongType);
        }
        self.collection_for_write(db, destination, KeyType::Set)?;
        let hash = element_hash(member);
        if source == destination {
            return self.set_contains(from.id, hash, member);
        }
        if !self.set_remove_member(from.id, hash, member)? {
            return Ok(false);
        }
        self.change_length(&mut from, -1)?;
        let mut to = self.collection_or_create(db, destination, KeyType::Set)?;
        let added = self.set_insert(to.id, hash, member)?;
        self.change_length(&mut to, i64::from(added))?;
        Ok(true)
    }
}
