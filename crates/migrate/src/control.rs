//! Steering a running step from outside: the worker lease, heartbeats, pause/resume/abort
//! and throttles changed while a step runs.
//!
//! A bulk copy or a delta apply *leases* the run (its kind, process id and a heartbeat in
//! the run row), so two of them never run at once; the lease is free again when released
//! or when its heartbeat is older than `registry::HEARTBEAT_STALE_MS`. While it runs, the step
//! renews the heartbeat and reads the run row about every quarter second, which is how
//! `resplite import pause|resume|abort|set` reach it: they only update the row.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use resplite_store::SqlValue;

use crate::error::{MigrateError, Result};
use crate::registry::{Registry, Run, load_run, update_run};

/// How often a running step renews its heartbeat and reads its controls.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// What a running step is told to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Keep going.
    Run,
    /// Stop taking new work until resumed.
    Pause,
    /// Stop as soon as what is in flight is committed.
    Abort,
}

impl Control {
    fn parse(text: &str) -> Control {
        match text {
            "pause" => Control::Pause,
            "abort" => Control::Abort,
            _ => Control::Run,
        }
    }
}

/// Throttles a running step follows; each may change while it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Throttles {
    /// `SCAN … COUNT` hint.
    pub scan_count: Option<i64>,
    /// Concurrent readers of the source.
    pub max_concurrency: Option<i64>,
    /// Most commands per second sent to the source (0: no limit).
    pub max_rps: Option<i64>,
    /// Most keys per destination transaction.
    pub batch_keys: Option<i64>,
    /// Most value bytes per destination transaction.
    pub batch_bytes: Option<i64>,
}

impl Throttles {
    /// The columns to set for the throttles given.
    pub(crate) fn assignments(&self) -> Vec<(&'static str, SqlValue)> {
        let mut assignments = Vec::new();
        let fields = [
            ("scan_count", self.scan_count),
            ("max_concurrency", self.max_concurrency),
            ("max_rps", self.max_rps),
            ("batch_keys", self.batch_keys),
            ("batch_bytes", self.batch_bytes),
        ];
        for (column, value) in fields {
            if let Some(value) = value {
                assignments.push((column, SqlValue::from(value)));
            }
        }
        assignments
    }

    fn check(&self) -> Result<()> {
        let positive = [
            ("--scan-count", self.scan_count),
            ("--max-concurrency", self.max_concurrency),
            ("--batch-keys", self.batch_keys),
            ("--batch-bytes", self.batch_bytes),
        ];
        for (flag, value) in positive {
            if value.is_some_and(|value| value < 1) {
                return Err(MigrateError::Refused(format!("{flag} must be at least 1")));
            }
        }
        if self.max_concurrency.is_some_and(|value| value > MAX_CONCURRENCY as i64) {
            return Err(MigrateError::Refused(format!(
                "--max-concurrency must be at most {MAX_CONCURRENCY}"
            )));
        }
        if self.max_rps.is_some_and(|value| value < 0) {
            return Err(MigrateError::Refused("--max-rps must not be negative".into()));
        }
        Ok(())
    }
}

/// The most concurrent source readers a step runs.
pub const MAX_CONCURRENCY: usize = 64;

/// Asks a running bulk or apply-dirty of the run to pause.
pub fn pause(registry: &Registry) -> Result<Run> {
    set_control(registry, "pause")
}

/// Lets a paused step continue.
pub fn resume(registry: &Registry) -> Result<Run> {
    set_control(registry, "run")
}

/// Asks a running step to stop after committing what it has in flight.
pub fn abort(registry: &Registry) -> Result<Run> {
    set_control(registry, "abort")
}

fn set_control(registry: &Registry, control: &'static str) -> Result<Run> {
    registry.require()?;
    registry.update(&[("control", control.into())])?;
    registry.require()
}

/// Changes the throttles of the run; a running step picks them up within a second.
pub fn set_throttles(registry: &Registry, throttles: &Throttles) -> Result<Run> {
    throttles.check()?;
    registry.require()?;
    registry.update(&throttles.assignments())?;
    registry.require()
}

