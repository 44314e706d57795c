//! The state of a run and the verdict on cutting over.
//!
//! The verdict fails closed: it says "safe to cut over" only when the bulk copy finished, a
//! tracker is alive, every gap in tracking is covered by a bulk pass that started after it
//! ended, and no dirty key is pending or failed.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::registry::{ErrorRecord, Gap, Registry, Run};

/// Everything `resplite import status` shows.
#[derive(Clone, Debug)]
pub struct StatusReport {
    /// The run row.
    pub run: Run,
    /// Dirty-key rows per state (`dirty`, `applied`, `deleted`, `skipped`, `error`).
    pub dirty_keys: BTreeMap<String, i64>,
    /// Every gap, with whether a later pass covers it.
    pub gaps: Vec<(Gap, bool)>,
    /// The latest errors, newest first.
    pub recent_errors: Vec<ErrorRecord>,
    /// Whether a tracker is alive (fresh heartbeat).
    pub tracker_alive: bool,
    /// The live bulk/apply/cutover process, if any.
    pub worker: Option<String>,
    /// The current pass's average rate: keys and value bytes per second since it started
    /// (until it completed, or until its last checkpoint).
    pub bulk_rate: Option<(f64, f64)>,
    /// Whether it is safe to cut over now.
    pub safe: bool,
    /// Whether only pending dirty keys stand in the way (what `cutover` itself applies).
    pub ready_for_cutover: bool,
    /// One line saying why (not).
    pub verdict: String,
}

/// Whether a later completed pass covers `gap`.
pub fn gap_covered(gap: &Gap, run: &Run) -> bool {
    match (gap.ended_at, run.completed_pass_started_at) {
        (Some(ended), Some(pass_started)) => pass_started >= ended,
        _ => false,
    }
}

/// Reads the run's state and judges it.
pub fn status(registry: &Registry) -> Result<StatusReport> {
    let run = registry.require()?;
    let now = resplite_store::now_ms();
    let dirty_keys = registry.dirty_counts()?;
    let gaps: Vec<(Gap, bool)> = registry
        .gaps()?
        .into_iter()
        .map(|gap| {
            let covered = gap_covered(&gap, &run);
            (gap, covered)
        })
        .collect();
    let recent_errors = registry.recent_errors(5)?;
    let tracker_alive = run.tracker_alive(now);
    let worker = crate::control::live_worker(&run);
    let (safe, verdict) = judge(&run, &dirty_keys, &gaps, tracker_alive);
    let bulk_rate = run.pass_started_at.map(|started| {
        let until = if run.bulk_status == "completed" {
            run.bulk_completed_at.unwrap_or(run.updated_at)
        } else {
            run.updated_at
        };
        let seconds = ((until - started) as f64 / 1000.0).max(0.001);
        (run.scanned_keys as f64 / seconds, run.migrated_bytes as f64 / seconds)
    });
    let only_pending = verdict.starts_with("not yet safe");
    Ok(StatusReport {
        run,
        dirty_keys,
        gaps,
        recent_errors,
        tracker_alive,
        worker,
        bulk_rate,
        safe,
        ready_for_cutover: safe || only_pending,
        verdict,
    })
}

fn judge(
    run: &Run,
    dirty_keys: &BTreeMap<String, i64>,
    gaps: &[(Gap, bool)],
    tracker_alive: bool,
) -> (bool, String) {
    if let Some(at) = run.cutover_at {
        let downtime = run.cutover_downtime_ms.unwrap_or(0);
        return (false, format!("cut over at {at} (Unix ms) with {downtime} ms of frozen writes"));
    }
    if run.bulk_status != "completed" {
        return (false, format!("not safe to cut over: the bulk copy is {}", run.bulk_status));
    }
    if !tracker_alive {
        return (
            false,
            "not safe to cut over: no tracker is running (start `resplite tracker start`, then \
             `resplite import bulk --rescan`)"
                .into(),
        );
    }
    let uncovered = gaps.iter().filter(|(_, covered)| !covered).count();
    if uncovered > 0 {
        return (
            false,
            format!(
                "not safe to cut over: {uncovered} tracking gap(s) not covered; run \
                 `resplite import bulk --rescan` once the tracker is running"
            ),
        );
    }
    let pending = dirty_keys.get("dirty").copied().unwrap_or(0);
    let failed = dirty_keys.get("error").copied().unwrap_or(0);
    if failed > 0 {
        return (
            false,
            format!("not safe to cut over: {failed} dirty key(s) failed to apply (see errors)"),
        );
    }
    if pending > 0 {
        return (
            false,
            format!(
                "not yet safe to cut over: {pending} dirty key(s) pending; run `resplite import \
                 apply-dirty`, or `resplite import cutover`, which applies them during the freeze"
            ),
        );
    }
    (true, "safe to cut over".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready_run() -> Run {
        Run {
            bulk_status: "completed".into(),
            completed_pass_started_at: Some(100),
            ..Run::default()
        }
    }

    fn gap(ended_at: Option<i64>) -> Gap {
        Gap { started_at: 10, ended_at, reason: "test".into() }
    }

    #[test]
    fn a_gap_is_covered_only_by_a_pass_started_after_it_ended() {
        let run = ready_run();
        assert!(gap_covered(&gap(Some(90)), &run));
        assert!(!gap_covered(&gap(Some(110)), &run));
        assert!(!gap_covered(&gap(None), &run));
    }

    #[test]
    fn verdict_fails_closed() {
        let run = ready_run();
        let clean = BTreeMap::new();
        assert!(judge(&run, &clean, &[], true).0);
        assert!(!judge(&run, &clean, &[], false).0, "no tracker");
        assert!(!judge(&run, &clean, &[(gap(Some(110)), false)], true).0, "uncovered gap");
        let failed = BTreeMap::from([("error".to_owned(), 1)]);
        assert!(!judge(&run, &failed, &[], true).0, "failed keys");
        let pending = BTreeMap::from([("dirty".to_owned(), 3)]);
        let (safe, verdict) = judge(&run, &pending, &[], true);
        assert!(!safe && verdict.starts_with("not yet safe"), "pending keys");
        let running = Run { bulk_status: "running".into(), ..ready_run() };
        assert!(!judge(&running, &clean, &[], true).0, "bulk unfinished");
    }
}
