//! Ranks in big sorted sets without counting every member: counted fences in score order.
//!
//! A rank is the number of members ordered before one, and SQLite's B-trees keep no counts
//! of their subtrees, so counting them one by one made `ZRANK` of a middle member, a range
//! by rank far from both ends and a wide `ZCOUNT` cost O(m): 9 ms in a set of 100,000. A
//! sorted set of [`FENCED_FROM`] members or more may therefore have *fences* in
//! `zset_fences`: positions in Redis's order (a score and a member) that cut the set into
//! blocks, each fence holding how many members its block has. A block runs from its fence
//! up to the next fence; the first fence is always the lowest position there is (score
//! `-inf`, the empty member), so every member is in exactly one block. A rank is then the
//! counts of the fences before the member's block, summed, plus a count of at most one
//! block's members; a count is the difference of two ranks.
//!
//! The counts are kept by triggers on `zset_members` ([`TRIGGERS`]), so no write can forget
//! them: each inserted or deleted member adds or takes one from the count
//! of its block, and a member whose score changed moves one count from its old block to its
//! new one (nothing, when both are the same block: no fence lies between the two positions).
//! Two triggers on `zset_fences` keep the blocks near [`BLOCK`] members: a count rising past
//! twice that splits the block at its [`BLOCK`]-th member, and one falling under a quarter of
//! it (but the first fence's) joins the block to the one before it.
//!
//! A split reads the score index, so it may only run while every count agrees with the
//! index. A moved member is already at its new place when the move trigger runs, so that
//! trigger first counts it in its new block (where a split can follow, every count but the
//! old block's being right, and that block not split) and then takes it from the old one
//! (where a join, and a split of the block joined, can follow, every count being right).
//! Splits follow only rising counts and joins only falling ones, so neither runs in between.
//!
//! Fences cost every write of a member a little (one more B-tree search and update, two for
//! a move), so a set gets them only once a read needs them: a read that has to count far
//! into a set of [`FENCED_FROM`] members or more without fences notes the set
//! ([`Reader::want_fences`]), the store hands the note to the writer thread after the read,
//! and the writer builds the fences in steps of a few milliseconds
//! ([`Writer::fence_on_request`]). A set of queue entries or time stamps that is only ever
//! read from its ends never pays, and the triggers themselves exist only while some set has
//! fences. Fences are dropped when a set shrinks under [`UNFENCED_BELOW`] members
//! ([`Writer::fences_follow_length`]), and go with the set; readers handle sets with and
//! without.

use std::cell::RefCell;

use rusqlite::{OptionalExtension, params};

use crate::error::{Result, StoreError};
use crate::reader::{KeyRow, Reader};
use crate::writer::Writer;
use crate::writer_thread::holding_write_connection;

thread_local! {
    /// Sorted sets (by row id) that reads on this thread found big and without fences.
    static WANTED: RefCell<Vec<i64>> = const { RefCell::new(Vec::new()) };
}

/// The most sets one thread's reads note before the store takes the notes.
const WANTED_LIMIT: usize = 16;

/// The sets that reads on this thread asked fences for since the last call.
pub(crate) fn take_wanted() -> Vec<i64> {
    WANTED.with(|wanted| std::mem::take(&mut *wanted.borrow_mut()))
}

/// Whether reads on this thread asked for fences since the last [`take_wanted`].
pub(crate) fn any_wanted() -> bool {
    WANTED.with(|wanted| !wanted.borrow().is_empty())
}

/// Whether a set of this many members gets fences when a read asks.
const fn worth_fencing(length: i64) -> bool {
    length >= FENCED_FROM
}

/// The members a block is cut to when built or split.
pub(crate) const BLOCK: i64 = 512;

/// A sorted set of this many members gets fences once a read has to count far into it.
pub(crate) const FENCED_FROM: i64 = 1024;

/// A sorted set loses its fences when it shrinks under this many members.
pub(crate) const UNFENCED_BELOW: i64 = 256;

/// The most block splits one [`Writer::fence_on_request`] makes.
pub(crate) const REFINE_STEPS: usize = 64;

