//! Software emulation of the x87 80-bit `long double` that Redis uses for INCRBYFLOAT and
//! HINCRBYFLOAT, so replies match it byte for byte.
//!
//! Redis parses both operands with `strtold`, adds them in extended precision and prints the sum
//! with `%.17Lf` before trimming zeros. Doing the same sum in `f64` gives visibly different text
//! (for example `10.5 + 0.1` would print `10.59999999999999964` instead of `10.6`), so this module
//! reproduces the 64-bit-significand format exactly: correctly rounded decimal and hexadecimal
//! parsing, round-to-nearest-even addition, and the exact decimal expansion used by glibc's
//! `printf`.

use std::cmp::Ordering;

use num_bigint::BigUint;

/// Added to the unbiased binary exponent of the integer bit to form the stored exponent field.
const EXPONENT_BIAS: i64 = 16383;
/// The stored exponent of infinities and NaNs.
const SPECIAL_EXPONENT: u16 = 0x7fff;
const SIGN_BIT: u16 = 0x8000;
/// The explicit integer bit of the significand, set in every normal number.
const INTEGER_BIT: u64 = 1 << 63;
/// The binary weight of the lowest significand bit of subnormals (and of the smallest normals):
/// 2^-16445.
const MIN_LOW_BIT_EXPONENT: i64 = 1 - EXPONENT_BIAS - 63;
/// The size of Redis's formatting and parsing buffer (`MAX_LONG_DOUBLE_CHARS`), terminating NUL
/// included.
const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;
/// Digits after the point in `%.17Lf`.
const FRACTION_DIGITS: usize = 17;
const TEN_TO_FRACTION_DIGITS: u128 = 100_000_000_000_000_000;
/// Exponents in the input are clamped to this magnitude: with at most 5 KiB of digits, anything
/// beyond it already overflows or underflows, and clamping keeps the arithmetic in `i64`.
const EXPONENT_CLAMP: i64 = 1_000_000_000;
/// Decimal bounds that decide overflow and underflow before any big-number work: every value of at
/// least 10^4933 exceeds the largest finite value (about 1.19e4932), and every value below 10^-4952
/// is less than half the smallest subnormal (about 3.6e-4951), so it rounds to zero.
const DECIMAL_OVERFLOW_EXPONENT: i64 = 4933;
const DECIMAL_UNDERFLOW_EXPONENT: i64 = -4952;

/// An x87 80-bit extended-precision value, as Redis's `long double` on x86_64.
///
/// The fields are the hardware layout: sign and 15-bit biased exponent, then a 64-bit significand
/// whose top bit is the explicit integer bit. A finite number is worth
/// `significand * 2^(exponent - 16383 - 63)`, where a stored exponent of 0 (zero and subnormals)
/// counts as exponent 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LongDouble {
    sign_exponent: u16,
    significand: u64,
}

/// A finite value split into its parts: `(-1)^negative * significand * 2^low_bit_exponent`.
#[derive(Clone, Copy)]
struct Unpacked {
    negative: bool,
    significand: u64,
    low_bit_exponent: i64,
}

impl LongDouble {
    const fn zero(negative: bool) -> LongDouble {
        LongDouble { sign_exponent: if negative { SIGN_BIT } else { 0 }, significand: 0 }
    }

    const fn infinity(negative: bool) -> LongDouble {
        let sign = if negative { SIGN_BIT } else { 0 };
        LongDouble { sign_exponent: sign | SPECIAL_EXPONENT, significand: INTEGER_BIT }
    }

    /// The "real indefinite" quiet NaN the x87 produces for invalid operations such as
    /// `inf + -inf`.
    const INDEFINITE: LongDouble = LongDouble {
        sign_exponent: SIGN_BIT | SPECIAL_EXPONENT,
        significand: 0xc000_0000_0000_0000,
    };

    fn is_negative(self) -> bool {
        self.sign_exponent & SIGN_BIT != 0
    }

    fn biased_exponent(self) -> u16 {
        self.sign_exponent & !SIGN_BIT
    }

    fn is_nan(self) -> bool {
        self.biased_exponent() == SPECIAL_EXPONENT && self.significand << 1 != 0
    }

    fn is_infinite(self) -> bool {
        self.biased_exponent() == SPECIAL_EXPONENT && self.significand << 1 == 0
    }

