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
//!
//! Between rounds the thread waits through [`IdleSpin`]: while jobs have been arriving
//! close together it yields the CPU and looks again for a short while before it sleeps.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::affinity;
use crate::clock;
use crate::engine::BUSY_TIMEOUT;
use crate::error::{Result, StoreError};
use crate::fast_reads::CommitCount;
use crate::idle_spin::IdleSpin;
use crate::key_memo::KeyMemo;
use crate::log_backlog::{self, LogBacklog, LogWatch};
use crate::options::{Durability, Expired, ExpiryListener, FillListener, Filled, StoreOptions};
use crate::reader::Db;
use crate::writer::Writer;

/// The most operations committed together; bounds the latency one commit adds.
const MAX_BATCH: usize = 2048;

/// The most elements of deleted collections reclaimed in one round (see `collections`).
const RECLAIM_BUDGET: usize = 1000;

/// How soon a sweep comes back for reclaiming it put off.
const RECLAIM_RETRY: Duration = Duration::from_millis(10);

/// One unit of work for the writer: an operation, its result once run, and the callback
/// that receives the result after the commit.
pub(crate) trait Job: Send {
    /// Whether the operation may be run again (see [`ReplayableJob`]).
    fn replayable(&self) -> bool;
    /// Runs the operation and keeps its result (a replayable job may run again later).
    fn run(&mut self, writer: &mut Writer<'_>);
    /// Hands the result to the caller, once the commit it was part of is known.
    fn finish(self: Box<Self>, commit: Result<()>);
    /// Reports that the operation could not run at all.
    fn fail(self: Box<Self>, error: StoreError);
}

/// An operation that runs once, always under its own savepoint.
pub(crate) struct OperationJob<O, D, R> {
    pub(crate) operation: Option<O>,
    pub(crate) done: D,
    pub(crate) result: Option<Result<R>>,
}

impl<R, O, D> Job for OperationJob<O, D, R>
where
    R: Send + 'static,
    O: FnOnce(&mut Writer<'_>) -> Result<R> + Send,
    D: FnOnce(Result<R>) + Send + 'static,
{
    fn replayable(&self) -> bool {
        false
    }

    fn run(&mut self, writer: &mut Writer<'_>) {
        if let Some(operation) = self.operation.take() {
            self.result = Some(writer.atomically(operation));
        }
    }

    fn finish(self: Box<Self>, commit: Result<()>) {
        let result = self.result.unwrap_or(Err(StoreError::Internal("not run".into())));
        (self.done)(commit.and(result));
    }

    fn fail(self: Box<Self>, error: StoreError) {
        (self.done)(Err(error));
    }
}

/// An operation that may run twice: first optimistically without a savepoint, then, if
/// some operation of its run failed after changing the database, again under a savepoint
/// once the run has been rolled back. It must give the same effects each time it runs on
/// the same data, as every keyspace command does.
pub(crate) struct ReplayableJob<O, D, R> {
    pub(crate) operation: O,
    pub(crate) done: D,
    pub(crate) result: Option<Result<R>>,
}

impl<R, O, D> Job for ReplayableJob<O, D, R>
where
    R: Send + 'static,
    O: FnMut(&mut Writer<'_>) -> Result<R> + Send,
    D: FnOnce(Result<R>) + Send + 'static,
{
    fn replayable(&self) -> bool {
        true
    }

    fn run(&mut self, writer: &mut Writer<'_>) {
        let operation = &mut self.operation;
        self.result = Some(writer.atomically(|writer| operation(writer)));
    }

    fn finish(self: Box<Self>, commit: Result<()>) {
        let result = self.result.unwrap_or(Err(StoreError::Internal("not run".into())));
        (self.done)(commit.and(result));
    }

    fn fail(self: Box<Self>, error: StoreError) {
        (self.done)(Err(error));
    }
}

thread_local! {
    static HOLDING_WRITE_CONNECTION: Cell<bool> = const { Cell::new(false) };
    /// Set while a caller's own round holds the connection: it must not wait for a lock.
    static IMPATIENT: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread holds a store's write connection (where waiting for a write
/// would wait for itself): the writer thread during a round, or a caller running a round of
/// its own ([`WriterThread::try_run_now`]), including the completions of that round.
pub(crate) fn holding_write_connection() -> bool {
    HOLDING_WRITE_CONNECTION.with(Cell::get)
}

/// The write connection's busy handler. The writer thread waits up to [`BUSY_TIMEOUT`] for
/// a lock another process holds, as every connection does; a caller's own round never waits
/// (it hands its work to the writer thread instead).
fn wait_unless_impatient(attempt: i32) -> bool {
    if IMPATIENT.with(Cell::get) {
        return false;
    }
    // 1, 2, … 10 ms, then 10 ms at a time: (attempt + 1) sleeps so far add up to `waited`.
    let attempt = u64::try_from(attempt).unwrap_or(0);
    let delay = attempt.min(9) + 1;
    let waited = if attempt < 10 { attempt * (attempt + 1) / 2 } else { 45 + (attempt - 9) * 10 };
    if Duration::from_millis(waited + delay) > BUSY_TIMEOUT {
        return false;
    }
    thread::sleep(Duration::from_millis(delay));
    true
}

/// The write connection and what a round on it needs. One thread at a time holds it: the
/// writer thread for each of its rounds, or a caller for a round of its own.
struct WriteSide {
    connection: Connection,
    sweep: Sweep,
    log: Arc<LogWatch>,
}

/// The write side, held: the thread-local marks that say so are set while it lives.
struct Holding<'a> {
    side: MutexGuard<'a, WriteSide>,
}

impl<'a> Holding<'a> {
    fn new(side: MutexGuard<'a, WriteSide>, writer_thread: bool) -> Holding<'a> {
        HOLDING_WRITE_CONNECTION.with(|flag| flag.set(true));
        IMPATIENT.with(|flag| flag.set(!writer_thread));
        log_backlog::hold(&side.log);
        Holding { side }
    }
}

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        log_backlog::release();
        IMPATIENT.with(|flag| flag.set(false));
        HOLDING_WRITE_CONNECTION.with(|flag| flag.set(false));
    }
}

/// Owns the writer thread; dropping it lets the thread commit what is queued and stop.
pub(crate) struct WriterThread {
    sender: Option<Sender<Box<dyn Job>>>,
    handle: Option<JoinHandle<()>>,
    side: Arc<Mutex<WriteSide>>,
    /// Whether callers may run rounds of their own (not when every commit syncs the disk).
    rounds_here: bool,
    /// The longest string a write may produce, shared with every `Writer` it makes.
    max_string_len: Arc<AtomicUsize>,
}

impl WriterThread {
    /// Changes the longest string later writes may produce (`CONFIG SET proto-max-bulk-len`).
    pub(crate) fn set_max_string_len(&self, length: usize) {
        self.max_string_len.store(length, Ordering::Relaxed);
    }

    pub(crate) fn spawn(
        connection: Connection,
        options: &StoreOptions,
        commits: CommitCount,
        backlog: Arc<LogBacklog>,
    ) -> Result<WriterThread> {
        connection.busy_handler(Some(wait_unless_impatient))?;
        let (sender, receiver) = mpsc::channel();
        let max_string_len = Arc::new(AtomicUsize::new(options.max_string_len));
        let sweep = Sweep {
            batch: options.sweep_batch,
            max_string_len: Arc::clone(&max_string_len),
            on_expired: options.on_expired.clone(),
            swept: SweptKeys::default(),
            on_filled: options.on_filled.clone(),
            filled: RefCell::new(Vec::new()),
            commits,
            round: Cell::new(0),
            key_memo: KeyMemo::watch(&connection)?,
        };
        let log = Arc::new(LogWatch::new(backlog));
        let side = Arc::new(Mutex::new(WriteSide { connection, sweep, log }));
        let cpus = options.writer_cpus.clone();
        let idle = IdleSpin::new(options.writer_spin);
        let interval = options.sweep_interval;
        // The thread confines itself before it takes any work and says how that went.
        let (placed_sender, placed) = mpsc::sync_channel(1);
        let thread_side = Arc::clone(&side);
        let handle = thread::Builder::new()
            .name("resplite-writer".into())
            .spawn(move || {
                let placement = cpus.map_or(Ok(()), |cpus| affinity::keep_current_thread_on(&cpus));
                let confined = placement.is_ok();
                let _ = placed_sender.send(placement);
                if confined {
                    run(&thread_side, receiver, idle, interval);
                }
            })
            .map_err(|error| {
                StoreError::Internal(format!("cannot start writer thread: {error}"))
            })?;
        let placement = placed.recv().unwrap_or_else(|_| {
            Err(StoreError::Internal("the writer thread stopped as it started".into()))
        });
        if let Err(error) = placement {
            let _ = handle.join();
            return Err(error);
        }
        let rounds_here = options.durability == Durability::Normal;
        Ok(WriterThread {
            sender: Some(sender),
            handle: Some(handle),
            side,
            rounds_here,
            max_string_len,
        })
    }

    /// A handle that queues jobs for the writer thread from anywhere, as [`WriterThread::submit`]
    /// does (`None` once the store is closing).
    pub(crate) fn sender(&self) -> Option<Sender<Box<dyn Job>>> {
        self.sender.clone()
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

    /// Runs `jobs` in a round of their own on the calling thread, if that can be done
    /// without waiting: the write connection is free, no other process holds the database's
    /// write lock, and the commit will not have to copy the log. Otherwise hands the jobs
    /// back, for [`WriterThread::submit`].
    ///
    /// This saves the two thread switches of a trip to the writer thread, which cost more
    /// than a small write itself. The round is the writer thread's own (same transaction,
    /// same savepoints and replay, same commit count), only on another thread.
    pub(crate) fn try_run_now(&self, jobs: Vec<Box<dyn Job>>) -> Result<(), Vec<Box<dyn Job>>> {
        if !self.rounds_here || self.sender.is_none() || holding_write_connection() {
            return Err(jobs);
        }
        let side = match self.side.try_lock() {
            Ok(side) => side,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return Err(jobs),
        };
        if side.log.checkpoint_wanted() {
            return Err(jobs);
        }
        let held = Holding::new(side, false);
        if run_cached(&held.side.connection, "BEGIN IMMEDIATE").is_err() {
            return Err(jobs);
        }
        round_in_transaction(&held.side, jobs, false);
        Ok(())
    }
}

#[cfg(test)]
impl WriterThread {
    /// The log's length after the last commit, as the WAL hook recorded it.
    pub(crate) fn recorded_log_frames(&self) -> i64 {
        self.side.lock().unwrap_or_else(PoisonError::into_inner).log.frames()
    }
}

impl Drop for WriterThread {
    fn drop(&mut self) {
        self.sender = None;
        if let Some(handle) = self.handle.take() {
            // The last handle may be dropped by a completion that runs while its thread
            // holds the write connection; the writer thread then finishes on its own once
            // the channel is empty.
            if !holding_write_connection() {
                let _ = handle.join();
            }
        }
    }
}

/// What the writer thread runs with: the sweeper's settings and what every `Writer` needs.
struct Sweep {
    batch: usize,
    max_string_len: Arc<AtomicUsize>,
    on_expired: Option<ExpiryListener>,
    /// What the sweep of the current round deleted, told to `on_expired` once committed.
    swept: SweptKeys,
    on_filled: Option<FillListener>,
    /// Keys that may have gained elements in the current round (kept only with a listener).
    filled: RefCell<Vec<Filled>>,
    /// Counts commits for the fast readers, before anyone is answered.
    commits: CommitCount,
    /// Numbers the rounds, for the claims of `Writer::claim_in_transaction`.
    round: Cell<u64>,
    /// The key row last found in the current round (see `key_memo`).
    key_memo: KeyMemo,
}

impl Sweep {
    fn writer<'a>(&'a self, connection: &'a Connection) -> Writer<'a> {
        let filled = self.on_filled.as_ref().map(|_| &self.filled);
        Writer::new(
            connection,
            clock::now_ms(),
            self.max_string_len.load(Ordering::Relaxed),
            self.on_expired.as_ref(),
            filled,
            self.round.get(),
            Some(&self.key_memo),
        )
    }

    /// A writer for the sweep at a round's end: it tells the expiry listener of what it
    /// deletes only after the round commits (see [`SweptKeys`]).
    fn sweeping_writer<'a>(
        &'a self,
        connection: &'a Connection,
        buffer: &'a ExpiryListener,
    ) -> Writer<'a> {
        let writer = self.writer(connection);
        match &self.on_expired {
            Some(_) => writer.with_expiry_listener(buffer),
            None => writer,
        }
    }

    /// After a round: tells the expiry listener what the sweep deleted if the round
    /// committed, and forgets it either way.
    fn report_swept(&self, committed: bool) {
        let swept =
            std::mem::take(&mut *self.swept.0.lock().unwrap_or_else(PoisonError::into_inner));
        if committed && let Some(listener) = &self.on_expired {
            for (db, key, what) in swept {
                let _ = catch_unwind(AssertUnwindSafe(|| (listener.0)(db, &key, what)));
            }
        }
    }

    /// After a round: tells the listener what was filled if it committed, and starts over.
    fn report_filled(&self, committed: bool) {
        let filled = std::mem::take(&mut *self.filled.borrow_mut());
        if committed
            && !filled.is_empty()
            && let Some(listener) = &self.on_filled
        {
            let _ = catch_unwind(AssertUnwindSafe(|| (listener.0)(&filled)));
        }
    }
}

/// The keys and hash fields the sweep deleted in the current round. Their expiry listener
/// hears of them only once the round has committed, so that a client told of an expired
/// key or field (a keyspace event) finds it gone; deletions that a write makes on its way
/// (an expired key it finds) are told at once, with the write's own effects.
#[derive(Default)]
struct SweptKeys(Arc<Mutex<Vec<SweptKey>>>);

/// One report of the sweep: a key's database and name, and what expired there.
type SweptKey = (Db, Vec<u8>, Expired);

impl SweptKeys {
    /// A listener that keeps what it hears here.
    fn listener(&self) -> ExpiryListener {
        let swept = Arc::clone(&self.0);
        ExpiryListener(Arc::new(move |db, key, what| {
            swept.lock().unwrap_or_else(PoisonError::into_inner).push((db, key.to_vec(), what));
        }))
    }
}

/// Locks the write side for the writer thread (a round that panicked elsewhere has answered
/// its callers already; the connection is still sound).
fn hold_for_writer_thread(side: &Mutex<WriteSide>) -> Holding<'_> {
    Holding::new(side.lock().unwrap_or_else(PoisonError::into_inner), true)
}

