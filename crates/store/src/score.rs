//! Sorted-set scores as text: read the way Redis reads them (C's `strtod`, with Redis's checks
//! around it) and printed the way Redis 7.0 prints them (`%.17g`).
//!
//! Redis has two readers. Scores, increments and weights go through `string2d`: the whole
//! argument must be one number, with no leading space, and a result that overflows to an
//! infinity or underflows to zero is refused (while `inf` written out, and subnormals, are
//! fine). Range bounds (`ZRANGEBYSCORE` and friends) call `strtod` directly: leading white
//! space is skipped, the argument ends at its first NUL byte, an empty argument is 0, and out
//! of range values simply become infinities or zero. Both refuse NaN.

use std::cmp::Ordering;

use num_bigint::BigUint;

/// What `strtod` made of a complete number.
struct Number {
    value: f64,
    /// `strtod` would set `ERANGE`: a finite number too big (now an infinity) or a non-zero
    /// number too small (now zero).
    range_error: bool,
    /// glibc's `strtod` would also set `ERANGE` for a non-zero result: the number is below
    /// the least normal double even when rounded to 53 bits, and its subnormal result is not
    /// exact. `string2d` ignores that case; `SORT` does not.
    inexact_subnormal: bool,
}

impl Number {
    fn exact(value: f64) -> Number {
        Number { value, range_error: false, inexact_subnormal: false }
    }

    fn out_of_range(value: f64) -> Number {
        Number { value, range_error: true, inexact_subnormal: false }
    }
}

/// Parses a score, increment or weight as Redis's `string2d` does; `None` means
/// `value is not a valid float`.
pub fn parse_score(text: &[u8]) -> Option<f64> {
    let number = parse_number(text)?;
    (!number.range_error && !number.value.is_nan()).then_some(number.value)
}

/// Parses one side of a score range after its optional `(`, as `zslParseRange` does; `None`
/// means `min or max is not a float`.
pub(crate) fn parse_range_number(text: &[u8]) -> Option<f64> {
    let text = text.split(|&byte| byte == 0).next().unwrap_or_default();
    if text.is_empty() {
        return Some(0.0);
    }
    let start = text.iter().position(|&byte| !is_c_space(byte))?;
    let number = parse_number(&text[start..])?;
    (!number.value.is_nan()).then_some(number.value)
}

/// Parses a `SORT` weight as Redis does: C's `strtod` on the text up to its first NUL byte
/// (leading white space skipped, an empty text 0), refusing anything left over, a range
/// error and NaN; `None` means `One or more scores can't be converted into double`.
pub fn parse_sort_weight(text: &[u8]) -> Option<f64> {
    let text = text.split(|&byte| byte == 0).next().unwrap_or_default();
    if text.is_empty() {
        return Some(0.0);
    }
    let start = text.iter().position(|&byte| !is_c_space(byte))?;
    let number = parse_number(&text[start..])?;
    let refused = number.range_error || number.inexact_subnormal || number.value.is_nan();
    (!refused).then_some(number.value)
}

/// C's `isspace` in the "C" locale.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Parses `text` as `strtod` would, requiring it to consume every byte: an optional sign, then
/// `inf`, `infinity`, a decimal number or a `0x` hexadecimal one. NaN spellings give `None`,
/// as every caller refuses them.
fn parse_number(text: &[u8]) -> Option<Number> {
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let magnitude = if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
        Number::exact(f64::INFINITY)
    } else if body.len() > 2 && body[0] == b'0' && matches!(body[1], b'x' | b'X') {
        parse_hex(&body[2..])?
    } else {
        parse_decimal(body)?
    };
    let value = if negative { -magnitude.value } else { magnitude.value };
    Some(Number { value, ..magnitude })
}