    /// False for infinities and NaN.
    pub(crate) fn is_finite(self) -> bool {
        self.biased_exponent() != SPECIAL_EXPONENT
    }

    /// Splits a finite value into sign, significand and the weight of its lowest bit.
    fn unpack(self) -> Unpacked {
        let biased = i64::from(self.biased_exponent());
        // Exponent field 0 (subnormals and zero) has the same bit weights as exponent field 1.
        let low_bit_exponent = biased.max(1) - EXPONENT_BIAS - 63;
        Unpacked { negative: self.is_negative(), significand: self.significand, low_bit_exponent }
    }

    /// Parses like Redis's `string2ld`: `strtold` over the whole input, then rejection of empty
    /// input, input of 5 KiB or more, leading whitespace, trailing garbage (an embedded NUL
    /// included), overflow to infinity, underflow to zero and NaN.
    ///
    /// `strtold` accepts an optional sign, then a decimal number with optional exponent, a
    /// hexadecimal float (`0x1.8p3`), or `inf`/`infinity`/`nan` in any case. A literal infinity is
    /// accepted because `strtold` does not report it as a range error.
    pub(crate) fn parse(input: &[u8]) -> Option<LongDouble> {
        if input.is_empty() || input.len() >= MAX_LONG_DOUBLE_CHARS {
            return None;
        }
        // strtold stops at an embedded NUL, but Redis also requires it to have consumed every byte,
        // so a NUL is trailing garbage like any other; the grammar below never accepts one.
        // Leading whitespace needs no check of its own either: strtold would skip it but Redis
        // rejects it, and the grammar below does not skip it.
        let (negative, body) = match input[0] {
            b'-' => (true, &input[1..]),
            b'+' => (false, &input[1..]),
            _ => (false, input),
        };
        if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
            return Some(LongDouble::infinity(negative));
        }
        // Every spelling of NaN is rejected by Redis, and falls through to the decimal grammar,
        // which fails.
        if body.len() >= 2 && body[0] == b'0' && body[1].eq_ignore_ascii_case(&b'x') {
            // Without a hexadecimal digit after "0x", strtold converts just the "0" and stops at
            // the 'x', which is trailing garbage: parse_hexadecimal rejects that case too.
            return parse_hexadecimal(negative, &body[2..]);
        }
        parse_decimal(negative, body)
    }

    /// The exact value of a 64-bit integer (every `i64` fits in the 64-bit significand).
    pub(crate) fn from_i64(value: i64) -> LongDouble {
        round(value < 0, u128::from(value.unsigned_abs()), 0, false)
    }

    /// `self + other` rounded to nearest, ties to even, at 64 significand bits (the x87 default
    /// precision control), with IEEE handling of zeros, infinities and NaN.
    pub(crate) fn add(self, other: LongDouble) -> LongDouble {
        if self.is_nan() {
            return self;
        }
        if other.is_nan() {
            return other;
        }
        match (self.is_infinite(), other.is_infinite()) {
            (true, true) if self.is_negative() != other.is_negative() => {
                return LongDouble::INDEFINITE;
            }
            (true, _) => return self,
            (false, true) => return other,
            (false, false) => {}
        }
        if other.significand == 0 {
            if self.significand == 0 {
                // Under round-to-nearest, a sum of zeros is negative only when both are.
                return LongDouble::zero(self.is_negative() && other.is_negative());
            }
            return self;
        }
        if self.significand == 0 {
            return other;
        }
        let (left, right) = (self.unpack(), other.unpack());
        // Compare magnitudes: normal significands carry the integer bit, so exponent first then
        // significand orders them, and subnormals share the lowest exponent with the smallest
        // normals.
        let (larger, smaller) = if (left.low_bit_exponent, left.significand)
            >= (right.low_bit_exponent, right.significand)
        {
            (left, right)
        } else {
            (right, left)
        };
        add_magnitudes(larger, smaller)
    }

    /// `self * factor` rounded as the x87 rounds (to nearest, ties to even, at 64 significand
    /// bits), for a factor that is a whole number: Redis turns timeouts into milliseconds with
    /// `seconds * 1000.0` in `long double`.
    pub(crate) fn times(self, factor: u32) -> LongDouble {
        if self.is_nan() {
            return self;
        }
        if self.is_infinite() {
            return if factor == 0 { LongDouble::INDEFINITE } else { self };
        }
        let Unpacked { negative, significand, low_bit_exponent } = self.unpack();
        round(negative, u128::from(significand) * u128::from(factor), low_bit_exponent, false)
    }

    /// `(long long) ceill(self)` as compiled for x86-64: the smallest whole number not below the
    /// value, or `i64::MIN` (what the x87 stores for a value it cannot convert) for NaN,
    /// infinities and whole numbers outside the 64-bit range.
    pub(crate) fn ceil_to_i64(self) -> i64 {
        if !self.is_finite() {
            return i64::MIN;
        }
        let Unpacked { negative, significand, low_bit_exponent } = self.unpack();
        // The magnitude's whole part, and whether a fraction was cut off.
        let (whole, has_fraction) = match u32::try_from(low_bit_exponent) {
            Ok(shift) if shift < 64 => (u128::from(significand) << shift, false),
            Ok(_) => return i64::MIN,
            Err(_) => match u32::try_from(low_bit_exponent.unsigned_abs()) {
                Ok(shift) if shift < 64 => {
                    (u128::from(significand >> shift), significand & ((1 << shift) - 1) != 0)
                }
                _ => (0, significand != 0),
            },
        };
        let Ok(whole) = i128::try_from(whole) else { return i64::MIN };
        // Rounding up moves a positive value with a fraction up by one; a negative value only
        // loses its fraction.
        let ceiling = if negative { -whole } else { whole + i128::from(has_fraction) };
        i64::try_from(ceiling).unwrap_or(i64::MIN)
    }

    /// Formats like Redis's `ld2string(.., LD_STR_HUMAN)`: "inf", "-inf" or "nan" for special
    /// values, otherwise `%.17Lf` (the exact decimal expansion rounded to 17 fractional digits,
    /// ties to even like glibc) with trailing zeros and then a trailing point removed, and "-0"
    /// turned into "0".
    ///
    /// Returns `None` where Redis's 5 KiB buffer would be too small for the `%.17Lf` text (which
    /// cannot happen for the 80-bit format, whose largest value has 4933 integer digits, but Redis
    /// checks it).
    pub(crate) fn to_human_string(self) -> Option<String> {
        if self.is_nan() {
            return Some("nan".to_owned());
        }
        if self.is_infinite() {
            return Some(if self.is_negative() { "-inf" } else { "inf" }.to_owned());
        }
        let Unpacked { negative, significand, low_bit_exponent } = self.unpack();
        let (integer_digits, fraction) = if low_bit_exponent >= 0 {
            // An integer: the 17 fractional digits are all zero.
            (integer_to_decimal(significand, low_bit_exponent), 0)
        } else {
            let scaled = fixed_point_digits(significand, low_bit_exponent.unsigned_abs());
            let integer_part = scaled / TEN_TO_FRACTION_DIGITS;
            (integer_part.to_string(), scaled % TEN_TO_FRACTION_DIGITS)
        };
        // Length of the untrimmed "%.17Lf" text: sign, integer digits, point and 17 fractional
        // digits.
        let printed_length = usize::from(negative) + integer_digits.len() + 1 + FRACTION_DIGITS;
        if printed_length + 1 > MAX_LONG_DOUBLE_CHARS {
            return None;
        }
        let is_zero = fraction == 0 && integer_digits == "0";
        let mut text = String::with_capacity(printed_length);
        // glibc prints "-0.00000000000000000" for negative values that round to zero, which Redis
        // turns into "0" after trimming.
        if negative && !is_zero {
            text.push('-');
        }
        text.push_str(&integer_digits);
        if fraction != 0 {
            let digits = format!("{fraction:0width$}", width = FRACTION_DIGITS);
            text.push('.');
            text.push_str(digits.trim_end_matches('0'));
        }
        Some(text)
    }
}

