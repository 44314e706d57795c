//! The migration registry: tables in the destination database that record each run (its
//! progress, throttles and controls), the keys changed in the source since tracking began,
//! the tracker's gaps and a bounded log of errors.
//!
//! The registry lives in the destination file so that it commits together with the keys:
//! the bulk copy writes its cursor and counters in the same transaction as the keys they
//! describe, and the delta apply marks a key applied in the transaction that writes it.
//! `spec/migration.md` specifies the tables.

use std::collections::BTreeMap;

use resplite_store::{Db, Reader, SqlValue, Store, StoreOptions, Writer};

use crate::error::{MigrateError, Result};

/// Creates the registry tables when missing.
const REGISTRY_SQL: &str = "
CREATE TABLE IF NOT EXISTS migration_runs (
    run_id            TEXT PRIMARY KEY,
    source_uri        TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    bulk_status       TEXT    NOT NULL DEFAULT 'pending',
    control           TEXT    NOT NULL DEFAULT 'run',
    worker            TEXT,
    worker_pid        INTEGER,
    worker_heartbeat  INTEGER,
    scan_db           INTEGER NOT NULL DEFAULT 0,
    scan_cursor       TEXT    NOT NULL DEFAULT '0',
    pass              INTEGER NOT NULL DEFAULT 0,
    pass_started_at   INTEGER,
    pass_dbs          TEXT    NOT NULL DEFAULT 'all',
    pass_prunes       INTEGER NOT NULL DEFAULT 0,
    completed_pass_started_at INTEGER,
    bulk_completed_at INTEGER,
    scan_count        INTEGER NOT NULL DEFAULT 1000,
    max_concurrency   INTEGER NOT NULL DEFAULT 4,
    max_rps           INTEGER NOT NULL DEFAULT 0,
    batch_keys        INTEGER NOT NULL DEFAULT 200,
    batch_bytes       INTEGER NOT NULL DEFAULT 67108864,
    scanned_keys      INTEGER NOT NULL DEFAULT 0,
    migrated_keys     INTEGER NOT NULL DEFAULT 0,
    skipped_keys      INTEGER NOT NULL DEFAULT 0,
    error_keys        INTEGER NOT NULL DEFAULT 0,
    migrated_bytes    INTEGER NOT NULL DEFAULT 0,
    pruned_keys       INTEGER NOT NULL DEFAULT 0,
    dirty_keys_seen   INTEGER NOT NULL DEFAULT 0,
    dirty_keys_applied INTEGER NOT NULL DEFAULT 0,
    dirty_keys_deleted INTEGER NOT NULL DEFAULT 0,
    source_run_id     TEXT,
    tracker_pid       INTEGER,
    tracker_heartbeat INTEGER,
    tracker_control   TEXT    NOT NULL DEFAULT 'run',
    tracker_channels  TEXT,
    barrier_requested INTEGER NOT NULL DEFAULT 0,
    barrier_reached   INTEGER NOT NULL DEFAULT 0,
    cutover_at        INTEGER,
    cutover_downtime_ms INTEGER,
    last_error        TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS migration_dirty_keys (
    run_id        TEXT    NOT NULL,
    db            INTEGER NOT NULL,
    key           BLOB    NOT NULL,
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    events_count  INTEGER NOT NULL DEFAULT 1,
    last_event    TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'dirty',
    PRIMARY KEY (run_id, db, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS migration_dirty_keys_by_state
    ON migration_dirty_keys (run_id, state, last_seen_at);
CREATE TABLE IF NOT EXISTS migration_errors (
    id      INTEGER PRIMARY KEY,
    run_id  TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    stage   TEXT    NOT NULL,
    db      INTEGER,
    key     BLOB,
    message TEXT    NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS migration_errors_by_run ON migration_errors (run_id, id);
CREATE TABLE IF NOT EXISTS migration_gaps (
    id         INTEGER PRIMARY KEY,
    run_id     TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    reason     TEXT    NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS migration_gaps_by_run ON migration_gaps (run_id, id);
";

/// The most error rows one run keeps; older ones are dropped as new ones arrive.
const MAX_ERROR_ROWS: i64 = 1000;

/// How long a heartbeat stays fresh: a process that has not written one for longer is gone.
pub const HEARTBEAT_STALE_MS: i64 = 5_000;

/// The columns of [`Run`], in the order `Run::from_row` reads them.
const RUN_COLUMNS: &str = "run_id, source_uri, created_at, updated_at, bulk_status, control, \
    worker, worker_pid, worker_heartbeat, scan_db, scan_cursor, pass, pass_started_at, \
    pass_dbs, pass_prunes, completed_pass_started_at, bulk_completed_at, scan_count, max_concurrency, max_rps, \
    batch_keys, batch_bytes, scanned_keys, migrated_keys, skipped_keys, error_keys, \
    migrated_bytes, pruned_keys, dirty_keys_seen, dirty_keys_applied, dirty_keys_deleted, \
    source_run_id, tracker_pid, tracker_heartbeat, tracker_control, tracker_channels, \
    barrier_requested, barrier_reached, cutover_at, cutover_downtime_ms, last_error";

/// One migration run as the registry holds it.
#[derive(Clone, Debug, Default, PartialEq)]
#[allow(missing_docs)]
pub struct Run {
    pub run_id: String,
    pub source_uri: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// `pending`, `running`, `paused`, `interrupted`, `completed`, `failed` or `aborted`.
    pub bulk_status: String,
    /// What a running bulk or apply-dirty is told to do: `run`, `pause` or `abort`.
    pub control: String,
    /// Which step holds the run (`bulk`, `apply-dirty`, `cutover`), if any.
    pub worker: Option<String>,
    pub worker_pid: Option<i64>,
    pub worker_heartbeat: Option<i64>,
    pub scan_db: i64,
    pub scan_cursor: String,
    /// 0 for the first copy, then one more per `--rescan`.
    pub pass: i64,
    pub pass_started_at: Option<i64>,
    /// The databases the current pass copies: `all`, or numbers separated by commas.
    pub pass_dbs: String,
    /// Whether the current pass ends by pruning (it found keys in the destination).
    pub pass_prunes: bool,
    /// When the latest pass over every database that finished had started: gaps that ended before it are covered.
    pub completed_pass_started_at: Option<i64>,
    pub bulk_completed_at: Option<i64>,
    pub scan_count: i64,
    pub max_concurrency: i64,
    pub max_rps: i64,
    pub batch_keys: i64,
    pub batch_bytes: i64,
    pub scanned_keys: i64,
    pub migrated_keys: i64,
    pub skipped_keys: i64,
    pub error_keys: i64,
    pub migrated_bytes: i64,
    pub pruned_keys: i64,
    pub dirty_keys_seen: i64,
    pub dirty_keys_applied: i64,
    pub dirty_keys_deleted: i64,
    /// The source's `run_id` when tracking began; another one means it restarted.
    pub source_run_id: Option<String>,
    pub tracker_pid: Option<i64>,
    pub tracker_heartbeat: Option<i64>,
    /// `run` or `stop`.
    pub tracker_control: String,
    pub tracker_channels: Option<String>,
    pub barrier_requested: i64,
    pub barrier_reached: i64,
    pub cutover_at: Option<i64>,
    pub cutover_downtime_ms: Option<i64>,
    pub last_error: Option<String>,
}

impl Run {
    fn from_row(row: Vec<SqlValue>) -> Run {
        let mut columns = row.into_iter();
        let mut next = || columns.next().unwrap_or(SqlValue::Null);
        let text = |value: SqlValue| value.into_bytes().map(|b| String::from_utf8_lossy(&b).into());
        Run {
            run_id: text(next()).unwrap_or_default(),
            source_uri: text(next()).unwrap_or_default(),
            created_at: next().as_i64().unwrap_or(0),
            updated_at: next().as_i64().unwrap_or(0),
            bulk_status: text(next()).unwrap_or_default(),
            control: text(next()).unwrap_or_default(),
            worker: text(next()),
            worker_pid: next().as_i64(),
            worker_heartbeat: next().as_i64(),
            scan_db: next().as_i64().unwrap_or(0),
            scan_cursor: text(next()).unwrap_or_default(),
            pass: next().as_i64().unwrap_or(0),
            pass_started_at: next().as_i64(),
            pass_dbs: text(next()).unwrap_or_default(),
            pass_prunes: next().as_i64().unwrap_or(0) != 0,
            completed_pass_started_at: next().as_i64(),
            bulk_completed_at: next().as_i64(),
            scan_count: next().as_i64().unwrap_or(0),
            max_concurrency: next().as_i64().unwrap_or(0),
            max_rps: next().as_i64().unwrap_or(0),
            batch_keys: next().as_i64().unwrap_or(0),
            batch_bytes: next().as_i64().unwrap_or(0),
            scanned_keys: next().as_i64().unwrap_or(0),
            migrated_keys: next().as_i64().unwrap_or(0),
            skipped_keys: next().as_i64().unwrap_or(0),
            error_keys: next().as_i64().unwrap_or(0),
            migrated_bytes: next().as_i64().unwrap_or(0),
            pruned_keys: next().as_i64().unwrap_or(0),
            dirty_keys_seen: next().as_i64().unwrap_or(0),
            dirty_keys_applied: next().as_i64().unwrap_or(0),
            dirty_keys_deleted: next().as_i64().unwrap_or(0),
            source_run_id: text(next()),
            tracker_pid: next().as_i64(),
            tracker_heartbeat: next().as_i64(),
            tracker_control: text(next()).unwrap_or_default(),
            tracker_channels: text(next()),
            barrier_requested: next().as_i64().unwrap_or(0),
            barrier_reached: next().as_i64().unwrap_or(0),
            cutover_at: next().as_i64(),
            cutover_downtime_ms: next().as_i64(),
            last_error: text(next()),
        }
    }

    /// Whether a tracker has written a heartbeat recently and its process still runs.
    pub fn tracker_alive(&self, now: i64) -> bool {
        self.tracker_heartbeat.is_some_and(|at| now - at <= HEARTBEAT_STALE_MS)
            && self.tracker_pid.is_some_and(process_running)
    }

    /// Whether a bulk, apply-dirty or cutover process has written a heartbeat recently and
    /// still runs.
    pub fn worker_alive(&self, now: i64) -> bool {
        self.worker.is_some()
            && self.worker_heartbeat.is_some_and(|at| now - at <= HEARTBEAT_STALE_MS)
            && self.worker_pid.is_some_and(process_running)
    }
}

/// Whether process `pid` still runs on this machine, read from `/proc` (a zombie counts as
/// gone). Where `/proc` is missing this cannot be told, and only heartbeats decide.
pub fn process_running(pid: i64) -> bool {
    let proc = std::path::Path::new("/proc");
    if !proc.is_dir() {
        return true;
    }
    match std::fs::read_to_string(proc.join(pid.to_string()).join("stat")) {
        // The state follows the command name, which is in parentheses and may hold spaces.
        Ok(stat) => {
            stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
        }
        Err(_) => false,
    }
}

/// An interval in which the tracker may have missed changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// When it began (Unix ms).
    pub started_at: i64,
    /// When it ended; `None` while it lasts.
    pub ended_at: Option<i64>,
    /// What happened.
    pub reason: String,
}

/// One recorded error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorRecord {
    /// When (Unix ms).
    pub at: i64,
    /// `bulk`, `apply-dirty`, `tracker`, `verify` or `cutover`.
    pub stage: String,
    /// The key concerned, if any.
    pub key: Option<(Db, Vec<u8>)>,
    /// What went wrong.
    pub message: String,
}

/// The registry of one run, in an open destination store.
#[derive(Clone)]
pub struct Registry {
    store: Store,
    run_id: String,
}

impl Registry {
    /// Opens the registry of `run_id` in `store`, creating the tables when missing.
    pub fn open(store: Store, run_id: &str) -> Result<Registry> {
        if run_id.is_empty() {
            return Err(MigrateError::Refused("--run-id must not be empty".into()));
        }
        store.write(|writer| writer.execute_sql_batch(REGISTRY_SQL))?;
        Ok(Registry { store, run_id: run_id.to_owned() })
    }

    /// Opens the destination database at `path` and the registry of `run_id` in it. With
    /// `must_exist`, a missing file is an error instead of a new database.
    pub fn open_path(path: &std::path::Path, run_id: &str, must_exist: bool) -> Result<Registry> {
        if must_exist && !path.exists() {
            return Err(MigrateError::Refused(format!("{} does not exist", path.display())));
        }
        Registry::open(Store::open_with(importer_options(path))?, run_id)
    }

    /// The destination store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The run's id.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The run, creating it for `source` when it does not exist yet. A run belongs to one
    /// source: another one is refused.
    pub fn create_or_load(&self, source: &str) -> Result<Run> {
        let (run_id, source_text) = (self.run_id.clone(), source.to_owned());
        self.store.write(move |writer| {
            let now = writer.now();
            writer.execute_sql(
                "INSERT OR IGNORE INTO migration_runs (run_id, source_uri, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?3)",
                &[run_id.into(), source_text.into(), now.into()],
            )
        })?;
        let run = self.require()?;
        if run.source_uri != source {
            return Err(MigrateError::Refused(format!(
                "run {} migrates from {}, not {source}; use another --run-id",
                self.run_id, run.source_uri
            )));
        }
        Ok(run)
    }

    /// The run, if it exists.
    pub fn load(&self) -> Result<Option<Run>> {
        Ok(self.store.read(|reader| load_run(reader, &self.run_id))?)
    }

    /// The run; an error naming the run when it does not exist.
    pub fn require(&self) -> Result<Run> {
        self.load()?.ok_or_else(|| {
            MigrateError::Refused(format!(
                "no migration run {:?} in this database; start one with `resplite tracker start` \
                 or `resplite import bulk`",
                self.run_id
            ))
        })
    }

    /// Sets columns of the run row (and `updated_at`) in one write.
    pub fn update(&self, assignments: &[(&'static str, SqlValue)]) -> Result<()> {
        let (run_id, assignments) = (self.run_id.clone(), assignments.to_vec());
        self.store.write(move |writer| update_run(writer, &run_id, &assignments).map(drop))?;
        Ok(())
    }

    /// Records an error of `stage`, keeping only the latest rows.
    pub fn record_error(
        &self,
        stage: &'static str,
        key: Option<(Db, &[u8])>,
        message: &str,
    ) -> Result<()> {
        let run_id = self.run_id.clone();
        let key = key.map(|(db, key)| (db, key.to_vec()));
        let message = message.to_owned();
        self.store.write(move |writer| {
            record_error(
                writer,
                &run_id,
                stage,
                key.as_ref().map(|(db, k)| (*db, &k[..])),
                &message,
            )
        })?;
        Ok(())
    }

    /// How many dirty-key rows are in each state.
    pub fn dirty_counts(&self) -> Result<BTreeMap<String, i64>> {
        let run_id = self.run_id.clone();
        let rows = self.store.read(|reader| {
            reader.query_sql(
                "SELECT state, count(*) FROM migration_dirty_keys WHERE run_id = ?1 GROUP BY state",
                &[run_id.into()],
            )
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let state = row.first()?.as_text()?.to_owned();
                Some((state, row.get(1)?.as_i64()?))
            })
            .collect())
    }

    /// Every gap of the run, oldest first.
    pub fn gaps(&self) -> Result<Vec<Gap>> {
        let run_id = self.run_id.clone();
        let rows = self.store.read(|reader| {
            reader.query_sql(
                "SELECT started_at, ended_at, reason FROM migration_gaps WHERE run_id = ?1 \
                 ORDER BY id",
                &[run_id.into()],
            )
        })?;
        Ok(rows
            .into_iter()
            .map(|row| Gap {
                started_at: row[0].as_i64().unwrap_or(0),
                ended_at: row[1].as_i64(),
                reason: row[2].as_text().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// The latest `limit` errors, newest first.
    pub fn recent_errors(&self, limit: i64) -> Result<Vec<ErrorRecord>> {
        let run_id = self.run_id.clone();
        let rows = self.store.read(|reader| {
            reader.query_sql(
                "SELECT at, stage, db, key, message FROM migration_errors WHERE run_id = ?1 \
                 ORDER BY id DESC LIMIT ?2",
                &[run_id.into(), limit.into()],
            )
        })?;
        Ok(rows
            .into_iter()
            .map(|mut row| {
                let key = row[3].clone().into_bytes();
                ErrorRecord {
                    at: row[0].as_i64().unwrap_or(0),
                    stage: row[1].as_text().unwrap_or_default().to_owned(),
                    key: row[2].as_i64().zip(key).map(|(db, key)| (db as Db, key)),
                    message: std::mem::replace(&mut row[4], SqlValue::Null)
                        .into_bytes()
                        .map(|m| String::from_utf8_lossy(&m).into_owned())
                        .unwrap_or_default(),
                }
            })
            .collect())
    }

    /// Opens a gap starting at `started_at` (ending at `ended_at`, or still open).
    pub fn record_gap(&self, started_at: i64, ended_at: Option<i64>, reason: &str) -> Result<()> {
        let (run_id, reason) = (self.run_id.clone(), reason.to_owned());
        self.store.write(move |writer| {
            writer.execute_sql(
                "INSERT INTO migration_gaps (run_id, started_at, ended_at, reason) \
                 VALUES (?1, ?2, ?3, ?4)",
                &[run_id.into(), started_at.into(), ended_at.into(), reason.into()],
            )
        })?;
        Ok(())
    }

    /// Ends the open gaps recorded with exactly `reason` at `at`.
    pub fn close_gap(&self, reason: &str, at: i64) -> Result<()> {
        let (run_id, reason) = (self.run_id.clone(), reason.to_owned());
        self.store.write(move |writer| {
            writer.execute_sql(
                "UPDATE migration_gaps SET ended_at = ?2 \
                 WHERE run_id = ?1 AND ended_at IS NULL AND reason = ?3",
                &[run_id.into(), at.into(), reason.into()],
            )
        })?;
        Ok(())
    }

    /// Ends every open gap at `at`.
    pub fn close_gaps(&self, at: i64) -> Result<()> {
        let run_id = self.run_id.clone();
        self.store.write(move |writer| {
            writer.execute_sql(
                "UPDATE migration_gaps SET ended_at = ?2 WHERE run_id = ?1 AND ended_at IS NULL",
                &[run_id.into(), at.into()],
            )
        })?;
        Ok(())
    }
}

/// How the migration opens a destination: no memory map instead of the server's 1 GiB, so
/// the importer's resident size stays small whatever it copies (it writes far more than it
/// reads), and a 16 MiB page cache for what the map would have served (its writes mostly
/// append).
pub fn importer_options(path: &std::path::Path) -> StoreOptions {
    let mut options = StoreOptions::new(path);
    options.page_cache_kib = 16 * 1024;
    options.memory_map_bytes = 0;
    options.readers = 2;
    options.reader_threads = 1;
    options
}

/// Reads a run row inside a read or a write.
pub(crate) fn load_run(reader: &Reader<'_>, run_id: &str) -> resplite_store::Result<Option<Run>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM migration_runs WHERE run_id = ?1");
    let rows = reader.query_sql(&sql, &[run_id.into()])?;
    Ok(rows.into_iter().next().map(Run::from_row))
}

/// Sets columns of a run row (and `updated_at`) inside a write. Column names come from this
/// crate's constants, never from input.
pub(crate) fn update_run(
    writer: &mut Writer<'_>,
    run_id: &str,
    assignments: &[(&'static str, SqlValue)],
) -> resplite_store::Result<usize> {
    let mut sql = String::from("UPDATE migration_runs SET updated_at = ?1");
    let mut parameters = vec![SqlValue::from(writer.now())];
    for (column, value) in assignments {
        parameters.push(value.clone());
        sql.push_str(&format!(", {column} = ?{}", parameters.len()));
    }
    parameters.push(run_id.into());
    sql.push_str(&format!(" WHERE run_id = ?{}", parameters.len()));
    writer.execute_sql(&sql, &parameters)
}

/// Adds to counters of a run row inside a write.
pub(crate) fn add_to_counters(
    writer: &mut Writer<'_>,
    run_id: &str,
    increments: &[(&'static str, i64)],
) -> resplite_store::Result<usize> {
    let mut sql = String::from("UPDATE migration_runs SET updated_at = ?1");
    let mut parameters = vec![SqlValue::from(writer.now())];
    for (column, amount) in increments {
        parameters.push((*amount).into());
        sql.push_str(&format!(", {column} = {column} + ?{}", parameters.len()));
    }
    parameters.push(run_id.into());
    sql.push_str(&format!(" WHERE run_id = ?{}", parameters.len()));
    writer.execute_sql(&sql, &parameters)
}

/// Records an error inside a write, dropping rows beyond the newest [`MAX_ERROR_ROWS`].
pub(crate) fn record_error(
    writer: &mut Writer<'_>,
    run_id: &str,
    stage: &str,
    key: Option<(Db, &[u8])>,
    message: &str,
) -> resplite_store::Result<()> {
    let now = writer.now();
    let (db, key) = match key {
        Some((db, key)) => (SqlValue::from(db), SqlValue::from(key)),
        None => (SqlValue::Null, SqlValue::Null),
    };
    writer.execute_sql(
        "INSERT INTO migration_errors (run_id, at, stage, db, key, message) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[run_id.into(), now.into(), stage.into(), db, key, message.into()],
    )?;
    writer.execute_sql(
        "UPDATE migration_runs SET last_error = ?2 WHERE run_id = ?1",
        &[run_id.into(), message.into()],
    )?;
    writer.execute_sql(
        "DELETE FROM migration_errors WHERE run_id = ?1 AND id <= \
         (SELECT id FROM migration_errors WHERE run_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        &[run_id.into(), MAX_ERROR_ROWS.into()],
    )?;
    Ok(())
}
