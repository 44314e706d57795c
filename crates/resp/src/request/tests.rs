//! Tests of the request decoder: Redis's error texts, quoting, pipelining and streaming.

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use super::RequestCodec;
use crate::{Frame, Limits, ProtocolError};

/// Decodes everything `input` holds in one go: the commands, then the error if one stopped
/// decoding.
fn decode_all(codec: &mut RequestCodec, buf: &mut BytesMut) -> (Vec<Vec<Bytes>>, Option<String>) {
    let mut commands = Vec::new();
    loop {
        match codec.decode(buf) {
            Ok(Some(args)) => commands.push(args),
            Ok(None) => return (commands, None),
            Err(err) => return (commands, Some(err.reply_text())),
        }
    }
}

fn args(list: &[&str]) -> Vec<Bytes> {
    list.iter().map(|arg| Bytes::copy_from_slice(arg.as_bytes())).collect()
}

/// Asserts that `input` decodes to `expected` commands and then waits for more.
fn check(input: &[u8], expected: &[&[&str]]) {
    let mut buf = BytesMut::from(input);
    let (commands, error) = decode_all(&mut RequestCodec::default(), &mut buf);
    let expected: Vec<_> = expected.iter().map(|command| args(command)).collect();
    assert_eq!(commands, expected, "decoding {:?}", input.escape_ascii().to_string());
    assert_eq!(error, None, "decoding {:?}", input.escape_ascii().to_string());
}

/// Asserts that `input` fails with the Redis reply `text`, with no command before it.
fn check_error(input: &[u8], text: &str) {
    check_error_with(Limits::default(), input, text);
}

fn check_error_with(limits: Limits, input: &[u8], text: &str) {
    let mut buf = BytesMut::from(input);
    let (commands, error) = decode_all(&mut RequestCodec::new(limits), &mut buf);
    let shown = String::from_utf8_lossy(&input[..input.len().min(40)]).into_owned();
    assert!(commands.is_empty(), "decoding {shown:?} gave {commands:?}");
    assert_eq!(error.as_deref(), Some(text), "decoding {shown:?}");
}

fn repeat(prefix: &[u8], byte: u8, count: usize) -> Vec<u8> {
    let mut input = prefix.to_vec();
    input.resize(prefix.len() + count, byte);
    input
}

#[test]
fn decodes_multibulk_requests() {
    check(b"*1\r\n$4\r\nPING\r\n", &[&["PING"]]);
    check(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", &[&["SET", "k", ""]]);
    check(b"*1\r\n$4\r\na\r\nb\r\n", &[&["a\r\nb"]]);
}

#[test]
fn decodes_inline_requests() {
    check(b"PING\r\n", &[&["PING"]]);
    check(b"PING\n", &[&["PING"]]);
    check(b"SET k \"a b\" 'x'\r\n", &[&["SET", "k", "a b", "x"]]);
    check(b"ECHO \"\\x41\"\r\n", &[&["ECHO", "A"]]);
    check(b"ECHO a\rb\r\r\n", &[&["ECHO", "a", "b"]]);
}

#[test]
fn empty_commands_are_skipped() {
    check(b"*0\r\n", &[]);
    check(b"*-1\r\n", &[]);
    check(b"*-7\r\n", &[]);
    check(b"\r\n", &[]);
    check(b"\n", &[]);
    check(b"   \t \r\n", &[]);
    check(b"*0\r\n\r\n*-1\r\n  \nPING\r\n*0\r\n", &[&["PING"]]);
}

#[test]
fn pipelined_commands_decode_in_order() {
    check(
        b"*1\r\n$4\r\nPING\r\nECHO hi\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nQUIT\n",
        &[&["PING"], &["ECHO", "hi"], &["GET", "k"], &["QUIT"]],
    );
}

#[test]
fn byte_at_a_time_gives_the_same_commands() {
    let input: &[u8] =
        b"*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\nSET k \"v w\"\r\n*0\r\n*1\r\n$0\r\n\r\n";
    let mut whole = BytesMut::from(input);
    let (expected, error) = decode_all(&mut RequestCodec::default(), &mut whole);
    assert_eq!(error, None);
    assert_eq!(expected.len(), 3);

    let mut codec = RequestCodec::default();
    let mut buf = BytesMut::new();
    let mut commands = Vec::new();
    for &byte in input {
        buf.extend_from_slice(&[byte]);
        let (mut decoded, error) = decode_all(&mut codec, &mut buf);
        assert_eq!(error, None);
        commands.append(&mut decoded);
    }
    assert_eq!(commands, expected);
    assert!(buf.is_empty());
}

#[test]
fn completed_arguments_leave_the_buffer_before_the_request_completes() {
    let mut codec = RequestCodec::default();
    let mut buf = BytesMut::from(&b"*3\r\n$1\r\na\r\n$2\r\nbc\r\n$3\r\nd"[..]);
    assert!(codec.decode(&mut buf).unwrap().is_none());
    assert_eq!(&buf[..], b"d");
    buf.extend_from_slice(b"ef\r\n");
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(args(&["a", "bc", "def"])));
    assert!(buf.is_empty());
}

