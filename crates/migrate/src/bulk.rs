//! The bulk copy: every key of the chosen databases, read page by page with `SCAN` and
//! written into the destination, resumable exactly.
//!
//! Three kinds of thread share the work. A scanner walks `SCAN` and hands out numbered pages;
//! readers (`max_concurrency` of them, each with its own connection) read a page's keys and
//! turn them into batches of at most `batch_keys` keys and `batch_bytes` bytes; the calling
//! thread commits the batches. A page's keys may be committed in several transactions and
//! pages may finish out of order, so the checkpoint (the `SCAN` position after a page, and the
//! counters of every page up to it) only moves over pages that are complete with all pages
//! before them, and it is written in the same transaction as the batch that completes them.
//! A crash at any moment therefore resumes at a page boundary whose counters are exact;
//! pages after it are read and written again, which is harmless because every write replaces
//! the whole key.
//!
//! A pass after the first (`--rescan`) ends by *pruning*: destination keys that no longer
//! exist in the source are deleted, so the pass also covers deletions a tracker gap missed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, bounded};
use resplite_store::{Db, ScanOptions, SqlValue, Store, Writer};

use crate::control::{Control, Lease, MAX_CONCURRENCY, SharedControls, Throttles};
use crate::destination::{append_chunk, replace_key, write_batch};
use crate::error::{MigrateError, Result};
use crate::registry::{Registry, Run, record_error, update_run};
use crate::snapshot::Elements;
use crate::source::{ServerFacts, Source, database_count, refuse_cluster, server_facts};

mod reading;

use reading::{PageReader, scan_pages};

/// `scan_db` while a pass prunes (its copy is done).
const PRUNING: i64 = -1;

/// How a bulk copy runs.
#[derive(Clone, Debug, Default)]
pub struct BulkOptions {
    /// The logical databases to copy; `None` for all of them.
    pub dbs: Option<Vec<Db>>,
    /// Continue an unfinished pass from its checkpoint instead of starting it over.
    pub resume: bool,
    /// Start a new pass over a completed run (and prune keys the source no longer has).
    pub rescan: bool,
    /// Elements per chunk of a large collection (0: 1,000).
    pub chunk_elements: usize,
    /// Throttles to set before starting.
    pub throttles: Throttles,
}

/// Live figures of a bulk copy, for progress displays.
#[derive(Clone, Debug, Default)]
pub struct BulkProgress {
    /// Keys read from `SCAN` and handled (committed ones and those in flight).
    pub scanned_keys: u64,
    /// Keys written.
    pub migrated_keys: u64,
    /// Keys of types resplite does not store.
    pub skipped_keys: u64,
    /// Keys that failed.
    pub error_keys: u64,
    /// Value bytes written.
    pub migrated_bytes: u64,
    /// Keys pruned (rescans only).
    pub pruned_keys: u64,
    /// Keys in the source when the copy started (`INFO keyspace`), for an ETA.
    pub total_keys: u64,
    /// The database being scanned.
    pub db: i64,
    /// Time since this process started the copy.
    pub elapsed: Duration,
    /// Whether a `pause` is holding the copy.
    pub paused: bool,
}

/// How a bulk copy ended.
#[derive(Clone, Debug)]
pub struct BulkReport {
    /// The run row afterwards.
    pub run: Run,
    /// The final figures of this process's work.
    pub progress: BulkProgress,
}

/// Per-page figures, committed with the checkpoint.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    scanned: i64,
    migrated: i64,
    skipped: i64,
    errors: i64,
    bytes: i64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.scanned += other.scanned;
        self.migrated += other.migrated;
        self.skipped += other.skipped;
        self.errors += other.errors;
        self.bytes += other.bytes;
    }
}

/// A page of `SCAN`: its keys and where the scan stands after it.
struct Page {
    seq: u64,
    db: Db,
    keys: Vec<Vec<u8>>,
    /// The checkpoint after this page: `(db, cursor)`, or `None` when it ends the copy.
    next: Option<(i64, u64)>,
}

