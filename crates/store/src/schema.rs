//! The on-disk schema: creating it, recognising a resplite file and checking its version.
//!
//! `spec/storage.md` is the specification; this module is its implementation. A file is a
//! resplite database when its `application_id` is [`APPLICATION_ID`]; its `user_version` is
//! the schema version. A brand-new (empty) file gets the current schema.

use std::path::Path;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Result, StoreError};
use crate::field_deadlines;
use crate::rank_fences;

/// `PRAGMA application_id` of every resplite database: "RSLT" in ASCII.
pub const APPLICATION_ID: i64 = 0x5253_4c54;

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = 4;

/// Schema version 1: one row per key, string payloads in the row itself, one table per
/// collection type holding the elements, and per-database key counts kept by triggers so that
/// `DBSIZE` and `INFO keyspace` need no count of all keys.
const SCHEMA_V1: &str = "
CREATE TABLE keys (
    id         INTEGER PRIMARY KEY,
    db         INTEGER NOT NULL,
    key        BLOB    NOT NULL,
    kind       INTEGER NOT NULL,
    value      BLOB,
    expires_at INTEGER,
    length     INTEGER NOT NULL DEFAULT 0,
    list_head  INTEGER
) STRICT;
CREATE UNIQUE INDEX keys_by_name ON keys (db, key);
CREATE INDEX keys_by_db ON keys (db);
CREATE INDEX keys_by_expiry ON keys (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE key_counts (
    db      INTEGER PRIMARY KEY,
    keys    INTEGER NOT NULL,
    expires INTEGER NOT NULL
) STRICT;
CREATE TRIGGER key_counts_after_insert AFTER INSERT ON keys BEGIN
    INSERT OR IGNORE INTO key_counts (db, keys, expires) VALUES (NEW.db, 0, 0);
    UPDATE key_counts SET keys = keys + 1, expires = expires + (NEW.expires_at IS NOT NULL)
        WHERE db = NEW.db;
END;
CREATE TRIGGER key_counts_after_delete AFTER DELETE ON keys BEGIN
    UPDATE key_counts SET keys = keys - 1, expires = expires - (OLD.expires_at IS NOT NULL)
        WHERE db = OLD.db;
END;
CREATE TRIGGER key_counts_after_update AFTER UPDATE OF db, expires_at ON keys
    WHEN OLD.db != NEW.db OR (OLD.expires_at IS NULL) != (NEW.expires_at IS NULL)
BEGIN
    UPDATE key_counts SET keys = keys - 1, expires = expires - (OLD.expires_at IS NOT NULL)
        WHERE db = OLD.db;
    INSERT OR IGNORE INTO key_counts (db, keys, expires) VALUES (NEW.db, 0, 0);
    UPDATE key_counts SET keys = keys + 1, expires = expires + (NEW.expires_at IS NOT NULL)
        WHERE db = NEW.db;
END;
CREATE TABLE hash_fields (
    key_id INTEGER NOT NULL,
    hash   INTEGER NOT NULL,
    field  BLOB    NOT NULL,
    value  BLOB    NOT NULL,
    PRIMARY KEY (key_id, hash, field)
) STRICT, WITHOUT ROWID;
CREATE TABLE list_items (
    key_id   INTEGER NOT NULL,
    position INTEGER NOT NULL,
    value    BLOB    NOT NULL,
    PRIMARY KEY (key_id, position)
) STRICT, WITHOUT ROWID;
CREATE TABLE set_members (
    key_id INTEGER NOT NULL,
    hash   INTEGER NOT NULL,
    member BLOB    NOT NULL,
    PRIMARY KEY (key_id, hash, member)
) STRICT, WITHOUT ROWID;
CREATE TABLE zset_members (
    key_id INTEGER NOT NULL,
    hash   INTEGER NOT NULL,
    member BLOB    NOT NULL,
    score  ANY     NOT NULL,
    PRIMARY KEY (key_id, hash, member)
) STRICT, WITHOUT ROWID;
CREATE INDEX zset_by_score ON zset_members (key_id, score, member);
";

/// Schema version 4: version 1's one trigger for updates of `keys.db` and `keys.expires_at`
/// split in two. A deadline that comes or goes within a database only changes its count of
/// keys with a deadline (one statement, where the old trigger ran three); only a key that
/// moves to another database may need that database's count row created, with an `INSERT OR
/// IGNORE`. SQLite runs a trigger fired by an upsert's update branch under the upsert's
/// conflict handling, where that `INSERT OR IGNORE` fails on the existing row, so with one
/// trigger no upsert could change a deadline; an upsert never moves a key.
const SCHEMA_V4: &str = "
DROP TRIGGER key_counts_after_update;
CREATE TRIGGER key_counts_after_deadline AFTER UPDATE OF expires_at ON keys
    WHEN OLD.db = NEW.db AND (OLD.expires_at IS NULL) != (NEW.expires_at IS NULL)
BEGIN
    UPDATE key_counts
        SET expires = expires + (NEW.expires_at IS NOT NULL) - (OLD.expires_at IS NOT NULL)
        WHERE db = NEW.db;
END;
CREATE TRIGGER key_counts_after_move AFTER UPDATE OF db ON keys
    WHEN OLD.db != NEW.db
BEGIN
    UPDATE key_counts SET keys = keys - 1, expires = expires - (OLD.expires_at IS NOT NULL)
        WHERE db = OLD.db;
    INSERT OR IGNORE INTO key_counts (db, keys, expires) VALUES (NEW.db, 0, 0);
    UPDATE key_counts SET keys = keys + 1, expires = expires + (NEW.expires_at IS NOT NULL)
        WHERE db = NEW.db;
END;
";

/// Creates the schema in an empty database or checks the one that is there.
///
/// Runs on the writer connection before any reader is opened. Several processes may open one
/// brand-new file at the same moment (an import and the status command watching it): an
/// empty file is looked at again under the write lock, so exactly one of them creates the
/// schema and the others find it.
pub(crate) fn prepare(connection: &Connection, path: &Path) -> Result<()> {
    let mut found = FileIdentity::read(connection)?;
    if found.is_empty() {
        create_unless_present(connection)?;
        found = FileIdentity::read(connection)?;
    }
    if found.application_id != APPLICATION_ID {
        return Err(StoreError::NotResplite { path: path.to_path_buf() });
    }
    if found.version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: found.version,
            supported: SCHEMA_VERSION,
        });
    }
    if found.version < SCHEMA_VERSION {
        upgrade(connection)?;
    }
    Ok(())
}

