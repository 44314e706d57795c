//! Sorted-set scores as text: read the way Redis reads them (C's `strtod`, with Redis's checks
//! around it) and printed the way Redis 7.0 prints them (`%.17g`).
//!
//! Redis has two readers. Scores, increments and weights go through `string2d`: the whole
//! argument must be one number, with no leading space, and a result that overflows to an
//! infinity or underflows to zero is refused (while `inf` written out, and subnormals, are
//! fine). Range bounds (`ZRANGEBYSCORE` and friends) call `strtod` directly: leading white
//! space is skipped, the argument ends at its first NUL byte, an empty argument is 0, and out
//! of range values simply become infinities or zero. Both refuse NaN.

/// What `strtod` made of a complete number.
struct Number {
    value: f64,
    /// `strtod` would set `ERANGE`: a finite number too big (now an infinity) or a non-zero
    /// number too small (now zero).
    range_error: bool,
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
    (!number.range_error && !number.value.is_nan()).then_some(number.value)
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
        Number { value: f64::INFINITY, range_error: false }
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
    Some(Number { value, range_error })
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
        return Number { value: 0.0, range_error: false };
    }
    let leading = i64::from(mantissa.leading_zeros());
    let normalized = u128::from(mantissa << leading);
    // The value is 1.f * 2^exponent.
    let exponent = shift + 63 - leading;
    if exponent > 1023 {
        return Number { value: f64::INFINITY, range_error: true };
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
        return Number { value: 0.0, range_error: true };
    }
    let bits = if exponent - 52 < -1074 {
        // Subnormal: the field is the kept bits (a carry into bit 52 makes the least normal).
        kept
    } else {
        let (kept, unit) = if kept == 1 << 53 { (kept >> 1, unit + 1) } else { (kept, unit) };
        let biased = unit + 52 + 1023;
        if biased >= 2047 {
            return Number { value: f64::INFINITY, range_error: true };
        }
        (u64::try_from(biased).unwrap_or(0) << 52) | (kept & ((1 << 52) - 1))
    };
    Number { value: f64::from_bits(bits), range_error: false }
}

/// Prints a score as Redis 7.0 replies with it: C's `%.17g`, and `inf`/`-inf`.
pub fn format_score(score: f64) -> String {
    if score.is_infinite() {
        return if score > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // 17 significant digits, correctly rounded: "d.dddddddddddddddde<exponent>".
    let scientific = format!("{:.16e}", score.abs());
    let (digits, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits = digits.replace('.', "");
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let mut text = String::with_capacity(24);
    if score.is_sign_negative() {
        text.push('-');
    }
    if (-4..17).contains(&exponent) {
        if exponent >= 0 {
            let split = usize::try_from(exponent).unwrap_or(0) + 1;
            text.push_str(&digits[..split]);
            push_fraction(&mut text, &digits[split..]);
        } else {
            text.push('0');
            let zeros = "0".repeat(usize::try_from(-exponent - 1).unwrap_or(0));
            push_fraction(&mut text, &format!("{zeros}{digits}"));
        }
    } else {
        text.push_str(&digits[..1]);
        push_fraction(&mut text, &digits[1..]);
        let sign = if exponent < 0 { '-' } else { '+' };
        text.push_str(&format!("e{sign}{:02}", exponent.unsigned_abs()));
    }
    text
}

/// Appends `.fraction` without its trailing zeros, or nothing when they are all zeros.
fn push_fraction(text: &mut String, fraction: &str) {
    let fraction = fraction.trim_end_matches('0');
    if !fraction.is_empty() {
        text.push('.');
        text.push_str(fraction);
    }
}

#[cfg(test)]
mod tests;