#[test]
fn arguments_are_split_off_without_copying() {
    let mut buf = BytesMut::from(&b"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"[..]);
    let start = buf.as_ptr() as usize;
    let end = start + buf.len();
    let command = RequestCodec::default().decode(&mut buf).unwrap().unwrap();
    for arg in command {
        let at = arg.as_ptr() as usize;
        assert!((start..end).contains(&at), "argument {arg:?} was copied");
    }
}

#[test]
fn declared_huge_bulk_is_not_allocated_up_front() {
    let mut codec = RequestCodec::default();
    let mut buf = BytesMut::from(&b"*1\r\n$500000000\r\nab"[..]);
    assert!(codec.decode(&mut buf).unwrap().is_none());
    assert!(buf.capacity() < 1024 * 1024, "reserved {} bytes", buf.capacity());
    buf.extend_from_slice(&[b'x'; 100_000]);
    assert!(codec.decode(&mut buf).unwrap().is_none());
    assert!(buf.capacity() < 1024 * 1024, "reserved {} bytes", buf.capacity());
}

#[test]
fn waits_for_the_whole_payload_and_its_two_trailing_bytes() {
    let mut codec = RequestCodec::default();
    let mut buf = BytesMut::from(&b"*1\r\n$3\r\nfoo"[..]);
    assert!(codec.decode(&mut buf).unwrap().is_none());
    buf.extend_from_slice(b"\r");
    assert!(codec.decode(&mut buf).unwrap().is_none());
    buf.extend_from_slice(b"\n");
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(args(&["foo"])));
}

/// Redis skips the byte after a header's `\r` and the two bytes after a payload unseen.
#[test]
fn bytes_redis_skips_are_not_checked() {
    check(b"*1\r\n$3\r\nfooXY", &[&["foo"]]);
    check(b"*1\rX$3\rYfoo\r\n", &[&["foo"]]);
}

#[test]
fn header_needs_the_byte_after_its_carriage_return() {
    let mut codec = RequestCodec::default();
    let mut buf = BytesMut::from(&b"*1\r"[..]);
    assert!(codec.decode(&mut buf).unwrap().is_none());
    assert_eq!(&buf[..], b"*1\r");
    buf.extend_from_slice(b"\n$1\r");
    assert!(codec.decode(&mut buf).unwrap().is_none());
    buf.extend_from_slice(b"\nz\r\n");
    assert_eq!(codec.decode(&mut buf).unwrap(), Some(args(&["z"])));
}

#[test]
fn too_big_mbulk_count_string() {
    let text = "ERR Protocol error: too big mbulk count string";
    check_error(&repeat(b"*", b'1', 64 * 1024), text);
    check(&repeat(b"*", b'1', 64 * 1024 - 1), &[]);
}

#[test]
fn invalid_multibulk_length() {
    let text = "ERR Protocol error: invalid multibulk length";
    for input in [
        &b"*\r\n"[..],
        b"*abc\r\n",
        b"*+1\r\n",
        b"*01\r\n",
        b"*-0\r\n",
        b"* 1\r\n",
        b"*1 \r\n",
        b"*2147483648\r\n",
        b"*99999999999999999999\r\n",
    ] {
        check_error(input, text);
    }
    // The largest count Redis allows is accepted, and then waits for its arguments.
    check(b"*2147483647\r\n", &[]);
    let limits = Limits { max_multibulk_len: 2, ..Limits::default() };
    check_error_with(limits, b"*3\r\n", text);
}

#[test]
fn too_big_bulk_count_string() {
    let text = "ERR Protocol error: too big bulk count string";
    check_error(&repeat(b"*1\r\n$", b'1', 64 * 1024), text);
    check(&repeat(b"*1\r\n$", b'1', 64 * 1024 - 2), &[]);
}

#[test]
fn expected_dollar() {
    check_error(b"*1\r\n:3\r\n", "ERR Protocol error: expected '$', got ':'");
    check_error(b"*2\r\n$1\r\na\r\nfoo\r\n", "ERR Protocol error: expected '$', got 'f'");
    check_error(b"*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '");
    check_error(b"*1\r\n\n\r\n", "ERR Protocol error: expected '$', got ' '");
}

#[test]
fn expected_dollar_is_reported_only_once_the_line_ends() {
    let mut codec = RequestCodec::default();
    let mut buf = BytesMut::from(&b"*1\r\nfoo"[..]);
    assert!(codec.decode(&mut buf).unwrap().is_none());
    buf.extend_from_slice(b"\r\n");
    assert!(matches!(codec.decode(&mut buf), Err(ProtocolError::ExpectedDollar(b'f'))));
}

