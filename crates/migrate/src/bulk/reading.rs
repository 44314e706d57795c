//! The reading side of the bulk copy: the scanner that walks `SCAN` and numbers its
//! pages, and the reader threads that turn pages into batches of keys to commit.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use resplite_store::Db;

use super::{Batch, Counts, Entry, Page};
use crate::control::SharedControls;
use crate::error::{MigrateError, Result};
use crate::snapshot::{Continuation, KeyRead, Kind, NextChunk, SourceReader};
use crate::source::Source;

/// The scanner: walks `SCAN` over each database and hands out pages in order.
pub(super) fn scan_pages(
    source: &Source,
    dbs: &[Db],
    start_cursor: u64,
    controls: &SharedControls,
    pages: &Sender<Page>,
) -> Result<()> {
    let mut seq = 0;
    for (position, &db) in dbs.iter().enumerate() {
        let mut connection = source.connect(db)?;
        let mut cursor = if position == 0 { start_cursor } else { 0 };
        loop {
            if !controls.wait_while_paused() {
                return Ok(());
            }
            controls.throttle(1);
            let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("COUNT")
                .arg(controls.scan_count())
                .query(&mut connection)?;
            let after = if next != 0 {
                Some((i64::from(db), next))
            } else {
                dbs.get(position + 1).map(|&db| (i64::from(db), 0))
            };
            if pages.send(Page { seq, db, keys, next: after }).is_err() {
                return Ok(());
            }
            seq += 1;
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
    }
    Ok(())
}

/// A reader thread: turns pages into batches.
pub(super) struct PageReader<'a> {
    pub(super) source: &'a Source,
    pub(super) controls: &'a SharedControls,
    pub(super) scan_finished: &'a AtomicBool,
    /// The large collections this pass has streamed (or is streaming).
    pub(super) streamed: &'a Mutex<HashSet<(Db, Vec<u8>)>>,
    pub(super) expire_time: bool,
    /// Whether hash fields may have deadlines (a source of Redis 7.4 or later).
    pub(super) field_deadlines: bool,
    pub(super) chunk: usize,
    pub(super) index: usize,
}

