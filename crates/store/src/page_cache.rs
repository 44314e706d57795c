//! SQLite's default page cache, wrapped so that ending a transaction does not scan the whole
//! cache.
//!
//! Every transaction ends by telling the page cache to drop the pages past the end of the
//! file (`xTruncate` with the file's page count). The default cache (SQLite's `pcache1`) makes
//! that cheap by remembering the highest page number it has held since its last truncation,
//! and scanning only the hash slots between the limit and that number. But when SQLite
//! rebalances B-tree pages it puts the new pages in page-number order, and to swap two of them
//! it parks one for a moment under the number of the lock-byte page (the page holding byte
//! 2^30 of the file: page 524,289 with 2 KiB pages). The cache then remembers that number,
//! and the truncation at the end of the transaction, seeing it so far past the limit, walks
//! the entire hash table: every page of the writer's cache, on every commit that
//! rebalanced a page. Writes into big collections rebalance often (a `ZADD` that moves a
//! member touches three random pages); the scan was 3-4% of the I/O thread's time under a
//! stream of `ZADD`s, and more under `ZADD`+`ZREM` into a million-member set.
//!
//! The wrapper passes every call through to the default cache and keeps, per cache, a bound
//! on the page numbers it holds: the highest number fetched or moved to, not counting the
//! parked page, which it tracks on its own. A truncation that cannot drop anything is not
//! passed on; any other goes through as before. The bound only ever errs high, so at worst a
//! truncation is passed on that had nothing to do, which is what happened before.
//!
//! SQLite takes a page cache only before it initialises itself, so [`install`] runs before the
//! store opens its first connection; if the program has already used SQLite by then, the
//! default cache stays and everything works as before, minus the saving.

// One of the three modules allowed `unsafe` (with `wal_vfs.rs` and `page_memory.rs`):
// SQLite's page-cache interface is a C interface of raw pointers.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_uint, c_void};
use std::sync::OnceLock;

use rusqlite::ffi;

/// The byte SQLite locks the database file on: the file never has a page holding it, which is
/// why a rebalance can borrow that page's number. (SQLite's `PENDING_BYTE`; only its test
/// builds move it.)
const LOCK_BYTE: u64 = 0x4000_0000;

/// What one cache holds, as far as truncation is concerned.
#[derive(Debug)]
struct PageBounds {
    /// The number of the page holding [`LOCK_BYTE`] at this cache's page size.
    lock_page: c_uint,
    /// No page numbered above this is in the cache, other than one at `lock_page`.
    highest: c_uint,
    /// Whether a page may sit at `lock_page`.
    lock_page_held: bool,
}

impl PageBounds {
    fn new(page_size: c_int) -> PageBounds {
        let page_size = u64::try_from(page_size).unwrap_or(1).max(1);
        let lock_page = c_uint::try_from(LOCK_BYTE / page_size + 1).unwrap_or(c_uint::MAX);
        PageBounds { lock_page, highest: 0, lock_page_held: false }
    }

    /// A page is in the cache under `key`.
    fn holds(&mut self, key: c_uint) {
        if key == self.lock_page {
            self.lock_page_held = true;
        } else {
            self.highest = self.highest.max(key);
        }
    }

    /// A page moved from `old` to `new`.
    fn moved(&mut self, old: c_uint, new: c_uint) {
        if old == self.lock_page {
            self.lock_page_held = false;
        }
        self.holds(new);
    }

    /// Whether dropping every page numbered `limit` or more can drop anything; when it can,
    /// records that the drop happened.
    fn truncate(&mut self, limit: c_uint) -> bool {
        let lock_page_goes = self.lock_page_held && self.lock_page >= limit;
        if self.highest < limit && !lock_page_goes {
            return false;
        }
        self.highest = self.highest.min(limit.saturating_sub(1));
        if self.lock_page >= limit {
            self.lock_page_held = false;
        }
        true
    }
}

/// One cache: the default cache's handle and the bounds kept beside it. SQLite sees a
/// pointer to this as its `sqlite3_pcache`.
struct Cache {
    inner: *mut ffi::sqlite3_pcache,
    bounds: PageBounds,
}

/// The default cache's methods, saved when the wrapper was installed.
struct DefaultMethods(ffi::sqlite3_pcache_methods2);

// SAFETY: the methods are plain function pointers and SQLite's own argument pointer, which
// SQLite hands to them from any thread.
unsafe impl Send for DefaultMethods {}
unsafe impl Sync for DefaultMethods {}

static DEFAULT: OnceLock<DefaultMethods> = OnceLock::new();

