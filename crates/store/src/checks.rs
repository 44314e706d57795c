//! Checking a database against the invariants of `spec/storage.md`.
//!
//! [`Reader::check_invariants`] reads one snapshot and reports what breaks the storage
//! invariants: SQLite's own `PRAGMA integrity_check`, then the ones resplite keeps on top
//! (each key's kind and payload agree, a collection's `length` counts exactly its element
//! rows and is at least one, no element row without the key row of its kind, the
//! per-database key counts, a list's contiguous positions, and each element's hash column).
//! Collections in the graveyard (deleted, their elements reclaimed in the background) keep
//! the `length` they had, so for them only "no more elements than `length`" is checked.
//! Every check reads whole tables, so it takes time in proportion to the database; it is a
//! tool (`resplite check`, and the oracle after its random walks), not something a command
//! runs.

use rusqlite::types::Value;

use crate::collections::{GRAVEYARD_DB, element_hash};
use crate::error::Result;
use crate::kind::KeyType;
use crate::rank_fences;
use crate::reader::Reader;

/// One broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// What is broken, in a few words (`"collection length"`, `"sqlite"` …).
    pub invariant: &'static str,
    /// Which rows, and how.
    pub detail: String,
}

/// What [`Reader::check_invariants`] read and found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Rows of `keys` (every database, expired rows and the graveyard included).
    pub keys: i64,
    /// Element rows of every collection table.
    pub elements: i64,
    /// What is broken, at most the limit the check was given.
    pub violations: Vec<Violation>,
}

/// Each collection kind's element table and the column its element hash covers (`None`
/// for lists, whose rows are keyed by position).
const ELEMENT_TABLES: [(KeyType, &str, Option<&str>); 4] = [
    (KeyType::Hash, "hash_fields", Some("field")),
    (KeyType::List, "list_items", None),
    (KeyType::Set, "set_members", Some("member")),
    (KeyType::ZSet, "zset_members", Some("member")),
];

/// Positions stay within this distance of zero (see "Lists" in `spec/storage.md`).
const POSITION_BOUND: i64 = 1 << 62;

/// The queries that find rows breaking one invariant each: every row they return is a
/// violation, described by its columns.
const ROW_CHECKS: &[(&str, &str)] = &[
    // The codes of `KeyType::code`: 0 a string, 1-4 the collections.
    ("key kind", "SELECT id, kind FROM keys WHERE kind NOT BETWEEN 0 AND 4"),
    (
        "string payload",
        "SELECT id FROM keys WHERE kind = 0 AND (value IS NULL OR list_head IS NOT NULL)",
    ),
    ("collection payload", "SELECT id, kind FROM keys WHERE kind <> 0 AND value IS NOT NULL"),
    ("empty collection", "SELECT id, kind, length FROM keys WHERE kind <> 0 AND length < 1"),
    ("list head", "SELECT id, kind FROM keys WHERE kind NOT IN (0, 2) AND list_head IS NOT NULL"),
    ("sorted-set score", "SELECT key_id, member FROM zset_members WHERE typeof(score) <> 'real'"),
    // `keys.earliest_field_deadline` is a hash's bound (see `field_deadlines.rs`).
    (
        "field deadline bound",
        "SELECT id, kind FROM keys WHERE kind <> 1 AND earliest_field_deadline IS NOT NULL",
    ),
    (
        "field deadline bound",
        "SELECT keys.id, hash_fields.field, hash_fields.expires_at, \
         keys.earliest_field_deadline FROM hash_fields JOIN keys ON keys.id = hash_fields.key_id \
         WHERE hash_fields.expires_at IS NOT NULL AND keys.db <> -2 \
         AND (keys.earliest_field_deadline IS NULL \
         OR hash_fields.expires_at < keys.earliest_field_deadline)",
    ),
];