/// What to do with one key in a batch.
enum Entry {
    Replace {
        key: Vec<u8>,
        elements: Elements,
        deadline: Option<i64>,
    },
    Append {
        key: Vec<u8>,
        elements: Elements,
    },
    /// The source holds a type resplite does not store: the destination must not keep an
    /// older value under that name.
    Delete {
        key: Vec<u8>,
    },
    Error {
        key: Vec<u8>,
        message: String,
    },
}

/// Keys for one destination transaction.
struct Batch {
    seq: u64,
    db: Db,
    entries: Vec<Entry>,
    /// Set on a page's last batch: the page's figures and the checkpoint after it.
    page_done: Option<(Counts, Option<(i64, u64)>)>,
}

/// Copies every key of the chosen databases from `source` into the run's destination.
///
/// `on_progress` is called about every quarter second. Returns when the pass is complete,
/// or with [`MigrateError::Stopped`] after an abort or [`SharedControls::interrupt`]
/// (everything committed until then is kept and `--resume` continues from it).
pub fn run_bulk(
    source: &Source,
    registry: &Registry,
    options: &BulkOptions,
    interrupt: &dyn Fn() -> bool,
    on_progress: &mut dyn FnMut(&BulkProgress),
) -> Result<BulkReport> {
    let mut probe = source.connect(0)?;
    let facts = server_facts(&mut probe)?;
    refuse_cluster(&facts)?;
    let dbs: Vec<Db> = match &options.dbs {
        Some(dbs) => dbs.clone(),
        None => (0..database_count(&mut probe)).collect(),
    };
    let run = registry.create_or_load(source.redacted())?;
    let lease = Lease::claim(registry, "bulk", &options.throttles)?;
    let run = start_pass(&lease, &run, &dbs, options)?;
    let controls = Arc::new(SharedControls::new(&run));
    let total_keys = dbs.iter().map(|db| facts.keyspace.get(db).copied().unwrap_or(0)).sum();
    let mut copy = Copy {
        lease: &lease,
        controls: controls.clone(),
        committed: committed_counts(&run),
        started: Instant::now(),
        total_keys,
        redirty: run.dirty_keys_applied + run.dirty_keys_deleted > 0,
        progress: BulkProgress::default(),
    };
    let outcome = if run.scan_db == PRUNING {
        Ok(())
    } else {
        copy.copy_pages(source, &run, &dbs, options, &facts, interrupt, on_progress)
    };
    let outcome = outcome.and_then(|()| {
        if run.pass_prunes { copy.prune(source, &dbs, interrupt, on_progress) } else { Ok(()) }
    });
    let status = match &outcome {
        Ok(()) => "completed",
        Err(MigrateError::Stopped) if controls.interrupted() || interrupt() => "interrupted",
        Err(MigrateError::Stopped) => "aborted",
        Err(_) => "failed",
    };
    let mut assignments = vec![("bulk_status", SqlValue::from(status))];
    if status == "completed" {
        let now = resplite_store::now_ms();
        assignments.push(("bulk_completed_at", now.into()));
        // Only a pass over every database (what the tracker watches) covers gaps.
        if run.pass_dbs == "all" {
            assignments.push(("completed_pass_started_at", run.pass_started_at.into()));
        }
        assignments.push(("scan_cursor", "0".into()));
    }
    if let Err(error) = &outcome
        && !matches!(error, MigrateError::Stopped)
    {
        let _ = registry.record_error("bulk", None, &error.to_string());
    }
    registry.update(&assignments)?;
    outcome?;
    on_progress(&copy.progress);
    Ok(BulkReport { run: registry.require()?, progress: copy.progress })
}