/// Ranges by rank that start this far from the end they count from start at their block.
pub(crate) const WALK_FROM: i64 = 256;

/// One trigger statement: adds `$change` to the count of the block holding the position of
/// `$row` (`NEW` or `OLD`, the member row the trigger fired for).
#[rustfmt::skip]
macro_rules! count_in_block {
    ($row:literal, $change:literal) => {
        concat!(
            "    UPDATE zset_fences SET members = members ", $change, "\n",
            "        WHERE key_id = ", $row, ".key_id AND (score, member) = (\n",
            "            SELECT score, member FROM zset_fences\n",
            "            WHERE key_id = ", $row, ".key_id\n",
            "            AND (score, member) <= (", $row, ".score, ", $row, ".member)\n",
            "            ORDER BY score DESC, member DESC LIMIT 1);\n",
        )
    };
}

/// The table (schema version 2).
pub(crate) const SCHEMA: &str = "
CREATE TABLE zset_fences (
    key_id  INTEGER NOT NULL,
    score   ANY     NOT NULL,
    member  BLOB    NOT NULL,
    members INTEGER NOT NULL,
    PRIMARY KEY (key_id, score, member)
) STRICT, WITHOUT ROWID;
";

/// The names of the triggers in [`TRIGGERS`].
pub(crate) const TRIGGER_NAMES: [&str; 5] = [
    "zset_fences_after_insert",
    "zset_fences_after_delete",
    "zset_fences_after_move",
    "zset_fences_split",
    "zset_fences_join",
];

