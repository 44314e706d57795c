//! Integer fields inside strings (`BITFIELD`, `BITFIELD_RO`): signed or unsigned integers
//! of 1 to 64 bits at any bit offset, read, set or incremented with Redis's overflow rules.
//!
//! A field's bits run from its offset onwards, most significant first, in the same bit
//! order as `SETBIT` (bit 0 is the top bit of the first byte). Bits past the end of the
//! string read as zero.

use crate::error::Result;
use crate::reader::{Db, Reader};
use crate::writer::Writer;

/// The integer type of a field: `i1` to `i64`, or `u1` to `u63` (Redis has no `u64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldType {
    /// Two's complement (`i`) or unsigned (`u`).
    pub signed: bool,
    /// Width in bits.
    pub bits: u32,
}

impl FieldType {
    /// The type named `name` as Redis reads it (`i8`, `u16` …), or `None`.
    pub fn parse(name: &[u8]) -> Option<FieldType> {
        let (signed, width) = match name.split_first()? {
            (b'i', width) => (true, width),
            (b'u', width) => (false, width),
            _ => return None,
        };
        let bits = crate::numbers::parse_i64(width)?;
        let most = if signed { 64 } else { 63 };
        let bits = u32::try_from(bits).ok().filter(|bits| (1..=most).contains(bits))?;
        Some(FieldType { signed, bits })
    }

    /// The smallest and largest values the type holds.
    fn range(self) -> (i128, i128) {
        if self.signed {
            let half = 1i128 << (self.bits - 1);
            (-half, half - 1)
        } else {
            (0, (1i128 << self.bits) - 1)
        }
    }

    /// `value` cut to the type's width, as two's complement wrapping does.
    fn wrap(self, value: i128) -> i128 {
        let modulus = 1i128 << self.bits;
        let low = value.rem_euclid(modulus);
        if self.signed && low >= modulus / 2 { low - modulus } else { low }
    }
}

/// What a `SET` or `INCRBY` does with a result outside its field's range (`OVERFLOW`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overflow {
    /// Wrap around, as two's complement arithmetic does (the default).
    #[default]
    Wrap,
    /// Stop at the smallest or largest value.
    Sat,
    /// Leave the field as it is and answer a null.
    Fail,
}

/// One operation of `BITFIELD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldOperation {
    /// `GET type offset`: the field's value.
    Get,
    /// `SET type offset value`: stores the value, answers the previous one.
    Set(i64),
    /// `INCRBY type offset increment`: adds to the field, answers the new value.
    IncrBy(i64),
}

/// An operation on the field of type `field` at bit `offset`, under `overflow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitField {
    /// The field's type.
    pub field: FieldType,
    /// Its first bit.
    pub offset: u64,
    /// What to do with it.
    pub operation: FieldOperation,
    /// The `OVERFLOW` rule in force for it.
    pub overflow: Overflow,
}

impl BitField {
    /// Whether the operation writes (`SET` or `INCRBY`).
    pub fn writes(&self) -> bool {
        self.operation != FieldOperation::Get
    }

    /// The last bit the field covers.
    fn last_bit(&self) -> u64 {
        self.offset.saturating_add(u64::from(self.field.bits) - 1)
    }
}

/// The field's bits as an unsigned number (zero past the end of `bytes`).
fn read_bits(bytes: &[u8], offset: u64, bits: u32) -> u64 {
    (0..u64::from(bits)).fold(0, |value, index| {
        let bit = offset + index;
        let byte = usize::try_from(bit / 8).ok().and_then(|at| bytes.get(at)).copied();
        let set = byte.is_some_and(|byte| byte & (0x80 >> (bit % 8)) != 0);
        (value << 1) | u64::from(set)
    })
}

