//! The guided freeze: pause the source's writes, make sure the tracker has recorded every
//! change made before the pause, apply what is left, verify a sample, and report how long
//! writes were frozen.
//!
//! The pause is `CLIENT PAUSE <timeout> WRITE`, so even if this process dies the source
//! resumes writes by itself when the timeout ends. Any failure under the pause, and Ctrl+C,
//! unpauses at once (on a connection of its own, since the one that paused may be the one
//! that broke), and the refusal says whether that worked. On success
//! the pause is left in place until its timeout (or lifted with `unpause_after`), so the
//! application can be switched to resplite before it writes to the source again.

use std::time::{Duration, Instant};

use crate::apply::{ApplyOptions, ApplyProgress, apply_dirty};
use crate::error::{MigrateError, Result};
use crate::registry::{Registry, Run};
use crate::source::Source;
use crate::status::{gap_covered, status};
use crate::tracker::wait_for_barrier;
use crate::verify::{Sample, VerifyOptions, VerifyReport, verify};

/// How a cutover runs.
#[derive(Clone, Debug)]
pub struct CutoverOptions {
    /// How long the source's writes stay paused at most (`CLIENT PAUSE` timeout).
    pub pause_timeout: Duration,
    /// How long to wait for the tracker to confirm it has seen everything before the pause.
    pub barrier_timeout: Duration,
    /// Random keys to verify in each direction after the final apply (0: none).
    pub verify_sample: u64,
    /// Lift the pause as soon as the cutover succeeded.
    pub unpause_after: bool,
}

impl Default for CutoverOptions {
    fn default() -> Self {
        CutoverOptions {
            pause_timeout: Duration::from_secs(120),
            barrier_timeout: Duration::from_secs(10),
            verify_sample: 1000,
            unpause_after: false,
        }
    }
}

/// What a cutover did.
#[derive(Clone, Debug)]
pub struct CutoverReport {
    /// The run afterwards.
    pub run: Run,
    /// Keys applied before the freeze.
    pub before_freeze: ApplyProgress,
    /// Keys applied during the freeze.
    pub during_freeze: ApplyProgress,
    /// The sample verification.
    pub verification: VerifyReport,
    /// How long the source's writes were frozen until the destination was ready.
    pub downtime: Duration,
    /// Whether the source is still paused (until the pause timeout).
    pub still_paused: bool,
}

/// Lifts the source's pause (`CLIENT UNPAUSE`) on a connection of its own: the one that
/// paused it may be the one that broke.
fn unpause(source: &Source) -> Result<()> {
    let mut connection = source.connect(0)?;
    redis::cmd("CLIENT").arg("UNPAUSE").exec(&mut connection)?;
    Ok(())
}

/// What happened to the pause after a freeze that failed or was stopped, for its message.
fn unpause_outcome(source: &Source, timeout_ms: u64) -> String {
    match unpause(source) {
        Ok(()) => "the source was unpaused".to_owned(),
        Err(error) => {
            tracing::error!(%error, "could not unpause the source");
            format!(
                "the source could not be unpaused ({error}); its writes resume when the \
                 {timeout_ms} ms pause ends"
            )
        }
    }
}

/// Runs the cutover of the run; see the module documentation. A run that is not ready is
/// refused as it is; a cutover that then fails or is stopped is recorded in the run's error
/// log (stage `cutover`), so `status` shows that it was tried and why it did not finish.
pub fn cutover(
    source: &Source,
    registry: &Registry,
    options: &CutoverOptions,
    interrupt: &dyn Fn() -> bool,
    on_step: &mut dyn FnMut(&str),
) -> Result<CutoverReport> {
    let report = status(registry)?;
    if !report.ready_for_cutover {
        return Err(MigrateError::Refused(report.verdict));
    }
    let outcome = attempt(source, registry, options, interrupt, on_step);
    if let Err(error) = &outcome {
        // The error is what the caller reports; a failure to record it must not hide it.
        let _ = registry.record_error("cutover", None, &format!("cutover failed: {error}"));
    }
    outcome
}

