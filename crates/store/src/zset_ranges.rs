//! Sorted-set ranges by rank, by score and by member (`ZRANGE` and its older forms,
//! `ZRANGESTORE`, `ZCOUNT`, `ZLEXCOUNT`, `ZREMRANGEBY…`).
//!
//! Every range is a walk of the `zset_by_score` index. A rank range starts from the nearer
//! end (a negative index near the top walks backwards), so its cost is the distance from that
//! end plus the members returned. Lex ranges assume, as Redis does, that all scores are equal:
//! then they are one index range. With mixed scores Redis's answer depends on its encoding;
//! resplite walks the whole set and answers what Redis's listpack (the encoding of small
//! sets) would.

use rusqlite::params;

use crate::error::Result;
use crate::reader::{Db, KeyRow, Reader};
use crate::score::parse_range_number;
use crate::sorted_sets::{
    ScoredMember, ZSET_ASCENDING_SQL, ZSET_DESCENDING_SQL, each_scored, fits_listpack, scored_row,
    stored_score,
};
use crate::writer::Writer;

/// Members with a score in a closed interval, lowest first: `LIMIT ?4 OFFSET ?5`.
pub(crate) const SCORE_ASCENDING_SQL: &str = "SELECT member, score FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score >= ?2 AND score <= ?3 \
     ORDER BY score, member LIMIT ?4 OFFSET ?5";
/// Members with a score in a closed interval, highest first: `LIMIT ?4 OFFSET ?5`.
pub(crate) const SCORE_DESCENDING_SQL: &str = "SELECT member, score FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score >= ?2 AND score <= ?3 \
     ORDER BY score DESC, member DESC LIMIT ?4 OFFSET ?5";
pub(crate) const SCORE_COUNT_SQL: &str = "SELECT count(*) FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score >= ?2 AND score <= ?3";
/// [`SCORE_COUNT_SQL`] counting at most `?4`.
pub(crate) const SCORE_COUNT_UP_TO_SQL: &str = "SELECT count(*) FROM (SELECT 1 FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score >= ?2 AND score <= ?3 LIMIT ?4)";
/// Counts of `ZCOUNT` and `ZLEXCOUNT` up to this many members are counted member by member.
const COUNT_BUDGET: i64 = 1024;
pub(crate) const SCORE_DELETE_SQL: &str = "DELETE FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score >= ?2 AND score <= ?3";
/// Deletes the members from `(?2, ?3)` through `(?4, ?5)` in index order.
pub(crate) const RANK_DELETE_SQL: &str = "DELETE FROM zset_members INDEXED BY zset_by_score \
     WHERE key_id = ?1 AND (score, member) >= (?2, ?3) AND (score, member) <= (?4, ?5)";

/// Lex ranges over a set whose members all have score `?2`, from member `?3` (inclusive) to
/// member `?4` (exclusive); the `_OPEN` forms have no upper end.
pub(crate) const LEX_ASCENDING_SQL: &str = "SELECT member, score FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3 \
     AND member < ?4 ORDER BY score, member LIMIT ?5 OFFSET ?6";
pub(crate) const LEX_ASCENDING_OPEN_SQL: &str = "SELECT member, score FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3 \
     ORDER BY score, member LIMIT ?4 OFFSET ?5";
pub(crate) const LEX_DESCENDING_SQL: &str = "SELECT member, score FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3 \
     AND member < ?4 ORDER BY score DESC, member DESC LIMIT ?5 OFFSET ?6";
pub(crate) const LEX_DESCENDING_OPEN_SQL: &str = "SELECT member, score FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3 \
     ORDER BY score DESC, member DESC LIMIT ?4 OFFSET ?5";
pub(crate) const LEX_COUNT_SQL: &str = "SELECT count(*) FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3 AND member < ?4";
pub(crate) const LEX_COUNT_OPEN_SQL: &str = "SELECT count(*) FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3";
/// [`LEX_COUNT_SQL`] counting at most `?5`.
pub(crate) const LEX_COUNT_UP_TO_SQL: &str = "SELECT count(*) FROM (SELECT 1 FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3 AND member < ?4 \
     LIMIT ?5)";
