//! The [`Store`] handle: opening a database, the reader pool and the door to the writer.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use crate::checkpointer::Checkpointer;
use crate::clock;
use crate::error::{Result, StoreError};
use crate::fast_reads::{CommitCount, FastReads};
use crate::field_deadlines;
use crate::increments;
use crate::log_backlog::{self, LogBacklog};
use crate::options::{Durability, StoreOptions};
use crate::page_cache;
use crate::rank_fences;
use crate::reader::Reader;
use crate::reader_threads::ReaderThreads;
use crate::schema;
use crate::upserts;
use crate::wal_vfs;
use crate::writer::{Writer, panic_message};
use crate::writer_thread::{
    Job, OperationJob, ReplayableJob, WriterThread, holding_write_connection,
};

/// How long a connection waits for another process's lock before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A handle to an open resplite database; cheap to clone and share across threads.
///
/// Dropping the last handle lets the writer commit everything queued, checkpoints the WAL
/// and stops the writer thread.
#[derive(Clone)]
pub struct Store {
    shared: Arc<Shared>,
}

struct Shared {
    // Field order is drop order: reader threads return their connections, the pool closes
    // them, the checkpointer stops, and only then does the writer checkpoint and truncate.
    reader_threads: ReaderThreads,
    readers: r2d2::Pool<SqliteConnectionManager>,
    // Closed once the checkpointer, which holds the other handle, has stopped.
    fast_reads: Arc<FastReads>,
    // Held only so that dropping the store stops the thread.
    _checkpointer: Checkpointer,
    writer: WriterThread,
    options: StoreOptions,
}

/// The page size of new files: a write into a big collection lands on a random page, written
/// once to the log and once more by the checkpoint, so smaller pages mean less of both; 2 KiB
/// still keeps an element of up to about 480 bytes in its B-tree cell (see spec/storage.md).
pub(crate) const PAGE_SIZE: u32 = 2048;

/// Every connection reads the database file through a memory map of up to 1 GiB: a page
/// already in the operating system's cache then costs a memory access instead of a `pread`
/// and a copy into each connection's own page cache. Big collections are read at random
/// (elements are ordered by hash), so without it a lookup in a million-element set cost
/// several times one in a ten-element set. Mapped pages are the kernel's file cache, shared
/// by every connection and reclaimable; they show in the process's resident size.
fn memory_map_pragma(options: &StoreOptions) -> String {
    format!("PRAGMA mmap_size = {};", options.memory_map_bytes)
}

