//! SQLite's page buffers in transparent huge pages.
//!
//! A write into a big collection finds its leaf among thousands of cached pages, scattered
//! over tens of megabytes: the page cache's hash bucket, the page's header, its neighbours in
//! the cache's LRU list and the page itself each miss the processor's caches, and with 4 KiB
//! pages each also misses the TLB, which on a virtual machine costs a walk of two page tables.
//! Backing the cache's pages with 2 MiB pages removes most of those TLB misses.
//!
//! SQLite's own way of giving it a page buffer (`SQLITE_CONFIG_PAGECACHE`) writes a link into
//! every slot when it starts, so the whole buffer would be resident from the first moment.
//! So this module is SQLite's memory allocator instead (`SQLITE_CONFIG_MALLOC`): a request of
//! the size of a cached page (a page of the store's page size with SQLite's header; pages of
//! another size, an older file's, are left alone) gets a slot of a region reserved with
//! `MADV_HUGEPAGE`, handed out in address order so that the regions become resident 2 MiB at
//! a time as the caches grow; every other request goes to SQLite's default allocator. A
//! freed slot waits on a free list for the next page; slots are not given back to the
//! system, as the page caches keep their pages too. Past [`MAX_REGIONS`] regions, pages come
//! from the default allocator.
//!
//! Measured on the project's VM (same-run A/B, server CPU from `/proc`): random overwrites in
//! a hash of 1,000,000 fields 3–8% cheaper, `ZADD` at 50 clients about 7%, and the resident
//! size after 1,000,000 keys 51.9 MB against 55.1 MB (the C library's allocator kept more
//! around each page); see docs/benchmarks-history.md.
//!
//! Like the page-cache wrapper, this takes effect only when the store opens its first
//! connection before anything else in the process has initialised SQLite.

// One of the three modules allowed `unsafe` (with `page_cache.rs` and `wal_vfs.rs`): SQLite's
// allocator interface is a C interface of raw pointers, and the regions are raw memory.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_void};
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use rusqlite::ffi;

use crate::engine::PAGE_SIZE;

/// Bytes reserved per region: address space only, resident as slots are handed out.
const REGION_BYTES: usize = 64 << 20;
/// The most regions (1 GiB of cached pages in all).
const MAX_REGIONS: usize = 16;
/// The size of a transparent huge page, to which regions are aligned.
const HUGE_PAGE: usize = 2 << 20;

/// SQLite's default allocator, to which everything but page buffers goes.
struct DefaultMethods(ffi::sqlite3_mem_methods);

// SAFETY: the methods are plain function pointers and SQLite's own argument pointer, which
// SQLite calls from any thread.
unsafe impl Send for DefaultMethods {}
unsafe impl Sync for DefaultMethods {}

static DEFAULT: OnceLock<DefaultMethods> = OnceLock::new();

/// The slots: regions of address space carved into equal slots.
struct Slots {
    /// The size of a slot, a cached page with SQLite's header, rounded to 16 bytes.
    slot_bytes: usize,
    /// The smallest request that gets a slot (smaller ones would waste most of it).
    smallest: usize,
    /// The start of each region in use, in order; only `regions_used` of them are set, and a
    /// set one never changes, so that a pointer's owner is known without the lock.
    regions: [AtomicUsize; MAX_REGIONS],
    regions_used: AtomicUsize,
    free: Mutex<FreeSlots>,
}

/// What the lock guards: slots given back, and the part of the last region not yet handed out.
struct FreeSlots {
    /// Freed slots, linked through their first word (0 ends the list).
    head: usize,
    /// The next slot never handed out, and the end of its region.
    next: usize,
    end: usize,
}

static SLOTS: OnceLock<Slots> = OnceLock::new();

/// Whether this module is SQLite's allocator in this process.
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Makes this module SQLite's allocator, if SQLite has not been initialised yet; answers
/// whether it is.
pub(crate) fn install() -> bool {
    *INSTALLED.get_or_init(|| {
        let mut header: c_int = 0;
        // SAFETY: PCACHE_HDRSZ writes one int through the pointer it is given.
        let asked = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_PCACHE_HDRSZ, &mut header) };
        let Ok(header) = usize::try_from(header) else { return false };
        if asked != ffi::SQLITE_OK || header == 0 {
            return false;
        }
        let mut methods = std::mem::MaybeUninit::<ffi::sqlite3_mem_methods>::zeroed();
        // SAFETY: GETMALLOC fills in the struct it is given; it fails only once SQLite is
        // initialised, and then nothing is changed.
        let got =
            unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_GETMALLOC, methods.as_mut_ptr()) };
        if got != ffi::SQLITE_OK {
            return false;
        }
        // SAFETY: filled in by SQLite above.
        let methods = unsafe { methods.assume_init() };
        if DEFAULT.set(DefaultMethods(methods)).is_err() {
            return false;
        }
        // SQLite asks for a cached page's buffer and header in one piece.
        let page_size = usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
        if SLOTS.set(Slots::new(page_size.saturating_add(header))).is_err() {
            return false;
        }
        let ours = ffi::sqlite3_mem_methods {
            xMalloc: Some(malloc),
            xFree: Some(free),
            xRealloc: Some(realloc),
            xSize: Some(size),
            xRoundup: Some(roundup),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            pAppData: ptr::null_mut(),
        };
        // SAFETY: SQLite copies the struct; it fails (and changes nothing) once initialised.
        unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &ours) == ffi::SQLITE_OK }
    })
}

