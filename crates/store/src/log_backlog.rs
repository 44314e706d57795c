//! How far the checkpointer is behind the writer, so that background work can wait for it.
//!
//! Every commit appends the pages it changed to the write-ahead log; the checkpointer copies
//! them back into the database file every 100 ms, and once it has copied everything the next
//! commit starts the log over from its beginning. Client writes rarely outrun it, but
//! reclaiming a deleted million-member sorted set does: each round deletes a thousand members
//! that sit on a thousand different pages of the score index, round after round. The log then
//! never caught up completely, so the log was never started over; it grew past the writer's
//! backstop (50,000 frames), where the writer copies the log itself and syncs both files, and
//! a client's `SET` waited ~90 ms. So the writer records the log's length after each commit
//! (SQLite's WAL hook), the checkpointer records how much of
//! the log it has copied, and reclaiming pauses once the log is long until the checkpointer
//! has copied all of it: the next commit then starts the log over.
//!
//! Client writes alone have the same problem in a milder form: under a steady stream of
//! commits the log never started over before the backstop either, and a long log makes every
//! page fetch slower (see [`LogWatch::copy_if_wanted`]). So once the log passes
//! [`RESTART_FRAMES`] the checkpointer runs every 10 ms (while its runs cannot copy all of it),
//! and when it is within [`CATCH_UP_FRAMES`] of the end the writer copies the rest itself after
//! its round, so that the log starts over (not while reclaiming).
//!
//! Writes into big collections outrun even that: a steady stream of `ZADD`s (three random
//! pages each) grows the log by 150,000 frames a second, the checkpointer's runs take 20-37 ms
//! and it waits 100 ms after each run that copied all it found, so it is never within
//! [`CATCH_UP_FRAMES`] of the end and the log runs to the backstop, where the writer used to
//! copy the whole distance the checkpointer was behind while the clients waited (15-30 ms).
//! Now a commit that leaves the log past the backstop with more than
//! [`BACKSTOP_TAIL_FRAMES`] not copied wakes the checkpointer at once, again after each of its
//! runs, and the writer copies only the last stretch (a stall of 8-9 ms); only past
//! [`HARD_BACKSTOP_FRAMES`], should the checkpointer make no progress (a reader holding an old
//! snapshot), does the writer copy however much is left.
//!
//! Writes faster than the disk takes the copies run away from all of that; past
//! [`RUNAWAY_FRAMES`] the writer thread waits for the checkpointer before it copies (see
//! [`LogBacklog::catch_up`]), so writes pause until the disk has caught up.

use std::cell::RefCell;
use std::ffi::c_int;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::hooks::Wal;

/// Past this many frames in the log, the writer copies the log into the database file itself
/// (what SQLite's `wal_autocheckpoint` would do; the checkpointer normally gets there first).
pub(crate) const BACKSTOP_FRAMES: i64 = 50_000;

/// Past the backstop the writer copies the log itself once the checkpointer is this close to
/// its end; until then each commit wakes the checkpointer (see the module's documentation).
const BACKSTOP_TAIL_FRAMES: i64 = 2_048;

/// Past this many frames the writer copies the log itself however far behind the checkpointer
/// is.
const HARD_BACKSTOP_FRAMES: i64 = BACKSTOP_FRAMES + BACKSTOP_FRAMES / 10;

/// Past this many frames the log is running away from the checkpointer (writes faster than
/// the disk takes its copies): the writer waits for it to catch up (see
/// [`LogBacklog::catch_up`]). Short of it, past the hard backstop, the writer's spaced copies
/// bring the log back on their own, without the pause.
const RUNAWAY_FRAMES: i64 = 2 * BACKSTOP_FRAMES;

/// A log this long should start over soon (see [`after_commit`]).
pub(crate) const RESTART_FRAMES: i64 = 1_024;