/// The writer thread's loop; it holds the write connection only while it runs a round.
fn run(
    side: &Mutex<WriteSide>,
    receiver: Receiver<Box<dyn Job>>,
    mut idle: IdleSpin,
    interval: Duration,
) {
    let mut next_sweep = Instant::now() + interval;
    loop {
        let wait = next_sweep.saturating_duration_since(Instant::now());
        let mut jobs = Vec::new();
        let poll = || match receiver.try_recv() {
            Ok(job) => Some(Ok(job)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(RecvTimeoutError::Disconnected)),
        };
        match idle.wait(wait, poll, |left| receiver.recv_timeout(left)) {
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
        let next = commit_round(&hold_for_writer_thread(side).side, jobs, sweep_due);
        if sweep_due {
            next_sweep = Instant::now()
                + match next {
                    NextSweep::Now => Duration::ZERO,
                    NextSweep::Soon => RECLAIM_RETRY,
                    NextSweep::AfterInterval => interval,
                };
        }
    }
    // Everything is committed; fold the WAL back into the main file so the database is one
    // self-contained file again.
    let held = hold_for_writer_thread(side);
    let _ = held.side.connection.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
}

/// Runs a statement without parameters through the statement cache (`execute_batch` would
/// parse it again every round).
fn run_cached(connection: &Connection, sql: &str) -> rusqlite::Result<usize> {
    connection.prepare_cached(sql)?.execute([])
}

/// When the next sweep is due, after one that ran.
enum NextSweep {
    /// It left work (a full batch of expired keys or of reclaimed elements).
    Now,
    /// It put reclaiming off until the checkpointer catches up.
    Soon,
    /// It found less than a batch to do.
    AfterInterval,
}

/// Runs one round in one transaction; answers every job; says when the sweep and the
/// reclaiming of deleted collections want the next round.
fn commit_round(side: &WriteSide, jobs: Vec<Box<dyn Job>>, sweep_due: bool) -> NextSweep {
    if jobs.is_empty() && !sweep_due {
        return NextSweep::AfterInterval;
    }
    if let Err(error) = run_cached(&side.connection, "BEGIN IMMEDIATE") {
        let error = StoreError::from(error);
        for job in jobs {
            let _ = catch_unwind(AssertUnwindSafe(|| job.fail(error.clone())));
        }
        return NextSweep::AfterInterval;
    }
    let next = round_in_transaction(side, jobs, sweep_due);
    side.log.copy_if_wanted(&side.connection);
    next
}

/// The rest of a round once its transaction has begun: the jobs, the sweep when due, the
/// commit, and the answers.
fn round_in_transaction(side: &WriteSide, jobs: Vec<Box<dyn Job>>, sweep_due: bool) -> NextSweep {
    let WriteSide { connection, sweep, log } = side;
    sweep.round.set(sweep.round.get() + 1);
    // Other processes may have written since the last round.
    sweep.key_memo.clear();
    let mut jobs = jobs;
    let whole_round = jobs.iter().all(|job| job.replayable());
    let mut start = 0;
    let mut failure = None;
    while start < jobs.len() {
        let length = jobs[start..].iter().take_while(|job| job.replayable()).count();
        if length == 0 {
            let mut writer = sweep.writer(connection);
            jobs[start].run(&mut writer);
            start += 1;
            continue;
        }
        let stretch = &mut jobs[start..start + length];
        if let Err(error) = run_optimistically(connection, stretch, sweep, whole_round) {
            failure = Some(error);
            break;
        }
        start += length;
    }
    let mut next = NextSweep::AfterInterval;
    if sweep_due && failure.is_none() {
        let buffer = sweep.swept.listener();
        let mut writer = sweep.sweeping_writer(connection, &buffer);
        let swept = writer.atomically(|writer| writer.sweep_expired(sweep.batch)).unwrap_or(0);
        let put_off = log.reclaiming_must_wait();
        let reclaimed = if put_off {
            0
        } else {
            writer.atomically(|writer| writer.reclaim_deleted(RECLAIM_BUDGET)).unwrap_or(0)
        };
        // Put off, it cannot tell whether anything is left to reclaim: what it knew stands.
        if !put_off {
            log.set_reclaiming(reclaimed > 0);
        }
        next = if swept >= sweep.batch || reclaimed >= RECLAIM_BUDGET {
            NextSweep::Now
        } else if put_off {
            NextSweep::Soon
        } else {
            NextSweep::AfterInterval
        };
    }
    let commit = match failure {
        Some(error) => Err(error),
        None => run_cached(connection, "COMMIT").map(drop).map_err(StoreError::from),
    };
    match commit {
        Ok(()) => sweep.commits.committed(),
        Err(_) => {
            // (SQLite's rollback hook tells the key memo.)
            let _ = run_cached(connection, "ROLLBACK");
        }
    }
    sweep.report_swept(commit.is_ok());
    sweep.report_filled(commit.is_ok());
    for job in jobs {
        // A caller's callback that panics must not take the writer down with it.
        let _ = catch_unwind(AssertUnwindSafe(|| job.finish(commit.clone())));
    }
    next
}

/// Runs a stretch of replayable jobs without a savepoint each; if one failed after changing
/// the database, rolls the stretch back and runs it again with a savepoint per job.
///
/// The stretch is the whole round (`whole_round`), rolled back with the transaction itself,
/// or part of one, rolled back to a savepoint around it.
fn run_optimistically(
    connection: &Connection,
    jobs: &mut [Box<dyn Job>],
    sweep: &Sweep,
    whole_round: bool,
) -> Result<()> {
    let bracketed = whole_round || run_cached(connection, "SAVEPOINT stretch").is_ok();
    let mut replay = !bracketed;
    if bracketed {
        for job in jobs.iter_mut() {
            let mut writer = sweep.writer(connection).optimistic();
            job.run(&mut writer);
            if writer.needs_replay() {
                replay = true;
                break;
            }
        }
    }
    if replay && bracketed {
        let undone = if whole_round {
            run_cached(connection, "ROLLBACK")
                .and_then(|_| run_cached(connection, "BEGIN IMMEDIATE"))
        } else {
            run_cached(connection, "ROLLBACK TO stretch")
        };
        sweep.key_memo.rows_restored();
        // Without a clean slate nothing of this round may be committed.
        undone.map_err(StoreError::from)?;
    }
    if replay {
        for job in jobs.iter_mut() {
            let mut writer = sweep.writer(connection);
            job.run(&mut writer);
        }
    }
    if bracketed && !whole_round {
        run_cached(connection, "RELEASE stretch")?;
    }
    Ok(())
}
