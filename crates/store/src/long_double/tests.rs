//! Tests for the x87 `long double` emulation, mainly against results recorded from real x87
//! hardware.
//!
//! The recorded vectors come from a C harness (kept outside the repository) built with gcc on
//! x86_64 Linux, where `long double` is the x87 80-bit type. It contains verbatim copies of Redis
//! 7's `string2ld` (strtold, then the leading-space, end-pointer, consumed-length, ERANGE, EINVAL
//! and NaN checks) and of the `LD_STR_HUMAN` branch of `ld2string` (`snprintf("%.17Lf")`, zero
//! trimming, "-0" to "0"). It reads pairs of hex-encoded inputs and prints, space-separated: the
//! bits of `string2ld(a)` (or `R` when rejected), the bits of `string2ld(b)`, the bits of `a + b`
//! (or `-`), `ld2string(a)` and `ld2string(a + b)` (or `-`). Bits are `SSSS:MMMMMMMMMMMMMMMM`: the
//! sign-and-exponent word and the significand, read from the first ten bytes of the `long double`.
//! Human strings over 64 bytes are abbreviated here as `first 24 bytes~length~last 16 bytes`.
//!
//! The inputs were hand-picked edge cases plus random decimals, hexadecimal floats with random
//! 64-bit significands, exact midpoints between neighbouring values (and numbers just above and
//! below them), and pairs with close magnitudes or exponent distances around the 62 guard bits of
//! the adder. About a million pairs were compared against this module with no difference; `VECTORS`
//! is a sample of them. To regenerate or extend them, run such a harness over the inputs and
//! turn each output line into a row, decoding the hex-encoded human strings.

use num_bigint::BigUint;
use proptest::prelude::*;

use super::{INTEGER_BIT, LongDouble, SIGN_BIT};

fn bits_text(value: LongDouble) -> String {
    format!("{:04x}:{:016x}", value.sign_exponent, value.significand)
}

fn parse_text(input: &[u8]) -> String {
    LongDouble::parse(input).map_or_else(|| "R".to_owned(), bits_text)
}

fn parsed(input: &str) -> LongDouble {
    LongDouble::parse(input.as_bytes()).unwrap_or_else(|| panic!("{input:?} should parse"))
}

fn human(value: LongDouble) -> String {
    value.to_human_string().expect("every 80-bit value fits Redis's buffer")
}

/// Checks a human string against a recorded one, which may be abbreviated as
/// `prefix~length~suffix`.
fn assert_human_matches(expected: &str, value: LongDouble, context: &str) {
    let actual = human(value);
    match expected.split('~').collect::<Vec<_>>()[..] {
        [prefix, length, suffix] => {
            let length: usize = length.parse().expect("abbreviated length");
            assert!(
                actual.len() == length && actual.starts_with(prefix) && actual.ends_with(suffix),
                "{context}: {actual} does not match {expected}"
            );
        }
        _ => assert_eq!(actual, expected, "{context}"),
    }
}

/// The exact decimal text `digits e exponent` of `numerator * 2^binary_exponent`, with no point.
fn exact_decimal(numerator: &BigUint, binary_exponent: i64) -> (BigUint, i64) {
    let magnitude = u32::try_from(binary_exponent.unsigned_abs()).expect("small exponent");
    if binary_exponent >= 0 {
        (numerator << magnitude, 0)
    } else {
        // n / 2^k = n * 5^k / 10^k
        (numerator * BigUint::from(5u32).pow(magnitude), binary_exponent)
    }
}

#[test]
fn matches_recorded_reference_vectors() {
    for &(first, second, expected) in VECTORS {
        let context = format!(
            "{:?} + {:?}",
            first.escape_ascii().to_string(),
            second.escape_ascii().to_string()
        );
        let fields: Vec<&str> = expected.split(' ').collect();
        let [first_bits, second_bits, sum_bits, first_human, sum_human] = fields[..] else {
            panic!("malformed vector {expected}");
        };
        assert_eq!(parse_text(first), first_bits, "{context}");
        assert_eq!(parse_text(second), second_bits, "{context}");
        let (Some(left), Some(right)) = (LongDouble::parse(first), LongDouble::parse(second))
        else {
            continue;
        };
        assert_human_matches(first_human, left, &context);
        let sum = left.add(right);
        assert_eq!(bits_text(sum), sum_bits, "{context}");
        assert_human_matches(sum_human, sum, &context);
        assert_eq!(bits_text(right.add(left)), sum_bits, "addition commutes: {context}");
    }
}

#[test]
fn reproduces_redis_incrbyfloat_replies() {
    assert_eq!(human(parsed("10.5").add(parsed("0.1"))), "10.6");
    let tenth = parsed("0.1");
    let mut total = LongDouble::from_i64(0);
    for _ in 0..3 {
        total = total.add(tenth);
    }
    assert_eq!(human(total), "0.3");
    assert_eq!(human(parsed("5.0e3").add(parsed("0"))), "5000");
    assert_eq!(human(parsed("-1.5").add(parsed("1.5"))), "0");
    assert_eq!(human(parsed("-0")), "0");
    assert_eq!(human(parsed("-1e-30")), "0");
    assert_eq!(human(parsed("1e-17")), "0.00000000000000001");
    assert_eq!(human(LongDouble::from_i64(-17).add(parsed("0.25"))), "-16.75");
    assert_eq!(human(parsed("0x1.8p3")), "12");
}

#[test]
fn handles_special_values() {
    let infinity = parsed("inf");
    assert!(!infinity.is_finite());
    assert_eq!(human(infinity), "inf");
    assert_eq!(human(parsed("-Infinity")), "-inf");
    assert_eq!(infinity.add(parsed("1e4000")), infinity);
    let not_a_number = infinity.add(parsed("-inf"));
    assert!(!not_a_number.is_finite());
    assert_eq!(human(not_a_number), "nan");
    assert_eq!(human(not_a_number.add(LongDouble::from_i64(1))), "nan");
    let largest = parsed("0x1.fffffffffffffffep16383");
    assert!(largest.is_finite());
    assert!(!largest.add(largest).is_finite(), "overflow gives infinity");
    assert!(LongDouble::from_i64(i64::MIN).is_finite());
    for rejected in
        ["nan", "-NaN", "nan(1)", "1e5000", "-1e5000", "1e-5000", "0x1p-16446", "0x1p16384"]
    {
        assert_eq!(LongDouble::parse(rejected.as_bytes()), None, "{rejected}");
    }
}

#[test]
fn follows_string2ld_input_rules() {
    assert_eq!(LongDouble::parse(b""), None);
    // strtold stops at a NUL, but Redis also checks that it consumed every byte.
    assert_eq!(LongDouble::parse(b"\x00"), None);
    assert_eq!(LongDouble::parse(b"12\x00"), None);
    assert_eq!(LongDouble::parse(b"12\x00garbage"), None);
    assert_eq!(LongDouble::parse("0".repeat(5119).as_bytes()), Some(LongDouble::from_i64(0)));
    assert_eq!(LongDouble::parse("0".repeat(5120).as_bytes()), None, "5 KiB is too long");
    let ones = format!("1.{}", "1".repeat(5117));
    assert_eq!(parse_text(ones.as_bytes()), "3fff:8e38e38e38e38e39");
    let many_digits_scaled_down = format!("1{}e-5000", "0".repeat(5000));
    assert_eq!(
        LongDouble::parse(many_digits_scaled_down.as_bytes()),
        Some(LongDouble::from_i64(1))
    );
    let many_digits_tiny = format!("1{}e-9000", "0".repeat(5000));
    assert_eq!(parse_text(many_digits_tiny.as_bytes()), "0c17:9c3d73864f3805c0");
    let leading_zeros_scaled_up = format!("0.{}1e5000", "0".repeat(5100));
    assert_eq!(parse_text(leading_zeros_scaled_up.as_bytes()), "3eaf:b32df8e9f3546564");
    let subnormal = format!("0.{}1", "0".repeat(4940));
    assert_eq!(parse_text(subnormal.as_bytes()), "0000:00000000a383f4a3");
    let long_hexadecimal = format!("0x1{}p-16000", "0".repeat(4000));
    assert_eq!(LongDouble::parse(long_hexadecimal.as_bytes()), Some(LongDouble::from_i64(1)));
    assert_eq!(LongDouble::parse(format!("0x{}", "f".repeat(5000)).as_bytes()), None);
    assert_eq!(LongDouble::parse(format!("1{}", "0".repeat(5118)).as_bytes()), None);
}

#[test]
fn rounds_correctly_at_the_ends_of_the_range() {
    let smallest = LongDouble { sign_exponent: 0, significand: 1 };
    let largest = LongDouble { sign_exponent: 0x7ffe, significand: u64::MAX };
    // 5000 significant digits of a midpoint: truncated lies below it, incremented lies above it.
    let near = |numerator: u32, binary_exponent: i64, above: bool| {
        let (digits, exponent) = exact_decimal(&BigUint::from(numerator), binary_exponent);
        let text = digits.to_string();
        let dropped = text.len() - 5000;
        let mut kept: BigUint = text[..5000].parse().expect("digits");
        if above {
            kept += 1u32;
        }
        format!("{kept}e{}", exponent + i64::try_from(dropped).expect("small"))
    };
    // Half the smallest subnormal rounds to zero (an underflow Redis rejects), just above it does
    // not.
    assert_eq!(LongDouble::parse(near(1, -16446, false).as_bytes()), None);
    assert_eq!(LongDouble::parse(near(1, -16446, true).as_bytes()), Some(smallest));
    // One and a half units round down, as ties would not; just above goes up to two units.
    assert_eq!(parse_text(near(3, -16446, false).as_bytes()), "0000:0000000000000001");
    assert_eq!(parse_text(near(3, -16446, true).as_bytes()), "0000:0000000000000002");
    // Halfway between the largest value and 2^16384 is a tie that rounds to infinity, so overflow.
    let beyond_largest = (BigUint::from(u128::MAX >> 63) << (16383u32 - 64)).to_string();
    assert_eq!(LongDouble::parse(beyond_largest.as_bytes()), None);
    let below_tie = (BigUint::from(u128::MAX >> 63) << (16383u32 - 64)) - 1u32;
    assert_eq!(LongDouble::parse(below_tie.to_string().as_bytes()), Some(largest));
    let largest_text = human(largest);
    assert_eq!(largest_text.len(), 4933);
    assert!(largest_text.starts_with("118973149535723176502126385303097020516906"));
    assert_eq!(LongDouble::parse(largest_text.as_bytes()), Some(largest));
}

#[test]
fn formats_ties_to_even_like_glibc() {
    // 2^-18 = 0.000003814697265625 has 18 fractional digits, so the 17th is a tie.
    assert_eq!(human(parsed("0x1p-18")), "0.00000381469726562");
    assert_eq!(human(parsed("0x3p-18")), "0.00001144409179688");
    assert_eq!(human(parsed("-0x5p-18")), "-0.00001907348632812");
    assert_eq!(human(parsed("0x1p-57")), "0.00000000000000001");
    assert_eq!(human(parsed("-0x1p-58")), "0");
}

/// Builds a finite value from a stored exponent and significand, setting the integer bit of
/// normals.
fn finite(negative: bool, biased_exponent: u16, significand: u64) -> LongDouble {
    let significand =
        if biased_exponent == 0 { significand & !INTEGER_BIT } else { significand | INTEGER_BIT };
    let sign = if negative { SIGN_BIT } else { 0 };
    LongDouble { sign_exponent: sign | biased_exponent, significand }
}

fn any_finite() -> impl Strategy<Value = LongDouble> {
    let exponent = prop_oneof![0u16..0x7fff, 16300u16..16500, Just(0u16), Just(1u16), Just(0x7ffe)];
    (any::<bool>(), exponent, any::<u64>())
        .prop_map(|(negative, exponent, significand)| finite(negative, exponent, significand))
}

proptest! {
    #[test]
    fn integers_are_exact(value: i64) {
        let converted = LongDouble::from_i64(value);
        prop_assert_eq!(human(converted), value.to_string());
        prop_assert_eq!(LongDouble::parse(value.to_string().as_bytes()), Some(converted));
    }

    #[test]
    fn integer_sums_are_exact(left: i64, right: i64) {
        // Any sum of two i64 values is below 2^64 in magnitude, so it fits the 64-bit significand.
        let sum = LongDouble::from_i64(left).add(LongDouble::from_i64(right));
        prop_assert_eq!(human(sum), (i128::from(left) + i128::from(right)).to_string());
    }

    #[test]
    fn addition_identities_hold(value in any_finite(), other in any_finite()) {
        prop_assert_eq!(value.add(other), other.add(value));
        prop_assert_eq!(value.add(LongDouble::zero(true)), value);
        let negated = LongDouble { sign_exponent: value.sign_exponent ^ SIGN_BIT, ..value };
        prop_assert_eq!(value.add(negated), LongDouble::zero(false));
    }

    #[test]
    fn short_binary_fractions_print_exactly(
        negative: bool,
        numerator: u64,
        fraction_bits in 0u32..=17,
    ) {
        let input = format!("{}0x{numerator:x}p-{fraction_bits}", if negative { "-" } else { "" });
        let (digits, _) = exact_decimal(&BigUint::from(numerator), -i64::from(fraction_bits));
        let width = usize::try_from(fraction_bits).expect("small") + 1;
        let padded = format!("{digits:0>width$}");
        let (integer, fraction) = padded.split_at(padded.len() + 1 - width);
        let mut expected = integer.to_owned();
        let fraction = fraction.trim_end_matches('0');
        if !fraction.is_empty() {
            expected = format!("{expected}.{fraction}");
        }
        if negative && expected != "0" {
            expected.insert(0, '-');
        }
        prop_assert_eq!(human(parsed(&input)), expected);
    }

    #[test]
    fn decimal_midpoints_round_to_even(
        negative: bool,
        significand in any::<u64>().prop_map(|bits| bits | INTEGER_BIT),
        binary_exponent in -1200i64..1200,
    ) {
        // The midpoint between significand and significand + 1 units of 2^binary_exponent.
        let midpoint = (BigUint::from(significand) << 1u32) + 1u32;
        let (digits, exponent) = exact_decimal(&midpoint, binary_exponent - 1);
        let sign = if negative { "-" } else { "" };
        let below = format!("{sign}{}9e{}", &digits - 1u32, exponent - 1);
        let tie = format!("{sign}{digits}e{exponent}");
        let above = format!("{sign}{digits}1e{}", exponent - 1);
        let rounded = |up: bool| {
            let biased = u16::try_from(binary_exponent + 63 + 16383).expect("normal");
            match significand.checked_add(u64::from(up)) {
                Some(significand) => finite(negative, biased, significand),
                None => finite(negative, biased + 1, INTEGER_BIT),
            }
        };
        prop_assert_eq!(parsed(&below), rounded(false));
        prop_assert_eq!(parsed(&tie), rounded(significand % 2 == 1));
        prop_assert_eq!(parsed(&above), rounded(true));
    }
}