impl Reader<'_> {
    /// Checks the whole database against the storage invariants, reporting at most `limit`
    /// violations (see the module documentation). Run it in one read transaction
    /// ([`crate::Store::read`]) so that every query sees the same snapshot.
    pub fn check_invariants(&self, limit: usize) -> Result<CheckReport> {
        let mut report = CheckReport {
            keys: self.connection.query_row("SELECT count(*) FROM keys", [], |row| row.get(0))?,
            ..CheckReport::default()
        };
        self.check_sqlite(limit, &mut report.violations)?;
        for (invariant, sql) in ROW_CHECKS {
            self.collect(invariant, sql, limit, &mut report.violations)?;
        }
        let positions = format!(
            "SELECT id, length, list_head, low, high FROM (SELECT id, length, list_head, \
             (SELECT min(position) FROM list_items WHERE key_id = keys.id) AS low, \
             (SELECT max(position) FROM list_items WHERE key_id = keys.id) AS high \
             FROM keys WHERE kind = 2 AND db <> {GRAVEYARD_DB}) \
             WHERE list_head IS NULL OR low IS NOT list_head \
             OR high IS NOT list_head + length - 1 OR low < -{POSITION_BOUND} \
             OR high > {POSITION_BOUND}"
        );
        self.collect("list positions", &positions, limit, &mut report.violations)?;
        for (kind, table, hashed) in ELEMENT_TABLES {
            report.elements += self.check_elements(kind, table, limit, &mut report.violations)?;
            if let Some(column) = hashed {
                self.check_hashes(table, column, limit, &mut report.violations)?;
            }
        }
        self.check_key_counts(limit, &mut report.violations)?;
        self.check_rank_fences(limit, &mut report.violations)?;
        report.violations.truncate(limit);
        Ok(report)
    }

    /// SQLite's own check of the file: pages, free list, and every index against its table.
    fn check_sqlite(&self, limit: usize, found: &mut Vec<Violation>) -> Result<()> {
        let sql = format!("PRAGMA integrity_check({})", limit.clamp(1, 1_000_000));
        let mut statement = self.connection.prepare(&sql)?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let message: String = row.get(0)?;
            if message != "ok" {
                push(found, limit, "sqlite", message);
            }
        }
        Ok(())
    }

    /// Runs `sql`, a query each of whose rows breaks `invariant` (one of [`ROW_CHECKS`], or
    /// one built for a table), and reports each row by its columns.
    fn collect(
        &self,
        invariant: &'static str,
        sql: &str,
        limit: usize,
        found: &mut Vec<Violation>,
    ) -> Result<()> {
        let mut statement = self.connection.prepare(sql)?;
        let columns: Vec<String> =
            statement.column_names().iter().map(|name| (*name).to_owned()).collect();
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            if found.len() >= limit {
                break;
            }
            let mut described = Vec::with_capacity(columns.len());
            for (index, name) in columns.iter().enumerate() {
                described.push(format!("{name}={}", describe(&row.get::<_, Value>(index)?)));
            }
            push(found, limit, invariant, described.join(" "));
        }
        Ok(())
    }

    /// A collection kind against its element table: each key's `length` is its number of
    /// element rows, and every element row belongs to a key of this kind. Answers the
    /// table's row count.
    fn check_elements(
        &self,
        kind: KeyType,
        table: &str,
        limit: usize,
        found: &mut Vec<Violation>,
    ) -> Result<i64> {
        let code = kind.code();
        let miscounted = format!(
            "SELECT id, length, counted FROM (SELECT id, db, length, \
             (SELECT count(*) FROM {table} WHERE key_id = keys.id) AS counted \
             FROM keys WHERE kind = {code}) \
             WHERE counted <> length AND (db <> {GRAVEYARD_DB} OR counted > length)"
        );
        self.collect("collection length", &miscounted, limit, found)?;
        let strays = format!(
            "SELECT key_id, count(*) AS elements FROM {table} \
             WHERE key_id NOT IN (SELECT id FROM keys WHERE kind = {code}) GROUP BY key_id"
        );
        self.collect("element without its key", &strays, limit, found)?;
        let count = format!("SELECT count(*) FROM {table}");
        Ok(self.connection.query_row(&count, [], |row| row.get(0))?)
    }

    /// Each element row's `hash` is the hash of its field or member, which every lookup by
    /// name relies on.
    fn check_hashes(
        &self,
        table: &str,
        column: &str,
        limit: usize,
        found: &mut Vec<Violation>,
    ) -> Result<()> {
        let sql = format!("SELECT key_id, hash, {column} FROM {table}");
        let mut statement = self.connection.prepare(&sql)?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            if found.len() >= limit {
                break;
            }
            let (key_id, hash, name): (i64, i64, Vec<u8>) = (row.get(0)?, row.get(1)?, row.get(2)?);
            if hash != element_hash(&name) {
                let detail = format!("{table} key_id={key_id} hash={hash} {column}={name:?}");
                push(found, limit, "element hash", detail);
            }
        }
        Ok(())
    }

    /// `key_counts` holds each database's number of key rows and of rows with a deadline.
    fn check_key_counts(&self, limit: usize, found: &mut Vec<Violation>) -> Result<()> {
        let sql = "SELECT coalesce(actual.db, key_counts.db) AS db, counted_keys, \
             counted_expires, keys, expires FROM ( \
             SELECT db, count(*) AS counted_keys, count(expires_at) AS counted_expires \
             FROM keys GROUP BY db) AS actual FULL JOIN key_counts ON key_counts.db = actual.db \
             WHERE counted_keys IS NOT keys AND NOT (counted_keys IS NULL AND keys = 0) \
             OR counted_expires IS NOT expires AND NOT (counted_expires IS NULL AND expires = 0)";
        self.collect("key counts", sql, limit, found)
    }
}

