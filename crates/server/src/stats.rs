//! Command statistics: calls and time per command (`INFO commandstats`), error replies by
//! code (`INFO errorstats`), and the recent rates of commands and network bytes
//! (`instantaneous_ops_per_sec`, `instantaneous_input_kbps`, `instantaneous_output_kbps`).
//!
//! Top-level commands count in atomics, one set per registry row, so the hot path takes no
//! lock; subcommands (`config|get`) are few and rare and share one locked map.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::registry::{COMMANDS, CommandSpec};

/// The most distinct error codes counted, as in Redis; later codes are not tracked.
const MAX_ERROR_CODES: usize = 128;

/// How often the command rate is sampled, and how many samples make its window.
const RATE_SAMPLE_MS: u64 = 100;
const RATE_SAMPLES: usize = 16;

#[derive(Default)]
struct Counters {
    calls: AtomicU64,
    micros: AtomicU64,
    rejected: AtomicU64,
    failed: AtomicU64,
}

/// Counters of one subcommand (kept under the map's lock).
#[derive(Clone, Copy, Default)]
struct Tally {
    calls: u64,
    micros: u64,
    rejected: u64,
    failed: u64,
}

/// Every statistic `INFO commandstats` and `INFO errorstats` report.
pub(crate) struct CommandStats {
    by_command: Vec<Counters>,
    by_subcommand: Mutex<BTreeMap<(&'static str, &'static str), Tally>>,
    errors: Mutex<BTreeMap<String, u64>>,
    error_replies: AtomicU64,
    rate: RecentRates,
}

impl Default for CommandStats {
    fn default() -> CommandStats {
        CommandStats {
            by_command: COMMANDS.iter().map(|_| Counters::default()).collect(),
            by_subcommand: Mutex::default(),
            errors: Mutex::default(),
            error_replies: AtomicU64::new(0),
            rate: RecentRates::default(),
        }
    }
}

