//! `WATCH`'s bookkeeping: which keys clients watch, and a modification counter for each.
//!
//! A client that watches a key remembers the key's counter; `EXEC` compares. Every write
//! that changed something (seen in the store's change count) touches the keys it names —
//! on the writer thread, both as it runs and again once its transaction has committed:
//! * the touch as it runs makes an `EXEC` later in the same group commit see it;
//! * the touch after the commit catches a `WATCH` that read the counter while the write was
//!   in flight (the watcher may already have read the old value, so its `EXEC` must fail).
//!
//! Touching is skipped with one atomic load while nobody watches anything, which is the
//! common case. Whole-database commands (`FLUSHDB`, `FLUSHALL`, `SWAPDB`) touch, as in Redis,
//! the watched keys that exist in their databases just before they run; should a key be
//! watched only after that look, they bump a counter per database, which every watch in that
//! database also compares. Where this differs from Redis it errs on the side of failing an
//! `EXEC`: a command touches every key it names when it changed anything at all — except
//! the commands that write one destination and only read their other keys (`COPY`, the
//! `*STORE` commands, `PFMERGE`, `BITOP`), which touch their destination only, `DEL` and
//! `UNLINK`, which touch the keys that existed, and the pops over several keys (`LMPOP`,
//! `BLPOP` …), which touch the key they popped from, as in Redis.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use resplite_store::Db;

use crate::registry::CommandSpec;

/// What a write command may have modified, worked out from its arguments before it runs.
#[derive(Clone, Debug, Default)]
pub(crate) enum Touch {
    /// Nothing (a read, or a command without keys).
    #[default]
    Nothing,
    /// These keys of one database.
    Keys(Db, Vec<Bytes>),
    /// Those of these keys that exist just before the command runs (`DEL`, `UNLINK`: a key
    /// that is not there is not deleted); [`WatchedKeys::resolve`] looks.
    Existing(Db, Vec<Bytes>),
    /// The first of these keys that exists just before the command runs: the pops over
    /// several keys (`LMPOP`, `ZMPOP`, `BLPOP` …) take from the first that holds anything
    /// (or fail on its type) and leave the others as they are.
    FirstExisting(Db, Vec<Bytes>),
    /// Every key of these databases (`FLUSHDB`, `SWAPDB`).
    Databases(Vec<Db>),
    /// Every key (`FLUSHALL`).
    Everything,
    /// Exactly these keys, each in its database (`MOVE`, `COPY`, or a whole-database touch
    /// resolved by [`WatchedKeys::resolve`]).
    Exact(Vec<(Db, Bytes)>),
}

impl Touch {
    /// What running `command` with `args` (its name first) in `db` may modify.
    pub(crate) fn of(command: &CommandSpec, db: Db, args: &[Bytes]) -> Touch {
        match command.name {
            "flushall" => return Touch::Everything,
            "flushdb" => return Touch::Databases(vec![db]),
            "swapdb" => {
                let dbs = args[1..]
                    .iter()
                    .filter_map(|arg| resplite_store::parse_i64(arg))
                    .filter_map(|number| Db::try_from(number).ok())
                    .collect();
                return Touch::Databases(dbs);
            }
            // MOVE changes its key here and in the target database; COPY writes only its
            // destination, in the database after `DB` (this one without it). A database
            // argument that does not parse fails the command, which then touches nothing.
            "move" => {
                let key = args[1].clone();
                return match args.get(2).and_then(|arg| database_argument(arg)) {
                    Some(target) => Touch::Exact(vec![(db, key.clone()), (target, key)]),
                    None => Touch::Keys(db, vec![key]),
                };
            }
            "copy" => {
                let option = args[3..].iter().position(|arg| crate::args::is_word(arg, "db"));
                let target = match option {
                    Some(at) => args.get(3 + at + 1).and_then(|arg| database_argument(arg)),
                    None => Some(db),
                };
                return match target {
                    Some(target) => Touch::Exact(vec![(target, args[2].clone())]),
                    None => Touch::Nothing,
                };
            }
            // These write their first key and only read the others, as Redis signals.
            "sinterstore" | "sunionstore" | "sdiffstore" | "zunionstore" | "zinterstore"
            | "zdiffstore" | "zrangestore" | "pfmerge" => {
                return Touch::Keys(db, args[1..2].to_vec());
            }
            "bitop" => return Touch::Keys(db, args[2..3].to_vec()),
            // SORT writes only the destination of its last STORE, if it has one.
            "sort" => {
                return match crate::commands::sort::store_destination(args) {
                    Some(destination) => Touch::Keys(db, vec![destination]),
                    None => Touch::Nothing,
                };
            }
            "del" | "unlink" => return Touch::Existing(db, args[1..].to_vec()),
            "lmpop" | "zmpop" => return Touch::FirstExisting(db, counted_keys(args, 1)),
            "blmpop" | "bzmpop" => return Touch::FirstExisting(db, counted_keys(args, 2)),
            "blpop" | "brpop" | "bzpopmin" | "bzpopmax" => {
                return Touch::FirstExisting(db, args[1..args.len() - 1].to_vec());
            }
            _ => {}
        }
        let positions = command.keys;
        if positions.first <= 0 {
            // Keys found through a count (LMPOP, ZMPOP …): any argument may be one.
            return Touch::Keys(db, args[1..].to_vec());
        }
        let count = args.len() as i32;
        let last = if positions.last < 0 { count + positions.last } else { positions.last };
        let step = positions.step.max(1) as usize;
        let keys = (positions.first..=last.min(count - 1))
            .step_by(step)
            .filter_map(|index| args.get(index as usize).cloned())
            .collect();
        Touch::Keys(db, keys)
    }
}

