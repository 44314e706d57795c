//! A thin SQLite VFS over the platform's default one that writes each commit's log frames
//! to the `-wal` file in one system call instead of two per page.
//!
//! SQLite appends a transaction to the write-ahead log frame by frame, and each frame as two
//! writes: a 24-byte header, then the page. A round of the writer that changes fifteen pages
//! therefore makes thirty `pwrite` calls, and at a few thousand commits a second those calls
//! are a large share of the writer thread's time. This VFS opens every file exactly as the
//! default VFS does; only a write-ahead log file gets a small wrapper that gathers writes
//! which continue one another into a buffer and hands them to the real file as one write.
//!
//! # Why nothing can read a frame before it is written
//!
//! Readers (in this process or another) find frames only through the wal-index, which the
//! writing connection updates after it has written every frame of a commit. So buffered bytes
//! must reach the file before the write of the commit frame returns. The wrapper relies on how
//! SQLite writes a frame (`walWriteOneFrame`): the 24-byte header, then at once the page right
//! after it. A commit frame's header carries the database size in bytes 4..8, which is never
//! zero, while every other frame's header has zero there. When such a header is written, the
//! write that follows it (the commit page) flushes the buffer, so the whole commit is in the
//! file when SQLite goes on to publish it.
//!
//! Everything else flushes first and then goes straight through: a write that does not
//! continue the previous one (the log header at a restart, a page rewritten in place, the
//! checksum rewrites at commit), and any read, sync, truncation, size query, file control or
//! close. A crash loses only buffered frames, which belong to a commit that was never
//! published, exactly as if SQLite had been stopped between its own two writes.
//!
//! Only the writer's connection uses this VFS; readers and the checkpointer open the same
//! files through the default one and share its locks. The tests below check that a second
//! connection reads every commit as soon as it returns, and that a copy of the files taken
//! while the writer is still open recovers every commit.

// One of the three modules allowed `unsafe` (with `page_cache.rs` and `page_memory.rs`):
// SQLite's VFS is a C interface of raw pointers.
#![allow(unsafe_code)]

use std::ffi::{CStr, c_char, c_int, c_void};
use std::ptr;
use std::sync::OnceLock;

use rusqlite::ffi;

/// The name connections pass to `sqlite3_open_v2` to use this VFS.
const VFS_NAME: &CStr = c"resplite-wal";

/// A buffer past this size is written out even in the middle of a transaction.
const FLUSH_AT_BYTES: usize = 256 << 10;

/// The most one write to the real file may carry: the unix VFS writes at most 128 KiB - 1
/// bytes per call and reports a longer write as a full disk.
const WRITE_CHUNK_BYTES: usize = 64 << 10;

/// Size of a WAL frame header; the only 24-byte writes SQLite makes to a log file.
const FRAME_HEADER_BYTES: c_int = 24;

/// Registers the VFS once per process and returns its name, or SQLite's error code.
pub(crate) fn name() -> Result<&'static str, c_int> {
    static REGISTERED: OnceLock<Result<(), c_int>> = OnceLock::new();
    (*REGISTERED.get_or_init(register)).map(|()| VFS_NAME.to_str().unwrap_or_default())
}

/// The default VFS this one wraps; set once by [`register`] before any file is opened.
static BASE_VFS: OnceLock<BaseVfs> = OnceLock::new();

struct BaseVfs(*mut ffi::sqlite3_vfs);

// SAFETY: SQLite's VFS objects are process-wide and immutable once registered; SQLite itself
// calls them from any thread.
unsafe impl Send for BaseVfs {}
unsafe impl Sync for BaseVfs {}