/// [`LEX_COUNT_OPEN_SQL`] counting at most `?4`.
pub(crate) const LEX_COUNT_OPEN_UP_TO_SQL: &str = "SELECT count(*) FROM (SELECT 1 \
     FROM zset_members INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 \
     AND member >= ?3 LIMIT ?4)";
pub(crate) const LEX_DELETE_SQL: &str = "DELETE FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3 AND member < ?4";
pub(crate) const LEX_DELETE_OPEN_SQL: &str = "DELETE FROM zset_members \
     INDEXED BY zset_by_score WHERE key_id = ?1 AND score = ?2 AND member >= ?3";

/// A score interval, as `ZRANGEBYSCORE` takes it (`(` makes an end exclusive).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    /// The lower end.
    pub min: f64,
    /// Whether the lower end is excluded.
    pub min_exclusive: bool,
    /// The upper end.
    pub max: f64,
    /// Whether the upper end is excluded.
    pub max_exclusive: bool,
}

impl ScoreRange {
    /// Parses Redis's `min` and `max` range arguments; `None` means `min or max is not a
    /// float`.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
        let (min, min_exclusive) = parse_score_bound(min)?;
        let (max, max_exclusive) = parse_score_bound(max)?;
        Some(ScoreRange { min, min_exclusive, max, max_exclusive })
    }

    /// The same interval over doubles with both ends included, or `None` when it is empty:
    /// `x > a` is `x >= next_up(a)` for every double `x`.
    fn closed(&self) -> Option<(f64, f64)> {
        let low = match self.min_exclusive {
            true if self.min == f64::INFINITY => return None,
            true => self.min.next_up(),
            false => self.min,
        };
        let high = match self.max_exclusive {
            true if self.max == f64::NEG_INFINITY => return None,
            true => self.max.next_down(),
            false => self.max,
        };
        (low <= high).then_some((low, high))
    }
}

fn parse_score_bound(text: &[u8]) -> Option<(f64, bool)> {
    match text.split_first() {
        Some((b'(', rest)) => Some((parse_range_number(rest)?, true)),
        _ => Some((parse_range_number(text)?, false)),
    }
}

/// One end of a lex range: `-`, `+`, `[member` or `(member`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: below every member.
    Minimum,
    /// `+`: above every member.
    Maximum,
    /// `[member`.
    Inclusive(Vec<u8>),
    /// `(member`.
    Exclusive(Vec<u8>),
}

impl LexBound {
    /// Parses one end as `zslParseLexRangeItem` does (`-` and `+` may be followed by a NUL
    /// byte and nothing else counts).
    fn parse(text: &[u8]) -> Option<LexBound> {
        let alone = text.get(1).is_none_or(|&byte| byte == 0);
        match text.split_first()? {
            (b'-', _) if alone => Some(LexBound::Minimum),
            (b'+', _) if alone => Some(LexBound::Maximum),
            (b'[', rest) => Some(LexBound::Inclusive(rest.to_vec())),
            (b'(', rest) => Some(LexBound::Exclusive(rest.to_vec())),
            _ => None,
        }
    }

    /// Orders a bound against a member, where `-` is below and `+` above everything.
    fn compare(&self, member: &[u8]) -> std::cmp::Ordering {
        match self {
            LexBound::Minimum => std::cmp::Ordering::Less,
            LexBound::Maximum => std::cmp::Ordering::Greater,
            LexBound::Inclusive(bound) | LexBound::Exclusive(bound) => bound.as_slice().cmp(member),
        }
    }

    fn is_exclusive(&self) -> bool {
        !matches!(self, LexBound::Inclusive(_))
    }
}

/// A member interval, as `ZRANGEBYLEX` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexRange {
    /// The lower end.
    pub min: LexBound,
    /// The upper end.
    pub max: LexBound,
}