/// The right to run a step of a run, held while it runs.
pub struct Lease {
    registry: Registry,
    kind: &'static str,
    last_poll: Mutex<Instant>,
    /// The heartbeat thread: renews the lease every second, whatever the step is doing
    /// (a long throttle wait or a huge key must not make the lease look abandoned).
    heartbeat: Option<std::thread::JoinHandle<()>>,
    stop_heartbeat: Arc<AtomicBool>,
    /// Set when a renewal found the lease taken by another process.
    lost: Arc<AtomicBool>,
}

/// Renews the lease of `run_id` held by `pid` until told to stop; notes when it is gone.
fn renew_lease(registry: Registry, pid: i64, stop: Arc<AtomicBool>, lost: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let run_id = registry.run_id().to_owned();
        let renewed = registry.store().write(move |writer| {
            let now = writer.now();
            writer.execute_sql(
                "UPDATE migration_runs SET worker_heartbeat = ?2 WHERE run_id = ?1 \
                 AND worker_pid = ?3",
                &[run_id.into(), now.into(), pid.into()],
            )
        });
        if renewed == Ok(0) {
            lost.store(true, Ordering::Relaxed);
            return;
        }
        for _ in 0..20 {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Lease {
    /// Takes the run for `kind` (`bulk`, `apply-dirty`, `cutover`), applying `throttles`.
    /// Refused while another step holds it with a fresh heartbeat.
    pub fn claim(registry: &Registry, kind: &'static str, throttles: &Throttles) -> Result<Lease> {
        throttles.check()?;
        registry.require()?;
        let mut assignments = throttles.assignments();
        let pid = i64::from(std::process::id());
        assignments.extend([
            ("worker", kind.into()),
            ("worker_pid", pid.into()),
            ("worker_heartbeat", resplite_store::now_ms().into()),
            ("control", "run".into()),
        ]);
        let run_id = registry.run_id().to_owned();
        // Checked and taken in one transaction, so two steps starting at once cannot both
        // get it.
        let busy = registry.store().write(move |writer| {
            let Some(run) = load_run(writer, &run_id)? else { return Ok(None) };
            if run.worker_alive(writer.now()) && run.worker_pid != Some(pid) {
                return Ok(Some(run));
            }
            update_run(writer, &run_id, &assignments)?;
            Ok(None)
        })?;
        if let Some(run) = busy {
            return Err(MigrateError::Refused(format!(
                "run {} is busy: {} (pid {}) is running; wait for it, or stop it with \
                 `resplite import abort`",
                run.run_id,
                run.worker.as_deref().unwrap_or("?"),
                run.worker_pid.unwrap_or(0)
            )));
        }
        let (stop_heartbeat, lost) =
            (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let heartbeat = {
            let (registry, stop, lost) = (registry.clone(), stop_heartbeat.clone(), lost.clone());
            std::thread::Builder::new()
                .name("resplite-lease".into())
                .spawn(move || renew_lease(registry, pid, stop, lost))
                .ok()
        };
        Ok(Lease {
            registry: registry.clone(),
            kind,
            last_poll: Mutex::new(Instant::now()),
            heartbeat,
            stop_heartbeat,
            lost,
        })
    }

    /// Renews the heartbeat and reads the run row (controls and throttles).
    /// Reads the run row (controls and throttles); an error once another process has taken
    /// the run (this one was stalled past the heartbeat's staleness).
    pub fn poll(&self) -> Result<Run> {
        *self.last_poll.lock().unwrap_or_else(|poison| poison.into_inner()) = Instant::now();
        if self.lost.load(Ordering::Relaxed) {
            return Err(MigrateError::Refused(format!(
                "another process took over run {}; this {} stopped",
                self.registry.run_id(),
                self.kind
            )));
        }
        self.registry.require()
    }

    /// Whether a poll is due.
    pub fn poll_due(&self) -> bool {
        self.last_poll.lock().unwrap_or_else(|poison| poison.into_inner()).elapsed()
            >= POLL_INTERVAL
    }

    /// The registry of the leased run.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Which step holds the lease.
    pub fn kind(&self) -> &'static str {
        self.kind
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.stop_heartbeat.store(true, Ordering::Relaxed);
        if let Some(heartbeat) = self.heartbeat.take() {
            let _ = heartbeat.join();
        }
        let (run_id, pid) = (self.registry.run_id().to_owned(), i64::from(std::process::id()));
        let _ = self.registry.store().write(move |writer| {
            writer.execute_sql(
                "UPDATE migration_runs SET worker = NULL, worker_pid = NULL, \
                 worker_heartbeat = NULL WHERE run_id = ?1 AND worker_pid = ?2",
                &[run_id.into(), pid.into()],
            )
        });
    }
}

/// The controls of a running step, shared by its threads.
pub struct SharedControls {
    control: AtomicU8,
    /// Set by the program (Ctrl+C) to stop like an abort, leaving the run resumable.
    interrupted: AtomicBool,
    max_rps: AtomicU64,
    max_concurrency: AtomicU64,
    batch_keys: AtomicU64,
    batch_bytes: AtomicU64,
    scan_count: AtomicU64,
    limiter: Mutex<Bucket>,
}

struct Bucket {
    tokens: f64,
    refilled: Instant,
}

impl SharedControls {
    /// Controls starting from the run row's values.
    pub fn new(run: &Run) -> SharedControls {
        let controls = SharedControls {
            control: AtomicU8::new(0),
            interrupted: AtomicBool::new(false),
            max_rps: AtomicU64::new(0),
            max_concurrency: AtomicU64::new(1),
            batch_keys: AtomicU64::new(1),
            batch_bytes: AtomicU64::new(1),
            scan_count: AtomicU64::new(1),
            limiter: Mutex::new(Bucket { tokens: 0.0, refilled: Instant::now() }),
        };
        controls.follow(run);
        controls
    }

    /// Takes the controls and throttles of a freshly read run row.
    pub fn follow(&self, run: &Run) {
        let control = match Control::parse(&run.control) {
            Control::Run => 0,
            Control::Pause => 1,
            Control::Abort => 2,
        };
        self.control.store(control, Ordering::Relaxed);
        let clamp = |value: i64| value.max(1) as u64;
        self.max_rps.store(run.max_rps.max(0) as u64, Ordering::Relaxed);
        self.max_concurrency
            .store(clamp(run.max_concurrency).min(MAX_CONCURRENCY as u64), Ordering::Relaxed);
        self.batch_keys.store(clamp(run.batch_keys), Ordering::Relaxed);
        self.batch_bytes.store(clamp(run.batch_bytes), Ordering::Relaxed);
        self.scan_count.store(clamp(run.scan_count), Ordering::Relaxed);
    }

    /// What the step is told to do now.
    pub fn control(&self) -> Control {
        if self.interrupted.load(Ordering::Relaxed) {
            return Control::Abort;
        }
        match self.control.load(Ordering::Relaxed) {
            1 => Control::Pause,
            2 => Control::Abort,
            _ => Control::Run,
        }
    }

    /// Stops the step as an abort would, but the run stays resumable (Ctrl+C).
    pub fn interrupt(&self) {
        self.interrupted.store(true, Ordering::Relaxed);
    }

    /// Whether [`SharedControls::interrupt`] was called.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }

    /// Whether to stop: aborted or interrupted.
    pub fn stopping(&self) -> bool {
        self.control() == Control::Abort
    }

    /// Waits while paused; answers false when the step must stop instead.
    pub fn wait_while_paused(&self) -> bool {
        loop {
            match self.control() {
                Control::Run => return true,
                Control::Abort => return false,
                Control::Pause => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Current concurrency.
    pub fn max_concurrency(&self) -> usize {
        self.max_concurrency.load(Ordering::Relaxed) as usize
    }

    /// Current keys per transaction.
    pub fn batch_keys(&self) -> usize {
        self.batch_keys.load(Ordering::Relaxed) as usize
    }

    /// Current bytes per transaction.
    pub fn batch_bytes(&self) -> usize {
        self.batch_bytes.load(Ordering::Relaxed) as usize
    }

    /// Current `SCAN` count hint.
    pub fn scan_count(&self) -> u64 {
        self.scan_count.load(Ordering::Relaxed)
    }

    /// Waits until `commands` more commands may be sent under `--max-rps`.
    pub fn throttle(&self, commands: u64) {
        self.throttle_or_stop(commands, &|| false);
    }

    /// As [`SharedControls::throttle`], but asks `stop` (Ctrl+C, the end of a pause) between
    /// its waits and, once it says so, stops waiting as an interrupt does: a throttled step
    /// then stops within a fraction of a second instead of after the batch it waits for.
    /// The caller sees it in [`SharedControls::stopping`].
    pub fn throttle_or_stop(&self, commands: u64, stop: &dyn Fn() -> bool) {
        loop {
            let rate = self.max_rps.load(Ordering::Relaxed);
            if rate == 0 {
                return;
            }
            let wait = {
                let mut bucket = self.limiter.lock().unwrap_or_else(|poison| poison.into_inner());
                let now = Instant::now();
                let elapsed = now.duration_since(bucket.refilled).as_secs_f64();
                // At most one second of unused budget accumulates.
                bucket.tokens = (bucket.tokens + elapsed * rate as f64).min(rate as f64);
                bucket.refilled = now;
                if bucket.tokens >= commands.min(rate) as f64 {
                    bucket.tokens -= commands as f64;
                    return;
                }
                (commands.min(rate) as f64 - bucket.tokens) / rate as f64
            };
            std::thread::sleep(Duration::from_secs_f64(wait.clamp(0.001, 0.25)));
            if stop() {
                self.interrupt();
            }
            if self.stopping() {
                return;
            }
        }
    }
}

/// Reads a stale lease's holder for messages: `None` when the run has no live worker.
pub fn live_worker(run: &Run) -> Option<String> {
    let now = resplite_store::now_ms();
    run.worker_alive(now).then(|| {
        format!("{} (pid {})", run.worker.as_deref().unwrap_or("?"), run.worker_pid.unwrap_or(0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::HEARTBEAT_STALE_MS;

    #[test]
    fn throttle_spreads_commands_over_time() {
        let run = Run { max_rps: 1000, ..Run::default() };
        let controls = SharedControls::new(&run);
        let started = Instant::now();
        for _ in 0..15 {
            controls.throttle(100);
        }
        // 1,500 commands at 1,000/s: the first second's budget is earned, not given.
        assert!(started.elapsed() >= Duration::from_millis(1200), "{:?}", started.elapsed());
    }

    #[test]
    fn a_stop_ends_a_throttled_wait_at_once() {
        let run = Run { max_rps: 10, ..Run::default() };
        let controls = SharedControls::new(&run);
        let started = Instant::now();
        // At 10 commands a second this call waits a second for its budget; the stop comes
        // after 0.3 s.
        controls.throttle_or_stop(100, &|| started.elapsed() >= Duration::from_millis(300));
        assert!(controls.stopping(), "the stop is kept as an interrupt");
        assert!(started.elapsed() < Duration::from_millis(900), "{:?}", started.elapsed());
    }

    #[test]
    fn stale_heartbeat_frees_the_lease() {
        let now = 1_000_000;
        let run = Run {
            worker: Some("bulk".into()),
            worker_pid: Some(i64::from(std::process::id())),
            worker_heartbeat: Some(now - HEARTBEAT_STALE_MS - 1),
            ..Run::default()
        };
        assert!(!run.worker_alive(now));
        let run = Run { worker_heartbeat: Some(now), ..run };
        assert!(run.worker_alive(now));
        // A lease whose process is gone is free at once.
        let run = Run { worker_pid: Some(i64::from(u32::MAX)), ..run };
        assert!(!run.worker_alive(now));
    }
}