/// Recorded from the C harness described at the top of this file: inputs `a` and `b`, then "bits(a)
/// bits(b) bits(a + b) human(a) human(a + b)".
#[rustfmt::skip]
const VECTORS: &[(&[u8], &[u8], &str)] = &[
    (b"10.5", b"-1", "4002:a800000000000000 bfff:8000000000000000 4002:9800000000000000 10.5 9.5"),
    (b"0.1", b"0x1p-16445", "3ffb:cccccccccccccccd 0000:0000000000000001 3ffb:cccccccccccccccd 0.1 0.1"),
    (b"0", b"1", "0000:0000000000000000 3fff:8000000000000000 3fff:8000000000000000 0 1"),
    (b"-0", b"-0", "8000:0000000000000000 8000:0000000000000000 8000:0000000000000000 0 0"),
    (b"+0", b"1", "0000:0000000000000000 3fff:8000000000000000 3fff:8000000000000000 0 1"),
    (b"0.0", b"inf", "0000:0000000000000000 7fff:8000000000000000 7fff:8000000000000000 0 inf"),
    (b"5.0e3", b"inf", "400b:9c40000000000000 7fff:8000000000000000 7fff:8000000000000000 5000 inf"),
    (b"3.0e3", b"inf", "400a:bb80000000000000 7fff:8000000000000000 7fff:8000000000000000 3000 inf"),
    (b"1e-5", b"-1.1e4932", "3fee:a7c5ac471b478423 fffe:ecb12aed7f5875e1 fffe:ecb12aed7f5875e1 0.00001 -10999999999999999999743~4934~2323242088136704"),
    (b"-1e-5", b"0", "bfee:a7c5ac471b478423 0000:0000000000000000 bfee:a7c5ac471b478423 -0.00001 -0.00001"),
    (b"1e20", b"1", "4041:ad78ebc5ac620000 3fff:8000000000000000 4041:ad78ebc5ac620000 100000000000000000000 100000000000000000000"),
    (b"1e300", b"inf", "43e3:bf21e44003acdd2d 7fff:8000000000000000 7fff:8000000000000000 100000000000000000000899~301~9424915104006144 inf"),
    (b"1e4000", b"0.1", "73e6:d1ba8323fe558c61 3ffb:cccccccccccccccd 73e6:d1ba8323fe558c61 999999999999999999996546~4000~8276349901340672 999999999999999999996546~4000~8276349901340672"),
    (b"-1e4000", b"-1.1e4932", "f3e6:d1ba8323fe558c61 fffe:ecb12aed7f5875e1 fffe:ecb12aed7f5875e1 -99999999999999999999654~4001~8276349901340672 -10999999999999999999743~4934~2323242088136704"),
    (b"1e-4940", b"-1.1e4932", "0000:0000000663278e62 fffe:ecb12aed7f5875e1 fffe:ecb12aed7f5875e1 0 -10999999999999999999743~4934~2323242088136704"),
    (b"1e-4950", b"0x1p-16445", "0000:0000000000000003 0000:0000000000000001 0000:0000000000000004 0 0"),
    (b"1e-4951", b"0.1", "R 3ffb:cccccccccccccccd - - -"),
    (b"3e-4951", b"inf", "0000:0000000000000001 7fff:8000000000000000 7fff:8000000000000000 0 inf"),
    (b"4e-4951", b"4e-4951", "0000:0000000000000001 0000:0000000000000001 0000:0000000000000002 0 0"),
    (b"1.8e-4951", b"0", "R 0000:0000000000000000 - - -"),
    (b"1.9e-4951", b"0x1p-16445", "0000:0000000000000001 0000:0000000000000001 0000:0000000000000002 0 0"),
    (b"1e-4952", b"1", "R 3fff:8000000000000000 - - -"),
    (b"1e4932", b"1e4932", "7ffe:d72cb2a95c7ef6cd 7ffe:d72cb2a95c7ef6cd 7fff:8000000000000000 100000000000000000000601~4933~8113791886622720 inf"),
    (b"1.1897e4932", b"0.1", "7ffe:fffe43dccaa33c18 3ffb:cccccccccccccccd 7ffe:fffe43dccaa33c18 118969999999999999997513~4933~4591262723276800 118969999999999999997513~4933~4591262723276800"),
    (b"1.19e4932", b"0.1", "R 3ffb:cccccccccccccccd - - -"),
    (b"1.2e4932", b"0.1", "R 3ffb:cccccccccccccccd - - -"),
    (b"inf", b"-inf", "7fff:8000000000000000 ffff:8000000000000000 ffff:c000000000000000 inf nan"),
    (b"-inf", b"0.1", "ffff:8000000000000000 3ffb:cccccccccccccccd ffff:8000000000000000 -inf -inf"),
    (b"+inf", b"-1.1e4932", "7fff:8000000000000000 fffe:ecb12aed7f5875e1 7fff:8000000000000000 inf inf"),
    (b"INF", b"0", "7fff:8000000000000000 0000:0000000000000000 7fff:8000000000000000 inf inf"),
    (b"Infinity", b"-1.1e4932", "7fff:8000000000000000 fffe:ecb12aed7f5875e1 7fff:8000000000000000 inf inf"),
    (b"-INFINITY", b"0.1", "ffff:8000000000000000 3ffb:cccccccccccccccd ffff:8000000000000000 -inf -inf"),
    (b"infinit", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"infinityy", b"0", "R 0000:0000000000000000 - - -"),
    (b"nan", b"inf", "R 7fff:8000000000000000 - - -"),
    (b"NaN", b"inf", "R 7fff:8000000000000000 - - -"),
    (b"-nan", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"nan(123)", b"0", "R 0000:0000000000000000 - - -"),
    (b"nan()", b"1e4932", "R 7ffe:d72cb2a95c7ef6cd - - -"),
    (b" 1", b"0", "R 0000:0000000000000000 - - -"),
    (b"1 ", b"0", "R 0000:0000000000000000 - - -"),
    (b"\x091", b"inf", "R 7fff:8000000000000000 - - -"),
    (b"\x0a1", b"\x0a1", "R R - - -"),
    (b"\x0b1", b"0.1", "R 3ffb:cccccccccccccccd - - -"),
    (b"\x0c1", b"-1.1e4932", "R fffe:ecb12aed7f5875e1 - - -"),
    (b"\x0d1", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"1e99999", b"1", "R 3fff:8000000000000000 - - -"),
    (b"-1e99999", b"-1", "R bfff:8000000000000000 - - -"),
    (b"1e-99999", b"1e-99999", "R R - - -"),
    (b"0e99999", b"1", "0000:0000000000000000 3fff:8000000000000000 3fff:8000000000000000 0 1"),
    (b"0e-99999", b"1e4932", "0000:0000000000000000 7ffe:d72cb2a95c7ef6cd 7ffe:d72cb2a95c7ef6cd 0 100000000000000000000601~4933~8113791886622720"),
    (b"+5", b"-inf", "4001:a000000000000000 ffff:8000000000000000 ffff:8000000000000000 5 -inf"),
    (b".5", b"-1.1e4932", "3ffe:8000000000000000 fffe:ecb12aed7f5875e1 fffe:ecb12aed7f5875e1 0.5 -10999999999999999999743~4934~2323242088136704"),
    (b"5.", b"-inf", "4001:a000000000000000 ffff:8000000000000000 ffff:8000000000000000 5 -inf"),
    (b".", b"0", "R 0000:0000000000000000 - - -"),
    (b"-.", b"-.", "R R - - -"),
    (b"+.", b"+.", "R R - - -"),
    (b"-0", b"0x1p-16445", "8000:0000000000000000 0000:0000000000000001 0000:0000000000000001 0 0"),
    (b"0x", b"inf", "R 7fff:8000000000000000 - - -"),
    (b"0X", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"0x1", b"-1.1e4932", "3fff:8000000000000000 fffe:ecb12aed7f5875e1 fffe:ecb12aed7f5875e1 1 -10999999999999999999743~4934~2323242088136704"),
    (b"0x1.8p3", b"0x1p-16445", "4002:c000000000000000 0000:0000000000000001 4002:c000000000000000 12 12"),
    (b"0X1.8P3", b"0.1", "4002:c000000000000000 3ffb:cccccccccccccccd 4002:c19999999999999a 12 12.1"),
    (b"0x.8", b"inf", "3ffe:8000000000000000 7fff:8000000000000000 7fff:8000000000000000 0.5 inf"),
    (b"0x1.", b"0", "3fff:8000000000000000 0000:0000000000000000 3fff:8000000000000000 1 1"),
    (b"0x.", b"-1.1e4932", "R fffe:ecb12aed7f5875e1 - - -"),
    (b"0xp1", b"-1.1e4932", "R fffe:ecb12aed7f5875e1 - - -"),
    (b"0x1p", b"-1", "R bfff:8000000000000000 - - -"),
    (b"0x1p+", b"1e4932", "R 7ffe:d72cb2a95c7ef6cd - - -"),
    (b"0x1p-", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"0x1p-16445", b"1e4932", "0000:0000000000000001 7ffe:d72cb2a95c7ef6cd 7ffe:d72cb2a95c7ef6cd 0 100000000000000000000601~4933~8113791886622720"),
    (b"0x1p-16446", b"1", "R 3fff:8000000000000000 - - -"),
    (b"0x1p-16447", b"inf", "R 7fff:8000000000000000 - - -"),
    (b"0x1.8p-16446", b"-inf", "0000:0000000000000001 ffff:8000000000000000 ffff:8000000000000000 0 -inf"),
    (b"0x1p16383", b"1", "7ffe:8000000000000000 3fff:8000000000000000 7ffe:8000000000000000 594865747678615882542879~4932~3645334982033408 594865747678615882542879~4932~3645334982033408"),
    (b"0x1p16384", b"-1", "R bfff:8000000000000000 - - -"),
    (b"0x1.fffffffffffffffep16383", b"-inf", "7ffe:ffffffffffffffff ffff:8000000000000000 ffff:8000000000000000 118973149535723176502126~4933~2086811989770240 -inf"),
    (b"0x1.ffffffffffffffffp16383", b"-1.1e4932", "R fffe:ecb12aed7f5875e1 - - -"),
    (b"0x1.fffffffffffffffe8p16383", b"1e4932", "7ffe:ffffffffffffffff 7ffe:d72cb2a95c7ef6cd 7fff:8000000000000000 118973149535723176502126~4933~2086811989770240 inf"),
    (b"0x1.fffffffffffffffe7fp16383", b"inf", "7ffe:ffffffffffffffff 7fff:8000000000000000 7fff:8000000000000000 118973149535723176502126~4933~2086811989770240 inf"),
    (b"-0x1p-16446", b"0.1", "R 3ffb:cccccccccccccccd - - -"),
    (b"0x0p99999999999", b"inf", "0000:0000000000000000 7fff:8000000000000000 7fff:8000000000000000 0 inf"),
    (b"0x1p-99999999999", b"0.1", "R 3ffb:cccccccccccccccd - - -"),
    (b"0x1p99999999999", b"0x1p99999999999", "R R - - -"),
    (b"1e", b"0x1p-16445", "R 0000:0000000000000001 - - -"),
    (b"1e+", b"0x1p-16445", "R 0000:0000000000000001 - - -"),
    (b"1e-", b"0x1p-16445", "R 0000:0000000000000001 - - -"),
    (b"1e+5", b"-1.1e4932", "400f:c350000000000000 fffe:ecb12aed7f5875e1 fffe:ecb12aed7f5875e1 100000 -10999999999999999999743~4934~2323242088136704"),
    (b"1E5", b"-1", "400f:c350000000000000 bfff:8000000000000000 400f:c34f800000000000 100000 99999"),
    (b"1e05", b"-1", "400f:c350000000000000 bfff:8000000000000000 400f:c34f800000000000 100000 99999"),
    (b"00001", b"-inf", "3fff:8000000000000000 ffff:8000000000000000 ffff:8000000000000000 1 -inf"),
    (b"0000.0000", b"0", "0000:0000000000000000 0000:0000000000000000 0000:0000000000000000 0 0"),
    (b"1..2", b"0.1", "R 3ffb:cccccccccccccccd - - -"),
    (b"1.2.3", b"0", "R 0000:0000000000000000 - - -"),
    (b"--1", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"+-1", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"-+1", b"0", "R 0000:0000000000000000 - - -"),
    (b"++1", b"-1.1e4932", "R fffe:ecb12aed7f5875e1 - - -"),
    (b"-", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"+", b"1e4932", "R 7ffe:d72cb2a95c7ef6cd - - -"),
    (b"", b"0x1p-16445", "R 0000:0000000000000001 - - -"),
    (b"\x00", b"1e4932", "R 7ffe:d72cb2a95c7ef6cd - - -"),
    (b"1\x00abc", b"inf", "R 7fff:8000000000000000 - - -"),
    (b"\x001", b"\x001", "R R - - -"),
    (b"1.5\x00", b"-inf", "R ffff:8000000000000000 - - -"),
    (b" ", b"0x1p-16445", "R 0000:0000000000000001 - - -"),
    (b"abc", b"0.1", "R 3ffb:cccccccccccccccd - - -"),
    (b"1abc", b"-1.1e4932", "R fffe:ecb12aed7f5875e1 - - -"),
    (b"0.1e", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"1e1.5", b"-1", "R bfff:8000000000000000 - - -"),
    (b"1,5", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"1_000", b"-inf", "R ffff:8000000000000000 - - -"),
    (b"0x1g", b"0", "R 0000:0000000000000000 - - -"),
    (b"0x1.8p3.5", b"-1.1e4932", "R fffe:ecb12aed7f5875e1 - - -"),
    (b"0xg", b"0.1", "R 3ffb:cccccccccccccccd - - -"),
    (b"9223372036854775807", b"inf", "403d:fffffffffffffffe 7fff:8000000000000000 7fff:8000000000000000 9223372036854775807 inf"),
    (b"-9223372036854775808", b"1e4932", "c03e:8000000000000000 7ffe:d72cb2a95c7ef6cd 7ffe:d72cb2a95c7ef6cd -9223372036854775808 100000000000000000000601~4933~8113791886622720"),
    (b"18446744073709551615", b"0x1p-16445", "403e:ffffffffffffffff 0000:0000000000000001 403e:ffffffffffffffff 18446744073709551615 18446744073709551615"),
    (b"18446744073709551616", b"-inf", "403f:8000000000000000 ffff:8000000000000000 ffff:8000000000000000 18446744073709551616 -inf"),
    (b"18446744073709551617", b"0", "403f:8000000000000000 0000:0000000000000000 403f:8000000000000000 18446744073709551616 18446744073709551616"),
    (b"36893488147419103232", b"-inf", "4040:8000000000000000 ffff:8000000000000000 ffff:8000000000000000 36893488147419103232 -inf"),
    (b"0.30000000000000000001", b"-1.1e4932", "3ffd:999999999999999a fffe:ecb12aed7f5875e1 fffe:ecb12aed7f5875e1 0.3 -10999999999999999999743~4934~2323242088136704"),
    (b"0.3", b"inf", "3ffd:999999999999999a 7fff:8000000000000000 7fff:8000000000000000 0.3 inf"),
    (b"0.2", b"1e4932", "3ffc:cccccccccccccccd 7ffe:d72cb2a95c7ef6cd 7ffe:d72cb2a95c7ef6cd 0.2 100000000000000000000601~4933~8113791886622720"),
    (b"0.7", b"-1.1e4932", "3ffe:b333333333333333 fffe:ecb12aed7f5875e1 fffe:ecb12aed7f5875e1 0.7 -10999999999999999999743~4934~2323242088136704"),
    (b"123456789.123456789", b"1e4932", "4019:eb79a2a3f35ba6e7 7ffe:d72cb2a95c7ef6cd 7ffe:d72cb2a95c7ef6cd 123456789.12345678899873747 100000000000000000000601~4933~8113791886622720"),
    (b"-123456789.987654321", b"0.1", "c019:eb79a2bf9add3c0e 3ffb:cccccccccccccccd c019:eb79a2bc67aa08db -123456789.98765432099753525 -123456789.88765432099899044"),
    (b"1e-17", b"-inf", "3fc6:b877aa3236a4b449 ffff:8000000000000000 ffff:8000000000000000 0.00000000000000001 -inf"),
    (b"5e-18", b"-inf", "3fc5:b877aa3236a4b449 ffff:8000000000000000 ffff:8000000000000000 0 -inf"),
    (b"5.000000001e-18", b"0x1p-16445", "3fc5:b877aa32d5198601 0000:0000000000000001 3fc5:b877aa32d5198601 0.00000000000000001 0.00000000000000001"),
    (b"4.9999999e-18", b"0x1p-16445", "3fc5:b877a9f45102c894 0000:0000000000000001 3fc5:b877a9f45102c894 0 0"),
    (b"1.5e-17", b"1e4932", "3fc7:8a59bfa5a8fb8737 7ffe:d72cb2a95c7ef6cd 7ffe:d72cb2a95c7ef6cd 0.00000000000000002 100000000000000000000601~4933~8113791886622720"),
    (b"2.5e-17", b"inf", "3fc7:e69594bec44de15b 7fff:8000000000000000 7fff:8000000000000000 0.00000000000000002 inf"),
    (b"0.000000000000000005", b"0x1p-16445", "3fc5:b877aa3236a4b449 0000:0000000000000001 3fc5:b877aa3236a4b449 0 0"),
    (b"0.000000000000000015", b"0.1", "3fc7:8a59bfa5a8fb8737 3ffb:cccccccccccccccd 3ffb:ccccccccccccd573 0.00000000000000002 0.10000000000000002"),
    (b"0.000000000000000025", b"0", "3fc7:e69594bec44de15b 0000:0000000000000000 3fc7:e69594bec44de15b 0.00000000000000002 0.00000000000000002"),
    (b"1e-18", b"-1", "3fc3:9392ee8e921d5d07 bfff:8000000000000000 bffe:ffffffffffffffee 0 -1"),
    (b"-1e-18", b"-inf", "bfc3:9392ee8e921d5d07 ffff:8000000000000000 ffff:8000000000000000 0 -inf"),
    (b"-5e-18", b"0x1p-16445", "bfc5:b877aa3236a4b449 0000:0000000000000001 bfc5:b877aa3236a4b449 0 0"),
    (b"3.14159265358979323846264338327950288", b"-1", "4000:c90fdaa22168c235 bfff:8000000000000000 4000:890fdaa22168c235 3.14159265358979324 2.14159265358979324"),
    (b"2.718281828459045235360287", b"1", "4000:adf85458a2bb4a9b 3fff:8000000000000000 4000:edf85458a2bb4a9b 2.71828182845904524 3.71828182845904524"),
    (b"1e19", b"-inf", "403e:8ac7230489e80000 ffff:8000000000000000 ffff:8000000000000000 10000000000000000000 -inf"),
    (b"1e18", b"1e18", "403a:de0b6b3a76400000 403a:de0b6b3a76400000 403b:de0b6b3a76400000 1000000000000000000 2000000000000000000"),
    (b"99999999999999999999", b"0.1", "4041:ad78ebc5ac620000 3ffb:cccccccccccccccd 4041:ad78ebc5ac620000 100000000000000000000 100000000000000000000"),
    (b"0.99999999999999999", b"1", "3ffe:ffffffffffffff48 3fff:8000000000000000 3fff:ffffffffffffffa4 0.99999999999999999 1.99999999999999999"),
    (b"0.999999999999999999", b"1", "3ffe:ffffffffffffffee 3fff:8000000000000000 3fff:fffffffffffffff7 1 2"),
    (b"0.9999999999999999999", b"0.1", "3ffe:fffffffffffffffe 3ffb:cccccccccccccccd 3fff:8ccccccccccccccc 1 1.1"),
    (b"-0.999999999999999999", b"inf", "bffe:ffffffffffffffee 7fff:8000000000000000 7fff:8000000000000000 -1 inf"),
    (b"1e+0000000000000000000000000000000000000000000000000001", b"1", "4002:a000000000000000 3fff:8000000000000000 4002:b000000000000000 10 11"),
    (b"1e-000000000000000000000000000000000000000000000000000001", b"-1", "3ffb:cccccccccccccccd bfff:8000000000000000 bffe:e666666666666666 0.1 -0.9"),
    (b"1e-4951", b"1e4932", "R 7ffe:d72cb2a95c7ef6cd - - -"),
    (b"3.6451995318824746025e-4951", b"inf", "0000:0000000000000001 7fff:8000000000000000 7fff:8000000000000000 0 inf"),
    (b"3.64519953188247460252840593361941982e-4951", b"inf", "0000:0000000000000001 7fff:8000000000000000 7fff:8000000000000000 0 inf"),
    (b"1.82259976594123730126e-4951", b"1", "R 3fff:8000000000000000 - - -"),
    (b"1.8225997659412373012642029668097099e-4951", b"0.1", "R 3ffb:cccccccccccccccd - - -"),
    (b"1.822599765941237301264202966809709908e-4951", b"1.822599765941237301264202966809709908e-4951", "R R - - -"),
    (b"1.18973149535723176502e4932", b"-1.1e4932", "7ffe:ffffffffffffffff fffe:ecb12aed7f5875e1 7ffb:9a76a894053c50f0 118973149535723176502126~4933~2086811989770240 897314953572317650468907~4931~9763569901633536"),
    (b"1.18973149535723176505e4932", b"1e4932", "7ffe:ffffffffffffffff 7ffe:d72cb2a95c7ef6cd 7fff:8000000000000000 118973149535723176502126~4933~2086811989770240 inf"),
    (b"1.189731495357231765085759326628007e4932", b"-1.1e4932", "R fffe:ecb12aed7f5875e1 - - -"),
    (b"1.18973149535723176508575932662800702e4932", b"0", "R 0000:0000000000000000 - - -"),
    (b"-0x8fb4d8bdde9e1a56p9521", b"-0x9.8b721485ac3952cp9531", "e56f:8fb4d8bdde9e1a56 e53d:98b721485ac3952c e56f:8fb4d8bdde9e4084 -13235631927957552806640~2887~9079914305290240 -13235631927957565299476~2887~7725921352613888"),
    (b"0xd5f4c98593ce7db3p-16444", b"4364.365", "0002:d5f4c98593ce7db3 400b:8862eb851eb851ec 400b:8862eb851eb851ec 0 4364.36500000000000021"),
    (b"2.e+266", b"-22341077220050726158.8294870", "4373:c67bb4597ce2ce49 c03f:9b05b9ae8858f687 4373:c67bb4597ce2ce49 200000000000000000004300~267~5656911362981888 200000000000000000004300~267~5656911362981888"),
    (b"40843481822621558284459087706980352", b"+0.061", "4071:fbb7a6ef1ab4a600 3ffa:f9db22d0e5604189 4071:fbb7a6ef1ab4a600 40843481822621558283333187800137728 40843481822621558283333187800137728"),
    (b"+0xe72ab1b8dc9da6edp16", b"-0xe.72ab1b8dc9da783p126", "404e:e72ab1b8dc9da6ed c080:e72ab1b8dc9da783 c080:e72ab1b8dc9d6db8 1091654227022093942063104 -1229093392508531200072015287599671279616"),
    (b"454859.723", b"0.4", "4011:de197722d0e56042 3ffd:cccccccccccccccd 4011:de1983ef9db22d0f 454859.72300000000001319 454860.12300000000001887"),
    (b"-210556.29", b"0.637", "c010:cd9f128f5c28f5c3 3ffe:a3126e978d4fdf3b c010:cd9ee9cac083126f -210556.29000000000000625 -210555.6530000000000058"),
    (b"0344.33549116464", b"-7560.50", "4007:ac2af15fde1ce56e c00b:ec44000000000000 c00b:e18150ea021e31a9 344.33549116464000001 -7216.16450883535999994"),
    (b"436565278959293123145421142242000839955138875076526443093783740416", b"-4874929219317266.8000488281251", "40d9:84a767aeb1383354 c033:8a8dc74361709667 40d9:84a767aeb1383354 436565278959293123122585~66~4520911659794432 436565278959293123122585~66~4520911659794432"),
    (b"20863.716", b"0.35", "400d:a2ff6e978d4fdf3b 3ffd:b333333333333333 400d:a30021cac083126e 20863.7159999999999993 20864.06599999999999895"),
    (b"5.1351", b"-8106952886641391821", "4001:a452bd3c36113405 c03d:e1035d65562cf19a c03d:e1035d65562cf190 5.1351 -8106952886641391816"),
    (b"-5708900531068865119820694011408471220237825702931464192", b"+323948214017446073571647616778.e-348", "c0b4:ee6a310595c06000 3bdd:800fec9abb173ea6 c0b4:ee6a310595c06000 -5708900531068865119654540511935356736124849820396421120 -5708900531068865119654540511935356736124849820396421120"),
    (b"0", b"49402410567e-40", "0000:0000000000000000 3f9d:c866656fde24c100 3f9d:c866656fde24c100 0 0"),
    (b"59335.851", b"0.613", "400e:e7c7d9db22d0e560 3ffe:9ced916872b020c5 400e:e7c876c8b4395810 59335.85099999999999909 59336.46399999999999864"),
    (b"30971.7", b"0.039", "400d:f1f7666666666666 3ffa:9fbe76c8b4395810 400d:f1f77a5e353f7ced 30971.69999999999999929 30971.73899999999999899"),
    (b"0xe.8b596962b040000p2214", b"-758772.32", "48a8:e8b596962b040000 c012:b93f451eb851eb85 48a8:e8b596962b040000 439647098515350843475672~668~2582935447470080 439647098515350843475672~668~2582935447470080"),
    (b"-0x82bf0b6adf9fe245p-5931", b"0xb.429d7d3384c3122p-5841", "a913:82bf0b6adf9fe245 2931:b429d7d3384c3122 2931:b429d7d12d500377 0 0"),
    (b"386208.2", b"-093202504316594245e29", "4011:bc94066666666666 c097:d0f79d29d00c1d1a c097:d0f79d29d00c1d1a 386208.19999999999998863 -9320250431659424500070542357115267246012235776"),
    (b"-0x95a3f1f09c90cf10p-16444", b"+0x9.5a3f1f09c90cf11p-16385", "8002:95a3f1f09c90cf10 0001:95a3f1f09c90cf11 8001:95a3f1f09c90cf0f 0 0"),
    (b"+0xe093ae8c28154dc8p49", b"-0xf0daae67c3e42caap95", "406f:e093ae8c28154dc8 c09d:f0daae67c3e42caa c09d:f0daae67c3e0aa5b 9109920621876364676701095582498816 -687517270149101534847076686364055339934353981440"),
    (b"-0xe11c6db679b80e70p7224", b"+0x0.0000000006e22a3p-5", "dc76:e11c6db679b80e70 3fd4:dc45460000000000 dc76:e11c6db679b80e70 -70919431520454740327413~2195~8365132629934080 -70919431520454740327413~2195~8365132629934080"),
    (b"803245.240", b"0.666", "4012:c41ad3d70a3d70a4 3ffe:aa7ef9db22d0e560 4012:c41ade7ef9db22d1 803245.24000000000000909 803245.90600000000000591"),
    (b"286518.63", b"0.33", "4011:8be6d428f5c28f5c 3ffd:a8f5c28f5c28f5c3 4011:8be6deb851eb851f 286518.62999999999999545 286518.96000000000000796"),
    (b"-0xb93afp-32", b"40.999", "bff2:b93af00000000000 4004:a3fef9db22d0e560 4004:a3fecb8c66d0e560 -0.00017664930783212 40.99882335069216788"),
    (b"-12364726298e-5", b"-2344503534898606417", "c00f:f17fa1a95421c044 c03c:8225662c511dc544 c03c:8225662c51255141 -123647.26297999999999888 -2344503534898730064.25"),
    (b"+972713266099534.489", b"-5.991466997211975842369548448753595e3955", "4030:dd2b5d2c6d539f4c f353:e02e827a49780089 f353:e02e827a49780089 972713266099534.489013671875 -59914669972119758423422~3957~6169957557141504"),
    (b"2.0961078614e4620", b"2.6715201143097259206056650652111968e-3116", "7bf3:a60de7179f77b025 1791:9c779fd5ca877d69 7bf3:a60de7179f77b025 209610786140000000000628~4621~6551886172520448 209610786140000000000628~4621~6551886172520448"),
    (b"-6996663181429765859", b"-380276.269943183117092644351941999047994613647460937", "c03d:c232482fec59edc6 c011:b9ae88a35fe2e883 c03d:c232482fec6588af -6996663181429765859 -6996663181430146135.5"),
    (b"70745783405278", b"+1.1E163", "402d:80af929415bc0000 421c:c39a4f21ba642b6c 421c:c39a4f21ba642b6c 70745783405278 110000000000000000000122~164~1851547491172352"),
    (b"0x9.7f4fdd775585276p3830", b"-0x8.aa180c99336cb96p3892", "4ef8:97f4fdd775585276 cf36:8aa180c99336cb96 cf36:8aa180c99336cb94 836535000546422187994630~1154~2609940475871232 -35195172217775034173794~1174~7249044299448320"),
    (b"-0xede0b9c5097cae2ep7667", b"-0xe.de0b9c5097cad53p7749", "de31:ede0b9c5097cae2e de47:ede0b9c5097cad53 de47:ede0bd7c8c63c179 -17021996207939106258124~2329~7258416346431488 -71395443804940032162017~2335~9417505971175424"),
    (b"81580.805", b"0x0.000000044987c57p16", "400f:9f56670a3d70a3d7 3ff1:8930f8ae00000000 400f:9f56670c6234868f 81580.80499999999999972 81580.80506541790702357"),
    (b"+0xb.1e9281c4d737a07p126", b"1.822599765941237301264202966809709908e-4951", "4080:b1e9281c4d737a07 R - 945935895842845477163908948332774424576 -"),
    (b"+0xe19c732429343000p-28", b"807738.2", "4022:e19c732429343000 4012:c533a33333333333 4022:e19d3857cc676333 60562027074.5752410888671875 60562834812.77524108812212944"),
    (b"328032.9", b"0.97", "4011:a02c1ccccccccccd 3ffe:f851eb851eb851ec 4011:a02c3bd70a3d70a4 328032.90000000000000568 328033.87000000000000455"),
    (b"-0xf.16f295d4df743b9p-2058", b"0xf8759d2846623cc3p-2056", "b7f8:f16f295d4df743b9 3836:f8759d2846623cc3 3836:f8759d2846623cbf 0 0"),
    (b"60.8378", b"27.894956482E+337", "4004:f359e83e425aee63 4463:9caeb93e856df538 4463:9caeb93e856df538 60.8378 278949564820000000008523~339~5423667765248000"),
    (b"0xff07a0bb55e39045p69", b"-0xcb411f0b4661ed76p34", "4083:ff07a0bb55e39045 c060:cb411f0b4661ed76 4083:ff07a0bb3c7b6c64 10847767840990323171457126444091245068288 10847767840738706436605354758506587095040"),
    (b"-0xf.a94f72fa20964f2p60", b"+55461.8781", "c03e:fa94f72fa20964f2 400e:d8a5e0cb295e9e1b c03e:fa94f72fa2088c4c -18056328589989209330 -18056328589989153868"),
    (b"+0x51d81p-66", b"-0xa681608000000000p-1", "3fcf:a3b0200000000000 c03d:a681608000000000 c03d:a681608000000000 0.00000000000000454 -5998988492581896192"),
    (b"-783106.734", b"0.96", "c012:bf302bbe76c8b439 3ffe:f5c28f5c28f5c28f c012:bf301c624dd2f1aa -783106.73399999999998045 -783105.77400000000000091"),
    (b"0xba20498ae74de345p-195", b"-0xb.a20498ae74de5f0p-66", "3f7b:ba20498ae74de345 bfc0:ba20498ae74de5f0 bfc0:ba20498ae74de5f0 0 0"),
    (b"414651064808.7243E-195", b"-639746.79234E-93", "3d9d:e185ca78727ded29 bedd:a2e5fdcd6ba2d197 bedd:a2e5fdcd6ba2d197 0 0"),
    (b"-5069", b"-2.6049e3584", "c00b:9e68000000000000 ee82:9028c7a84b8d1c0e ee82:9028c7a84b8d1c0e -5069 -26048999999999999999739~3586~4864996866719744"),
    (b"87653e49", b"-6927170853488286539", "40b2:926c229dde8812c6 c03d:c04482610937b696 40b2:926c229dde8812c6 876529999999999999979668862759997983994441754166165504 876529999999999999979668862759997983994441754166165504"),
    (b"723441.958", b"0.981", "4012:b09f1f53f7ced917 3ffe:fb22d0e560418937 4012:b09f2f0624dd2f1b 723441.95800000000002683 723442.93900000000002137"),
    (b"26283137427067E-50", b"-3.067", "3f85:b2dfaf03fd07f6cd c000:c449ba5e353f7cee c000:c449ba5e353f7cee 0 -3.067"),
    (b"+5755.758", b"3.9", "400b:b3de10624dd2f1aa 4000:f99999999999999a 400b:b3fd4395810624dd 5755.75800000000000001 5759.65799999999999992"),
    (b"4398204581e19", b"+0x36cf0c000000000p-16445", "405e:8e1d1878e0c141fa 0000:036cf0c000000000 405e:8e1d1878e0c141fa 43982045809999999998615355392 43982045809999999998615355392"),
    (b"1854383986554213870", b"-0x4a02d7p-16445", "403b:cde0c3495de4af70 8000:00000000004a02d7 403b:cde0c3495de4af70 1854383986554213870 1854383986554213870"),
    (b"-0xa4281c57de52b02cp-9351", b"0xa4281c57de52af7fp-9369", "9bb7:a4281c57de52b02c 1ba5:a4281c57de52af7f 9bb7:a427f34dd73cb897 0 0"),
    (b"-0xf740c59e5a85ac00p1", b"+0xf740c59e5a85ab5fp-50", "c03f:f740c59e5a85ac00 400c:f740c59e5a85ab5f c03f:f740c59e5a858d18 -35632914819583793152 -35632914819583777328"),
    (b"+0x9.61b2ffe6601c2b9p16379", b"3578873462865718197", "7ffd:961b2ffe6601c2b9 403c:c6aad9cfa8bbaed4 7ffd:961b2ffe6601c2b9 348800927869214383920651~4932~1580318997217280 348800927869214383920651~4932~1580318997217280"),
    (b"0xad7cbefc8de94fddp-4593", b"-0xa.d7cbefc8de94c70p-4548", "2e4d:ad7cbefc8de94fdd ae3e:ad7cbefc8de94c70 2e4d:ad7b64030ff0340a 0 0"),
    (b"\x0b1", b"-2394338459848202240", "R c03c:84e99892ed3b6000 - - -"),
    (b"+0xf696196a2b2c1c96p117", b"+0xb.fd6f262ce58f8a6p189", "40b3:f696196a2b2c1c96 40bf:bfd6f262ce58f8a6 40bf:bfe65bc464fbab68 2952284718417909695078354887599902895889548643909238784 9410740660918158353541679648124674713036181577443991093248"),
    (b"0.0", b"526614041223834530904725782528", "0000:0000000000000000 4061:d4b29d9b3a00fa76 4061:d4b29d9b3a00fa76 0 526614041223834530887545913344"),
    (b"-983820.48", b"0.02", "c012:f030c7ae147ae148 3ff9:a3d70a3d70a3d70a c012:f030c75c28f5c290 -983820.48000000000001819 -983820.46000000000003638"),
    (b"+8363505813e57", b"0xe.ce0a7251a6e47b0p109", "40dd:9ed51ce3e141b41b 406f:ece0a7251a6e47b0 40dd:9ed51ce3e141b41b 836350581300000000011400~67~9380533134229504 836350581300000000011400~67~9380533134229504"),
    (b"0x9f94a0c88dbd0ea9p140", b"-0xc5cc08ffd35041b2p81", "40ca:9f94a0c88dbd0ea9 c08f:c5cc08ffd35041b2 40ca:9f94a0c88dbd0e90 16027256405739139416784771177316017933728080652572049968988160 16027256405739139381939856804611919275078520851558985115893760"),
    (b"0.0808353080815442043663995950325551476112195814494043588638305664062", b"-0xc6f5389be0e52186p-29", "3ffb:a58cfb64941adc80 c021:c6f5389be0e52186 c021:c6f5389bde4eed98 0.0808353080815442 -26703676638.94713477790355682"),
    (b"-0xd6c0000000000000p-138", b"+0xd.6bffffffffffd29p-47", "bfb4:d6c0000000000000 3fd3:d6bffffffffffd29 3fd3:d6bffffe527ffd29 0 0.00000000000009537"),
    (b"-8011869004934115209", b"-0.0886", "c03d:de5fc0d2941edf12 bffb:b573eab367a0f909 c03d:de5fc0d2941edf12 -8011869004934115209 -8011869004934115209"),
    (b"+0x9c479a01866d0053p28", b"-0x0.0000000000019ddp34", "405a:9c479a01866d0053 bff1:cee8000000000000 405a:9c479a01866d0053 3022888908618373382598033408 3022888908618373382598033408"),
    (b"-0xd352d4b715p-57", b"8918916454E285", "bfed:d352d4b715000000 43d2:df7008534433fdda 43d2:df7008534433fdda -0.00000629793281185 891891645400000000004986~295~5774793268330496"),
    (b"+0xa.73dc9c91efd3676p-16380", b"+0xfaca01255aceee14p-16445", "0006:a73dc9c91efd3676 0001:faca01255aceee14 0006:af1419d249d3ade7 0 0"),
    (b"-0xb8de300000000000p-59", b"0xa.dd4f39ecab34a62p41", "c003:b8de300000000000 402b:add4f39ecab34a62 402b:add4f39ec9fa6c32 -23.108489990234375 23891266492735.30282974243164062"),
    (b"+0xe.0cf623074233efep-13452", b"-0xe0cf623074233f97p-13482", "0b76:e0cf623074233efe 8b94:e0cf623074233f97 8b94:e0cf622cf0e5b6d5 0 0"),
    (b"-0xc.5b5086002710cc6p47", b"0xc5b5086002710b92p16", "c031:c5b5086002710cc6 404e:c5b5086002710b92 404e:c5b50859d4c8c892 -1739050562098056.399169921875 933645659548645590171648"),
    (b"+1.542", b"0.6", "3fff:c5604189374bc6a8 3ffe:999999999999999a 4000:8916872b020c49ba 1.542 2.142"),
    (b"-340580.877", b"0.754", "c011:a64c9c10624dd2f2 3ffe:c10624dd2f1a9fbe c011:a64c83ef9db22d0f -340580.87700000000000955 -340580.12300000000001887"),
    (b"276262.888", b"0.5", "4011:86e4dc6a7ef9db23 3ffe:8000000000000000 4011:86e4ec6a7ef9db23 276262.88800000000000523 276263.38800000000000523"),
    (b"6e17", b"124046816821484019334637855060634017030832381333948334080", "403a:853a0d2313c00000 40b9:a1e37e8a714f4d02 40b9:a1e37e8a714f4d02 600000000000000000 124046816821484019339954767043773680522447609575069712384"),
    (b"-0xb.4f392a35079346bp15", b"+0xf.d232fa822aa6aeep-13", "c011:b4f392a35079346b 3ff5:fd232fa822aa6aee c011:b4f392937e4639e9 -370588.58243583367161023 -370588.58050454822594588"),
    (b"+0x89b6c61900000000p2639", b"+0x8bb7acb2329b11a3p-11824", "4a8d:89b6c61900000000 120e:8bb7acb2329b11a3 4a8d:89b6c61900000000 259905985907438749515341~814~8978551165812736 259905985907438749515341~814~8978551165812736"),
    (b"-847553.1", b"0.966", "c012:ceec11999999999a 3ffe:f74bc6a7ef9db22d c012:ceec0224dd2f1aa0 -847553.10000000000002274 -847552.13400000000001455"),
    (b"305797702463064E+80", b"4e-4951", "4138:ea8f9482639a9fe1 0000:0000000000000001 4138:ea8f9482639a9fe1 305797702463063999994279~95~6771153903812608 305797702463063999994279~95~6771153903812608"),
    (b"91e44", b"67246242089799e-59", "4097:cc07703d98313b6f 3f68:f5b383f5b446801e 4097:cc07703d98313b6f 9099999999999999999939772406315352031787745280 9099999999999999999939772406315352031787745280"),
    (b"0x8.6d3c9d52d4fc0ffp46", b"-0x86d3c9d52d4fc13bp-4", "4030:86d3c9d52d4fc0ff c03a:86d3c9d52d4fc13b c03a:86b214e2b8046d4b 592976729650495.01556396484375 -606615194432456404.6875"),
    (b"+0xb8999dfa6ba8e7b0p-6736", b"3.0e3", "25ee:b8999dfa6ba8e7b0 400a:bb80000000000000 400a:bb80000000000000 0 3000"),
    (b"766629.69", b"0.0", "4012:bb2a5b0a3d70a3d7 0000:0000000000000000 4012:bb2a5b0a3d70a3d7 766629.68999999999999773 766629.68999999999999773"),
    (b"-320765.777", b"0.05", "c011:9c9fb8dd2f1a9fbe 3ffa:cccccccccccccccd c011:9c9fb74395810624 -320765.77699999999998681 -320765.72699999999997544"),
    (b"-183602.3", b"0.83", "c010:b34c933333333333 3ffe:d47ae147ae147ae1 c010:b34c5e147ae147ae -183602.29999999999999716 -183601.46999999999999886"),
    (b"-0xd.8fd0a2bc47139e2p12064", b"-0xd8fd0a2bc4713749p11952", "ef22:d8fd0a2bc47139e2 eeee:d8fd0a2bc4713749 ef22:d8fd0a2bc4714772 -57303915539960577829551~3634~7915449930481664 -57303915539960590554254~3634~8299839709577216"),
    (b"+41", b"-4040322702942064056", "4004:a400000000000000 c03c:e048705dfb3b36e0 c03c:e048705dfb3b363c 41 -4040322702942064015"),
    (b"-142912.76", b"0.317", "c010:8b9030a3d70a3d71 3ffd:a24dd2f1a9fbe76d c010:8b901c5a1cac0832 -142912.76000000000000512 -142912.44300000000001205"),
    (b"0xff6e2f9614232f22p-21", b"-0xff6e2f9614232caap-43", "4029:ff6e2f9614232f22 c013:ff6e2f9614232caa 4029:ff6e2b985b64d6d1 8776522182817.09950351715087891 8776520090331.15122270584106445"),
    (b"+0xd.8f1b00000000000p-16380", b"0xd8f1affffffffcd6p-16445", "0006:d8f1b00000000000 0001:d8f1affffffffcd6 0006:dfb93d7fffffffe7 0 0"),
    (b"-0xd.a796a54a8f62000p12", b"+0xda796a54a8f620d6p-99", "c00e:da796a54a8f62000 3fdb:da796a54a8f620d6 c00e:da796a54a8f604b1 -55929.41535430916701443 -55929.41535430914217741"),
    (b"-0xd7c795a33399fb7ap27", b"+0xd7c795a33399fe03p15", "c059:d7c795a33399fb7a 404d:d7c795a33399fe03 c059:d7ba1929d966c1da -2086892499776125376317620224 -2086383004536922220670222336"),
    (b"-29476.40", b"0.04", "c00d:e648cccccccccccd 3ffa:a3d70a3d70a3d70a c00d:e648b851eb851eb9 -29476.40000000000000036 -29476.36000000000000121"),
    (b"+3.59397606981543460437886319868998141513e-1643", b"941.50", "2aae:f1cef7284b376d4c 4008:eb60000000000000 4008:eb60000000000000 0 941.5"),
    (b"-0.71E354\x00junk", b"6.28740978014741571811509470021947e325", "R 4439:9b51d526cd55d0be - - -"),
    (b"79255.740", b"0.394", "400f:9acbdeb851eb851f 3ffd:c9ba5e353f7ced91 400f:9acc1126e978d4fe 79255.74000000000000199 79256.13400000000000034"),
    (b"64189342764217448433.8983E251", b"846044.81965449191", "4382:c2679b7bf929a1a7 4012:ce8dcd1d4e074c5e 4382:c2679b7bf929a1a7 641893427642174484331430~271~0889577559359488 641893427642174484331430~271~0889577559359488"),
    (b"-931374164961243953709820701615717714277210527436055248896", b"+493186.13", "c0bc:97f0000000000000 4011:f0d04428f5c28f5c c0bc:97f0000000000000 -931374164961243953667285405750600406344288701507084222464 -931374164961243953667285405750600406344288701507084222464"),
    (b"-8", b"89296228005e-10", "c002:8000000000000000 4002:8edfbc285c3704f1 3ffe:edfbc285c3704f10 -8 0.9296228005"),
    (b"-0xa.34e66cd94e44cd0p154", b"-0xa34e66cd94e449c4p124", "c09c:a34e66cd94e44cd0 c0ba:a34e66cd94e449c4 c0ba:a34e66d0221de4fa -233078477294683158598771593529721005123957686272 -250266109578614140914901575813502745280291681527547297792"),
    (b"-5188", b"-60237227612.432", "c00b:a220000000000000 c022:e066b265c6e978d5 c022:e066b3aa06e978d5 -5188 -60237232800.43200000002980232"),
    (b"-6.20595506568e563", b"0x864fe87a616723cap72", "c74f:eb6ec2f249a53a80 4086:864fe87a616723ca c74f:eb6ec2f249a53a80 -62059550656799999999807~565~0528748603637760 -62059550656799999999807~565~0528748603637760"),
    (b"-671673239994714437", b"0xa9343p-37", "c03a:9524340cb0549450 3fed:a934300000000000 c03a:9524340cb0549450 -671673239994714437 -671673239994714437"),
    (b"-0xb.7df6fec3e1288b5p-16380", b"0xb.7df6fec3e1286edp-16385", "8006:b7df6fec3e1288b5 0001:b7df6fec3e1286ed 8006:b220746cdc21f47e 0 0"),
    (b"+0x837cfbd5c29c1ae3p111", b"+0xf1c72f8f4c3ba20dp152", "40ad:837cfbd5c29c1ae3 40d6:f1c72f8f4c3ba20d 40d6:f1c72f8f4c7d608b 24597791418126649778029887340207647963246772382334976 994617287868678267490338~65~4147376761143296"),
    (b"3.86961243051041508803091e1619", b"86.", "5503:8e65a03a20090ca1 4005:ac00000000000000 5503:8e65a03a20090ca1 386961243051041508804880~1620~5470286573076480 386961243051041508804880~1620~5470286573076480"),
    (b"+0xc.e9f8248110c867ep78", b"-0xb.9c1054e6f863c13p-16", "4050:ce9f8248110c867e bff2:b9c1054e6f863c13 4050:ce9f8248110c867e 3902999662204141920845824 3902999662204141920845824"),
    (b"-0xa8ebdce361c5dce7p-196", b"0xa8ebdce361c5de4cp-146", "bf7a:a8ebdce361c5dce7 3fac:a8ebdce361c5de4c 3fac:a8ebdce361c5b411 0 0"),
    (b"-2032251147657157991749", b"7500782.8625728494655504619004204869270324707031251", "c045:dc564ce6eea9a5bb 4015:e4e7ddb9a32605bf c045:dc564ce6eea8c0d3 -2032251147657157991808 -2032251147657150491008"),
    (b"68028476023833e27", b"429771090610091415050488146489", "4086:c7eaefe78f780172 4061:ad954a0c317b295c 4086:c7eaefe794e4abc2 68028476023832999998804084797357693075456 68028476024262771087614764869279006326784"),
    (b"+0xf.1ad19d39433e3e1p-16384", b"-11611380167470388029891569236984420423585286215172096", "0002:f1ad19d39433e3e1 c0ab:f846a13286b3c174 c0ab:f846a13286b3c174 0 -11611380167470388030216087790642847150368442235748352"),
    (b"1278e30\x00junk", b"9.7818483790939747368e-2981", "R 1953:c50e23ac94a33cfd - - -"),
    (b"8497073526710114883", b"-1022431632859852398035337472839407792472195072", "403d:ebd756b4cbdd3486 c094:b763c215d569172a c094:b763c215d569172a 8497073526710114883 -1022431632859852397996651846611739658881597440"),
    (b"-0xed898d896af36ad6p8", b"+0xc.49b64372f1fcc16p20", "c046:ed898d896af36ad6 4016:c49b64372f1fcc16 c046:ed898d896af2a63b -4381790074916519466496 -4381790074916506581760"),
    (b"+0.938", b"-14427674495419003650560", "3ffe:f020c49ba5e353f8 c048:c3880d221f3b38d0 c048:c3880d221f3b38d0 0.938 -14427674495419003650048"),
    (b"0.884017086166695e2964", b"-48282162136694.8e-171", "6675:8184da07464ca23b bdf4:a9b37501741c2e14 6675:8184da07464ca23b 884017086166694999964569~2964~2705271835131904 884017086166694999964569~2964~2705271835131904"),
    (b"2552", b"+0xb.7b42e4fa0000000p-15", "400a:9f80000000000000 3ff3:b7b42e4fa0000000 400a:9f80016f685c9f40 2552 2552.00035038725214065"),
    (b"-211112443324644689589994588876583206912", b"0x94d8181cd146ccaap-63", "c07e:9ed2c7124fddeec4 3fff:94d8181cd146ccaa c07e:9ed2c7124fddeec4 -211112443324644689580771216839728431104 -211112443324644689580771216839728431104"),
    (b"5.68312785388129311097424576063726e3779", b"79.14", "710b:86a3a90be626a418 4005:9e47ae147ae147ae 710b:86a3a90be626a418 568312785388129311117490~3780~9457423386279936 568312785388129311117490~3780~9457423386279936"),
    (b"+0xa6390e7a7792f3acp-1740", b"-0xa6390e7a7792f38ep-1784", "3972:a6390e7a7792f3ac b946:a6390e7a7792f38e 3972:a6390e7a7788901b 0 0"),
    (b"-18602", b"-9.158777360866e312", "c00d:9154000000000000 c40e:c70363e466b768f0 c40e:c70363e466b768f0 -18602 -91587773608660000000524~314~6438979605495808"),
    (b"0xb3a465a65b83abf4p-54", b"-0xb.3a465a65b83ab2dp28", "4008:b3a465a65b83abf4 c01e:b3a465a65b83ab2d c01e:b3a462d7c9ed11bf 718.56870421349475397 -3013894871.78877364075742662"),
    (b"+0xa.68076274f4fadc1p1330", b"-0xf.f170bafda3ecc16p1268", "4534:a68076274f4fadc1 c4f6:ff170bafda3ecc16 4534:a68076274f4fadbd 243889549136301087944170~402~9985535433441280 243889549136301087862858~402~4434319002435584"),
    (b"1", b"+0x9357c886203d8bd0p3980", "3fff:8000000000000000 4fca:9357c886203d8bd0 4fca:9357c886203d8bd0 1 133472478011806686523087~1218~4289597629923328"),
    (b"-416549.4", b"0.852", "c011:cb64accccccccccd 3ffe:da1cac083126e979 c011:cb649189374bc6a8 -416549.40000000000000568 -416548.54800000000000182"),
    (b"-0xfdff4431ff7666f9p-80", b"0x84362e5f172676b2p-80", "bfee:fdff4431ff7666f9 3fee:84362e5f172676b2 bfed:f3922ba5d09fe08e -0.00001513940896557 -0.00000725898082588"),
    (b"96460219.9E163", b"5218.2", "4236:ff98113333187157 400b:a31199999999999a 4236:ff98113333187157 964602199000000000020283~171~4131875910451200 964602199000000000020283~171~4131875910451200"),
    (b"-0x9.ce6fed0ecec3372p-9759", b"-0xf.1cf5c53553ef82bp-9795", "99e3:9ce6fed0ecec3372 99bf:f1cf5c53553ef82b 99e3:9ce6fed0fc092937 0 0"),
    (b"-843971.30", b"0.5", "c012:ce0c34cccccccccd 3ffe:8000000000000000 c012:ce0c2ccccccccccd -843971.30000000000001137 -843970.80000000000001137"),
    (b"-22066968", b"-127728260203202427677651162577.e-24", "c017:a85b8c0000000000 c00f:f978214e56aa5ee4 c017:a95504214e56aa5f -22066968 -22194696.2602032024278742"),
    (b"-0x0.000645197727981p-16385", b"-0x8.7e3410cd39654d1p-16385", "8000:0000645197727981 8001:87e3410cd39654d1 8001:87e3a55e6b08ce52 0 0"),
    (b"-0x9.6e03dea2c96a8f6p38", b"-0x8.667e62de1b46c16p-6", "c028:96e03dea2c96a8f6 bffc:8667e62de1b46c16 c028:96e03dea2c9f0f74 -2592028993714.35406255722045898 -2592028993714.48531818389892578"),
    (b"-8.29985562478087794111e-4619", b"-370786e24", "8412:861acd698506ddfe c061:95c25fb30b895134 c061:95c25fb30b895134 0 -370786000000000000001577058304"),
    (b"-856897.739", b"0.78", "c012:d1341bd2f1a9fbe7 3ffe:c7ae147ae147ae14 c012:d1340f5810624dd3 -856897.7389999999999759 -856896.95900000000000318"),
    (b"-0xfdfb647b7523a4e6p16320", b"5.99e2497", "fffe:fdfb647b7523a4e6 6068:ad4924c208dec376 fffe:fdfb647b7523a4e6 -11803530742909088001395~4934~3424280657133568 -11803530742909088001395~4934~3424280657133568"),
    (b"9.49", b"+1.8e824 ", "4002:97d70a3d70a3d70a R - 9.49 -"),
    (b"-175710.467", b"0.11", "c010:ab979de353f7ced9 3ffb:e147ae147ae147ae c010:ab9796d916872b02 -175710.46699999999999875 -175710.35699999999999932"),
    (b"36893488147419103232", b"-0xa06a985a0a452b53p0", "4040:8000000000000000 c03e:a06a985a0a452b53 403f:afcab3d2fadd6a56 36893488147419103232 25334269241332520108"),
    (b"9594118374776e-28", b"793222.8694", "3fcd:8a440c9bf0f083b6 4012:c1a86de90ff97247 4012:c1a86de90ff97247 0.00000000000000096 793222.86939999999998463"),
    (b"+0xf.b2e00e41be00000p-11", b"-0xfb2e00e41be00080p-15", "3ff7:fb2e00e41be00000 c02f:fb2e00e41be00080 c02f:fb2e00e41bdfff85 0.00766539615162198 -552350004033471.996246337890625"),
    (b"24434.9", b"0.9", "400d:bee5cccccccccccd 3ffe:e666666666666666 400d:bee799999999999a 24434.90000000000000036 24435.80000000000000071"),
    (b"-0x89d0000000000000p-7366", b"-0xc8166636ba9a5483p-7368", "a378:89d0000000000000 a376:c8166636ba9a5483 a378:bbd5998daea69521 0 0"),
    (b"-0xf9fb9c3a23780abep16319", b"+0xb5a9017cfe612bcdp16277", "fffd:f9fb9c3a23780abe 7fd3:b5a9017cfe612bcd fffd:f9fb9c3a234aa07e -58088373636974523644048~4933~8267907225485312 -58088373636964925685649~4933~4984878032945152"),
    (b"-0xf3ba4ca01172992dp-1", b"+0xb6c1efeec986cb21p69", "c03d:f3ba4ca01172992d 4083:b6c1efeec986cb21 4083:b6c1efeec986cb21 -8781216973627935894.5 7773647198115817728896007600402077843456"),
    (b"-0xa.f57921b3fea5220p143", b"0xe.fcf6052ed59b147p162", "c091:af57921b3fea5220 40a4:efcf6052ed59b147 40a4:efcf4a67fb16494a -122195590502047369593224884796906533319344128 87620577931199243030311655059615263182334262771712"),
    (b"0xa.6b58e8692b07726p6", b"-0xd.5cb6a28d21f56d6p-10", "4008:a6b58e8692b07726 bff8:d5cb6a28d21f56d6 4008:a6b4b8bb2887a507 666.83682407689217297 666.8237750907706673"),
    (b"-935416.04", b"0.88", "c012:e45f80a3d70a3d71 3ffe:e147ae147ae147ae c012:e45f728f5c28f5c3 -935416.04000000000002046 -935415.16000000000002501"),
    (b"9e-8", b"4.43524260792604331373e-3178", "3fe7:c14605f3b4ee08dd 16c4:8593b438b2c8ee7f 3fe7:c14605f3b4ee08dd 0.00000009 0.00000009"),
    (b"+0x8211ddc66cb29822p3", b"4240992396963934601386646e-10", "4041:8211ddc66cb29822 402f:c0dba6440c04bae6 4041:82120dfd56439b23 74980129150652956944 74980553249892653336"),
    (b"-0xaf89156f3c342be6p-30", b"0xb.12b90cc2bc2c74cp64", "c020:af89156f3c342be6 4042:b12b90cc2bc2c74c 4042:b12b90cbffe081f0 -11779986876.94068429432809353 204263308392919473920"),
    (b"6.34404603726823230262374660138e2065", b"-27018837153205437482950779517", "5acd:ae7aebb9cbb770c3 c05d:ae9aeaa1f428497e 5acd:ae7aebb9cbb770c3 634404603726823230284922~2066~4326617573097472 634404603726823230284922~2066~4326617573097472"),
    (b"743522.6", b"0.757", "4012:b58629999999999a 3ffe:c1cac083126e978d 4012:b58635b645a1cac1 743522.60000000000002274 743523.35700000000002774"),
    (b"+0xf.3b27e5b06ebc4c2p52", b"-0xf.3b27e5b06ebc6f4p69", "4036:f3b27e5b06ebc4c2 c047:f3b27e5b06ebc6f4 c047:f3b20481c7be437e 68594675103493060.7578125 -8990772660489939254272"),
    (b"0xf.4466090ad64c2ebp126", b"-0x8dc6cfd9ad4a045fp19", "4080:f4466090ad64c2eb c051:8dc6cfd9ad4a045f 4080:f4466090ad63a75d 1298788201301827933168352254790702465024 1298788201301822576971743012485295243264"),
    (b"0x9.3a2be338de1c224p14608", b"-0x9.3a2be338de1c14ep14577", "7912:93a2be338de1c224 f8f3:93a2be338de1c14e 7912:93a2be32669c45bd 257779340171267262305844~4399~8739265498382336 257779340051229402922980~4399~6571267429498880"),
    (b"-269777.02", b"0.4", "c011:83ba20a3d70a3d71 3ffd:cccccccccccccccd c011:83ba13d70a3d70a4 -269777.02000000000001023 -269776.62000000000000455"),
    (b"0", b"724834729605088873521441e33", "0000:0000000000000000 40bb:ec7d057ccce7b1ef 40bb:ec7d057ccce7b1ef 0 724834729605088873505719946399986215458906606119579287552"),
    (b"-0xb7635d6f3ffbc000p77", b"0xb7635d6f3ffbbd0bp98", "c08b:b7635d6f3ffbc000 40a0:b7635d6f3ffbbd0b 40a0:b76357b42510430b -1996920059460449354212514474967346544902144 4187842899617540583691162889164128611390424350720"),
    (b"-0xa.13fd44fa6ad820bp-11", b"0x889cedb476a8220cp-107", "bff7:a13fd44fa6ad820b 3fd3:889cedb476a8220c bff7:a13fd44f9e23b330 -0.00492093912844409 -0.00492093912838342"),
    (b"+0x8e9c8972a3312b72p5", b"-0xe.dc390e894437589p16379", "4043:8e9c8972a3312b72 fffd:edc390e894437589 fffd:edc390e894437589 328839666406714076736 -55249069499271102710781~4933~1555551746195456"),
    (b"-4995455287649707809", b"-0xa7a43cce2b1ad57dp52", "c03d:8aa6d83bef6a4e42 c072:a7a43cce2b1ad57d c072:a7a43cce2b1ad9d2 -4995455287649707809 -54402794252880536051187650897379328"),
    (b"7.5463e-455", b"0.966", "3a1a:ad7697eac38cfded 3ffe:f74bc6a7ef9db22d 3ffe:f74bc6a7ef9db22d 0 0.966"),
    (b"156125.4", b"0.86", "4010:987759999999999a 3ffe:dc28f5c28f5c28f6 4010:987790a3d70a3d71 156125.40000000000000568 156126.26000000000000512"),
    (b"355171.75", b"0.318", "4011:ad6c780000000000 3ffd:a2d0e5604189374c 4011:ad6c822d0e560419 355171.75 355172.06800000000001205"),
    (b"+0x8e01bd6d117243cep50", b"+0x8.e01bd6d117245afp138", "4070:8e01bd6d117243ce 408c:8e01bd6d117245af 408c:8e01bd75f18e1c80 11520960065612840326506019416965120 3092634180291532923459681619503390688018432"),
    (b"-540943.09", b"0.743", "c012:8410f170a3d70a3d 3ffe:be353f7ced916873 c012:8410e58d4fdf3b64 -540943.08999999999997499 -540942.34699999999997999"),
    (b"+1746.9015", b"7.80380489033357523028023286e465", "4009:da5cd916872b020c 460a:ca5ac7073248bf9c 460a:ca5ac7073248bf9c 1746.90149999999999997 780380489033357523002658~466~4430738613010432"),
    (b"-290858146571292883967464072806400", b"+0xadf14f6f139e79d6p-10334", "c06a:e57255bd8cd269fa 17e0:adf14f6f139e79d6 c06a:e57255bd8cd269fa -290858146571292883958667979784192 -290858146571292883958667979784192"),
    (b"0x8.90a1655824c65e8p91", b"-0x8.90a1655824c63edp128", "405d:890a1655824c65e8 c082:890a1655824c63ed c082:890a16557e04133a 21205820536572640737408057344 -2914505782040383274383474599790364327936"),
    (b"-0xb.14e1f8853c26d64p53", b"727.04", "c037:b14e1f8853c26d64 4008:b5c28f5c28f5c28f c037:b14e1f8853c101df -99813936431858906.78125 -99813936431858179.7421875"),
    (b"-884685.220", b"0.816", "c012:d7fcd3851eb851ec 3ffe:d0e5604189374bc7 c012:d7fcc676c8b43959 -884685.22000000000002728 -884684.40400000000005321"),
    (b"10.5", b"35996388493243399167016e-10", "4002:a800000000000000 4028:d186cc79cb15c132 4028:d186cc79cdb5c132 10.5 3599638849334.83991670608520508"),
    (b"0xc1d85565785b08cap-41", b"-0xc.1d85565785b0c06p52", "4015:c1d85565785b08ca c036:c1d85565785b0c06 c036:c1d85565176ee153 6351914.69818386537826882 -54562531785010913.32421875"),
    (b"-0xc.25b856197000000p105", b"+0xb.634ef684d650b10p170", "c06b:c25b856197000000 40ac:b634ef684d650b10 40ac:b634ef684d650b10 -492754813172801274674158252326912 17042912286619098125478257731387871084255630996799488"),
    (b"-0x9602e27ba87c61d7p5", b"0x9602e27ba87c6464p8", "c043:9602e27ba87c61d7 4046:9602e27ba87c6464 4046:8342862c336cd829 -345902434444102089440 2421317041108714793216"),
    (b"080.56222E-340", b"+7.32142840e-1091", "3b9b:eafe6dd45008dcc7 31d9:c8a7b10c2f537be4 3b9b:eafe6dd45008dcc7 0 0"),
    (b"+0xc.58940109bc5d32ap110", b"+0xc58940109bc5d32cp85", "4070:c58940109bc5d32a 4093:c58940109bc5d32c 4093:c5894010b476fb2e 16026035109211563988351984081043456 550650373444917680583505124844435880603025408"),
    (b"0xdcc809e81ddf8d51p48", b"1.0524", "406e:dcc809e81ddf8d51 3fff:86b50b0f27bb2fec 406e:dcc809e81ddf8d51 4477978811283171338338580530462720 4477978811283171338338580530462720"),
    (b"-0xc7515784f821996ep9075", b"-0xc7515784f8219c22p9107", "e3b1:c7515784f821996e e3d1:c7515784f8219c22 e3d1:c7515785bf72f3a7 -10102674618599142637263~2753~9651698534580224 -43390657099115267670004~2762~6792766691409920"),
    (b"-0x9dcbe9e98649c40ep194", b"+0xa79d8945710664d8p196", "c100:9dcbe9e98649c40e 4102:a79d8945710664d8 4102:802a8ecb0f73f3d4 -28549360633772561292189~79~9427906778038272 927539803485705471888117~78~7868859953315840"),
    (b"-0xd69b44d8eaf85ed3p24", b"+4051181629826791973263e-23", "c056:d69b44d8eaf85ed3 3ffa:a5efb7e1a45563d3 c056:d69b44d8eaf85ed3 -259443362211550993538088960 -259443362211550993538088960"),
    (b"510312.968", b"0.4", "4011:f92d1ef9db22d0e5 3ffd:cccccccccccccccd 4011:f92d2bc6a7ef9db2 510312.96799999999998931 510313.367999999999995"),
    (b"+0.8558883096240862160854528746e556", b"+1e42", "4735:d9e61f50f4009e7e 408a:b7abc627050305ae 4735:d9e61f50f4009e7e 855888309624086216087971~556~4599078826344448 855888309624086216087971~556~4599078826344448"),
    (b"-845925.4", b"0.070", "c012:ce86566666666666 3ffb:8f5c28f5c28f5c29 c012:ce865547ae147ae1 -845925.39999999999997726 -845925.32999999999998408"),
    (b"0xf843ce023a220000p13121", b"-0xf.843ce023a22016bp13218", "737f:f843ce023a220000 f3a4:f843ce023a22016b f3a4:f843ce02325fe2fb 116726139141698949313117~3970~0915199645122560 -16042718406345434096126~3982~4656408546181120"),
    (b"309721795232129194118691196", b"-6.3077640588861529262e-3235", "4057:80191214d7eaa4eb 9607:950f2893fa691b80 4057:80191214d7eaa4eb 309721795232129194108387328 309721795232129194108387328"),
    (b"-0xe.9cb8199f84d58e1p-16380", b"+0xa3eec024c277d0d0p-16418", "8006:e9cb8199f84d58e1 001c:a3eec024c277d0d0 001c:a3eebc7d947168ef 0 0"),
    (b"+1.45", b"-535501.9e+6", "3fff:b99999999999999a c025:f95ccd11c0000000 c025:f95ccd11bd19999a 1.45 -535501899998.55000001192092896"),
    (b"-0xcd934f99c88a7409p-34", b"0xcd934f99c88a735fp-2", "c01c:cd934f99c88a7409 403c:cd934f99c88a735f 403c:cd934f98faf723c5 -862245862.44584065728122368 3703317779453954289.25"),
    (b"155269.651", b"0.08", "4010:97a169a9fbe76c8b 3ffb:a3d70a3d70a3d70a 4010:97a16ec8b4395810 155269.65099999999999625 155269.73099999999999454"),
    (b"-664096.37", b"0.84", "c012:a22205eb851eb852 3ffe:d70a3d70a3d70a3d c012:a221f87ae147ae15 -664096.37000000000000455 -664095.53000000000002956"),
    (b"-0xae5fd537c6757a30p-62", b"-0xa.e5fd537c6757dbfp46", "c000:ae5fd537c6757a30 c030:ae5fd537c6757dbf c030:ae5fd537c6762c1f -2.72459917494582949 -766906489313752.68939208984375"),
    (b"43294647628429306911e-17", b"5870561107902e-24", "4007:d879262287bd39ed 3fd9:ce8d504a73061b73 4007:d879262287c07422 432.9464762842930691 432.94647628429893965"),
    (b"198089.39", b"+8.3758", "4010:c17258f5c28f5c29 4002:860346dc5d638866 4010:c1747102de00d1b7 198089.39000000000000057 198097.7657999999999987"),
    (b"223351538671129.5868148803710937", b"-0.2", "402e:cb23151f5e199639 bffc:cccccccccccccccd 402e:cb23151f5e196306 223351538671129.5868072509765625 223351538671129.386810302734375"),
    (b"556154", b"9120294155307579042", "4012:87c7a00000000000 403d:fd23966cfc5bed44 403d:fd23966cfc6ce638 556154 9120294155308135196"),
    (b"+0x9.2cb01666925ab95p71", b"-0x9.2cb01666925aaffp132", "4049:92cb01666925ab95 c086:92cb01666925aaff c086:92cb01666925aafa 21662821763424481748992 -49951066123034606402492277710626964373504"),
    (b"+53860086335781818230834.00", b"-479632030406.6", "404a:b67c2d9776d11be7 c025:df5897f58d333333 404a:b67c2d976fd65727 53860086335781818232832 53860086335302186201088"),
    (b"+0xe.1d1000000000000p23", b"-0xa6f5de5f04b7eec7p-16440", "4019:e1d1000000000000 8006:a6f5de5f04b7eec7 4019:e1d1000000000000 118392832 118392832"),
    (b"7.1", b"+2855244089710868e40", "4001:e333333333333333 40b7:950cfa6bdd7ef52f 40b7:950cfa6bdd7ef52f 7.1 28552440897108679999326978722938791183750166159393030144"),
    (b"-6544239764969031900", b"5.e-2246", "c03d:b5a39ec967ee11b8 22dc:9a7f02fdf9097d45 c03d:b5a39ec967ee11b8 -6544239764969031900 -6544239764969031900"),
    (b"-0xcc42025613cd79e9p16320", b"0x9.7f13a3500129175p16434", "fffe:cc42025613cd79e9 R - -94926560592107173787510~4933~5665842130518016 -"),
    (b"709218.82", b"0.16", "4012:ad262d1eb851eb85 3ffc:a3d70a3d70a3d70a 4012:ad262fae147ae148 709218.81999999999999318 709218.98000000000001819"),
    (b"+0xd673aea5c4b386f3p59", b"-0x8.e06b1d4e85ab929p70", "4079:d673aea5c4b386f3 c048:8e06b1d4e85ab929 4079:d673aea5c4b33ff0 8907982734671795285916479820954337280 8907982734671784806436463697018748928"),
    (b"0xb.fc3f39075000000p16380", b"+0xb.fc3f39074fffd47p16357", "7ffe:bfc3f39075000000 7fe7:bfc3f39074fffd47 7ffe:bfc3f50ffce720ea 891208507941859789124204~4932~8284974690140160 891208614182192862485098~4932~3835015684423680"),
    (b"+0xe.2362f11266a19d0p40", b"-0xe2362f11266a1d7cp14", "402a:e2362f11266a19d0 c04c:e2362f11266a1d7c c04c:e2362f10eddc91b8 15545146610278.6313018798828125 -267063585195142784352256"),
    (b"782.15", b"-4.47133207849108978e-1184", "4008:c38999999999999a b0a3:ff9df80b325002b5 4008:c38999999999999a 782.15000000000000002 782.15000000000000002"),
    (b"+47137.556", b"+97.433", "400e:b8218e5604189375 4005:c2ddb22d0e560419 400e:b882fd2f1a9fbe77 47137.55600000000000094 47234.98900000000000077"),
    (b"-0x9d43b11759e7dc96p130", b"0x9d43b11759e7daf0p61", "c0c0:9d43b11759e7dc96 407b:9d43b11759e7daf0 c0c0:9d43b11759e7dc96 -15424449525689951939055129565708544457825823834848914046976 -15424449525689951939055129565708544457825823834848914046976"),
    (b"-0x8.b3ef6b3b4d69b4bp8482", b"5722620797245765801", "e124:8b3ef6b3b4d69b4b 403d:9ed5aa9738317152 e124:8b3ef6b3b4d69b4b -18883644572317056225546~2556~4148146703892480 -18883644572317056225546~2556~4148146703892480"),
    (b"-1261622569329839762841796608", b"+41302116624360916591802e32", "c059:8272df10d6b1c30a 40b4:ac7c55fdf43e185e 40b4:ac7c55fdf43e185e -1261622569329839762908905472 4130211662436091659165153536380943123316737880256151552"),
    (b"+0x9.d098b67cbcad900p174", b"-0xdebec0a7cdda6294p79", "40b0:9d098b67cbcad900 c08d:debec0a7cdda6294 40b0:9d098b67aff300eb 235018492747145390807179323643335852284450546038865920 235018492737443472201855915642682259289923923994476544"),
    (b"+0x1cf54d343p-36", b"+0xd.865dbd000000000p40", "3ffb:e7aa69a180000000 402a:d865dbd000000000 402a:d865dbd00001cf55 0.11311800502880942 14870749446144.11311817169189453"),
    (b"-37630.702", b"0.960", "c00e:92feb3b645a1cac1 3ffe:f5c28f5c28f5c28f c00e:92fdbdf3b645a1cb -37630.70200000000000173 -37629.74200000000000088"),
    (b"+0x0.00000000000000dp20", b"-0x3p-9", "3fda:d000000000000000 bff7:c000000000000000 bff7:bffffff980000000 0.00000000001182343 -0.00585937498817657"),
    (b"-1.35893378618469246900355718201261699598e-747", b"25587410308418594.2587890625", "b64d:f960acc38648a1e8 4035:b5cf3a6c4f984484 4035:b5cf3a6c4f984484 0 25587410308418594.2578125"),
    (b"169411215e0", b"+373875.447", "401a:a19028f000000000 4011:b68e6e4dd2f1a9fc 401a:a1eb702726e978d5 169411215 169785090.44700000000011642"),
    (b"-176759.606", b"0.65", "c010:ac9de6c8b4395810 3ffe:a666666666666666 c010:ac9dbd2f1a9fbe76 -176759.60599999999999454 -176758.95599999999998886"),
    (b"-0xf.2592651514bcb02p42", b"0xe.00e8dacaa4fb56ap-2", "c02c:f2592651514bcb02 4000:e00e8dacaa4fb56a c02c:f2592651513dca19 -66616177218642.94824981689453125 -66616177218639.44736099243164062"),
    (b"78.5522", b"62", "4005:9d1ab9f559b3d07d 4004:f800000000000000 4006:8c8d5cfaacd9e83e 78.5522 140.5522"),
    (b"0xd55bacc5578d4f36p-41", b"-0x9.5e5399b74cb6834p7", "4015:d55bacc5578d4f36 c009:95e5399b74cb6834 4015:d5524e71bdd6027f 6991318.3854335936730422 6990119.22215145855398077"),
    (b"7232565062400.0000002384185791015625", b"534325685.65392237361582e-399", "4029:d27ecf1560000000 3aee:ba9a9037a79234c1 4029:d27ecf1560000000 7232565062400 7232565062400"),
    (b"-488510.6", b"0.658", "c011:ee87d33333333333 3ffe:a872b020c49ba5e3 c011:ee87be24dd2f1aa0 -488510.59999999999999432 -488509.94200000000000728"),
    (b"0xe.8f1290ee4b33dcbp94", b"-0xe8f1290ee4b33c76p10", "4060:e8f1290ee4b33dcb c048:e8f1290ee4b33c76 4060:e8f12825f38a2ee6 288368269171355918664829239296 288368251983267670206781063168"),
    (b"-05166467264186679e-18", b"0xaada000000000000p-3", "bff7:a94b77f7bfa7f29a 403b:aada000000000000 403b:aada000000000000 -0.00516646726418668 1538894066421334016"),
    (b"-72085.36", b"0.439", "c00f:8ccaae147ae147ae 3ffd:e0c49ba5e353f7cf c00f:8cca75e353f7ced9 -72085.35999999999999943 -72084.92099999999999937"),
    (b"0xf089911342d132fbp47", b"-0xf.089911342d13225p113", "406d:f089911342d132fb c073:f089911342d13225 c073:ecc76acef5c5ed59 2439338730876202507310649086836736 -153678340045200756032326564514365440"),
    (b"135.526", b"776133688084.340e3", "4006:8786a7ef9db22d0e 4030:b078ed31b1dd0000 4030:b078ed31b1fee1aa 135.526 776133688084475.5260009765625"),
    (b"825.2", b"-69.62", "4008:ce4ccccccccccccd c005:8b3d70a3d70a3d71 4008:bce51eb851eb851f 825.20000000000000001 755.58000000000000002"),
    (b"-174109.03", b"0.279", "c010:aa0741eb851eb852 3ffd:8ed916872b020c4a c010:aa073010624dd2f2 -174109.03000000000000114 -174108.75100000000000477"),
    (b"+0xf7f3c3adp-47", b"+8e-31", "3fef:f7f3c3ad00000000 3f9b:81ceb32c4b43fcf5 3fef:f7f3c3ad00000000 0.00002955820614403 0.00002955820614403"),
    (b"874505.07", b"0.14", "4012:d580911eb851eb85 3ffc:8f5c28f5c28f5c29 4012:d580935c28f5c28f 874505.06999999999999318 874505.20999999999997954"),
    (b"0xc3100e4e8b4636e0p-12238", b"0x8000000000000006p-12368", "1070:c3100e4e8b4636e0 0fee:8000000000000006 1070:c3100e4e8b4636e0 0 0"),
    (b"0xd26c724ac72760a3p87", b"0x8000000000000000p87", "4095:d26c724ac72760a3 4095:8000000000000000 4096:a93639256393b052 2346301755079413693300788360734578510380662784 3773549447785373574513816835094746181125799936"),
    (b"-0x8000000000000000p16310", b"0xffffffffffffffffp16311", "fff4:8000000000000000 7ff5:ffffffffffffffff 7ff5:bfffffffffffffff -58092358171739832279578~4930~7650044272443392 174277074515219496826137~4930~9287625282224128"),
    (b"-0x949b6407a3aa2526p-9846", b"-0x8000000000000000p-9718", "99c8:949b6407a3aa2526 9a48:8000000000000000 9a48:8000000000000000 0 0"),
    (b"-0xfffffffffffp-16445", b"0x2p-16445", "8000:00000fffffffffff 0000:0000000000000002 8000:00000ffffffffffd 0 0"),
    (b"0x15a86ff4640bp-16445", b"-0x87269aa8c0413f3ep-16367", "0000:000015a86ff4640b 804f:87269aa8c0413f3e 804f:87269aa8c0413f3e 0 0"),
    (b"-0xe91dcbaae00318c6p16271", b"-0xfffffffffffffff9p16145", "ffcd:e91dcbaae00318c6 ff4f:fffffffffffffff9 ffcd:e91dcbaae00318c6 -19244738444537430465346~4919~8658186639245312 -19244738444537430465346~4919~8658186639245312"),
    (b"-0x8000000000000000p-210", b"0x8000000000000002p-82", "bf6c:8000000000000000 3fec:8000000000000002 3fec:8000000000000002 0 0.00000190734863281"),
    (b"-0x8000000000000001p11363", b"0x8000000000000000p11428", "eca1:8000000000000001 6ce2:8000000000000000 6ce1:ffffffffffffffff -37045073146811069540242~3441~7359251462684672 136672196706214789459457~3460~8940111463710720"),
    (b"0x8000000000000000p-16445", b"-0xfffffffffffffffep-16368", "0001:8000000000000000 804e:fffffffffffffffe 804e:fffffffffffffffe 0 0"),
    (b"-0x813093463377b31ep-10968", b"0x973a62a567bdb3f3p13880", "9566:813093463377b31e 7676:973a62a567bdb3f3 7676:973a62a567bdb3f3 0 215601598449129673773196~4198~3377508670242816"),
    (b"-0x8000000000000000p-11185", b"0xd907d9521022f113p-11120", "948d:8000000000000000 14ce:d907d9521022f113 14ce:d907d9521022f113 0 0"),
    (b"0xf9600181d2256f2ep16231", b"0xfffffffffffffffcp16293", "7fa5:f9600181d2256f2e 7fe3:fffffffffffffffc 7fe4:8000000000000000 187237283813827896403505~4906~8112232310177792 886419039485776249383210~4924~4243280792911872"),
    (b"-0xfffffffffffffff8p-5627", b"0x8000000000000005p-5627", "aa43:fffffffffffffff8 2a43:8000000000000005 aa42:ffffffffffffffe6 0 0"),
    (b"0xf675c5268b137e31p-190", b"0x8000000000000000p-62", "3f80:f675c5268b137e31 4000:8000000000000000 4000:8000000000000000 0 2"),
    (b"0xd7fba70eaa251d54p4621", b"-0x8000000000000006p4683", "524b:d7fba70eaa251d54 d289:8000000000000006 d289:8000000000000003 178529227397716813867687~1411~8128701064413184 -48793213472280341755012~1430~5061797690277888"),
    (b"-0xf38a3e2f425b6032p16260", b"-0xa0d09c7fa71464fdp16259", "ffc2:f38a3e2f425b6032 ffc1:a0d09c7fa71464fd ffc3:a1f946378af2c958 -98170177328790042283053~4915~3903979010654208 -13058215345913587991577~4916~8259996285534208"),
    (b"0xe0d102343a531d14p16292", b"-0xe8899c4c2768d000p16228", "7fe2:e0d102343a531d14 ffa2:e8899c4c2768d000 7fe2:e0d102343a531d13 389221821678852932372436~4924~4174687011930112 389221821678852932348410~4924~4038533480841216"),
    (b"-0x8000000000000006p-66", b"0xa4c15ccc8610c24ep-193", "bffc:8000000000000006 3f7d:a4c15ccc8610c24e bffc:8000000000000006 -0.125 -0.125"),
    (b"0x8f3e0b33828d95dap16263", b"-0x8f880e4621be6980p16198", "7fc5:8f3e0b33828d95da ff84:8f880e4621be6980 7fc5:8f3e0b33828d95da 461924187262766671749353~4915~3002326803087360 461924187262766671749353~4915~3002326803087360"),
    (b"0xe7a474743c01bb68p20", b"0x964d357779e69706p20", "4052:e7a474743c01bb68 4052:964d357779e69706 4053:bef8d4f5daf42937 17502405039503363931111424 28858872630001922962620416"),
    (b"-0x9228bdf2e198ca0ap16179", b"-0xa08a3e9274e71dffp16309", "ff71:9228bdf2e198ca0a fff3:a08a3e9274e71dff fff3:a08a3e9274e71dff -24367198918653128739885~4891~6819430084640768 -36430266345323528360531~4930~0941387826069504"),
    (b"0x8e0c2138864bce34p-16445", b"0x14145d6ca7cbp-16445", "0001:8e0c2138864bce34 0000:000014145d6ca7cb 0001:8e0c354ce3b875ff 0 0"),
    (b"0xffffffffffffffffp-53", b"-0x8000000000000000p77", "4009:ffffffffffffffff c08b:8000000000000000 c08b:8000000000000000 2047.99999999999999989 -1393796574908163946345982392040522594123776"),
    (b"0x8864ad996963c829p-16445", b"0xdf3aa8f14211c4d3p6003", "0001:8864ad996963c829 57b1:df3aa8f14211c4d3 57b1:df3aa8f14211c4d3 0 194757690042002320456279~1827~5678433358970880"),
    (b"0xffffffffffffffffp16145", b"-0xffffffffffffffffp16320", "7f4f:ffffffffffffffff fffe:ffffffffffffffff fffe:ffffffffffffffff 248427527755939528811566~4880~0486621987143680 -11897314953572317650212~4934~2086811989770240"),
    (b"0xfffffffffffffff9p2817", b"-0xce0826306b821f9ap2946", "4b3f:fffffffffffffff9 cbc0:ce0826306b821f9a cbc0:ce0826306b821f9a 185104726361809583631319~868~7585831507918848 -10138677503742031204930~908~9232312640012288"),
    (b"-0x1ffffp-16445", b"-0x1c222cab7b4572dfp-16445", "8000:000000000001ffff 8000:1c222cab7b4572df 8000:1c222cab7b4772de 0 0"),
    (b"-0x8000000000000000p16255", b"0xffffffffffffffffp16192", "ffbd:8000000000000000 7f7e:ffffffffffffffff ffbc:fffffffffffffffc -16123868399259231398595~4914~8800964493574144 -16123868399259231395099~4914~9091323066974208"),
    (b"-0x8000000000000000p82", b"0x8000000000000000p18", "c090:8000000000000000 4050:8000000000000000 c08f:ffffffffffffffff -44601490397061246283071436545296723011960832 -44601490397061246280653584906067464662548480"),
    (b"-0xffffffffffffffffp16204", b"0xef550df7bf2aea70p16267", "ff8a:ffffffffffffffff 7fc9:ef550df7bf2aea70 7fc9:ef550df7bf2aea6e -14320871954306852023216~4899~5523986542755840 123486771587214206999983~4917~8847498050469888"),
    (b"0xfffffffffffffffap16255", b"-0x8000000000000004p16126", "7fbd:fffffffffffffffa ff3c:8000000000000004 7fbd:fffffffffffffffa 322477367985184627867017~4913~8473004707348480 322477367985184627867017~4913~8473004707348480"),
    (b"0x8000000000000004p16296", b"0xf97c1a965a8a2eafp16296", "7fe6:8000000000000004 7fe6:f97c1a965a8a2eaf 7fe7:bcbe0d4b2d45175a 354567615794310499907053~4925~5686949161336832 104565530224996318621092~4926~5647753245884416"),
    (b"0xc6e9c6a528ad2d83p-105", b"-0x8000000000000000p-65", "3fd5:c6e9c6a528ad2d83 bffd:8000000000000000 bffc:fffffffffe722c73 0.00000000000035334 -0.24999999999964666"),
    (b"0xab676ebd8b210a98p16320", b"-0xcaceb1a6a901e61fp16190", "7ffe:ab676ebd8b210a98 ff7c:caceb1a6a901e61f 7ffe:ab676ebd8b210a98 796581160560271008721118~4932~3856019857866752 796581160560271008721118~4932~3856019857866752"),
    (b"0x81a21ad40e0174d1p6281", b"-0xda7106b51aa2dffep6283", "58c7:81a21ad40e0174d1 d8c9:da7106b51aa2dffe d8c9:ba088000172282ca 549286389075904378276916~1910~8028221055827968 -31530653924437954318565~1912~5569029068423168"),
    (b"0x8000000000000000p-79", b"0xd96549057e89e305p51", "3fef:8000000000000000 4071:d96549057e89e305 4071:d96549057e89e305 0.0000152587890625 35274460219634087804940473994313728"),
    (b"-0xf384417caf72be74p16130", b"0xc77ec2255abfb2e1p16256", "ff40:f384417caf72be74 7fbe:c77ec2255abfb2e1 7fbe:c77ec2255abfb2e1 -72117129481641481146259~4876~2382714894483456 502598991216761013401252~4913~5398345926246400"),
    (b"0xa3f23c0fd203b00bp-31", b"-0xefacf424e5ead776p34", "401f:a3f23c0fd203b00b c060:efacf424e5ead776 c060:efacf424e5ead776 5501122591.6407375386916101 -296704022105388342285160153088"),
    (b"0xd08df93eda363511p3327", b"-0x8000000000000000p3393", "4d3d:d08df93eda363511 cd7f:8000000000000000 cd7f:8000000000000000 505469635892193653520925~1021~1958362798227456 -22891013142817760370175~1042~0377978341031936"),
    (b"-0x8000000000000005p15", b"-0xfffffffffffffffap81", "c04d:8000000000000005 c08f:fffffffffffffffa c08f:fffffffffffffffa -302231454903657293840384 -44601490397061246268564326709921172915486720"),
    (b"0x8000000000000000p11541", b"0x8000000000000000p11669", "6d53:8000000000000000 6dd3:8000000000000000 6dd3:8000000000000000 141928523521346613454475~3494~0135724387926016 482957739174379135057508~3532~1488249571639296"),
    (b"-0xbc4603b911055a60p-16409", b"-0xde4b901f82b474fcp-16445", "8025:bc4603b911055a60 8001:de4b901f82b474fc 8025:bc4603b91eea1362 0 0"),
    (b"-0xfffffffffffffff8p33", b"-0xffffffffffffffffp-31", "c05f:fffffffffffffff8 c01f:ffffffffffffffff c05f:fffffffffffffff9 -158456325028528675118368423936 -158456325028528675126958358528"),
    (b"0x8000000000000000p-16445", b"-0x8000000000000001p-9298", "0001:8000000000000000 9bec:8000000000000001 9bec:8000000000000001 0 0"),
    (b"-0x8000000000000003p69", b"0xa587e4b1be550b15p-49", "c083:8000000000000003 400d:a587e4b1be550b15 c083:8000000000000003 -5444517870735015417184881149984408338432 -5444517870735015417184881149984408338432"),
    (b"-0x94651ff44a7f5910p16313", b"0xc36a742f6a2c8642p16247", "fff7:94651ff44a7f5910 7fb5:c36a742f6a2c8642 fff7:94651ff44a7f5910 -53878853656052745430055~4931~5663166356848640 -53878853656052745430055~4931~5663166356848640"),
    (b"0xd49892acc8fa36b3p29", b"-0xb6dcff9974de4629p28", "405b:d49892acc8fa36b3 c05a:b6dcff9974de4629 405a:f25425c01d16273d 8224408932441875693080412160 4687318776065235601919574016"),
    (b"0x971a931e16a0c567p16146", b"-0xe948e960c7a56f5fp16272", "7f50:971a931e16a0c567 ffce:e948e960c7a56f5f ffce:e948e960c7a56f5f 293268322584712724873180~4880~7630123839258624 -38517284794167136394984~4919~6290535528464384"),
    (b"0x8000000000000000p-16445", b"0x6e6079bd566p-16445", "0001:8000000000000000 0000:000006e6079bd566 0001:800006e6079bd566 0 0"),
    (b"-0x8000000000000007p16271", b"0x8000000000000005p7061", "ffcd:8000000000000007 5bd3:8000000000000005 ffcd:8000000000000007 -10566938394138529897403~4919~8720918662021120 -10566938394138529897403~4919~8720918662021120"),
    (b"0x8000000000000005p2197", b"-0xc385ceb57ad0ca96p2196", "48d3:8000000000000005 c8d2:c385ceb57ad0ca96 48d0:f1e8c52a14bcd5d0 212711123077277388483513~681~4334981041422336 502507715391883198704796~680~9710175300747264"),
    (b"0x8000000000000000p-1253", b"-0xd85896edaab65233p-1254", "3b59:8000000000000000 bb58:d85896edaab65233 3b56:9e9da4495526b734 0 0"),
    (b"-0xf9d1747b500a3c8fp15753", b"-0xdb2bad343bdff363p15632", "fdc7:f9d1747b500a3c8f fd4e:db2bad343bdff363 fdc7:f9d1747b500a3c8f -24033969087089446701868~4763~5194842647429120 -24033969087089446701868~4763~5194842647429120"),
    (b"0xffffffffffffffffp-11767", b"0x97faacd0154f876bp-11897", "1247:ffffffffffffffff 11c5:97faacd0154f876b 1247:ffffffffffffffff 0 0"),
    (b"0x8000000000000000p-70", b"-0xbe9e50eea764d7e0p-6", "3ff8:8000000000000000 c038:be9e50eea764d7e0 c038:be9e50eea764d7e0 0.0078125 -214617264054178655.5"),
    (b"-0xfffffffffffffffep-14", b"-0xd4599c920b5cc773p-76", "c030:fffffffffffffffe bff2:d4599c920b5cc773 c031:8000000000000001 -1125899906842623.9998779296875 -1125899906842624.0001220703125"),
    (b"-0x8000000000000000p15", b"0xa176818dea48deeep-48", "c04d:8000000000000000 400e:a176818dea48deee c04c:fffffffffffffffd -302231454903657293676544 -302231454903657293627392"),
    (b"-0x8000000000000005p-16403", b"-0xc2c88aeb9737f523p-16338", "802b:8000000000000005 806c:c2c88aeb9737f523 806c:c2c88aeb9737f523 0 0"),
    (b"0xb2e9ce72c13dc11ap16160", b"0x89137ca90b67c1d0p16287", "7f5e:b2e9ce72c13dc11a 7fdd:89137ca90b67c1d0 7fdd:89137ca90b67c1d0 568921477013880201994512~4884~2940343563649024 741619161612041813854246~4922~2732378070188032"),
    (b"0xfffffffffffffffap656", b"0xf5ff3737593ab81cp720", "42ce:fffffffffffffffa 430e:f5ff3737593ab81c 430e:f5ff3737593ab81d 551565226310198729693470~217~4353658141736960 977701617226281168640447~236~5739969647738880"),
    (b"0xb1bcf31576e0dcc1p-12525", b"0xff3c802a3d89253ep-12395", "0f51:b1bcf31576e0dcc1 0fd3:ff3c802a3d89253e 0fd3:ff3c802a3d89253e 0 0"),
    (b"0x8000000000000000p6", b"-0xbea8dda50d143a2ep67", "4044:8000000000000000 c081:bea8dda50d143a2e c081:bea8dda50d143a2a 590295810358705651712 -2027440964484678776657479169008002400256"),
    (b"-0xffffffffffffffffp-6", b"0xf673a89108676ddbp-70", "c038:ffffffffffffffff 3ff8:f673a89108676ddb c038:fffffffffffffffe -288230376151711743.984375 -288230376151711743.96875"),
    (b"0xfffffffffffffff8p16265", b"-0x8b8abc9fc2c967d5p16135", "7fc7:fffffffffffffff8 ff45:8b8abc9fc2c967d5 7fc7:fffffffffffffff8 330216824816829058900023~4916~3683999486509056 330216824816829058900023~4916~3683999486509056"),
    (b"0x8000000000000000p-98", b"0xffffffffffffffffp30", "3fdc:8000000000000000 405c:ffffffffffffffff 405c:ffffffffffffffff 0.00000000002910383 19807040628566084397312245760"),
    (b"0x9b602cb673f51511p-16364", b"-0x8000000000000000p-16445", "0052:9b602cb673f51511 8001:8000000000000000 0052:9b602cb673f51511 0 0"),
    (b"0x8000000000000000p34", b"-0x8000000000000000p99", "4060:8000000000000000 c0a1:8000000000000000 c0a1:8000000000000000 158456325028528675187087900672 -5846006549323611672814739330865132078623730171904"),
    (b"0x8000000000000000p-159", b"-0xd73b315b92f4c9fap-29", "3f9f:8000000000000000 c021:d73b315b92f4c9fa c021:d73b315b92f4c9fa 0 -28887845596.59238146618008614"),
    (b"-0xe804c99bc8179e75p-16317", b"-0xffffffffffffffffp-16382", "8081:e804c99bc8179e75 8040:ffffffffffffffff 8081:e804c99bc8179e75 0 0"),
    (b"-0xfffffffffffffff8p11118", b"0x8000000000000000p11181", "ebac:fffffffffffffff8 6beb:8000000000000000 6bea:fffffffffffffffc -13104230229264931437432~3368~8787742002839552 604325953305546082320589~3385~1143257546227712"),
    (b"-0x8000000000000000p9", b"-0xe4274e9176371dc3p-120", "c047:8000000000000000 bfc6:e4274e9176371dc3 c047:8000000000000000 -4722366482869645213696 -4722366482869645213696"),
    (b"-0xb3056076bc742c2fp-13653", b"-0xfffffffffffffffbp-13780", "8ae9:b3056076bc742c2f 8a6a:fffffffffffffffb 8ae9:b3056076bc742c2f 0 0"),
    (b"0x8000000000000000p3824", b"0xea219944895d7f45p3760", "4f2e:8000000000000000 4eee:ea219944895d7f45 4f2e:8000000000000001 126938436817624144963594~1171~2235617376534528 126938436817624144977356~1171~2621586373279744"),
    (b"-0x8000000000000000p16286", b"0xa74eebb6a1bdc861p16221", "ffdc:8000000000000000 7f9b:a74eebb6a1bdc861 ffdb:ffffffffffffffff -34625743729913134741531~4923~6579075315597312 -34625743729913134739654~4923~8687386616135680"),
    (b"0x8000000000000000p-14", b"0x8000000p-16445", "4030:8000000000000000 0000:0000000008000000 4030:8000000000000000 562949953421312 562949953421312"),
    (b"-0x8000000000000000p102", b"0x8000000000000000p-28", "c0a4:8000000000000000 4022:8000000000000000 c0a4:8000000000000000 -46768052394588893382517914646921056628989841375232 -46768052394588893382517914646921056628989841375232"),
    (b"-0x8000000000000002p52", b"0x8000000000000004p50", "c072:8000000000000002 4070:8000000000000004 c071:c000000000000002 -41538374868278621037251169888501760 -31153781151208965775686577602691072"),
    (b"0xfffffffffffffff9p10274", b"-0x9a4022cf70fe7100p10403", "6860:fffffffffffffff9 e8e1:9a4022cf70fe7100 e8e1:9a4022cf70fe7100 111710803158663516358234~3113~2582603159699456 -45809053420398861742123~3152~9138155575312384"),
    (b"-0x5de6ad327684ccp-16445", b"0xf08378f4f02c42d2p-16445", "8000:005de6ad327684cc 0001:f08378f4f02c42d2 0001:f0259247bdb5be06 0 0"),
    (b"0xc5d04a3135c0a1bbp-16354", b"-0x8000000000000000p-16445", "005c:c5d04a3135c0a1bb 8001:8000000000000000 005c:c5d04a3135c0a1bb 0 0"),
    (b"0x907fca64327395a4p-16445", b"-0x1086725063680p-16445", "0001:907fca64327395a4 8000:0001086725063680 0001:907ec1fd0d6d5f24 0 0"),
    (b"-0x2f0p-16445", b"0x53251p-16445", "8000:00000000000002f0 0000:0000000000053251 0000:0000000000052f61 0 0"),
    (b"0x17ad8p-16445", b"-0xbb4c7814775d788cp-16361", "0000:0000000000017ad8 8055:bb4c7814775d788c 8055:bb4c7814775d788c 0 0"),
    (b"0xd3842d07b00ed9fbp16206", b"-0xf4b1f859b38888d5p16268", "7f8c:d3842d07b00ed9fb ffca:f4b1f859b38888d5 ffca:f4b1f859b38888d2 473296565919492332242893~4898~4720113042849792 -25250772061619601272521~4918~9861044052230144"),
    (b"0x8000000000000000p16204", b"0x8000000000000000p16265", "7f8a:8000000000000000 7fc7:8000000000000000 7fc7:8000000000000004 716043597715342601199643~4897~5345641676668928 165108412408414529593220~4916~7533283096592384"),
    (b"-0xb0a8c3017p-16445", b"0x3fffp-16445", "8000:0000000b0a8c3017 0000:0000000000003fff 8000:0000000b0a8bf018 0 0"),
    (b"-0xce9519bf13bda14dp-5671", b"0xfffffffffffffff9p-5605", "aa17:ce9519bf13bda14d 2a59:fffffffffffffff9 2a59:fffffffffffffff9 0 0"),
    (b"0xdf0e6469103dafbfp13409", b"0xaa9b9c567222001bp13539", "749f:df0e6469103dafbf 7521:aa9b9c567222001b 7521:aa9b9c567222001b 521562013195307573854992~4056~8282793795256320 542987801101319686893008~4095~2366943359533056"),
    (b"-0xc329c3363c45dacdp-85", b"0x8000000000000000p-146", "bfe9:c329c3363c45dacd 3fac:8000000000000000 bfe9:c329c3363c45dac9 -0.00000036351966662 -0.00000036351966662"),
    (b"-0xf33ddd605cf8cc56p-6110", b"-0x9cd407ee42f6aa31p-6108", "a860:f33ddd605cf8cc56 a862:9cd407ee42f6aa31 a862:d9a37f465a34dd46 0 0"),
    (b"0x920c711ba4ca65c4p16278", b"0xeaf0362d67262c27p16277", "7fd4:920c711ba4ca65c4 7fd3:eaf0362d67262c27 7fd5:83c246192c2ebdec 154328656816381973828625~4920~4383907199320064 278457598039300592525505~4920~0159016282685440"),
    (b"0xa6824a8058f6d1bep14984", b"-0xdb2c2c069c951fb7p15113", "7ac6:a6824a8058f6d1be fb47:db2c2c069c951fb7 fb47:db2c2c069c951fb7 515908123843564039616013~4530~6628469514633216 -46215789993439648956240~4570~4013167895117824"),
    (b"-0xffffffffffffffffp-12861", b"0x8000000000000000p-12798", "8e01:ffffffffffffffff 0e40:8000000000000000 0e3f:fffffffffffffffc 0 0"),
    (b"0x8000000000000002p16189", b"-0xe39afd155b83aa97p16318", "7f7b:8000000000000002 fffc:e39afd155b83aa97 fffc:e39afd155b83aa97 218519164341840393479892~4893~9850332038430720 -26444271654332948881197~4933~9700553544957952"),
    (b"0xfdbdd016f2347926p12", b"-0xb6de290403b0a73dp-51", "404a:fdbdd016f2347926 c00b:b6de290403b0a73d 404a:fdbdd016f2347925 74891259327141744107520 74891259327141744103424"),
    (b"-0xbf7d618ba09714e1p-2022", b"0x971a8327f59a4b1cp-2150", "b858:bf7d618ba09714e1 37d8:971a8327f59a4b1c b858:bf7d618ba09714e1 0 0"),
    (b"0x8000000000000001p-42", b"-0xcc8645d40fa834d6p-171", "4014:8000000000000001 bf93:cc8645d40fa834d6 4014:8000000000000001 2097152.00000000000022737 2097152.00000000000022737"),
    (b"0xbb949fe99cd6441dp-16405", b"-0xec0490b594ae0675p-16445", "0029:bb949fe99cd6441d 8001:ec0490b594ae0675 0029:bb949fe99bea3f8c 0 0"),
    (b"-0xe89e3ecc24d2c288p94", b"0xffffffffffffffffp29", "c09c:e89e3ecc24d2c288 405b:ffffffffffffffff c09c:e89e3ecc24d2c288 -332003711750193941209058288984234904418714124288 -332003711750193941209058288984234904418714124288"),
];