impl LexRange {
    /// Parses Redis's `min` and `max`; `None` means `min or max not valid string range item`.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<LexRange> {
        Some(LexRange { min: LexBound::parse(min)?, max: LexBound::parse(max)? })
    }

    fn is_empty(&self) -> bool {
        use std::cmp::Ordering::{Equal, Greater};
        let order = match (&self.min, &self.max) {
            (LexBound::Minimum, LexBound::Minimum) | (LexBound::Maximum, LexBound::Maximum) => {
                Equal
            }
            (LexBound::Minimum, _) | (_, LexBound::Maximum) => std::cmp::Ordering::Less,
            (LexBound::Maximum, _) | (_, LexBound::Minimum) => Greater,
            (min, LexBound::Inclusive(max) | LexBound::Exclusive(max)) => min.compare(max),
        };
        order == Greater || (order == Equal && (self.min.is_exclusive() || self.max.is_exclusive()))
    }

    fn above_min(&self, member: &[u8]) -> bool {
        let order = self.min.compare(member);
        order.is_lt() || (order.is_eq() && !self.min.is_exclusive())
    }

    fn below_max(&self, member: &[u8]) -> bool {
        let order = self.max.compare(member);
        order.is_gt() || (order.is_eq() && !self.max.is_exclusive())
    }

    /// The range (known not to be empty) as an inclusive lower member and an exclusive upper
    /// one: the member right after `x` in byte order is `x` followed by a zero byte.
    fn sql_bounds(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        let successor = |bytes: &[u8]| [bytes, &[0]].concat();
        let low = match &self.min {
            LexBound::Inclusive(bytes) => bytes.clone(),
            LexBound::Exclusive(bytes) => successor(bytes),
            LexBound::Minimum | LexBound::Maximum => Vec::new(),
        };
        let high = match &self.max {
            LexBound::Inclusive(bytes) => Some(successor(bytes)),
            LexBound::Exclusive(bytes) => Some(bytes.clone()),
            LexBound::Minimum | LexBound::Maximum => None,
        };
        (low, high)
    }
}

/// Which members a range covers.
#[derive(Clone, Debug, PartialEq)]
pub enum ZRange {
    /// Ranks `start` through `end`; negative ranks count from the end.
    Rank {
        /// The first rank.
        start: i64,
        /// The last rank.
        end: i64,
    },
    /// Members with a score in the interval.
    Score(ScoreRange),
    /// Members in the interval (meant for sets whose scores are all equal).
    Lex(LexRange),
}

/// A `ZRANGE`: the range, its direction and (for score and lex ranges) `LIMIT`.
#[derive(Clone, Debug, PartialEq)]
pub struct ZRangeQuery {
    /// The members covered.
    pub range: ZRange,
    /// Highest first (`REV`); the ranks then count from the highest too.
    pub reverse: bool,
    /// Members of the range to skip; a negative offset selects nothing, as in Redis.
    pub offset: i64,
    /// At most this many members; negative means all.
    pub limit: i64,
}

/// Ranges by score or lex whose `LIMIT` skips at least this many members start at a rank
/// found from the set's rank fences instead of stepping over the skipped members. Stepping
/// costs about 45 ns a member, a rank 50–120 µs in a set of 300,000 (more for lex ranges,
/// whose equal scores cannot tell which side of a block is shorter): about even here.
const SKIP_BY_RANK_FROM: i64 = 2048;

/// The positions of a range by score or lex in the set's order: from `low` on, up to, not
/// including, `high` (`None`: to the end).
#[derive(Clone, Copy)]
struct Window<'a> {
    low: (f64, &'a [u8]),
    high: Option<(f64, &'a [u8])>,
}

impl Window<'_> {
    /// Whether the member `member` of score `score` lies in the window.
    fn holds(&self, score: f64, member: &[u8]) -> bool {
        let before = |(at_score, at_member): (f64, &[u8])| {
            score < at_score || (score == at_score && member < at_member)
        };
        !before(self.low) && self.high.is_none_or(before)
    }
}

/// The position right after every member scoring at most `high`: `(next_up(high), '')`, or
/// `None` (the set's end) for `+inf`.
fn after_score(high: f64) -> Option<(f64, &'static [u8])> {
    (high < f64::INFINITY).then(|| (high.next_up(), &b""[..]))
}

/// The ranks `start..=end` (negative ones counting from the end) of a set of `length`
/// members, clamped; `None` when they select nothing.
fn clamp_ranks(length: i64, start: i64, end: i64) -> Option<(i64, i64)> {
    let start = if start < 0 { (length + start).max(0) } else { start };
    let end = if end < 0 { length + end } else { end.min(length - 1) };
    (start <= end && start < length).then_some((start, end))
}

