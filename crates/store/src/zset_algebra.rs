//! Sorted-set algebra: `ZUNION`, `ZINTER`, `ZDIFF`, their `STORE` forms and `ZINTERCARD`.
//!
//! Inputs may be sorted sets or plain sets (whose members count with score 1), read straight
//! from `zset_members` and `set_members`. The arithmetic follows Redis step for step, because
//! the order of floating-point additions shows in the result: inputs are taken from the
//! smallest to the largest (a stable sort, as glibc's `qsort` is for these arrays), each score
//! is multiplied by its input's weight (a NaN product counts as 0), and a sum that comes out
//! NaN (`inf` plus `-inf`) is 0.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rusqlite::{OptionalExtension, params};

use crate::collections::element_hash;
use crate::error::{Result, StoreError};
use crate::kind::KeyType;
use crate::reader::{Db, KeyRow, Reader};
use crate::sorted_sets::{ScoredMember, compare_scored, fits_listpack, stored_score};
use crate::writer::Writer;

/// Every member and score of a sorted set, in no particular order.
pub(crate) const ZSET_ALL_SQL: &str = "SELECT member, score FROM zset_members WHERE key_id = ?1";
const SET_ALL_SQL: &str = "SELECT member FROM set_members WHERE key_id = ?1";
/// Whether a set has a member.
pub(crate) const SET_HAS_SQL: &str =
    "SELECT 1 FROM set_members WHERE key_id = ?1 AND hash = ?2 AND member = ?3";

/// Which combination of the inputs to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZSetOperation {
    /// Members of any input (`ZUNION`).
    Union,
    /// Members of every input (`ZINTER`).
    Inter,
    /// Members of the first input and of no other (`ZDIFF`; scores from the first).
    Diff,
}

/// How `ZUNION` and `ZINTER` combine the scores of a member found in several inputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Aggregate {
    /// The sum (a NaN sum counts as 0).
    #[default]
    Sum,
    /// The least.
    Min,
    /// The greatest.
    Max,
}

impl Aggregate {
    fn combine(self, total: f64, value: f64) -> f64 {
        match self {
            Aggregate::Sum => {
                let sum = total + value;
                if sum.is_nan() { 0.0 } else { sum }
            }
            Aggregate::Min => {
                if value < total {
                    value
                } else {
                    total
                }
            }
            Aggregate::Max => {
                if value > total {
                    value
                } else {
                    total
                }
            }
        }
    }
}

/// A `ZUNION`/`ZINTER`/`ZDIFF` request over some keys.
#[derive(Clone, Debug)]
pub struct Combination<K> {
    /// What to compute.
    pub operation: ZSetOperation,
    /// The input keys.
    pub keys: Vec<K>,
    /// One weight per key (`WEIGHTS`); empty means 1 for each.
    pub weights: Vec<f64>,
    /// How scores combine (`AGGREGATE`).
    pub aggregate: Aggregate,
}

/// One input: a sorted set, a set or a missing key, with its weight.
struct Source {
    row: Option<KeyRow>,
    weight: f64,
}

impl Source {
    fn length(&self) -> i64 {
        self.row.map_or(0, |row| row.length)
    }
}

