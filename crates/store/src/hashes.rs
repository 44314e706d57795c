//! Hashes: maps of fields to values (`HSET`, `HGET`, `HINCRBY`, `HSCAN` …).
//!
//! Each field is one row of `hash_fields`, keyed by `(key_id, hash, field)` where `hash` is
//! the field's [`element_hash`]: a point lookup is one index search whatever the hash's size,
//! and `HSCAN` cursors walk the hash order.

use rusqlite::{OptionalExtension, params};

use crate::collections::{
    ElementPage, ElementScan, HashedElements, element_bytes, element_hash, names_in_hash_order,
};
use crate::error::{Result, StoreError};
use crate::field_deadlines::live_field;
use crate::kind::KeyType;
use crate::long_double::LongDouble;
use crate::lookups::{self, FIRST_SELECTED};
use crate::numbers::format_i64;
use crate::reader::{Db, KeyRow, Reader};
use crate::upserts::Upserted;
use crate::writer::Writer;

// Every read of fields keeps only the live ones (see `field_deadlines`).

/// A field value's length, without the value.
pub(crate) const HASH_VALUE_LEN_SQL: &str = concat!(
    "SELECT length(value) FROM hash_fields WHERE key_id = ?1 AND hash = ?2 AND field = ?3 AND ",
    live_field!()
);
/// A field's value by name.
pub(crate) const HASH_GET_SQL: &str = concat!(
    "SELECT value FROM hash_fields WHERE key_id = ?1 AND hash = ?2 AND field = ?3 AND ",
    live_field!()
);
/// Fields and values from a hash onwards, for scans and random picks.
pub(crate) const HASH_FROM_SQL: &str = concat!(
    "SELECT hash, field, value FROM hash_fields WHERE key_id = ?1 AND hash >= ?2 AND hash <= ?3 \
     AND ",
    live_field!(),
    " ORDER BY hash LIMIT ?4"
);
const HASH_RANK_SQL: &str = concat!(
    "SELECT hash, field, value FROM hash_fields WHERE key_id = ?1 AND ",
    live_field!(),
    " ORDER BY hash LIMIT 1 OFFSET ?2"
);
/// The field `?4` places after `(?2, ?3)` in hash order, for several random picks.
pub(crate) const HASH_AFTER_SQL: &str = concat!(
    "SELECT hash, field, value FROM hash_fields WHERE key_id = ?1 AND (hash, field) > (?2, ?3) \
     AND ",
    live_field!(),
    " ORDER BY hash, field LIMIT 1 OFFSET ?4"
);
/// How scans and random picks read fields.
const HASH_ELEMENTS: HashedElements<FieldValue> = HashedElements {
    by_rank: HASH_RANK_SQL,
    after: HASH_AFTER_SQL,
    from_hash: HASH_FROM_SQL,
    read: |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))),
    name: |(field, _)| field,
};
/// The same three reads for fields alone (`HRANDFIELD` without `WITHVALUES`, `HSCAN …
/// NOVALUES`): a value is never read, however long.
pub(crate) const HASH_FIELD_ELEMENTS: HashedElements<Vec<u8>> =
    names_in_hash_order!("hash_fields", "field", live_field!());
/// Every field of a hash, in hash order, without the values (`HKEYS`).
pub(crate) const HASH_NAMES_SQL: &str = concat!(
    "SELECT field FROM hash_fields WHERE key_id = ?1 AND ",
    live_field!(),
    " ORDER BY hash, field"
);
const HASH_ALL_SQL: &str = concat!(
    "SELECT field, value FROM hash_fields WHERE key_id = ?1 AND ",
    live_field!(),
    " ORDER BY hash, field"
);
const HASH_INSERT_SQL: &str =
    "INSERT INTO hash_fields (key_id, hash, field, value) VALUES (?1, ?2, ?3, ?4)";
/// Sets a field, new or not, without a deadline (`HSET` replaces a field); the update
/// branch marks itself (see `upserts`).
const HASH_PUT_SQL: &str = "INSERT INTO hash_fields (key_id, hash, field, value) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET value = excluded.value, \
     expires_at = NULL WHERE resplite_mark_update()";
/// Sets a field's value, keeping the deadline of one that exists (`HINCRBYFLOAT` changes a
/// value without replacing the field).
const HASH_PUT_VALUE_SQL: &str = "INSERT INTO hash_fields (key_id, hash, field, value) \
     VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT DO UPDATE SET value = excluded.value WHERE resplite_mark_update()";