/// The cutover of a run found ready: the apply while live, the freeze, the final apply,
/// the checks.
fn attempt(
    source: &Source,
    registry: &Registry,
    options: &CutoverOptions,
    interrupt: &dyn Fn() -> bool,
    on_step: &mut dyn FnMut(&str),
) -> Result<CutoverReport> {
    on_step("applying dirty keys while the source is still live");
    let mut quiet = |_: &ApplyProgress| {};
    let (_, before_freeze) =
        apply_dirty(source, registry, &ApplyOptions::default(), interrupt, &mut quiet)?;

    let mut connection = source.connect(0)?;
    let timeout_ms = options.pause_timeout.as_millis() as u64;
    on_step("pausing the source's writes");
    redis::cmd("CLIENT").arg("PAUSE").arg(timeout_ms).arg("WRITE").exec(&mut connection).map_err(
        |error| {
            MigrateError::Refused(format!(
                "the source refused CLIENT PAUSE ({error}); freeze the application's writes \
                 yourself, then run `resplite import apply-dirty --until-clean`"
            ))
        },
    )?;
    let frozen_at = Instant::now();
    match freeze(source, registry, options, frozen_at, interrupt, on_step) {
        Ok(mut report) => {
            report.before_freeze = before_freeze;
            if options.unpause_after {
                if let Err(error) = unpause(source) {
                    tracing::error!(%error, "could not unpause the source after the cutover");
                } else {
                    report.still_paused = false;
                }
            }
            Ok(report)
        }
        // Whatever went wrong under the pause, the source must take writes again at once,
        // and the message says whether it does.
        Err(error) => {
            let unpaused = unpause_outcome(source, timeout_ms);
            Err(MigrateError::Refused(match error {
                MigrateError::Stopped => {
                    format!("the cutover was stopped during the freeze; {unpaused}")
                }
                error => format!("{error}; {unpaused}"),
            }))
        }
    }
}

/// Everything done while the source is paused: the barrier, the final apply, the checks.
/// Its errors leave the pause to the caller, which lifts it. The report's `before_freeze` is
/// the caller's to fill in.
fn freeze(
    source: &Source,
    registry: &Registry,
    options: &CutoverOptions,
    frozen_at: Instant,
    interrupt: &dyn Fn() -> bool,
    on_step: &mut dyn FnMut(&str),
) -> Result<CutoverReport> {
    let timeout_ms = options.pause_timeout.as_millis() as u64;
    on_step("waiting for the tracker to record every change made before the pause");
    wait_for_barrier(registry, options.barrier_timeout)?;
    if interrupt() {
        return Err(MigrateError::Stopped);
    }

    on_step("applying the remaining dirty keys");
    let until_clean = ApplyOptions { until_clean: true, ..ApplyOptions::default() };
    // Once the pause is over the source takes writes again, which an apply until clean could
    // chase for ever: it stops there, and the cutover refuses.
    let pause_over = || frozen_at.elapsed() >= options.pause_timeout;
    let stop = || interrupt() || pause_over();
    let mut quiet = |_: &ApplyProgress| {};
    let applied = apply_dirty(source, registry, &until_clean, &stop, &mut quiet);
    if pause_over() {
        return Err(pause_ran_out(timeout_ms));
    }
    let (run, during_freeze) = applied?;
    let failed = registry.dirty_counts()?.get("error").copied().unwrap_or(0);
    if failed > 0 {
        return Err(MigrateError::Refused(format!(
            "{failed} dirty key(s) failed to apply during the freeze (see `resplite import \
             status`)"
        )));
    }
    // A gap that opened during the cutover (a lost subscription, a FLUSHALL) means a change
    // may have been missed after all.
    if let Some(gap) = registry.gaps()?.into_iter().find(|gap| !gap_covered(gap, &run)) {
        return Err(MigrateError::Refused(format!(
            "a tracking gap opened during the cutover ({}); run `resplite import bulk \
             --rescan`, then cut over again",
            gap.reason
        )));
    }

    let verification = if options.verify_sample > 0 {
        on_step("verifying a sample of keys");
        let verify_options = VerifyOptions {
            sample: Sample::Count(options.verify_sample),
            ..VerifyOptions::default()
        };
        verify(source, registry.store(), &verify_options, &mut |_| {})?
    } else {
        VerifyReport::default()
    };
    if interrupt() {
        return Err(MigrateError::Stopped);
    }
    if verification.difference_count() > 0 {
        return Err(MigrateError::Refused(format!(
            "verification found {} difference(s) after the final apply (run `resplite import \
             verify` for details)",
            verification.difference_count()
        )));
    }
    let downtime = frozen_at.elapsed();
    if downtime >= options.pause_timeout {
        return Err(pause_ran_out(timeout_ms));
    }
    registry.update(&[
        ("cutover_at", resplite_store::now_ms().into()),
        ("cutover_downtime_ms", (downtime.as_millis() as i64).into()),
    ])?;
    Ok(CutoverReport {
        run: registry.require()?,
        before_freeze: ApplyProgress::default(),
        during_freeze,
        verification,
        downtime,
        still_paused: true,
    })
}

/// The refusal of a cutover that outlasted its pause.
fn pause_ran_out(timeout_ms: u64) -> MigrateError {
    MigrateError::Refused(format!(
        "the pause ({timeout_ms} ms) ran out before the cutover finished, so writes may have \
         reached the source after the final apply; run the cutover again with a longer \
         --pause-timeout"
    ))
}
