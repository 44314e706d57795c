//! Importing a live Redis into a resplite database with minutes of downtime.
//!
//! This crate drives a migration from the source side (through the `redis` client crate)
//! into a destination database opened with `resplite-store`; it knows nothing of the
//! resplite server. The steps, each a function a program can call:
//!
//! * [`tracker::run_tracker`] subscribes to the source's keyspace notifications and records
//!   every changed key in the registry — and every moment it may have missed one (a *gap*).
//! * [`bulk::run_bulk`] copies every key with `SCAN`, checkpointing its position in the same
//!   transaction as the keys it wrote, so it resumes exactly after a crash.
//! * [`apply::apply_dirty`] re-reads the keys the tracker saw change.
//! * [`verify::verify`] compares source and destination values in both directions.
//! * [`status::status`] says whether it is safe to cut over; [`cutover::cutover`] freezes the
//!   source's writes and brings the destination to the same state.
//! * [`oneshot::import_once`] copies a source that is not being written into a new file.
//!
//! The registry (`registry.rs`) lives in the destination database; `spec/migration.md`
//! specifies it and the protocol.
//!
//! # Example
//!
//! ```no_run
//! use resplite_migrate::{Registry, Source, bulk};
//! use resplite_store::Store;
//!
//! let source = Source::new("redis://127.0.0.1:6379")?;
//! let registry = Registry::open(Store::open("resplite.db")?, "run-1")?;
//! let report = bulk::run_bulk(&source, &registry, &Default::default(), &|| false, &mut |_| {})?;
//! println!("{} keys copied", report.run.migrated_keys);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod apply;
pub mod bulk;
pub mod control;
pub mod cutover;
pub mod destination;
mod dirty;
mod error;
pub mod oneshot;
pub mod preflight;
mod probe;
pub mod registry;
pub mod snapshot;
pub mod source;
pub mod status;
pub mod subscriber;
pub mod tracker;
pub mod verify;

pub use error::{MigrateError, Result};
pub use registry::{Registry, Run};
pub use source::Source;
