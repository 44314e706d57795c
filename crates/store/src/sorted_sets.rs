//! Sorted sets: unique members ordered by score (`ZADD`, `ZSCORE`, `ZRANK`, `ZPOPMIN`,
//! `ZRANDMEMBER`, `ZSCAN` …). Ranges live in `zset_ranges.rs`, `ZUNION` and friends in
//! `zset_algebra.rs`.
//!
//! Each member is one row of `zset_members`, keyed by `(key_id, hash, member)` with `hash` the
//! member's [`element_hash`], so finding a member's score is one primary-key search whatever
//! the set's size. The index `zset_by_score (key_id, score, member)` holds Redis's order:
//! by score, then by member bytes. Scores are always bound as `f64`; the `ANY` column keeps a
//! negative zero (see [`stored_score`]) and NaN never reaches SQLite.

use rusqlite::{OptionalExtension, params};

use crate::collections::{ElementPage, ElementScan, HashedElements, element_bytes, element_hash};
use crate::encoding::{LISTPACK_MAX_VALUE, ZSET_LISTPACK_MAX_ENTRIES};
use crate::error::{Result, StoreError};
use crate::kind::KeyType;
use crate::lookups::{self, FIRST_SELECTED};
use crate::rank_fences;
use crate::reader::{Db, KeyRow, Reader};
use crate::upserts::Upserted;
use crate::writer::Writer;

/// A member's score by name.
pub(crate) const ZSET_SCORE_SQL: &str =
    "SELECT score FROM zset_members WHERE key_id = ?1 AND hash = ?2 AND member = ?3";
const ZSET_INSERT_SQL: &str =
    "INSERT INTO zset_members (key_id, hash, member, score) VALUES (?1, ?2, ?3, ?4)";
const ZSET_UPDATE_SQL: &str =
    "UPDATE zset_members SET score = ?4 WHERE key_id = ?1 AND hash = ?2 AND member = ?3";
/// Adds a member or changes its score when it differs; the update branch marks itself (see
/// `upserts`).
const ZSET_PUT_SQL: &str = "INSERT INTO zset_members (key_id, hash, member, score) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET score = excluded.score \
     WHERE score <> excluded.score AND resplite_mark_update()";
/// Adds a member or sets its score, whatever it was; the update branch marks itself.
const ZSET_PUT_EXACT_SQL: &str = "INSERT INTO zset_members (key_id, hash, member, score) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET score = excluded.score \
     WHERE resplite_mark_update()";
const ZSET_DELETE_SQL: &str =
    "DELETE FROM zset_members WHERE key_id = ?1 AND hash = ?2 AND member = ?3";
/// How many members order before `(?2, ?3)`, counting at most `?4`.
pub(crate) const ZSET_COUNT_BELOW_SQL: &str = "SELECT count(*) FROM (SELECT 1 FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND (score, member) < (?2, ?3) LIMIT ?4)";
/// How many members order after `(?2, ?3)`, counting at most `?4`.
pub(crate) const ZSET_COUNT_ABOVE_SQL: &str = "SELECT count(*) FROM (SELECT 1 FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND (score, member) > (?2, ?3) LIMIT ?4)";
/// Members by rank from the lowest: `LIMIT ?2 OFFSET ?3`.
pub(crate) const ZSET_ASCENDING_SQL: &str = "SELECT member, score FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 ORDER BY score, member LIMIT ?2 OFFSET ?3";
/// Members by rank from the highest: `LIMIT ?2 OFFSET ?3`.
pub(crate) const ZSET_DESCENDING_SQL: &str = "SELECT member, score FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 \
     ORDER BY score DESC, member DESC LIMIT ?2 OFFSET ?3";
/// Members from a hash onwards, for scans and random picks.
pub(crate) const ZSET_FROM_HASH_SQL: &str = "SELECT hash, member, score FROM zset_members \
     WHERE key_id = ?1 AND hash >= ?2 AND hash <= ?3 ORDER BY hash LIMIT ?4";
