//! The server-side decoder: client requests in, argument vectors out, replies encoded.
//!
//! This follows Redis 7's `processMultibulkBuffer` and `processInlineBuffer` step for step,
//! so that any byte sequence is accepted, waited on or rejected exactly as Redis would,
//! with the same error. The deliberate departures:
//!
//! - a bulk whose payload has not arrived yet is not allocated at its declared size (Redis
//!   does, for arguments of 32 KiB and more), so a client cannot make the server reserve
//!   memory it never fills;
//! - a line end is searched for only in bytes not searched before, so a line trickling in
//!   a byte at a time costs linear rather than quadratic time;
//! - a NUL byte is an ordinary byte. Redis searches for line ends with `strchr`, which stops
//!   at a NUL, so a header or inline line with a NUL in it never ends there and the
//!   connection eventually fails with a "too big" error instead.

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::inline::split_args;
use crate::number::parse_i64;
use crate::{Frame, Limits, ProtocolError};

/// Most bytes reserved at a time while waiting for a bulk payload.
const RESERVE_CHUNK: usize = 64 * 1024;

/// Most arguments a client that has not authenticated may send in one request, as in Redis.
const UNAUTHENTICATED_MAX_ARGS: i64 = 10;

/// Longest argument a client that has not authenticated may send, as in Redis.
const UNAUTHENTICATED_MAX_BULK_LEN: usize = 16 * 1024;

/// Most argument slots reserved up front for a multibulk request; more are added as the
/// arguments arrive, so a huge declared count costs nothing until it is backed by bytes.
const INITIAL_ARGS: usize = 1024;

/// Decodes client requests into argument vectors and encodes [`Frame`] replies.
///
/// A request is either a multibulk array of bulk strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`,
/// what client libraries send) or an inline line (`GET k\r\n`, what a person types); the
/// first byte decides. Requests with no arguments (`*0\r\n`, `*-1\r\n`, a blank line) are
/// skipped without a trace, as in Redis.
///
/// Decoding is incremental: the arguments of a multibulk request are kept as they complete,
/// so a large request arriving in many reads is parsed once, and each argument is split off
/// the read buffer without copying. After an error the decoder's state is unspecified; the
/// caller is expected to reply with [`ProtocolError::reply_text`] and close the connection.
#[derive(Debug, Default)]
pub struct RequestCodec {
    limits: Limits,
    /// Whether the tighter limits for clients yet to authenticate apply.
    unauthenticated: bool,
    /// Arguments of the multibulk request in progress.
    args: Vec<Bytes>,
    /// Arguments of that request still to come; zero between requests.
    pending: u64,
    /// Declared length of the argument whose payload is awaited, once its `$N` line is read.
    bulk_len: Option<usize>,
    /// How many bytes at the front of the buffer are known to hold no line end.
    scanned: usize,
}

/// What one decoding step achieved.
enum Step {
    /// The buffer holds too little to go on.
    NeedMore,
    /// Input was consumed without completing a command.
    Consumed,
    /// A command is complete.
    Command(Vec<Bytes>),
}

impl RequestCodec {
    /// A decoder enforcing `limits`.
    pub fn new(limits: Limits) -> RequestCodec {
        RequestCodec { limits, ..RequestCodec::default() }
    }

    /// Changes the largest bulk argument accepted from the next request on (`CONFIG SET
    /// proto-max-bulk-len` applies to open connections in Redis).
    pub fn set_max_bulk_len(&mut self, max_bulk_len: u64) {
        self.limits.max_bulk_len = max_bulk_len;
    }

    /// Applies, or lifts, Redis's limits for a client that must authenticate and has not
    /// yet: a multibulk request of more than 10 arguments, or an argument of more than
    /// 16 KiB, is a protocol error, so that a peer without the password cannot make the
    /// server buffer much. Set it before decoding each request of such a client.
    pub fn set_unauthenticated(&mut self, unauthenticated: bool) {
        self.unauthenticated = unauthenticated;
    }

    /// Position of the first `needle` in `src`, skipping the prefix already searched.
    fn find(&mut self, src: &[u8], needle: u8) -> Option<usize> {
        let start = self.scanned.min(src.len());
        let found = src.get(start..)?.iter().position(|&byte| byte == needle);
        match found {
            Some(offset) => Some(start + offset),
            None => {
                self.scanned = src.len();
                None
            }
        }
    }

    /// Drops `len` bytes from the front of `src`; the scan offset refers to them, so it resets.
    fn consume(&mut self, src: &mut BytesMut, len: usize) {
        src.advance(len.min(src.len()));
        self.scanned = 0;
    }

    /// Finds the end of a `*N` or `$N` header line. Like Redis, it looks for `\r` and then
    /// needs one more byte, which it skips without checking that it is `\n`.
    fn header_end(
        &mut self,
        src: &[u8],
        too_big: ProtocolError,
    ) -> Result<Option<usize>, ProtocolError> {
        let Some(cr) = self.find(src, b'\r') else {
            return if src.len() > self.limits.max_inline_len { Err(too_big) } else { Ok(None) };
        };
        if cr + 1 >= src.len() {
            // Search from the `\r` again once its partner has arrived.
            self.scanned = cr;
            return Ok(None);
        }
        Ok(Some(cr))
    }

