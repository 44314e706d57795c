//! Lists: sequences of elements addressed by index (`LPUSH`, `LRANGE`, `LPOS`, `LMOVE` …).
//!
//! Each element is one row of `list_items`, keyed by `(key_id, position)`. A list's elements
//! occupy exactly the positions `list_head … list_head + length - 1` (`keys.list_head`,
//! `keys.length`), so index `i` is position `list_head + i`: a push, a pop or a lookup at
//! either end is one primary-key search, and a range is one range query, whatever the
//! list's size. Edits in the middle, which must keep the positions contiguous, are in
//! `list_edits.rs`.

use rusqlite::{OptionalExtension, params};

use crate::collections::element_bytes;
use crate::error::{Result, StoreError};
use crate::kind::KeyType;
use crate::reader::{Db, KeyRow, Reader};
use crate::writer::Writer;

/// One element by position.
pub(crate) const LIST_ITEM_SQL: &str =
    "SELECT value FROM list_items WHERE key_id = ?1 AND position = ?2";
/// Elements between two positions, head first.
pub(crate) const LIST_RANGE_SQL: &str = "SELECT value FROM list_items \
     WHERE key_id = ?1 AND position BETWEEN ?2 AND ?3 ORDER BY position";
/// Elements between two positions, tail first.
pub(crate) const LIST_RANGE_DESC_SQL: &str = "SELECT value FROM list_items \
     WHERE key_id = ?1 AND position BETWEEN ?2 AND ?3 ORDER BY position DESC";
/// Positions of the elements equal to `?4` between two positions, head first, skipping `?6`
/// and returning at most `?5` (-1: all).
pub(crate) const LIST_MATCHES_SQL: &str = "SELECT position FROM list_items \
     WHERE key_id = ?1 AND position BETWEEN ?2 AND ?3 AND value = ?4 \
     ORDER BY position LIMIT ?5 OFFSET ?6";
/// [`LIST_MATCHES_SQL`], tail first.
pub(crate) const LIST_MATCHES_DESC_SQL: &str = "SELECT position FROM list_items \
     WHERE key_id = ?1 AND position BETWEEN ?2 AND ?3 AND value = ?4 \
     ORDER BY position DESC LIMIT ?5 OFFSET ?6";
pub(crate) const LIST_INSERT_SQL: &str =
    "INSERT INTO list_items (key_id, position, value) VALUES (?1, ?2, ?3)";
pub(crate) const LIST_DELETE_RANGE_SQL: &str =
    "DELETE FROM list_items WHERE key_id = ?1 AND position BETWEEN ?2 AND ?3";
const LIST_UPDATE_SQL: &str =
    "UPDATE list_items SET value = ?3 WHERE key_id = ?1 AND position = ?2";
/// Moves one element to a free position.
pub(crate) const LIST_MOVE_SQL: &str =
    "UPDATE list_items SET position = ?3 WHERE key_id = ?1 AND position = ?2";
const LIST_SHAPE_SQL: &str = "UPDATE keys SET length = ?2, list_head = ?3 WHERE id = ?1";

/// One end of a list: `LEFT` is the head (index 0), `RIGHT` the tail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListEnd {
    /// The head.
    Left,
    /// The tail.
    Right,
}

/// Where `LINSERT` puts the new element, relative to the pivot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsertPlace {
    /// Just before the pivot.
    Before,
    /// Just after the pivot.
    After,
}

/// What `LPOS` looks for besides the element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionQuery {
    /// Which match comes first: 1 is the first from the head, 2 the second, -1 the first from
    /// the tail … Never 0.
    pub rank: i64,
    /// How many matches to return at most; 0 means all of them.
    pub limit: i64,
    /// How many elements to compare at most, from the end the search starts at; 0 means all.
    pub max_len: i64,
}

/// The position of the first element of a list's row.
pub(crate) fn head_of(row: &KeyRow) -> i64 {
    row.list_head.unwrap_or(0)
}

/// The first and last index (inclusive, from the head) that `LRANGE`/`LTRIM` select in a
/// list of `length` elements, with Redis's rules for negative and out-of-range indexes;
/// `None` when the range is empty.
pub(crate) fn clamp_range(length: i64, start: i64, stop: i64) -> Option<(i64, i64)> {
    let start = if start < 0 { (length + start).max(0) } else { start };
    let stop = if stop < 0 { length + stop } else { stop };
    if start > stop || start >= length {
        return None;
    }
    Some((start, stop.min(length - 1)))
}