fn register() -> Result<(), c_int> {
    // SAFETY: `sqlite3_vfs_find(NULL)` returns the default VFS, which lives for the whole
    // process. Our VFS is a copy with its own name, file size and `xOpen`; every other method
    // is the default VFS's, which only reads fields the copy keeps (`pAppData`, `mxPathname`).
    unsafe {
        let base = ffi::sqlite3_vfs_find(ptr::null());
        if base.is_null() {
            return Err(ffi::SQLITE_ERROR);
        }
        BASE_VFS.get_or_init(|| BaseVfs(base));
        let base_size = usize::try_from((*base).szOsFile).map_err(|_| ffi::SQLITE_ERROR)?;
        let vfs = Box::leak(Box::new(ffi::sqlite3_vfs {
            szOsFile: c_int::try_from(INNER_OFFSET + base_size).map_err(|_| ffi::SQLITE_ERROR)?,
            pNext: ptr::null_mut(),
            zName: VFS_NAME.as_ptr(),
            xOpen: Some(open),
            ..*base
        }));
        match ffi::sqlite3_vfs_register(vfs, 0) {
            ffi::SQLITE_OK => Ok(()),
            code => Err(code),
        }
    }
}

fn base_vfs() -> *mut ffi::sqlite3_vfs {
    BASE_VFS.get().map_or(ptr::null_mut(), |base| base.0)
}

/// What SQLite allocates for a log file opened through this VFS: the wrapper, then the
/// default VFS's own file object at [`INNER_OFFSET`]. Files that are not logs are opened by
/// the default VFS straight into the start of the allocation and never see this struct.
#[repr(C)]
struct LogFile {
    base: ffi::sqlite3_file,
    inner: *mut ffi::sqlite3_file,
    buffer: Vec<u8>,
    /// File offset of `buffer[0]`.
    buffer_start: i64,
    /// Where the previous write ended; a write starting here continues it. -1: unknown.
    next_offset: i64,
    /// A commit frame's header was the last write: the next write (its page) completes the
    /// commit and writes the buffer out.
    commit_pending: bool,
}

const INNER_OFFSET: usize = std::mem::size_of::<LogFile>().next_multiple_of(16);

static LOG_FILE_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: Some(shm_map),
    xShmLock: Some(shm_lock),
    xShmBarrier: Some(shm_barrier),
    xShmUnmap: Some(shm_unmap),
    xFetch: Some(fetch),
    xUnfetch: Some(unfetch),
};

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let base = base_vfs();
    // SAFETY: SQLite hands us `szOsFile` bytes at `file`, which is at least the default VFS's
    // size; `base` is the registered default VFS.
    unsafe {
        let Some(base_open) = (*base).xOpen else { return ffi::SQLITE_ERROR };
        if flags & ffi::SQLITE_OPEN_WAL == 0 {
            return base_open(base, name, file, flags, out_flags);
        }
        let inner = file.cast::<u8>().add(INNER_OFFSET).cast::<ffi::sqlite3_file>();
        let code = base_open(base, name, inner, flags, out_flags);
        if code != ffi::SQLITE_OK {
            (*file).pMethods = ptr::null();
            return code;
        }
        file.cast::<LogFile>().write(LogFile {
            base: ffi::sqlite3_file { pMethods: &LOG_FILE_METHODS },
            inner,
            buffer: Vec::new(),
            buffer_start: 0,
            next_offset: -1,
            commit_pending: false,
        });
        ffi::SQLITE_OK
    }
}

/// The wrapper behind a file whose methods are [`LOG_FILE_METHODS`].
///
/// # Safety
/// `file` must be a log file opened by [`open`] and not yet closed, used by one thread.
unsafe fn log_file<'a>(file: *mut ffi::sqlite3_file) -> &'a mut LogFile {
    // SAFETY: guaranteed by the caller; SQLite never uses one file from two threads at once.
    unsafe { &mut *file.cast::<LogFile>() }
}

/// The default VFS's methods for the wrapped file.
///
/// # Safety
/// `log` must wrap an open file.
unsafe fn inner_methods(log: &LogFile) -> &ffi::sqlite3_io_methods {
    // SAFETY: an open file always has methods.
    unsafe { &*(*log.inner).pMethods }
}

