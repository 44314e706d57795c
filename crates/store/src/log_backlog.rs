//! How far the checkpointer is behind the writer, so that background work can wait for it.
//!
//! Every commit appends the pages it changed to the write-ahead log; the checkpointer copies
//! them back into the database file every 100 ms, and once it has copied everything the next
//! commit starts the log over from its beginning. Client writes rarely outrun it, but
//! reclaiming a deleted million-member sorted set does: each round deletes a thousand members
//! that sit on a thousand different pages of the score index, round after round. The log then
//! never caught up completely, so the log was never started over; it grew past the writer's
//! backstop (50,000 frames), where a commit copies the log itself and syncs both files, and a
//! client's `SET` waited ~90 ms. So the writer records the log's length after each commit
//! (SQLite's WAL hook, which also runs that backstop), the checkpointer records how much of
//! the log it has copied, and reclaiming pauses once the log is long until the checkpointer
//! has copied all of it: the next commit then starts the log over.

use std::cell::Cell;
use std::ffi::c_int;
use std::sync::atomic::{AtomicI64, Ordering};

use rusqlite::Connection;
use rusqlite::hooks::Wal;

/// Past this many frames in the log, a commit copies the log into the database file itself
/// (what SQLite's `wal_autocheckpoint` would do; the checkpointer normally gets there first).
const BACKSTOP_FRAMES: c_int = 50_000;

/// What the checkpointer last reported, shared with the writer.
#[derive(Debug, Default)]
pub(crate) struct LogBacklog {
    /// Frames in the log when the checkpointer last ran.
    log_frames: AtomicI64,
    /// How many of those it had copied into the database file.
    copied_frames: AtomicI64,
}

impl LogBacklog {
    /// Records a checkpoint's outcome (`PRAGMA wal_checkpoint`'s second and third columns).
    pub(crate) fn checkpointed(&self, log_frames: i64, copied_frames: i64) {
        self.log_frames.store(log_frames, Ordering::Relaxed);
        self.copied_frames.store(copied_frames, Ordering::Relaxed);
    }

    /// Frames the checkpointer has not copied yet, given the log's length after the writer's
    /// last commit. A log shorter than at the last checkpoint was started over since, and
    /// none of it has been copied.
    pub(crate) fn frames_behind(&self, log_frames_now: i64) -> i64 {
        let log_frames = self.log_frames.load(Ordering::Relaxed);
        if log_frames_now < log_frames {
            return log_frames_now;
        }
        log_frames_now - self.copied_frames.load(Ordering::Relaxed)
    }
}

thread_local! {
    /// The log's length after the last commit on this thread's write connection.
    static LOG_FRAMES: Cell<i64> = const { Cell::new(0) };
}

/// Installs the WAL hook on the writer's connection. Replaces SQLite's automatic checkpoint
/// (which is itself a WAL hook) with the same backstop, and records the log's length for
/// [`log_frames`].
pub(crate) fn watch_log(connection: &Connection) {
    connection.wal_hook(Some(after_commit));
}

/// The log's length after the last commit made on this thread.
pub(crate) fn log_frames() -> i64 {
    LOG_FRAMES.with(Cell::get)
}

fn after_commit(wal: &Wal, frames: c_int) -> rusqlite::Result<()> {
    LOG_FRAMES.with(|cell| cell.set(frames.into()));
    if frames >= BACKSTOP_FRAMES {
        // Like SQLite's own automatic checkpoint, a failure here is not the commit's.
        let _ = wal.checkpoint();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::LogBacklog;

    #[test]
    fn the_backlog_is_what_the_checkpointer_has_not_copied() {
        let backlog = LogBacklog::default();
        assert_eq!(backlog.frames_behind(300), 300);
        backlog.checkpointed(1_000, 800);
        assert_eq!(backlog.frames_behind(1_500), 700);
        // The log started over after the checkpoint: nothing of it is copied yet.
        assert_eq!(backlog.frames_behind(40), 40);
    }
}