/// The triggers, present while any set has fences (see [`Writer::fence_on_request`]): each
/// costs every write of a member a call into a trigger program, fenced set or not. The
/// numbers are [`BLOCK`], twice it and a quarter of it; `-9e999` is `-inf`.
#[rustfmt::skip]
pub(crate) const TRIGGERS: &str = concat!("
CREATE TRIGGER IF NOT EXISTS zset_fences_after_insert AFTER INSERT ON zset_members
    WHEN EXISTS (SELECT 1 FROM zset_fences WHERE key_id = NEW.key_id)
BEGIN
", count_in_block!("NEW", "+ 1"), "END;
CREATE TRIGGER IF NOT EXISTS zset_fences_after_delete AFTER DELETE ON zset_members
    WHEN EXISTS (SELECT 1 FROM zset_fences WHERE key_id = OLD.key_id)
BEGIN
", count_in_block!("OLD", "- 1"), "END;
CREATE TRIGGER IF NOT EXISTS zset_fences_after_move AFTER UPDATE OF score ON zset_members
    WHEN OLD.score <> NEW.score AND EXISTS (
        SELECT 1 FROM zset_fences WHERE key_id = NEW.key_id
        AND (score, member) > (min(OLD.score, NEW.score), NEW.member)
        AND (score, member) <= (max(OLD.score, NEW.score), NEW.member))
BEGIN
", count_in_block!("NEW", "+ 1"), count_in_block!("OLD", "- 1"), "END;
CREATE TRIGGER IF NOT EXISTS zset_fences_split AFTER UPDATE OF members ON zset_fences
    WHEN NEW.members > OLD.members AND NEW.members > 1024
BEGIN
    INSERT INTO zset_fences (key_id, score, member, members)
        SELECT NEW.key_id, score, member, NEW.members - 512
        FROM zset_members INDEXED BY zset_by_score
        WHERE key_id = NEW.key_id AND (score, member) >= (NEW.score, NEW.member)
        ORDER BY score, member LIMIT 1 OFFSET 512;
    UPDATE zset_fences SET members = 512
        WHERE key_id = NEW.key_id AND score = NEW.score AND member = NEW.member;
END;
CREATE TRIGGER IF NOT EXISTS zset_fences_join AFTER UPDATE OF members ON zset_fences
    WHEN NEW.members < OLD.members AND NEW.members < 128
    AND NOT (NEW.score = -9e999 AND NEW.member = x'')
BEGIN
    UPDATE zset_fences SET members = members + NEW.members
        WHERE key_id = NEW.key_id AND (score, member) = (
            SELECT score, member FROM zset_fences
            WHERE key_id = NEW.key_id AND (score, member) < (NEW.score, NEW.member)
            ORDER BY score DESC, member DESC LIMIT 1);
    DELETE FROM zset_fences
        WHERE key_id = NEW.key_id AND score = NEW.score AND member = NEW.member;
END;
");

/// The statements of the triggers in [`SCHEMA`], with parameters for `NEW` and `OLD`, and
/// the index each must search (checked by `plans.rs`: a trigger runs on every write of a
/// member, so none may walk the fences of its set).
#[cfg(test)]
pub(crate) const TRIGGER_STATEMENTS: &[(&str, &str)] = &[
    (
        "SELECT EXISTS (SELECT 1 FROM zset_fences WHERE key_id = ?1 \
         AND (score, member) > (min(?2, ?3), ?4) AND (score, member) <= (max(?2, ?3), ?4))",
        "PRIMARY KEY (key_id=? AND (score,member)>(?,?) AND (score,member)<(?,?))",
    ),
    (
        "UPDATE zset_fences SET members = members + 1 WHERE key_id = ?1 AND (score, member) = ( \
         SELECT score, member FROM zset_fences WHERE key_id = ?1 \
         AND (score, member) <= (?2, ?3) ORDER BY score DESC, member DESC LIMIT 1)",
        "PRIMARY KEY (key_id=? AND score=? AND member=?)",
    ),
    (
        "SELECT score, member FROM zset_members INDEXED BY zset_by_score \
         WHERE key_id = ?1 AND (score, member) >= (?2, ?3) ORDER BY score, member \
         LIMIT 1 OFFSET 512",
        "zset_by_score (key_id=? AND (score,member)>(?,?))",
    ),
    (
        "UPDATE zset_fences SET members = 512 WHERE key_id = ?1 AND score = ?2 AND member = ?3",
        "PRIMARY KEY (key_id=? AND score=? AND member=?)",
    ),
    (
        "DELETE FROM zset_fences WHERE key_id = ?1 AND score = ?2 AND member = ?3",
        "PRIMARY KEY (key_id=? AND score=? AND member=?)",
    ),
];

/// The length of sorted set `?1` if it is outside the graveyard and has no fences.
pub(crate) const FENCE_CANDIDATE_SQL: &str = "SELECT length FROM keys WHERE id = ?1 AND kind = 4 AND db >= 0 \
     AND NOT EXISTS (SELECT 1 FROM zset_fences WHERE key_id = ?1)";

/// The first fence of set `?1`, counting all its `?2` members.
const START_SQL: &str = "INSERT INTO zset_fences (key_id, score, member, members) \
     VALUES (?1, -9e999, x'', ?2)";
/// A fence of set `?1` whose block has more than `?2` members.
pub(crate) const OVERSIZED_SQL: &str = "SELECT score, member, members FROM zset_fences \
     WHERE key_id = ?1 AND members > ?2 LIMIT 1";
/// The member `?4` places after fence `(?2, ?3)`: where a split puts the new fence.
pub(crate) const SPLIT_POINT_SQL: &str = "SELECT score, member FROM zset_members INDEXED BY zset_by_score \
     WHERE key_id = ?1 AND (score, member) >= (?2, ?3) ORDER BY score, member LIMIT 1 OFFSET ?4";
const INSERT_SQL: &str =
    "INSERT INTO zset_fences (key_id, score, member, members) VALUES (?1, ?2, ?3, ?4)";
const SET_COUNT_SQL: &str =
    "UPDATE zset_fences SET members = ?4 WHERE key_id = ?1 AND score = ?2 AND member = ?3";
const DROP_SQL: &str = "DELETE FROM zset_fences WHERE key_id = ?1";
const ANY_FENCE_SQL: &str = "SELECT EXISTS (SELECT 1 FROM zset_fences)";
pub(crate) const HAS_FENCES_SQL: &str =
    "SELECT EXISTS (SELECT 1 FROM zset_fences WHERE key_id = ?1)";
const COPY_SQL: &str = "INSERT INTO zset_fences (key_id, score, member, members) \
     SELECT ?2, score, member, members FROM zset_fences WHERE key_id = ?1";
/// The fences of every sorted set of database `?1` (for `FLUSHDB`).
pub(crate) const DROP_DATABASE_SQL: &str = "DELETE FROM zset_fences \
     WHERE key_id IN (SELECT id FROM keys WHERE db = ?1 AND kind = 4)";

/// The fence of the block holding position `(?2, ?3)`.
pub(crate) const BLOCK_OF_SQL: &str = "SELECT score, member, members FROM zset_fences \
     WHERE key_id = ?1 AND (score, member) <= (?2, ?3) ORDER BY score DESC, member DESC LIMIT 1";
// Ranges over positions `(score, member)` are written as ranges of scores and, at a range's
// end scores, ranges of members: SQLite checks a row-value bound like `(score, member) <
// (?2, ?3)` on every row it reads, which costs about twice the plain comparisons.

/// Members at score `?2` from member `?3` up to, not including, member `?4`.
pub(crate) const AT_SCORE_BETWEEN_SQL: &str = "SELECT count(*) FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3 AND member < ?4";
/// Members at score `?2` from member `?3` up.
pub(crate) const AT_SCORE_FROM_SQL: &str = "SELECT count(*) FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3";
/// Members scoring above `?2` and below `?3`.
pub(crate) const BETWEEN_SCORES_SQL: &str = "SELECT count(*) FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score > ?2 AND score < ?3";
/// Members at score `?2` below member `?3`.
pub(crate) const AT_SCORE_BELOW_SQL: &str = "SELECT count(*) FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member < ?3";
/// The scores of the second fence (the first after `(-inf, '')`) and of the last of set `?1`.
pub(crate) const FENCE_SCORE_SPAN_SQL: &str = "SELECT \
     (SELECT score FROM zset_fences WHERE key_id = ?1 AND (score, member) > (-9e999, x'') \
      ORDER BY score, member LIMIT 1), \
     (SELECT score FROM zset_fences WHERE key_id = ?1 ORDER BY score DESC, member DESC LIMIT 1)";
/// How many fences score below `?2` (reading at most `?3`), and their counts summed.
pub(crate) const FENCES_BELOW_SQL: &str = "SELECT count(*), total(members) FROM (SELECT members \
     FROM zset_fences WHERE key_id = ?1 AND score < ?2 LIMIT ?3)";
/// The same for the fences scoring above `?2`.
pub(crate) const FENCES_ABOVE_SQL: &str = "SELECT count(*), total(members) FROM (SELECT members \
     FROM zset_fences WHERE key_id = ?1 AND score > ?2 LIMIT ?3)";
/// The fences at score `?2` below member `?3`: how many, and their counts summed.
pub(crate) const FENCES_AT_SCORE_BELOW_SQL: &str = "SELECT count(*), total(members) \
     FROM zset_fences WHERE key_id = ?1 AND score = ?2 AND member < ?3";
/// The same for the fences at score `?2` above member `?3`.
pub(crate) const FENCES_AT_SCORE_ABOVE_SQL: &str = "SELECT count(*), total(members) \
     FROM zset_fences WHERE key_id = ?1 AND score = ?2 AND member > ?3";
pub(crate) const ASCENDING_SQL: &str = "SELECT score, member, members FROM zset_fences \
     WHERE key_id = ?1 ORDER BY score, member";
pub(crate) const DESCENDING_SQL: &str = "SELECT score, member, members FROM zset_fences \
     WHERE key_id = ?1 ORDER BY score DESC, member DESC";
/// Members from position `(?2, ?3)` up: `LIMIT ?4 OFFSET ?5`.
pub(crate) const MEMBERS_UP_SQL: &str = "SELECT member, score FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND (score, member) >= (?2, ?3) \
     ORDER BY score, member LIMIT ?4 OFFSET ?5";
/// Members from position `(?2, ?3)` down: `LIMIT ?4`.
pub(crate) const MEMBERS_DOWN_SQL: &str = "SELECT member, score FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND (score, member) <= (?2, ?3) \
     ORDER BY score DESC, member DESC LIMIT ?4";

/// A fence: the position where its block starts, and how many members the block has.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Fence {
    pub score: f64,
    pub member: Vec<u8>,
    pub members: i64,
}

