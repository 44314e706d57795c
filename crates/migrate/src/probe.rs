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
    let (string, hash, list, set, zset) =
        (key("string"), key("hash"), key("list"), key("set"), key("zset"));
    let expiring = key("expiring");
    // Every probe key has a deadline, so none outlives this process should it die here.
    let writes: [&[&str]; 10] = [
        &["SET", &string, "1", "PX", "10000"],
        &["HSET", &hash, "f", "1"],
        &["PEXPIRE", &hash, "10000"],
        &["RPUSH", &list, "1"],
        &["PEXPIRE", &list, "10000"],
        &["SADD", &set, "1"],
        &["PEXPIRE", &set, "10000"],
        &["ZADD", &zset, "1", "1"],
        &["PEXPIRE", &zset, "10000"],
        &["SET", &expiring, "1", "PX", "1"],
    ];
    let mut pipe = redis::pipe();
    for command in writes {
        pipe.cmd(command[0]).arg(&command[1..]).ignore();
    }
    pipe.exec(connection)?;
    // Touching a key past its deadline makes Redis expire it (and notify) right away.
    sleep(Duration::from_millis(5));
    redis::cmd("EXISTS").arg(&expiring).exec(connection)?;
    redis::cmd("DEL").arg(&[&string, &hash, &list, &set, &zset]).exec(connection)?;
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
