//! Parsing configuration values the way Redis 7.0 parses them, with its error texts: plain
//! integers, memory sizes (`1gb`), yes/no, enumerations, `save` points and
//! `client-output-buffer-limit` classes.

use resplite_store::parse_i64;

use crate::args::c_string;

/// Why a value was refused; the text follows Redis's `CONFIG SET failed … - ` prefix.
pub(crate) type Refusal = String;

/// A whole number in `min..=max`, written as Redis's `string2ll` accepts it (no sign but
/// `-`, no leading zeros, no spaces).
pub(crate) fn integer(text: &[u8], min: i64, max: i64) -> Result<i64, Refusal> {
    let value = parse_i64(text).ok_or("argument couldn't be parsed into an integer")?;
    if !(min..=max).contains(&value) {
        return Err(format!("argument must be between {min} and {max} inclusive"));
    }
    Ok(value)
}

/// A memory size as Redis's `memtoull` reads it: digits then an optional unit, `b`, `k`
/// (1000), `kb` (1024), `m`, `mb`, `g`, `gb`, any case. As in Redis, a digit string too big
/// saturates and a unit multiplication wraps.
pub(crate) fn memory(text: &[u8]) -> Option<u64> {
    let digits = text.iter().take_while(|byte| byte.is_ascii_digit()).count();
    let unit = String::from_utf8_lossy(&text[digits..]).to_ascii_lowercase();
    let multiplier: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    let number = text[..digits].iter().fold(0u64, |number, digit| {
        number.saturating_mul(10).saturating_add(u64::from(digit - b'0'))
    });
    Some(number.wrapping_mul(multiplier))
}

/// A memory size in `min..=max`.
pub(crate) fn bounded_memory(text: &[u8], min: u64, max: u64) -> Result<u64, Refusal> {
    let value = memory(text).ok_or("argument must be a memory value")?;
    if !(min..=max).contains(&value) {
        return Err(format!("argument must be between {min} and {max} inclusive"));
    }
    Ok(value)
}

/// `yes` or `no`, any case, up to a zero byte (Redis compares with `strcasecmp`).
pub(crate) fn yes_no(text: &[u8]) -> Result<bool, Refusal> {
    let text = c_string(text);
    if text.eq_ignore_ascii_case(b"yes") {
        Ok(true)
    } else if text.eq_ignore_ascii_case(b"no") {
        Ok(false)
    } else {
        Err("argument must be 'yes' or 'no'".into())
    }
}

/// One of `choices` (any case, up to a zero byte as for [`yes_no`]), returned as written in
/// `choices`.
pub(crate) fn one_of(text: &[u8], choices: &[&'static str]) -> Result<&'static str, Refusal> {
    let text = c_string(text);
    choices
        .iter()
        .copied()
        .find(|choice| text.eq_ignore_ascii_case(choice.as_bytes()))
        .ok_or_else(|| format!("argument(s) must be one of the following: {}", choices.join(", ")))
}

/// The `save` points: pairs of seconds (at least 1) and changes (at least 0), printed back
/// as Redis prints them; an empty value means no points.
pub(crate) fn save_points(text: &[u8]) -> Result<String, Refusal> {
    const INVALID: &str = "Invalid save parameters";
    let words = words(text);
    if !words.len().is_multiple_of(2) {
        return Err(INVALID.into());
    }
    let mut numbers = Vec::with_capacity(words.len());
    for (index, word) in words.iter().enumerate() {
        let minimum = if index % 2 == 0 { 1 } else { 0 };
        match lenient_integer(word) {
            Some(number) if number >= minimum => numbers.push(number.to_string()),
            _ => return Err(INVALID.into()),
        }
    }
    Ok(numbers.join(" "))
}

/// The words of a multi-word value, split at every single space as Redis splits them (so
/// two spaces in a row make an empty word); an empty value has no words.
fn words(text: &[u8]) -> Vec<&[u8]> {
    if text.is_empty() { Vec::new() } else { text.split(|byte| *byte == b' ').collect() }
}

/// An integer as C's `strtoll` reads a whole word: an optional sign, then digits.
fn lenient_integer(word: &[u8]) -> Option<i64> {
    let (negative, digits) = match word.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, word),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let magnitude = std::str::from_utf8(digits).ok()?.parse::<i64>().unwrap_or(i64::MAX);
    Some(if negative { -magnitude } else { magnitude })
}

/// The output-buffer limits of one client class: a hard limit, and a soft limit that may be
/// exceeded for at most `soft_seconds` (0 bytes means no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OutputLimit {
    pub(crate) hard: u64,
    pub(crate) soft: u64,
    pub(crate) soft_seconds: u64,
}

/// The classes of `client-output-buffer-limit`, in the order Redis prints them.
pub(crate) const OUTPUT_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

/// Redis's defaults: normal clients unlimited, replicas 256 MB / 64 MB for 60 s, pub/sub
/// clients 32 MB / 8 MB for 60 s.
pub(crate) const DEFAULT_OUTPUT_LIMITS: [OutputLimit; 3] = [
    OutputLimit { hard: 0, soft: 0, soft_seconds: 0 },
    OutputLimit { hard: 256 << 20, soft: 64 << 20, soft_seconds: 60 },
    OutputLimit { hard: 32 << 20, soft: 8 << 20, soft_seconds: 60 },
];