impl PageReader<'_> {
    fn lock_streamed(&self) -> std::sync::MutexGuard<'_, HashSet<(Db, Vec<u8>)>> {
        self.streamed.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    pub(super) fn run(
        &self,
        pages: &Receiver<Page>,
        batches: &Sender<Result<Batch>>,
    ) -> Result<()> {
        let mut connection: Option<(Db, redis::Connection)> = None;
        loop {
            // Readers beyond the current concurrency wait without taking pages, until the
            // scanner is done.
            if self.index >= self.controls.max_concurrency() {
                if self.controls.stopping() || self.scan_finished.load(Ordering::Relaxed) {
                    return Ok(());
                }
                thread::sleep(Duration::from_millis(100));
                continue;
            }
            let page = match pages.recv_timeout(Duration::from_millis(100)) {
                Ok(page) => page,
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                    if self.controls.stopping() {
                        return Ok(());
                    }
                    continue;
                }
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(()),
            };
            if self.controls.stopping() {
                return Ok(());
            }
            let con = match &mut connection {
                Some((db, con)) if *db == page.db => con,
                _ => {
                    connection = Some((page.db, self.source.connect(page.db)?));
                    &mut connection.as_mut().expect("just connected").1
                }
            };
            if !self.read_page(con, page, batches)? {
                return Ok(());
            }
        }
    }

    /// Reads one page into batches; answers false when the copy is stopping.
    fn read_page(
        &self,
        connection: &mut redis::Connection,
        page: Page,
        batches: &Sender<Result<Batch>>,
    ) -> Result<bool> {
        let mut counts = Counts { scanned: page.keys.len() as i64, ..Counts::default() };
        let mut batch = Vec::new();
        let mut batch_bytes = 0;
        let step = self.controls.batch_keys().max(1);
        for keys in page.keys.chunks(step) {
            if !self.controls.wait_while_paused() {
                return Ok(false);
            }
            self.controls.throttle(keys.len() as u64 * 3);
            let mut reader = SourceReader::new(connection, self.expire_time, self.chunk)
                .with_field_deadlines(self.field_deadlines);
            let reads = read_with_retries(&mut reader, keys)?;
            for (key, read) in keys.iter().zip(reads) {
                match read {
                    KeyRead::Missing => {}
                    KeyRead::Unsupported(_) => {
                        counts.skipped += 1;
                        batch.push(Entry::Delete { key: key.clone() });
                    }
                    KeyRead::Changed => {
                        counts.errors += 1;
                        batch.push(Entry::Error {
                            key: key.clone(),
                            message: "type kept changing while being read".into(),
                        });
                    }
                    // SCAN may list a key twice; a large one is streamed only once per pass,
                    // or two readers' chunks could interleave.
                    KeyRead::Found(snapshot)
                        if snapshot.more.is_some()
                            && !self.lock_streamed().insert((page.db, key.clone())) => {}
                    KeyRead::Found(snapshot) => {
                        let bytes = snapshot.elements.byte_size();
                        batch_bytes += bytes;
                        counts.bytes += bytes as i64;
                        counts.migrated += 1;
                        let kind = snapshot.elements.kind();
                        let more = snapshot.more;
                        batch.push(Entry::Replace {
                            key: snapshot.key,
                            elements: snapshot.elements,
                            deadline: snapshot.deadline,
                        });
                        if let Some(from) = more {
                            // A large collection: send what is gathered, then its chunks.
                            self.send(batches, page.seq, page.db, std::mem::take(&mut batch))?;
                            batch_bytes = 0;
                            let streamed = self.stream_rest(
                                &mut reader,
                                key,
                                kind,
                                from,
                                page.seq,
                                page.db,
                                batches,
                            )?;
                            match streamed {
                                Streamed::Whole(bytes) => counts.bytes += bytes as i64,
                                Streamed::Gone => {
                                    // Deleted on the source between two chunks: what was
                                    // copied is part of a key that no longer exists.
                                    counts.migrated -= 1;
                                    batch.push(Entry::Delete { key: key.clone() });
                                }
                                Streamed::Changed => {
                                    // Its type changed between two chunks: what was copied
                                    // is part of a value the source no longer has.
                                    counts.migrated -= 1;
                                    counts.errors += 1;
                                    batch.push(Entry::Delete { key: key.clone() });
                                    batch.push(Entry::Error {
                                        key: key.clone(),
                                        message: "type changed while its chunks were being read"
                                            .into(),
                                    });
                                }
                            }
                        }
                    }
                }
                if batch.len() >= step || batch_bytes >= self.controls.batch_bytes() {
                    self.send(batches, page.seq, page.db, std::mem::take(&mut batch))?;
                    batch_bytes = 0;
                }
            }
        }
        let last = Batch {
            seq: page.seq,
            db: page.db,
            entries: batch,
            page_done: Some((counts, page.next)),
        };
        batches.send(Ok(last)).map_err(|_| MigrateError::Stopped)?;
        Ok(true)
    }

    /// Reads and sends the rest of a large collection chunk by chunk, until its last chunk
    /// or until the key is gone or holds another type.
    #[allow(clippy::too_many_arguments)]
    fn stream_rest(
        &self,
        reader: &mut SourceReader<'_>,
        key: &[u8],
        kind: Kind,
        mut from: Continuation,
        seq: u64,
        db: Db,
        batches: &Sender<Result<Batch>>,
    ) -> Result<Streamed> {
        let mut bytes = 0;
        loop {
            self.controls.throttle(2);
            let (elements, more) = match reader.read_more(key, kind, from)? {
                NextChunk::Chunk(elements, more) => (elements, more),
                NextChunk::Gone => return Ok(Streamed::Gone),
                NextChunk::Changed => return Ok(Streamed::Changed),
            };
            bytes += elements.byte_size();
            let entry = Entry::Append { key: key.to_vec(), elements };
            self.send(batches, seq, db, vec![entry])?;
            match more {
                Some(next) => from = next,
                None => return Ok(Streamed::Whole(bytes)),
            }
        }
    }

    fn send(
        &self,
        batches: &Sender<Result<Batch>>,
        seq: u64,
        db: Db,
        entries: Vec<Entry>,
    ) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        batches
            .send(Ok(Batch { seq, db, entries, page_done: None }))
            .map_err(|_| MigrateError::Stopped)
    }
}

/// How streaming the rest of a large collection ended.
enum Streamed {
    /// Every chunk was read; the bytes of those after the first.
    Whole(usize),
    /// The key was deleted on the source meanwhile.
    Gone,
    /// The key came to hold another type meanwhile.
    Changed,
}

/// Reads keys, retrying those whose type changed between the two round trips (twice).
fn read_with_retries(reader: &mut SourceReader<'_>, keys: &[Vec<u8>]) -> Result<Vec<KeyRead>> {
    let mut reads = reader.read_keys(keys)?;
    for _ in 0..2 {
        let changed: Vec<usize> =
            (0..reads.len()).filter(|&i| reads[i] == KeyRead::Changed).collect();
        if changed.is_empty() {
            break;
        }
        let again: Vec<Vec<u8>> = changed.iter().map(|&i| keys[i].clone()).collect();
        for (index, read) in changed.into_iter().zip(reader.read_keys(&again)?) {
            reads[index] = read;
        }
    }
    Ok(reads)
}
