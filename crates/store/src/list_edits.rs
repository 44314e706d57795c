//! List edits in the middle (`LINSERT`, `LREM`) and the position arithmetic that keeps a
//! list's positions contiguous: shifting a run of elements, and renumbering a list whose
//! positions drift towards the edge of the range they are kept in.
//!
//! An edit in the middle moves the elements on its shorter side by one (or, for `LREM`, by
//! the number removed so far), which is O(n) like Redis's own.

use rusqlite::params;

use crate::error::Result;
use crate::lists::{InsertPlace, LIST_INSERT_SQL, LIST_MOVE_SQL, ListEnd, head_of};
use crate::reader::{Db, KeyRow};
use crate::writer::Writer;

/// Positions stay within `-POSITION_LIMIT ..= POSITION_LIMIT`, so that no arithmetic on them
/// can overflow; a push that would leave that range renumbers the list first.
pub(crate) const POSITION_LIMIT: i64 = 1 << 62;

/// How many matches `LREM` fetches at a time, so memory stays bounded on huge lists.
const REMOVE_BATCH: i64 = 512;

/// Moves the elements between two positions by `?4`.
pub(crate) const LIST_SHIFT_SQL: &str = "UPDATE list_items SET position = position + ?4 \
     WHERE key_id = ?1 AND position BETWEEN ?2 AND ?3";
const LIST_DELETE_MATCHES_SQL: &str = "DELETE FROM list_items \
     WHERE key_id = ?1 AND position BETWEEN ?2 AND ?3 AND value = ?4";

