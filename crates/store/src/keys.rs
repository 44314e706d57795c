//! Key-level operations that work on keys of every type: existence, deletion, renaming,
//! copying, enumeration and whole-database operations.

use rusqlite::{OptionalExtension, params};

use crate::error::{Result, StoreError};
use crate::glob::{glob_match, literal_prefix};
use crate::kind::KeyType;
use crate::lookups::{self, FIRST_SELECTED};
use crate::reader::{Db, Reader};
use crate::writer::Writer;

/// What `SCAN` should return besides the cursor.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions<'a> {
    /// Only keys matching this glob pattern.
    pub pattern: Option<&'a [u8]>,
    /// How many keys to examine in this call (a hint, as in Redis).
    pub count: usize,
    /// Only keys of this type.
    pub key_type: Option<KeyType>,
}

/// One page of a `SCAN`: the cursor to continue from (0 when done) and the keys found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanPage {
    /// The cursor for the next call; 0 means the iteration is complete.
    pub cursor: u64,
    /// The keys of this page.
    pub keys: Vec<Vec<u8>>,
}

/// Key counts of one logical database, as `INFO keyspace` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DbStats {
    /// The database number.
    pub db: Db,
    /// Live keys.
    pub keys: u64,
    /// Live keys with a deadline.
    pub expires: u64,
}

/// One SCAN step: the next rows of a database in id order.
pub(crate) const SCAN_SQL: &str = "SELECT id, key, kind, expires_at FROM keys INDEXED BY keys_by_db \
     WHERE db = :db AND id > :after ORDER BY id LIMIT :limit";
/// The lowest row id of a database.
pub(crate) const LOWEST_ID_SQL: &str =
    "SELECT min(id) FROM keys INDEXED BY keys_by_db WHERE db = ?1";
/// The highest row id of a database.
pub(crate) const HIGHEST_ID_SQL: &str =
    "SELECT max(id) FROM keys INDEXED BY keys_by_db WHERE db = ?1";
/// Rows past their deadline that the sweeper has not deleted yet.
pub(crate) const UNSWEPT_SQL: &str = "SELECT db FROM keys WHERE expires_at <= ?1";

/// Live-key condition shared by the queries here; `?now` is the operation's instant.
const LIVE: &str = "(expires_at IS NULL OR expires_at > :now)";