/// Answers a lex range as Redis's listpack does. `members` yields the set in walking order
/// (highest first when `reverse`) and `ends` are its lowest and highest members. The first
/// member at or above the minimum starts the range (in reverse, the first at or below the
/// maximum), `offset` members are skipped unchecked, then members are taken while in range;
/// the walk stops there, so it costs the members up to the end of the answer.
fn lex_walk(
    members: impl Iterator<Item = rusqlite::Result<ScoredMember>>,
    ends: (&[u8], &[u8]),
    range: &LexRange,
    reverse: bool,
    offset: i64,
    limit: i64,
) -> Result<Vec<ScoredMember>> {
    let (lowest, highest) = ends;
    if !range.above_min(highest) || !range.below_max(lowest) {
        return Ok(Vec::new());
    }
    let starts = |member: &[u8]| {
        if reverse { range.below_max(member) } else { range.above_min(member) }
    };
    let in_range = |member: &[u8]| {
        if reverse { range.above_min(member) } else { range.below_max(member) }
    };
    let mut members = members;
    let start = loop {
        match members.next() {
            None => return Ok(Vec::new()),
            Some(item) => {
                let item = item?;
                if starts(&item.0) {
                    break item;
                }
            }
        }
    };
    if !range.above_min(&start.0) || !range.below_max(&start.0) {
        return Ok(Vec::new());
    }
    let mut skip = offset;
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut chosen = Vec::new();
    for item in std::iter::once(Ok(start)).chain(members) {
        let item = item?;
        if skip > 0 {
            skip -= 1;
            continue;
        }
        if chosen.len() >= take || !in_range(&item.0) {
            break;
        }
        chosen.push(item);
    }
    Ok(chosen)
}