impl Reader<'_> {
    /// The rank fences (`rank_fences.rs`): only sorted sets outside the graveyard with at
    /// least [`rank_fences::UNFENCED_BELOW`] members have them, and while any set has them
    /// their triggers are there to keep the counts; the first fence is the lowest
    /// position, each fence counts exactly the members of its block, and no block is past
    /// twice [`rank_fences::BLOCK`].
    fn check_rank_fences(&self, limit: usize, found: &mut Vec<Violation>) -> Result<()> {
        let code = KeyType::ZSet.code();
        let below = rank_fences::UNFENCED_BELOW;
        let misplaced = format!(
            "SELECT id, kind, db, length FROM keys \
             WHERE id IN (SELECT key_id FROM zset_fences) \
             AND (kind <> {code} OR db = {GRAVEYARD_DB} OR length < {below})"
        );
        self.collect("rank fences of a set", &misplaced, limit, found)?;
        let strays = "SELECT DISTINCT key_id FROM zset_fences \
             WHERE key_id NOT IN (SELECT id FROM keys)";
        self.collect("rank fences without their set", strays, limit, found)?;
        let names = rank_fences::TRIGGER_NAMES.map(|name| format!("'{name}'")).join(", ");
        let untriggered = format!(
            "SELECT count(*) AS fences FROM zset_fences HAVING count(*) > 0 AND \
             (SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN ({names})) \
             < {}",
            rank_fences::TRIGGER_NAMES.len()
        );
        self.collect("rank fences without their triggers", &untriggered, limit, found)?;
        let fenced: Vec<i64> = self
            .connection
            .prepare(&format!(
                "SELECT id FROM keys WHERE kind = {code} AND db <> {GRAVEYARD_DB} \
                 AND id IN (SELECT key_id FROM zset_fences)"
            ))?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in fenced {
            if let Some(detail) = self.fences_miscounted(id)? {
                push(found, limit, "rank fence counts", detail);
            }
        }
        Ok(())
    }

    /// What is wrong with the fences of sorted set `id`, if anything.
    fn fences_miscounted(&self, id: i64) -> Result<Option<String>> {
        let fences: Vec<(f64, Vec<u8>, i64)> = self
            .connection
            .prepare(rank_fences::ASCENDING_SQL)?
            .query_map([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if fences
            .first()
            .is_none_or(|(score, member, _)| *score != f64::NEG_INFINITY || !member.is_empty())
        {
            return Ok(Some(format!("key_id={id}: the first fence is not at -inf")));
        }
        let mut counted = vec![0i64; fences.len()];
        let mut block = 0;
        let mut statement = self.connection.prepare(
            "SELECT score, member FROM zset_members INDEXED BY zset_by_score \
             WHERE key_id = ?1 ORDER BY score, member",
        )?;
        let mut members = statement.query([id])?;
        while let Some(row) = members.next()? {
            let (score, member): (f64, Vec<u8>) = (row.get(0)?, row.get(1)?);
            while fences.get(block + 1).is_some_and(|(fence_score, fence_member, _)| {
                (*fence_score, fence_member.as_slice()) <= (score, member.as_slice())
            }) {
                block += 1;
            }
            counted[block] += 1;
        }
        for ((score, member, members), counted) in fences.iter().zip(counted) {
            if *members != counted || counted > 2 * rank_fences::BLOCK {
                let member = String::from_utf8_lossy(member);
                return Ok(Some(format!(
                    "key_id={id} fence ({score}, {member:?}) says {members}, holds {counted}"
                )));
            }
        }
        Ok(None)
    }
}

fn push(found: &mut Vec<Violation>, limit: usize, invariant: &'static str, detail: String) {
    if found.len() < limit {
        found.push(Violation { invariant, detail });
    }
}

/// A column value as a short text: numbers as they are, blobs and text quoted.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_owned(),
        Value::Integer(number) => number.to_string(),
        Value::Real(number) => number.to_string(),
        Value::Text(text) => format!("{text:?}"),
        Value::Blob(bytes) => format!("{:?}", String::from_utf8_lossy(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::CheckReport;
    use crate::lists::ListEnd;
    use crate::{Store, ZaddFlags};

    /// A store holding a key of every kind (a list pushed at both ends, one expiring
    /// string), and a sorted set big enough to be buried when deleted.
    fn filled() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("checks.db")).unwrap();
        store
            .write(|writer| {
                writer.set(0, b"string", b"value", Default::default())?;
                writer.hash_set(0, b"hash", &[(b"f1", b"v1"), (b"f2", b"v2")])?;
                writer.list_push(1, b"list", ListEnd::Right, &[b"a", b"b"], false)?;
                writer.list_push(1, b"list", ListEnd::Left, &[b"z"], false)?;
                writer.set_add(2, b"set", &[b"x", b"y", b"z"])?;
                let pairs: Vec<(f64, String)> =
                    (0..3000).map(|n| (f64::from(n), format!("m{n}"))).collect();
                writer.zset_add(0, b"big", ZaddFlags::default(), &pairs)?;
                writer.zset_add(0, b"zset", ZaddFlags::default(), &[(1.5, b"one")])?;
                Ok(())
            })
            .unwrap();
        store.expire_in(0, b"string", 60_000).unwrap();
        (dir, store)
    }

    fn check(store: &Store) -> CheckReport {
        store.read(|reader| reader.check_invariants(100)).unwrap()
    }

    fn broken(store: &Store) -> Vec<&'static str> {
        check(store).violations.iter().map(|violation| violation.invariant).collect()
    }

    #[test]
    fn a_store_in_use_keeps_every_invariant() {
        let (_dir, store) = filled();
        store
            .write(|writer| {
                // A buried collection, partly reclaimed, is still consistent.
                writer.delete(0, &[&b"big"[..]])?;
                writer.reclaim_deleted(1000)?;
                writer.set_remove(2, b"set", &[b"y"])?;
                Ok(())
            })
            .unwrap();
        let report = check(&store);
        assert_eq!(report.violations, vec![]);
        // The writer thread may have reclaimed the rest of the buried set meanwhile.
        assert!((5..=6).contains(&report.keys), "{report:?}");
        assert!((2 + 3 + 2 + 1..=2 + 3 + 2 + 1 + 2000).contains(&report.elements), "{report:?}");
    }

    #[test]
    fn each_broken_invariant_is_reported() {
        let (dir, store) = filled();
        let raw = Connection::open(dir.path().join("checks.db")).unwrap();
        raw.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
        let corrupt = |sql: &str| raw.execute_batch(sql).unwrap();
        let key = |name: &str| format!("(SELECT id FROM keys WHERE key = CAST('{name}' AS BLOB))");

        corrupt(&format!("UPDATE keys SET length = 5 WHERE id = {}", key("hash")));
        assert_eq!(broken(&store), ["collection length"]);
        corrupt(&format!("UPDATE keys SET length = 2 WHERE id = {}", key("hash")));

        // A field with a deadline earlier than its hash's bound, then a bound on a list.
        corrupt(&format!("UPDATE hash_fields SET expires_at = 5 WHERE key_id = {}", key("hash")));
        assert_eq!(broken(&store), ["field deadline bound", "field deadline bound"]);
        corrupt(&format!("UPDATE keys SET earliest_field_deadline = 5 WHERE id = {}", key("hash")));
        assert_eq!(broken(&store), Vec::<&str>::new());
        corrupt(&format!("UPDATE keys SET earliest_field_deadline = 1 WHERE id = {}", key("list")));
        assert_eq!(broken(&store), ["field deadline bound"]);
        corrupt(&format!(
            "UPDATE keys SET earliest_field_deadline = NULL WHERE id = {}",
            key("list")
        ));
        corrupt(&format!(
            "UPDATE hash_fields SET expires_at = NULL WHERE key_id = {}",
            key("hash")
        ));

        corrupt("INSERT INTO set_members (key_id, hash, member) VALUES (999, 1, x'00')");
        assert_eq!(broken(&store), ["element without its key", "element hash"]);
        corrupt("DELETE FROM set_members WHERE key_id = 999");

        corrupt(&format!("UPDATE set_members SET hash = 7 WHERE key_id = {}", key("set")));
        assert!(broken(&store).contains(&"element hash"));
        corrupt(&format!("DELETE FROM keys WHERE id = {}", key("set")));
        corrupt("DELETE FROM set_members");

        corrupt(&format!("UPDATE keys SET list_head = 4 WHERE id = {}", key("list")));
        assert_eq!(broken(&store), ["list positions"]);
        corrupt(&format!("UPDATE keys SET list_head = -1 WHERE id = {}", key("list")));

        corrupt("UPDATE key_counts SET expires = 0 WHERE db = 0");
        assert_eq!(broken(&store), ["key counts"]);
        corrupt("UPDATE key_counts SET expires = 1 WHERE db = 0");

        corrupt(&format!("UPDATE zset_members SET score = 2 WHERE key_id = {}", key("zset")));
        assert_eq!(broken(&store), ["sorted-set score"]);
        corrupt(&format!("UPDATE zset_members SET score = 2.0 WHERE key_id = {}", key("zset")));

        corrupt(&format!("UPDATE keys SET value = x'00' WHERE id = {}", key("zset")));
        assert_eq!(broken(&store), ["collection payload"]);
        assert_eq!(check(&store).violations[0].invariant, "collection payload");
        corrupt(&format!("UPDATE keys SET value = NULL WHERE id = {}", key("zset")));

        assert_eq!(check(&store).violations, vec![]);
    }
}
