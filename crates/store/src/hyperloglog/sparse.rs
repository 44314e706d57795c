//! The sparse encoding of an HLL: run-length opcodes over the 2^14 registers.
//!
//! * ZERO, `00xxxxxx`: 1 to 64 registers at 0;
//! * XZERO, `01xxxxxx yyyyyyyy`: 1 to 16,384 registers at 0 (a 14-bit length);
//! * VAL, `1vvvvvxx`: 1 to 4 registers all at one value from 1 to 32.
//!
//! Lengths and values are stored minus one, and a valid body covers exactly 2^14 registers.
//! Edits follow Redis's steps exactly (split the opcode covering the register, then merge
//! neighbouring VALs of equal value) because the resulting bytes are what `GET` answers.

use super::{DENSE, DENSE_LEN, HEADER_LEN, Histogram, REGISTERS, set_dense_register};
use crate::error::{Result, StoreError};

/// `hll-sparse-max-bytes`: a sparse value that would grow past this turns dense.
const MAX_BYTES: usize = 3000;
/// The largest value a VAL opcode holds; a higher register needs the dense encoding.
const VAL_MAX_VALUE: u8 = 32;
/// The most registers one VAL opcode covers.
const VAL_MAX_LEN: usize = 4;
/// The most registers one ZERO opcode covers.
const ZERO_MAX_LEN: usize = 64;
/// How many of the opcodes after an edit Redis looks at for VALs to merge.
const MERGE_WINDOW: usize = 5;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zero,
    ExtendedZero,
    Value(u8),
}

/// One decoded opcode: what it says, how many registers it covers and how many bytes it takes.
#[derive(Clone, Copy)]
struct Opcode {
    kind: Kind,
    span: usize,
    size: usize,
}

/// Decodes the opcode at `position`. An XZERO in the last byte reads its second byte as 0,
/// since that is the NUL terminator Redis finds after its string.
fn opcode_at(bytes: &[u8], position: usize) -> Opcode {
    let byte = bytes[position];
    if byte & 0x80 != 0 {
        let value = (byte >> 2 & 0x1f) + 1;
        Opcode { kind: Kind::Value(value), span: usize::from(byte & 0x03) + 1, size: 1 }
    } else if byte & 0x40 != 0 {
        let low = usize::from(bytes.get(position + 1).copied().unwrap_or(0));
        let span = (usize::from(byte & 0x3f) << 8 | low) + 1;
        Opcode { kind: Kind::ExtendedZero, span, size: 2 }
    } else {
        Opcode { kind: Kind::Zero, span: usize::from(byte & 0x3f) + 1, size: 1 }
    }
}

fn value_opcode(value: u8, len: usize) -> u8 {
    0x80 | (value - 1) << 2 | (len - 1) as u8
}

/// Appends the opcode for `len` zero registers: ZERO when it fits, XZERO otherwise.
fn push_zeros(sequence: &mut Vec<u8>, len: usize) {
    let stored = len - 1;
    if len > ZERO_MAX_LEN {
        sequence.extend([0x40 | (stored >> 8) as u8, stored as u8]);
    } else {
        sequence.push(stored as u8);
    }
}

/// A new, empty HLL as Redis creates it: sparse, one XZERO, a fresh cached cardinality of 0.
pub(super) fn empty() -> Vec<u8> {
    let mut value = b"HYLL\x01".to_vec();
    value.resize(HEADER_LEN, 0);
    push_zeros(&mut value, REGISTERS);
    value
}

/// Calls `visit(first, len, value)` for every VAL run of `body`; fails unless the opcodes
/// cover exactly the 2^14 registers. A run reaching past the last register is not visited.
fn for_each_value_run(body: &[u8], mut visit: impl FnMut(usize, usize, u8)) -> Result<()> {
    let (mut position, mut index) = (0, 0);
    while position < body.len() {
        let opcode = opcode_at(body, position);
        if let Kind::Value(value) = opcode.kind {
            if index + opcode.span > REGISTERS {
                return Err(StoreError::CorruptedHyperLogLog);
            }
            visit(index, opcode.span, value);
        }
        index += opcode.span;
        position += opcode.size;
    }
    if index == REGISTERS { Ok(()) } else { Err(StoreError::CorruptedHyperLogLog) }
}

/// Counts the registers of a sparse `body` by value.
pub(super) fn histogram(body: &[u8], histogram: &mut Histogram) -> Result<()> {
    let mut non_zero = 0;
    for_each_value_run(body, |_, len, value| {
        histogram[usize::from(value)] += len as u32;
        non_zero += len;
    })?;
    histogram[0] += (REGISTERS - non_zero) as u32;
    Ok(())
}

