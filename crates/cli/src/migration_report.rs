//! How migration results read: human lines and JSON documents.

use resplite_migrate::Run;
use resplite_migrate::apply::ApplyProgress;
use resplite_migrate::bulk::{BulkProgress, BulkReport};
use resplite_migrate::preflight::PreflightReport;
use resplite_migrate::status::StatusReport;
use resplite_migrate::tracker::TrackerProgress;
use resplite_migrate::verify::VerifyReport;
use serde_json::{Value, json};

use crate::progress::human_bytes;

pub(crate) fn run_json(run: &Run) -> Value {
    json!({
        "run_id": run.run_id,
        "source": run.source_uri,
        "bulk_status": run.bulk_status,
        "control": run.control,
        "pass": run.pass,
        "scan_db": run.scan_db,
        "scan_cursor": run.scan_cursor,
        "scanned_keys": run.scanned_keys,
        "migrated_keys": run.migrated_keys,
        "skipped_keys": run.skipped_keys,
        "error_keys": run.error_keys,
        "migrated_bytes": run.migrated_bytes,
        "pruned_keys": run.pruned_keys,
        "dirty_keys_seen": run.dirty_keys_seen,
        "dirty_keys_applied": run.dirty_keys_applied,
        "dirty_keys_deleted": run.dirty_keys_deleted,
        "throttles": {
            "scan_count": run.scan_count,
            "max_concurrency": run.max_concurrency,
            "max_rps": run.max_rps,
            "batch_keys": run.batch_keys,
            "batch_bytes": run.batch_bytes,
        },
        "bulk_completed_at": run.bulk_completed_at,
        "tracker_pid": run.tracker_pid,
        "tracker_heartbeat": run.tracker_heartbeat,
        "source_run_id": run.source_run_id,
        "cutover_at": run.cutover_at,
        "cutover_downtime_ms": run.cutover_downtime_ms,
        "last_error": run.last_error,
    })
}

pub(crate) fn bulk_lines(progress: &BulkProgress) -> Vec<String> {
    let seconds = progress.elapsed.as_secs_f64().max(0.001);
    let rate = progress.scanned_keys as f64 / seconds;
    let mut line = format!(
        "scanned {} migrated {} skipped {} errors {} | {} | {:.0} keys/s {}/s",
        progress.scanned_keys,
        progress.migrated_keys,
        progress.skipped_keys,
        progress.error_keys,
        human_bytes(progress.migrated_bytes),
        rate,
        human_bytes((progress.migrated_bytes as f64 / seconds) as u64),
    );
    if progress.total_keys > progress.scanned_keys && rate > 0.0 {
        let eta = (progress.total_keys - progress.scanned_keys) as f64 / rate;
        line.push_str(&format!(" | eta {eta:.0}s of {} keys", progress.total_keys));
    }
    if progress.pruned_keys > 0 {
        line.push_str(&format!(" | pruned {}", progress.pruned_keys));
    }
    if progress.paused {
        line.push_str(" | PAUSED");
    }
    vec![line]
}

pub(crate) fn bulk_json(report: &BulkReport) -> Value {
    json!({
        "run": run_json(&report.run),
        "elapsed_ms": report.progress.elapsed.as_millis() as u64,
        "keys_per_second": report.progress.scanned_keys as f64
            / report.progress.elapsed.as_secs_f64().max(0.001),
    })
}

pub(crate) fn apply_lines(progress: &ApplyProgress) -> Vec<String> {
    let mut line = format!(
        "applied {} deleted {} skipped {} failed {} changed-again {} | {} dirty left",
        progress.applied,
        progress.deleted,
        progress.skipped,
        progress.failed,
        progress.changed_meanwhile,
        progress.remaining
    );
    if progress.paused {
        line.push_str(" | PAUSED");
    }
    vec![line]
}

pub(crate) fn tracker_lines(progress: &TrackerProgress) -> Vec<String> {
    let mut line = format!(
        "{} | {} events, {} recorded | {} gap(s)",
        if progress.connected { "listening" } else { "DISCONNECTED" },
        progress.events,
        progress.flushed,
        progress.gaps
    );
    if let Some(problem) = &progress.last_problem {
        line.push_str(&format!(" | last problem: {problem}"));
    }
    vec![line]
}

pub(crate) fn preflight_lines(report: &PreflightReport) -> Vec<String> {
    let facts = &report.facts;
    let mut lines = vec![
        format!("source: Redis {} ({}), run_id {}", facts.version, facts.mode, facts.run_id),
        format!("memory used: {}", human_bytes(facts.used_memory)),
        format!("round trip: {:.2} ms", report.latency.as_secs_f64() * 1000.0),
    ];
    for (db, keys) in &facts.keyspace {
        lines.push(format!("db{db}: {keys} keys"));
    }
    let sample: Vec<String> =
        report.type_sample.iter().map(|(name, count)| format!("{name} {count}")).collect();
    lines.push(format!("type sample ({} keys): {}", report.sampled, sample.join(", ")));
    lines.push(match &report.notify_setting {
        Some(setting) => format!("notify-keyspace-events: {setting:?}"),
        None => "notify-keyspace-events: unknown (CONFIG not allowed)".into(),
    });
    lines.push(format!(
        "notification probe: {}",
        if report.probe_ok { "arrived" } else { "did NOT arrive" }
    ));
    let throttles = &report.recommended;
    lines.push(format!(
        "recommended: --scan-count {} --max-concurrency {} --max-rps {} --batch-keys {} --batch-bytes {}MB",
        throttles.scan_count.unwrap_or(1000),
        throttles.max_concurrency.unwrap_or(4),
        throttles.max_rps.unwrap_or(0),
        throttles.batch_keys.unwrap_or(200),
        throttles.batch_bytes.unwrap_or(64 << 20) >> 20
    ));
    for warning in &report.warnings {
        lines.push(format!("warning: {warning}"));
    }
    for problem in &report.problems {
        lines.push(format!("PROBLEM: {problem}"));
    }
    lines.push(if report.problems.is_empty() {
        "verdict: a tracked migration can start".into()
    } else {
        "verdict: a tracked migration cannot work until the problems above are fixed".into()
    });
    lines
}

