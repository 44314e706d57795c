//! The encoding name `OBJECT ENCODING` reports: what Redis 7.0 would use for the value as it
//! is now.
//!
//! resplite stores every value the same way, so the name is derived from the value itself
//! with Redis's default thresholds. Redis never converts a big encoding back to a compact
//! one when a value shrinks; resplite reports the compact name again (see
//! docs/compatibility.md).

use rusqlite::OptionalExtension;

use crate::error::Result;
use crate::kind::KeyType;
use crate::numbers::parse_i64;
use crate::reader::{Db, Reader};

/// `hash-max-listpack-entries` (512 in Redis 7.0's built-in defaults; the sample
/// redis.conf says 128).
const HASH_LISTPACK_MAX_ENTRIES: i64 = 512;
/// `zset-max-listpack-entries`.
pub(crate) const ZSET_LISTPACK_MAX_ENTRIES: i64 = 128;
/// `hash-max-listpack-value` and `zset-max-listpack-value`.
pub(crate) const LISTPACK_MAX_VALUE: i64 = 64;
/// `set-max-intset-entries`.
const INTSET_MAX_ENTRIES: i64 = 512;
/// Strings up to this length are `embstr` when freshly written.
const EMBSTR_MAX_LEN: usize = 44;

const LONG_HASH_ENTRY_SQL: &str = "SELECT 1 FROM hash_fields WHERE key_id = ?1 \
     AND (length(field) > ?2 OR length(value) > ?2) LIMIT 1";
const LONG_ZSET_MEMBER_SQL: &str =
    "SELECT 1 FROM zset_members WHERE key_id = ?1 AND length(member) > ?2 LIMIT 1";
const SET_MEMBERS_SQL: &str = "SELECT member FROM set_members WHERE key_id = ?1";

impl Reader<'_> {
    /// The encoding Redis would report for `key`, or `None` when it does not exist.
    pub fn encoding(&self, db: Db, key: &[u8]) -> Result<Option<&'static str>> {
        let Some(row) = self.lookup(db, key)? else { return Ok(None) };
        let name = match row.kind {
            KeyType::String => {
                let value = self.get(db, key)?.unwrap_or_default();
                string_encoding(&value)
            }
            KeyType::List => "quicklist",
            KeyType::Hash => {
                let compact = row.length <= HASH_LISTPACK_MAX_ENTRIES
                    && !self.any_row(LONG_HASH_ENTRY_SQL, row.id, LISTPACK_MAX_VALUE)?;
                // Redis 7.4 names a listpack with field deadlines `listpackex`.
                match (compact, row.earliest_field_deadline) {
                    (true, Some(_)) => "listpackex",
                    (true, None) => "listpack",
                    (false, _) => "hashtable",
                }
            }
            KeyType::ZSet => {
                if self.zset_is_listpack(row.id, row.length)? {
                    "listpack"
                } else {
                    "skiplist"
                }
            }
            KeyType::Set => {
                if row.length <= INTSET_MAX_ENTRIES && self.all_members_integers(row.id)? {
                    "intset"
                } else {
                    "hashtable"
                }
            }
        };
        Ok(Some(name))
    }

    /// Whether Redis would hold the sorted set `id` of `length` members as a listpack. The
    /// sorted-set writes need it too: a listpack stores a score of -0 as the integer 0.
    pub(crate) fn zset_is_listpack(&self, id: i64, length: i64) -> Result<bool> {
        Ok(length <= ZSET_LISTPACK_MAX_ENTRIES
            && !self.any_row(LONG_ZSET_MEMBER_SQL, id, LISTPACK_MAX_VALUE)?)
    }

    fn any_row(&self, sql: &str, id: i64, limit: i64) -> Result<bool> {
        let found: Option<i64> = self
            .connection
            .prepare_cached(sql)?
            .query_row([id, limit], |row| row.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    fn all_members_integers(&self, id: i64) -> Result<bool> {
        let mut statement = self.connection.prepare_cached(SET_MEMBERS_SQL)?;
        let mut rows = statement.query([id])?;
        while let Some(row) = rows.next()? {
            let member: Vec<u8> = row.get(0)?;
            if parse_i64(&member).is_none() {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// The encoding of a freshly written string: `int`, `embstr` or `raw`.
fn string_encoding(value: &[u8]) -> &'static str {
    if value.len() <= 20 && parse_i64(value).is_some() {
        "int"
    } else if value.len() <= EMBSTR_MAX_LEN {
        "embstr"
    } else {
        "raw"
    }
}