/// Brings a file of an earlier schema version to this one, in one transaction that holds the
/// write lock from its start (another process may be doing the same).
fn upgrade(connection: &Connection) -> Result<()> {
    let transaction = Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
    let version = FileIdentity::of(&transaction)?.version;
    if version < 2 {
        add_rank_fences(&transaction)?;
    }
    if version < 3 {
        transaction.execute_batch(field_deadlines::SCHEMA)?;
    }
    if version < 4 {
        transaction.execute_batch(SCHEMA_V4)?;
    }
    transaction.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION};"))?;
    transaction.commit()?;
    Ok(())
}

/// Version 2: the rank fences of sorted sets (`rank_fences.rs`), built later for the sets
/// that ranks are asked of.
fn add_rank_fences(connection: &Connection) -> Result<()> {
    connection.execute_batch(rank_fences::SCHEMA)?;
    Ok(())
}

/// What a file says it is: its application id, its schema version and how many tables it has.
struct FileIdentity {
    application_id: i64,
    version: i64,
    tables: i64,
}

impl FileIdentity {
    /// The identity as of one moment: another process may be creating the schema meanwhile.
    fn read(connection: &Connection) -> Result<FileIdentity> {
        let snapshot = Transaction::new_unchecked(connection, TransactionBehavior::Deferred)?;
        let found = FileIdentity::of(&snapshot)?;
        snapshot.commit()?;
        Ok(found)
    }

    /// The identity, read in the caller's transaction.
    fn of(connection: &Connection) -> Result<FileIdentity> {
        Ok(FileIdentity {
            application_id: connection.query_row("PRAGMA application_id", [], |row| row.get(0))?,
            version: connection.query_row("PRAGMA user_version", [], |row| row.get(0))?,
            tables: connection.query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
                [],
                |row| row.get(0),
            )?,
        })
    }

    /// Whether the file holds nothing at all: no application id, no version, no table.
    fn is_empty(&self) -> bool {
        self.application_id == 0 && self.version == 0 && self.tables == 0
    }
}

/// Creates the current schema, in one transaction that holds the write lock from its start,
/// unless another connection created it first.
fn create_unless_present(connection: &Connection) -> Result<()> {
    let transaction = Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
    if FileIdentity::of(&transaction)?.is_empty() {
        transaction.execute_batch(&format!(
            "{SCHEMA_V1}{}{}{SCHEMA_V4}PRAGMA application_id = {APPLICATION_ID};\
             PRAGMA user_version = {SCHEMA_VERSION};",
            rank_fences::SCHEMA,
            field_deadlines::SCHEMA
        ))?;
    }
    transaction.commit()?;
    Ok(())
}