pub(crate) fn preflight_json(report: &PreflightReport) -> Value {
    let facts = &report.facts;
    json!({
        "version": facts.version,
        "mode": facts.mode,
        "run_id": facts.run_id,
        "used_memory": facts.used_memory,
        "keyspace": facts.keyspace.iter().map(|(db, keys)| (db.to_string(), json!(keys)))
            .collect::<serde_json::Map<_, _>>(),
        "type_sample": report.type_sample,
        "sampled": report.sampled,
        "unsupported_estimate": report.unsupported_estimate,
        "notify_keyspace_events": report.notify_setting,
        "missing_flags": report.missing_flags,
        "probe_ok": report.probe_ok,
        "latency_ms": report.latency.as_secs_f64() * 1000.0,
        "destination_keys": report.destination_keys,
        "recommended": {
            "scan_count": report.recommended.scan_count,
            "max_concurrency": report.recommended.max_concurrency,
            "max_rps": report.recommended.max_rps,
            "batch_keys": report.recommended.batch_keys,
            "batch_bytes": report.recommended.batch_bytes,
        },
        "warnings": report.warnings,
        "problems": report.problems,
        "ok": report.problems.is_empty(),
    })
}

pub(crate) fn verify_lines(report: &VerifyReport) -> Vec<String> {
    let mut lines = vec![format!(
        "checked {} source keys and {} destination keys: {} difference(s)",
        report.source_keys_checked,
        report.destination_keys_checked,
        report.difference_count()
    )];
    for (kind, count) in &report.counts {
        lines.push(format!("  {kind}: {count}"));
    }
    for difference in &report.differences {
        lines.push(format!(
            "  db{} {:?}: {} ({})",
            difference.db,
            String::from_utf8_lossy(&difference.key),
            difference.kind.name(),
            difference.detail
        ));
    }
    lines
}

pub(crate) fn verify_json(report: &VerifyReport) -> Value {
    json!({
        "source_keys_checked": report.source_keys_checked,
        "destination_keys_checked": report.destination_keys_checked,
        "differences": report.difference_count(),
        "by_kind": report.counts,
        "examples": report.differences.iter().map(|difference| json!({
            "db": difference.db,
            "key": String::from_utf8_lossy(&difference.key),
            "kind": difference.kind.name(),
            "detail": difference.detail,
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn status_lines(report: &StatusReport) -> Vec<String> {
    let run = &report.run;
    let mut lines = vec![
        format!("run {} from {}", run.run_id, run.source_uri),
        format!(
            "bulk: {} (pass {}), at db {} cursor {}; scanned {} migrated {} skipped {} errors {} | {}",
            run.bulk_status,
            run.pass,
            run.scan_db,
            run.scan_cursor,
            run.scanned_keys,
            run.migrated_keys,
            run.skipped_keys,
            run.error_keys,
            human_bytes(run.migrated_bytes.max(0) as u64)
        ),
        format!(
            "tracker: {}; {} events recorded",
            if report.tracker_alive { "running" } else { "not running" },
            run.dirty_keys_seen
        ),
    ];
    if let Some((keys, bytes)) = report.bulk_rate {
        lines.push(format!(
            "bulk rate: {keys:.0} keys/s, {}/s over the pass",
            human_bytes(bytes as u64)
        ));
    }
    let states: Vec<String> =
        report.dirty_keys.iter().map(|(state, count)| format!("{state} {count}")).collect();
    lines.push(format!(
        "dirty keys: {}",
        if states.is_empty() { "none".into() } else { states.join(", ") }
    ));
    if let Some(worker) = &report.worker {
        lines.push(format!("running now: {worker}, control {}", run.control));
    }
    for (gap, covered) in &report.gaps {
        lines.push(format!(
            "gap {}..{}: {} ({})",
            gap.started_at,
            gap.ended_at.map_or("now".into(), |at| at.to_string()),
            gap.reason,
            if *covered { "covered by a later pass" } else { "NOT covered" }
        ));
    }
    for error in &report.recent_errors {
        lines.push(format!("error ({}) at {}: {}", error.stage, error.at, error.message));
    }
    lines.push(format!("verdict: {}", report.verdict));
    lines
}

pub(crate) fn status_json(report: &StatusReport) -> Value {
    json!({
        "run": run_json(&report.run),
        "dirty_keys": report.dirty_keys,
        "gaps": report.gaps.iter().map(|(gap, covered)| json!({
            "started_at": gap.started_at, "ended_at": gap.ended_at,
            "reason": gap.reason, "covered": covered,
        })).collect::<Vec<_>>(),
        "recent_errors": report.recent_errors.iter().map(|error| json!({
            "at": error.at, "stage": error.stage, "message": error.message,
        })).collect::<Vec<_>>(),
        "tracker_alive": report.tracker_alive,
        "worker": report.worker,
        "bulk_keys_per_second": report.bulk_rate.map(|(keys, _)| keys),
        "bulk_bytes_per_second": report.bulk_rate.map(|(_, bytes)| bytes),
        "safe": report.safe,
        "verdict": report.verdict,
    })
}