/// How many regions of huge pages hold page buffers (0 when this module is not SQLite's
/// allocator in this process).
pub(crate) fn regions_in_use() -> usize {
    match (INSTALLED.get(), SLOTS.get()) {
        (Some(true), Some(slots)) => slots.regions_used.load(Ordering::Acquire),
        _ => 0,
    }
}

fn default_methods() -> &'static ffi::sqlite3_mem_methods {
    // Every method below is reachable only after `install` saved the defaults.
    &DEFAULT.get().expect("the page allocator runs only once installed").0
}

fn slots() -> &'static Slots {
    SLOTS.get().expect("the page allocator runs only once installed")
}

impl Slots {
    /// Slots for requests of up to `largest` bytes (and not much less), no region reserved yet.
    fn new(largest: usize) -> Slots {
        let slot_bytes = largest.next_multiple_of(16);
        Slots {
            slot_bytes,
            smallest: slot_bytes.saturating_sub(256),
            regions: [const { AtomicUsize::new(0) }; MAX_REGIONS],
            regions_used: AtomicUsize::new(0),
            free: Mutex::new(FreeSlots { head: 0, next: 0, end: 0 }),
        }
    }

    /// Whether a request of `bytes` gets a slot.
    fn fits(&self, bytes: usize) -> bool {
        (self.smallest..=self.slot_bytes).contains(&bytes)
    }

    /// Whether `address` is a slot's (the start of one, for a pointer SQLite got from here).
    fn owns(&self, address: usize) -> bool {
        let used = self.regions_used.load(Ordering::Acquire);
        self.regions[..used].iter().any(|region| {
            let start = region.load(Ordering::Relaxed);
            (start..start + REGION_BYTES).contains(&address)
        })
    }

    /// A free slot, or `None` when every region is full and no more may be reserved.
    fn take(&self) -> Option<NonNull<c_void>> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        if free.head != 0 {
            let slot = free.head;
            // SAFETY: a slot on the list is ours, unused, and holds the next one's address.
            free.head = unsafe { *(slot as *const usize) };
            return NonNull::new(slot as *mut c_void);
        }
        if free.next + self.slot_bytes > free.end {
            let start = self.reserve_region()?;
            free.next = start;
            free.end = start + REGION_BYTES;
        }
        let slot = free.next;
        free.next += self.slot_bytes;
        NonNull::new(slot as *mut c_void)
    }

    /// Puts a slot back on the free list.
    fn give_back(&self, slot: usize) {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: SQLite gives back a slot it got from `take` and uses it no more; its first
        // word now links the list.
        unsafe { *(slot as *mut usize) = free.head };
        free.head = slot;
    }

    /// Reserves one more region, aligned to a huge page and advised to use them; answers its
    /// start. Called with the lock held, so regions are added one at a time.
    fn reserve_region(&self) -> Option<usize> {
        use rustix::mm::{Advice, MapFlags, ProtFlags, madvise, mmap_anonymous};

        let used = self.regions_used.load(Ordering::Relaxed);
        if used == MAX_REGIONS {
            return None;
        }
        let length = REGION_BYTES + HUGE_PAGE;
        let protection = ProtFlags::READ | ProtFlags::WRITE;
        // SAFETY: a fresh private anonymous mapping, aliasing nothing; it is never unmapped,
        // as slots may be in use until the process ends.
        let mapped = unsafe {
            mmap_anonymous(
                ptr::null_mut(),
                length,
                protection,
                MapFlags::PRIVATE | MapFlags::NORESERVE,
            )
        }
        .ok()?;
        let start = (mapped as usize).next_multiple_of(HUGE_PAGE);
        // Only advice: without it (or without huge pages) the region works as well, on small
        // pages.
        // SAFETY: the range lies within the mapping made above.
        let _ = unsafe { madvise(start as *mut c_void, REGION_BYTES, Advice::LinuxHugepage) };
        self.regions[used].store(start, Ordering::Relaxed);
        self.regions_used.store(used + 1, Ordering::Release);
        Some(start)
    }
}

unsafe extern "C" fn malloc(bytes: c_int) -> *mut c_void {
    let slots = slots();
    if let Ok(wanted) = usize::try_from(bytes)
        && slots.fits(wanted)
        && let Some(slot) = slots.take()
    {
        return slot.as_ptr();
    }
    match default_methods().xMalloc {
        // SAFETY: the default allocator's own method.
        Some(malloc) => unsafe { malloc(bytes) },
        None => ptr::null_mut(),
    }
}