/// Whether the wrapper is SQLite's page cache in this process.
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Installs the wrapper once per process, if SQLite has not been initialised yet (see
/// [`page_cache_wrapped`]).
pub(crate) fn install() {
    INSTALLED.get_or_init(|| {
        let mut methods = std::mem::MaybeUninit::<ffi::sqlite3_pcache_methods2>::zeroed();
        // SAFETY: GETPCACHE2 fills in the struct it is given; it fails only when SQLite is
        // already initialised, and then nothing is changed.
        let got =
            unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_GETPCACHE2, methods.as_mut_ptr()) };
        if got != ffi::SQLITE_OK {
            return false;
        }
        // SAFETY: filled in by SQLite above.
        let methods = unsafe { methods.assume_init() };
        if DEFAULT.set(DefaultMethods(methods)).is_err() {
            return false;
        }
        let wrapper = ffi::sqlite3_pcache_methods2 {
            iVersion: 1,
            pArg: std::ptr::null_mut(),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            xCreate: Some(create),
            xCachesize: Some(cache_size),
            xPagecount: Some(page_count),
            xFetch: Some(fetch),
            xUnpin: Some(unpin),
            xRekey: Some(rekey),
            xTruncate: Some(truncate),
            xDestroy: Some(destroy),
            xShrink: Some(shrink),
        };
        // SAFETY: SQLite copies the struct; it fails (and changes nothing) once initialised.
        // No cache exists before SQLite is initialised, so every cache comes from the wrapper
        // (another thread initialising SQLite at this very moment could at worst have called
        // the default `xInit`, which the wrapper's own `xInit` would have called anyway).
        unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_PCACHE2, &wrapper) == ffi::SQLITE_OK }
    });
}

/// Whether the store's page-cache wrapper is SQLite's page cache in this process: true once a
/// store has been opened before anything else in the process used SQLite.
pub fn page_cache_wrapped() -> bool {
    INSTALLED.get().copied().unwrap_or(false)
}

fn default_methods() -> &'static ffi::sqlite3_pcache_methods2 {
    // Every method below is reachable only after `install` saved the defaults.
    &DEFAULT.get().expect("the page-cache wrapper runs only once installed").0
}

/// The wrapper's state behind a handle SQLite passes back.
///
/// # Safety
/// `cache` must come from [`create`] and not yet have gone to [`destroy`]; SQLite uses a cache
/// from one thread at a time.
unsafe fn state<'a>(cache: *mut ffi::sqlite3_pcache) -> &'a mut Cache {
    // SAFETY: per the function's contract.
    unsafe { &mut *cache.cast::<Cache>() }
}

unsafe extern "C" fn init(_arg: *mut c_void) -> c_int {
    let methods = default_methods();
    match methods.xInit {
        // SAFETY: the default cache's own method with its own argument.
        Some(init) => unsafe { init(methods.pArg) },
        None => ffi::SQLITE_OK,
    }
}

unsafe extern "C" fn shutdown(_arg: *mut c_void) {
    let methods = default_methods();
    if let Some(shutdown) = methods.xShutdown {
        // SAFETY: the default cache's own method with its own argument.
        unsafe { shutdown(methods.pArg) }
    }
}

unsafe extern "C" fn create(
    page_size: c_int,
    extra_size: c_int,
    purgeable: c_int,
) -> *mut ffi::sqlite3_pcache {
    let Some(create) = default_methods().xCreate else { return std::ptr::null_mut() };
    // SAFETY: the default cache's own method, with SQLite's arguments.
    let inner = unsafe { create(page_size, extra_size, purgeable) };
    if inner.is_null() {
        return inner;
    }
    let cache = Box::new(Cache { inner, bounds: PageBounds::new(page_size) });
    Box::into_raw(cache).cast()
}

unsafe extern "C" fn cache_size(cache: *mut ffi::sqlite3_pcache, pages: c_int) {
    if let Some(cache_size) = default_methods().xCachesize {
        // SAFETY: `cache` is ours (SQLite's contract); the inner handle is the default's.
        unsafe { cache_size(state(cache).inner, pages) }
    }
}

unsafe extern "C" fn page_count(cache: *mut ffi::sqlite3_pcache) -> c_int {
    match default_methods().xPagecount {
        // SAFETY: as in `cache_size`.
        Some(page_count) => unsafe { page_count(state(cache).inner) },
        None => 0,
    }
}

unsafe extern "C" fn fetch(
    cache: *mut ffi::sqlite3_pcache,
    key: c_uint,
    create_flag: c_int,
) -> *mut ffi::sqlite3_pcache_page {
    let Some(fetch) = default_methods().xFetch else { return std::ptr::null_mut() };
    // SAFETY: as in `cache_size`.
    let cache = unsafe { state(cache) };
    // SAFETY: the default cache's own method on its own handle.
    let page = unsafe { fetch(cache.inner, key, create_flag) };
    if !page.is_null() {
        cache.bounds.holds(key);
    }
    page
}

