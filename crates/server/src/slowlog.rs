//! The slow log: the most recent commands that took at least `slowlog-log-slower-than`
//! microseconds, kept as Redis keeps them (arguments shortened, secrets redacted).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use resplite_resp::Frame;

use crate::args::is_word;

/// The most arguments an entry keeps; the last kept one says how many were left out.
const MAX_ARGS: usize = 32;
/// The longest argument an entry keeps, in bytes.
const MAX_ARG_LEN: usize = 128;

/// One slow command.
struct Entry {
    id: u64,
    unix_time: u64,
    micros: u64,
    args: Vec<Bytes>,
    peer: String,
    name: Bytes,
}

/// The slow log of one server.
#[derive(Default)]
pub(crate) struct SlowLog {
    entries: Mutex<VecDeque<Entry>>,
    next_id: AtomicU64,
}

impl SlowLog {
    /// Adds a command that took `micros`, keeping at most `max_len` entries.
    pub(crate) fn push(
        &self,
        args: &[Bytes],
        micros: u64,
        peer: String,
        name: Bytes,
        max_len: usize,
    ) {
        let unix_time =
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs());
        let args = shortened(&redacted(args));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.lock();
        entries.push_front(Entry { id, unix_time, micros, args, peer, name });
        entries.truncate(max_len);
    }

    /// `SLOWLOG GET`: the newest `count` entries (all of them for `None`), newest first.
    pub(crate) fn newest(&self, count: Option<usize>) -> Frame {
        let entries = self.lock();
        let count = count.unwrap_or(entries.len());
        Frame::Array(
            entries
                .iter()
                .take(count)
                .map(|entry| {
                    Frame::Array(vec![
                        Frame::Integer(entry.id as i64),
                        Frame::Integer(entry.unix_time as i64),
                        Frame::Integer(entry.micros as i64),
                        Frame::Array(entry.args.iter().cloned().map(Frame::Bulk).collect()),
                        Frame::bulk(entry.peer.clone()),
                        Frame::Bulk(entry.name.clone()),
                    ])
                })
                .collect(),
        )
    }

    /// `SLOWLOG LEN`.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// `SLOWLOG RESET`: empties the log (ids keep counting up).
    pub(crate) fn reset(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Entry>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The arguments with passwords replaced by `(redacted)`, as Redis hides them: every
/// argument of `AUTH`, the credentials of `HELLO … AUTH user pass`, and the values of
/// `CONFIG SET requirepass/masterauth`.
pub(crate) fn redacted(args: &[Bytes]) -> Vec<Bytes> {
    let hidden = Bytes::from_static(b"(redacted)");
    let mut args = args.to_vec();
    let Some(command) = args.first() else { return args };
    if is_word(command, "auth") {
        args[1..].fill(hidden);
    } else if is_word(command, "hello") {
        if let Some(at) = args.iter().skip(2).position(|arg| is_word(arg, "auth")) {
            for arg in args.iter_mut().skip(at + 3).take(2) {
                *arg = hidden.clone();
            }
        }
    } else if is_word(command, "config") && args.get(1).is_some_and(|sub| is_word(sub, "set")) {
        for pair in args[2..].chunks_mut(2) {
            if let [name, value] = pair
                && (is_word(name, "requirepass") || is_word(name, "masterauth"))
            {
                *value = hidden.clone();
            }
        }
    }
    args
}

/// At most 32 arguments (the last saying how many more there were) of at most 128 bytes
/// each (followed by how many bytes more), as Redis keeps them.
fn shortened(args: &[Bytes]) -> Vec<Bytes> {
    let kept = args.len().min(MAX_ARGS);
    (0..kept)
        .map(|index| {
            if kept < args.len() && index == kept - 1 {
                return Bytes::from(format!("... ({} more arguments)", args.len() - kept + 1));
            }
            let arg = &args[index];
            if arg.len() <= MAX_ARG_LEN {
                return arg.clone();
            }
            let mut short = arg[..MAX_ARG_LEN].to_vec();
            short.extend_from_slice(
                format!("... ({} more bytes)", arg.len() - MAX_ARG_LEN).as_bytes(),
            );
            Bytes::from(short)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(items: &[&str]) -> Vec<Bytes> {
        items.iter().map(|item| Bytes::copy_from_slice(item.as_bytes())).collect()
    }

    #[test]
    fn long_commands_are_shortened_like_redis() {
        let mut args = words(&["DEL"]);
        args.extend((0..40).map(|n| Bytes::from(format!("k{n}"))));
        let kept = shortened(&args);
        assert_eq!(kept.len(), 32);
        assert_eq!(kept[30], "k29");
        assert_eq!(kept[31], "... (10 more arguments)");
        let long = Bytes::from(vec![b'x'; 200]);
        let kept = shortened(&[Bytes::from_static(b"SET"), long]);
        assert_eq!(kept[1].len(), 128 + "... (72 more bytes)".len());
        assert!(kept[1].ends_with(b"x... (72 more bytes)"));
    }

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redacted(&words(&["AUTH", "user", "pw"])),
            words(&["AUTH", "(redacted)", "(redacted)"])
        );
        assert_eq!(
            redacted(&words(&["hello", "3", "AUTH", "u", "p", "SETNAME", "n"])),
            words(&["hello", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"])
        );
        assert_eq!(
            redacted(&words(&["config", "set", "requirepass", "x", "timeout", "1"])),
            words(&["config", "set", "requirepass", "(redacted)", "timeout", "1"])
        );
    }

    #[test]
    fn the_log_keeps_the_newest_entries() {
        let log = SlowLog::default();
        for n in 0..5 {
            log.push(&words(&["GET", &n.to_string()]), 20, "127.0.0.1:1".into(), Bytes::new(), 3);
        }
        assert_eq!(log.len(), 3);
        let Frame::Array(entries) = log.newest(Some(1)) else { panic!() };
        let Frame::Array(fields) = &entries[0] else { panic!() };
        assert_eq!(fields[0], Frame::Integer(4));
        assert_eq!(fields[3], Frame::Array(vec![Frame::bulk("GET"), Frame::bulk("4")]));
        log.reset();
        assert_eq!(log.len(), 0);
    }
}
