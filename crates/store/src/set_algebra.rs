//! The commands over several sets: `SINTER`, `SINTERCARD`, `SUNION`, `SDIFF` and their
//! `…STORE` forms, with Redis's algorithms.
//!
//! * Intersection walks the smallest set and probes the others, one index search per probe
//!   (made inside the walking statement, see [`probing_sql`]), and answers at once when any
//!   key is missing (an empty set empties the result).
//! * Union reads every set and removes the duplicates.
//! * Difference picks one of Redis's two strategies by its cost estimate: walk the first set
//!   and probe the others, or read everything and subtract.
//!
//! As in Redis 7.0, every key's type is checked before any shortcut, so `SINTER missing
//! string` is `WRONGTYPE` although a missing key already decides the result.

use std::collections::HashSet;

use crate::error::Result;
use crate::kind::KeyType;
use crate::reader::{Db, KeyRow, Reader};
use crate::sets::HashedMember;
use crate::writer::Writer;

/// Which combination of sets to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOperation {
    /// Members present in every set (`SINTER`).
    Intersection,
    /// Members present in any set (`SUNION`).
    Union,
    /// Members of the first set present in none of the others (`SDIFF`).
    Difference,
}

impl Reader<'_> {
    /// The row of each key (`None` for a missing one), failing on the first key that is not
    /// a set.
    fn set_operands<K: AsRef<[u8]>>(&self, db: Db, keys: &[K]) -> Result<Vec<Option<KeyRow>>> {
        keys.iter().map(|key| self.collection(db, key.as_ref(), KeyType::Set)).collect()
    }

    /// `SINTER`, `SUNION`, `SDIFF`: the members of the combination, in no defined order.
    pub fn set_combine<K: AsRef<[u8]>>(
        &self,
        db: Db,
        operation: SetOperation,
        keys: &[K],
    ) -> Result<Vec<Vec<u8>>> {
        let members = self.combine(db, operation, keys)?;
        Ok(members.into_iter().map(|(_, member)| member).collect())
    }

    /// `SINTERCARD`: how many members the intersection has, counting no further than `limit`
    /// (0 means no limit).
    pub fn set_intersection_len<K: AsRef<[u8]>>(
        &self,
        db: Db,
        keys: &[K],
        limit: u64,
    ) -> Result<u64> {
        let Some(rows) = all_present(self.set_operands(db, keys)?) else { return Ok(0) };
        let mut found = 0u64;
        self.intersect(rows, |_, _| {
            found += 1;
            limit == 0 || found < limit
        })?;
        Ok(found)
    }

    pub(crate) fn combine<K: AsRef<[u8]>>(
        &self,
        db: Db,
        operation: SetOperation,
        keys: &[K],
    ) -> Result<Vec<HashedMember>> {
        let rows = self.set_operands(db, keys)?;
        match operation {
            SetOperation::Intersection => {
                let Some(rows) = all_present(rows) else { return Ok(Vec::new()) };
                let mut members = Vec::new();
                self.intersect(rows, |hash, member| {
                    members.push((hash, member));
                    true
                })?;
                Ok(members)
            }
            SetOperation::Union => self.union(rows),
            SetOperation::Difference => self.difference(rows),
        }
    }

    /// Calls `found` with each member of the intersection of `rows` until it answers `false`.
    fn intersect(
        &self,
        mut rows: Vec<KeyRow>,
        mut found: impl FnMut(i64, Vec<u8>) -> bool,
    ) -> Result<()> {
        // Walk the smallest set; probe the others smallest first, since a small set is the
        // likeliest to reject a member.
        rows.sort_by_key(|row| (row.length, row.id));
        let smallest = rows[0];
        let mut others: Vec<i64> = rows[1..].iter().map(|row| row.id).collect();
        others.retain(|id| *id != smallest.id);
        others.dedup();
        self.walk_probing(smallest.id, &others, true, |hash, member| Ok(found(hash, member)))
    }

    /// Walks the set `walked` and shows `visit` each member that is in every set of `probed`
    /// (`present`) or in none of them (not `present`), until `visit` answers `false`. The
    /// first [`PROBES_PER_STATEMENT`] probes of a member are searches within the walking
    /// statement, far cheaper than a statement run for each; any further sets are probed
    /// one statement at a time.
    fn walk_probing(
        &self,
        walked: i64,
        probed: &[i64],
        present: bool,
        mut visit: impl FnMut(i64, Vec<u8>) -> Result<bool>,
    ) -> Result<()> {
        let (searched, rest) = probed.split_at(probed.len().min(PROBES_PER_STATEMENT));
        let mut statement =
            self.connection.prepare_cached(&probing_sql(searched.len(), present))?;
        let ids = std::iter::once(walked).chain(searched.iter().copied());
        let mut rows = statement.query(rusqlite::params_from_iter(ids))?;
        'members: while let Some(row) = rows.next()? {
            let (hash, member): (i64, Vec<u8>) = (row.get(0)?, row.get(1)?);
            for id in rest {
                if self.set_contains(*id, hash, &member)? != present {
                    continue 'members;
                }
            }
            if !visit(hash, member)? {
                break;
            }
        }
        Ok(())
    }

    fn union(&self, rows: Vec<Option<KeyRow>>) -> Result<Vec<HashedMember>> {
        let mut ids: Vec<i64> = rows.into_iter().flatten().map(|row| row.id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut members = Vec::new();
        for id in ids {
            members.extend(self.set_all(id)?);
        }
        members.sort_unstable();
        members.dedup();
        Ok(members)
    }

    fn difference(&self, rows: Vec<Option<KeyRow>>) -> Result<Vec<HashedMember>> {
        let mut rows = rows.into_iter();
        let Some(Some(first)) = rows.next() else { return Ok(Vec::new()) };
        let mut others: Vec<KeyRow> = rows.flatten().collect();
        if others.iter().any(|row| row.id == first.id) {
            // A set minus itself.
            return Ok(Vec::new());
        }
        // Redis's estimate: probing costs the first set's size per other set (halved, as a
        // probe often stops early); subtracting costs the size of every set.
        let others_count = i64::try_from(others.len()).unwrap_or(i64::MAX);
        let probing = first.length.saturating_mul(others_count.saturating_add(1)) / 2;
        let subtracting =
            others.iter().fold(first.length, |sum, row| sum.saturating_add(row.length));
        let mut members = Vec::new();
        if probing <= subtracting {
            // Probe the biggest sets first: they are the likeliest to hold a member.
            others.sort_by_key(|row| std::cmp::Reverse(row.length));
            let probed: Vec<i64> = others.iter().map(|row| row.id).collect();
            self.walk_probing(first.id, &probed, false, |hash, member| {
                members.push((hash, member));
                Ok(true)
            })?;
        } else {
            let mut removed = HashSet::new();
            for row in &others {
                removed.extend(self.set_all(row.id)?);
            }
            members = self.set_all(first.id)?;
            members.retain(|member| !removed.contains(member));
        }
        Ok(members)
    }
}

