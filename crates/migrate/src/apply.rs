//! The delta apply: re-reads every dirty key from the source and brings the destination up
//! to date — writing it again, or deleting it when the source no longer has it.
//!
//! A key is marked `applied`/`deleted` in the transaction that writes it, and only if no
//! new event arrived for it since its row was read (see `dirty.rs`), so a key that changes
//! while being re-read stays dirty for the next round. Live, the apply takes the keys that
//! were dirty when it started (a pre-delta that shrinks the final one); with `until_clean`,
//! for the freeze, it repeats until no dirty key is left.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use resplite_store::{Db, Writer};

use crate::control::{Control, Lease, SharedControls, Throttles};
use crate::destination::{append_chunk, replace_key, write_batch};
use crate::dirty::{DirtyKey, dirty_batch, settle};
use crate::error::{MigrateError, Result};
use crate::registry::{Registry, Run, add_to_counters, record_error};
use crate::snapshot::{KeyRead, KeySnapshot, NextChunk, SourceReader};
use crate::source::{Source, server_facts};
use crate::tracker::wait_for_barrier;

/// How a delta apply runs.
#[derive(Clone, Debug, Default)]
pub struct ApplyOptions {
    /// Repeat until no dirty key is left, including keys that became dirty while it ran
    /// (for the freeze); otherwise take only keys dirty when it started.
    pub until_clean: bool,
    /// Elements per chunk of a large collection (0: 1,000).
    pub chunk_elements: usize,
    /// First wait until the tracker confirms it has recorded every change made so far (a
    /// barrier, see `tracker.rs`); for a freeze the caller made itself.
    pub barrier: bool,
    /// Throttles to set before starting.
    pub throttles: Throttles,
}

/// Live figures of a delta apply.
#[derive(Clone, Debug, Default)]
pub struct ApplyProgress {
    /// Keys written again.
    pub applied: u64,
    /// Keys deleted because the source no longer has them.
    pub deleted: u64,
    /// Keys the source now holds in a type resplite does not store (deleted here; their
    /// dirty rows say `skipped`).
    pub skipped: u64,
    /// Keys whose write failed (registered as errors, tried again by the next run).
    pub failed: u64,
    /// Keys that changed again while being read (left dirty).
    pub changed_meanwhile: u64,
    /// Dirty keys left when last counted.
    pub remaining: u64,
    /// Time since this process started.
    pub elapsed: Duration,
    /// Whether a `pause` holds it.
    pub paused: bool,
}