const ZSET_HASH_RANK_SQL: &str = "SELECT hash, member, score FROM zset_members \
     WHERE key_id = ?1 ORDER BY hash LIMIT 1 OFFSET ?2";
/// The member `?4` places after `(?2, ?3)` in hash order, for several random picks.
pub(crate) const ZSET_AFTER_SQL: &str = "SELECT hash, member, score FROM zset_members \
     WHERE key_id = ?1 AND (hash, member) > (?2, ?3) ORDER BY hash, member LIMIT 1 OFFSET ?4";
/// How scans and random picks read members.
const ZSET_ELEMENTS: HashedElements<ScoredMember> = HashedElements {
    by_rank: ZSET_HASH_RANK_SQL,
    after: ZSET_AFTER_SQL,
    from_hash: ZSET_FROM_HASH_SQL,
    read: |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))),
    name: |(member, _)| member,
};

/// A member and its score.
pub type ScoredMember = (Vec<u8>, f64);

/// The options of `ZADD` that change what it does (`CH` only changes the reply).
#[derive(Clone, Copy, Debug, Default)]
pub struct ZaddFlags {
    /// `NX`: only add new members.
    pub nx: bool,
    /// `XX`: only update existing members.
    pub xx: bool,
    /// `GT`: only update when the new score is greater.
    pub gt: bool,
    /// `LT`: only update when the new score is less.
    pub lt: bool,
    /// `INCR` (and `ZINCRBY`): add the score to the current one.
    pub incr: bool,
}

impl ZaddFlags {
    /// Whether no flag changes what `ZADD` does with a member (`CH` only changes the reply).
    fn is_plain(&self) -> bool {
        !(self.nx || self.xx || self.gt || self.lt || self.incr)
    }
}

/// What `ZADD` did.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ZaddOutcome {
    /// Members that were new.
    pub added: i64,
    /// Existing members whose score changed.
    pub updated: i64,
    /// The score of the last member that was not skipped by `NX`/`XX`/`GT`/`LT` (what `INCR`
    /// answers); `None` when every member was skipped.
    pub score: Option<f64>,
}

/// Whether `score` is -0.
pub(crate) fn is_negative_zero(score: f64) -> bool {
    score == 0.0 && score.is_sign_negative()
}

/// Whether a sorted set of `length` members may hold `member` and still be a listpack.
pub(crate) fn fits_listpack(length: i64, member: &[u8]) -> bool {
    length <= ZSET_LISTPACK_MAX_ENTRIES && member.len() <= LISTPACK_MAX_VALUE as usize
}

/// The score a write stores. Redis keeps a small sorted set as a listpack, which stores an
/// integral score as an integer, so -0 written into a listpack reads back as 0; a big
/// (skiplist) sorted set keeps the sign. `compact` says which one Redis would be writing to.
pub(crate) fn stored_score(score: f64, compact: bool) -> f64 {
    if compact && is_negative_zero(score) { 0.0 } else { score }
}

/// Redis's order of scored members: by score (where -0 equals 0), then by member bytes.
pub(crate) fn compare_scored(left: &ScoredMember, right: &ScoredMember) -> std::cmp::Ordering {
    left.1.partial_cmp(&right.1).unwrap_or(std::cmp::Ordering::Equal).then(left.0.cmp(&right.0))
}

/// Shows `visit` each row of `rows`: a member (column 0, as SQLite holds it) and its score.
pub(crate) fn each_scored(
    mut rows: rusqlite::Rows<'_>,
    visit: &mut impl FnMut(&[u8], f64),
) -> Result<()> {
    while let Some(row) = rows.next()? {
        visit(element_bytes(row, 0)?, row.get(1)?);
    }
    Ok(())
}

/// Reads `member, score` rows.
pub(crate) fn scored_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ScoredMember> {
    Ok((row.get(0)?, row.get(1)?))
}