/// `digits [. digits] [e [sign] digits]` with at least one mantissa digit.
fn parse_decimal(body: &[u8]) -> Option<Number> {
    let digits = |from: usize| body[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    let integer = digits(0);
    let mut end = integer;
    let mut fraction = 0;
    if body.get(end) == Some(&b'.') {
        fraction = digits(end + 1);
        end += 1 + fraction;
    }
    if integer + fraction == 0 {
        return None;
    }
    let mantissa_end = end;
    if matches!(body.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(body.get(end + 1), Some(b'+' | b'-')));
        let exponent = digits(end + 1 + sign);
        if exponent == 0 {
            return None;
        }
        end += 1 + sign + exponent;
    }
    if end != body.len() {
        return None;
    }
    // Every byte is ASCII by now, and Rust's parser rounds correctly, as glibc's does.
    let value: f64 = std::str::from_utf8(body).ok()?.parse().ok()?;
    let nonzero = body[..mantissa_end].iter().any(|b| matches!(b, b'1'..=b'9'));
    let range_error = value.is_infinite() || (value == 0.0 && nonzero);
    let inexact_subnormal = value != 0.0
        && value <= f64::MIN_POSITIVE
        && decimal_underflows(
            &body[..mantissa_end],
            &body[end_of_exponent(body, mantissa_end)..],
            value,
        );
    Some(Number { value, range_error, inexact_subnormal })
}

/// Where the exponent's digits start in `body` (its end when there is no exponent).
fn end_of_exponent(body: &[u8], mantissa_end: usize) -> usize {
    match body.get(mantissa_end) {
        Some(b'e' | b'E') => mantissa_end + 1,
        _ => body.len(),
    }
}

/// The most significant digits [`decimal_underflows`] works with. The exact decimal
/// expansion of any double below `2^-1021` has fewer (about 770), so a number with more is
/// not exactly a double, and its first digits alone place it against the threshold.
const MOST_DIGITS_COMPARED: usize = 800;

/// Whether the decimal `mantissa` (digits and perhaps a point) times ten to `exponent` (an
/// optional sign and digits, or nothing), whose nearest double `value` is non-zero and at
/// most the least normal one, makes glibc's `strtod` report an underflow: it is below
/// `2^-1022` even when rounded to 53 bits (below `2^-1022 - 2^-1076`, a tie there rounding
/// up), and `value` is not exactly it. Exact arithmetic on integers, `m / 10^n` against
/// `q / 2^p`, on at most [`MOST_DIGITS_COMPARED`] digits, so `n` stays near 1,100.
fn decimal_underflows(mantissa: &[u8], exponent: &[u8], value: f64) -> bool {
    let digits: Vec<u8> = mantissa.iter().copied().filter(u8::is_ascii_digit).collect();
    let fraction =
        mantissa.iter().position(|&b| b == b'.').map_or(0, |point| mantissa.len() - point - 1);
    let (Some(first), Some(last)) =
        (digits.iter().position(|&d| d != b'0'), digits.iter().rposition(|&d| d != b'0'))
    else {
        return false;
    };
    let significant = &digits[first..=last];
    let kept = &significant[..significant.len().min(MOST_DIGITS_COMPARED)];
    let exponent = match std::str::from_utf8(exponent) {
        Ok("") => 0,
        Ok(text) => match text.parse::<i64>() {
            Ok(exponent) => exponent,
            Err(_) => return true,
        },
        Err(_) => return true,
    };
    let dropped = (digits.len() - 1 - last) + (significant.len() - kept.len());
    // x = m * 10^scale (m from the digits kept); for a value this small the scale is negative.
    let scale = i64::try_from(dropped)
        .unwrap_or(i64::MAX)
        .saturating_add(exponent)
        .saturating_sub(i64::try_from(fraction).unwrap_or(i64::MAX));
    let (Some(m), Ok(n)) = (BigUint::parse_bytes(kept, 10), u32::try_from(scale.saturating_neg()))
    else {
        return true;
    };
    let ten_to_n = BigUint::from(10u8).pow(n);
    // Compares x with q / 2^p.
    let compare = |q: BigUint, p: u32| (&m << p).cmp(&(q * &ten_to_n));
    let threshold = (BigUint::from(1u8) << 54u32) - 1u8;
    let tiny = compare(threshold, 1076) == Ordering::Less;
    let units = (value.abs() / f64::from_bits(1)) as u64;
    let inexact =
        kept.len() < significant.len() || compare(BigUint::from(units), 1074) != Ordering::Equal;
    tiny && inexact
}

