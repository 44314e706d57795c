//! The checkpointer thread: copies the write-ahead log back into the database file, off the
//! writer thread.
//!
//! SQLite checkpoints inside a commit by default, so every few thousand pages one client's
//! write waited while tens of megabytes were copied (tens of milliseconds; longer while a big
//! deleted collection was being reclaimed). Here a thread with its own connection runs a
//! `PASSIVE` checkpoint every [`INTERVAL`] (every [`INTERVAL_WHILE_LONG`] while the log is
//! long and not all copied): it never blocks the writer or the readers, and
//! each run copies only what changed since the last. Before each run it ends the snapshots
//! that idle fast readers still hold (see `fast_reads`), and after it records how much of the
//! log is copied (see `log_backlog`). The writer thread keeps a checkpoint of its own after
//! a round, at a much larger size, as a backstop, and truncates the log on shutdown; a log past
//! the backstop wakes the checkpointer at once, until it is close enough to the end for the
//! writer's own copy to be short (see `log_backlog`).

use std::path::Path;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::{Result, StoreError};
use crate::fast_reads::FastReads;
use crate::log_backlog::{LogBacklog, RESTART_FRAMES};

/// How often the log is checkpointed.
const INTERVAL: Duration = Duration::from_millis(100);

/// How often while the log is long and not all copied (see `log_backlog`).
const INTERVAL_WHILE_LONG: Duration = Duration::from_millis(10);

/// Owns the checkpointer thread; dropping it stops the thread.
pub(crate) struct Checkpointer {
    /// Where the thread waits between runs, and hears that it must stop.
    backlog: Arc<LogBacklog>,
    handle: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(crate) fn spawn(
        path: &Path,
        busy_timeout: Duration,
        fast_reads: Arc<FastReads>,
        backlog: Arc<LogBacklog>,
    ) -> Result<Checkpointer> {
        let connection = Connection::open(path)?;
        connection.busy_timeout(busy_timeout)?;
        let shared_backlog = Arc::clone(&backlog);
        let handle = thread::Builder::new()
            .name("resplite-checkpointer".into())
            .spawn(move || {
                // Run until told to stop; a failed or partial
                // checkpoint (readers still on old pages) is simply retried next time.
                // Snapshots that idle fast readers hold open would hold it back.
                let mut pause = INTERVAL;
                while backlog.wait_for_next_run(pause) {
                    fast_reads.release_stale();
                    let outcome =
                        connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                            Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
                        });
                    pause = INTERVAL;
                    if let Ok((log_frames, copied_frames)) = outcome {
                        backlog.checkpointed(log_frames, copied_frames);
                        // A long log waits for the checkpointer to come close to its end.
                        if log_frames >= RESTART_FRAMES && copied_frames < log_frames {
                            pause = INTERVAL_WHILE_LONG;
                        }
                    }
                }
            })
            .map_err(|error| StoreError::Internal(format!("cannot start checkpointer: {error}")))?;
        Ok(Checkpointer { backlog: shared_backlog, handle: Some(handle) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.backlog.stop_checkpointer();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