/// How many sets one walking statement probes (see [`Reader::walk_probing`]); each is a
/// condition of its own, and SQLite bounds how deep conditions nest.
const PROBES_PER_STATEMENT: usize = 8;

/// The members of the set `?1`, in hash order, that are in each of the sets `?2`, `?3` …
/// (`present`) or in none of them; `probes` sets.
pub(crate) fn probing_sql(probes: usize, present: bool) -> String {
    let mut sql = String::from("SELECT hash, member FROM set_members AS walked WHERE key_id = ?1");
    for index in 0..probes {
        sql.push_str(if present { " AND EXISTS" } else { " AND NOT EXISTS" });
        sql.push_str(&format!(
            " (SELECT 1 FROM set_members WHERE key_id = ?{} \
             AND hash = walked.hash AND member = walked.member)",
            index + 2
        ));
    }
    sql.push_str(" ORDER BY hash, member");
    sql
}

/// The rows when every key exists, `None` when one is missing.
fn all_present(rows: Vec<Option<KeyRow>>) -> Option<Vec<KeyRow>> {
    rows.into_iter().collect::<Option<Vec<_>>>().filter(|rows| !rows.is_empty())
}

impl Writer<'_> {
    /// `SINTERSTORE`, `SUNIONSTORE`, `SDIFFSTORE`: replaces `destination` (of any type, with
    /// any deadline) by the combination as a set, or deletes it when the result is empty;
    /// answers the result's size. `destination` may be one of the sources.
    pub fn set_combine_store<K: AsRef<[u8]>>(
        &mut self,
        db: Db,
        destination: &[u8],
        operation: SetOperation,
        keys: &[K],
    ) -> Result<i64> {
        let members = self.combine(db, operation, keys)?;
        if let Some(old) = self.live_row(db, destination)? {
            self.delete_row(old)?;
        }
        if members.is_empty() {
            return Ok(0);
        }
        let mut row = self.collection_or_create(db, destination, KeyType::Set)?;
        for (hash, member) in &members {
            self.set_insert(row.id, *hash, member)?;
        }
        let stored = i64::try_from(members.len()).unwrap_or(i64::MAX);
        self.change_length(&mut row, stored)?;
        Ok(stored)
    }
}