impl Store {
    /// Opens (or creates) the database at `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(StoreOptions::new(path.as_ref()))
    }

    /// Opens (or creates) a database as `options` describe.
    pub fn open_with(options: StoreOptions) -> Result<Store> {
        let connection =
            open_writer(&options).map_err(|error| explain_open_error(error, &options.path))?;
        let map_pragma = memory_map_pragma(&options);
        let manager = SqliteConnectionManager::file(&options.path)
            .with_flags(READER_FLAGS)
            .with_init(move |connection| prepare_reader(connection, &map_pragma));
        let reader_threads = options.reader_threads.max(1);
        let readers = r2d2::Pool::builder()
            .max_size(options.readers.max(1) + reader_threads as u32)
            .connection_timeout(Duration::from_secs(30))
            // A SQLite connection never goes stale; checking it on every checkout would
            // cost a statement per read.
            .test_on_check_out(false)
            .build(manager)?;
        let commits = CommitCount::default();
        let fast_connections = (0..options.readers.max(1))
            .map(|_| open_reader(&options))
            .collect::<Result<Vec<_>>>()?;
        let fast_reads = Arc::new(FastReads::new(fast_connections, commits.clone()));
        let backlog = Arc::new(LogBacklog::default());
        let writer = WriterThread::spawn(connection, &options, commits, Arc::clone(&backlog))?;
        let checkpointer =
            Checkpointer::spawn(&options.path, BUSY_TIMEOUT, Arc::clone(&fast_reads), backlog)?;
        let reader_threads = ReaderThreads::spawn(reader_threads, &readers)?;
        Ok(Store {
            shared: Arc::new(Shared {
                reader_threads,
                readers,
                fast_reads,
                _checkpointer: checkpointer,
                writer,
                options,
            }),
        })
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &StoreOptions {
        &self.shared.options
    }

    /// Runs a read on a pooled connection, in one read transaction (so every statement of
    /// it sees the same snapshot). Blocks the calling thread for the query.
    pub fn read<R>(&self, operation: impl FnOnce(&Reader<'_>) -> Result<R>) -> Result<R> {
        let connection = self.shared.readers.get()?;
        let result = read_in_transaction(&connection, operation);
        self.request_fences();
        result
    }

    /// Runs a read right away on this thread if one of the fast-read connections is idle,
    /// like [`Store::read`]; otherwise hands `operation` back without waiting, so an async
    /// caller can queue it for the reader threads instead ([`Store::read_then`]).
    ///
    /// The read sees every write acknowledged before it began. Its connection keeps the
    /// snapshot for the next fast read while nothing is committed (for at most a few
    /// milliseconds; see `fast_reads`), so a write by *another process* may show a few
    /// milliseconds late here.
    pub fn try_read<R, F>(&self, operation: F) -> std::result::Result<Result<R>, F>
    where
        F: FnOnce(&Reader<'_>) -> Result<R>,
    {
        let result = self.shared.fast_reads.try_read(operation);
        if result.is_ok() {
            self.request_fences();
        }
        result
    }

    /// [`request_fences`] for a read that ran on the calling thread; nothing to do (and no
    /// handle to the writer taken) when it asked for none.
    fn request_fences(&self) {
        if rank_fences::any_wanted() {
            request_fences(self.shared.writer.sender().as_ref());
        }
    }

    #[cfg(test)]
    pub(crate) fn fast_reads(&self) -> &FastReads {
        &self.shared.fast_reads
    }

    /// Queues a read for the reader threads and returns at once; `done` receives its result
    /// on a reader thread. The read-side twin of [`Store::write_then`]: it sees every write
    /// acknowledged before it was queued. A panic in `operation` is reported as
    /// [`StoreError::Internal`].
    pub fn read_then<R: Send + 'static>(
        &self,
        operation: impl FnOnce(&Reader<'_>) -> Result<R> + Send + 'static,
        done: impl FnOnce(Result<R>) + Send + 'static,
    ) {
        let writer = self.shared.writer.sender();
        self.shared.reader_threads.submit(Box::new(move |connection| {
            let result = connection.and_then(|connection| {
                let reader = Reader::new(connection, clock::now_ms());
                catch_unwind(AssertUnwindSafe(|| operation(&reader))).unwrap_or_else(|panic| {
                    Err(StoreError::Internal(panic_message(panic.as_ref())))
                })
            });
            done(result);
            request_fences(writer.as_ref());
        }));
    }

    /// Runs a write on the writer thread and waits until it is committed.
    pub fn write<R: Send + 'static>(
        &self,
        operation: impl FnOnce(&mut Writer<'_>) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        if holding_write_connection() {
            return Err(StoreError::Internal("a write operation waited for another write".into()));
        }
        let (sender, receiver) = mpsc::sync_channel(1);
        self.write_then(operation, move |result| {
            let _ = sender.send(result);
        });
        receiver.recv().unwrap_or(Err(StoreError::Closed))
    }

    /// Changes the longest string a write may produce from now on (the store was opened with
    /// [`StoreOptions::max_string_len`]): Redis applies `CONFIG SET proto-max-bulk-len` to
    /// `APPEND`, `SETRANGE`, `SETBIT` … at once.
    pub fn set_max_string_len(&self, length: usize) {
        self.shared.writer.set_max_string_len(length);
    }

    /// Queues a write and returns at once; `done` receives its result on the writer thread
    /// after the commit. This is the door for async callers: `done` typically sends on a
    /// channel. `done` must be quick, since the writer waits for it.
    pub fn write_then<R: Send + 'static>(
        &self,
        operation: impl FnOnce(&mut Writer<'_>) -> Result<R> + Send + 'static,
        done: impl FnOnce(Result<R>) + Send + 'static,
    ) {
        self.shared.writer.submit(Box::new(OperationJob {
            operation: Some(operation),
            done,
            result: None,
        }));
    }

    /// Like [`Store::write_then`], for an operation that may run twice and then must give
    /// the same effects on the same data (every keyspace command does). The writer then runs
    /// it without a savepoint of its own, which makes a write several microseconds cheaper,
    /// and replays the round with savepoints in the rare case that an operation failed after
    /// changing something.
    pub fn write_replayable_then<R: Send + 'static>(
        &self,
        operation: impl FnMut(&mut Writer<'_>) -> Result<R> + Send + 'static,
        done: impl FnOnce(Result<R>) + Send + 'static,
    ) {
        self.shared.writer.submit(Box::new(ReplayableJob { operation, done, result: None }));
    }

    /// Runs `writes` right here, together in one commit, when that needs no waiting: the
    /// write connection is free (the writer thread is between rounds), no other process
    /// holds the write lock, the commit will not copy the log into the database file, and
    /// the store was opened with [`Durability::Normal`] (so the commit does not sync the
    /// disk). Otherwise they are queued for the writer thread, as by
    /// [`Store::write_replayable_then`]. Either way each write's `done` has its result after
    /// the commit; when they ran here, every `done` has run before this returns, and the
    /// answer is `true`.
    ///
    /// Meant for short writes (a few index lookups each), for which the trip to the writer
    /// thread and back costs more than the writes. The calling thread does their work and
    /// their commit, so long writes here would hold that thread up.
    pub fn write_now_or_then(&self, writes: Vec<PendingWrite>) -> bool {
        let jobs = writes.into_iter().map(|write| write.0).collect();
        match self.shared.writer.try_run_now(jobs) {
            Ok(()) => true,
            Err(jobs) => {
                for job in jobs {
                    self.shared.writer.submit(job);
                }
                false
            }
        }
    }
}

/// A write waiting to be run by [`Store::write_now_or_then`].
pub struct PendingWrite(Box<dyn Job>);

impl PendingWrite {
    /// A write that may run twice and then must give the same effects on the same data, as
    /// for [`Store::write_replayable_then`]; `done` receives its result after the commit.
    pub fn replayable<R: Send + 'static>(
        operation: impl FnMut(&mut Writer<'_>) -> Result<R> + Send + 'static,
        done: impl FnOnce(Result<R>) + Send + 'static,
    ) -> PendingWrite {
        PendingWrite(Box::new(ReplayableJob { operation, done, result: None }))
    }
}

/// Readers never write, and each connection is used by one thread at a time.
const READER_FLAGS: OpenFlags =
    OpenFlags::SQLITE_OPEN_READ_ONLY.union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

/// Settings every read-only connection gets, pooled or not.
fn prepare_reader(connection: &mut Connection, map_pragma: &str) -> rusqlite::Result<()> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    keep_plans_stable(connection)?;
    field_deadlines::register(connection)?;
    connection.set_prepared_statement_cache_capacity(128);
    connection.execute_batch(map_pragma)
}

