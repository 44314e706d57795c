//! Bitmaps: strings addressed bit by bit (`SETBIT`, `GETBIT`, `BITCOUNT`, `BITPOS`, `BITOP`).
//!
//! Bit 0 is the most significant bit of the first byte, as in Redis.

use crate::error::{Result, StoreError};
use crate::reader::{Db, Reader};
use crate::writer::Writer;

/// Whether a range's `start`/`end` count bytes or bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RangeUnit {
    /// `BYTE` (the default).
    #[default]
    Byte,
    /// `BIT`.
    Bit,
}

/// A `start end [BYTE|BIT]` range of `BITCOUNT`/`BITPOS`; indexes may be negative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitRange {
    /// First index.
    pub start: i64,
    /// Last index (inclusive); `None` for `BITPOS` without an end.
    pub end: Option<i64>,
    /// What the indexes count.
    pub unit: RangeUnit,
}

/// The operator of `BITOP`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitOperation {
    /// Bitwise AND of all sources.
    And,
    /// Bitwise OR.
    Or,
    /// Bitwise XOR.
    Xor,
    /// Bitwise NOT of the single source.
    Not,
}

fn bit_at(bytes: &[u8], bit: u64) -> bool {
    let byte = usize::try_from(bit / 8).ok().and_then(|index| bytes.get(index)).copied();
    byte.is_some_and(|byte| byte & (0x80 >> (bit % 8)) != 0)
}

/// The inclusive bit interval a range covers within a string of `length` bytes, or `None`
/// when it is empty — with Redis's clamping of negative and oversized indexes.
fn resolve(range: Option<BitRange>, length: usize) -> Option<(u64, u64)> {
    let length = i64::try_from(length).unwrap_or(i64::MAX);
    let Some(range) = range else {
        return (length > 0).then(|| (0, (length as u64) * 8 - 1));
    };
    let total = match range.unit {
        RangeUnit::Byte => length,
        RangeUnit::Bit => length.saturating_mul(8),
    };
    let mut start = range.start;
    let mut end = range.end.unwrap_or(total - 1);
    if start < 0 {
        start = (total + start).max(0);
    }
    if end < 0 {
        end = (total + end).max(0);
    }
    end = end.min(total - 1);
    if start > end {
        return None;
    }
    let (start, end) = (start as u64, end as u64);
    Some(match range.unit {
        RangeUnit::Byte => (start * 8, end * 8 + 7),
        RangeUnit::Bit => (start, end),
    })
}

impl Reader<'_> {
    /// `GETBIT`: the bit at `offset` (0 beyond the end or for a missing key).
    pub fn get_bit(&self, db: Db, key: &[u8], offset: u64) -> Result<bool> {
        let value = self.get(db, key)?.unwrap_or_default();
        Ok(bit_at(&value, offset))
    }

    /// `BITCOUNT`: how many bits are set in the range (the whole string without one).
    pub fn bit_count(&self, db: Db, key: &[u8], range: Option<BitRange>) -> Result<u64> {
        // Redis answers 0 for two negative ends in the wrong order before converting them,
        // even where clamping both to the start would cover the first byte (`-3 -100`).
        if let Some(BitRange { start, end: Some(end), .. }) = range
            && start < 0
            && end < 0
            && start > end
        {
            return Ok(0);
        }
        let value = self.get(db, key)?.unwrap_or_default();
        let Some((first, last)) = resolve(range, value.len()) else { return Ok(0) };
        let (first_byte, last_byte) = ((first / 8) as usize, (last / 8) as usize);
        let mut count: u64 =
            value[first_byte..=last_byte].iter().map(|byte| u64::from(byte.count_ones())).sum();
        // Take away the bits of the edge bytes that lie outside the range.
        let leading = (first % 8) as u32;
        let trailing = 7 - (last % 8) as u32;
        if leading > 0 {
            count -= u64::from((value[first_byte] >> (8 - leading)).count_ones());
        }
        if trailing > 0 {
            count -= u64::from((value[last_byte] & ((1u8 << trailing) - 1)).count_ones());
        }
        Ok(count)
    }

    /// `BITPOS`: the position of the first bit equal to `bit` in the range, or -1.
    ///
    /// Looking for a clear bit with no explicit end treats the string as followed by zero
    /// bits, so a string of all ones answers its length in bits, as Redis does.
    pub fn bit_position(
        &self,
        db: Db,
        key: &[u8],
        bit: bool,
        range: Option<BitRange>,
    ) -> Result<i64> {
        let Some(value) = self.get(db, key)? else { return Ok(if bit { -1 } else { 0 }) };
        let Some((first, last)) = resolve(range, value.len()) else { return Ok(-1) };
        let mut position = first;
        while position <= last {
            let byte = value[(position / 8) as usize];
            let whole_byte = position % 8 == 0 && position + 7 <= last;
            if whole_byte && byte == if bit { 0x00 } else { 0xFF } {
                position += 8;
                continue;
            }
            if bit_at(&value, position) == bit {
                return Ok(position as i64);
            }
            position += 1;
        }
        let end_given = range.is_some_and(|range| range.end.is_some());
        if bit || end_given {
            Ok(-1)
        } else {
            // Past the last byte the range touches, as if padded with zeros.
            Ok(((last / 8 + 1) * 8) as i64)
        }
    }
}

