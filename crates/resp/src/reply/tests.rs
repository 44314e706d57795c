//! Tests of the reply decoder: every frame type, limits and malformed input.

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use super::{FrameCodec, MAX_DEPTH, parse_frame};
use crate::{Frame, Limits, ProtocolError};

fn check(wire: &[u8], expected: Frame) {
    let mut buf = BytesMut::from(wire);
    let decoded = FrameCodec::default().decode(&mut buf).unwrap();
    assert_eq!(decoded, Some(expected), "decoding {:?}", wire.escape_ascii().to_string());
    assert!(buf.is_empty());
}

fn decode_error(limits: Limits, wire: &[u8]) -> ProtocolError {
    let mut buf = BytesMut::from(wire);
    match FrameCodec::new(limits).decode(&mut buf) {
        Err(err) => err,
        Ok(frame) => panic!("decoding {:?} gave {frame:?}", wire.escape_ascii().to_string()),
    }
}

fn bulk(text: &str) -> Frame {
    Frame::Bulk(Bytes::copy_from_slice(text.as_bytes()))
}

#[test]
fn decodes_every_kind() {
    check(b"+OK\r\n", Frame::ok());
    check(b"+\r\n", Frame::Simple(Bytes::new()));
    check(b"-ERR wrong\r\n", Frame::error("ERR wrong"));
    check(b":0\r\n", Frame::integer(0));
    check(b":-9223372036854775808\r\n", Frame::integer(i64::MIN));
    check(b"$3\r\nfoo\r\n", bulk("foo"));
    check(b"$0\r\n\r\n", bulk(""));
    check(b"$4\r\n\r\n\r\n\r\n", bulk("\r\n\r\n"));
    check(b"$-1\r\n", Frame::Null);
    check(b"*-1\r\n", Frame::NullArray);
    check(b"*0\r\n", Frame::Array(vec![]));
    check(
        b"*3\r\n:1\r\n*2\r\n$1\r\na\r\n*-1\r\n-ERR x\r\n",
        Frame::Array(vec![
            Frame::integer(1),
            Frame::Array(vec![bulk("a"), Frame::NullArray]),
            Frame::error("ERR x"),
        ]),
    );
}

#[test]
fn decodes_every_resp3_kind() {
    check(b"_\r\n", Frame::Null);
    check(b",1.5\r\n", Frame::Double(Bytes::from("1.5")));
    check(b",-inf\r\n", Frame::Double(Bytes::from("-inf")));
    check(
        b"(12345678901234567890123\r\n",
        Frame::BigNumber(Bytes::from("12345678901234567890123")),
    );
    check(b"#t\r\n", Frame::Boolean(true));
    check(b"#f\r\n", Frame::Boolean(false));
    check(
        b"=8\r\ntxt:a\r\nb\r\n",
        Frame::Verbatim { format: *b"txt", text: Bytes::from("a\r\nb") },
    );
    check(b"~2\r\n$1\r\na\r\n:1\r\n", Frame::Set(vec![bulk("a"), Frame::integer(1)]));
    check(b">2\r\n$7\r\nmessage\r\n_\r\n", Frame::Push(vec![bulk("message"), Frame::Null]));
    check(
        b"%2\r\n$1\r\na\r\n,1\r\n$1\r\nb\r\n%0\r\n",
        Frame::Map(vec![
            (bulk("a"), Frame::Double(Bytes::from("1"))),
            (bulk("b"), Frame::Map(vec![])),
        ]),
    );
}

#[test]
fn malformed_resp3_is_rejected() {
    for wire in [&b"#x\r\n"[..], b"_x\r\n", b"=2\r\nab\r\n", b"%-1\r\n", b"~-1\r\n"] {
        assert!(parse_frame(wire).is_err(), "{:?}", wire.escape_ascii().to_string());
    }
}

#[test]
fn what_the_encoder_writes_in_resp3_decodes_to_the_same_frame() {
    let frame = Frame::Array(vec![
        Frame::Map(vec![(bulk("k"), Frame::Set(vec![bulk("m")]))]),
        Frame::Push(vec![Frame::Double(Bytes::from("-0")), Frame::Boolean(true)]),
        Frame::verbatim("text"),
        Frame::BigNumber(Bytes::from("-1")),
        Frame::Null,
    ]);
    let wire = frame.to_bytes_as(crate::Protocol::Resp3);
    assert_eq!(parse_frame(&wire).unwrap(), Some((frame, wire.len())));
}

#[test]
fn partial_frames_wait_and_leave_the_buffer_alone() {
    let wire: &[u8] = b"*2\r\n$5\r\nhello\r\n+OK\r\n";
    for end in 0..wire.len() {
        let mut buf = BytesMut::from(&wire[..end]);
        assert_eq!(FrameCodec::default().decode(&mut buf).unwrap(), None, "prefix of {end}");
        assert_eq!(buf.len(), end);
    }
    let wire: &[u8] = b"%1\r\n=8\r\ntxt:abcd\r\n~1\r\n,1.5\r\n";
    for end in 0..wire.len() {
        let mut buf = BytesMut::from(&wire[..end]);
        assert_eq!(FrameCodec::default().decode(&mut buf).unwrap(), None, "prefix of {end}");
        assert_eq!(buf.len(), end);
    }
}