/// Adds two nonzero finite magnitudes, `larger` being at least as large as `smaller`.
fn add_magnitudes(larger: Unpacked, smaller: Unpacked) -> LongDouble {
    // Work in units of 2^(larger's low bit - 62): the larger operand sits at bits 62..126 and the
    // smaller one is shifted right into place. Bits shifted out are remembered as a sticky flag.
    const GUARD_BITS: u32 = 62;
    let larger_bits = u128::from(larger.significand) << GUARD_BITS;
    let smaller_bits = u128::from(smaller.significand) << GUARD_BITS;
    let distance = larger.low_bit_exponent - smaller.low_bit_exponent;
    let (aligned, lost_bits) = match u32::try_from(distance) {
        Ok(distance) if distance < 128 => {
            (smaller_bits >> distance, smaller_bits & ((1u128 << distance) - 1) != 0)
        }
        _ => (0, true),
    };
    let exponent = larger.low_bit_exponent - i64::from(GUARD_BITS);
    if larger.negative == smaller.negative {
        return round(larger.negative, larger_bits + aligned, exponent, lost_bits);
    }
    // Bits are only lost when the distance exceeds the guard bits, and then the larger operand is
    // normal (at least 2^125 in these units) and the difference keeps more than 120 bits. The exact
    // difference then lies strictly between `larger - aligned - 1` and `larger - aligned`, and with
    // no rounding boundary inside that unit interval, "the lower end plus a sticky remainder"
    // rounds identically.
    let difference = larger_bits - aligned - u128::from(lost_bits);
    if difference == 0 {
        // x - x is +0 under round-to-nearest.
        return LongDouble::zero(false);
    }
    round(larger.negative, difference, exponent, lost_bits)
}