/// Turns on SQLite's query planner stability guarantee. Without it, SQLite (the bundled
/// 3.53 does) plans a `LIMIT ?n` with the value bound at the time and marks the statement to be
/// prepared again whenever `?n` is bound anew: every run of a cached statement such as
/// `ZPOPMIN`'s or `LRANGE`'s would parse and plan its SQL again. The plans resplite relies
/// on do not depend on bound values (`plans.rs` checks them).
fn keep_plans_stable(connection: &Connection) -> rusqlite::Result<()> {
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true).map(drop)
}

/// A read-only connection outside the pool (for [`FastReads`]).
fn open_reader(options: &StoreOptions) -> Result<Connection> {
    let mut connection = Connection::open_with_flags(&options.path, READER_FLAGS)?;
    prepare_reader(&mut connection, &memory_map_pragma(options))?;
    Ok(connection)
}

fn open_writer(options: &StoreOptions) -> Result<Connection> {
    // Before anything initialises SQLite (registering the VFS does).
    #[cfg(target_os = "linux")]
    crate::page_memory::install();
    page_cache::install();
    let vfs = wal_vfs::name().map_err(|code| {
        StoreError::Database(format!("cannot register the resplite VFS (SQLite error {code})"))
    })?;
    let connection = Connection::open_with_flags_and_vfs(&options.path, OpenFlags::default(), vfs)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    keep_plans_stable(&connection)?;
    connection.set_prepared_statement_cache_capacity(128);
    // Only takes effect on a brand-new file, before WAL mode is entered (see spec/storage.md).
    connection.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE};"))?;
    let mode: String =
        while_busy(|| connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Database(format!(
            "cannot switch {} to WAL mode (journal mode is {mode})",
            options.path.display()
        )));
    }
    let synchronous = match options.durability {
        Durability::Normal => "NORMAL",
        Durability::Full => "FULL",
    };
    connection.execute_batch(&format!(
        "PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON; PRAGMA cache_size = -{};",
        options.page_cache_kib
    ))?;
    // The checkpointer thread copies the log into the database file every 100 ms; the
    // writer's own checkpoint (after a round, so a stall for the clients of the next one)
    // is only a backstop at 50,000 pages, or a catch-up that lets a long log start over
    // (see `log_backlog`; the WAL hook records the log's length). Only a log grown past the
    // backstop by a burst is cut back when it starts over (the page size is the file's own:
    // an older file may have other pages). Savepoint sub-journals in memory avoid writing a
    // temporary file for every replayed command.
    let page_size: i64 = connection.query_row("PRAGMA page_size", [], |row| row.get(0))?;
    connection.execute_batch(&format!(
        "PRAGMA journal_size_limit = {}; PRAGMA temp_store = MEMORY;",
        log_backlog::log_file_limit(page_size)
    ))?;
    log_backlog::watch_log(&connection);
    upserts::register(&connection)?;
    increments::register(&connection)?;
    field_deadlines::register(&connection)?;
    connection.execute_batch(&memory_map_pragma(options))?;
    schema::prepare(&connection, &options.path)?;
    Ok(connection)
}