/// Decides where the pass starts and records it.
fn start_pass(lease: &Lease, run: &Run, dbs: &[Db], options: &BulkOptions) -> Result<Run> {
    let registry = lease.registry();
    let now = resplite_store::now_ms();
    let first_db = i64::from(dbs.first().copied().unwrap_or(0));
    let pass_dbs = match &options.dbs {
        None => "all".to_owned(),
        Some(dbs) => dbs.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
    };
    // A pass must delete what the source no longer has whenever the destination already
    // holds keys it did not copy itself (a later pass, a restarted one, a non-empty file).
    let stats = registry.store().read(|reader| reader.keyspace_stats())?;
    let destination_has_keys = stats.iter().any(|db| dbs.contains(&db.db) && db.keys > 0);
    let fresh_pass = |pass: i64| -> Vec<(&'static str, SqlValue)> {
        vec![
            ("pass", pass.into()),
            ("pass_started_at", now.into()),
            ("pass_dbs", pass_dbs.clone().into()),
            ("pass_prunes", i64::from(pass > 0 || destination_has_keys).into()),
            ("scan_db", first_db.into()),
            ("scan_cursor", "0".into()),
            ("scanned_keys", 0i64.into()),
            ("migrated_keys", 0i64.into()),
            ("skipped_keys", 0i64.into()),
            ("error_keys", 0i64.into()),
            ("migrated_bytes", 0i64.into()),
            ("pruned_keys", 0i64.into()),
        ]
    };
    let mut assignments = match run.bulk_status.as_str() {
        "completed" if !options.rescan => {
            return Err(MigrateError::Refused(format!(
                "the bulk copy of run {} is complete; pass --rescan to copy everything again \
                 (needed to cover a tracker gap)",
                run.run_id
            )));
        }
        "completed" => fresh_pass(run.pass + 1),
        "pending" => fresh_pass(0),
        _ if options.resume && run.pass_started_at.is_some() => {
            if run.pass_dbs != pass_dbs {
                return Err(MigrateError::Refused(format!(
                    "the interrupted pass copies databases {}; resume it with the same --db \
                     (or start it over without --resume)",
                    run.pass_dbs
                )));
            }
            Vec::new()
        }
        _ => fresh_pass(run.pass),
    };
    assignments.push(("bulk_status", "running".into()));
    registry.update(&assignments)?;
    registry.require()
}

fn committed_counts(run: &Run) -> Counts {
    Counts {
        scanned: run.scanned_keys,
        migrated: run.migrated_keys,
        skipped: run.skipped_keys,
        errors: run.error_keys,
        bytes: run.migrated_bytes,
    }
}

/// The state of one bulk copy on the committing thread.
struct Copy<'a> {
    lease: &'a Lease,
    controls: Arc<SharedControls>,
    committed: Counts,
    started: Instant,
    total_keys: u64,
    /// Whether a delta apply has run, so that keys it applied and this copy overwrites with
    /// possibly older values must be marked dirty again.
    redirty: bool,
    progress: BulkProgress,
}

