//! The single writer thread and its group commit.
//!
//! SQLite allows one writer at a time, and a commit costs far more than the statements in
//! it. So one thread owns the only write connection and receives operations over a channel.
//! Each round it takes everything queued (up to [`MAX_BATCH`]), runs the operations one
//! after another inside a single transaction — each under its own savepoint, so a failing
//! operation rolls back only itself — commits once, and only then tells each caller its
//! result. A caller that has its answer can therefore rely on every later read, on any
//! connection, seeing the write.
//!
//! The expiry sweeper rides on the same loop: when its interval has passed, a bounded
//! batch of expired keys is deleted in the round's transaction, and when that batch was
//! full the next sweep is due at once, so a database whose keys all expired drains steadily
//! without starving client writes. Reclaiming the elements of deleted big collections rides
//! along in the same way, a bounded number of rows per round.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::clock;
use crate::error::{Result, StoreError};
use crate::options::StoreOptions;
use crate::writer::Writer;

/// The most operations committed together; bounds the latency one commit adds.
const MAX_BATCH: usize = 2048;

/// The most elements of deleted collections reclaimed in one round (see `collections`).
const RECLAIM_BUDGET: usize = 5000;

/// Tells the caller how its operation ended, once the commit it was part of is known.
pub(crate) type Completion = Box<dyn FnOnce(Result<()>) + Send>;

/// One unit of work for the writer.
pub(crate) trait Job: Send {
    /// Runs the operation; the returned completion is called after the commit.
    fn run(self: Box<Self>, writer: &mut Writer<'_>) -> Completion;
    /// Reports that the operation could not run at all.
    fn fail(self: Box<Self>, error: StoreError);
}

/// An operation and the callback that receives its result.
pub(crate) struct OperationJob<O, D> {
    pub(crate) operation: O,
    pub(crate) done: D,
}

impl<R, O, D> Job for OperationJob<O, D>
where
    R: Send + 'static,
    O: FnOnce(&mut Writer<'_>) -> Result<R> + Send,
    D: FnOnce(Result<R>) + Send + 'static,
{
    fn run(self: Box<Self>, writer: &mut Writer<'_>) -> Completion {
        let OperationJob { operation, done } = *self;
        let result = writer.atomically(operation);
        Box::new(move |commit: Result<()>| done(commit.and(result)))
    }

    fn fail(self: Box<Self>, error: StoreError) {
        (self.done)(Err(error));
    }
}

thread_local! {
    static ON_WRITER_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is a store's writer thread (where waiting for a write would
/// wait for itself).
pub(crate) fn on_writer_thread() -> bool {
    ON_WRITER_THREAD.with(Cell::get)
}

/// Owns the writer thread; dropping it lets the thread commit what is queued and stop.
pub(crate) struct WriterThread {
    sender: Option<Sender<Box<dyn Job>>>,
    handle: Option<JoinHandle<()>>,
}

impl WriterThread {
    pub(crate) fn spawn(connection: Connection, options: &StoreOptions) -> Result<WriterThread> {
        let (sender, receiver) = mpsc::channel();
        let sweep = Sweep {
            interval: options.sweep_interval,
            batch: options.sweep_batch,
            max_string_len: options.max_string_len,
        };
        let handle = thread::Builder::new()
            .name("resplite-writer".into())
            .spawn(move || run(connection, receiver, sweep))
            .map_err(|error| {
                StoreError::Internal(format!("cannot start writer thread: {error}"))
            })?;
        Ok(WriterThread { sender: Some(sender), handle: Some(handle) })
    }

    pub(crate) fn submit(&self, job: Box<dyn Job>) {
        match &self.sender {
            Some(sender) => {
                if let Err(mpsc::SendError(job)) = sender.send(job) {
                    job.fail(StoreError::Closed);
                }
            }
            None => job.fail(StoreError::Closed),
        }
    }
}

impl Drop for WriterThread {
    fn drop(&mut self) {
        self.sender = None;
        if let Some(handle) = self.handle.take() {
            // The last handle may be dropped by a completion running on the writer thread
            // itself; that thread then finishes on its own once the channel is empty.
            if !on_writer_thread() {
                let _ = handle.join();
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Sweep {
    interval: Duration,
    batch: usize,
    max_string_len: usize,
}

fn run(connection: Connection, receiver: Receiver<Box<dyn Job>>, sweep: Sweep) {
    ON_WRITER_THREAD.with(|flag| flag.set(true));
    let mut next_sweep = Instant::now() + sweep.interval;
    loop {
        let wait = next_sweep.saturating_duration_since(Instant::now());
        let mut jobs = Vec::new();
        match receiver.recv_timeout(wait) {
            Ok(job) => jobs.push(job),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        while jobs.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let sweep_due = Instant::now() >= next_sweep;
        let more_due = commit_round(&connection, jobs, sweep, sweep_due);
        if sweep_due {
            next_sweep = if more_due { Instant::now() } else { Instant::now() + sweep.interval };
        }
    }
    // Everything is committed; fold the WAL back into the main file so the database is one
    // self-contained file again.
    let _ = connection.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
}

/// Runs a statement without parameters through the statement cache (`execute_batch` would
/// parse it again every round).
fn run_cached(connection: &Connection, sql: &str) -> rusqlite::Result<usize> {
    connection.prepare_cached(sql)?.execute([])
}

/// Runs one round in one transaction; answers every job; returns whether the sweep and the
/// reclaiming of deleted collections left work for another round at once.
fn commit_round(
    connection: &Connection,
    jobs: Vec<Box<dyn Job>>,
    sweep: Sweep,
    sweep_due: bool,
) -> bool {
    if jobs.is_empty() && !sweep_due {
        return false;
    }
    if let Err(error) = run_cached(connection, "BEGIN IMMEDIATE") {
        let error = StoreError::from(error);
        for job in jobs {
            let _ = catch_unwind(AssertUnwindSafe(|| job.fail(error.clone())));
        }
        return false;
    }
    let mut completions = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut writer = Writer::new(connection, clock::now_ms(), sweep.max_string_len);
        completions.push(job.run(&mut writer));
    }
    let mut more_due = false;
    if sweep_due {
        let mut writer = Writer::new(connection, clock::now_ms(), sweep.max_string_len);
        let swept = writer.atomically(|writer| writer.sweep_expired(sweep.batch)).unwrap_or(0);
        let reclaimed =
            writer.atomically(|writer| writer.reclaim_deleted(RECLAIM_BUDGET)).unwrap_or(0);
        more_due = swept >= sweep.batch || reclaimed >= RECLAIM_BUDGET;
    }
    let commit = run_cached(connection, "COMMIT").map(drop).map_err(StoreError::from);
    if commit.is_err() {
        let _ = run_cached(connection, "ROLLBACK");
    }
    for completion in completions {
        // A caller's callback that panics must not take the writer down with it.
        let _ = catch_unwind(AssertUnwindSafe(|| completion(commit.clone())));
    }
    more_due
}