#[test]
fn invalid_bulk_length() {
    let text = "ERR Protocol error: invalid bulk length";
    for input in [
        &b"*1\r\n$\r\n"[..],
        b"*1\r\n$-1\r\n",
        b"*1\r\n$-5\r\n",
        b"*1\r\n$abc\r\n",
        b"*1\r\n$+3\r\nfoo\r\n",
        b"*1\r\n$03\r\nfoo\r\n",
        b"*1\r\n$536870913\r\n",
        b"*1\r\n$9223372036854775807\r\n",
    ] {
        check_error(input, text);
    }
    check(b"*1\r\n$536870912\r\n", &[]);
    let limits = Limits { max_bulk_len: 3, ..Limits::default() };
    check_error_with(limits, b"*1\r\n$4\r\nabcd\r\n", text);
}

#[test]
fn too_big_inline_request() {
    let text = "ERR Protocol error: too big inline request";
    check_error(&repeat(b"", b'a', 64 * 1024 + 1), text);
    check(&repeat(b"", b'a', 64 * 1024), &[]);
    // A long line whose end has already arrived is fine, as in Redis.
    let mut long = repeat(b"ECHO ", b'a', 100 * 1024);
    long.extend_from_slice(b"\r\n");
    let mut buf = BytesMut::from(&long[..]);
    let command = RequestCodec::default().decode(&mut buf).unwrap().unwrap();
    assert_eq!(command[1].len(), 100 * 1024);
}

#[test]
fn unbalanced_quotes_in_request() {
    let text = "ERR Protocol error: unbalanced quotes in request";
    check_error(b"SET k \"v\r\n", text);
    check_error(b"SET k 'v\n", text);
    check_error(b"SET k \"a\"b\r\n", text);
}

#[test]
fn errors_come_after_the_commands_before_them() {
    let mut buf = BytesMut::from(&b"PING\r\n*1\r\n$x\r\n"[..]);
    let (commands, error) = decode_all(&mut RequestCodec::default(), &mut buf);
    assert_eq!(commands, [args(&["PING"])]);
    assert_eq!(error.as_deref(), Some("ERR Protocol error: invalid bulk length"));
}

#[test]
fn slowly_growing_line_is_searched_once() {
    let mut codec = RequestCodec::default();
    let mut buf = BytesMut::new();
    for _ in 0..1000 {
        buf.extend_from_slice(b"aaaaaaaaaa");
        assert!(codec.decode(&mut buf).unwrap().is_none());
        assert_eq!(codec.scanned, buf.len());
    }
    buf.extend_from_slice(b" b\r\n");
    let command = codec.decode(&mut buf).unwrap().unwrap();
    assert_eq!(command.len(), 2);
    assert_eq!(codec.scanned, 0);
}

#[test]
fn encodes_replies() {
    let mut codec = RequestCodec::default();
    let mut dst = BytesMut::new();
    codec.encode(&Frame::ok(), &mut dst).unwrap();
    codec.encode(Frame::Array(vec![Frame::bulk("a"), Frame::Null]), &mut dst).unwrap();
    assert_eq!(&dst[..], b"+OK\r\n*2\r\n$1\r\na\r\n$-1\r\n");
}

#[test]
fn a_client_yet_to_authenticate_is_held_to_redis_tighter_limits() {
    let decode = |input: &[u8]| {
        let mut codec = RequestCodec::default();
        codec.set_unauthenticated(true);
        decode_all(&mut codec, &mut BytesMut::from(input))
    };
    // Ten arguments of 16 KiB are fine; one more argument, or one more byte, is not.
    let mut ten = b"*10\r\n".to_vec();
    for _ in 0..10 {
        ten.extend_from_slice(b"$16384\r\n");
        ten.resize(ten.len() + 16384, b'a');
        ten.extend_from_slice(b"\r\n");
    }
    let (commands, error) = decode(&ten);
    assert_eq!((commands.len(), error), (1, None));
    let (_, error) = decode(b"*11\r\n");
    assert_eq!(error.as_deref(), Some("ERR Protocol error: unauthenticated multibulk length"));
    let (_, error) = decode(b"*1\r\n$16385\r\n");
    assert_eq!(error.as_deref(), Some("ERR Protocol error: unauthenticated bulk length"));
    // A length past the ordinary limits is still the ordinary error, as in Redis.
    let (_, error) = decode(b"*1\r\n$-5\r\n");
    assert_eq!(error.as_deref(), Some("ERR Protocol error: invalid bulk length"));
    // Inline commands have only their own limit.
    let (commands, error) = decode(b"ECHO a b c d e f g h i j k\r\n");
    assert_eq!((commands.len(), error), (1, None));
    // Lifted, the ordinary limits apply again.
    let mut codec = RequestCodec::default();
    codec.set_unauthenticated(true);
    codec.set_unauthenticated(false);
    let (commands, error) = decode_all(&mut codec, &mut BytesMut::from(&b"*11\r\n"[..]));
    assert_eq!((commands.len(), error), (0, None));
}