impl Copy<'_> {
    #[allow(clippy::too_many_arguments)]
    fn copy_pages(
        &mut self,
        source: &Source,
        run: &Run,
        dbs: &[Db],
        options: &BulkOptions,
        facts: &ServerFacts,
        interrupt: &dyn Fn() -> bool,
        on_progress: &mut dyn FnMut(&BulkProgress),
    ) -> Result<()> {
        let start_db = run.scan_db;
        let start_cursor: u64 = run.scan_cursor.parse().unwrap_or(0);
        let remaining: Vec<Db> =
            dbs.iter().copied().filter(|db| i64::from(*db) >= start_db).collect();
        let (page_tx, page_rx) = bounded::<Page>(MAX_CONCURRENCY);
        let (batch_tx, batch_rx) = bounded::<Result<Batch>>(8);
        let chunk = if options.chunk_elements == 0 { 1000 } else { options.chunk_elements };
        let (expire_time, field_deadlines) = (facts.has_expire_time(), facts.has_field_deadlines());
        let controls_handle = self.controls.clone();
        let controls: &SharedControls = &controls_handle;
        let scan_finished = AtomicBool::new(false);
        let scan_finished = &scan_finished;
        let streamed = Mutex::new(HashSet::new());
        let streamed = &streamed;
        thread::scope(|scope| -> Result<()> {
            let scanner_batches = batch_tx.clone();
            scope.spawn(move || {
                let outcome = scan_pages(source, &remaining, start_cursor, controls, &page_tx);
                scan_finished.store(true, Ordering::Relaxed);
                if let Err(error) = outcome {
                    controls.interrupt();
                    let _ = scanner_batches.send(Err(error));
                }
            });
            for index in 0..MAX_CONCURRENCY {
                let (pages, batches) = (page_rx.clone(), batch_tx.clone());
                scope.spawn(move || {
                    let reader = PageReader {
                        source,
                        controls,
                        scan_finished,
                        streamed,
                        expire_time,
                        field_deadlines,
                        chunk,
                        index,
                    };
                    if let Err(error) = reader.run(&pages, &batches) {
                        controls.interrupt();
                        let _ = batches.send(Err(error));
                    }
                });
            }
            drop((page_rx, batch_tx));
            let outcome = self.commit_batches(&batch_rx, interrupt, on_progress);
            if outcome.as_ref().is_err_and(|error| !matches!(error, MigrateError::Stopped)) {
                // The committer gave up early: readers blocked on the full channel must see
                // it close, or the scope waits for them forever.
                controls.interrupt();
            }
            drop(batch_rx);
            outcome
        })
    }

    /// Commits batches as they arrive, moving the checkpoint over completed pages.
    fn commit_batches(
        &mut self,
        batches: &Receiver<Result<Batch>>,
        interrupt: &dyn Fn() -> bool,
        on_progress: &mut dyn FnMut(&BulkProgress),
    ) -> Result<()> {
        let mut failure = None;
        // Pages finished but not yet checkpointed, by sequence number.
        let mut finished: BTreeMap<u64, (Counts, Option<(i64, u64)>)> = BTreeMap::new();
        let mut next_seq = 0;
        let mut finished_copy = false;
        let mut in_flight = Counts::default();
        // Keys whose write failed, by page, until the checkpoint moves over their page.
        let mut failed_by_page: HashMap<u64, i64> = HashMap::new();
        loop {
            if interrupt() {
                self.controls.interrupt();
            }
            if self.lease.poll_due() {
                let run = self.lease.poll()?;
                self.redirty |= run.dirty_keys_applied + run.dirty_keys_deleted > 0;
                self.controls.follow(&run);
                self.report(&in_flight, on_progress);
            }
            let batch = match batches.recv_timeout(Duration::from_millis(50)) {
                Ok(Ok(batch)) => batch,
                Ok(Err(error)) => {
                    failure.get_or_insert(error);
                    continue;
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => continue,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            };
            if let Some((counts, next)) = batch.page_done {
                finished.insert(batch.seq, (counts, next));
                in_flight.add(&counts);
            }
            // The checkpoint moves over every page now complete along with all before it.
            let mut checkpoint = None;
            let mut advanced = Counts::default();
            while let Some((counts, next)) = finished.remove(&next_seq) {
                advanced.add(&counts);
                let failed = failed_by_page.remove(&next_seq).unwrap_or(0);
                advanced.migrated -= failed;
                advanced.errors += failed;
                checkpoint = Some(next);
                next_seq += 1;
            }
            let mut committed = self.committed;
            committed.add(&advanced);
            finished_copy |= matches!(checkpoint, Some(None));
            let seq = batch.seq;
            let checkpoint = checkpoint.map(|next| (committed, next));
            // A batch that moves the checkpoint completes its own page, so its own failures
            // are counted in the same transaction.
            let failed = self.write_batch(batch, checkpoint)?;
            if checkpoint.is_some() {
                committed.migrated -= failed;
                committed.errors += failed;
            } else if failed > 0 {
                *failed_by_page.entry(seq).or_default() += failed;
            }
            self.committed = committed;
            in_flight = subtract(&in_flight, &advanced);
        }
        self.report(&in_flight, on_progress);
        if let Some(error) = failure {
            return Err(error);
        }
        if !finished_copy {
            return Err(MigrateError::Stopped);
        }
        Ok(())
    }

    /// Commits a batch (and the checkpoint it completes); answers how many of its keys
    /// failed to be written.
    fn write_batch(
        &mut self,
        batch: Batch,
        checkpoint: Option<(Counts, Option<(i64, u64)>)>,
    ) -> Result<i64> {
        let registry = self.lease.registry();
        let run_id = registry.run_id().to_owned();
        write_entries(registry.store(), run_id, batch, self.redirty, checkpoint)
    }

    fn report(&mut self, in_flight: &Counts, on_progress: &mut dyn FnMut(&BulkProgress)) {
        let mut total = self.committed;
        total.add(in_flight);
        self.progress.scanned_keys = total.scanned as u64;
        self.progress.migrated_keys = total.migrated as u64;
        self.progress.skipped_keys = total.skipped as u64;
        self.progress.error_keys = total.errors as u64;
        self.progress.migrated_bytes = total.bytes as u64;
        self.progress.total_keys = self.total_keys;
        self.progress.elapsed = self.started.elapsed();
        self.progress.paused = self.controls.control() == Control::Pause;
        on_progress(&self.progress);
    }

    /// Deletes destination keys that the source no longer has, database by database.
    fn prune(
        &mut self,
        source: &Source,
        dbs: &[Db],
        interrupt: &dyn Fn() -> bool,
        on_progress: &mut dyn FnMut(&BulkProgress),
    ) -> Result<()> {
        let registry = self.lease.registry().clone();
        registry.update(&[("scan_db", PRUNING.into())])?;
        for &db in dbs {
            let mut connection = source.connect(db)?;
            let mut cursor = 0;
            loop {
                if interrupt() || !self.controls.wait_while_paused() {
                    return Err(MigrateError::Stopped);
                }
                if self.lease.poll_due() {
                    self.controls.follow(&self.lease.poll()?);
                }
                let options = ScanOptions { pattern: None, count: 1000, key_type: None };
                let page = registry.store().read(|reader| reader.scan(db, cursor, &options))?;
                if !page.keys.is_empty() {
                    let mut pipe = redis::pipe();
                    for key in &page.keys {
                        pipe.cmd("EXISTS").arg(key);
                    }
                    self.controls.throttle_or_stop(page.keys.len() as u64, interrupt);
                    if self.controls.stopping() {
                        return Err(MigrateError::Stopped);
                    }
                    let exists: Vec<i64> = pipe.query(&mut connection)?;
                    let gone: Vec<Vec<u8>> = page
                        .keys
                        .into_iter()
                        .zip(exists)
                        .filter_map(|(key, exists)| (exists == 0).then_some(key))
                        .collect();
                    if !gone.is_empty() {
                        let (run_id, count) = (registry.run_id().to_owned(), gone.len() as i64);
                        registry.store().write(move |writer| {
                            writer.delete(db, &gone)?;
                            crate::registry::add_to_counters(
                                writer,
                                &run_id,
                                &[("pruned_keys", count)],
                            )
                        })?;
                        self.progress.pruned_keys += count as u64;
                        on_progress(&self.progress);
                    }
                }
                cursor = page.cursor;
                if cursor == 0 {
                    break;
                }
            }
        }
        Ok(())
    }
}