/// Runs `step` again while another connection's lock makes it fail, for up to
/// [`BUSY_TIMEOUT`]. Switching a brand-new file to WAL mode answers "database is locked" at
/// once, without the busy handler, while another process opening the same file holds a lock
/// on it.
fn while_busy<T>(mut step: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let started = Instant::now();
    loop {
        match step() {
            Err(rusqlite::Error::SqliteFailure(error, _))
                if error.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(2));
            }
            result => return result,
        }
    }
}

/// SQLite says "file is not a database" without naming the file; say which one.
fn explain_open_error(error: StoreError, path: &Path) -> StoreError {
    match error {
        StoreError::Database(message) if message.contains("not a database") => {
            StoreError::NotResplite { path: path.to_path_buf() }
        }
        StoreError::Database(message) => {
            StoreError::Database(format!("{}: {message}", path.display()))
        }
        other => other,
    }
}

/// Queues, for the writer thread, the fences that reads on this thread asked for (see
/// `rank_fences`). Nothing waits for them: a read that comes before they are built counts.
fn request_fences(writer: Option<&mpsc::Sender<Box<dyn Job>>>) {
    for id in rank_fences::take_wanted() {
        let Some(writer) = writer else { return };
        let _ = writer.send(fence_job(id, writer.clone()));
    }
}