/// The keys after the key count at `args[at]` (none when the count is not a number that
/// fits, which fails the command).
fn counted_keys(args: &[Bytes], at: usize) -> Vec<Bytes> {
    let count = args.get(at).and_then(|arg| resplite_store::parse_i64(arg));
    let count = count.and_then(|count| usize::try_from(count).ok()).unwrap_or(0);
    args.iter().skip(at + 1).take(count).cloned().collect()
}

/// A database number given as an argument, if it is one.
fn database_argument(arg: &[u8]) -> Option<Db> {
    resplite_store::parse_i64(arg).and_then(|number| Db::try_from(number).ok())
}

/// A key's counter as a client saw it when it ran `WATCH`.
#[derive(Clone, Debug)]
pub(crate) struct Watch {
    db: Db,
    key: Bytes,
    version: u64,
    db_version: u64,
    /// When `WATCH` ran (Unix ms): a deadline passed after this is a change.
    watched_at: i64,
}

#[derive(Default)]
struct Versions {
    /// Watched keys: their counter and how many watches refer to them.
    keys: HashMap<(Db, Bytes), (u64, usize)>,
    /// A counter per database, bumped by whole-database commands.
    databases: HashMap<Db, u64>,
}

/// The keys being watched, shared by every connection.
#[derive(Default)]
pub(crate) struct WatchedKeys {
    /// How many watches exist; zero lets writes skip all of this.
    count: AtomicUsize,
    versions: Mutex<Versions>,
}

impl Watch {
    pub(crate) fn db(&self) -> Db {
        self.db
    }

    pub(crate) fn key(&self) -> &[u8] {
        &self.key
    }

    /// Whether a key with the stored `deadline` expired after this watch began (at or
    /// before `now`); a key already expired when watched does not count, as in Redis.
    pub(crate) fn expired_since(&self, deadline: Option<i64>, now: i64) -> bool {
        deadline.is_some_and(|deadline| deadline > self.watched_at && deadline <= now)
    }
}

impl WatchedKeys {
    fn versions(&self) -> MutexGuard<'_, Versions> {
        self.versions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts watching `key` in `db`.
    pub(crate) fn watch(&self, db: Db, key: Bytes) -> Watch {
        let mut versions = self.versions();
        self.count.fetch_add(1, Ordering::SeqCst);
        let db_version = versions.databases.get(&db).copied().unwrap_or(0);
        let entry = versions.keys.entry((db, key.clone())).or_insert((0, 0));
        entry.1 += 1;
        Watch { db, key, version: entry.0, db_version, watched_at: resplite_store::now_ms() }
    }

    /// Stops the given watches (after `EXEC`, `DISCARD`, `UNWATCH` or a disconnect).
    pub(crate) fn release(&self, watches: Vec<Watch>) {
        if watches.is_empty() {
            return;
        }
        let mut versions = self.versions();
        for watch in watches {
            self.count.fetch_sub(1, Ordering::SeqCst);
            let id = (watch.db, watch.key);
            if let Some(entry) = versions.keys.get_mut(&id) {
                entry.1 -= 1;
                if entry.1 == 0 {
                    versions.keys.remove(&id);
                }
            }
        }
    }

    /// Whether any of `watches` saw a modification since it began.
    pub(crate) fn any_modified(&self, watches: &[Watch]) -> bool {
        let versions = self.versions();
        watches.iter().any(|watch| {
            let key_version =
                versions.keys.get(&(watch.db, watch.key.clone())).map(|entry| entry.0);
            let db_version = versions.databases.get(&watch.db).copied().unwrap_or(0);
            key_version != Some(watch.version) || db_version != watch.db_version
        })
    }