/// Writes a batch's entries (and the checkpoint it completes) in one commit (see
/// [`write_batch`]); answers how many of its keys failed to be written.
fn write_entries(
    store: &Store,
    run_id: String,
    batch: Batch,
    redirty: bool,
    checkpoint: Option<(Counts, Option<(i64, u64)>)>,
) -> Result<i64> {
    let db = batch.db;
    let failed = write_batch(store, move |writer| {
        let mut failed = 0;
        for entry in &batch.entries {
            failed += i64::from(write_entry(writer, &run_id, db, entry, redirty)?);
        }
        if let Some((mut counts, next)) = checkpoint {
            counts.migrated -= failed;
            counts.errors += failed;
            update_run(writer, &run_id, &checkpoint_assignments(&counts, next))?;
        }
        Ok(failed)
    })?;
    Ok(failed)
}

fn subtract(total: &Counts, part: &Counts) -> Counts {
    Counts {
        scanned: total.scanned - part.scanned,
        migrated: total.migrated - part.migrated,
        skipped: total.skipped - part.skipped,
        errors: total.errors - part.errors,
        bytes: total.bytes - part.bytes,
    }
}

fn checkpoint_assignments(
    counts: &Counts,
    next: Option<(i64, u64)>,
) -> Vec<(&'static str, SqlValue)> {
    let (db, cursor) = next.unwrap_or((PRUNING, 0));
    vec![
        ("scan_db", db.into()),
        ("scan_cursor", cursor.to_string().into()),
        ("scanned_keys", counts.scanned.into()),
        ("migrated_keys", counts.migrated.into()),
        ("skipped_keys", counts.skipped.into()),
        ("error_keys", counts.errors.into()),
        ("migrated_bytes", counts.bytes.into()),
    ]
}