/// The part after `0x`: `hexdigits [. hexdigits] [p [sign] digits]`, correctly rounded.
fn parse_hex(body: &[u8]) -> Option<Number> {
    let mut mantissa: u64 = 0;
    // The value is `mantissa * 2^shift`, plus less than one unit when `sticky`.
    let mut shift: i64 = 0;
    let mut sticky = false;
    let mut any_digit = false;
    let mut seen_point = false;
    let mut index = 0;
    while let Some(&byte) = body.get(index) {
        if byte == b'.' && !seen_point {
            seen_point = true;
        } else if let Some(digit) = char::from(byte).to_digit(16) {
            any_digit = true;
            if mantissa >> 60 == 0 {
                mantissa = mantissa << 4 | u64::from(digit);
                if seen_point {
                    shift -= 4;
                }
            } else {
                sticky |= digit != 0;
                if !seen_point {
                    shift += 4;
                }
            }
        } else {
            break;
        }
        index += 1;
    }
    if !any_digit {
        return None;
    }
    if matches!(body.get(index), Some(b'p' | b'P')) {
        let (negative, start) = match body.get(index + 1) {
            Some(b'-') => (true, index + 2),
            Some(b'+') => (false, index + 2),
            _ => (false, index + 1),
        };
        let count = body[start.min(body.len())..].iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return None;
        }
        let exponent = body[start..start + count]
            .iter()
            .fold(0i64, |total, digit| (total * 10 + i64::from(digit - b'0')).min(1 << 40));
        shift += if negative { -exponent } else { exponent };
        index = start + count;
    }
    if index != body.len() {
        return None;
    }
    Some(compose(mantissa, shift, sticky))
}

/// The double nearest to `mantissa * 2^shift` (ties to even), where `sticky` says some
/// non-zero bits below the mantissa were dropped.
fn compose(mantissa: u64, shift: i64, sticky: bool) -> Number {
    if mantissa == 0 {
        return Number::exact(0.0);
    }
    let leading = i64::from(mantissa.leading_zeros());
    let normalized = u128::from(mantissa << leading);
    // The value is 1.f * 2^exponent.
    let exponent = shift + 63 - leading;
    if exponent > 1023 {
        return Number::out_of_range(f64::INFINITY);
    }
    // Keep bits down to 2^unit: 53 of them for normal numbers, fewer for subnormal ones.
    let unit = (exponent - 52).max(-1074);
    let drop = unit - (exponent - 63);
    let (mut kept, remainder, half) = if drop >= 128 {
        (0u128, normalized, u128::MAX)
    } else {
        let half = 1u128 << (drop - 1);
        (normalized >> drop, normalized & ((1u128 << drop) - 1), half)
    };
    if remainder > half || (remainder == half && (sticky || kept & 1 == 1)) {
        kept += 1;
    }
    let kept = u64::try_from(kept).unwrap_or(u64::MAX);
    if kept == 0 {
        return Number::out_of_range(0.0);
    }
    // Below 2^-1022 even when rounded to 53 bits, and not exact on the subnormal grid.
    let tiny = exponent < -1022 && !(exponent == -1023 && carries_at_53_bits(normalized, sticky));
    let inexact_subnormal = tiny && (remainder != 0 || sticky);
    let bits = if exponent - 52 < -1074 {
        // Subnormal: the field is the kept bits (a carry into bit 52 makes the least normal).
        kept
    } else {
        let (kept, unit) = if kept == 1 << 53 { (kept >> 1, unit + 1) } else { (kept, unit) };
        let biased = unit + 52 + 1023;
        if biased >= 2047 {
            return Number::out_of_range(f64::INFINITY);
        }
        (u64::try_from(biased).unwrap_or(0) << 52) | (kept & ((1 << 52) - 1))
    };
    Number { value: f64::from_bits(bits), range_error: false, inexact_subnormal }
}

