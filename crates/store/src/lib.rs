//! The resplite keyspace engine: Redis's data model stored in SQLite.
//!
//! This crate knows nothing of RESP or the network. It offers a synchronous Rust API over
//! one SQLite database file holding sixteen (or more) logical databases of binary-safe keys,
//! each with an optional millisecond deadline.
//!
//! # Design
//!
//! * **One writer, many readers.** A dedicated thread owns the only write connection and
//!   receives operations over a channel; it commits whatever is queued in one transaction
//!   (group commit), each operation under its own savepoint, and answers callers only after
//!   the commit. Reads run on a pool of read-only connections and, thanks to WAL mode, never
//!   wait for the writer. [`Store::read_then`] and [`Store::write_then`] are the doors for
//!   async servers: they queue the work for long-lived threads and call back with the result.
//!   A caller with a batch of short writes may also run it as a round of its own on its own
//!   thread when the write connection is free ([`Store::write_now_or_then`]); it never waits
//!   for the connection or for a lock, and hands the batch to the writer thread instead.
//! * **Read and write handles share their read methods**: [`Writer`] dereferences to
//!   [`Reader`], so a write sees its own changes through the same code.
//! * **Expiry** is both lazy (a key is invisible from its deadline on) and active (the writer
//!   deletes expired keys in bounded batches through a deadline index).
//! * **Other processes** may open the same file: SQLite's locking keeps it consistent, and
//!   each write waits up to five seconds for another process's lock.
//!
//! The on-disk format is specified in `spec/storage.md`.
//!
//! # Example
//!
//! ```
//! use resplite_store::{Deadline, Store};
//!
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(dir.path().join("example.db"))?;
//! store.set(0, b"greeting", b"hello")?;
//! assert_eq!(store.get(0, b"greeting")?, Some(b"hello".to_vec()));
//!
//! store.expire_in(0, b"greeting", 60_000)?;
//! assert!(matches!(store.deadline(0, b"greeting")?, Deadline::At(_)));
//!
//! // Several operations in one atomic write:
//! let total = store.write(|writer| {
//!     writer.increment(0, b"visits", 10)?;
//!     writer.increment(0, b"visits", 1)
//! })?;
//! assert_eq!(total, 11);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod affinity;
mod bit_fields;
mod bits;
mod checkpointer;
mod checks;
mod clock;
mod collections;
mod embedded;
mod encoding;
mod engine;
mod error;
mod expiry;
mod fast_reads;
mod field_deadlines;
mod glob;
mod hashes;
mod hyperloglog;
mod idle_spin;
mod increments;
mod key_memo;
mod keys;
mod kind;
mod list_edits;
mod lists;
mod log_backlog;
mod long_double;
mod lookups;
mod numbers;
mod options;
mod page_cache;
#[cfg(target_os = "linux")]
mod page_memory;
mod plans;
mod rank_fences;
mod reader;
mod reader_threads;
mod schema;
mod score;
mod set_algebra;
mod sets;
mod side_tables;
mod sorted_sets;
mod strings;
mod upserts;
mod wal_vfs;
mod writer;
mod writer_thread;
mod zset_algebra;
mod zset_ranges;

pub use bit_fields::{BitField, FieldOperation, FieldType, Overflow};
pub use bits::{BitOperation, BitRange, RangeUnit};
pub use checks::{CheckReport, Violation};
pub use clock::now_ms;
pub use collections::{ElementPage, ElementScan};
pub use engine::{PendingWrite, Store};
pub use error::{Result, StoreError};
pub use expiry::{Deadline, ExpireCondition};
pub use field_deadlines::{FieldExpiries, FieldExpiry, FieldPersist, MAX_FIELD_DEADLINE};
pub use glob::glob_match;
pub use hashes::FieldValue;
pub use keys::{DbStats, ScanOptions, ScanPage};
pub use kind::KeyType;
pub use lists::{InsertPlace, ListEnd, PositionQuery};
pub use numbers::{parse_i64, parse_timeout_milliseconds};
pub use options::{
    Durability, Expired, ExpiryFn, ExpiryListener, FillFn, FillListener, Filled, StoreOptions,
};
pub use page_cache::page_cache_wrapped;
pub use reader::{Db, Reader};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
pub use score::{ScoreText, format_score, parse_score, parse_sort_weight};
pub use set_algebra::SetOperation;
pub use side_tables::SqlValue;
pub use sorted_sets::{ScoredMember, ZaddFlags, ZaddOutcome};
pub use strings::{DeadlineChange, NewDeadline, SetCondition, SetOptions, SetOutcome};
pub use writer::Writer;
pub use zset_algebra::{Aggregate, Combination, ZSetOperation};
pub use zset_ranges::{LexBound, LexRange, ScoreRange, ZRange, ZRangeQuery};

/// How many regions of transparent huge pages hold SQLite's page buffers in this process: 0
/// until a store opened before anything else used SQLite has cached pages, and always 0
/// outside Linux (see `page_memory.rs`).
pub fn page_memory_regions() -> usize {
    #[cfg(target_os = "linux")]
    {
        page_memory::regions_in_use()
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}
