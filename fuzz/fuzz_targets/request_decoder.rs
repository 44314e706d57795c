//! Fuzzes the server-side request decoder: it must never panic, must decode the same
//! commands however the input is split, and must give back exactly what it is given.
//!
//! The first input byte chooses where to split the rest in two.

#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use resplite_resp::{Limits, RequestCodec, encode_command};
use tokio_util::codec::Decoder;

/// Small limits, so that inputs of fuzzer size reach the limit checks too.
const LIMITS: Limits = Limits { max_bulk_len: 4096, max_multibulk_len: 1024, max_inline_len: 256 };

/// Decodes `chunks` fed one after the other; `None` if decoding failed.
fn decode(chunks: &[&[u8]]) -> Option<Vec<Vec<Bytes>>> {
    let mut codec = RequestCodec::new(LIMITS);
    let mut buf = BytesMut::new();
    let mut commands = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(args) = codec.decode(&mut buf).ok()? {
            commands.push(args);
        }
    }
    Some(commands)
}

fuzz_target!(|data: &[u8]| {
    let Some((&cut, input)) = data.split_first() else {
        return;
    };
    let whole = decode(&[input]);
    let (head, tail) = input.split_at(usize::from(cut).min(input.len()));
    let split = decode(&[head, tail]);

    // Limits are checked against what has arrived so far, so a split input may fail where
    // the whole one does not, or the other way round; successes must agree.
    if let (Some(whole), Some(split)) = (&whole, &split) {
        assert_eq!(whole, split);
    }

    // Every decoded command, encoded again as a multibulk request, decodes to itself.
    for commands in [whole, split].into_iter().flatten() {
        let mut wire = BytesMut::new();
        for args in &commands {
            encode_command(args, &mut wire);
        }
        let again = decode(&[&wire]).expect("re-encoded commands decode");
        assert_eq!(again, commands);
    }
});