    /// Turns a whole-database touch into the watched keys it really affects — those that
    /// exist, just before the command runs, in the database being flushed (or in either of
    /// the two being swapped), a deleting command's keys into those that exist, or a
    /// multi-key pop's into the first that exists — using `exists` to look. Other touches
    /// come back unchanged, and so do these while nothing is watched.
    pub(crate) fn resolve(&self, touch: &Touch, exists: impl Fn(Db, &[u8]) -> bool) -> Touch {
        let needs_a_look = matches!(
            touch,
            Touch::Databases(_)
                | Touch::Everything
                | Touch::Existing(..)
                | Touch::FirstExisting(..)
        );
        if !needs_a_look || self.count.load(Ordering::SeqCst) == 0 {
            return touch.clone();
        }
        let databases = match touch {
            Touch::Databases(dbs) => Some(dbs.as_slice()),
            Touch::Existing(db, keys) => {
                let present = keys.iter().filter(|key| exists(*db, key));
                return Touch::Exact(present.map(|key| (*db, key.clone())).collect());
            }
            Touch::FirstExisting(db, keys) => {
                let first = keys.iter().find(|key| exists(*db, key));
                return Touch::Exact(first.map(|key| (*db, key.clone())).into_iter().collect());
            }
            _ => None,
        };
        let watched: Vec<(Db, Bytes)> = self
            .versions()
            .keys
            .keys()
            .filter(|(db, _)| databases.is_none_or(|dbs| dbs.contains(db)))
            .cloned()
            .collect();
        let affected = watched
            .into_iter()
            .filter(|(db, key)| match databases {
                Some(dbs) => dbs.iter().any(|db| exists(*db, key)),
                None => exists(*db, key),
            })
            .collect();
        Touch::Exact(affected)
    }

    /// Records that `key` in `db` changed (an expired key deleted, for one).
    pub(crate) fn touch_key(&self, db: Db, key: &[u8]) {
        if self.count.load(Ordering::SeqCst) == 0 {
            return;
        }
        if let Some(entry) = self.versions().keys.get_mut(&(db, Bytes::copy_from_slice(key))) {
            entry.0 += 1;
        }
    }