impl Reader<'_> {
    /// Checks that every existing key is a sorted set or a set, as the algebra commands do
    /// before they look at their options.
    pub fn zset_check_inputs<K: AsRef<[u8]>>(&self, db: Db, keys: &[K]) -> Result<()> {
        self.sources(db, keys, &[]).map(|_| ())
    }

    fn sources<K: AsRef<[u8]>>(&self, db: Db, keys: &[K], weights: &[f64]) -> Result<Vec<Source>> {
        let mut sources = Vec::with_capacity(keys.len());
        for (index, key) in keys.iter().enumerate() {
            let row = self.lookup(db, key.as_ref())?;
            if row.is_some_and(|row| !matches!(row.kind, KeyType::ZSet | KeyType::Set)) {
                return Err(StoreError::WrongType);
            }
            sources.push(Source { row, weight: weights.get(index).copied().unwrap_or(1.0) });
        }
        Ok(sources)
    }

    /// Every member of an input with its (unweighted) score.
    fn source_members(&self, source: &Source) -> Result<Vec<ScoredMember>> {
        let Some(row) = source.row else { return Ok(Vec::new()) };
        if row.kind == KeyType::Set {
            let mut statement = self.connection.prepare_cached(SET_ALL_SQL)?;
            let rows = statement.query_map([row.id], |row| Ok((row.get(0)?, 1.0)))?;
            return Ok(rows.collect::<rusqlite::Result<_>>()?);
        }
        let mut statement = self.connection.prepare_cached(ZSET_ALL_SQL)?;
        let rows = statement.query_map([row.id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The (unweighted) score of `member` in an input.
    fn source_score(&self, source: &Source, member: &[u8]) -> Result<Option<f64>> {
        let Some(row) = source.row else { return Ok(None) };
        if row.kind == KeyType::ZSet {
            return self.member_score(row.id, member);
        }
        let found: Option<i64> = self
            .connection
            .prepare_cached(SET_HAS_SQL)?
            .query_row(params![row.id, element_hash(member), member], |row| row.get(0))
            .optional()?;
        Ok(found.map(|_| 1.0))
    }

    /// `ZUNION`, `ZINTER`, `ZDIFF`: the resulting members in score order.
    pub fn zset_combine<K: AsRef<[u8]>>(
        &self,
        db: Db,
        request: &Combination<K>,
    ) -> Result<Vec<ScoredMember>> {
        let mut sources = self.sources(db, &request.keys, &request.weights)?;
        let mut result = match request.operation {
            ZSetOperation::Union => {
                sources.sort_by_key(Source::length);
                self.zset_union(&sources, request.aggregate)?
            }
            ZSetOperation::Inter => {
                sources.sort_by_key(Source::length);
                self.intersection(&sources, request.aggregate, None)?
            }
            ZSetOperation::Diff => self.zset_difference(&sources)?,
        };
        result.sort_by(compare_scored);
        Ok(result)
    }

    /// `ZINTERCARD`: how many members every input has, counting up to `limit` (0: no limit).
    pub fn zset_intersection_size<K: AsRef<[u8]>>(
        &self,
        db: Db,
        keys: &[K],
        limit: usize,
    ) -> Result<i64> {
        let mut sources = self.sources(db, keys, &[])?;
        sources.sort_by_key(Source::length);
        let limit = if limit == 0 { usize::MAX } else { limit };
        let members = self.intersection(&sources, Aggregate::Sum, Some(limit))?;
        Ok(i64::try_from(members.len()).unwrap_or(i64::MAX))
    }

    fn zset_union(&self, sources: &[Source], aggregate: Aggregate) -> Result<Vec<ScoredMember>> {
        let mut totals: HashMap<Vec<u8>, f64> = HashMap::new();
        for source in sources {
            for (member, score) in self.source_members(source)? {
                let value = weighted(score, source.weight);
                match totals.entry(member) {
                    Entry::Vacant(entry) => {
                        entry.insert(value);
                    }
                    Entry::Occupied(mut entry) => {
                        let total = entry.get_mut();
                        *total = aggregate.combine(*total, value);
                    }
                }
            }
        }
        Ok(totals.into_iter().collect())
    }

    /// Members of the first (smallest) input found in every other one; stops after `limit`.
    fn intersection(
        &self,
        sources: &[Source],
        aggregate: Aggregate,
        limit: Option<usize>,
    ) -> Result<Vec<ScoredMember>> {
        let Some((first, others)) = sources.split_first() else { return Ok(Vec::new()) };
        let mut result = Vec::new();
        'members: for (member, score) in self.source_members(first)? {
            let mut total = weighted(score, first.weight);
            for other in others {
                let value = match (first.row, other.row) {
                    // The same key twice: Redis reuses the score it is iterating.
                    (Some(a), Some(b)) if a.id == b.id => score * other.weight,
                    _ => match self.source_score(other, &member)? {
                        Some(found) => found * other.weight,
                        None => continue 'members,
                    },
                };
                total = aggregate.combine(total, value);
            }
            result.push((member, total));
            if limit.is_some_and(|limit| result.len() >= limit) {
                break;
            }
        }
        Ok(result)
    }

    fn zset_difference(&self, sources: &[Source]) -> Result<Vec<ScoredMember>> {
        let Some((first, others)) = sources.split_first() else { return Ok(Vec::new()) };
        let mut result = Vec::new();
        'members: for (member, score) in self.source_members(first)? {
            for other in others {
                if self.source_score(other, &member)?.is_some() {
                    continue 'members;
                }
            }
            result.push((member, score));
        }
        Ok(result)
    }
}

/// A score times its input's weight, where NaN (0 times an infinity) counts as 0.
fn weighted(score: f64, weight: f64) -> f64 {
    let value = score * weight;
    if value.is_nan() { 0.0 } else { value }
}

