//! HyperLogLog: Redis's approximate distinct counter (`PFADD`, `PFCOUNT`, `PFMERGE`), kept in
//! exactly Redis's byte format.
//!
//! In Redis an HLL is a plain string value: `TYPE` says `string` and `GET` answers its bytes.
//! resplite stores the very same bytes, so an HLL migrated from Redis keeps counting, and the
//! same `PFADD`s leave the same bytes and the same counts as in Redis.
//!
//! The format:
//!
//! * a 16-byte header: `HYLL`, the encoding (0 dense, 1 sparse), three unused bytes, and the
//!   cached cardinality as 8 little-endian bytes; the top bit of the last one marks the cache
//!   stale;
//! * 2^14 registers of 6 bits. An element's 64-bit MurmurHash64A (seed `0xadc83b19`) picks a
//!   register with its low 14 bits; the register keeps the largest "trailing zeros of the
//!   other 50 bits, plus one" seen;
//! * dense: the registers packed least significant bit first, 12,288 bytes;
//! * sparse (see `sparse.rs`): run-length opcodes, used while the value is small. It turns
//!   dense for good when it would pass `hll-sparse-max-bytes` or a register passes 32.
//!
//! `PFCOUNT` of one key stores the cardinality it computed in the header, so here it is a
//! write (Redis, too, propagates it as one). The estimator is Otmar Ertl's improved one
//! (arXiv:1702.01284), which Redis uses since 5.0.

mod sparse;
#[cfg(test)]
mod tests;

use crate::error::{Result, StoreError};
use crate::reader::{Db, Reader};
use crate::writer::Writer;

/// Bytes before the registers.
const HEADER_LEN: usize = 16;
/// Bits of the hash that choose a register.
const INDEX_BITS: u32 = 14;
/// How many registers an HLL has.
const REGISTERS: usize = 1 << INDEX_BITS;
/// Bits of the hash left after the index: a register holds at most this plus one.
const RUN_BITS: usize = 64 - INDEX_BITS as usize;
/// The length of a dense HLL: the header and 2^14 six-bit registers.
const DENSE_LEN: usize = HEADER_LEN + REGISTERS * 6 / 8;
/// The encoding byte of a dense HLL.
const DENSE: u8 = 0;
/// The encoding byte of a sparse HLL.
const SPARSE: u8 = 1;
/// The seed Redis gives MurmurHash64A.
const HASH_SEED: u64 = 0xadc8_3b19;
/// The bit of the header's last byte that marks the cached cardinality stale.
const STALE_CACHE: u8 = 0x80;

/// Per-value histogram of register values (a six-bit register is below 64).
type Histogram = [u32; 64];

impl Reader<'_> {
    /// `PFCOUNT`: the estimated number of distinct elements added to the HLL at `key`, or to
    /// the union of several. Missing keys count as empty HLLs.
    ///
    /// With one key this answers the cached cardinality when the cache is fresh, without
    /// looking at the registers (as Redis does); unlike
    /// [`Writer::pf_count_and_cache`] it never stores what it computes.
    pub fn pf_count<K: AsRef<[u8]>>(&self, db: Db, keys: &[K]) -> Result<u64> {
        if let [key] = keys {
            return match self.get(db, key.as_ref())? {
                Some(value) => Ok(cardinality(&value)?.0),
                None => Ok(0),
            };
        }
        let mut union = Union::new();
        for key in keys {
            if let Some(value) = self.get(db, key.as_ref())? {
                union.add(&value)?;
            }
        }
        let mut histogram = [0; 64];
        for register in union.registers {
            histogram[usize::from(register)] += 1;
        }
        Ok(estimate(&histogram))
    }

    /// Whether the string at `key` is an HLL that `PFMERGE` or a `PFCOUNT` of several keys
    /// can merge: Redis's test of the header and registers that can all be read. Those
    /// commands make this check on each key they find and stop at the first that fails.
    /// `false` for a missing key.
    pub fn pf_mergeable(&self, db: Db, key: &[u8]) -> Result<bool> {
        Ok(match self.get(db, key)? {
            Some(value) => Union::new().add(&value).is_ok(),
            None => false,
        })
    }
}

