//! Verification: compares keys of the source and the destination — type, whole value and
//! deadline — in both directions.
//!
//! From the source side every checked key must exist in the destination with the same type,
//! the same value and a deadline within the tolerance. Large collections are compared chunk
//! by chunk (each source chunk looked up in the destination, then the lengths), so memory
//! stays bounded. From the destination side every checked key must exist in the source
//! (otherwise it is *extra*). `Full` checks every key both ways; a sample checks random keys
//! of each database, in proportion to its size.
//!
//! Run it while the source is frozen (or has stopped changing): a key written between the
//! two reads shows up as a difference.

use std::collections::BTreeMap;

use resplite_store::{Db, Deadline, KeyType, Reader, ScanOptions, Store};

use crate::error::Result;
use crate::snapshot::{
    Continuation, Elements, FieldDeadlines, KeyRead, Kind, NextChunk, SourceReader,
};
use crate::source::{Source, database_count, server_facts};

/// How many keys to check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sample {
    /// Every key, both ways.
    Full,
    /// This many random keys from each side (spread over the databases by size).
    Count(u64),
    /// This fraction (0 to 1) of the keys of each side.
    Fraction(f64),
}

impl Sample {
    /// Parses `--sample`: `10000`, `0.5%`, or `full`.
    pub fn parse(text: &str) -> Option<Sample> {
        if text.eq_ignore_ascii_case("full") {
            return Some(Sample::Full);
        }
        if let Some(percent) = text.strip_suffix('%') {
            let percent: f64 = percent.trim().parse().ok()?;
            return (percent > 0.0 && percent <= 100.0)
                .then_some(Sample::Fraction(percent / 100.0));
        }
        text.trim().parse().ok().filter(|count| *count > 0).map(Sample::Count)
    }
}

/// How verification runs.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// Which keys to check.
    pub sample: Sample,
    /// The largest accepted difference between two deadlines, in milliseconds.
    pub ttl_tolerance_ms: i64,
    /// The most differences kept in the report (all are counted).
    pub max_reported: usize,
    /// The databases to check; `None` for all.
    pub dbs: Option<Vec<Db>>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            sample: Sample::Count(10_000),
            ttl_tolerance_ms: 2_000,
            max_reported: 20,
            dbs: None,
        }
    }
}

/// How a key differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DifferenceKind {
    /// In the source, not in the destination.
    Missing,
    /// In the destination, not in the source.
    Extra,
    /// Another type on each side.
    Type,
    /// Same type, other value.
    Value,
    /// Deadlines differ by more than the tolerance, or only one side has one.
    Ttl,
    /// The source holds a type resplite does not store.
    Unsupported,
}

impl DifferenceKind {
    /// A short name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            DifferenceKind::Missing => "missing",
            DifferenceKind::Extra => "extra",
            DifferenceKind::Type => "type",
            DifferenceKind::Value => "value",
            DifferenceKind::Ttl => "ttl",
            DifferenceKind::Unsupported => "unsupported",
        }
    }
}

/// One difference found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The database.
    pub db: Db,
    /// The key.
    pub key: Vec<u8>,
    /// How it differs.
    pub kind: DifferenceKind,
    /// Details for a person.
    pub detail: String,
}

/// What verification found.
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    /// Source keys checked against the destination.
    pub source_keys_checked: u64,
    /// Destination keys checked against the source.
    pub destination_keys_checked: u64,
    /// Differences found, by kind (unsupported source types are counted, not differences).
    pub counts: BTreeMap<&'static str, u64>,
    /// The first differences found.
    pub differences: Vec<Difference>,
}

impl VerifyReport {
    /// Differences found, unsupported types excluded.
    pub fn difference_count(&self) -> u64 {
        self.counts.iter().filter(|(kind, _)| **kind != "unsupported").map(|(_, n)| n).sum()
    }

    fn note(&mut self, difference: Difference, limit: usize) {
        *self.counts.entry(difference.kind.name()).or_default() += 1;
        if difference.kind != DifferenceKind::Unsupported && self.differences.len() < limit {
            self.differences.push(difference);
        }
    }
}