/// The size the `-wal` file is cut back to when the log starts over (`PRAGMA
/// journal_size_limit`) in a database of `page_size`-byte pages: a log at the backstop and a
/// quarter more, room for the hard backstop, the spacing of the writer's tries past it and the
/// round that carried the log there.
///
/// Under a steady stream of writes into big collections (`ZADD` at `-c 50`: three random
/// pages per write, 150,000 frames a second) the checkpointer does not come close enough to
/// the log's end for an early start-over, and the log runs to the backstop (about 300 ms) and
/// a little past it (up to [`HARD_BACKSTOP_FRAMES`]).
/// With a smaller limit (64 MiB was 32,000 frames of 2 KiB pages) the log outgrew the file
/// limit on every such run: the first commit after the start-over cut the file back (a 12-14 ms
/// `ftruncate` while the clients waited), and the next 18,000 frames went into fresh blocks of
/// the file again. `ZADD` ran 12% faster with a limit above the backstop.
pub(crate) fn log_file_limit(page_size: i64) -> i64 {
    const LOG_HEADER_BYTES: i64 = 32;
    const FRAME_HEADER_BYTES: i64 = 24;
    LOG_HEADER_BYTES + (BACKSTOP_FRAMES + BACKSTOP_FRAMES / 4) * (FRAME_HEADER_BYTES + page_size)
}

/// How much of the log the writer copies itself so that the log can start over.
const CATCH_UP_FRAMES: i64 = 256;

/// The longest the writer waits, once the log runs away ([`RUNAWAY_FRAMES`]), for the
/// checkpointer to come close to the log's end (see [`LogBacklog::catch_up`]).
const LONGEST_CATCH_UP: Duration = Duration::from_secs(10);

/// The writer stops waiting for a checkpointer whose runs copy nothing more this many times
/// in a row (a reader holds old pages; see [`LogBacklog::catch_up`]).
const FRUITLESS_RUNS: u32 = 2;

/// How often the waiting writer looks at the checkpointer's progress.
const CATCH_UP_POLL: Duration = Duration::from_millis(1);

/// Reclaiming waits once the log holds this many frames (20 MiB of 2 KiB pages) until the
/// checkpointer has copied all of it, so that the next commit can start the log over; well
/// short of the backstop.
const RECLAIM_LOG_FRAMES: i64 = 10_000;

/// What the checkpointer last reported, shared with the writer, and where the checkpointer
/// waits between its runs.
#[derive(Debug)]
pub(crate) struct LogBacklog {
    /// Frames in the log when the checkpointer last ran.
    log_frames: AtomicI64,
    /// How many of those it had copied into the database file.
    copied_frames: AtomicI64,
    /// How many runs the checkpointer has reported.
    runs: AtomicU64,
    /// The copied frames at which the writer last stopped waiting for a checkpointer that
    /// copied nothing more, or -1 (see [`LogBacklog::catch_up`]).
    stuck_at: AtomicI64,
    /// Whether the checkpointer has been asked to run at once, or to stop.
    bell: Mutex<Bell>,
    rung: Condvar,
}

#[derive(Debug, Default)]
struct Bell {
    run_now: bool,
    stop: bool,
}

impl Default for LogBacklog {
    fn default() -> LogBacklog {
        LogBacklog {
            log_frames: AtomicI64::new(0),
            copied_frames: AtomicI64::new(0),
            runs: AtomicU64::new(0),
            stuck_at: AtomicI64::new(-1),
            bell: Mutex::default(),
            rung: Condvar::new(),
        }
    }
}

impl LogBacklog {
    /// The checkpointer's pause: returns after `pause`, or as soon as it is asked to run,
    /// answering whether it should run (false once it must stop).
    pub(crate) fn wait_for_next_run(&self, pause: Duration) -> bool {
        let bell = self.bell.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (mut bell, _) = self
            .rung
            .wait_timeout_while(bell, pause, |bell| !bell.run_now && !bell.stop)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        bell.run_now = false;
        !bell.stop
    }

    /// Asks the checkpointer to run at once (without waking it again when it has been asked
    /// already and has not started the run).
    fn wake_checkpointer(&self) {
        let mut bell = self.bell.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !bell.run_now {
            bell.run_now = true;
            self.rung.notify_one();
        }
    }

