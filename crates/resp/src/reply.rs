//! The client-side decoder: any RESP2 or RESP3 reply in, commands encoded.
//!
//! Replies are small and arrive whole far more often than not, so this decoder keeps no
//! state between calls: each call parses from the start of the buffer. It does so twice,
//! first checking that a whole frame is there without building anything, then building the
//! frame from bytes split off the buffer, so bulk payloads are shared rather than copied and
//! partial input costs no allocation.

use std::ops::Range;

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::frame::encode_command;
use crate::number::parse_i64;
use crate::{Frame, Limits, ProtocolError};

/// How deeply arrays may nest. Parsing recurses once per level, so this bounds the stack a
/// hostile peer can make the decoder use; Redis's own replies nest a handful of levels.
const MAX_DEPTH: usize = 128;

/// Decodes RESP2 and RESP3 frames (replies) and encodes commands.
///
/// This is the codec of the other end of the connection: the oracle, the tests, the
/// benchmarks and the migration tool use it to talk to a server. It accepts every RESP2
/// frame, including the null bulk `$-1` and the null array `*-1`, and rejects bulks and
/// arrays larger than its [`Limits`] and arrays nested more than 128 deep.
#[derive(Debug, Default)]
pub struct FrameCodec {
    limits: Limits,
}

impl FrameCodec {
    /// A decoder enforcing `limits`.
    pub fn new(limits: Limits) -> FrameCodec {
        FrameCodec { limits }
    }
}

impl Decoder for FrameCodec {
    type Item = Frame;
    type Error = ProtocolError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, ProtocolError> {
        let Some(len) = measure(src, &self.limits)? else {
            return Ok(None);
        };
        // Building parses the very bytes that were just measured with the same limits, so
        // it yields the frame that was found.
        let bytes = src.split_to(len).freeze();
        build(&bytes, &self.limits)
    }
}

impl<A: AsRef<[u8]>> Encoder<&[A]> for FrameCodec {
    type Error = std::io::Error;

    fn encode(&mut self, args: &[A], dst: &mut BytesMut) -> Result<(), std::io::Error> {
        encode_command(args, dst);
        Ok(())
    }
}

/// Parses one whole frame from the start of `buf`, returning it with the number of bytes it
/// took, or `None` if `buf` ends before the frame does. Uses the default [`Limits`].
///
/// ```
/// use resplite_resp::{parse_frame, Frame};
///
/// let (frame, len) = parse_frame(b"*2\r\n:1\r\n$-1\r\n+next").unwrap().unwrap();
/// assert_eq!(frame, Frame::Array(vec![Frame::integer(1), Frame::Null]));
/// assert_eq!(len, 13);
/// assert!(parse_frame(b"$5\r\nhel").unwrap().is_none());
/// ```
pub fn parse_frame(buf: &[u8]) -> Result<Option<(Frame, usize)>, ProtocolError> {
    let limits = Limits::default();
    let Some(len) = measure(buf, &limits)? else {
        return Ok(None);
    };
    let bytes = Bytes::copy_from_slice(buf.get(..len).unwrap_or_default());
    Ok(build(&bytes, &limits)?.map(|frame| (frame, len)))
}

/// The length of the whole frame at the start of `buf`, if it is all there.
fn measure(buf: &[u8], limits: &Limits) -> Result<Option<usize>, ProtocolError> {
    let mut parser = Parser { buf, pos: 0, limits, sink: Measure };
    Ok(parser.frame(0)?.map(|()| parser.pos))
}

/// The frame at the start of `bytes`, sharing its bulk payloads with `bytes`.
fn build(bytes: &Bytes, limits: &Limits) -> Result<Option<Frame>, ProtocolError> {
    Parser { buf: bytes, pos: 0, limits, sink: Build(bytes) }.frame(0)
}

/// A frame that holds no other frame, with its strings as ranges of the parsed buffer.
enum Leaf {
    Simple(Range<usize>),
    Error(Range<usize>),
    Integer(i64),
    Bulk(Range<usize>),
    Null,
    NullArray,
    Double(Range<usize>),
    BigNumber(Range<usize>),
    Boolean(bool),
    Verbatim([u8; 3], Range<usize>),
}