/// Rounds `(-1)^negative * (significand + s) * 2^exponent` to the nearest `LongDouble`, ties to
/// even, where `s` is zero when `sticky` is false and strictly between 0 and 1 when it is true.
/// Handles subnormal results and overflow to infinity.
///
/// When `sticky` is set, the significand must be wide enough that rounding drops at least one of
/// its bits.
fn round(negative: bool, significand: u128, exponent: i64, sticky: bool) -> LongDouble {
    if significand == 0 {
        debug_assert!(!sticky, "a sticky remainder needs a significand above it");
        return LongDouble::zero(negative);
    }
    let width = i64::from(u128::BITS - significand.leading_zeros());
    let top_bit_exponent = exponent + width - 1;
    // Keep 64 bits, or fewer when the value is subnormal and its lowest kept bit would fall below
    // 2^-16445.
    let mut low_bit_exponent = (top_bit_exponent - 63).max(MIN_LOW_BIT_EXPONENT);
    let dropped_bits = low_bit_exponent - exponent;
    let mut kept = if dropped_bits <= 0 {
        debug_assert!(!sticky, "a sticky remainder must fall below the rounding position");
        // Exact: the value already fits in the bits kept, so it only moves up into place.
        significand << dropped_bits.unsigned_abs()
    } else {
        let dropped_bits = dropped_bits.unsigned_abs();
        let (kept, comparison) = if dropped_bits > 128 {
            // Everything is dropped and it is below half of the lowest kept bit.
            (0, Ordering::Less)
        } else {
            let half = 1u128 << (dropped_bits - 1);
            let remainder =
                if dropped_bits == 128 { significand } else { significand & ((half << 1) - 1) };
            let kept = if dropped_bits == 128 { 0 } else { significand >> dropped_bits };
            (
                kept,
                remainder.cmp(&half).then(if sticky { Ordering::Greater } else { Ordering::Equal }),
            )
        };
        match comparison {
            Ordering::Greater => kept + 1,
            Ordering::Equal if kept & 1 == 1 => kept + 1,
            _ => kept,
        }
    };
    if kept == 0 {
        return LongDouble::zero(negative);
    }
    if kept == 1 << 64 {
        // Rounding carried out of the significand.
        kept = 1 << 63;
        low_bit_exponent += 1;
    }
    let sign = if negative { SIGN_BIT } else { 0 };
    let significand = u64::try_from(kept).unwrap_or(u64::MAX);
    if significand & INTEGER_BIT == 0 {
        // Subnormal: the lowest bit sits at the minimum weight and the stored exponent is 0.
        return LongDouble { sign_exponent: sign, significand };
    }
    let biased = low_bit_exponent + 63 + EXPONENT_BIAS;
    match u16::try_from(biased) {
        Ok(biased) if biased < SPECIAL_EXPONENT => {
            LongDouble { sign_exponent: sign | biased, significand }
        }
        _ => LongDouble::infinity(negative),
    }
}