/// Writes the low `bits` bits of `value` into the field; `bytes` must cover it.
fn write_bits(bytes: &mut [u8], offset: u64, bits: u32, value: u64) {
    for index in 0..u64::from(bits) {
        let bit = offset + index;
        let Some(byte) = usize::try_from(bit / 8).ok().and_then(|at| bytes.get_mut(at)) else {
            continue;
        };
        let mask = 0x80u8 >> (bit % 8);
        if (value >> (u64::from(bits) - 1 - index)) & 1 == 1 {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
}

/// The value of the field, read as its type.
fn read_field(bytes: &[u8], field: FieldType, offset: u64) -> i128 {
    let raw = read_bits(bytes, offset, field.bits);
    if field.signed { field.wrap(i128::from(raw)) } else { i128::from(raw) }
}

/// What one operation answers (`None`, a null, where `OVERFLOW FAIL` refused a write) and
/// whether it changed the field.
fn apply(bytes: &mut [u8], operation: &BitField) -> (Option<i64>, bool) {
    let BitField { field, offset, overflow, .. } = *operation;
    let current = read_field(bytes, field, offset);
    let (wanted, answer_new) = match operation.operation {
        FieldOperation::Get => return (i64::try_from(current).ok(), false),
        FieldOperation::IncrBy(increment) => (current + i128::from(increment), true),
        // Redis hands an unsigned field's new value over as a 64-bit unsigned number, so a
        // negative one is a huge value that overflows upwards.
        FieldOperation::Set(value) if !field.signed => (i128::from(value as u64), false),
        FieldOperation::Set(value) => (i128::from(value), false),
    };
    let (min, max) = field.range();
    let stored = if (min..=max).contains(&wanted) {
        wanted
    } else {
        match overflow {
            Overflow::Wrap => field.wrap(wanted),
            Overflow::Sat => wanted.clamp(min, max),
            Overflow::Fail => return (None, false),
        }
    };
    // The stored bits are the value's low bits, whatever its sign.
    write_bits(bytes, offset, field.bits, stored as u64);
    (i64::try_from(if answer_new { stored } else { current }).ok(), stored != current)
}

impl Reader<'_> {
    /// `BITFIELD` with only `GET`s (and `BITFIELD_RO`): each field's value, zero for a
    /// missing key; the key is not created.
    pub fn bit_field_read(&self, db: Db, key: &[u8], fields: &[BitField]) -> Result<Vec<i64>> {
        let value = self.get(db, key)?.unwrap_or_default();
        let read = |field: &BitField| read_field(&value, field.field, field.offset);
        Ok(fields.iter().map(|field| i64::try_from(read(field)).unwrap_or_default()).collect())
    }
}

impl Writer<'_> {
    /// `BITFIELD` with at least one `SET` or `INCRBY`: runs the operations in order;
    /// answers one value each (`None` where `OVERFLOW FAIL` refused a write) and whether
    /// Redis would call the key changed (for its keyspace event). As in Redis the string is
    /// first created or grown with zero bytes to cover every field written, even if every
    /// write then fails; a write that is not refused is a change if that happened or if it
    /// gave its field a new value. (A string grown only by refused writes is stored grown
    /// but reported unchanged, as in Redis; `WATCH`, which here notices any stored change,
    /// does see it.)
    pub fn bit_field(
        &mut self,
        db: Db,
        key: &[u8],
        fields: &[BitField],
    ) -> Result<(Vec<Option<i64>>, bool)> {
        let (existing, mut value) = self.split_string(db, key)?;
        let mut grown = existing.is_none();
        let last_byte = fields.iter().filter(|field| field.writes()).map(BitField::last_bit).max();
        if let Some(last_byte) = last_byte.map(|bit| bit / 8) {
            let length = usize::try_from(last_byte).unwrap_or(usize::MAX).saturating_add(1);
            if value.len() < length {
                self.check_length(length)?;
                value.resize(length, 0);
                grown = true;
            }
        }
        let mut answers = Vec::with_capacity(fields.len());
        let mut changed = false;
        for field in fields {
            let (answer, new_value) = apply(&mut value, field);
            let written = field.writes() && answer.is_some();
            changed |= written && (grown || new_value);
            answers.push(answer);
        }
        if grown || changed {
            self.put_string_keeping_deadline(db, key, existing, &value)?;
        }
        Ok((answers, changed))
    }
}

#[cfg(test)]
mod tests {
    use super::{BitField, FieldOperation, FieldType, Overflow, apply, read_bits, write_bits};

    fn field(name: &str, offset: u64, operation: FieldOperation, overflow: Overflow) -> BitField {
        BitField { field: FieldType::parse(name.as_bytes()).unwrap(), offset, operation, overflow }
    }

    #[test]
    fn types_are_read_like_redis() {
        assert_eq!(FieldType::parse(b"i64"), Some(FieldType { signed: true, bits: 64 }));
        assert_eq!(FieldType::parse(b"u63"), Some(FieldType { signed: false, bits: 63 }));
        for bad in [&b"u64"[..], b"i65", b"i0", b"u", b"I8", b"i08", b"i+8", b"8", b""] {
            assert_eq!(FieldType::parse(bad), None, "{}", bad.escape_ascii());
        }
    }

    #[test]
    fn bits_run_from_the_top_of_each_byte_across_byte_boundaries() {
        let mut bytes = vec![0u8; 3];
        write_bits(&mut bytes, 4, 12, 0xabc);
        assert_eq!(bytes, [0x0a, 0xbc, 0x00]);
        assert_eq!(read_bits(&bytes, 4, 12), 0xabc);
        assert_eq!(read_bits(&bytes, 20, 8), 0, "past the end reads zero");
    }

    #[test]
    fn overflows_wrap_saturate_or_fail() {
        let mut bytes = vec![0u8; 12];
        let mut run = |name: &str, offset, operation, overflow| {
            apply(&mut bytes, &field(name, offset, operation, overflow))
        };
        let (incr, set) = (FieldOperation::IncrBy, FieldOperation::Set);
        assert_eq!(run("u8", 0, incr(300), Overflow::Wrap), (Some(44), true));
        assert_eq!(run("u8", 0, incr(300), Overflow::Sat), (Some(255), true));
        assert_eq!(run("u8", 0, incr(1), Overflow::Fail), (None, false));
        assert_eq!(run("u8", 0, FieldOperation::Get, Overflow::Fail), (Some(255), false));
        assert_eq!(run("i8", 8, incr(-129), Overflow::Wrap), (Some(127), true));
        assert_eq!(run("i8", 8, incr(-300), Overflow::Sat), (Some(-128), true));
        // A negative value for an unsigned field is a huge one: it saturates upwards.
        assert_eq!(run("u4", 16, set(-1), Overflow::Sat), (Some(0), true));
        assert_eq!(run("u4", 16, FieldOperation::Get, Overflow::Wrap), (Some(15), false));
        assert_eq!(run("u4", 16, set(15), Overflow::Wrap), (Some(15), false));
        assert_eq!(run("i64", 24, set(i64::MAX), Overflow::Wrap), (Some(0), true));
        assert_eq!(run("i64", 24, incr(1), Overflow::Wrap), (Some(i64::MIN), true));
        assert_eq!(run("i64", 24, incr(-1), Overflow::Sat), (Some(i64::MIN), false));
    }
}