/// Compares the source with the destination store.
pub fn verify(
    source: &Source,
    store: &Store,
    options: &VerifyOptions,
    on_progress: &mut dyn FnMut(&VerifyReport),
) -> Result<VerifyReport> {
    let mut connection = source.connect(0)?;
    let facts = server_facts(&mut connection)?;
    let dbs: Vec<Db> = match &options.dbs {
        Some(dbs) => dbs.clone(),
        None => (0..database_count(&mut connection)).collect(),
    };
    let mut report = VerifyReport::default();
    let source_sizes: Vec<u64> =
        dbs.iter().map(|db| facts.keyspace.get(db).copied().unwrap_or(0)).collect();
    let destination_sizes: Vec<u64> =
        dbs.iter().map(|&db| store.read(|reader| reader.db_size(db))).collect::<Result<_, _>>()?;
    let (source_total, destination_total) =
        (source_sizes.iter().sum(), destination_sizes.iter().sum());
    for (index, &db) in dbs.iter().enumerate() {
        let mut connection = source.connect(db)?;
        let source_wanted = sample_size(options.sample, source_sizes[index], source_total);
        let destination_wanted =
            sample_size(options.sample, destination_sizes[index], destination_total);
        let mut checker = Checker {
            reader: SourceReader::new(&mut connection, facts.has_expire_time(), 1000)
                .with_field_deadlines(facts.has_field_deadlines()),
            store,
            db,
            options,
        };
        checker.check_source_keys(source_wanted, &mut report, on_progress)?;
        checker.check_destination_keys(destination_wanted, &mut report, on_progress)?;
    }
    Ok(report)
}

fn sample_size(sample: Sample, keys: u64, total: u64) -> u64 {
    match sample {
        Sample::Full => keys,
        Sample::Count(count) if total == 0 => count.min(keys),
        Sample::Count(count) => count.saturating_mul(keys).div_ceil(total.max(1)).min(keys),
        Sample::Fraction(fraction) => ((keys as f64 * fraction).ceil() as u64).min(keys),
    }
}

struct Checker<'a, 'c> {
    reader: SourceReader<'c>,
    store: &'a Store,
    db: Db,
    options: &'a VerifyOptions,
}

impl Checker<'_, '_> {
    /// Checks `wanted` random source keys, or with `Sample::Full` every one `SCAN` returns.
    fn check_source_keys(
        &mut self,
        wanted: u64,
        report: &mut VerifyReport,
        on_progress: &mut dyn FnMut(&VerifyReport),
    ) -> Result<()> {
        let full = self.options.sample == Sample::Full;
        let mut cursor = 0u64;
        let mut checked = 0;
        while full || checked < wanted {
            let names: Vec<Vec<u8>> = if self.options.sample == Sample::Full {
                let (next, names): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("COUNT")
                    .arg(1000)
                    .query(self.reader.connection())?;
                cursor = next;
                names
            } else {
                let mut pipe = redis::pipe();
                for _ in 0..(wanted - checked).min(500) {
                    pipe.cmd("RANDOMKEY");
                }
                let names: Vec<Option<Vec<u8>>> = pipe.query(self.reader.connection())?;
                names.into_iter().flatten().collect()
            };
            checked += names.len().max(1) as u64;
            for (name, read) in names.iter().zip(self.reader.read_keys(&names)?) {
                report.source_keys_checked += 1;
                self.compare(name, read, report)?;
            }
            on_progress(report);
            if full && cursor == 0 {
                break;
            }
        }
        Ok(())
    }

    /// Checks `wanted` random destination keys, or with `Sample::Full` every key.
    fn check_destination_keys(
        &mut self,
        wanted: u64,
        report: &mut VerifyReport,
        on_progress: &mut dyn FnMut(&VerifyReport),
    ) -> Result<()> {
        let full = self.options.sample == Sample::Full;
        let db = self.db;
        let mut cursor = 0u64;
        let mut checked = 0;
        while full || checked < wanted {
            let names: Vec<Vec<u8>> = if self.options.sample == Sample::Full {
                let options = ScanOptions { pattern: None, count: 1000, key_type: None };
                let page = self.store.read(|reader| reader.scan(db, cursor, &options))?;
                cursor = page.cursor;
                page.keys
            } else {
                let count = (wanted - checked).min(500);
                self.store.read(|reader| {
                    (0..count).filter_map(|_| reader.random_key(db).transpose()).collect()
                })?
            };
            checked += names.len().max(1) as u64;
            if self.options.sample == Sample::Full {
                // Values were compared from the source side; only existence is left.
                let mut pipe = redis::pipe();
                for name in &names {
                    pipe.cmd("EXISTS").arg(name);
                }
                let exists: Vec<i64> = if names.is_empty() {
                    Vec::new()
                } else {
                    pipe.query(self.reader.connection())?
                };
                for (name, exists) in names.iter().zip(exists) {
                    report.destination_keys_checked += 1;
                    if exists == 0 {
                        self.extra(name, report);
                    }
                }
            } else {
                for (name, read) in names.iter().zip(self.reader.read_keys(&names)?) {
                    report.destination_keys_checked += 1;
                    if read == KeyRead::Missing {
                        self.extra(name, report);
                    } else {
                        self.compare(name, read, report)?;
                    }
                }
            }
            on_progress(report);
            if full && cursor == 0 {
                break;
            }
        }
        Ok(())
    }

