//! Scores parsed and printed exactly as Redis 7.0.15 did (the tables were printed by it).

use proptest::prelude::*;

use super::{
    ScoreText, format_score, parse_range_number, parse_score, parse_sort_weight, seventeen_digits,
    seventeen_digits_exactly,
};

/// `ZADD t <input> m` followed by `ZSCORE t m` on Redis (in a skiplist-encoded sorted set,
/// so a negative zero keeps its sign); `None` is `ERR value is not a valid float`. The
/// last column says whether `ZCOUNT r <input> +inf` accepted the text as a range bound.
const PARSED: &[(&str, Option<&str>, bool)] = &[
    ("", None, true),
    (" 1", None, true),
    ("1 ", None, false),
    ("\t1", None, true),
    ("1\0", None, true),
    ("+1", Some("1"), true),
    ("-1", Some("-1"), true),
    ("++1", None, false),
    ("+-1", None, false),
    ("1e", None, false),
    ("1e+", None, false),
    ("1e+5", Some("100000"), true),
    ("1E5", Some("100000"), true),
    (".5", Some("0.5"), true),
    ("5.", Some("5"), true),
    (".", None, false),
    ("-.", None, false),
    ("-.5e1", Some("-5"), true),
    ("1.e2", Some("100"), true),
    ("0x", None, false),
    ("0x1", Some("1"), true),
    ("0X1P3", Some("8"), true),
    ("0x1p", None, false),
    ("0x1p+", None, false),
    ("0x1p-2", Some("0.25"), true),
    ("0x.8", Some("0.5"), true),
    ("0x1.", Some("1"), true),
    ("0x1.p1", Some("2"), true),
    ("0x.", None, false),
    ("0xg", None, false),
    ("-0x10", Some("-16"), true),
    ("0x1p1024", None, true),
    ("0x1.fffffffffffffp1023", Some("1.7976931348623157e+308"), true),
    ("0x1p-1074", Some("4.9406564584124654e-324"), true),
    ("0x1p-1075", None, true),
    ("0x1.0000000000001p-1075", Some("4.9406564584124654e-324"), true),
    ("0x1.8p-1074", Some("9.8813129168249309e-324"), true),
    ("0x3p-1076", Some("4.9406564584124654e-324"), true),
    ("0x0p99999", Some("0"), true),
    ("0x1p99999999999999999999", None, true),
    ("0x123456789abcdef0123p0", Some("5.3730036427316852e+21"), true),
    ("0x1.00000000000008p0", Some("1"), true),
    ("0x1.000000000000080000001p0", Some("1.0000000000000002"), true),
    ("0x1.00000000000018p0", Some("1.0000000000000004"), true),
    ("inf", Some("inf"), true),
    ("INF", Some("inf"), true),
    ("infinity", Some("inf"), true),
    ("INFINITY", Some("inf"), true),
    ("infinit", None, false),
    ("infx", None, false),
    ("-infinity", Some("-inf"), true),
    ("nan", None, false),
    ("NaN", None, false),
    ("nan(1)", None, false),
    ("-nan", None, false),
    ("1e400", None, true),
    ("-1e400", None, true),
    ("1e-400", None, true),
    ("0e-400", Some("0"), true),
    ("0.0e99999", Some("0"), true),
    ("1e-310", Some("9.9999999999999694e-311"), true),
    ("00001", Some("1"), true),
    ("1_0", None, false),
    ("1,5", None, false),
    ("0b1", None, false),
    ("4.9406564584124654e-324", Some("4.9406564584124654e-324"), true),
    ("2.4703282292062328e-324", Some("4.9406564584124654e-324"), true),
    ("2.4703282292062327e-324", None, true),
    ("1.797693134862315708e308", Some("1.7976931348623157e+308"), true),
    ("1.797693134862315808e308", None, true),
];