impl Reader<'_> {
    /// The row of the live sorted set `key`; another type is [`StoreError::WrongType`].
    pub(crate) fn zset_row(&self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        self.collection(db, key, KeyType::ZSet)
    }

    pub(crate) fn member_score(&self, id: i64, member: &[u8]) -> Result<Option<f64>> {
        let mut statement = self.connection.prepare_cached(ZSET_SCORE_SQL)?;
        Ok(statement
            .query_row(params![id, element_hash(member), member], |row| row.get(0))
            .optional()?)
    }

    /// Up to `limit` members from rank `offset`, counting from the lowest score or (when
    /// `descending`) from the highest; a negative `limit` means all.
    pub(crate) fn members_by_rank(
        &self,
        row: &KeyRow,
        descending: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ScoredMember>> {
        let mut members = Vec::new();
        self.members_by_rank_each(row, descending, offset, limit, &mut |member, score| {
            members.push((member.to_vec(), score))
        })?;
        Ok(members)
    }

    /// [`Reader::members_by_rank`] shown to `visit` one by one, as SQLite holds them. Far
    /// from the end it counts from, the walk starts at the block that holds `offset` (see
    /// `rank_fences`) instead of stepping over every member before it.
    pub(crate) fn members_by_rank_each(
        &self,
        row: &KeyRow,
        descending: bool,
        offset: i64,
        limit: i64,
        visit: &mut impl FnMut(&[u8], f64),
    ) -> Result<()> {
        if offset >= rank_fences::WALK_FROM && offset < row.length {
            let rank = if descending { row.length - 1 - offset } else { offset };
            let found = self.fence_for_rank(row, rank)?;
            if found.is_none() {
                self.want_fences(row);
            }
            if let Some((fence, into)) = found {
                let mut up = self.connection.prepare_cached(rank_fences::MEMBERS_UP_SQL)?;
                let (id, score, member) = (row.id, fence.score, &fence.member);
                if !descending {
                    return each_scored(up.query(params![id, score, member, limit, into])?, visit);
                }
                let first =
                    up.query_row(params![id, score, member, 1, into], scored_row).optional()?;
                let Some((member, score)) = first else { return Ok(()) };
                let mut down = self.connection.prepare_cached(rank_fences::MEMBERS_DOWN_SQL)?;
                return each_scored(down.query(params![row.id, score, member, limit])?, visit);
            }
        }
        self.members_counted_from_end(row.id, descending, offset, limit, visit)
    }

    /// [`Reader::members_by_rank_each`] stepping over the first `offset` members.
    fn members_counted_from_end(
        &self,
        id: i64,
        descending: bool,
        offset: i64,
        limit: i64,
        visit: &mut impl FnMut(&[u8], f64),
    ) -> Result<()> {
        let sql = if descending { ZSET_DESCENDING_SQL } else { ZSET_ASCENDING_SQL };
        let mut statement = self.connection.prepare_cached(sql)?;
        each_scored(statement.query(params![id, limit, offset])?, visit)
    }

    /// Every member of sorted set `id`, from the lowest or (when `descending`) the highest.
    fn all_members(&self, id: i64, descending: bool) -> Result<Vec<ScoredMember>> {
        let mut members = Vec::new();
        self.members_counted_from_end(id, descending, 0, -1, &mut |member, score| {
            members.push((member.to_vec(), score))
        })?;
        Ok(members)
    }

    /// `ZSCORE`.
    pub fn zset_score(&self, db: Db, key: &[u8], member: &[u8]) -> Result<Option<f64>> {
        match self.zset_row(db, key)? {
            Some(row) => self.member_score(row.id, member),
            None => Ok(None),
        }
    }

    /// `ZMSCORE`: the score of each member, in order.
    pub fn zset_scores<M: AsRef<[u8]>>(
        &self,
        db: Db,
        key: &[u8],
        members: &[M],
    ) -> Result<Vec<Option<f64>>> {
        let Some(row) = self.zset_row(db, key)? else { return Ok(vec![None; members.len()]) };
        let mut scores = Vec::with_capacity(members.len());
        self.look_up_elements(&lookups::ZSET_MEMBERS, row.id, members, |row| {
            scores.push(row.map(|row| row.get(FIRST_SELECTED)).transpose()?);
            Ok(())
        })?;
        Ok(scores)
    }

    /// `ZCARD`.
    pub fn zset_len(&self, db: Db, key: &[u8]) -> Result<i64> {
        self.collection_length(db, key, KeyType::ZSet)
    }

    /// `ZRANK` (or `ZREVRANK` when `reverse`): the member's rank and score.
    ///
    /// A rank is a count of the members on one side of it in the score index. Near either
    /// end both sides are counted in turns, with a budget that grows fourfold each round,
    /// until one side comes in under budget. Further in, a set with fences is answered from
    /// them (see `rank_fences`): one block's members and the fences on the nearer side of it.
    /// A set without goes on counting, O(distance to the nearer end), at most a few times
    /// that distance (Redis: O(log n)), and asks for fences when it has 1,024 members or more.
    pub fn zset_rank(
        &self,
        db: Db,
        key: &[u8],
        member: &[u8],
        reverse: bool,
    ) -> Result<Option<(i64, f64)>> {
        let Some(row) = self.zset_row(db, key)? else { return Ok(None) };
        let Some(score) = self.member_score(row.id, member)? else { return Ok(None) };
        let count =
            |sql: &str, budget: i64| self.count(sql, params![row.id, score, member, budget]);
        // A set big enough to have fences counts only the few members nearest each end
        // before it looks for them.
        let mut budget = if row.length >= rank_fences::UNFENCED_BELOW { 16 } else { 64 };
        let mut fences_tried = false;
        let rank = loop {
            let below = count(ZSET_COUNT_BELOW_SQL, budget)?;
            if below < budget {
                break below;
            }
            let above = count(ZSET_COUNT_ABOVE_SQL, budget)?;
            if above < budget {
                break row.length - 1 - above;
            }
            if !fences_tried && row.length >= rank_fences::UNFENCED_BELOW {
                fences_tried = true;
                match self.fenced_rank(&row, score, member)? {
                    Some(rank) => break rank,
                    None => self.want_fences(&row),
                }
            }
            budget = budget.saturating_mul(4);
        };
        Ok(Some((if reverse { row.length - 1 - rank } else { rank }, score)))
    }

    /// `ZRANDMEMBER`: `None` when the key does not exist; otherwise members chosen with
    /// Redis's count rules (see `choose_random`), one when `count` is `None`. Asking for at
    /// least every member answers them all from the highest score down, as Redis does.
    pub fn zset_random_members(
        &self,
        db: Db,
        key: &[u8],
        count: Option<i64>,
    ) -> Result<Option<Vec<ScoredMember>>> {
        let Some(row) = self.zset_row(db, key)? else { return Ok(None) };
        let all = |id| self.all_members(id, true);
        Ok(Some(self.random_elements(row, count.unwrap_or(1), &ZSET_ELEMENTS, all)?))
    }

    /// `ZSCAN`: one page of members with their scores. A small sorted set answers in one page,
    /// in score order, as Redis's listpack does.
    pub fn zset_scan(
        &self,
        db: Db,
        key: &[u8],
        cursor: u64,
        options: ElementScan<'_>,
    ) -> Result<ElementPage<ScoredMember>> {
        let row = self.zset_row(db, key)?;
        let all = |id| self.all_members(id, false);
        self.element_page(row, cursor, options, &ZSET_ELEMENTS, all)
    }
}

