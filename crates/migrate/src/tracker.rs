//! The dirty-key tracker: records every key the source changes, and every moment it might
//! have missed one.
//!
//! It subscribes to keyspace notifications of every database and merges events per key in
//! memory, flushing them into the registry at least every 100 ms (one transaction, which
//! also renews its heartbeat). It *fails closed*: whenever it cannot be sure it saw every
//! change it records a **gap** — while its subscription is down (from the moment it is lost
//! until it is back), when the source restarted (its `run_id` changed), when `FLUSHALL`,
//! `FLUSHDB` or `SWAPDB` ran (they change keys without per-key events), when the
//! notification settings stop covering what it needs, and for any time before it started
//! once a bulk copy had begun. A gap is covered only by a bulk pass started after it ended.
//!
//! It takes orders through the run row: `tracker_control = 'stop'` ends it, and a raised
//! `barrier_requested` makes it `PING` its subscription and, when the answer arrives, flush
//! and set `barrier_reached` — proof that every change made before the request is recorded.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use resplite_store::{Db, SqlValue};

use crate::dirty::{KeyEvents, record_events};
use crate::error::{MigrateError, Result};
use crate::probe::probe_notifications;
use crate::registry::{Registry, Run, load_run, update_run};
use crate::source::{ServerFacts, Source, refuse_cluster, server_facts};
use crate::subscriber::{Channels, Notice, Subscriber};

/// The longest time events wait in memory before being written.
const FLUSH_INTERVAL: Duration = Duration::from_millis(100);
/// Events merged in memory that force a flush.
const FLUSH_KEYS: usize = 10_000;
/// How often the run row is read for orders.
const ORDERS_INTERVAL: Duration = Duration::from_millis(200);
/// How often the source's `INFO` and notification settings are checked.
const SOURCE_CHECK_INTERVAL: Duration = Duration::from_secs(1);
/// The gap recorded while the source's `INFO` cannot be read.
const BLIND_REASON: &str =
    "cannot read INFO from the source (FLUSHALL or a restart would go unseen)";
/// The longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The notification classes the tracker needs: generic, string, list, set, hash, sorted
/// set, expired and evicted (`A` covers them all).
pub const NEEDED_CLASSES: &[char] = &['g', '$', 'l', 's', 'h', 'z', 'x', 'e'];

/// How the tracker runs.
#[derive(Clone, Debug, Default)]
pub struct TrackerOptions {
    /// Keyevent (default) or keyspace channels.
    pub channels: Channels,
    /// Add the missing classes to `notify-keyspace-events` with `CONFIG SET` instead of
    /// refusing to start.
    pub configure_notifications: bool,
    /// Run even though `INFO commandstats` is not available, so `FLUSHALL`, `FLUSHDB` and
    /// `SWAPDB` (which send no per-key notifications) would go unseen.
    pub allow_unseen_flushes: bool,
}

/// Live figures of the tracker.
#[derive(Clone, Debug, Default)]
pub struct TrackerProgress {
    /// Events received by this process.
    pub events: u64,
    /// Events written to the registry.
    pub flushed: u64,
    /// Whether the subscription is up.
    pub connected: bool,
    /// Gaps this process recorded.
    pub gaps: u64,
    /// The last problem seen, if any.
    pub last_problem: Option<String>,
}

/// What `notify-keyspace-events` lacks for `channels`, as flags; empty when it covers all.
pub fn missing_notification_flags(setting: &str, channels: Channels) -> String {
    let mut missing = String::new();
    if !setting.contains(channels.flag()) {
        missing.push(channels.flag());
    }
    if !setting.contains('A') {
        for class in NEEDED_CLASSES {
            if !setting.contains(*class) {
                missing.push(*class);
            }
        }
    }
    missing
}

/// Reads `notify-keyspace-events`; `None` when `CONFIG` is not allowed (renamed or denied).
pub fn notification_setting(connection: &mut redis::Connection) -> Option<String> {
    let reply: redis::RedisResult<Vec<String>> =
        redis::cmd("CONFIG").arg("GET").arg("notify-keyspace-events").query(connection);
    reply.ok().and_then(|pair| pair.get(1).cloned())
}

