//! What the collection types share: finding and creating their key rows, keeping their
//! lengths, the element hash that orders them on disk, cursor pages, and deleting, copying
//! and reclaiming their elements.
//!
//! A hash, list, set or sorted set is one row in `keys` (its type, deadline and element
//! count) plus one row per element in the type's element table, tied to the key by `key_id`.
//! There are no foreign keys: [`Writer::delete_row`] is the single place that removes a key,
//! and it knows which table holds the elements. A collection with many elements is not
//! deleted at once: its row moves to the *graveyard* database and the writer reclaims its
//! elements a bounded batch at a time, so deleting a million-element key never stalls the
//! other clients (Redis's lazy free, done on disk).

use rusqlite::types::ValueRef;
use rusqlite::{OptionalExtension, Row, params};

use crate::error::{Result, StoreError};
use crate::glob::glob_match;
use crate::kind::KeyType;
use crate::rank_fences;
use crate::reader::{Db, KeyRow, Reader};
use crate::writer::Writer;

/// The database number of deleted collections whose elements are still being reclaimed. It
/// is never a user's database, and key counts only ever report databases from 0 up.
pub(crate) const GRAVEYARD_DB: i64 = -2;

/// Collections with at most this many elements are deleted at once; bigger ones go through
/// the graveyard.
const INLINE_DELETE_LIMIT: i64 = 1024;

/// Elements of a buried collection deleted per statement while reclaiming it.
const RECLAIM_CHUNK: i64 = 200;

/// Reclaiming stops for the round after this long, so that it never holds other clients'
/// writes back for more than a moment (a sorted set's elements, with their score index, cost
/// several times a hash's).
const RECLAIM_TIME: std::time::Duration = std::time::Duration::from_millis(5);

/// Collections with at most this many elements answer a cursor scan in one page, as Redis
/// does for its compact encodings.
const SINGLE_PAGE_SCAN_LIMIT: i64 = 128;

/// The graveyard's next key to reclaim.
pub(crate) const GRAVEYARD_SQL: &str =
    "SELECT id, kind FROM keys INDEXED BY keys_by_db WHERE db = ?1 ORDER BY id LIMIT 1";

/// The 63-bit hash that orders a hash's fields, a set's members and a sorted set's members
/// within their key, and that `HSCAN`/`SSCAN`/`ZSCAN` cursors count through.
///
/// It is part of the file format (`spec/storage.md`) and must never change: FNV-1a over the
/// bytes, then MurmurHash3's 64-bit finaliser so that similar inputs spread evenly, then the
/// top 63 bits so that the value is a non-negative SQLite integer.
pub(crate) fn element_hash(bytes: &[u8]) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^= hash >> 33;
    i64::try_from(hash >> 1).unwrap_or(i64::MAX)
}

/// Column `index` of `row`, an element's bytes as SQLite holds them (no copy). The element
/// tables are `STRICT` and their element columns `BLOB`, so they hold nothing else.
pub(crate) fn element_bytes<'row>(row: &'row Row<'_>, index: usize) -> Result<&'row [u8]> {
    match row.get_ref(index)? {
        ValueRef::Blob(bytes) => Ok(bytes),
        other => Err(StoreError::Internal(format!("an element stored as {}", other.data_type()))),
    }
}

/// A random point of the element-hash range, for picking random elements.
pub(crate) fn random_hash() -> i64 {
    rand::random_range(0..=i64::MAX)
}

/// The SQL that differs between the element tables.
struct ElementTable {
    /// Deletes every element of one key.
    delete_all: &'static str,
    /// The ordering value of the element `?2` places after the first (for bounded deletes).
    nth_order: &'static str,
    /// Deletes the elements of one key ordered before `?2`.
    delete_before: &'static str,
    /// Copies every element of key `?1` to key `?2`.
    copy: &'static str,
}