impl Reader<'_> {
    /// `ZRANGE` and its older forms: the members of the range in the order asked for.
    pub fn zset_range(&self, db: Db, key: &[u8], query: &ZRangeQuery) -> Result<Vec<ScoredMember>> {
        match self.zset_row(db, key)? {
            Some(row) => self.range_members(&row, query),
            None => Ok(Vec::new()),
        }
    }

    /// `ZRANGE` for a caller that copies the members out itself: shows `visit` each member of
    /// the range, in the order asked for, as SQLite holds it, with its score.
    pub fn zset_range_each(
        &self,
        db: Db,
        key: &[u8],
        query: &ZRangeQuery,
        mut visit: impl FnMut(&[u8], f64),
    ) -> Result<()> {
        match self.zset_row(db, key)? {
            Some(row) => self.range_members_each(&row, query, &mut visit),
            None => Ok(()),
        }
    }

    fn range_members(&self, row: &KeyRow, query: &ZRangeQuery) -> Result<Vec<ScoredMember>> {
        let mut members = Vec::new();
        self.range_members_each(row, query, &mut |member, score| {
            members.push((member.to_vec(), score))
        })?;
        Ok(members)
    }

    fn range_members_each(
        &self,
        row: &KeyRow,
        query: &ZRangeQuery,
        visit: &mut impl FnMut(&[u8], f64),
    ) -> Result<()> {
        let (offset, limit) = (query.offset, query.limit);
        match &query.range {
            ZRange::Rank { start, end } => {
                let Some((start, end)) = clamp_ranks(row.length, *start, *end) else {
                    return Ok(());
                };
                let (low, high) = if query.reverse {
                    (row.length - 1 - end, row.length - 1 - start)
                } else {
                    (start, end)
                };
                // Walk from the nearer end; when that is not the order asked for, the members
                // are gathered and turned round.
                let count = high - low + 1;
                let from_top = row.length - 1 - high;
                let (descending, from) =
                    if low <= from_top { (false, low) } else { (true, from_top) };
                if descending == query.reverse {
                    return self.members_by_rank_each(row, descending, from, count, visit);
                }
                let mut members = self.members_by_rank(row, descending, from, count)?;
                members.reverse();
                members.iter().for_each(|(member, score)| visit(member, *score));
                Ok(())
            }
            ZRange::Score(range) => {
                let Some((low, high)) = range.closed().filter(|_| offset >= 0) else {
                    return Ok(());
                };
                let window = Window { low: (low, b""), high: after_score(high) };
                if self.far_window_each(row, window, query, visit)? {
                    return Ok(());
                }
                let sql = if query.reverse { SCORE_DESCENDING_SQL } else { SCORE_ASCENDING_SQL };
                let mut statement = self.connection.prepare_cached(sql)?;
                each_scored(statement.query(params![row.id, low, high, limit, offset])?, visit)
            }
            ZRange::Lex(range) => {
                if range.is_empty() || offset < 0 {
                    return Ok(());
                }
                let Some(score) = self.uniform_score(row)? else {
                    let members = self.walk_lex(row, range, query.reverse, offset, limit)?;
                    members.iter().for_each(|(member, score)| visit(member, *score));
                    return Ok(());
                };
                let (low, high) = range.sql_bounds();
                let window =
                    Window { low: (score, &low), high: high.as_deref().map(|h| (score, h)) };
                if self.far_window_each(row, window, query, visit)? {
                    return Ok(());
                }
                let (id, reverse) = (row.id, query.reverse);
                let mut statement = self.connection.prepare_cached(match (reverse, &high) {
                    (false, Some(_)) => LEX_ASCENDING_SQL,
                    (false, None) => LEX_ASCENDING_OPEN_SQL,
                    (true, Some(_)) => LEX_DESCENDING_SQL,
                    (true, None) => LEX_DESCENDING_OPEN_SQL,
                })?;
                let rows = match &high {
                    Some(high) => statement.query(params![id, score, low, high, limit, offset])?,
                    None => statement.query(params![id, score, low, limit, offset])?,
                };
                each_scored(rows, visit)
            }
        }
    }

    /// A range by score or lex whose `LIMIT` skips [`SKIP_BY_RANK_FROM`] members or more, in a
    /// set with rank fences: starts at the rank of the range's first member plus the offset,
    /// found from the fences, instead of stepping over the skipped members, and stops at the
    /// range's other end; an offset past the set's length visits nothing. Answers `false`,
    /// having visited nothing, for a nearer offset or a set without fences (a big one then
    /// asks for them).
    fn far_window_each(
        &self,
        row: &KeyRow,
        window: Window<'_>,
        query: &ZRangeQuery,
        visit: &mut impl FnMut(&[u8], f64),
    ) -> Result<bool> {
        let (offset, reverse) = (query.offset, query.reverse);
        if offset >= row.length {
            // Nothing is left after the offset, with no need to step over the set to see it.
            return Ok(true);
        }
        if offset < SKIP_BY_RANK_FROM {
            return Ok(false);
        }
        // The range's first end in the walk's direction, then its other end only when the
        // walk has no `LIMIT` count to stop it.
        let (first, other) =
            if reverse { (window.high, Some(window.low)) } else { (Some(window.low), window.high) };
        let Some(before_first) = self.members_before(row, first)? else {
            self.want_fences(row);
            return Ok(false);
        };
        let skipped = if reverse { row.length - before_first } else { before_first };
        let limit = match query.limit {
            limit if limit >= 0 => limit,
            _ => {
                let Some(before_other) = self.members_before(row, other)? else { return Ok(false) };
                (before_other - before_first).abs() - offset
            }
        };
        let from = skipped + offset;
        if limit <= 0 || from >= row.length {
            return Ok(true);
        }
        let mut inside = true;
        self.members_by_rank_each(row, reverse, from, limit, &mut |member, score| {
            inside = inside && window.holds(score, member);
            if inside {
                visit(member, score);
            }
        })?;
        Ok(true)
    }

    /// The members of ascending ranks `low..=high`, walking from the nearer end.
    fn members_in_ranks(&self, row: &KeyRow, low: i64, high: i64) -> Result<Vec<ScoredMember>> {
        let count = high - low + 1;
        let from_top = row.length - 1 - high;
        if low <= from_top {
            return self.members_by_rank(row, false, low, count);
        }
        let mut members = self.members_by_rank(row, true, from_top, count)?;
        members.reverse();
        Ok(members)
    }

    /// The lowest and highest members of a (non-empty) set.
    fn ends(&self, row: &KeyRow) -> Result<Option<(ScoredMember, ScoredMember)>> {
        let lowest = self.members_by_rank(row, false, 0, 1)?.pop();
        let highest = self.members_by_rank(row, true, 0, 1)?.pop();
        Ok(lowest.zip(highest))
    }

    /// The score every member has, when they all have the same one (the case lex ranges
    /// are meant for).
    fn uniform_score(&self, row: &KeyRow) -> Result<Option<f64>> {
        Ok(self.ends(row)?.and_then(|(low, high)| (low.1 == high.1).then_some(low.1)))
    }

    /// A lex range over mixed scores: Redis's listpack walk (see [`lex_walk`]) over the
    /// score index.
    fn walk_lex(
        &self,
        row: &KeyRow,
        range: &LexRange,
        reverse: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ScoredMember>> {
        let Some((lowest, highest)) = self.ends(row)? else { return Ok(Vec::new()) };
        let sql = if reverse { ZSET_DESCENDING_SQL } else { ZSET_ASCENDING_SQL };
        let mut statement = self.connection.prepare_cached(sql)?;
        let rows = statement.query_map(params![row.id, -1, 0], scored_row)?;
        lex_walk(rows, (&lowest.0, &highest.0), range, reverse, offset, limit)
    }

    /// `ZCOUNT`: how many members have a score in the range; O(log n + count).
    ///
    /// A set without rank fences (see `rank_fences`) is counted, and a count of more than
    /// [`COUNT_BUDGET`] members in a big one asks for fences. In a set with them, up to
    /// [`COUNT_BUDGET`] members are counted and a bigger count comes from the ranks of its
    /// ends. `ZLEXCOUNT` counts the same way.
    pub fn zset_count(&self, db: Db, key: &[u8], range: &ScoreRange) -> Result<i64> {
        let Some(row) = self.zset_row(db, key)? else { return Ok(0) };
        let Some((low, high)) = range.closed() else { return Ok(0) };
        if !self.has_fences(&row)? {
            let counted = self.count(SCORE_COUNT_SQL, params![row.id, low, high])?;
            if counted > COUNT_BUDGET {
                self.want_fences(&row);
            }
            return Ok(counted);
        }
        let counted =
            self.count(SCORE_COUNT_UP_TO_SQL, params![row.id, low, high, COUNT_BUDGET])?;
        if counted < COUNT_BUDGET {
            return Ok(counted);
        }
        if let Some(fenced) = self.fenced_count(&row, (low, b""), after_score(high))? {
            return Ok(fenced);
        }
        self.count(SCORE_COUNT_SQL, params![row.id, low, high])
    }

    /// `ZLEXCOUNT`: how many members are in the lex range.
    pub fn zset_lex_count(&self, db: Db, key: &[u8], range: &LexRange) -> Result<i64> {
        let Some(row) = self.zset_row(db, key)? else { return Ok(0) };
        if range.is_empty() {
            return Ok(0);
        }
        if (&range.min, &range.max) == (&LexBound::Minimum, &LexBound::Maximum) {
            // Every member, whatever the scores, as Redis answers at every size.
            return Ok(row.length);
        }
        let Some(score) = self.uniform_score(&row)? else {
            return Ok(self.walk_lex(&row, range, false, 0, -1)?.len() as i64);
        };
        let (low, high) = range.sql_bounds();
        let count_all = || match &high {
            Some(high) => self.count(LEX_COUNT_SQL, params![row.id, score, low, high]),
            None => self.count(LEX_COUNT_OPEN_SQL, params![row.id, score, low]),
        };
        if !self.has_fences(&row)? {
            let counted = count_all()?;
            if counted > COUNT_BUDGET {
                self.want_fences(&row);
            }
            return Ok(counted);
        }
        let counted = match &high {
            Some(high) => {
                self.count(LEX_COUNT_UP_TO_SQL, params![row.id, score, low, high, COUNT_BUDGET])?
            }
            None => {
                self.count(LEX_COUNT_OPEN_UP_TO_SQL, params![row.id, score, low, COUNT_BUDGET])?
            }
        };
        if counted < COUNT_BUDGET {
            return Ok(counted);
        }
        let end = high.as_deref().map(|high| (score, high));
        match self.fenced_count(&row, (score, &low), end)? {
            Some(fenced) => Ok(fenced),
            None => count_all(),
        }
    }
}