/// The kinds of frame that hold other frames.
#[derive(Clone, Copy)]
enum Aggregate {
    Array,
    Set,
    Push,
    /// Holds twice its declared count of frames: keys and values, alternating.
    Map,
}

/// What a parse produces from the pieces it recognises.
trait Sink {
    type Out;
    fn leaf(&self, leaf: Leaf) -> Self::Out;
    fn aggregate(&self, kind: Aggregate, items: Vec<Self::Out>) -> Self::Out;
}

/// Produces nothing: used to learn whether, and where, a frame ends. Its `Vec<()>` of
/// array items never allocates.
struct Measure;

impl Sink for Measure {
    type Out = ();
    fn leaf(&self, _: Leaf) {}
    fn aggregate(&self, _: Aggregate, _: Vec<()>) {}
}

/// Produces frames whose strings are slices of the buffer being parsed.
struct Build<'a>(&'a Bytes);

impl Sink for Build<'_> {
    type Out = Frame;

    fn leaf(&self, leaf: Leaf) -> Frame {
        match leaf {
            Leaf::Simple(range) => Frame::Simple(self.0.slice(range)),
            Leaf::Error(range) => Frame::Error(self.0.slice(range)),
            Leaf::Integer(value) => Frame::Integer(value),
            Leaf::Bulk(range) => Frame::Bulk(self.0.slice(range)),
            Leaf::Null => Frame::Null,
            Leaf::NullArray => Frame::NullArray,
            Leaf::Double(range) => Frame::Double(self.0.slice(range)),
            Leaf::BigNumber(range) => Frame::BigNumber(self.0.slice(range)),
            Leaf::Boolean(value) => Frame::Boolean(value),
            Leaf::Verbatim(format, range) => Frame::Verbatim { format, text: self.0.slice(range) },
        }
    }

    fn aggregate(&self, kind: Aggregate, items: Vec<Frame>) -> Frame {
        match kind {
            Aggregate::Array => Frame::Array(items),
            Aggregate::Set => Frame::Set(items),
            Aggregate::Push => Frame::Push(items),
            Aggregate::Map => {
                let mut pairs = Vec::with_capacity(items.len() / 2);
                let mut items = items.into_iter();
                while let (Some(key), Some(value)) = (items.next(), items.next()) {
                    pairs.push((key, value));
                }
                Frame::Map(pairs)
            }
        }
    }
}

/// A recursive-descent parser over a buffer that may end mid-frame.
struct Parser<'a, S> {
    buf: &'a [u8],
    pos: usize,
    limits: &'a Limits,
    sink: S,
}