fn element_table(kind: KeyType) -> Option<ElementTable> {
    match kind {
        KeyType::String => None,
        KeyType::Hash => Some(ElementTable {
            delete_all: "DELETE FROM hash_fields WHERE key_id = ?1",
            nth_order: "SELECT hash FROM hash_fields WHERE key_id = ?1 \
                        ORDER BY hash LIMIT 1 OFFSET ?2",
            delete_before: "DELETE FROM hash_fields WHERE key_id = ?1 AND hash < ?2",
            copy: "INSERT INTO hash_fields (key_id, hash, field, value, expires_at) \
                   SELECT ?2, hash, field, value, expires_at FROM hash_fields WHERE key_id = ?1",
        }),
        KeyType::List => Some(ElementTable {
            delete_all: "DELETE FROM list_items WHERE key_id = ?1",
            nth_order: "SELECT position FROM list_items WHERE key_id = ?1 \
                        ORDER BY position LIMIT 1 OFFSET ?2",
            delete_before: "DELETE FROM list_items WHERE key_id = ?1 AND position < ?2",
            copy: "INSERT INTO list_items (key_id, position, value) \
                   SELECT ?2, position, value FROM list_items WHERE key_id = ?1",
        }),
        KeyType::Set => Some(ElementTable {
            delete_all: "DELETE FROM set_members WHERE key_id = ?1",
            nth_order: "SELECT hash FROM set_members WHERE key_id = ?1 \
                        ORDER BY hash LIMIT 1 OFFSET ?2",
            delete_before: "DELETE FROM set_members WHERE key_id = ?1 AND hash < ?2",
            copy: "INSERT INTO set_members (key_id, hash, member) \
                   SELECT ?2, hash, member FROM set_members WHERE key_id = ?1",
        }),
        KeyType::ZSet => Some(ElementTable {
            delete_all: "DELETE FROM zset_members WHERE key_id = ?1",
            nth_order: "SELECT hash FROM zset_members WHERE key_id = ?1 \
                        ORDER BY hash LIMIT 1 OFFSET ?2",
            delete_before: "DELETE FROM zset_members WHERE key_id = ?1 AND hash < ?2",
            copy: "INSERT INTO zset_members (key_id, hash, member, score) \
                   SELECT ?2, hash, member, score FROM zset_members WHERE key_id = ?1",
        }),
    }
}

/// One page of a cursor scan over a collection (`HSCAN`, `SSCAN`, `ZSCAN`).
#[derive(Clone, Debug, PartialEq)]
pub struct ElementPage<T> {
    /// The cursor for the next call; 0 means the iteration is complete.
    pub cursor: u64,
    /// The elements of this page.
    pub items: Vec<T>,
}

/// Pages through elements ordered by element hash. `fetch(from, through, limit)` returns up to
/// `limit` `(hash, item)` pairs with `from <= hash <= through`, in hash order.
///
/// The cursor is the hash to resume from. A page never splits the elements that share one
/// hash, so every element present for the whole iteration is returned exactly once.
fn scan_by_hash<T>(
    cursor: u64,
    count: usize,
    mut fetch: impl FnMut(i64, i64, i64) -> Result<Vec<(i64, T)>>,
) -> Result<ElementPage<T>> {
    let from = i64::try_from(cursor).unwrap_or(i64::MAX);
    let limit = i64::try_from(count.max(1)).unwrap_or(i64::MAX);
    let mut rows = fetch(from, i64::MAX, limit)?;
    let Some(&(last, _)) = rows.last() else { return Ok(ElementPage { cursor: 0, items: vec![] }) };
    if i64::try_from(rows.len()).unwrap_or(i64::MAX) < limit {
        return Ok(ElementPage { cursor: 0, items: rows.into_iter().map(|row| row.1).collect() });
    }
    let next = if rows[0].0 == last {
        // The whole page shares one hash: take every element with it, then move past it.
        rows = fetch(last, last, i64::MAX)?;
        last.checked_add(1).map_or(0, |next| next.unsigned_abs())
    } else {
        // The last hash may have more elements beyond the page: leave it for the next one.
        rows.retain(|(hash, _)| *hash != last);
        last.unsigned_abs()
    };
    Ok(ElementPage { cursor: next, items: rows.into_iter().map(|row| row.1).collect() })
}

/// What `HSCAN`/`SSCAN`/`ZSCAN` were asked for besides the cursor.
#[derive(Clone, Copy, Debug, Default)]
pub struct ElementScan<'a> {
    /// Only elements matching this glob pattern.
    pub pattern: Option<&'a [u8]>,
    /// How many elements to examine in this call (a hint, as in Redis).
    pub count: usize,
}

/// How one element table is read in element-hash order, for cursor pages and random picks:
/// `by_rank` selects the element at rank `?2` of key `?1`, `from_hash` the first ones from
/// hash `?2` to `?3` (at most `?4`), both with the hash as their first column; `read` maps
/// such a row and `name` is the part of an element that a `MATCH` pattern tests.
pub(crate) struct HashedElements<T> {
    /// The element at rank `?2` in hash order.
    pub(crate) by_rank: &'static str,
    /// The element `?4` places after the one of hash `?2` and name `?3`, in hash order.
    pub(crate) after: &'static str,
    pub(crate) from_hash: &'static str,
    pub(crate) read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<(i64, T)>,
    pub(crate) name: fn(&T) -> &[u8],
}