/// Applies `client-output-buffer-limit` text (`<class> <hard> <soft> <seconds>`, repeated)
/// to `limits`; classes not named keep their limits.
pub(crate) fn output_limits(
    text: &[u8],
    mut limits: [OutputLimit; 3],
) -> Result<[OutputLimit; 3], Refusal> {
    let words = words(text);
    if !words.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    for group in words.chunks(4) {
        let class = group[0];
        let index = if class.eq_ignore_ascii_case(b"replica") {
            1
        } else {
            OUTPUT_CLASSES
                .iter()
                .position(|name| class.eq_ignore_ascii_case(name.as_bytes()))
                .ok_or("Invalid client class specified in buffer limit configuration.")?
        };
        let hard = memory(group[1]);
        let soft = memory(group[2]);
        let seconds = lenient_integer(group[3]).filter(|seconds| *seconds >= 0);
        let (Some(hard), Some(soft), Some(seconds)) = (hard, soft, seconds) else {
            return Err("Error in hard, soft or soft_seconds setting in buffer limit \
                        configuration."
                .into());
        };
        limits[index] = OutputLimit { hard, soft, soft_seconds: seconds as u64 };
    }
    Ok(limits)
}

/// `client-output-buffer-limit` as `CONFIG GET` prints it.
pub(crate) fn format_output_limits(limits: &[OutputLimit; 3]) -> String {
    OUTPUT_CLASSES
        .iter()
        .zip(limits)
        .map(|(class, limit)| {
            format!("{class} {} {} {}", limit.hard, limit.soft, limit.soft_seconds)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_sizes_read_as_memtoull_reads_them() {
        assert_eq!(memory(b"1gb"), Some(1 << 30));
        assert_eq!(memory(b"1G"), Some(1_000_000_000));
        assert_eq!(memory(b"1KB"), Some(1024));
        assert_eq!(memory(b"100mb"), Some(100 << 20));
        assert_eq!(memory(b""), Some(0));
        assert_eq!(memory(b"kb"), Some(0));
        assert_eq!(memory(b"01"), Some(1));
        assert_eq!(memory(b"18446744073709551616"), Some(u64::MAX));
        assert_eq!(memory(b"99999999999gb"), Some(15_140_462_030_378_500_096));
        for bad in [&b"1.5"[..], b"+1", b" 1", b"-1", b"1 kb", b"1tb"] {
            assert_eq!(memory(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn integers_and_their_errors() {
        assert_eq!(integer(b"10", 0, 100), Ok(10));
        assert_eq!(
            integer(b"-1", 0, i32::MAX.into()).unwrap_err(),
            "argument must be between 0 and 2147483647 inclusive"
        );
        for bad in [&b"+5"[..], b"05", b"-0", b" 5", b"1e3", b""] {
            assert_eq!(
                integer(bad, 0, 10).unwrap_err(),
                "argument couldn't be parsed into an integer"
            );
        }
    }

    #[test]
    fn enumerations_and_booleans() {
        assert_eq!(yes_no(b"YES"), Ok(true));
        assert_eq!(yes_no(b"maybe").unwrap_err(), "argument must be 'yes' or 'no'");
        assert_eq!(yes_no(b"no\0junk"), Ok(false));
        assert_eq!(one_of(b"Warning\0x", &["debug", "warning"]), Ok("warning"));
        assert!(one_of(b"\0warning", &["debug", "warning"]).is_err());
        assert_eq!(one_of(b"ALLKEYS-LRU", &["noeviction", "allkeys-lru"]), Ok("allkeys-lru"));
        assert_eq!(
            one_of(b"x", &["debug", "notice"]).unwrap_err(),
            "argument(s) must be one of the following: debug, notice"
        );
    }

    #[test]
    fn save_points_are_pairs_printed_back_normalised() {
        assert_eq!(save_points(b"3600 1 300 100").as_deref(), Ok("3600 1 300 100"));
        assert_eq!(save_points(b"").as_deref(), Ok(""));
        assert_eq!(save_points(b"+900 01").as_deref(), Ok("900 1"));
        for bad in [&b"3600"[..], b"x 1", b"0 1", b"10 -1", b"900  1", b" 900 1"] {
            assert_eq!(save_points(bad).unwrap_err(), "Invalid save parameters");
        }
    }

    #[test]
    fn output_limits_change_only_the_named_classes() {
        let limits = output_limits(b"pubsub 64mb 16mb 60", DEFAULT_OUTPUT_LIMITS).unwrap();
        assert_eq!(
            format_output_limits(&limits),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 60"
        );
        let limits = output_limits(b"replica 1k 2 3 PUBSUB 10 20 30", limits).unwrap();
        assert_eq!(format_output_limits(&limits), "normal 0 0 0 slave 1000 2 3 pubsub 10 20 30");
        assert_eq!(
            output_limits(b"pubsub 64mb 16mb", limits).unwrap_err(),
            "Wrong number of arguments in buffer limit configuration."
        );
        assert_eq!(
            output_limits(b"master 1 2 3", limits).unwrap_err(),
            "Invalid client class specified in buffer limit configuration."
        );
        assert!(output_limits(b"pubsub 1k 16mb -1", limits).is_err());
        assert!(output_limits(b"pubsub 1x 16mb 1", limits).is_err());
    }
}