/// Adds `?4` to the integer in an existing field (see `increments`).
pub(crate) const HASH_INCREMENT_SQL: &str = "UPDATE hash_fields SET value = resplite_add_integer(value, ?4) \
     WHERE key_id = ?1 AND hash = ?2 AND field = ?3";
const HASH_DELETE_SQL: &str =
    "DELETE FROM hash_fields WHERE key_id = ?1 AND hash = ?2 AND field = ?3";

/// A field and its value.
pub type FieldValue = (Vec<u8>, Vec<u8>);

/// The statement that replaces fields of the hash of `row`: the one that drops deadlines
/// when a field of it may have one, else the plain one (nothing to drop).
fn replacing_put(row: &KeyRow) -> &'static str {
    if row.earliest_field_deadline.is_some() { HASH_PUT_SQL } else { HASH_PUT_VALUE_SQL }
}

impl Reader<'_> {
    fn hash_row(&self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        self.collection(db, key, KeyType::Hash)
    }

    fn field_value(&self, id: i64, field: &[u8]) -> Result<Option<Vec<u8>>> {
        let mut statement = self.connection.prepare_cached(HASH_GET_SQL)?;
        Ok(statement
            .query_row(params![id, element_hash(field), field], |row| row.get(0))
            .optional()?)
    }

    /// `HGET`: the value of `field`, if the hash and the field exist.
    pub fn hash_get(&self, db: Db, key: &[u8], field: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.hash_row(db, key)? {
            Some(row) => self.field_value(row.id, field),
            None => Ok(None),
        }
    }

    /// `HMGET`: the value of each field, in order.
    pub fn hash_get_many<F: AsRef<[u8]>>(
        &self,
        db: Db,
        key: &[u8],
        fields: &[F],
    ) -> Result<Vec<Option<Vec<u8>>>> {
        let mut values = Vec::with_capacity(fields.len());
        self.hash_values_each(db, key, fields, |value| values.push(value.map(<[u8]>::to_vec)))?;
        Ok(values)
    }

    /// `HMGET` for a caller that copies the values out itself: shows `visit` each field's
    /// value as SQLite holds it (`None` for a missing field or hash), in the order asked.
    pub fn hash_values_each<F: AsRef<[u8]>>(
        &self,
        db: Db,
        key: &[u8],
        fields: &[F],
        mut visit: impl FnMut(Option<&[u8]>),
    ) -> Result<()> {
        let Some(row) = self.hash_row(db, key)? else {
            fields.iter().for_each(|_| visit(None));
            return Ok(());
        };
        self.look_up_elements(&lookups::HASH_FIELDS, row.id, fields, |found| {
            visit(found.map(|found| element_bytes(found, FIRST_SELECTED)).transpose()?);
            Ok(())
        })
    }

    /// `HGETALL`: every field with its value.
    pub fn hash_get_all(&self, db: Db, key: &[u8]) -> Result<Vec<FieldValue>> {
        let Some(row) = self.hash_row(db, key)? else { return Ok(Vec::new()) };
        self.all_fields(row.id)
    }

    /// `HGETALL` for a caller that copies the pairs out itself: shows `visit` each field and
    /// its value (in hash order) as SQLite holds them, without a copy of its own per pair.
    pub fn hash_fields_each(
        &self,
        db: Db,
        key: &[u8],
        visit: impl FnMut(&[u8], &[u8]),
    ) -> Result<()> {
        let Some(row) = self.hash_row(db, key)? else { return Ok(()) };
        self.each_field(row.id, visit)
    }

    /// `HKEYS` for a caller that copies the fields out itself: shows `visit` each field (in
    /// hash order) as SQLite holds it. The values are not read, however long they are.
    pub fn hash_field_names_each(
        &self,
        db: Db,
        key: &[u8],
        mut visit: impl FnMut(&[u8]),
    ) -> Result<()> {
        let Some(row) = self.hash_row(db, key)? else { return Ok(()) };
        let mut statement = self.connection.prepare_cached(HASH_NAMES_SQL)?;
        let mut rows = statement.query([row.id])?;
        while let Some(row) = rows.next()? {
            visit(element_bytes(row, 0)?);
        }
        Ok(())
    }

    fn all_field_names(&self, id: i64) -> Result<Vec<Vec<u8>>> {
        let mut statement = self.connection.prepare_cached(HASH_NAMES_SQL)?;
        let names = statement.query_map([id], |row| row.get(0))?;
        Ok(names.collect::<rusqlite::Result<_>>()?)
    }

    fn all_fields(&self, id: i64) -> Result<Vec<FieldValue>> {
        let mut pairs = Vec::new();
        self.each_field(id, |field, value| pairs.push((field.to_vec(), value.to_vec())))?;
        Ok(pairs)
    }

    /// Shows `visit` each field and value of the hash in row `id`, in hash order.
    fn each_field(&self, id: i64, mut visit: impl FnMut(&[u8], &[u8])) -> Result<()> {
        let mut statement = self.connection.prepare_cached(HASH_ALL_SQL)?;
        let mut rows = statement.query([id])?;
        while let Some(row) = rows.next()? {
            visit(element_bytes(row, 0)?, element_bytes(row, 1)?);
        }
        Ok(())
    }

    /// `HLEN`: how many fields the hash has.
    pub fn hash_len(&self, db: Db, key: &[u8]) -> Result<i64> {
        self.collection_length(db, key, KeyType::Hash)
    }

    /// `HEXISTS`.
    pub fn hash_exists(&self, db: Db, key: &[u8], field: &[u8]) -> Result<bool> {
        Ok(self.field_value_len(db, key, field)?.is_some())
    }

    /// `HSTRLEN`: the length of a field's value (0 when absent).
    pub fn hash_value_len(&self, db: Db, key: &[u8], field: &[u8]) -> Result<usize> {
        Ok(self.field_value_len(db, key, field)?.unwrap_or(0))
    }

    /// The length of a field's value, if the hash and the field exist, without reading the
    /// value (SQLite's `length()` of a column looks at the record's header only).
    fn field_value_len(&self, db: Db, key: &[u8], field: &[u8]) -> Result<Option<usize>> {
        let Some(row) = self.hash_row(db, key)? else { return Ok(None) };
        let mut statement = self.connection.prepare_cached(HASH_VALUE_LEN_SQL)?;
        let length: Option<i64> = statement
            .query_row(params![row.id, element_hash(field), field], |row| row.get(0))
            .optional()?;
        Ok(length.map(|length| usize::try_from(length).unwrap_or(0)))
    }

    /// `HRANDFIELD`: `None` when the key does not exist; otherwise fields chosen with
    /// Redis's count rules (see `choose_random`), one when `count` is `None`.
    pub fn hash_random_fields(
        &self,
        db: Db,
        key: &[u8],
        count: Option<i64>,
    ) -> Result<Option<Vec<FieldValue>>> {
        let Some(row) = self.live_hash_row(db, key)? else { return Ok(None) };
        let all = |id| self.all_fields(id);
        Ok(Some(self.random_elements(row, count.unwrap_or(1), &HASH_ELEMENTS, all)?))
    }

    /// `HRANDFIELD` without `WITHVALUES`: as [`Reader::hash_random_fields`], without reading
    /// the values.
    pub fn hash_random_field_names(
        &self,
        db: Db,
        key: &[u8],
        count: Option<i64>,
    ) -> Result<Option<Vec<Vec<u8>>>> {
        let Some(row) = self.live_hash_row(db, key)? else { return Ok(None) };
        let all = |id| self.all_field_names(id);
        Ok(Some(self.random_elements(row, count.unwrap_or(1), &HASH_FIELD_ELEMENTS, all)?))
    }

    /// `HSCAN … NOVALUES`: one page of fields, without reading the values; the same pages
    /// as [`Reader::hash_scan`] gives for the same cursor.
    pub fn hash_scan_fields(
        &self,
        db: Db,
        key: &[u8],
        cursor: u64,
        options: ElementScan<'_>,
    ) -> Result<ElementPage<Vec<u8>>> {
        let row = self.live_hash_row(db, key)?;
        self.element_page(row, cursor, options, &HASH_FIELD_ELEMENTS, |id| self.all_field_names(id))
    }

    /// `HSCAN`: one page of fields with their values.
    pub fn hash_scan(
        &self,
        db: Db,
        key: &[u8],
        cursor: u64,
        options: ElementScan<'_>,
    ) -> Result<ElementPage<FieldValue>> {
        let row = self.live_hash_row(db, key)?;
        self.element_page(row, cursor, options, &HASH_ELEMENTS, |id| self.all_fields(id))
    }
}