/// A job that fences sorted set `id` a step further and, while blocks are left to split,
/// queues itself again behind the writes that came meanwhile.
fn fence_job(id: i64, writer: mpsc::Sender<Box<dyn Job>>) -> Box<dyn Job> {
    Box::new(OperationJob {
        operation: Some(move |store: &mut Writer<'_>| store.fence_on_request(id)),
        done: move |more: Result<bool>| {
            if let Ok(true) = more {
                let _ = writer.send(fence_job(id, writer.clone()));
            }
        },
        result: None,
    })
}

/// Runs `operation` in one read transaction on `connection`, so all its statements see one
/// snapshot.
fn read_in_transaction<R>(
    connection: &Connection,
    operation: impl FnOnce(&Reader<'_>) -> Result<R>,
) -> Result<R> {
    connection.prepare_cached("BEGIN")?.execute([])?;
    let result = operation(&Reader::new(connection, clock::now_ms()));
    connection.prepare_cached("COMMIT")?.execute([])?;
    result
}

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, StatementStatus};

    use super::{PendingWrite, Store, open_reader, open_writer};
    use crate::log_backlog::BACKSTOP_FRAMES;
    use crate::options::StoreOptions;

    /// Runs a cached `LIMIT ?1` query three times with different limits and answers how
    /// often SQLite prepared it again.
    fn reprepares_of_a_limit_query(connection: &Connection) -> i32 {
        let sql = "SELECT key FROM keys ORDER BY id LIMIT ?1";
        for limit in [1, 2, 3] {
            let mut statement = connection.prepare_cached(sql).unwrap();
            let rows = statement.query_map([limit], |row| row.get::<_, Vec<u8>>(0)).unwrap();
            assert!(rows.count() <= 3);
        }
        connection.prepare_cached(sql).unwrap().get_status(StatementStatus::RePrepare)
    }

    /// The WAL hook's record belongs to the connection, whichever thread commits on it.
    #[test]
    fn commits_here_and_on_the_writer_thread_are_both_recorded_by_the_wal_hook() {
        let dir = tempfile::tempdir().unwrap();
        // No sweep is due for an hour: the writer thread holds the connection for nothing
        // but the writes given to it.
        let quiet = |name: &str| {
            let mut options = StoreOptions::new(dir.path().join(name));
            options.sweep_interval = std::time::Duration::from_secs(3600);
            Store::open_with(options).unwrap()
        };
        let here = quiet("here.db");
        assert_eq!(here.shared.writer.recorded_log_frames(), 0, "opening records nothing");
        let write = PendingWrite::replayable(
            |writer| writer.set(0, b"k", b"v", Default::default()),
            |result| assert!(result.is_ok()),
        );
        assert!(here.write_now_or_then(vec![write]));
        assert!(here.shared.writer.recorded_log_frames() > 0);
        let there = quiet("there.db");
        there.write(|writer| writer.set(0, b"k", b"v", Default::default())).unwrap();
        assert!(there.shared.writer.recorded_log_frames() > 0);
    }

    /// The `-wal` file is never cut back below a log at the backstop, whatever the file's
    /// page size (see `log_backlog::log_file_limit`).
    #[test]
    fn the_log_file_limit_holds_a_log_at_the_backstop() {
        let dir = tempfile::tempdir().unwrap();
        for (name, page_size) in [("new.db", None), ("old.db", Some(8192))] {
            let path = dir.path().join(name);
            if let Some(page_size) = page_size {
                let old = Connection::open(&path).unwrap();
                old.execute_batch(&format!("PRAGMA page_size = {page_size}; VACUUM;")).unwrap();
            }
            let writer = open_writer(&StoreOptions::new(&path)).unwrap();
            let pragma = |name: &str| -> i64 {
                writer.query_row(&format!("PRAGMA {name}"), [], |row| row.get(0)).unwrap()
            };
            assert_eq!(pragma("page_size"), page_size.unwrap_or(i64::from(super::PAGE_SIZE)));
            let log_at_backstop = 32 + BACKSTOP_FRAMES * (24 + pragma("page_size"));
            assert!(pragma("journal_size_limit") > log_at_backstop, "{name}");
        }
    }

    #[test]
    fn cached_statements_with_a_bound_limit_are_not_prepared_again() {
        let dir = tempfile::tempdir().unwrap();
        let options = StoreOptions::new(dir.path().join("plans.db"));
        let writer = open_writer(&options).unwrap();
        assert_eq!(reprepares_of_a_limit_query(&writer), 0);
        assert_eq!(reprepares_of_a_limit_query(&open_reader(&options).unwrap()), 0);
        // What the setting prevents: SQLite's default prepares such a statement again
        // whenever its limit is bound anew.
        let plain = Connection::open(dir.path().join("plans.db")).unwrap();
        assert!(reprepares_of_a_limit_query(&plain) > 0);
    }
}