/// Input and what `ZSCORE` printed for it.
const PRINTED: &[(&str, &str)] = &[
    ("0", "0"),
    ("-0", "-0"),
    ("1", "1"),
    ("-1", "-1"),
    ("0.1", "0.10000000000000001"),
    ("0.5", "0.5"),
    ("1.5", "1.5"),
    ("1e20", "1e+20"),
    ("1e16", "10000000000000000"),
    ("1e17", "1e+17"),
    ("123456789012345678", "1.2345678901234568e+17"),
    ("0.0001", "0.0001"),
    ("0.00001", "1.0000000000000001e-05"),
    ("-1e-5", "-1.0000000000000001e-05"),
    ("3.14159", "3.1415899999999999"),
    ("2.5e-300", "2.5e-300"),
    ("1e308", "1e+308"),
    ("1.7976931348623157e308", "1.7976931348623157e+308"),
    ("5e-324", "4.9406564584124654e-324"),
    ("1e-310", "9.9999999999999694e-311"),
    ("100", "100"),
    ("1234567.125", "1234567.125"),
    ("0.3", "0.29999999999999999"),
    ("1e15", "1000000000000000"),
    ("9007199254740993", "9007199254740992"),
    ("4503599627370496", "4503599627370496"),
    ("-4503599627370495", "-4503599627370495"),
    ("12345678901234567890", "1.2345678901234567e+19"),
    ("9.999999999999999e-5", "9.9999999999999991e-05"),
    ("99999999999999999", "1e+17"),
    ("33.333333333333336", "33.333333333333336"),
    ("inf", "inf"),
    ("-inf", "-inf"),
    ("-123.456e-7", "-1.2345599999999999e-05"),
    ("7e22", "7.0000000000000004e+22"),
    ("2.2250738585072014e-308", "2.2250738585072014e-308"),
    ("2.225073858507201e-308", "2.2250738585072009e-308"),
];

#[test]
fn scores_parse_like_string2d() {
    for (input, printed, _) in PARSED {
        let parsed = parse_score(input.as_bytes()).map(format_score);
        assert_eq!(parsed.as_deref(), *printed, "{input:?}");
    }
}

#[test]
fn range_bounds_parse_like_zsl_parse_range() {
    for (input, _, accepted) in PARSED {
        assert_eq!(parse_range_number(input.as_bytes()).is_some(), *accepted, "{input:?}");
    }
    assert_eq!(parse_range_number(b""), Some(0.0));
    assert_eq!(parse_range_number(b" \t2"), Some(2.0));
    assert_eq!(parse_range_number(b"3\0garbage"), Some(3.0));
    assert_eq!(parse_range_number(b" "), None);
    assert_eq!(parse_range_number(b"1e400"), Some(f64::INFINITY));
    assert_eq!(parse_range_number(b"-1e400"), Some(f64::NEG_INFINITY));
    assert_eq!(parse_range_number(b"1e-400"), Some(0.0));
}

#[test]
fn sort_weights_parse_like_strtod_to_the_end() {
    assert_eq!(parse_sort_weight(b""), Some(0.0));
    assert_eq!(parse_sort_weight(b" \t2"), Some(2.0));
    assert_eq!(parse_sort_weight(b"3\0garbage"), Some(3.0));
    assert_eq!(parse_sort_weight(b"0x10"), Some(16.0));
    assert_eq!(parse_sort_weight(b"-Infinity"), Some(f64::NEG_INFINITY));
    assert_eq!(parse_sort_weight(b"1e-300"), Some(1e-300));
    // glibc reports an underflow for an inexact result below the least normal double (after
    // rounding to 53 bits), even when it is not zero; exact ones pass.
    for subnormal in ["0x1p-1074", "0x1p-1023", "2.2250738585072013e-308", "-0x1.8p-1073"] {
        assert!(parse_sort_weight(subnormal.as_bytes()).is_some(), "{subnormal:?}");
    }
    for refused in [
        "5 ",
        " ",
        "abc",
        "nan",
        "1e400",
        "-1e400",
        "1e-400",
        "1x",
        "1e-310",
        "-1e-310",
        "4.9e-324",
        "1e-308",
        "2.2250738585072011e-308",
        "2.225073858507201e-308",
        "0x1.8p-1074",
        "0x1.fffffffffffffp-1023",
    ] {
        assert_eq!(parse_sort_weight(refused.as_bytes()), None, "{refused:?}");
    }
}

#[test]
fn sort_weights_written_out_exactly_are_exact() {
    // 2^-1074 is 5^1074 / 10^1074: every one of its 751 significant digits.
    let digits = num_bigint::BigUint::from(5u8).pow(1074).to_string();
    let exact = format!("0.{}{digits}", "0".repeat(1074 - digits.len()));
    assert_eq!(parse_sort_weight(exact.as_bytes()), Some(f64::from_bits(1)));
    assert_eq!(parse_sort_weight(format!("{exact}000").as_bytes()), Some(f64::from_bits(1)));
    assert_eq!(parse_sort_weight(format!("{exact}1").as_bytes()), None);
    // Far more digits than an exact double has: refused, and quickly.
    let long = format!("0.{}{}", "0".repeat(320), "7".repeat(100_000));
    assert_eq!(parse_sort_weight(long.as_bytes()), None);
}