impl Writer<'_> {
    /// Moves the elements at positions `from..=to` of list `id` by `by`. Positions the run
    /// lands on outside `from..=to` must be free.
    ///
    /// One `UPDATE` of overlapping source and target ranges could move a row onto one that
    /// has not moved yet (SQLite checks the primary key row by row, in an order it does not
    /// promise), so an overlapping run moves one row at a time, starting from the end it
    /// moves towards: each row then lands on a position that is free or already vacated.
    /// (Parking the run above every position in use and bringing it back, two `UPDATE`s,
    /// cost 3.8 µs a row against 1.7.)
    pub(crate) fn shift_positions(&mut self, id: i64, from: i64, to: i64, by: i64) -> Result<()> {
        if from > to || by == 0 {
            return Ok(());
        }
        if to - from < by.abs() {
            self.execute(LIST_SHIFT_SQL, params![id, from, to, by])?;
            return Ok(());
        }
        let mut statement = self.connection.prepare_cached(LIST_MOVE_SQL)?;
        let mut move_row = |position: i64| statement.execute(params![id, position, position + by]);
        if by > 0 {
            (from..=to).rev().try_for_each(|position| move_row(position).map(drop))?;
        } else {
            (from..=to).try_for_each(|position| move_row(position).map(drop))?;
        }
        Ok(())
    }

    /// Makes sure `left` more elements fit before the head and `right` more after the tail
    /// without leaving the position range, renumbering the list around 0 when they do not
    /// (O(n), and practically never: it takes 2^62 pushes at one end).
    pub(crate) fn make_room(&mut self, row: &mut KeyRow, left: i64, right: i64) -> Result<()> {
        let head = head_of(row);
        let tail = head + row.length - 1;
        if head - left >= -POSITION_LIMIT && tail + right <= POSITION_LIMIT {
            return Ok(());
        }
        let total = row.length + left + right;
        let new_head = left - total / 2;
        self.shift_positions(row.id, head, tail, new_head - head)?;
        row.list_head = Some(new_head);
        Ok(())
    }

    /// Inserts `element` so that it gets index `index` (0 ..= length), moving the shorter
    /// side out of its way; records the new shape.
    fn insert_at(&mut self, row: &mut KeyRow, index: i64, element: &[u8]) -> Result<()> {
        let length = row.length;
        if index <= length - index {
            self.make_room(row, 1, 0)?;
            let head = head_of(row);
            self.shift_positions(row.id, head, head + index - 1, -1)?;
            self.execute(LIST_INSERT_SQL, params![row.id, head + index - 1, element])?;
            self.set_list_shape(row, head - 1, length + 1)
        } else {
            self.make_room(row, 0, 1)?;
            let head = head_of(row);
            self.shift_positions(row.id, head + index, head + length - 1, 1)?;
            self.execute(LIST_INSERT_SQL, params![row.id, head + index, element])?;
            self.set_list_shape(row, head, length + 1)
        }
    }

    /// `LINSERT`: inserts `element` before or after the first element equal to `pivot`;
    /// answers the new length, -1 when there is no pivot, 0 when there is no list.
    pub fn list_insert(
        &mut self,
        db: Db,
        key: &[u8],
        place: InsertPlace,
        pivot: &[u8],
        element: &[u8],
    ) -> Result<i64> {
        let Some(mut row) = self.list_row_for_write(db, key)? else { return Ok(0) };
        let head = head_of(&row);
        let span = (head, head + row.length - 1);
        let Some(&found) = self.list_matches(row.id, pivot, span, ListEnd::Left, 0, 1)?.first()
        else {
            return Ok(-1);
        };
        let index = found - head + i64::from(place == InsertPlace::After);
        self.insert_at(&mut row, index, element)?;
        Ok(row.length)
    }

    /// `LREM`: removes the first `count` elements equal to `element` (from the tail when
    /// `count` is negative, all of them when it is 0); answers how many went. The list goes
    /// when emptied.
    pub fn list_remove(&mut self, db: Db, key: &[u8], count: i64, element: &[u8]) -> Result<i64> {
        let Some(mut row) = self.list_row_for_write(db, key)? else { return Ok(0) };
        let head = head_of(&row);
        let tail = head + row.length - 1;
        let whole = (head, tail);
        let nth = |writer: &Self, end: ListEnd, skip: i64| -> Result<Option<i64>> {
            Ok(writer.list_matches(row.id, element, whole, end, skip, 1)?.first().copied())
        };
        // The span from the first to the last match to remove: every match in it goes.
        let (first, last) = if count >= 0 {
            let Some(first) = nth(self, ListEnd::Left, 0)? else { return Ok(0) };
            let last = match count {
                0 => None,
                _ => nth(self, ListEnd::Left, count - 1)?,
            };
            let last = match last {
                Some(last) => last,
                None => nth(self, ListEnd::Right, 0)?.unwrap_or(first),
            };
            (first, last)
        } else {
            let Some(last) = nth(self, ListEnd::Right, 0)? else { return Ok(0) };
            let skip = i64::try_from(count.unsigned_abs() - 1).unwrap_or(i64::MAX);
            let first = match nth(self, ListEnd::Right, skip)? {
                Some(first) => first,
                None => nth(self, ListEnd::Left, 0)?.unwrap_or(last),
            };
            (first, last)
        };
        // Close the gaps by moving the shorter outside part (and what lies between matches).
        let toward_head = tail - last <= first - head;
        let removed = self.remove_matches(&row, element, (first, last), toward_head)?;
        let new_head = if toward_head { head } else { head + removed };
        let length = row.length - removed;
        self.set_list_shape(&mut row, new_head, length)?;
        Ok(removed)
    }

    /// Deletes every element equal to `element` within `first..=last` (both are matches) and
    /// closes the gaps by moving the elements after `first` towards the head, or those before
    /// `last` towards the tail. Answers how many were deleted.
    ///
    /// Matches are visited in batches from the side the elements move towards: the runs
    /// between visited matches move by the number deleted so far, onto positions already
    /// freed, while positions not yet visited stay as they were, so each batch query sees
    /// the original layout of what it searches.
    fn remove_matches(
        &mut self,
        row: &KeyRow,
        element: &[u8],
        (first, last): (i64, i64),
        toward_head: bool,
    ) -> Result<i64> {
        let head = head_of(row);
        let tail = head + row.length - 1;
        let (end, sign) = if toward_head { (ListEnd::Left, -1) } else { (ListEnd::Right, 1) };
        let mut removed = 0i64;
        let mut previous: Option<i64> = None;
        let mut span = (first, last);
        loop {
            let batch = self.list_matches(row.id, element, span, end, 0, REMOVE_BATCH)?;
            let (Some(&batch_first), Some(&batch_last)) = (batch.first(), batch.last()) else {
                break;
            };
            let (low, high) = (batch_first.min(batch_last), batch_first.max(batch_last));
            self.execute(LIST_DELETE_MATCHES_SQL, params![row.id, low, high, element])?;
            for &found in &batch {
                if let Some(previous) = previous {
                    let (from, to) = if toward_head {
                        (previous + 1, found - 1)
                    } else {
                        (found + 1, previous - 1)
                    };
                    self.shift_positions(row.id, from, to, sign * removed)?;
                }
                removed += 1;
                previous = Some(found);
            }
            if toward_head {
                span.0 = batch_last + 1;
            } else {
                span.1 = batch_last - 1;
            }
            if span.0 > span.1 {
                break;
            }
        }
        if let Some(previous) = previous {
            let (from, to) = if toward_head { (previous + 1, tail) } else { (head, previous - 1) };
            self.shift_positions(row.id, from, to, sign * removed)?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests;