/// Raises each register of `union` to the sparse `body`'s.
pub(super) fn merge(body: &[u8], union: &mut [u8]) -> Result<()> {
    for_each_value_run(body, |first, len, value| {
        for slot in &mut union[first..first + len] {
            *slot = (*slot).max(value);
        }
    })
}

/// The dense form of a sparse `value`, keeping its header (cached cardinality included).
pub(super) fn to_dense(value: &[u8]) -> Result<Vec<u8>> {
    let mut dense = vec![0; DENSE_LEN];
    dense[..HEADER_LEN].copy_from_slice(&value[..HEADER_LEN]);
    dense[4] = DENSE;
    let registers = &mut dense[HEADER_LEN..];
    for_each_value_run(&value[HEADER_LEN..], |first, len, run| {
        for index in first..first + len {
            set_dense_register(registers, index, run);
        }
    })?;
    Ok(dense)
}

/// Turns `value` dense and sets register `index` there.
fn promote(value: &mut Vec<u8>, index: usize, run: u8) -> Result<bool> {
    let mut dense = to_dense(value)?;
    set_dense_register(&mut dense[HEADER_LEN..], index, run);
    *value = dense;
    Ok(true)
}

/// Raises register `index` of the sparse `value` to `run` if it is lower; answers whether it
/// changed. Turns the value dense when the register needs more than a VAL holds or the edit
/// would make it longer than [`MAX_BYTES`].
pub(super) fn set(value: &mut Vec<u8>, index: usize, run: u8) -> Result<bool> {
    if run > VAL_MAX_VALUE {
        return promote(value, index, run);
    }
    // Find the opcode covering the register, and the one before it.
    let (mut position, mut first, mut previous) = (HEADER_LEN, 0, None);
    let opcode = loop {
        if position >= value.len() {
            return Err(StoreError::CorruptedHyperLogLog);
        }
        let opcode = opcode_at(value, position);
        if index < first + opcode.span {
            break opcode;
        }
        previous = Some(position);
        position += opcode.size;
        first += opcode.span;
    };
    match opcode.kind {
        Kind::Value(current) if current >= run => return Ok(false),
        Kind::Value(_) | Kind::Zero if opcode.span == 1 => {
            value[position] = value_opcode(run, 1);
            merge_values(value, previous.unwrap_or(HEADER_LEN));
            return Ok(true);
        }
        _ => {}
    }
    // Split the opcode into what comes before the register, the register, and what after.
    let last = first + opcode.span - 1;
    let mut sequence = Vec::with_capacity(5);
    let push_others = |sequence: &mut Vec<u8>, len: usize| match opcode.kind {
        Kind::Value(current) => sequence.push(value_opcode(current, len)),
        Kind::Zero | Kind::ExtendedZero => push_zeros(sequence, len),
    };
    if index != first {
        push_others(&mut sequence, index - first);
    }
    sequence.push(value_opcode(run, 1));
    if index != last {
        push_others(&mut sequence, last - index);
    }
    let new_len = value.len() + sequence.len() - opcode.size;
    if sequence.len() > opcode.size && new_len > MAX_BYTES {
        return promote(value, index, run);
    }
    let replaced = position..(position + opcode.size).min(value.len());
    value.splice(replaced, sequence);
    // Only an XZERO cut short by the end of the string makes this shorter (see `opcode_at`):
    // Redis keeps the length it computed from the opcode's full size.
    value.truncate(new_len);
    merge_values(value, previous.unwrap_or(HEADER_LEN));
    Ok(true)
}

/// Merges neighbouring VAL opcodes of equal value whose lengths fit in one, looking at
/// [`MERGE_WINDOW`] opcodes from `position` (the opcode before the edited one), as Redis does.
fn merge_values(value: &mut Vec<u8>, mut position: usize) {
    let mut budget = MERGE_WINDOW;
    while position < value.len() && budget > 0 {
        budget -= 1;
        let opcode = opcode_at(value, position);
        let Kind::Value(current) = opcode.kind else {
            position += opcode.size;
            continue;
        };
        if let Some(&next_byte) = value.get(position + 1)
            && next_byte & 0x80 != 0
        {
            let next = opcode_at(value, position + 1);
            let len = opcode.span + next.span;
            if next.kind == Kind::Value(current) && len <= VAL_MAX_LEN {
                value[position + 1] = value_opcode(current, len);
                value.remove(position);
                // Stay here: the merged opcode may merge with the next one too.
                continue;
            }
        }
        position += 1;
    }
}