/// The [`HashedElements`] of a table keyed `(key_id, hash, <name>)` that read only the hash
/// and the name: a set's members, a hash's fields without their values. A third argument
/// is a condition on the rows besides their key (a hash's live fields).
macro_rules! names_in_hash_order {
    ($table:literal, $name:literal) => {
        names_in_hash_order!(@with $table, $name, "")
    };
    ($table:literal, $name:literal, $condition:expr) => {
        names_in_hash_order!(@with $table, $name, concat!(" AND ", $condition))
    };
    (@with $table:literal, $name:literal, $and:expr) => {
        HashedElements {
            by_rank: concat!(
                "SELECT hash, ",
                $name,
                " FROM ",
                $table,
                " WHERE key_id = ?1",
                $and,
                " ORDER BY hash LIMIT 1 OFFSET ?2"
            ),
            after: concat!(
                "SELECT hash, ",
                $name,
                " FROM ",
                $table,
                " WHERE key_id = ?1 AND (hash, ",
                $name,
                ") > (?2, ?3)",
                $and,
                " ORDER BY hash, ",
                $name,
                " LIMIT 1 OFFSET ?4"
            ),
            from_hash: concat!(
                "SELECT hash, ",
                $name,
                " FROM ",
                $table,
                " WHERE key_id = ?1 AND hash >= ?2 AND hash <= ?3",
                $and,
                " ORDER BY hash LIMIT ?4"
            ),
            read: |row| Ok((row.get(0)?, row.get(1)?)),
            name: |name| name,
        }
    };
}
pub(crate) use names_in_hash_order;

impl Reader<'_> {
    /// The elements (with their hashes) at `ranks` (ascending and distinct) in hash order of
    /// the collection in row `id`. Each is found from the one before it, skipping the gap
    /// between them inside SQLite (`OFFSET`), so the picks together cost one pass over the
    /// collection up to the highest rank rather than a pass from the first element for each.
    pub(crate) fn elements_at_ranks<T>(
        &self,
        id: i64,
        ranks: &[i64],
        elements: &HashedElements<T>,
    ) -> Result<Vec<(i64, T)>> {
        let mut found: Vec<(i64, T)> = Vec::with_capacity(ranks.len());
        for (index, &rank) in ranks.iter().enumerate() {
            let element = match found.last() {
                Some((hash, item)) => {
                    let gap = rank - ranks[index - 1] - 1;
                    let mut statement = self.connection.prepare_cached(elements.after)?;
                    statement
                        .query_row(params![id, hash, (elements.name)(item), gap], elements.read)?
                }
                None => {
                    let mut statement = self.connection.prepare_cached(elements.by_rank)?;
                    statement.query_row(params![id, rank], elements.read)?
                }
            };
            found.push(element);
        }
        Ok(found)
    }

    /// Elements of the collection `row` chosen at random with Redis's count rules (see
    /// [`choose_random`]), read through `elements`; `all` lists every element of the
    /// collection whose row id it is given.
    pub(crate) fn random_elements<T: Clone>(
        &self,
        row: KeyRow,
        count: i64,
        elements: &HashedElements<T>,
        all: impl FnOnce(i64) -> Result<Vec<T>>,
    ) -> Result<Vec<T>> {
        choose_random(
            row.length,
            count,
            |probe| self.element_at(row.id, probe, elements),
            |ranks| self.elements_at_ranks(row.id, ranks, elements),
            || all(row.id),
        )
    }

    /// The element (with its hash) that `probe` lands on in the collection in row `id`,
    /// wrapping around to the first element past the last hash.
    pub(crate) fn element_at<T>(
        &self,
        id: i64,
        probe: Probe,
        elements: &HashedElements<T>,
    ) -> Result<(i64, T)> {
        let found = match probe {
            Probe::Rank(rank) => self
                .connection
                .prepare_cached(elements.by_rank)?
                .query_row(params![id, rank], elements.read)
                .optional()?,
            Probe::Hash(hash) => self
                .connection
                .prepare_cached(elements.from_hash)?
                .query_row(params![id, hash, i64::MAX, 1], elements.read)
                .optional()?,
        };
        match found {
            Some(found) => Ok(found),
            None => Ok(self
                .connection
                .prepare_cached(elements.by_rank)?
                .query_row(params![id, 0], elements.read)?),
        }
    }

    /// One page of a cursor scan (`HSCAN`, `SSCAN`, `ZSCAN`) over the collection `row`: a
    /// missing key is an empty, final page; a collection of up to [`SINGLE_PAGE_SCAN_LIMIT`]
    /// elements comes whole from `all` (given the row's id; the order Redis's compact
    /// encodings give), a bigger one a page at a time in hash order. Only the elements whose
    /// name matches the pattern are kept.
    pub(crate) fn element_page<T>(
        &self,
        row: Option<KeyRow>,
        cursor: u64,
        options: ElementScan<'_>,
        elements: &HashedElements<T>,
        all: impl FnOnce(i64) -> Result<Vec<T>>,
    ) -> Result<ElementPage<T>> {
        let Some(row) = row else { return Ok(ElementPage { cursor: 0, items: Vec::new() }) };
        let mut page = if row.length <= SINGLE_PAGE_SCAN_LIMIT {
            ElementPage { cursor: 0, items: all(row.id)? }
        } else {
            scan_by_hash(cursor, options.count, |from, through, limit| {
                let mut statement = self.connection.prepare_cached(elements.from_hash)?;
                let rows =
                    statement.query_map(params![row.id, from, through, limit], elements.read)?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })?
        };
        if let Some(pattern) = options.pattern {
            page.items.retain(|item| glob_match(pattern, (elements.name)(item), false));
        }
        Ok(page)
    }

    /// The row of the live collection `key` of type `kind`; a key of another type is
    /// [`StoreError::WrongType`].
    pub(crate) fn collection(&self, db: Db, key: &[u8], kind: KeyType) -> Result<Option<KeyRow>> {
        match self.lookup(db, key)? {
            Some(row) if row.kind != kind => Err(StoreError::WrongType),
            row => Ok(row),
        }
    }

    /// How many elements the collection `key` of type `kind` holds (0 when it does not exist).
    pub(crate) fn collection_length(&self, db: Db, key: &[u8], kind: KeyType) -> Result<i64> {
        Ok(self.collection(db, key, kind)?.map_or(0, |row| row.length))
    }
}

