//! The RESP value type and its wire encoding in either protocol version.
//!
//! A [`Frame`] is what a reply *means*; [`Protocol`] decides how it is written. RESP3 has
//! types RESP2 lacks (maps, sets, doubles, a single null, pushes); Redis writes each of them
//! in RESP2 as the nearest older type (a map as a flat array of keys and values, a double as
//! a bulk string of the same text …), and so does [`Frame::encode_as`]. A reply is built
//! once and reads right to a client of either version.

use bytes::{BufMut, Bytes, BytesMut};

/// The protocol version a connection speaks: RESP2 until it sends `HELLO 3`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// RESP2, every client's starting point.
    #[default]
    Resp2,
    /// RESP3, negotiated with `HELLO 3`.
    Resp3,
}

/// One RESP value, as sent in a reply (or, as an array of bulks, in a request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A status reply such as `+OK`; holds the text after the `+`.
    Simple(Bytes),
    /// An error reply such as `-ERR syntax error`; holds the text after the `-`.
    Error(Bytes),
    /// An integer reply such as `:1`.
    Integer(i64),
    /// A binary-safe bulk string such as `$3\r\nfoo`.
    Bulk(Bytes),
    /// The null bulk string `$-1`.
    Null,
    /// An array of frames, `*N` followed by the elements.
    Array(Vec<Frame>),
    /// The null array `*-1`.
    NullArray,
    /// A map (RESP3 `%`); in RESP2 a flat array of its keys and values.
    Map(Vec<(Frame, Frame)>),
    /// A set (RESP3 `~`); in RESP2 an array.
    Set(Vec<Frame>),
    /// A floating-point number (RESP3 `,`), held as the text Redis prints for it (`1.5`,
    /// `inf`, `-0`); in RESP2 a bulk string of that text.
    Double(Bytes),
    /// A boolean (RESP3 `#t` / `#f`); in RESP2 the integer 1 or 0.
    Boolean(bool),
    /// An integer beyond 64 bits (RESP3 `(`), as its decimal digits; in RESP2 a bulk string.
    BigNumber(Bytes),
    /// Text with a three-letter format such as `txt` (RESP3 `=`); in RESP2 a bulk string of
    /// the text alone.
    Verbatim {
        /// The format, `txt` or `mkd`.
        format: [u8; 3],
        /// The text.
        text: Bytes,
    },
    /// Out-of-band data such as a pub/sub message (RESP3 `>`); in RESP2 an array.
    Push(Vec<Frame>),
    /// A reply already in its wire form, for the protocol of the client it was built for
    /// (see [`ReplyEncoder`](crate::ReplyEncoder)), written as it is. Decoding never gives
    /// one.
    Encoded(Bytes),
}

impl Frame {
    /// The `+OK` status reply.
    pub fn ok() -> Frame {
        Frame::Simple(Bytes::from_static(b"OK"))
    }

    /// A status reply with static text, such as `Frame::simple("PONG")`.
    pub fn simple(text: &'static str) -> Frame {
        Frame::Simple(Bytes::from_static(text.as_bytes()))
    }

    /// An error reply; `message` is the whole text including its code, as in
    /// `Frame::error("ERR syntax error")`.
    pub fn error(message: impl Into<String>) -> Frame {
        Frame::Error(Bytes::from(message.into()))
    }

    /// A bulk string reply.
    pub fn bulk(payload: impl Into<Bytes>) -> Frame {
        Frame::Bulk(payload.into())
    }

    /// An integer reply.
    pub fn integer(value: i64) -> Frame {
        Frame::Integer(value)
    }

    /// A verbatim text reply (`txt` format), as `INFO` sends.
    pub fn verbatim(text: impl Into<Bytes>) -> Frame {
        Frame::Verbatim { format: *b"txt", text: text.into() }
    }

    /// Appends the RESP2 wire form of this frame to `dst` (see [`Frame::encode_as`]).
    pub fn encode(&self, dst: &mut BytesMut) {
        self.encode_as(Protocol::Resp2, dst);
    }

