//! Looking many keys or elements up at once, for `MGET`, `EXISTS`, `HMGET`, `SMISMEMBER` and
//! `ZMSCORE`.
//!
//! A statement run per element pays as much for binding, starting and resetting the statement
//! as for the primary-key search itself. A lookup here takes a batch of elements in one
//! statement: the batch is a `VALUES` list, which SQLite runs as a co-routine, `LEFT JOIN`ed
//! to the table on its primary key, so that each element costs one search on a cursor the
//! statement keeps open and comes back as one row, in the order asked, with nulls when it is
//! missing. Each row starts with the element's position in its batch, which is checked, so a
//! plan that reordered the rows would be an error rather than a wrong answer; a plan test
//! holds each statement to one search per element.
//!
//! Batches come in a few widths (see [`BATCH_WIDTHS`]), so that any count is a handful of
//! statements and each connection caches only a few of them.

use std::sync::LazyLock;

use rusqlite::types::{ToSql, ValueRef};
use rusqlite::{Row, Statement};

use crate::collections::element_hash;
use crate::error::{Result, StoreError};
use crate::field_deadlines::live_field;
use crate::reader::{Db, Reader};

/// How many elements one statement looks up; a count is split into the widest batches that
/// fit (37 = 32 + 4 + 1).
pub(crate) const BATCH_WIDTHS: [usize; 6] = [32, 16, 8, 4, 2, 1];

/// The column of a lookup's row where the columns it selects begin; before them come the
/// element's position in its batch and a column that is null when nothing was found.
pub(crate) const FIRST_SELECTED: usize = 2;

/// The statements of one kind of lookup, one per batch width. Each takes `?1` (a database or
/// a collection's row id) and then `per_element` parameters per element.
pub(crate) struct Lookup {
    per_element: usize,
    sql: [String; BATCH_WIDTHS.len()],
}

impl Lookup {
    /// A lookup in `table` that joins on `first_column = ?1` and then each of `columns` equal
    /// to one of the element's parameters, and on `also` when not empty (a condition on the
    /// row found, written `AND …`), selecting `selected` (columns of `found`).
    fn new(
        table: &str,
        first_column: &str,
        columns: &[&str],
        also: &str,
        selected: &str,
    ) -> Lookup {
        let sql = BATCH_WIDTHS.map(|width| {
            let rows: Vec<String> = (0..width)
                .map(|position| {
                    // The element's parameters, numbered as `look_up` binds them.
                    let first = 2 + position * columns.len();
                    let parameters: Vec<String> =
                        (first..first + columns.len()).map(|at| format!("?{at}")).collect();
                    format!("({position}, {})", parameters.join(", "))
                })
                .collect();
            let conditions: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(index, column)| format!(" AND found.{column} = wanted.column{}", index + 2))
                .collect();
            format!(
                "SELECT wanted.column1, found.{first_column}, {selected} FROM (VALUES {}) AS wanted \
                 LEFT JOIN {table} AS found ON found.{first_column} = ?1{}{also}",
                rows.join(", "),
                conditions.concat()
            )
        });
        Lookup { per_element: columns.len(), sql }
    }

    /// The statements, narrowest last.
    #[cfg(test)]
    pub(crate) fn statements(&self) -> &[String] {
        &self.sql
    }
}

/// `MGET`'s: a key's type, value and deadline by name.
pub(crate) static KEYS: LazyLock<Lookup> = LazyLock::new(|| {
    Lookup::new("keys", "db", &["key"], "", "found.kind, found.value, found.expires_at")
});
/// `EXISTS`'s and `TOUCH`'s, for more than one key: only a key's deadline.
pub(crate) static KEY_DEADLINES: LazyLock<Lookup> =
    LazyLock::new(|| Lookup::new("keys", "db", &["key"], "", "found.expires_at"));
