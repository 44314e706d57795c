//! `INCRBY` of a live string in one statement.
//!
//! A counter is read, parsed, added to and written back. Done as a row lookup and then an
//! `UPDATE` by row id, that is three B-tree searches (the name index, the row, the row again)
//! and two statements. Here one `UPDATE` finds the row through the name index and computes
//! the new value with the SQL function [`ADD_INTEGER`], registered on the write
//! connection by [`register`]. The function parses with Redis's rules and adds with overflow
//! checks, and notes on the calling thread the sum it wrote (no `RETURNING`, which SQLite
//! runs through a table of its own) or why it failed, failing the statement, which SQLite then
//! undoes. The note is a thread-local for the same reason as the upserts' (see `upserts.rs`):
//! SQLite calls the function inside the `sqlite3_step` of the thread that runs the statement,
//! and at most once, since the statement changes at most one row.
//!
//! Only a string that exists and has not expired matches; a missing key, one of another type
//! and one past its deadline change nothing and are left to the general path. `HINCRBY`
//! changes an existing field the same way ([`run`] with its own `UPDATE`).

use std::cell::Cell;

use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};

use crate::error::{Result, StoreError};
use crate::numbers::{format_i64, parse_i64};
use crate::reader::Db;

/// The SQL function that adds its second argument to the integer written in its first.
pub(crate) const ADD_INTEGER: &str = "resplite_add_integer";

/// Adds `?3` to the live string `?2` of database `?1` (alive past the instant `?4`).
pub(crate) const INCREMENT_LIVE_STRING_SQL: &str = "UPDATE keys SET value = resplite_add_integer(value, ?3) \
     WHERE db = ?1 AND key = ?2 AND kind = 0 AND (expires_at IS NULL OR expires_at > ?4)";

thread_local! {
    /// What [`ADD_INTEGER`] last did on this thread: the sum it wrote, or why it failed.
    static OUTCOME: Cell<Option<Result<i64, Failure>>> = const { Cell::new(None) };
}

/// Why an increment cannot be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    NotInteger,
    Overflow,
}

impl From<Failure> for StoreError {
    fn from(failure: Failure) -> StoreError {
        match failure {
            Failure::NotInteger => StoreError::NotInteger,
            Failure::Overflow => StoreError::Overflow,
        }
    }
}

/// Registers [`ADD_INTEGER`] on `connection`, for resplite's own statements only.
pub(crate) fn register(connection: &Connection) -> Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    connection.create_scalar_function(ADD_INTEGER, 2, flags, |context| {
        let current = match context.get_raw(0) {
            ValueRef::Blob(bytes) | ValueRef::Text(bytes) => parse_i64(bytes),
            // Values are always stored as bytes; anything else is no integer of Redis's.
            ValueRef::Null | ValueRef::Integer(_) | ValueRef::Real(_) => None,
        };
        let delta: i64 = context.get(1)?;
        let sum = match current {
            None => Err(Failure::NotInteger),
            Some(current) => current.checked_add(delta).ok_or(Failure::Overflow),
        };
        OUTCOME.set(Some(sum));
        match sum {
            Ok(sum) => Ok(format_i64(sum)),
            Err(failure) => Err(rusqlite::Error::UserFunctionError(format!("{failure:?}").into())),
        }
    })?;
    Ok(())
}

/// Adds `delta` to the string at `key` when it exists and is alive at `now`, answering the
/// new value; `None` when no such string is there (nothing changed).
pub(crate) fn increment_live_string(
    connection: &Connection,
    db: Db,
    key: &[u8],
    delta: i64,
    now: i64,
) -> Result<Option<i64>> {
    run(connection, INCREMENT_LIVE_STRING_SQL, params![db, key, delta, now])
}

/// Runs `sql`, an `UPDATE` of at most one row that sets a value to [`ADD_INTEGER`] of it,
/// and answers the sum written; `None` when no row matched.
pub(crate) fn run(
    connection: &Connection,
    sql: &str,
    parameters: impl rusqlite::Params,
) -> Result<Option<i64>> {
    OUTCOME.set(None);
    let changed = connection.prepare_cached(sql)?.execute(parameters);
    match (OUTCOME.take(), changed) {
        (Some(Err(failure)), _) => Err(failure.into()),
        (_, Err(error)) => Err(error.into()),
        (Some(Ok(sum)), Ok(1)) => Ok(Some(sum)),
        (_, Ok(_)) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection() -> Connection {
        let connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch(
                "CREATE TABLE keys (id INTEGER PRIMARY KEY, db INTEGER, key BLOB, kind INTEGER, \
                 value BLOB, expires_at INTEGER);
                 CREATE UNIQUE INDEX keys_by_name ON keys (db, key);",
            )
            .unwrap();
        register(&connection).unwrap();
        connection
    }

    fn put(connection: &Connection, key: &str, kind: i64, value: &[u8], expires_at: Option<i64>) {
        connection
            .execute(
                "INSERT INTO keys (db, key, kind, value, expires_at) VALUES (0, ?1, ?2, ?3, ?4)",
                params![key.as_bytes(), kind, value, expires_at],
            )
            .unwrap();
    }

    fn value(connection: &Connection, key: &str) -> Vec<u8> {
        connection
            .query_row("SELECT value FROM keys WHERE key = ?1", [key.as_bytes()], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn adds_to_live_strings_and_leaves_everything_else_alone() {
        let connection = connection();
        put(&connection, "n", 0, b"41", None);
        put(&connection, "ttl", 0, b"-5", Some(2_000));
        put(&connection, "gone", 0, b"1", Some(1_000));
        put(&connection, "list", 3, b"", None);
        let increment =
            |key: &str, delta| increment_live_string(&connection, 0, key.as_bytes(), delta, 1_000);
        assert_eq!(increment("n", 1).unwrap(), Some(42));
        assert_eq!(value(&connection, "n"), b"42");
        assert_eq!(increment("ttl", -10).unwrap(), Some(-15));
        // Past its deadline, of another type, or missing: not matched, not changed.
        assert_eq!(increment("gone", 1).unwrap(), None);
        assert_eq!(value(&connection, "gone"), b"1");
        assert_eq!(increment("list", 1).unwrap(), None);
        assert_eq!(increment("missing", 1).unwrap(), None);
    }

    #[test]
    fn failures_are_redis_errors_and_change_nothing() {
        let connection = connection();
        put(&connection, "text", 0, b"12a", None);
        put(&connection, "spaced", 0, b" 1", None);
        put(&connection, "empty", 0, b"", None);
        put(&connection, "big", 0, b"9223372036854775807", None);
        let increment = |key: &str, delta| {
            increment_live_string(&connection, 0, key.as_bytes(), delta, 0)
                .map_err(|e| e.to_string())
        };
        let not_integer = StoreError::NotInteger.to_string();
        assert_eq!(increment("text", 1), Err(not_integer.clone()));
        assert_eq!(increment("spaced", 1), Err(not_integer.clone()));
        assert_eq!(increment("empty", 1), Err(not_integer));
        assert_eq!(increment("big", 1), Err(StoreError::Overflow.to_string()));
        assert_eq!(value(&connection, "big"), b"9223372036854775807");
        // A failure leaves no note behind for the next increment.
        assert_eq!(increment("big", -7), Ok(Some(9_223_372_036_854_775_800)));
    }
}
