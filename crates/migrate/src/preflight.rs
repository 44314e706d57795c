//! Preflight: what the source is, whether a tracked migration can work against it, and
//! which throttles to start with — before anything is copied.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use resplite_store::Store;

use crate::control::Throttles;
use crate::error::Result;
use crate::probe::probe_notifications;
use crate::snapshot::Kind;
use crate::source::{CLUSTER_REFUSAL, ServerFacts, Source, server_facts};
use crate::subscriber::{Channels, Subscriber};
use crate::tracker::{missing_notification_flags, notification_setting};

/// Keys sampled with `RANDOMKEY` + `TYPE` to estimate the type distribution.
const TYPE_SAMPLE: u64 = 2_000;

/// What preflight found.
#[derive(Clone, Debug, Default)]
pub struct PreflightReport {
    /// `INFO` facts: version, mode, memory, keys per database.
    pub facts: ServerFacts,
    /// Sampled keys per type name.
    pub type_sample: BTreeMap<String, u64>,
    /// Keys sampled.
    pub sampled: u64,
    /// Estimated keys of types resplite does not store, over all databases.
    pub unsupported_estimate: u64,
    /// `notify-keyspace-events`, or `None` when `CONFIG` is not allowed.
    pub notify_setting: Option<String>,
    /// Flags the setting lacks for the tracker (empty when complete or unknown).
    pub missing_flags: String,
    /// Whether a probe key's notification arrived.
    pub probe_ok: bool,
    /// Round-trip time of a `PING`.
    pub latency: Duration,
    /// Keys already in the destination (0 when it does not exist yet).
    pub destination_keys: u64,
    /// Suggested throttles.
    pub recommended: Throttles,
    /// Why a tracked migration cannot work; empty when it can.
    pub problems: Vec<String>,
    /// Things to know that do not stop it.
    pub warnings: Vec<String>,
}

/// Inspects the source (and the destination file when it exists).
pub fn preflight(
    source: &Source,
    destination: &Path,
    channels: Channels,
) -> Result<PreflightReport> {
    let mut connection = source.connect(0)?;
    let started = Instant::now();
    redis::cmd("PING").exec(&mut connection)?;
    let latency = started.elapsed();
    let facts = server_facts(&mut connection)?;
    let mut report = PreflightReport { latency, ..PreflightReport::default() };
    if facts.mode == "cluster" {
        report.problems.push(CLUSTER_REFUSAL.into());
    }
    if facts.silent_rewrites.is_none() {
        report.warnings.push(
            "INFO commandstats is not available: the tracker cannot detect FLUSHALL/FLUSHDB/SWAPDB"
                .into(),
        );
    }
    sample_types(source, &facts, &mut report)?;
    let beyond: Vec<String> = facts
        .keyspace
        .iter()
        .filter(|&(&db, &keys)| db >= SERVED_DATABASES && keys > 0)
        .map(|(db, _)| db.to_string())
        .collect();
    if !beyond.is_empty() {
        report.warnings.push(format!(
            "the source has keys in database(s) {}: they are copied, but `resplite serve` \
             accepts SELECT only below its `databases` setting ({SERVED_DATABASES} unless its \
             config file raises it, as Redis's does)",
            beyond.join(", ")
        ));
    }
    match notification_setting(&mut connection) {
        Some(setting) => {
            report.missing_flags = missing_notification_flags(&setting, channels);
            if !report.missing_flags.is_empty() {
                report.problems.push(format!(
                    "notify-keyspace-events is {setting:?} and lacks {:?}, so the tracker \
                     refuses to start: run `CONFIG SET notify-keyspace-events {setting}{}` (or \
                     `resplite tracker start --configure-notifications`)",
                    report.missing_flags, report.missing_flags
                ));
            }
            report.notify_setting = Some(setting);
        }
        None => report.warnings.push(
            "CONFIG is not allowed (renamed or denied, as on managed services): set \
             notify-keyspace-events through the provider; the probe below shows whether it works"
                .into(),
        ),
    }
    let silent = probe(source, &mut connection, channels)?;
    report.probe_ok = silent.is_empty();
    if !report.probe_ok {
        report.problems.push(format!(
            "probe keys written to the source produced no notification of class {}: the \
             tracker cannot work until notify-keyspace-events covers it (a one-shot \
             `resplite import run` still works when downtime is acceptable)",
            silent.join(", ")
        ));
    }
    if destination.exists() {
        match Store::open(destination) {
            Ok(store) => {
                let stats = store.read(|reader| reader.keyspace_stats())?;
                report.destination_keys = stats.iter().map(|db| db.keys).sum();
                if report.destination_keys > 0 {
                    report.warnings.push(format!(
                        "{} already holds {} keys; keys the source does not have stay there",
                        destination.display(),
                        report.destination_keys
                    ));
                }
            }
            Err(error) => report.problems.push(format!("the destination cannot be used: {error}")),
        }
    }
    report.recommended = recommend(&facts, latency);
    report.facts = facts;
    Ok(report)
}