/// `HMGET`'s: a live field's value (see `field_deadlines`).
pub(crate) static HASH_FIELDS: LazyLock<Lookup> = LazyLock::new(|| {
    let live = concat!(" AND ", live_field!("found."));
    Lookup::new("hash_fields", "key_id", &["hash", "field"], live, "found.value")
});
/// `SMISMEMBER`'s: only whether the member is there.
pub(crate) static SET_MEMBERS: LazyLock<Lookup> =
    LazyLock::new(|| Lookup::new("set_members", "key_id", &["hash", "member"], "", "NULL"));
/// `ZMSCORE`'s: a member's score.
pub(crate) static ZSET_MEMBERS: LazyLock<Lookup> =
    LazyLock::new(|| Lookup::new("zset_members", "key_id", &["hash", "member"], "", "found.score"));

impl Reader<'_> {
    /// Looks each of `keys` up in database `db` with `lookup` ([`KEYS`] or
    /// [`KEY_DEADLINES`]) and shows `visit` the row found for it (`None` when there is none),
    /// in the order given.
    pub(crate) fn look_up_keys<K: AsRef<[u8]>>(
        &self,
        lookup: &Lookup,
        db: Db,
        keys: &[K],
        visit: impl FnMut(Option<&Row<'_>>) -> Result<()>,
    ) -> Result<()> {
        let bind_key =
            |statement: &mut Statement<'_>, at: usize, key: &K| bind(statement, at, key.as_ref());
        self.look_up(lookup, i64::from(db), keys, bind_key, visit)
    }

    /// Looks each of `elements` up in the collection in row `id` with `lookup` (one of the
    /// element tables') and shows `visit` the row found for it (`None` when there is none),
    /// in the order given.
    pub(crate) fn look_up_elements<E: AsRef<[u8]>>(
        &self,
        lookup: &Lookup,
        id: i64,
        elements: &[E],
        visit: impl FnMut(Option<&Row<'_>>) -> Result<()>,
    ) -> Result<()> {
        let bind_element = |statement: &mut Statement<'_>, at: usize, element: &E| {
            let element = element.as_ref();
            bind(statement, at, element_hash(element))?;
            bind(statement, at + 1, element)
        };
        self.look_up(lookup, id, elements, bind_element, visit)
    }

    fn look_up<T>(
        &self,
        lookup: &Lookup,
        first: i64,
        items: &[T],
        mut bind_item: impl FnMut(&mut Statement<'_>, usize, &T) -> Result<()>,
        mut visit: impl FnMut(Option<&Row<'_>>) -> Result<()>,
    ) -> Result<()> {
        let mut rest = items;
        while !rest.is_empty() {
            let (which, &width) = BATCH_WIDTHS
                .iter()
                .enumerate()
                .find(|(_, width)| **width <= rest.len())
                .unwrap_or((BATCH_WIDTHS.len() - 1, &1));
            let (batch, after) = rest.split_at(width);
            let mut statement = self.connection.prepare_cached(&lookup.sql[which])?;
            bind(&mut statement, 1, first)?;
            for (position, item) in batch.iter().enumerate() {
                bind_item(&mut statement, 2 + position * lookup.per_element, item)?;
            }
            let mut rows = statement.raw_query();
            for expected in 0..width {
                let Some(row) = rows.next()? else {
                    return Err(out_of_order(expected, None));
                };
                let position: i64 = row.get(0)?;
                if usize::try_from(position) != Ok(expected) {
                    return Err(out_of_order(expected, Some(position)));
                }
                let found = !matches!(row.get_ref(1)?, ValueRef::Null);
                visit(found.then_some(row))?;
            }
            rest = after;
        }
        Ok(())
    }
}

fn bind(statement: &mut Statement<'_>, at: usize, value: impl ToSql) -> Result<()> {
    Ok(statement.raw_bind_parameter(at, value)?)
}

fn out_of_order(expected: usize, position: Option<i64>) -> StoreError {
    StoreError::Internal(format!(
        "a batched lookup answered element {position:?} where element {expected} was due"
    ))
}

#[cfg(test)]
mod tests {
    use crate::{SetOptions, Store};

    /// Names `0..count` in an order that repeats some and leaves gaps: every third is one the
    /// collections were given, the others are missing or repeats of an earlier one.
    fn names(prefix: &str, count: usize) -> Vec<Vec<u8>> {
        (0..count)
            .map(|index| match index % 3 {
                0 => format!("{prefix}{}", index / 3),
                1 => format!("{prefix}missing{index}"),
                _ => format!("{prefix}{}", index / 7),
            })
            .map(String::into_bytes)
            .collect()
    }

    #[test]
    fn batches_of_every_width_answer_as_single_lookups_do() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("lookups.db")).unwrap();
        store
            .write(|writer| {
                let fields: Vec<(Vec<u8>, Vec<u8>)> = (0..40)
                    .map(|n| (format!("f{n}").into_bytes(), format!("value {n}").into_bytes()))
                    .collect();
                writer.hash_set(0, b"h", &fields)?;
                let members: Vec<Vec<u8>> = (0..40).map(|n| format!("m{n}").into_bytes()).collect();
                writer.set_add(0, b"s", &members)?;
                let scored: Vec<(f64, Vec<u8>)> =
                    members.iter().enumerate().map(|(n, m)| (n as f64 / 4.0, m.clone())).collect();
                writer.zset_add_exact(0, b"z", &scored)?;
                for n in (0..40).filter(|&n| n != 1) {
                    let value = if n == 5 { Vec::new() } else { format!("v{n}").into_bytes() };
                    writer.set(0, format!("k{n}").as_bytes(), &value, SetOptions::default())?;
                }
                // Keys that `MGET` answers with nulls: another type, and a key past its deadline.
                writer.set_add(0, b"k1", &[b"not a string"])?;
                writer.set(0, b"k2", b"gone", SetOptions::default())?;
                let past = writer.now() - 1;
                writer.expire_at(0, b"k2", past, crate::ExpireCondition::default())?;
                Ok(())
            })
            .unwrap();
        store
            .read(|reader| {
                for count in [0, 1, 2, 3, 7, 31, 32, 33, 37, 63, 64, 65, 100] {
                    let fields = names("f", count);
                    let single: Vec<Option<Vec<u8>>> = fields
                        .iter()
                        .map(|f| reader.hash_get(0, b"h", f))
                        .collect::<Result<_, _>>()?;
                    assert_eq!(reader.hash_get_many(0, b"h", &fields)?, single, "{count}");
                    assert_eq!(reader.hash_get_many(0, b"nohash", &fields)?, vec![None; count]);

                    let members = names("m", count);
                    let single: Vec<bool> = members
                        .iter()
                        .map(|m| reader.set_is_member(0, b"s", m))
                        .collect::<Result<_, _>>()?;
                    assert_eq!(reader.set_are_members(0, b"s", &members)?, single, "{count}");
                    let single: Vec<Option<f64>> = members
                        .iter()
                        .map(|m| reader.zset_score(0, b"z", m))
                        .collect::<Result<_, _>>()?;
                    assert_eq!(reader.zset_scores(0, b"z", &members)?, single, "{count}");

                    let keys = names("k", count);
                    let single: Vec<Option<Vec<u8>>> = keys
                        .iter()
                        .map(|key| match reader.get(0, key) {
                            Err(crate::StoreError::WrongType) => Ok(None),
                            other => other,
                        })
                        .collect::<Result<_, _>>()?;
                    assert_eq!(reader.get_many(0, &keys)?, single, "{count}");
                    assert_eq!(reader.get_many(1, &keys)?, vec![None; count], "{count}");
                    let mut existing = 0;
                    for key in &keys {
                        existing += reader.exists(0, &[key])?;
                    }
                    assert_eq!(reader.exists(0, &keys)?, existing, "{count}");
                    let found = single.iter().filter(|value| value.is_some()).count();
                    assert!(count < 7 || found > count / 4, "{count}: only {found} found");
                }
                Ok(())
            })
            .unwrap();
    }
}
