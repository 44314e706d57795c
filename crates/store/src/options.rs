//! How a store is opened: file, durability and tuning.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::Db;

/// How hard a commit tries to reach the disk before a write is acknowledged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=NORMAL` in WAL mode: an acknowledged write survives a crash of the
    /// process, but the last commits may be lost if the machine loses power.
    #[default]
    Normal,
    /// `synchronous=FULL`: every commit is synced, so acknowledged writes survive power loss.
    Full,
}

/// Everything needed to open a [`Store`](crate::Store).
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// The database file; created when missing.
    pub path: PathBuf,
    /// Commit durability.
    pub durability: Durability,
    /// How many read-only connections the pool keeps for synchronous [`Store::read`] calls,
    /// and how many more serve [`Store::try_read`] (the reader threads have their own
    /// besides).
    ///
    /// [`Store::read`]: crate::Store::read
    /// [`Store::try_read`]: crate::Store::try_read
    pub readers: u32,
    /// How many long-lived threads serve [`Store::read_then`].
    ///
    /// [`Store::read_then`]: crate::Store::read_then
    pub reader_threads: usize,
    /// How often the writer looks for expired keys when no sweep is pending.
    pub sweep_interval: Duration,
    /// The most expired keys one sweep deletes, so a sweep never stalls writes for long.
    pub sweep_batch: usize,
    /// The longest string value, as Redis's `proto-max-bulk-len` (512 MB by default).
    pub max_string_len: usize,
    /// The writer connection's page cache, in KiB (32 MiB by default). Pages the writer only
    /// reads come through the memory map; the cache holds the pages it changes and the
    /// B-tree pages it uses most. It was 8 MiB while every commit after a B-tree rebalance
    /// scanned the whole cache (see `page_cache.rs`, which ended that); with the scan gone,
    /// 32 MiB made `ZADD` into a 100,000-member set beside 100,000 other keys 6-9% faster
    /// than 8 MiB, and 64 MiB was no better.
    pub page_cache_kib: u32,
    /// How much of the file every connection maps into memory, in bytes (1 GiB by default;
    /// see `engine.rs`). Mapped pages count in the process's resident size; 0 turns mapping
    /// off.
    pub memory_map_bytes: u64,
    /// The CPUs the writer thread may run on (Linux only); `None`, the default, leaves it
    /// to the kernel. Opening fails with [`StoreError::CpuAffinity`] when the system
    /// refuses the list. See `affinity.rs` and docs/benchmarks.md for when this helps.
    ///
    /// [`StoreError::CpuAffinity`]: crate::StoreError::CpuAffinity
    pub writer_cpus: Option<Vec<usize>>,
    /// How long the writer thread keeps yielding the CPU and looking for work before it
    /// sleeps, while work has been coming in close together (1 ms by default; zero always
    /// sleeps at once). Saves the wake-up of a sleeping thread on busy servers at the cost of
    /// CPU time while writes arrive; see `idle_spin.rs` and docs/configuration.md.
    pub writer_spin: Duration,
    /// Told about every key deleted because its deadline passed.
    pub on_expired: Option<ExpiryListener>,
    /// Told, after each commit, which keys may have gained list or sorted-set elements.
    pub on_filled: Option<FillListener>,
}

/// What may have gained elements in a commit: a key, or a whole database (`SWAPDB`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filled {
    /// This key of this database: pushed to, added to, or written by a rename, copy or move.
    Key(Db, Vec<u8>),
    /// Every key of this database (it was swapped with another).
    Database(Db),
}

/// A function the writer thread calls after each commit with the keys whose lists or sorted
/// sets may have gained elements in it, in the order written — through any caller of the
/// store, a server's clients or a program embedding the store. A server uses it to wake
/// clients blocked on those keys. It runs on the writer thread: it must be quick, and may
/// queue writes (`Store::write_then`) but not wait for one.
#[derive(Clone)]
pub struct FillListener(pub Arc<FillFn>);

/// The function inside a [`FillListener`].
pub type FillFn = dyn Fn(&[Filled]) + Send + Sync;

impl fmt::Debug for FillListener {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("FillListener")
    }
}

/// A function the writer thread calls with the database and name of every key it deletes
/// because the key's deadline passed, and of every hash it deletes fields of because their
/// deadlines passed: for what a write deletes on its way, in the transaction that deletes
/// it; for what the sweeper deletes, once the sweep's transaction has committed. A server
/// uses it for Redis's `expired` and `hexpired` keyspace events and to fail transactions
/// that watched the key. It runs on the writer thread, so it must be quick and must not
/// wait for the store.
#[derive(Clone)]
pub struct ExpiryListener(pub Arc<ExpiryFn>);

/// The function inside an [`ExpiryListener`]: a key's database and name, and what expired.
pub type ExpiryFn = dyn Fn(Db, &[u8], Expired) + Send + Sync;

/// What an [`ExpiryListener`] is told has expired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expired {
    /// The key itself, now deleted.
    Key,
    /// Some fields of the hash at the key, now deleted; the hash with them when they were
    /// its last.
    Fields {
        /// How many fields.
        fields: u64,
        /// Whether the hash was deleted because no field was left.
        hash_deleted: bool,
    },
}

impl fmt::Debug for ExpiryListener {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ExpiryListener")
    }
}

impl StoreOptions {
    /// Options with the defaults for the database at `path`.
    pub fn new(path: impl Into<PathBuf>) -> StoreOptions {
        StoreOptions {
            path: path.into(),
            durability: Durability::Normal,
            readers: 4,
            reader_threads: 2,
            sweep_interval: Duration::from_millis(100),
            sweep_batch: 500,
            max_string_len: 512 * 1024 * 1024,
            page_cache_kib: 32 * 1024,
            memory_map_bytes: 1 << 30,
            writer_cpus: None,
            writer_spin: Duration::from_millis(1),
            on_expired: None,
            on_filled: None,
        }
    }
}
