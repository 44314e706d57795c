//! Integer parsing with the exact rules of Redis's `string2ll`.

/// Longest text `string2ll` will look at; its `LONG_STR_SIZE` is 21, and it rejects
/// anything of that length or more.
const MAX_DIGITS: usize = 20;

/// Parses a signed 64-bit integer the way Redis parses lengths and counts.
///
/// Accepted: `0`, or an optional `-` followed by a digit 1-9 and more digits, fitting in
/// an `i64`. Rejected: the empty string, `+`, leading zeros, `-0`, spaces and anything
/// longer than 20 bytes. Being this strict matters: a request Redis refuses must be
/// refused here too, with the same error.
pub(crate) fn parse_i64(text: &[u8]) -> Option<i64> {
    if text.is_empty() || text.len() > MAX_DIGITS {
        return None;
    }
    if text == b"0" {
        return Some(0);
    }
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if !matches!(digits.first(), Some(b'1'..=b'9')) {
        return None;
    }
    let mut magnitude: u64 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
    }
    if !negative {
        i64::try_from(magnitude).ok()
    } else if magnitude == i64::MIN.unsigned_abs() {
        Some(i64::MIN)
    } else {
        i64::try_from(magnitude).ok().map(|value| -value)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_i64;

    fn check(text: &str, expected: Option<i64>) {
        assert_eq!(parse_i64(text.as_bytes()), expected, "parsing {text:?}");
    }

    #[test]
    fn accepts_canonical_integers() {
        check("0", Some(0));
        check("7", Some(7));
        check("-1", Some(-1));
        check("1234567890", Some(1_234_567_890));
        check("9223372036854775807", Some(i64::MAX));
        check("-9223372036854775808", Some(i64::MIN));
    }

    #[test]
    fn rejects_what_redis_rejects() {
        for text in [
            "",
            "-",
            "+1",
            "01",
            "00",
            "-0",
            "-01",
            " 1",
            "1 ",
            "1a",
            "0x10",
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "99999999999999999999",
            "000000000000000000001",
        ] {
            check(text, None);
        }
    }
}