impl Writer<'_> {
    pub(crate) fn insert_member(&mut self, id: i64, member: &[u8], score: f64) -> Result<()> {
        self.execute(ZSET_INSERT_SQL, params![id, element_hash(member), member, score])?;
        Ok(())
    }

    pub(crate) fn delete_member(&mut self, id: i64, member: &[u8]) -> Result<usize> {
        self.execute(ZSET_DELETE_SQL, params![id, element_hash(member), member])
    }

    /// `ZADD` and `ZINCRBY`: adds or updates each `(score, member)` pair under `flags`. Only
    /// `INCR` can make a NaN (`inf` plus `-inf`), which is [`StoreError::ScoreIsNan`].
    pub fn zset_add<M: AsRef<[u8]>>(
        &mut self,
        db: Db,
        key: &[u8],
        flags: ZaddFlags,
        pairs: &[(f64, M)],
    ) -> Result<ZaddOutcome> {
        let mut outcome = ZaddOutcome::default();
        // Whether Redis holds the set as a listpack; `None` until it matters for an existing
        // set. Redis 7.0 creates a listpack unless the first member is too long for one.
        let (mut row, mut compact) = match self.zset_row_for_write(db, key)? {
            Some(row) => (row, None),
            None if flags.xx => return Ok(outcome),
            None => {
                let first = pairs.first().map_or(&[][..], |(_, member)| member.as_ref());
                (self.collection_or_create(db, key, KeyType::ZSet)?, Some(fits_listpack(0, first)))
            }
        };
        for (score, member) in pairs {
            let (score, member) = (*score, member.as_ref());
            if score.is_nan() {
                return Err(StoreError::ScoreIsNan);
            }
            let length = row.length + outcome.added;
            if flags.is_plain() && !is_negative_zero(score) {
                self.set_score(row.id, length, &mut compact, member, score, &mut outcome)?;
                continue;
            }
            match self.member_score(row.id, member)? {
                Some(_) if flags.nx => {}
                Some(current) => {
                    let score = if flags.incr { score + current } else { score };
                    if score.is_nan() {
                        return Err(StoreError::ScoreIsNan);
                    }
                    if (flags.lt && score >= current) || (flags.gt && score <= current) {
                        continue;
                    }
                    outcome.score = Some(score);
                    if score != current {
                        let stored = self.zset_stored_score(row.id, length, &mut compact, score)?;
                        let hash = element_hash(member);
                        self.execute(ZSET_UPDATE_SQL, params![row.id, hash, member, stored])?;
                        outcome.updated += 1;
                    }
                }
                None if flags.xx => {}
                None => {
                    // Redis converts a listpack before inserting a member that would not fit.
                    if !fits_listpack(length + 1, member) {
                        compact = Some(false);
                    }
                    let stored = self.zset_stored_score(row.id, length, &mut compact, score)?;
                    self.insert_member(row.id, member, stored)?;
                    outcome.added += 1;
                    outcome.score = Some(score);
                }
            }
        }
        self.change_length(&mut row, outcome.added)?;
        if outcome.added > 0 {
            self.note_filled(db, key);
        }
        Ok(outcome)
    }

    /// Adds members, or sets their scores, exactly as given: a `-0` stays `-0` whatever the
    /// set's size, where [`Writer::zset_add`] follows Redis's listpack (which stores a `-0`
    /// written into a small set as `0`). For copying a sorted set out of Redis (`resplite
    /// import`), which has decided each score's form already, and whose chunks would
    /// otherwise make the copy small while it is being built. Answers how many members
    /// were new; a NaN score is [`StoreError::ScoreIsNan`] and writes nothing.
    pub fn zset_add_exact<M: AsRef<[u8]>>(
        &mut self,
        db: Db,
        key: &[u8],
        pairs: &[(f64, M)],
    ) -> Result<i64> {
        if pairs.iter().any(|(score, _)| score.is_nan()) {
            return Err(StoreError::ScoreIsNan);
        }
        let mut row = self.collection_or_create(db, key, KeyType::ZSet)?;
        let mut added = 0;
        for (score, member) in pairs {
            let member = member.as_ref();
            let parameters = params![row.id, element_hash(member), member, score];
            if self.upsert(ZSET_PUT_EXACT_SQL, parameters)? == Upserted::Inserted {
                added += 1;
            }
        }
        self.change_length(&mut row, added)?;
        if added > 0 {
            self.note_filled(db, key);
        }
        Ok(added)
    }

    /// Sets `member`'s score in the set `id` of `length` members for a `ZADD` without
    /// conditions: one upsert adds the member or changes its score, with no lookup of the
    /// current score, which a plain `ZADD` does not need. Not for `-0`, whose
    /// stored form depends on the set's encoding (see [`stored_score`]).
    fn set_score(
        &mut self,
        id: i64,
        length: i64,
        compact: &mut Option<bool>,
        member: &[u8],
        score: f64,
        outcome: &mut ZaddOutcome,
    ) -> Result<()> {
        outcome.score = Some(score);
        match self.upsert(ZSET_PUT_SQL, params![id, element_hash(member), member, score])? {
            Upserted::Updated => outcome.updated += 1,
            Upserted::Inserted => {
                // As in the general path: Redis converts a listpack that a new member outgrows.
                if !fits_listpack(length + 1, member) {
                    *compact = Some(false);
                }
                outcome.added += 1;
            }
            Upserted::Unchanged => {}
        }
        Ok(())
    }

    /// The row of the sorted set `key` for a write (an expired one is deleted first).
    pub(crate) fn zset_row_for_write(&mut self, db: Db, key: &[u8]) -> Result<Option<KeyRow>> {
        self.collection_for_write(db, key, KeyType::ZSet)
    }

    /// The score to store for `score` in the set `id` of `length` members (see
    /// [`stored_score`]), finding out whether the set is compact only when it matters.
    fn zset_stored_score(
        &self,
        id: i64,
        length: i64,
        compact: &mut Option<bool>,
        score: f64,
    ) -> Result<f64> {
        if !is_negative_zero(score) {
            return Ok(score);
        }
        let compact = match *compact {
            Some(compact) => compact,
            None => *compact.insert(self.zset_is_listpack(id, length)?),
        };
        Ok(stored_score(score, compact))
    }

    /// `ZREM`: removes the members; answers how many existed. The set goes when emptied.
    pub fn zset_remove<M: AsRef<[u8]>>(
        &mut self,
        db: Db,
        key: &[u8],
        members: &[M],
    ) -> Result<i64> {
        let Some(mut row) = self.zset_row_for_write(db, key)? else { return Ok(0) };
        let mut removed = 0;
        for member in members {
            removed += self.delete_member(row.id, member.as_ref())?;
        }
        let removed = i64::try_from(removed).unwrap_or(i64::MAX);
        self.change_length(&mut row, -removed)?;
        Ok(removed)
    }

    /// `ZPOPMIN` (or `ZPOPMAX` when `highest`): removes and answers up to `count` members
    /// from that end, in the order they were taken.
    pub fn zset_pop(
        &mut self,
        db: Db,
        key: &[u8],
        highest: bool,
        count: i64,
    ) -> Result<Vec<ScoredMember>> {
        match self.zset_row_for_write(db, key)? {
            Some(row) => self.pop_members(row, highest, count),
            None => Ok(Vec::new()),
        }
    }

    /// `ZMPOP`: pops up to `count` members from the first of `keys` that exists (a key of
    /// another type there is [`StoreError::WrongType`]); answers that key and the members.
    pub fn zset_pop_first<K: AsRef<[u8]>>(
        &mut self,
        db: Db,
        keys: &[K],
        highest: bool,
        count: i64,
    ) -> Result<Option<(Vec<u8>, Vec<ScoredMember>)>> {
        for key in keys {
            if let Some(row) = self.zset_row_for_write(db, key.as_ref())? {
                let popped = self.pop_members(row, highest, count)?;
                return Ok(Some((key.as_ref().to_vec(), popped)));
            }
        }
        Ok(None)
    }

    fn pop_members(
        &mut self,
        mut row: KeyRow,
        highest: bool,
        count: i64,
    ) -> Result<Vec<ScoredMember>> {
        if count <= 0 {
            return Ok(Vec::new());
        }
        let popped = self.members_by_rank(&row, highest, 0, count)?;
        for (member, _) in &popped {
            self.delete_member(row.id, member)?;
        }
        let removed = i64::try_from(popped.len()).unwrap_or(i64::MAX);
        self.change_length(&mut row, -removed)?;
        Ok(popped)
    }
}
