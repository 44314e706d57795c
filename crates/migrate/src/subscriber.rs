//! The tracker's subscription to the source's keyspace notifications, spoken in RESP
//! directly over a socket.
//!
//! The tracker needs two things a general client hides: a read that can time out without
//! losing half a received message (it wakes up regularly to flush, heartbeat and take
//! orders), and `PING` on the subscribed connection, whose answer comes back in order after
//! every message published before it. That answer is the tracker's *barrier*: once it has
//! arrived, every notification Redis sent before the `PING` has been read.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use bytes::{Buf, BytesMut};
use resplite_resp::{Frame, encode_command, parse_frame};

use crate::error::{MigrateError, Result};
use crate::source::Source;

/// Which notifications the tracker subscribes to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Channels {
    /// `__keyevent@<db>__:<event>` with the key as the message (the default).
    #[default]
    Keyevent,
    /// `__keyspace@<db>__:<key>` with the event as the message.
    Keyspace,
}

impl Channels {
    /// The pattern covering every database.
    pub fn pattern(self) -> &'static str {
        match self {
            Channels::Keyevent => "__keyevent@*__:*",
            Channels::Keyspace => "__keyspace@*__:*",
        }
    }

    /// The `notify-keyspace-events` flag that turns these channels on.
    pub fn flag(self) -> char {
        match self {
            Channels::Keyevent => 'E',
            Channels::Keyspace => 'K',
        }
    }

    /// The name used on the command line and in the registry.
    pub fn name(self) -> &'static str {
        match self {
            Channels::Keyevent => "keyevent",
            Channels::Keyspace => "keyspace",
        }
    }
}

/// What arrived on the subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A key changed: its database, name and the event's name.
    Changed { db: u32, key: Vec<u8>, event: String },
    /// The answer to `PING <token>`.
    Pong(Vec<u8>),
    /// Anything else (subscription confirmations, messages on foreign channels).
    Other,
}

/// A subscribed connection.
pub struct Subscriber {
    stream: TcpStream,
    buffer: BytesMut,
    channels: Channels,
}

impl Subscriber {
    /// Connects, authenticates and subscribes to every database's notifications; returns
    /// once Redis has confirmed the subscription.
    pub fn subscribe(source: &Source, channels: Channels) -> Result<Subscriber> {
        let address =
            source.address().to_socket_addrs()?.next().ok_or_else(|| {
                MigrateError::Source(format!("cannot resolve {}", source.address()))
            })?;
        let stream = TcpStream::connect_timeout(&address, Duration::from_secs(10))?;
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(Duration::from_secs(10)))?;
        let mut subscriber =
            Subscriber { stream, buffer: BytesMut::with_capacity(64 * 1024), channels };
        if let (user, Some(password)) = source.credentials() {
            let mut args = vec![b"AUTH".to_vec()];
            args.extend(user.map(|user| user.as_bytes().to_vec()));
            args.push(password.as_bytes().to_vec());
            subscriber.send(&args)?;
            match subscriber.read_frame(Duration::from_secs(10))? {
                Some(Frame::Simple(_)) => {}
                Some(Frame::Error(message)) => {
                    return Err(MigrateError::Source(
                        String::from_utf8_lossy(&message).into_owned(),
                    ));
                }
                _ => return Err(MigrateError::Source("no answer to AUTH".into())),
            }
        }
        subscriber.send(&[b"PSUBSCRIBE".as_slice(), channels.pattern().as_bytes()])?;
        match subscriber.read_frame(Duration::from_secs(10))? {
            Some(Frame::Array(parts)) if parts.first() == Some(&Frame::bulk("psubscribe")) => {}
            Some(Frame::Error(message)) => {
                return Err(MigrateError::Source(String::from_utf8_lossy(&message).into_owned()));
            }
            other => {
                return Err(MigrateError::Source(format!(
                    "unexpected answer to PSUBSCRIBE: {other:?}"
                )));
            }
        }
        Ok(subscriber)
    }

    /// Sends `PING token`; its [`Notice::Pong`] follows every message sent before it.
    pub fn ping(&mut self, token: &[u8]) -> Result<()> {
        self.send(&[b"PING".as_slice(), token])
    }

    /// The next notice, or `None` when nothing arrived within `timeout`.
    pub fn next(&mut self, timeout: Duration) -> Result<Option<Notice>> {
        let Some(frame) = self.read_frame(timeout)? else { return Ok(None) };
        Ok(Some(self.interpret(frame)))
    }

    fn interpret(&self, frame: Frame) -> Notice {
        let parts = match frame {
            Frame::Array(parts) | Frame::Push(parts) => parts,
            _ => return Notice::Other,
        };
        let text = |frame: &Frame| match frame {
            Frame::Bulk(bytes) | Frame::Simple(bytes) => Some(bytes.to_vec()),
            _ => None,
        };
        let kind = parts.first().and_then(text).unwrap_or_default();
        match (kind.as_slice(), parts.len()) {
            (b"pmessage", 4) => {
                let (Some(channel), Some(payload)) = (text(&parts[2]), text(&parts[3])) else {
                    return Notice::Other;
                };
                parse_notification(self.channels, &channel, payload).unwrap_or(Notice::Other)
            }
            (b"pong", 2) => Notice::Pong(text(&parts[1]).unwrap_or_default()),
            _ => Notice::Other,
        }
    }

    fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<()> {
        let mut wire = BytesMut::new();
        encode_command(args, &mut wire);
        self.stream.write_all(&wire)?;
        Ok(())
    }

    /// Reads one whole frame; a timeout keeps whatever part of a frame has arrived.
    fn read_frame(&mut self, timeout: Duration) -> Result<Option<Frame>> {
        loop {
            match parse_frame(&self.buffer) {
                Ok(Some((frame, length))) => {
                    self.buffer.advance(length);
                    return Ok(Some(frame));
                }
                Ok(None) => {}
                Err(error) => return Err(MigrateError::Source(error.to_string())),
            }
            self.stream.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    return Err(MigrateError::Source("the source closed the connection".into()));
                }
                Ok(read) => self.buffer.extend_from_slice(&chunk[..read]),
                Err(error)
                    if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                {
                    return Ok(None);
                }
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(error.into()),
            }
        }
    }
}

/// Reads a notification's database, key and event from its channel and message.
fn parse_notification(channels: Channels, channel: &[u8], payload: Vec<u8>) -> Option<Notice> {
    let prefix: &[u8] = match channels {
        Channels::Keyevent => b"__keyevent@",
        Channels::Keyspace => b"__keyspace@",
    };
    let rest = channel.strip_prefix(prefix)?;
    let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
    let db = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let name = rest[digits..].strip_prefix(b"__:")?;
    let (key, event) = match channels {
        Channels::Keyevent => (payload, name.to_vec()),
        Channels::Keyspace => (name.to_vec(), payload),
    };
    Some(Notice::Changed { db, key, event: String::from_utf8_lossy(&event).into_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyevent_and_keyspace_channels_give_db_key_and_event() {
        let notice =
            parse_notification(Channels::Keyevent, b"__keyevent@3__:hset", b"a:b".to_vec());
        assert_eq!(
            notice,
            Some(Notice::Changed { db: 3, key: b"a:b".to_vec(), event: "hset".into() })
        );
        let notice =
            parse_notification(Channels::Keyspace, b"__keyspace@12__:k__:x", b"del".to_vec());
        assert_eq!(
            notice,
            Some(Notice::Changed { db: 12, key: b"k__:x".to_vec(), event: "del".into() })
        );
        assert_eq!(parse_notification(Channels::Keyevent, b"news", b"x".to_vec()), None);
    }
}