impl Writer<'_> {
    /// Sets one field of the hash in `row` through `sql` (one of the two put statements);
    /// answers whether the field is new.
    fn put_field(&mut self, sql: &str, id: i64, field: &[u8], value: &[u8]) -> Result<bool> {
        let parameters = params![id, element_hash(field), field, value];
        Ok(self.upsert(sql, parameters)? == Upserted::Inserted)
    }

    /// `HSET`/`HMSET`: sets each field (a later pair wins over an earlier one with the same
    /// field); answers how many fields were added rather than updated.
    pub fn hash_set<F: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        db: Db,
        key: &[u8],
        pairs: &[(F, V)],
    ) -> Result<i64> {
        let mut row =
            self.hash_or_create(db, key, pairs.iter().map(|(field, _)| field.as_ref()))?;
        let put = replacing_put(&row);
        let mut added = 0;
        for (field, value) in pairs {
            if self.put_field(put, row.id, field.as_ref(), value.as_ref())? {
                added += 1;
            }
        }
        self.change_length(&mut row, added)?;
        Ok(added)
    }

    /// `HSETNX`: sets `field` only when it does not exist; answers whether it did.
    pub fn hash_set_if_absent(
        &mut self,
        db: Db,
        key: &[u8],
        field: &[u8],
        value: &[u8],
    ) -> Result<bool> {
        let mut row = self.hash_or_create(db, key, std::iter::once(field))?;
        if self.field_value(row.id, field)?.is_some() {
            return Ok(false);
        }
        self.execute(HASH_INSERT_SQL, params![row.id, element_hash(field), field, value])?;
        self.change_length(&mut row, 1)?;
        Ok(true)
    }

    /// `HDEL`: deletes the fields; answers how many existed. The hash goes when emptied.
    pub fn hash_delete<F: AsRef<[u8]>>(&mut self, db: Db, key: &[u8], fields: &[F]) -> Result<i64> {
        let touched = fields.iter().map(AsRef::as_ref);
        let Some(mut row) = self.hash_for_write(db, key, touched)? else { return Ok(0) };
        let mut deleted = 0;
        for field in fields {
            let field = field.as_ref();
            let hash = element_hash(field);
            deleted += self.execute(HASH_DELETE_SQL, params![row.id, hash, field])?;
        }
        let deleted = i64::try_from(deleted).unwrap_or(i64::MAX);
        self.change_length(&mut row, -deleted)?;
        Ok(deleted)
    }

    /// `HINCRBY`: adds `delta` to the integer in `field` (absent counts as 0).
    pub fn hash_increment(&mut self, db: Db, key: &[u8], field: &[u8], delta: i64) -> Result<i64> {
        let mut row = self.hash_or_create(db, key, std::iter::once(field))?;
        // An existing field in one statement; a new one starts from 0.
        let parameters = params![row.id, element_hash(field), field, delta];
        match self.add_to_integer(HASH_INCREMENT_SQL, parameters) {
            Ok(Some(updated)) => return Ok(updated),
            Ok(None) => {}
            Err(StoreError::NotInteger) => return Err(StoreError::HashValueNotInteger),
            Err(error) => return Err(error),
        }
        if self.put_field(replacing_put(&row), row.id, field, &format_i64(delta))? {
            self.change_length(&mut row, 1)?;
        }
        Ok(delta)
    }

    /// `HINCRBYFLOAT`: adds the number written in `delta` with Redis's long-double arithmetic
    /// and formatting; answers the new value's text.
    pub fn hash_increment_float(
        &mut self,
        db: Db,
        key: &[u8],
        field: &[u8],
        delta: &[u8],
    ) -> Result<Vec<u8>> {
        let delta = LongDouble::parse(delta).ok_or(StoreError::NotFloat)?;
        if !delta.is_finite() {
            return Err(StoreError::NanOrInfinityArgument);
        }
        let mut row = self.hash_or_create(db, key, std::iter::once(field))?;
        let current = match self.field_value(row.id, field)? {
            Some(value) => LongDouble::parse(&value).ok_or(StoreError::HashValueNotFloat)?,
            None => LongDouble::from_i64(0),
        };
        let updated = current.add(delta);
        if !updated.is_finite() {
            return Err(StoreError::NanOrInfinity);
        }
        let text = updated.to_human_string().unwrap_or_default().into_bytes();
        if self.put_field(HASH_PUT_VALUE_SQL, row.id, field, &text)? {
            self.change_length(&mut row, 1)?;
        }
        Ok(text)
    }
}