impl Writer<'_> {
    /// `ZREMRANGEBYRANK`, `ZREMRANGEBYSCORE` and `ZREMRANGEBYLEX`: removes the members of the
    /// range and answers how many. The set goes when emptied.
    pub fn zset_remove_range(&mut self, db: Db, key: &[u8], range: &ZRange) -> Result<i64> {
        let Some(mut row) = self.zset_row_for_write(db, key)? else { return Ok(0) };
        let removed = match range {
            ZRange::Rank { start, end } => match clamp_ranks(row.length, *start, *end) {
                None => 0,
                Some((start, end)) => {
                    let first = self.members_in_ranks(&row, start, start)?;
                    let last = self.members_in_ranks(&row, end, end)?;
                    let (Some((first, low)), Some((last, high))) = (first.first(), last.first())
                    else {
                        return Ok(0);
                    };
                    let parameters = params![row.id, low, first, high, last];
                    self.execute(RANK_DELETE_SQL, parameters)?
                }
            },
            ZRange::Score(range) => match range.closed() {
                None => 0,
                Some((low, high)) => self.execute(SCORE_DELETE_SQL, params![row.id, low, high])?,
            },
            ZRange::Lex(range) if range.is_empty() => 0,
            ZRange::Lex(range) => match self.uniform_score(&row)? {
                Some(score) => match range.sql_bounds() {
                    (low, Some(high)) => {
                        self.execute(LEX_DELETE_SQL, params![row.id, score, low, high])?
                    }
                    (low, None) => {
                        self.execute(LEX_DELETE_OPEN_SQL, params![row.id, score, low])?
                    }
                },
                None => {
                    let mut removed = 0;
                    for (member, _) in self.walk_lex(&row, range, false, 0, -1)? {
                        removed += self.delete_member(row.id, &member)?;
                    }
                    removed
                }
            },
        };
        let removed = i64::try_from(removed).unwrap_or(i64::MAX);
        self.change_length(&mut row, -removed)?;
        Ok(removed)
    }

    /// `ZRANGESTORE`: stores the range of `source` as the sorted set `destination` (replacing
    /// whatever was there; an empty range deletes it) and answers its size.
    pub fn zset_range_store(
        &mut self,
        db: Db,
        destination: &[u8],
        source: &[u8],
        query: &ZRangeQuery,
    ) -> Result<i64> {
        let members = match self.zset_row(db, source)? {
            Some(row) => self.range_members(&row, query)?,
            None => Vec::new(),
        };
        // Redis builds the result member by member in reply order, starting as a listpack
        // unless a rank range already says it is too long (see `stored_score`).
        let mut compact = !matches!(query.range, ZRange::Rank { .. })
            || members.len() <= crate::encoding::ZSET_LISTPACK_MAX_ENTRIES as usize;
        let members: Vec<ScoredMember> = members
            .into_iter()
            .enumerate()
            .map(|(index, (member, score))| {
                compact &= fits_listpack(index as i64 + 1, &member);
                let score = stored_score(score, compact);
                (member, score)
            })
            .collect();
        self.replace_with_zset(db, destination, &members)
    }

    /// Replaces whatever `key` holds with a sorted set of `members` (distinct, scores as
    /// they are to be stored); no members deletes the key. Answers the set's size.
    pub(crate) fn replace_with_zset(
        &mut self,
        db: Db,
        key: &[u8],
        members: &[ScoredMember],
    ) -> Result<i64> {
        if let Some(existing) = self.live_row(db, key)? {
            self.delete_row(existing)?;
        }
        if members.is_empty() {
            return Ok(0);
        }
        let mut row = self.collection_or_create(db, key, crate::kind::KeyType::ZSet)?;
        for (member, score) in members {
            self.insert_member(row.id, member, *score)?;
        }
        let length = i64::try_from(members.len()).unwrap_or(i64::MAX);
        self.change_length(&mut row, length)?;
        self.note_filled(db, key);
        Ok(length)
    }
}