/// Parses the part after "0x": hexadecimal digits with an optional point, then an optional binary
/// exponent `p[sign]digits`, to the end of the input.
fn parse_hexadecimal(negative: bool, text: &[u8]) -> Option<LongDouble> {
    let mantissa = scan_mantissa(text, |byte| byte.is_ascii_hexdigit())?;
    let binary_exponent = scan_exponent(mantissa.rest, b'p')?;
    let value = BigUint::parse_bytes(&mantissa.digits, 16)?;
    // Each fractional hexadecimal digit is worth four bits.
    let exponent = binary_exponent - 4 * mantissa.fraction_digits;
    if value.bits() == 0 {
        return Some(LongDouble::zero(negative));
    }
    let (significand, exponent, sticky) = narrow(&value, exponent, false);
    accept_rounded(round(negative, significand, exponent, sticky))
}

/// Parses decimal digits with an optional point and an optional exponent `e[sign]digits`, to the
/// end of the input, rounding correctly to the nearest value.
fn parse_decimal(negative: bool, text: &[u8]) -> Option<LongDouble> {
    let mantissa = scan_mantissa(text, |byte| byte.is_ascii_digit())?;
    let mut decimal_exponent = scan_exponent(mantissa.rest, b'e')? - mantissa.fraction_digits;
    let digits = &mantissa.digits;
    let Some(first_significant) = digits.iter().position(|&digit| digit != b'0') else {
        // Zero is exact: no range error, and the sign is kept.
        return Some(LongDouble::zero(negative));
    };
    // Trailing zeros only scale by ten; dropping them keeps the big numbers small for inputs like
    // "5000".
    let last_significant =
        digits.iter().rposition(|&digit| digit != b'0').unwrap_or(first_significant);
    decimal_exponent += i64::try_from(digits.len() - 1 - last_significant).unwrap_or(0);
    let significant = &digits[first_significant..=last_significant];
    let significant_count = i64::try_from(significant.len()).unwrap_or(i64::MAX);
    // The value lies in [10^(count - 1 + exponent), 10^(count + exponent)).
    if significant_count - 1 + decimal_exponent >= DECIMAL_OVERFLOW_EXPONENT
        || significant_count + decimal_exponent <= DECIMAL_UNDERFLOW_EXPONENT
    {
        return None;
    }
    let integer = BigUint::parse_bytes(significant, 10)?;
    let (significand, exponent, sticky) = if decimal_exponent >= 0 {
        let power = BigUint::from(10u32).pow(u32::try_from(decimal_exponent).ok()?);
        narrow(&(integer * power), 0, false)
    } else {
        let power = BigUint::from(10u32).pow(u32::try_from(decimal_exponent.unsigned_abs()).ok()?);
        divide_to_bits(&integer, &power)
    };
    accept_rounded(round(negative, significand, exponent, sticky))
}

/// Applies string2ld's range checks to a rounded nonzero input: overflow to infinity and underflow
/// to zero are range errors.
fn accept_rounded(value: LongDouble) -> Option<LongDouble> {
    (value.is_finite() && value.significand != 0).then_some(value)
}

/// Approximates `numerator / denominator` as a quotient of 125 to 127 bits times a power of two,
/// plus a sticky flag for a nonzero remainder: more than enough bits to round to 64 correctly.
fn divide_to_bits(numerator: &BigUint, denominator: &BigUint) -> (u128, i64, bool) {
    let numerator_bits = i64::try_from(numerator.bits()).unwrap_or(i64::MAX);
    let denominator_bits = i64::try_from(denominator.bits()).unwrap_or(i64::MAX);
    // numerator * 2^shift / denominator lies in [2^125, 2^127).
    let shift = 126 - numerator_bits + denominator_bits;
    let (scaled_numerator, scaled_denominator) = if shift >= 0 {
        (numerator << shift.unsigned_abs(), denominator.clone())
    } else {
        (numerator.clone(), denominator << shift.unsigned_abs())
    };
    let quotient = &scaled_numerator / &scaled_denominator;
    let inexact = &quotient * &scaled_denominator != scaled_numerator;
    (low_128_bits(&quotient), -shift, inexact)
}