/// Runs the tracker until told to stop (`resplite tracker stop`, or `interrupt` answering
/// true). Refuses to start when another tracker of the run is alive or the source does not
/// send the notifications it needs.
pub fn run_tracker(
    source: &Source,
    registry: &Registry,
    options: &TrackerOptions,
    interrupt: &dyn Fn() -> bool,
    on_progress: &mut dyn FnMut(&TrackerProgress),
) -> Result<Run> {
    let mut control = source.connect(0)?;
    let facts = server_facts(&mut control)?;
    refuse_cluster(&facts)?;
    if facts.silent_rewrites.is_none() && !options.allow_unseen_flushes {
        return Err(MigrateError::Refused(
            "the source's INFO has no commandstats, so the tracker could not see FLUSHALL, \
             FLUSHDB or SWAPDB (they send no per-key notifications); pass \
             --allow-unseen-flushes if none will run during the migration"
                .into(),
        ));
    }
    check_notifications(&mut control, options)?;
    registry.create_or_load(source.redacted())?;
    let run = claim_tracker(registry)?;
    let mut tracker = Tracker {
        source,
        registry,
        options,
        control,
        facts,
        pending: HashMap::new(),
        progress: TrackerProgress::default(),
        barrier_sent: 0,
        last_flush: Instant::now(),
    };
    let subscriber = tracker.connect_with_backoff(interrupt, None)?;
    tracker.start(&run, subscriber, interrupt, on_progress)
}

/// Takes the tracker role of the run in one transaction (so two trackers started at once
/// cannot both run); answers the run as it was before.
fn claim_tracker(registry: &Registry) -> Result<Run> {
    let (run_id, pid) = (registry.run_id().to_owned(), i64::from(std::process::id()));
    let (previous, busy) = registry.store().write(move |writer| {
        let Some(run) = load_run(writer, &run_id)? else {
            return Err(resplite_store::StoreError::Internal("the run vanished".into()));
        };
        if run.tracker_alive(writer.now()) && run.tracker_pid != Some(pid) {
            return Ok((run, true));
        }
        let now = writer.now();
        update_run(
            writer,
            &run_id,
            &[("tracker_pid", pid.into()), ("tracker_heartbeat", now.into())],
        )?;
        // Time since the last tracker listened (or since a copy began) is a gap, open from
        // this moment until this tracker is subscribed and has proved its notifications, so
        // the status is not safe meanwhile.
        if let Some(since) = run.tracker_heartbeat.or(run.pass_started_at) {
            writer.execute_sql(
                "INSERT INTO migration_gaps (run_id, started_at, ended_at, reason) \
                 VALUES (?1, ?2, NULL, 'the tracker was not running')",
                &[run_id.clone().into(), since.into()],
            )?;
        }
        Ok((run, false))
    })?;
    if busy {
        return Err(MigrateError::Refused(format!(
            "a tracker of run {} is already running (pid {})",
            previous.run_id,
            previous.tracker_pid.unwrap_or(0)
        )));
    }
    Ok(previous)
}

fn check_notifications(connection: &mut redis::Connection, options: &TrackerOptions) -> Result<()> {
    let Some(setting) = notification_setting(connection) else {
        // CONFIG is not allowed (a managed service): the start-up probe must prove it works.
        return Ok(());
    };
    let missing = missing_notification_flags(&setting, options.channels);
    if missing.is_empty() {
        return Ok(());
    }
    if options.configure_notifications {
        let wanted = format!("{setting}{missing}");
        redis::cmd("CONFIG")
            .arg("SET")
            .arg("notify-keyspace-events")
            .arg(&wanted)
            .exec(connection)?;
        return Ok(());
    }
    Err(MigrateError::Refused(format!(
        "the source's notify-keyspace-events is {setting:?} and lacks {missing:?}; set it with \
         `CONFIG SET notify-keyspace-events {setting}{missing}` (or pass \
         --configure-notifications)"
    )))
}

struct Tracker<'a> {
    source: &'a Source,
    registry: &'a Registry,
    options: &'a TrackerOptions,
    control: redis::Connection,
    facts: ServerFacts,
    pending: HashMap<(Db, Vec<u8>), KeyEvents>,
    progress: TrackerProgress,
    barrier_sent: i64,
    last_flush: Instant,
}