/// Applies dirty keys of the run; see the module documentation.
pub fn apply_dirty(
    source: &Source,
    registry: &Registry,
    options: &ApplyOptions,
    interrupt: &dyn Fn() -> bool,
    on_progress: &mut dyn FnMut(&ApplyProgress),
) -> Result<(Run, ApplyProgress)> {
    let run = registry.require()?;
    if options.barrier && run.tracker_alive(resplite_store::now_ms()) {
        wait_for_barrier(registry, Duration::from_secs(10))?;
    }
    let lease = Lease::claim(registry, "apply-dirty", &options.throttles)?;
    // Keys that failed before get one more try in each run.
    let id = run.run_id.clone();
    registry.store().write(move |writer| {
        writer.execute_sql(
            "UPDATE migration_dirty_keys SET state = 'dirty' WHERE run_id = ?1 AND state = 'error'",
            &[id.into()],
        )
    })?;
    let controls = SharedControls::new(&registry.require()?);
    let mut connection = source.connect(0)?;
    let facts = server_facts(&mut connection)?;
    let (expire_time, field_deadlines) = (facts.has_expire_time(), facts.has_field_deadlines());
    let chunk = if options.chunk_elements == 0 { 1000 } else { options.chunk_elements };
    let started = Instant::now();
    let seen_by = if options.until_clean { i64::MAX } else { resplite_store::now_ms() };
    let mut connections: BTreeMap<Db, redis::Connection> = BTreeMap::new();
    connections.insert(0, connection);
    let mut progress = ApplyProgress::default();
    let run_id = run.run_id.clone();
    loop {
        if interrupt() {
            controls.interrupt();
        }
        // Counting what is left walks the dirty index, so it is done at the polling pace,
        // not once per batch.
        let report_now = lease.poll_due();
        if report_now {
            controls.follow(&lease.poll()?);
        }
        progress.paused = controls.control() == Control::Pause;
        if !controls.wait_while_paused() {
            return Err(MigrateError::Stopped);
        }
        let limit = controls.batch_keys() as i64;
        let (id, batch) = (run_id.clone(), limit);
        let dirty =
            registry.store().read(move |reader| dirty_batch(reader, &id, seen_by, batch))?;
        if dirty.is_empty() {
            break;
        }
        if report_now {
            progress.remaining = remaining(registry, seen_by)?;
            progress.elapsed = started.elapsed();
            on_progress(&progress);
        }
        let mut by_db: BTreeMap<Db, Vec<DirtyKey>> = BTreeMap::new();
        for key in dirty {
            by_db.entry(key.db).or_default().push(key);
        }
        for (db, keys) in by_db {
            let connection = match connections.entry(db) {
                std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::btree_map::Entry::Vacant(entry) => {
                    entry.insert(source.connect(db)?)
                }
            };
            controls.throttle_or_stop(keys.len() as u64 * 3, interrupt);
            if controls.stopping() {
                return Err(MigrateError::Stopped);
            }
            let mut reader = SourceReader::new(connection, expire_time, chunk)
                .with_field_deadlines(field_deadlines);
            let names: Vec<Vec<u8>> = keys.iter().map(|key| key.key.clone()).collect();
            let reads = reader.read_keys(&names)?;
            let mut plain = Vec::new();
            for (dirty, read) in keys.into_iter().zip(reads) {
                match read {
                    KeyRead::Found(snapshot) if snapshot.more.is_some() => {
                        let reader = &mut reader;
                        apply_large(
                            registry,
                            reader,
                            &controls,
                            interrupt,
                            dirty,
                            snapshot,
                            &mut progress,
                        )?;
                    }
                    KeyRead::Changed => progress.changed_meanwhile += 1,
                    read => plain.push((dirty, read)),
                }
            }
            let outcome = write_batch(registry.store(), {
                let run_id = run_id.clone();
                move |writer| apply_batch(writer, &run_id, db, &plain)
            })?;
            progress.applied += outcome.applied;
            progress.deleted += outcome.deleted;
            progress.skipped += outcome.skipped;
            progress.failed += outcome.failed;
            progress.changed_meanwhile += outcome.changed_meanwhile;
        }
    }
    progress.remaining = remaining(registry, seen_by)?;
    progress.elapsed = started.elapsed();
    on_progress(&progress);
    drop(lease);
    Ok((registry.require()?, progress))
}

fn remaining(registry: &Registry, seen_by: i64) -> Result<u64> {
    let run_id = registry.run_id().to_owned();
    let rows = registry.store().read(move |reader| {
        reader.query_sql(
            "SELECT count(*) FROM migration_dirty_keys WHERE run_id = ?1 AND state = 'dirty' \
             AND last_seen_at <= ?2",
            &[run_id.into(), seen_by.into()],
        )
    })?;
    Ok(rows.first().and_then(|row| row.first()?.as_i64()).unwrap_or(0) as u64)
}

#[derive(Default)]
struct BatchOutcome {
    applied: u64,
    deleted: u64,
    skipped: u64,
    failed: u64,
    changed_meanwhile: u64,
}

/// Writes (or deletes) each key and settles its row, in one transaction.
fn apply_batch(
    writer: &mut Writer<'_>,
    run_id: &str,
    db: Db,
    keys: &[(DirtyKey, KeyRead)],
) -> resplite_store::Result<BatchOutcome> {
    let mut outcome = BatchOutcome::default();
    for (dirty, read) in keys {
        let written = writer.atomically(|writer| match read {
            KeyRead::Found(snapshot) => {
                replace_key(writer, db, &dirty.key, &snapshot.elements, snapshot.deadline)
                    .map(|_| "applied")
            }
            KeyRead::Missing => writer.delete(db, &[&dirty.key]).map(|_| "deleted"),
            // The destination must not keep an old value of a key the source now holds in
            // a type resplite cannot store.
            KeyRead::Unsupported(_) | KeyRead::Changed => {
                writer.delete(db, &[&dirty.key]).map(|_| "skipped")
            }
        });
        let state = match written {
            Ok(state) => state,
            Err(error) => {
                record_error(
                    writer,
                    run_id,
                    "apply-dirty",
                    Some((db, &dirty.key)),
                    &error.to_string(),
                )?;
                "error"
            }
        };
        if settle(writer, run_id, dirty, state)? {
            match state {
                "applied" => outcome.applied += 1,
                "deleted" => outcome.deleted += 1,
                "skipped" => outcome.skipped += 1,
                _ => outcome.failed += 1,
            }
        } else {
            outcome.changed_meanwhile += 1;
        }
    }
    add_to_counters(
        writer,
        run_id,
        &[
            ("dirty_keys_applied", outcome.applied as i64),
            ("dirty_keys_deleted", outcome.deleted as i64),
        ],
    )?;
    Ok(outcome)
}