    /// Tells the checkpointer to stop.
    pub(crate) fn stop_checkpointer(&self) {
        self.bell.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).stop = true;
        self.rung.notify_one();
    }

    /// Records a checkpoint's outcome (`PRAGMA wal_checkpoint`'s second and third columns).
    pub(crate) fn checkpointed(&self, log_frames: i64, copied_frames: i64) {
        self.log_frames.store(log_frames, Ordering::Relaxed);
        self.copied_frames.store(copied_frames, Ordering::Relaxed);
        self.runs.fetch_add(1, Ordering::Release);
    }

    /// Waits, on the writer thread, for the checkpointer to copy a log of `frames` frames to
    /// within [`BACKSTOP_TAIL_FRAMES`] of its end, waking it after each of its runs, so that
    /// the writer's own copy is short and the log can start over. Gives up when
    /// [`FRUITLESS_RUNS`] runs in a row copy nothing more (a reader holds old pages: the log
    /// cannot start over anyway), after [`LONGEST_CATCH_UP`], or when the checkpointer stops;
    /// and does not wait again while the checkpointer stays stuck where it gave up, or every
    /// try would pause the writes again while a reader holds old pages.
    ///
    /// This is the writes' back-pressure. Under writes faster than the disk takes the copies
    /// (`SADD` pipelined 16 deep into a set of a million members: 400 MB of log a second) the
    /// checkpointer fell further and further behind; past the hard backstop the writer's own
    /// copy found the checkpointer's lock taken nearly every time, so the log grew to 2–4 GB,
    /// and the rare copy that got through copied all that while the clients waited: stalls of
    /// 3–4 s, then a commit that cut the file back by gigabytes (1 s). Waiting here bounds the
    /// log near [`RUNAWAY_FRAMES`] and each stall to one catch-up.
    pub(crate) fn catch_up(&self, frames: i64) {
        let deadline = Instant::now() + LONGEST_CATCH_UP;
        let mut runs = self.runs.load(Ordering::Acquire);
        let mut copied = self.copied_frames.load(Ordering::Relaxed);
        if copied == self.stuck_at.load(Ordering::Relaxed) {
            return;
        }
        self.stuck_at.store(-1, Ordering::Relaxed);
        let mut fruitless = 0;
        self.wake_checkpointer();
        while self.frames_behind(frames) > BACKSTOP_TAIL_FRAMES && Instant::now() < deadline {
            if self.bell.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).stop {
                return;
            }
            thread::sleep(CATCH_UP_POLL);
            let runs_now = self.runs.load(Ordering::Acquire);
            if runs_now == runs {
                continue;
            }
            runs = runs_now;
            let copied_now = self.copied_frames.load(Ordering::Relaxed);
            fruitless = if copied_now > copied { 0 } else { fruitless + 1 };
            copied = copied_now;
            if fruitless >= FRUITLESS_RUNS {
                self.stuck_at.store(copied, Ordering::Relaxed);
                return;
            }
            // One wake-up per run, and none once it is close enough: the writer's own copy
            // then finds the checkpointer idle, not holding the lock it needs.
            if self.frames_behind(frames) > BACKSTOP_TAIL_FRAMES {
                self.wake_checkpointer();
            }
        }
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

/// What the WAL hook knows of the write connection's log. It belongs to the connection, and
/// is installed ([`hold`]) on whichever thread holds the connection for a round: the writer
/// thread, or a caller running a round of its own (see `writer_thread`).
#[derive(Debug)]
pub(crate) struct LogWatch {
    /// The checkpointer's progress.
    backlog: Arc<LogBacklog>,
    /// The log's length after the last commit.
    frames: AtomicI64,
    /// The writer tries no copy again before the log reaches this length.
    next_copy_try: AtomicI64,
    /// Whether deleted collections are being reclaimed (no early restarts meanwhile).
    reclaiming: AtomicBool,
}

impl LogWatch {
    pub(crate) fn new(backlog: Arc<LogBacklog>) -> LogWatch {
        LogWatch {
            backlog,
            frames: AtomicI64::new(0),
            next_copy_try: AtomicI64::new(0),
            reclaiming: AtomicBool::new(false),
        }
    }

    /// Notes whether reclaiming is under way.
    pub(crate) fn set_reclaiming(&self, reclaiming: bool) {
        self.reclaiming.store(reclaiming, Ordering::Relaxed);
    }