    fn extra(&self, name: &[u8], report: &mut VerifyReport) {
        let difference = Difference {
            db: self.db,
            key: name.to_vec(),
            kind: DifferenceKind::Extra,
            detail: "in the destination but not in the source".into(),
        };
        report.note(difference, self.options.max_reported);
    }

    /// Compares one source key with the destination.
    fn compare(&mut self, name: &[u8], read: KeyRead, report: &mut VerifyReport) -> Result<()> {
        let db = self.db;
        let limit = self.options.max_reported;
        let found = match read {
            KeyRead::Found(snapshot) => snapshot,
            // Gone since it was listed (it expired or was deleted): nothing to compare.
            KeyRead::Missing | KeyRead::Changed => return Ok(()),
            KeyRead::Unsupported(type_name) => {
                if self.store.read(|reader| reader.key_type(db, name))?.is_some() {
                    let detail = format!(
                        "the source now holds a {type_name}; the destination still has a value"
                    );
                    let difference =
                        Difference { db, key: name.to_vec(), kind: DifferenceKind::Type, detail };
                    report.note(difference, limit);
                }
                let detail =
                    format!("the source holds a {type_name}, which resplite does not store");
                report.note(
                    Difference {
                        db,
                        key: name.to_vec(),
                        kind: DifferenceKind::Unsupported,
                        detail,
                    },
                    limit,
                );
                return Ok(());
            }
        };
        let kind = found.elements.kind();
        let destination = self
            .store
            .read(|reader| Ok((reader.key_type(db, name)?, reader.stored_deadline(db, name)?)))?;
        let difference = |kind: DifferenceKind, detail: String| Difference {
            db,
            key: name.to_vec(),
            kind,
            detail,
        };
        let (dest_type, dest_deadline) = destination;
        let Some(dest_type) = dest_type else {
            report.note(
                difference(DifferenceKind::Missing, format!("a {} in the source", kind.name())),
                limit,
            );
            return Ok(());
        };
        if key_type_kind(dest_type) != kind {
            let detail = format!(
                "{} in the source, {} in the destination",
                kind.name(),
                key_type_kind(dest_type).name()
            );
            report.note(difference(DifferenceKind::Type, detail), limit);
            return Ok(());
        }
        if let Some(detail) = self.compare_value(name, kind, found.elements, found.more)? {
            report.note(difference(DifferenceKind::Value, detail), limit);
            return Ok(());
        }
        let ttl_differs = match (found.deadline, dest_deadline) {
            (None, None) => false,
            (Some(a), Some(b)) => (a - b).abs() > self.options.ttl_tolerance_ms,
            _ => true,
        };
        if ttl_differs {
            let detail = format!(
                "deadline {} in the source, {} in the destination",
                describe_deadline(found.deadline),
                describe_deadline(dest_deadline)
            );
            report.note(difference(DifferenceKind::Ttl, detail), limit);
        }
        Ok(())
    }

    /// `None` when the destination holds exactly the source's value.
    fn compare_value(
        &mut self,
        name: &[u8],
        kind: Kind,
        first: Elements,
        mut more: Option<Continuation>,
    ) -> Result<Option<String>> {
        let db = self.db;
        let mut chunk = first;
        let mut start = 0;
        loop {
            let mismatch =
                self.store.read(|reader| chunk_mismatch(reader, db, name, start, &chunk))?;
            if mismatch.is_some() {
                return Ok(mismatch);
            }
            let Some(from) = more else { break };
            if let Continuation::Index(index) = from {
                start = index;
            }
            match self.reader.read_more(name, kind, from)? {
                NextChunk::Chunk(elements, next) => {
                    chunk = elements;
                    more = next;
                }
                // Changing under the comparison: not evidence of a wrong copy.
                NextChunk::Gone | NextChunk::Changed => return Ok(None),
            }
        }
        // Every source element is in the destination; equal lengths make the values equal.
        let length_command = match kind {
            Kind::String => return Ok(None),
            Kind::Hash => "HLEN",
            Kind::List => "LLEN",
            Kind::Set => "SCARD",
            Kind::ZSet => "ZCARD",
        };
        let source_length: i64 =
            redis::cmd(length_command).arg(name).query(self.reader.connection())?;
        let destination_length =
            self.store.read(|reader| collection_length(reader, db, name, kind))?;
        Ok((source_length != destination_length).then(|| {
            format!(
                "{source_length} elements in the source, {destination_length} in the destination"
            )
        }))
    }
}