fn fence_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Fence> {
    Ok(Fence { score: row.get(0)?, member: row.get(1)?, members: row.get(2)? })
}

impl Reader<'_> {
    /// The number of members of the fenced set `row` ordered before position `(score,
    /// member)` (a member's rank, or any other position's), or `None` when the set has no
    /// fences. Costs one block's members at most, and the fences on one side of the block's
    /// (see [`Reader::members_before_block`]).
    pub(crate) fn fenced_rank(
        &self,
        row: &KeyRow,
        score: f64,
        member: &[u8],
    ) -> Result<Option<i64>> {
        let block: Option<Fence> = self
            .connection
            .prepare_cached(BLOCK_OF_SQL)?
            .query_row(params![row.id, score, member], fence_row)
            .optional()?;
        let Some(block) = block else { return Ok(None) };
        if block.members > 4 * BLOCK {
            // Still being split (or left big by a write that could not split it).
            self.want_fences(row);
        }
        let in_block = self.rank_in_block(row.id, &block, score, member)?;
        Ok(Some(self.members_before_block(row, &block)? + in_block))
    }

    /// How many members of sorted set `row` order from position `low` up to, not including,
    /// position `high` (`None`: every member from `low` on), from the ranks of the two
    /// positions; `None` when the set has no fences (a big one then asks for them).
    pub(crate) fn fenced_count(
        &self,
        row: &KeyRow,
        low: (f64, &[u8]),
        high: Option<(f64, &[u8])>,
    ) -> Result<Option<i64>> {
        let Some(before_low) = self.fenced_rank(row, low.0, low.1)? else {
            self.want_fences(row);
            return Ok(None);
        };
        let before_high = self.members_before(row, high)?.unwrap_or(before_low);
        Ok(Some((before_high - before_low).max(0)))
    }

    /// [`Reader::fenced_rank`] of a position, where `None` is the end of the set (every
    /// member is before it).
    pub(crate) fn members_before(
        &self,
        row: &KeyRow,
        position: Option<(f64, &[u8])>,
    ) -> Result<Option<i64>> {
        match position {
            Some((score, member)) => self.fenced_rank(row, score, member),
            None => Ok(Some(row.length)),
        }
    }

    /// How many members of `block` order before position `(score, member)` within it.
    fn rank_in_block(&self, id: i64, block: &Fence, score: f64, member: &[u8]) -> Result<i64> {
        if block.score == score {
            return self.count(AT_SCORE_BETWEEN_SQL, params![id, score, block.member, member]);
        }
        Ok(self.count(AT_SCORE_FROM_SQL, params![id, block.score, block.member])?
            + self.count(BETWEEN_SCORES_SQL, params![id, block.score, score])?
            + self.count(AT_SCORE_BELOW_SQL, params![id, score, member])?)
    }

    /// The number of members in the blocks before `block`'s: the fences before it summed, or
    /// those after it subtracted from the set's length. A few fences are tried on each side
    /// first (a block near either end); then the side is guessed from where the block's score
    /// lies between the lowest and highest fences' (halfway or below: the fences before it),
    /// or, where scores cannot tell (infinite or all equal), found in turns with a budget
    /// that grows fourfold each round.
    fn members_before_block(&self, row: &KeyRow, block: &Fence) -> Result<i64> {
        let sum = |sql: &str, parameters: &[&dyn rusqlite::ToSql]| -> Result<(i64, i64)> {
            let mut statement = self.connection.prepare_cached(sql)?;
            Ok(statement
                .query_row(parameters, |row| Ok((row.get(0)?, row.get::<_, f64>(1)? as i64)))?)
        };
        let (id, score, member) = (row.id, block.score, &block.member);
        let before = |budget: i64| -> Result<Option<i64>> {
            let (read, below) = sum(FENCES_BELOW_SQL, params![id, score, budget])?;
            if read == budget {
                return Ok(None);
            }
            Ok(Some(below + sum(FENCES_AT_SCORE_BELOW_SQL, params![id, score, member])?.1))
        };
        let after = |budget: i64| -> Result<Option<i64>> {
            let (read, above) = sum(FENCES_ABOVE_SQL, params![id, score, budget])?;
            if read == budget {
                return Ok(None);
            }
            let (_, at_score_above) = sum(FENCES_AT_SCORE_ABOVE_SQL, params![id, score, member])?;
            Ok(Some(row.length - block.members - above - at_score_above))
        };
        let mut budget = 32;
        if let Some(found) = before(budget)? {
            return Ok(found);
        }
        if let Some(found) = after(budget)? {
            return Ok(found);
        }
        if let Some(lower_half) = self.in_lower_half(id, score)? {
            let found = if lower_half { before(i64::MAX)? } else { after(i64::MAX)? };
            return found.ok_or_else(|| StoreError::Internal("fences past i64::MAX".into()));
        }
        loop {
            budget = budget.saturating_mul(4);
            if let Some(found) = before(budget)? {
                return Ok(found);
            }
            if let Some(found) = after(budget)? {
                return Ok(found);
            }
        }
    }

    /// Whether `score` lies in the lower half between the scores of the second and the last
    /// fence of set `id`, when those are finite and differ.
    fn in_lower_half(&self, id: i64, score: f64) -> Result<Option<bool>> {
        let mut statement = self.connection.prepare_cached(FENCE_SCORE_SPAN_SQL)?;
        let (low, high): (Option<f64>, Option<f64>) =
            statement.query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(match (low, high) {
            (Some(low), Some(high)) if low.is_finite() && high.is_finite() && low < high => {
                Some(score - low <= high - score)
            }
            _ => None,
        })
    }

    /// Whether sorted set `row` has fences (never, under [`UNFENCED_BELOW`] members).
    pub(crate) fn has_fences(&self, row: &KeyRow) -> Result<bool> {
        if row.length < UNFENCED_BELOW {
            return Ok(false);
        }
        let mut statement = self.connection.prepare_cached(HAS_FENCES_SQL)?;
        Ok(statement.query_row([row.id], |row| row.get(0))?)
    }

    /// Notes that a read had to count far into sorted set `row`, which has no fences: if it
    /// is big enough, the store asks the writer to build them after this read. Reads on the
    /// write connection (inside `MULTI`) note nothing.
    pub(crate) fn want_fences(&self, row: &KeyRow) {
        if !worth_fencing(row.length) || holding_write_connection() {
            return;
        }
        WANTED.with(|wanted| {
            let mut wanted = wanted.borrow_mut();
            if !wanted.contains(&row.id) && wanted.len() < WANTED_LIMIT {
                wanted.push(row.id);
            }
        });
    }

    /// The fence of the block holding ascending rank `rank` (`0 <= rank < length`) and how
    /// far into the block the rank is, or `None` when the set has no fences. Walks the fences
    /// from the nearer end.
    pub(crate) fn fence_for_rank(&self, row: &KeyRow, rank: i64) -> Result<Option<(Fence, i64)>> {
        let from_top = rank >= row.length / 2;
        let sql = if from_top { DESCENDING_SQL } else { ASCENDING_SQL };
        let mut statement = self.connection.prepare_cached(sql)?;
        let mut fences = statement.query([row.id])?;
        // Members in the blocks walked past: below the fence going up, above it going down.
        // Only the fence found is read whole.
        let mut passed = 0;
        while let Some(fence) = fences.next()? {
            let members: i64 = fence.get(2)?;
            let start = if from_top { row.length - passed - members } else { passed };
            let holds = if from_top { start <= rank } else { rank < start + members };
            if holds {
                return Ok(Some((fence_row(fence)?, rank - start)));
            }
            passed += members;
        }
        Ok(None)
    }
}

