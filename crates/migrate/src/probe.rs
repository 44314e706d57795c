//! Proving that the source's keyspace notifications cover what the tracker needs: write
//! short-lived probe keys of every type, expire one, delete the rest, and wait for each
//! event.
//!
//! Reading `notify-keyspace-events` is not enough: managed services often forbid `CONFIG`,
//! and a setting that covers strings but not hashes would let the tracker miss changes
//! silently. Only evictions (class `e`) cannot be provoked; the setting, when readable, is
//! checked for it.

use std::collections::BTreeSet;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::subscriber::{Notice, Subscriber};

/// The events the probe provokes, with the notification class each needs.
const PROBED_EVENTS: &[(&str, &str)] = &[
    ("set", "$ (strings)"),
    ("hset", "h (hashes)"),
    ("rpush", "l (lists)"),
    ("sadd", "s (sets)"),
    ("zadd", "z (sorted sets)"),
    ("expire", "g (generic: EXPIRE, DEL, RENAME …)"),
    ("del", "g (generic: EXPIRE, DEL, RENAME …)"),
    ("expired", "x (expired keys)"),
];

/// How long to wait for the probe's events.
const PROBE_WAIT: Duration = Duration::from_secs(3);

/// Writes the probe keys (named after `tag`) in database 0 and waits for their events on
/// `subscriber`. Every notice that arrives meanwhile, probe or not, is passed to
/// `on_notice`. Answers the classes whose events never arrived (empty when all did).
pub(crate) fn probe_notifications(
    connection: &mut redis::Connection,
    subscriber: &mut Subscriber,
    tag: &str,
    on_notice: &mut dyn FnMut(Notice),
) -> Result<Vec<&'static str>> {
    let prefix = format!("resplite:probe:{tag}:");
    let key = |suffix: &str| format!("{prefix}{suffix}");
    redis::pipe()
        .cmd("SET")
        .arg(key("string"))
        .arg(1)
        .arg("PX")
        .arg(10_000)
        .ignore()
        .cmd("HSET")
        .arg(key("hash"))
        .arg("f")
        .arg(1)
        .ignore()
        .cmd("PEXPIRE")
        .arg(key("hash"))
        .arg(10_000)
        .ignore()
        .cmd("RPUSH")
        .arg(key("list"))
        .arg(1)
        .ignore()
        .cmd("SADD")
        .arg(key("set"))
        .arg(1)
        .ignore()
        .cmd("ZADD")
        .arg(key("zset"))
        .arg(1)
        .arg(1)
        .ignore()
        .cmd("SET")
        .arg(key("expiring"))
        .arg(1)
        .arg("PX")
        .arg(1)
        .ignore()
        .exec(connection)?;
    // Touching a key past its deadline makes Redis expire it (and notify) right away.
    sleep(Duration::from_millis(5));
    redis::cmd("EXISTS").arg(key("expiring")).exec(connection)?;
    redis::cmd("DEL")
        .arg(&[key("string"), key("hash"), key("list"), key("set"), key("zset")])
        .exec(connection)?;
    let mut seen = BTreeSet::new();
    let deadline = Instant::now() + PROBE_WAIT;
    while Instant::now() < deadline && seen.len() < PROBED_EVENTS.len() {
        if let Some(notice) = subscriber.next(Duration::from_millis(50))? {
            if let Notice::Changed { key, event, .. } = &notice
                && key.starts_with(prefix.as_bytes())
            {
                seen.insert(event.clone());
            }
            on_notice(notice);
        }
    }
    let mut missing: Vec<&'static str> = PROBED_EVENTS
        .iter()
        .filter(|(event, _)| !seen.contains(*event))
        .map(|(_, class)| *class)
        .collect();
    missing.dedup();
    Ok(missing)
}