fn key_type_kind(key_type: KeyType) -> Kind {
    match key_type {
        KeyType::String => Kind::String,
        KeyType::Hash => Kind::Hash,
        KeyType::List => Kind::List,
        KeyType::Set => Kind::Set,
        KeyType::ZSet => Kind::ZSet,
    }
}

fn collection_length(
    reader: &Reader<'_>,
    db: Db,
    key: &[u8],
    kind: Kind,
) -> resplite_store::Result<i64> {
    match kind {
        Kind::String => Ok(0),
        Kind::Hash => reader.hash_len(db, key),
        Kind::List => reader.list_len(db, key),
        Kind::Set => reader.set_len(db, key),
        Kind::ZSet => reader.zset_len(db, key),
    }
}

/// Where a source chunk disagrees with the destination, if it does.
fn chunk_mismatch(
    reader: &Reader<'_>,
    db: Db,
    key: &[u8],
    start: i64,
    chunk: &Elements,
) -> resplite_store::Result<Option<String>> {
    Ok(match chunk {
        Elements::String(value) => {
            let stored = reader.get(db, key)?;
            (stored.as_deref() != Some(value.as_slice())).then(|| {
                format!(
                    "{} bytes in the source, {} in the destination",
                    value.len(),
                    stored.map_or(0, |v| v.len())
                )
            })
        }
        Elements::Hash(pairs, deadlines) => {
            let fields: Vec<&[u8]> = pairs.iter().map(|(field, _)| field.as_slice()).collect();
            let stored = reader.hash_get_many(db, key, &fields)?;
            let differs = pairs
                .iter()
                .zip(stored)
                .find(|((_, value), stored)| stored.as_deref() != Some(value.as_slice()))
                .map(|((field, _), _)| format!("field {} differs", String::from_utf8_lossy(field)));
            match differs {
                Some(difference) => Some(difference),
                None => field_deadline_mismatch(reader, db, key, &fields, deadlines)?,
            }
        }
        Elements::Set(members) => {
            let present = reader.set_are_members(db, key, members)?;
            members
                .iter()
                .zip(present)
                .find(|(_, present)| !present)
                .map(|(member, _)| format!("member {} is missing", String::from_utf8_lossy(member)))
        }
        Elements::ZSet(pairs) => {
            let members: Vec<&[u8]> = pairs.iter().map(|(_, member)| member.as_slice()).collect();
            let scores = reader.zset_scores(db, key, &members)?;
            pairs
                .iter()
                .zip(scores)
                .find(|((score, _), stored)| stored.map(f64::to_bits) != Some(score.to_bits()))
                .map(|((score, member), stored)| {
                    format!(
                        "member {} has score {score} in the source, {stored:?} in the destination",
                        String::from_utf8_lossy(member)
                    )
                })
        }
        Elements::List(items) => {
            let end = start + items.len() as i64 - 1;
            let stored = reader.list_range(db, key, start, end)?;
            (stored != *items).then(|| format!("elements {start}..={end} differ"))
        }
    })
}

/// The first of `fields` whose deadline in the destination is not the source's
/// (`deadlines`, by position; the others have none).
fn field_deadline_mismatch(
    reader: &Reader<'_>,
    db: Db,
    key: &[u8],
    fields: &[&[u8]],
    deadlines: &FieldDeadlines,
) -> resplite_store::Result<Option<String>> {
    let stored = reader.hash_field_deadlines(db, key, fields)?;
    let mut expected = vec![None; fields.len()];
    for &(at, deadline) in deadlines {
        expected[at] = Some(deadline);
    }
    Ok(fields.iter().zip(expected).zip(stored).find_map(|((field, expected), stored)| {
        let found = match stored {
            Deadline::At(at) => Some(at),
            _ => None,
        };
        (found != expected).then(|| {
            format!(
                "field {} has the deadline {} in the source, {} in the destination",
                String::from_utf8_lossy(field),
                describe_deadline(expected),
                describe_deadline(found)
            )
        })
    }))
}

fn describe_deadline(deadline: Option<i64>) -> String {
    match deadline {
        Some(at) => format!("{at} ms"),
        None => "none".into(),
    }
}