    /// Appends the wire form of this frame in `protocol` to `dst`.
    ///
    /// Status and error text cannot carry line breaks on the wire, so any `\r` or `\n` in
    /// them is written as a space, as Redis does for its formatted errors. Everything else
    /// is written byte for byte. RESP3-only types are written in RESP2 as Redis writes them.
    ///
    /// ```
    /// use bytes::{Bytes, BytesMut};
    /// use resplite_resp::{Frame, Protocol};
    ///
    /// let map = Frame::Map(vec![(Frame::bulk("f"), Frame::Double(Bytes::from("1.5")))]);
    /// let mut resp2 = BytesMut::new();
    /// map.encode_as(Protocol::Resp2, &mut resp2);
    /// assert_eq!(&resp2[..], b"*2\r\n$1\r\nf\r\n$3\r\n1.5\r\n");
    /// let mut resp3 = BytesMut::new();
    /// map.encode_as(Protocol::Resp3, &mut resp3);
    /// assert_eq!(&resp3[..], b"%1\r\n$1\r\nf\r\n,1.5\r\n");
    /// ```
    pub fn encode_as(&self, protocol: Protocol, dst: &mut BytesMut) {
        let resp3 = protocol == Protocol::Resp3;
        match self {
            Frame::Simple(text) => put_line(dst, b'+', text),
            Frame::Error(text) => put_line(dst, b'-', text),
            Frame::Integer(value) => put_integer(dst, *value),
            Frame::Bulk(payload) => put_bulk(dst, payload),
            Frame::Null | Frame::NullArray if resp3 => dst.put_slice(b"_\r\n"),
            Frame::Null => dst.put_slice(b"$-1\r\n"),
            Frame::NullArray => dst.put_slice(b"*-1\r\n"),
            Frame::Array(items) => put_aggregate(dst, b'*', items, protocol),
            Frame::Set(items) => {
                put_aggregate(dst, if resp3 { b'~' } else { b'*' }, items, protocol)
            }
            Frame::Push(items) => {
                put_aggregate(dst, if resp3 { b'>' } else { b'*' }, items, protocol)
            }
            Frame::Map(pairs) => {
                if resp3 {
                    put_header(dst, b'%', pairs.len());
                } else {
                    put_header(dst, b'*', pairs.len() * 2);
                }
                for (key, value) in pairs {
                    key.encode_as(protocol, dst);
                    value.encode_as(protocol, dst);
                }
            }
            Frame::Double(text) if resp3 => put_line(dst, b',', text),
            Frame::BigNumber(digits) if resp3 => put_line(dst, b'(', digits),
            Frame::Double(text) | Frame::BigNumber(text) => put_bulk(dst, text),
            Frame::Boolean(value) if resp3 => {
                dst.put_slice(if *value { b"#t\r\n" } else { b"#f\r\n" })
            }
            Frame::Boolean(value) => dst.put_slice(if *value { b":1\r\n" } else { b":0\r\n" }),
            Frame::Verbatim { format, text } if resp3 => {
                put_header(dst, b'=', text.len() + 4);
                dst.put_slice(format);
                dst.put_u8(b':');
                dst.put_slice(text);
                dst.put_slice(b"\r\n");
            }
            Frame::Verbatim { text, .. } => put_bulk(dst, text),
            Frame::Encoded(wire) => dst.put_slice(wire),
        }
    }

    /// The wire form of this frame in `protocol`, in a buffer of its own.
    pub fn to_bytes_as(&self, protocol: Protocol) -> Bytes {
        let mut dst = BytesMut::new();
        self.encode_as(protocol, &mut dst);
        dst.freeze()
    }

    /// The wire form of this frame in a buffer of its own.
    pub fn to_bytes(&self) -> Bytes {
        let mut dst = BytesMut::new();
        self.encode(&mut dst);
        dst.freeze()
    }
}

/// Appends a request: a multibulk array whose elements are the arguments as bulk strings.
///
/// ```
/// let mut wire = bytes::BytesMut::new();
/// resplite_resp::encode_command(&["GET", "key"], &mut wire);
/// assert_eq!(&wire[..], b"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
/// ```
pub fn encode_command<A: AsRef<[u8]>>(args: &[A], dst: &mut BytesMut) {
    // Header digits are at most 20 bytes; reserving once keeps big pipelines cheap.
    let payload: usize = args.iter().map(|arg| arg.as_ref().len() + 26).sum();
    dst.reserve(payload + 24);
    put_header(dst, b'*', args.len());
    for arg in args {
        put_bulk(dst, arg.as_ref());
    }
}

pub(crate) fn put_line(dst: &mut impl BufMut, marker: u8, text: &[u8]) {
    dst.put_u8(marker);
    if text.iter().any(|&byte| byte == b'\r' || byte == b'\n') {
        for &byte in text {
            dst.put_u8(if byte == b'\r' || byte == b'\n' { b' ' } else { byte });
        }
    } else {
        dst.put_slice(text);
    }
    dst.put_slice(b"\r\n");
}

fn put_aggregate(dst: &mut BytesMut, marker: u8, items: &[Frame], protocol: Protocol) {
    put_header(dst, marker, items.len());
    for item in items {
        item.encode_as(protocol, dst);
    }
}

pub(crate) fn put_bulk(dst: &mut impl BufMut, payload: &[u8]) {
    put_header(dst, b'$', payload.len());
    dst.put_slice(payload);
    dst.put_slice(b"\r\n");
}

pub(crate) fn put_integer(dst: &mut impl BufMut, value: i64) {
    dst.put_u8(b':');
    put_decimal(dst, value);
    dst.put_slice(b"\r\n");
}