/// How many databases `resplite serve` accepts by default (`databases`, as in Redis).
const SERVED_DATABASES: u32 = 16;

fn sample_types(source: &Source, facts: &ServerFacts, report: &mut PreflightReport) -> Result<()> {
    let total = facts.total_keys();
    let mut unsupported_share = 0.0;
    for (&db, &keys) in &facts.keyspace {
        if keys == 0 {
            continue;
        }
        let wanted = (TYPE_SAMPLE * keys).div_ceil(total.max(1)).clamp(1, keys);
        let mut connection = source.connect(db)?;
        let mut pipe = redis::pipe();
        for _ in 0..wanted {
            pipe.cmd("RANDOMKEY");
        }
        let names: Vec<Option<Vec<u8>>> = pipe.query(&mut connection)?;
        let names: Vec<Vec<u8>> = names.into_iter().flatten().collect();
        if names.is_empty() {
            continue;
        }
        let mut pipe = redis::pipe();
        for name in &names {
            pipe.cmd("TYPE").arg(name);
        }
        let types: Vec<String> = pipe.query(&mut connection)?;
        let unsupported = types
            .iter()
            .filter(|name| *name != "none" && Kind::from_type_name(name).is_none())
            .count();
        for name in types {
            *report.type_sample.entry(name).or_default() += 1;
        }
        report.sampled += names.len() as u64;
        unsupported_share += unsupported as f64 / names.len() as f64 * keys as f64;
    }
    report.unsupported_estimate = unsupported_share.round() as u64;
    if report.unsupported_estimate > 0 {
        report.warnings.push(format!(
            "about {} keys hold types resplite does not store (streams, module types); they will \
             be counted as skipped, not copied",
            report.unsupported_estimate
        ));
    }
    Ok(())
}

/// Provokes an event of every class the tracker needs (see `probe.rs`); answers the
/// classes that stayed silent, or a note that no subscription was possible.
fn probe(
    source: &Source,
    connection: &mut redis::Connection,
    channels: Channels,
) -> Result<Vec<&'static str>> {
    let mut subscriber = match Subscriber::subscribe(source, channels) {
        Ok(subscriber) => subscriber,
        Err(_) => return Ok(vec!["any (subscribing failed)"]),
    };
    let tag = format!("preflight:{}", std::process::id());
    probe_notifications(connection, &mut subscriber, &tag, &mut |_| {})
}

/// Throttles to start with: a generous SCAN page, readers by dataset size, and a rate limit
/// only when the source is already busy (half of what it serves now, at least 5,000/s).
fn recommend(facts: &ServerFacts, latency: Duration) -> Throttles {
    let keys = facts.total_keys();
    let concurrency = if keys > 10_000_000 {
        8
    } else if keys > 100_000 {
        4
    } else {
        2
    };
    // Slow links need more requests in flight to keep the pipe full.
    let concurrency =
        if latency > Duration::from_millis(5) { concurrency * 2 } else { concurrency };
    let busy = facts.ops_per_sec;
    let max_rps = if busy > 20_000 { (busy / 2).max(5_000) as i64 } else { 0 };
    Throttles {
        scan_count: Some(1000),
        max_concurrency: Some(concurrency),
        max_rps: Some(max_rps),
        batch_keys: Some(200),
        batch_bytes: Some(64 << 20),
    }
}