/// Applies a large collection: its first chunk, then the rest chunk by chunk, settling the
/// row with the last chunk. Stopped between chunks, it leaves the row dirty, and the next
/// apply copies the key again from its start.
fn apply_large(
    registry: &Registry,
    reader: &mut SourceReader<'_>,
    controls: &SharedControls,
    interrupt: &dyn Fn() -> bool,
    dirty: DirtyKey,
    snapshot: KeySnapshot,
    progress: &mut ApplyProgress,
) -> Result<()> {
    let run_id = registry.run_id().to_owned();
    let db = dirty.db;
    let kind = snapshot.elements.kind();
    let mut more = snapshot.more;
    let (key, first) = (snapshot.key.clone(), snapshot);
    registry.store().write(move |writer| {
        replace_key(writer, db, &first.key, &first.elements, first.deadline).map(drop)
    })?;
    while let Some(from) = more {
        controls.throttle_or_stop(2, interrupt);
        if controls.stopping() {
            return Err(MigrateError::Stopped);
        }
        let NextChunk::Chunk(elements, next) = reader.read_more(&key, kind, from)? else {
            // Deleted or retyped meanwhile; its row stays dirty (an event came with the
            // change), so the next pass settles it.
            progress.changed_meanwhile += 1;
            return Ok(());
        };
        more = next;
        let (key, id) = (key.clone(), run_id.clone());
        let last = more.is_none();
        let dirty = dirty.clone();
        let settled = registry.store().write(move |writer| {
            append_chunk(writer, db, &key, &elements)?;
            if !last {
                return Ok(None);
            }
            let settled = settle(writer, &id, &dirty, "applied")?;
            if settled {
                add_to_counters(writer, &id, &[("dirty_keys_applied", 1)])?;
            }
            Ok(Some(settled))
        })?;
        match settled {
            Some(true) => progress.applied += 1,
            Some(false) => progress.changed_meanwhile += 1,
            None => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use resplite_store::Store;

    use super::*;
    use crate::dirty::{KeyEvents, record_events};
    use crate::snapshot::Elements;

    fn found(key: &[u8], elements: Elements) -> KeyRead {
        KeyRead::Found(KeySnapshot { key: key.to_vec(), deadline: None, elements, more: None })
    }

    /// As in the bulk copy: a key whose write fails after deleting what the destination held
    /// is left as it was and recorded as failed; the rest of the batch is applied.
    #[test]
    fn a_key_failing_after_a_change_is_undone_alone() {
        let dir = tempfile::tempdir().unwrap();
        let registry =
            Registry::open(Store::open(dir.path().join("apply.db")).unwrap(), "run").unwrap();
        registry.create_or_load("redis://source").unwrap();
        let names: [&[u8]; 3] = [b"first", b"held", b"new"];
        let events: Vec<KeyEvents> = names
            .iter()
            .map(|key| KeyEvents {
                db: 0,
                key: key.to_vec(),
                first_at: 1,
                last_at: 1,
                count: 1,
                last_event: "set".into(),
            })
            .collect();
        registry
            .store()
            .write(move |writer| {
                writer.set(0, b"held", b"old", Default::default())?;
                record_events(writer, "run", &events)
            })
            .unwrap();
        let dirty = registry.store().read(|reader| dirty_batch(reader, "run", i64::MAX, 10));
        let not_a_number = || Elements::ZSet(vec![(f64::NAN, b"member".to_vec())]);
        let keys: Vec<(DirtyKey, KeyRead)> = dirty
            .unwrap()
            .into_iter()
            .map(|dirty| {
                let read = match dirty.key.as_slice() {
                    b"first" => found(b"first", Elements::String(b"a".to_vec())),
                    key => found(key, not_a_number()),
                };
                (dirty, read)
            })
            .collect();
        assert_eq!(keys.len(), 3);
        let outcome =
            write_batch(registry.store(), move |writer| apply_batch(writer, "run", 0, &keys))
                .unwrap();
        assert_eq!((outcome.applied, outcome.failed), (1, 2));
        let value = |key: &'static [u8]| registry.store().read(move |reader| reader.get(0, key));
        assert_eq!(value(b"first").unwrap().as_deref(), Some(&b"a"[..]));
        assert_eq!(value(b"held").unwrap().as_deref(), Some(&b"old"[..]));
        assert_eq!(value(b"new").unwrap(), None);
    }
}