/// Writes one batch entry as one atomic step, so a key that fails is recorded and the rest
/// of the batch still commits (the batch runs as a replayable write: a key that fails after
/// writing something has the batch run again with a savepoint per key). Answers whether writing it failed. A key that could not
/// be copied is registered as a failed dirty key, so the status stays unsafe until a delta
/// apply copies it.
fn write_entry(
    writer: &mut Writer<'_>,
    run_id: &str,
    db: Db,
    entry: &Entry,
    redirty: bool,
) -> resplite_store::Result<bool> {
    let (key, outcome) = match entry {
        Entry::Replace { key, elements, deadline } => (
            key,
            writer.atomically(|writer| replace_key(writer, db, key, elements, *deadline).map(drop)),
        ),
        Entry::Append { key, elements } => {
            (key, writer.atomically(|writer| append_chunk(writer, db, key, elements).map(drop)))
        }
        Entry::Delete { key } => {
            (key, writer.atomically(|writer| writer.delete(db, &[key]).map(drop)))
        }
        Entry::Error { key, message } => {
            record_error(writer, run_id, "bulk", Some((db, key)), message)?;
            crate::dirty::mark_failed(writer, run_id, db, key)?;
            return Ok(false);
        }
    };
    if let Err(error) = outcome {
        record_error(writer, run_id, "bulk", Some((db, key)), &error.to_string())?;
        crate::dirty::mark_failed(writer, run_id, db, key)?;
        return Ok(matches!(entry, Entry::Replace { .. }));
    }
    if redirty {
        crate::dirty::mark_redirty(writer, run_id, db, key)?;
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(key: &str, value: &str) -> Entry {
        let elements = Elements::String(value.as_bytes().to_vec());
        Entry::Replace { key: key.as_bytes().to_vec(), elements, deadline: None }
    }

    fn get(registry: &Registry, key: &'static str) -> Option<Vec<u8>> {
        registry.store().read(move |reader| reader.get(0, key.as_bytes())).unwrap()
    }

    /// A key that fails after its write changed something (here: deleting what the
    /// destination held, then a score that is not a number) has the batch run again with a
    /// savepoint per key: that key is left as it was and recorded, the others commit.
    #[test]
    fn a_key_failing_after_a_change_is_undone_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("bulk.db")).unwrap();
        let registry = Registry::open(store, "run").unwrap();
        registry.create_or_load("redis://source").unwrap();
        registry
            .store()
            .write(|writer| writer.set(0, b"held", b"old", Default::default()))
            .unwrap();
        let not_a_number = |key: &str| Entry::Replace {
            key: key.as_bytes().to_vec(),
            elements: Elements::ZSet(vec![(f64::NAN, b"member".to_vec())]),
            deadline: None,
        };
        let entries = vec![
            replace("first", "a"),
            not_a_number("held"),
            replace("last", "c"),
            not_a_number("new"),
        ];
        let batch = Batch { seq: 0, db: 0, entries, page_done: None };
        let failed = write_entries(registry.store(), "run".into(), batch, false, None).unwrap();
        assert_eq!(failed, 2);
        assert_eq!(get(&registry, "first").as_deref(), Some(&b"a"[..]));
        assert_eq!(get(&registry, "held").as_deref(), Some(&b"old"[..]));
        assert_eq!(get(&registry, "last").as_deref(), Some(&b"c"[..]));
        assert_eq!(get(&registry, "new"), None);
        let errors = registry
            .store()
            .read(|reader| reader.query_sql("SELECT key FROM migration_errors ORDER BY key", &[]))
            .unwrap();
        let keys: Vec<SqlValue> = errors.into_iter().flatten().collect();
        assert_eq!(keys, [SqlValue::from(&b"held"[..]), SqlValue::from(&b"new"[..])]);
    }
}