impl Writer<'_> {
    /// `PFADD`: adds `elements` to the HLL at `key`, creating it (even with no elements).
    /// Answers whether a register changed or the key was created.
    ///
    /// When an element falls outside the registers a corrupted sparse HLL describes, the
    /// answer is [`StoreError::CorruptedHyperLogLog`], but the registers the earlier elements
    /// raised have been written, as Redis keeps them: a caller that wants Redis's behaviour
    /// completes its write operation instead of failing it (which would roll them back).
    pub fn pf_add<E: AsRef<[u8]>>(&mut self, db: Db, key: &[u8], elements: &[E]) -> Result<bool> {
        let (existing, mut value, mut changed) = match self.live_string(db, key)? {
            Some((row, value)) => {
                encoding_of(&value)?;
                (Some(row), value, false)
            }
            None => (None, sparse::empty(), true),
        };
        let mut outcome = Ok(());
        for element in elements {
            let (index, run) = register_for(element.as_ref());
            match set_register(&mut value, index, run) {
                Ok(raised) => changed |= raised,
                Err(error) => {
                    outcome = Err(error);
                    break;
                }
            }
        }
        if changed {
            invalidate_cache(&mut value);
            self.put_string_keeping_deadline(db, key, existing, &value)?;
        }
        outcome.map(|()| changed)
    }

    /// `PFCOUNT` of one key as Redis runs it: answers the cached cardinality, computing it and
    /// storing it in the header first when the cache is stale.
    pub fn pf_count_and_cache(&mut self, db: Db, key: &[u8]) -> Result<u64> {
        let Some((row, mut value)) = self.live_string(db, key)? else { return Ok(0) };
        let (count, computed) = cardinality(&value)?;
        if computed {
            value[8..HEADER_LEN].copy_from_slice(&count.to_le_bytes());
            self.put_string_keeping_deadline(db, key, Some(row), &value)?;
        }
        Ok(count)
    }

    /// `PFMERGE`: makes the HLL at `destination` count the union of itself and `sources`
    /// (missing keys count as empty HLLs). The destination turns dense when any input is.
    pub fn pf_merge<K: AsRef<[u8]>>(
        &mut self,
        db: Db,
        destination: &[u8],
        sources: &[K],
    ) -> Result<()> {
        let (existing, target) = match self.live_string(db, destination)? {
            Some((row, value)) => (Some(row), Some(value)),
            None => (None, None),
        };
        let mut union = Union::new();
        if let Some(value) = &target {
            union.add(value)?;
        }
        for key in sources {
            if let Some(value) = self.get(db, key.as_ref())? {
                union.add(&value)?;
            }
        }
        let mut value = target.unwrap_or_else(sparse::empty);
        if union.any_dense && value[4] == SPARSE {
            value = sparse::to_dense(&value)?;
        }
        // Setting the registers one by one in index order, as Redis does, leaves the same
        // sparse opcodes (and promotes at the same point) as Redis.
        for (index, &register) in union.registers.iter().enumerate() {
            if register != 0 {
                set_register(&mut value, index, register)?;
            }
        }
        invalidate_cache(&mut value);
        self.put_string_keeping_deadline(db, destination, existing, &value)
    }
}

/// The union of HLLs: an HLL whose registers are the largest of each input's.
struct Union {
    registers: Vec<u8>,
    /// Whether an input was dense (`PFMERGE` then makes its destination dense).
    any_dense: bool,
}

impl Union {
    fn new() -> Union {
        Union { registers: vec![0; REGISTERS], any_dense: false }
    }

    /// Adds one value, after checking that it is an HLL.
    fn add(&mut self, value: &[u8]) -> Result<()> {
        let encoding = encoding_of(value)?;
        self.any_dense |= encoding == DENSE;
        merge_registers(&mut self.registers, value)
    }
}

/// Redis's test that a string is an HLL at all: the magic, a known encoding, and the exact
/// length when dense. Answers the encoding byte. The sparse opcodes are checked only when
/// they are read.
fn encoding_of(value: &[u8]) -> Result<u8> {
    if value.len() < HEADER_LEN || !value.starts_with(b"HYLL") {
        return Err(StoreError::NotHyperLogLog);
    }
    match value[4] {
        DENSE if value.len() == DENSE_LEN => Ok(DENSE),
        SPARSE => Ok(SPARSE),
        _ => Err(StoreError::NotHyperLogLog),
    }
}

/// The cardinality single-key `PFCOUNT` answers for `value`, and whether it was computed
/// (the cache was stale) rather than read from the header.
fn cardinality(value: &[u8]) -> Result<(u64, bool)> {
    let encoding = encoding_of(value)?;
    if value[HEADER_LEN - 1] & STALE_CACHE == 0 {
        let cached = value[8..HEADER_LEN].try_into().map(u64::from_le_bytes);
        return Ok((cached.unwrap_or_default(), false));
    }
    let mut histogram = [0; 64];
    if encoding == DENSE {
        for index in 0..REGISTERS {
            histogram[usize::from(dense_register(&value[HEADER_LEN..], index))] += 1;
        }
    } else {
        sparse::histogram(&value[HEADER_LEN..], &mut histogram)?;
    }
    Ok((estimate(&histogram), true))
}

