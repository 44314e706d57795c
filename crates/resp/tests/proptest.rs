//! Property tests: encoding and decoding agree, however the bytes are split, and no input
//! makes a decoder panic.

use bytes::{Bytes, BytesMut};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use resplite_resp::{
    Frame, FrameCodec, Limits, RequestCodec, encode_command, inline::split_args, parse_frame,
};
use tokio_util::codec::Decoder;

/// Status or error text: anything but line breaks, which the encoder would rewrite.
fn line_text() -> impl Strategy<Value = Bytes> {
    let byte = any::<u8>().prop_filter("no line breaks", |&byte| byte != b'\r' && byte != b'\n');
    vec(byte, 0..24).prop_map(Bytes::from)
}

fn frame() -> impl Strategy<Value = Frame> {
    let leaf = prop_oneof![
        line_text().prop_map(Frame::Simple),
        line_text().prop_map(Frame::Error),
        any::<i64>().prop_map(Frame::Integer),
        vec(any::<u8>(), 0..64).prop_map(|payload| Frame::Bulk(payload.into())),
        Just(Frame::Null),
        Just(Frame::NullArray),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| vec(inner, 0..6).prop_map(Frame::Array))
}

fn command() -> impl Strategy<Value = Vec<Vec<u8>>> {
    vec(vec(any::<u8>(), 0..40), 1..6)
}

/// Bytes that look enough like RESP to reach deep into the parsers.
fn resp_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet = b"*$+-:\r\n\r\n0123456789 \t\"'\\xaF".to_vec();
    vec(proptest::sample::select(alphabet), 0..300)
}

fn any_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![vec(any::<u8>(), 0..300), resp_like_bytes()]
}

/// Splits `wire` at the given points, in order.
fn chunks(wire: &[u8], cuts: &[Index]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|cut| cut.index(wire.len() + 1)).collect();
    points.sort_unstable();
    points.push(wire.len());
    let mut start = 0;
    points
        .into_iter()
        .map(|end| {
            let chunk = wire[start..end].to_vec();
            start = end;
            chunk
        })
        .collect()
}

/// Feeds `chunks` one at a time, decoding after each; stops at the first error.
fn feed<D: Decoder>(decoder: &mut D, chunks: &[Vec<u8>]) -> (Vec<D::Item>, bool) {
    let mut buf = BytesMut::new();
    let mut items = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(_) => return (items, true),
            }
        }
    }
    (items, false)
}

fn small_limits() -> Limits {
    Limits { max_bulk_len: 200, max_multibulk_len: 50, max_inline_len: 64 }
}

proptest! {
    #[test]
    fn frames_round_trip(frames in vec(frame(), 1..4), cuts in vec(any::<Index>(), 0..6)) {
        let mut wire = BytesMut::new();
        for frame in &frames {
            frame.encode(&mut wire);
        }
        let (decoded, failed) = feed(&mut FrameCodec::default(), &chunks(&wire, &cuts));
        prop_assert!(!failed);
        prop_assert_eq!(decoded, frames);
    }

    #[test]
    fn parse_frame_reads_exactly_one_frame(frame in frame(), trailing in vec(any::<u8>(), 0..8)) {
        let encoded = frame.to_bytes();
        let mut wire = encoded.to_vec();
        wire.extend_from_slice(&trailing);
        prop_assert_eq!(parse_frame(&wire).unwrap(), Some((frame, encoded.len())));
    }

    #[test]
    fn commands_round_trip(
        commands in vec(command(), 1..5),
        cuts in vec(any::<Index>(), 0..8),
    ) {
        let mut wire = BytesMut::new();
        for args in &commands {
            encode_command(args, &mut wire);
        }
        let (decoded, failed) = feed(&mut RequestCodec::default(), &chunks(&wire, &cuts));
        prop_assert!(!failed);
        let expected: Vec<Vec<Bytes>> = commands
            .into_iter()
            .map(|args| args.into_iter().map(Bytes::from).collect())
            .collect();
        prop_assert_eq!(decoded, expected);
    }

    #[test]
    fn hex_quoted_inline_arguments_round_trip(args in vec(vec(any::<u8>(), 0..20), 0..6)) {
        let mut line = Vec::new();
        for arg in &args {
            line.extend_from_slice(b" \"");
            for byte in arg {
                line.extend_from_slice(format!("\\x{byte:02x}").as_bytes());
            }
            line.push(b'"');
        }
        prop_assert_eq!(split_args(&line), Some(args));
    }

    #[test]
    fn request_decoder_never_panics(input in any_bytes(), cuts in vec(any::<Index>(), 0..6)) {
        for limits in [Limits::default(), small_limits()] {
            let (whole, whole_failed) = feed(&mut RequestCodec::new(limits), std::slice::from_ref(&input));
            let (split, split_failed) =
                feed(&mut RequestCodec::new(limits), &chunks(&input, &cuts));
            // Limits are checked against what has arrived so far, so only successful
            // decodes must agree.
            if !whole_failed && !split_failed {
                prop_assert_eq!(whole, split);
            }
        }
    }

    #[test]
    fn frame_decoder_never_panics(input in any_bytes(), cuts in vec(any::<Index>(), 0..6)) {
        for limits in [Limits::default(), small_limits()] {
            let (whole, whole_failed) = feed(&mut FrameCodec::new(limits), std::slice::from_ref(&input));
            let (split, split_failed) = feed(&mut FrameCodec::new(limits), &chunks(&input, &cuts));
            if !whole_failed && !split_failed {
                prop_assert_eq!(whole, split);
            }
        }
        let _ = parse_frame(&input);
    }
}
