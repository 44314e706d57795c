//! Reads on the caller's own thread that keep their snapshot while nothing is committed.
//!
//! A read transaction in WAL mode costs more than a small read inside it: opening one takes a
//! lock on a slot of the shared-memory index (a system call, `fcntl`) and checks the log, and
//! closing it releases the lock (another). [`FastReads`] keeps a few read-only connections
//! whose transaction stays open after a read, tagged with the store's commit count at the
//! moment it was opened. The next read on that connection reuses the snapshot when no commit
//! has completed since and the snapshot is younger than [`MAX_SNAPSHOT_AGE`]; otherwise it
//! starts a fresh one. Under a read-mostly load that saves both system calls on nearly every
//! read.
//!
//! Why this is still correct: the writer counts a commit ([`CommitCount::committed`]) after
//! `COMMIT` returns and before it answers any caller. A read that reuses a snapshot saw the
//! same count, so every write acknowledged before the read began is in the snapshot. Commits
//! by *other processes* on the same file are not counted: a fast read may miss them for up to
//! [`MAX_SNAPSHOT_AGE`] (see `docs/durability.md`).
//!
//! An open snapshot holds back checkpoints past its place in the log, so the checkpointer
//! ends the snapshots of connections left idle ([`FastReads::release_stale`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::clock;
use crate::error::Result;
use crate::reader::Reader;

/// The longest a snapshot is reused, which bounds how late a fast read sees a commit by
/// another process.
pub(crate) const MAX_SNAPSHOT_AGE: Duration = Duration::from_millis(5);

/// How many commits the writer has completed; shared by the writer and the fast readers.
#[derive(Clone, Default)]
pub(crate) struct CommitCount(Arc<AtomicU64>);

impl CommitCount {
    /// Called by the writer after each successful `COMMIT`, before answering its callers.
    pub(crate) fn committed(&self) {
        self.0.fetch_add(1, Ordering::Release);
    }

    fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

/// Read-only connections for reads run on the caller's thread.
pub(crate) struct FastReads {
    slots: Vec<Mutex<Slot>>,
    commits: CommitCount,
}

/// One connection and the snapshot it holds open, if any.
struct Slot {
    connection: Connection,
    snapshot: Option<Snapshot>,
}

#[derive(Clone, Copy)]
struct Snapshot {
    /// The commit count read just before the snapshot was taken.
    commits: u64,
    opened: Instant,
}

impl FastReads {
    pub(crate) fn new(connections: Vec<Connection>, commits: CommitCount) -> FastReads {
        let slots = connections
            .into_iter()
            .map(|connection| Mutex::new(Slot { connection, snapshot: None }))
            .collect();
        FastReads { slots, commits }
    }

    /// Runs `operation` now on an idle connection, or hands it back when all are busy.
    pub(crate) fn try_read<R, F>(&self, operation: F) -> std::result::Result<Result<R>, F>
    where
        F: FnOnce(&Reader<'_>) -> Result<R>,
    {
        for slot in &self.slots {
            if let Some(mut slot) = try_lock(slot) {
                return Ok(slot.read(operation, self.commits.current()));
            }
        }
        Err(operation)
    }

    /// Ends every snapshot that is idle and older than [`MAX_SNAPSHOT_AGE`], so that it no
    /// longer holds back checkpoints.
    pub(crate) fn release_stale(&self) {
        for slot in &self.slots {
            if let Some(mut slot) = try_lock(slot)
                && slot
                    .snapshot
                    .is_some_and(|snapshot| snapshot.opened.elapsed() >= MAX_SNAPSHOT_AGE)
            {
                slot.end_snapshot();
            }
        }
    }
}

/// Locks `slot` if no one holds it. A read that panicked poisoned it mid-transaction: its
/// snapshot is ended and the slot is usable again.
fn try_lock(slot: &Mutex<Slot>) -> Option<MutexGuard<'_, Slot>> {
    match slot.try_lock() {
        Ok(guard) => Some(guard),
        Err(TryLockError::WouldBlock) => None,
        Err(TryLockError::Poisoned(poisoned)) => {
            slot.clear_poison();
            let mut guard = poisoned.into_inner();
            guard.end_snapshot();
            Some(guard)
        }
    }
}

impl Slot {
    fn read<R>(
        &mut self,
        operation: impl FnOnce(&Reader<'_>) -> Result<R>,
        commits: u64,
    ) -> Result<R> {
        let reusable = self.snapshot.is_some_and(|snapshot| {
            snapshot.commits == commits && snapshot.opened.elapsed() < MAX_SNAPSHOT_AGE
        });
        if !reusable {
            self.end_snapshot();
            self.connection.prepare_cached("BEGIN")?.execute([])?;
            self.snapshot = Some(Snapshot { commits, opened: Instant::now() });
        }
        let result = operation(&Reader::new(&self.connection, clock::now_ms()));
        if result.is_err() {
            // An error may have ended the transaction; start clean next time.
            self.end_snapshot();
        }
        result
    }

    fn end_snapshot(&mut self) {
        if self.snapshot.take().is_some() && !self.connection.is_autocommit() {
            let _ = self.connection.prepare_cached("COMMIT").and_then(|mut end| end.execute([]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn a_fast_read_sees_every_acknowledged_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("fast.db")).unwrap();
        for round in 0..50u32 {
            let value = round.to_string().into_bytes();
            let written = value.clone();
            store.write(move |writer| writer.set(0, b"k", &written, Default::default())).unwrap();
            let read = store
                .try_read(|reader| reader.get(0, b"k"))
                .unwrap_or_else(|_| panic!("no fast reader was idle"))
                .unwrap();
            assert_eq!(read, Some(value));
        }
    }

    #[test]
    fn an_idle_snapshot_is_released_once_stale() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("stale.db")).unwrap();
        store.write(|writer| writer.set(0, b"k", b"v", Default::default())).unwrap();
        let fast = store.fast_reads();
        let opened = |fast: &FastReads| {
            fast.slots.iter().find_map(|slot| slot.lock().unwrap().snapshot).map(|s| s.opened)
        };
        let open = |fast: &FastReads| opened(fast).is_some();
        // Two reads with no commit between them share one snapshot (unless the machine
        // stalled past the age limit between them, hence a few tries).
        let shared = (0..10).any(|_| {
            fast.release_stale();
            std::thread::sleep(MAX_SNAPSHOT_AGE);
            fast.release_stale();
            assert!(fast.try_read(|reader| reader.get(0, b"k")).is_ok());
            let first = opened(fast);
            assert!(fast.try_read(|reader| reader.get(0, b"k")).is_ok());
            first.is_some() && opened(fast) == first
        });
        assert!(shared);
        fast.release_stale();
        assert!(open(fast), "a fresh snapshot is kept");
        std::thread::sleep(MAX_SNAPSHOT_AGE + Duration::from_millis(1));
        fast.release_stale();
        assert!(!open(fast));
    }
}
