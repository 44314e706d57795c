//! Fuzzes the client-side frame decoder: it must never panic (deep nesting included), must
//! decode the same frames however the input is split, and every frame it returns must
//! encode to bytes that parse back to one frame of exactly that length.
//!
//! The first input byte chooses where to split the rest in two.

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use resplite_resp::{Frame, FrameCodec, Limits, parse_frame};
use tokio_util::codec::Decoder;

/// Small limits, so that inputs of fuzzer size reach the limit checks too.
const LIMITS: Limits = Limits { max_bulk_len: 4096, max_multibulk_len: 1024, max_inline_len: 256 };

/// Decodes `chunks` fed one after the other; `None` if decoding failed.
fn decode(chunks: &[&[u8]]) -> Option<Vec<Frame>> {
    let mut codec = FrameCodec::new(LIMITS);
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(frame) = codec.decode(&mut buf).ok()? {
            frames.push(frame);
        }
    }
    Some(frames)
}

fuzz_target!(|data: &[u8]| {
    let Some((&cut, input)) = data.split_first() else {
        return;
    };
    let whole = decode(&[input]);
    let (head, tail) = input.split_at(usize::from(cut).min(input.len()));
    let split = decode(&[head, tail]);
    if let (Some(whole), Some(split)) = (&whole, &split) {
        assert_eq!(whole, split);
    }

    let _ = parse_frame(input);

    for frame in whole.into_iter().flatten() {
        // Line breaks in status text are rewritten on encoding, so compare lengths, not
        // frames.
        let wire = frame.to_bytes();
        let (_, len) = parse_frame(&wire).expect("encoded frame parses").expect("whole frame");
        assert_eq!(len, wire.len());
    }
});
