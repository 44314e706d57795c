//! Long-lived reader threads for callers that must not block (async servers).
//!
//! Handing each read to a freshly woken thread costs far more than the read itself: most
//! of the time goes to waking threads and switching between them. So a few threads each
//! hold one pooled read-only connection for their whole life and take reads from a shared
//! queue. Under load they go from one read to the next without sleeping; each caller hears
//! its result through its own callback.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;

use crate::error::{Result, StoreError};

/// The most reads one reader thread runs in one transaction.
const MAX_BATCH: usize = 256;

/// A read queued for a reader thread.
pub(crate) type ReadJob = Box<dyn FnOnce(Result<&Connection>) + Send>;

/// The reader threads; dropping this lets them finish the queue and stop.
pub(crate) struct ReaderThreads {
    sender: Option<Sender<ReadJob>>,
    handles: Vec<JoinHandle<()>>,
}

impl ReaderThreads {
    pub(crate) fn spawn(
        count: usize,
        pool: &r2d2::Pool<SqliteConnectionManager>,
    ) -> Result<ReaderThreads> {
        let (sender, receiver) = crossbeam_channel::unbounded::<ReadJob>();
        let mut handles = Vec::with_capacity(count);
        for index in 0..count {
            let receiver = receiver.clone();
            let pool = pool.clone();
            let handle = thread::Builder::new()
                .name(format!("resplite-reader-{index}"))
                .spawn(move || serve(&pool, &receiver))
                .map_err(|error| {
                    StoreError::Internal(format!("cannot start reader thread: {error}"))
                })?;
            handles.push(handle);
        }
        Ok(ReaderThreads { sender: Some(sender), handles })
    }

    pub(crate) fn submit(&self, job: ReadJob) {
        let refused = match &self.sender {
            Some(sender) => sender.send(job).err().map(|error| error.into_inner()),
            None => Some(job),
        };
        if let Some(job) = refused {
            job(Err(StoreError::Closed));
        }
    }
}

impl Drop for ReaderThreads {
    fn drop(&mut self) {
        self.sender = None;
        for handle in self.handles.drain(..) {
            if handle.thread().id() != thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}

fn serve(pool: &r2d2::Pool<SqliteConnectionManager>, receiver: &Receiver<ReadJob>) {
    // Hold one connection for the thread's whole life; if none can be had, answer every
    // job with the error rather than leaving callers waiting.
    let connection = pool.get().map_err(StoreError::from);
    while let Ok(first) = receiver.recv() {
        // Collect the batch before the transaction starts (not lazily inside it): a job
        // queued after the snapshot was taken may depend on a write committed after it.
        let jobs: Vec<ReadJob> =
            std::iter::once(first).chain(receiver.try_iter().take(MAX_BATCH - 1)).collect();
        let connection = match &connection {
            Ok(connection) => connection,
            Err(error) => {
                for job in jobs {
                    let _ = catch_unwind(AssertUnwindSafe(|| job(Err(error.clone()))));
                }
                continue;
            }
        };
        // Everything taken off the queue runs in one read transaction: taking SQLite's
        // WAL read lock once per batch instead of once per statement is most of the cost of
        // a small read. It is still consistent: the snapshot starts at the first statement,
        // after every job here was queued, and a caller queues a read only once the writes
        // it must see have been committed.
        let run = |sql: &str| connection.prepare_cached(sql).and_then(|mut s| s.execute([]));
        let in_transaction = run("BEGIN").is_ok();
        for job in jobs {
            // A caller's callback that panics must not take the reader thread with it.
            let _ = catch_unwind(AssertUnwindSafe(|| job(Ok(connection))));
        }
        if in_transaction {
            let _ = run("COMMIT");
        }
    }
}
