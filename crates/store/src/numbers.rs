//! Redis's rules for reading and writing numbers stored in strings.

use crate::long_double::LongDouble;

/// Reads a timeout in seconds as Redis 7.0's blocking commands do: `string2ld` (decimal or
/// hexadecimal floats, `inf`; no spaces, no NaN), then `(long long) ceill(seconds * 1000.0)` in
/// the x87's extended precision. So `1e-400` is 1 ms (a `double` would make it 0, "wait for
/// ever"), `-0.001` is 0 (the product rounds to just above -1), and values past the 64-bit range
/// come out as `i64::MIN`. `None` when `text` is not such a number.
pub fn parse_timeout_milliseconds(text: &[u8]) -> Option<i64> {
    LongDouble::parse(text).map(|seconds| seconds.times(1000).ceil_to_i64())
}

/// Parses `text` as Redis's `string2ll` does: an optional `-`, then digits with no leading
/// zero (except `0` itself), no `+`, no spaces, within the 64-bit signed range.
pub fn parse_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    match digits {
        [] => return None,
        [b'0'] => return (!negative).then_some(0),
        [b'0', ..] => return None,
        _ => {}
    }
    let mut magnitude: u64 = 0;
    for &byte in digits {
        if !byte.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude.checked_mul(10)?.checked_add(u64::from(byte - b'0'))?;
    }
    if negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() }
}

/// The decimal text of `value`, as Redis stores integers.
pub(crate) fn format_i64(value: i64) -> Vec<u8> {
    value.to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::parse_i64;

    #[test]
    fn parses_like_string2ll() {
        let cases: &[(&str, Option<i64>)] = &[
            ("0", Some(0)),
            ("-1", Some(-1)),
            ("42", Some(42)),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("-9223372036854775809", None),
            ("", None),
            ("-", None),
            ("-0", None),
            ("01", None),
            ("+1", None),
            (" 1", None),
            ("1 ", None),
            ("1.0", None),
            ("99999999999999999999999", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_i64(text.as_bytes()), *expected, "{text:?}");
        }
    }
}
