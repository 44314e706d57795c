//! `MONITOR`: every command the server runs, as a line of text to each monitoring client.
//!
//! Lines go through the client's message queue (the one pub/sub uses), so a monitor that
//! does not read is cut off at the pub/sub output limit rather than growing the server's
//! memory. Commands and subcommands flagged `admin` (or `skip_monitor`) are not shown and
//! passwords are redacted, as in Redis.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::Db;

use crate::pubsub::{Encoded, Mailbox};
use crate::settings::OutputLimit;
use crate::slowlog::redacted;

/// The monitoring clients.
#[derive(Default)]
pub(crate) struct Monitors {
    count: AtomicUsize,
    mailboxes: Mutex<BTreeMap<u64, Mailbox>>,
}

impl Monitors {
    /// Whether anyone monitors (one atomic load).
    pub(crate) fn any(&self) -> bool {
        self.count.load(Ordering::Relaxed) > 0
    }

    pub(crate) fn add(&self, id: u64, mailbox: Mailbox) {
        let mut mailboxes = self.mailboxes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        mailboxes.insert(id, mailbox);
        self.count.store(mailboxes.len(), Ordering::Relaxed);
    }

    pub(crate) fn remove(&self, id: u64) {
        let mut mailboxes = self.mailboxes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        mailboxes.remove(&id);
        self.count.store(mailboxes.len(), Ordering::Relaxed);
    }

    /// Shows a command run by the client at `address` in `db`.
    pub(crate) fn feed(&self, db: Db, address: &str, request: &[Bytes], limit: &OutputLimit) {
        let line = line(SystemTime::now(), db, address, &redacted(request));
        let encoded = Encoded::of(&Frame::Simple(Bytes::from(line)));
        let mailboxes = self.mailboxes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for mailbox in mailboxes.values() {
            mailbox.deliver(&encoded, limit);
        }
    }
}

/// `1700000000.123456 [0 127.0.0.1:50000] "SET" "key" "value"`, each argument quoted and
/// escaped as Redis's `sdscatrepr` does.
fn line(now: SystemTime, db: Db, address: &str, request: &[Bytes]) -> String {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut line = format!("{}.{:06} [{db} {address}]", since.as_secs(), since.subsec_micros());
    for argument in request {
        line.push_str(" \"");
        for &byte in argument.iter() {
            match byte {
                b'\\' => line.push_str("\\\\"),
                b'"' => line.push_str("\\\""),
                b'\n' => line.push_str("\\n"),
                b'\r' => line.push_str("\\r"),
                b'\t' => line.push_str("\\t"),
                0x07 => line.push_str("\\a"),
                0x08 => line.push_str("\\b"),
                byte if byte.is_ascii_graphic() || byte == b' ' => line.push(char::from(byte)),
                byte => {
                    let _ = write!(line, "\\x{byte:02x}");
                }
            }
        }
        line.push('"');
    }
    line
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn lines_quote_and_escape_like_redis() {
        let now = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        let request: Vec<Bytes> =
            vec![Bytes::from("SET"), Bytes::from("a b"), Bytes::from(&b"x\n\"\\\xff"[..])];
        assert_eq!(
            line(now, 3, "127.0.0.1:5000", &request),
            r#"1700000000.123456 [3 127.0.0.1:5000] "SET" "a b" "x\n\"\\\xff""#
        );
    }
}
