//! Upserts that tell whether they added an element or changed one.
//!
//! `HSET` and a plain `ZADD` set an element whether or not it exists, and answer how many
//! were new. One `INSERT … ON CONFLICT DO UPDATE` does that with the fewest B-tree searches:
//! a new element costs the search for a conflict and the inserts, where an `UPDATE` that
//! misses followed by an `INSERT` searches the table's key once more (and runs two
//! statements). But SQLite counts one change for either branch, and neither its update hook
//! nor its pre-update hook is called for `WITHOUT ROWID` tables, the element tables' kind.
//!
//! So an upsert here names, in its update branch's `WHERE`, the SQL function
//! [`MARK_UPDATE`], registered on the write connection by [`register`]: it answers true
//! and notes, on the thread running the statement, that the update branch let a row
//! through. [`run`] clears that note, runs the statement and reads change count and note
//! together. The note is a thread-local: SQLite calls the function synchronously inside the
//! `sqlite3_step` of the thread that runs the statement, so no other statement can touch it
//! in between, whichever thread holds the write connection.
//!
//! The reading does not depend on SQLite's order of evaluation: a row the update branch
//! changed passed the whole `WHERE`, so the function ran; and if the function ran for a row
//! that another condition then held back, no row changed and the note is not read.

use std::cell::Cell;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, Params};

use crate::error::Result;

/// The SQL function an upsert's update branch calls in its `WHERE` (see the module
/// documentation). It takes no argument and answers true.
pub(crate) const MARK_UPDATE: &str = "resplite_mark_update";

thread_local! {
    /// Whether [`MARK_UPDATE`] ran since [`run`] last cleared it on this thread.
    static UPDATE_MARKED: Cell<bool> = const { Cell::new(false) };
}

/// What an upsert did to its element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Upserted {
    /// The element was new and is added.
    Inserted,
    /// The element existed and its update branch changed it.
    Updated,
    /// The element existed and the update branch's `WHERE` left it as it was.
    Unchanged,
}

/// Registers [`MARK_UPDATE`] on `connection`. Only statements of resplite's own may call it:
/// it is not available to the schema (triggers, views, defaults).
pub(crate) fn register(connection: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    connection.create_scalar_function(MARK_UPDATE, 0, flags, |_| {
        UPDATE_MARKED.set(true);
        Ok(true)
    })?;
    Ok(())
}

/// Runs `sql`, one `INSERT … ON CONFLICT DO UPDATE … WHERE …` whose update branch's `WHERE`
/// calls [`MARK_UPDATE`], and answers which branch changed the element.
pub(crate) fn run(connection: &Connection, sql: &str, parameters: impl Params) -> Result<Upserted> {
    UPDATE_MARKED.set(false);
    let changed = connection.prepare_cached(sql)?.execute(parameters)?;
    Ok(match (changed, UPDATE_MARKED.get()) {
        (0, _) => Upserted::Unchanged,
        (_, true) => Upserted::Updated,
        (_, false) => Upserted::Inserted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const UPSERT_SQL: &str = "INSERT INTO pairs (name, value) VALUES (?1, ?2) \
         ON CONFLICT DO UPDATE SET value = excluded.value \
         WHERE value <> excluded.value AND resplite_mark_update()";

    fn connection() -> Connection {
        let connection = Connection::open_in_memory().unwrap();
        register(&connection).unwrap();
        connection
            .execute_batch(
                "CREATE TABLE pairs (name TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID",
            )
            .unwrap();
        connection
    }

    fn value(connection: &Connection, name: &str) -> i64 {
        connection
            .query_row("SELECT value FROM pairs WHERE name = ?1", [name], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn tells_the_branches_apart() {
        let connection = connection();
        assert_eq!(run(&connection, UPSERT_SQL, ("a", 1)).unwrap(), Upserted::Inserted);
        assert_eq!(run(&connection, UPSERT_SQL, ("a", 1)).unwrap(), Upserted::Unchanged);
        assert_eq!(run(&connection, UPSERT_SQL, ("a", 2)).unwrap(), Upserted::Updated);
        assert_eq!(value(&connection, "a"), 2);
        // A new element after an update: the note of the update does not linger.
        assert_eq!(run(&connection, UPSERT_SQL, ("b", 2)).unwrap(), Upserted::Inserted);
        assert_eq!(run(&connection, UPSERT_SQL, ("b", 2)).unwrap(), Upserted::Unchanged);
        assert_eq!(value(&connection, "b"), 2);
    }

    #[test]
    fn the_schema_cannot_call_the_marker() {
        let connection = connection();
        connection
            .execute_batch(&format!("CREATE VIEW marked AS SELECT {MARK_UPDATE}() AS marked",))
            .unwrap();
        let error = connection
            .query_row("SELECT marked FROM marked", [], |row| row.get::<_, bool>(0))
            .unwrap_err();
        assert!(error.to_string().contains("unsafe use of"), "{error}");
    }
}