impl Reader<'_> {
    /// How many of `keys` exist; a key named twice counts twice, as in `EXISTS`.
    pub fn exists<K: AsRef<[u8]>>(&self, db: Db, keys: &[K]) -> Result<i64> {
        // One key (nearly every `EXISTS`) goes through `lookup`, which remembers its row id.
        if let [key] = keys {
            return Ok(i64::from(self.lookup(db, key.as_ref())?.is_some()));
        }
        let mut count = 0;
        self.look_up_keys(&lookups::KEY_DEADLINES, db, keys, |found| {
            if let Some(row) = found
                && !self.is_expired(row.get(FIRST_SELECTED)?)
            {
                count += 1;
            }
            Ok(())
        })?;
        Ok(count)
    }

    /// The type of `key`, or `None` when it does not exist.
    pub fn key_type(&self, db: Db, key: &[u8]) -> Result<Option<KeyType>> {
        Ok(self.lookup(db, key)?.map(|row| row.kind))
    }

    /// All live keys matching `pattern`, in key order.
    pub fn keys(&self, db: Db, pattern: &[u8]) -> Result<Vec<Vec<u8>>> {
        let prefix = literal_prefix(pattern);
        let mut keys = Vec::new();
        let mut collect = |key: Vec<u8>| {
            if glob_match(pattern, &key, false) {
                keys.push(key);
            }
        };
        if prefix.is_empty() {
            let sql = format!("SELECT key FROM keys WHERE db = :db AND {LIVE} ORDER BY key");
            let mut statement = self.connection.prepare_cached(&sql)?;
            let rows = statement
                .query_map(rusqlite::named_params! {":db": db, ":now": self.now}, |row| {
                    row.get(0)
                })?;
            for key in rows {
                collect(key?);
            }
        } else {
            // Narrow to the keys that share the literal prefix: an index range scan.
            let sql = format!(
                "SELECT key FROM keys WHERE db = :db AND key >= :low AND {LIVE} ORDER BY key"
            );
            let mut statement = self.connection.prepare_cached(&sql)?;
            let rows = statement.query_map(
                rusqlite::named_params! {":db": db, ":low": prefix, ":now": self.now},
                |row| row.get::<_, Vec<u8>>(0),
            )?;
            for key in rows {
                let key = key?;
                if !key.starts_with(&prefix) {
                    break;
                }
                collect(key);
            }
        }
        Ok(keys)
    }

    /// One step of a `SCAN` iteration.
    ///
    /// The cursor is the row id of the last key examined. Row ids never change while a key
    /// exists, so every key present for the whole iteration is returned exactly once; keys
    /// created meanwhile may or may not be, as Redis allows.
    pub fn scan(&self, db: Db, cursor: u64, options: &ScanOptions<'_>) -> Result<ScanPage> {
        let after = i64::try_from(cursor).unwrap_or(i64::MAX);
        let limit = i64::try_from(options.count.max(1)).unwrap_or(i64::MAX);
        let mut statement = self.connection.prepare_cached(SCAN_SQL)?;
        let mut rows = statement.query(rusqlite::named_params! {
            ":db": db, ":after": after, ":limit": limit,
        })?;
        let (mut examined, mut last_id) = (0i64, 0i64);
        let mut keys = Vec::new();
        while let Some(row) = rows.next()? {
            examined += 1;
            last_id = row.get(0)?;
            let key: Vec<u8> = row.get(1)?;
            let kind = KeyType::from_code(row.get(2)?)?;
            if self.is_expired(row.get(3)?) {
                continue;
            }
            let type_matches = options.key_type.is_none_or(|wanted| wanted == kind);
            let pattern_matches =
                options.pattern.is_none_or(|pattern| glob_match(pattern, &key, false));
            if type_matches && pattern_matches {
                keys.push(key);
            }
        }
        let cursor = if examined < limit { 0 } else { u64::try_from(last_id).unwrap_or(0) };
        Ok(ScanPage { cursor, keys })
    }

    /// A random live key, or `None` when the database has none.
    pub fn random_key(&self, db: Db) -> Result<Option<Vec<u8>>> {
        // Two queries on purpose: SQLite answers a lone min() or max() from the index's
        // edge, but min() and max() together make it walk every entry of the database.
        let edge = |sql: &str| -> Result<Option<i64>> {
            Ok(self.connection.prepare_cached(sql)?.query_row([db], |row| row.get(0))?)
        };
        let low = edge(LOWEST_ID_SQL)?;
        let high = edge(HIGHEST_ID_SQL)?;
        let (Some(low), Some(high)) = (low, high) else { return Ok(None) };
        let start = rand::random_range(low..=high);
        let sql = format!(
            "SELECT key FROM keys INDEXED BY keys_by_db \
             WHERE db = :db AND id >= :start AND {LIVE} ORDER BY id LIMIT 1"
        );
        let wrapped = format!(
            "SELECT key FROM keys INDEXED BY keys_by_db \
             WHERE db = :db AND id < :start AND {LIVE} ORDER BY id LIMIT 1"
        );
        for sql in [sql, wrapped] {
            let key = self
                .connection
                .prepare_cached(&sql)?
                .query_row(
                    rusqlite::named_params! {":db": db, ":start": start, ":now": self.now},
                    |row| row.get(0),
                )
                .optional()?;
            if key.is_some() {
                return Ok(key);
            }
        }
        Ok(None)
    }

    /// How many live keys the database holds.
    ///
    /// The triggered counters hold every row; keys past their deadline that the sweeper has
    /// not deleted yet are found through the deadline index and taken off, so the answer
    /// costs a lookup plus the (normally tiny) backlog of unswept keys, never a count of all.
    pub fn db_size(&self, db: Db) -> Result<u64> {
        let stats = self.keyspace_stats()?;
        Ok(stats.iter().find(|stats| stats.db == db).map_or(0, |stats| stats.keys))
    }

    /// Key counts of every database that has live keys, in database order.
    pub fn keyspace_stats(&self) -> Result<Vec<DbStats>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT db, keys, expires FROM key_counts WHERE db >= 0 AND keys > 0 ORDER BY db",
        )?;
        let mut stats: Vec<DbStats> = statement
            .query_map([], |row| {
                Ok(DbStats {
                    db: row.get(0)?,
                    keys: row.get::<_, i64>(1)?.try_into().unwrap_or(0),
                    expires: row.get::<_, i64>(2)?.try_into().unwrap_or(0),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        // No GROUP BY here: with one, SQLite prefers walking the whole name index (already
        // in db order) over the deadline index; the unswept backlog is small, so count it here.
        let mut expired = self.connection.prepare_cached(UNSWEPT_SQL)?;
        let unswept = expired.query_map([self.now], |row| row.get::<_, Db>(0))?;
        for db in unswept {
            let db = db?;
            if let Some(stats) = stats.iter_mut().find(|stats| stats.db == db) {
                stats.keys = stats.keys.saturating_sub(1);
                stats.expires = stats.expires.saturating_sub(1);
            }
        }
        stats.retain(|stats| stats.keys > 0);
        Ok(stats)
    }
}

impl Writer<'_> {
    /// Deletes the given keys; answers how many existed (a key named twice counts once).
    pub fn delete<K: AsRef<[u8]>>(&mut self, db: Db, keys: &[K]) -> Result<i64> {
        let mut deleted = 0;
        for key in keys {
            if let Some(row) = self.live_row(db, key.as_ref())? {
                self.delete_row(row)?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// Renames `from` to `to`, keeping its deadline and replacing any `to` — unless
    /// `only_if_absent`, when an existing `to` leaves everything as is and answers `false`.
    ///
    /// Fails with [`StoreError::NoSuchKey`] when `from` does not exist.
    pub fn rename(&mut self, db: Db, from: &[u8], to: &[u8], only_if_absent: bool) -> Result<bool> {
        let source = self.live_row(db, from)?.ok_or(StoreError::NoSuchKey)?;
        if from == to {
            return Ok(!only_if_absent);
        }
        if let Some(target) = self.live_row(db, to)? {
            if only_if_absent {
                return Ok(false);
            }
            self.delete_row(target)?;
        }
        self.execute("UPDATE keys SET key = ?2 WHERE id = ?1", params![source.id, to])?;
        self.note_filled(db, to);
        Ok(true)
    }

    /// Copies `from` in `db` to `to` in `to_db` with its deadline; an existing target is
    /// replaced only when `replace`. Answers whether the copy was made.
    pub fn copy(
        &mut self,
        db: Db,
        from: &[u8],
        to_db: Db,
        to: &[u8],
        replace: bool,
    ) -> Result<bool> {
        let Some(source) = self.live_row(db, from)? else { return Ok(false) };
        if let Some(target) = self.live_row(to_db, to)? {
            if !replace {
                return Ok(false);
            }
            self.delete_row(target)?;
        }
        self.execute(
            "INSERT INTO keys (db, key, kind, value, expires_at, length, list_head, \
             earliest_field_deadline) SELECT ?2, ?3, kind, value, expires_at, length, list_head, \
             earliest_field_deadline FROM keys WHERE id = ?1",
            params![source.id, to_db, to],
        )?;
        let copy = self.connection.last_insert_rowid();
        self.copy_elements(source.kind, source.id, copy)?;
        self.note_filled(to_db, to);
        Ok(true)
    }

    /// Moves `key` from `db` to `to_db` with its deadline, unless `to_db` already has a key
    /// of that name. Answers whether it moved. The row keeps its id, so a collection's
    /// elements move with it.
    pub fn move_key(&mut self, db: Db, key: &[u8], to_db: Db) -> Result<bool> {
        let Some(source) = self.live_row(db, key)? else { return Ok(false) };
        if self.live_row(to_db, key)?.is_some() {
            return Ok(false);
        }
        self.execute("UPDATE keys SET db = ?2 WHERE id = ?1", params![source.id, to_db])?;
        self.note_filled(to_db, key);
        Ok(true)
    }

    /// Deletes every key of one database.
    pub fn flush_db(&mut self, db: Db) -> Result<()> {
        self.bury_collections(db)?;
        self.execute("DELETE FROM keys WHERE db = ?1", [db])?;
        Ok(())
    }

    /// Deletes every key of every database.
    pub fn flush_all(&mut self) -> Result<()> {
        self.delete_all_elements()?;
        self.execute("DELETE FROM keys", [])?;
        Ok(())
    }

    /// Exchanges the contents of two databases.
    pub fn swap_db(&mut self, first: Db, second: Db) -> Result<()> {
        if first == second {
            return Ok(());
        }
        // The unique (db, key) index forbids a one-statement swap when both hold the same
        // key, so park the first database on a number no real database uses.
        let parking = -1i64;
        self.execute("UPDATE keys SET db = ?2 WHERE db = ?1", params![first, parking])?;
        self.execute("UPDATE keys SET db = ?2 WHERE db = ?1", params![second, first])?;
        self.execute("UPDATE keys SET db = ?2 WHERE db = ?1", params![parking, second])?;
        self.note_filled_database(first);
        self.note_filled_database(second);
        Ok(())
    }
}
