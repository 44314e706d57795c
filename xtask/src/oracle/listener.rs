//! A subscriber to every keyspace and keyevent notification of one server, for the random
//! walk: after each command it collects what was published, so that the notifications are
//! compared as well as the replies.

use std::time::Duration;

use resplite_resp::Frame;

use super::wire::{Connection, Reply};

/// The longest wait for the `PING` that ends a collection.
const PONG_TIMEOUT: Duration = Duration::from_secs(5);

/// A RESP2 connection subscribed to `__key*__:*`.
pub(crate) struct Listener {
    connection: Connection,
}

impl Listener {
    /// Subscribes on a new connection; the caller turns notifications on (`CONFIG SET
    /// notify-keyspace-events`).
    pub(crate) fn open(port: u16) -> Result<Listener, String> {
        let mut connection = Connection::open(port).map_err(|error| error.to_string())?;
        match connection.command(&[b"PSUBSCRIBE".to_vec(), b"__key*__:*".to_vec()]) {
            Reply::Frame(_) => Ok(Listener { connection }),
            other => Err(format!("PSUBSCRIBE failed: {other:?}")),
        }
    }

    /// The notifications published since the last call, in order. A subscribed client's
    /// `PING` is answered after everything published before it arrived, so it marks the end.
    pub(crate) fn published(&mut self) -> Result<Vec<Frame>, Reply> {
        self.connection.send(&[b"PING".to_vec()])?;
        let mut messages = Vec::new();
        loop {
            match self.connection.receive(PONG_TIMEOUT) {
                Reply::Frame(frame) if is_pong(&frame) => return Ok(messages),
                Reply::Frame(frame) => messages.push(frame),
                other => return Err(other),
            }
        }
    }
}

/// A subscribed RESP2 client's answer to `PING`: `pong` and an empty string.
fn is_pong(frame: &Frame) -> bool {
    matches!(frame, Frame::Array(items)
        if matches!(items.first(), Some(Frame::Bulk(word)) if &word[..] == b"pong"))
}