impl Writer<'_> {
    /// `ZUNIONSTORE`, `ZINTERSTORE`, `ZDIFFSTORE`: stores the result as `destination`
    /// (replacing whatever was there; an empty result deletes it) and answers its size.
    pub fn zset_combine_store<K: AsRef<[u8]>>(
        &mut self,
        db: Db,
        destination: &[u8],
        request: &Combination<K>,
    ) -> Result<i64> {
        let mut members = self.zset_combine(db, request)?;
        // Redis builds the result as a skiplist and turns it into a listpack when it fits,
        // which stores -0 as 0 (see `stored_score`).
        let length = i64::try_from(members.len()).unwrap_or(i64::MAX);
        let compact = members.iter().all(|(member, _)| fits_listpack(length, member));
        for (_, score) in &mut members {
            *score = stored_score(*score, compact);
        }
        self.replace_with_zset(db, destination, &members)
    }
}

#[cfg(test)]
mod tests {
    use super::{Aggregate, Combination, ZSetOperation};
    use crate::kind::KeyType;
    use crate::{Store, Writer};

    /// Makes a plain set the way the set commands store one, without depending on them.
    fn add_set(writer: &mut Writer<'_>, key: &[u8], members: &[&str]) -> crate::Result<()> {
        let mut row = writer.collection_or_create(0, key, KeyType::Set)?;
        for member in members {
            writer.execute(
                "INSERT INTO set_members (key_id, hash, member) VALUES (?1, ?2, ?3)",
                rusqlite::params![
                    row.id,
                    super::element_hash(member.as_bytes()),
                    member.as_bytes()
                ],
            )?;
        }
        writer.change_length(&mut row, members.len() as i64)
    }

    fn request(operation: ZSetOperation, keys: &[&str], weights: &[f64]) -> Combination<Vec<u8>> {
        Combination {
            operation,
            keys: keys.iter().map(|key| key.as_bytes().to_vec()).collect(),
            weights: weights.to_vec(),
            aggregate: Aggregate::Sum,
        }
    }

    fn text(members: Vec<(Vec<u8>, f64)>) -> Vec<(String, f64)> {
        members.into_iter().map(|(m, s)| (String::from_utf8(m).unwrap(), s)).collect()
    }

    #[test]
    fn plain_sets_are_inputs_with_score_one() {
        // Checked against Redis 7.0 (spec/oracle/pending/zsets_set_inputs.txt).
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("sets.db")).unwrap();
        store
            .write(|writer| {
                writer.zset_add(
                    0,
                    b"z",
                    Default::default(),
                    &[(3.0, "a"), (1.0, "b"), (2.0, "c")],
                )?;
                add_set(writer, b"s", &["a", "x"])?;
                add_set(writer, b"s2", &["x", "y"])
            })
            .unwrap();
        let combine = |operation, keys: &[&str], weights: &[f64]| {
            let request = request(operation, keys, weights);
            text(store.read(move |reader| reader.zset_combine(0, &request)).unwrap())
        };
        let pairs = |pairs: &[(&str, f64)]| {
            pairs.iter().map(|(m, s)| (m.to_string(), *s)).collect::<Vec<_>>()
        };
        assert_eq!(
            combine(ZSetOperation::Union, &["z", "s"], &[]),
            pairs(&[("b", 1.0), ("x", 1.0), ("c", 2.0), ("a", 4.0)])
        );
        assert_eq!(
            combine(ZSetOperation::Union, &["s", "z"], &[10.0, 1.0]),
            pairs(&[("b", 1.0), ("c", 2.0), ("x", 10.0), ("a", 13.0)])
        );
        assert_eq!(combine(ZSetOperation::Inter, &["z", "s"], &[]), pairs(&[("a", 4.0)]));
        assert_eq!(combine(ZSetOperation::Inter, &["s", "s2"], &[]), pairs(&[("x", 2.0)]));
        assert_eq!(
            combine(ZSetOperation::Diff, &["z", "s"], &[]),
            pairs(&[("b", 1.0), ("c", 2.0)])
        );
        assert_eq!(combine(ZSetOperation::Diff, &["s", "z"], &[]), pairs(&[("x", 1.0)]));
        let count = store.read(|reader| reader.zset_intersection_size(0, &["z", "s"], 0));
        assert_eq!(count.unwrap(), 1);
        let stored = store.write(|writer| {
            writer.zset_combine_store(0, b"s", &request(ZSetOperation::Union, &["s", "z"], &[]))
        });
        assert_eq!(stored.unwrap(), 4);
        assert_eq!(store.read(|reader| reader.key_type(0, b"s")).unwrap(), Some(KeyType::ZSet));
        let wrong = store.read(|reader| reader.zset_score(0, b"s2", b"x"));
        assert_eq!(wrong, Err(crate::StoreError::WrongType));
    }
}