    /// Whether reclaiming deleted collections should wait for the checkpointer: the log is
    /// long and not all copied yet.
    pub(crate) fn reclaiming_must_wait(&self) -> bool {
        let frames = self.frames.load(Ordering::Relaxed);
        frames >= RECLAIM_LOG_FRAMES && self.backlog.frames_behind(frames) > 0
    }

    /// Copies the log into the database file when a copy is wanted
    /// ([`LogWatch::checkpoint_wanted`]); the writer thread calls it after each of its rounds,
    /// once the round's callers have their answers.
    ///
    /// SQLite starts the log over only in a write transaction that begins after all of it was
    /// copied. Under a steady stream of commits the checkpointer, copying while the writer goes
    /// on, never finishes before the writer's next transaction, so without help the log grew
    /// to the backstop. A long log is dear: every page a connection reads through the memory
    /// map is first looked up in the log's index, where a page changed by each of the last
    /// thousand commits sits in a chain a thousand entries long (`LPOP` at `-P 16` spent 43%
    /// of the writer's time there). Copying the last few hundred frames on the writer takes a
    /// moment, except while a big collection is reclaimed: then the disk is busy and the extra
    /// syncs stalled clients, so the log waits for the checkpointer as before.
    ///
    /// Only the writer thread copies: a copy syncs the files, which a caller's thread must not
    /// wait for. A caller's round that finds a copy wanted hands its work to the writer thread
    /// instead. The copies used to be made in the WAL hook, inside the commit; but SQLite calls
    /// the hook only for commits that wrote to the log, so after a commit that changed no page
    /// (a `SET` to the value already there) a wanted copy stayed wanted, and every caller's
    /// round went to the writer thread until some commit changed a page.
    pub(crate) fn copy_if_wanted(&self, connection: &Connection) {
        if !self.checkpoint_wanted() {
            return;
        }
        // A checkpoint that could not copy everything (a reader still on old pages, or the
        // checkpointer copying at the same moment) is not retried after every round: each try
        // takes the round after it to the writer thread. Past the hard backstop the tries are
        // further apart: another process holding a read transaction for seconds under a
        // stream of `ZADD`s sent every round there (the writer thread 94% busy, the I/O thread
        // mostly idle) while the log could not start over anyway.
        let frames = self.frames.load(Ordering::Relaxed);
        let spacing =
            if frames >= HARD_BACKSTOP_FRAMES { BACKSTOP_TAIL_FRAMES } else { CATCH_UP_FRAMES };
        self.next_copy_try.store(frames + spacing, Ordering::Relaxed);
        if frames >= RUNAWAY_FRAMES {
            self.backlog.catch_up(frames);
        }
        // Like SQLite's own automatic checkpoint, a failure here is nobody's to answer for.
        let _ = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }

    #[cfg(test)]
    pub(crate) fn frames(&self) -> i64 {
        self.frames.load(Ordering::Relaxed)
    }

    /// Records the log's length after a commit; past the backstop, wakes the checkpointer while
    /// it is far from the end.
    fn committed(&self, frames: i64) {
        let previous = self.frames.swap(frames, Ordering::Relaxed);
        if frames < previous {
            // The log started over.
            self.next_copy_try.store(0, Ordering::Relaxed);
        }
        if frames >= BACKSTOP_FRAMES && self.backlog.frames_behind(frames) > BACKSTOP_TAIL_FRAMES {
            self.backlog.wake_checkpointer();
        }
    }

    /// Whether the writer thread should copy the log itself after its next round (see
    /// [`LogWatch::copy_if_wanted`]); a caller's own round leaves such a round to it.
    pub(crate) fn checkpoint_wanted(&self) -> bool {
        let frames = self.frames.load(Ordering::Relaxed);
        checkpoint_due(
            frames,
            self.backlog.frames_behind(frames),
            self.reclaiming.load(Ordering::Relaxed),
            self.next_copy_try.load(Ordering::Relaxed),
        )
    }
}

thread_local! {
    /// The log watch of the write connection this thread holds, if any.
    static HELD: RefCell<Option<Arc<LogWatch>>> = const { RefCell::new(None) };
}