/// Whether rounding the 64-bit `normalized` mantissa (top bit set, `sticky` for non-zero
/// bits below it) to 53 bits, ties to even, carries into a 54th bit.
fn carries_at_53_bits(normalized: u128, sticky: bool) -> bool {
    let kept = normalized >> 11;
    let (remainder, half) = (normalized & 0x7ff, 0x400);
    let rounds_up = remainder > half || (remainder == half && (sticky || kept & 1 == 1));
    kept == (1 << 53) - 1 && rounds_up
}

/// Prints a score as Redis 7.0 replies with it: C's `%.17g`, and `inf`/`-inf`.
pub fn format_score(score: f64) -> String {
    ScoreText::new(score).as_str().to_owned()
}

/// A score printed as [`format_score`] prints it, held on the stack: replies that carry
/// many scores copy each into their buffer without an allocation of its own.
pub struct ScoreText {
    bytes: [u8; Self::CAPACITY],
    len: usize,
}

impl ScoreText {
    /// The longest text `%.17g` gives is 24 bytes (`-1.2345678901234567e-308`).
    const CAPACITY: usize = 32;

    /// Prints `score`.
    pub fn new(score: f64) -> ScoreText {
        let mut text = ScoreText { bytes: [0; Self::CAPACITY], len: 0 };
        if score.is_nan() {
            text.push(b"nan");
            return text;
        }
        if score.is_sign_negative() {
            text.push(b"-");
        }
        let magnitude = score.abs();
        if magnitude.is_infinite() {
            text.push(b"inf");
        } else if magnitude.fract() == 0.0 && magnitude < 1e17 {
            // A whole number of at most 17 digits is exact, and `%.17g` prints it whole
            // (its exponent is below 17): the common case of counters and timestamps.
            text.push_integer(magnitude as u64);
        } else {
            text.push_seventeen_digits(magnitude);
        }
        text
    }