fn invalidate_cache(value: &mut [u8]) {
    value[HEADER_LEN - 1] |= STALE_CACHE;
}

/// Raises register `index` of `value` (dense or sparse) to `run` if it is lower; answers
/// whether it changed. A sparse value may turn dense on the way.
fn set_register(value: &mut Vec<u8>, index: usize, run: u8) -> Result<bool> {
    if value[4] == SPARSE {
        return sparse::set(value, index, run);
    }
    let registers = &mut value[HEADER_LEN..];
    if dense_register(registers, index) >= run {
        return Ok(false);
    }
    set_dense_register(registers, index, run);
    Ok(true)
}

/// Raises each of `union`'s registers to the value's, for a value whose header is checked.
fn merge_registers(union: &mut [u8], value: &[u8]) -> Result<()> {
    if value[4] == SPARSE {
        return sparse::merge(&value[HEADER_LEN..], union);
    }
    for (index, slot) in union.iter_mut().enumerate() {
        *slot = (*slot).max(dense_register(&value[HEADER_LEN..], index));
    }
    Ok(())
}

/// Register `index` of packed six-bit registers. The last register's second byte would be
/// the one past the end: Redis reads its string's NUL terminator there, so 0.
fn dense_register(registers: &[u8], index: usize) -> u8 {
    let (byte, shift) = (index * 6 / 8, index * 6 % 8);
    let low = u16::from(registers[byte]);
    let high = u16::from(registers.get(byte + 1).copied().unwrap_or(0));
    (((low | high << 8) >> shift) & 0x3f) as u8
}

fn set_dense_register(registers: &mut [u8], index: usize, run: u8) {
    let (byte, shift) = (index * 6 / 8, index * 6 % 8);
    let bits = u16::from(run) << shift;
    let mask = 0x3fu16 << shift;
    registers[byte] = (registers[byte] & !(mask as u8)) | bits as u8;
    if let Some(next) = registers.get_mut(byte + 1) {
        *next = (*next & !((mask >> 8) as u8)) | (bits >> 8) as u8;
    }
}

/// The register an element falls into and the value it offers: the low 14 bits of its hash
/// choose the register, and the position of the lowest set bit among the other 50 (counted
/// from 1, 51 when none is set) is the value.
fn register_for(element: &[u8]) -> (usize, u8) {
    let hash = murmur_hash_64a(element, HASH_SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = (hash >> INDEX_BITS) | (1 << RUN_BITS);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// Austin Appleby's MurmurHash64A, reading 8-byte blocks little-endian as Redis does on
/// every platform.
fn murmur_hash_64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut hash = seed ^ (data.len() as u64).wrapping_mul(M);
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let mut k = u64::from_le_bytes(block.try_into().unwrap_or_default());
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        hash ^= k;
        hash = hash.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (position, &byte) in tail.iter().enumerate() {
            hash ^= u64::from(byte) << (8 * position);
        }
        hash = hash.wrapping_mul(M);
    }
    hash ^= hash >> R;
    hash = hash.wrapping_mul(M);
    hash ^= hash >> R;
    hash
}

/// Ertl's improved estimator over the histogram of register values, step for step as Redis
/// computes it in doubles, so the rounded result is the same integer.
fn estimate(histogram: &Histogram) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - f64::from(histogram[RUN_BITS + 1])) / m);
    for count in histogram[1..=RUN_BITS].iter().rev() {
        z += f64::from(*count);
        z *= 0.5;
    }
    z += m * sigma(f64::from(histogram[0]) / m);
    // α∞ = 1 / (2 ln 2).
    let rounded = (0.721_347_520_444_481_7 * m * m / z).round();
    // Redis rounds with llroundl, which answers LONG_MIN for what a signed 64-bit integer
    // cannot hold (only forged registers above 51 get here); it stores that as unsigned.
    if rounded < 9_223_372_036_854_775_808.0 { rounded as u64 } else { 1 << 63 }
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let (mut y, mut z) = (1.0, x);
    loop {
        x *= x;
        let previous = z;
        z += x * y;
        y += y;
        if z == previous {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let (mut y, mut z) = (1.0, 1.0 - x);
    loop {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        // Redis writes pow(1 - x, 2); compilers turn that into this exact multiplication.
        z -= (1.0 - x) * (1.0 - x) * y;
        if z == previous {
            return z / 3.0;
        }
    }
}