/// Tells the WAL hook that this thread now holds the connection `watch` belongs to.
pub(crate) fn hold(watch: &Arc<LogWatch>) {
    HELD.with(|held| *held.borrow_mut() = Some(Arc::clone(watch)));
}

/// Tells the WAL hook that this thread no longer holds a write connection.
pub(crate) fn release() {
    HELD.with(|held| *held.borrow_mut() = None);
}

/// Installs the WAL hook on the writer's connection. Replaces SQLite's automatic checkpoint
/// (which is itself a WAL hook; the same backstop is one of the copies
/// [`LogWatch::copy_if_wanted`] makes) and records the log's length for [`LogWatch`].
pub(crate) fn watch_log(connection: &Connection) {
    connection.wal_hook(Some(after_commit));
}

/// Records the log's length after a commit that wrote to it, on whichever thread holds the
/// connection. Commits outside any round (opening the file) record nothing.
fn after_commit(_wal: &Wal, frames: c_int) -> rusqlite::Result<()> {
    HELD.with(|held| {
        if let Some(watch) = held.borrow().as_ref() {
            watch.committed(i64::from(frames));
        }
    });
    Ok(())
}

/// Whether the writer should copy the log itself after a round that left `frames` in it,
/// `frames_behind` of them not yet copied by the checkpointer, and `next_try` the length
/// before which no copy is tried again.
fn checkpoint_due(frames: i64, frames_behind: i64, reclaiming: bool, next_try: i64) -> bool {
    frames >= next_try
        && (frames >= HARD_BACKSTOP_FRAMES
            || (frames >= BACKSTOP_FRAMES && frames_behind <= BACKSTOP_TAIL_FRAMES)
            || (frames >= RESTART_FRAMES && !reclaiming && frames_behind <= CATCH_UP_FRAMES))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::thread;
    use std::time::{Duration, Instant};

    use super::{
        BACKSTOP_FRAMES, BACKSTOP_TAIL_FRAMES, CATCH_UP_FRAMES, FRUITLESS_RUNS,
        HARD_BACKSTOP_FRAMES, LONGEST_CATCH_UP, LogBacklog, LogWatch, RESTART_FRAMES,
        RUNAWAY_FRAMES, checkpoint_due,
    };

    #[test]
    fn the_writer_copies_a_long_log_only_when_little_is_left_and_nothing_is_reclaimed() {
        let long = RESTART_FRAMES + 10;
        assert!(checkpoint_due(long, CATCH_UP_FRAMES, false, 0));
        assert!(!checkpoint_due(RESTART_FRAMES - 1, 0, false, 0), "a short log waits");
        assert!(!checkpoint_due(long, CATCH_UP_FRAMES + 1, false, 0), "too much left");
        assert!(!checkpoint_due(long, 0, true, 0), "not while reclaiming");
        assert!(!checkpoint_due(long, 0, false, long + 1), "not again right after a try");
        // Past the backstop: the writer copies once the checkpointer is close to the end,
        // even while reclaiming, and past the hard backstop however far behind it is.
        assert!(checkpoint_due(BACKSTOP_FRAMES, BACKSTOP_TAIL_FRAMES, true, 0));
        assert!(!checkpoint_due(BACKSTOP_FRAMES, BACKSTOP_TAIL_FRAMES + 1, true, 0));
        assert!(checkpoint_due(HARD_BACKSTOP_FRAMES, HARD_BACKSTOP_FRAMES, true, 0));
        // Not again right after a try, however long the log.
        let hard = HARD_BACKSTOP_FRAMES;
        assert!(!checkpoint_due(hard, hard, false, hard + 1));
        assert!(!checkpoint_due(BACKSTOP_FRAMES, 0, false, BACKSTOP_FRAMES + 1));
    }

    /// A try that leaves the log long is not repeated before the log has grown by the
    /// spacing, so the rounds in between stay off the writer thread.
    #[test]
    fn a_copy_tried_past_the_hard_backstop_is_tried_again_only_after_the_tail() {
        let backlog = Arc::new(LogBacklog::default());
        let watch = LogWatch::new(Arc::clone(&backlog));
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        watch.committed(HARD_BACKSTOP_FRAMES);
        assert!(watch.checkpoint_wanted());
        // The copy changes nothing here (an in-memory database has no log), as when a
        // reader holds old pages.
        watch.copy_if_wanted(&connection);
        watch.committed(HARD_BACKSTOP_FRAMES + BACKSTOP_TAIL_FRAMES - 1);
        assert!(!watch.checkpoint_wanted(), "tried again too soon");
        watch.committed(HARD_BACKSTOP_FRAMES + BACKSTOP_TAIL_FRAMES);
        assert!(watch.checkpoint_wanted());
        // Once the log starts over, the spacing is forgotten.
        watch.copy_if_wanted(&connection);
        watch.committed(10);
        watch.committed(HARD_BACKSTOP_FRAMES);
        assert!(watch.checkpoint_wanted());
    }

    /// The file limit leaves room for everything the log may hold before the writer's copy
    /// starts it over: the hard backstop and the spacing of the writer's tries past it.
    #[test]
    fn the_log_file_limit_holds_a_log_past_the_hard_backstop() {
        for page_size in [512, 2048, 4096, 65536] {
            let longest = HARD_BACKSTOP_FRAMES + BACKSTOP_TAIL_FRAMES;
            assert!(super::log_file_limit(page_size) > 32 + longest * (24 + page_size));
        }
    }

    /// How long `wait_for_next_run` took, with a pause far longer than any test may wait.
    fn wait_on(backlog: &Arc<LogBacklog>) -> thread::JoinHandle<(bool, Duration)> {
        let backlog = Arc::clone(backlog);
        thread::spawn(move || {
            let started = Instant::now();
            let run = backlog.wait_for_next_run(Duration::from_secs(60));
            (run, started.elapsed())
        })
    }

    #[test]
    fn a_commit_far_past_the_backstop_wakes_the_checkpointer() {
        let backlog = Arc::new(LogBacklog::default());
        let watch = LogWatch::new(Arc::clone(&backlog));
        // Short of the backstop, or close enough to the end: no wake-up (the pause runs out).
        watch.committed(BACKSTOP_FRAMES - 1);
        backlog.checkpointed(BACKSTOP_FRAMES, BACKSTOP_FRAMES - BACKSTOP_TAIL_FRAMES);
        watch.committed(BACKSTOP_FRAMES);
        assert!(!backlog.bell.lock().unwrap().run_now, "nothing asked for a run");
        assert!(backlog.wait_for_next_run(Duration::from_millis(1)), "a pause that ran out");
        // Far behind past the backstop: the waiting checkpointer runs at once.
        let waiting = wait_on(&backlog);
        thread::sleep(Duration::from_millis(20));
        watch.committed(BACKSTOP_FRAMES + BACKSTOP_TAIL_FRAMES + 1);
        let (run, waited) = waiting.join().unwrap();
        assert!(run);
        assert!(waited < Duration::from_secs(30), "woken, not timed out: {waited:?}");
        // A wake-up asked for while it was running is not lost.
        watch.committed(BACKSTOP_FRAMES + BACKSTOP_TAIL_FRAMES + 2);
        let (run, waited) = wait_on(&backlog).join().unwrap();
        assert!(run && waited < Duration::from_secs(30));
    }

    #[test]
    fn a_waiting_checkpointer_is_told_to_stop() {
        let backlog = Arc::new(LogBacklog::default());
        let waiting = wait_on(&backlog);
        thread::sleep(Duration::from_millis(20));
        backlog.stop_checkpointer();
        let (run, waited) = waiting.join().unwrap();
        assert!(!run, "a stopped checkpointer does not run again");
        assert!(waited < Duration::from_secs(30));
        assert!(!backlog.wait_for_next_run(Duration::from_secs(60)), "and stays stopped");
    }

    /// A stand-in checkpointer: on each run asked for, reports `copy(run)` frames copied
    /// of a log of `frames`; stops after `runs` runs.
    fn checkpointer(
        backlog: &Arc<LogBacklog>,
        frames: i64,
        runs: u32,
        copy: impl Fn(u32) -> i64 + Send + 'static,
    ) -> thread::JoinHandle<u32> {
        let backlog = Arc::clone(backlog);
        thread::spawn(move || {
            let mut ran = 0;
            while ran < runs && backlog.wait_for_next_run(Duration::from_secs(60)) {
                ran += 1;
                backlog.checkpointed(frames, copy(ran));
            }
            ran
        })
    }

    #[test]
    fn a_runaway_log_waits_for_the_checkpointer_to_come_close_to_its_end() {
        let backlog = Arc::new(LogBacklog::default());
        let frames = RUNAWAY_FRAMES + 5_000;
        backlog.checkpointed(frames, 0);
        // Each run copies another 20,000 frames; the writer waits until the rest fits the tail.
        let step = 20_000;
        let runs = u32::try_from((frames - BACKSTOP_TAIL_FRAMES) / step + 1).unwrap();
        let checkpointer =
            checkpointer(&backlog, frames, 100, move |run| (i64::from(run) * step).min(frames));
        let started = Instant::now();
        backlog.catch_up(frames);
        assert!(started.elapsed() < LONGEST_CATCH_UP, "caught up, not timed out");
        assert!(backlog.frames_behind(frames) <= BACKSTOP_TAIL_FRAMES);
        backlog.stop_checkpointer();
        // Woken once per run, and not again once close enough.
        assert_eq!(checkpointer.join().unwrap(), runs);
    }

    #[test]
    fn a_checkpointer_that_copies_nothing_more_is_not_waited_for() {
        let backlog = Arc::new(LogBacklog::default());
        let frames = RUNAWAY_FRAMES + 5_000;
        backlog.checkpointed(frames, 1_000);
        // A reader holds old pages: every run stops at the same frame.
        let checkpointer = checkpointer(&backlog, frames, 100, |_| 1_000);
        let started = Instant::now();
        backlog.catch_up(frames);
        assert!(started.elapsed() < LONGEST_CATCH_UP, "gave up, not timed out");
        assert_eq!(backlog.frames_behind(frames), frames - 1_000);
        // Still stuck there: the next try does not wait, nor ask for a run.
        backlog.bell.lock().unwrap().run_now = false;
        backlog.catch_up(frames + BACKSTOP_TAIL_FRAMES);
        assert!(!backlog.bell.lock().unwrap().run_now, "no run asked for");
        backlog.stop_checkpointer();
        assert_eq!(checkpointer.join().unwrap(), FRUITLESS_RUNS);
        // Once the checkpointer has moved on, the writer asks it for runs again (and, the
        // checkpointer being stopped, does not wait).
        backlog.checkpointed(frames, 2_000);
        backlog.catch_up(frames);
        assert!(backlog.bell.lock().unwrap().run_now, "a run asked for");
    }

    #[test]
    fn a_stopped_checkpointer_is_not_waited_for() {
        let backlog = Arc::new(LogBacklog::default());
        backlog.stop_checkpointer();
        let started = Instant::now();
        backlog.catch_up(RUNAWAY_FRAMES);
        assert!(started.elapsed() < LONGEST_CATCH_UP);
    }

    #[test]
    fn only_a_runaway_log_makes_the_writer_wait() {
        let backlog = Arc::new(LogBacklog::default());
        let watch = LogWatch::new(Arc::clone(&backlog));
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        // Past the hard backstop but short of a runaway: the writer tries its copy at once,
        // without asking the checkpointer for a run.
        watch.committed(RUNAWAY_FRAMES - 1);
        backlog.bell.lock().unwrap().run_now = false;
        watch.copy_if_wanted(&connection);
        assert!(!backlog.bell.lock().unwrap().run_now, "no run asked for");
        // A runaway log: the writer asks for runs and waits for them.
        let frames = RUNAWAY_FRAMES + BACKSTOP_TAIL_FRAMES;
        watch.committed(frames);
        let checkpointer = checkpointer(&backlog, frames, 100, move |_| frames);
        watch.copy_if_wanted(&connection);
        assert_eq!(backlog.frames_behind(frames), 0, "the writer waited for the copy");
        backlog.stop_checkpointer();
        assert_eq!(checkpointer.join().unwrap(), 1, "one run, which copied it all");
    }

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