impl CommandStats {
    /// Records one executed command: its time and whether it answered an error.
    pub(crate) fn record_call(
        &self,
        command: &'static CommandSpec,
        subcommand: Option<&'static str>,
        micros: u64,
        failed: bool,
    ) {
        if let Some(subcommand) = subcommand {
            let mut map = lock(&self.by_subcommand);
            let tally = map.entry((command.name, subcommand)).or_default();
            tally.calls += 1;
            tally.micros += micros;
            tally.failed += u64::from(failed);
            return;
        }
        let counters = &self.by_command[registry_index(command)];
        counters.calls.fetch_add(1, Ordering::Relaxed);
        counters.micros.fetch_add(micros, Ordering::Relaxed);
        if failed {
            counters.failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records a command (or one of its subcommands) refused before it ran: a wrong number
    /// of arguments, or authentication missing.
    pub(crate) fn record_rejected(
        &self,
        command: &'static CommandSpec,
        subcommand: Option<&'static str>,
    ) {
        if let Some(subcommand) = subcommand {
            lock(&self.by_subcommand).entry((command.name, subcommand)).or_default().rejected += 1;
            return;
        }
        self.by_command[registry_index(command)].rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one error reply under its code: the first word when a space follows it within
    /// 32 bytes of the wire line (which starts with `-`), otherwise `ERR`, as Redis counts.
    pub(crate) fn record_error(&self, text: &[u8]) {
        self.error_replies.fetch_add(1, Ordering::Relaxed);
        let head = &text[..text.len().min(31)];
        let code = match head.iter().position(|&byte| byte == b' ') {
            Some(end) if end > 0 => String::from_utf8_lossy(&text[..end]).into_owned(),
            _ => "ERR".to_string(),
        };
        let mut errors = lock(&self.errors);
        if let Some(count) = errors.get_mut(&code) {
            *count += 1;
        } else if errors.len() < MAX_ERROR_CODES {
            errors.insert(code, 1);
        }
    }

    /// All error replies sent (`total_error_replies`).
    pub(crate) fn error_replies(&self) -> u64 {
        self.error_replies.load(Ordering::Relaxed)
    }

    /// Notes the running totals at `now_ms` (a monotonic clock), at most once per sampling
    /// period.
    pub(crate) fn sample_rates(&self, now_ms: u64, totals: Totals) {
        self.rate.sample(now_ms, totals);
    }

    /// Commands and network bytes per second over the last second and a half or so.
    pub(crate) fn rates(&self, now_ms: u64, totals: Totals) -> Rates {
        self.rate.per_second(now_ms, totals)
    }

    /// The `INFO commandstats` lines, for every command run or refused at least once.
    pub(crate) fn commandstats_lines(&self) -> Vec<String> {
        let mut rows: Vec<(String, Tally)> = Vec::new();
        for (spec, counters) in COMMANDS.iter().zip(&self.by_command) {
            let tally = Tally {
                calls: counters.calls.load(Ordering::Relaxed),
                micros: counters.micros.load(Ordering::Relaxed),
                rejected: counters.rejected.load(Ordering::Relaxed),
                failed: counters.failed.load(Ordering::Relaxed),
            };
            rows.push((spec.name.to_string(), tally));
        }
        for ((command, subcommand), tally) in lock(&self.by_subcommand).iter() {
            rows.push((format!("{command}|{subcommand}"), *tally));
        }
        rows.sort_by(|left, right| left.0.cmp(&right.0));
        rows.into_iter()
            .filter(|(_, tally)| tally.calls + tally.rejected + tally.failed > 0)
            .map(|(name, tally)| {
                let per_call =
                    if tally.calls == 0 { 0.0 } else { tally.micros as f64 / tally.calls as f64 };
                let mut line = String::new();
                let _ = write!(
                    line,
                    "cmdstat_{name}:calls={},usec={},usec_per_call={per_call:.2},\
                     rejected_calls={},failed_calls={}",
                    tally.calls, tally.micros, tally.rejected, tally.failed
                );
                line
            })
            .collect()
    }

    /// The `INFO errorstats` lines.
    pub(crate) fn errorstats_lines(&self) -> Vec<String> {
        lock(&self.errors)
            .iter()
            .map(|(code, count)| format!("errorstat_{code}:count={count}"))
            .collect()
    }

    /// `CONFIG RESETSTAT`: forgets every count.
    pub(crate) fn reset(&self) {
        for counters in &self.by_command {
            for counter in [&counters.calls, &counters.micros, &counters.rejected, &counters.failed]
            {
                counter.store(0, Ordering::Relaxed);
            }
        }
        lock(&self.by_subcommand).clear();
        lock(&self.errors).clear();
        self.error_replies.store(0, Ordering::Relaxed);
        lock(&self.rate.samples).clear();
    }
}

/// The row of `command` in the registry. Specs are only ever handed out by reference into
/// `COMMANDS`, so the address gives the index without another lookup.
fn registry_index(command: &'static CommandSpec) -> usize {
    let offset = (command as *const CommandSpec as usize) - (COMMANDS.as_ptr() as usize);
    let index = offset / size_of::<CommandSpec>();
    debug_assert_eq!(COMMANDS[index].name, command.name);
    index
}

/// The running totals the recent rates follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Commands processed.
    pub(crate) commands: u64,
    /// Bytes read from clients.
    pub(crate) net_input: u64,
    /// Bytes written to clients.
    pub(crate) net_output: u64,
}

/// Per second, over the recent window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Rates {
    /// Commands (whole, as Redis reports them).
    pub(crate) commands: u64,
    /// Bytes read from clients.
    pub(crate) net_input: f64,
    /// Bytes written to clients.
    pub(crate) net_output: f64,
}

/// Samples of the running totals, for the `instantaneous_*` fields.
#[derive(Default)]
struct RecentRates {
    last_sample_ms: AtomicU64,
    samples: Mutex<VecDeque<(u64, Totals)>>,
}

impl RecentRates {
    fn sample(&self, now_ms: u64, totals: Totals) {
        let last = self.last_sample_ms.load(Ordering::Relaxed);
        if now_ms.saturating_sub(last) < RATE_SAMPLE_MS && last != 0 {
            return;
        }
        // One thread wins each period; the others skip without waiting.
        if self
            .last_sample_ms
            .compare_exchange(last, now_ms.max(1), Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        let mut samples = lock(&self.samples);
        if samples.len() == RATE_SAMPLES {
            samples.pop_front();
        }
        samples.push_back((now_ms, totals));
    }

    /// The growth of each total since the oldest sample of the window, per second of the
    /// window (or of the time since that sample, if longer). Samples are taken as commands
    /// finish, so a window with no sample had no commands (and the bytes of requests that
    /// were all still arriving), and a burst after a quiet spell counts as spread over the
    /// window, as in Redis's average of samples.
    fn per_second(&self, now_ms: u64, totals: Totals) -> Rates {
        let window = RATE_SAMPLE_MS * RATE_SAMPLES as u64;
        let samples = lock(&self.samples);
        let recent =
            |(at, _): &&(u64, Totals)| now_ms.saturating_sub(*at) <= window + RATE_SAMPLE_MS;
        let Some(&(at, then)) = samples.iter().find(recent) else {
            return Rates::default();
        };
        let elapsed = now_ms.saturating_sub(at).max(window);
        let per_second =
            |now: u64, then: u64| now.saturating_sub(then) as f64 * 1000.0 / elapsed as f64;
        Rates {
            commands: totals.commands.saturating_sub(then.commands) * 1000 / elapsed,
            net_input: per_second(totals.net_input, then.net_input),
            net_output: per_second(totals.net_output, then.net_output),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::lookup;

    #[test]
    fn calls_time_and_failures_per_command_and_subcommand() {
        let stats = CommandStats::default();
        let get = lookup(b"get").unwrap();
        let client = lookup(b"client").unwrap();
        stats.record_call(get, None, 10, false);
        stats.record_call(get, None, 5, true);
        stats.record_rejected(get, None);
        stats.record_call(client, Some("setname"), 3, false);
        assert_eq!(
            stats.commandstats_lines(),
            [
                "cmdstat_client|setname:calls=1,usec=3,usec_per_call=3.00,rejected_calls=0,\
                 failed_calls=0",
                "cmdstat_get:calls=2,usec=15,usec_per_call=7.50,rejected_calls=1,failed_calls=1",
            ]
        );
        stats.reset();
        assert!(stats.commandstats_lines().is_empty());
    }

    #[test]
    fn errors_count_under_their_code() {
        let stats = CommandStats::default();
        stats.record_error(b"ERR syntax error");
        stats.record_error(b"WRONGTYPE Operation against a key holding the wrong kind of value");
        stats.record_error(b"ERR no such key");
        stats.record_error(b"AVERYLONGERRORCODEWITHOUTANYSPACEINSIDE at all");
        assert_eq!(
            stats.errorstats_lines(),
            ["errorstat_ERR:count=3", "errorstat_WRONGTYPE:count=1"]
        );
        assert_eq!(stats.error_replies(), 4);
    }

    #[test]
    fn the_rates_cover_recent_samples_only() {
        let rate = RecentRates::default();
        let totals =
            |commands, net_input| Totals { commands, net_input, net_output: 2 * net_input };
        rate.sample(1_000, totals(0, 0));
        rate.sample(1_050, totals(10, 100));
        rate.sample(1_100, totals(100, 1_000));
        rate.sample(1_200, totals(200, 2_000));
        let now = rate.per_second(1_500, totals(500, 8_000));
        assert_eq!(now.commands, 500 * 1000 / 1600);
        assert_eq!(now.net_input, 8_000.0 * 1000.0 / 1600.0);
        assert_eq!(now.net_output, 16_000.0 * 1000.0 / 1600.0);
        assert_eq!(rate.per_second(2_700, totals(1_700, 0)).commands, 1_700 * 1000 / 1700);
        assert_eq!(rate.per_second(60_000, totals(500, 5_000)), Rates::default());
    }
}