#[cfg(test)]
mod tests {
    use super::{LexBound, LexRange, ScoreRange, clamp_ranks, lex_walk};

    fn members(pairs: &[(f64, &str)]) -> Vec<(Vec<u8>, f64)> {
        pairs.iter().map(|(score, member)| (member.as_bytes().to_vec(), *score)).collect()
    }

    fn names(members: &[(Vec<u8>, f64)]) -> Vec<String> {
        members.iter().map(|(member, _)| String::from_utf8_lossy(member).into_owned()).collect()
    }

    #[test]
    fn ranks_clamp_like_redis() {
        assert_eq!(clamp_ranks(5, 0, -1), Some((0, 4)));
        assert_eq!(clamp_ranks(5, -100, 100), Some((0, 4)));
        assert_eq!(clamp_ranks(5, 2, 1), None);
        assert_eq!(clamp_ranks(5, 5, 10), None);
        assert_eq!(clamp_ranks(5, -2, -1), Some((3, 4)));
        assert_eq!(clamp_ranks(5, 0, -6), None);
        assert_eq!(clamp_ranks(0, 0, -1), None);
    }

    #[test]
    fn exclusive_score_ends_become_neighbouring_doubles() {
        let range = |text: &str, other: &str| ScoreRange::parse(text.as_bytes(), other.as_bytes());
        assert_eq!(range("(1", "(1").unwrap().closed(), None);
        assert_eq!(range("(inf", "+inf").unwrap().closed(), None);
        assert_eq!(range("-inf", "(-inf").unwrap().closed(), None);
        assert_eq!(range("1", "1").unwrap().closed(), Some((1.0, 1.0)));
        let (low, high) = range("(0", "(0.5").unwrap().closed().unwrap();
        assert!(low > 0.0 && low < 1e-300 && high < 0.5);
        assert!(range("2", "1").unwrap().closed().is_none());
        assert!(range("x", "1").is_none());
    }

