//! Tables of the embedding program's own, kept in the same database file and written in the
//! same transactions as the keyspace.
//!
//! A program that embeds the store sometimes needs bookkeeping that must commit together
//! with keyspace changes: the migration tool records how far an import got in the very
//! transaction that writes the imported keys, so a crash can never leave the two apart.
//! These methods run SQL of the caller's choosing on the operation's connection. They are
//! meant for the caller's own tables only: the keyspace tables (`keys`, `key_counts`, the
//! element tables and `zset_fences`, see `spec/storage.md`) have invariants that only the store's own methods
//! keep, so never write to them here. Table names starting with `sqlite_` or `keys`, and
//! the store's element tables, are reserved.

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{ToSql, params_from_iter};

use crate::error::{Result, StoreError};
use crate::reader::Reader;
use crate::writer::Writer;

/// One SQL value, as a parameter or a result column.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    /// `NULL`.
    Null,
    /// A 64-bit signed integer.
    Integer(i64),
    /// A double.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

impl SqlValue {
    /// The integer, when this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            SqlValue::Integer(value) => Some(*value),
            _ => None,
        }
    }

    /// The text, when this is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            SqlValue::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The bytes of a blob or of text.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            SqlValue::Blob(bytes) => Some(bytes),
            SqlValue::Text(text) => Some(text.as_bytes()),
            _ => None,
        }
    }

    /// Takes the bytes of a blob or of text out of the value.
    pub fn into_bytes(self) -> Option<Vec<u8>> {
        match self {
            SqlValue::Blob(bytes) => Some(bytes),
            SqlValue::Text(text) => Some(text.into_bytes()),
            _ => None,
        }
    }
}

impl From<i64> for SqlValue {
    fn from(value: i64) -> Self {
        SqlValue::Integer(value)
    }
}

impl From<u32> for SqlValue {
    fn from(value: u32) -> Self {
        SqlValue::Integer(value.into())
    }
}

impl From<f64> for SqlValue {
    fn from(value: f64) -> Self {
        SqlValue::Real(value)
    }
}

impl From<&str> for SqlValue {
    fn from(value: &str) -> Self {
        SqlValue::Text(value.to_owned())
    }
}

impl From<String> for SqlValue {
    fn from(value: String) -> Self {
        SqlValue::Text(value)
    }
}

impl From<&[u8]> for SqlValue {
    fn from(value: &[u8]) -> Self {
        SqlValue::Blob(value.to_vec())
    }
}

impl From<Vec<u8>> for SqlValue {
    fn from(value: Vec<u8>) -> Self {
        SqlValue::Blob(value)
    }
}

impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(SqlValue::Null, Into::into)
    }
}

impl ToSql for SqlValue {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            SqlValue::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            SqlValue::Integer(value) => ToSqlOutput::Borrowed(ValueRef::Integer(*value)),
            SqlValue::Real(value) => ToSqlOutput::Borrowed(ValueRef::Real(*value)),
            SqlValue::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            SqlValue::Blob(bytes) => ToSqlOutput::Borrowed(ValueRef::Blob(bytes)),
        })
    }
}

impl From<Value> for SqlValue {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => SqlValue::Null,
            Value::Integer(value) => SqlValue::Integer(value),
            Value::Real(value) => SqlValue::Real(value),
            Value::Text(text) => SqlValue::Text(text),
            Value::Blob(bytes) => SqlValue::Blob(bytes),
        }
    }
}

impl Reader<'_> {
    /// Runs one query over the caller's own tables (see the module documentation) and
    /// returns every row, each as its columns in order. Only a query is run: a statement
    /// that changes nothing and answers with columns (a `SELECT`). Changes go through
    /// [`Writer::execute_sql`]; transaction control (`SAVEPOINT`, `ROLLBACK TO` …, which
    /// SQLite counts as changing nothing) is refused, as the store's own rounds depend on it.
    pub fn query_sql(&self, sql: &str, parameters: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>> {
        let mut statement = self.connection.prepare_cached(sql)?;
        if !statement.readonly() || statement.column_count() == 0 {
            return Err(StoreError::Internal(format!(
                "query_sql runs only queries (use execute_sql for anything else): {sql}"
            )));
        }
        let columns = statement.column_count();
        let mut rows = statement.query(params_from_iter(parameters))?;
        let mut result = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(columns);
            for column in 0..columns {
                values.push(row.get::<_, Value>(column)?.into());
            }
            result.push(values);
        }
        Ok(result)
    }
}

impl Writer<'_> {
    /// Runs one statement over the caller's own tables (see the module documentation) in
    /// this operation's transaction; answers how many rows it changed.
    pub fn execute_sql(&mut self, sql: &str, parameters: &[SqlValue]) -> Result<usize> {
        let changed = self.execute(sql, params_from_iter(parameters));
        // Whatever the caller's SQL did, the key memo must not outlive it.
        self.rows_restored();
        changed
    }

    /// Runs several statements without parameters (such as `CREATE TABLE IF NOT EXISTS …`)
    /// in this operation's transaction.
    pub fn execute_sql_batch(&mut self, sql: &str) -> Result<()> {
        let done = self.connection.execute_batch(sql);
        self.rows_restored();
        Ok(done?)
    }
}

#[cfg(test)]
mod tests {
    use super::SqlValue;
    use crate::{Store, StoreError};

    #[test]
    fn side_tables_commit_and_roll_back_with_the_keyspace() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("side.db")).unwrap();
        store
            .write(|writer| {
                writer.execute_sql_batch("CREATE TABLE IF NOT EXISTS notes (n INTEGER, b BLOB)")
            })
            .unwrap();
        store
            .write(|writer| {
                writer.set(0, b"k", b"v", Default::default())?;
                writer.execute_sql(
                    "INSERT INTO notes VALUES (?1, ?2)",
                    &[1i64.into(), b"\x00\xff".as_slice().into()],
                )
            })
            .unwrap();
        // A failing operation undoes its keyspace change and its side-table row together.
        let failed: Result<(), StoreError> = store.write(|writer| {
            writer.set(0, b"k2", b"v", Default::default())?;
            writer.execute_sql("INSERT INTO notes VALUES (?1, NULL)", &[2i64.into()])?;
            Err(StoreError::Internal("give up".into()))
        });
        assert!(failed.is_err());
        assert_eq!(store.get(0, b"k2").unwrap(), None);
        let rows = store.read(|reader| reader.query_sql("SELECT n, b FROM notes", &[])).unwrap();
        assert_eq!(rows, vec![vec![SqlValue::Integer(1), SqlValue::Blob(vec![0, 0xff])]]);
        assert_eq!(store.get(0, b"k").unwrap(), Some(b"v".to_vec()));
    }

    /// `query_sql` reads; a statement that would change something, or transaction control,
    /// is refused before it runs, inside a write too.
    #[test]
    fn query_sql_refuses_a_statement_that_changes_anything() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("side.db")).unwrap();
        store.write(|writer| writer.execute_sql_batch("CREATE TABLE notes (n INTEGER)")).unwrap();
        let refused = store.write(|writer| writer.query_sql("INSERT INTO notes VALUES (1)", &[]));
        assert!(matches!(refused, Err(StoreError::Internal(_))), "{refused:?}");
        let savepoint = store.write(|writer| writer.query_sql("SAVEPOINT s", &[]));
        assert!(matches!(savepoint, Err(StoreError::Internal(_))), "{savepoint:?}");
        let rows = store.read(|reader| reader.query_sql("SELECT count(*) FROM notes", &[]));
        assert_eq!(rows.unwrap(), vec![vec![SqlValue::Integer(0)]]);
    }
}