impl LogFile {
    /// Writes the buffered bytes to the real file as one write.
    ///
    /// # Safety
    /// `self` must wrap an open file.
    unsafe fn flush(&mut self) -> c_int {
        if self.buffer.is_empty() {
            return ffi::SQLITE_OK;
        }
        let Some(write) = (unsafe { inner_methods(self).xWrite }) else {
            return ffi::SQLITE_IOERR_WRITE;
        };
        let mut code = ffi::SQLITE_OK;
        let mut offset = self.buffer_start;
        for chunk in self.buffer.chunks(WRITE_CHUNK_BYTES) {
            // SAFETY: `inner` is open, the chunk outlives the call, and its length fits.
            code =
                unsafe { write(self.inner, chunk.as_ptr().cast(), chunk.len() as c_int, offset) };
            if code != ffi::SQLITE_OK {
                break;
            }
            offset += chunk.len() as i64;
        }
        self.buffer.clear();
        if code != ffi::SQLITE_OK {
            self.next_offset = -1;
        }
        code
    }
}

/// Flushes, then returns from `$call` on the inner file's method `$method`.
macro_rules! flush_then {
    ($file:expr, $method:ident, |$function:ident, $inner:ident| $call:expr) => {{
        // SAFETY: SQLite calls this only on a file opened by `open` (see `log_file`).
        unsafe {
            let log = log_file($file);
            let code = log.flush();
            if code != ffi::SQLITE_OK {
                return code;
            }
            let $inner = log.inner;
            match inner_methods(log).$method {
                Some($function) => $call,
                None => ffi::SQLITE_IOERR,
            }
        }
    }};
}

/// Forwards `$call` to the inner file's method `$method` without flushing.
macro_rules! forward {
    ($file:expr, $method:ident, $missing:expr, |$function:ident, $inner:ident| $call:expr) => {{
        // SAFETY: SQLite calls this only on a file opened by `open` (see `log_file`).
        unsafe {
            let log = log_file($file);
            let $inner = log.inner;
            match inner_methods(log).$method {
                Some($function) => $call,
                None => $missing,
            }
        }
    }};
}

unsafe extern "C" fn write(
    file: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    // SAFETY: SQLite calls this only on a file opened by `open`, with `amount` readable bytes
    // at `data`.
    unsafe {
        let log = log_file(file);
        let Ok(length) = usize::try_from(amount) else { return ffi::SQLITE_IOERR_WRITE };
        if length == 0 {
            return ffi::SQLITE_OK;
        }
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), length);
        let is_commit_header = amount == FRAME_HEADER_BYTES && bytes[4..8] != [0; 4];
        if offset != log.next_offset {
            // Not a continuation: write what is buffered, then this, each as it is.
            let code = log.flush();
            if code != ffi::SQLITE_OK {
                return code;
            }
            let Some(write) = inner_methods(log).xWrite else { return ffi::SQLITE_IOERR_WRITE };
            let code = write(log.inner, data, amount, offset);
            log.next_offset = if code == ffi::SQLITE_OK { offset + i64::from(amount) } else { -1 };
            log.commit_pending = is_commit_header;
            return code;
        }
        if log.buffer.is_empty() {
            log.buffer_start = offset;
        }
        log.buffer.extend_from_slice(bytes);
        log.next_offset = offset + i64::from(amount);
        // Set before any flush: a commit header that happens to fill the buffer still has
        // its page written out at once.
        let completes_commit = std::mem::replace(&mut log.commit_pending, is_commit_header);
        if completes_commit || log.buffer.len() >= FLUSH_AT_BYTES {
            return log.flush();
        }
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite calls this once, last, on a file opened by `open`.
    unsafe {
        let log = log_file(file);
        let flushed = log.flush();
        let closed = match inner_methods(log).xClose {
            Some(close) => close(log.inner),
            None => ffi::SQLITE_OK,
        };
        ptr::drop_in_place(&mut log.buffer);
        (*file).pMethods = ptr::null();
        if flushed != ffi::SQLITE_OK { flushed } else { closed }
    }
}

unsafe extern "C" fn read(
    file: *mut ffi::sqlite3_file,
    data: *mut c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    flush_then!(file, xRead, |read, inner| read(inner, data, amount, offset))
}