    #[test]
    fn lex_bounds_parse_like_redis() {
        assert_eq!(LexBound::parse(b"-"), Some(LexBound::Minimum));
        assert_eq!(LexBound::parse(b"+\0x"), Some(LexBound::Maximum));
        assert_eq!(LexBound::parse(b"+x"), None);
        assert_eq!(LexBound::parse(b"[a"), Some(LexBound::Inclusive(b"a".to_vec())));
        assert_eq!(LexBound::parse(b"("), Some(LexBound::Exclusive(Vec::new())));
        assert_eq!(LexBound::parse(b""), None);
        assert_eq!(LexBound::parse(b"a"), None);
    }

    #[test]
    fn mixed_scores_walk_like_a_listpack() {
        // Checked against Redis 7.0: ZADD m 1 d 2 a 3 c 4 b 5 e.
        let all = members(&[(1.0, "d"), (2.0, "a"), (3.0, "c"), (4.0, "b"), (5.0, "e")]);
        let walk = |min: &str, max: &str, reverse: bool, offset, limit| {
            let range = LexRange::parse(min.as_bytes(), max.as_bytes()).unwrap();
            let mut ordered = all.clone();
            if reverse {
                ordered.reverse();
            }
            let rows = ordered.into_iter().map(Ok);
            let ends = (&all[0].0[..], &all[all.len() - 1].0[..]);
            names(&lex_walk(rows, ends, &range, reverse, offset, limit).unwrap())
        };
        assert_eq!(walk("[b", "+", false, 0, -1), ["d", "a", "c", "b", "e"]);
        assert!(walk("[b", "[c", false, 0, -1).is_empty());
        assert_eq!(walk("(a", "[d", false, 0, -1), ["d", "a", "c", "b"]);
        assert!(walk("[a", "[c", true, 0, -1).is_empty());
        assert_eq!(walk("[b", "+", true, 0, -1), ["e", "b", "c"]);
        assert_eq!(walk("-", "[d", true, 0, -1), ["b", "c", "a", "d"]);
        assert_eq!(walk("[b", "+", false, 1, 2), ["a", "c"]);
        assert_eq!(walk("[e", "[z", false, 0, -1), ["e"]);
    }
}