#[test]
fn scores_print_like_percent_17g() {
    for (input, printed) in PRINTED {
        let score = parse_score(input.as_bytes()).unwrap();
        assert_eq!(format_score(score), *printed, "{input:?}");
    }
}

/// The C library's own `%.17g`, which Redis 7.0 replies with.
#[allow(unsafe_code)]
fn c_percent_17g(score: f64) -> String {
    use std::ffi::{c_char, c_int};
    unsafe extern "C" {
        fn snprintf(buffer: *mut c_char, size: usize, format: *const c_char, ...) -> c_int;
    }
    let mut buffer = [0u8; 64];
    // SAFETY: the buffer's length bounds the write, and the format takes one double.
    let written =
        unsafe { snprintf(buffer.as_mut_ptr().cast(), buffer.len(), c"%.17g".as_ptr(), score) };
    String::from_utf8_lossy(&buffer[..usize::try_from(written).unwrap()]).into_owned()
}

#[test]
fn scores_print_like_percent_17g_at_the_edges() {
    let largest_below_1e17 = f64::from_bits(1e17f64.to_bits() - 1);
    let below = |value: f64| f64::from_bits(value.to_bits() - 1);
    let edges = [0.0, 1.0, 9.0, 10.0, 1e16, 1e17, largest_below_1e17, 2f64.powi(53)];
    // Around powers of ten, where the decimal exponent changes (and rounding may carry).
    let tens = (-8..17).flat_map(|power| {
        let ten = 10f64.powi(power);
        [ten, below(ten), f64::from_bits(ten.to_bits() + 1), below(below(ten))]
    });
    let halves = [0.5, 1.5, 2.5, 0.25, 1e-6, below(1e-6), 0.1, 0.3, 1.0 / 3.0, 2f64.powi(53) - 0.5];
    for score in edges.into_iter().chain(tens).chain(halves) {
        assert_eq!(ScoreText::new(score).as_str(), c_percent_17g(score), "{score:?}");
        assert_eq!(ScoreText::new(-score).as_str(), c_percent_17g(-score), "{:?}", -score);
    }
}

proptest! {
    #[test]
    fn any_double_prints_like_percent_17g(bits in any::<u64>()) {
        let score = f64::from_bits(bits);
        prop_assume!(score.is_finite());
        prop_assert_eq!(ScoreText::new(score).as_str().to_owned(), c_percent_17g(score));
    }

    #[test]
    fn fractions_print_like_percent_17g(
        mantissa in (1u64 << 52)..(1u64 << 53),
        exponent in -24i32..1,
    ) {
        // Every double from about 10^-7 to 2^53: the range printed by integer arithmetic.
        let score = mantissa as f64 * 2f64.powi(exponent - 52);
        prop_assert_eq!(ScoreText::new(score).as_str().to_owned(), c_percent_17g(score));
        let next = f64::from_bits(score.to_bits() + 1);
        prop_assert_eq!(ScoreText::new(next).as_str().to_owned(), c_percent_17g(next));
    }

    #[test]
    fn integer_arithmetic_gives_the_formatted_digits(
        mantissa in (1u64 << 52)..(1u64 << 53),
        exponent in -20i32..1,
    ) {
        // From 10^-6 (below it is left to the formatter) up to 2^53.
        let score = mantissa as f64 * 2f64.powi(exponent - 52);
        prop_assume!(score >= 1e-6);
        prop_assert_eq!(seventeen_digits_exactly(score), Some(seventeen_digits(score)));
    }

    #[test]
    fn whole_and_decimal_scores_print_like_percent_17g(
        whole in -200_000_000_000_000_000i64..200_000_000_000_000_000,
        thousandths in 0u32..1000,
        exponent in -12i32..30,
    ) {
        for score in [whole as f64, whole as f64 + f64::from(thousandths) / 1000.0,
                      f64::from(thousandths) * 10f64.powi(exponent)] {
            prop_assert_eq!(ScoreText::new(score).as_str().to_owned(), c_percent_17g(score));
        }
    }
}
