//! Replies of many elements written straight into their wire form.
//!
//! A [`Frame::Array`] of a hundred bulk strings is a hundred frames, each holding its own
//! buffer, encoded one after another into the connection's output when the reply is sent.
//! A reply read from storage one element at a time (a range of a list, the members of a set)
//! can skip that: [`ReplyEncoder`] appends each element's wire form to one buffer as it is
//! read and ends as a [`Frame::Encoded`], which is copied to the client as it is. Since the
//! aggregate's type and its doubles are written as they are added, an encoder is made for the
//! protocol of the client the reply is for.

use bytes::{Buf, BufMut, Bytes};

use crate::frame::{Frame, Protocol, put_bulk, put_header, put_integer, put_line};

/// The room kept before the elements for the aggregate's header: a marker, up to 20 digits
/// and `\r\n`.
const HEADER_ROOM: usize = 24;

/// The kind of aggregate an encoder writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// An array (`*`), of single elements or of pairs (each pair a two-element array in
    /// RESP3, two flat elements in RESP2, as Redis writes members with their scores).
    Array,
    /// A set (RESP3 `~`); an array in RESP2.
    Set,
    /// A map of pairs (RESP3 `%`); a flat array of keys and values in RESP2.
    Map,
}

/// One element of an encoded reply.
#[derive(Clone, Copy, Debug)]
pub enum Element<'a> {
    /// A bulk string.
    Bulk(&'a [u8]),
    /// A double, given as the text Redis prints for it (RESP3 `,`; a bulk string in RESP2).
    Double(&'a [u8]),
    /// An integer.
    Integer(i64),
    /// Nothing there: RESP3's null, RESP2's null bulk string (as `MGET` answers a missing key).
    Null,
}

/// Builds an aggregate reply by appending each element's wire form to one buffer.
///
/// ```
/// use resplite_resp::{Element, Frame, Protocol, ReplyEncoder, Shape};
///
/// let mut reply = ReplyEncoder::new(Shape::Array, Protocol::Resp2);
/// reply.push(Element::Bulk(b"a"));
/// reply.push(Element::Bulk(b"bc"));
/// let frame = reply.finish();
/// assert_eq!(&frame.to_bytes()[..], b"*2\r\n$1\r\na\r\n$2\r\nbc\r\n");
/// ```
#[derive(Debug)]
pub struct ReplyEncoder {
    bytes: Vec<u8>,
    count: usize,
    shape: Shape,
    protocol: Protocol,
}

impl ReplyEncoder {
    /// An empty aggregate of `shape` for a client speaking `protocol`.
    pub fn new(shape: Shape, protocol: Protocol) -> ReplyEncoder {
        let mut bytes = Vec::with_capacity(256);
        bytes.put_bytes(0, HEADER_ROOM);
        ReplyEncoder { bytes, count: 0, shape, protocol }
    }

    /// Appends a single element (to an array or a set; maps take pairs).
    pub fn push(&mut self, element: Element<'_>) {
        self.put(element);
        self.count += 1;
    }

    /// Appends a pair: a key and its value in a map, or a member and its score in an array.
    pub fn push_pair(&mut self, first: Element<'_>, second: Element<'_>) {
        match (self.shape, self.protocol) {
            (Shape::Map, Protocol::Resp3) => self.count += 1,
            (Shape::Array | Shape::Set, Protocol::Resp3) => {
                put_header(&mut self.bytes, b'*', 2);
                self.count += 1;
            }
            (_, Protocol::Resp2) => self.count += 2,
        }
        self.put(first);
        self.put(second);
    }

    /// How many items the aggregate's header will count.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing has been added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The finished reply.
    pub fn finish(mut self) -> Frame {
        let marker = match (self.shape, self.protocol) {
            (Shape::Array, _) | (_, Protocol::Resp2) => b'*',
            (Shape::Set, Protocol::Resp3) => b'~',
            (Shape::Map, Protocol::Resp3) => b'%',
        };
        // The header goes at the end of the room kept for it; the rest of the room is cut off.
        let mut count = itoa::Buffer::new();
        let digits = count.format(self.count).as_bytes();
        let start = HEADER_ROOM - (digits.len() + 3);
        self.bytes[start] = marker;
        self.bytes[start + 1..HEADER_ROOM - 2].copy_from_slice(digits);
        self.bytes[HEADER_ROOM - 2..HEADER_ROOM].copy_from_slice(b"\r\n");
        let mut bytes = Bytes::from(self.bytes);
        bytes.advance(start);
        Frame::Encoded(bytes)
    }

    fn put(&mut self, element: Element<'_>) {
        match element {
            Element::Bulk(payload) => put_bulk(&mut self.bytes, payload),
            Element::Double(text) if self.protocol == Protocol::Resp3 => {
                put_line(&mut self.bytes, b',', text)
            }
            Element::Double(text) => put_bulk(&mut self.bytes, text),
            Element::Integer(value) => put_integer(&mut self.bytes, value),
            Element::Null if self.protocol == Protocol::Resp3 => self.bytes.put_slice(b"_\r\n"),
            Element::Null => self.bytes.put_slice(b"$-1\r\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::{Element, ReplyEncoder, Shape};
    use crate::frame::{Frame, Protocol};

    /// The encoder's bytes and the bytes of the same reply built as frames.
    fn both(
        shape: Shape,
        protocol: Protocol,
        singles: &[&[u8]],
        pairs: &[(&[u8], &[u8])],
    ) -> (Bytes, Bytes) {
        let mut encoder = ReplyEncoder::new(shape, protocol);
        let mut frames = Vec::new();
        let mut frame_pairs = Vec::new();
        for single in singles {
            encoder.push(Element::Bulk(single));
            frames.push(Frame::Bulk(Bytes::copy_from_slice(single)));
        }
        for (member, score) in pairs {
            encoder.push_pair(Element::Bulk(member), Element::Double(score));
            let pair = (
                Frame::Bulk(Bytes::copy_from_slice(member)),
                Frame::Double(Bytes::copy_from_slice(score)),
            );
            frame_pairs.push(pair);
        }
        let expected = match shape {
            Shape::Map => Frame::Map(frame_pairs),
            Shape::Set => Frame::Set(frames),
            Shape::Array if protocol == Protocol::Resp3 => {
                frames.extend(frame_pairs.into_iter().map(|(a, b)| Frame::Array(vec![a, b])));
                Frame::Array(frames)
            }
            Shape::Array => {
                frames.extend(frame_pairs.into_iter().flat_map(|(a, b)| [a, b]));
                Frame::Array(frames)
            }
        };
        (encoder.finish().to_bytes_as(protocol), expected.to_bytes_as(protocol))
    }

    #[test]
    fn encodes_as_the_frames_would() {
        let many: Vec<Vec<u8>> = (0..1234).map(|n| format!("element:{n}").into_bytes()).collect();
        let many: Vec<&[u8]> = many.iter().map(Vec::as_slice).collect();
        let pairs: &[(&[u8], &[u8])] = &[(b"a", b"1.5"), (b"", b"-inf"), (b"c\r\n", b"1e+20")];
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            for singles in [&[][..], &[b"x".as_slice()][..], &[b"".as_slice(), b"yz"][..], &many] {
                for shape in [Shape::Array, Shape::Set] {
                    let (encoded, framed) = both(shape, protocol, singles, &[]);
                    assert_eq!(encoded, framed, "{shape:?} {protocol:?} {}", singles.len());
                }
            }
            for shape in [Shape::Array, Shape::Map] {
                for pairs in [&[][..], pairs] {
                    let (encoded, framed) = both(shape, protocol, &[], pairs);
                    assert_eq!(encoded, framed, "{shape:?} {protocol:?} {}", pairs.len());
                }
            }
        }
    }

    #[test]
    fn encodes_nulls_and_integers_as_the_frames_would() {
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let mut encoder = ReplyEncoder::new(Shape::Array, protocol);
            for element in [
                Element::Bulk(b"v"),
                Element::Null,
                Element::Integer(0),
                Element::Integer(i64::MIN),
                Element::Double(b"2.5"),
                Element::Null,
            ] {
                encoder.push(element);
            }
            let frames = Frame::Array(vec![
                Frame::Bulk(Bytes::from_static(b"v")),
                Frame::Null,
                Frame::Integer(0),
                Frame::Integer(i64::MIN),
                Frame::Double(Bytes::from_static(b"2.5")),
                Frame::Null,
            ]);
            assert_eq!(encoder.finish().to_bytes_as(protocol), frames.to_bytes_as(protocol));
        }
    }

    #[test]
    fn counts_what_the_header_counts() {
        let mut resp2 = ReplyEncoder::new(Shape::Map, Protocol::Resp2);
        let mut resp3 = ReplyEncoder::new(Shape::Map, Protocol::Resp3);
        assert!(resp2.is_empty());
        for encoder in [&mut resp2, &mut resp3] {
            encoder.push_pair(Element::Bulk(b"f"), Element::Bulk(b"v"));
        }
        assert_eq!((resp2.len(), resp3.len()), (2, 1));
        assert_eq!(&resp3.finish().to_bytes()[..], b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
    }
}