/// Narrows `value * 2^exponent` to at most 128 significant bits, folding the dropped bits into
/// `sticky`.
fn narrow(value: &BigUint, exponent: i64, sticky: bool) -> (u128, i64, bool) {
    let excess = value.bits().saturating_sub(128);
    if excess == 0 {
        return (low_128_bits(value), exponent, sticky);
    }
    let dropped_nonzero = value.trailing_zeros().is_some_and(|zeros| zeros < excess);
    let exponent = exponent + i64::try_from(excess).unwrap_or(i64::MAX);
    (low_128_bits(&(value >> excess)), exponent, sticky || dropped_nonzero)
}

fn low_128_bits(value: &BigUint) -> u128 {
    let mut limbs = value.iter_u64_digits();
    let low = limbs.next().unwrap_or(0);
    let high = limbs.next().unwrap_or(0);
    u128::from(high) << 64 | u128::from(low)
}

/// The digits of a number's mantissa, the point removed, and what follows them.
struct Mantissa<'input> {
    digits: Vec<u8>,
    fraction_digits: i64,
    rest: &'input [u8],
}

/// Scans `digits [. digits]` or `. digits`; `None` when there is no digit at all, as strtold then
/// converts nothing (or only a preceding "0" of "0x") and the input is garbage.
fn scan_mantissa(text: &[u8], is_digit: fn(u8) -> bool) -> Option<Mantissa<'_>> {
    let integer_length = text.iter().take_while(|&&byte| is_digit(byte)).count();
    let mut digits = text[..integer_length].to_vec();
    let mut rest = &text[integer_length..];
    let mut fraction_length = 0;
    if let Some((b'.', after_point)) = rest.split_first() {
        fraction_length = after_point.iter().take_while(|&&byte| is_digit(byte)).count();
        digits.extend_from_slice(&after_point[..fraction_length]);
        rest = &after_point[fraction_length..];
    }
    if digits.is_empty() {
        return None;
    }
    // The input is under 5 KiB, so the count fits easily.
    let fraction_digits = i64::try_from(fraction_length).unwrap_or(EXPONENT_CLAMP);
    Some(Mantissa { digits, fraction_digits, rest })
}

/// Scans an optional exponent introduced by `marker` (either case) that must end the input. An
/// empty rest means exponent 0; anything else that is not a complete exponent is trailing garbage
/// (strtold would leave an incomplete exponent unconsumed). The magnitude is clamped to
/// `EXPONENT_CLAMP`.
fn scan_exponent(rest: &[u8], marker: u8) -> Option<i64> {
    let Some((&first, after_marker)) = rest.split_first() else {
        return Some(0);
    };
    if !first.eq_ignore_ascii_case(&marker) {
        return None;
    }
    let (negative, digits) = match after_marker.split_first() {
        Some((b'-', digits)) => (true, digits),
        Some((b'+', digits)) => (false, digits),
        _ => (false, after_marker),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let magnitude = digits
        .iter()
        .fold(0i64, |total, &digit| (total * 10 + i64::from(digit - b'0')).min(EXPONENT_CLAMP));
    Some(if negative { -magnitude } else { magnitude })
}

/// The decimal digits of the integer `significand * 2^exponent` (exponent at least 0).
fn integer_to_decimal(significand: u64, exponent: i64) -> String {
    match u32::try_from(exponent) {
        Ok(shift) if shift <= 64 => (u128::from(significand) << shift).to_string(),
        _ => (BigUint::from(significand) << exponent.unsigned_abs()).to_string(),
    }
}

/// `significand * 2^-fraction_bits * 10^17`, rounded to the nearest integer with ties to even, as
/// glibc's printf rounds its exact expansion to 17 fractional digits.
fn fixed_point_digits(significand: u64, fraction_bits: u64) -> u128 {
    // Below 2^64 * 10^17 < 2^121, so the product never overflows.
    let scaled = u128::from(significand) * TEN_TO_FRACTION_DIGITS;
    if fraction_bits >= 128 {
        // The value is below 2^121 / 2^128, under half of the last digit.
        return 0;
    }
    let half = 1u128 << (fraction_bits - 1);
    let whole = scaled >> fraction_bits;
    let remainder = scaled & ((half << 1) - 1);
    match remainder.cmp(&half) {
        Ordering::Greater => whole + 1,
        Ordering::Equal if whole & 1 == 1 => whole + 1,
        _ => whole,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod timeout_tests;