impl Writer<'_> {
    /// The row of the live collection `key` of type `kind`, deleting it first when it has
    /// expired; a key of another type is [`StoreError::WrongType`].
    pub(crate) fn collection_for_write(
        &mut self,
        db: Db,
        key: &[u8],
        kind: KeyType,
    ) -> Result<Option<KeyRow>> {
        match self.live_row(db, key)? {
            Some(row) if row.kind != kind => Err(StoreError::WrongType),
            row => Ok(row),
        }
    }

    /// The collection `key` of type `kind`, created empty when missing. The caller must add
    /// elements and record them with [`Writer::change_length`] (an empty collection is deleted).
    pub(crate) fn collection_or_create(
        &mut self,
        db: Db,
        key: &[u8],
        kind: KeyType,
    ) -> Result<KeyRow> {
        if let Some(row) = self.collection_for_write(db, key, kind)? {
            return Ok(row);
        }
        let list_head = (kind == KeyType::List).then_some(0i64);
        self.execute(
            "INSERT INTO keys (db, key, kind, length, list_head) VALUES (?1, ?2, ?3, 0, ?4)",
            params![db, key, kind.code(), list_head],
        )?;
        let id = self.connection.last_insert_rowid();
        Ok(KeyRow {
            id,
            kind,
            expires_at: None,
            length: 0,
            list_head,
            earliest_field_deadline: None,
        })
    }

    /// Records that a collection gained (or, negative, lost) `change` elements; a collection
    /// left empty stops existing, as in Redis.
    pub(crate) fn change_length(&mut self, row: &mut KeyRow, change: i64) -> Result<()> {
        let length = row.length + change;
        if change == 0 && length != 0 {
            return Ok(());
        }
        if row.kind == KeyType::ZSet {
            self.fences_follow_length(row.id, row.length, length)?;
        }
        row.length = length;
        if length == 0 {
            self.execute("DELETE FROM keys WHERE id = ?1", [row.id])?;
        } else {
            let sql = "UPDATE keys SET length = ?2 WHERE id = ?1";
            self.update_key_row(row.id, sql, params![row.id, length], |row| row.length = length)?;
        }
        Ok(())
    }

    /// Deletes a collection's key row and its elements, or sends a big one to the graveyard
    /// for [`Writer::reclaim_deleted`] to finish.
    pub(crate) fn delete_collection(&mut self, row: KeyRow) -> Result<()> {
        let Some(table) = element_table(row.kind) else {
            return Err(StoreError::Internal("a string has no elements".into()));
        };
        if row.kind == KeyType::ZSet {
            self.drop_fences(row.id)?;
        }
        if row.length <= INLINE_DELETE_LIMIT {
            self.execute(table.delete_all, [row.id])?;
            self.execute("DELETE FROM keys WHERE id = ?1", [row.id])?;
        } else {
            self.execute(
                "UPDATE keys SET db = ?2, key = CAST(id AS BLOB), expires_at = NULL \
                 WHERE id = ?1",
                [row.id, GRAVEYARD_DB],
            )?;
        }
        Ok(())
    }

    /// Copies every element of the collection in row `from` to the new key row `to`.
    pub(crate) fn copy_elements(&mut self, kind: KeyType, from: i64, to: i64) -> Result<()> {
        if let Some(table) = element_table(kind) {
            self.execute(table.copy, [from, to])?;
        }
        if kind == KeyType::ZSet {
            self.copy_fences(from, to)?;
        }
        Ok(())
    }

    /// Sends every collection of database `db` to the graveyard (for `FLUSHDB`).
    pub(crate) fn bury_collections(&mut self, db: Db) -> Result<()> {
        if self.execute(rank_fences::DROP_DATABASE_SQL, [db])? > 0 {
            self.drop_triggers_if_unfenced()?;
        }
        self.execute(
            "UPDATE keys SET db = ?2, key = CAST(id AS BLOB), expires_at = NULL \
             WHERE db = ?1 AND kind != 0",
            params![db, GRAVEYARD_DB],
        )?;
        Ok(())
    }

    /// Deletes every element of every collection (for `FLUSHALL`).
    pub(crate) fn delete_all_elements(&mut self) -> Result<()> {
        for table in ["zset_fences", "hash_fields", "list_items", "set_members", "zset_members"] {
            self.execute(&format!("DELETE FROM {table}"), [])?;
        }
        self.drop_triggers_if_unfenced()
    }

    /// Deletes up to about `budget` elements of collections in the graveyard, and the key
    /// rows of those left with none, stopping early after [`RECLAIM_TIME`]. Answers how many
    /// rows it deleted (the full budget when it stopped for time, so that the writer comes
    /// back at once).
    pub(crate) fn reclaim_deleted(&mut self, budget: usize) -> Result<usize> {
        let started = std::time::Instant::now();
        let full = budget;
        let mut budget = i64::try_from(budget).unwrap_or(i64::MAX);
        let mut deleted = 0usize;
        while budget > 0 {
            if started.elapsed() >= RECLAIM_TIME {
                return Ok(full);
            }
            let buried: Option<(i64, i64)> = self
                .connection
                .prepare_cached(GRAVEYARD_SQL)?
                .query_row([GRAVEYARD_DB], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let Some((id, code)) = buried else { break };
            let kind = KeyType::from_code(code)?;
            let Some(table) = element_table(kind) else {
                self.execute("DELETE FROM keys WHERE id = ?1", [id])?;
                continue;
            };
            let chunk = budget.min(RECLAIM_CHUNK);
            let boundary: Option<i64> = self
                .connection
                .prepare_cached(table.nth_order)?
                .query_row([id, chunk], |row| row.get(0))
                .optional()?;
            let removed = match boundary {
                Some(boundary) => self.execute(table.delete_before, [id, boundary])?,
                None => {
                    let removed = self.execute(table.delete_all, [id])?;
                    self.execute("DELETE FROM keys WHERE id = ?1", [id])?;
                    removed + 1
                }
            };
            if removed == 0 {
                // Only possible when the first `budget` elements share one ordering value;
                // take them all rather than make no progress.
                let inclusive = table.delete_before.replace(" < ?2", " <= ?2");
                deleted += self.execute(&inclusive, [id, boundary.unwrap_or(i64::MAX)])?;
                break;
            }
            deleted += removed;
            budget -= i64::try_from(removed).unwrap_or(i64::MAX);
        }
        Ok(deleted)
    }
}

