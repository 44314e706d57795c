//! Talking RESP to a server over a plain blocking socket, turning every way a server can
//! misbehave (closing, hanging, sending garbage) into a value the runner can compare.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use resplite_resp::{Frame, encode_command, parse_frame};

/// How long a command may take before we call it hung.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// `!raw` reads until the server has been quiet this long (or closes the connection).
const RAW_QUIET: Duration = Duration::from_millis(300);
/// Upper bounds on one `!raw` read, against a server that never stops talking.
const RAW_MAX_TIME: Duration = Duration::from_secs(10);
const RAW_MAX_BYTES: usize = 16 * 1024 * 1024;
/// The shortest socket wait; the socket API treats zero as "forever".
const MIN_WAIT: Duration = Duration::from_millis(1);

/// The outcome of sending one command.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reply {
    Frame(Frame),
    /// The server closed the connection before a whole reply arrived.
    Closed,
    /// No whole reply in time ([`REPLY_TIMEOUT`] for a command).
    TimedOut,
    /// The bytes were not RESP, or the socket failed in some other way.
    Broken(String),
}

impl Reply {
    /// Whether the connection can still be used after this reply.
    pub(crate) fn leaves_connection_usable(&self) -> bool {
        matches!(self, Reply::Frame(_))
    }
}

/// Everything a server sent back to a `!raw` request.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawReply {
    pub(crate) bytes: Vec<u8>,
    /// Whether the server closed the connection (rather than going quiet).
    pub(crate) closed: bool,
}

/// One client connection to a server under test.
pub(crate) struct Connection {
    stream: TcpStream,
    /// Bytes read but not yet parsed into a reply.
    buffer: BytesMut,
}

impl Connection {
    pub(crate) fn open(port: u16) -> io::Result<Connection> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buffer: BytesMut::new() })
    }

    /// Sends one command as a multibulk request and reads its reply.
    pub(crate) fn command(&mut self, args: &[Vec<u8>]) -> Reply {
        match self.send(args) {
            Ok(()) => self.receive(REPLY_TIMEOUT),
            Err(failure) => failure,
        }
    }

    /// Sends one command as a multibulk request without waiting for anything.
    pub(crate) fn send(&mut self, args: &[Vec<u8>]) -> Result<(), Reply> {
        let mut request = BytesMut::new();
        encode_command(args, &mut request);
        self.stream.write_all(&request).map_err(|error| reply_for_io_error(&error))
    }

    /// Reads the next reply, waiting at most `timeout` for it.
    pub(crate) fn receive(&mut self, timeout: Duration) -> Reply {
        let deadline = Instant::now() + timeout;
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match parse_frame(&self.buffer) {
                Ok(Some((frame, used))) => {
                    self.buffer.advance(used);
                    return Reply::Frame(frame);
                }
                Ok(None) => {}
                Err(error) => return Reply::Broken(format!("not RESP: {error}")),
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Reply::TimedOut;
            };
            // A zero read timeout would mean "wait forever" to the socket.
            if let Err(error) = self.stream.set_read_timeout(Some(left.max(MIN_WAIT))) {
                return reply_for_io_error(&error);
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Reply::Closed,
                Ok(read) => self.buffer.extend_from_slice(&chunk[..read]),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return reply_for_io_error(&error),
            }
        }
    }

    /// Waits `period` for anything to arrive. `None` means silence; otherwise the reply
    /// (or failure) that broke it, read whole.
    pub(crate) fn expect_silence(&mut self, period: Duration) -> Option<Reply> {
        if self.buffer.is_empty() {
            let mut byte = [0u8; 1];
            if let Err(error) = self.stream.set_read_timeout(Some(period.max(MIN_WAIT))) {
                return Some(reply_for_io_error(&error));
            }
            // Peeking leaves the byte in the socket for `receive` to read with the rest.
            match self.stream.peek(&mut byte) {
                Ok(0) => return Some(Reply::Closed),
                Ok(_) => {}
                Err(error) if is_timeout(&error) => return None,
                Err(error) => return Some(reply_for_io_error(&error)),
            }
        }
        Some(self.receive(REPLY_TIMEOUT))
    }

    /// Everything that has already arrived and nobody has read, without waiting. A file
    /// that leaves replies unread would otherwise compare them against later lines.
    pub(crate) fn unread(&mut self) -> Vec<u8> {
        let mut unread = std::mem::take(&mut self.buffer).to_vec();
        if self.stream.set_nonblocking(true).is_err() {
            return unread;
        }
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(read) => unread.extend_from_slice(&chunk[..read]),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                // Would block: nothing more has arrived. Any other failure shows up on the
                // connection's next real use.
                Err(_) => break,
            }
        }
        let _ = self.stream.set_nonblocking(false);
        unread
    }

    /// Sends `bytes` untouched and collects everything that comes back until the server
    /// closes the connection or stays quiet for [`RAW_QUIET`]. The connection is used up:
    /// whatever state the bytes left it in is not worth continuing from.
    pub(crate) fn raw(mut self, bytes: &[u8]) -> RawReply {
        // A server may close as soon as it sees a protocol error, before taking every byte;
        // what it sent back is still to be read, so a failed write is not the end.
        let _ = self.stream.write_all(bytes);
        let _ = self.stream.set_read_timeout(Some(RAW_QUIET));
        let mut received = self.buffer.to_vec();
        let mut chunk = vec![0u8; 64 * 1024];
        let started = Instant::now();
        let closed = loop {
            if started.elapsed() > RAW_MAX_TIME || received.len() > RAW_MAX_BYTES {
                break false;
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => break true,
                Ok(read) => received.extend_from_slice(&chunk[..read]),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) if is_timeout(&error) => break false,
                Err(_) => break true,
            }
        };
        RawReply { bytes: received, closed }
    }
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

fn reply_for_io_error(error: &io::Error) -> Reply {
    match error.kind() {
        _ if is_timeout(error) => Reply::TimedOut,
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof => Reply::Closed,
        _ => Reply::Broken(error.to_string()),
    }
}