impl Writer<'_> {
    /// `SETBIT`: sets or clears the bit at `offset`, growing the string with zero bytes;
    /// answers the previous bit.
    pub fn set_bit(&mut self, db: Db, key: &[u8], offset: u64, on: bool) -> Result<bool> {
        let index = usize::try_from(offset / 8).map_err(|_| StoreError::StringTooLong)?;
        if index >= self.max_string_len() {
            return Err(StoreError::StringTooLong);
        }
        let (existing, mut value) = self.split_string(db, key)?;
        let previous = bit_at(&value, offset);
        // Like Redis, a bit that already holds the value in a string long enough is no write
        // at all (no row changes, so nothing counts as modified for WATCH).
        if existing.is_some() && index < value.len() && previous == on {
            return Ok(previous);
        }
        if value.len() <= index {
            value.resize(index + 1, 0);
        }
        let mask = 0x80u8 >> (offset % 8);
        if on {
            value[index] |= mask;
        } else {
            value[index] &= !mask;
        }
        self.put_string_keeping_deadline(db, key, existing, &value)?;
        Ok(previous)
    }

    /// `BITOP`: stores the operation over `sources` in `destination` (deleting it when the
    /// result is empty); answers the result's length.
    pub fn bit_operation<K: AsRef<[u8]>>(
        &mut self,
        db: Db,
        operation: BitOperation,
        destination: &[u8],
        sources: &[K],
    ) -> Result<usize> {
        let values: Vec<Vec<u8>> = sources
            .iter()
            .map(|key| Ok(self.get(db, key.as_ref())?.unwrap_or_default()))
            .collect::<Result<_>>()?;
        let length = values.iter().map(Vec::len).max().unwrap_or(0);
        if length == 0 {
            self.delete(db, &[destination])?;
            return Ok(0);
        }
        let byte = |value: &Vec<u8>, index: usize| value.get(index).copied().unwrap_or(0);
        let result: Vec<u8> = (0..length)
            .map(|index| {
                let mut bytes = values.iter().map(|value| byte(value, index));
                let first = bytes.next().unwrap_or(0);
                match operation {
                    BitOperation::And => bytes.fold(first, |acc, b| acc & b),
                    BitOperation::Or => bytes.fold(first, |acc, b| acc | b),
                    BitOperation::Xor => bytes.fold(first, |acc, b| acc ^ b),
                    BitOperation::Not => !first,
                }
            })
            .collect();
        let existing = self.live_row(db, destination)?;
        self.put_string(db, destination, existing, &result, None)?;
        Ok(length)
    }
}