/// The position of index `index` (negative counts from the tail), if it is inside the list.
fn position_of(row: &KeyRow, index: i64) -> Option<i64> {
    let index = if index < 0 { row.length.checked_add(index)? } else { index };
    (0..row.length).contains(&index).then(|| head_of(row) + index)
}

impl Reader<'_> {
    fn list_row(&self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        self.collection(db, key, KeyType::List)
    }

    /// The values at positions `from..=to`, head first or tail first.
    pub(crate) fn list_values(
        &self,
        id: i64,
        from: i64,
        to: i64,
        end: ListEnd,
    ) -> Result<Vec<Vec<u8>>> {
        let mut values = Vec::new();
        self.each_list_value(id, (from, to), end, |value| values.push(value.to_vec()))?;
        Ok(values)
    }

    /// Shows `visit` the values at positions `from..=to`, head first or tail first, as SQLite
    /// holds them (no copy of each one).
    fn each_list_value(
        &self,
        id: i64,
        (from, to): (i64, i64),
        end: ListEnd,
        mut visit: impl FnMut(&[u8]),
    ) -> Result<()> {
        let sql = match end {
            ListEnd::Left => LIST_RANGE_SQL,
            ListEnd::Right => LIST_RANGE_DESC_SQL,
        };
        let mut statement = self.connection.prepare_cached(sql)?;
        let mut rows = statement.query(params![id, from, to])?;
        while let Some(row) = rows.next()? {
            visit(element_bytes(row, 0)?);
        }
        Ok(())
    }

    /// Positions of the elements equal to `element` within `from..=to`, walking from `end`,
    /// after skipping `skip` matches; at most `limit` of them (-1: all).
    pub(crate) fn list_matches(
        &self,
        id: i64,
        element: &[u8],
        (from, to): (i64, i64),
        end: ListEnd,
        skip: i64,
        limit: i64,
    ) -> Result<Vec<i64>> {
        let sql = match end {
            ListEnd::Left => LIST_MATCHES_SQL,
            ListEnd::Right => LIST_MATCHES_DESC_SQL,
        };
        let mut statement = self.connection.prepare_cached(sql)?;
        let rows =
            statement.query_map(params![id, from, to, element, limit, skip], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `LLEN`: how many elements the list has (0 when it does not exist).
    pub fn list_len(&self, db: Db, key: &[u8]) -> Result<i64> {
        self.collection_length(db, key, KeyType::List)
    }

    /// `LRANGE`: the elements from index `start` to `stop`, both inclusive, with Redis's
    /// rules for negative and out-of-range indexes.
    pub fn list_range(&self, db: Db, key: &[u8], start: i64, stop: i64) -> Result<Vec<Vec<u8>>> {
        let mut values = Vec::new();
        self.list_range_each(db, key, start, stop, |value| values.push(value.to_vec()))?;
        Ok(values)
    }

    /// `LRANGE` for a caller that copies the elements out itself: shows `visit` each element
    /// of the range in order, as SQLite holds it, without a copy of its own per element.
    pub fn list_range_each(
        &self,
        db: Db,
        key: &[u8],
        start: i64,
        stop: i64,
        visit: impl FnMut(&[u8]),
    ) -> Result<()> {
        let Some(row) = self.list_row(db, key)? else { return Ok(()) };
        let Some((first, last)) = clamp_range(row.length, start, stop) else { return Ok(()) };
        let head = head_of(&row);
        self.each_list_value(row.id, (head + first, head + last), ListEnd::Left, visit)
    }

    /// `LINDEX`: the element at `index` (negative counts from the tail).
    pub fn list_index(&self, db: Db, key: &[u8], index: i64) -> Result<Option<Vec<u8>>> {
        let Some(row) = self.list_row(db, key)? else { return Ok(None) };
        let Some(position) = position_of(&row, index) else { return Ok(None) };
        let mut statement = self.connection.prepare_cached(LIST_ITEM_SQL)?;
        Ok(statement.query_row(params![row.id, position], |row| row.get(0)).optional()?)
    }

    /// `LPOS`: the indexes (from the head) of the elements equal to `element`, in the order
    /// the search meets them; empty when the list does not exist.
    pub fn list_positions(
        &self,
        db: Db,
        key: &[u8],
        element: &[u8],
        query: PositionQuery,
    ) -> Result<Vec<i64>> {
        let Some(row) = self.list_row(db, key)? else { return Ok(Vec::new()) };
        let head = head_of(&row);
        let compared = if query.max_len <= 0 { row.length } else { query.max_len.min(row.length) };
        let (end, span) = if query.rank > 0 {
            (ListEnd::Left, (head, head + compared - 1))
        } else {
            (ListEnd::Right, (head + row.length - compared, head + row.length - 1))
        };
        let skip = i64::try_from(query.rank.unsigned_abs().saturating_sub(1)).unwrap_or(i64::MAX);
        let limit = if query.limit <= 0 { -1 } else { query.limit };
        let positions = self.list_matches(row.id, element, span, end, skip, limit)?;
        Ok(positions.into_iter().map(|position| position - head).collect())
    }
}

impl Writer<'_> {
    pub(crate) fn list_row_for_write(&mut self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        self.collection_for_write(db, key, KeyType::List)
    }

    /// Records a list's head and length together; a list left empty is deleted.
    pub(crate) fn set_list_shape(
        &mut self,
        row: &mut KeyRow,
        head: i64,
        length: i64,
    ) -> Result<()> {
        if length == 0 {
            return self.change_length(row, -row.length);
        }
        row.list_head = Some(head);
        row.length = length;
        self.update_key_row(row.id, LIST_SHAPE_SQL, params![row.id, length, head], |row| {
            row.length = length;
            row.list_head = Some(head);
        })?;
        Ok(())
    }

    /// Adds `elements` at one end of the list in `row`, one by one (so `LPUSH a b` leaves `b`
    /// first, as in Redis).
    pub(crate) fn push_elements<E: AsRef<[u8]>>(
        &mut self,
        row: &mut KeyRow,
        end: ListEnd,
        elements: &[E],
    ) -> Result<()> {
        let count = i64::try_from(elements.len()).map_err(|_| StoreError::Overflow)?;
        match end {
            ListEnd::Left => self.make_room(row, count, 0)?,
            ListEnd::Right => self.make_room(row, 0, count)?,
        }
        let head = head_of(row);
        let (first, step, new_head) = match end {
            ListEnd::Left => (head - 1, -1, head - count),
            ListEnd::Right => (head + row.length, 1, head),
        };
        let mut statement = self.connection.prepare_cached(LIST_INSERT_SQL)?;
        let mut position = first;
        for element in elements {
            statement.execute(params![row.id, position, element.as_ref()])?;
            position += step;
        }
        drop(statement);
        self.set_list_shape(row, new_head, row.length + count)
    }

    /// Removes up to `count` elements from one end of the list in `row` and answers them in
    /// the order they were taken; a list left empty is deleted.
    pub(crate) fn pop_elements(
        &mut self,
        row: &mut KeyRow,
        end: ListEnd,
        count: i64,
    ) -> Result<Vec<Vec<u8>>> {
        let taken = count.clamp(0, row.length);
        if taken == 0 {
            return Ok(Vec::new());
        }
        let head = head_of(row);
        let (from, to, new_head) = match end {
            ListEnd::Left => (head, head + taken - 1, head + taken),
            ListEnd::Right => (head + row.length - taken, head + row.length - 1, head),
        };
        let values = self.list_values(row.id, from, to, end)?;
        self.execute(LIST_DELETE_RANGE_SQL, params![row.id, from, to])?;
        self.set_list_shape(row, new_head, row.length - taken)?;
        Ok(values)
    }

    /// `LPUSH`/`RPUSH` (and with `only_existing`, `LPUSHX`/`RPUSHX`): adds the elements one by
    /// one at `end`; answers the list's new length (0 when `only_existing` found no list).
    pub fn list_push<E: AsRef<[u8]>>(
        &mut self,
        db: Db,
        key: &[u8],
        end: ListEnd,
        elements: &[E],
        only_existing: bool,
    ) -> Result<i64> {
        let row = if only_existing {
            self.list_row_for_write(db, key)?
        } else {
            Some(self.collection_or_create(db, key, KeyType::List)?)
        };
        let Some(mut row) = row else { return Ok(0) };
        self.push_elements(&mut row, end, elements)?;
        self.note_filled(db, key);
        Ok(row.length)
    }

    /// `LPOP`/`RPOP`: removes up to `count` elements from `end`; `None` when the list does not
    /// exist. The list goes when emptied.
    pub fn list_pop(
        &mut self,
        db: Db,
        key: &[u8],
        end: ListEnd,
        count: i64,
    ) -> Result<Option<Vec<Vec<u8>>>> {
        let Some(mut row) = self.list_row_for_write(db, key)? else { return Ok(None) };
        Ok(Some(self.pop_elements(&mut row, end, count)?))
    }

    /// `LMPOP`: pops up to `count` elements from `end` of the first of `keys` that is a
    /// non-empty list; answers which key (its index in `keys`) and the elements. A key of
    /// another type met before that is [`StoreError::WrongType`].
    pub fn list_pop_first<K: AsRef<[u8]>>(
        &mut self,
        db: Db,
        keys: &[K],
        end: ListEnd,
        count: i64,
    ) -> Result<Option<(usize, Vec<Vec<u8>>)>> {
        for (index, key) in keys.iter().enumerate() {
            if let Some(mut row) = self.list_row_for_write(db, key.as_ref())? {
                return Ok(Some((index, self.pop_elements(&mut row, end, count)?)));
            }
        }
        Ok(None)
    }

    /// `LSET`: replaces the element at `index` (negative counts from the tail).
    pub fn list_set(&mut self, db: Db, key: &[u8], index: i64, value: &[u8]) -> Result<()> {
        let row = self.list_row_for_write(db, key)?.ok_or(StoreError::NoSuchKey)?;
        let position = position_of(&row, index).ok_or(StoreError::IndexOutOfRange)?;
        self.execute(LIST_UPDATE_SQL, params![row.id, position, value])?;
        Ok(())
    }

    /// `LTRIM`: keeps only the elements from index `start` to `stop` (Redis's index rules);
    /// a list left empty is deleted.
    pub fn list_trim(&mut self, db: Db, key: &[u8], start: i64, stop: i64) -> Result<()> {
        let Some(mut row) = self.list_row_for_write(db, key)? else { return Ok(()) };
        let Some((first, last)) = clamp_range(row.length, start, stop) else {
            // Nothing is kept: delete the whole key the way DEL does, so a big list goes
            // through the graveyard.
            return self.delete_row(row);
        };
        let head = head_of(&row);
        let tail = head + row.length - 1;
        if first > 0 {
            self.execute(LIST_DELETE_RANGE_SQL, params![row.id, head, head + first - 1])?;
        }
        if head + last < tail {
            self.execute(LIST_DELETE_RANGE_SQL, params![row.id, head + last + 1, tail])?;
        }
        self.set_list_shape(&mut row, head + first, last - first + 1)
    }

    /// `LMOVE` (and `RPOPLPUSH`): moves the element at `from`'s end of `source` to `to`'s end
    /// of `destination` and answers it; `None` when `source` does not exist.
    ///
    /// As in Redis, `destination`'s type is checked before anything is taken from `source`,
    /// and moving within one list rotates it without the list ever ceasing to exist.
    pub fn list_move(
        &mut self,
        db: Db,
        source: &[u8],
        destination: &[u8],
        from: ListEnd,
        to: ListEnd,
    ) -> Result<Option<Vec<u8>>> {
        let Some(mut source_row) = self.list_row_for_write(db, source)? else { return Ok(None) };
        if source == destination {
            return self.rotate(&mut source_row, from, to).map(Some);
        }
        let destination_row = self.list_row_for_write(db, destination)?;
        let mut taken = self.pop_elements(&mut source_row, from, 1)?;
        let value = taken.pop().ok_or_else(|| StoreError::Internal("empty list row".into()))?;
        let mut destination_row = match destination_row {
            Some(row) => row,
            None => self.collection_or_create(db, destination, KeyType::List)?,
        };
        self.push_elements(&mut destination_row, to, &[&value])?;
        self.note_filled(db, destination);
        Ok(Some(value))
    }

    /// Moves the element at one end of a list to the other end (or leaves it where it is when
    /// both ends are the same) and answers it.
    fn rotate(&mut self, row: &mut KeyRow, from: ListEnd, to: ListEnd) -> Result<Vec<u8>> {
        let taken_at = |row: &KeyRow| match from {
            ListEnd::Left => head_of(row),
            ListEnd::Right => head_of(row) + row.length - 1,
        };
        let value: Vec<u8> = self
            .connection
            .prepare_cached(LIST_ITEM_SQL)?
            .query_row(params![row.id, taken_at(row)], |row| row.get(0))?;
        if from == to {
            return Ok(value);
        }
        match to {
            ListEnd::Left => self.make_room(row, 1, 0)?,
            ListEnd::Right => self.make_room(row, 0, 1)?,
        }
        let head = head_of(row);
        let (target, new_head) = match to {
            ListEnd::Left => (head - 1, head - 1),
            ListEnd::Right => (head + row.length, head + 1),
        };
        self.execute(LIST_MOVE_SQL, params![row.id, taken_at(row), target])?;
        let length = row.length;
        self.set_list_shape(row, new_head, length)?;
        Ok(value)
    }
}