unsafe extern "C" fn unpin(
    cache: *mut ffi::sqlite3_pcache,
    page: *mut ffi::sqlite3_pcache_page,
    discard: c_int,
) {
    if let Some(unpin) = default_methods().xUnpin {
        // SAFETY: as in `cache_size`; the page came from the default cache through `fetch`.
        unsafe { unpin(state(cache).inner, page, discard) }
    }
}

unsafe extern "C" fn rekey(
    cache: *mut ffi::sqlite3_pcache,
    page: *mut ffi::sqlite3_pcache_page,
    old: c_uint,
    new: c_uint,
) {
    let Some(rekey) = default_methods().xRekey else { return };
    // SAFETY: as in `unpin`.
    let cache = unsafe { state(cache) };
    // SAFETY: the default cache's own method on its own handle and page.
    unsafe { rekey(cache.inner, page, old, new) };
    cache.bounds.moved(old, new);
}

unsafe extern "C" fn truncate(cache: *mut ffi::sqlite3_pcache, limit: c_uint) {
    let Some(truncate) = default_methods().xTruncate else { return };
    // SAFETY: as in `cache_size`.
    let cache = unsafe { state(cache) };
    if cache.bounds.truncate(limit) {
        // SAFETY: the default cache's own method on its own handle.
        unsafe { truncate(cache.inner, limit) }
    }
}

unsafe extern "C" fn destroy(cache: *mut ffi::sqlite3_pcache) {
    // SAFETY: SQLite destroys each cache once, after its last use; the box came from `create`.
    let cache = unsafe { Box::from_raw(cache.cast::<Cache>()) };
    if let Some(destroy) = default_methods().xDestroy {
        // SAFETY: the default cache's own method on its own handle, used no more after this.
        unsafe { destroy(cache.inner) }
    }
}

unsafe extern "C" fn shrink(cache: *mut ffi::sqlite3_pcache) {
    if let Some(shrink) = default_methods().xShrink {
        // SAFETY: as in `cache_size`.
        unsafe { shrink(state(cache).inner) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK_PAGE_2K: c_uint = 524_289;

    #[test]
    fn the_lock_page_follows_the_page_size() {
        assert_eq!(PageBounds::new(2048).lock_page, LOCK_PAGE_2K);
        assert_eq!(PageBounds::new(4096).lock_page, 262_145);
        assert_eq!(PageBounds::new(65536).lock_page, 16_385);
    }

    #[test]
    fn a_truncation_past_every_page_is_skipped() {
        let mut bounds = PageBounds::new(2048);
        for key in [1, 7, 300, 12] {
            bounds.holds(key);
        }
        assert!(!bounds.truncate(301), "nothing at 301 or above");
        assert!(bounds.truncate(300), "page 300 must go");
        assert!(!bounds.truncate(300), "and once gone, the same limit has nothing to drop");
        assert!(bounds.truncate(12));
        assert_eq!(bounds.highest, 11);
    }

    #[test]
    fn a_page_parked_at_the_lock_page_and_moved_back_does_not_widen_the_bound() {
        let mut bounds = PageBounds::new(2048);
        for key in 1..=40 {
            bounds.holds(key);
        }
        // A rebalance swapping pages 30 and 20, as SQLite does it.
        bounds.moved(30, LOCK_PAGE_2K);
        bounds.moved(20, 30);
        bounds.moved(LOCK_PAGE_2K, 20);
        assert!(!bounds.truncate(41), "the end of the transaction has nothing to drop");
        assert_eq!(bounds.highest, 40);
    }

    #[test]
    fn a_page_still_at_the_lock_page_is_truncated() {
        let mut bounds = PageBounds::new(2048);
        bounds.holds(5);
        bounds.moved(5, LOCK_PAGE_2K);
        assert!(bounds.truncate(6), "the parked page is past the limit");
        assert!(!bounds.truncate(6), "and was dropped");
        // Fetched directly, it counts the same way.
        bounds.holds(LOCK_PAGE_2K);
        assert!(bounds.truncate(LOCK_PAGE_2K));
    }

    #[test]
    fn pages_past_the_lock_page_count_as_any_other() {
        let mut bounds = PageBounds::new(2048);
        bounds.holds(LOCK_PAGE_2K + 10);
        bounds.moved(3, LOCK_PAGE_2K);
        assert!(!bounds.truncate(LOCK_PAGE_2K + 11));
        assert!(bounds.truncate(LOCK_PAGE_2K + 5), "a page above the limit");
        assert!(bounds.lock_page_held, "the parked page is below that limit and stays");
        assert!(bounds.truncate(LOCK_PAGE_2K));
        assert!(!bounds.lock_page_held);
    }
}