    /// Records that what `touch` names may have changed.
    pub(crate) fn touch(&self, touch: &Touch) {
        if self.count.load(Ordering::SeqCst) == 0 {
            return;
        }
        let mut versions = self.versions();
        let versions = &mut *versions;
        match touch {
            Touch::Nothing => {}
            // Unresolved (nobody watched when the command ran): every key it names.
            Touch::Keys(db, keys) | Touch::Existing(db, keys) | Touch::FirstExisting(db, keys) => {
                for key in keys {
                    if let Some(entry) = versions.keys.get_mut(&(*db, key.clone())) {
                        entry.0 += 1;
                    }
                }
            }
            Touch::Databases(dbs) => {
                for db in dbs {
                    *versions.databases.entry(*db).or_insert(0) += 1;
                }
            }
            Touch::Everything => {
                let dbs: Vec<Db> = versions.keys.keys().map(|(db, _)| *db).collect();
                for db in dbs {
                    *versions.databases.entry(db).or_insert(0) += 1;
                }
            }
            Touch::Exact(keys) => {
                for id in keys {
                    if let Some(entry) = versions.keys.get_mut(id) {
                        entry.0 += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::lookup;

    fn words(line: &str) -> Vec<Bytes> {
        line.split(' ').map(|word| Bytes::copy_from_slice(word.as_bytes())).collect()
    }

    fn touch_of(line: &str) -> Touch {
        let args = words(line);
        Touch::of(lookup(&args[0]).unwrap(), 0, &args)
    }

    #[test]
    fn a_touch_names_the_keys_of_the_command() {
        let Touch::Keys(0, keys) = touch_of("MSET a 1 b 2") else { panic!() };
        assert_eq!(keys, words("a b"));
        let Touch::Keys(0, keys) = touch_of("RENAME a b") else { panic!() };
        assert_eq!(keys, words("a b"));
        let Touch::Existing(0, keys) = touch_of("DEL a b c") else { panic!() };
        assert_eq!(keys, words("a b c"));
        assert!(matches!(touch_of("FLUSHALL"), Touch::Everything));
        assert!(matches!(touch_of("SWAPDB 1 2"), Touch::Databases(dbs) if dbs == [1, 2]));
        let at = |db: Db, key: &str| (db, Bytes::copy_from_slice(key.as_bytes()));
        assert!(
            matches!(touch_of("MOVE k 3"), Touch::Exact(keys) if keys == [at(0, "k"), at(3, "k")])
        );
        assert!(matches!(touch_of("COPY a b DB 2"), Touch::Exact(keys) if keys == [at(2, "b")]));
        assert!(matches!(touch_of("COPY a b REPLACE"), Touch::Exact(keys) if keys == [at(0, "b")]));
        let Touch::Keys(0, keys) = touch_of("ZUNIONSTORE dst 2 a b") else { panic!() };
        assert_eq!(keys, words("dst"));
        let Touch::Keys(0, keys) = touch_of("BITOP AND dst a b") else { panic!() };
        assert_eq!(keys, words("dst"));
    }

    #[test]
    fn a_pop_over_several_keys_touches_the_first_that_exists() {
        for (line, names) in [
            ("LMPOP 2 a b LEFT COUNT 2", "a b"),
            ("ZMPOP 3 a b c MIN", "a b c"),
            ("BLMPOP 0.5 2 a b RIGHT", "a b"),
            ("BZMPOP 0 1 a MAX", "a"),
            ("BLPOP a b c 0", "a b c"),
            ("BZPOPMAX a b 1.5", "a b"),
        ] {
            let Touch::FirstExisting(0, keys) = touch_of(line) else { panic!("{line}") };
            assert_eq!(keys, words(names), "{line}");
        }
        // A count that is no number names no key (the command fails).
        let Touch::FirstExisting(0, keys) = touch_of("LMPOP x a b LEFT") else { panic!() };
        assert!(keys.is_empty());

        let watched = WatchedKeys::default();
        let b = watched.watch(0, Bytes::from("b"));
        let c = watched.watch(0, Bytes::from("c"));
        let exists = |_: Db, key: &[u8]| key != b"a";
        let touch = watched.resolve(&touch_of("LMPOP 3 a b c LEFT"), exists);
        assert!(matches!(&touch, Touch::Exact(keys) if keys == &[(0, Bytes::from("b"))]));
        watched.touch(&touch);
        assert!(watched.any_modified(&[b]));
        assert!(!watched.any_modified(&[c]));
    }

    #[test]
    fn a_watch_sees_touches_of_its_key_and_database_only() {
        let watched = WatchedKeys::default();
        let a = watched.watch(0, Bytes::from("a"));
        let b = watched.watch(1, Bytes::from("a"));
        watched.touch(&Touch::Keys(0, vec![Bytes::from("other")]));
        watched.touch(&Touch::Databases(vec![2]));
        assert!(!watched.any_modified(std::slice::from_ref(&a)));
        watched.touch(&Touch::Keys(0, vec![Bytes::from("a")]));
        assert!(watched.any_modified(std::slice::from_ref(&a)));
        assert!(!watched.any_modified(std::slice::from_ref(&b)));
        watched.touch(&Touch::Databases(vec![1]));
        assert!(watched.any_modified(std::slice::from_ref(&b)));
        watched.release(vec![a, b]);
        assert_eq!(watched.count.load(Ordering::SeqCst), 0);
        assert!(watched.versions().keys.is_empty());
    }

    #[test]
    fn a_flush_touches_only_the_watched_keys_that_exist() {
        let watched = WatchedKeys::default();
        let present = watched.watch(0, Bytes::from("present"));
        let absent = watched.watch(0, Bytes::from("absent"));
        let elsewhere = watched.watch(1, Bytes::from("present"));
        let exists = |db: Db, key: &[u8]| db == 0 && key == b"present";
        let touch = watched.resolve(&Touch::Databases(vec![0]), exists);
        watched.touch(&touch);
        assert!(watched.any_modified(std::slice::from_ref(&present)));
        assert!(!watched.any_modified(std::slice::from_ref(&absent)));
        assert!(!watched.any_modified(std::slice::from_ref(&elsewhere)));
        // Swapping databases 0 and 1 affects a key that exists in either.
        let touch = watched.resolve(&Touch::Databases(vec![0, 1]), exists);
        watched.touch(&touch);
        assert!(watched.any_modified(&[elsewhere]));
        assert!(!watched.any_modified(&[absent]));
    }

    #[test]
    fn flushall_fails_every_watch() {
        let watched = WatchedKeys::default();
        let a = watched.watch(5, Bytes::from("a"));
        watched.touch(&Touch::Everything);
        assert!(watched.any_modified(&[a]));
    }
}