unsafe extern "C" fn free(memory: *mut c_void) {
    if memory.is_null() {
        return;
    }
    let slots = slots();
    if slots.owns(memory as usize) {
        slots.give_back(memory as usize);
    } else if let Some(free) = default_methods().xFree {
        // SAFETY: the memory came from the default allocator (it is not a slot).
        unsafe { free(memory) }
    }
}

unsafe extern "C" fn realloc(memory: *mut c_void, bytes: c_int) -> *mut c_void {
    let slots = slots();
    if !slots.owns(memory as usize) {
        return match default_methods().xRealloc {
            // SAFETY: the memory came from the default allocator (it is not a slot).
            Some(realloc) => unsafe { realloc(memory, bytes) },
            None => ptr::null_mut(),
        };
    }
    let Ok(wanted) = usize::try_from(bytes) else { return ptr::null_mut() };
    if wanted <= slots.slot_bytes {
        return memory;
    }
    // SAFETY: a fresh allocation of `bytes`.
    let moved = unsafe { malloc(bytes) };
    if !moved.is_null() {
        // SAFETY: the slot holds `slot_bytes`, less than `bytes`; the two do not overlap.
        unsafe {
            ptr::copy_nonoverlapping(memory.cast::<u8>(), moved.cast::<u8>(), slots.slot_bytes)
        };
        slots.give_back(memory as usize);
    }
    moved
}

unsafe extern "C" fn size(memory: *mut c_void) -> c_int {
    let slots = slots();
    if slots.owns(memory as usize) {
        return c_int::try_from(slots.slot_bytes).unwrap_or(c_int::MAX);
    }
    match default_methods().xSize {
        // SAFETY: the memory came from the default allocator (it is not a slot).
        Some(size) => unsafe { size(memory) },
        None => 0,
    }
}

unsafe extern "C" fn roundup(bytes: c_int) -> c_int {
    match default_methods().xRoundup {
        // SAFETY: the default allocator's own method.
        Some(roundup) => unsafe { roundup(bytes) },
        None => bytes,
    }
}

unsafe extern "C" fn init(_data: *mut c_void) -> c_int {
    let methods = default_methods();
    match methods.xInit {
        // SAFETY: the default allocator's own method with its own argument.
        Some(init) => unsafe { init(methods.pAppData) },
        None => ffi::SQLITE_OK,
    }
}

unsafe extern "C" fn shutdown(_data: *mut c_void) {
    let methods = default_methods();
    if let Some(shutdown) = methods.xShutdown {
        // SAFETY: the default allocator's own method with its own argument.
        unsafe { shutdown(methods.pAppData) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_near_the_page_size_get_slots_others_do_not() {
        let slots = Slots::new(2048 + 270);
        assert_eq!(slots.slot_bytes, 2320);
        assert!(slots.fits(2318) && slots.fits(2320) && slots.fits(2100));
        assert!(!slots.fits(2321) && !slots.fits(1024) && !slots.fits(16));
    }

    #[test]
    fn slots_are_distinct_aligned_owned_and_reused() {
        let slots = Slots::new(2048 + 272);
        let first = slots.take().unwrap().as_ptr() as usize;
        let second = slots.take().unwrap().as_ptr() as usize;
        assert_eq!(first % HUGE_PAGE, 0, "a region starts on a huge page");
        assert_eq!(second, first + slots.slot_bytes);
        assert!(slots.owns(first) && slots.owns(second + slots.slot_bytes - 1));
        assert!(!slots.owns(first - 1) && !slots.owns(first + REGION_BYTES));
        let outside = Box::new(0u64);
        assert!(!slots.owns(&raw const *outside as usize));
        // Memory handed out is usable, and a slot given back is the next one taken.
        // SAFETY: `second` is a slot of `slot_bytes` bytes taken above and not given back.
        unsafe { ptr::write_bytes(second as *mut u8, 0xAB, slots.slot_bytes) };
        slots.give_back(second);
        assert_eq!(slots.take().unwrap().as_ptr() as usize, second);
        let third = slots.take().unwrap().as_ptr() as usize;
        assert_eq!(third, second + slots.slot_bytes);
    }

    #[test]
    fn a_full_region_is_followed_by_another() {
        let slots = Slots::new(2048 + 272);
        let per_region = REGION_BYTES / slots.slot_bytes;
        let first = slots.take().unwrap().as_ptr() as usize;
        // Taking slots touches none of them: this reserves address space only.
        for _ in 1..per_region {
            slots.take().unwrap();
        }
        assert_eq!(slots.regions_used.load(Ordering::Acquire), 1);
        let next = slots.take().unwrap().as_ptr() as usize;
        assert_eq!(slots.regions_used.load(Ordering::Acquire), 2);
        assert!(slots.owns(next) && slots.owns(first));
        assert!(!(first..first + REGION_BYTES).contains(&next));
    }
}