/// Collections up to this size pick random elements by rank, which is exactly uniform; bigger
/// ones pick the element at a random point of the hash range, which costs one index search.
const RANK_PROBE_LIMIT: i64 = 1000;

/// Where a random pick looks for its element.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Probe {
    /// The element at this rank in hash order.
    Rank(i64),
    /// The first element at or after this hash, wrapping around to the first.
    Hash(i64),
}

/// A fresh random probe into a collection of `length` elements.
pub(crate) fn random_probe(length: i64) -> Probe {
    if length <= RANK_PROBE_LIMIT {
        Probe::Rank(rand::random_range(0..length.max(1)))
    } else {
        Probe::Hash(random_hash())
    }
}

/// Chooses elements at random with Redis's count rules (`HRANDFIELD`, `SRANDMEMBER`,
/// `ZRANDMEMBER`, `SPOP`): a negative count picks that many, possibly repeating; a positive
/// count picks that many distinct elements, or all of them when there are not more.
///
/// `pick` finds one element (with its hash) for a probe; `at_ranks` the elements at ascending,
/// distinct ranks of the hash order (in a collection small enough to pick by rank, several
/// picks are found together); `all` lists every element.
fn choose_random<T: Clone>(
    length: i64,
    count: i64,
    mut pick: impl FnMut(Probe) -> Result<(i64, T)>,
    at_ranks: impl FnOnce(&[i64]) -> Result<Vec<(i64, T)>>,
    all: impl FnOnce() -> Result<Vec<T>>,
) -> Result<Vec<T>> {
    use rand::seq::SliceRandom;

    if length == 0 || count == 0 {
        return Ok(Vec::new());
    }
    let by_rank = length <= RANK_PROBE_LIMIT;
    if count < 0 {
        let wanted = count.unsigned_abs();
        if by_rank && wanted.saturating_mul(2) >= length.unsigned_abs() {
            // As many draws as half the collection or more: read it once, draw from that.
            let items = all()?;
            // The count may be far beyond memory; the vector grows as the draws come.
            let mut chosen = Vec::with_capacity(items.len().min(1024));
            for _ in 0..wanted {
                let draw = rand::random_range(0..items.len());
                chosen.push(items[draw].clone());
            }
            return Ok(chosen);
        }
        if by_rank && wanted > 1 {
            // Draw every rank first, then find them in rank order, each from the last.
            let draws: Vec<i64> = (0..wanted).map(|_| rand::random_range(0..length)).collect();
            let mut ranks = draws.clone();
            ranks.sort_unstable();
            ranks.dedup();
            let found = at_ranks(&ranks)?;
            return draws
                .iter()
                .map(|draw| {
                    let at = ranks.binary_search(draw).unwrap_or_default();
                    found.get(at).map(|(_, item)| item.clone())
                })
                .collect::<Option<Vec<T>>>()
                .ok_or_else(|| StoreError::Internal("a drawn rank was not found".into()));
        }
        let mut chosen = Vec::with_capacity(usize::try_from(wanted.min(1024)).unwrap_or(1024));
        for _ in 0..wanted {
            chosen.push(pick(random_probe(length))?.1);
        }
        return Ok(chosen);
    }
    if count >= length {
        return all();
    }
    let wanted = usize::try_from(count).unwrap_or(usize::MAX);
    if count.saturating_mul(2) >= length {
        let mut items = all()?;
        items.shuffle(&mut rand::rng());
        items.truncate(wanted);
        return Ok(items);
    }
    if by_rank {
        // Fewer than half, distinct: as many distinct ranks, each found from the last.
        let size = usize::try_from(length).unwrap_or_default();
        let mut ranks: Vec<i64> = rand::seq::index::sample(&mut rand::rng(), size, wanted)
            .into_iter()
            .map(|rank| i64::try_from(rank).unwrap_or_default())
            .collect();
        ranks.sort_unstable();
        let mut chosen: Vec<T> = at_ranks(&ranks)?.into_iter().map(|(_, item)| item).collect();
        chosen.shuffle(&mut rand::rng());
        return Ok(chosen);
    }
    // Fewer than half of a big collection: probe until enough distinct elements turned up.
    let mut seen = std::collections::HashSet::with_capacity(wanted);
    let mut chosen = Vec::with_capacity(wanted);
    while chosen.len() < wanted {
        let (hash, item) = pick(random_probe(length))?;
        if seen.insert(hash) {
            chosen.push(item);
        }
    }
    Ok(chosen)
}
