//! Key-level operations that work on keys of every type: existence, deletion, renaming,
//! copying, enumeration and whole-database operations.

use rusqlite::{OptionalExtension, params};

use crate::error::{Result, StoreError};
use crate::glob::{glob_match, literal_prefix};
use crate::kind::KeyType;
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

/// Live-key condition shared by the queries here; `?now` is the operation's instant.
const LIVE: &str = "(expires_at IS NULL OR expires_at > :now)";

impl Reader<'_> {
    /// How many of `keys` exist; a key named twice counts twice, as in `EXISTS`.
    pub fn exists<K: AsRef<[u8]>>(&self, db: Db, keys: &[K]) -> Result<i64> {
        let mut count = 0;
        for key in keys {
            if self.lookup(db, key.as_ref())?.is_some() {
                count += 1;
            }
        }
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
        let mut statement = self.connection.prepare_cached(
            "SELECT id, key, kind, expires_at FROM keys \
             WHERE db = :db AND id > :after ORDER BY id LIMIT :limit",
        )?;
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
        let bounds: Option<(i64, i64)> = self
            .connection
            .prepare_cached("SELECT min(id), max(id) FROM keys WHERE db = ?1")?
            .query_row([db], |row| Ok(row.get::<_, Option<i64>>(0)?.zip(row.get(1)?)))?;
        let Some((low, high)) = bounds else { return Ok(None) };
        let start = rand::random_range(low..=high);
        let sql = format!(
            "SELECT key FROM keys WHERE db = :db AND id >= :start AND {LIVE} ORDER BY id LIMIT 1"
        );
        let wrapped = format!(
            "SELECT key FROM keys WHERE db = :db AND id < :start AND {LIVE} ORDER BY id LIMIT 1"
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
    pub fn db_size(&self, db: Db) -> Result<u64> {
        let sql = format!("SELECT count(*) FROM keys WHERE db = :db AND {LIVE}");
        let count: i64 = self
            .connection
            .prepare_cached(&sql)?
            .query_row(rusqlite::named_params! {":db": db, ":now": self.now}, |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Key counts of every database that has live keys, in database order.
    pub fn keyspace_stats(&self) -> Result<Vec<DbStats>> {
        let sql = format!(
            "SELECT db, count(*), count(expires_at) FROM keys WHERE {LIVE} GROUP BY db ORDER BY db"
        );
        let mut statement = self.connection.prepare_cached(&sql)?;
        let rows = statement.query_map(rusqlite::named_params! {":now": self.now}, |row| {
            Ok(DbStats {
                db: row.get(0)?,
                keys: row.get::<_, i64>(1)?.try_into().unwrap_or(0),
                expires: row.get::<_, i64>(2)?.try_into().unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
            "INSERT INTO keys (db, key, kind, value, expires_at) \
             SELECT ?2, ?3, kind, value, expires_at FROM keys WHERE id = ?1",
            params![source.id, to_db, to],
        )?;
        Ok(true)
    }

    /// Deletes every key of one database.
    pub fn flush_db(&mut self, db: Db) -> Result<()> {
        self.execute("DELETE FROM keys WHERE db = ?1", [db])?;
        Ok(())
    }

    /// Deletes every key of every database.
    pub fn flush_all(&mut self) -> Result<()> {
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
        Ok(())
    }
}