    /// Reads the `*N` line that opens a multibulk request.
    fn read_count(&mut self, src: &mut BytesMut) -> Result<Step, ProtocolError> {
        let Some(cr) = self.header_end(src, ProtocolError::TooBigMultibulkCount)? else {
            return Ok(Step::NeedMore);
        };
        let count =
            src.get(1..cr).and_then(parse_i64).ok_or(ProtocolError::InvalidMultibulkLength)?;
        if u64::try_from(count).is_ok_and(|count| count > self.limits.max_multibulk_len) {
            return Err(ProtocolError::InvalidMultibulkLength);
        }
        if self.unauthenticated && count > UNAUTHENTICATED_MAX_ARGS {
            return Err(ProtocolError::UnauthenticatedMultibulkLength);
        }
        self.consume(src, cr + 2);
        if let Ok(pending @ 1..) = u64::try_from(count) {
            self.pending = pending;
            let slots = usize::try_from(pending).unwrap_or(INITIAL_ARGS).min(INITIAL_ARGS);
            self.args = Vec::with_capacity(slots);
        }
        Ok(Step::Consumed)
    }

    /// Reads arguments of the multibulk request in progress until it completes or input
    /// runs out.
    fn read_args(&mut self, src: &mut BytesMut) -> Result<Step, ProtocolError> {
        while self.pending > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => {
                    let Some(cr) = self.header_end(src, ProtocolError::TooBigBulkCount)? else {
                        return Ok(Step::NeedMore);
                    };
                    let len = self.bulk_header(src, cr)?;
                    self.consume(src, cr + 2);
                    self.bulk_len = Some(len);
                    len
                }
            };
            // The payload is followed by two bytes that Redis skips without looking at them.
            let needed = len.saturating_add(2);
            if src.len() < needed {
                src.reserve((needed - src.len()).min(RESERVE_CHUNK));
                return Ok(Step::NeedMore);
            }
            let arg = src.split_to(len).freeze();
            self.consume(src, 2);
            self.args.push(arg);
            self.bulk_len = None;
            self.pending -= 1;
        }
        Ok(Step::Command(std::mem::take(&mut self.args)))
    }

    /// Validates the `$N` line ending at `cr` and returns `N`.
    fn bulk_header(&self, src: &[u8], cr: usize) -> Result<usize, ProtocolError> {
        match src.first() {
            Some(b'$') => {}
            Some(&other) => return Err(ProtocolError::ExpectedDollar(other)),
            None => return Err(ProtocolError::InvalidBulkLength),
        }
        let len = src
            .get(1..cr)
            .and_then(parse_i64)
            .and_then(|len| u64::try_from(len).ok())
            .filter(|&len| len <= self.limits.max_bulk_len)
            .and_then(|len| usize::try_from(len).ok())
            .ok_or(ProtocolError::InvalidBulkLength)?;
        if self.unauthenticated && len > UNAUTHENTICATED_MAX_BULK_LEN {
            return Err(ProtocolError::UnauthenticatedBulkLength);
        }
        Ok(len)
    }

    /// Reads one inline command line.
    fn read_inline(&mut self, src: &mut BytesMut) -> Result<Step, ProtocolError> {
        let Some(lf) = self.find(src, b'\n') else {
            return if src.len() > self.limits.max_inline_len {
                Err(ProtocolError::TooBigInline)
            } else {
                Ok(Step::NeedMore)
            };
        };
        let line = src.get(..lf).unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let args = split_args(line).ok_or(ProtocolError::UnbalancedQuotes)?;
        self.consume(src, lf + 1);
        if args.is_empty() {
            Ok(Step::Consumed)
        } else {
            Ok(Step::Command(args.into_iter().map(Bytes::from).collect()))
        }
    }
}

impl Decoder for RequestCodec {
    type Item = Vec<Bytes>;
    type Error = ProtocolError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        loop {
            let step = if self.pending > 0 {
                self.read_args(src)?
            } else {
                match src.first() {
                    None => return Ok(None),
                    Some(b'*') => self.read_count(src)?,
                    Some(_) => self.read_inline(src)?,
                }
            };
            match step {
                Step::NeedMore => return Ok(None),
                Step::Consumed => {}
                Step::Command(args) => return Ok(Some(args)),
            }
        }
    }
}

impl Encoder<&Frame> for RequestCodec {
    type Error = std::io::Error;

    fn encode(&mut self, reply: &Frame, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        reply.encode(dst);
        Ok(())
    }
}

impl Encoder<Frame> for RequestCodec {
    type Error = std::io::Error;

    fn encode(&mut self, reply: Frame, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        reply.encode(dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