impl<S: Sink> Parser<'_, S> {
    /// Parses the frame at `pos`, `depth` arrays deep; `None` means the buffer ends first.
    fn frame(&mut self, depth: usize) -> Result<Option<S::Out>, ProtocolError> {
        let Some(&marker) = self.buf.get(self.pos) else {
            return Ok(None);
        };
        let string_limit = usize::try_from(self.limits.max_bulk_len).unwrap_or(usize::MAX);
        let leaf = match marker {
            b'+' | b'-' | b',' | b'(' => {
                let Some(range) = self.line(string_limit)? else {
                    return Ok(None);
                };
                match marker {
                    b'+' => Leaf::Simple(range),
                    b'-' => Leaf::Error(range),
                    b',' => Leaf::Double(range),
                    _ => Leaf::BigNumber(range),
                }
            }
            b':' => match self.number(ProtocolError::InvalidInteger)? {
                Some(value) => Leaf::Integer(value),
                None => return Ok(None),
            },
            b'_' | b'#' => {
                let Some(range) = self.line(1)? else {
                    return Ok(None);
                };
                match (marker, self.buf.get(range).unwrap_or_default()) {
                    (b'_', b"") => Leaf::Null,
                    (b'#', b"t") => Leaf::Boolean(true),
                    (b'#', b"f") => Leaf::Boolean(false),
                    _ => return Err(ProtocolError::UnknownFrameType(marker)),
                }
            }
            b'$' | b'=' => match self.number(ProtocolError::InvalidBulkLength)? {
                None => return Ok(None),
                Some(-1) if marker == b'$' => Leaf::Null,
                Some(len) => {
                    let len = u64::try_from(len)
                        .ok()
                        .filter(|&len| len <= self.limits.max_bulk_len)
                        .and_then(|len| usize::try_from(len).ok())
                        .ok_or(ProtocolError::InvalidBulkLength)?;
                    let Some(range) = self.payload(len)? else {
                        return Ok(None);
                    };
                    if marker == b'$' {
                        Leaf::Bulk(range)
                    } else {
                        // A verbatim string starts with its format and a colon: `txt:`.
                        let payload = self.buf.get(range.clone()).unwrap_or_default();
                        match payload {
                            [a, b, c, b':', ..] => {
                                Leaf::Verbatim([*a, *b, *c], range.start + 4..range.end)
                            }
                            _ => return Err(ProtocolError::InvalidBulkLength),
                        }
                    }
                }
            },
            b'*' | b'~' | b'>' | b'%' => {
                match self.number(ProtocolError::InvalidMultibulkLength)? {
                    None => return Ok(None),
                    Some(-1) if marker == b'*' => Leaf::NullArray,
                    Some(count) => {
                        let count = u64::try_from(count)
                            .ok()
                            .filter(|&count| count <= self.limits.max_multibulk_len)
                            .ok_or(ProtocolError::InvalidMultibulkLength)?;
                        let (kind, count) = match marker {
                            b'*' => (Aggregate::Array, count),
                            b'~' => (Aggregate::Set, count),
                            b'>' => (Aggregate::Push, count),
                            _ => (Aggregate::Map, count * 2),
                        };
                        return self.aggregate(kind, count, depth);
                    }
                }
            }
            other => return Err(ProtocolError::UnknownFrameType(other)),
        };
        Ok(Some(self.sink.leaf(leaf)))
    }

    /// Parses the `count` elements of an aggregate whose header has been read.
    fn aggregate(
        &mut self,
        kind: Aggregate,
        count: u64,
        depth: usize,
    ) -> Result<Option<S::Out>, ProtocolError> {
        if depth >= MAX_DEPTH {
            return Err(ProtocolError::NestingTooDeep);
        }
        // Every element takes at least three bytes, so a count the buffer cannot back is
        // never reserved for.
        let slots = usize::try_from(count).unwrap_or(usize::MAX).min(self.remaining() / 3);
        let mut items = Vec::with_capacity(slots);
        for _ in 0..count {
            match self.frame(depth + 1)? {
                Some(item) => items.push(item),
                None => return Ok(None),
            }
        }
        Ok(Some(self.sink.aggregate(kind, items)))
    }

    /// Reads the line after the type byte at `pos`, which may hold at most `limit` bytes,
    /// and moves past its `\r\n`.
    fn line(&mut self, limit: usize) -> Result<Option<Range<usize>>, ProtocolError> {
        let start = self.pos + 1;
        let rest = self.buf.get(start..).unwrap_or_default();
        match rest.windows(2).position(|pair| pair == b"\r\n") {
            Some(len) if len > limit => Err(ProtocolError::LineTooLong),
            Some(len) => {
                self.pos = start + len + 2;
                Ok(Some(start..start + len))
            }
            None => {
                // A last `\r` may begin the line end rather than belong to the line.
                let known = rest.strip_suffix(b"\r").unwrap_or(rest).len();
                if known > limit { Err(ProtocolError::LineTooLong) } else { Ok(None) }
            }
        }
    }

    /// Reads a line holding an integer, failing with `invalid` if it holds anything else.
    fn number(&mut self, invalid: ProtocolError) -> Result<Option<i64>, ProtocolError> {
        let Some(range) = self.line(self.limits.max_inline_len)? else {
            return Ok(None);
        };
        self.buf.get(range).and_then(parse_i64).map(Some).ok_or(invalid)
    }

    /// Reads a bulk payload of `len` bytes and the `\r\n` after it.
    fn payload(&mut self, len: usize) -> Result<Option<Range<usize>>, ProtocolError> {
        let start = self.pos;
        let end = start.saturating_add(len);
        let Some(trailer) = self.buf.get(end..end.saturating_add(2)) else {
            return Ok(None);
        };
        if trailer != b"\r\n" {
            return Err(ProtocolError::MissingCrlf);
        }
        self.pos = end + 2;
        Ok(Some(start..end))
    }

    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }
}

#[cfg(test)]
mod tests;