unsafe extern "C" fn truncate(file: *mut ffi::sqlite3_file, size: i64) -> c_int {
    let code = flush_then!(file, xTruncate, |truncate, inner| truncate(inner, size));
    // SAFETY: as above.
    unsafe { log_file(file).next_offset = -1 };
    code
}

unsafe extern "C" fn sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    flush_then!(file, xSync, |sync, inner| sync(inner, flags))
}

unsafe extern "C" fn file_size(file: *mut ffi::sqlite3_file, size: *mut i64) -> c_int {
    flush_then!(file, xFileSize, |file_size, inner| file_size(inner, size))
}

unsafe extern "C" fn file_control(
    file: *mut ffi::sqlite3_file,
    operation: c_int,
    argument: *mut c_void,
) -> c_int {
    flush_then!(file, xFileControl, |control, inner| control(inner, operation, argument))
}

unsafe extern "C" fn fetch(
    file: *mut ffi::sqlite3_file,
    offset: i64,
    amount: c_int,
    pointer: *mut *mut c_void,
) -> c_int {
    flush_then!(file, xFetch, |fetch, inner| fetch(inner, offset, amount, pointer))
}

unsafe extern "C" fn unfetch(
    file: *mut ffi::sqlite3_file,
    offset: i64,
    pointer: *mut c_void,
) -> c_int {
    forward!(file, xUnfetch, ffi::SQLITE_OK, |unfetch, inner| unfetch(inner, offset, pointer))
}

unsafe extern "C" fn lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    forward!(file, xLock, ffi::SQLITE_OK, |lock, inner| lock(inner, level))
}

unsafe extern "C" fn unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    forward!(file, xUnlock, ffi::SQLITE_OK, |unlock, inner| unlock(inner, level))
}

unsafe extern "C" fn check_reserved_lock(file: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    forward!(file, xCheckReservedLock, ffi::SQLITE_IOERR, |check, inner| check(inner, out))
}

unsafe extern "C" fn sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    forward!(file, xSectorSize, 4096, |sector_size, inner| sector_size(inner))
}

unsafe extern "C" fn device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    forward!(file, xDeviceCharacteristics, 0, |characteristics, inner| characteristics(inner))
}

unsafe extern "C" fn shm_map(
    file: *mut ffi::sqlite3_file,
    region: c_int,
    size: c_int,
    extend: c_int,
    pointer: *mut *mut c_void,
) -> c_int {
    forward!(file, xShmMap, ffi::SQLITE_IOERR, |map, inner| map(
        inner, region, size, extend, pointer
    ))
}

unsafe extern "C" fn shm_lock(
    file: *mut ffi::sqlite3_file,
    offset: c_int,
    count: c_int,
    flags: c_int,
) -> c_int {
    forward!(file, xShmLock, ffi::SQLITE_IOERR, |lock, inner| lock(inner, offset, count, flags))
}

unsafe extern "C" fn shm_barrier(file: *mut ffi::sqlite3_file) {
    forward!(file, xShmBarrier, (), |barrier, inner| barrier(inner))
}

unsafe extern "C" fn shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    forward!(file, xShmUnmap, ffi::SQLITE_OK, |unmap, inner| unmap(inner, delete))
}

#[cfg(test)]
mod buffering_tests {
    //! The wrapper's decisions, over a fake file that records the writes it receives.

    use std::cell::RefCell;
    use std::ffi::{c_int, c_void};
    use std::ptr;

    use rusqlite::ffi;

    use super::{FLUSH_AT_BYTES, LOG_FILE_METHODS, LogFile, WRITE_CHUNK_BYTES, write};

    thread_local! {
        static RECEIVED: RefCell<Vec<(i64, usize)>> = const { RefCell::new(Vec::new()) };
    }

    unsafe extern "C" fn record_write(
        _file: *mut ffi::sqlite3_file,
        _data: *const c_void,
        amount: c_int,
        offset: i64,
    ) -> c_int {
        RECEIVED.with(|received| received.borrow_mut().push((offset, amount as usize)));
        ffi::SQLITE_OK
    }