impl Tracker<'_> {
    fn start(
        &mut self,
        run: &Run,
        mut subscriber: Subscriber,
        interrupt: &dyn Fn() -> bool,
        on_progress: &mut dyn FnMut(&TrackerProgress),
    ) -> Result<Run> {
        if let Err(error) = self.probe(&mut subscriber) {
            // Give the role back as it was, so the next start still sees when the last
            // tracker stopped listening.
            let _ = self.registry.update(&[
                ("tracker_pid", SqlValue::Null),
                ("tracker_heartbeat", run.tracker_heartbeat.into()),
            ]);
            return Err(error);
        }
        // What changed during the probe (its own keys included, which a bulk pass may have
        // copied) is recorded before the run shows this tracker as listening.
        self.flush(None)?;
        let now = resplite_store::now_ms();
        // Listening now: the gap opened when the role was taken ends here, as does any gap a
        // previous tracker left open.
        self.registry.close_gaps(now)?;
        if run.source_run_id.as_deref().is_some_and(|id| id != self.facts.run_id) {
            self.registry.record_gap(
                run.tracker_heartbeat.unwrap_or(now),
                Some(now),
                "the source restarted",
            )?;
        }
        self.registry.update(&[
            ("tracker_pid", i64::from(std::process::id()).into()),
            ("tracker_heartbeat", now.into()),
            ("tracker_control", "run".into()),
            ("tracker_channels", self.options.channels.name().into()),
            ("source_run_id", self.facts.run_id.clone().into()),
        ])?;
        self.progress.connected = true;
        let outcome = self.listen(subscriber, interrupt, on_progress);
        // Whatever ended it, the time from now on is not tracked.
        let _ = self.flush(None);
        let stopped = resplite_store::now_ms();
        let _ = self.registry.record_gap(stopped, None, "the tracker stopped");
        let _ = self
            .registry
            .update(&[("tracker_pid", SqlValue::Null), ("tracker_heartbeat", stopped.into())]);
        outcome?;
        self.registry.require()
    }

    /// Provokes one event of every class the tracker needs and refuses to run when any
    /// does not arrive (see `probe.rs`).
    fn probe(&mut self, subscriber: &mut Subscriber) -> Result<()> {
        let tag = format!("tracker:{}:{}", self.registry.run_id(), std::process::id());
        let mut notices = Vec::new();
        let missing =
            probe_notifications(&mut self.control, subscriber, &tag, &mut |n| notices.push(n))?;
        for notice in notices {
            self.note(notice);
        }
        if !missing.is_empty() {
            return Err(MigrateError::Refused(format!(
                "the source sends no keyspace notifications of class {}: enable them in \
                 notify-keyspace-events (see `resplite import preflight`)",
                missing.join(", ")
            )));
        }
        Ok(())
    }

    fn listen(
        &mut self,
        mut subscriber: Subscriber,
        interrupt: &dyn Fn() -> bool,
        on_progress: &mut dyn FnMut(&TrackerProgress),
    ) -> Result<()> {
        let mut last_orders = Instant::now();
        let mut last_check = Instant::now();
        let mut last_ok_check = resplite_store::now_ms();
        let mut config_gap: Option<String> = None;
        let mut blind_gap: Option<()> = None;
        loop {
            if interrupt() {
                return Ok(());
            }
            match subscriber.next(FLUSH_INTERVAL / 2) {
                Ok(Some(Notice::Pong(token))) => {
                    let reached = parse_barrier(&token);
                    self.flush(reached)?;
                }
                Ok(Some(notice)) => self.note(notice),
                Ok(None) => {}
                Err(error) => {
                    subscriber = self.reconnect(&error.to_string(), interrupt, on_progress)?;
                    continue;
                }
            }
            if self.pending.len() >= FLUSH_KEYS || self.last_flush.elapsed() >= FLUSH_INTERVAL {
                self.flush(None)?;
                on_progress(&self.progress);
            }
            if last_orders.elapsed() >= ORDERS_INTERVAL {
                last_orders = Instant::now();
                let run = self.registry.require()?;
                if run.tracker_control == "stop" {
                    return Ok(());
                }
                if run.barrier_requested > run.barrier_reached
                    && run.barrier_requested > self.barrier_sent
                {
                    let token = format!("resplite-barrier-{}", run.barrier_requested);
                    if let Err(error) = subscriber.ping(token.as_bytes()) {
                        subscriber = self.reconnect(&error.to_string(), interrupt, on_progress)?;
                        continue;
                    }
                    self.barrier_sent = run.barrier_requested;
                }
            }
            if last_check.elapsed() >= SOURCE_CHECK_INTERVAL {
                last_check = Instant::now();
                let now = resplite_store::now_ms();
                match self.check_source(last_ok_check, now, &mut config_gap) {
                    Ok(()) => {
                        if blind_gap.take().is_some() {
                            self.registry.close_gap(BLIND_REASON, now)?;
                        }
                        last_ok_check = now;
                    }
                    Err(error) => {
                        // Unable to see a FLUSHALL or a restart: not safe until it can again.
                        if blind_gap.is_none() {
                            self.gap(last_ok_check, None, BLIND_REASON)?;
                            blind_gap = Some(());
                        }
                        self.progress.last_problem = Some(error.to_string());
                    }
                }
            }
        }
    }

    /// Looks for changes the notifications cannot show: a restart, a flush or swap, or
    /// notifications switched off.
    fn check_source(
        &mut self,
        since: i64,
        now: i64,
        config_gap: &mut Option<String>,
    ) -> Result<()> {
        let facts = match server_facts(&mut self.control) {
            Ok(facts) => facts,
            Err(_) => {
                self.control = self.source.connect(0)?;
                server_facts(&mut self.control)?
            }
        };
        if facts.run_id != self.facts.run_id {
            self.gap(since, Some(now), "the source restarted (its run_id changed)")?;
            self.registry.update(&[("source_run_id", facts.run_id.clone().into())])?;
        } else if facts.silent_rewrites != self.facts.silent_rewrites {
            self.gap(since, Some(now), "FLUSHALL, FLUSHDB or SWAPDB ran on the source")?;
        }
        self.facts = facts;
        if let Some(setting) = notification_setting(&mut self.control) {
            let missing = missing_notification_flags(&setting, self.options.channels);
            if !missing.is_empty() && config_gap.is_none() {
                let reason =
                    format!("notify-keyspace-events changed to {setting:?} (lacks {missing:?})");
                self.gap(now, None, &reason)?;
                *config_gap = Some(reason);
            } else if missing.is_empty()
                && let Some(reason) = config_gap.take()
            {
                self.registry.close_gap(&reason, now)?;
            }
        }
        Ok(())
    }

    fn gap(&mut self, started_at: i64, ended_at: Option<i64>, reason: &str) -> Result<()> {
        tracing::warn!(reason, "tracker gap");
        self.progress.gaps += 1;
        self.progress.last_problem = Some(reason.to_owned());
        self.registry.record_gap(started_at, ended_at, reason)
    }

    /// Records the lost subscription as an open gap, reconnects with backoff and closes it.
    fn reconnect(
        &mut self,
        problem: &str,
        interrupt: &dyn Fn() -> bool,
        on_progress: &mut dyn FnMut(&TrackerProgress),
    ) -> Result<Subscriber> {
        let lost_at = resplite_store::now_ms();
        self.flush(None)?;
        self.progress.connected = false;
        let reason = format!("subscription lost: {problem}");
        self.gap(lost_at, None, &reason)?;
        let _ =
            self.registry.record_error("tracker", None, &format!("subscription lost: {problem}"));
        on_progress(&self.progress);
        let subscriber = self.connect_with_backoff(interrupt, Some(on_progress))?;
        self.registry.close_gap(&reason, resplite_store::now_ms())?;
        self.progress.connected = true;
        // A barrier pinged on the lost connection must be pinged again.
        self.barrier_sent = 0;
        Ok(subscriber)
    }

    fn connect_with_backoff(
        &mut self,
        interrupt: &dyn Fn() -> bool,
        mut on_progress: Option<&mut dyn FnMut(&TrackerProgress)>,
    ) -> Result<Subscriber> {
        let mut backoff = Duration::from_millis(100);
        loop {
            match Subscriber::subscribe(self.source, self.options.channels) {
                Ok(subscriber) => return Ok(subscriber),
                Err(error) => {
                    self.progress.last_problem = Some(error.to_string());
                    if let Some(report) = on_progress.as_mut() {
                        report(&self.progress);
                    }
                    // Keep the heartbeat fresh: the tracker is alive, only disconnected.
                    self.heartbeat()?;
                }
            }
            let deadline = Instant::now() + backoff;
            while Instant::now() < deadline {
                if interrupt() || self.stop_requested()? {
                    return Err(MigrateError::Stopped);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    fn stop_requested(&self) -> Result<bool> {
        Ok(self.registry.load()?.is_some_and(|run| run.tracker_control == "stop"))
    }

    fn heartbeat(&self) -> Result<()> {
        let now = resplite_store::now_ms();
        self.registry.update(&[("tracker_heartbeat", now.into())])
    }

    fn note(&mut self, notice: Notice) {
        let Notice::Changed { db, key, event } = notice else { return };
        if event == "keymiss" {
            return;
        }
        self.progress.events += 1;
        let now = resplite_store::now_ms();
        let entry = self.pending.entry((db, key)).or_insert_with_key(|(db, key)| KeyEvents {
            db: *db,
            key: key.clone(),
            first_at: now,
            last_at: now,
            count: 0,
            last_event: String::new(),
        });
        entry.last_at = now;
        entry.count += 1;
        entry.last_event = event;
    }

    /// Writes merged events, the heartbeat and (after a barrier's answer) `barrier_reached`
    /// in one transaction.
    fn flush(&mut self, barrier: Option<i64>) -> Result<()> {
        let events: Vec<KeyEvents> = self.pending.drain().map(|(_, events)| events).collect();
        let count: i64 = events.iter().map(|events| events.count).sum();
        let run_id = self.registry.run_id().to_owned();
        self.registry.store().write(move |writer| {
            record_events(writer, &run_id, &events)?;
            let now = writer.now();
            writer.execute_sql(
                "UPDATE migration_runs SET dirty_keys_seen = dirty_keys_seen + ?2, \
                 tracker_heartbeat = ?3 WHERE run_id = ?1",
                &[run_id.clone().into(), count.into(), now.into()],
            )?;
            if let Some(reached) = barrier {
                update_run(writer, &run_id, &[("barrier_reached", reached.into())])?;
            }
            Ok(())
        })?;
        self.progress.flushed += count as u64;
        self.last_flush = Instant::now();
        Ok(())
    }
}

fn parse_barrier(token: &[u8]) -> Option<i64> {
    std::str::from_utf8(token).ok()?.strip_prefix("resplite-barrier-")?.parse().ok()
}

/// Asks the run's tracker to stop and waits up to `wait` for it; falls back to `SIGTERM`
/// to the process it recorded. Answers whether the tracker is gone.
pub fn stop_tracker(registry: &Registry, wait: Duration) -> Result<bool> {
    let run = registry.require()?;
    registry.update(&[("tracker_control", "stop".into())])?;
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        let run = registry.require()?;
        if run.tracker_pid.is_none() || !run.tracker_alive(resplite_store::now_ms()) {
            return Ok(true);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if let Some(pid) = run.tracker_pid {
        let _ = std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
    }
    Ok(false)
}

/// Asks the run's tracker for a barrier and waits until it reports it has recorded every
/// change the source made before the request (see the module documentation).
pub fn wait_for_barrier(registry: &Registry, timeout: Duration) -> Result<()> {
    let run = registry.require()?;
    let wanted = run.barrier_requested.max(run.barrier_reached) + 1;
    registry.update(&[("barrier_requested", wanted.into())])?;
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if registry.require()?.barrier_reached >= wanted {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(MigrateError::Refused(format!(
        "the tracker did not confirm within {} s that it has recorded every change; is it \
         running?",
        timeout.as_secs()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_flags_name_the_channel_flag_and_classes() {
        assert_eq!(missing_notification_flags("", Channels::Keyevent), "Eg$lshzxe");
        assert_eq!(missing_notification_flags("AE", Channels::Keyevent), "");
        assert_eq!(missing_notification_flags("AE", Channels::Keyspace), "K");
        assert_eq!(missing_notification_flags("Eg$lshz", Channels::Keyevent), "xe");
    }

    #[test]
    fn barrier_tokens_round_trip() {
        assert_eq!(parse_barrier(b"resplite-barrier-42"), Some(42));
        assert_eq!(parse_barrier(b"hello"), None);
    }
}
