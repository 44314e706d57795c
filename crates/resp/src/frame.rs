//! The RESP2 value type and its wire encoding.

use bytes::{BufMut, Bytes, BytesMut};

/// One RESP2 value, as sent in a reply (or, as an array of bulks, in a request).
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

    /// Appends the wire form of this frame to `dst`.
    ///
    /// Status and error text cannot carry line breaks on the wire, so any `\r` or `\n` in
    /// them is written as a space, as Redis does for its formatted errors. Everything else
    /// is written byte for byte.
    pub fn encode(&self, dst: &mut BytesMut) {
        match self {
            Frame::Simple(text) => put_line(dst, b'+', text),
            Frame::Error(text) => put_line(dst, b'-', text),
            Frame::Integer(value) => {
                dst.put_u8(b':');
                put_decimal(dst, *value);
                dst.put_slice(b"\r\n");
            }
            Frame::Bulk(payload) => put_bulk(dst, payload),
            Frame::Null => dst.put_slice(b"$-1\r\n"),
            Frame::Array(items) => {
                put_header(dst, b'*', items.len());
                for item in items {
                    item.encode(dst);
                }
            }
            Frame::NullArray => dst.put_slice(b"*-1\r\n"),
        }
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

fn put_line(dst: &mut BytesMut, marker: u8, text: &[u8]) {
    dst.put_u8(marker);
    if text.iter().any(|&byte| byte == b'\r' || byte == b'\n') {
        dst.extend(
            text.iter().map(|&byte| if byte == b'\r' || byte == b'\n' { b' ' } else { byte }),
        );
    } else {
        dst.put_slice(text);
    }
    dst.put_slice(b"\r\n");
}

fn put_bulk(dst: &mut BytesMut, payload: &[u8]) {
    put_header(dst, b'$', payload.len());
    dst.put_slice(payload);
    dst.put_slice(b"\r\n");
}

fn put_header(dst: &mut BytesMut, marker: u8, len: usize) {
    dst.put_u8(marker);
    put_decimal(dst, len);
    dst.put_slice(b"\r\n");
}

fn put_decimal(dst: &mut BytesMut, value: impl itoa::Integer) {
    dst.put_slice(itoa::Buffer::new().format(value).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::{Frame, encode_command};
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