impl Writer<'_> {
    /// Drops the fences of sorted set `id` when a change of its length from `before` to
    /// `after` takes it under [`UNFENCED_BELOW`] members.
    pub(crate) fn fences_follow_length(&mut self, id: i64, before: i64, after: i64) -> Result<()> {
        if before >= UNFENCED_BELOW && after < UNFENCED_BELOW {
            self.drop_fences(id)?;
        }
        Ok(())
    }

    /// Fences sorted set `id` for a read that asked (see the module documentation), if it is
    /// a live sorted set big enough for them: a first fence counting the whole set when it
    /// has none, then up to [`REFINE_STEPS`] splits of blocks past twice [`BLOCK`] members.
    /// Answers whether such blocks are left, for another call: fencing a big set takes a
    /// split per [`BLOCK`] members, and each call holds up other writes only a few
    /// milliseconds.
    pub fn fence_on_request(&mut self, id: i64) -> Result<bool> {
        let unfenced: Option<i64> = self
            .connection
            .prepare_cached(FENCE_CANDIDATE_SQL)?
            .query_row([id], |row| row.get(0))
            .optional()?;
        if let Some(length) = unfenced {
            if !worth_fencing(length) {
                return Ok(false);
            }
            self.connection.execute_batch(TRIGGERS)?;
            self.execute(START_SQL, params![id, length])?;
        }
        self.split_oversized(id, REFINE_STEPS)
    }

    /// Splits the blocks of sorted set `id` that have more than twice [`BLOCK`] members, at
    /// most `steps` times; answers whether any such block is left.
    fn split_oversized(&mut self, id: i64, mut steps: usize) -> Result<bool> {
        while steps > 0 {
            let oversized: Option<Fence> = self
                .connection
                .prepare_cached(OVERSIZED_SQL)?
                .query_row(params![id, 2 * BLOCK], fence_row)
                .optional()?;
            let Some(mut fence) = oversized else { return Ok(false) };
            // Split the block, then the rest it gave the new fence, until it fits.
            while steps > 0 && fence.members > 2 * BLOCK {
                steps -= 1;
                let point: Option<(f64, Vec<u8>)> = self
                    .connection
                    .prepare_cached(SPLIT_POINT_SQL)?
                    .query_row(params![id, fence.score, fence.member, BLOCK], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()?;
                let Some((score, member)) = point else {
                    return Err(StoreError::Internal(format!("fence count of set {id} is wrong")));
                };
                let rest = fence.members - BLOCK;
                self.execute(INSERT_SQL, params![id, score, member, rest])?;
                self.execute(SET_COUNT_SQL, params![id, fence.score, fence.member, BLOCK])?;
                fence = Fence { score, member, members: rest };
            }
        }
        let left: Option<i64> = self
            .connection
            .prepare_cached(OVERSIZED_SQL)?
            .query_row(params![id, 2 * BLOCK], |row| row.get(2))
            .optional()?;
        Ok(left.is_some())
    }

    /// Removes the fences of sorted set `id` (it shrank, or is being deleted).
    pub(crate) fn drop_fences(&mut self, id: i64) -> Result<()> {
        if self.execute(DROP_SQL, [id])? > 0 {
            self.drop_triggers_if_unfenced()?;
        }
        Ok(())
    }

    /// Removes the fences' triggers once no set has fences, so that writes into sorted sets
    /// call no trigger program again (a schema change, which makes every connection prepare
    /// its statements again: rare, as fences are).
    pub(crate) fn drop_triggers_if_unfenced(&mut self) -> Result<()> {
        let any: bool = self.connection.query_row(ANY_FENCE_SQL, [], |row| row.get(0))?;
        if !any {
            let drops: Vec<String> = TRIGGER_NAMES
                .iter()
                .map(|name| format!("DROP TRIGGER IF EXISTS {name};"))
                .collect();
            self.connection.execute_batch(&drops.concat())?;
        }
        Ok(())
    }

    /// Gives the copy `to` of sorted set `from` the same fences.
    pub(crate) fn copy_fences(&mut self, from: i64, to: i64) -> Result<()> {
        self.execute(COPY_SQL, [from, to])?;
        Ok(())
    }
}