pub(crate) fn put_header(dst: &mut impl BufMut, marker: u8, len: usize) {
    dst.put_u8(marker);
    put_decimal(dst, len);
    dst.put_slice(b"\r\n");
}

fn put_decimal(dst: &mut impl BufMut, value: impl itoa::Integer) {
    dst.put_slice(itoa::Buffer::new().format(value).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::{Frame, Protocol, encode_command};
    use bytes::{Bytes, BytesMut};

    fn check(frame: Frame, wire: &[u8]) {
        assert_eq!(&frame.to_bytes()[..], wire, "encoding {frame:?}");
    }

    #[test]
    fn encodes_every_kind() {
        check(Frame::ok(), b"+OK\r\n");
        check(Frame::simple("PONG"), b"+PONG\r\n");
        check(Frame::error("ERR syntax error"), b"-ERR syntax error\r\n");
        check(Frame::integer(0), b":0\r\n");
        check(Frame::integer(-42), b":-42\r\n");
        check(Frame::integer(i64::MIN), b":-9223372036854775808\r\n");
        check(Frame::bulk("foo"), b"$3\r\nfoo\r\n");
        check(Frame::bulk(Bytes::new()), b"$0\r\n\r\n");
        check(Frame::bulk(&b"a\r\nb"[..]), b"$4\r\na\r\nb\r\n");
        check(Frame::Null, b"$-1\r\n");
        check(Frame::NullArray, b"*-1\r\n");
        check(Frame::Array(vec![]), b"*0\r\n");
        check(
            Frame::Array(vec![Frame::integer(1), Frame::Array(vec![Frame::Null, Frame::ok()])]),
            b"*2\r\n:1\r\n*2\r\n$-1\r\n+OK\r\n",
        );
    }

    fn check_both(frame: Frame, resp2: &[u8], resp3: &[u8]) {
        assert_eq!(&frame.to_bytes_as(Protocol::Resp2)[..], resp2, "RESP2 of {frame:?}");
        assert_eq!(&frame.to_bytes_as(Protocol::Resp3)[..], resp3, "RESP3 of {frame:?}");
    }

    #[test]
    fn resp3_types_fall_back_to_their_resp2_forms() {
        check_both(Frame::Null, b"$-1\r\n", b"_\r\n");
        check_both(Frame::NullArray, b"*-1\r\n", b"_\r\n");
        check_both(
            Frame::Map(vec![(Frame::bulk("a"), Frame::integer(1))]),
            b"*2\r\n$1\r\na\r\n:1\r\n",
            b"%1\r\n$1\r\na\r\n:1\r\n",
        );
        check_both(Frame::Set(vec![Frame::bulk("x")]), b"*1\r\n$1\r\nx\r\n", b"~1\r\n$1\r\nx\r\n");
        check_both(Frame::Push(vec![Frame::bulk("x")]), b"*1\r\n$1\r\nx\r\n", b">1\r\n$1\r\nx\r\n");
        check_both(Frame::Double(Bytes::from("-inf")), b"$4\r\n-inf\r\n", b",-inf\r\n");
        check_both(Frame::BigNumber(Bytes::from("123")), b"$3\r\n123\r\n", b"(123\r\n");
        check_both(Frame::Boolean(true), b":1\r\n", b"#t\r\n");
        check_both(Frame::Boolean(false), b":0\r\n", b"#f\r\n");
        check_both(Frame::verbatim("a\r\nb"), b"$4\r\na\r\nb\r\n", b"=8\r\ntxt:a\r\nb\r\n");
        // Nested values follow the connection's protocol too.
        check_both(
            Frame::Array(vec![Frame::Set(vec![]), Frame::Null]),
            b"*2\r\n*0\r\n$-1\r\n",
            b"*2\r\n~0\r\n_\r\n",
        );
    }

    #[test]
    fn line_breaks_in_status_and_error_text_become_spaces() {
        check(Frame::error("ERR bad\r\nthing"), b"-ERR bad  thing\r\n");
        check(Frame::Simple(Bytes::from_static(b"a\nb")), b"+a b\r\n");
    }

    #[test]
    fn encode_appends_to_existing_content() {
        let mut dst = BytesMut::from(&b"prefix"[..]);
        Frame::ok().encode(&mut dst);
        assert_eq!(&dst[..], b"prefix+OK\r\n");
    }

    #[test]
    fn commands_are_arrays_of_bulks() {
        let mut dst = BytesMut::new();
        encode_command(&[&b"SET"[..], b"k", b""], &mut dst);
        assert_eq!(&dst[..], b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");

        let mut dst = BytesMut::new();
        encode_command::<&str>(&[], &mut dst);
        assert_eq!(&dst[..], b"*0\r\n");
    }
}