    /// The printed score.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, signs, dots and letters are ever pushed.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The printed score, as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn push(&mut self, bytes: &[u8]) {
        self.bytes[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn push_integer(&mut self, value: u64) {
        self.push(itoa::Buffer::new().format(value).as_bytes());
    }

    /// Seventeen significant digits of a finite, non-negative `magnitude`, correctly
    /// rounded, in `%g`'s layout: fixed for exponents from -4 to 16, scientific otherwise,
    /// trailing zeros of the fraction dropped.
    fn push_seventeen_digits(&mut self, magnitude: f64) {
        let (digits, exponent) =
            seventeen_digits_exactly(magnitude).unwrap_or_else(|| seventeen_digits(magnitude));
        if (-4..17).contains(&exponent) {
            if exponent >= 0 {
                let split = usize::try_from(exponent).unwrap_or(0) + 1;
                self.push(&digits[..split]);
                self.push_fraction(&[], &digits[split..]);
            } else {
                self.push(b"0");
                let zeros = usize::try_from(-exponent - 1).unwrap_or(0);
                self.push_fraction(&b"000"[..zeros], &digits);
            }
        } else {
            self.push(&digits[..1]);
            self.push_fraction(&[], &digits[1..]);
            self.push(if exponent < 0 { b"e-" } else { b"e+" });
            let exponent = u64::from(exponent.unsigned_abs());
            if exponent < 10 {
                self.push(b"0");
            }
            self.push_integer(exponent);
        }
    }

    /// Appends `.zeros digits` without the trailing zeros of `digits`, or nothing when they
    /// are all zeros.
    fn push_fraction(&mut self, zeros: &[u8], digits: &[u8]) {
        let kept = digits.iter().rposition(|&digit| digit != b'0').map_or(0, |last| last + 1);
        if kept > 0 {
            self.push(b".");
            self.push(zeros);
            self.push(&digits[..kept]);
        }
    }
}

/// The 17 significant digits of `magnitude`, correctly rounded, and its decimal exponent,
/// from Rust's exact formatting ("d.dddddddddddddddde<exponent>").
fn seventeen_digits(magnitude: f64) -> ([u8; 17], i32) {
    use std::io::Write;
    let mut scientific = [0u8; ScoreText::CAPACITY];
    let written = {
        let mut cursor = &mut scientific[..];
        // Cannot fail: the longest form is 1 + 1 + 16 + 1 + 4 bytes.
        let _ = write!(cursor, "{magnitude:.16e}");
        ScoreText::CAPACITY - cursor.len()
    };
    let scientific = &scientific[..written];
    let mut digits = [0u8; 17];
    digits[0] = scientific[0];
    digits[1..].copy_from_slice(&scientific[2..18]);
    let exponent = std::str::from_utf8(&scientific[19..])
        .ok()
        .and_then(|text| text.parse::<i32>().ok())
        .unwrap_or(0);
    (digits, exponent)
}

/// [`seventeen_digits`] by integer arithmetic, for the values ordinary fractional scores
/// take (from 10^-6 up to 2^53, past which every double is whole): the value times the
/// power of ten that brings it to 17 digits is exact in 128 bits, so it is rounded once,
/// half to even, as the C library does. `None` outside that range.
fn seventeen_digits_exactly(magnitude: f64) -> Option<([u8; 17], i32)> {
    const LOWEST_17_DIGITS: u128 = 10u128.pow(16);
    if !(1e-6..9_007_199_254_740_992.0).contains(&magnitude) {
        return None;
    }
    // magnitude = mantissa * 2^binary_exponent, exactly (a normal double here).
    let bits = magnitude.to_bits();
    let mantissa = u128::from((bits & ((1 << 52) - 1)) | (1 << 52));
    let binary_exponent = i32::try_from((bits >> 52) & 0x7ff).ok()? - 1075;
    let mut exponent = magnitude.log10().floor() as i32;
    // The estimate of the decimal exponent can be one off either way; the digits say which.
    for _ in 0..3 {
        let scale = 16 - exponent;
        let scaled = mantissa * u128::from(5u64.pow(u32::try_from(scale).ok()?));
        let shift = -(binary_exponent + scale);
        let (whole, rounded) = if shift <= 0 {
            let exact = scaled << -shift;
            (exact, exact)
        } else {
            let shift = u32::try_from(shift).ok()?;
            let (whole, remainder, half) =
                (scaled >> shift, scaled & ((1 << shift) - 1), 1u128 << (shift - 1));
            let up = remainder > half || (remainder == half && whole & 1 == 1);
            (whole, whole + u128::from(up))
        };
        // The exponent is right when the unrounded value has 17 digits before the point.
        if whole >= LOWEST_17_DIGITS * 10 {
            exponent += 1;
        } else if whole < LOWEST_17_DIGITS {
            exponent -= 1;
        } else {
            // Rounding 99999999999999999.5 carries into an 18th digit: 1 and the next power.
            let (rounded, exponent) = if rounded == LOWEST_17_DIGITS * 10 {
                (LOWEST_17_DIGITS, exponent + 1)
            } else {
                (rounded, exponent)
            };
            // Below 10^17, so it fits 64 bits, whose division is far cheaper.
            let mut rest = u64::try_from(rounded).ok()?;
            let mut digits = [0u8; 17];
            for digit in digits.iter_mut().rev() {
                *digit = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            return Some((digits, exponent));
        }
    }
    None
}

#[cfg(test)]
mod tests;