    static RECORDING_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
        iVersion: 1,
        xClose: None,
        xRead: None,
        xWrite: Some(record_write),
        xTruncate: None,
        xSync: None,
        xFileSize: None,
        xLock: None,
        xUnlock: None,
        xCheckReservedLock: None,
        xFileControl: None,
        xSectorSize: None,
        xDeviceCharacteristics: None,
        xShmMap: None,
        xShmLock: None,
        xShmBarrier: None,
        xShmUnmap: None,
        xFetch: None,
        xUnfetch: None,
    };

    struct Fake {
        // Boxed so the pointer in `log.inner` stays valid.
        _inner: Box<ffi::sqlite3_file>,
        log: LogFile,
    }

    impl Fake {
        fn new() -> Fake {
            RECEIVED.with(|received| received.borrow_mut().clear());
            let mut inner = Box::new(ffi::sqlite3_file { pMethods: &RECORDING_METHODS });
            let log = LogFile {
                base: ffi::sqlite3_file { pMethods: &LOG_FILE_METHODS },
                inner: &mut *inner,
                buffer: Vec::new(),
                buffer_start: 0,
                next_offset: -1,
                commit_pending: false,
            };
            Fake { _inner: inner, log }
        }

        fn write(&mut self, bytes: &[u8], offset: i64) {
            let file = ptr::from_mut(&mut self.log).cast::<ffi::sqlite3_file>();
            // SAFETY: `file` is a live `LogFile` over a live fake file.
            let code = unsafe { write(file, bytes.as_ptr().cast(), bytes.len() as c_int, offset) };
            assert_eq!(code, ffi::SQLITE_OK);
        }

        /// Writes a frame (header, then page) at `offset`; returns the next frame's offset.
        fn frame(&mut self, offset: i64, page: usize, commit: bool) -> i64 {
            let mut header = [0u8; 24];
            if commit {
                header[4..8].copy_from_slice(&5u32.to_be_bytes());
            }
            self.write(&header, offset);
            self.write(&vec![7; page], offset + 24);
            offset + 24 + page as i64
        }
    }

    fn received() -> Vec<(i64, usize)> {
        RECEIVED.with(|received| received.borrow().clone())
    }

    #[test]
    fn a_commit_reaches_the_file_as_one_write_when_its_last_page_is_written() {
        let mut fake = Fake::new();
        fake.write(&[0; 32], 0);
        assert_eq!(received(), [(0, 32)], "a write that continues nothing goes straight out");
        let mut offset = 32;
        for _ in 0..3 {
            offset = fake.frame(offset, 2048, false);
        }
        assert_eq!(received().len(), 1, "frames before the commit frame wait");
        offset = fake.frame(offset, 2048, true);
        assert_eq!(received(), [(0, 32), (32, (offset - 32) as usize)]);
        // The next transaction continues the file and is buffered again.
        let next = fake.frame(offset, 2048, true);
        assert_eq!(received()[2], (offset, (next - offset) as usize));
    }

    #[test]
    fn a_commit_header_that_fills_the_buffer_still_sends_its_page_at_once() {
        let mut fake = Fake::new();
        fake.write(&[0; 32], 0);
        fake.write(&vec![1; FLUSH_AT_BYTES - 10], 32);
        let header_offset = 32 + (FLUSH_AT_BYTES - 10) as i64;
        fake.frame(header_offset, 2048, true);
        let sent: usize = received().iter().map(|(_, length)| length).sum();
        assert_eq!(sent, 32 + FLUSH_AT_BYTES - 10 + 24 + 2048, "nothing of the commit is held");
        assert!(received().iter().all(|(_, length)| *length <= WRITE_CHUNK_BYTES));
        let mut expected_offset = 0;
        for (offset, length) in received() {
            assert_eq!(offset, expected_offset, "chunks follow one another");
            expected_offset += length as i64;
        }
    }

    #[test]
    fn a_write_elsewhere_sends_the_buffer_first_then_goes_straight_out() {
        let mut fake = Fake::new();
        fake.write(&[0; 32], 0);
        let end = fake.frame(32, 2048, false);
        // A page rewritten in place, as SQLite does for a page already in this transaction.
        fake.write(&[9; 2048], 56);
        assert_eq!(received(), [(0, 32), (32, (end - 32) as usize), (56, 2048)]);
        // A commit header written in place (checksum rewrite) is not held back either.
        fake.write(
            &{
                let mut header = [0u8; 24];
                header[7] = 1;
                header
            },
            32,
        );
        assert_eq!(received().last(), Some(&(32, 24)));
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rusqlite::{Connection, OpenFlags};

    use super::name;

    fn open_logged(path: &Path) -> Connection {
        open_logged_with(path, "NORMAL")
    }

    fn open_logged_with(path: &Path, synchronous: &str) -> Connection {
        let connection =
            Connection::open_with_flags_and_vfs(path, OpenFlags::default(), name().unwrap())
                .unwrap();
        connection
            .execute_batch(&format!(
                "PRAGMA page_size = 2048; PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = {synchronous}; PRAGMA wal_autocheckpoint = 0;
                 CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v BLOB);"
            ))
            .unwrap();
        connection
    }

    fn rows(connection: &Connection) -> Vec<(i64, Vec<u8>)> {
        let mut statement = connection.prepare("SELECT k, v FROM t ORDER BY k").unwrap();
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// A value that differs per key and per round, over several pages for big rounds.
    fn value(key: i64, round: i64, size: usize) -> Vec<u8> {
        (0..size).map(|index| (key * 31 + round * 7 + index as i64) as u8).collect()
    }

    /// Commits of one page, of many pages, and of more pages than the writer's cache holds
    /// (so frames are written before the commit and some are rewritten in place).
    fn commit_round(writer: &mut Connection, round: i64) {
        let (keys, size) = match round % 3 {
            0 => (1, 16),
            1 => (40, 600),
            _ => (300, 1_500),
        };
        let transaction = writer.transaction().unwrap();
        for key in 0..keys {
            let key = (key * 7 + round) % 500;
            transaction
                .execute(
                    "INSERT INTO t (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = ?2",
                    rusqlite::params![key, value(key, round, size)],
                )
                .unwrap();
        }
        transaction.commit().unwrap();
    }

    #[test]
    fn every_commit_is_readable_by_another_connection_as_soon_as_it_returns() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("log.db");
        let mut writer = open_logged(&path);
        writer.execute_batch("PRAGMA cache_size = 20;").unwrap();
        let reader = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        for round in 0..60 {
            commit_round(&mut writer, round);
            assert_eq!(rows(&reader), rows(&writer), "round {round}");
        }
        let check: String =
            reader.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
        assert_eq!(check, "ok");
    }

    #[test]
    fn a_copy_of_the_files_taken_while_the_writer_is_open_recovers_every_commit() {
        for synchronous in ["NORMAL", "FULL"] {
            copies_recover_every_commit(synchronous);
        }
    }

    fn copies_recover_every_commit(synchronous: &str) {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("log.db");
        let mut writer = open_logged_with(&path, synchronous);
        writer.execute_batch("PRAGMA cache_size = 20;").unwrap();
        for round in 0..30 {
            commit_round(&mut writer, round);
            // What a crash leaves: the files as the operating system has them, no shared
            // memory, no close.
            let copy = directory.path().join(format!("copy{round}.db"));
            std::fs::copy(&path, &copy).unwrap();
            std::fs::copy(path.with_extension("db-wal"), copy.with_extension("db-wal")).unwrap();
            let recovered = Connection::open(&copy).unwrap();
            assert_eq!(rows(&recovered), rows(&writer), "{synchronous}, round {round}");
        }
    }

    #[test]
    fn a_restarted_log_and_a_truncated_log_keep_working() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("log.db");
        let mut writer = open_logged(&path);
        let reader = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        for round in 0..12 {
            commit_round(&mut writer, round);
            let mode = if round % 2 == 0 { "PASSIVE" } else { "TRUNCATE" };
            writer.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |_| Ok(())).unwrap();
            assert_eq!(rows(&reader), rows(&writer), "round {round}");
        }
    }
}