#[test]
fn consecutive_frames_decode_in_order() {
    let mut buf = BytesMut::from(&b"+OK\r\n:2\r\n$1\r\nx\r\n"[..]);
    let mut codec = FrameCodec::default();
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::ok()));
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::integer(2)));
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(bulk("x")));
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
}

#[test]
fn bulk_payloads_share_the_read_buffer() {
    let mut buf = BytesMut::from(&b"*1\r\n$5\r\nhello\r\n"[..]);
    let start = buf.as_ptr() as usize;
    let Some(Frame::Array(items)) = FrameCodec::default().decode(&mut buf).unwrap() else {
        panic!("expected an array");
    };
    let Some(Frame::Bulk(payload)) = items.first() else { panic!("expected a bulk") };
    assert_eq!(payload.as_ptr() as usize, start + 8);
}

#[test]
fn rejects_malformed_frames() {
    let limits = Limits::default();
    assert!(matches!(decode_error(limits, b"?x\r\n"), ProtocolError::UnknownFrameType(b'?')));
    assert!(matches!(decode_error(limits, b":1.5\r\n"), ProtocolError::InvalidInteger));
    assert!(matches!(decode_error(limits, b":\r\n"), ProtocolError::InvalidInteger));
    assert!(matches!(decode_error(limits, b"$-2\r\n"), ProtocolError::InvalidBulkLength));
    assert!(matches!(decode_error(limits, b"$x\r\n"), ProtocolError::InvalidBulkLength));
    assert!(matches!(decode_error(limits, b"$3\r\nfooXY"), ProtocolError::MissingCrlf));
    assert!(matches!(decode_error(limits, b"*-2\r\n"), ProtocolError::InvalidMultibulkLength));
    assert!(matches!(decode_error(limits, b"*1\r\n*z\r\n"), ProtocolError::InvalidMultibulkLength));
}

#[test]
fn enforces_limits() {
    let limits = Limits { max_bulk_len: 4, max_multibulk_len: 2, max_inline_len: 8 };
    assert!(matches!(decode_error(limits, b"$5\r\n"), ProtocolError::InvalidBulkLength));
    assert!(matches!(decode_error(limits, b"*3\r\n"), ProtocolError::InvalidMultibulkLength));
    assert!(matches!(decode_error(limits, b":1234567890"), ProtocolError::LineTooLong));
    assert!(matches!(decode_error(limits, b"+hello"), ProtocolError::LineTooLong));
    assert!(matches!(decode_error(limits, b"-hello\r\n"), ProtocolError::LineTooLong));

    let mut buf = BytesMut::from(&b"+four\r"[..]);
    assert_eq!(FrameCodec::new(limits).decode(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"\n");
    assert_eq!(FrameCodec::new(limits).decode(&mut buf).unwrap(), Some(Frame::simple("four")));
}

#[test]
fn deep_nesting_is_rejected_without_exhausting_the_stack() {
    let nested = |depth: usize| [b"*1\r\n".repeat(depth), b":1\r\n".to_vec()].concat();
    let mut buf = BytesMut::from(&nested(MAX_DEPTH)[..]);
    assert!(FrameCodec::default().decode(&mut buf).unwrap().is_some());

    let err = decode_error(Limits::default(), &nested(MAX_DEPTH + 1));
    assert!(matches!(err, ProtocolError::NestingTooDeep));
    let err = decode_error(Limits::default(), &b"*1\r\n".repeat(100_000));
    assert!(matches!(err, ProtocolError::NestingTooDeep));
}

#[test]
fn huge_declared_array_reserves_nothing_it_cannot_see() {
    let mut buf = BytesMut::from(&b"*2147483647\r\n:1\r\n"[..]);
    assert_eq!(FrameCodec::default().decode(&mut buf).unwrap(), None);
}

#[test]
fn parse_frame_reports_length_and_ignores_the_rest() {
    assert_eq!(parse_frame(b"").unwrap(), None);
    assert_eq!(parse_frame(b":12\r\n+OK\r\n").unwrap(), Some((Frame::integer(12), 5)));
    assert_eq!(parse_frame(b"$2\r\nab\r").unwrap(), None);
    assert!(parse_frame(b"!").is_err());
}

#[test]
fn encodes_commands() {
    let mut dst = BytesMut::new();
    let mut codec = FrameCodec::default();
    codec.encode(&["PING"][..], &mut dst).unwrap();
    codec.encode(&[b"GET".to_vec(), b"k".to_vec()][..], &mut dst).unwrap();
    assert_eq!(&dst[..], b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
}
